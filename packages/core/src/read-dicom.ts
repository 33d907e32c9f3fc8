import { open, readFile, stat } from 'node:fs/promises';
import { inflateRawSync, inflateSync } from 'node:zlib';
import { dp, type DpDataSet } from './_dicom-parser.js';
import { createDecodeContext, decodeDataset } from './_decode-dataset.js';
import type { Dataset, DicomFile } from './dataset.js';
import { DicomError, isDicomError, withFile } from './errors.js';
import { describeTag } from './tag.js';
import { TransferSyntax, transferSyntaxInfo } from './transfer-syntax.js';
import { isVr } from './vr.js';

/** Options for reading DICOM. */
export interface ReadOptions {
  /** Stop before Pixel Data (7FE0,0010): a header-only read for fast scans. Default false. */
  readonly stopBeforePixelData?: boolean;
  /** A name for the source, used in error messages (readDicomFile sets it to the path). */
  readonly fileName?: string;
  /** Largest inflated size accepted for a deflated data set, in bytes (a guard against zip bombs). Default 2 GiB. */
  readonly maxInflatedBytes?: number;
}

/** Options for reading from a file or stream. */
export interface ReadFileOptions extends ReadOptions {
  readonly signal?: AbortSignal;
}

const PIXEL_DATA_KEY = 'x7fe00010';
const ITEM_DELIMITATION_KEY = 'xfffee00d';

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
  readonly group: number;
  readonly element: number;
  readonly next: number;
}

/** Reads one element header at `at` and returns where the next one starts, or undefined when it is not plausible. */
function peekElement(bytes: Uint8Array, at: number, explicitVR: boolean, little: boolean): ElementHead | undefined {
  if (at + 8 > bytes.length) return undefined;
  const group = u16(bytes, at, little);
  const element = u16(bytes, at + 2, little);
  if (explicitVR) {
    const vr = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!);
    if (!isVr(vr)) return undefined;
    const long = ['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV'].includes(vr);
    if (long) {
      if (at + 12 > bytes.length) return undefined;
      const len = u32(bytes, at + 8, little);
      return { group, element, next: len === 0xffffffff ? bytes.length : at + 12 + len };
    }
    return { group, element, next: at + 8 + u16(bytes, at + 6, little) };
  }
  const len = u32(bytes, at + 4, little);
  return { group, element, next: len === 0xffffffff ? bytes.length : at + 8 + len };
}

/**
 * Guesses the encoding of a data set that starts at `at` with no file meta to say it: the first two elements
 * must be plausible (an even group below 0x7FE1, ascending tags, lengths inside the data).
 */
function detectSyntax(bytes: Uint8Array, at: number): string | undefined {
  const candidates: Array<[string, boolean, boolean]> = [
    [TransferSyntax.ExplicitVRLittleEndian, true, true],
    [TransferSyntax.ImplicitVRLittleEndian, false, true],
    [TransferSyntax.ExplicitVRBigEndian, true, false],
  ];
  for (const [uid, explicitVR, little] of candidates) {
    const first = peekElement(bytes, at, explicitVR, little);
    if (!first || first.group % 2 !== 0 || first.group > 0x7fe0 || first.group === 0 || first.next > bytes.length) continue;
    if (first.next === bytes.length) return uid;
    const second = peekElement(bytes, first.next, explicitVR, little);
    if (!second) continue;
    const firstTag = first.group * 0x10000 + first.element;
    const secondTag = second.group * 0x10000 + second.element;
    if (secondTag > firstTag && second.next <= bytes.length + 0) return uid;
  }
  return undefined;
}

function textOf(bytes: Uint8Array, start: number, length: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString('latin1').replace(/[\0 ]+$/, '');
}

