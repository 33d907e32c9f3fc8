import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileSystemError } from '@dicom-tools/core';

/** Creates folder `folder` (and its parents) when missing; CORE_IO naming it when it cannot be made. */
export async function makeFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    throw fileSystemError(error, folder, 'cannot create the folder');
  }
}

/** Creates the folder `path` goes in, when missing (an -o into a new folder). */
export function ensureParent(path: string): Promise<void> {
  return makeFolder(dirname(resolve(path)));
}
