import { mkdir, stat } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileSystemError } from '@dicom-tools/core';
import { UsageError } from './_usage-error.js';

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

/** True when `a` and `b` name the same existing file (same device and inode: through links and symbolic links too). */
export async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    const [sa, sb] = await Promise.all([stat(a), stat(b)]);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false; // one of them does not exist (yet): not the same file
  }
}

/** True when writing `output` would write over `input`: the same path, or the same file by another name. */
export async function overwritesInput(output: string, input: string): Promise<boolean> {
  return resolve(output) === resolve(input) || (await sameFile(output, input));
}

/** Refuses an output folder that is the input folder or lies inside it (the walk would meet our own outputs). */
export function checkOutputFolder(input: string, output: string): void {
  const rel = relative(resolve(input), resolve(output));
  if (rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel))) {
    throw new UsageError(`${output}: the output folder must not be the input folder or inside it`);
  }
}

/** The kind of thing at `path`, or undefined when nothing is there. */
export async function kindOf(path: string): Promise<'file' | 'directory' | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'directory' : 'file';
  } catch {
    return undefined;
  }
}
