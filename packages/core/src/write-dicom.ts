import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { createCharsetContext, encodeText, type CharsetContext } from './_charset.js';
import { isEncapsulated, sortedElements, type DataElement, type Dataset, type DicomFile } from './dataset.js';
import { DicomError } from './errors.js';
import { formatTag } from './tag.js';
import { TransferSyntax, transferSyntaxInfo } from './transfer-syntax.js';
import { hasLongHeader, isBigIntVr, isBytesVr, isNumberVr, isTextVr, vrWordSize } from './vr.js';

/** Our Implementation Class UID (0002,0012): a UUID-derived UID (PS3.5 B.2), fixed for this implementation. */
export const IMPLEMENTATION_CLASS_UID = '2.25.87298651929298003454265305826624492232';
/** Our Implementation Version Name (0002,0013). */
export const IMPLEMENTATION_VERSION_NAME = 'DICOMTOOLS_0_1';

/** Options for writing DICOM Part 10. */
export interface WriteOptions {
  /**
   * Transfer syntax to write: one of the four native syntaxes, or the file's own encapsulated syntax when its
   * pixel data is compressed. Default: the file's own syntax.
   */
  readonly transferSyntaxUID?: string;
  /** Source Application Entity Title (0002,0016) to record; default: the one already in the meta, if any. */
  readonly sourceApplicationEntityTitle?: string;
}

/** Options for writing to disk. */
export interface WriteFileOptions extends WriteOptions {
  readonly signal?: AbortSignal;
}

interface Encoding {
  readonly explicitVR: boolean;
  readonly littleEndian: boolean;
  readonly charset: CharsetContext;
}

interface Encoded {
  readonly parts: Uint8Array[];
  length: number;
}

const SPECIFIC_CHARACTER_SET = 0x00080005;
const PIXEL_DATA = 0x7fe00010;
const UNDEFINED = 0xffffffff;

function header(tag: number, vr: string, length: number, enc: Encoding): Uint8Array {
  const group = tag >>> 16;
  const element = tag & 0xffff;
  if (!enc.explicitVR) {
    const out = new Uint8Array(8);
    const v = new DataView(out.buffer);
    v.setUint16(0, group, enc.littleEndian);
    v.setUint16(2, element, enc.littleEndian);
    v.setUint32(4, length, enc.littleEndian);
    return out;
  }
  let writtenVr = vr;
  if (!hasLongHeader(vr) && length > 0xfffe) writtenVr = 'UN'; // PS3.5 6.2.2: too long for a 16-bit length
  const long = hasLongHeader(writtenVr);
  const out = new Uint8Array(long ? 12 : 8);
  const v = new DataView(out.buffer);
  v.setUint16(0, group, enc.littleEndian);
  v.setUint16(2, element, enc.littleEndian);
  out[4] = writtenVr.charCodeAt(0);
  out[5] = writtenVr.charCodeAt(1);
  if (long) v.setUint32(8, length, enc.littleEndian);
  else v.setUint16(6, length, enc.littleEndian);
  return out;
}

function itemTag(element: number, length: number, enc: Encoding): Uint8Array {
  const out = new Uint8Array(8);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0xfffe, enc.littleEndian);
  v.setUint16(2, element, enc.littleEndian);
  v.setUint32(4, length, enc.littleEndian);
  return out;
}

function pad(bytes: Uint8Array, padByte: number): Uint8Array {
  if (bytes.length % 2 === 0) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = padByte;
  return out;
}

function swap(data: Uint8Array, word: number): Uint8Array {
  const out = new Uint8Array(data.length);
  const whole = data.length - (data.length % word);
  for (let i = 0; i < whole; i += word) for (let k = 0; k < word; k++) out[i + k] = data[i + word - 1 - k]!;
  for (let i = whole; i < data.length; i++) out[i] = data[i]!;
  return out;
}

