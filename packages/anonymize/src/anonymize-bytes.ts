import { isDicomError, readDicom, TransferSyntax, transferSyntaxInfo, writeDicom, type DicomFile } from '@dicom-tools/core';

const SPECIFIC_CHARACTER_SET = 0x00080005;
import { anonymizeFile, type AnonymizeOptions } from './anonymize.js';
import type { AnonymizeReport } from './report.js';

/** The result of {@link anonymizeBytes}. */
export interface AnonymizeBytesResult {
  /** The anonymized Part 10 file: write the chunks one after the other (e.g. with a file handle's `writev`). */
  readonly chunks: readonly Uint8Array[];
  readonly report: AnonymizeReport;
  /** The anonymized file as data (without its Pixel Data element when that was passed through). */
  readonly file: DicomFile;
  /**
   * True when the Pixel Data element was passed through as the input's own bytes (a view into `bytes`, not a
   * copy: keep `bytes` unchanged until the chunks are written); false when the whole file was decoded and encoded.
   */
  readonly pixelDataPassedThrough: boolean;
}

function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** The end of the encapsulated fragments starting at `at` (items, then the sequence delimiter), or -1. */
function endOfFragments(bytes: Uint8Array, at: number): number {
  let pos = at;
  while (pos + 8 <= bytes.length) {
    const group = bytes[pos]! | (bytes[pos + 1]! << 8);
    const element = bytes[pos + 2]! | (bytes[pos + 3]! << 8);
    const length = u32(bytes, pos + 4);
    if (group !== 0xfffe) return -1;
    if (element === 0xe0dd) return length === 0 ? pos + 8 : -1;
    if (element !== 0xe000 || length === 0xffffffff) return -1;
    pos += 8 + length;
  }
  return -1;
}

/**
 * True when the (7FE0,0010) element whose tag is at `at` (as the reader reports it) is the last element: its
 * header (explicit VR OB/OW, or implicit) and length reach exactly the end of the bytes.
 */
function pixelDataIsLast(bytes: Uint8Array, at: number, explicitVR: boolean): boolean {
  if (bytes[at] !== 0xe0 || bytes[at + 1] !== 0x7f || bytes[at + 2] !== 0x10 || bytes[at + 3] !== 0x00) return false;
  if (!explicitVR) return at + 8 <= bytes.length && at + 8 + u32(bytes, at + 4) === bytes.length;
  const vr = String.fromCharCode(bytes[at + 4] ?? 0, bytes[at + 5] ?? 0);
  if ((vr !== 'OB' && vr !== 'OW') || at + 12 > bytes.length) return false;
  const length = u32(bytes, at + 8);
  return (length === 0xffffffff ? endOfFragments(bytes, at + 12) : at + 12 + length) === bytes.length;
}

/**
 * {@link anonymizeFile} from and to Part 10 bytes, without decoding or copying the Pixel Data: when the input
 * is little endian and not deflated and Pixel Data is its last element, only the bytes before it are read, the
 * anonymized header is encoded, and the original Pixel Data element follows it unchanged. Any other input is
 * read and written whole (the result is the same data set either way). Text the profile changed that cannot be
 * encoded in the file's Specific Character Set (ISO 2022 code extensions) is written in UTF-8 (ISO_IR 192), with a
 * warning in the report. Pure: no I/O, `bytes` is not changed.
 * Throws what readDicom throws for bytes that are not DICOM, and CORE_INVALID_VALUE for bad options.
 */
export function anonymizeBytes(bytes: Uint8Array, options: AnonymizeOptions & { readonly fileName?: string }): AnonymizeBytesResult {
  // anonymizeFile reads only the options it knows: `options` goes to it as it is (fileName included).
  const read = options.fileName !== undefined ? { fileName: options.fileName } : {};
  const head = readDicom(bytes, { ...read, stopBeforePixelData: true });
  const syntax = transferSyntaxInfo(head.transferSyntaxUID);
  const passable = syntax.littleEndian && !syntax.deflated && head.transferSyntaxUID !== TransferSyntax.ExplicitVRBigEndian;
  const start = head.pixelDataOffset;
  if (passable && start !== undefined && pixelDataIsLast(bytes, start, syntax.explicitVR)) {
    // The header-only read is exactly the data set before Pixel Data: anonymize it, then append Pixel Data as is.
    const { file, report } = anonymizeFile(head, options);
    return { chunks: [encoded(file, report), bytes.subarray(start)], report, file, pixelDataPassedThrough: true };
  }
  const { file, report } = anonymizeFile(readDicom(bytes, read), options);
  return { chunks: [encoded(file, report)], report, file, pixelDataPassedThrough: false };
}

/**
 * writeDicom of the anonymized file. Text the profile changed (cleaned of identifiers, a dummy) may not be encodable
 * in the data set's Specific Character Set where core cannot encode it (ISO 2022 code extensions, GB18030): the file
 * is then written in UTF-8 (ISO_IR 192), every text value re-encoded, and the report says so.
 */
function encoded(file: DicomFile, report: AnonymizeReport): Uint8Array {
  try {
    return writeDicom(file);
  } catch (error) {
    if (!isDicomError(error, 'CORE_CHARSET_UNENCODABLE')) throw error;
    const elements = file.dataset.elements;
    const before = elements.get(SPECIFIC_CHARACTER_SET);
    elements.set(SPECIFIC_CHARACTER_SET, { tag: SPECIFIC_CHARACTER_SET, vr: 'CS', value: ['ISO_IR 192'] });
    let bytes: Uint8Array;
    try {
      bytes = writeDicom(file);
    } catch {
      if (before !== undefined) elements.set(SPECIFIC_CHARACTER_SET, before);
      else elements.delete(SPECIFIC_CHARACTER_SET);
      throw error;
    }
    const was = before !== undefined && Array.isArray(before.value) ? (before.value as readonly unknown[]).join('\\') : '';
    (report.warnings as string[]).push(`text the profile changed cannot be encoded in Specific Character Set "${was}": the file is written in UTF-8 (Specific Character Set ISO_IR 192)`);
    return bytes;
  }
}
