import type { Dataset } from './dataset.js';
import { applyModalityLut, isIdentityTransform, modalityTransform } from './modality-lut.js';
import { pixelPaddingMask } from './pixel-padding.js';
import type { PixelFrame } from './pixel-frame.js';

/** Which values statistics and histograms are computed on. */
export interface FrameValueOptions {
  /** The frame's data set: for the Modality LUT and Pixel Padding. */
  readonly dataset?: Dataset;
  /**
   * `stored` values as in the file, or `modality` values after Rescale / Modality LUT (e.g. HU). Default: modality
   * when `dataset` has a Modality LUT that changes values (CT, PET and the like), else stored.
   */
  readonly units?: 'stored' | 'modality';
  /** Leave out Pixel Padding (default true; needs `dataset`). */
  readonly excludePadding?: boolean;
}

/** The values of each channel (one for grey, three for colour), padding removed, and what was done. */
export interface FrameValues {
  readonly units: 'stored' | 'modality';
  readonly channels: Float64Array[];
  /** Pixels left out as padding. */
  readonly excluded: number;
}

export function frameValues(frame: PixelFrame, options: FrameValueOptions): FrameValues {
  const { dataset } = options;
  const transform = dataset !== undefined ? modalityTransform(dataset, frame.index) : { kind: 'identity' as const };
  const units = options.units ?? (isIdentityTransform(transform) ? 'stored' : 'modality');
  const values = units === 'modality' ? applyModalityLut(frame, transform) : Float64Array.from(frame.data as ArrayLike<number>);
  const mask = dataset !== undefined && options.excludePadding !== false ? pixelPaddingMask(dataset, frame) : undefined;
  const samples = frame.samplesPerPixel;
  const pixels = frame.rows * frame.columns;
  let excluded = 0;
  if (mask !== undefined) for (let i = 0; i < pixels; i++) excluded += mask[i]!;
  const channels: Float64Array[] = [];
  for (let s = 0; s < samples; s++) {
    const out = new Float64Array(pixels - excluded);
    let n = 0;
    for (let p = 0; p < pixels; p++) if (mask === undefined || mask[p] === 0) out[n++] = values[p * samples + s]!;
    channels.push(out);
  }
  return { units, channels, excluded };
}
