// The slice of dicom-parser (1.8.21) that the reader drives, typed here because the package's own declarations
// do not match its runtime exports (DataSet is a class at run time), and the walk around it. dicom-parser reads
// each element's header and finds the end of its value (encapsulated pixel data included); sequences are walked
// here, item by item, because dicom-parser's own sequence reading recurses without limit, reads SV/UV/OV with a
// 16-bit length, reads an undefined-length UN in big endian files with the wrong byte order, drops the items of
// private sequences in implicit VR, and fails at the end of the data with a TypeError. Its failures (thrown
// strings) become DicomErrors here.
import dicomParserModule from 'dicom-parser';
import { DicomError } from './errors.js';
import { describeTag } from './tag.js';

export interface DpFragment {
  readonly offset: number;
  readonly position: number;
  readonly length: number;
}
/** An element as dicom-parser returns it. */
interface DpElement {
  tag: string;
  vr?: string;
  length: number;
  dataOffset: number;
  hadUndefinedLength?: boolean;
  encapsulatedPixelData?: boolean;
  fragments?: DpFragment[];
}
interface DpItem {
  readonly tag: string;
  readonly length: number;
  readonly dataOffset: number;
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
  readonly fragments?: readonly DpFragment[];
}

interface DpByteStream {
  position: number;
  warnings: string[];
  byteArray: Uint8Array;
}
interface DpParser {
  readonly __parser: true;
}
/** Whether the data dictionary gives VR SQ to a tag: how the walk knows sequences in implicit VR. */
export type IsSequenceTag = (tag: number) => boolean;

interface DicomParserApi {
  ByteStream: new (parser: DpParser, bytes: Uint8Array, position: number) => DpByteStream;
  littleEndianByteArrayParser: DpParser;
  bigEndianByteArrayParser: DpParser;
  readDicomElementExplicit(stream: DpByteStream, warnings?: string[], untilTag?: string): DpElement;
  readDicomElementImplicit(stream: DpByteStream, untilTag?: string, vrCallback?: (tag: string) => string | undefined): DpElement;
  readSequenceItem(stream: DpByteStream): DpItem;
}

const dp = dicomParserModule as unknown as DicomParserApi;

/** Sequences nested deeper than this are refused (CORE_MALFORMED); real data sets nest a few levels. */
export const MAX_NESTING = 128;
const UNDEFINED = 0xffffffff;
const PIXEL_DATA = 0x7fe00010;
const ITEM = 0xfffee000;
const ITEM_DELIMITATION = 0xfffee00d;
const SEQUENCE_DELIMITATION = 0xfffee0dd;

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
  readonly parser: DpParser;
  readonly isSequenceTag: IsSequenceTag;
  /** Where the data ends (the end of `bytes`, or of the file meta group). */
  readonly end: number;
}

const IMPLICIT_LITTLE = (isSequenceTag: IsSequenceTag, end: number): Encoding => ({ explicitVR: false, littleEndian: true, parser: dp.littleEndianByteArrayParser, isSequenceTag, end });

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
}

/**
 * Walks the data set in `bytes[start, end)`. Throws DicomError: CORE_TRUNCATED when the data ends inside an
 * element (naming the top-level element and its offset), CORE_MALFORMED when the encoding rules are broken.
 */
export function walkDataSet(bytes: Uint8Array, start: number, end: number, options: WalkOptions): Walked {
  const parser = options.littleEndian ? dp.littleEndianByteArrayParser : dp.bigEndianByteArrayParser;
  const enc: Encoding = { explicitVR: options.explicitVR, littleEndian: options.littleEndian, parser, isSequenceTag: options.isSequenceTag, end };
  const elements: WalkedElement[] = [];
  if (start >= end) return { elements, stoppedAtPixelData: false };
  const stream = new dp.ByteStream(parser, bytes, start);
  let at = start;
  try {
    while (stream.position < end) {
      at = stream.position;
      if (options.stopBeforePixelData && at + 4 <= end && u16(bytes, at, enc.littleEndian) === 0x7fe0) {
        const element = u16(bytes, at + 2, enc.littleEndian);
        if (element === 0x0010 || element === 0x0008 || element === 0x0009) return { elements, stoppedAtPixelData: true };
      }
      elements.push(readElement(bytes, stream, enc, 0));
    }
    if (stream.position > end) throw overrun(bytes, stream.position, `it declares ${stream.position - at} bytes with its header but only ${end - at} remain`);
    checkWarnings(stream.warnings);
  } catch (thrown) {
    throw failure(thrown, bytes, at, enc);
  }
  return { elements, stoppedAtPixelData: false };
}

