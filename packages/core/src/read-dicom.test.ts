import { readFileSync } from 'node:fs';
import { corpusFile, corpusFiles, CORPUS_REJECTS } from '@dicom-tools/test-fixtures';
import { isDicomError, readDicom, readDicomFile, Tags } from './index.js';

describe('readDicom on the corpus', () => {
  it.each(corpusFiles())('reads %s or rejects it with its documented code', (name) => {
    const bytes = readFileSync(corpusFile(name));
    const expected = CORPUS_REJECTS[name];
    if (expected !== undefined) {
      expect(() => readDicom(bytes, { fileName: name })).toThrow(expect.objectContaining({ code: expected }));
    } else {
      const file = readDicom(bytes, { fileName: name });
      expect(file.dataset.elements.size).toBeGreaterThan(0);
    }
  });

  it('rejects MR_truncated.dcm with CORE_TRUNCATED naming the offset and Pixel Data', () => {
    let caught: unknown;
    try {
      readDicom(readFileSync(corpusFile('MR_truncated.dcm')), { fileName: 'MR_truncated.dcm' });
    } catch (error) {
      caught = error;
    }
    expect(isDicomError(caught, 'CORE_TRUNCATED')).toBe(true);
    expect((caught as Error).message).toMatch(/^MR_truncated\.dcm: truncated: element \(7FE0,0010\) PixelData at byte \d+/);
  });

  it('reads MR_truncated.dcm header-only, stopping before the cut pixel data', async () => {
    const file = await readDicomFile(corpusFile('MR_truncated.dcm'), { stopBeforePixelData: true });
    expect(file.dataset.elements.has(Tags.PixelData)).toBe(false);
    expect(file.dataset.elements.get(Tags.Rows)?.value).toEqual([64]);
  });
});
