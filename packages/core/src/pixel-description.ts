import { isEncapsulated, type DataElement, type Dataset } from './dataset.js';
import { DicomError, isDicomError } from './errors.js';
import { getNumber, getString } from './values.js';

const SAMPLES_PER_PIXEL = 0x00280002;
const PHOTOMETRIC_INTERPRETATION = 0x00280004;
const PLANAR_CONFIGURATION = 0x00280006;
const NUMBER_OF_FRAMES = 0x00280008;
const ROWS = 0x00280010;
const COLUMNS = 0x00280011;
const BITS_ALLOCATED = 0x00280100;
const BITS_STORED = 0x00280101;
const HIGH_BIT = 0x00280102;
const PIXEL_REPRESENTATION = 0x00280103;
/** Float Pixel Data (OF), Double Float Pixel Data (OD) and Pixel Data (OB/OW), in the order they are looked for. */
const PIXEL_DATA_TAGS = [0x7fe00010, 0x7fe00008, 0x7fe00009] as const;

/** How the samples of a data set's pixel data are laid out: the Image Pixel module (PS3.3 C.7.6.3) in one object. */
export interface PixelDescription {
  readonly rows: number;
  readonly columns: number;
  /** 1 for grey and palette images, 3 for colour. */
  readonly samplesPerPixel: number;
  /** 1, 8, 16, 32 or 64 bits per sample as stored. */
  readonly bitsAllocated: number;
  /** Significant bits of each sample (equal to bitsAllocated for float pixel data). */
  readonly bitsStored: number;
  /** The most significant stored bit (normally bitsStored - 1). */
  readonly highBit: number;
  /** 0 unsigned integers, 1 two's complement. */
  readonly pixelRepresentation: number;
  /** 0 colour-by-pixel (RGBRGB...), 1 colour-by-plane (RR..GG..BB..). */
  readonly planarConfiguration: number;
  readonly photometricInterpretation: string;
  /** Frames in the pixel data (1 when Number of Frames is absent). */
  readonly numberOfFrames: number;
  /** The element holding the samples: Pixel Data (7FE0,0010), Float Pixel Data (7FE0,0008) or Double Float Pixel Data (7FE0,0009). */
  readonly pixelDataTag: number;
  /** True for Float and Double Float Pixel Data: samples are IEEE floats. */
  readonly float: boolean;
  /** True when the pixel data is encapsulated (compressed): frames need a codec. */
  readonly encapsulated: boolean;
}

function required(dataset: Dataset, tag: number, name: string): number {
  const value = getNumber(dataset, tag);
  if (value === undefined || !Number.isInteger(value) || value < 0) {
    throw new DicomError('CORE_INVALID_VALUE', `${name} is ${value === undefined ? 'missing' : `not valid (${value})`}: the pixel data cannot be laid out`, { tag });
  }
  return value;
}

/** The pixel data element of `dataset`, if any. */
export function pixelDataElement(dataset: Dataset): DataElement | undefined {
  for (const tag of PIXEL_DATA_TAGS) {
    const element = dataset.elements.get(tag);
    if (element !== undefined) return element;
  }
  return undefined;
}

/**
 * Number of Frames as an integer. An unparsable value (`1A` in some files) is not fatal: undefined is returned,
 * and the frame count then comes from the length of the pixel data.
 */
function numberOfFramesOf(dataset: Dataset): number | undefined {
  try {
    const value = getNumber(dataset, NUMBER_OF_FRAMES);
    return value !== undefined && Number.isInteger(value) && value > 0 ? value : undefined;
  } catch (error) {
    if (isDicomError(error, 'CORE_INVALID_VALUE')) return undefined;
    throw error;
  }
}

/** Bytes one native frame takes, or for Bits Allocated 1 the number of bits (frames are bit-contiguous). */
export function nativeFrameSize(description: Omit<PixelDescription, 'numberOfFrames'>): number {
  const samples = isSubsampled422(description.photometricInterpretation) ? 2 : description.samplesPerPixel;
  const perFrame = description.rows * description.columns * samples;
  return description.bitsAllocated === 1 ? perFrame : perFrame * (description.bitsAllocated / 8);
}

