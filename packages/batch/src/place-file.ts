import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { DicomError, fileSystemError } from '@dicom-tools/core';

/** What {@link placeFile} did. */
export interface PlacedFile {
  /** `copied` or `moved` to `path`; `identical`: `path` already held the same bytes (a move then removed the source). */
  readonly action: 'copied' | 'moved' | 'identical';
  /** Where the file is now. */
  readonly path: string;
  /** True when `path` is not the target asked for: a different file held that name, so a `-2`, `-3`... suffix was added. */
  readonly renamed: boolean;
}

/** Options of {@link placeFile}. */
export interface PlaceFileOptions {
  /** `copy` (default) or `move` (copy, verify, then delete the source). */
  readonly mode?: 'copy' | 'move';
}

async function sameBytes(a: string | Uint8Array, b: string): Promise<boolean> {
  const [sizeA, sb] = await Promise.all([typeof a === 'string' ? stat(a).then((s) => s.size) : a.length, stat(b)]);
  if (sizeA !== sb.size) return false;
  const [ba, bb] = await Promise.all([typeof a === 'string' ? readFile(a) : Buffer.from(a.buffer, a.byteOffset, a.length), readFile(b)]);
  return ba.equals(bb);
}

function candidate(target: string, n: number): string {
  if (n === 1) return target;
  const ext = extname(target);
  return join(dirname(target), `${basename(target, ext)}-${n}${ext}`);
}

/**
 * Puts a copy of `source` (a file, or bytes) at `target` without ever overwriting anything: the bytes go to a temporary file
 * beside the target, which is then hard-linked to the target name (an atomic create-if-absent), so a
 * concurrent placer or a crash never leaves a partial file under the target name. When the name is taken by
 * the same bytes, nothing is written (`identical`); by other bytes, the name gets `-2`, `-3`... (`renamed`).
 * The copy is read back and compared before a move deletes the source, so a move never loses a file.
 */
export async function placeFile(source: string | Uint8Array, target: string, options: PlaceFileOptions = {}): Promise<PlacedFile> {
  if (typeof source !== 'string' && options.mode === 'move') throw new DicomError('CORE_INVALID_VALUE', 'bytes cannot be moved, only copied');
  const move = options.mode === 'move' && typeof source === 'string';
  await mkdir(dirname(target), { recursive: true }).catch((error: unknown) => {
    throw fileSystemError(error, dirname(target), 'cannot create the folder');
  });
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    for (let n = 1; ; n++) {
      const path = candidate(target, n);
      let exists = true;
      try {
        await stat(path);
      } catch {
        exists = false;
      }
      if (exists) {
        if (await sameBytes(source, path)) {
          if (move) await unlink(source as string);
          return { action: 'identical', path, renamed: n > 1 };
        }
        continue;
      }
      try {
        const copied = typeof source === 'string' ? copyFile(source, temp, constants.COPYFILE_EXCL) : writeFile(temp, source, { flag: 'wx' });
        await copied.catch((error: unknown) => {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        });
        await link(temp, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          n--; // someone else took the name meanwhile: look at it again
          continue;
        }
        throw fileSystemError(error, path, 'cannot copy');
      }
      if (!(await sameBytes(source, path))) throw new DicomError('CORE_IO', 'the copy differs from the source: the source was kept', { file: path });
      if (move) await unlink(source as string);
      return { action: move ? 'moved' : 'copied', path, renamed: n > 1 };
    }
  } finally {
    // The target name only ever points at complete bytes; only the temporary name is left to remove.
    await unlink(temp).catch(() => undefined);
  }
}
