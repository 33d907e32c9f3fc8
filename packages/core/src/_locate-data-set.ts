// Where a data set starts in the bytes given to the reader and how it is encoded when nothing says so: the file
// meta group after the preamble and DICM (PS3.10 7.1), or a bare data set whose transfer syntax is guessed from
// its first elements.
import { TransferSyntax } from './transfer-syntax.js';
import { hasLongHeader, isVr } from './vr.js';

/** The 16-bit unsigned integer at `at`. */
export function u16(bytes: Uint8Array, at: number, little: boolean): number {
  return little ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!;
}
function u32(bytes: Uint8Array, at: number, little: boolean): number {
  return little
    ? (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0
    : ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function hasMagic(bytes: Uint8Array, at: number): boolean {
  return bytes.length >= at + 4 && bytes[at] === 0x44 && bytes[at + 1] === 0x49 && bytes[at + 2] === 0x43 && bytes[at + 3] === 0x4d;
}

/** Where the file meta group starts, whether there was a preamble, or -1 for a bare data set. */
export function locateMeta(bytes: Uint8Array): { start: number; preamble: boolean } {
  if (hasMagic(bytes, 128)) return { start: 132, preamble: true };
  if (hasMagic(bytes, 0)) return { start: 4, preamble: false };
  if (bytes.length >= 8 && u16(bytes, 0, true) === 0x0002 && isVr(String.fromCharCode(bytes[4]!, bytes[5]!))) return { start: 0, preamble: false };
  return { start: -1, preamble: false };
}

/** An element header found by {@link peekElement}. */
export interface ElementHead {
  readonly tag: number;
  /** Where the next element starts; undefined for an undefined length. */
  readonly next: number | undefined;
}

/** Reads one element header at `at`, or undefined when it is not plausible (unknown VR, no room for a header). */
export function peekElement(bytes: Uint8Array, at: number, explicitVR: boolean, little: boolean): ElementHead | undefined {
  if (at + 8 > bytes.length) return undefined;
  const tag = ((u16(bytes, at, little) << 16) | u16(bytes, at + 2, little)) >>> 0;
  let length: number;
  let header = 8;
  if (explicitVR) {
    const vr = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!);
    if (!isVr(vr)) return undefined;
    if (hasLongHeader(vr)) {
      if (at + 12 > bytes.length) return undefined;
      length = u32(bytes, at + 8, little);
      header = 12;
    } else {
      length = u16(bytes, at + 6, little);
    }
  } else {
    length = u32(bytes, at + 4, little);
  }
  return { tag, next: length === 0xffffffff ? undefined : at + header + length };
}

const CANDIDATES: ReadonlyArray<readonly [string, boolean, boolean]> = [
  [TransferSyntax.ExplicitVRLittleEndian, true, true],
  [TransferSyntax.ImplicitVRLittleEndian, false, true],
  [TransferSyntax.ExplicitVRBigEndian, true, false],
];

/**
 * Guesses the encoding of a data set that starts at `at` with no transfer syntax to say it: its first elements
 * (up to 8) must be plausible in that encoding: ascending tags, the first in an even group from 0008 to 7FE0,
 * values inside the data, and an undefined length only where a sequence (or encapsulated pixel data) can have one.
 */
export function detectSyntax(bytes: Uint8Array, at: number): string | undefined {
  for (const [uid, explicitVR, little] of CANDIDATES) {
    let position = at;
    let previous = -1;
    let seen = 0;
    let plausible = true;
    while (seen < 8 && position < bytes.length) {
      const head = peekElement(bytes, position, explicitVR, little);
      const group = head ? head.tag >>> 16 : 0;
      const groupOk = seen === 0 ? group % 2 === 0 && group >= 0x0008 && group <= 0x7fe0 : group >= 0x0008 && group !== 0xfffe;
      if (!head || !groupOk || head.tag <= previous || (head.next !== undefined && head.next > bytes.length)) {
        plausible = false;
        break;
      }
      seen++;
      if (head.next === undefined) {
        plausible = mayHaveUndefinedLength(bytes, position, head.tag, explicitVR);
        break;
      }
      previous = head.tag;
      position = head.next;
    }
    if (plausible && seen > 0) return uid;
  }
  return undefined;
}

/** True when the element at `at` may have an undefined length: a sequence, a UN (CP-246), encapsulated pixel data. */
function mayHaveUndefinedLength(bytes: Uint8Array, at: number, tag: number, explicitVR: boolean): boolean {
  if (!explicitVR) return bytes[at + 8] === 0xfe && bytes[at + 9] === 0xff && (bytes[at + 10] === 0x00 || bytes[at + 10] === 0xdd) && bytes[at + 11] === 0xe0;
  const vr = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!);
  return vr === 'SQ' || vr === 'UN' || (tag === 0x7fe00010 && (vr === 'OB' || vr === 'OW'));
}
