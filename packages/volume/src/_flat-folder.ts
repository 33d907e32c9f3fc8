// Discovery of the usual input, one folder holding only files (a series as a scanner or PACS exports it), with
// blocking calls: each file is recognised by its header-only read, which discovery needs anyway. core's
// findDicomFiles first opens each file to recognise it, through about five thread-pool round trips per file,
// which cost more than reading the headers. Anything else (sub-folders, links, other entries) goes through
// findDicomFiles, which also follows links and guards against loops. The results are the same: files in
// code-unit order of their names; DICOMDIR (by name or SOP class), empty files, a file reached twice (a hard
// link) and non-DICOM files skipped with findDicomFiles' reasons.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isDicomError, readDicomFileSync, type DicomError, type DicomFile } from '@dicom-tools/core';
import { checkAborted } from './_abort.js';

/** A folder's files, each read up to its Pixel Data, or passed over with a reason. */
export interface FlatFolder {
  /** The files read (DICOM headers) or failed (errors of readDicomFileSync), in name order. */
  readonly read: readonly { readonly path: string; readonly result: DicomFile | DicomError }[];
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
}

/** Headers read between two turns of the event loop. */
const YIELD_EVERY = 16;
const DICOMDIR_SOP_CLASS = '1.2.840.10008.1.3.10';

function isDicomdir(file: DicomFile): boolean {
  const element = file.meta.elements.get(0x00020002);
  return element !== undefined && Array.isArray(element.value) && element.value[0] === DICOMDIR_SOP_CLASS;
}

/**
 * Reads the headers of the files in `root` when it is a folder whose entries are all regular files; undefined
 * when it is not (a file, a folder with anything else in it, or one that cannot be listed).
 */
export async function readFlatFolder(root: string, signal: AbortSignal | undefined): Promise<FlatFolder | undefined> {
  let entries;
  try {
    if (!statSync(root).isDirectory()) return undefined;
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return undefined;
  }
  if (!entries.every((entry) => entry.isFile())) return undefined;
  const names = entries.map((entry) => entry.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const read: { path: string; result: DicomFile | DicomError }[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const seen = new Map<string, string>();
  for (const [index, name] of names.entries()) {
    if (index % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    checkAborted(signal, 'volume discovery');
    const path = join(root, name);
    if (name.toUpperCase() === 'DICOMDIR') {
      skipped.push({ path, reason: 'DICOMDIR' });
      continue;
    }
    let size: number;
    let id: string;
    try {
      const stats = statSync(path);
      size = stats.size;
      id = `${stats.dev}:${stats.ino}`;
    } catch {
      return undefined; // changed since it was listed: let the full walk report it
    }
    const first = seen.get(id);
    if (first !== undefined) {
      skipped.push({ path, reason: `same file as ${first}` });
      continue;
    }
    seen.set(id, path);
    if (size === 0) {
      skipped.push({ path, reason: 'empty' });
      continue;
    }
    try {
      const file = readDicomFileSync(path, { stopBeforePixelData: true });
      if (isDicomdir(file)) skipped.push({ path, reason: 'DICOMDIR' });
      else read.push({ path, result: file });
    } catch (error) {
      if (!isDicomError(error)) throw error;
      if (error.code === 'CORE_NOT_DICOM') skipped.push({ path, reason: 'not DICOM' });
      // As findDicomFiles words a file it cannot open: `unreadable: permission denied`.
      else if (error.code === 'CORE_IO') skipped.push({ path, reason: `unreadable: ${error.message.replace(/^cannot read: /, '')}` });
      else read.push({ path, result: error });
    }
  }
  return { read, skipped };
}
