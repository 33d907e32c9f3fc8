import { transferSyntaxInfo } from './transfer-syntax.js';
import { hasLongHeader } from './vr.js';

/** The file meta group of Part 10 bytes as {@link scanFileMeta} finds it. */
export interface ScannedFileMeta {
  /** The UI values of the group by tag (0x00020002 Media Storage SOP Class UID...), trailing NUL and space stripped. */
  readonly values: ReadonlyMap<number, string>;
  /** The offset where the group ends: the first element of the data set. */
  readonly end: number;
}

/**
 * Steps over the file meta group of Part 10 bytes (`DICM` at byte 128, explicit VR little endian elements of group
 * 0002) without decoding anything but its UIDs: for scans of many files' heads, where the reader would be too much.
 * `'short'` when `bytes` end inside the group, or at an element boundary short of where its group length says it
 * ends (read more and try again); undefined when the bytes are not Part 10 or the group holds an undefined length
 * (not plain: leave it to the reader).
 */
export function scanFileMeta(bytes: Uint8Array): ScannedFileMeta | 'short' | undefined {
  if (bytes.length < 132) return 'short';
  if (bytes[128] !== 0x44 || bytes[129] !== 0x49 || bytes[130] !== 0x43 || bytes[131] !== 0x4d) return undefined;
  const values = new Map<number, string>();
  let at = 132;
  // Where the File Meta Information Group Length (0002,0000) says the group ends: trusted only when the bytes end
  // exactly there (they may then hold the group alone); otherwise the group ends at the first element of another group.
  let declaredEnd: number | undefined;
  for (;;) {
    if (at + 8 > bytes.length) return at === bytes.length && at === declaredEnd ? { values, end: at } : 'short';
    if ((bytes[at]! | (bytes[at + 1]! << 8)) !== 0x0002) return { values, end: at };
    const element = bytes[at + 2]! | (bytes[at + 3]! << 8);
    const vr = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!);
    const long = hasLongHeader(vr);
    if (long && at + 12 > bytes.length) return 'short';
    const length = long ? (bytes[at + 8]! | (bytes[at + 9]! << 8) | (bytes[at + 10]! << 16) | (bytes[at + 11]! << 24)) >>> 0 : bytes[at + 6]! | (bytes[at + 7]! << 8);
    if (length === 0xffffffff) return undefined;
    const start = at + (long ? 12 : 8);
    if (start + length > bytes.length) return 'short';
    if (element === 0 && vr === 'UL' && length === 4) declaredEnd = start + 4 + ((bytes[start]! | (bytes[start + 1]! << 8) | (bytes[start + 2]! << 16) | (bytes[start + 3]! << 24)) >>> 0);
    if (vr === 'UI') {
      let end = start + length;
      while (end > start && (bytes[end - 1] === 0 || bytes[end - 1] === 0x20)) end--;
      values.set((0x00020000 | element) >>> 0, String.fromCharCode(...bytes.subarray(start, end)));
    }
    at = start + length;
  }
}

/** What {@link scanSopUids} finds in the data set; each undefined when it could not be read so. */
export interface ScannedSopUids {
  readonly sopClassUid: string | undefined;
  readonly sopInstanceUid: string | undefined;
}

/**
 * The SOP Class UID (0008,0016) and SOP Instance UID (0008,0018) of the data set that follows the file meta group
 * `meta` scanned from `bytes`, found by stepping over the few elements before them without decoding anything: a
 * file whose meta group disagrees with its data set is sent as what the data set says (as storescu does). Each is
 * undefined where it cannot be read so: a deflated or big endian data set, an element past the end of `bytes`, an
 * undefined length before it, or none there.
 */
export function scanSopUids(bytes: Uint8Array, meta: ScannedFileMeta): ScannedSopUids {
  let sopClassUid: string | undefined;
  let sopInstanceUid: string | undefined;
  const syntax = meta.values.get(0x00020010);
  const info = syntax !== undefined ? transferSyntaxInfo(syntax) : undefined;
  if (info === undefined || info.deflated || !info.littleEndian) return { sopClassUid, sopInstanceUid };
  let at = meta.end;
  while (at + 8 <= bytes.length) {
    const tag = ((bytes[at]! | (bytes[at + 1]! << 8)) * 0x10000 + (bytes[at + 2]! | (bytes[at + 3]! << 8))) >>> 0;
    if (tag > 0x00080018) break;
    let start: number;
    let length: number;
    if (!info.explicitVR) {
      length = (bytes[at + 4]! | (bytes[at + 5]! << 8) | (bytes[at + 6]! << 16) | (bytes[at + 7]! << 24)) >>> 0;
      start = at + 8;
    } else if (hasLongHeader(String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!))) {
      if (at + 12 > bytes.length) break;
      length = (bytes[at + 8]! | (bytes[at + 9]! << 8) | (bytes[at + 10]! << 16) | (bytes[at + 11]! << 24)) >>> 0;
      start = at + 12;
    } else {
      length = bytes[at + 6]! | (bytes[at + 7]! << 8);
      start = at + 8;
    }
    if (length === 0xffffffff || start + length > bytes.length) break;
    if (tag === 0x00080016 || tag === 0x00080018) {
      let end = start + length;
      while (end > start && (bytes[end - 1] === 0 || bytes[end - 1] === 0x20)) end--;
      const uid = end > start ? String.fromCharCode(...bytes.subarray(start, end)) : undefined;
      if (tag === 0x00080016) sopClassUid = uid;
      else sopInstanceUid = uid;
    }
    at = start + length;
  }
  return { sopClassUid, sopInstanceUid };
}
