import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir } from '@dicom-tools/test-fixtures';
import { DicomError, ErrorCodes, isDicomError } from './index.js';

describe('DicomError', () => {
  it('carries its code, and prefixes the message with the file it names', () => {
    const error = new DicomError('CORE_TRUNCATED', 'truncated', { file: 'a.dcm', offset: 12, tag: 0x7fe00010 });
    expect(error.code).toBe('CORE_TRUNCATED');
    expect(error.message).toBe('a.dcm: truncated');
    expect(error.offset).toBe(12);
    expect(error).toBeInstanceOf(Error);
  });

  it('is recognised by isDicomError with and without a code, and across realms by shape', () => {
    const error = new DicomError('CORE_IO', 'x');
    expect(isDicomError(error)).toBe(true);
    expect(isDicomError(error, 'CORE_IO')).toBe(true);
    expect(isDicomError(error, 'CORE_NOT_DICOM')).toBe(false);
    expect(isDicomError(new Error('x'))).toBe(false);
    const foreign = Object.assign(new Error('x'), { name: 'DicomError', code: 'CORE_IO' });
    expect(isDicomError(foreign, 'CORE_IO')).toBe(true);
  });

  it('has every registry code documented in docs/errors.md', () => {
    const docs = readFileSync(join(corpusDir(), '..', '..', '..', 'docs', 'errors.md'), 'utf8');
    const missing = Object.values(ErrorCodes).filter((code) => !docs.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });
});
