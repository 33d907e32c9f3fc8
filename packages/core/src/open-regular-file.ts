// Opening a file to read it whole or in part, for every reader of the project: without blocking on a FIFO (its open
// waits for a writer, and Ctrl-C would not end the wait) and only when it is a regular file (a device such as
// /dev/zero never ends). One place, so that core's readers, the network SCU and the CLI's anonymize task agree.
import { closeSync, constants, fstatSync, openSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { DicomError, fileSystemError } from './errors.js';

/** O_NONBLOCK has no effect on reading a regular file; it only keeps the open of a FIFO from waiting. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** CORE_IO naming `path` unless `stats` are a regular file's. */
function checkRegular(stats: Stats, path: string): void {
  if (stats.isFile()) return;
  if (stats.isDirectory()) throw fileSystemError(Object.assign(new Error('is a directory'), { code: 'EISDIR' }), path, 'cannot read');
  throw new DicomError('CORE_IO', 'cannot read: not a regular file (a FIFO, socket or device)', { file: path });
}

/**
 * Opens regular file `path` for reading with a blocking call and returns its descriptor and size (close it with
 * closeSync). Throws CORE_IO naming the file when it cannot be opened or is not a regular file (a folder, a FIFO,
 * a socket, a device), without waiting on a FIFO.
 */
export function openRegularFileSync(path: string): { readonly fd: number; readonly size: number } {
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (error) {
    throw fileSystemError(error, path, 'cannot read');
  }
  try {
    const stats = fstatSync(fd);
    checkRegular(stats, path);
    return { fd, size: stats.size };
  } catch (error) {
    closeSync(fd);
    throw fileSystemError(error, path, 'cannot read');
  }
}

/** {@link openRegularFileSync} on libuv's thread pool: a file handle (close it) and the file's size. */
export async function openRegularFile(path: string): Promise<{ readonly handle: FileHandle; readonly size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, READ_FLAGS);
  } catch (error) {
    throw fileSystemError(error, path, 'cannot read');
  }
  try {
    const stats = await handle.stat();
    checkRegular(stats, path);
    return { handle, size: stats.size };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw fileSystemError(error, path, 'cannot read');
  }
}
