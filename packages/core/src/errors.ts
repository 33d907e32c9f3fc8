/**
 * Every error code any @dicom-tools package can raise, in one registry. Codes are API: they never change
 * meaning, and docs/errors.md lists each with the CLI exit code it maps to.
 */
export const ErrorCodes = {
  /** The bytes are not DICOM: no `DICM` magic at offset 128 and no recognisable bare data set. */
  CORE_NOT_DICOM: 'CORE_NOT_DICOM',
  /** The data ends before an element's declared length; the message names the offset and the element. */
  CORE_TRUNCATED: 'CORE_TRUNCATED',
  /** The bytes are DICOM-like but break the encoding rules (bad item tags, lengths that overlap...). */
  CORE_MALFORMED: 'CORE_MALFORMED',
  /** The transfer syntax cannot be read or written by this operation. */
  CORE_UNSUPPORTED_TRANSFER_SYNTAX: 'CORE_UNSUPPORTED_TRANSFER_SYNTAX',
  /** A value does not fit its VR (format, length, range) or cannot be converted. */
  CORE_INVALID_VALUE: 'CORE_INVALID_VALUE',
  /** A tag, keyword or sequence path cannot be parsed or is not in the dictionary. */
  CORE_INVALID_TAG: 'CORE_INVALID_TAG',
  /** An `add` edit names an element that is already present (use `set` to replace it). */
  CORE_ELEMENT_EXISTS: 'CORE_ELEMENT_EXISTS',
  /** Text cannot be encoded in the data set's Specific Character Set. */
  CORE_CHARSET_UNENCODABLE: 'CORE_CHARSET_UNENCODABLE',
  /** A file or folder could not be read or written (missing, permission, disk full...). */
  CORE_IO: 'CORE_IO',
  /** An operation was cancelled through its AbortSignal. */
  CORE_ABORTED: 'CORE_ABORTED',
  /** No codec is registered for a compressed transfer syntax. */
  TRANSCODE_CODEC_UNAVAILABLE: 'TRANSCODE_CODEC_UNAVAILABLE',
} as const;

/** One of the codes of {@link ErrorCodes}. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

const BRAND = Symbol.for('@dicom-tools/DicomError');

/** Details an error may carry besides its message; all optional. */
export interface DicomErrorDetails {
  /** The file the error is about, when there is one. */
  readonly file?: string;
  /** Byte offset in the (decompressed) data where the problem was found. */
  readonly offset?: number;
  /** Tag of the element concerned. */
  readonly tag?: number;
  /** The underlying error. */
  readonly cause?: unknown;
}

/** The one error class of @dicom-tools: a message for people and a stable `code` for programs. */
export class DicomError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly offset: number | undefined;
  readonly tag: number | undefined;
  override readonly name = 'DicomError';

  constructor(code: ErrorCode, message: string, details: DicomErrorDetails = {}) {
    super(details.file !== undefined ? `${details.file}: ${message}` : message, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.code = code;
    this.file = details.file;
    this.offset = details.offset;
    this.tag = details.tag;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * True when `error` is a DicomError (also one made by another copy of this package, or in another realm),
 * and, when `code` is given, has that code.
 */
export function isDicomError(error: unknown, code?: ErrorCode): error is DicomError {
  if (typeof error !== 'object' || error === null) return false;
  const branded = (error as Record<symbol, unknown>)[BRAND] === true || (error as { name?: unknown }).name === 'DicomError';
  if (!branded || typeof (error as { code?: unknown }).code !== 'string') return false;
  return code === undefined || (error as { code: string }).code === code;
}

/** Returns `error` as a DicomError naming `file`, wrapping anything that is not one already. */
export function withFile(error: unknown, file: string, fallback: ErrorCode = 'CORE_MALFORMED'): DicomError {
  if (isDicomError(error)) {
    if (error.file !== undefined) return error;
    return new DicomError(error.code, error.message, { file, ...(error.offset !== undefined ? { offset: error.offset } : {}), ...(error.tag !== undefined ? { tag: error.tag } : {}), cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DicomError(fallback, message, { file, cause: error });
}
