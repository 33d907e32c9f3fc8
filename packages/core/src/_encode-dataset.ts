// Encodes a Dataset into one growing buffer in a single pass: lengths of sequences, items and groups are
// written as placeholders and patched once their content is written, so the cost does not grow with nesting.
import { decodeText, encodeText, type CharsetContext } from './_charset.js';
import { MAX_NESTING } from './_element-walk.js';
import { isEncapsulated, type DataElement, type Dataset } from './dataset.js';
import { lookupTag } from './dictionary.js';
import { DicomError } from './errors.js';
import { formatTag } from './tag.js';
import { BIGINT, BYTES, KIND_OF_VR, NUMBER, SEQUENCE, TEXT } from './_vr-kind.js';
import { hasLongHeader, usesDefaultRepertoire, vrWordSize } from './vr.js';

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

// Header fields are stored byte by byte (a Uint8Array keeps the low 8 bits of what is stored): Buffer's
// writeUInt16LE and friends check their arguments on every call, which costs more than the store itself.
function store16(b: Buffer, at: number, value: number, little: boolean): void {
  if (little) {
    b[at] = value;
    b[at + 1] = value >>> 8;
  } else {
    b[at] = value >>> 8;
    b[at + 1] = value;
  }
}
function store32(b: Buffer, at: number, value: number, little: boolean): void {
  if (little) {
    b[at] = value;
    b[at + 1] = value >>> 8;
    b[at + 2] = value >>> 16;
    b[at + 3] = value >>> 24;
  } else {
    b[at] = value >>> 24;
    b[at + 1] = value >>> 16;
    b[at + 2] = value >>> 8;
    b[at + 3] = value;
  }
}
function patch32(out: Sink, at: number, value: number, little: boolean): void {
  store32(out.buffer, at, value, little);
}

/** The size of the header {@link header} writes: in explicit VR, 12 bytes for a 32-bit length. */
function headerSize(vr: string, length: number, enc: Encoding): number {
  return !enc.explicitVR || !(hasLongHeader(vr) || length > 0xfffe) ? 8 : 12;
}

/**
 * Writes an element header; returns the offset of its length field (for patching). In explicit VR a value too
 * long for a 16-bit length is written as UN (PS3.5 6.2.2 note), which has a 32-bit one.
 */
function header(out: Sink, tag: number, vr: string, length: number, enc: Encoding): number {
  const little = enc.littleEndian;
  reserve(out, 12);
  const b = out.buffer;
  const at = out.at;
  store16(b, at, tag >>> 16, little);
  store16(b, at + 2, tag & 0xffff, little);
  if (!enc.explicitVR) {
    store32(b, at + 4, length, little);
    out.at = at + 8;
    return at + 4;
  }
  const long = hasLongHeader(vr);
  const written = !long && length > 0xfffe ? 'UN' : vr;
  b[at + 4] = written.charCodeAt(0);
  b[at + 5] = written.charCodeAt(1);
  if (long || written === 'UN') {
    b[at + 6] = 0;
    b[at + 7] = 0;
    store32(b, at + 8, length, little);
    out.at = at + 12;
    return at + 8;
  }
  store16(b, at + 6, length, little);
  out.at = at + 8;
  return at + 6;
}

function itemHeader(out: Sink, element: number, length: number, little: boolean): number {
  reserve(out, 8);
  const b = out.buffer;
  const at = out.at;
  store16(b, at, 0xfffe, little);
  store16(b, at + 2, element, little);
  store32(b, at + 4, length, little);
  out.at = at + 8;
  return at + 4;
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

/**
 * Writes a text element whose values are all 7-bit ASCII (header, value, padding) and returns true; else writes
 * nothing and returns false. One pass over the characters: the value is copied to where it goes after the header
 * while it is checked, and the header is written only once it is known to be ASCII.
 */
function putAsciiText(out: Sink, element: Extract<DataElement, { value: readonly string[] }>, enc: Encoding): boolean {
  const values = element.value;
  const text: unknown = values.length === 1 ? values[0] : values.join('\\');
  if (typeof text !== 'string') return false;
  const vr = element.vr;
  const length = text.length;
  const padded = length + (length & 1);
  // Room for the largest header (which header() reserves) and the value after it: nothing moves the buffer
  // between the value's copy and the header's.
  reserve(out, 12 + padded);
  const size = headerSize(vr, padded, enc);
  const b = out.buffer;
  let o = out.at + size;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return false;
    b[o++] = c;
  }
  if (padded !== length) b[o++] = vr === 'UI' ? 0 : 0x20;
  header(out, element.tag, vr, padded, enc);
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
      // Integers in range (checked above): the low bytes of a negative number are its two's complement.
      case 'US': case 'SS': store16(b, at, n, little); break;
      case 'UL': case 'SL': store32(b, at, n, little); break;
      case 'FL': if (little) b.writeFloatLE(n, at); else b.writeFloatBE(n, at); break;
      case 'FD': if (little) b.writeDoubleLE(n, at); else b.writeDoubleBE(n, at); break;
      default: // AT: group then element, each in the syntax's byte order
        store16(b, at, n >>> 16, little);
        store16(b, at + 2, n & 0xffff, little);
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
  encodeItem(out, dataset, enc, inherited, inherited.join('\\'), depth);
}

