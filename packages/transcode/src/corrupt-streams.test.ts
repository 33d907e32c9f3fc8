import { readFileSync } from 'node:fs';
import { isDicomError, readDicom, type FrameDescriptor, type PixelCodec } from '@dicom-tools/core';
import { corpusFile } from '@dicom-tools/test-fixtures';
import { createHtj2kCodec, createJpeg2000Codec, createJpegBaselineCodec, createJpegExtendedCodec, createJpegLosslessCodec, createJpegLsCodec, createRleCodec } from './index.js';

// Damaged compressed frames must fail with a TRANSCODE_ error (or decode to a frame of the right size), never
// crash, hang or throw something else; and a codec must keep working after a damaged frame.
const grey16: FrameDescriptor = { rows: 32, columns: 32, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 16, pixelRepresentation: 1, planarConfiguration: 0, photometricInterpretation: 'MONOCHROME2' };
const grey8: FrameDescriptor = { ...grey16, bitsAllocated: 8, bitsStored: 8, pixelRepresentation: 0 };

function pattern(descriptor: FrameDescriptor): Uint8Array {
  const out = new Uint8Array(descriptor.rows * descriptor.columns * (descriptor.bitsAllocated / 8));
  for (let i = 0; i < out.length; i++) out[i] = (i * 37 + (i >> 5) * 11) & 0xff;
  return out;
}

/** A deterministic generator (xorshift), so a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function damaged(stream: Uint8Array, next: () => number): Uint8Array {
  const copy = stream.slice();
  const kind = next();
  if (kind < 0.3) return copy.subarray(0, Math.floor(next() * copy.length));
  const flips = 1 + Math.floor(next() * 8);
  for (let i = 0; i < flips; i++) copy[Math.floor(next() * copy.length)] = Math.floor(next() * 256);
  return copy;
}

const cases: [string, PixelCodec, string, FrameDescriptor][] = [
  ['rle', createRleCodec(), '1.2.840.10008.1.2.5', grey16],
  ['charls', createJpegLsCodec(), '1.2.840.10008.1.2.4.80', grey16],
  ['openjpeg', createJpeg2000Codec(), '1.2.840.10008.1.2.4.90', grey16],
  ['libjpeg-turbo', createJpegBaselineCodec(), '1.2.840.10008.1.2.4.50', grey8],
  ['jpeg-lossless', createJpegLosslessCodec(), '1.2.840.10008.1.2.4.70', grey16],
  ['openjph', createHtj2kCodec(), '1.2.840.10008.1.2.4.201', grey16],
];

describe.each(cases)('%s on damaged frames', (_name, codec, syntax, descriptor) => {
  it('fails each with a TRANSCODE_ code or decodes it to a whole frame, and still decodes a good frame afterwards', async () => {
    const input = pattern(descriptor);
    const good = (await codec.encode!(input, descriptor, syntax, { quality: 90 })).bytes;
    const next = random(0x5eed + syntax.length);
    for (let round = 0; round < 100; round++) {
      try {
        const decoded = await codec.decode!(damaged(good, next), descriptor, syntax);
        expect(decoded.bytes.length).toBe(input.length);
      } catch (error) {
        if (!isDicomError(error) || !error.code.startsWith('TRANSCODE_')) throw error;
      }
    }
    const again = await codec.decode!(good, descriptor, syntax);
    expect(again.bytes.length).toBe(input.length);
  });
});

it('jpeg-lossless-decoder-js is only given lossless (SOF3) frames: a baseline stream fails with TRANSCODE_DECODE_FAILED', async () => {
  const baseline = (await createJpegBaselineCodec().encode!(pattern(grey8), grey8, '1.2.840.10008.1.2.4.50', {})).bytes;
  await expect(createJpegLosslessCodec().decode!(baseline, grey8, '1.2.840.10008.1.2.4.70')).rejects.toMatchObject({ code: 'TRANSCODE_DECODE_FAILED' });
});

it('decodes a JPEG-LS frame that lacks its EOI marker (a tolerated encoder slip), and does so quickly', async () => {
  const codec = createJpegLsCodec();
  const input = pattern(grey16);
  const good = (await codec.encode!(input, grey16, '1.2.840.10008.1.2.4.80')).bytes;
  expect([...good.subarray(good.length - 2)]).toEqual([0xff, 0xd9]);
  const started = Date.now();
  const decoded = await codec.decode!(good.subarray(0, good.length - 2), grey16, '1.2.840.10008.1.2.4.80');
  expect(Buffer.from(decoded.bytes).equals(Buffer.from(input))).toBe(true);
  expect(Date.now() - started).toBeLessThan(2000);
});

it('the 12-bit JPEG decoder fails damaged frames of JPGExtended.dcm with a TRANSCODE_ code or decodes them whole', async () => {
  const file = readDicom(readFileSync(corpusFile('JPGExtended.dcm')));
  const pixelData = file.dataset.elements.get(0x7fe00010);
  if (pixelData === undefined || !('encapsulated' in pixelData)) throw new Error('JPGExtended.dcm has no encapsulated pixel data');
  const good = Uint8Array.from(pixelData.value.fragments[0]!); // a plain copy: slice() of a Buffer view would not copy
  const descriptor: FrameDescriptor = { ...grey16, rows: 1024, columns: 256, bitsStored: 12, pixelRepresentation: 0 };
  const codec = createJpegExtendedCodec();
  const next = random(0x12b17);
  for (let round = 0; round < 25; round++) {
    try {
      const decoded = await codec.decode!(damaged(good, next), descriptor, '1.2.840.10008.1.2.4.51');
      expect(decoded.bytes.length).toBe(1024 * 256 * 2);
    } catch (error) {
      if (!isDicomError(error) || !error.code.startsWith('TRANSCODE_')) throw error;
    }
  }
  expect((await codec.decode!(good, descriptor, '1.2.840.10008.1.2.4.51')).bytes.length).toBe(1024 * 256 * 2);
});
