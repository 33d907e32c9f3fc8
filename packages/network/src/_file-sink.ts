import { closeSync, createWriteStream, openSync, writeSync, writevSync, type WriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { DatasetSink } from './_link.js';

/** A data set sink writing a Part 10 file to a temporary path: our header first, then the bytes as they come. */
export interface FileSink extends DatasetSink {
  readonly path: string;
  /** Bytes of the data set received so far. */
  readonly received: number;
  /** The first write error (no space, permission...), if any: the file is then incomplete and removed. */
  readonly error: NodeJS.ErrnoException | undefined;
}

/** Writes every byte of `buffers` (one writev when they are few; short writes are continued). */
function writeAllSync(fd: number, buffers: Buffer[], total: number): void {
  let written = buffers.length <= 256 ? writevSync(fd, buffers) : 0;
  if (written === total) return;
  const all = Buffer.concat(buffers, total);
  while (written < total) written += writeSync(fd, all, written, total - written);
}

/** Instances up to this size are written with one call when complete; larger ones are streamed as they arrive. */
const HOLD_BYTES = 4 * 1024 * 1024;

/**
 * Writes an incoming data set to `path` (created exclusively), after `header`. A small instance is held in memory
 * and written in one call at the end; past 4 MiB the file is opened and every fragment is written as it arrives,
 * with backpressure (write returns a promise when the file is behind), so memory stays flat for any size. After
 * a write error the rest of the data set is read and dropped, so that the association stays in step and the
 * request can be answered with a failure status. `discard` removes the file.
 */
export function createFileSink(path: string, header: Buffer): FileSink {
  let error: NodeJS.ErrnoException | undefined;
  let received = 0;
  let held: Buffer[] | undefined = [header];
  let heldBytes = header.length;
  let stream: WriteStream | undefined;
  let closed: Promise<void> | undefined;

  const open = (): WriteStream => {
    const s = createWriteStream(path, { flags: 'wx', highWaterMark: 1024 * 1024 });
    s.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e;
    });
    for (const chunk of held ?? []) s.write(chunk);
    held = undefined;
    return s;
  };
  const drained = (s: WriteStream): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        s.off('drain', done);
        s.off('error', done);
        s.off('close', done);
        resolve();
      };
      s.once('drain', done);
      s.once('error', done);
      s.once('close', done);
    });
  const closeStream = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      const s = stream;
      if (!s || s.closed || s.destroyed) {
        resolve();
        return;
      }
      s.once('close', () => resolve());
      if (error) s.destroy();
      else s.end();
    });
    return closed;
  };

  return {
    path,
    get received() {
      return received;
    },
    get error() {
      return error;
    },
    write(chunk) {
      received += chunk.length;
      if (error) return undefined;
      if (held) {
        // The chunk is a view of a PDU buffer that is never reused: it can be kept without a copy.
        held.push(chunk);
        heldBytes += chunk.length;
        if (heldBytes <= HOLD_BYTES) return undefined;
        stream = open();
        return stream.writableNeedDrain ? drained(stream) : undefined;
      }
      return stream!.write(chunk) ? undefined : drained(stream!);
    },
    async end() {
      if (held && !error) {
        try {
          // One synchronous write of a small instance (at most 4 MiB) costs less than three trips through the
          // thread pool (open, write, close), which is what the peer waits for before its next C-STORE.
          const fd = openSync(path, 'wx');
          try {
            writeAllSync(fd, held, heldBytes);
          } finally {
            closeSync(fd);
          }
        } catch (e) {
          error = e as NodeJS.ErrnoException;
          await unlink(path).catch(() => undefined);
        }
        held = undefined;
        return;
      }
      await closeStream();
      if (error) await unlink(path).catch(() => undefined);
    },
    async discard() {
      error ??= Object.assign(new Error('discarded'), { code: 'EDISCARDED' });
      held = undefined;
      await closeStream();
      await unlink(path).catch(() => undefined);
    },
  };
}
