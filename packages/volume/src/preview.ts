import { encodePng } from '@dicom-tools/core';
import type { Volume } from './volume.js';

/** Options of {@link renderPreview}. */
export interface PreviewOptions {
  /** Largest side of each panel in pixels. Default 256. */
  readonly size?: number;
}

/** A panel: `width` x `height` samples of the volume, read through `at(x, y)` (x along the panel, y down). */
interface Panel {
  readonly width: number;
  readonly height: number;
  /** mm per step along x and y. */
  readonly sx: number;
  readonly sy: number;
  readonly at: (x: number, y: number) => number;
}

function valueOf(volume: Volume): (index: number) => number {
  const v = volume.voxels;
  if (volume.voxelType === 'rgb24') return (n) => (v[3 * n]! * 299 + v[3 * n + 1]! * 587 + v[3 * n + 2]! * 114) / 1000;
  return (n) => v[n]!;
}

/**
 * A PNG of three planes through the middle of the volume, side by side: slice k = middle (the acquired plane),
 * row j = middle, and column i = middle, each resampled to square pixels (nearest neighbour) and windowed from the
 * 1st to the 99th percentile of the volume's middle slice. For 4-D volumes, the first volume. For a quick look,
 * not for reading: no orientation labels, no interpolation.
 */
export async function renderPreview(volume: Volume, options: PreviewOptions = {}): Promise<Uint8Array> {
  const [columns, rows, slices] = volume.dimensions as [number, number, number];
  const [dc, dr, ds] = volume.spacing;
  const get = valueOf(volume);
  const index = (i: number, j: number, k: number): number => i + columns * (j + rows * k);
  const mi = columns >> 1;
  const mj = rows >> 1;
  const mk = slices >> 1;
  const panels: Panel[] = [
    { width: columns, height: rows, sx: dc, sy: dr, at: (x, y) => get(index(x, y, mk)) },
    { width: columns, height: slices, sx: dc, sy: ds, at: (x, y) => get(index(x, mj, slices - 1 - y)) },
    { width: rows, height: slices, sx: dr, sy: ds, at: (x, y) => get(index(mi, x, slices - 1 - y)) },
  ];
  const sample: number[] = [];
  const step = Math.max(1, Math.floor((columns * rows) / 65536));
  for (let n = 0; n < columns * rows; n += step) sample.push(get(mk * columns * rows + n));
  sample.sort((a, b) => a - b);
  const low = sample[Math.floor(sample.length * 0.01)] ?? 0;
  const high = sample[Math.min(sample.length - 1, Math.floor(sample.length * 0.99))] ?? low + 1;
  const range = high > low ? high - low : 1;
  const size = options.size ?? 256;
  const pixel = Math.max(Math.min(dc, dr, ds), Math.max(...panels.map((p) => Math.max(p.width * p.sx, p.height * p.sy))) / size);
  const scaled = panels.map((p) => ({ p, w: Math.max(1, Math.round((p.width * p.sx) / pixel)), h: Math.max(1, Math.round((p.height * p.sy) / pixel)) }));
  const width = scaled.reduce((n, s) => n + s.w, 0) + 2 * (scaled.length - 1);
  const height = Math.max(...scaled.map((s) => s.h));
  const out = new Uint8Array(width * height);
  let left = 0;
  for (const { p, w, h } of scaled) {
    for (let y = 0; y < h; y++) {
      const sy = Math.min(p.height - 1, Math.floor(((y + 0.5) * p.height) / h));
      for (let x = 0; x < w; x++) {
        const sx = Math.min(p.width - 1, Math.floor(((x + 0.5) * p.width) / w));
        const v = ((p.at(sx, sy) - low) / range) * 255;
        out[y * width + left + x] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      }
    }
    left += w + 2;
  }
  return encodePng({ width, height, channels: 1, bitDepth: 8, data: out, voiSource: 'auto', inverted: false });
}
