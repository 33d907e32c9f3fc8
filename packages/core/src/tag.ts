import { Tags } from './_generated/dictionary.js';
import { DicomError } from './errors.js';
import { keywordOf } from './dictionary.js';

/** `(0010,0010)`: how tags are written in text output, upper-case hex like dcmdump's lower-case. */
export function formatTag(tag: number): string {
  const hex = (tag >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}

/** The tag for a keyword (`PatientName`), or undefined when there is no such keyword. */
export function tagForKeyword(keyword: string): number | undefined {
  return Object.hasOwn(Tags, keyword) ? (Tags as Record<string, number>)[keyword] : undefined;
}

/**
 * Parses one tag written as a keyword (`PatientName`), `(0010,0010)`, `0010,0010`, `00100010` or `0x00100010`.
 * Throws CORE_INVALID_TAG otherwise.
 */
export function parseTag(text: string): number {
  const s = text.trim();
  let m = /^\(\s*([0-9a-fA-F]{4})\s*,\s*([0-9a-fA-F]{4})\s*\)$/.exec(s) ?? /^([0-9a-fA-F]{4})\s*,\s*([0-9a-fA-F]{4})$/.exec(s);
  if (m) return parseInt(m[1]! + m[2]!, 16) >>> 0;
  m = /^(?:0x)?([0-9a-fA-F]{8})$/.exec(s);
  if (m) return parseInt(m[1]!, 16) >>> 0;
  const tag = tagForKeyword(s);
  if (tag !== undefined) return tag;
  throw new DicomError('CORE_INVALID_TAG', `not a tag or keyword: "${text}"`);
}

/** One step of a path into nested sequences: a tag, and for a sequence the item index. */
export interface TagPathStep {
  readonly tag: number;
  /** Item index, present on every step but the last (and on the last when it names an item). */
  readonly item?: number;
}

/**
 * Parses a path such as `ReferencedSeriesSequence[0].SeriesInstanceUID` or `(0008,1115)[0].(0020,000E)`.
 * Every step but the last must name an item (`[n]`).
 */
export function parseTagPath(text: string): TagPathStep[] {
  const parts = text.trim().split('.');
  const steps: TagPathStep[] = [];
  parts.forEach((untrimmed, i) => {
    const part = untrimmed.trim();
    const m = /^(.+?)(?:\[\s*(\d+)\s*\])?$/.exec(part);
    if (!m || part === '') throw new DicomError('CORE_INVALID_TAG', `bad tag path "${text}"`);
    const tag = parseTag(m[1]!);
    if (m[2] === undefined && i < parts.length - 1) {
      throw new DicomError('CORE_INVALID_TAG', `bad tag path "${text}": "${part}" needs an item index like [0]`);
    }
    const item = m[2] === undefined ? undefined : Number(m[2]);
    if (item !== undefined && !Number.isSafeInteger(item)) throw new DicomError('CORE_INVALID_TAG', `bad tag path "${text}": item index too large`);
    steps.push(item === undefined ? { tag } : { tag, item });
  });
  return steps;
}

/** Writes a path back: `ReferencedSeriesSequence[0].SeriesInstanceUID` (keywords where known). */
export function formatTagPath(steps: readonly TagPathStep[]): string {
  return steps.map((s) => (keywordOf(s.tag) ?? formatTag(s.tag)) + (s.item !== undefined ? `[${s.item}]` : '')).join('.');
}

/** `(7FE0,0010) PixelData`: a tag with its keyword where the dictionary knows one, for messages. */
export function describeTag(tag: number): string {
  const keyword = keywordOf(tag);
  return keyword ? `${formatTag(tag)} ${keyword}` : formatTag(tag);
}
