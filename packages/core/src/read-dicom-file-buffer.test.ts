// readDicomFileSync with a reused buffer: each read gives what readDicom gives on the file's own bytes, the buffer
// grows only when a file does not fit, and header-only reads leave it alone.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { corpusFile } from '@dicom-tools/test-fixtures';
import { readDicom, readDicomFileSync, Tags, type ReadBuffer } from './index.js';

const SMALL = 'CT_small.dcm';
const LARGE = 'MR_small.dcm';
const OTHER = 'MR_small_implicit.dcm';

describe('readDicomFileSync with a reused buffer', () => {
  it('reads each file as readDicom reads its bytes, growing the buffer only when a file does not fit', () => {
    const buffer: ReadBuffer = { bytes: new Uint8Array(16) };
    const sizes = [SMALL, LARGE, OTHER].map((name) => readFileSync(corpusFile(name)).length);
    let previous = buffer.bytes;
    for (const [n, name] of [SMALL, LARGE, OTHER].entries()) {
      const path = corpusFile(name);
      const file = readDicomFileSync(path, { buffer });
      expect(isDeepStrictEqual(file.dataset, readDicom(readFileSync(path)).dataset)).toBe(true);
      expect(buffer.bytes.length).toBeGreaterThanOrEqual(sizes[n]!);
      // The buffer is replaced only when the file is larger than it.
      expect(buffer.bytes === previous).toBe(previous.length >= sizes[n]!);
      previous = buffer.bytes;
    }
  });

  it('gives Pixel Data as a view into the buffer, which the next read overwrites', () => {
    // The larger file first, so that the smaller one is read into the same array.
    const [larger, smaller] = [SMALL, LARGE].sort((a, b) => readFileSync(corpusFile(b)).length - readFileSync(corpusFile(a)).length);
    const buffer: ReadBuffer = { bytes: new Uint8Array(0) };
    const first = readDicomFileSync(corpusFile(larger!), { buffer });
    const pixels = first.dataset.elements.get(Tags.PixelData)!.value as Uint8Array;
    expect(pixels.buffer === buffer.bytes.buffer).toBe(true);
    const copy = Buffer.from(pixels);
    const array = buffer.bytes;
    readDicomFileSync(corpusFile(smaller!), { buffer });
    expect(buffer.bytes === array).toBe(true);
    expect(Buffer.from(pixels).equals(copy)).toBe(false);
  });

  it('does not use the buffer for a header-only read', () => {
    const buffer: ReadBuffer = { bytes: new Uint8Array(0) };
    const head = readDicomFileSync(corpusFile(SMALL), { buffer, stopBeforePixelData: true });
    expect(head.dataset.elements.has(Tags.Rows)).toBe(true);
    expect(buffer.bytes.length).toBe(0);
  });
});
