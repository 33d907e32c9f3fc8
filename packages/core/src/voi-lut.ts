import type { Dataset } from './dataset.js';
import { DicomError } from './errors.js';
import { functionalGroupItem } from './_functional-groups.js';
import { lookUp, lutOfItem, type LookupTable } from './_lut.js';
import { getNumbers, getString, getStrings } from './values.js';

const WINDOW_CENTER = 0x00281050;
const WINDOW_WIDTH = 0x00281051;
const WINDOW_EXPLANATION = 0x00281055;
const VOI_LUT_FUNCTION = 0x00281056;
const VOI_LUT_SEQUENCE = 0x00283010;
const LUT_EXPLANATION = 0x00283003;
const FRAME_VOI_LUT = 0x00289132;

/** The VOI LUT Function (0028,1056) values of PS3.3 C.11.2.1.3. */
export type VoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

/** A window: centre and width applied with one of the VOI LUT functions. */
export interface VoiWindow {
  readonly kind: 'window';
  readonly center: number;
  readonly width: number;
  readonly function: VoiFunction;
  readonly explanation?: string;
}

/** A VOI lookup table (an item of the VOI LUT Sequence). */
export interface VoiTable {
  readonly kind: 'lut';
  readonly table: LookupTable;
  readonly explanation?: string;
}

/** How modality values become display values (PS3.3 C.11.2). */
export type VoiTransform = VoiWindow | VoiTable;

function voiFunctionOf(dataset: Dataset): VoiFunction {
  const value = (getString(dataset, VOI_LUT_FUNCTION) ?? 'LINEAR').trim().toUpperCase();
  if (value !== 'LINEAR' && value !== 'LINEAR_EXACT' && value !== 'SIGMOID') {
    throw new DicomError('CORE_INVALID_VALUE', `VOI LUT Function ${value} is not LINEAR, LINEAR_EXACT or SIGMOID`, { tag: VOI_LUT_FUNCTION });
  }
  return value;
}

function windowsOf(dataset: Dataset): VoiWindow[] {
  const centers = getNumbers(dataset, WINDOW_CENTER) ?? [];
  const widths = getNumbers(dataset, WINDOW_WIDTH) ?? [];
  const explanations = getStrings(dataset, WINDOW_EXPLANATION) ?? [];
  const fn = voiFunctionOf(dataset);
  const out: VoiWindow[] = [];
  for (let i = 0; i < Math.min(centers.length, widths.length); i++) {
    const explanation = explanations[i];
    out.push({ kind: 'window', center: centers[i]!, width: widths[i]!, function: fn, ...(explanation !== undefined && explanation !== '' ? { explanation } : {}) });
  }
  return out;
}

/**
 * Every VOI the data set offers for frame `frameIndex`, windows first (in the order of Window Center / Width),
 * then the items of the VOI LUT Sequence. For an enhanced multi-frame image, the Frame VOI LUT functional group
 * (per-frame, else shared) is used when present. Empty when the file has none.
 */
export function fileVoiTransforms(dataset: Dataset, frameIndex = 0, options: { readonly signedInput?: boolean } = {}): VoiTransform[] {
  const source = functionalGroupItem(dataset, frameIndex, FRAME_VOI_LUT) ?? dataset;
  const out: VoiTransform[] = windowsOf(source);
  const sequence = source.elements.get(VOI_LUT_SEQUENCE) ?? dataset.elements.get(VOI_LUT_SEQUENCE);
  if (sequence?.vr === 'SQ') {
    for (const item of sequence.value) {
      const explanation = getString(item, LUT_EXPLANATION);
      out.push({ kind: 'lut', table: lutOfItem(item, options.signedInput === true), ...(explanation !== undefined ? { explanation } : {}) });
    }
  }
  return out;
}

