import { createCodecRegistry, isDicomError, requireCodec, type PixelCodec } from './index.js';

const JPEG_LS = '1.2.840.10008.1.2.4.80';
const decodeOnly: PixelCodec = {
  name: 'fake-decoder',
  transferSyntaxUIDs: [JPEG_LS],
  decode: async (frame, descriptor) => ({ bytes: frame, photometricInterpretation: descriptor.photometricInterpretation }),
};

describe('codec registry', () => {
  it('finds the codec registered for a transfer syntax', () => {
    expect(requireCodec(createCodecRegistry([decodeOnly]), JPEG_LS, 'decode')).toBe(decodeOnly);
  });

  it('answers a syntax without a codec with TRANSCODE_CODEC_UNAVAILABLE naming the syntax', () => {
    let caught: unknown;
    try {
      requireCodec(createCodecRegistry(), JPEG_LS, 'decode');
    } catch (error) {
      caught = error;
    }
    expect(isDicomError(caught, 'TRANSCODE_CODEC_UNAVAILABLE')).toBe(true);
    expect((caught as Error).message).toContain('JPEG-LS Lossless Image Compression');
  });

  it('does not offer a decode-only codec for encoding', () => {
    expect(() => requireCodec(createCodecRegistry([decodeOnly]), JPEG_LS, 'encode')).toThrow(expect.objectContaining({ code: 'TRANSCODE_CODEC_UNAVAILABLE' }));
  });
});
