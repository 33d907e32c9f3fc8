import type { EncapsulatedElement, EncapsulatedPixelData } from './dataset.js';
import { DicomError } from './errors.js';

/** Options for {@link encapsulatedFrames}. */
export interface EncapsulatedFramesOptions {
  /** The Extended Offset Table (7FE0,0001) value, when the data set has one: 64-bit offsets, used before the Basic Offset Table. */
  readonly extendedOffsetTable?: Uint8Array;
}

const PIXEL_DATA = 0x7fe00010;
const ITEM_HEADER = 8;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function malformed(message: string): DicomError {
  return new DicomError('CORE_MALFORMED', message, { tag: PIXEL_DATA });
}

/** Reads `count` little-endian offsets of `width` bytes. */
function readOffsets(table: Uint8Array, width: 4 | 8): number[] {
  if (table.length % width !== 0) throw malformed(`offset table length ${table.length} is not a multiple of ${width}`);
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const offsets: number[] = [];
  for (let at = 0; at < table.length; at += width) offsets.push(width === 4 ? view.getUint32(at, true) : Number(view.getBigUint64(at, true)));
  return offsets;
}

/** Groups fragments into frames from offsets measured from the first fragment item's tag (PS3.5 A.4). */
function framesFromOffsets(fragments: readonly Uint8Array[], offsets: readonly number[], numberOfFrames: number): Uint8Array[] {
  if (offsets.length !== numberOfFrames) throw malformed(`offset table has ${offsets.length} entries for ${numberOfFrames} frames`);
  const starts: number[] = [];
  let position = 0;
  for (const fragment of fragments) {
    starts.push(position);
    position += ITEM_HEADER + fragment.length;
  }
  const frames: Uint8Array[] = [];
  for (let frame = 0; frame < numberOfFrames; frame++) {
    const begin = offsets[frame]!;
    const end = frame + 1 < numberOfFrames ? offsets[frame + 1]! : Number.POSITIVE_INFINITY;
    if (end <= begin) throw malformed(`offset table entries are not increasing at frame ${frame + 1}`);
    const first = starts.indexOf(begin);
    if (first < 0) throw malformed(`offset ${begin} of frame ${frame + 1} does not point at a fragment`);
    const parts: Uint8Array[] = [];
    for (let i = first; i < fragments.length && starts[i]! < end; i++) parts.push(fragments[i]!);
    frames.push(concat(parts));
  }
  return frames;
}

/** True when a fragment begins a JPEG (SOI), JPEG 2000 codestream (SOC) or JP2 file: a frame's first fragment. */
function startsFrame(fragment: Uint8Array): boolean {
  if (fragment.length < 2) return false;
  if (fragment[0] === 0xff && (fragment[1] === 0xd8 || fragment[1] === 0x4f)) return true;
  return fragment.length >= 12 && fragment[4] === 0x6a && fragment[5] === 0x50 && fragment[6] === 0x20 && fragment[7] === 0x20;
}

/**
 * Splits encapsulated Pixel Data into its frames' compressed bytes (PS3.5 A.4): one frame takes every fragment;
 * otherwise frames follow the Extended Offset Table, else the Basic Offset Table, else one fragment per frame when
 * the counts match, else the fragments that begin with a JPEG / JPEG 2000 start marker. A frame spread over several
 * fragments is returned joined; a frame in one fragment is returned without copying. Throws CORE_MALFORMED when the
 * tables or fragments cannot be matched to `numberOfFrames` frames.
 */
export function encapsulatedFrames(element: EncapsulatedElement | EncapsulatedPixelData, numberOfFrames: number, options: EncapsulatedFramesOptions = {}): Uint8Array[] {
  const value = 'encapsulated' in element ? element.value : element;
  const fragments = value.fragments;
  if (!Number.isInteger(numberOfFrames) || numberOfFrames < 1) throw malformed(`number of frames ${numberOfFrames} is not a positive integer`);
  if (fragments.length === 0) throw malformed('encapsulated pixel data holds no fragments');
  if (numberOfFrames === 1) return [concat(fragments)];
  if (options.extendedOffsetTable !== undefined && options.extendedOffsetTable.length > 0) {
    return framesFromOffsets(fragments, readOffsets(options.extendedOffsetTable, 8), numberOfFrames);
  }
  if (value.basicOffsetTable.length > 0) return framesFromOffsets(fragments, readOffsets(value.basicOffsetTable, 4), numberOfFrames);
  if (fragments.length === numberOfFrames) return [...fragments];
  if (fragments.length < numberOfFrames) throw malformed(`${fragments.length} fragments cannot hold ${numberOfFrames} frames`);
  const frames: Uint8Array[][] = [];
  for (const fragment of fragments) {
    if (frames.length === 0 || startsFrame(fragment)) frames.push([fragment]);
    else frames[frames.length - 1]!.push(fragment);
  }
  if (frames.length !== numberOfFrames) throw malformed(`cannot tell where ${numberOfFrames} frames begin among ${fragments.length} fragments without an offset table`);
  return frames.map(concat);
}

/**
 * Builds encapsulated Pixel Data from compressed frames, one fragment per frame (padded to even length with a
 * zero byte) and a Basic Offset Table, as PS3.5 A.4 describes.
 */
export function encapsulateFrames(frames: readonly Uint8Array[]): EncapsulatedPixelData {
  const fragments = frames.map((frame) => {
    if (frame.length % 2 === 0) return frame;
    const padded = new Uint8Array(frame.length + 1);
    padded.set(frame);
    return padded;
  });
  const basicOffsetTable = new Uint8Array(4 * fragments.length);
  const view = new DataView(basicOffsetTable.buffer);
  let offset = 0;
  fragments.forEach((fragment, i) => {
    view.setUint32(4 * i, offset, true);
    offset += ITEM_HEADER + fragment.length;
  });
  return { basicOffsetTable, fragments };
}
