import { closeSync, createWriteStream, openSync, renameSync, unlinkSync, writeSync, writevSync, type WriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { DatasetSink } from './_link.js';

/**
 * Where an incoming instance goes: held in memory while small, streamed to a temporary file past 4 MiB. Once
 * complete it is saved under its final name, or written to the temporary file for a reader that needs one.
 */
export interface FileSink extends DatasetSink {
  /** The temporary file (used when the instance is streamed, or when {@link FileSink.materialize} is called). */
  readonly path: string;
  /** Bytes of the data set received so far. */
  readonly received: number;
  /** The first write error (no space, permission...), if any: the file is then incomplete and removed. */
  readonly error: NodeJS.ErrnoException | undefined;
  /** The whole Part 10 file when it is held in memory (small instances), else undefined. */
  readonly bytes: Buffer | undefined;
  /**
   * Puts the complete instance at `target`: written there in one call when held in memory (nothing is written
   * before the last byte has arrived), renamed there from the temporary file when streamed. Throws the I/O error;
   * a partly written target is removed.
   */
  save(target: string): void;
  /** Writes a held instance to the temporary file (if not done yet) and returns its path. */
  materialize(): string;
}

/** Instances up to this size are held in memory and written with one call when complete. */
const HOLD_BYTES = 4 * 1024 * 1024;

/** Writes every byte of `buffers` (one writev when they are few; short writes are continued). */
function writeAllSync(fd: number, buffers: readonly Buffer[], total: number): void {
  let written = buffers.length <= 256 ? writevSync(fd, buffers as Buffer[]) : 0;
  if (written === total) return;
  const all = Buffer.concat(buffers as Buffer[], total);
  while (written < total) written += writeSync(fd, all, written, total - written);
}

function writeFileNow(path: string, flag: string, buffers: readonly Buffer[], total: number): void {
  const fd = openSync(path, flag);
  try {
    writeAllSync(fd, buffers, total);
  } catch (error) {
    closeSync(fd);
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
    throw error;
  }
  closeSync(fd);
}

/**
 * A sink for an incoming data set whose file starts with `header`. Past 4 MiB the temporary file `path` is
 * created (exclusively) and every fragment is written as it arrives, with backpressure (write returns a promise
 * when the file is behind), so memory stays flat for any size. After a write error the rest of the data set is
 * read and dropped, so that the association stays in step and the request can be answered with a failure.
 * `discard` removes the temporary file.
 */
export function createFileSink(path: string, header: Buffer): FileSink {
  let error: NodeJS.ErrnoException | undefined;
  let received = 0;
  let held: Buffer[] | undefined = [header];
  let heldBytes = header.length;
  let stream: WriteStream | undefined;
  let onDisk = false;
  let closed: Promise<void> | undefined;

  const open = (): WriteStream => {
    const s = createWriteStream(path, { flags: 'wx', highWaterMark: 1024 * 1024 });
    s.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e;
    });
    for (const chunk of held ?? []) s.write(chunk);
    held = undefined;
    onDisk = true;
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
    get bytes() {
      return held ? Buffer.concat(held, heldBytes) : undefined;
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
    end() {
      // Nothing to wait for when the instance is held in memory: the link then goes on without pausing.
      if (!stream) return undefined;
      return closeStream().then(async () => {
        if (error && onDisk) await unlink(path).catch(() => undefined);
      });
    },
    save(target) {
      if (held) {
        writeFileNow(target, 'w', held, heldBytes);
        held = undefined;
        return;
      }
      renameSync(path, target);
      onDisk = false;
    },
    materialize() {
      if (held) {
        writeFileNow(path, 'wx', held, heldBytes);
        held = undefined;
        onDisk = true;
      }
      return path;
    },
    async discard() {
      error ??= Object.assign(new Error('discarded'), { code: 'EDISCARDED' });
      held = undefined;
      await closeStream();
      if (onDisk) await unlink(path).catch(() => undefined);
      onDisk = false;
    },
  };
}
