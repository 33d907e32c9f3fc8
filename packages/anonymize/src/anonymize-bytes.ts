import { readDicom, TransferSyntax, transferSyntaxInfo, writeDicom, type DicomFile } from '@dicom-tools/core';
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

const PIXEL_DATA_TAG = Uint8Array.of(0xe0, 0x7f, 0x10, 0x00);

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
 * Where the top-level Pixel Data element starts, when it is the last element of a little endian, non-deflated
 * data set: the first (7FE0,0010) from `from` whose header (explicit VR OB/OW, or implicit) and length reach
 * exactly the end of the bytes. -1 when there is none (then nothing can be passed through).
 */
function pixelDataStart(bytes: Uint8Array, from: number, explicitVR: boolean): number {
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let p = haystack.indexOf(PIXEL_DATA_TAG, from); p >= 0; p = haystack.indexOf(PIXEL_DATA_TAG, p + 1)) {
    if (explicitVR) {
      const vr = String.fromCharCode(bytes[p + 4] ?? 0, bytes[p + 5] ?? 0);
      if ((vr !== 'OB' && vr !== 'OW') || bytes[p + 6] !== 0 || bytes[p + 7] !== 0 || p + 12 > bytes.length) continue;
      const length = u32(bytes, p + 8);
      const end = length === 0xffffffff ? endOfFragments(bytes, p + 12) : p + 12 + length;
      if (end === bytes.length) return p;
    } else if (p + 8 <= bytes.length && p + 8 + u32(bytes, p + 4) === bytes.length) {
      return p;
    }
  }
  return -1;
}

/**
 * {@link anonymizeFile} from and to Part 10 bytes, without decoding or copying the Pixel Data: when the input
 * is little endian and not deflated and Pixel Data is its last element, only the bytes before it are read, the
 * anonymized header is encoded, and the original Pixel Data element follows it unchanged. Any other input is
 * read and written whole (the result is the same data set either way). Pure: no I/O, `bytes` is not changed.
 * Throws what readDicom throws for bytes that are not DICOM, and CORE_INVALID_VALUE for bad options.
 */
export function anonymizeBytes(bytes: Uint8Array, options: AnonymizeOptions & { readonly fileName?: string }): AnonymizeBytesResult {
  const { fileName, ...anonymizeOptions } = options;
  const read = fileName !== undefined ? { fileName } : {};
  const head = readDicom(bytes, { ...read, stopBeforePixelData: true });
  const syntax = transferSyntaxInfo(head.transferSyntaxUID);
  const passable = syntax.littleEndian && !syntax.deflated && head.transferSyntaxUID !== TransferSyntax.ExplicitVRBigEndian;
  const start = passable ? pixelDataStart(bytes, head.hadPreamble ? 132 : 0, syntax.explicitVR) : -1;
  if (start > 0) {
    const header = readDicom(bytes.subarray(0, start), read);
    if (header.transferSyntaxUID === head.transferSyntaxUID && ![...header.dataset.elements.keys()].some((tag) => tag >= 0x7fe00010)) {
      const { file, report } = anonymizeFile(header, anonymizeOptions);
      return { chunks: [writeDicom(file), bytes.subarray(start)], report, file, pixelDataPassedThrough: true };
    }
  }
  const { file, report } = anonymizeFile(readDicom(bytes, read), anonymizeOptions);
  return { chunks: [writeDicom(file)], report, file, pixelDataPassedThrough: false };
}
