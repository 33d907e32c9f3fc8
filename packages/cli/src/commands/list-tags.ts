import { formatTag, lookupTag, sortedElements, type DataElement, type Dataset } from '@dicom-tools/core';
import type { CommandContext, CommonOptions } from '../context.js';
import { printJson } from '../_print-json.js';
import { keywordText, valueLength, valueMultiplicity } from '../_element-text.js';
import { ExitCodes } from '../exit-codes.js';
import { readInput } from '../_read-input.js';

/** Flags of `dicom-tools list-tags`. */
export interface ListTagsOptions extends CommonOptions {
  readonly recursive?: boolean;
}

/** One row of `list-tags --json`. */
interface TagRow {
  /** `(0010,0010)`. */
  readonly tag: string;
  /** Where the element is: its keyword at the top level, `Seq[0].Keyword` inside items. */
  readonly path: string;
  readonly vr: string;
  readonly keyword: string;
  /** Number of values present. */
  readonly vm: number;
  /** VM the dictionary allows (`1`, `1-n`...), or null for private and unknown tags. */
  readonly dictionaryVm: string | null;
  /** Encoded value length in bytes, or null for sequences and encapsulated pixel data. */
  readonly length: number | null;
}

function row(element: DataElement, prefix: string): TagRow {
  const keyword = keywordText(element.tag);
  const name = (lookupTag(element.tag)?.keyword ?? '') !== '' ? keyword : formatTag(element.tag);
  return {
    tag: formatTag(element.tag),
    path: prefix === '' ? name : `${prefix}.${name}`,
    vr: element.vr,
    keyword,
    vm: valueMultiplicity(element),
    dictionaryVm: lookupTag(element.tag)?.vm ?? null,
    length: valueLength(element) ?? null,
  };
}

function collectRows(out: TagRow[], dataset: Dataset, prefix: string, recursive: boolean): void {
  for (const element of sortedElements(dataset)) {
    const r = row(element, prefix);
    out.push(r);
    if (recursive && element.vr === 'SQ') {
      element.value.forEach((item, i) => collectRows(out, item, `${r.path}[${i}]`, true));
    }
  }
}

/** `dicom-tools list-tags FILE`: tag, VR, VM, value length and keyword of each element (file meta first). */
export async function runListTags(file: string, options: ListTagsOptions, context: CommandContext): Promise<number> {
  const dicom = await readInput(file, context);
  const rows: TagRow[] = [];
  collectRows(rows, dicom.meta, '', false);
  collectRows(rows, dicom.dataset, '', options.recursive === true);
  if (options.json === true) {
    printJson(context.io, rows);
    return ExitCodes.ok;
  }
  const lines = [`${'TAG'.padEnd(11)}  VR  ${'VM'.padStart(3)}  ${'LENGTH'.padStart(8)}  ${options.recursive === true ? 'PATH' : 'KEYWORD'}`];
  for (const r of rows) {
    const label = options.recursive === true ? r.path : r.keyword;
    lines.push(`${r.tag}  ${r.vr}  ${String(r.vm).padStart(3)}  ${(r.length === null ? '-' : String(r.length)).padStart(8)}  ${label}`);
  }
  context.io.stdout(`${lines.join('\n')}\n`);
  return ExitCodes.ok;
}