/** Reads one element at the stream's position (and, for a sequence, all its items) and moves past it. */
function readElement(bytes: Uint8Array, stream: DpByteStream, enc: Encoding, depth: number): WalkedElement {
  const at = stream.position;
  if (at + 8 > enc.end) throw overrun(bytes, at + 8, `the header of the element at byte ${at} does not fit before byte ${enc.end}`);
  const little = enc.littleEndian;
  const tag = tagAt(bytes, at, little);
  if (tag >>> 16 === 0xfffe) {
    // A stray item or delimitation item at the top level (some writers leave one after a sequence): it has no VR
    // in any syntax; step over it (and its content, if it has a length) and let the decoder drop it. Inside an
    // item it would end structures this walk cannot guess: malformed.
    if (depth > 0) throw malformed(`unexpected ${describeTag(tag)} at byte ${at} inside an item`);
    const length = u32(bytes, at + 4, little);
    stream.position = at + 8 + (length === UNDEFINED ? 0 : length);
    return { tag, vr: undefined, length: 0, dataOffset: at + 8 };
  }
  if (enc.explicitVR) {
    const v0 = bytes[at + 4]!;
    const v1 = bytes[at + 5]!;
    const sq = v0 === 0x53 && v1 === 0x51;
    const un = v0 === 0x55 && v1 === 0x4e;
    // SV, UV and OV have a 32-bit length (PS3.5 7.1.2), which dicom-parser does not know.
    const long64 = (v0 === 0x53 || v0 === 0x55 || v0 === 0x4f) && v1 === 0x56;
    if (sq || un || long64) {
      if (at + 12 > enc.end) throw overrun(bytes, at + 12, `the header of the element at byte ${at} does not fit before byte ${enc.end}`);
      const length = u32(bytes, at + 8, little);
      const vr = String.fromCharCode(v0, v1);
      if (sq || (un && length === UNDEFINED && tag !== PIXEL_DATA)) {
        // CP-246: an undefined-length UN holds implicit VR little endian items, whatever the transfer syntax.
        const itemEnc = sq ? enc : IMPLICIT_LITTLE(enc.isSequenceTag, enc.end);
        const read = readSequence(bytes, tag, at + 12, length, itemEnc, depth + 1);
        stream.position = read.end;
        return { tag, vr, length: read.length, dataOffset: at + 12, items: read.items, implicitItems: un };
      }
      if (length === UNDEFINED && !un) throw malformed(`element ${describeTag(tag)} at byte ${at} has VR ${vr} and undefined length`);
      if (length !== UNDEFINED) {
        stream.position = at + 12 + length;
        return { tag, vr, length, dataOffset: at + 12 };
      }
      // Encapsulated Pixel Data mislabelled UN: dicom-parser finds its fragments below.
    }
    const element = dp.readDicomElementExplicit(stream, stream.warnings);
    if (element.hadUndefinedLength === true && element.encapsulatedPixelData !== true) {
      throw malformed(`element ${describeTag(tag)} at byte ${at} has VR ${element.vr ?? '??'} and undefined length`);
    }
    return element.encapsulatedPixelData === true
      ? { tag, vr: element.vr, length: element.length, dataOffset: element.dataOffset, fragments: element.fragments ?? [] }
      : { tag, vr: element.vr, length: element.length, dataOffset: element.dataOffset };
  }
  const length = u32(bytes, at + 4, true);
  if ((length === UNDEFINED && startsWithItem(bytes, at + 8)) || enc.isSequenceTag(tag)) {
    const read = readSequence(bytes, tag, at + 8, length, enc, depth + 1);
    stream.position = read.end;
    return { tag, vr: undefined, length: read.length, dataOffset: at + 8, items: read.items };
  }
  if (length === UNDEFINED) throw malformed(`element ${describeTag(tag)} at byte ${at} has undefined length but is not a sequence`);
  // Not a sequence (decided above): telling dicom-parser so keeps it from guessing one from the value's bytes.
  const element = dp.readDicomElementImplicit(stream, undefined, NOT_A_SEQUENCE);
  return { tag, vr: undefined, length: element.length, dataOffset: element.dataOffset };
}