function encodeValue(element: DataElement, enc: Encoding, charsets: readonly string[]): Uint8Array {
  const vr = element.vr;
  if (isTextVr(vr)) {
    const e = element as Extract<DataElement, { value: readonly string[] }>;
    if (e.raw !== undefined && e.rawCharset === charsets.join('\\')) return pad(e.raw, vr === 'UI' ? 0 : 0x20);
    const text = e.value.join('\\');
    let bytes: Uint8Array;
    try {
      bytes = encodeText(enc.charset, text, vr === 'UI' || vr === 'CS' || vr === 'DA' || vr === 'TM' || vr === 'DT' || vr === 'AS' || vr === 'DS' || vr === 'IS' || vr === 'AE' ? [''] : charsets);
    } catch (error) {
      throw new DicomError('CORE_CHARSET_UNENCODABLE', `element ${formatTag(element.tag)}: ${(error as Error).message}`, { tag: element.tag, cause: error });
    }
    return pad(bytes, vr === 'UI' ? 0 : 0x20);
  }
  if (isNumberVr(vr)) {
    const values = element.value as readonly number[];
    const size = vrWordSize(vr);
    const out = new Uint8Array(values.length * size);
    const v = new DataView(out.buffer);
    const le = enc.littleEndian;
    values.forEach((n, i) => {
      const at = i * size;
      switch (vr) {
        case 'US': v.setUint16(at, n, le); break;
        case 'SS': v.setInt16(at, n, le); break;
        case 'UL': v.setUint32(at, n, le); break;
        case 'SL': v.setInt32(at, n, le); break;
        case 'FL': v.setFloat32(at, n, le); break;
        case 'FD': v.setFloat64(at, n, le); break;
        case 'AT': v.setUint16(at, n >>> 16, le); v.setUint16(at + 2, n & 0xffff, le); break;
      }
    });
    return out;
  }
  if (isBigIntVr(vr)) {
    const values = element.value as readonly bigint[];
    const out = new Uint8Array(values.length * 8);
    const v = new DataView(out.buffer);
    values.forEach((n, i) => (vr === 'SV' ? v.setBigInt64(i * 8, n, enc.littleEndian) : v.setBigUint64(i * 8, n, enc.littleEndian)));
    return out;
  }
  if (isBytesVr(vr)) {
    const data = element.value as Uint8Array;
    const word = vr === 'OB' || vr === 'UN' ? 1 : vrWordSize(vr);
    return pad(enc.littleEndian || word === 1 ? data : swap(data, word), 0);
  }
  throw new DicomError('CORE_INVALID_VALUE', `element ${formatTag(element.tag)} has VR ${vr}, which has no value encoding`, { tag: element.tag });
}

function push(out: Encoded, bytes: Uint8Array): void {
  out.parts.push(bytes);
  out.length += bytes.length;
}

function encodeDataset(dataset: Dataset, enc: Encoding, inherited: readonly string[]): Encoded {
  const out: Encoded = { parts: [], length: 0 };
  let charsets = inherited;
  const cs = dataset.elements.get(SPECIFIC_CHARACTER_SET);
  if (cs && cs.vr === 'CS') charsets = cs.value.length ? cs.value : [''];
  // Group lengths (gggg,0000) are recomputed from what is written, never copied.
  let group: Encoded | undefined;
  let groupNumber = -1;
  let groupHasLength = false;
  const flush = (): void => {
    if (!group) return;
    if (groupHasLength) {
      const value = new Uint8Array(4);
      new DataView(value.buffer).setUint32(0, group.length, enc.littleEndian);
      push(out, header(groupNumber * 0x10000, 'UL', 4, enc));
      push(out, value);
    }
    for (const part of group.parts) out.parts.push(part);
    out.length += group.length;
  };
  for (const element of sortedElements(dataset)) {
    const g = element.tag >>> 16;
    if (g !== groupNumber) {
      flush();
      group = { parts: [], length: 0 };
      groupNumber = g;
      groupHasLength = false;
    }
    if ((element.tag & 0xffff) === 0) groupHasLength = true;
    else encodeElement(group!, element, enc, charsets);
  }
  flush();
  return out;
}

function encodeElement(out: Encoded, element: DataElement, enc: Encoding, charsets: readonly string[]): void {
  if (isEncapsulated(element)) {
    push(out, header(element.tag, element.vr, UNDEFINED, enc));
    push(out, itemTag(0xe000, element.value.basicOffsetTable.length, enc));
    if (element.value.basicOffsetTable.length) push(out, element.value.basicOffsetTable);
    for (const fragment of element.value.fragments) {
      const padded = pad(fragment, 0);
      push(out, itemTag(0xe000, padded.length, enc));
      push(out, padded);
    }
    push(out, itemTag(0xe0dd, 0, enc));
    return;
  }
  if (element.vr === 'SQ') {
    const items = (element.value as readonly Dataset[]).map((item) => encodeDataset(item, enc, charsets));
    const length = items.reduce((sum, item) => sum + 8 + item.length, 0);
    push(out, header(element.tag, 'SQ', length, enc));
    for (const item of items) {
      push(out, itemTag(0xe000, item.length, enc));
      for (const part of item.parts) push(out, part);
    }
    return;
  }
  const value = encodeValue(element, enc, charsets);
  push(out, header(element.tag, element.vr, value.length, enc));
  push(out, value);
}

function textElement(tag: number, vr: 'UI' | 'SH' | 'AE', value: string): DataElement {
  return { tag, vr, value: [value] };
}

function firstText(dataset: Dataset, tag: number): string | undefined {
  const e = dataset.elements.get(tag);
  return e && isTextVr(e.vr) ? (e.value as readonly string[])[0] : undefined;
}

