import { crc32 } from 'node:zlib';
import { DicomError } from './errors.js';
import type { RenderedImage } from './render-image.js';

/** Options for {@link encodePng}. */
export interface PngOptions {
  /** Latin-1 keyword/text pairs written as tEXt chunks (keywords of 1-79 characters). */
  readonly text?: Readonly<Record<string, string>>;
}

/** Options for {@link encodeJpeg}. */
export interface JpegOptions {
  /** 1-100, default 90. */
  readonly quality?: number;
}

const SIGNATURE_AND_IHDR = 8 + 12 + 13;

function textChunk(keyword: string, text: string): Buffer {
  if (!/^[\x20-\x7e\xa1-\xff]{1,79}$/.test(keyword) || keyword !== keyword.trim()) {
    throw new DicomError('CORE_INVALID_VALUE', `PNG text keyword "${keyword}" must be 1-79 printable Latin-1 characters`);
  }
  const data = Buffer.from(`${keyword}\0${text}`, 'latin1');
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return chunk;
}

/**
 * A PNG file of a rendered frame: grey or RGB, 8 or 16 bits per sample (16-bit samples are kept whole), with
 * optional tEXt chunks (after IHDR). pngjs is loaded on the first call.
 */
export async function encodePng(image: RenderedImage, options: PngOptions = {}): Promise<Uint8Array> {
  // Loaded on first use, not at import: most users of core never encode an image.
  const pngjs = await import('pngjs');
  const PNG = pngjs.PNG ?? (pngjs as unknown as { default: typeof pngjs }).default.PNG;
  const colorType = image.channels === 1 ? 0 : 2;
  const png = new PNG({ width: image.width, height: image.height, colorType, inputColorType: colorType, bitDepth: image.bitDepth, inputHasAlpha: false });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const bytes = PNG.sync.write(png, { colorType, inputColorType: colorType, bitDepth: image.bitDepth, inputHasAlpha: false, filterType: 1 });
  const chunks = Object.entries(options.text ?? {}).map(([keyword, text]) => textChunk(keyword, text));
  if (chunks.length === 0) return bytes;
  return Buffer.concat([bytes.subarray(0, SIGNATURE_AND_IHDR), ...chunks, bytes.subarray(SIGNATURE_AND_IHDR)]);
}

/**
 * A baseline JPEG file of a rendered 8-bit frame (jpeg-js, a pure JavaScript encoder). Throws CORE_INVALID_VALUE
 * for a 16-bit image (JPEG baseline holds 8 bits: render with bitDepth 8) or a quality outside 1-100.
 */
export async function encodeJpeg(image: RenderedImage, options: JpegOptions = {}): Promise<Uint8Array> {
  const quality = options.quality ?? 90;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new DicomError('CORE_INVALID_VALUE', `JPEG quality must be an integer from 1 to 100, not ${quality}`);
  if (image.bitDepth !== 8) throw new DicomError('CORE_INVALID_VALUE', 'JPEG output holds 8 bits per sample: render the frame with bitDepth 8');
  const pixels = image.width * image.height;
  const rgba = new Uint8Array(pixels * 4);
  const src = image.data;
  for (let p = 0; p < pixels; p++) {
    const o = p * 4;
    if (image.channels === 1) {
      const v = src[p]!;
      rgba[o] = v;
      rgba[o + 1] = v;
      rgba[o + 2] = v;
    } else {
      rgba[o] = src[p * 3]!;
      rgba[o + 1] = src[p * 3 + 1]!;
      rgba[o + 2] = src[p * 3 + 2]!;
    }
    rgba[o + 3] = 255;
  }
  const jpeg = await import('jpeg-js');
  const encode = jpeg.encode ?? (jpeg as unknown as { default: typeof jpeg }).default.encode;
  return encode({ width: image.width, height: image.height, data: rgba }, quality).data;
}
