import type { SliceDimensions, SliceInfo } from './_slices.js';
import { cross, dot, type Vec3 } from './_vec.js';

/** Two slices closer than this along the normal (mm) are at the same position. */
export const POSITION_TOLERANCE = 0.01;
/** Largest difference between two slices' direction cosines that still counts as the same orientation. */
export const ORIENTATION_TOLERANCE = 1e-3;
/** Largest relative difference between two slices' pixel spacings that still counts as equal. */
const SPACING_TOLERANCE = 1e-4;

/** The value that names a 4th axis, and what kind of axis it is. */
export type DimensionKind = 'echo' | 'time' | 'acquisition';

/** A 4th axis: one 3-D volume per value, in this order. */
export interface Dimension {
  readonly kind: DimensionKind;
  /** The attribute whose values tell the volumes apart. */
  readonly attribute: keyof SliceDimensions;
  readonly values: readonly (number | string)[];
}

/** How the slices of one stack form volumes. */
export type Arrangement =
  | { readonly kind: 'volume'; readonly volumes: readonly (readonly SliceInfo[])[]; readonly dimension: Dimension | undefined }
  | { readonly kind: 'split'; readonly attribute: keyof SliceDimensions; readonly parts: readonly (readonly SliceInfo[])[] }
  | { readonly kind: 'duplicate'; readonly first: SliceInfo; readonly second: SliceInfo };

/** Attributes tried, in order, to tell apart slices that share a position. */
const CANDIDATES: readonly { readonly attribute: keyof SliceDimensions; readonly kind: DimensionKind }[] = [
  { attribute: 'echoTime', kind: 'echo' },
  { attribute: 'echoNumber', kind: 'echo' },
  { attribute: 'temporalPosition', kind: 'time' },
  { attribute: 'triggerTime', kind: 'time' },
  { attribute: 'acquisitionNumber', kind: 'acquisition' },
  { attribute: 'acquisitionTime', kind: 'time' },
];

/** The slice normal (row x column cosines) of an orientation. */
export function normalOf(orientation: readonly number[]): Vec3 {
  return cross(rowOf(orientation), columnOf(orientation));
}

/** The row direction (the direction of increasing column index). */
export function rowOf(orientation: readonly number[]): Vec3 {
  return [orientation[0]!, orientation[1]!, orientation[2]!];
}

/** The column direction (the direction of increasing row index). */
export function columnOf(orientation: readonly number[]): Vec3 {
  return [orientation[3]!, orientation[4]!, orientation[5]!];
}

function sameSpacing(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.every((v, i) => Math.abs(v - b[i]!) <= SPACING_TOLERANCE * Math.max(1, Math.abs(v)));
}

function sameOrientation(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.every((v, i) => Math.abs(v - b[i]!) <= ORIENTATION_TOLERANCE);
}

/**
 * The first attribute in which `b` differs from `a` in a way that keeps them out of one volume, or undefined
 * when they can share one.
 */
export function difference(a: SliceInfo, b: SliceInfo): string | undefined {
  if (a.pixel.rows !== b.pixel.rows) return 'Rows';
  if (a.pixel.columns !== b.pixel.columns) return 'Columns';
  if (a.pixel.samplesPerPixel !== b.pixel.samplesPerPixel) return 'Samples per Pixel';
  if (a.pixel.bitsAllocated !== b.pixel.bitsAllocated || a.floatBits !== b.floatBits) return 'Bits Allocated';
  if (a.pixel.pixelRepresentation !== b.pixel.pixelRepresentation) return 'Pixel Representation';
  if (!sameSpacing(a.pixelSpacing, b.pixelSpacing)) return 'Pixel Spacing';
  if (!sameOrientation(a.orientation, b.orientation)) return 'Image Orientation (Patient)';
  if (a.stackId !== b.stackId) return 'Stack ID';
  return undefined;
}

function along(slice: SliceInfo, normal: Vec3): number {
  return dot(slice.position!, normal);
}

/** Slices sorted by the projection of their position on `normal`, ties kept in input order. */
export function sortAlong(slices: readonly SliceInfo[], normal: Vec3): SliceInfo[] {
  return slices.map((s, i) => ({ s, i, d: along(s, normal) })).sort((x, y) => x.d - y.d || x.i - y.i).map((x) => x.s);
}

/** The first two neighbours of a sorted list that share a position, if any. */
function firstDuplicate(sorted: readonly SliceInfo[], normal: Vec3): [SliceInfo, SliceInfo] | undefined {
  for (let k = 1; k < sorted.length; k++) {
    if (Math.abs(along(sorted[k]!, normal) - along(sorted[k - 1]!, normal)) <= POSITION_TOLERANCE) return [sorted[k - 1]!, sorted[k]!];
  }
  return undefined;
}

function compareValues(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function samePositions(a: readonly SliceInfo[], b: readonly SliceInfo[], normal: Vec3): boolean {
  return a.length === b.length && a.every((s, k) => Math.abs(along(s, normal) - along(b[k]!, normal)) <= POSITION_TOLERANCE);
}

/**
 * Arranges compatible slices (same orientation, each with a position) into volumes. Slices at distinct
 * positions make one 3-D volume. When positions repeat, the first attribute (echo time, echo number, temporal
 * position, trigger time, acquisition number, acquisition time) that leaves no repeated position within each
 * of its values either makes a 4th axis (every value covers the same positions) or splits the slices into
 * separate stacks. Otherwise two slices are duplicates.
 */
export function arrange(slices: readonly SliceInfo[]): Arrangement {
  const normal = normalOf(slices[0]!.orientation!);
  const sorted = sortAlong(slices, normal);
  const duplicate = firstDuplicate(sorted, normal);
  if (duplicate === undefined) return { kind: 'volume', volumes: [sorted], dimension: undefined };
  for (const { attribute, kind } of CANDIDATES) {
    const byValue = new Map<number | string, SliceInfo[]>();
    for (const slice of sorted) {
      const value = slice.dimensions[attribute] ?? '';
      const list = byValue.get(value);
      if (list === undefined) byValue.set(value, [slice]);
      else list.push(slice);
    }
    if (byValue.size < 2) continue;
    const parts = [...byValue.entries()].sort((x, y) => compareValues(x[0], y[0]));
    if (parts.some(([, part]) => firstDuplicate(part, normal) !== undefined)) continue;
    const volumes = parts.map(([, part]) => part);
    if (volumes.every((v) => samePositions(v, volumes[0]!, normal))) {
      return { kind: 'volume', volumes, dimension: { kind, attribute, values: parts.map(([value]) => value) } };
    }
    return { kind: 'split', attribute, parts: volumes };
  }
  return { kind: 'duplicate', first: duplicate[0], second: duplicate[1] };
}
