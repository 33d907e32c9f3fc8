/** The value representations of PS3.5 section 6.2, and how each is stored in a {@link DataElement}. */
export const VRS = [
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW',
  'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
] as const;

/** A two-letter value representation. */
export type Vr = (typeof VRS)[number];

/** VRs whose value is text (stored as `string[]`, one string per value). */
export type TextVr = 'AE' | 'AS' | 'CS' | 'DA' | 'DS' | 'DT' | 'IS' | 'LO' | 'LT' | 'PN' | 'SH' | 'ST' | 'TM' | 'UC' | 'UI' | 'UR' | 'UT';
/** VRs whose value is binary numbers that fit a JS number (stored as `number[]`); AT holds tags. */
export type NumberVr = 'AT' | 'FD' | 'FL' | 'SL' | 'SS' | 'UL' | 'US';
/** 64-bit integer VRs (stored as `bigint[]`). */
export type BigIntVr = 'SV' | 'UV';
/** VRs stored as raw little-endian bytes. */
export type BytesVr = 'OB' | 'OD' | 'OF' | 'OL' | 'OV' | 'OW' | 'UN';

const TEXT = new Set<string>(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);
const NUMBER = new Set<string>(['AT', 'FD', 'FL', 'SL', 'SS', 'UL', 'US']);
const BIGINT = new Set<string>(['SV', 'UV']);
const BYTES = new Set<string>(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
const ALL = new Set<string>(VRS);
/** VRs whose explicit-VR header has a 2-byte reserved field and a 4-byte length (PS3.5 7.1.2). */
const LONG_HEADER = new Set<string>(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
/** Text VRs that hold exactly one value: a backslash in them is data, not a delimiter. */
const SINGLE_VALUED_TEXT = new Set<string>(['LT', 'ST', 'UT', 'UR']);
/** Text VRs whose values are never in the Specific Character Set's extended repertoire (PS3.5 6.1.2.3). */
const DEFAULT_REPERTOIRE_ONLY = new Set<string>(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'TM', 'UI', 'UR']);

/** True for the 34 VRs of PS3.5. */
export function isVr(value: string): value is Vr {
  return ALL.has(value);
}
/** True when values of `vr` are text. */
export function isTextVr(vr: string): vr is TextVr {
  return TEXT.has(vr);
}
/** True when values of `vr` are binary numbers stored as `number[]`. */
export function isNumberVr(vr: string): vr is NumberVr {
  return NUMBER.has(vr);
}
/** True for SV and UV. */
export function isBigIntVr(vr: string): vr is BigIntVr {
  return BIGINT.has(vr);
}
/** True when values of `vr` are raw bytes. */
export function isBytesVr(vr: string): vr is BytesVr {
  return BYTES.has(vr);
}
/** True when the explicit-VR encoding of `vr` uses a 4-byte length. */
export function hasLongHeader(vr: string): boolean {
  return LONG_HEADER.has(vr);
}
/** True when a text VR holds one value only (LT, ST, UT, UR). */
export function isSingleValuedTextVr(vr: string): boolean {
  return SINGLE_VALUED_TEXT.has(vr);
}
/** True when a text VR is always in the default repertoire (ASCII), whatever the character set. */
export function usesDefaultRepertoire(vr: string): boolean {
  return DEFAULT_REPERTOIRE_ONLY.has(vr);
}

/** Size in bytes of one value of a fixed-size binary VR, or the word size of an O* VR (for byte swapping). */
export function vrWordSize(vr: string): number {
  switch (vr) {
    case 'SS': case 'US': case 'OW': return 2;
    case 'AT': case 'FL': case 'SL': case 'UL': case 'OF': case 'OL': return 4;
    case 'FD': case 'SV': case 'UV': case 'OD': case 'OV': return 8;
    default: return 1;
  }
}

/** Maximum length in bytes of one value of a text VR (PS3.5 Table 6.2-1); undefined when unlimited. */
export function maxValueLength(vr: string): number | undefined {
  switch (vr) {
    case 'AE': return 16;
    case 'AS': return 4;
    case 'CS': return 16;
    case 'DA': return 8;
    case 'DS': return 16;
    case 'DT': return 26;
    case 'IS': return 12;
    case 'LO': return 64;
    case 'LT': return 10240;
    case 'PN': return 64 * 3 + 2;
    case 'SH': return 16;
    case 'ST': return 1024;
    case 'TM': return 14;
    case 'UI': return 64;
    default: return undefined;
  }
}
