import { decodeFrame, DicomError, isDicomError, isEncapsulated, type CodecRegistry, type PixelArray } from '@dicom-tools/core';
import { correctTilt } from './_correct-tilt.js';
import { allocateVoxels, fillFrame } from './_fill.js';
import { affineOf, toRas, type VolumePlan } from './_plan.js';
import type { SliceInfo } from './_slices.js';
import type { BuildVolumeOptions, Volume, VolumeInfo, VolumeWarning, VoxelArray } from './volume.js';

/** Where one slice goes: its header, and the index of its first voxel. */
export interface Placement {
  readonly slice: SliceInfo;
  readonly first: number;
}

/** Every slice of a plan with the voxel its frame starts at (volume t, slice k: `(t slices + k) rows columns`). */
export function placements(plan: VolumePlan): Placement[] {
  const size = plan.rows * plan.columns;
  return plan.volumes.flatMap((volume, t) => volume.map((slice, k) => ({ slice, first: (t * plan.slices + k) * size })));
}

/** A zeroed voxel array for a plan. */
export function voxelsFor(plan: VolumePlan): VoxelArray {
  const count = plan.rows * plan.columns * plan.slices * plan.volumes.length;
  try {
    return allocateVoxels(plan.voxelType, count);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new DicomError('VOLUME_UNSUPPORTED_PIXELS', `the volume of ${plan.columns} x ${plan.rows} x ${plan.slices} voxels (x ${plan.volumes.length}) is too large to hold in memory`, { cause: error });
  }
}

const PIXEL_DATA = 0x7fe00010;
const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2';

/**
 * Whether a slice's stored values are its whole cells, so that voxels can take its native frame bytes as they are
 * (one sample, Bits Stored = Bits Allocated, 8/16/32 bits, integer Pixel Data, little endian). Says nothing of the
 * Pixel Data element itself (native or encapsulated): callers check that.
 */
export function storedAsIs(slice: SliceInfo): boolean {
  const { samplesPerPixel, bitsAllocated, bitsStored } = slice.pixel;
  if (samplesPerPixel !== 1 || bitsStored !== bitsAllocated || (bitsAllocated !== 8 && bitsAllocated !== 16 && bitsAllocated !== 32)) return false;
  return slice.floatBits === undefined && slice.transferSyntaxUID !== EXPLICIT_VR_BIG_ENDIAN;
}

/** Bytes of one frame of a slice whose values are stored as they are ({@link storedAsIs}). */
export function frameBytes(slice: SliceInfo): number {
  return (slice.pixel.rows * slice.pixel.columns * slice.pixel.bitsAllocated) / 8;
}

/**
 * The bytes of a native frame whose stored values are its whole cells ({@link storedAsIs}): then voxels take them
 * as they are, with one copy. Undefined for every other layout, which goes through core's decodeFrame.
 */
function wholeCells(slice: SliceInfo): Uint8Array | undefined {
  if (!storedAsIs(slice)) return undefined;
  const element = slice.dataset.elements.get(PIXEL_DATA);
  if (element === undefined || !(element.value instanceof Uint8Array) || isEncapsulated(element)) return undefined;
  const size = frameBytes(slice);
  const start = slice.frame * size;
  return start + size <= element.value.length ? element.value.subarray(start, start + size) : undefined;
}

/** The samples of a slice's frame, decoding compressed frames with `codecs` (core's decodeFrame). */
async function samplesOf(slice: SliceInfo, codecs: CodecRegistry | undefined): Promise<PixelArray> {
  const file = { meta: { elements: new Map() }, dataset: slice.dataset, transferSyntaxUID: slice.transferSyntaxUID, hadPreamble: true };
  try {
    return (await decodeFrame(file, slice.frame, codecs !== undefined ? { codecs } : {})).data;
  } catch (error) {
    throw isDicomError(error) && error.file === undefined ? new DicomError(error.code, `${slice.name}: ${error.message}`, { ...(error.tag !== undefined ? { tag: error.tag } : {}), cause: error }) : error;
  }
}

/** Writes one slice's frame into the voxels (`placement.slice.dataset` must hold its Pixel Data). */
export async function place(voxels: VoxelArray, plan: VolumePlan, placement: Placement, codecs: CodecRegistry | undefined): Promise<void> {
  const cells = plan.rescaled ? undefined : wholeCells(placement.slice);
  if (cells !== undefined) {
    new Uint8Array(voxels.buffer, voxels.byteOffset + placement.first * voxels.BYTES_PER_ELEMENT, cells.length).set(cells);
    return;
  }
  fillFrame(voxels, plan.voxelType, placement.first, await samplesOf(placement.slice, codecs), placement.slice, plan.rescaled);
}

/** Everything of the Volume of a plan but its voxels, with the slice step and tilt as they end up. */
export function volumeInfoOf(plan: VolumePlan, step = plan.step, tilt = plan.tilt, warnings = plan.warnings): VolumeInfo {
  const affine = affineOf({ ...plan, step });
  const dimensions = plan.volumes.length > 1 ? [plan.columns, plan.rows, plan.slices, plan.volumes.length] : [plan.columns, plan.rows, plan.slices];
  const first = plan.volumes[0]![0]!;
  return {
    voxelType: plan.voxelType,
    dimensions,
    spacing: [plan.pixelSpacing[1], plan.pixelSpacing[0], plan.sliceSpacing],
    affine,
    affineRas: toRas(affine),
    rescale: plan.rescale,
    rescaled: plan.rescaled,
    paddingValue: plan.paddingValue,
    tilt,
    fourthDimension: plan.dimension === undefined ? undefined : { kind: plan.dimension.kind, attribute: plan.dimension.attribute, values: plan.dimension.values },
    spacingVariation: plan.spacingVariation,
    slices: plan.volumes.flatMap((volume) => volume.map((s) => ({ input: s.input, frame: s.frame, name: s.name, sopInstanceUID: s.sopInstanceUID, position: s.position! }))),
    seriesInstanceUID: first.seriesInstanceUID,
    metadata: first.dataset,
    warnings,
  };
}

/** Whether assembling a plan changes its voxels (an asked-for gantry tilt correction): then they must be in memory. */
export function resamples(plan: VolumePlan, options: BuildVolumeOptions): boolean {
  return plan.tilt !== undefined && options.correctTilt === true && plan.voxelType !== 'rgb24';
}

/** The Volume of a plan whose voxels are filled: corrects tilt when asked, and works out the affines. */
export function assemble(plan: VolumePlan, voxels: VoxelArray, options: BuildVolumeOptions): Volume {
  if (!resamples(plan, options)) return { voxels, ...volumeInfoOf(plan) };
  const fill = plan.rescaled ? (plan.paddingValue ?? 0) * plan.volumes[0]![0]!.rescaleSlope + plan.volumes[0]![0]!.rescaleIntercept : plan.paddingValue ?? 0;
  const step = correctTilt(voxels, plan.voxelType, plan, fill);
  const tilt = { ...plan.tilt!, corrected: true };
  const warnings: readonly VolumeWarning[] = [
    ...plan.warnings.filter((w) => w.code !== 'gantry-tilt'),
    { code: 'tilt-corrected', message: `gantry tilt of ${tilt.angleDegrees.toFixed(3)} degrees corrected: slices resampled onto a grid orthogonal to them (linear interpolation)` },
  ];
  return { voxels, ...volumeInfoOf(plan, step, tilt, warnings) };
}
