import type { Dataset, DataElement } from './dataset.js';
import { keywordOf } from './dictionary.js';
import { formatTag } from './tag.js';
import { isTextVr } from './vr.js';

/** How bad a finding is: `error` makes the file invalid; `warning` and `info` do not. */
export type FindingSeverity = 'error' | 'warning' | 'info';

/** One thing validation found. */
export interface Finding {
  readonly severity: FindingSeverity;
  /** Stable rule id, e.g. `type2-missing`, `vr-format-DA`, `pixel-length` (docs list them all). */
  readonly rule: string;
  /** The tag concerned, when the finding is about one element. */
  readonly tag?: number;
  /** The keyword of `tag`, when the dictionary has one. */
  readonly keyword?: string;
  /** Where: `ReferencedSeriesSequence[0].SeriesInstanceUID`, or `''` for the file as a whole. */
  readonly path: string;
  /** What is wrong, for people. Never quotes patient data. */
  readonly message: string;
}

/** Collects findings, dropping those of ignored rules. */
export class FindingSink {
  readonly findings: Finding[] = [];
  readonly #ignore: readonly string[];

  constructor(ignore: readonly string[]) {
    this.#ignore = ignore;
  }

  add(severity: FindingSeverity, rule: string, message: string, at?: { readonly tag: number; readonly path: string }): void {
    if (this.#ignore.some((r) => rule === r || rule.startsWith(`${r}-`))) return;
    if (at === undefined) {
      this.findings.push({ severity, rule, path: '', message });
      return;
    }
    const keyword = keywordOf(at.tag);
    this.findings.push(keyword !== undefined ? { severity, rule, tag: at.tag, keyword, path: at.path, message } : { severity, rule, tag: at.tag, path: at.path, message });
  }
}

/** The path step for `tag`: its keyword, or `(gggg,eeee)` when it has none. */
export function pathStep(tag: number): string {
  return keywordOf(tag) ?? formatTag(tag);
}

/** Joins a parent path (`''` at the top level) and a tag. */
export function childPath(parent: string, tag: number): string {
  return parent === '' ? pathStep(tag) : `${parent}.${pathStep(tag)}`;
}

/** The elements map of something that should be a data set, or undefined when it is not one. */
export function elementsOf(dataset: unknown): Map<number, DataElement> | undefined {
  const elements = (dataset as Partial<Dataset> | null | undefined)?.elements;
  return elements instanceof Map ? (elements as Map<number, DataElement>) : undefined;
}

/** The first value of a text element, trimmed; undefined when absent, empty or not text. */
export function textValue(dataset: Dataset, tag: number): string | undefined {
  const element = elementsOf(dataset)?.get(tag);
  if (element === undefined || !isTextVr(element.vr) || !Array.isArray(element.value)) return undefined;
  const first: unknown = element.value[0];
  if (typeof first !== 'string') return undefined;
  const trimmed = first.replace(/\0+$/, '').trim();
  return trimmed === '' ? undefined : trimmed;
}

/** The first value of an element as a number (binary integers, or IS/DS text); undefined otherwise. */
export function numberValue(dataset: Dataset, tag: number): number | undefined {
  const element = elementsOf(dataset)?.get(tag);
  if (element === undefined || !Array.isArray(element.value)) return undefined;
  const first: unknown = element.value[0];
  if (typeof first === 'number') return Number.isFinite(first) ? first : undefined;
  if (typeof first === 'string' && (element.vr === 'IS' || element.vr === 'DS') && first.trim() !== '') {
    const n = Number(first);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** True when an element has no value (zero-length text, no numbers, no bytes, no items). */
export function isEmptyElement(element: DataElement): boolean {
  const value: unknown = element.value;
  if (Array.isArray(value)) return value.length === 0 || value.every((v) => typeof v === 'string' && v.replace(/\0+$/, '').trim() === '');
  if (value instanceof Uint8Array) return value.length === 0;
  if (typeof value === 'object' && value !== null && 'fragments' in value) {
    return !Array.isArray((value as { fragments: unknown }).fragments) || (value as { fragments: unknown[] }).fragments.length === 0;
  }
  return value === undefined || value === null;
}
