// The walk over a data set's bytes (PS3.5 7.1 and 7.5): each element's header, where its value is and where it
// ends, the items of sequences, the fragments of encapsulated pixel data (PS3.5 A.4). Values are not decoded here
// (_decode-dataset.ts does that). The reader first drove dicom-parser (1.8.21) for element headers; it now reads them
// itself, which is faster and spares loading a CommonJS module, and keeps the behaviour the reader had then:
// sequences are walked item by item with a nesting limit, SV/UV/OV have a 32-bit length, an undefined-length UN
// holds implicit VR little endian items in any syntax (CP-246), private sequences keep their items in implicit VR.
import { DicomError } from './errors.js';
import { describeTag } from './tag.js';
import { hasLongHeader, VRS } from './vr.js';

/** One item of encapsulated pixel data after the Basic Offset Table. */
export interface Fragment {
  /** Where the item starts, counted from the first item after the Basic Offset Table. */
  readonly offset: number;
  /** Where the fragment's bytes start in the data. */
  readonly position: number;
  readonly length: number;
}

/** One element found by the walk: where its value is, and for a sequence its items' elements. */
export interface WalkedElement {
  readonly tag: number;
  /** The VR written in the data (explicit VR), or undefined (implicit VR). */
  readonly vr: string | undefined;
  readonly length: number;
  readonly dataOffset: number;
  /** A sequence's items, each the elements of one item, in order. */
  readonly items?: readonly WalkedElement[][];
  /** The items are implicit VR little endian whatever the syntax (an undefined-length UN, CP-246). */
  readonly implicitItems?: boolean;
  /** Encapsulated pixel data: the items after the Basic Offset Table. */
  readonly fragments?: readonly Fragment[];
}

/** Whether the data dictionary gives VR SQ to a tag: how the walk knows sequences in implicit VR. */
export type IsSequenceTag = (tag: number) => boolean;

/** Sequences nested deeper than this are refused (CORE_MALFORMED); real data sets nest a few levels. */
export const MAX_NESTING = 128;
const UNDEFINED = 0xffffffff;
const PIXEL_DATA = 0x7fe00010;
const ITEM = 0xfffee000;
const ITEM_DELIMITATION = 0xfffee00d;
const SEQUENCE_DELIMITATION = 0xfffee0dd;

/** Index of a VR's two upper-case letters in {@link VR_BY_CODE}: (first - 'A') * 26 + (second - 'A'). */
function vrCode(v0: number, v1: number): number {
  return (v0 - 0x41) * 26 + v1 - 0x41;
}
/** The VR strings of PS3.5 by {@link vrCode}. */
const VR_BY_CODE: readonly (string | undefined)[] = VRS.reduce<(string | undefined)[]>((table, vr) => {
  table[vrCode(vr.charCodeAt(0), vr.charCodeAt(1))] = vr;
  return table;
}, []);
/** By {@link vrCode}: whether the VR's explicit-VR header has a 32-bit length (PS3.5 7.1.2). */
const LONG_BY_CODE: readonly boolean[] = VR_BY_CODE.map((vr) => vr !== undefined && hasLongHeader(vr));

/** Two bytes that are not a VR, as text up to a NUL (as dicom-parser read them): kept only to be reported. */
function notAVr(v0: number, v1: number): string {
  return v0 === 0 ? '' : v1 === 0 ? String.fromCharCode(v0) : String.fromCharCode(v0, v1);
}

