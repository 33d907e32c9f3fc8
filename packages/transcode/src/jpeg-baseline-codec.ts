import { DicomError, type DecodedFrame, type EncodedFrame, type EncodeOptions, type FrameDescriptor, type PixelCodec } from '@dicom-tools/core';
import { decodeDctJpeg } from './_jpeg-dct-decoder.js';
import { readJpegFrameHeader, withColourTransform } from './_jpeg-markers.js';
import { fitDecoded, requireLayout } from './_pixel-layout.js';
import { createWasmModule, withInstance, type Deletable, type WasmFrameInfo, type WasmModule } from './_wasm.js';

/** JPEG Baseline (Process 1). */
export const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
/** JPEG Extended (Process 2 & 4). */
export const JPEG_EXTENDED = '1.2.840.10008.1.2.4.51';

type FrameInfo = WasmFrameInfo;
interface JpegDecoder extends Deletable {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getDecodedBuffer(): Uint8Array;
}
interface JpegEncoder extends Deletable {
  getDecodedBuffer(info: FrameInfo): Uint8Array;
  setProgressive(progressive: number): void;
  setQuality(quality: number): void;
  setSubSampling(subsampling: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
}
interface LibJpegTurbo {
  JPEGDecoder: new () => JpegDecoder;
  JPEGEncoder: new () => JpegEncoder;
}

const TJSAMP_422 = 1;
const DEFAULT_QUALITY = 90;

function loadLibJpegTurbo(): WasmModule<LibJpegTurbo> {
  return createWasmModule<LibJpegTurbo>(() => import('@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs'));
}

/** Decodes a DCT JPEG frame (8-bit with libjpeg-turbo, 12-bit greyscale by hand); colour comes out RGB, the components read as Photometric Interpretation says. */
async function decodeDct(wasm: WasmModule<LibJpegTurbo>, frame: Uint8Array, descriptor: FrameDescriptor): Promise<DecodedFrame> {
  const header = readJpegFrameHeader(frame);
  if (header === undefined) throw new DicomError('TRANSCODE_DECODE_FAILED', 'libjpeg-turbo: no JPEG frame header (SOI ... SOFn) in the frame');
  if (header.marker === 0xc3 || header.marker === 0xf7) {
    throw new DicomError('TRANSCODE_DECODE_FAILED', `libjpeg-turbo: the frame is a lossless stream (SOF 0x${header.marker.toString(16)}), not the DCT JPEG its transfer syntax says`);
  }
  if (header.precision !== 8 && header.precision !== 12) {
    throw new DicomError('TRANSCODE_UNSUPPORTED', `${header.precision}-bit DCT JPEG is not a precision T.81 defines for sequential DCT (8 or 12)`);
  }
  if (header.rows !== descriptor.rows || header.columns !== descriptor.columns || header.components !== descriptor.samplesPerPixel) {
    throw new DicomError('TRANSCODE_DECODE_FAILED', `libjpeg-turbo: the stream is ${header.columns}x${header.rows} with ${header.components} component(s), the data set says ${descriptor.columns}x${descriptor.rows} with ${descriptor.samplesPerPixel}`);
  }
  if (header.precision === 12) return decodeTwelveBit(frame, descriptor);
  const colour = header.components === 3;
  const stream = colour ? withColourTransform(frame, descriptor.photometricInterpretation === 'RGB' ? 0 : 1) : frame;
  const bytes = await withInstance(wasm, (m) => new m.JPEGDecoder(), (decoder) => {
    decoder.getEncodedBuffer(stream.length).set(stream);
    decoder.decode();
    return decoder.getDecodedBuffer().slice();
  }, 'TRANSCODE_DECODE_FAILED', 'libjpeg-turbo could not decode the frame');
  return { bytes: fitDecoded(bytes, 1, descriptor, 'libjpeg-turbo'), photometricInterpretation: colour ? 'RGB' : descriptor.photometricInterpretation };
}

/** Decodes a 12-bit DCT JPEG frame with the hand-written decoder (greyscale; the samples equal IJG's, as in DCMTK and GDCM). */
function decodeTwelveBit(frame: Uint8Array, descriptor: FrameDescriptor): DecodedFrame {
  const decoded = decodeDctJpeg(frame);
  const samples = decoded.samples;
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  return { bytes: fitDecoded(bytes, 2, descriptor, 'JPEG DCT decoder'), photometricInterpretation: descriptor.photometricInterpretation };
}

/** The frame padded to whole MCUs (8x8 grey, 16x8 for 4:2:2 colour) by repeating its last column and row. */
function padToMcus(frame: Uint8Array, rows: number, columns: number, samples: number): { bytes: Uint8Array; rows: number; columns: number } {
  const mcuWidth = samples === 3 ? 16 : 8;
  const paddedColumns = Math.ceil(columns / mcuWidth) * mcuWidth;
  const paddedRows = Math.ceil(rows / 8) * 8;
  if (paddedColumns === columns && paddedRows === rows) return { bytes: frame, rows, columns };
  const out = new Uint8Array(paddedRows * paddedColumns * samples);
  for (let row = 0; row < paddedRows; row++) {
    const from = Math.min(row, rows - 1) * columns * samples;
    const to = row * paddedColumns * samples;
    out.set(frame.subarray(from, from + columns * samples), to);
    const last = frame.subarray(from + (columns - 1) * samples, from + columns * samples);
    for (let column = columns; column < paddedColumns; column++) out.set(last, to + column * samples);
  }
  return { bytes: out, rows: paddedRows, columns: paddedColumns };
}

/** Writes the true image size into the SOF of a stream encoded from a frame padded to whole MCUs. */
function setFrameSize(stream: Uint8Array, rows: number, columns: number): void {
  for (let at = 2; at + 9 < stream.length; ) {
    const marker = stream[at + 1]!;
    if (stream[at] !== 0xff) break;
    if (marker === 0xc0 || marker === 0xc1) {
      stream[at + 5] = rows >>> 8;
      stream[at + 6] = rows & 0xff;
      stream[at + 7] = columns >>> 8;
      stream[at + 8] = columns & 0xff;
      return;
    }
    at += 2 + ((stream[at + 2]! << 8) | stream[at + 3]!);
  }
  throw new DicomError('TRANSCODE_ENCODE_FAILED', 'libjpeg-turbo wrote no baseline frame header');
}

async function encodeBaseline(wasm: WasmModule<LibJpegTurbo>, frame: Uint8Array, descriptor: FrameDescriptor, options: EncodeOptions): Promise<EncodedFrame> {
  const { rows, columns, samplesPerPixel: samples, photometricInterpretation: photometric } = descriptor;
  requireLayout(
    descriptor.bitsAllocated === 8 && descriptor.bitsStored === 8 && descriptor.pixelRepresentation === 0 &&
      ((samples === 1 && photometric.startsWith('MONOCHROME')) || (samples === 3 && photometric === 'RGB')),
    descriptor, 'libjpeg-turbo', 'JPEG baseline codes unsigned 8-bit greyscale or RGB',
  );
  const quality = options.quality ?? DEFAULT_QUALITY;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new DicomError('TRANSCODE_UNSUPPORTED', `JPEG quality must be an integer from 1 to 100, not ${quality}`);
  const padded = padToMcus(frame, rows, columns, samples);
  // The wrapper sizes its output buffer as the input's byte count times ceil(bitsPerSample / 8) and traps when a
  // stream outgrows it, so the buffer is enlarged through bitsPerSample: first to a generous estimate, then to the
  // most it allows. A trapped module is discarded (withInstance resets it).
  const raw = padded.rows * padded.columns * samples;
  const estimate = Math.min(31, Math.ceil((2048 + 2 * raw) / raw));
  let stream: Uint8Array | undefined;
  for (const factor of estimate < 31 ? [estimate, 31] : [31]) {
    try {
      stream = await withInstance(wasm, (m) => new m.JPEGEncoder(), (encoder) => {
        encoder.getDecodedBuffer({ width: padded.columns, height: padded.rows, bitsPerSample: 8 * factor, componentCount: samples, isSigned: false }).set(padded.bytes);
        encoder.setProgressive(0);
        encoder.setQuality(quality);
        encoder.setSubSampling(TJSAMP_422);
        encoder.encode();
        return encoder.getEncodedBuffer().slice();
      }, 'TRANSCODE_ENCODE_FAILED', 'libjpeg-turbo could not encode the frame');
      break;
    } catch (error) {
      if (factor === 31) throw error;
    }
  }
  if (stream === undefined) throw new DicomError('TRANSCODE_ENCODE_FAILED', 'libjpeg-turbo produced no stream');
  if (padded.rows !== rows || padded.columns !== columns) setFrameSize(stream, rows, columns);
  return { bytes: stream, photometricInterpretation: samples === 3 ? 'YBR_FULL_422' : photometric, lossy: true };
}

/**
 * A codec for JPEG Baseline (8-bit, lossy) on libjpeg-turbo (WASM, loaded on first use): decodes greyscale and
 * colour (YBR_FULL_422 / YBR_FULL in, RGB out; RGB streams are read as RGB, not put through a YCbCr transform),
 * encodes unsigned 8-bit greyscale or RGB as 4:2:2 YBR_FULL_422 at `quality` (default 90).
 */
export function createJpegBaselineCodec(): PixelCodec {
  const wasm = loadLibJpegTurbo();
  return {
    name: 'libjpeg-turbo',
    transferSyntaxUIDs: [JPEG_BASELINE],
    decode: (frame, descriptor) => decodeDct(wasm, frame, descriptor),
    encode: (frame, descriptor, _syntax, options = {}) => encodeBaseline(wasm, frame, descriptor, options),
  };
}

/**
 * A decode-only codec for JPEG Extended (Process 2 & 4): 8-bit streams decode with libjpeg-turbo, 12-bit greyscale
 * streams with a hand-written decoder whose integer IDCT gives the samples IJG-based decoders (DCMTK, GDCM) give;
 * 12-bit colour is refused with TRANSCODE_UNSUPPORTED.
 */
export function createJpegExtendedCodec(): PixelCodec {
  const wasm = loadLibJpegTurbo();
  return {
    name: 'libjpeg-turbo',
    transferSyntaxUIDs: [JPEG_EXTENDED],
    decode: (frame, descriptor) => decodeDct(wasm, frame, descriptor),
  };
}
