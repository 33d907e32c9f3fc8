import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import type { DicomFile } from './dataset.js';
import { isDicomError } from './errors.js';
import { readDicom } from './read-dicom.js';
import { scanFileMeta } from './scan-file-meta.js';
import { checkDiscoveryAborted as checkAborted, unreadableReason as ioReason, walkFiles, type WalkedFile } from './walk-files.js';

/** Options for {@link findDicomFiles}. */
export interface FindDicomFilesOptions {
  /** Walk sub-folders too. Default true; when false, sub-folders are passed over without a report. */
  readonly recursive?: boolean;
  /** Report DICOMDIR files as found (with `dicomdir: true`) instead of skipping them. Default false. */
  readonly includeDicomdir?: boolean;
  /** Stops the walk: the iterator then throws a DicomError with code CORE_ABORTED. */
  readonly signal?: AbortSignal;
}

/** A file recognised as DICOM by its content. */
export interface FoundDicomFile {
  readonly path: string;
  readonly skipped: false;
  /**
   * `part10`: the 128-byte preamble and `DICM` at byte 128. `bare`: no preamble, but the reader accepts the
   * start of the file as a well-formed data set (with or without a file meta group).
   */
  readonly kind: 'part10' | 'bare';
  /** True for a DICOMDIR (by name, or Media Storage SOP Class 1.2.840.10008.1.3.10); only with `includeDicomdir`. */
  readonly dicomdir: boolean;
}

/** A path that was passed over, and why. */
export interface SkippedFile {
  readonly path: string;
  readonly skipped: true;
  /**
   * Why, as one of these stable phrases (a colon may add detail): `empty`, `not DICOM`, `DICOMDIR`,
   * `not a regular file`, `unreadable: <cause>` (permission denied, broken symbolic link...),
   * `symbolic link loop` (a folder that is its own ancestor), `already visited` (a folder reached before
   * by another path), `same file as <path>` (a file reached before by another path or a hard link).
   */
  readonly reason: string;
}

/** One result of {@link findDicomFiles}: a DICOM file, or a path skipped with a reason. Test `skipped`. */
export type FoundFile = FoundDicomFile | SkippedFile;

const DICOMDIR_SOP_CLASS = '1.2.840.10008.1.3.10';
/** The first read: the magic at 128 and, for nearly every file, the whole file meta group. */
const FIRST_READ = 4096;
/** How much of a file without the magic is offered to the reader to recognise a bare data set. */
const BARE_READ = 64 * 1024;
/** A file meta group declaring more than this is not looked into for the DICOMDIR SOP class. */
const MAX_META = 1024 * 1024;

async function readAt(handle: FileHandle, length: number): Promise<Uint8Array> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

function hasMagic(head: Uint8Array): boolean {
  return head.length >= 132 && head[128] === 0x44 && head[129] === 0x49 && head[130] === 0x43 && head[131] === 0x4d;
}

function mediaStorageSopClass(file: DicomFile): string | undefined {
  const element = file.meta.elements.get(0x00020002);
  return element !== undefined && Array.isArray(element.value) ? (element.value[0] as string | undefined) : undefined;
}

/** Where the file meta group of a Part 10 head ends, by its File Meta Information Group Length (at most `size`); undefined when that length is missing or too big. */
function metaEnd(head: Uint8Array, size: number): number | undefined {
  const isGroupLength = head.length >= 144 && head[132] === 0x02 && head[133] === 0 && head[134] === 0 && head[135] === 0
    && head[136] === 0x55 && head[137] === 0x4c && head[138] === 4 && head[139] === 0;
  if (!isGroupLength) return undefined;
  const groupLength = (head[140]! | (head[141]! << 8) | (head[142]! << 16) | (head[143]! << 24)) >>> 0;
  return groupLength > MAX_META ? undefined : Math.min(144 + groupLength, size);
}

/** The Media Storage SOP Class read from `bytes`, the preamble and file meta group; undefined when they cannot be read. */
function metaSopClass(bytes: Uint8Array): string | undefined {
  // Stepped over when the group is plain (it ends where its group length says, one UI value); else the reader.
  const scanned = scanFileMeta(bytes);
  if (typeof scanned === 'object' && scanned.end === bytes.length) {
    const uid = scanned.values.get(0x00020002);
    if (uid !== undefined && !uid.includes('\\')) return uid;
  }
  try {
    return mediaStorageSopClass(readDicom(bytes, { stopBeforePixelData: true }));
  } catch {
    return undefined;
  }
}

/**
 * The Media Storage SOP Class of a Part 10 file, read through the reader from the preamble and the file meta
 * group alone (their end is known from the File Meta Information Group Length). Undefined when that length is
 * missing or the group cannot be read: such a file is then not taken for a DICOMDIR by its content.
 */
async function part10SopClass(handle: FileHandle, head: Uint8Array, size: number): Promise<string | undefined> {
  const end = metaEnd(head, size);
  if (end === undefined) return undefined;
  return metaSopClass(end <= head.length ? head.subarray(0, end) : await readAt(handle, end));
}

/**
 * Reads a bare data set's header through the reader, offering it more of the file while it stops only because
 * the bytes given end inside the header. Returns the file, or undefined when the content is not DICOM.
 */
async function readBare(handle: FileHandle, head: Uint8Array, size: number, signal: AbortSignal | undefined): Promise<DicomFile | undefined> {
  let length = Math.min(BARE_READ, size);
  let bytes = length <= head.length ? head.subarray(0, length) : await readAt(handle, length);
  for (;;) {
    try {
      // partial: a head that ends exactly between two elements is not a whole header (the reader would accept it).
      return readDicom(bytes, { stopBeforePixelData: true, partial: bytes.length < size });
    } catch (error) {
      const cut = bytes.length < size && (isDicomError(error, 'CORE_TRUNCATED') || isDicomError(error, 'CORE_MALFORMED'));
      if (!cut) return undefined;
    }
    checkAborted(signal);
    length = Math.min(length * 4, size);
    bytes = await readAt(handle, length);
  }
}