/** The file meta group we write for `file` in `syntax` (group length is added by the encoder). */
export function buildFileMeta(file: DicomFile, syntax: string, options: WriteOptions = {}): Dataset {
  const elements = new Map<number, DataElement>();
  const add = (e: DataElement): void => void elements.set(e.tag, e);
  add({ tag: 0x00020000, vr: 'UL', value: [0] });
  add({ tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) });
  const sopClass = firstText(file.dataset, 0x00080016) ?? firstText(file.meta, 0x00020002) ?? '';
  const sopInstance = firstText(file.dataset, 0x00080018) ?? firstText(file.meta, 0x00020003) ?? '';
  add(textElement(0x00020002, 'UI', sopClass));
  add(textElement(0x00020003, 'UI', sopInstance));
  add(textElement(0x00020010, 'UI', syntax));
  add(textElement(0x00020012, 'UI', IMPLEMENTATION_CLASS_UID));
  add(textElement(0x00020013, 'SH', IMPLEMENTATION_VERSION_NAME));
  const aet = options.sourceApplicationEntityTitle ?? firstText(file.meta, 0x00020016);
  if (aet !== undefined && aet !== '') add(textElement(0x00020016, 'AE', aet));
  for (const tag of [0x00020100, 0x00020102]) {
    const e = file.meta.elements.get(tag);
    if (e) add(e);
  }
  return { elements };
}

/** Checks that `dataset`'s pixel data can be written in `syntax` and returns the syntax's description. */
function checkSyntax(file: DicomFile, syntax: string): ReturnType<typeof transferSyntaxInfo> {
  const info = transferSyntaxInfo(syntax);
  const pixel = file.dataset.elements.get(PIXEL_DATA);
  const compressed = pixel !== undefined && isEncapsulated(pixel);
  if (info.encapsulated && !compressed && pixel !== undefined) {
    throw new DicomError('CORE_UNSUPPORTED_TRANSFER_SYNTAX', `cannot write native pixel data as ${info.name}: compress it with @dicom-tools/transcode`);
  }
  if (!info.encapsulated && compressed) {
    throw new DicomError('CORE_UNSUPPORTED_TRANSFER_SYNTAX', `cannot write compressed (${transferSyntaxInfo(file.transferSyntaxUID).name}) pixel data as ${info.name}: decompress it with @dicom-tools/transcode`);
  }
  if (compressed && syntax !== file.transferSyntaxUID) {
    throw new DicomError('CORE_UNSUPPORTED_TRANSFER_SYNTAX', `cannot relabel ${transferSyntaxInfo(file.transferSyntaxUID).name} pixel data as ${info.name}: transcode it`);
  }
  if (syntax === '1.2.840.10008.1.2.4.95') {
    throw new DicomError('CORE_UNSUPPORTED_TRANSFER_SYNTAX', `writing ${info.name} is not supported`);
  }
  return info;
}

/**
 * Encodes a DicomFile as DICOM Part 10 bytes: a 128-byte zero preamble, `DICM`, a fresh file meta group
 * (group length, version 00\01, SOP class and instance equal to the data set's, our implementation UID and
 * version name), then the data set in the chosen transfer syntax. Sequences are written with defined lengths.
 */
export function writeDicom(file: DicomFile, options: WriteOptions = {}): Uint8Array {
  const syntax = options.transferSyntaxUID ?? file.transferSyntaxUID ?? TransferSyntax.ExplicitVRLittleEndian;
  const info = checkSyntax(file, syntax);
  const charset = createCharsetContext();
  const meta = encodeDataset(buildFileMeta(file, syntax, options), { explicitVR: true, littleEndian: true, charset }, ['']);
  const body = encodeDataset(file.dataset, { explicitVR: info.explicitVR, littleEndian: info.littleEndian, charset }, ['']);
  let bodyBytes: Uint8Array[] = body.parts;
  let bodyLength = body.length;
  if (info.deflated) {
    const deflated = deflateRawSync(Buffer.concat(body.parts, body.length));
    bodyBytes = [deflated];
    bodyLength = deflated.length;
  }
  const out = Buffer.alloc(132 + meta.length + bodyLength);
  out.write('DICM', 128, 'latin1');
  let at = 132;
  for (const part of meta.parts) { out.set(part, at); at += part.length; }
  for (const part of bodyBytes) { out.set(part, at); at += part.length; }
  return out;
}

/**
 * Writes a DicomFile to `path` atomically: the bytes go to a temporary file in the same folder, which is
 * renamed over `path` only when complete. On any failure no partial file is left and `path` is untouched.
 */
export async function writeDicomFile(path: string, file: DicomFile, options: WriteFileOptions = {}): Promise<void> {
  options.signal?.throwIfAborted();
  const bytes = writeDicom(file, options);
  await writeFileAtomic(path, bytes, options.signal);
}

/** Writes bytes to `path` through a temporary file and a rename. */
export async function writeFileAtomic(path: string, bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, bytes, signal ? { signal, flag: 'wx' } : { flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    if ((error as Error).name === 'AbortError') throw new DicomError('CORE_ABORTED', 'write aborted', { file: path, cause: error });
    const code = (error as { code?: string }).code;
    throw new DicomError('CORE_IO', `cannot write: ${code === 'ENOENT' ? 'no such folder' : code === 'EACCES' ? 'permission denied' : code === 'ENOSPC' ? 'no space left on device' : (error as Error).message}`, { file: path, cause: error });
  }
}
