import { stat } from 'node:fs/promises';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { classifyWalkedFile, DicomError, findDicomFiles, readDicom, walkFiles } from '@dicom-tools/core';
import { isArchiveName, readArchive, type ArchiveMember } from './_archive.js';
// Types only: tinyglobby (with fdir and picomatch) is imported on first use, for a path that does not exist.
import type * as Tinyglobby from 'tinyglobby';

/** A DICOM file found among the inputs, with where it sits relative to the input it came from. */
export interface BatchInput {
  /** The file's path (as reached from the input given). */
  readonly path: string;
  /** The input it was found under: the folder given, or for a file given directly, its folder. */
  readonly root: string;
  /** `path` relative to `root`, with `/` separators (the file name alone for a file given directly). */
  readonly relativePath: string;
  /**
   * For a member of a .zip/.tar(.gz) archive: its bytes (read into memory, never extracted to disk). `path` is
   * then `ARCHIVE/MEMBER` (not a real file) and `relativePath` the archive's relative path, `/`, the member name.
   */
  readonly bytes?: Uint8Array;
  /**
   * Listed after `examineUntil` was aborted, without being looked into: not known to be DICOM (a file), or the rest
   * of an archive not read (`path` is then the archive's). Absent on every input found the usual way.
   */
  readonly unexamined?: true;
}

/** An input path that is not processed, and why (findDicomFiles' phrases: `not DICOM`, `DICOMDIR`, `empty`...). */
export interface SkippedInput {
  readonly path: string;
  readonly reason: string;
}

/** Options of {@link expandInputs}. */
export interface ExpandInputsOptions {
  /** Called for every file that is not processed (not DICOM, DICOMDIR, unreadable...), in walk order. */
  readonly onSkipped?: (skipped: SkippedInput) => void;
  /** Walk sub-folders of folder inputs. Default true. */
  readonly recursive?: boolean;
  /** Read the members of .zip, .tar, .tar.gz and .tgz files (in memory). Default true; false: skipped as not DICOM. */
  readonly archives?: boolean;
  /** Stops the walk (the iterator then throws CORE_ABORTED). */
  readonly signal?: AbortSignal;
  /**
   * Once aborted, the walk goes on without reading anything: the files not yet looked into are yielded as they are
   * listed, with `unexamined` (a file, an archive, or the rest of the archive being read), so that a cancelled
   * batch can list what it did not start without reading every remaining file's head or archive. The walk's order,
   * skips for names, links and unreadable entries stay as they are.
   */
  readonly examineUntil?: AbortSignal;
}

/**
 * The DICOM files of `paths`, lazily: a file is taken as it is (if its content is DICOM), a folder is walked
 * (recursively by default) as core's findDicomFiles walks it (walkFiles, then classifyWalkedFile), recognising
 * DICOM by content, not by name. Every
 * other file goes to `onSkipped` with a reason. A path that does not exist is skipped with the reason
 * `no such file or folder` (so one bad argument does not stop a batch). A path that does not exist but is a glob
 * pattern (`study/**\/*.dcm`, quoted so the shell leaves it) is expanded with tinyglobby; its files are taken
 * relative to the pattern's folders before the first wildcard. The members of .zip, .tar, .tar.gz and .tgz files
 * are read in memory one member at a time (never extracted; .tar and .tar.gz in archive order, .zip by name) and yielded with
 * their `bytes` when DICOM, skipped with a reason otherwise.
 */
export async function* expandInputs(paths: readonly string[], options: ExpandInputsOptions = {}): AsyncGenerator<BatchInput, void, undefined> {
  // Inputs that overlap (a folder and a folder inside it, an archive given twice) list some files twice: each is
  // taken once, by its absolute path, the repeats skipped as the same file.
  const taken = new Map<string, string>();
  for await (const input of expandAll(paths, options)) {
    const key = resolve(input.path);
    const first = taken.get(key);
    if (first !== undefined) {
      options.onSkipped?.({ path: input.path, reason: `same file as ${first}` });
      continue;
    }
    taken.set(key, input.path);
    yield input;
  }
}

async function* expandAll(paths: readonly string[], options: ExpandInputsOptions): AsyncGenerator<BatchInput, void, undefined> {
  // Files given by name, by device and inode: the same file given twice (or by two names) is taken once.
  const givenFiles = new Map<string, string>();
  for (const given of paths) {
    let isFolder: boolean;
    try {
      const stats = await stat(given);
      isFolder = stats.isDirectory();
      if (!isFolder) {
        const id = `${stats.dev}:${stats.ino}`;
        const first = givenFiles.get(id);
        if (first !== undefined) {
          options.onSkipped?.({ path: given, reason: `same file as ${first}` });
          continue;
        }
        givenFiles.set(id, given);
      }
    } catch {
      const tinyglobby = await import('tinyglobby');
      if (tinyglobby.isDynamicPattern(given)) {
        yield* expandPattern(given, tinyglobby, options);
        continue;
      }
      options.onSkipped?.({ path: given, reason: 'no such file or folder' });
      continue;
    }
    const root = isFolder ? given : dirname(given);
    const walkOptions = { recursive: options.recursive ?? true, ...(options.signal !== undefined ? { signal: options.signal } : {}) };
    const relativeOf = (path: string): string => (isFolder ? relative(resolve(root), resolve(path)) : basename(path)).split(sep).join('/');
    try {
      // findDicomFiles' walk (core's walkFiles, then each file classified by its start), with the classification
      // left out once the walk is only to list what is left (examineUntil).
      for (const listed of walkFiles(given, walkOptions)) {
        const rel = relativeOf(listed.path);
        if (!listed.skipped && stopped(options)) {
          yield { path: listed.path, root, relativePath: rel, unexamined: true };
          continue;
        }
        const found = listed.skipped ? listed : await classifyWalkedFile(listed, walkOptions);
        if (!found.skipped) yield { path: found.path, root, relativePath: rel };
        else if (found.reason === 'not DICOM' && options.archives !== false && isArchiveName(found.path)) yield* archiveMembers(found.path, root, rel, options);
        else options.onSkipped?.({ path: found.path, reason: found.reason });
      }
    } catch (error) {
      if (error instanceof DicomError && error.code === 'CORE_IO') {
        options.onSkipped?.({ path: given, reason: `unreadable: ${error.message}` });
        continue;
      }
      throw error;
    }
  }
}

