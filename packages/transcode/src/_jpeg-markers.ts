// Just enough JPEG marker parsing (ITU T.81 B.1) to pick a decoder and to state a stream's colour transform.

/** The frame header (SOFn) of a JPEG stream. */
export interface JpegFrameHeader {
  /** The SOF marker's second byte: 0xC0 baseline, 0xC1 extended, 0xC3 lossless, 0xF7 JPEG-LS... */
  readonly marker: number;
  readonly precision: number;
  readonly rows: number;
  readonly columns: number;
  readonly components: number;
}

/** True for the markers without a length field (RSTn, SOI, EOI, TEM). */
function standalone(marker: number): boolean {
  return (marker >= 0xd0 && marker <= 0xd9) || marker === 0x01;
}

/** The first SOFn header of a JPEG (or JPEG-LS) stream, or undefined when there is none before the scan. */
export function readJpegFrameHeader(bytes: Uint8Array): JpegFrameHeader | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (standalone(marker)) {
      at += 2;
      continue;
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    const isSof = (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7 || marker === 0xf8;
    if (isSof) {
      if (at + 10 > bytes.length) return undefined;
      return {
        marker,
        precision: bytes[at + 4]!,
        rows: (bytes[at + 5]! << 8) | bytes[at + 6]!,
        columns: (bytes[at + 7]! << 8) | bytes[at + 8]!,
        components: bytes[at + 9]!,
      };
    }
    if (marker === 0xda) return undefined;
    at += 2 + length;
  }
  return undefined;
}

const ADOBE = [0x41, 0x64, 0x6f, 0x62, 0x65]; // "Adobe"
const JFIF = [0x4a, 0x46, 0x49, 0x46, 0x00]; // "JFIF\0"

function startsWith(bytes: Uint8Array, at: number, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[at + i] === b);
}

/**
 * The stream with its colour transform stated by an Adobe APP14 marker (transform 0: the components are RGB;
 * 1: YCbCr), replacing any JFIF APP0 or Adobe APP14 marker. libjpeg takes a three-component stream without such
 * a marker as YCbCr, which is wrong for a DICOM RGB JPEG; DICOM's Photometric Interpretation is what decides.
 */
export function withColourTransform(bytes: Uint8Array, transform: 0 | 1): Uint8Array {
  const kept: Uint8Array[] = [];
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (standalone(marker)) {
      at += 2;
      continue;
    }
    if (marker === 0xda || (marker >= 0xc0 && marker <= 0xcf)) break;
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    const drop = (marker === 0xe0 && startsWith(bytes, at + 4, JFIF)) || (marker === 0xee && startsWith(bytes, at + 4, ADOBE));
    if (!drop) kept.push(bytes.subarray(at, at + 2 + length));
    at += 2 + length;
  }
  const adobe = Uint8Array.of(0xff, 0xee, 0x00, 0x0e, ...ADOBE, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, transform);
  const rest = bytes.subarray(at);
  const out = new Uint8Array(2 + adobe.length + kept.reduce((n, k) => n + k.length, 0) + rest.length);
  out.set([0xff, 0xd8]);
  let to = 2;
  for (const part of [adobe, ...kept, rest]) {
    out.set(part, to);
    to += part.length;
  }
  return out;
}
