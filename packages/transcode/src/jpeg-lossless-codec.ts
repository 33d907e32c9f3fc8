import { DicomError, type DecodedFrame, type EncodedFrame, type FrameDescriptor, type PixelCodec } from '@dicom-tools/core';
import { readJpegFrameHeader } from './_jpeg-markers.js';
import { fitDecoded, normalizeStoredBits, requireLayout } from './_pixel-layout.js';

/** JPEG Lossless, Non-Hierarchical (Process 14). */
export const JPEG_LOSSLESS_P14 = '1.2.840.10008.1.2.4.57';
/** JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1]). */
export const JPEG_LOSSLESS_SV1 = '1.2.840.10008.1.2.4.70';

interface LosslessDecoder {
  decode(buffer?: ArrayBuffer, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
}

async function decode(load: () => Promise<new () => LosslessDecoder>, frame: Uint8Array, descriptor: FrameDescriptor): Promise<DecodedFrame> {
  const header = readJpegFrameHeader(frame);
  // The decoder returns garbage without complaint for a DCT stream: only a lossless (SOF3) frame goes to it.
  if (header === undefined || header.marker !== 0xc3) {
    const found = header === undefined ? 'no JPEG frame header' : `SOF marker 0x${header.marker.toString(16)}`;
    throw new DicomError('TRANSCODE_DECODE_FAILED', `jpeg-lossless-decoder-js: ${found} where a lossless JPEG (SOF3) frame was expected`);
  }
  if (header.rows !== descriptor.rows || header.columns !== descriptor.columns || header.components !== descriptor.samplesPerPixel) {
    throw new DicomError('TRANSCODE_DECODE_FAILED', `jpeg-lossless-decoder-js: the stream is ${header.columns}x${header.rows} with ${header.components} component(s), the data set says ${descriptor.columns}x${descriptor.rows} with ${descriptor.samplesPerPixel}`);
  }
  const sampleBytes = header.precision <= 8 ? 1 : 2;
  const Decoder = await load();
  let samples: Uint8Array | Uint16Array;
  try {
    samples = new Decoder().decode(frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.length) as ArrayBuffer, 0, frame.length, sampleBytes);
  } catch (error) {
    throw new DicomError('TRANSCODE_DECODE_FAILED', `jpeg-lossless-decoder-js could not decode the frame: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  return { bytes: fitDecoded(bytes, sampleBytes, descriptor, 'jpeg-lossless-decoder-js'), photometricInterpretation: descriptor.photometricInterpretation };
}

interface NativeContext {
  getEncodedBuffer(): Uint8Array;
}
interface DcmjsCodecs {
  NativeCodecs: {
    initializeAsync(options: { logCodecsInfo: boolean; logCodecsTrace: boolean }): Promise<void>;
    encodeJpeg(context: NativeContext, parameters: { lossy: boolean; predictor: number; pointTransform: number }): NativeContext;
  };
  Context: new (attributes: object) => NativeContext;
}

/** The samples of a frame as JPEG lossless codes them: `bitsStored`-bit unsigned patterns (signed data as two's complement). */
function storedPatterns(frame: Uint8Array, descriptor: FrameDescriptor): Uint8Array {
  const { bitsAllocated, bitsStored } = descriptor;
  const stored = normalizeStoredBits(frame, descriptor);
  if (bitsStored === bitsAllocated || descriptor.pixelRepresentation === 0) return stored;
  const out = stored.slice();
  if (bitsAllocated === 8) {
    for (let i = 0; i < out.length; i++) out[i]! &= (1 << bitsStored) - 1;
  } else {
    const mask = (1 << bitsStored) - 1;
    for (let i = 0; i < out.length; i += 2) {
      const v = (out[i]! | (out[i + 1]! << 8)) & mask;
      out[i] = v & 0xff;
      out[i + 1] = v >>> 8;
    }
  }
  return out;
}

/** Encodes with the IJG lossless coder in dcmjs-codecs (DCMTK's dcmjpeg in WASM): first-order prediction (selection value 1). */
async function encode(load: () => Promise<DcmjsCodecs>, frame: Uint8Array, descriptor: FrameDescriptor): Promise<EncodedFrame> {
  const { bitsAllocated, bitsStored, samplesPerPixel: samples, photometricInterpretation: photometric } = descriptor;
  requireLayout(
    (bitsAllocated === 8 || bitsAllocated === 16) && bitsStored >= 2 && bitsStored <= bitsAllocated &&
      ((samples === 1 && photometric.startsWith('MONOCHROME')) || (samples === 3 && bitsAllocated === 8 && photometric === 'RGB')),
    descriptor, 'dcmjs-codecs', 'JPEG lossless codes 2 to 16-bit greyscale or 8-bit RGB',
  );
  const codecs = await load();
  let bytes: Uint8Array;
  try {
    const context = new codecs.Context({
      width: descriptor.columns, height: descriptor.rows, bitsAllocated, bitsStored, samplesPerPixel: samples,
      pixelRepresentation: 0, planarConfiguration: 0, photometricInterpretation: photometric, decodedBuffer: storedPatterns(frame, descriptor),
    });
    bytes = codecs.NativeCodecs.encodeJpeg(context, { lossy: false, predictor: 1, pointTransform: 0 }).getEncodedBuffer().slice();
  } catch (error) {
    throw new DicomError('TRANSCODE_ENCODE_FAILED', `dcmjs-codecs could not encode the frame: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const header = readJpegFrameHeader(bytes);
  if (header === undefined || header.marker !== 0xc3) throw new DicomError('TRANSCODE_ENCODE_FAILED', 'dcmjs-codecs wrote no lossless (SOF3) JPEG frame');
  return { bytes, photometricInterpretation: photometric, lossy: false };
}

/**
 * A codec for JPEG Lossless (Process 14, .57 and .70): decodes 2 to 16 bits with jpeg-lossless-decoder-js; encodes
 * 2 to 16-bit greyscale (signed or unsigned) and 8-bit RGB with dcmjs-codecs (IJG's lossless coder from DCMTK,
 * in WASM), first-order prediction, which both syntaxes allow. Each library loads on first use.
 */
export function createJpegLosslessCodec(): PixelCodec {
  let loaded: Promise<new () => LosslessDecoder> | undefined;
  const load = (): Promise<new () => LosslessDecoder> => (loaded ??= import('jpeg-lossless-decoder-js').then((m) => m.Decoder));
  let native: Promise<DcmjsCodecs> | undefined;
  const loadNative = (): Promise<DcmjsCodecs> => {
    native ??= import('dcmjs-codecs').then(async (m) => {
      const codecs = ((m as { default?: unknown }).default ?? m) as DcmjsCodecs;
      await codecs.NativeCodecs.initializeAsync({ logCodecsInfo: false, logCodecsTrace: false });
      return codecs;
    });
    native.catch(() => {
      native = undefined;
    });
    return native;
  };
  return {
    name: 'jpeg-lossless',
    transferSyntaxUIDs: [JPEG_LOSSLESS_P14, JPEG_LOSSLESS_SV1],
    decode: (frame, descriptor) => decode(load, frame, descriptor),
    encode: (frame, descriptor) => encode(loadNative, frame, descriptor),
  };
}
