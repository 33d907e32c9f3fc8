import { readFileSync } from 'node:fs';
import { createCodecRegistry, getBytes, readDicom, transferSyntaxInfo, type DicomFile } from '@dicom-tools/core';
import { corpusFile, corpusFiles } from '@dicom-tools/test-fixtures';
import { createTranscodeCodecs, decompress } from './index.js';
import { pydicomPixels } from './_peers.test-util.js';

const registry = createCodecRegistry(createTranscodeCodecs());
const read = (name: string): DicomFile => readDicom(readFileSync(corpusFile(name)), { fileName: name });
const pixels = (file: DicomFile): Uint8Array => {
  const bytes = getBytes(file.dataset, 0x7fe00010);
  if (bytes === undefined) throw new Error('no native pixel data');
  return bytes;
};
const compressed = corpusFiles().filter((name) => {
  try {
    const file = read(name);
    return transferSyntaxInfo(file.transferSyntaxUID).encapsulated && file.dataset.elements.has(0x7fe00010);
  } catch {
    return false;
  }
});

describe('decoding the compressed corpus files', () => {
  it('finds the compressed images the corpus README lists', () => {
    expect(compressed).toEqual(expect.arrayContaining(['JPEG2000.dcm', 'JPGExtended.dcm', 'MR_small_RLE.dcm', 'MR_small_jp2klossless.dcm', 'MR_small_jpeg_ls_lossless.dcm', 'SC_rgb_jpeg_dcmtk.dcm', 'SC_rgb_rle.dcm', 'SC_rgb_rle_2frame.dcm']));
  });

  it.each(['MR_small_RLE.dcm', 'MR_small_jp2klossless.dcm', 'MR_small_jpeg_ls_lossless.dcm'])('decodes %s to the pixels of its uncompressed sibling MR_small.dcm', async (name) => {
    const out = await decompress(read(name), { codecs: registry });
    expect(out.transferSyntaxUID).toBe('1.2.840.10008.1.2.1');
    expect(Buffer.from(pixels(out)).equals(Buffer.from(pixels(read('MR_small.dcm'))))).toBe(true);
  });

  it.each(['JPEG2000.dcm', 'JPGExtended.dcm', 'SC_rgb_jpeg_dcmtk.dcm', 'SC_rgb_rle.dcm', 'SC_rgb_rle_2frame.dcm'])('decodes %s to the pixels pydicom with GDCM decodes', async (name) => {
    const out = await decompress(read(name), { codecs: registry });
    const peer = pydicomPixels(corpusFile(name));
    expect(Buffer.from(pixels(out)).equals(Buffer.from(peer.bytes))).toBe(true);
  });

});
