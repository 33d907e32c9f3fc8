import type { PixelCodec } from '@dicom-tools/core';
import { createHtj2kCodec } from './htj2k-codec.js';
import { createJpeg2000Codec } from './jpeg-2000-codec.js';
import { createJpegBaselineCodec, createJpegExtendedCodec } from './jpeg-baseline-codec.js';
import { createJpegLosslessCodec } from './jpeg-lossless-codec.js';
import { createJpegLsCodec } from './jpeg-ls-codec.js';
import { createRleCodec } from './rle-codec.js';

/**
 * Every codec this package has, as new objects: RLE, JPEG-LS, JPEG 2000, JPEG baseline, JPEG extended (8-bit and
 * 12-bit greyscale, decode only), JPEG lossless, HTJ2K (all three decode; lossless encode). Pass them to core's
 * `createCodecRegistry`. Nothing is loaded until a codec is first used; each object loads its own WASM module once.
 */
export function createTranscodeCodecs(): PixelCodec[] {
  return [createRleCodec(), createJpegLsCodec(), createJpeg2000Codec(), createJpegBaselineCodec(), createJpegExtendedCodec(), createJpegLosslessCodec(), createHtj2kCodec()];
}
