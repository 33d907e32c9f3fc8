// Turns the walked elements (value offsets, see _element-walk.ts) into our Dataset: chooses VRs (the dictionary for implicit VR),
// decodes values per VR, byte order and Specific Character Set, and checks every length against the data.
import type { IsSequenceTag, WalkedElement } from './_element-walk.js';
import { createCharsetContext, decodeText, type CharsetContext } from './_charset.js';
import type { DataElement, Dataset } from './dataset.js';
import { lookupTag } from './dictionary.js';
import { DicomError } from './errors.js';
import { describeTag } from './tag.js';
import { BIGINT, BYTES, KIND_OF_VR, NUMBER, SEQUENCE, TEXT } from './_vr-kind.js';
import { vrWordSize, type BigIntVr, type BytesVr, type NumberVr, type Vr } from './vr.js';

const PIXEL_DATA = 0x7fe00010;
const SPECIFIC_CHARACTER_SET = 0x00080005;
const PIXEL_REPRESENTATION = 0x00280103;

/**
 * Buffer's latin-1 slice, which `buffer.toString('latin1', start, end)` calls after checking its arguments. Node has
 * had it on every Buffer since v0.x, but it is not in @types/node; {@link latin1} falls back when it is missing.
 */
interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
}
const HAS_LATIN1_SLICE = typeof (Buffer.prototype as Partial<Latin1Buffer>).latin1Slice === 'function';

/** The bytes `[start, end)` of `buffer` as latin-1 text (for ASCII, the text itself). */
function latin1(buffer: Buffer, start: number, end: number): string {
  return HAS_LATIN1_SLICE ? (buffer as Latin1Buffer).latin1Slice(start, end) : buffer.toString('latin1', start, end);
}

export interface DecodeContext {
  readonly bytes: Uint8Array;
  /** `bytes` as a Buffer, for fast latin-1 decoding of ASCII text. */
  readonly buffer: Buffer;
  /** `bytes` as a DataView, for binary numbers. */
  readonly view: DataView;
  readonly charset: CharsetContext;
  readonly isSequenceTag: IsSequenceTag;
  /**
   * Text values are sliced out of one latin-1 string of the bytes around them, `window`, which starts at byte
   * `windowStart`: one decoding call per few kilobytes instead of one per value.
   */
  window: string;
  windowStart: number;
  /** Where windows end at the latest: the end of the bytes, or where a header-only read stopped. */
  textLimit: number;
}

export function createDecodeContext(bytes: Uint8Array): DecodeContext {
  return {
    bytes,
    buffer: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    charset: createCharsetContext(),
    isSequenceTag,
    window: '',
    windowStart: 0,
    textLimit: bytes.length,
  };
}

/**
 * Bytes decoded at once into a text window: a whole header, for most files. A value sliced out of a window keeps
 * the window alive (up to this size, never past where a header-only read stopped), as long as the data set lives.
 */
const WINDOW_BYTES = 8 * 1024;

