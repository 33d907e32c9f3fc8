import { randomUUID } from 'node:crypto';
import { isEncapsulated, type DataElement, type Dataset, type DicomFile } from './dataset.js';
import { encapsulatedFrames, encapsulateFrames } from './encapsulated-frames.js';
import { DicomError } from './errors.js';
import { describePixels, nativeFrameSize, pixelDataElement } from './pixel-description.js';

const SOP_INSTANCE_UID = 0x00080018;
const NUMBER_OF_FRAMES = 0x00280008;
const FRAME_INCREMENT_POINTER = 0x00280009;
const SHARED_GROUPS = 0x52009229;
const PER_FRAME_GROUPS = 0x52009230;
const FRAME_CONTENT = 0x00209111;
const EXTENDED_OFFSET_TABLE = 0x7fe00001;
const EXTENDED_OFFSET_TABLE_LENGTHS = 0x7fe00002;

/** Options for {@link splitFrames}. */
export interface SplitFramesOptions {
  /** Zero-based indexes of the frames to extract (default: all), in the order wanted. */
  readonly frames?: readonly number[];
  /** Makes the SOP Instance UID of the instance for frame `index` (default: a new 2.25 UUID-derived UID). */
  readonly sopInstanceUid?: (index: number) => string;
}

/** A fresh UID under the 2.25 root (PS3.5 B.2): the decimal value of a random UUID. */
export function randomUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`;
}

/** The bytes of native frame `index` (bit-packed frames of Bits Allocated 1 re-packed from bit 0). */
function nativeFrameBytes(value: Uint8Array, size: number, bitsAllocated: number, index: number): Uint8Array {
  if (bitsAllocated !== 1) return padEven(value.slice(size * index, size * (index + 1)));
  const out = new Uint8Array(Math.ceil(size / 8));
  for (let i = 0; i < size; i++) {
    const bit = size * index + i;
    if ((value[bit >> 3]! >> (bit & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
  }
  return padEven(out);
}

function padEven(bytes: Uint8Array): Uint8Array {
  if (bytes.length % 2 === 0) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/** Shared functional groups with frame `index`'s per-frame macros folded in; the per-frame sequence keeps its Frame Content. */
function foldFunctionalGroups(dataset: Dataset, index: number, put: (e: DataElement) => void): void {
  const perFrame = dataset.elements.get(PER_FRAME_GROUPS);
  if (perFrame?.vr !== 'SQ') return;
  const frameItem = perFrame.value[index];
  if (frameItem === undefined) throw new DicomError('CORE_INVALID_VALUE', `Per-frame Functional Groups Sequence has no item for frame ${index + 1}`, { tag: PER_FRAME_GROUPS });
  const shared = dataset.elements.get(SHARED_GROUPS);
  const sharedItem = shared?.vr === 'SQ' ? shared.value[0] : undefined;
  const merged = new Map<number, DataElement>(sharedItem?.elements ?? []);
  const kept = new Map<number, DataElement>();
  for (const [tag, element] of frameItem.elements) (tag === FRAME_CONTENT ? kept : merged).set(tag, element);
  put({ tag: SHARED_GROUPS, vr: 'SQ', value: [{ elements: merged }] });
  put({ tag: PER_FRAME_GROUPS, vr: 'SQ', value: [{ elements: kept }] });
}

/** Keeps value `index` of the attribute the Frame Increment Pointer names (Frame Time Vector, Grid Frame Offset Vector...). */
function narrowFrameVectors(dataset: Dataset, index: number, put: (e: DataElement) => void): void {
  const pointer = dataset.elements.get(FRAME_INCREMENT_POINTER);
  if (pointer?.vr !== 'AT') return;
  for (const tag of pointer.value) {
    const vector = dataset.elements.get(tag);
    if (vector === undefined || !Array.isArray(vector.value) || vector.value.length < 2) continue;
    const one = (vector.value as readonly unknown[])[index];
    // A new element without `raw`: the value changed.
    if (one !== undefined) put({ tag: vector.tag, vr: vector.vr, value: [one] } as unknown as DataElement);
  }
}

/**
 * Splits a multi-frame instance into single-frame instances, one per frame: each has a new SOP Instance UID, Number
 * of Frames 1, the frame's per-frame functional groups folded into the shared ones, its own value of the vector the
 * Frame Increment Pointer names, and that frame's pixel data, native or still compressed in the file's transfer
 * syntax (one fragment with a Basic Offset Table; no Extended Offset Table). Nothing is decoded.
 * Throws CORE_INVALID_VALUE for a frame index out of range or a data set without pixel data.
 */
export function splitFrames(file: DicomFile, options: SplitFramesOptions = {}): DicomFile[] {
  const { dataset } = file;
  const description = describePixels(dataset);
  const count = description.numberOfFrames;
  const wanted = options.frames ?? Array.from({ length: count }, (_, i) => i);
  for (const index of wanted) {
    if (!Number.isInteger(index) || index < 0 || index >= count) throw new DicomError('CORE_INVALID_VALUE', `frame ${index + 1} does not exist: the image has ${count} frame(s)`);
  }
  const element = pixelDataElement(dataset)!;
  let frameBytes: (index: number) => Uint8Array | ReturnType<typeof encapsulateFrames>;
  if (isEncapsulated(element)) {
    const table = dataset.elements.get(EXTENDED_OFFSET_TABLE);
    const extendedOffsetTable = table !== undefined && table.value instanceof Uint8Array ? table.value : undefined;
    const frames = encapsulatedFrames(element, count, extendedOffsetTable !== undefined ? { extendedOffsetTable } : {});
    frameBytes = (index) => encapsulateFrames([frames[index]!]);
  } else {
    if (!(element.value instanceof Uint8Array)) throw new DicomError('CORE_INVALID_VALUE', 'pixel data is not bytes', { tag: element.tag });
    const value = element.value;
    const size = nativeFrameSize(description);
    const available = description.bitsAllocated === 1 ? value.length * 8 : value.length;
    if (size * count > available) throw new DicomError('CORE_TRUNCATED', `pixel data is too short for ${count} frames`, { tag: element.tag });
    frameBytes = (index) => nativeFrameBytes(value, size, description.bitsAllocated, index);
  }
  return wanted.map((index) => {
    const elements = new Map(dataset.elements);
    const put = (e: DataElement): void => void elements.set(e.tag, e);
    elements.delete(EXTENDED_OFFSET_TABLE);
    elements.delete(EXTENDED_OFFSET_TABLE_LENGTHS);
    if (elements.has(NUMBER_OF_FRAMES)) put({ tag: NUMBER_OF_FRAMES, vr: 'IS', value: ['1'] });
    foldFunctionalGroups(dataset, index, put);
    narrowFrameVectors(dataset, index, put);
    put({ tag: SOP_INSTANCE_UID, vr: 'UI', value: [(options.sopInstanceUid ?? randomUid)(index)] });
    const bytes = frameBytes(index);
    put(bytes instanceof Uint8Array
      ? { tag: element.tag, vr: element.vr as 'OB', value: bytes }
      : { tag: element.tag, vr: element.vr as 'OB', value: bytes, encapsulated: true });
    return { meta: file.meta, dataset: { elements }, transferSyntaxUID: file.transferSyntaxUID, hadPreamble: true };
  });
}
