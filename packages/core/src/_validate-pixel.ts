import { Tags } from './_generated/dictionary.js';
import type { Dataset } from './dataset.js';
import { type FindingSink, elementsOf, numberValue, pathStep, textValue } from './_validate-finding.js';
import { transferSyntaxInfo } from './transfer-syntax.js';

/** Samples per pixel each Photometric Interpretation requires (PS3.3 C.7.6.3.1.2). */
const SAMPLES_FOR: Readonly<Record<string, number>> = {
  'MONOCHROME1': 1, 'MONOCHROME2': 1, 'PALETTE COLOR': 1,
  'RGB': 3, 'HSV': 3, 'YBR_FULL': 3, 'YBR_FULL_422': 3, 'YBR_PARTIAL_422': 3, 'YBR_PARTIAL_420': 3, 'YBR_ICT': 3, 'YBR_RCT': 3,
  'ARGB': 4, 'CMYK': 4,
};

function at(tag: number): { tag: number; path: string } {
  return { tag, path: pathStep(tag) };
}

/**
 * Image Pixel module consistency of the top-level data set (PS3.3 C.7.6.3, PS3.5 8.1.1): Bits Allocated 1 or a
 * multiple of 8, Bits Stored <= Bits Allocated, High Bit = Bits Stored - 1 (an error when High Bit is below that or
 * outside Bits Allocated, a warning otherwise, as dciodvfy does), Photometric Interpretation against Samples per
 * Pixel, and the length of native Pixel Data against Rows x Columns x Samples x Frames x Bits Allocated / 8.
 */
export function checkPixelModule(dataset: Dataset, syntax: string, sink: FindingSink, options: { readonly headerOnly: boolean }): void {
  const elements = elementsOf(dataset);
  if (elements === undefined) return;
  const rows = numberValue(dataset, Tags.Rows);
  const columns = numberValue(dataset, Tags.Columns);
  const samples = numberValue(dataset, Tags.SamplesPerPixel);
  const allocated = numberValue(dataset, Tags.BitsAllocated);
  const stored = numberValue(dataset, Tags.BitsStored);
  const highBit = numberValue(dataset, Tags.HighBit);
  const photometric = textValue(dataset, Tags.PhotometricInterpretation);
  const pixelData = elements.get(Tags.PixelData);

  if (allocated !== undefined && allocated !== 1 && (allocated <= 0 || allocated % 8 !== 0)) {
    sink.add('error', 'pixel-bits-allocated', `Bits Allocated is ${allocated}; it must be 1 or a multiple of 8`, at(Tags.BitsAllocated));
  }
  if (stored !== undefined && allocated !== undefined && (stored < 1 || stored > allocated)) {
    sink.add('error', 'pixel-bits-stored', `Bits Stored ${stored} is not within 1..Bits Allocated (${allocated})`, at(Tags.BitsStored));
  }
  if (highBit !== undefined && stored !== undefined && allocated !== undefined) {
    if (highBit >= allocated) {
      sink.add('error', 'pixel-high-bit', `High Bit ${highBit} is outside Bits Allocated (${allocated})`, at(Tags.HighBit));
    } else if (highBit < stored - 1) {
      sink.add('error', 'pixel-high-bit', `High Bit ${highBit} is below Bits Stored - 1 (${stored - 1})`, at(Tags.HighBit));
    } else if (highBit !== stored - 1) {
      sink.add('warning', 'pixel-high-bit', `High Bit ${highBit} should be Bits Stored - 1 (${stored - 1})`, at(Tags.HighBit));
    }
  }
  if (photometric !== undefined) {
    const expected = SAMPLES_FOR[photometric];
    if (expected === undefined) {
      sink.add('error', 'pixel-photometric', 'Photometric Interpretation is not a defined term of PS3.3 C.7.6.3.1.2', at(Tags.PhotometricInterpretation));
    } else if (samples !== undefined && samples !== expected) {
      sink.add('error', 'pixel-photometric', `Photometric Interpretation ${photometric} needs Samples per Pixel ${expected}, not ${samples}`, at(Tags.PhotometricInterpretation));
    }
  }
  if (samples !== undefined && samples > 1 && !elements.has(Tags.PlanarConfiguration)) {
    sink.add('error', 'type1c-missing', 'Planar Configuration is required (Type 1C) when Samples per Pixel is more than 1', at(Tags.PlanarConfiguration));
  }

  if (pixelData === undefined || options.headerOnly) return;
  const info = transferSyntaxInfo(syntax);
  const encapsulated = 'encapsulated' in pixelData && pixelData.encapsulated === true;
  if (info.known && encapsulated !== info.encapsulated) {
    const message = encapsulated ? 'Pixel Data is encapsulated but the transfer syntax is a native one' : 'Pixel Data is native but the transfer syntax requires encapsulation';
    sink.add('error', 'pixel-encapsulation', message, at(Tags.PixelData));
    return;
  }
  if (encapsulated || !(pixelData.value instanceof Uint8Array)) return;
  if (rows === undefined || columns === undefined || allocated === undefined || samples === undefined) return;
  const frames = numberValue(dataset, Tags.NumberOfFrames) ?? 1;
  // YBR_FULL_422 / YBR_PARTIAL_422 native: two samples per pixel on average (Cb and Cr are shared by pixel pairs).
  const perPixel = photometric === 'YBR_FULL_422' || photometric === 'YBR_PARTIAL_422' ? 2 : samples;
  const bits = rows * columns * perPixel * Math.max(frames, 1) * allocated;
  const expected = Math.ceil(bits / 8);
  const actual = pixelData.value.length;
  if (!Number.isFinite(expected) || expected < 0) return;
  if (actual !== expected && !(expected % 2 === 1 && actual === expected + 1)) {
    sink.add('error', 'pixel-length', `Pixel Data has ${actual} bytes; Rows x Columns x Samples x Frames x Bits Allocated gives ${expected}`, at(Tags.PixelData));
  }
}
