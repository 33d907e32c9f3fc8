import { DicomError, type DecodedFrame, type EncodedFrame, type EncodeOptions, type FrameDescriptor, type PixelCodec } from '@dicom-tools/core';
import { fitDecoded, lowBytes, normalizeStoredBits, requireLayout } from './_pixel-layout.js';
import { createWasmModule, withInstance, type Deletable, type WasmFrameInfo, type WasmModule } from './_wasm.js';

/** JPEG 2000 Image Compression (Lossless Only). */
export const JPEG_2000_LOSSLESS = '1.2.840.10008.1.2.4.90';
/** JPEG 2000 Image Compression (lossy). */
export const JPEG_2000 = '1.2.840.10008.1.2.4.91';

type FrameInfo = WasmFrameInfo;
interface J2kDecoder extends Deletable {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getDecodedBuffer(): Uint8Array;
}
interface J2kEncoder extends Deletable {
  getDecodedBuffer(info: FrameInfo): Uint8Array;
  setQuality(lossless: boolean, layers: number): void;
  setCompressionRatio(layer: number, ratio: number): void;
  setDecompositions(decompositions: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
}
interface OpenJpeg {
  J2KDecoder: new () => J2kDecoder;
  J2KEncoder: new () => J2kEncoder;
}

const DEFAULT_RATIO = 10;

/** The compression ratio a J2K lossy encode aims at: `ratio`, else 250 / `quality`, else 10. */
export function j2kTargetRatio(options: EncodeOptions): number {
  if (options.ratio !== undefined) return options.ratio;
  if (options.quality !== undefined) return 250 / options.quality;
  return DEFAULT_RATIO;
}

function failedLines(log: readonly string[]): string {
  return log.filter((line) => line.includes('[ERROR]')).map((line) => line.replace(/^\[ERROR\]\s*/, '').trim()).join('; ');
}

async function decode(wasm: WasmModule<OpenJpeg>, frame: Uint8Array, descriptor: FrameDescriptor): Promise<DecodedFrame> {
  const decoded = await withInstance(wasm, (m) => new m.J2KDecoder(), (decoder) => {
    decoder.getEncodedBuffer(frame.length).set(frame);
    decoder.decode();
    // openjpeg reports failures by printing, not throwing.
    const errors = failedLines(wasm.takeLog());
    if (errors !== '') throw new DicomError('TRANSCODE_DECODE_FAILED', `openjpeg could not decode the frame: ${errors}`);
    return { info: decoder.getFrameInfo(), bytes: decoder.getDecodedBuffer().slice() };
  }, 'TRANSCODE_DECODE_FAILED', 'openjpeg could not decode the frame');
  const { info } = decoded;
  if (info.width !== descriptor.columns || info.height !== descriptor.rows || info.componentCount !== descriptor.samplesPerPixel) {
    throw new DicomError('TRANSCODE_DECODE_FAILED', `openjpeg: the stream is ${info.width}x${info.height} with ${info.componentCount} component(s), the data set says ${descriptor.columns}x${descriptor.rows} with ${descriptor.samplesPerPixel}`);
  }
  const photometric = descriptor.photometricInterpretation;
  // The decoder undoes the multi-component transform: YBR_RCT / YBR_ICT frames come out RGB (PS3.5 8.2.4).
  const out = photometric === 'YBR_RCT' || photometric === 'YBR_ICT' ? 'RGB' : photometric;
  return { bytes: fitDecoded(decoded.bytes, info.bitsPerSample <= 8 ? 1 : 2, descriptor, 'openjpeg'), photometricInterpretation: out };
}

async function encode(wasm: WasmModule<OpenJpeg>, frame: Uint8Array, descriptor: FrameDescriptor, syntax: string, options: EncodeOptions): Promise<EncodedFrame> {
  const { bitsAllocated, bitsStored, samplesPerPixel, rows, columns } = descriptor;
  requireLayout(
    (bitsAllocated === 8 || bitsAllocated === 16) && bitsStored >= 1 && bitsStored <= bitsAllocated &&
      (samplesPerPixel === 1 || (samplesPerPixel === 3 && bitsAllocated === 8 && descriptor.photometricInterpretation === 'RGB')),
    descriptor, 'openjpeg', 'the JPEG 2000 encoder codes 1 to 16-bit greyscale or 8-bit RGB',
  );
  const lossy = syntax === JPEG_2000;
  const ratio = lossy ? j2kTargetRatio(options) : 0;
  if (lossy && !(Number.isFinite(ratio) && ratio >= 1)) throw new DicomError('TRANSCODE_UNSUPPORTED', `JPEG 2000 compression ratio must be at least 1, not ${ratio}`);
  const stored = normalizeStoredBits(frame, descriptor);
  const input = bitsAllocated === 16 && bitsStored <= 8 ? lowBytes(stored) : stored;
  const decompositions = Math.max(0, Math.min(5, Math.floor(Math.log2(Math.min(rows, columns)))));
  const bytes = await withInstance(wasm, (m) => new m.J2KEncoder(), (encoder) => {
    const info = { width: columns, height: rows, bitsPerSample: bitsStored, componentCount: samplesPerPixel, isSigned: descriptor.pixelRepresentation === 1 };
    encoder.getDecodedBuffer(info).set(input);
    encoder.setDecompositions(decompositions);
    if (lossy) {
      encoder.setQuality(false, 1);
      encoder.setCompressionRatio(0, ratio);
    }
    encoder.encode();
    const errors = failedLines(wasm.takeLog());
    if (errors !== '') throw new DicomError('TRANSCODE_ENCODE_FAILED', `openjpeg could not encode the frame: ${errors}`);
    return encoder.getEncodedBuffer().slice();
  }, 'TRANSCODE_ENCODE_FAILED', 'openjpeg could not encode the frame');
  if (bytes.length === 0) throw new DicomError('TRANSCODE_ENCODE_FAILED', 'openjpeg produced an empty stream');
  // Colour is coded with the multi-component transform, which PS3.5 8.2.4 names in Photometric Interpretation.
  const photometricInterpretation = samplesPerPixel === 3 ? (lossy ? 'YBR_ICT' : 'YBR_RCT') : descriptor.photometricInterpretation;
  return { bytes, photometricInterpretation, lossy };
}

/**
 * A codec for JPEG 2000 (.90 lossless, .91 lossy at a `ratio`, or `quality` Q meaning ratio 250/Q, default 10) on
 * OpenJPEG (WASM, loaded on first use). Decodes J2K codestreams and JP2 files, 1 to 16 bits, signed or unsigned,
 * greyscale or colour; encodes greyscale up to 16 bits and 8-bit RGB (as YBR_RCT / YBR_ICT).
 */
export function createJpeg2000Codec(): PixelCodec {
  const wasm = createWasmModule<OpenJpeg>(() => import('@cornerstonejs/codec-openjpeg/wasmjs'));
  return {
    name: 'openjpeg',
    transferSyntaxUIDs: [JPEG_2000_LOSSLESS, JPEG_2000],
    decode: (frame, descriptor) => decode(wasm, frame, descriptor),
    encode: (frame, descriptor, syntax, options = {}) => encode(wasm, frame, descriptor, syntax, options),
  };
}
