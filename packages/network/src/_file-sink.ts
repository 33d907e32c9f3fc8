import { createWriteStream } from 'node:fs';
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

/**
 * Streams an incoming data set to `path` (created exclusively), after `header`. Writes are queued with
 * backpressure; after a write error the rest of the data set is read and dropped, so that the association
 * stays in step and the request can be answered with a failure status. `discard` removes the file.
 */
export function createFileSink(path: string, header: Buffer): FileSink {
  const stream = createWriteStream(path, { flags: 'wx', highWaterMark: 1024 * 1024 });
  let error: NodeJS.ErrnoException | undefined;
  let received = 0;
  let closed: Promise<void> | undefined;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    error ??= e;
  });
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      if (stream.closed || stream.destroyed) {
        resolve();
        return;
      }
      stream.once('close', () => resolve());
      if (error) stream.destroy();
      else stream.end();
    });
    return closed;
  };
  stream.write(header);
  return {
    path,
    get received() {
      return received;
    },
    get error() {
      return error;
    },
    async write(chunk) {
      received += chunk.length;
      if (error) return;
      // The chunk is a view of a PDU buffer that is not reused, so it can be queued without a copy.
      if (!stream.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            stream.off('drain', done);
            stream.off('error', done);
            stream.off('close', done);
            resolve();
          };
          stream.once('drain', done);
          stream.once('error', done);
          stream.once('close', done);
        });
      }
    },
    async end() {
      await close();
      if (error) await unlink(path).catch(() => undefined);
    },
    async discard() {
      error ??= Object.assign(new Error('discarded'), { code: 'EDISCARDED' });
      await close();
      await unlink(path).catch(() => undefined);
    },
  };
}
