import { DicomError } from './errors.js';
import { frameValues, type FrameValueOptions } from './_frame-values.js';
import type { PixelFrame } from './pixel-frame.js';

/** Options for {@link histogram}. */
export interface HistogramOptions extends FrameValueOptions {
  /** Number of equal-width bins (default 256). */
  readonly bins?: number;
  /** [low, high] covered by the bins (default: the values' min and max); values outside are not counted. */
  readonly range?: readonly [number, number];
}

/** A histogram: `counts[i]` values fell in [edges[i], edges[i+1]) (the last bin includes its upper edge). */
export interface Histogram {
  readonly units: 'stored' | 'modality';
  /** bins + 1 edges. */
  readonly edges: number[];
  readonly counts: number[];
  /** Values counted (inside the range). */
  readonly total: number;
  /** Pixels left out as Pixel Padding. */
  readonly excluded: number;
}

/**
 * Counts a frame's values (all channels together for colour) in `bins` equal bins over `range`, as numpy.histogram
 * does. Values are stored or modality values, padding excluded, as for calculateStatistics.
 * Throws CORE_INVALID_VALUE for a bin count that is not a positive integer or a range whose high end is below its low end.
 */
export function histogram(frame: PixelFrame, options: HistogramOptions = {}): Histogram {
  const bins = options.bins ?? 256;
  if (!Number.isInteger(bins) || bins < 1 || bins > 1_000_000) throw new DicomError('CORE_INVALID_VALUE', `bins must be an integer from 1 to 1000000, not ${bins}`);
  const { units, channels, excluded } = frameValues(frame, options);
  let [low, high] = options.range ?? [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  if (options.range === undefined) {
    for (const channel of channels) for (const v of channel) {
      if (v < low) low = v;
      if (v > high) high = v;
    }
    if (!Number.isFinite(low)) [low, high] = [0, 1];
  }
  if (!(high >= low)) throw new DicomError('CORE_INVALID_VALUE', `histogram range [${low}, ${high}] is empty`);
  if (high === low) [low, high] = [low - 0.5, high + 0.5];
  const width = (high - low) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? high : low + i * width));
  const counts = new Array<number>(bins).fill(0);
  let total = 0;
  for (const channel of channels) {
    for (const v of channel) {
      if (v < low || v > high) continue;
      let bin = Math.floor((v - low) / width);
      if (bin >= bins) bin = bins - 1;
      // Floating point: keep each value in the bin whose edges hold it, as numpy does.
      if (bin > 0 && v < edges[bin]!) bin--;
      else if (bin < bins - 1 && v >= edges[bin + 1]!) bin++;
      counts[bin]!++;
      total++;
    }
  }
  return { units, edges, counts, total, excluded };
}
