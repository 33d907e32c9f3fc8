import { DicomError, getNumber, getNumbers, getSequence, getString, getStrings, Tags, type Dataset, type DicomFile, type FrameDescriptor } from '@dicom-tools/core';
import { lenientNumber } from './_lenient.js';
import type { Vec3 } from './_vec.js';

/** Values that may make slices at the same position differ: candidates for a 4th axis. */
export interface SliceDimensions {
  /** Echo Time (ms), or Effective Echo Time of an enhanced MR frame. */
  readonly echoTime: number | undefined;
  /** Echo Numbers (the first value). */
  readonly echoNumber: number | undefined;
  /** Temporal Position Identifier, or Temporal Position Index of an enhanced frame. */
  readonly temporalPosition: number | undefined;
  /** Acquisition Number, or Frame Acquisition Number of an enhanced frame. */
  readonly acquisitionNumber: number | undefined;
  /** Trigger Time (ms). */
  readonly triggerTime: number | undefined;
  /** Acquisition Time as written (TM). */
  readonly acquisitionTime: string | undefined;
}

/** One 2-D image of the input: a single-frame instance, or one frame of a multi-frame one. */
export interface SliceInfo {
  /** Index of the input (file) it comes from. */
  readonly input: number;
  /** 0-based frame within that input. */
  readonly frame: number;
  /** Number of frames of that input. */
  readonly frames: number;
  /** Names the input in messages: its path, or `input N`. */
  readonly name: string;
  /** The top-level data set of its input (shared by all frames of a multi-frame input). */
  readonly dataset: Dataset;
  readonly transferSyntaxUID: string;
  readonly seriesInstanceUID: string;
  readonly sopInstanceUID: string | undefined;
  readonly instanceNumber: number | undefined;
  readonly pixel: FrameDescriptor;
  /** 32 or 64 for Float / Double Float Pixel Data; undefined for integer Pixel Data. */
  readonly floatBits: 32 | 64 | undefined;
  /** Image Orientation (Patient): row cosines then column cosines. */
  readonly orientation: readonly number[] | undefined;
  /** Image Position (Patient) of the first pixel, LPS mm. */
  readonly position: Vec3 | undefined;
  /** Pixel Spacing: between rows, then between columns (mm). */
  readonly pixelSpacing: readonly [number, number] | undefined;
  readonly sliceThickness: number | undefined;
  readonly spacingBetweenSlices: number | undefined;
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  /** Stack ID of an enhanced frame (frames of different stacks never share a volume). */
  readonly stackId: string | undefined;
  readonly dimensions: SliceDimensions;
  readonly gantryTilt: number | undefined;
  /** Pixel Padding Value, as a stored value. */
  readonly paddingValue: number | undefined;
}

/** Where an input came from and what it is called in messages. */
export interface SliceSource {
  readonly input: number;
  readonly name: string;
}

function first<T>(values: readonly T[] | undefined): T | undefined {
  return values === undefined ? undefined : values[0];
}

function numbers(dataset: Dataset | undefined, tag: number, count: number, name: string): number[] | undefined {
  if (dataset === undefined) return undefined;
  const values = getNumbers(dataset, tag);
  if (values === undefined || values.length === 0) return undefined;
  if (values.length !== count || values.some((v) => !Number.isFinite(v))) {
    throw new DicomError('VOLUME_BAD_GEOMETRY', `${name}: expected ${count} numbers, found ${values.length}`, { file: name, tag });
  }
  return [...values];
}

/** The first item of functional group macro `tag` for one frame: per-frame first, then shared. */
function group(perFrame: Dataset | undefined, shared: Dataset | undefined, tag: number): Dataset | undefined {
  return first(perFrame === undefined ? undefined : getSequence(perFrame, tag)) ?? first(shared === undefined ? undefined : getSequence(shared, tag));
}

/** The most pixel data one file can hold: the largest file the reader reads (2 GiB - 1). */
const MAX_PIXEL_BYTES = 2 ** 31 - 1;

function descriptorOf(dataset: Dataset): FrameDescriptor {
  return {
    rows: getNumber(dataset, Tags.Rows) ?? 0,
    columns: getNumber(dataset, Tags.Columns) ?? 0,
    samplesPerPixel: getNumber(dataset, Tags.SamplesPerPixel) ?? 1,
    bitsAllocated: getNumber(dataset, Tags.BitsAllocated) ?? 0,
    bitsStored: getNumber(dataset, Tags.BitsStored) ?? getNumber(dataset, Tags.BitsAllocated) ?? 0,
    pixelRepresentation: getNumber(dataset, Tags.PixelRepresentation) ?? 0,
    planarConfiguration: getNumber(dataset, Tags.PlanarConfiguration) ?? 0,
    photometricInterpretation: getString(dataset, Tags.PhotometricInterpretation) ?? 'MONOCHROME2',
  };
}

function paddingOf(dataset: Dataset, pixel: FrameDescriptor): number | undefined {
  const value = lenientNumber(dataset, Tags.PixelPaddingValue);
  if (value === undefined) return undefined;
  // Implicit VR files give "US or SS" as US: read the stored bits as the image's own signedness.
  if (pixel.pixelRepresentation === 1 && pixel.bitsAllocated === 16 && value > 0x7fff) return value - 0x10000;
  return value;
}

/**
 * 32 or 64 when the pixels are Float / Double Float Pixel Data: from the element, or, after a header-only read
 * (which stops before it, so the data set lacks it), from the tag core says the read stopped at.
 */