/** The bytes `[start, end)` as latin-1 text, sliced out of the context's window (a new window when outside it). */
function latin1Text(ctx: DecodeContext, start: number, end: number): string {
  const from = start - ctx.windowStart;
  if (from < 0 || end - ctx.windowStart > ctx.window.length) {
    const windowEnd = Math.max(end, Math.min(ctx.textLimit, start + WINDOW_BYTES));
    ctx.window = latin1(ctx.buffer, start, windowEnd);
    ctx.windowStart = start;
    return ctx.window.slice(0, end - start);
  }
  return ctx.window.slice(from, end - ctx.windowStart);
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
  for (let i = 0; i < source.length; i++) {
    const e = source[i]!;
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

export function decodeElement(ctx: DecodeContext, e: WalkedElement, dataset: Dataset, charsets: readonly string[], explicitVR: boolean, littleEndian: boolean): DataElement {
  const bytes = ctx.bytes;
  const tag = e.tag;
  const length = e.length;
  const start = e.dataOffset;
  if (start + length > bytes.length) throw truncated(tag, start, length, bytes.length - start);
  let vr: Vr;
  let kind: number | undefined;
  if (explicitVR) {
    kind = e.vr === undefined ? undefined : KIND_OF_VR.get(e.vr);
    vr = kind === undefined ? 'UN' : (e.vr as Vr);
  } else {
    vr = implicitVr(tag, dataset);
  }
  if (e.fragments !== undefined) return decodeEncapsulated(ctx, e, vr === 'OW' ? 'OW' : 'OB');
  if (e.items !== undefined) {
    // An SQ, or a UN of undefined length holding implicit VR little endian items (CP-246).
    const itemsExplicit = e.implicitItems === true ? false : explicitVR;
    const itemsLittle = e.implicitItems === true ? true : littleEndian;
    const value: Dataset[] = [];
    for (const item of e.items) value.push(decodeDataset(ctx, item, charsets, itemsExplicit, itemsLittle));
    return { tag, vr: 'SQ', value };
  }
  kind = kind ?? KIND_OF_VR.get(vr) ?? BYTES;
  if (kind === TEXT) return decodeTextElement(ctx, tag, vr, start, length, charsets);
  if (kind === SEQUENCE) return { tag, vr: 'SQ', value: [] };
  const size = vrWordSize(vr);
  if ((kind === NUMBER || kind === BIGINT) && length % size !== 0) {
    vr = 'UN'; // a length that is not a whole number of values: keep the bytes rather than guess
    kind = BYTES;
  }
  if (kind === NUMBER) return { tag, vr: vr as NumberVr, value: readNumbers(ctx.view, start, length, vr, littleEndian) };
  if (kind === BIGINT) {
    const view = ctx.view;
    const value: bigint[] = [];
    for (let i = start; i + 8 <= start + length; i += 8) value.push(vr === 'SV' ? view.getBigInt64(i, littleEndian) : view.getBigUint64(i, littleEndian));
    return { tag, vr: vr as BigIntVr, value };
  }
  const data = bytes.subarray(start, start + length);
  const word = vr === 'UN' || vr === 'OB' ? 1 : size;
  return { tag, vr: vr as BytesVr, value: littleEndian || word === 1 ? data : swapped(data, word) };
}

/**
 * Latin-1 text that may need more than a slice: a backslash (a value delimiter), ESC (an ISO 2022 code extension)
 * or 0x80-0xFF (not ASCII). Most values have none of them: one test then settles both questions.
 */
const SPECIAL = /[\\\x1b\x80-\xff]/;
/** A byte of text that is not plain ASCII: ESC or 0x80-0xFF, as latin-1 characters. */
const NOT_ASCII = /[\x1b\x80-\xff]/;

function decodeTextElement(ctx: DecodeContext, tag: number, vr: Vr & string, start: number, length: number, charsets: readonly string[]): DataElement {
  const bytes = ctx.bytes;
  const end = start + length;
  // Trailing padding (spaces and NULs) is dropped from the bytes: in ASCII, the same as from the decoded text.
  let textEnd = end;
  while (textEnd > start && (bytes[textEnd - 1] === 0x20 || bytes[textEnd - 1] === 0x00)) textEnd--;
  let text = textEnd === start ? '' : latin1Text(ctx, start, textEnd);
  const textVr = vr as Extract<DataElement, { value: readonly string[] }>['vr'];
  if (!SPECIAL.test(text)) return { tag, vr: textVr, value: text === '' ? [] : [text] };
  let raw: Uint8Array | undefined;
  if (NOT_ASCII.test(text)) {
    raw = bytes.subarray(start, end);
    text = stripTrailing(decodeText(ctx.charset, raw, charsets, vr === 'PN'));
  }
  const value = text === '' ? [] : vr === 'LT' || vr === 'ST' || vr === 'UT' || vr === 'UR' || !text.includes('\\') ? [text] : text.split('\\');
  return raw !== undefined ? { tag, vr: textVr, value, raw, rawCharset: charsets.join('\\') } : { tag, vr: textVr, value };
}

/** The numbers of a number VR in `view[start, start + length)`. */
function readNumbers(view: DataView, start: number, length: number, vr: string, littleEndian: boolean): number[] {
  const out: number[] = [];
  const end = start + length;
  switch (vr) {
    case 'US': for (let i = start; i + 2 <= end; i += 2) out.push(view.getUint16(i, littleEndian)); break;
    case 'SS': for (let i = start; i + 2 <= end; i += 2) out.push(view.getInt16(i, littleEndian)); break;
    case 'UL': for (let i = start; i + 4 <= end; i += 4) out.push(view.getUint32(i, littleEndian)); break;
    case 'SL': for (let i = start; i + 4 <= end; i += 4) out.push(view.getInt32(i, littleEndian)); break;
    case 'FL': for (let i = start; i + 4 <= end; i += 4) out.push(view.getFloat32(i, littleEndian)); break;
    case 'FD': for (let i = start; i + 8 <= end; i += 8) out.push(view.getFloat64(i, littleEndian)); break;
    case 'AT':
      for (let i = start; i + 4 <= end; i += 4) out.push(((view.getUint16(i, littleEndian) << 16) | view.getUint16(i + 2, littleEndian)) >>> 0);
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
