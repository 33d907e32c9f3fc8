import { open, readFile, stat } from 'node:fs/promises';
import { constants as zlibConstants, inflateRawSync, inflateSync } from 'node:zlib';
import { walkDataSet } from './_dicom-parser.js';
import { createDecodeContext, decodeDataset } from './_decode-dataset.js';
import type { Dataset, DicomFile } from './dataset.js';
import { DicomError, isDicomError, withFile } from './errors.js';
import { TransferSyntax, transferSyntaxInfo } from './transfer-syntax.js';
import { hasLongHeader, isVr } from './vr.js';

/** Options for reading DICOM. */
export interface ReadOptions {
  /**
   * Stop before pixel data: Pixel Data (7FE0,0010), or Float/Double Float Pixel Data (7FE0,0008/0009), at the
   * top level, and everything after it. A header-only read for fast scans. Default false.
   */
  readonly stopBeforePixelData?: boolean;
  /**
   * The bytes are only the beginning of a longer file (a header scan reading the first kilobytes): with
   * `stopBeforePixelData`, a data set that ends inside them before pixel data is then CORE_TRUNCATED (read
   * more and try again) rather than a complete data set. Default false.
   */
  readonly partial?: boolean;
  /** A name for the source, used in error messages (readDicomFile sets it to the path). */
  readonly fileName?: string;
  /** Largest inflated size accepted for a deflated data set, in bytes (a guard against zip bombs). Default 2 GiB. */
  readonly maxInflatedBytes?: number;
}

/** Options for reading from a file or stream. */
export interface ReadFileOptions extends ReadOptions {
  readonly signal?: AbortSignal;
}

function u16(bytes: Uint8Array, at: number, little: boolean): number {
  return little ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!;
}
function u32(bytes: Uint8Array, at: number, little: boolean): number {
  return little
    ? (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0
    : ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function hasMagic(bytes: Uint8Array, at: number): boolean {
  return bytes.length >= at + 4 && bytes[at] === 0x44 && bytes[at + 1] === 0x49 && bytes[at + 2] === 0x43 && bytes[at + 3] === 0x4d;
}

/** Where the file meta group starts, whether there was a preamble, or -1 for a bare data set. */
function locateMeta(bytes: Uint8Array): { start: number; preamble: boolean } {
  if (hasMagic(bytes, 128)) return { start: 132, preamble: true };
  if (hasMagic(bytes, 0)) return { start: 4, preamble: false };
  if (bytes.length >= 8 && u16(bytes, 0, true) === 0x0002 && isVr(String.fromCharCode(bytes[4]!, bytes[5]!))) return { start: 0, preamble: false };
  return { start: -1, preamble: false };
}

interface ElementHead {
  readonly tag: number;
  /** Where the next element starts; undefined for an undefined length. */
  readonly next: number | undefined;
}

/** Reads one element header at `at`, or undefined when it is not plausible (unknown VR, no room for a header). */
function peekElement(bytes: Uint8Array, at: number, explicitVR: boolean, little: boolean): ElementHead | undefined {
  if (at + 8 > bytes.length) return undefined;
  const tag = ((u16(bytes, at, little) << 16) | u16(bytes, at + 2, little)) >>> 0;
  let length: number;
  let header = 8;
  if (explicitVR) {
    const vr = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!);
    if (!isVr(vr)) return undefined;
    if (hasLongHeader(vr)) {
      if (at + 12 > bytes.length) return undefined;
      length = u32(bytes, at + 8, little);
      header = 12;
    } else {
      length = u16(bytes, at + 6, little);
    }
  } else {
    length = u32(bytes, at + 4, little);
  }
  return { tag, next: length === 0xffffffff ? undefined : at + header + length };
}

const CANDIDATES: ReadonlyArray<readonly [string, boolean, boolean]> = [
  [TransferSyntax.ExplicitVRLittleEndian, true, true],
  [TransferSyntax.ImplicitVRLittleEndian, false, true],
  [TransferSyntax.ExplicitVRBigEndian, true, false],
];

/**
 * Guesses the encoding of a data set that starts at `at` with no transfer syntax to say it: its first elements
 * (up to 8) must be plausible in that encoding: ascending tags, the first in an even group from 0008 to 7FE0,
 * values inside the data, and an undefined length only where a sequence (or encapsulated pixel data) can have one.
 */
function detectSyntax(bytes: Uint8Array, at: number): string | undefined {
  for (const [uid, explicitVR, little] of CANDIDATES) {
    let position = at;
    let previous = -1;
    let seen = 0;
    let plausible = true;
    while (seen < 8 && position < bytes.length) {
      const head = peekElement(bytes, position, explicitVR, little);
      const group = head ? head.tag >>> 16 : 0;
      const groupOk = seen === 0 ? group % 2 === 0 && group >= 0x0008 && group <= 0x7fe0 : group >= 0x0008 && group !== 0xfffe;
      if (!head || !groupOk || head.tag <= previous || (head.next !== undefined && head.next > bytes.length)) {
        plausible = false;
        break;
      }
      seen++;
      if (head.next === undefined) {
        plausible = mayHaveUndefinedLength(bytes, position, head.tag, explicitVR);
        break;
      }
      previous = head.tag;
      position = head.next;
    }
    if (plausible && seen > 0) return uid;
  }
  return undefined;
}

/** True when the element at `at` may have an undefined length: a sequence, a UN (CP-246), encapsulated pixel data. */
function mayHaveUndefinedLength(bytes: Uint8Array, at: number, tag: number, explicitVR: boolean): boolean {
  if (!explicitVR) return bytes[at + 8] === 0xfe && bytes[at + 9] === 0xff && (bytes[at + 10] === 0x00 || bytes[at + 10] === 0xdd) && bytes[at + 11] === 0xe0;
  const vr = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!);
  return vr === 'SQ' || vr === 'UN' || (tag === 0x7fe00010 && (vr === 'OB' || vr === 'OW'));
}