/** Options for {@link autoWindow}. */
export interface AutoWindowOptions {
  /** `minmax` (default): the full range of the values; `percentile`: from the `lower` to the `upper` percentile. */
  readonly mode?: 'minmax' | 'percentile';
  /** Lower percentile for `percentile` (default 1). */
  readonly lower?: number;
  /** Upper percentile for `percentile` (default 99). */
  readonly upper?: number;
  /** Values to leave out (true = excluded), e.g. Pixel Padding; same length as the values. */
  readonly exclude?: Uint8Array;
}

/** The q-th percentile (0-100) of sorted values, interpolated linearly between neighbours. */
export function percentileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (q / 100) * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const fraction = position - below;
  return sorted[below]! + (sorted[above]! - sorted[below]!) * fraction;
}

/**
 * A LINEAR window that maps the range of `values` (or the `lower`..`upper` percentiles) onto the whole output:
 * the lowest value to black, the highest to white (centre (lo + hi + 1) / 2, width hi - lo + 1, by C.11.2.1.2.1).
 * Excluded values (Pixel Padding) do not count. Throws CORE_INVALID_VALUE when no value is left.
 */
export function autoWindow(values: ArrayLike<number>, options: AutoWindowOptions = {}): VoiWindow {
  const exclude = options.exclude;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  if ((options.mode ?? 'minmax') === 'minmax') {
    for (let i = 0; i < values.length; i++) {
      if (exclude?.[i] === 1) continue;
      const v = values[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  } else {
    const kept = new Float64Array(values.length);
    let n = 0;
    for (let i = 0; i < values.length; i++) if (exclude?.[i] !== 1) kept[n++] = values[i]!;
    const sorted = kept.subarray(0, n).sort();
    lo = percentileOfSorted(sorted, options.lower ?? 1);
    hi = percentileOfSorted(sorted, options.upper ?? 99);
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new DicomError('CORE_INVALID_VALUE', 'no pixel values to compute a window from (all are padding?)');
  return { kind: 'window', center: (lo + hi + 1) / 2, width: hi - lo + 1, function: 'LINEAR' };
}

/**
 * Applies a VOI transform (PS3.3 C.11.2.1.2.1 LINEAR, C.11.2.1.3.2 LINEAR_EXACT, C.11.2.1.3.1 SIGMOID, or a VOI LUT
 * scaled from its entry range) to modality values, giving display values from 0 to `outputMax` (not rounded).
 * Throws CORE_INVALID_VALUE for a width the function does not allow (LINEAR below 1, others 0 or below).
 */
export function applyVoi(values: ArrayLike<number>, voi: VoiTransform, outputMax: number): Float64Array {
  const out = new Float64Array(values.length);
  if (voi.kind === 'lut') {
    const scale = outputMax / (2 ** voi.table.bits - 1);
    for (let i = 0; i < values.length; i++) out[i] = Math.min(outputMax, lookUp(voi.table, values[i]!) * scale);
    return out;
  }
  const { center: c, width: w } = voi;
  if (voi.function === 'LINEAR') {
    if (!(w >= 1)) throw new DicomError('CORE_INVALID_VALUE', `Window Width ${w} is below 1, which LINEAR does not allow`, { tag: WINDOW_WIDTH });
    const low = c - 0.5 - (w - 1) / 2;
    const high = c - 0.5 + (w - 1) / 2;
    const span = w - 1;
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      out[i] = x <= low ? 0 : x > high ? outputMax : ((x - (c - 0.5)) / span + 0.5) * outputMax;
    }
    return out;
  }
  if (!(w > 0)) throw new DicomError('CORE_INVALID_VALUE', `Window Width ${w} must be above 0 for ${voi.function}`, { tag: WINDOW_WIDTH });
  if (voi.function === 'LINEAR_EXACT') {
    const low = c - w / 2;
    const high = c + w / 2;
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      out[i] = x <= low ? 0 : x > high ? outputMax : ((x - c) / w + 0.5) * outputMax;
    }
    return out;
  }
  for (let i = 0; i < values.length; i++) out[i] = outputMax / (1 + Math.exp((-4 * (values[i]! - c)) / w));
  return out;
}
