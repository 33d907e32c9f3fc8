import { frameValues, type FrameValueOptions } from './_frame-values.js';
import type { PixelFrame } from './pixel-frame.js';
import { percentileOfSorted } from './voi-lut.js';

/** Options for {@link calculateStatistics}. */
export type StatisticsOptions = FrameValueOptions;

/** Summary statistics of one channel's values (population variance and standard deviation). */
export interface ChannelStatistics {
  /** Number of values counted (pixels minus padding). */
  readonly total: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly range: number;
  readonly mean: number;
  readonly median: number;
  readonly variance: number;
  readonly std: number;
  /** Percentiles interpolated linearly between the closest ranks (as numpy.percentile does by default). */
  readonly percentiles: { readonly p1: number; readonly p5: number; readonly p25: number; readonly p75: number; readonly p95: number; readonly p99: number };
  /** p75 - p25. */
  readonly iqr: number;
  /** Number of distinct values. */
  readonly unique: number;
  readonly zeroCount: number;
  /** zeroCount / total x 100. */
  readonly zeroPercent: number;
}

/** Statistics of a frame: one entry per channel (one for grey images, red/green/blue or Y/Cb/Cr samples for colour). */
export interface FrameStatistics {
  readonly units: 'stored' | 'modality';
  /** Pixels left out as Pixel Padding. */
  readonly excluded: number;
  readonly channels: readonly ChannelStatistics[];
}

/** The values in ascending order: a counting sort for integers in a range of up to 2^20, else a comparison sort. */
function sortedCopy(values: Float64Array): Float64Array {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let integers = true;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (integers && !Number.isInteger(v)) integers = false;
  }
  if (!integers || values.length === 0 || hi - lo > 1 << 20) return Float64Array.from(values).sort();
  const counts = new Uint32Array(hi - lo + 1);
  for (const v of values) counts[v - lo]!++;
  const out = new Float64Array(values.length);
  let at = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]!;
    if (n > 0) out.fill(lo + i, at, at + n);
    at += n;
  }
  return out;
}

function channelStatistics(values: Float64Array): ChannelStatistics {
  const sorted = sortedCopy(values);
  const total = sorted.length;
  let sum = 0;
  let zeroCount = 0;
  let unique = 0;
  for (let i = 0; i < total; i++) {
    const v = sorted[i]!;
    sum += v;
    if (v === 0) zeroCount++;
    if (i === 0 || v !== sorted[i - 1]) unique++;
  }
  const mean = total > 0 ? sum / total : Number.NaN;
  let squares = 0;
  for (let i = 0; i < total; i++) squares += (sorted[i]! - mean) ** 2;
  const variance = total > 0 ? squares / total : Number.NaN;
  const p = (q: number): number => percentileOfSorted(sorted, q);
  const percentiles = { p1: p(1), p5: p(5), p25: p(25), p75: p(75), p95: p(95), p99: p(99) };
  const min = total > 0 ? sorted[0]! : Number.NaN;
  const max = total > 0 ? sorted[total - 1]! : Number.NaN;
  return {
    total, sum, min, max, range: max - min, mean, median: p(50), variance, std: Math.sqrt(variance),
    percentiles, iqr: percentiles.p75 - percentiles.p25, unique, zeroCount, zeroPercent: total > 0 ? (zeroCount / total) * 100 : 0,
  };
}

/**
 * Statistics of a frame's values, per channel: min, max, mean, median, variance, std, percentiles, IQR, distinct
 * values, zeros. With `dataset`, values are in modality units when the data set rescales them (CT HU, PET) unless
 * `units: 'stored'` is asked, and Pixel Padding is left out unless `excludePadding: false`.
 */
export function calculateStatistics(frame: PixelFrame, options: StatisticsOptions = {}): FrameStatistics {
  const values = frameValues(frame, options);
  return { units: values.units, excluded: values.excluded, channels: values.channels.map(channelStatistics) };
}
