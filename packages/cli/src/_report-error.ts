import { ExitCodes, type ExitCode } from './exit-codes.js';
import { isUsageError } from './_usage-error.js';

/** The shape of a DicomError, checked by duck typing so that reporting an error never loads @dicom-tools/core. */
interface DicomErrorLike {
  readonly name: string;
  readonly code: string;
  readonly message: string;
  readonly file?: string | undefined;
}

/** True for a DicomError (from any copy of @dicom-tools/core). */
export function looksLikeDicomError(error: unknown): error is DicomErrorLike {
  return (
    typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'DicomError' &&
    typeof (error as { code?: unknown }).code === 'string' && typeof (error as { message?: unknown }).message === 'string'
  );
}

/** Replaces control characters (terminal escapes, newlines) so that an error stays one safe line. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}

/**
 * The one line printed on stderr for an expected error: `dicom-tools: FILE: message [CODE]`. The file is
 * named once: DicomError messages already start with it when the error carries one.
 */
export function errorLine(error: unknown, file?: string): string {
  if (looksLikeDicomError(error)) {
    const named = error.file !== undefined || file === undefined ? error.message : `${file}: ${error.message}`;
    return `dicom-tools: ${oneLine(named)} [${error.code}]`;
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = isUsageError(error) && error.code !== undefined ? ` [${error.code}]` : '';
  return `dicom-tools: ${file !== undefined ? `${file}: ` : ''}${oneLine(message)}${code}`;
}

/** The exit code for an error a command did not handle itself: usage 2, DicomError 1 (aborted 130), else 70. */
export function exitCodeFor(error: unknown): ExitCode {
  if (isUsageError(error)) return ExitCodes.usage;
  if (looksLikeDicomError(error)) return error.code === 'CORE_ABORTED' ? ExitCodes.interrupted : ExitCodes.failed;
  return ExitCodes.internal;
}