function classify(thrown: unknown, partial: DpDataSet | undefined, bytes: Uint8Array): DicomError {
  if (isDicomError(thrown)) return thrown;
  const message = thrown instanceof Error ? thrown.message : typeof thrown === 'string' ? thrown : String(thrown);
  const looksTruncated = /past end|overrun|eof|beyond|out of range|outside the bounds/i.test(message);
  let last: { tag: number; offset: number; length: number } | undefined;
  if (partial) {
    for (const key in partial.elements) {
      const e = partial.elements[key]!;
      last = { tag: parseInt(e.tag.slice(1), 16) >>> 0, offset: e.dataOffset, length: e.length };
    }
  }
  if (looksTruncated) {
    if (last) {
      return new DicomError('CORE_TRUNCATED', `truncated: element ${describeTag(last.tag)} at byte ${last.offset} declares ${last.length} bytes but only ${Math.max(0, bytes.length - last.offset)} remain`, { offset: last.offset, tag: last.tag, cause: thrown });
    }
    return new DicomError('CORE_TRUNCATED', `truncated: the data ends at byte ${bytes.length} inside the first element`, { offset: bytes.length, cause: thrown });
  }
  const where = last ? ` after element ${describeTag(last.tag)} at byte ${last.offset}` : '';
  return new DicomError('CORE_MALFORMED', `malformed data set${where}: ${message.replace(/^dicomParser[.:]\w+: /, '')}`, { cause: thrown });
}

function inflate(bytes: Uint8Array, at: number, maxOutputLength: number): Uint8Array {
  const deflated = bytes.subarray(at);
  try {
    return inflateRawSync(deflated, { maxOutputLength });
  } catch (raw) {
    try {
      return inflateSync(deflated, { maxOutputLength });
    } catch {
      throw new DicomError('CORE_MALFORMED', `the deflated data set at byte ${at} cannot be inflated: ${(raw as Error).message}`, { offset: at, cause: raw });
    }
  }
}

function parseBody(bytes: Uint8Array, start: number, explicitVR: boolean, little: boolean, stopBeforePixelData: boolean): DpDataSet {
  const parser = little ? dp.littleEndianByteArrayParser : dp.bigEndianByteArrayParser;
  const dataSet = new dp.DataSet(parser, bytes, {});
  const stream = new dp.ByteStream(parser, bytes, start);
  const options = stopBeforePixelData ? { untilTag: PIXEL_DATA_KEY } : {};
  try {
    if (explicitVR) dp.parseDicomDataSetExplicit(dataSet, stream, bytes.length, options);
    else dp.parseDicomDataSetImplicit(dataSet, stream, bytes.length, { ...options, vrCallback: createDecodeContext(bytes, false, true).vrCallback });
  } catch (thrown) {
    throw classify(thrown, dataSet, bytes);
  }
  if (stopBeforePixelData) delete dataSet.elements[PIXEL_DATA_KEY];
  const eof = stream.warnings.find((w) => /eof/i.test(w));
  if (eof !== undefined) {
    throw classify(new Error(eof), dataSet, bytes);
  }
  if (dataSet.elements[ITEM_DELIMITATION_KEY] !== undefined) delete dataSet.elements[ITEM_DELIMITATION_KEY];
  return dataSet;
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
    const e = isDicomError(error) ? error : classify(error, undefined, bytes);
    throw file !== undefined ? withFile(e, file) : e;
  }
}

