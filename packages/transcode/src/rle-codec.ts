import { DicomError, type DecodedFrame, type EncodedFrame, type FrameDescriptor, type PixelCodec } from '@dicom-tools/core';
import { bytesPerSample, requireLayout } from './_pixel-layout.js';
import { decodeRle, encodeRle, RleError } from './_rle.js';

/** RLE Lossless. */
export const RLE_LOSSLESS = '1.2.840.10008.1.2.5';

function checkLayout(descriptor: FrameDescriptor): void {
  const size = descriptor.bitsAllocated / 8;
  requireLayout(Number.isInteger(size) && size >= 1 && size * descriptor.samplesPerPixel <= 15, descriptor, 'rle', 'RLE codes whole bytes, at most 15 byte planes');
}

/**
 * A codec for RLE Lossless (PS3.5 Annex G), hand-written (no npm package implements it): 8, 16 and 32 bits
 * allocated, 1 or 3 samples, exact both ways. Nothing to load, so it is ready at once.
 */
export function createRleCodec(): PixelCodec {
  return {
    name: 'rle',
    transferSyntaxUIDs: [RLE_LOSSLESS],
    decode: async (frame: Uint8Array, descriptor: FrameDescriptor): Promise<DecodedFrame> => {
      checkLayout(descriptor);
      try {
        const size = bytesPerSample(descriptor);
        const bytes = decodeRle(frame, descriptor.rows, descriptor.columns, descriptor.samplesPerPixel, size);
        return { bytes, photometricInterpretation: descriptor.photometricInterpretation };
      } catch (error) {
        if (error instanceof RleError) throw new DicomError('TRANSCODE_DECODE_FAILED', `rle: ${error.message}`, { cause: error });
        throw error;
      }
    },
    encode: async (frame: Uint8Array, descriptor: FrameDescriptor): Promise<EncodedFrame> => {
      checkLayout(descriptor);
      const bytes = encodeRle(frame, descriptor.rows, descriptor.columns, descriptor.samplesPerPixel, bytesPerSample(descriptor));
      return { bytes, lossy: false };
    },
  };
}
