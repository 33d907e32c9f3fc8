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
 * The fixed-tag rows by tag, parsed from their text on the first lookup rather than when the module loads (a
 * process that reads explicit VR files may never look a tag up). A memo of a constant: built once, never changed
 * after, and nothing outside this module can tell whether it has been built.
 */
let rowsByTag: ReadonlyMap<number, DictionaryRow> | undefined;

function exactRows(): ReadonlyMap<number, DictionaryRow> {
  if (rowsByTag !== undefined) return rowsByTag;
  const rows = new Map<number, DictionaryRow>();
  let start = DICTIONARY_ROWS.indexOf('\n') + 1;
  while (start < DICTIONARY_ROWS.length) {
    let end = DICTIONARY_ROWS.indexOf('\n', start);
    if (end < 0) end = DICTIONARY_ROWS.length;
    const [hex, keyword, vr, vm, name, retired] = DICTIONARY_ROWS.slice(start, end).split('\t');
    if (name !== undefined) rows.set(parseInt(hex!, 16), [keyword!, vr!, vm!, name, retired === '1' ? 1 : 0]);
    start = end + 1;
  }
  rowsByTag = rows;
  return rows;
}

function fromRow(tag: number, row: DictionaryRow): TagInfo {
  const vrs = row[1] === 'NONE' ? [] : (row[1].split('|') as Vr[]);
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
 * and private creators get their fixed VRs; other private and unknown tags answer `undefined`.
 */
export function lookupTag(tag: number): TagInfo | undefined {
  const row = exactRows().get(tag);
  if (row !== undefined) return fromRow(tag, row);
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
