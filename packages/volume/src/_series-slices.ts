// The slices findVolumeSeries worked out from the headers, kept on the series it returns (under a symbol, not
// enumerable: invisible to JSON, spreads and equality checks), so that reading the volume does not work them out
// again. They are used only while the series still holds the very files, images and headers they came from.
import type { SliceInfo } from './_slices.js';
import type { VolumeSeries } from './find-volume-series.js';

const SLICES = Symbol('volume slices');

interface Kept {
  readonly files: VolumeSeries['files'];
  readonly images: VolumeSeries['images'];
  readonly headers: VolumeSeries['headers'];
  /** The series' slices, `input` indexing `files`. */
  readonly slices: readonly SliceInfo[];
}

/** Keeps `slices` (their `input` indexing `series.files`) on `series`; returns it. */
export function keepSlices(series: VolumeSeries, slices: readonly SliceInfo[]): VolumeSeries {
  const kept: Kept = { files: series.files, images: series.images, headers: series.headers, slices };
  Object.defineProperty(series, SLICES, { value: kept, enumerable: false });
  return series;
}

/** The slices kept on `series` by {@link keepSlices}, unless its files, images or headers are not those any more. */
export function keptSlices(series: VolumeSeries): readonly SliceInfo[] | undefined {
  const kept = (series as { [SLICES]?: Kept })[SLICES];
  if (kept === undefined || kept.files !== series.files || kept.images !== series.images || kept.headers !== series.headers) return undefined;
  return kept.slices;
}
