import { DicomError, type DecodedFrame, type EncodedFrame, type FrameDescriptor, type PixelCodec } from '@dicom-tools/core';
import { fitDecoded, lowBytes, normalizeStoredBits, requireLayout } from './_pixel-layout.js';
import { createWasmModule, withInstance, type Deletable, type WasmModule } from './_wasm.js';

/** High-Throughput JPEG 2000 Image Compression (Lossless Only). */
export const HTJ2K_LOSSLESS = '1.2.840.10008.1.2.4.201';
/** High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only). */
export const HTJ2K_LOSSLESS_RPCL = '1.2.840.10008.1.2.4.202';
/** High-Throughput JPEG 2000 Image Compression (lossless or lossy). */
export const HTJ2K = '1.2.840.10008.1.2.4.203';

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
  isUsingColorTransform: boolean;
}
interface Htj2kDecoder extends Deletable {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getDecodedBuffer(): Uint8Array;
}
interface Htj2kEncoder extends Deletable {
  getDecodedBuffer(info: FrameInfo): Uint8Array;
  setDecompositions(decompositions: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
}
interface OpenJph {
  HTJ2KDecoder: new () => Htj2kDecoder;
  HTJ2KEncoder: new () => Htj2kEncoder;
}

async function decode(wasm: WasmModule<OpenJph>, frame: Uint8Array, descriptor: FrameDescriptor): Promise<DecodedFrame> {
  const decoded = await withInstance(wasm, (m) => new m.HTJ2KDecoder(), (decoder) => {
    decoder.getEncodedBuffer(frame.length).set(frame);
    decoder.decode();
    return { info: decoder.getFrameInfo(), bytes: decoder.getDecodedBuffer().slice() };
  }, 'TRANSCODE_DECODE_FAILED', 'openjph could not decode the frame');
  const { info } = decoded;
  if (info.width !== descriptor.columns || info.height !== descriptor.rows || info.componentCount !== descriptor.samplesPerPixel) {
    throw new DicomError('TRANSCODE_DECODE_FAILED', `openjph: the stream is ${info.width}x${info.height} with ${info.componentCount} component(s), the data set says ${descriptor.columns}x${descriptor.rows} with ${descriptor.samplesPerPixel}`);
  }
  const photometric = descriptor.photometricInterpretation;
  // As for JPEG 2000, the decoder undoes the multi-component transform: YBR_RCT / YBR_ICT come out RGB.
  const out = photometric === 'YBR_RCT' || photometric === 'YBR_ICT' ? 'RGB' : photometric;
  return { bytes: fitDecoded(decoded.bytes, info.bitsPerSample <= 8 ? 1 : 2, descriptor, 'openjph'), photometricInterpretation: out };
}

async function encode(wasm: WasmModule<OpenJph>, frame: Uint8Array, descriptor: FrameDescriptor, syntax: string): Promise<EncodedFrame> {
  if (syntax !== HTJ2K_LOSSLESS) {
    throw new DicomError('TRANSCODE_UNSUPPORTED', `openjph: only HTJ2K Lossless (${HTJ2K_LOSSLESS}) is encoded; the RPCL profile (.202) and lossy HTJ2K (.203) are decode-only`);
  }
  const { bitsAllocated, bitsStored, samplesPerPixel, rows, columns } = descriptor;
  requireLayout(
    (bitsAllocated === 8 || bitsAllocated === 16) && bitsStored >= 1 && bitsStored <= bitsAllocated &&
      (samplesPerPixel === 1 || (samplesPerPixel === 3 && bitsAllocated === 8 && descriptor.photometricInterpretation === 'RGB')),
    descriptor, 'openjph', 'the HTJ2K encoder codes 1 to 16-bit greyscale or 8-bit RGB',
  );
  const stored = normalizeStoredBits(frame, descriptor);
  const input = bitsAllocated === 16 && bitsStored <= 8 ? lowBytes(stored) : stored;
  const colour = samplesPerPixel === 3;
  // No more wavelet levels than the image has halvings (a 512x512 frame gets five), but never none: with zero
  // decompositions this OpenJPH build writes the lowest sample value (0 unsigned) as 2^(bits-1), which OpenJPEG
  // decodes the same way, i.e. the stream itself is wrong.
  const decompositions = Math.max(1, Math.min(5, Math.floor(Math.log2(Math.min(rows, columns)))));
  const bytes = await withInstance(wasm, (m) => new m.HTJ2KEncoder(), (encoder) => {
    const info = { width: columns, height: rows, bitsPerSample: bitsStored, componentCount: samplesPerPixel, isSigned: descriptor.pixelRepresentation === 1, isUsingColorTransform: colour };
    encoder.getDecodedBuffer(info).set(input);
    encoder.setDecompositions(decompositions);
    encoder.encode();
    return encoder.getEncodedBuffer().slice();
  }, 'TRANSCODE_ENCODE_FAILED', 'openjph could not encode the frame');
  if (bytes.length === 0) throw new DicomError('TRANSCODE_ENCODE_FAILED', 'openjph produced an empty stream');
  return { bytes, photometricInterpretation: colour ? 'YBR_RCT' : descriptor.photometricInterpretation, lossy: false };
}

/**
 * A codec for High-Throughput JPEG 2000 on OpenJPH (WASM, loaded on first use): decodes .201, .202 and .203, 1 to
 * 16 bits, signed or unsigned, greyscale or colour; encodes HTJ2K Lossless (.201), greyscale up to 16 bits and
 * 8-bit RGB (as YBR_RCT, with the reversible colour transform).
 */
export function createHtj2kCodec(): PixelCodec {
  const wasm = createWasmModule<OpenJph>(() => import('@cornerstonejs/codec-openjph/wasmjs'));
  return {
    name: 'openjph',
    transferSyntaxUIDs: [HTJ2K_LOSSLESS, HTJ2K_LOSSLESS_RPCL, HTJ2K],
    decode: (frame, descriptor) => decode(wasm, frame, descriptor),
    encode: (frame, descriptor, syntax) => encode(wasm, frame, descriptor, syntax),
  };
}
