import type { Dataset } from './dataset.js';
import { DicomError } from './errors.js';
import { toRgb } from './color.js';
import { applyModalityLut, modalityTransform, type ModalityTransform } from './modality-lut.js';
import { pixelPaddingMask } from './pixel-padding.js';
import type { PixelFrame } from './pixel-frame.js';
import { applyVoi, autoWindow, fileVoiTransforms, type VoiFunction, type VoiTransform } from './voi-lut.js';

/**
 * How grey values become display values: `file` the data set's first window or VOI LUT (falling back to `auto`
 * when it has none), `auto` the 1st to 99th percentile of the modality values, `minmax` their whole range, `none` no
 * VOI at all (stored values written as they are, see {@link RenderedImage.storedOffset}), or an explicit window.
 */
export type WindowChoice = 'file' | 'auto' | 'minmax' | 'none' | { readonly center: number; readonly width: number; readonly function?: VoiFunction };

/** Options for {@link renderFrame}. */
export interface RenderOptions {
  /** Default `file`. Colour images ignore it. */
  readonly window?: WindowChoice;
  /** Output bits per sample, 8 (default) or 16. */
  readonly bitDepth?: 8 | 16;
  /** Which of the file's VOIs `file` takes (default 0: the first window, else the first VOI LUT). */
  readonly voiIndex?: number;
}

/** A frame ready to be written as an image file. */
export interface RenderedImage {
  readonly width: number;
  readonly height: number;
  /** 1 grey, 3 RGB. */
  readonly channels: 1 | 3;
  readonly bitDepth: 8 | 16;
  /** width x height x channels samples, row by row. */
  readonly data: Uint8Array | Uint16Array;
  /** Where the VOI came from; `none` for colour images and `window: 'none'`. */
  readonly voiSource: 'file' | 'auto' | 'minmax' | 'explicit' | 'none';
  /** The VOI applied, if any. */
  readonly voi?: VoiTransform;
  /** True when MONOCHROME1 was inverted so that higher values are brighter. */
  readonly inverted: boolean;
  /** The Modality LUT that was applied before the VOI (or that gives modality values with `storedOffset`). */
  readonly modality?: ModalityTransform;
  /**
   * With `window: 'none'` only: every sample is `stored value - storedOffset`, exactly; so the modality value of
   * a sample is the Modality LUT applied to `sample + storedOffset`.
   */
  readonly storedOffset?: number;
}

function chooseVoi(values: Float64Array, dataset: Dataset, frame: PixelFrame, options: RenderOptions, exclude: Uint8Array | undefined): [VoiTransform, RenderedImage['voiSource']] {
  const choice = options.window ?? 'file';
  if (typeof choice === 'object') {
    return [{ kind: 'window', center: choice.center, width: choice.width, function: choice.function ?? 'LINEAR' }, 'explicit'];
  }
  if (choice === 'file') {
    const voi = fileVoiTransforms(dataset, frame.index, { signedInput: frame.pixelRepresentation === 1 })[options.voiIndex ?? 0];
    if (voi !== undefined) return [voi, 'file'];
  }
  const exclusion = exclude !== undefined ? { exclude } : {};
  if (choice === 'minmax') return [autoWindow(values, { mode: 'minmax', ...exclusion }), 'minmax'];
  return [autoWindow(values, { mode: 'percentile', lower: 1, upper: 99, ...exclusion }), 'auto'];
}

/** Stored values written as they are, shifted so that the lowest storable value is 0. */
function renderUnwindowed(frame: PixelFrame, outputMax: number): { data: Uint8Array | Uint16Array; storedOffset: number } {
  const src = frame.data;
  let offset: number | undefined;
  const integers = !(src instanceof Float32Array || src instanceof Float64Array);
  if (integers && 2 ** frame.bitsStored - 1 <= outputMax) {
    offset = frame.pixelRepresentation === 1 ? -(2 ** (frame.bitsStored - 1)) : 0;
  } else if (integers) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of src) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi - lo <= outputMax) offset = lo;
  }
  if (offset === undefined) {
    throw new DicomError('CORE_INVALID_VALUE', `the stored values do not fit ${outputMax === 255 ? 8 : 16} bits unchanged: give a window (or a higher bit depth)`);
  }
  const out = outputMax === 255 ? new Uint8Array(src.length) : new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i]! - offset;
  return { data: out, storedOffset: offset };
}

/**
 * Turns a frame into display samples, in the order PS3.3 C.11 gives: Modality LUT (rescale or LUT), VOI (window
 * with LINEAR / LINEAR_EXACT / SIGMOID, or VOI LUT), then MONOCHROME1 inversion. Pixel Padding is left out of auto
 * windows and shown black. Colour frames (RGB, YBR, PALETTE COLOR) become RGB scaled to the bit depth.
 * Throws CORE_INVALID_VALUE for a window the VOI function does not allow, or for `window: 'none'` with values that
 * do not fit the bit depth.
 */
export function renderFrame(frame: PixelFrame, dataset: Dataset, options: RenderOptions = {}): RenderedImage {
  const bitDepth = options.bitDepth ?? 8;
  if (bitDepth !== 8 && bitDepth !== 16) throw new DicomError('CORE_INVALID_VALUE', `bit depth ${String(bitDepth)} is not 8 or 16`);
  const outputMax = bitDepth === 8 ? 255 : 65535;
  const base = { width: frame.columns, height: frame.rows, bitDepth } as const;
  const pi = frame.photometricInterpretation;

  if (frame.samplesPerPixel === 3 || pi === 'PALETTE COLOR') {
    const rgb = toRgb(frame, dataset);
    const out = bitDepth === 8 ? new Uint8Array(rgb.data.length) : new Uint16Array(rgb.data.length);
    const scale = outputMax / rgb.maxValue;
    for (let i = 0; i < rgb.data.length; i++) out[i] = Math.round(rgb.data[i]! * scale);
    return { ...base, channels: 3, data: out, voiSource: 'none', inverted: false };
  }

  const modality = modalityTransform(dataset, frame.index);
  if (options.window === 'none') {
    return { ...base, channels: 1, ...renderUnwindowed(frame, outputMax), voiSource: 'none', inverted: false, modality };
  }
  const values = applyModalityLut(frame, modality);
  const padding = pixelPaddingMask(dataset, frame);
  const [voi, voiSource] = chooseVoi(values, dataset, frame, options, padding);
  const display = applyVoi(values, voi, outputMax);
  const inverted = pi === 'MONOCHROME1';
  const out = bitDepth === 8 ? new Uint8Array(display.length) : new Uint16Array(display.length);
  for (let i = 0; i < display.length; i++) {
    if (padding?.[i] === 1) continue; // black
    const v = inverted ? outputMax - display[i]! : display[i]!;
    out[i] = v <= 0 ? 0 : v >= outputMax ? outputMax : Math.round(v);
  }
  return { ...base, channels: 1, data: out, voiSource, voi, inverted, modality };
}