/**
 * Classifies one file {@link walkFiles} listed by reading its start, as {@link findDicomFiles} does for each (which is
 * walkFiles followed by this): DICOM (`part10` or `bare`), or skipped as `not DICOM`, `DICOMDIR`, `empty`, `not a
 * regular file` or `unreadable: ...`. The walk already applied the name, identity and size rules; the file is opened
 * without blocking and checked again, as it may have changed since it was listed. For a caller that walks with
 * walkFiles itself and decides per file whether to look into it. Throws only CORE_ABORTED (`signal`).
 */
export async function classifyWalkedFile(found: WalkedFile, options: { readonly includeDicomdir?: boolean; readonly signal?: AbortSignal } = {}): Promise<FoundFile> {
  return classify(found, options.includeDicomdir ?? false, options.signal);
}

async function classify(found: WalkedFile, includeDicomdir: boolean, signal: AbortSignal | undefined): Promise<FoundFile> {
  const { path, namedDicomdir } = found;
  let handle: FileHandle;
  try {
    // O_NONBLOCK: should the path have become a FIFO since it was listed, opening it must not hang.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    return { path, skipped: true, reason: ioReason(error) };
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return { path, skipped: true, reason: 'not a regular file' };
    if (stats.size === 0) return { path, skipped: true, reason: 'empty' };
    const head = await readAt(handle, Math.min(FIRST_READ, stats.size));
    let kind: 'part10' | 'bare';
    let sopClass: string | undefined;
    if (hasMagic(head)) {
      kind = 'part10';
      sopClass = await part10SopClass(handle, head, stats.size);
    } else {
      const bare = await readBare(handle, head, stats.size, signal);
      if (bare === undefined) return { path, skipped: true, reason: 'not DICOM' };
      kind = 'bare';
      sopClass = mediaStorageSopClass(bare);
    }
    const dicomdir = namedDicomdir || sopClass === DICOMDIR_SOP_CLASS;
    if (dicomdir && !includeDicomdir) return { path, skipped: true, reason: 'DICOMDIR' };
    return { path, skipped: false, kind, dicomdir };
  } catch (error) {
    if (isDicomError(error, 'CORE_ABORTED')) throw error;
    return { path, skipped: true, reason: ioReason(error) };
  } finally {
    await handle.close();
  }
}

/**
 * Tells whether a whole file's `bytes` are DICOM, as {@link findDicomFiles} does from the start of the file: `part10`
 * (`DICM` at byte 128), `bare` (the reader accepts the bytes as a data set, up to Pixel Data), or skipped as
 * `empty`, `not DICOM`, or `DICOMDIR` (by the name of `path`, or its Media Storage SOP Class) unless
 * `includeDicomdir`. For files listed by {@link walkFiles} and read whole anyway.
 */
export function classifyDicomBytes(path: string, bytes: Uint8Array, options: { readonly includeDicomdir?: boolean } = {}): FoundFile {
  if (bytes.length === 0) return { path, skipped: true, reason: 'empty' };
  let kind: 'part10' | 'bare';
  let sopClass: string | undefined;
  if (hasMagic(bytes)) {
    kind = 'part10';
    const end = metaEnd(bytes, bytes.length);
    sopClass = end === undefined ? undefined : metaSopClass(bytes.subarray(0, end));
  } else {
    try {
      sopClass = mediaStorageSopClass(readDicom(bytes, { stopBeforePixelData: true }));
    } catch {
      return { path, skipped: true, reason: 'not DICOM' };
    }
    kind = 'bare';
  }
  const dicomdir = basename(path).toUpperCase() === 'DICOMDIR' || sopClass === DICOMDIR_SOP_CLASS;
  if (dicomdir && options.includeDicomdir !== true) return { path, skipped: true, reason: 'DICOMDIR' };
  return { path, skipped: false, kind, dicomdir };
}

/**
 * Walks `root` (a folder, or a single file) and yields every regular file in it, recognised as DICOM by its
 * content, or skipped with a reason. A file is DICOM when it has `DICM` at byte 128 (`kind: 'part10'`; only
 * the first 4 KiB are read) or when the reader accepts its start as a well-formed data set (`kind: 'bare'`;
 * the first 64 KiB are offered to the reader, more only while the header goes on past them).
 *
 * - Order is deterministic: the entries of each folder in code-unit order of their names, depth first.
 * - DICOMDIR files (by the name `DICOMDIR`, any case, or by Media Storage SOP Class 1.2.840.10008.1.3.10)
 *   are skipped unless `includeDicomdir`.
 * - Symbolic links are followed to files and folders, but every folder is entered once and every file
 *   reported once (by device and inode): a link back to an ancestor is skipped as `symbolic link loop`.
 * - An unreadable file or folder is reported as skipped, never thrown. Only a `root` that cannot be read at all
 *   throws (DicomError CORE_IO), and an aborted `signal` (CORE_ABORTED).
 */
export async function* findDicomFiles(root: string, options: FindDicomFilesOptions = {}): AsyncGenerator<FoundFile, void, undefined> {
  const includeDicomdir = options.includeDicomdir ?? false;
  // The listing is walkFiles' (blocking calls of microseconds each: one event-loop turn per entry cost more than
  // the calls); the content is read asynchronously.
  for (const found of walkFiles(root, options)) yield found.skipped ? found : await classify(found, includeDicomdir, options.signal);
}
