import { DicomError, type DecodedFrame, type FrameDescriptor, type PixelCodec } from '@dicom-tools/core';
import { readJpegFrameHeader } from './_jpeg-markers.js';
import { fitDecoded } from './_pixel-layout.js';

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

/**
 * A decode-only codec for JPEG Lossless (Process 14, .57 and .70) on jpeg-lossless-decoder-js, 2 to 16 bits.
 * No maintained JavaScript encoder exists, so these syntaxes are decode-only. The library loads on first use.
 */
export function createJpegLosslessCodec(): PixelCodec {
  let loaded: Promise<new () => LosslessDecoder> | undefined;
  const load = (): Promise<new () => LosslessDecoder> => (loaded ??= import('jpeg-lossless-decoder-js').then((m) => m.Decoder));
  return {
    name: 'jpeg-lossless-decoder-js',
    transferSyntaxUIDs: [JPEG_LOSSLESS_P14, JPEG_LOSSLESS_SV1],
    decode: (frame, descriptor) => decode(load, frame, descriptor),
  };
}