function inflate(bytes: Uint8Array, at: number, maxOutputLength: number, partial: boolean): Uint8Array {
  const deflated = bytes.subarray(at);
  // A prefix of a deflate stream inflates as far as it goes with a sync flush; a whole one must end properly.
  const options = partial ? { maxOutputLength, finishFlush: zlibConstants.Z_SYNC_FLUSH } : { maxOutputLength };
  try {
    return inflateRawSync(deflated, options);
  } catch (raw) {
    if ((raw as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DicomError('CORE_MALFORMED', `the deflated data set at byte ${at} inflates to more than ${maxOutputLength} bytes (maxInflatedBytes)`, { offset: at, cause: raw });
    }
    try {
      // Some writers wrap the deflated data set in a zlib header, which PS3.5 A.5 does not call for.
      return inflateSync(deflated, options);
    } catch {
      const truncated = /unexpected end/i.test((raw as Error).message);
      throw new DicomError(truncated ? 'CORE_TRUNCATED' : 'CORE_MALFORMED', `${truncated ? 'truncated' : 'malformed'}: the deflated data set at byte ${at} cannot be inflated: ${(raw as Error).message}`, { offset: at, cause: raw });
    }
  }
}

/**
 * Reads DICOM from bytes: a Part 10 file (with or without the 128-byte preamble) or a bare data set, in
 * Implicit VR Little Endian, Explicit VR Little/Big Endian, Deflated Explicit VR Little Endian, or any
 * encapsulated syntax (compressed pixel data is kept as fragments). Throws only DicomError:
 * CORE_NOT_DICOM, CORE_TRUNCATED (naming the offset and the element), CORE_MALFORMED.
 */
export function readDicom(bytes: Uint8Array, options: ReadOptions = {}): DicomFile {
  const file = options.fileName;
  try {
    return readUnnamed(bytes, options);
  } catch (error) {
    const e = isDicomError(error) ? error : unexpected(error);
    throw file !== undefined ? withFile(e, file) : e;
  }
}

/** What is left when reading failed in a way the reader does not anticipate: still a DicomError, never a crash. */
function unexpected(error: unknown): DicomError {
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new DicomError('CORE_MALFORMED', 'malformed data set: structures are nested too deeply to read');
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DicomError('CORE_MALFORMED', `malformed data set: ${message}`, { cause: error });
}

function textOf(bytes: Uint8Array, start: number, length: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString('latin1').replace(/^ +|[\0 ]+$/g, '');
}

function readUnnamed(bytes: Uint8Array, options: ReadOptions): DicomFile {
  const located = locateMeta(bytes);
  const decodeMeta = createDecodeContext(bytes);
  let meta: Dataset = { elements: new Map() };
  let bodyStart = 0;
  let syntax: string | undefined;
  if (located.start >= 0) {
    // File meta: always Explicit VR Little Endian, group 0002 only; it ends where group 0002 ends (the group
    // length is not trusted: writers get it wrong).
    let at = located.start;
    while (at + 8 <= bytes.length && u16(bytes, at, true) === 0x0002) {
      const head = peekElement(bytes, at, true, true);
      if (!head || head.next === undefined) break;
      at = head.next;
    }
    const walked = walkDataSet(bytes, located.start, Math.min(at, bytes.length), { explicitVR: true, littleEndian: true, stopBeforePixelData: false, isSequenceTag: decodeMeta.isSequenceTag });
    if (at > bytes.length) {
      throw new DicomError('CORE_TRUNCATED', `truncated: the data ends at byte ${bytes.length} inside the file meta group`, { offset: bytes.length });
    }
    bodyStart = at;
    const ts = walked.elements.find((e) => e.tag === 0x00020010);
    if (ts) syntax = textOf(bytes, ts.dataOffset, ts.length);
    meta = decodeDataset(decodeMeta, walked.elements, [''], true, true);
    if (syntax === undefined || syntax === '') syntax = detectSyntax(bytes, bodyStart) ?? TransferSyntax.ExplicitVRLittleEndian;
  } else {
    syntax = detectSyntax(bytes, 0);
    if (syntax === undefined) {
      throw new DicomError('CORE_NOT_DICOM', 'not a DICOM file: no DICM magic at byte 128 and no recognisable data set at byte 0');
    }
  }
  const info = transferSyntaxInfo(syntax);
  const partial = options.partial === true;
  let body = bytes;
  if (info.deflated && bodyStart < bytes.length) {
    body = inflate(bytes, bodyStart, options.maxInflatedBytes ?? 2 ** 31, partial);
    bodyStart = 0;
  }
  const stop = options.stopBeforePixelData === true;
  const ctx = createDecodeContext(body);
  const walked = walkDataSet(body, bodyStart, body.length, { explicitVR: info.explicitVR, littleEndian: info.littleEndian, stopBeforePixelData: stop, isSequenceTag: ctx.isSequenceTag });
  if (partial && stop && !walked.stoppedAtPixelData) {
    throw new DicomError('CORE_TRUNCATED', `truncated: the ${body.length} bytes given end before pixel data (partial read)`, { offset: body.length });
  }
  const dataset = decodeDataset(ctx, walked.elements, [''], info.explicitVR, info.littleEndian);
  return { meta, dataset, transferSyntaxUID: syntax, hadPreamble: located.preamble };
}

function ioError(error: unknown, path: string): DicomError {
  if ((error as Error).name === 'AbortError') return new DicomError('CORE_ABORTED', 'read aborted', { file: path, cause: error });
  const code = (error as { code?: string }).code;
  const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
  return new DicomError('CORE_IO', `cannot read: ${reason}`, { file: path, cause: error });
}

function checkAborted(signal: AbortSignal | undefined, file: string | undefined): void {
  if (signal?.aborted === true) {
    throw new DicomError('CORE_ABORTED', 'read aborted', { ...(file !== undefined ? { file } : {}), cause: signal.reason });
  }
}

/** First read of a header-only scan; grown fourfold while the header runs past what was read. */
const HEAD_BYTES = 64 * 1024;

/**
 * Reads a DICOM file from disk (see {@link readDicom}). With `stopBeforePixelData`, reads only as much of the
 * file as the header needs.
 */
export async function readDicomFile(path: string, options: ReadFileOptions = {}): Promise<DicomFile> {
  checkAborted(options.signal, path);
  if (options.stopBeforePixelData === true) {
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (error) {
      throw ioError(error, path);
    }
    for (let length = HEAD_BYTES; length < size; length *= 4) {
      const head = await readHead(path, length);
      if (head.length < length) break; // the file shrank: read what is there
      try {
        return readDicom(head, { ...options, fileName: path, partial: true });
      } catch (error) {
        // The header runs past what was read: read more. Anything else is final.
        if (!isDicomError(error, 'CORE_TRUNCATED') && !isDicomError(error, 'CORE_MALFORMED')) throw error;
      }
      checkAborted(options.signal, path);
    }
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path, options.signal ? { signal: options.signal } : {});
  } catch (error) {
    throw ioError(error, path);
  }
  return readDicom(bytes, { ...options, fileName: path, partial: false });
}

async function readHead(path: string, length: number): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } catch (error) {
    throw ioError(error, path);
  } finally {
    await handle?.close();
  }
}

/** Reads DICOM from a stream of bytes (a Node Readable, a web ReadableStream, any async iterable of chunks). */
export async function readDicomStream(stream: AsyncIterable<Uint8Array>, options: ReadFileOptions = {}): Promise<DicomFile> {
  const file = options.fileName;
  checkAborted(options.signal, file);
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of stream) {
      checkAborted(options.signal, file);
      chunks.push(chunk);
    }
  } catch (error) {
    if (isDicomError(error)) throw error;
    if ((error as Error).name === 'AbortError') throw new DicomError('CORE_ABORTED', 'read aborted', { ...(file !== undefined ? { file } : {}), cause: error });
    throw new DicomError('CORE_IO', `cannot read stream: ${(error as Error).message}`, { ...(file !== undefined ? { file } : {}), cause: error });
  }
  return readDicom(Buffer.concat(chunks), { ...options, partial: false });
}
