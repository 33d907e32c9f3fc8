import { DicomError, type DecodedFrame, type EncodedFrame, type EncodeOptions, type FrameDescriptor, type PixelCodec } from '@dicom-tools/core';
import { fitDecoded, lowBytes, normalizeStoredBits, requireLayout } from './_pixel-layout.js';
import { createWasmModule, withInstance, type Deletable, type WasmFrameInfo, type WasmModule } from './_wasm.js';

/** High-Throughput JPEG 2000 Image Compression (Lossless Only). */
export const HTJ2K_LOSSLESS = '1.2.840.10008.1.2.4.201';
/** High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only). */
export const HTJ2K_LOSSLESS_RPCL = '1.2.840.10008.1.2.4.202';
/** High-Throughput JPEG 2000 Image Compression (lossless or lossy). */
export const HTJ2K = '1.2.840.10008.1.2.4.203';

interface FrameInfo extends WasmFrameInfo {
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
  /** Reversible 5-3 wavelet (lossless) or irreversible 9-7 with a base quantization step (of the samples scaled to [-0.5, 0.5)). */
  setQuality(lossless: boolean, quantizationStep: number): void;
  /** 0 LRCP, 1 RLCP, 2 RPCL, 3 PCRL, 4 CPRL. */
  setProgressionOrder(order: number): void;
  setTLMMarker(tlm: boolean): void;
  setTilePartDivisionsAtResolutions(divide: boolean): void;
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
  return { bytes: fitDecoded(clampToBitDepth(decoded.bytes, info), info.bitsPerSample <= 8 ? 1 : 2, descriptor, 'openjph'), photometricInterpretation: out };
}

/**
 * A lossy (9-7) reconstruction may overshoot the sample range, and the WASM wrapper clamps only to its 8 or 16-bit
 * output: clamp to the stream's own bit depth (a no-op for lossless streams, whose samples are in range).
 */
function clampToBitDepth(bytes: Uint8Array, info: FrameInfo): Uint8Array {
  const bits = info.bitsPerSample;
  if (bits === 8 || bits === 16 || (bits < 8 && info.isSigned)) return bytes;
  const min = info.isSigned ? -(2 ** (bits - 1)) : 0;
  const max = info.isSigned ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  if (bits < 8) {
    for (let i = 0; i < bytes.length; i++) if (bytes[i]! > max) bytes[i] = max;
    return bytes;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 1 < bytes.length; at += 2) {
    const v = info.isSigned ? view.getInt16(at, true) : view.getUint16(at, true);
    if (v > max || v < min) view.setUint16(at, (v > max ? max : min) & 0xffff, true);
  }
  return bytes;
}

/** The progression order code of RPCL in the encoder's `setProgressionOrder` (and in the COD marker, T.800 Table A.16). */
const RPCL = 2;
/** The base resolution a .202 stream must reach: width and height at most 64 (PS3.5 10.18). */
const RPCL_BASE_RESOLUTION = 64;
/** The quality a lossy (.203) encode uses when none is given. */
const DEFAULT_QUALITY = 90;

/**
 * The quantization step, in units of one least significant bit, that HTJ2K lossy quality `quality` (1-100) stands
 * for: 2^((100 - Q) / 10), so 100 is one unit, 90 (the default) 2 units, 50 32 units: every 10 points of quality
 * halve or double it. OpenJPH has no rate control, so quality maps to a step, never to a size.
 */
export function htj2kQuantizationStep(quality: number): number {
  return 2 ** ((100 - quality) / 10);
}

/**
 * Wavelet levels: no more than the image has halvings (a 512x512 frame gets five), but never none (with zero
 * decompositions this OpenJPH build writes the lowest sample value, 0 unsigned, as 2^(bits-1), which OpenJPEG decodes
 * the same way, i.e. the stream itself is wrong); for the RPCL syntax, at least enough for a base resolution of 64 or
 * less in both directions.
 */
function decompositionsFor(rows: number, columns: number, rpcl: boolean): number {
  const usual = Math.max(1, Math.min(5, Math.floor(Math.log2(Math.min(rows, columns)))));
  if (!rpcl) return usual;
  const needed = Math.ceil(Math.log2(Math.max(rows, columns) / RPCL_BASE_RESOLUTION));
  return Math.max(usual, needed);
}

/** The lossy quantization step for `options`; OpenJPH cannot aim at a compression ratio. */
function lossyStep(options: EncodeOptions | undefined): number {
  if (options?.ratio !== undefined) {
    throw new DicomError('TRANSCODE_UNSUPPORTED', 'openjph: HTJ2K lossy (.203) is coded at a quantization step, and OpenJPH has no rate control to reach a compression ratio: use quality (1-100) instead of ratio');
  }
  const quality = options?.quality ?? DEFAULT_QUALITY;
  if (!(Number.isInteger(quality) && quality >= 1 && quality <= 100)) throw new DicomError('TRANSCODE_UNSUPPORTED', `HTJ2K quality must be an integer from 1 to 100, not ${quality}`);
  return htj2kQuantizationStep(quality);
}