const NOT_A_SEQUENCE = (): string => 'UN';

/** A sequence's items, the length of its value (items only) and where the element ends. */
interface ReadSequence {
  readonly items: WalkedElement[][];
  readonly length: number;
  readonly end: number;
}

/**
 * Reads the items of a sequence whose value starts at `offset` (`length` bytes, or up to its Sequence
 * Delimitation Item). Item headers are read with dicom-parser; the elements inside with {@link readElement}.
 */
function readSequence(bytes: Uint8Array, tag: number, offset: number, length: number, enc: Encoding, depth: number): ReadSequence {
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
    const stream = new dp.ByteStream(enc.parser, bytes, at);
    const item = dp.readSequenceItem(stream);
    const itemStart = item.dataOffset;
    const itemEnd = item.length === UNDEFINED ? end : itemStart + item.length;
    if (itemEnd > end) throw overrun(bytes, itemEnd, `the item at byte ${at} of ${describeTag(tag)} declares ${item.length} bytes but only ${end - itemStart} remain`);
    const elements: WalkedElement[] = [];
    const itemEnc: Encoding = { ...enc, end: itemEnd };
    let closed = item.length !== UNDEFINED;
    while (stream.position < itemEnd) {
      const elementAt = stream.position;
      if (!closed && elementAt + 8 <= itemEnd && tagAt(bytes, elementAt, little) === ITEM_DELIMITATION) {
        stream.position = elementAt + 8;
        closed = true;
        break;
      }
      elements.push(readElement(bytes, stream, itemEnc, depth));
    }
    checkWarnings(stream.warnings);
    if (!closed) throw overrun(bytes, end + 1, `no item delimitation item before byte ${end} for the item at byte ${at} of ${describeTag(tag)}`);
    if (stream.position > itemEnd) throw overrun(bytes, stream.position, `an element in the item at byte ${at} of ${describeTag(tag)} runs past the item's end`);
    items.push(elements);
    at = stream.position;
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

/** dicom-parser reports the end of the data inside encapsulated pixel data as warnings. */
function checkWarnings(warnings: readonly string[]): void {
  for (const warning of warnings) {
    if (/missing sequence delimiter/i.test(warning)) throw cut(`encapsulated pixel data has no sequence delimitation item`);
    if (/unexpected tag/i.test(warning)) throw malformed(`encapsulated pixel data holds something other than items: ${warning}`);
  }
}

/**
 * Turns what went wrong while reading the top-level element at `at` into a DicomError. dicom-parser's own errors
 * are strings; reading past the end of the data is truncation. Anything else is returned unchanged: it is a bug,
 * not a property of the input.
 */
function failure(thrown: unknown, bytes: Uint8Array, at: number, enc: Encoding): unknown {
  if (thrown instanceof DicomError) return thrown;
  const tag = at + 4 <= bytes.length ? tagAt(bytes, at, enc.littleEndian) : undefined;
  const details = { offset: at, ...(tag !== undefined ? { tag } : {}) };
  const element = tag !== undefined ? `element ${describeTag(tag)} at byte ${at}` : `the element at byte ${at}`;
  let message: string;
  let truncated: boolean;
  if (thrown instanceof Cut) {
    message = thrown.message;
    truncated = true;
  } else if (typeof thrown === 'string') {
    message = thrown.replace(/^dicomParser[.:][\w.]+:? ?-? ?/, '');
    truncated = /past end|overrun|overread/i.test(thrown);
  } else if (thrown instanceof TypeError && /warnings is not a function/.test(thrown.message)) {
    // dicom-parser calls its warnings list as a function on an item delimiter with a non-zero length.
    message = 'an item delimitation item has a non-zero length';
    truncated = false;
  } else {
    return thrown;
  }
  if (truncated) return new DicomError('CORE_TRUNCATED', `truncated: ${element}: ${message}`, details);
  return new DicomError('CORE_MALFORMED', `malformed data set: ${element}: ${message}`, details);
}
