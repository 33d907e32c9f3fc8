// Turns dicom-parser's element offsets into our Dataset: chooses VRs (the dictionary for implicit VR),
// decodes values per VR, byte order and Specific Character Set, and checks every length against the data.
import { dp, type DpDataSet, type DpElement } from './_dicom-parser.js';
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
  readonly explicitVR: boolean;
  readonly littleEndian: boolean;
  readonly charset: CharsetContext;
  readonly vrCallback: (tag: string) => string | undefined;
}

export function createDecodeContext(bytes: Uint8Array, explicitVR: boolean, littleEndian: boolean): DecodeContext {
  return { bytes, explicitVR, littleEndian, charset: createCharsetContext(), vrCallback: implicitVrCallback };
}

/** VR to tell dicom-parser for implicit-VR data: only whether the dictionary says SQ matters to it. */
function implicitVrCallback(tag: string): string | undefined {
  const info = lookupTag(parseInt(tag.slice(1), 16) >>> 0);
  return info === undefined || info.vr === 'NONE' ? undefined : info.vr;
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

function stripTrailing(text: string, vr: string): string {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c === 0x20 || c === 0x00) end--;
    else break;
  }
  if (vr === 'UT' || vr === 'LT' || vr === 'ST' || vr === 'UR') return text.slice(0, end);
  return text.slice(0, end);
}

/** Converts one dicom-parser data set (top level or item) into a Dataset. */
export function decodeDataset(ctx: DecodeContext, source: DpDataSet, charsets: readonly string[], explicitVR: boolean, littleEndian: boolean): Dataset {
  const dataset: Dataset = { elements: new Map() };
  let currentCharsets = charsets;
  for (const key in source.elements) {
    const e = source.elements[key]!;
    const tag = parseInt(e.tag.slice(1), 16) >>> 0;
    if (tag >>> 16 === 0xfffe) continue; // item and delimitation tags are structure, not data
    const element = decodeElement(ctx, e, tag, dataset, currentCharsets, explicitVR, littleEndian);
    dataset.elements.set(tag, element);
    if (tag === SPECIFIC_CHARACTER_SET && element.vr === 'CS') {
      currentCharsets = element.value.length > 0 ? element.value.map((v) => v.trim()) : [''];
    }
  }
  return dataset;
}

function decodeElement(ctx: DecodeContext, e: DpElement, tag: number, dataset: Dataset, charsets: readonly string[], explicitVR: boolean, littleEndian: boolean): DataElement {
  const bytes = ctx.bytes;
  const length = e.length === 0xffffffff ? 0 : e.length;
  if (e.dataOffset > bytes.length || e.dataOffset + length > bytes.length) {
    throw truncated(tag, e.dataOffset, length, bytes.length - e.dataOffset);
  }
  let vr: Vr = explicitVR ? (e.vr !== undefined && isVr(e.vr) ? e.vr : 'UN') : implicitVr(tag, dataset);

  if (tag === PIXEL_DATA && e.encapsulatedPixelData) {
    return decodeEncapsulated(ctx, e, tag, vr === 'OW' ? 'OW' : 'OB');
  }
  let items = e.items;
  if (items === undefined && e.hadUndefinedLength && !explicitVR && vr !== 'SQ' && startsWithItem(bytes, e.dataOffset)) {
    // dicom-parser parses private implicit-VR sequences of undefined length but drops their items: parse again.
    const stream = new dp.ByteStream(dp.littleEndianByteArrayParser, bytes, e.dataOffset);
    const again: DpElement = { tag: e.tag, length: 0xffffffff, dataOffset: e.dataOffset };
    dp.readSequenceItemsImplicit(stream, again, ctx.vrCallback);
    items = again.items;
  }
  if (items !== undefined) {
    // An SQ, or a UN of undefined length holding implicit little-endian items (CP-246).
    const itemsExplicit = vr === 'SQ' ? explicitVR : false;
    const itemsLittle = vr === 'SQ' ? littleEndian : true;
    const value: Dataset[] = [];
    for (const item of items) {
      if (item.dataSet === undefined) continue;
      value.push(decodeDataset(ctx, item.dataSet, charsets, itemsExplicit, itemsLittle));
    }
    return { tag, vr: 'SQ', value };
  }
  if (vr === 'SQ') {
    // Declared SQ without items parsed (e.g. empty): an empty sequence.
    return { tag, vr: 'SQ', value: [] };
  }
  const data = bytes.subarray(e.dataOffset, e.dataOffset + length);
  if (isTextVr(vr)) {
    return decodeTextElement(ctx, tag, vr, data, charsets);
  }
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

function startsWithItem(bytes: Uint8Array, offset: number): boolean {
  return offset + 4 <= bytes.length && bytes[offset] === 0xfe && bytes[offset + 1] === 0xff && (bytes[offset + 2] === 0x00 || bytes[offset + 2] === 0xdd) && bytes[offset + 3] === 0xe0;
}

function decodeTextElement(ctx: DecodeContext, tag: number, vr: Vr & string, data: Uint8Array, charsets: readonly string[]): DataElement {
  let nonAscii = false;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b >= 0x80 || b === 0x1b) { nonAscii = true; break; }
  }
  const text = nonAscii ? decodeText(ctx.charset, data, charsets, vr === 'PN') : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
  const stripped = stripTrailing(text, vr);
  const value = stripped === '' ? [] : isSingleValuedTextVr(vr) ? [stripped] : stripped.split('\\');
  const textVr = vr as Extract<DataElement, { value: readonly string[] }>['vr'];
  return nonAscii ? { tag, vr: textVr, value, raw: data, rawCharset: charsets.join('\\') } : { tag, vr: textVr, value };
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

function decodeEncapsulated(ctx: DecodeContext, e: DpElement, tag: number, vr: 'OB' | 'OW'): DataElement {
  const bytes = ctx.bytes;
  const at = e.dataOffset;
  if (!(at + 8 <= bytes.length && bytes[at] === 0xfe && bytes[at + 1] === 0xff && bytes[at + 2] === 0x00 && bytes[at + 3] === 0xe0)) {
    throw new DicomError('CORE_MALFORMED', `encapsulated Pixel Data at byte ${at} does not start with an item (FFFE,E000)`, { offset: at, tag });
  }
  const botLength = new DataView(bytes.buffer, bytes.byteOffset + at + 4, 4).getUint32(0, true);
  if (at + 8 + botLength > bytes.length) throw truncated(tag, at + 8, botLength, bytes.length - at - 8);
  const basicOffsetTable = bytes.subarray(at + 8, at + 8 + botLength);
  const fragments = (e.fragments ?? []).map((f) => {
    if (f.position + f.length > bytes.length) throw truncated(tag, f.position, f.length, bytes.length - f.position);
    return bytes.subarray(f.position, f.position + f.length);
  });
  return { tag, vr, value: { basicOffsetTable, fragments }, encapsulated: true };
}
