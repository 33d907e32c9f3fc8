import { stat } from 'node:fs/promises';
import { summarizeMetadata, type MetadataSummary } from '@dicom-tools/core';
import type { CommandContext, CommonOptions } from '../context.js';
import { printJson } from '../_print-json.js';
import { printable } from '../_element-text.js';
import { ExitCodes } from '../exit-codes.js';
import { readInput } from '../_read-input.js';
import { createStyle } from '../_style.js';

/** Flags of `dicom-tools info`. */
export type InfoOptions = CommonOptions;

const SECTIONS = ['patient', 'study', 'series', 'image', 'acquisition', 'equipment'] as const;

/** `instanceUID` -> `Instance UID`, `birthDate` -> `Birth date`, `id` -> `ID`. */
function label(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(' ');
  return words
    .map((w, i) => (/^(id|uid)$/i.test(w) ? w.toUpperCase() : i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w.toLowerCase()))
    .join(' ');
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]!} (${bytes} bytes)`;
}

function named(uid: string | null, name: string | null): string | undefined {
  if (uid === null) return undefined;
  return name !== null ? `${name} (${uid})` : uid;
}

function textLines(file: string, summary: MetadataSummary, color: boolean): string[] {
  const style = createStyle(color);
  const width = 30;
  const row = (key: string, value: string, indent = ''): string => `${indent}${`${key}`.padEnd(width - indent.length)}${printable(value)}`;
  const lines = [row('File', file)];
  if (summary.fileSize !== null) lines.push(row('Size', sizeText(summary.fileSize)));
  const sop = named(summary.sopClass.uid, summary.sopClass.name);
  if (sop !== undefined) lines.push(row('SOP class', sop));
  const ts = named(summary.transferSyntax.uid, summary.transferSyntax.name);
  lines.push(row('Transfer syntax', `${ts ?? '(none)'}, ${summary.compressed ? 'compressed' : 'not compressed'}`));
  for (const section of SECTIONS) {
    const fields = Object.entries(summary[section] as object as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined);
    if (fields.length === 0) continue;
    lines.push('', style.bold(label(section)));
    for (const [key, value] of fields) lines.push(row(label(key), String(value), '  '));
  }
  return lines;
}

/**
 * `dicom-tools info FILE`: the metadata summary of one file (a header-only read). Text leaves out fields the
 * file has no value for; `--json` prints `{ file, ...summary }` with every field, null where absent.
 */
export async function runInfo(file: string, options: InfoOptions, context: CommandContext): Promise<number> {
  const dicom = await readInput(file, context, { headerOnly: true });
  const fileSize = (await stat(file)).size;
  const summary = summarizeMetadata(dicom, { fileSize });
  if (options.json === true) printJson(context.io, { file, ...summary });
  else context.io.stdout(`${textLines(file, summary, context.color).join('\n')}\n`);
  return ExitCodes.ok;
}
