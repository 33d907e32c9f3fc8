import { isDicomError, type FrameDescriptor } from '@dicom-tools/core';
import { createRleCodec, RLE_LOSSLESS } from './index.js';

const codec = createRleCodec();
const grey8 = (rows: number, columns: number): FrameDescriptor => ({
  rows, columns, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, pixelRepresentation: 0, planarConfiguration: 0, photometricInterpretation: 'MONOCHROME2',
});

/** An RLE frame (PS3.5 G.5): header of segment count and offsets, then the segments. */
function rleFrame(segments: number[][]): Uint8Array {
  const header = new Uint8Array(64);
  const view = new DataView(header.buffer);
  view.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((segment, i) => {
    view.setUint32(4 + 4 * i, offset, true);
    offset += segment.length;
  });
  return Uint8Array.from([...header, ...segments.flat()]);
}

const segmentsOf = (frame: Uint8Array): Uint8Array[] => {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const count = view.getUint32(0, true);
  return Array.from({ length: count }, (_, i) => frame.subarray(view.getUint32(4 + 4 * i, true), i + 1 < count ? view.getUint32(8 + 4 * i, true) : frame.length));
};

describe('RLE codec (PS3.5 Annex G)', () => {
  it('decodes literal runs (n+1 bytes), replicate runs (-n+1 copies) and skips the -128 no-op (G.3.2)', async () => {
    const frame = rleFrame([[0x02, 1, 2, 3, 0x80, 0xfd, 9]]);
    const decoded = await codec.decode!(frame, grey8(1, 7), RLE_LOSSLESS);
    expect([...decoded.bytes]).toEqual([1, 2, 3, 9, 9, 9, 9]);
  });

  it('orders 16-bit segments most significant byte first (G.2)', async () => {
    const frame = rleFrame([[0x00, 0x12, 0x00], [0x00, 0x34, 0x00]]);
    const decoded = await codec.decode!(frame, { ...grey8(1, 1), bitsAllocated: 16, bitsStored: 16 }, RLE_LOSSLESS);
    expect([...decoded.bytes]).toEqual([0x34, 0x12]);
  });

  it('writes one segment per byte plane, sample by sample, most significant first, each of even length', async () => {
    // two RGB 16-bit pixels
    const frame = Uint8Array.of(0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16);
    const encoded = await codec.encode!(frame, { ...grey8(1, 2), samplesPerPixel: 3, bitsAllocated: 16, bitsStored: 16, photometricInterpretation: 'RGB' }, RLE_LOSSLESS);
    const segments = segmentsOf(encoded.bytes);
    expect(segments).toHaveLength(6);
    for (const segment of segments) expect(segment.length % 2).toBe(0);
    // R high bytes then R low bytes: literal packets of two bytes.
    expect([...segments[0]!.subarray(0, 3)]).toEqual([0x01, 0x02, 0x12]);
    expect([...segments[1]!.subarray(0, 3)]).toEqual([0x01, 0x01, 0x11]);
  });

  it('never lets a run cross a row end', async () => {
    const encoded = await codec.encode!(new Uint8Array(2 * 4), grey8(2, 4), RLE_LOSSLESS);
    // each row of four zeros is its own replicate packet (-3, 0)
    expect([...segmentsOf(encoded.bytes)[0]!]).toEqual([0xfd, 0x00, 0xfd, 0x00]);
  });

  it('splits runs longer than 128 bytes into packets of at most 128', async () => {
    const encoded = await codec.encode!(new Uint8Array(300).fill(7), grey8(1, 300), RLE_LOSSLESS);
    expect([...segmentsOf(encoded.bytes)[0]!]).toEqual([0x81, 7, 0x81, 7, 0xd5, 7]);
  });

  it('reports a header whose segment count does not fit the image with TRANSCODE_DECODE_FAILED', async () => {
    let caught: unknown;
    try {
      await codec.decode!(rleFrame([[0x00, 1], [0x00, 2]]), grey8(1, 1), RLE_LOSSLESS);
    } catch (error) {
      caught = error;
    }
    expect(isDicomError(caught, 'TRANSCODE_DECODE_FAILED')).toBe(true);
  });

  it('reports a segment that ends before its plane is full with TRANSCODE_DECODE_FAILED', async () => {
    await expect(codec.decode!(rleFrame([[0x01, 1, 2]]), grey8(1, 4), RLE_LOSSLESS)).rejects.toMatchObject({ code: 'TRANSCODE_DECODE_FAILED' });
  });
});
