import { formatTag, keywordOf, type Dataset } from '@dicom-tools/core';
import type { DimseStatus } from '@dicom-tools/network';

/** An identifier as plain JSON: keyword (or `(gggg,eeee)`) to text (`\` between values); sequences as arrays. */
export type PlainIdentifier = { [keyword: string]: string | PlainIdentifier[] };

/** Turns a C-FIND response identifier into plain JSON for NDJSON and tables. */
export function plainIdentifier(dataset: Dataset): PlainIdentifier {
  const out: PlainIdentifier = {};
  for (const element of [...dataset.elements.values()].sort((a, b) => a.tag - b.tag)) {
    const name = keywordOf(element.tag) || formatTag(element.tag);
    if (element.vr === 'SQ') out[name] = element.value.map(plainIdentifier);
    else if (element.value instanceof Uint8Array) out[name] = '';
    else if (Array.isArray(element.value)) out[name] = (element.value as readonly unknown[]).map(String).join('\\');
  }
  return out;
}

/** `success (0x0000)`, `failure (0xA801: move destination unknown)`. */
export function statusText(status: DimseStatus): string {
  const hex = `0x${status.status.toString(16).toUpperCase().padStart(4, '0')}`;
  return `${status.category} (${hex}${status.comment !== undefined ? `: ${status.comment}` : ''})`;
}

/** A text table: a header row, then one row per item; columns as wide as their widest cell. */
export function table(columns: readonly string[], rows: ReadonlyArray<Readonly<Record<string, unknown>>>): string {
  const cell = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) ? `[${v.length} item${v.length === 1 ? '' : 's'}]` : '');
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n') + '\n';
}

/** A row for a table: sequence attributes of the first item become `Sequence.Keyword` columns. */
export function flatten(row: PlainIdentifier, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'string') out[`${prefix}${k}`] = v;
    else if (v[0] !== undefined) Object.assign(out, flatten(v[0], `${prefix}${k}.`));
  }
  return out;
}