/** True for the photometric interpretations whose native encoding shares Cb and Cr between two pixels. */
export function isSubsampled422(photometricInterpretation: string): boolean {
  return photometricInterpretation === 'YBR_FULL_422' || photometricInterpretation === 'YBR_PARTIAL_422';
}

/**
 * Reads the Image Pixel module of `dataset`. Throws CORE_INVALID_VALUE when there is no pixel data or a value
 * needed to lay it out (Rows, Columns, Bits Allocated...) is missing or impossible. Number of Frames that cannot be
 * parsed is taken from the length of native pixel data instead.
 */
export function describePixels(dataset: Dataset): PixelDescription {
  const element = pixelDataElement(dataset);
  if (element === undefined) throw new DicomError('CORE_INVALID_VALUE', 'the data set has no Pixel Data, Float Pixel Data or Double Float Pixel Data');
  const float = element.tag !== 0x7fe00010;
  const rows = required(dataset, ROWS, 'Rows');
  const columns = required(dataset, COLUMNS, 'Columns');
  const samplesPerPixel = getNumber(dataset, SAMPLES_PER_PIXEL) ?? 1;
  const bitsAllocated = float ? (element.tag === 0x7fe00009 ? 64 : 32) : required(dataset, BITS_ALLOCATED, 'Bits Allocated');
  const bitsStored = float ? bitsAllocated : getNumber(dataset, BITS_STORED) ?? bitsAllocated;
  const highBit = float ? bitsAllocated - 1 : getNumber(dataset, HIGH_BIT) ?? bitsStored - 1;
  const pixelRepresentation = float ? 1 : getNumber(dataset, PIXEL_REPRESENTATION) ?? 0;
  const planarConfiguration = samplesPerPixel > 1 ? getNumber(dataset, PLANAR_CONFIGURATION) ?? 0 : 0;
  const photometricInterpretation = (getString(dataset, PHOTOMETRIC_INTERPRETATION) ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2')).trim();
  const encapsulated = isEncapsulated(element);

  if (rows === 0 || columns === 0) throw new DicomError('CORE_INVALID_VALUE', `the image is ${rows}x${columns}: nothing to lay out`, { tag: ROWS });
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) {
    throw new DicomError('CORE_INVALID_VALUE', `Samples per Pixel ${samplesPerPixel} is not supported (1 or 3)`, { tag: SAMPLES_PER_PIXEL });
  }
  if (![1, 8, 16, 32, 64].includes(bitsAllocated) || (bitsAllocated === 64 && !float)) {
    throw new DicomError('CORE_INVALID_VALUE', `Bits Allocated ${bitsAllocated} is not supported (1, 8, 16, 32, or 64 for Double Float Pixel Data)`, { tag: BITS_ALLOCATED });
  }
  if (bitsStored < 1 || bitsStored > bitsAllocated || highBit < bitsStored - 1 || highBit >= bitsAllocated) {
    throw new DicomError('CORE_INVALID_VALUE', `Bits Stored ${bitsStored} / High Bit ${highBit} do not fit in Bits Allocated ${bitsAllocated}`, { tag: BITS_STORED });
  }
  if (bitsAllocated === 1 && samplesPerPixel !== 1) throw new DicomError('CORE_INVALID_VALUE', 'Bits Allocated 1 needs Samples per Pixel 1', { tag: BITS_ALLOCATED });

  const base = { rows, columns, samplesPerPixel, bitsAllocated, bitsStored, highBit, pixelRepresentation, planarConfiguration, photometricInterpretation, pixelDataTag: element.tag, float, encapsulated };
  let numberOfFrames = numberOfFramesOf(dataset);
  if (numberOfFrames === undefined) {
    if (encapsulated || !(element.value instanceof Uint8Array) || dataset.elements.get(NUMBER_OF_FRAMES) === undefined) {
      numberOfFrames = 1;
    } else {
      const size = nativeFrameSize(base);
      const available = bitsAllocated === 1 ? element.value.length * 8 : element.value.length;
      numberOfFrames = Math.max(1, Math.floor(available / size));
    }
  }
  return { ...base, numberOfFrames };
}
