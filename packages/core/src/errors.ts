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
  /** No image with a plane geometry in the input, or none in the series asked for. */
  VOLUME_NO_IMAGES: 'VOLUME_NO_IMAGES',
  /** The input holds several volumes and none was chosen; the message lists them. */
  VOLUME_SEVERAL_SERIES: 'VOLUME_SEVERAL_SERIES',
  /** Slices of one volume differ in size, pixel spacing, bits or orientation, or in echo/time without forming a 4-D set. */
  VOLUME_INCONSISTENT_SLICES: 'VOLUME_INCONSISTENT_SLICES',
  /** Image orientation, position or pixel spacing is missing, malformed or not orthonormal, or positions are not on one line. */
  VOLUME_BAD_GEOMETRY: 'VOLUME_BAD_GEOMETRY',
  /** The slice spacing has a gap (a missing slice); allow it with `allowGaps`. */
  VOLUME_MISSING_SLICE: 'VOLUME_MISSING_SLICE',
  /** Two slices share a position and nothing (echo, time) tells them apart. */
  VOLUME_DUPLICATE_SLICE: 'VOLUME_DUPLICATE_SLICE',
  /** The pixel layout cannot be made into a volume (bits, samples per pixel, frames that cannot be located). */
  VOLUME_UNSUPPORTED_PIXELS: 'VOLUME_UNSUPPORTED_PIXELS',
  /** A TCP or TLS connection to a DICOM peer could not be made (refused, unreachable, TLS handshake failed). */
  NET_CONNECT_FAILED: 'NET_CONNECT_FAILED',
  /** A server could not listen on the requested address and port. */
  NET_LISTEN_FAILED: 'NET_LISTEN_FAILED',
  /** The peer rejected the association (A-ASSOCIATE-RJ); the message gives result, source and reason. */
  NET_ASSOCIATION_REJECTED: 'NET_ASSOCIATION_REJECTED',
  /** The association was aborted (A-ABORT from either side) or the connection closed while it was open. */
  NET_ASSOCIATION_ABORTED: 'NET_ASSOCIATION_ABORTED',
  /** A connect, association, DIMSE or idle timeout expired. */
  NET_TIMEOUT: 'NET_TIMEOUT',
  /** The peer broke the upper-layer or DIMSE protocol (malformed or unexpected PDU, bad command set). */
  NET_PROTOCOL: 'NET_PROTOCOL',
  /** No accepted presentation context can carry the operation (SOP class or transfer syntax refused). */
  NET_NO_PRESENTATION_CONTEXT: 'NET_NO_PRESENTATION_CONTEXT',
  /** The pixel layout or the syntax cannot be transcoded correctly (12-bit lossy JPEG, 16-bit colour JPEG...). */
  TRANSCODE_UNSUPPORTED: 'TRANSCODE_UNSUPPORTED',
  /** A compressed frame cannot be decoded (corrupt stream, or its header disagrees with the data set). */
  TRANSCODE_DECODE_FAILED: 'TRANSCODE_DECODE_FAILED',
  /** An encoder failed on a frame. */
  TRANSCODE_ENCODE_FAILED: 'TRANSCODE_ENCODE_FAILED',
  /** A lossless encode did not decode back to the input pixels; nothing was written. */
  TRANSCODE_VERIFY_FAILED: 'TRANSCODE_VERIFY_FAILED',
  /** A batch task failed with an error that was not a DicomError (the original is the `cause`). */
  BATCH_TASK_FAILED: 'BATCH_TASK_FAILED',
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

const FS_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on device',
  EEXIST: 'already exists',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
};

/**
 * The DicomError for a failed file-system call on `file`: CORE_IO with `action` and a plain reason
 * (`cannot read: no such file or folder`), CORE_ABORTED for an AbortError; a DicomError is returned as it is.
 */
export function fileSystemError(error: unknown, file: string, action: string): DicomError {
  if (isDicomError(error)) return error;
  if ((error as { name?: unknown } | null)?.name === 'AbortError') return new DicomError('CORE_ABORTED', `${action}: aborted`, { file, cause: error });
  const code = (error as { code?: unknown } | null)?.code;
  const reason = (typeof code === 'string' ? FS_REASONS[code] : undefined) ?? (error instanceof Error ? error.message : String(error));
  return new DicomError('CORE_IO', `${action}: ${reason}`, { file, cause: error });
}
