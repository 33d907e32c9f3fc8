import { DicomError } from '@dicom-tools/core';
import { arrange, columnOf, difference, POSITION_TOLERANCE, rowOf, type Dimension } from './_arrange.js';
import type { SliceInfo } from './_slices.js';
import { addScaled, cross, dot, median, norm, normalize, scale, sub, type Vec3 } from './_vec.js';
import type { Affine, BuildVolumeOptions, GantryTilt, SpacingVariation, VolumeWarning, VoxelType } from './volume.js';

/** Largest deviation of a direction cosine vector from unit length, or of two from orthogonal. */
const ORTHONORMAL_TOLERANCE = 1e-3;
/** A step more than this many times the median spacing is a gap (missing slices). */
const GAP_FACTOR = 1.5;
/** Steps that differ from the median by more than this fraction (and POSITION_TOLERANCE) make the spacing vary. */
const SPACING_VARIATION = 1e-3;
/** Tilt below this angle (degrees) is rounding in the positions, not gantry tilt. */
const TILT_THRESHOLD_DEGREES = 0.05;
/** A slice further than this (mm) from the line through the first and last positions is off the line. */
const COLLINEAR_TOLERANCE = 0.1;

/** Everything about a volume except its voxels: what {@link planVolume} finds from the headers alone. */
export interface VolumePlan {
  /** volumes[t][k]: slice k of 3-D volume t, sorted along the normal. */
  readonly volumes: readonly (readonly SliceInfo[])[];
  readonly dimension: Dimension | undefined;
  readonly columns: number;
  readonly rows: number;
  readonly slices: number;
  readonly row: Vec3;
  readonly column: Vec3;
  readonly normal: Vec3;
  /** Pixel Spacing: between rows, between columns. */
  readonly pixelSpacing: readonly [number, number];
  /** Distance between slices along the normal (mm). */
  readonly sliceSpacing: number;
  /** The vector from one slice's first voxel to the next (with the shear of a gantry tilt). */
  readonly step: Vec3;
  readonly origin: Vec3;
  readonly tilt: GantryTilt | undefined;
  readonly spacingVariation: SpacingVariation | undefined;
  readonly voxelType: VoxelType;
  readonly rescale: { readonly slope: number; readonly intercept: number };
  readonly rescaled: boolean;
  readonly paddingValue: number | undefined;
  readonly warnings: readonly VolumeWarning[];
}

function checkGeometry(slice: SliceInfo): void {
  const missing = slice.orientation === undefined ? 'Image Orientation (Patient)' : slice.position === undefined ? 'Image Position (Patient)' : slice.pixelSpacing === undefined ? 'Pixel Spacing' : undefined;
  if (missing !== undefined) throw new DicomError('VOLUME_BAD_GEOMETRY', `${slice.name}: no ${missing}, so the image cannot be placed in a volume`);
  if (slice.pixelSpacing!.some((v) => !(v > 0))) throw new DicomError('VOLUME_BAD_GEOMETRY', `${slice.name}: Pixel Spacing must be positive`);
  const r = rowOf(slice.orientation!);
  const c = columnOf(slice.orientation!);
  if (Math.abs(norm(r) - 1) > ORTHONORMAL_TOLERANCE || Math.abs(norm(c) - 1) > ORTHONORMAL_TOLERANCE || Math.abs(dot(r, c)) > ORTHONORMAL_TOLERANCE) {
    throw new DicomError('VOLUME_BAD_GEOMETRY', `${slice.name}: Image Orientation (Patient) is not two orthogonal unit vectors (within ${ORTHONORMAL_TOLERANCE})`);
  }
}

function voxelTypeOf(slice: SliceInfo): VoxelType {
  const { samplesPerPixel, bitsAllocated, pixelRepresentation } = slice.pixel;
  if (slice.floatBits !== undefined) return slice.floatBits === 32 ? 'float32' : 'float64';
  if (samplesPerPixel === 3 && bitsAllocated === 8) return 'rgb24';
  if (samplesPerPixel !== 1) throw new DicomError('VOLUME_UNSUPPORTED_PIXELS', `${slice.name}: ${samplesPerPixel} samples per pixel of ${bitsAllocated} bits cannot be a volume (1 sample, or 3 of 8 bits)`);
  const signed = pixelRepresentation === 1;
  switch (bitsAllocated) {
    case 1: return 'uint8';
    case 8: return signed ? 'int8' : 'uint8';
    case 16: return signed ? 'int16' : 'uint16';
    case 32: return signed ? 'int32' : 'uint32';
    default: throw new DicomError('VOLUME_UNSUPPORTED_PIXELS', `${slice.name}: Bits Allocated ${bitsAllocated} is not supported (1, 8, 16 or 32)`);
  }
}

