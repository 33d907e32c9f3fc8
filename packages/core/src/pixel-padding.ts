import type { Dataset } from './dataset.js';
import type { PixelFrame } from './pixel-frame.js';
import { getNumber } from './values.js';

const PIXEL_PADDING_VALUE = 0x00280120;
const PIXEL_PADDING_RANGE_LIMIT = 0x00280121;

/** A padding value as the frame's stored values are: a US value above 32767 is negative in signed data. */
function asStored(value: number, frame: PixelFrame, vr: string | undefined): number {
  return frame.pixelRepresentation === 1 && vr === 'US' && value >= 0x8000 ? value - 0x10000 : value;
}

/**
 * The stored values that are padding (PS3.3 C.7.5.1.1.2): Pixel Padding Value alone, or the range from it to
 * Pixel Padding Range Limit. Undefined when the data set declares no padding.
 */
export function pixelPaddingRange(dataset: Dataset, frame: PixelFrame): readonly [number, number] | undefined {
  const value = getNumber(dataset, PIXEL_PADDING_VALUE);
  if (value === undefined || frame.samplesPerPixel !== 1) return undefined;
  const first = asStored(value, frame, dataset.elements.get(PIXEL_PADDING_VALUE)?.vr);
  const limit = getNumber(dataset, PIXEL_PADDING_RANGE_LIMIT);
  const second = limit === undefined ? first : asStored(limit, frame, dataset.elements.get(PIXEL_PADDING_RANGE_LIMIT)?.vr);
  return first <= second ? [first, second] : [second, first];
}

/**
 * One byte per pixel of `frame`, 1 where the stored value is Pixel Padding, else 0; undefined when the data set
 * declares no padding. Statistics and auto windows leave these pixels out.
 */
export function pixelPaddingMask(dataset: Dataset, frame: PixelFrame): Uint8Array | undefined {
  const range = pixelPaddingRange(dataset, frame);
  if (range === undefined) return undefined;
  const [low, high] = range;
  const mask = new Uint8Array(frame.data.length);
  for (let i = 0; i < frame.data.length; i++) {
    const v = frame.data[i]!;
    if (v >= low && v <= high) mask[i] = 1;
  }
  return mask;
}
