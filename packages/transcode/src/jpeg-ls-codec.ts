import { DicomError, type DecodedFrame, type EncodedFrame, type EncodeOptions, type FrameDescriptor, type PixelCodec } from '@dicom-tools/core';
import { readJpegFrameHeader } from './_jpeg-markers.js';
import { fitDecoded, lowBytes, normalizeStoredBits, planarToInterleaved, requireLayout } from './_pixel-layout.js';
import { createWasmModule, withInstance, type Deletable, type WasmFrameInfo, type WasmModule } from './_wasm.js';

/** JPEG-LS Lossless Image Compression. */
export const JPEG_LS_LOSSLESS = '1.2.840.10008.1.2.4.80';
/** JPEG-LS Lossy (Near-Lossless) Image Compression. */
export const JPEG_LS_NEAR_LOSSLESS = '1.2.840.10008.1.2.4.81';

/** charls may leave isSigned out. */
type FrameInfo = Omit<WasmFrameInfo, 'isSigned'> & { isSigned?: boolean };
interface JpegLsDecoder extends Deletable {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getInterleaveMode(): number;
  getNearLossless(): number;
  getDecodedBuffer(): Uint8Array;
}
interface JpegLsEncoder extends Deletable {
  getDecodedBuffer(info: FrameInfo): Uint8Array;
  setNearLossless(near: number): void;
  setInterleaveMode(mode: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
}
interface CharLs {
  JpegLSDecoder: new () => JpegLsDecoder;
  JpegLSEncoder: new () => JpegLsEncoder;
}

const INTERLEAVE_NONE = 0;
const INTERLEAVE_SAMPLE = 2;
const DEFAULT_NEAR = 2;

/**
 * The frame, ending with an EOI marker: CharLS spends seconds on a stream cut short before failing, but stops at
 * once at a marker. Trailing zero padding is allowed; a frame without EOI gets one appended.
 */
function withEndOfImage(frame: Uint8Array): Uint8Array {
  let end = frame.length;
  while (end > 0 && frame[end - 1] === 0) end--;
  if (end >= 2 && frame[end - 2] === 0xff && frame[end - 1] === 0xd9) return frame;
  const out = new Uint8Array(end + 2);
  out.set(frame.subarray(0, end));
  out[end] = 0xff;
  out[end + 1] = 0xd9;
  return out;
}

async function decode(wasm: WasmModule<CharLs>, frame: Uint8Array, descriptor: FrameDescriptor): Promise<DecodedFrame> {
  // Checked before CharLS sees the frame: a damaged header declaring a huge image would make it allocate and work
  // for seconds before failing.
  const header = readJpegFrameHeader(frame);
  if (header === undefined || header.marker !== 0xf7) {
    throw new DicomError('TRANSCODE_DECODE_FAILED', `charls: ${header === undefined ? 'no JPEG-LS frame header (SOF55)' : `SOF marker 0x${header.marker.toString(16)}, not JPEG-LS (0xf7)`} in the frame`);
  }
  if (header.rows !== descriptor.rows || header.columns !== descriptor.columns || header.components !== descriptor.samplesPerPixel) {
    throw new DicomError('TRANSCODE_DECODE_FAILED', `charls: the stream is ${header.columns}x${header.rows} with ${header.components} component(s), the data set says ${descriptor.columns}x${descriptor.rows} with ${descriptor.samplesPerPixel}`);
  }
  const stream = withEndOfImage(frame);
  const decoded = await withInstance(wasm, (m) => new m.JpegLSDecoder(), (decoder) => {
    decoder.getEncodedBuffer(stream.length).set(stream);
    decoder.decode();
    return { info: decoder.getFrameInfo(), interleave: decoder.getInterleaveMode(), bytes: decoder.getDecodedBuffer().slice() };
  }, 'TRANSCODE_DECODE_FAILED', 'charls could not decode the frame');
  const { info } = decoded;
  if (info.width !== descriptor.columns || info.height !== descriptor.rows || info.componentCount !== descriptor.samplesPerPixel) {
    throw new DicomError('TRANSCODE_DECODE_FAILED', `charls: the stream is ${info.width}x${info.height} with ${info.componentCount} component(s), the data set says ${descriptor.columns}x${descriptor.rows} with ${descriptor.samplesPerPixel}`);
  }
  const sampleBytes = info.bitsPerSample <= 8 ? 1 : 2;
  // CharLS returns colour planes one after the other when the stream is not interleaved.
  const bytes = info.componentCount > 1 && decoded.interleave === INTERLEAVE_NONE
    ? planarToInterleaved(decoded.bytes, { ...descriptor, bitsAllocated: sampleBytes * 8 })
    : decoded.bytes;
  return { bytes: fitDecoded(bytes, sampleBytes, descriptor, 'charls'), photometricInterpretation: descriptor.photometricInterpretation };
}

async function encode(wasm: WasmModule<CharLs>, frame: Uint8Array, descriptor: FrameDescriptor, syntax: string, options: EncodeOptions): Promise<EncodedFrame> {
  const { bitsAllocated, bitsStored, samplesPerPixel } = descriptor;
  requireLayout(
    (bitsAllocated === 8 || bitsAllocated === 16) && bitsStored >= 2 && bitsStored <= bitsAllocated && (samplesPerPixel === 1 || samplesPerPixel === 3) &&
      !descriptor.photometricInterpretation.endsWith('_422') && !descriptor.photometricInterpretation.endsWith('_420'),
    descriptor, 'charls', 'JPEG-LS codes 2 to 16 bits, 1 or 3 samples, without chroma subsampling',
  );
  const near = syntax === JPEG_LS_LOSSLESS ? 0 : options.near ?? DEFAULT_NEAR;
  if (!Number.isInteger(near) || near < 0 || near > Math.min(255, (2 ** bitsStored - 1) / 2)) {
    throw new DicomError('TRANSCODE_UNSUPPORTED', `JPEG-LS NEAR must be an integer from 0 to ${Math.min(255, Math.floor((2 ** bitsStored - 1) / 2))}, not ${near}`);
  }
  const stored = normalizeStoredBits(frame, descriptor);
  // The codec codes Bits Stored: for signed data the two's complement bit pattern of that many bits (PS3.5 8.2.3).
  const input = bitsAllocated === 16 && bitsStored <= 8 ? lowBytes(stored) : maskToStored(stored, descriptor);
  const bytes = await withInstance(wasm, (m) => new m.JpegLSEncoder(), (encoder) => {
    encoder.getDecodedBuffer({ width: descriptor.columns, height: descriptor.rows, bitsPerSample: bitsStored, componentCount: samplesPerPixel, isSigned: false }).set(input);
    encoder.setNearLossless(near);
    if (samplesPerPixel > 1) encoder.setInterleaveMode(INTERLEAVE_SAMPLE);
    encoder.encode();
    return encoder.getEncodedBuffer().slice();
  }, 'TRANSCODE_ENCODE_FAILED', 'charls could not encode the frame');
  return { bytes, lossy: near > 0 };
}

/** Signed samples with fewer bits stored than allocated, with the sign-extension bits cleared. */
function maskToStored(frame: Uint8Array, descriptor: FrameDescriptor): Uint8Array {
  if (descriptor.pixelRepresentation === 0 || descriptor.bitsStored >= descriptor.bitsAllocated) return frame;
  return normalizeStoredBits(frame, { ...descriptor, pixelRepresentation: 0 });
}

/**
 * A codec for JPEG-LS lossless and near-lossless (`near`, default 2) on CharLS (WASM, loaded on first use):
 * 2 to 16 bits stored, signed or unsigned, greyscale or colour.
 */
export function createJpegLsCodec(): PixelCodec {
  const wasm = createWasmModule<CharLs>(() => import('@cornerstonejs/codec-charls/wasmjs'));
  return {
    name: 'charls',
    transferSyntaxUIDs: [JPEG_LS_LOSSLESS, JPEG_LS_NEAR_LOSSLESS],
    decode: (frame, descriptor) => decode(wasm, frame, descriptor),
    encode: (frame, descriptor, syntax, options = {}) => encode(wasm, frame, descriptor, syntax, options),
  };
}
