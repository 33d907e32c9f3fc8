// Exit codes for errors a command does not handle itself (STYLE.md: 1 failed, 70 internal bug, 130 interrupted).
import { inflateRawSync } from 'node:zlib';
import { TextDecoder } from 'node:util';
import { DicomError } from '@dicom-tools/core';
import { exitCodeFor } from './_report-error.js';
import { ExitCodes } from './index.js';

/** What a function throws (fails the test if it returns). */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function overflowStack(): number {
  return overflowStack() + 1;
}

describe('exitCodeFor', () => {
  it('gives 1 for a DicomError about the input, also when it wraps one of Node\'s own errors about the data', () => {
    expect(exitCodeFor(new DicomError('CORE_TRUNCATED', 'truncated'))).toBe(ExitCodes.failed);
    // Node's errors carry a code: an inflated size over the limit is a RangeError, invalid UTF-8 a TypeError.
    const tooLarge = thrown(() => inflateRawSync(Buffer.from([0x63, 0x60, 0x18, 0x05, 0x00]), { maxOutputLength: 1 }));
    expect((tooLarge as Error).name).toBe('RangeError');
    expect(exitCodeFor(new DicomError('CORE_MALFORMED', 'inflates to too much', { cause: tooLarge }))).toBe(ExitCodes.failed);
    const badUtf8 = thrown(() => new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff])));
    expect((badUtf8 as Error).name).toBe('TypeError');
    expect(exitCodeFor(new DicomError('CORE_MALFORMED', 'bad text', { cause: badUtf8 }))).toBe(ExitCodes.failed);
    expect(exitCodeFor(new DicomError('CORE_IO', 'cannot read', { cause: Object.assign(new Error('ENOENT'), { code: 'ENOENT' }) }))).toBe(ExitCodes.failed);
  });

  it('gives 1 for a DicomError caused by a stack overflow (input nested too deeply)', () => {
    const overflow = thrown(overflowStack);
    expect(overflow).toBeInstanceOf(RangeError);
    expect(exitCodeFor(new DicomError('CORE_MALFORMED', 'nested too deeply', { cause: overflow }))).toBe(ExitCodes.failed);
  });

  it('gives 70 for a DicomError whose cause is a JavaScript fault, directly or through another DicomError', () => {
    const faults: unknown[] = [
      thrown(() => (undefined as unknown as { x: () => void }).x()), // TypeError
      thrown(() => new Function('return notDefinedAnywhere')()), // ReferenceError
      thrown(() => new Array(-1)), // RangeError: invalid array length
      thrown(() => new Function('return (')), // SyntaxError
    ];
    expect(faults.map((f) => (f as Error).name)).toEqual(['TypeError', 'ReferenceError', 'RangeError', 'SyntaxError']);
    for (const fault of faults) {
      const wrapped = new DicomError('CORE_MALFORMED', 'malformed data set', { cause: fault });
      expect(exitCodeFor(wrapped)).toBe(ExitCodes.internal);
      expect(exitCodeFor(new DicomError('CORE_MALFORMED', 'x.dcm: malformed data set', { file: 'x.dcm', cause: wrapped }))).toBe(ExitCodes.internal);
    }
  });

  it('gives 130 for CORE_ABORTED whatever the abort reason', () => {
    expect(exitCodeFor(new DicomError('CORE_ABORTED', 'read aborted', { cause: new TypeError('reason') }))).toBe(ExitCodes.interrupted);
  });

  it('gives 70 for anything that is not a DicomError or a usage error', () => {
    expect(exitCodeFor(new TypeError('x is not a function'))).toBe(ExitCodes.internal);
  });
});
