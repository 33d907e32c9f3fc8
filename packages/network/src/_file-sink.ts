import { closeSync, copyFileSync, open, renameSync, unlinkSync, writev, writevSync } from 'node:fs';
import type { DatasetSink } from './_link.js';

/**
 * Where an incoming instance goes: a temporary file, created when the command arrives and written while the data
 * set arrives (on the thread pool, while the next bytes are read off the socket), its last bytes written and the
 * file closed when the data set ends, then moved to its final name.
 */
export interface FileSink extends DatasetSink {
  /** The temporary file; complete once the sink has ended. */
  readonly path: string;
  /** Bytes of the data set received so far. */
  readonly received: number;
  /** The first I/O error (no space, permission...), if any: the temporary file is then removed. */
  readonly error: NodeJS.ErrnoException | undefined;
  /**
   * Moves the complete instance to `target` (a rename; a copy when `target` is on another file system).
   * Rejects with the I/O error.
   */
  save(target: string): Promise<void>;
}

/** Received bytes are handed to the thread pool in batches of at least this much; the rest is written at the end. */
const BATCH_BYTES = 256 * 1024;
/** Past this many bytes being written, the sender is held back (the socket paused): memory stays flat. */
const BEHIND_BYTES = 8 * 1024 * 1024;

/** Writes every byte of `buffers` at `position` (short writes are continued). */
function writeAllSync(fd: number, buffers: Buffer[], position: number): void {
  let rest = buffers;
  let at = position;
  while (rest.length > 0) {
    const written = writevSync(fd, rest, at);
    at += written;
    let skip = written;
    let i = 0;
    while (i < rest.length && skip >= rest[i]!.length) skip -= rest[i++]!.length;
    rest = rest.slice(i);
    if (skip > 0) rest[0] = rest[0]!.subarray(skip);
  }
}

function noSpace(): NodeJS.ErrnoException {
  return Object.assign(new Error('short write: no space left on device'), { code: 'ENOSPC' });
}

/**
 * A sink for an incoming data set whose file starts with `header`. The temporary file `path` is created
 * (exclusively, on the thread pool) at once; the fragments (views of the socket's bytes, never copied) are
 * gathered and written 256 KiB or more at a time with one positioned `writev` on the thread pool, several in
 * flight, so the disk works while the socket is read. When the data set ends, what is left is written and the file closed right away if nothing is in flight
 * (else once the writes are done). After an I/O error the rest of the data set is read and dropped, so that the
 * association stays in step and the request can be answered with a failure; the temporary file is removed.
 * `discard` removes it too (an aborted association leaves nothing behind).
 */
export function createFileSink(path: string, header: Buffer): FileSink {
  let error: NodeJS.ErrnoException | undefined;
  let received = 0;
  let fd: number | undefined;
  let onDisk = false;
  let saved = false;
  let position = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let flushQueued = false;
  let inFlight = 0;
  let inFlightBytes = 0;
  let ended = false;
  let finished = false;
  let waiters: Array<() => void> = [];
  let behind: (() => void) | undefined;

  const settle = (): void => {
    finished = true;
    const all = waiters;
    waiters = [];
    for (const w of all) w();
  };
  const release = (): void => {
    const b = behind;
    behind = undefined;
    b?.();
  };
  /** Closes the file (removing it after an error) once no write is in flight, and settles an ended sink. */
  const complete = (): void => {
    if (inFlight > 0 || finished) return;
    if (fd !== undefined) {
      const f = fd;
      fd = undefined;
      try {
        closeSync(f);
      } catch (e) {
        error ??= e as NodeJS.ErrnoException;
      }
    }
    if (error && onDisk) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
      onDisk = false;
    }
    if (ended) settle();
  };
  const fail = (e: NodeJS.ErrnoException): void => {
    error ??= e;
    pending = [];
    pendingBytes = 0;
    release();
  };
  const flush = (): void => {
    flushQueued = false;
    if (error || pendingBytes === 0 || fd === undefined) return;
    const buffers = pending;
    const length = pendingBytes;
    pending = [];
    pendingBytes = 0;
    const at = position;
    position += length;
    inFlight++;
    inFlightBytes += length;
    writev(fd!, buffers, at, (e, written) => {
      inFlight--;
      inFlightBytes -= length;
      if (e) fail(e);
      else if (written < length) fail(noSpace());
      if (inFlightBytes + pendingBytes <= BEHIND_BYTES) release();
      if (error) complete();
      else if (ended && inFlight === 0) complete();
    });
  };
  const queue = (chunk: Buffer): void => {
    pending.push(chunk);
    pendingBytes += chunk.length;
    // Fragments go out together once a batch has gathered (the link handles a whole socket read first).
    if (!flushQueued && pendingBytes >= BATCH_BYTES) {
      flushQueued = true;
      queueMicrotask(flush);
    }
  };

  // Created on the thread pool while the first fragments arrive; they wait for it in `pending`.
  let opening = true;
  pending.push(header);
  pendingBytes = header.length;
  open(path, 'wx', (e, opened) => {
    opening = false;
    if (e) {
      fail(e);
      if (ended) complete();
      return;
    }
    fd = opened;
    onDisk = true;
    if (error) complete();
    else if (ended) finishTail();
    else if (pendingBytes >= BATCH_BYTES) flush();
  });

  /** The data set has ended and the file is open: the rest is written, the file closed when nothing is in flight. */
  const finishTail = (): void => {
    if (!error && pendingBytes > 0) {
      if (inFlight === 0) {
        // Nothing in flight: the rest is written here, and the link goes on without pausing.
        try {
          writeAllSync(fd!, pending, position);
          position += pendingBytes;
        } catch (e) {
          error ??= e as NodeJS.ErrnoException;
        }
        pending = [];
        pendingBytes = 0;
      } else flush();
    }
    complete();
  };

  const done = (): Promise<void> => (finished ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)));

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
      if (error || chunk.length === 0) return undefined;
      queue(chunk);
      if (inFlightBytes + pendingBytes <= BEHIND_BYTES) return undefined;
      return new Promise<void>((resolve) => {
        behind = resolve;
      });
    },
    end() {
      ended = true;
      if (!opening) finishTail();
      return finished ? undefined : done();
    },
    async save(target) {
      await done();
      if (error) throw error;
      // In place rather than through the thread pool: the peer is waiting for the response.
      try {
        renameSync(path, target);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
        copyFileSync(path, target);
        try {
          unlinkSync(path);
        } catch {
          // left for the incoming folder's owner
        }
      }
      onDisk = false;
      saved = true;
    },
    async discard() {
      if (saved) return;
      error ??= Object.assign(new Error('discarded'), { code: 'EDISCARDED' });
      pending = [];
      pendingBytes = 0;
      release();
      ended = true;
      if (opening) {
        await done();
        return;
      }
      if (finished) {
        if (onDisk) {
          try {
            unlinkSync(path);
          } catch {
            // already gone
          }
          onDisk = false;
        }
        return;
      }
      complete();
      await done();
    },
  };
}
