import { DicomError } from '@dicom-tools/core';

/** Throws CORE_ABORTED when `signal` is aborted. */
export function checkAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted === true) throw new DicomError('CORE_ABORTED', `${what} aborted`, { cause: signal.reason });
}
