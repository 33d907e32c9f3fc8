import { pathToFileURL } from 'node:url';
import { dicomFileToJson } from '@dicom-tools/core';
import type { CommandContext, CommonOptions } from '../context.js';
import { printJson } from '../_print-json.js';
import { dumpLines } from '../_dump-text.js';
import { DEFAULT_MAX_VALUE_CHARS } from '../_element-text.js';
import { ExitCodes } from '../exit-codes.js';
import { readInput } from '../_read-input.js';
import { UsageError } from '../_usage-error.js';

/** Flags of `dicom-tools dump`. */
export interface DumpOptions extends CommonOptions {
  readonly withMeta?: boolean;
  readonly full?: boolean;
  readonly bulkDataThreshold?: string;
}

function parseThreshold(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--bulk-data-threshold must be a number of bytes, not "${text}"`);
  return Number(text);
}

/**
 * `dicom-tools dump FILE`: every element, like dcmdump. With `--json`, the DICOM JSON model (PS3.18 F.2) of the
 * data set (and of the file meta group with `--with-meta`); binary values inline as base64, or, above
 * `--bulk-data-threshold`, a BulkDataURI `file:///path#ElementPath` naming the element in the file.
 */
export async function runDump(file: string, options: DumpOptions, context: CommandContext): Promise<number> {
  const threshold = options.bulkDataThreshold !== undefined ? parseThreshold(options.bulkDataThreshold) : undefined;
  if (options.json !== true && (options.withMeta === true || threshold !== undefined)) {
    throw new UsageError('--with-meta and --bulk-data-threshold go with --json');
  }
  const dicom = await readInput(file, context);
  if (options.json === true) {
    const base = pathToFileURL(file).href;
    printJson(context.io, dicomFileToJson(dicom, {
      includeMeta: options.withMeta === true,
      ...(threshold !== undefined ? { bulkDataThreshold: threshold, bulkDataUri: (_tag: number, path: string) => `${base}#${encodeURIComponent(path)}` } : {}),
    }));
    return ExitCodes.ok;
  }
  const lines = dumpLines(dicom, { maxValueChars: options.full === true ? Infinity : DEFAULT_MAX_VALUE_CHARS });
  context.io.stdout(`${lines.join('\n')}\n`);
  return ExitCodes.ok;
}
