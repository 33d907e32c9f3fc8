// The Image Pixel module values that shape the frames of a data set, and the native Pixel Data they make.
import { DicomError, getNumber, getString, isEncapsulated, type DataElement, type Dataset, type FrameDescriptor } from '@dicom-tools/core';
import { nativeFrameLength, planarToInterleaved } from './_pixel-layout.js';

export const PIXEL_DATA = 0x7fe00010;
export const EXTENDED_OFFSET_TABLE = 0x7fe00001;
export const EXTENDED_OFFSET_TABLE_LENGTHS = 0x7fe00002;
export const PHOTOMETRIC_INTERPRETATION = 0x00280004;
export const PLANAR_CONFIGURATION = 0x00280006;
const SAMPLES_PER_PIXEL = 0x00280002;
const NUMBER_OF_FRAMES = 0x00280008;
const ROWS = 0x00280010;
const COLUMNS = 0x00280011;
const BITS_ALLOCATED = 0x00280100;
const BITS_STORED = 0x00280101;
const PIXEL_REPRESENTATION = 0x00280103;

/** The frame descriptor and frame count of a data set with pixel data. */
export interface ImagePixel {
  readonly descriptor: FrameDescriptor;
  readonly numberOfFrames: number;
}

function required(dataset: Dataset, tag: number, name: string): number {
  const value = getNumber(dataset, tag);
  if (value === undefined) throw new DicomError('CORE_INVALID_VALUE', `pixel data without ${name}: the frames cannot be laid out`, { tag });
  return value;
}

/** Reads Rows, Columns, Samples per Pixel, Bits Allocated / Stored, Pixel Representation, Planar Configuration, Photometric Interpretation and Number of Frames. */
export function readImagePixel(dataset: Dataset): ImagePixel {
  const bitsAllocated = required(dataset, BITS_ALLOCATED, 'Bits Allocated');
  const frames = getNumber(dataset, NUMBER_OF_FRAMES) ?? 1;
  const descriptor: FrameDescriptor = {
    rows: required(dataset, ROWS, 'Rows'),
    columns: required(dataset, COLUMNS, 'Columns'),
    samplesPerPixel: getNumber(dataset, SAMPLES_PER_PIXEL) ?? 1,
    bitsAllocated,
    bitsStored: getNumber(dataset, BITS_STORED) ?? bitsAllocated,
    pixelRepresentation: getNumber(dataset, PIXEL_REPRESENTATION) ?? 0,
    planarConfiguration: getNumber(dataset, PLANAR_CONFIGURATION) ?? 0,
    photometricInterpretation: (getString(dataset, PHOTOMETRIC_INTERPRETATION) ?? 'MONOCHROME2').trim(),
  };
  if (!Number.isInteger(frames) || frames < 1) throw new DicomError('CORE_INVALID_VALUE', `Number of Frames ${frames} is not a positive integer`, { tag: NUMBER_OF_FRAMES });
  return { descriptor, numberOfFrames: frames };
}

/** The native frames of a native Pixel Data element, interleaved (colour-by-pixel) whatever the planar configuration. */
export function nativeFrames(element: DataElement, image: ImagePixel): Uint8Array[] {
  if (isEncapsulated(element) || !(element.value instanceof Uint8Array)) throw new DicomError('CORE_MALFORMED', 'pixel data is not native bytes', { tag: PIXEL_DATA });
  const { descriptor, numberOfFrames } = image;
  const bits = descriptor.bitsAllocated;
  if (bits % 8 !== 0 || descriptor.photometricInterpretation.endsWith('_422') || descriptor.photometricInterpretation.endsWith('_420')) {
    throw new DicomError('TRANSCODE_UNSUPPORTED', `native pixel data of ${bits} bits allocated in ${descriptor.photometricInterpretation} cannot be compressed: only whole-byte samples without chroma subsampling`, { tag: PIXEL_DATA });
  }
  const length = nativeFrameLength(descriptor);
  if (element.value.length < length * numberOfFrames) {
    throw new DicomError('CORE_MALFORMED', `pixel data holds ${element.value.length} bytes, fewer than ${numberOfFrames} frame(s) of ${length}`, { tag: PIXEL_DATA });
  }
  const frames: Uint8Array[] = [];
  for (let i = 0; i < numberOfFrames; i++) {
    const frame = element.value.subarray(i * length, (i + 1) * length);
    frames.push(descriptor.samplesPerPixel > 1 && descriptor.planarConfiguration === 1 ? planarToInterleaved(frame, descriptor) : frame);
  }
  return frames;
}

/** Native Pixel Data holding `frames` end to end, padded to an even length; OW above 8 bits allocated, else OB. */
export function nativePixelData(frames: readonly Uint8Array[], bitsAllocated: number): DataElement {
  const total = frames.reduce((n, f) => n + f.length, 0);
  const value = new Uint8Array(total + (total % 2));
  let at = 0;
  for (const frame of frames) {
    value.set(frame, at);
    at += frame.length;
  }
  return { tag: PIXEL_DATA, vr: bitsAllocated > 8 ? 'OW' : 'OB', value };
}
