import { DICTIONARY_PATTERNS, DICTIONARY_ROWS, type DictionaryRow } from './_generated/dictionary.js';
import type { Vr } from './vr.js';

/** What the data dictionary (PS3.6) says about a tag. */
export interface TagInfo {
  readonly tag: number;
  /** The keyword (`PatientName`), or `''` for private and unknown tags. */
  readonly keyword: string;
  /** The human name (`Patient's Name`). */
  readonly name: string;
  /** The VR to use when the encoding does not say (the first of `vrs`). */
  readonly vr: Vr | 'NONE';
  /** Every VR the dictionary allows (`US or SS` gives two). */
  readonly vrs: readonly Vr[];
  /** Value multiplicity as written in PS3.6 (`1`, `1-n`, `2-2n`...). */
  readonly vm: string;
  readonly retired: boolean;
  /** True for tags of odd groups (private data elements and private creators). */
  readonly private: boolean;
}

/**
 * The TagInfo of each fixed tag looked up so far, parsed from its row on its first lookup: every lookup of a tag then
 * answers the same object instead of building one (a process looks up a few hundred of the 5,000 tags, and parsing
 * all of them took milliseconds), rather than when the module loads (a process that reads explicit VR files may never
 * look a tag up). A memo of constants: an entry, once made, never changes; at most one per row; nothing outside this
 * module can tell whether one has been made.
 */
let infoByTag: Map<number, TagInfo> | undefined;

/** The value of the 8 hexadecimal digits of `text` at `at` (the generated text has upper-case digits only). */
function hex8(text: string, at: number): number {
  let value = 0;
  for (let i = at; i < at + 8; i++) {
    const c = text.charCodeAt(i);
    value = value * 16 + (c <= 0x39 ? c - 0x30 : c - 0x37);
  }
  return value;
}

/**
 * The TagInfo of the row of `tag` in the dictionary text, or undefined when it has no row: a binary search of the
 * text itself, whose rows are in tag order (the generator writes them so), halving the characters between two rows
 * at each step.
 */
function parseRow(tag: number): TagInfo | undefined {
  const text = DICTIONARY_ROWS;
  // The rows still in question are those that start in [low, high).
  let low = text.indexOf('\n') + 1;
  let high = text.length;
  while (low < high) {
    const start = text.lastIndexOf('\n', (low + high) >>> 1) + 1;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const found = end - start > 9 ? hex8(text, start) : Infinity;
    if (found === tag) return rowInfo(tag, start, end);
    if (found < tag) low = end + 1;
    else high = start;
  }
  return undefined;
}

/** The row in [start, end): six tab-separated fields, tag, keyword, VR, VM, name, retired; undefined when not whole. */
function rowInfo(tag: number, start: number, end: number): TagInfo | undefined {
  const text = DICTIONARY_ROWS;
  const t1 = text.indexOf('\t', start);
  const t2 = text.indexOf('\t', t1 + 1);
  const t3 = text.indexOf('\t', t2 + 1);
  const t4 = text.indexOf('\t', t3 + 1);
  const t5 = text.indexOf('\t', t4 + 1);
  if (!(t1 > 0 && t5 > 0 && t5 < end)) return undefined;
  const vrs = vrListOf(text.slice(t2 + 1, t3));
  const retired = text.charCodeAt(t5 + 1) === 0x31; // '1'
  return { tag, keyword: text.slice(t1 + 1, t2), name: text.slice(t4 + 1, t5), vr: vrs[0] ?? 'NONE', vrs, vm: text.slice(t3 + 1, t4), retired, private: false };
}

/**
 * The dictionary's TagInfo of the fixed tag `tag` (the same object on every call), or undefined. PS3.6 defines no
 * element of an odd group (those are private, PS3.5 7.8): their tags are not searched for.
 */
function exactTag(tag: number): TagInfo | undefined {
  if (((tag >>> 16) & 1) === 1) return undefined;
  infoByTag ??= new Map();
  const known = infoByTag.get(tag);
  if (known !== undefined) return known;
  const info = parseRow(tag);
  if (info !== undefined) infoByTag.set(tag, info);
  return info;
}

function vrListOf(vr: string): readonly Vr[] {
  return Object.freeze(vr === 'NONE' ? [] : (vr.split('|') as Vr[]));
}

function fromRow(tag: number, row: DictionaryRow): TagInfo {
  const vrs = vrListOf(row[1]);
  return { tag, keyword: row[0], name: row[3], vr: vrs[0] ?? 'NONE', vrs, vm: row[2], retired: row[4] === 1, private: false };
}

/** True when `tag` is in an odd group (private) other than the reserved groups 0001, 0003, 0005, 0007, FFFF. */
export function isPrivateTag(tag: number): boolean {
  const group = tag >>> 16;
  return (group & 1) === 1 && group > 0x0007 && group !== 0xffff;
}

/** True for a private creator element, (gggg,0010)-(gggg,00FF) in an odd group. */
export function isPrivateCreatorTag(tag: number): boolean {
  const element = tag & 0xffff;
  return isPrivateTag(tag) && element >= 0x0010 && element <= 0x00ff;
}

/**
 * Looks a tag up in the PS3.6 data dictionary (including wildcard rows such as (60xx,3000)). Group lengths
 * and private creators get their fixed VRs; other private and unknown tags answer `undefined`. The answer for a
 * fixed tag is one object shared by every caller: read it, do not change it.
 */
export function lookupTag(tag: number): TagInfo | undefined {
  const info = exactTag(tag);
  if (info !== undefined) return info;
  if ((tag & 0xffff) === 0 && tag >>> 16 !== 0xfffe) {
    return { tag, keyword: '', name: 'Group Length', vr: 'UL', vrs: ['UL'], vm: '1', retired: true, private: isPrivateTag(tag) };
  }
  if (isPrivateCreatorTag(tag)) {
    return { tag, keyword: '', name: 'Private Creator', vr: 'LO', vrs: ['LO'], vm: '1', retired: false, private: true };
  }
  if (isPrivateTag(tag)) return undefined;
  // Repeating groups (50xx, 60xx, 7Fxx) are the even groups xx00-xx1E only (PS3.5 section 7.6).
  const repeatingGroupOk = ((tag >>> 16) & 0xff) <= 0x1e;
  for (const pattern of DICTIONARY_PATTERNS) {
    if (pattern.mask === 0xff00ffff && !repeatingGroupOk) continue;
    if (((tag & pattern.mask) >>> 0) === pattern.value) return fromRow(tag, pattern.row);
  }
  return undefined;
}

/** The keyword of `tag`, or undefined when it has none. */
export function keywordOf(tag: number): string | undefined {
  const info = lookupTag(tag);
  return info && info.keyword !== '' ? info.keyword : undefined;
}
