import { requireCodec, type CodecRegistry, type FrameDescriptor } from './codec-registry.js';
import { isEncapsulated, type DicomFile, type Dataset } from './dataset.js';
import { encapsulatedFrames } from './encapsulated-frames.js';
import { DicomError } from './errors.js';
import { describePixels, isSubsampled422, nativeFrameSize, pixelDataElement, type PixelDescription } from './pixel-description.js';
import { nativeIsSubsampled, unpackNativeFrame, type PixelArray } from './_unpack-native.js';

const EXTENDED_OFFSET_TABLE = 0x7fe00001;
const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2';

/** One frame's samples with the shape needed to use them. */
export interface PixelFrame {
  /** Zero-based frame index. */
  readonly index: number;
  readonly rows: number;
  readonly columns: number;
  /** 1 or 3; `data` holds rows x columns x samplesPerPixel values. */
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  /** 0 unsigned, 1 signed (also 1 for float pixel data). */
  readonly pixelRepresentation: number;
  /**
   * The photometric interpretation of `data`: the data set's, except that YBR_FULL_422 comes back upsampled as
   * YBR_FULL, and a codec may have converted colour (a JPEG baseline frame usually decodes to RGB).
   */
  readonly photometricInterpretation: string;
  /**
   * The samples, row by row, colour interleaved (RGBRGB...) whatever the Planar Configuration: Uint8Array for
   * Bits Allocated 1 (0/1) and 8, 16/32-bit integer arrays (signed when Pixel Representation is 1, with Bits Stored
   * extracted and sign-extended), Float32Array / Float64Array for float pixel data.
   */
  readonly data: PixelArray;
}

/** Options for {@link decodeFrame}. */
export interface DecodeFrameOptions {
  /** The codecs for compressed transfer syntaxes (see createCodecRegistry); none needed for native data. */
  readonly codecs?: CodecRegistry;
  readonly signal?: AbortSignal;
}

function checkIndex(description: PixelDescription, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= description.numberOfFrames) {
    throw new DicomError('CORE_INVALID_VALUE', `frame index ${index} is out of range: the image has ${description.numberOfFrames} frame(s), indexed from 0`);
  }
}

function frameOf(description: PixelDescription, index: number, data: PixelArray, photometricInterpretation: string): PixelFrame {
  return {
    index,
    rows: description.rows,
    columns: description.columns,
    samplesPerPixel: description.samplesPerPixel,
    bitsAllocated: description.bitsAllocated,
    bitsStored: description.bitsStored,
    pixelRepresentation: description.pixelRepresentation,
    photometricInterpretation,
    data,
  };
}

/** The name of upsampled 4:2:2 data: YBR_FULL_422 becomes YBR_FULL (YBR_PARTIAL_422 keeps its name; its samples are full resolution too). */
function upsampledName(photometricInterpretation: string): string {
  return photometricInterpretation === 'YBR_FULL_422' ? 'YBR_FULL' : photometricInterpretation;
}

/** The number of frames in the pixel data of `dataset` (1 for a single image, without Number of Frames). */
export function frameCount(dataset: Dataset): number {
  return describePixels(dataset).numberOfFrames;
}

/**
 * The samples of frame `index` (from 0) of native (uncompressed) pixel data, in every layout PS3.5 allows:
 * Bits Allocated 1, 8, 16, 32 and float / double float pixel data, signed or unsigned, Bits Stored below Bits
 * Allocated (masked and sign-extended), one or three samples, colour by pixel or by plane, YBR_FULL_422 pairs.
 * The reader has already made big endian bytes little endian; only 32-bit cells of a big endian file need
 * {@link decodeFrame}, which knows the transfer syntax (the reader swapped them as 16-bit OW words).
 *
 * Throws TRANSCODE_CODEC_UNAVAILABLE for compressed pixel data (use {@link decodeFrame} with codecs),
 * CORE_INVALID_VALUE for a missing or impossible Image Pixel module or an index out of range, and CORE_TRUNCATED
 * when the pixel data is too short for the frame.
 */
export function getFrame(dataset: Dataset, index: number): PixelFrame {
  return nativeFrame(dataset, index, false);
}