function floatBitsOf(file: DicomFile): 32 | 64 | undefined {
  const elements = file.dataset.elements;
  if (elements.has(Tags.FloatPixelData) || file.pixelDataTag === Tags.FloatPixelData) return 32;
  if (elements.has(Tags.DoubleFloatPixelData) || file.pixelDataTag === Tags.DoubleFloatPixelData) return 64;
  return undefined;
}

/**
 * The slices of one input: one per frame. Classic images take their geometry from the top level; enhanced
 * multi-frame images (Shared / Per-frame Functional Groups) from Plane Position, Plane Orientation, Pixel
 * Measures, Pixel Value Transformation, Frame Content and MR Echo of each frame.
 */
export function slicesOf(file: DicomFile, source: SliceSource): SliceInfo[] {
  const dataset = file.dataset;
  const name = source.name;
  const pixel = descriptorOf(dataset);
  const floatBits = floatBitsOf(file);
  const frames = Math.max(1, lenientNumber(dataset, Tags.NumberOfFrames) ?? 1);
  // A file holds at most 2 GiB of pixel data (what the reader reads): a header that declares more (Rows, Columns
  // or Number of Frames out of all proportion) describes no volume; found out here, before slices are planned.
  const declared = pixel.rows * pixel.columns * Math.max(1, pixel.samplesPerPixel) * Math.max(1, Math.ceil((floatBits ?? pixel.bitsAllocated) / 8)) * frames;
  if (declared > MAX_PIXEL_BYTES) {
    throw new DicomError('VOLUME_BAD_GEOMETRY', `${pixel.rows} x ${pixel.columns} x ${frames} frame(s) declare ${declared} bytes of pixel data, more than a file holds`, { file: name });
  }
  const sharedGroups = first(getSequence(dataset, Tags.SharedFunctionalGroupsSequence));
  const perFrameGroups = getSequence(dataset, Tags.PerFrameFunctionalGroupsSequence);
  const base = {
    input: source.input,
    frames,
    name,
    dataset,
    transferSyntaxUID: file.transferSyntaxUID,
    seriesInstanceUID: getString(dataset, Tags.SeriesInstanceUID) ?? '',
    sopInstanceUID: getString(dataset, Tags.SOPInstanceUID),
    instanceNumber: lenientNumber(dataset, Tags.InstanceNumber),
    pixel,
    floatBits,
    gantryTilt: lenientNumber(dataset, Tags.GantryDetectorTilt),
    paddingValue: paddingOf(dataset, pixel),
  } as const;
  const topDimensions: SliceDimensions = {
    echoTime: lenientNumber(dataset, Tags.EchoTime),
    echoNumber: lenientNumber(dataset, Tags.EchoNumbers),
    temporalPosition: lenientNumber(dataset, Tags.TemporalPositionIdentifier),
    acquisitionNumber: lenientNumber(dataset, Tags.AcquisitionNumber),
    triggerTime: lenientNumber(dataset, Tags.TriggerTime),
    acquisitionTime: getStrings(dataset, Tags.AcquisitionTime)?.[0],
  };
  const out: SliceInfo[] = [];
  for (let frame = 0; frame < frames; frame++) {
    const perFrame = perFrameGroups?.[frame];
    const enhanced = sharedGroups !== undefined || perFrame !== undefined;
    const frameName = frames > 1 ? `${name} frame ${frame + 1}` : name;
    const measures = enhanced ? group(perFrame, sharedGroups, Tags.PixelMeasuresSequence) : undefined;
    const plane = enhanced ? group(perFrame, sharedGroups, Tags.PlanePositionSequence) : undefined;
    const orient = enhanced ? group(perFrame, sharedGroups, Tags.PlaneOrientationSequence) : undefined;
    const transform = enhanced ? group(perFrame, sharedGroups, Tags.PixelValueTransformationSequence) : undefined;
    const content = enhanced ? group(perFrame, undefined, Tags.FrameContentSequence) : undefined;
    const echo = enhanced ? group(perFrame, sharedGroups, Tags.MREchoSequence) : undefined;
    const geometry = enhanced ? { measures, plane, orient } : { measures: dataset, plane: dataset, orient: dataset };
    const spacing = numbers(geometry.measures ?? dataset, Tags.PixelSpacing, 2, frameName);
    const rescale = transform ?? dataset;
    out.push({
      ...base,
      frame,
      name: frameName,
      orientation: numbers(geometry.orient ?? dataset, Tags.ImageOrientationPatient, 6, frameName),
      position: numbers(geometry.plane ?? dataset, Tags.ImagePositionPatient, 3, frameName) as Vec3 | undefined,
      pixelSpacing: spacing as [number, number] | undefined,
      sliceThickness: lenientNumber(geometry.measures ?? dataset, Tags.SliceThickness) ?? lenientNumber(dataset, Tags.SliceThickness),
      spacingBetweenSlices: lenientNumber(geometry.measures ?? dataset, Tags.SpacingBetweenSlices) ?? lenientNumber(dataset, Tags.SpacingBetweenSlices),
      rescaleSlope: lenientNumber(rescale, Tags.RescaleSlope) ?? 1,
      rescaleIntercept: lenientNumber(rescale, Tags.RescaleIntercept) ?? 0,
      stackId: content === undefined ? undefined : getString(content, Tags.StackID),
      dimensions: enhanced
        ? {
            ...topDimensions,
            echoTime: lenientNumber(echo, Tags.EffectiveEchoTime) ?? topDimensions.echoTime,
            temporalPosition: lenientNumber(content, Tags.TemporalPositionIndex) ?? topDimensions.temporalPosition,
            acquisitionNumber: lenientNumber(content, Tags.FrameAcquisitionNumber) ?? topDimensions.acquisitionNumber,
          }
        : topDimensions,
    });
  }
  return out;
}