function byTag(a: DataElement, b: DataElement): number {
  return a.tag - b.tag;
}

/**
 * The elements of `dataset` in tag order (as a stable sort by tag gives them). A data set read from a file already has
 * them so and is not sorted again; one read and then added to (an anonymizer's markers, new attributes) is sorted up to
 * the first element added: only the elements from there on are sorted, then merged with the ones before.
 */
function inTagOrder(dataset: Dataset): DataElement[] {
  const elements = [...dataset.elements.values()];
  let sorted = 1;
  while (sorted < elements.length && elements[sorted]!.tag >= elements[sorted - 1]!.tag) sorted++;
  if (sorted >= elements.length) return elements;
  const rest = elements.slice(sorted).sort(byTag);
  const merged: DataElement[] = [];
  let i = 0;
  let k = 0;
  while (i < sorted && k < rest.length) merged.push(elements[i]!.tag <= rest[k]!.tag ? elements[i++]! : rest[k++]!);
  while (i < sorted) merged.push(elements[i++]!);
  while (k < rest.length) merged.push(rest[k++]!);
  return merged;
}

/** {@link encodeDataset} with the key of the inherited character sets (`charsets.join('\\')`) already made. */
function encodeItem(out: Sink, dataset: Dataset, enc: Encoding, inherited: readonly string[], inheritedKey: string, depth: number): void {
  if (depth > MAX_NESTING) throw new DicomError('CORE_INVALID_VALUE', `sequences are nested more than ${MAX_NESTING} levels deep`);
  let charsets = inherited;
  let charsetKey = inheritedKey;
  const cs = dataset.elements.get(SPECIFIC_CHARACTER_SET);
  if (cs !== undefined && cs.vr === 'CS') {
    charsets = cs.value.length > 0 ? cs.value.map((v) => v.trim()) : [''];
    charsetKey = charsets.join('\\');
  }
  const elements = inTagOrder(dataset);
  let group = -1;
  let groupLengthAt = -1;
  let groupStart = 0;
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i]!;
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
  const kind = KIND_OF_VR.get(vr);
  if (kind === TEXT) {
    const textElement = element as Extract<DataElement, { value: readonly string[] }>;
    // Plain ASCII without original bytes, nearly every value: written straight into the sink (what encodeText
    // gives for ASCII under any character set), without a Buffer per value.
    if (textElement.raw === undefined && putAsciiText(out, textElement, enc)) return;
    const bytes = textBytes(textElement, enc, charsets, charsetKey);
    header(out, element.tag, vr, bytes.length + (bytes.length & 1), enc);
    putBytes(out, bytes, vr === 'UI' ? 0 : 0x20);
    return;
  }
  if (kind === NUMBER) return putNumbers(out, element, enc);
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
  if (kind === SEQUENCE) {
    // In implicit VR a reader knows a sequence only from its dictionary: one it cannot know (private or
    // unknown tags) is written with undefined lengths, so it is still parsed as a sequence (PS3.5 7.5).
    const open = !enc.explicitVR && lookupTag(element.tag)?.vr !== 'SQ';
    const lengthAt = header(out, element.tag, 'SQ', open ? UNDEFINED : 0, enc);
    const start = out.at;
    const items = element.value as readonly Dataset[];
    for (let i = 0; i < items.length; i++) {
      const itemLengthAt = itemHeader(out, 0xe000, open ? UNDEFINED : 0, little);
      const itemStart = out.at;
      encodeItem(out, items[i]!, enc, charsets, charsetKey, depth + 1);
      if (open) itemHeader(out, 0xe00d, 0, little);
      else patch32(out, itemLengthAt, out.at - itemStart, little);
    }
    if (open) itemHeader(out, 0xe0dd, 0, little);
    else patch32(out, lengthAt, out.at - start, little);
    return;
  }
  if (kind === BIGINT) return putBigInts(out, element, enc);
  if (kind === BYTES) {
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