function sameNumber(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Steps between neighbouring slices along the normal; gaps and variation as errors or warnings. */
function spacingOf(sorted: readonly SliceInfo[], normal: Vec3, options: BuildVolumeOptions, warnings: VolumeWarning[]): SpacingVariation | undefined {
  const steps: number[] = [];
  for (let k = 1; k < sorted.length; k++) steps.push(dot(sub(sorted[k]!.position!, sorted[k - 1]!.position!), normal));
  const typical = median(steps);
  const mean = dot(sub(sorted[sorted.length - 1]!.position!, sorted[0]!.position!), normal) / (sorted.length - 1);
  const variation: SpacingVariation = { steps, min: Math.min(...steps), max: Math.max(...steps), mean };
  const gaps = steps.map((s, k) => ({ s, k })).filter(({ s }) => s > GAP_FACTOR * typical);
  if (gaps.length > 0) {
    const where = gaps.map(({ s, k }) => `${Math.round(s / typical) - 1} between ${sorted[k]!.name} and ${sorted[k + 1]!.name} (${s.toFixed(3)} mm apart)`).join('; ');
    const message = `slice spacing ${typical.toFixed(3)} mm has a gap: missing slice(s) ${where}`;
    if (options.allowGaps !== true) throw new DicomError('VOLUME_MISSING_SLICE', `${message}; allow it with allowGaps (--allow-gaps)`);
    warnings.push({ code: 'missing-slice', message: `${message}; the affine uses the mean spacing ${mean.toFixed(4)} mm` });
    return variation;
  }
  const tolerance = Math.max(POSITION_TOLERANCE, SPACING_VARIATION * typical);
  if (steps.some((s) => Math.abs(s - typical) > tolerance)) {
    warnings.push({ code: 'variable-spacing', message: `slice spacing varies from ${variation.min.toFixed(4)} to ${variation.max.toFixed(4)} mm; the affine uses the mean ${mean.toFixed(4)} mm` });
    return variation;
  }
  return undefined;
}

/**
 * Checks the slices of one volume and works out its geometry and voxel type from the headers alone: sorting
 * by position along the normal, the 4th axis, spacing from the positions, gaps, gantry tilt, rescale.
 */
export function planVolume(slices: readonly SliceInfo[], options: BuildVolumeOptions = {}): VolumePlan {
  if (slices.length === 0) throw new DicomError('VOLUME_NO_IMAGES', 'no images to make a volume of');
  const first = slices[0]!;
  for (const slice of slices) checkGeometry(slice);
  for (const slice of slices) {
    const differs = difference(first, slice);
    if (differs !== undefined) throw new DicomError('VOLUME_INCONSISTENT_SLICES', `${slice.name}: ${differs} differs from ${first.name}; a volume needs the same value in every slice`);
  }
  const arrangement = arrange(slices);
  if (arrangement.kind === 'duplicate') {
    throw new DicomError('VOLUME_DUPLICATE_SLICE', `${arrangement.first.name} and ${arrangement.second.name} are at the same position, and no echo or time value tells them apart`);
  }
  if (arrangement.kind === 'split') {
    throw new DicomError('VOLUME_INCONSISTENT_SLICES', `slices differ in ${arrangement.attribute} but do not cover the same positions for each value, so they are ${arrangement.parts.length} separate volumes (findVolumeSeries splits them)`);
  }
  const warnings: VolumeWarning[] = [];
  const seriesUids = new Set(slices.map((s) => s.seriesInstanceUID));
  if (seriesUids.size > 1) warnings.push({ code: 'several-series', message: `the slices come from ${seriesUids.size} series` });
  const volumes = arrangement.volumes;
  const sorted = volumes[0]!;
  const row = rowOf(first.orientation!);
  const column = columnOf(first.orientation!);
  const normal = normalize(cross(row, column));
  const origin = sorted[0]!.position!;
  let sliceSpacing: number;
  let step: Vec3;
  let spacingVariation: SpacingVariation | undefined;
  let tilt: GantryTilt | undefined;
  if (sorted.length === 1) {
    sliceSpacing = first.spacingBetweenSlices ?? first.sliceThickness ?? 1;
    step = scale(normal, sliceSpacing);
  } else {
    spacingVariation = spacingOf(sorted, normal, options, warnings);
    step = scale(sub(sorted[sorted.length - 1]!.position!, origin), 1 / (sorted.length - 1));
    sliceSpacing = dot(step, normal);
    const shear = sub(step, scale(normal, sliceSpacing));
    const angle = (Math.atan2(norm(shear), sliceSpacing) * 180) / Math.PI;
    if (angle > TILT_THRESHOLD_DEGREES) {
      tilt = { angleDegrees: angle, gantryDetectorTilt: first.gantryTilt, corrected: false };
      warnings.push({ code: 'gantry-tilt', message: `gantry tilt: slices are sheared by ${angle.toFixed(3)} degrees${first.gantryTilt !== undefined ? ` (Gantry/Detector Tilt ${first.gantryTilt})` : ''}; the sform carries the shear and the qform is unset (code 0)` });
    }
    let worst = 0;
    for (const slice of sorted) {
      const distance = dot(sub(slice.position!, origin), normal);
      worst = Math.max(worst, norm(sub(slice.position!, addScaled(origin, step, distance / sliceSpacing))));
    }
    if (worst > COLLINEAR_TOLERANCE) warnings.push({ code: 'positions-not-collinear', message: `slice positions are up to ${worst.toFixed(3)} mm off the line through the first and last; the affine places slices on that line` });
  }
  const voxelType0 = voxelTypeOf(first);
  const uniform = slices.every((s) => sameNumber(s.rescaleSlope, first.rescaleSlope) && sameNumber(s.rescaleIntercept, first.rescaleIntercept));
  const rescaled = !uniform && voxelType0 !== 'rgb24';
  if (rescaled) warnings.push({ code: 'rescale-varies', message: 'Rescale Slope/Intercept vary between slices: voxels are stored as float32 real values' });
  if (first.pixel.photometricInterpretation === 'MONOCHROME1') warnings.push({ code: 'monochrome1', message: 'MONOCHROME1: low values are displayed white; voxels keep the stored values' });
  const paddings = new Set(slices.map((s) => s.paddingValue));
  return {
    volumes,
    dimension: arrangement.dimension,
    columns: first.pixel.columns,
    rows: first.pixel.rows,
    slices: sorted.length,
    row,
    column,
    normal,
    pixelSpacing: first.pixelSpacing!,
    sliceSpacing,
    step,
    origin,
    tilt,
    spacingVariation,
    voxelType: rescaled ? 'float32' : voxelType0,
    rescale: rescaled ? { slope: 1, intercept: 0 } : { slope: first.rescaleSlope, intercept: first.rescaleIntercept },
    rescaled,
    paddingValue: paddings.size === 1 ? first.paddingValue : undefined,
    warnings,
  };
}

/** The LPS affine of a plan: columns row * column spacing, column * row spacing, step; origin the first voxel. */
export function affineOf(plan: Pick<VolumePlan, 'row' | 'column' | 'pixelSpacing' | 'step' | 'origin'>): Affine {
  const i = scale(plan.row, plan.pixelSpacing[1]);
  const j = scale(plan.column, plan.pixelSpacing[0]);
  const k = plan.step;
  const o = plan.origin;
  return [
    [i[0], j[0], k[0], o[0]],
    [i[1], j[1], k[1], o[1]],
    [i[2], j[2], k[2], o[2]],
    [0, 0, 0, 1],
  ];
}

/** An LPS affine in RAS (NIfTI): x and y negated. */
export function toRas(affine: Affine): Affine {
  const [x, y, z, w] = affine;
  return [[-x[0], -x[1], -x[2], -x[3]], [-y[0], -y[1], -y[2], -y[3]], z, w];
}
