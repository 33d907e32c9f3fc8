import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir } from '@dicom-tools/test-fixtures';
import { readFile } from 'node:fs/promises';
import { DicomError, ErrorCodes, fileSystemError, isDicomError } from './index.js';

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

  it('turns a failed file-system call into CORE_IO naming the file, the action and a plain reason', async () => {
    const missing = join(corpusDir(), 'no-such-file.dcm');
    const cause = await readFile(missing).catch((error: unknown) => error);
    const error = fileSystemError(cause, missing, 'cannot read');
    expect(error.code).toBe('CORE_IO');
    expect(error.message).toBe(`${missing}: cannot read: no such file or folder`);
    expect(error.cause).toBe(cause);
  });

  it('answers an AbortError with CORE_ABORTED and passes a DicomError through unchanged', () => {
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(fileSystemError(abort, 'a.dcm', 'cannot write').code).toBe('CORE_ABORTED');
    const original = new DicomError('CORE_TRUNCATED', 'cut');
    expect(fileSystemError(original, 'a.dcm', 'cannot read')).toBe(original);
  });
});
