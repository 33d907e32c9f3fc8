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
 * What the dictionary says about each fixed tag, parsed from the rows' text on the first lookup rather than when the
 * module loads (a process that reads explicit VR files may never look a tag up), once: every lookup of a tag then
 * answers the same object instead of building one. A memo of a constant: built once, never changed after, and
 * nothing outside this module can tell whether it has been built.
 */
let infoByTag: ReadonlyMap<number, TagInfo> | undefined;

function exactTags(): ReadonlyMap<number, TagInfo> {
  if (infoByTag !== undefined) return infoByTag;
  const infos = new Map<number, TagInfo>();
  // The VR lists repeat (a few dozen distinct ones for 5,000 rows): one frozen array each.
  const vrLists = new Map<string, readonly Vr[]>();
  const text = DICTIONARY_ROWS;
  let start = text.indexOf('\n') + 1;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    // Six tab-separated fields: tag, keyword, VR, VM, name, retired.
    const t1 = text.indexOf('\t', start);
    const t2 = text.indexOf('\t', t1 + 1);
    const t3 = text.indexOf('\t', t2 + 1);
    const t4 = text.indexOf('\t', t3 + 1);
    const t5 = text.indexOf('\t', t4 + 1);
    if (t1 > 0 && t5 > 0 && t5 < end) {
      const vr = text.slice(t2 + 1, t3);
      let vrs = vrLists.get(vr);
      if (vrs === undefined) {
        vrs = vrListOf(vr);
        vrLists.set(vr, vrs);
      }
      const tag = parseInt(text.slice(start, t1), 16);
      const retired = text.charCodeAt(t5 + 1) === 0x31; // '1'
      infos.set(tag, { tag, keyword: text.slice(t1 + 1, t2), name: text.slice(t4 + 1, t5), vr: vrs[0] ?? 'NONE', vrs, vm: text.slice(t3 + 1, t4), retired, private: false });
    }
    start = end + 1;
  }
  infoByTag = infos;
  return infos;
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
  const info = exactTags().get(tag);
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
