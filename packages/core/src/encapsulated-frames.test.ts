import { readFileSync } from 'node:fs';
import { corpusFile } from '@dicom-tools/test-fixtures';
import { encapsulatedFrames, encapsulateFrames, isDicomError, isEncapsulated, readDicom, type EncapsulatedPixelData } from './index.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const offsets = (...values: number[]): Uint8Array => {
  const out = new Uint8Array(4 * values.length);
  values.forEach((v, i) => new DataView(out.buffer).setUint32(4 * i, v, true));
  return out;
};
const pixels = (fragments: Uint8Array[], basicOffsetTable: Uint8Array = new Uint8Array(0)): EncapsulatedPixelData => ({ basicOffsetTable, fragments });

describe('encapsulatedFrames', () => {
  it('joins every fragment into the one frame of a single-frame image (PS3.5 Table A.4-1)', () => {
    expect(encapsulatedFrames(pixels([bytes(1, 2), bytes(3, 4)]), 1)).toEqual([bytes(1, 2, 3, 4)]);
  });

  it('groups fragments by Basic Offset Table offsets counted from the first item tag (PS3.5 Table A.4-2)', () => {
    // frame 1 = fragments of 2 and 4 bytes (items of 10 and 12 bytes), frame 2 starts at offset 22.
    const value = pixels([bytes(1, 2), bytes(3, 4, 5, 6), bytes(7, 8)], offsets(0, 22));
    expect(encapsulatedFrames(value, 2)).toEqual([bytes(1, 2, 3, 4, 5, 6), bytes(7, 8)]);
  });

  it('uses 64-bit Extended Offset Table offsets when given', () => {
    const eot = new Uint8Array(16);
    new DataView(eot.buffer).setBigUint64(8, 10n, true);
    expect(encapsulatedFrames(pixels([bytes(1, 2), bytes(3, 4)]), 2, { extendedOffsetTable: eot })).toEqual([bytes(1, 2), bytes(3, 4)]);
  });

  it('takes one fragment per frame when there is no offset table and the counts match', () => {
    expect(encapsulatedFrames(pixels([bytes(1, 2), bytes(3, 4)]), 2)).toEqual([bytes(1, 2), bytes(3, 4)]);
  });

  it('finds frame starts by the JPEG SOI marker when fragments outnumber frames and there is no table', () => {
    const value = pixels([bytes(0xff, 0xd8, 1, 2), bytes(3, 4), bytes(0xff, 0xd8, 5, 6)]);
    expect(encapsulatedFrames(value, 2)).toEqual([bytes(0xff, 0xd8, 1, 2, 3, 4), bytes(0xff, 0xd8, 5, 6)]);
  });

  it('rejects an offset table that does not point at fragment starts with CORE_MALFORMED', () => {
    let caught: unknown;
    try {
      encapsulatedFrames(pixels([bytes(1, 2), bytes(3, 4)], offsets(0, 4)), 2);
    } catch (error) {
      caught = error;
    }
    expect(isDicomError(caught, 'CORE_MALFORMED')).toBe(true);
  });

  it('rejects fewer fragments than frames with CORE_MALFORMED', () => {
    expect(() => encapsulatedFrames(pixels([bytes(1, 2)]), 3)).toThrow(expect.objectContaining({ code: 'CORE_MALFORMED' }));
  });

  it('splits the two RLE frames of SC_rgb_rle_2frame.dcm, each starting with its RLE header', () => {
    const file = readDicom(readFileSync(corpusFile('SC_rgb_rle_2frame.dcm')));
    const element = file.dataset.elements.get(0x7fe00010);
    if (element === undefined || !isEncapsulated(element)) throw new Error('expected encapsulated pixel data');
    const frames = encapsulatedFrames(element, 2);
    expect(frames).toHaveLength(2);
    // PS3.5 G.5: the header's first UL is the number of segments, 3 for 8-bit RGB.
    for (const frame of frames) expect(new DataView(frame.buffer, frame.byteOffset).getUint32(0, true)).toBe(3);
  });
});

describe('encapsulateFrames', () => {
  it('writes one even-length fragment per frame and a Basic Offset Table of item positions', () => {
    const value = encapsulateFrames([bytes(1, 2, 3), bytes(4, 5)]);
    expect(value.fragments).toEqual([bytes(1, 2, 3, 0), bytes(4, 5)]);
    expect(value.basicOffsetTable).toEqual(offsets(0, 12));
    expect(encapsulatedFrames(value, 2)).toEqual([bytes(1, 2, 3, 0), bytes(4, 5)]);
  });
});
