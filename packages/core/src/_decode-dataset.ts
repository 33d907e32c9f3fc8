// Turns the walked elements (value offsets, see _dicom-parser.ts) into our Dataset: chooses VRs (the dictionary for implicit VR),
// decodes values per VR, byte order and Specific Character Set, and checks every length against the data.
import type { IsSequenceTag, WalkedElement } from './_dicom-parser.js';
import { createCharsetContext, decodeText, type CharsetContext } from './_charset.js';
import type { DataElement, Dataset } from './dataset.js';
import { lookupTag } from './dictionary.js';
import { DicomError } from './errors.js';
import { describeTag } from './tag.js';
import { isBigIntVr, isBytesVr, isNumberVr, isSingleValuedTextVr, isTextVr, isVr, vrWordSize, type Vr } from './vr.js';

const PIXEL_DATA = 0x7fe00010;
const SPECIFIC_CHARACTER_SET = 0x00080005;
const PIXEL_REPRESENTATION = 0x00280103;

export interface DecodeContext {
  readonly bytes: Uint8Array;
  /** `bytes` as a Buffer, for fast latin-1 decoding of ASCII text. */
  readonly buffer: Buffer;
  readonly charset: CharsetContext;
  readonly isSequenceTag: IsSequenceTag;
}

export function createDecodeContext(bytes: Uint8Array): DecodeContext {
  return { bytes, buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), charset: createCharsetContext(), isSequenceTag };
}

/** For the walk of implicit VR data: whether the dictionary gives the tag VR SQ. */
function isSequenceTag(tag: number): boolean {
  return lookupTag(tag)?.vr === 'SQ';
}

function implicitVr(tag: number, dataset: Dataset): Vr {
  const info = lookupTag(tag);
  if (info === undefined || info.vrs.length === 0) return 'UN';
  if (info.vrs.length === 1) return info.vrs[0]!;
  if (info.vrs.includes('OW')) return tag === PIXEL_DATA || !info.vrs.includes('US') ? 'OW' : pixelSigned(dataset) ? 'SS' : 'US';
  if (info.vrs.includes('SS')) return pixelSigned(dataset) ? 'SS' : 'US';
  return info.vrs[0]!;
}

function pixelSigned(dataset: Dataset): boolean {
  const rep = dataset.elements.get(PIXEL_REPRESENTATION);
  return rep !== undefined && Array.isArray(rep.value) && rep.value[0] === 1;
}

function truncated(tag: number, offset: number, length: number, available: number): DicomError {
  return new DicomError('CORE_TRUNCATED', `truncated: element ${describeTag(tag)} at byte ${offset} declares ${length} bytes but only ${Math.max(0, available)} remain`, { offset, tag });
}

/** Removes trailing padding (spaces and NULs; PS3.5 6.2 pads with a space, UI with NUL). */
function stripTrailing(text: string): string {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c === 0x20 || c === 0x00) end--;
    else break;
  }
  return end === text.length ? text : text.slice(0, end);
}

/** Converts the walked elements of one data set (top level or item) into a Dataset. */
export function decodeDataset(ctx: DecodeContext, source: readonly WalkedElement[], charsets: readonly string[], explicitVR: boolean, littleEndian: boolean): Dataset {
  const dataset: Dataset = { elements: new Map() };
  let currentCharsets = charsets;
  for (const e of source) {
    const tag = e.tag;
    if (tag >>> 16 === 0xfffe) continue; // item and delimitation tags are structure, not data
    const element = decodeElement(ctx, e, dataset, currentCharsets, explicitVR, littleEndian);
    dataset.elements.set(tag, element);
    if (tag === SPECIFIC_CHARACTER_SET && element.vr === 'CS') {
      currentCharsets = element.value.length > 0 ? element.value.map((v) => v.trim()) : [''];
    }
  }
  return dataset;
}

function decodeElement(ctx: DecodeContext, e: WalkedElement, dataset: Dataset, charsets: readonly string[], explicitVR: boolean, littleEndian: boolean): DataElement {
  const bytes = ctx.bytes;
  const tag = e.tag;
  const length = e.length;
  if (e.dataOffset + length > bytes.length) throw truncated(tag, e.dataOffset, length, bytes.length - e.dataOffset);
  let vr: Vr = explicitVR ? (e.vr !== undefined && isVr(e.vr) ? e.vr : 'UN') : implicitVr(tag, dataset);
  if (e.fragments !== undefined) return decodeEncapsulated(ctx, e, vr === 'OW' ? 'OW' : 'OB');
  if (e.items !== undefined) {
    // An SQ, or a UN of undefined length holding implicit VR little endian items (CP-246).
    const itemsExplicit = e.implicitItems === true ? false : explicitVR;
    const itemsLittle = e.implicitItems === true ? true : littleEndian;
    const value: Dataset[] = [];
    for (const item of e.items) value.push(decodeDataset(ctx, item, charsets, itemsExplicit, itemsLittle));
    return { tag, vr: 'SQ', value };
  }
  if (vr === 'SQ') return { tag, vr: 'SQ', value: [] };
  if (isTextVr(vr)) return decodeTextElement(ctx, tag, vr, e.dataOffset, length, charsets);
  const data = bytes.subarray(e.dataOffset, e.dataOffset + length);
  const size = vrWordSize(vr);
  if ((isNumberVr(vr) || isBigIntVr(vr)) && data.length % size !== 0) {
    vr = 'UN'; // a length that is not a whole number of values: keep the bytes rather than guess
  }
  if (isNumberVr(vr)) {
    return { tag, vr, value: readNumbers(data, vr, littleEndian) };
  }
  if (isBigIntVr(vr)) {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const value: bigint[] = [];
    for (let i = 0; i + 8 <= data.length; i += 8) value.push(vr === 'SV' ? view.getBigInt64(i, littleEndian) : view.getBigUint64(i, littleEndian));
    return { tag, vr, value };
  }
  if (isBytesVr(vr)) {
    const word = vr === 'UN' || vr === 'OB' ? 1 : size;
    return { tag, vr, value: littleEndian || word === 1 ? data : swapped(data, word) };
  }
  return { tag, vr: 'UN', value: data };
}