function readUnnamed(bytes: Uint8Array, options: ReadOptions): DicomFile {
  const located = locateMeta(bytes);
  let meta: Dataset = { elements: new Map() };
  let bodyStart = 0;
  let syntax: string | undefined;
  if (located.start >= 0) {
    // File meta: always Explicit VR Little Endian, group 0002 only; its end is where group 0002 ends.
    let at = located.start;
    while (at + 8 <= bytes.length && u16(bytes, at, true) === 0x0002) {
      const head = peekElement(bytes, at, true, true);
      if (!head) break;
      at = head.next;
    }
    const metaSet = new dp.DataSet(dp.littleEndianByteArrayParser, bytes, {});
    const stream = new dp.ByteStream(dp.littleEndianByteArrayParser, bytes, located.start);
    try {
      dp.parseDicomDataSetExplicit(metaSet, stream, Math.min(at, bytes.length), {});
    } catch (thrown) {
      throw classify(thrown, metaSet, bytes);
    }
    if (at > bytes.length) throw classify(new Error('overrun'), metaSet, bytes);
    bodyStart = at;
    const ts = metaSet.elements['x00020010'];
    if (ts && ts.dataOffset + ts.length <= bytes.length) syntax = textOf(bytes, ts.dataOffset, ts.length);
    meta = decodeDataset(createDecodeContext(bytes, true, true), metaSet, [''], true, true);
    if (syntax === undefined || syntax === '') syntax = detectSyntax(bytes, bodyStart) ?? TransferSyntax.ExplicitVRLittleEndian;
  } else {
    syntax = detectSyntax(bytes, 0);
    if (syntax === undefined) {
      throw new DicomError('CORE_NOT_DICOM', 'not a DICOM file: no DICM magic at byte 128 and no recognisable data set at byte 0');
    }
  }
  const info = transferSyntaxInfo(syntax);
  let body = bytes;
  if (info.deflated) {
    body = inflate(bytes, bodyStart, options.maxInflatedBytes ?? 2 ** 31);
    bodyStart = 0;
  }
  if (bodyStart >= body.length) {
    return { meta, dataset: { elements: new Map() }, transferSyntaxUID: syntax, hadPreamble: located.preamble };
  }
  const parsed = parseBody(body, bodyStart, info.explicitVR, info.littleEndian, options.stopBeforePixelData === true);
  const dataset = decodeDataset(createDecodeContext(body, info.explicitVR, info.littleEndian), parsed, [''], info.explicitVR, info.littleEndian);
  return { meta, dataset, transferSyntaxUID: syntax, hadPreamble: located.preamble };
}

function ioError(error: unknown, path: string): DicomError {
  const code = (error as { code?: string }).code;
  const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
  return new DicomError('CORE_IO', `cannot read: ${reason}`, { file: path, cause: error });
}

/** Reads a DICOM file from disk (see {@link readDicom}). With `stopBeforePixelData`, reads only as much of the file as the header needs. */
export async function readDicomFile(path: string, options: ReadFileOptions = {}): Promise<DicomFile> {
  options.signal?.throwIfAborted();
  if (options.stopBeforePixelData === true) {
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (error) {
      throw ioError(error, path);
    }
    let chunk = 64 * 1024;
    while (chunk < size) {
      const head = await readHead(path, chunk);
      try {
        return readDicom(head, { ...options, fileName: path });
      } catch (error) {
        // A header longer than what was read looks truncated: read more. Anything else is final.
        if (!isDicomError(error, 'CORE_TRUNCATED') && !isDicomError(error, 'CORE_MALFORMED')) throw error;
        chunk *= 4;
      }
      options.signal?.throwIfAborted();
    }
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path, options.signal ? { signal: options.signal } : {});
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw new DicomError('CORE_ABORTED', 'read aborted', { file: path, cause: error });
    throw ioError(error, path);
  }
  return readDicom(bytes, { ...options, fileName: path });
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
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of stream) {
      options.signal?.throwIfAborted();
      chunks.push(chunk);
    }
  } catch (error) {
    if (isDicomError(error)) throw error;
    if ((error as Error).name === 'AbortError') throw new DicomError('CORE_ABORTED', 'read aborted', { ...(options.fileName !== undefined ? { file: options.fileName } : {}), cause: error });
    throw new DicomError('CORE_IO', `cannot read stream: ${(error as Error).message}`, { ...(options.fileName !== undefined ? { file: options.fileName } : {}), cause: error });
  }
  return readDicom(Buffer.concat(chunks), options);
}
