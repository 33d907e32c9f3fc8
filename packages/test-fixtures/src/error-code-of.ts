import { isDicomError } from '@dicom-tools/core';

/**
 * Runs `run` and tells how it failed: the DicomError code it threw, `'not a DicomError'` for any other throw,
 * or undefined when it did not throw. For tests that check error codes in a table of cases.
 */
export function errorCodeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isDicomError(error) ? error.code : 'not a DicomError';
  }
  return undefined;
}