/** getFrame, also for 32-bit cells of a big endian OW value (`fromBigEndianOw`), that need their 16-bit halves exchanged. */
function nativeFrame(dataset: Dataset, index: number, fromBigEndianOw: boolean): PixelFrame {
  const description = describePixels(dataset);
  checkIndex(description, index);
  const element = pixelDataElement(dataset)!;
  if (isEncapsulated(element)) {
    throw new DicomError('TRANSCODE_CODEC_UNAVAILABLE', 'the pixel data is compressed: decode it with decodeFrame and a codec registry holding @dicom-tools/transcode\'s codecs', { tag: element.tag });
  }
  if (!(element.value instanceof Uint8Array)) throw new DicomError('CORE_INVALID_VALUE', `pixel data has VR ${element.vr}, not a byte VR`, { tag: element.tag });
  const size = nativeFrameSize(description);
  const offset = size * index;
  const available = description.bitsAllocated === 1 ? element.value.length * 8 : element.value.length;
  if (offset + size > available) {
    const unit = description.bitsAllocated === 1 ? 'bits' : 'bytes';
    throw new DicomError('CORE_TRUNCATED', `pixel data holds ${available} ${unit}; frame ${index} needs ${unit} ${offset} to ${offset + size}`, { tag: element.tag });
  }
  const subsampled = nativeIsSubsampled(description);
  const data = unpackNativeFrame(element.value, offset, description, subsampled, fromBigEndianOw && element.vr === 'OW');
  return frameOf(description, index, data, subsampled ? upsampledName(description.photometricInterpretation) : description.photometricInterpretation);
}

/** What a codec is told about a frame. */
function descriptorOf(description: PixelDescription): FrameDescriptor {
  return {
    rows: description.rows,
    columns: description.columns,
    samplesPerPixel: description.samplesPerPixel,
    bitsAllocated: description.bitsAllocated,
    bitsStored: description.bitsStored,
    pixelRepresentation: description.pixelRepresentation,
    planarConfiguration: description.planarConfiguration,
    photometricInterpretation: description.photometricInterpretation,
  };
}

/**
 * The samples of frame `index` (from 0) in any transfer syntax: native data as {@link getFrame} gives it,
 * compressed data through the codec `options.codecs` holds for the file's transfer syntax. The result has the
 * same shape as getFrame's (interleaved, stored bits extracted).
 *
 * Throws TRANSCODE_CODEC_UNAVAILABLE when the data is compressed and no codec can decode it (never returns
 * undecoded bytes), TRANSCODE_DECODE_FAILED when the codec's output does not have the frame's size, and what
 * getFrame throws.
 */
export async function decodeFrame(file: DicomFile, index: number, options: DecodeFrameOptions = {}): Promise<PixelFrame> {
  options.signal?.throwIfAborted();
  const { dataset } = file;
  const description = describePixels(dataset);
  if (!description.encapsulated) return nativeFrame(dataset, index, file.transferSyntaxUID === EXPLICIT_VR_BIG_ENDIAN);
  checkIndex(description, index);
  const codec = requireCodec(options.codecs, file.transferSyntaxUID, 'decode');
  const element = pixelDataElement(dataset)!;
  if (!isEncapsulated(element)) throw new DicomError('CORE_MALFORMED', 'pixel data is not encapsulated', { tag: element.tag });
  const table = dataset.elements.get(EXTENDED_OFFSET_TABLE);
  const extendedOffsetTable = table !== undefined && table.value instanceof Uint8Array ? table.value : undefined;
  const frames = encapsulatedFrames(element, description.numberOfFrames, extendedOffsetTable !== undefined ? { extendedOffsetTable } : {});
  const compressed = frames[index];
  if (compressed === undefined) throw new DicomError('CORE_MALFORMED', `encapsulated pixel data has no frame ${index}`, { tag: element.tag });
  const decoded = await codec.decode!(compressed, descriptorOf(description), file.transferSyntaxUID);
  options.signal?.throwIfAborted();
  // A codec returns interleaved little-endian samples, full resolution, in the photometric it reports.
  const interleaved: PixelDescription = { ...description, planarConfiguration: 0, photometricInterpretation: decoded.photometricInterpretation };
  const full = description.rows * description.columns * description.samplesPerPixel * (description.bitsAllocated / 8);
  const subsampled = description.samplesPerPixel === 3 && isSubsampled422(decoded.photometricInterpretation) && decoded.bytes.length < full;
  const expected = subsampled ? (full / 3) * 2 : full;
  if (decoded.bytes.length < expected) {
    throw new DicomError('TRANSCODE_DECODE_FAILED', `${codec.name} returned ${decoded.bytes.length} bytes for frame ${index}; ${expected} were expected`, { tag: element.tag });
  }
  const data = unpackNativeFrame(decoded.bytes, 0, interleaved, subsampled);
  const photometric = subsampled || (isSubsampled422(decoded.photometricInterpretation) && description.samplesPerPixel === 3)
    ? upsampledName(decoded.photometricInterpretation)
    : decoded.photometricInterpretation;
  return frameOf(description, index, data, photometric);
}

export type { PixelArray } from './_unpack-native.js';