function u16(bytes: Uint8Array, at: number, little: boolean): number {
  return little ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!;
}
function u32(bytes: Uint8Array, at: number, little: boolean): number {
  return little
    ? (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0
    : ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}
function tagAt(bytes: Uint8Array, at: number, little: boolean): number {
  return ((u16(bytes, at, little) << 16) | u16(bytes, at + 2, little)) >>> 0;
}
/** True when the little-endian bytes at `at` are an Item or a Sequence Delimitation Item tag. */
function startsWithItem(bytes: Uint8Array, at: number): boolean {
  return at + 4 <= bytes.length && bytes[at] === 0xfe && bytes[at + 1] === 0xff && (bytes[at + 2] === 0x00 || bytes[at + 2] === 0xdd) && bytes[at + 3] === 0xe0;
}

/** How the walked data set is encoded. */
interface Encoding {
  readonly explicitVR: boolean;
  readonly littleEndian: boolean;
  readonly isSequenceTag: IsSequenceTag;
  /** Where the data ends (the end of `bytes`, of the file meta group, or of the item being walked). */
  readonly end: number;
}

/** Where the walk is: the next element's offset. One per walk, moved along by every read. */
interface Cursor {
  position: number;
}

const IMPLICIT_LITTLE = (isSequenceTag: IsSequenceTag, end: number): Encoding => ({ explicitVR: false, littleEndian: true, isSequenceTag, end });

/** Options of {@link walkDataSet}. */
export interface WalkOptions {
  readonly explicitVR: boolean;
  readonly littleEndian: boolean;
  /** Stop at the first of (7FE0,0008), (7FE0,0009), (7FE0,0010) at the top level. */
  readonly stopBeforePixelData: boolean;
  readonly isSequenceTag: IsSequenceTag;
}

/** A walked data set: its elements in the order found, and whether the walk stopped at pixel data. */
export interface Walked {
  readonly elements: WalkedElement[];
  readonly stoppedAtPixelData: boolean;
  /** Where the pixel data element the walk stopped at begins (its tag), when it stopped there. */
  readonly pixelDataAt?: number;
  /** Which pixel data element it stopped at: (7FE0,0010), (7FE0,0008) or (7FE0,0009). */
  readonly pixelDataTag?: number;
}

/**
 * Walks the data set in `bytes[start, end)`. Throws DicomError: CORE_TRUNCATED when the data ends inside an
 * element (naming the top-level element and its offset), CORE_MALFORMED when the encoding rules are broken.
 */
export function walkDataSet(bytes: Uint8Array, start: number, end: number, options: WalkOptions): Walked {
  const enc: Encoding = { explicitVR: options.explicitVR, littleEndian: options.littleEndian, isSequenceTag: options.isSequenceTag, end };
  const elements: WalkedElement[] = [];
  if (start >= end) return { elements, stoppedAtPixelData: false };
  const cursor: Cursor = { position: start };
  const little = enc.littleEndian;
  let at = start;
  try {
    while (cursor.position < end) {
      at = cursor.position;
      if (options.stopBeforePixelData && at + 4 <= end && u16(bytes, at, little) === 0x7fe0) {
        const element = u16(bytes, at + 2, little);
        if (element === 0x0010 || element === 0x0008 || element === 0x0009) return { elements, stoppedAtPixelData: true, pixelDataAt: at, pixelDataTag: (0x7fe00000 | element) >>> 0 };
      }
      elements.push(readElement(bytes, cursor, enc, 0));
    }
    if (cursor.position > end) throw overrun(bytes, cursor.position, `it declares ${cursor.position - at} bytes with its header but only ${end - at} remain`);
  } catch (thrown) {
    throw failure(thrown, bytes, at, enc);
  }
  return { elements, stoppedAtPixelData: false };
}

/**
 * Walks the one element whose tag is at `at` (and, for a sequence, all its items), which must end by `end`.
 * Throws as {@link walkDataSet} does.
 */
export function walkOneElement(bytes: Uint8Array, at: number, end: number, options: Omit<WalkOptions, 'stopBeforePixelData'>): WalkedElement {
  const enc: Encoding = { explicitVR: options.explicitVR, littleEndian: options.littleEndian, isSequenceTag: options.isSequenceTag, end };
  const cursor: Cursor = { position: at };
  try {
    const element = readElement(bytes, cursor, enc, 0);
    if (cursor.position > end) throw overrun(bytes, cursor.position, `it declares ${cursor.position - at} bytes with its header but only ${end - at} remain`);
    return element;
  } catch (thrown) {
    throw failure(thrown, bytes, at, enc);
  }
}

/** Reads one element at the cursor (and, for a sequence, all its items) and moves the cursor past it. */
function readElement(bytes: Uint8Array, cursor: Cursor, enc: Encoding, depth: number): WalkedElement {
  const at = cursor.position;
  if (at + 8 > enc.end) throw overrun(bytes, at + 8, `the header of the element at byte ${at} does not fit before byte ${enc.end}`);
  const little = enc.littleEndian;
  // The tag, read inline: this runs once per element, often before the engine has optimized anything.
  const tag = little
    ? ((bytes[at + 1]! << 24) | (bytes[at]! << 16) | (bytes[at + 3]! << 8) | bytes[at + 2]!) >>> 0
    : ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  if (tag >>> 16 === 0xfffe) {
    // A stray item or delimitation item at the top level (some writers leave one after a sequence): it has no VR
    // in any syntax; step over it (and its content, if it has a length) and let the decoder drop it. Inside an
    // item it would end structures this walk cannot guess: malformed.
    if (depth > 0) throw malformed(`unexpected ${describeTag(tag)} at byte ${at} inside an item`);
    const length = u32(bytes, at + 4, little);
    cursor.position = at + 8 + (length === UNDEFINED ? 0 : length);
    return { tag, vr: undefined, length: 0, dataOffset: at + 8 };
  }
  if (enc.explicitVR) {
    const v0 = bytes[at + 4]!;
    const v1 = bytes[at + 5]!;
    const code = v0 >= 0x41 && v0 <= 0x5a && v1 >= 0x41 && v1 <= 0x5a ? vrCode(v0, v1) : -1;
    const known = code < 0 ? undefined : VR_BY_CODE[code];
    if (known === undefined || LONG_BY_CODE[code] !== true) {
      // A 16-bit length (PS3.5 Table 7.1-2), which cannot be undefined; what is not a VR is read the same way.
      const length = little ? bytes[at + 6]! | (bytes[at + 7]! << 8) : (bytes[at + 6]! << 8) | bytes[at + 7]!;
      cursor.position = at + 8 + length;
      return { tag, vr: known ?? notAVr(v0, v1), length, dataOffset: at + 8 };
    }
    const vr = known;
    const sq = vr === 'SQ';
    const un = vr === 'UN';
    if (sq || un || vr === 'SV' || vr === 'UV' || vr === 'OV') {
      if (at + 12 > enc.end) throw overrun(bytes, at + 12, `the header of the element at byte ${at} does not fit before byte ${enc.end}`);
      const length = u32(bytes, at + 8, little);
      if (sq || (un && length === UNDEFINED && tag !== PIXEL_DATA)) {
        // CP-246: an undefined-length UN holds implicit VR little endian items, whatever the transfer syntax.
        const itemEnc = sq ? enc : IMPLICIT_LITTLE(enc.isSequenceTag, enc.end);
        const read = readSequence(bytes, cursor, tag, at + 12, length, itemEnc, depth + 1);
        cursor.position = read.end;
        return { tag, vr, length: read.length, dataOffset: at + 12, items: read.items, implicitItems: un };
      }
      if (length === UNDEFINED && !un) throw malformed(`element ${describeTag(tag)} at byte ${at} has VR ${vr} and undefined length`);
      if (length !== UNDEFINED) {
        cursor.position = at + 12 + length;
        return { tag, vr, length, dataOffset: at + 12 };
      }
      // Encapsulated Pixel Data mislabelled UN: read as fragments below.
    } else if (at + 12 > bytes.length) {
      throw cut(`the header of the element at byte ${at} does not fit before the end of the data at byte ${bytes.length}`);
    }
    const length = u32(bytes, at + 8, little);
    if (length !== UNDEFINED) {
      cursor.position = at + 12 + length;
      return { tag, vr, length, dataOffset: at + 12 };
    }
    if (tag !== PIXEL_DATA) throw malformed(`element ${describeTag(tag)} at byte ${at} has VR ${vr} and undefined length`);
    return readEncapsulated(bytes, cursor, tag, vr, at + 12, little);
  }
  const length = u32(bytes, at + 4, true);
  if ((length === UNDEFINED && startsWithItem(bytes, at + 8)) || enc.isSequenceTag(tag)) {
    const read = readSequence(bytes, cursor, tag, at + 8, length, enc, depth + 1);
    cursor.position = read.end;
    return { tag, vr: undefined, length: read.length, dataOffset: at + 8, items: read.items };
  }
  if (length === UNDEFINED) throw malformed(`element ${describeTag(tag)} at byte ${at} has undefined length but is not a sequence`);
  cursor.position = at + 8 + length;
  return { tag, vr: undefined, length, dataOffset: at + 8 };
}

/**
 * Reads the items of undefined-length Pixel Data whose value starts at `dataOffset` (PS3.5 A.4): the Basic
 * Offset Table item, then fragments up to the Sequence Delimitation Item, which may be missing only in data
 * that was cut (CORE_TRUNCATED). Anything but an item in between is CORE_MALFORMED.
 */
function readEncapsulated(bytes: Uint8Array, cursor: Cursor, tag: number, vr: string, dataOffset: number, little: boolean): WalkedElement {
  const size = bytes.length;
  const headerCut = (): Cut => cut(`the Basic Offset Table item header at byte ${dataOffset} does not fit before the end of the data at byte ${size}`);
  if (dataOffset + 4 > size) throw headerCut();
  if (tagAt(bytes, dataOffset, little) !== ITEM) throw malformed(`encapsulated pixel data at byte ${dataOffset} does not start with an item (FFFE,E000) holding the Basic Offset Table`);
  if (dataOffset + 8 > size) throw headerCut();
  const tableLength = u32(bytes, dataOffset + 4, little);
  // The table is whole 32-bit offsets: a length that is not a multiple of 4 is read as the next multiple of 4.
  const base = dataOffset + 8 + Math.ceil(tableLength / 4) * 4;
  if (base > size) throw cut(`the Basic Offset Table at byte ${dataOffset + 8} declares ${tableLength} bytes but only ${size - dataOffset - 8} remain`);
  const fragments: Fragment[] = [];
  let position = base;
  while (position < size) {
    if (position + 8 > size) throw cut(`the item header at byte ${position} of encapsulated pixel data does not fit before the end of the data at byte ${size}`);
    const itemTag = tagAt(bytes, position, little);
    const length = u32(bytes, position + 4, little);
    position += 8;
    if (itemTag === SEQUENCE_DELIMITATION) {
      cursor.position = position + length;
      return { tag, vr, length: cursor.position - dataOffset, dataOffset, fragments };
    }
    if (itemTag !== ITEM) throw malformed(`encapsulated pixel data holds ${describeTag(itemTag)} at byte ${position - 8} where an item or the sequence delimitation item belongs`);
    fragments.push({ offset: position - base - 8, position, length });
    position += length;
  }
  throw cut('encapsulated pixel data has no sequence delimitation item');
}

/** A sequence's items, the length of its value (items only) and where the element ends. */
interface ReadSequence {
  readonly items: WalkedElement[][];
  readonly length: number;
  readonly end: number;
}

/**
 * Reads the items of a sequence whose value starts at `offset` (`length` bytes, or up to its Sequence
 * Delimitation Item), the elements inside each with {@link readElement}.
 */
function readSequence(bytes: Uint8Array, cursor: Cursor, tag: number, offset: number, length: number, enc: Encoding, depth: number): ReadSequence {
  if (depth > MAX_NESTING) throw malformed(`sequences are nested more than ${MAX_NESTING} levels deep at byte ${offset}`);
  const undefinedLength = length === UNDEFINED;
  const end = undefinedLength ? enc.end : offset + length;
  if (end > enc.end) throw overrun(bytes, end, `sequence ${describeTag(tag)} at byte ${offset} declares ${length} bytes but only ${enc.end - offset} remain`);
  const items: WalkedElement[][] = [];
  const little = enc.littleEndian;
  let at = offset;
  while (at < end) {
    if (at + 8 > end) throw overrun(bytes, at + 8, `the item header at byte ${at} of ${describeTag(tag)} does not fit before byte ${end}`);
    const itemTag = tagAt(bytes, at, little);
    if (undefinedLength && itemTag === SEQUENCE_DELIMITATION) return { items, length: at - offset, end: at + 8 };
    if (itemTag !== ITEM) throw malformed(`expected an item (FFFE,E000) in ${describeTag(tag)} at byte ${at}, found ${describeTag(itemTag)}`);
    const itemLength = u32(bytes, at + 4, little);
    const itemStart = at + 8;
    const itemEnd = itemLength === UNDEFINED ? end : itemStart + itemLength;
    if (itemEnd > end) throw overrun(bytes, itemEnd, `the item at byte ${at} of ${describeTag(tag)} declares ${itemLength} bytes but only ${end - itemStart} remain`);
    const elements: WalkedElement[] = [];
    const itemEnc: Encoding = { ...enc, end: itemEnd };
    let closed = itemLength !== UNDEFINED;
    cursor.position = itemStart;
    while (cursor.position < itemEnd) {
      const elementAt = cursor.position;
      if (!closed && elementAt + 8 <= itemEnd && tagAt(bytes, elementAt, little) === ITEM_DELIMITATION) {
        cursor.position = elementAt + 8;
        closed = true;
        break;
      }
      elements.push(readElement(bytes, cursor, itemEnc, depth));
    }
    if (!closed) throw overrun(bytes, end + 1, `no item delimitation item before byte ${end} for the item at byte ${at} of ${describeTag(tag)}`);
    if (cursor.position > itemEnd) throw overrun(bytes, cursor.position, `an element in the item at byte ${at} of ${describeTag(tag)} runs past the item's end`);
    items.push(elements);
    at = cursor.position;
  }
  if (undefinedLength) throw overrun(bytes, end + 1, `no sequence delimitation item before byte ${end} for ${describeTag(tag)} at byte ${offset}`);
  return { items, length: at - offset, end: at };
}

/** An internal marker for "the data ended": {@link failure} names the top-level element it happened in. */
class Cut extends Error {}
function cut(message: string): Cut {
  return new Cut(message);
}
/** A value that runs past `limit`: truncation when it runs past the data itself, malformed otherwise. */
function overrun(bytes: Uint8Array, declaredEnd: number, message: string): Error {
  return declaredEnd > bytes.length ? cut(message) : malformed(message);
}
function malformed(message: string): DicomError {
  return new DicomError('CORE_MALFORMED', `malformed data set: ${message}`);
}

/**
 * Turns what went wrong while reading the top-level element at `at` into a DicomError: the end of the data
 * inside it is truncation. Anything else is returned unchanged: it is a bug, not a property of the input.
 */
function failure(thrown: unknown, bytes: Uint8Array, at: number, enc: Encoding): unknown {
  if (!(thrown instanceof Cut)) return thrown;
  const tag = at + 4 <= bytes.length ? tagAt(bytes, at, enc.littleEndian) : undefined;
  const element = tag !== undefined ? `element ${describeTag(tag)} at byte ${at}` : `the element at byte ${at}`;
  return new DicomError('CORE_TRUNCATED', `truncated: ${element}: ${thrown.message}`, { offset: at, ...(tag !== undefined ? { tag } : {}) });
}