function decodeTextElement(ctx: DecodeContext, tag: number, vr: Vr & string, start: number, length: number, charsets: readonly string[]): DataElement {
  const bytes = ctx.bytes;
  const end = start + length;
  let nonAscii = false;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b >= 0x80 || b === 0x1b) { nonAscii = true; break; }
  }
  const raw = nonAscii ? bytes.subarray(start, end) : undefined;
  const text = raw !== undefined ? decodeText(ctx.charset, raw, charsets, vr === 'PN') : ctx.buffer.toString('latin1', start, end);
  const stripped = stripTrailing(text);
  const value = stripped === '' ? [] : isSingleValuedTextVr(vr) ? [stripped] : stripped.split('\\');
  const textVr = vr as Extract<DataElement, { value: readonly string[] }>['vr'];
  return raw !== undefined ? { tag, vr: textVr, value, raw, rawCharset: charsets.join('\\') } : { tag, vr: textVr, value };
}

function readNumbers(data: Uint8Array, vr: string, littleEndian: boolean): number[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: number[] = [];
  switch (vr) {
    case 'US': for (let i = 0; i + 2 <= data.length; i += 2) out.push(view.getUint16(i, littleEndian)); break;
    case 'SS': for (let i = 0; i + 2 <= data.length; i += 2) out.push(view.getInt16(i, littleEndian)); break;
    case 'UL': for (let i = 0; i + 4 <= data.length; i += 4) out.push(view.getUint32(i, littleEndian)); break;
    case 'SL': for (let i = 0; i + 4 <= data.length; i += 4) out.push(view.getInt32(i, littleEndian)); break;
    case 'FL': for (let i = 0; i + 4 <= data.length; i += 4) out.push(view.getFloat32(i, littleEndian)); break;
    case 'FD': for (let i = 0; i + 8 <= data.length; i += 8) out.push(view.getFloat64(i, littleEndian)); break;
    case 'AT':
      for (let i = 0; i + 4 <= data.length; i += 4) out.push(((view.getUint16(i, littleEndian) << 16) | view.getUint16(i + 2, littleEndian)) >>> 0);
      break;
    default: break;
  }
  return out;
}

function swapped(data: Uint8Array, word: number): Uint8Array {
  const out = new Uint8Array(data.length);
  const whole = data.length - (data.length % word);
  for (let i = 0; i < whole; i += word) for (let k = 0; k < word; k++) out[i + k] = data[i + word - 1 - k]!;
  for (let i = whole; i < data.length; i++) out[i] = data[i]!;
  return out;
}

function decodeEncapsulated(ctx: DecodeContext, e: WalkedElement, vr: 'OB' | 'OW'): DataElement {
  const bytes = ctx.bytes;
  const tag = e.tag;
  const at = e.dataOffset;
  if (!(at + 8 <= bytes.length && bytes[at] === 0xfe && bytes[at + 1] === 0xff && bytes[at + 2] === 0x00 && bytes[at + 3] === 0xe0)) {
    throw new DicomError('CORE_MALFORMED', `encapsulated Pixel Data at byte ${at} does not start with an item (FFFE,E000)`, { offset: at, tag });
  }
  const botLength = (bytes[at + 4]! | (bytes[at + 5]! << 8) | (bytes[at + 6]! << 16) | (bytes[at + 7]! << 24)) >>> 0;
  if (at + 8 + botLength > bytes.length) throw truncated(tag, at + 8, botLength, bytes.length - at - 8);
  const basicOffsetTable = bytes.subarray(at + 8, at + 8 + botLength);
  const fragments = (e.fragments ?? []).map((f) => {
    if (f.position + f.length > bytes.length) throw truncated(tag, f.position, f.length, bytes.length - f.position);
    return bytes.subarray(f.position, f.position + f.length);
  });
  return { tag, vr, value: { basicOffsetTable, fragments }, encapsulated: true };
}
