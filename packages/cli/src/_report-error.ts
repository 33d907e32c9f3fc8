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

const JS_FAULTS = new Set(['TypeError', 'ReferenceError', 'RangeError', 'SyntaxError']);

/**
 * True when `error` is a fault of JavaScript code itself (`x is not a function`, a bad index...): a TypeError,
 * ReferenceError, SyntaxError or RangeError as the engine throws it. Judged by name, so it works across realms.
 * Not a fault: a stack overflow (deeply nested input), and Node's own errors, which carry a `code` (an invalid
 * encoded text, an inflated size over a limit) and describe the input, not a mistake in the program.
 */
function isJsFault(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, message, code } = error as { name?: unknown; message?: unknown; code?: unknown };
  if (typeof name !== 'string' || !JS_FAULTS.has(name) || code !== undefined) return false;
  return !(name === 'RangeError' && typeof message === 'string' && /call stack/i.test(message));
}

/** True when a DicomError wraps, directly or through other DicomErrors, a JavaScript fault: a bug of ours. */
function wrapsJsFault(error: DicomErrorLike): boolean {
  let cause: unknown = (error as { cause?: unknown }).cause;
  for (let depth = 0; depth < 16 && cause !== undefined; depth++) {
    if (isJsFault(cause)) return true;
    if (!looksLikeDicomError(cause)) return false;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The exit code for an error a command did not handle itself: usage 2, DicomError 1 (aborted 130), else 70.
 * A DicomError whose cause is a JavaScript fault (a TypeError, ReferenceError, SyntaxError, or a RangeError
 * other than a stack overflow) is a bug of ours that a library turned into an error code: 70 as well.
 */
export function exitCodeFor(error: unknown): ExitCode {
  if (isUsageError(error)) return ExitCodes.usage;
  if (looksLikeDicomError(error)) {
    if (error.code === 'CORE_ABORTED') return ExitCodes.interrupted;
    return wrapsJsFault(error) ? ExitCodes.internal : ExitCodes.failed;
  }
  return ExitCodes.internal;
}