/** True once the walk is only to list what is left (`examineUntil` aborted). */
function stopped(options: ExpandInputsOptions): boolean {
  return options.examineUntil?.aborted === true;
}

/** The folders of a pattern before its first dynamic part (`study/a/**\/*.dcm` -> `study/a`), or `.`. */
function staticBase(pattern: string, tinyglobby: typeof Tinyglobby): string {
  const parts = pattern.split('/');
  const fixed: string[] = [];
  for (const part of parts.slice(0, -1)) {
    if (tinyglobby.isDynamicPattern(part)) break;
    fixed.push(part);
  }
  return fixed.length === 0 ? '.' : fixed.join('/') || '/';
}

/**
 * The DICOM files matched by a glob pattern (tinyglobby: `*`, `?`, `**`, `[...]`, `{a,b}`; hidden files only when
 * named), in sorted order, each relative to the pattern's static base folder. Matched folders are not walked.
 */
async function* expandPattern(
  pattern: string,
  tinyglobby: typeof Tinyglobby,
  options: ExpandInputsOptions,
): AsyncGenerator<BatchInput, void, undefined> {
  const base = staticBase(pattern, tinyglobby);
  const matches = (await tinyglobby.glob(pattern, { absolute: true, onlyFiles: true, expandDirectories: false })).sort();
  if (matches.length === 0) options.onSkipped?.({ path: pattern, reason: 'no file matches the pattern' });
  for (const match of matches) {
    options.signal?.throwIfAborted();
    if (stopped(options)) {
      yield { path: match, root: base, relativePath: relative(resolve(base), match).split(sep).join('/'), unexamined: true };
      continue;
    }
    for await (const found of findDicomFiles(match, options.signal !== undefined ? { signal: options.signal } : {})) {
      const rel = relative(resolve(base), found.path).split(sep).join('/');
      if (!found.skipped) yield { path: found.path, root: base, relativePath: rel };
      else if (found.reason === 'not DICOM' && options.archives !== false && isArchiveName(found.path)) yield* archiveMembers(found.path, base, rel, options);
      else options.onSkipped?.({ path: found.path, reason: found.reason });
    }
  }
}

/** True when `bytes` look like DICOM: `DICM` at byte 128, or a data set the reader accepts up to Pixel Data. */
function looksLikeDicom(bytes: Uint8Array): boolean {
  if (bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d) return true;
  try {
    return readDicom(bytes, { stopBeforePixelData: true }).dataset.elements.size > 0;
  } catch {
    return false;
  }
}

/** The DICOM members of an archive as inputs (with their bytes); the other members, and a corrupt archive, skipped. */
async function* archiveMembers(archive: string, root: string, relativeArchive: string, options: ExpandInputsOptions): AsyncGenerator<BatchInput, void, undefined> {
  const members = readArchive(archive);
  try {
    for (;;) {
      if (stopped(options)) {
        // The members not read yet stand as one input: the archive.
        yield { path: archive, root, relativePath: relativeArchive, unexamined: true };
        return;
      }
      let next: IteratorResult<ArchiveMember, void>;
      try {
        next = await members.next();
      } catch (error) {
        // A corrupt archive (a .tar may have yielded the members before the damage).
        options.onSkipped?.({ path: archive, reason: `unreadable archive: ${error instanceof Error ? error.message : String(error)}` });
        return;
      }
      if (next.done === true) return;
      options.signal?.throwIfAborted();
      const member = next.value;
      const path = `${archive}/${member.name}`;
      const name = member.name.split('/').at(-1) ?? '';
      if (member.unreadable !== undefined) options.onSkipped?.({ path, reason: `unreadable: ${member.unreadable}` });
      else if (member.bytes.length === 0) options.onSkipped?.({ path, reason: 'empty' });
      else if (name.toUpperCase() === 'DICOMDIR') options.onSkipped?.({ path, reason: 'DICOMDIR' });
      else if (!looksLikeDicom(member.bytes)) options.onSkipped?.({ path, reason: 'not DICOM' });
      else yield { path, root, relativePath: `${relativeArchive}/${member.name}`, bytes: member.bytes };
    }
  } finally {
    await members.return(); // closes the archive's file when the walk stops early
  }
}
