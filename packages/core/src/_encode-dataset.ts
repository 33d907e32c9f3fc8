// Encodes a Dataset into one growing buffer in a single pass: lengths of sequences, items and groups are
// written as placeholders and patched once their content is written, so the cost does not grow with nesting.
import { decodeText, encodeText, type CharsetContext } from './_charset.js';
import { MAX_NESTING } from './_element-walk.js';
import { isEncapsulated, type DataElement, type Dataset } from './dataset.js';
import { lookupTag } from './dictionary.js';
import { DicomError } from './errors.js';
import { formatTag } from './tag.js';
import { hasLongHeader, isBigIntVr, isBytesVr, isNumberVr, isTextVr, usesDefaultRepertoire, vrWordSize } from './vr.js';

/** How to encode: the transfer syntax's properties, and the caller-owned charset caches. */
export interface Encoding {
  readonly explicitVR: boolean;
  readonly littleEndian: boolean;
  /** Encapsulated pixel data may be written (the syntax is an encapsulated one). */
  readonly encapsulated: boolean;
  readonly charset: CharsetContext;
}

/** The output: a buffer that grows by doubling, and the write position. */
export interface Sink {
  buffer: Buffer;
  at: number;
}

export function createSink(capacity: number): Sink {
  return { buffer: Buffer.allocUnsafe(Math.max(256, capacity)), at: 0 };
}

function reserve(out: Sink, n: number): void {
  const need = out.at + n;
  if (need <= out.buffer.length) return;
  const grown = Buffer.allocUnsafe(Math.max(need, out.buffer.length * 2));
  out.buffer.copy(grown, 0, 0, out.at);
  out.buffer = grown;
}

const SPECIFIC_CHARACTER_SET = 0x00080005;
const UNDEFINED = 0xffffffff;

function put16(out: Sink, value: number, little: boolean): void {
  if (little) out.buffer.writeUInt16LE(value, out.at);
  else out.buffer.writeUInt16BE(value, out.at);
  out.at += 2;
}
function put32(out: Sink, value: number, little: boolean): void {
  if (little) out.buffer.writeUInt32LE(value, out.at);
  else out.buffer.writeUInt32BE(value, out.at);
  out.at += 4;
}
function patch32(out: Sink, at: number, value: number, little: boolean): void {
  if (little) out.buffer.writeUInt32LE(value, at);
  else out.buffer.writeUInt32BE(value, at);
}

/**
 * Writes an element header; returns the offset of its length field (for patching). In explicit VR a value too
 * long for a 16-bit length is written as UN (PS3.5 6.2.2 note), which has a 32-bit one.
 */
function header(out: Sink, tag: number, vr: string, length: number, enc: Encoding): number {
  const little = enc.littleEndian;
  reserve(out, 12);
  put16(out, tag >>> 16, little);
  put16(out, tag & 0xffff, little);
  if (!enc.explicitVR) {
    put32(out, length, little);
    return out.at - 4;
  }
  const written = !hasLongHeader(vr) && length > 0xfffe ? 'UN' : vr;
  out.buffer[out.at++] = written.charCodeAt(0);
  out.buffer[out.at++] = written.charCodeAt(1);
  if (hasLongHeader(written)) {
    put16(out, 0, little);
    put32(out, length, little);
    return out.at - 4;
  }
  put16(out, length, little);
  return out.at - 2;
}

function itemHeader(out: Sink, element: number, length: number, little: boolean): number {
  reserve(out, 8);
  put16(out, 0xfffe, little);
  put16(out, element, little);
  put32(out, length, little);
  return out.at - 4;
}

function putBytes(out: Sink, bytes: Uint8Array, padTo: number): void {
  const padded = bytes.length + (bytes.length & 1);
  reserve(out, padded);
  out.buffer.set(bytes, out.at);
  out.at += bytes.length;
  if (padded !== bytes.length) out.buffer[out.at++] = padTo;
}

function putSwapped(out: Sink, bytes: Uint8Array, word: number): void {
  const padded = bytes.length + (bytes.length & 1);
  reserve(out, padded);
  const whole = bytes.length - (bytes.length % word);
  const b = out.buffer;
  let o = out.at;
  for (let i = 0; i < whole; i += word) for (let k = word - 1; k >= 0; k--) b[o++] = bytes[i + k]!;
  for (let i = whole; i < bytes.length; i++) b[o++] = bytes[i]!;
  if (padded !== bytes.length) b[o++] = 0;
  out.at = o;
}

function invalid(element: DataElement, message: string, cause?: unknown): DicomError {
  return new DicomError('CORE_INVALID_VALUE', `element ${formatTag(element.tag)} (${element.vr}): ${message}`, { tag: element.tag, ...(cause !== undefined ? { cause } : {}) });
}