async function encode(wasm: WasmModule<OpenJph>, frame: Uint8Array, descriptor: FrameDescriptor, syntax: string, options: EncodeOptions | undefined): Promise<EncodedFrame> {
  if (syntax !== HTJ2K_LOSSLESS && syntax !== HTJ2K_LOSSLESS_RPCL && syntax !== HTJ2K) {
    throw new DicomError('TRANSCODE_UNSUPPORTED', `openjph encodes HTJ2K (${HTJ2K_LOSSLESS}, ${HTJ2K_LOSSLESS_RPCL}, ${HTJ2K}), not ${syntax}`);
  }
  const { bitsAllocated, bitsStored, samplesPerPixel, rows, columns } = descriptor;
  requireLayout(
    (bitsAllocated === 8 || bitsAllocated === 16) && bitsStored >= 1 && bitsStored <= bitsAllocated &&
      (samplesPerPixel === 1 || (samplesPerPixel === 3 && bitsAllocated === 8 && descriptor.photometricInterpretation === 'RGB')),
    descriptor, 'openjph', 'the HTJ2K encoder codes 1 to 16-bit greyscale or 8-bit RGB',
  );
  const lossy = syntax === HTJ2K;
  // OpenJPH codes signed samples of 8 bits or fewer as unsigned ones in its lossy path (measured: PSNR 5 dB where
  // the bound is 40); the lossless paths are caught by verification, a lossy encode has nothing to verify against.
  requireLayout(!(lossy && descriptor.pixelRepresentation === 1 && bitsStored <= 8), descriptor, 'openjph', 'the lossy HTJ2K encoder does not code signed samples of 8 bits or fewer');
  const rpcl = syntax === HTJ2K_LOSSLESS_RPCL;
  // The encoder's step is relative to the sample range (samples are scaled to [-0.5, 0.5) before the 9-7 wavelet).
  const step = lossy ? lossyStep(options) / 2 ** bitsStored : 0;
  const stored = normalizeStoredBits(frame, descriptor);
  const input = bitsAllocated === 16 && bitsStored <= 8 ? lowBytes(stored) : stored;
  const colour = samplesPerPixel === 3;
  const bytes = await withInstance(wasm, (m) => new m.HTJ2KEncoder(), (encoder) => {
    const info = { width: columns, height: rows, bitsPerSample: bitsStored, componentCount: samplesPerPixel, isSigned: descriptor.pixelRepresentation === 1, isUsingColorTransform: colour };
    encoder.getDecodedBuffer(info).set(input);
    encoder.setDecompositions(decompositionsFor(rows, columns, rpcl));
    encoder.setQuality(!lossy, step);
    encoder.setProgressionOrder(RPCL);
    if (rpcl) {
      // PS3.5 10.18: RPCL, a base resolution of 64 or less, and TLM marker segments to find where each resolution
      // ends; one tile-part per resolution makes the TLM list exactly those breakpoints.
      encoder.setTLMMarker(true);
      encoder.setTilePartDivisionsAtResolutions(true);
    }
    encoder.encode();
    return encoder.getEncodedBuffer().slice();
  }, 'TRANSCODE_ENCODE_FAILED', 'openjph could not encode the frame');
  if (bytes.length === 0) throw new DicomError('TRANSCODE_ENCODE_FAILED', 'openjph produced an empty stream');
  // A reversible colour transform is YBR_RCT; with the irreversible wavelet OpenJPH uses the irreversible one, YBR_ICT.
  const photometricInterpretation = colour ? (lossy ? 'YBR_ICT' : 'YBR_RCT') : descriptor.photometricInterpretation;
  return { bytes, photometricInterpretation, lossy };
}

/**
 * A codec for High-Throughput JPEG 2000 on OpenJPH (WASM, loaded on first use): decodes .201, .202 and .203, 1 to
 * 16 bits, signed or unsigned, greyscale or colour; encodes greyscale up to 16 bits and 8-bit RGB as HTJ2K Lossless
 * (.201, reversible, colour as YBR_RCT), HTJ2K Lossless RPCL (.202: reversible, RPCL, a base resolution of 64 or
 * less, one tile-part per resolution listed in a TLM marker segment) and lossy HTJ2K (.203: irreversible 9-7 wavelet
 * at the quantization step of `quality`, see {@link htj2kQuantizationStep}; colour as YBR_ICT; `ratio` is refused).
 */
export function createHtj2kCodec(): PixelCodec {
  const wasm = createWasmModule<OpenJph>(() => import('@cornerstonejs/codec-openjph/wasmjs'));
  return {
    name: 'openjph',
    transferSyntaxUIDs: [HTJ2K_LOSSLESS, HTJ2K_LOSSLESS_RPCL, HTJ2K],
    decode: (frame, descriptor) => decode(wasm, frame, descriptor),
    encode: (frame, descriptor, syntax, options) => encode(wasm, frame, descriptor, syntax, options),
  };
}
