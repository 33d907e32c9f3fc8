import { DicomError, isTextVr, lookupTag, parseTag, type Dataset } from '@dicom-tools/core';

/** One condition of a search: an element and the DICOM matching key for it. */
export interface MatchKey {
  readonly tag: number;
  /** The key as given (PS3.4 C.2.2.2 forms: single value, `*`/`?` wildcards, `A-B` range, `\`-separated UID list). */
  readonly value: string;
}

/** Parses `Keyword=Value` (or `(gggg,eeee)=Value`, `ggggeeee=Value`); throws CORE_INVALID_VALUE when malformed. */
export function parseMatchKey(text: string): MatchKey {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new DicomError('CORE_INVALID_VALUE', `"${text}" is not Key=Value`);
  const key = text.slice(0, eq).trim();
  try {
    return { tag: parseTag(key), value: text.slice(eq + 1) };
  } catch (error) {
    throw new DicomError('CORE_INVALID_VALUE', `"${key}" is not a keyword or tag`, { cause: error });
  }
}

const RANGE_VRS = new Set(['DA', 'TM', 'DT']);
const WILDCARD_VRS = new Set(['AE', 'CS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT']);
const NUMBER_TEXT_VRS = new Set(['DS', 'IS']);

function wildcardRegExp(pattern: string, flags: string): RegExp {
  const body = [...pattern].map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, flags);
}

/** Normalizes a date, time or datetime to a comparable string: DA/DT digits only, TM digits and fraction. */
function comparable(value: string): string {
  return value.trim().replace(/[:\-]/g, '');
}

function inRange(value: string, key: string): boolean {
  const v = comparable(value);
  if (v === '') return false;
  const dash = key.indexOf('-');
  if (dash < 0) {
    const k = comparable(key);
    return v.slice(0, k.length) === k; // on the key's precision: 2024 matches any day of 2024, TM 09 any time 09xx
  }
  // Inclusive, compared on each bound's precision: 20240102 is within 20240101-20240131; TM 0930 within 0900-1000.
  const lo = comparable(key.slice(0, dash));
  const hi = comparable(key.slice(dash + 1));
  if (lo !== '' && v.slice(0, lo.length) < lo) return false;
  if (hi !== '' && v.slice(0, hi.length) > hi) return false;
  return true;
}

function matchesOne(value: string, key: string, vr: string): boolean {
  if (vr === 'UI') return key.split('\\').map((k) => k.trim()).includes(value.trim());
  if (RANGE_VRS.has(vr)) return inRange(value, key.trim());
  if (NUMBER_TEXT_VRS.has(vr)) return Number(value) === Number(key);
  if (WILDCARD_VRS.has(vr)) {
    // PN: case-insensitive (PS3.4 C.2.2.2.1 allows it; it is what users expect of names); other VRs: case-sensitive.
    const flags = vr === 'PN' ? 'iu' : 'u';
    return key.includes('*') || key.includes('?') ? wildcardRegExp(key, flags).test(value) : vr === 'PN' ? value.toLowerCase() === key.toLowerCase() : value === key;
  }
  return value === key;
}

/**
 * True when `dataset` matches every key, by the rules of PS3.4 C.2.2.2: an empty key matches anything (universal
 * matching); `*` and `?` wildcards match the whole value (AE CS LO LT PN SH ST UC UR UT; PN case-insensitive,
 * the others case-sensitive); DA TM DT take `A-B`, `A-` and `-B` ranges (inclusive, on the given precision; a DT key cannot carry a
 * UTC offset); a UI
 * key may list UIDs separated by `\`; DS and IS compare as numbers; binary and numeric VRs compare the value's
 * text. A multi-valued element matches when one of its values matches. An absent or empty element matches only
 * an empty key (or a key of `*`).
 */
export function matchesKeys(dataset: Dataset, keys: readonly MatchKey[]): boolean {
  for (const key of keys) {
    if (key.value === '' || key.value === '*') continue;
    const element = dataset.elements.get(key.tag);
    const vr = element?.vr ?? lookupTag(key.tag)?.vr ?? 'UN';
    let values: string[] = [];
    if (element !== undefined && !('encapsulated' in element) && Array.isArray(element.value)) {
      values = (element.value as readonly unknown[]).filter((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint').map(String);
    }
    if (!isTextVr(vr) && values.length > 0) {
      if (!values.some((v) => v === key.value.trim())) return false;
      continue;
    }
    if (!values.some((v) => matchesOne(v, key.value, vr))) return false;
  }
  return true;
}
