// Core's writeFileAtomic takes one byte array; a NIfTI file is a small header plus the voxels, and joining them
// would copy the whole volume. This writes the parts in order through the same temporary-file-and-rename steps.
// (A candidate for core: writeFileAtomic accepting a list of parts.)
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DicomError } from '@dicom-tools/core';

/** Writes `parts` end to end to `path` through a temporary file in the same folder and a rename. */
export async function writePartsAtomic(path: string, parts: readonly Uint8Array[], signal?: AbortSignal): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      for (const part of parts) {
        if (signal?.aborted === true) throw new DicomError('CORE_ABORTED', 'write aborted', { file: path, cause: signal.reason });
        let at = 0;
        while (at < part.length) at += (await handle.write(part, at, part.length - at)).bytesWritten;
      }
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    if (error instanceof DicomError) throw error;
    const code = (error as { code?: string }).code;
    throw new DicomError('CORE_IO', `cannot write: ${code === 'ENOENT' ? 'no such folder' : code === 'EACCES' ? 'permission denied' : code === 'ENOSPC' ? 'no space left on device' : (error as Error).message}`, { file: path, cause: error });
  }
}
