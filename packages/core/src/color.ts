import type { Dataset } from './dataset.js';
import { DicomError } from './errors.js';
import { paletteOf } from './_palette.js';
import type { PixelFrame } from './pixel-frame.js';

/** A colour image: red, green, blue interleaved, row by row. */
export interface RgbImage {
  readonly rows: number;
  readonly columns: number;
  /** Uint8Array when every sample fits 8 bits, else Uint16Array. */
  readonly data: Uint8Array | Uint16Array;
  /** The largest value a sample can have (255 for 8-bit data, 2^BitsStored - 1, or the palette's range). */
  readonly maxValue: number;
}

const COLOUR = new Set(['RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_PARTIAL_422', 'YBR_PARTIAL_420', 'YBR_ICT', 'PALETTE COLOR']);

/** True when `toRgb` can convert frames of this photometric interpretation. */
export function isColorPhotometric(photometricInterpretation: string): boolean {
  return COLOUR.has(photometricInterpretation);
}

function clampRound(value: number, max: number): number {
  return value <= 0 ? 0 : value >= max ? max : Math.round(value);
}

function outputArray(length: number, maxValue: number): Uint8Array | Uint16Array {
  return maxValue <= 255 ? new Uint8Array(length) : new Uint16Array(length);
}

/** YCbCr (full range, PS3.3 C.7.6.3.1.2, ITU-R BT.601 coefficients) to RGB, `half` being the chroma zero (128 for 8 bits). */
function ybrFullToRgb(frame: PixelFrame, maxValue: number): Uint8Array | Uint16Array {
  const src = frame.data;
  const out = outputArray(src.length, maxValue);
  const half = (maxValue + 1) / 2;
  for (let i = 0; i < src.length; i += 3) {
    const y = src[i]!;
    const cb = src[i + 1]! - half;
    const cr = src[i + 2]! - half;
    out[i] = clampRound(y + 1.402 * cr, maxValue);
    out[i + 1] = clampRound(y - 0.344136 * cb - 0.714136 * cr, maxValue);
    out[i + 2] = clampRound(y + 1.772 * cb, maxValue);
  }
  return out;
}

/** YCbCr with partial range (Y 16-235, Cb Cr 16-240 for 8 bits: PS3.3 C.7.6.3.1.2 YBR_PARTIAL_422) to RGB. */
function ybrPartialToRgb(frame: PixelFrame, maxValue: number): Uint8Array | Uint16Array {
  const src = frame.data;
  const out = outputArray(src.length, maxValue);
  const scale = (maxValue + 1) / 256;
  for (let i = 0; i < src.length; i += 3) {
    const y = (src[i]! / scale - 16) * 1.164383;
    const cb = src[i + 1]! / scale - 128;
    const cr = src[i + 2]! / scale - 128;
    out[i] = clampRound((y + 1.596027 * cr) * scale, maxValue);
    out[i + 1] = clampRound((y - 0.391762 * cb - 0.812968 * cr) * scale, maxValue);
    out[i + 2] = clampRound((y + 2.017232 * cb) * scale, maxValue);
  }
  return out;
}

function paletteToRgb(frame: PixelFrame, dataset: Dataset | undefined): { data: Uint8Array | Uint16Array; maxValue: number } {
  if (dataset === undefined) throw new DicomError('CORE_INVALID_VALUE', 'a PALETTE COLOR frame needs its data set for the palette');
  const palette = paletteOf(dataset, frame.pixelRepresentation === 1);
  const maxValue = palette.bits === 8 ? 255 : 65535;
  const [red, green, blue] = palette.tables;
  const src = frame.data;
  const out = outputArray(src.length * 3, maxValue);
  const last = red.length - 1;
  for (let p = 0; p < src.length; p++) {
    const raw = src[p]! - palette.firstMapped;
    const i = raw <= 0 ? 0 : raw >= last ? last : raw;
    out[3 * p] = red[i]!;
    out[3 * p + 1] = green[i]!;
    out[3 * p + 2] = blue[i]!;
  }
  return { data: out, maxValue };
}

/**
 * Converts a colour frame to RGB: RGB as it is, YBR_FULL (and YBR_FULL_422, which getFrame has upsampled),
 * YBR_ICT and YBR_PARTIAL_422/420 through the PS3.3 C.7.6.3.1.2 equations, PALETTE COLOR through the data set's
 * Palette Color Lookup Tables, plain or segmented (`dataset` is then required). Throws CORE_INVALID_VALUE for a
 * grey frame or another photometric interpretation.
 */
export function toRgb(frame: PixelFrame, dataset?: Dataset): RgbImage {
  const pi = frame.photometricInterpretation;
  const base = { rows: frame.rows, columns: frame.columns };
  if (pi === 'PALETTE COLOR') return { ...base, ...paletteToRgb(frame, dataset) };
  if (frame.samplesPerPixel !== 3 || !COLOUR.has(pi)) {
    throw new DicomError('CORE_INVALID_VALUE', `Photometric Interpretation ${pi} with ${frame.samplesPerPixel} sample(s) per pixel is not a colour image that can be shown as RGB`);
  }
  if (frame.data instanceof Float32Array || frame.data instanceof Float64Array || frame.pixelRepresentation === 1) {
    throw new DicomError('CORE_INVALID_VALUE', 'signed or floating point colour samples cannot be shown as RGB');
  }
  const maxValue = 2 ** Math.min(frame.bitsStored, 16) - 1;
  if (pi === 'RGB') {
    const out = outputArray(frame.data.length, maxValue);
    for (let i = 0; i < frame.data.length; i++) out[i] = Math.min(frame.data[i]!, maxValue);
    return { ...base, data: out, maxValue };
  }
  if (pi === 'YBR_PARTIAL_422' || pi === 'YBR_PARTIAL_420') return { ...base, data: ybrPartialToRgb(frame, maxValue), maxValue };
  return { ...base, data: ybrFullToRgb(frame, maxValue), maxValue };
}
