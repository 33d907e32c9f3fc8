import { accessSync, constants, lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { DicomError } from './errors.js';
import type { FindDicomFilesOptions, SkippedFile } from './find-dicom-files.js';

/** A regular, non-empty, readable file found by {@link walkFiles}, not yet looked into. */
export interface WalkedFile {
  readonly path: string;
  readonly skipped: false;
  /** Its size in bytes when it was listed. */
  readonly size: number;
  /** True when it is named `DICOMDIR` (any case); only reported with `includeDicomdir`. */
  readonly namedDicomdir: boolean;
}

interface Walk {
  readonly recursive: boolean;
  readonly includeDicomdir: boolean;
  readonly signal: AbortSignal | undefined;
  /** dev:ino of every regular file reported, to the first path it was reached by. */
  readonly files: Map<string, string>;
  /** dev:ino of every folder entered. */
  readonly folders: Set<string>;
}

/** The device and inode of `stats`, as a key. */
export function fileIdentity(stats: Stats): string {
  return `${stats.dev}:${stats.ino}`;
}

/** The `unreadable: ...` reason of a failed file system call. */
export function unreadableReason(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'EACCES': case 'EPERM': return 'unreadable: permission denied';
    case 'ENOENT': return 'unreadable: no such file';
    case 'ELOOP': return 'unreadable: symbolic link loop';
    default: return `unreadable: ${code ?? (error as Error).message}`;
  }
}

/** Throws CORE_ABORTED when `signal` is aborted. */
export function checkDiscoveryAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new DicomError('CORE_ABORTED', 'file discovery aborted', { cause: signal.reason });
}

/** Compares names by UTF-16 code units, the same on every platform and locale. */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The CORE_IO error findDicomFiles and walkFiles throw for a root that cannot be read. */
export function unreadableRoot(root: string, error: unknown): DicomError {
  const code = (error as { code?: string }).code;
  return new DicomError('CORE_IO', `cannot read: ${code === 'ENOENT' ? 'no such file or folder' : unreadableReason(error).replace(/^unreadable: /, '')}`, { file: root, cause: error });
}

function file(path: string, stats: Stats, walk: Walk): WalkedFile | SkippedFile {
  const namedDicomdir = basename(path).toUpperCase() === 'DICOMDIR';
  if (namedDicomdir && !walk.includeDicomdir) return { path, skipped: true, reason: 'DICOMDIR' };
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    return { path, skipped: true, reason: unreadableReason(error) };
  }
  const id = fileIdentity(stats);
  const first = walk.files.get(id);
  if (first !== undefined) return { path, skipped: true, reason: `same file as ${first}` };
  walk.files.set(id, path);
  if (stats.size === 0) return { path, skipped: true, reason: 'empty' };
  return { path, skipped: false, size: stats.size, namedDicomdir };
}

function* walkFolder(folder: string, ancestors: ReadonlySet<string>, walk: Walk): Generator<WalkedFile | SkippedFile> {
  let names: string[];
  try {
    names = readdirSync(folder).sort(byCodeUnits);
  } catch (error) {
    yield { path: folder, skipped: true, reason: unreadableReason(error) };
    return;
  }
  for (const name of names) {
    checkDiscoveryAborted(walk.signal);
    const path = join(folder, name);
    let stats: Stats;
    try {
      stats = statSync(path); // follows symbolic links: a link is taken for what it points to
    } catch (error) {
      let broken = false;
      if ((error as { code?: string }).code === 'ENOENT') {
        try {
          broken = lstatSync(path).isSymbolicLink();
        } catch {
          // gone
        }
      }
      yield { path, skipped: true, reason: broken ? 'unreadable: broken symbolic link' : unreadableReason(error) };
      continue;
    }
    if (stats.isDirectory()) {
      if (!walk.recursive) continue;
      const id = fileIdentity(stats);
      if (ancestors.has(id)) yield { path, skipped: true, reason: 'symbolic link loop' };
      else if (walk.folders.has(id)) yield { path, skipped: true, reason: 'already visited' };
      else {
        walk.folders.add(id);
        yield* walkFolder(path, new Set([...ancestors, id]), walk);
      }
    } else if (stats.isFile()) {
      yield file(path, stats, walk);
    } else {
      yield { path, skipped: true, reason: 'not a regular file' };
    }
  }
}

/**
 * The walk of {@link findDicomFiles} without looking into the files, with blocking calls: every regular file of
 * `root` (a folder, or a single file), in the same order and with the same skips and reasons (`DICOMDIR` here by
 * name only, `empty`, `not a regular file`, `unreadable: ...`, `symbolic link loop`, `already visited`, `same file
 * as ...`). For a caller that reads every file whole anyway: it then tells DICOM from the rest with
 * {@link classifyDicomBytes}, instead of a second, partial read per file. Throws CORE_IO when `root` cannot be read,
 * CORE_ABORTED when `signal` is aborted.
 */
export function* walkFiles(root: string, options: FindDicomFilesOptions = {}): Generator<WalkedFile | SkippedFile, void, undefined> {
  const walk: Walk = {
    recursive: options.recursive ?? true,
    includeDicomdir: options.includeDicomdir ?? false,
    signal: options.signal,
    files: new Map(),
    folders: new Set(),
  };
  checkDiscoveryAborted(walk.signal);
  let stats: Stats;
  try {
    stats = statSync(root);
  } catch (error) {
    throw unreadableRoot(root, error);
  }
  if (stats.isDirectory()) {
    walk.folders.add(fileIdentity(stats));
    yield* walkFolder(root, new Set([fileIdentity(stats)]), walk);
  } else if (stats.isFile()) {
    yield file(root, stats, walk);
  } else {
    yield { path: root, skipped: true, reason: 'not a regular file' };
  }
}