/** The bytes of a text element under `charsets`: its original bytes while they still say what `value` says. */
function textBytes(element: Extract<DataElement, { value: readonly string[] }>, enc: Encoding, charsets: readonly string[], charsetKey: string): Uint8Array {
  const vr = element.vr;
  const text = element.value.join('\\');
  if (element.raw !== undefined && element.rawCharset === charsetKey) {
    // Only unchanged text is written back byte for byte: an element copied with a new value but the old raw
    // bytes would otherwise write the old value.
    const decoded = decodeText(enc.charset, element.raw, charsets, vr === 'PN').replace(/[\0 ]+$/, '');
    if (decoded === text) return element.raw;
  }
  try {
    return encodeText(enc.charset, text, usesDefaultRepertoire(vr) ? [''] : charsets);
  } catch (error) {
    throw new DicomError('CORE_CHARSET_UNENCODABLE', `element ${formatTag(element.tag)} (${vr}): ${(error as Error).message}`, { tag: element.tag, cause: error });
  }
}

/** Writes a text element whose values are all 7-bit ASCII (header, value, padding) and returns true; else writes nothing and returns false. */
function putAsciiText(out: Sink, element: Extract<DataElement, { value: readonly string[] }>, enc: Encoding): boolean {
  const text: unknown = element.value.length === 1 ? element.value[0] : element.value.join('\\');
  if (typeof text !== 'string') return false;
  const length = text.length;
  for (let i = 0; i < length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  const padded = length + (length & 1);
  header(out, element.tag, element.vr, padded, enc);
  reserve(out, padded);
  const b = out.buffer;
  let o = out.at;
  for (let i = 0; i < length; i++) b[o++] = text.charCodeAt(i);
  if (padded !== length) b[o++] = element.vr === 'UI' ? 0 : 0x20;
  out.at = o;
  return true;
}

const INTEGER_RANGE: Readonly<Record<string, readonly [number, number]>> = {
  US: [0, 0xffff], SS: [-0x8000, 0x7fff], UL: [0, 0xffffffff], SL: [-0x80000000, 0x7fffffff], AT: [0, 0xffffffff],
};

function putNumbers(out: Sink, element: DataElement, enc: Encoding): void {
  const vr = element.vr;
  const values = element.value as readonly number[];
  const size = vrWordSize(vr);
  const range = INTEGER_RANGE[vr];
  header(out, element.tag, vr, values.length * size, enc);
  reserve(out, values.length * size);
  const b = out.buffer;
  const little = enc.littleEndian;
  for (const n of values) {
    if (typeof n !== 'number' || (range !== undefined && !(Number.isInteger(n) && n >= range[0] && n <= range[1]))) {
      throw invalid(element, `${String(n)} is not a value of this VR`);
    }
    const at = out.at;
    switch (vr) {
      case 'US': if (little) b.writeUInt16LE(n, at); else b.writeUInt16BE(n, at); break;
      case 'SS': if (little) b.writeInt16LE(n, at); else b.writeInt16BE(n, at); break;
      case 'UL': if (little) b.writeUInt32LE(n, at); else b.writeUInt32BE(n, at); break;
      case 'SL': if (little) b.writeInt32LE(n, at); else b.writeInt32BE(n, at); break;
      case 'FL': if (little) b.writeFloatLE(n, at); else b.writeFloatBE(n, at); break;
      case 'FD': if (little) b.writeDoubleLE(n, at); else b.writeDoubleBE(n, at); break;
      default: // AT: group then element, each in the syntax's byte order
        if (little) { b.writeUInt16LE(n >>> 16, at); b.writeUInt16LE(n & 0xffff, at + 2); } else { b.writeUInt16BE(n >>> 16, at); b.writeUInt16BE(n & 0xffff, at + 2); }
    }
    out.at += size;
  }
}

function putBigInts(out: Sink, element: DataElement, enc: Encoding): void {
  const values = element.value as readonly bigint[];
  header(out, element.tag, element.vr, values.length * 8, enc);
  reserve(out, values.length * 8);
  const signed = element.vr === 'SV';
  for (const n of values) {
    if (typeof n !== 'bigint' || (signed ? n < -(2n ** 63n) || n >= 2n ** 63n : n < 0n || n >= 2n ** 64n)) throw invalid(element, `${String(n)} is not a value of this VR`);
    if (signed) { if (enc.littleEndian) out.buffer.writeBigInt64LE(n, out.at); else out.buffer.writeBigInt64BE(n, out.at); }
    else if (enc.littleEndian) out.buffer.writeBigUInt64LE(n, out.at);
    else out.buffer.writeBigUInt64BE(n, out.at);
    out.at += 8;
  }
}

/** Writes the elements of `dataset` (sorted by tag), recomputing any group length it has. */
export function encodeDataset(out: Sink, dataset: Dataset, enc: Encoding, inherited: readonly string[], depth: number): void {
  if (depth > MAX_NESTING) throw new DicomError('CORE_INVALID_VALUE', `sequences are nested more than ${MAX_NESTING} levels deep`);
  let charsets = inherited;
  const cs = dataset.elements.get(SPECIFIC_CHARACTER_SET);
  if (cs !== undefined && cs.vr === 'CS') charsets = cs.value.length > 0 ? cs.value.map((v) => v.trim()) : [''];
  const charsetKey = charsets.join('\\');
  const elements = [...dataset.elements.values()].sort((a, b) => a.tag - b.tag);
  let group = -1;
  let groupLengthAt = -1;
  let groupStart = 0;
  for (const element of elements) {
    const g = element.tag >>> 16;
    if (g === 0xfffe) continue; // items and delimiters are structure, written by their sequences
    if (g !== group) {
      if (groupLengthAt >= 0) patch32(out, groupLengthAt, out.at - groupStart, enc.littleEndian);
      group = g;
      groupLengthAt = -1;
    }
    if ((element.tag & 0xffff) === 0) {
      // Group length (gggg,0000): recomputed from what is written, never copied.
      header(out, element.tag, 'UL', 4, enc);
      reserve(out, 4);
      groupLengthAt = out.at;
      out.at += 4;
      groupStart = out.at;
      continue;
    }
    encodeElement(out, element, enc, charsets, charsetKey, depth);
  }
  if (groupLengthAt >= 0) patch32(out, groupLengthAt, out.at - groupStart, enc.littleEndian);
}

function encodeElement(out: Sink, element: DataElement, enc: Encoding, charsets: readonly string[], charsetKey: string, depth: number): void {
  const vr = element.vr;
  const little = enc.littleEndian;
  if (isEncapsulated(element)) {
    if (!enc.encapsulated) {
      throw new DicomError('CORE_UNSUPPORTED_TRANSFER_SYNTAX', `element ${formatTag(element.tag)} holds encapsulated (compressed) pixel data, which a native transfer syntax cannot carry`, { tag: element.tag });
    }
    // PS3.5 A.4: encapsulated Pixel Data is OB, whatever VR it was read with.
    header(out, element.tag, 'OB', UNDEFINED, enc);
    itemHeader(out, 0xe000, element.value.basicOffsetTable.length, little);
    putBytes(out, element.value.basicOffsetTable, 0);
    for (const fragment of element.value.fragments) {
      itemHeader(out, 0xe000, fragment.length + (fragment.length & 1), little);
      putBytes(out, fragment, 0);
    }
    itemHeader(out, 0xe0dd, 0, little);
    return;
  }
  if (vr === 'SQ') {
    // In implicit VR a reader knows a sequence only from its dictionary: one it cannot know (private or
    // unknown tags) is written with undefined lengths, so it is still parsed as a sequence (PS3.5 7.5).
    const open = !enc.explicitVR && lookupTag(element.tag)?.vr !== 'SQ';
    const lengthAt = header(out, element.tag, 'SQ', open ? UNDEFINED : 0, enc);
    const start = out.at;
    for (const item of element.value as readonly Dataset[]) {
      const itemLengthAt = itemHeader(out, 0xe000, open ? UNDEFINED : 0, little);
      const itemStart = out.at;
      encodeDataset(out, item, enc, charsets, depth + 1);
      if (open) itemHeader(out, 0xe00d, 0, little);
      else patch32(out, itemLengthAt, out.at - itemStart, little);
    }
    if (open) itemHeader(out, 0xe0dd, 0, little);
    else patch32(out, lengthAt, out.at - start, little);
    return;
  }
  if (isTextVr(vr)) {
    const textElement = element as Extract<DataElement, { value: readonly string[] }>;
    // Plain ASCII without original bytes, nearly every value: written straight into the sink (what encodeText
    // gives for ASCII under any character set), without a Buffer per value.
    if (textElement.raw === undefined && putAsciiText(out, textElement, enc)) return;
    const bytes = textBytes(textElement, enc, charsets, charsetKey);
    header(out, element.tag, vr, bytes.length + (bytes.length & 1), enc);
    putBytes(out, bytes, vr === 'UI' ? 0 : 0x20);
    return;
  }
  if (isNumberVr(vr)) return putNumbers(out, element, enc);
  if (isBigIntVr(vr)) return putBigInts(out, element, enc);
  if (isBytesVr(vr)) {
    const data = element.value as Uint8Array;
    if (!(data instanceof Uint8Array)) throw invalid(element, 'the value is not a Uint8Array');
    header(out, element.tag, vr, data.length + (data.length & 1), enc);
    const word = vr === 'OB' || vr === 'UN' ? 1 : vrWordSize(vr);
    if (little || word === 1) putBytes(out, data, 0);
    else putSwapped(out, data, word);
    return;
  }
  throw invalid(element, 'this VR has no value encoding');
}
