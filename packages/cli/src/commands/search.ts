import { availableParallelism } from 'node:os';
import { expandInputs, matchesKeys, parseMatchKey, runBatch, type BatchInput, type MatchKey } from '@dicom-tools/batch';
import { formatTag, isDicomError, lookupTag, type Dataset } from '@dicom-tools/core';
import { loadInput } from '../_batch-tasks.js';
import type { CommandContext, CommonOptions } from '../context.js';
import { numberOption } from '../_frame-option.js';
import { errorLine } from '../_report-error.js';
import { ExitCodes } from '../exit-codes.js';
import { UsageError } from '../_usage-error.js';

/** Flags of `dicom-tools search`. */
export interface SearchOptions extends CommonOptions {
  /** `Key=Value` conditions (repeatable), all of which must match. */
  readonly where?: readonly string[];
  /** A Study Date range `A-B` (`A-`, `-B`), YYYYMMDD. */
  readonly dateRange?: string;
  /** table (default), csv or ndjson. */
  readonly format?: string;
  /** Columns besides the path, comma-separated keywords. */
  readonly columns?: string;
  readonly jobs?: string;
}

const DEFAULT_COLUMNS = ['PatientID', 'StudyDate', 'Modality', 'SeriesNumber', 'InstanceNumber', 'SOPInstanceUID'];

function column(dataset: Dataset, tag: number): string {
  const element = dataset.elements.get(tag);
  if (element === undefined || 'encapsulated' in element || !Array.isArray(element.value)) return '';
  return (element.value as readonly unknown[]).map(String).join('\\');
}

/** A CSV field per RFC 4180: quoted when it holds a comma, quote, CR or LF (quotes doubled). */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function keysOf(options: SearchOptions): MatchKey[] {
  const keys: MatchKey[] = [];
  try {
    for (const where of options.where ?? []) keys.push(parseMatchKey(where));
    if (options.dateRange !== undefined) {
      if (!/^([0-9]{8})?-([0-9]{8})?$/.test(options.dateRange.trim()) || options.dateRange.trim() === '-') throw new UsageError(`--date-range must be YYYYMMDD-YYYYMMDD (either side may be empty), not "${options.dateRange}"`);
      keys.push({ tag: 0x00080020, value: options.dateRange.trim() });
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(isDicomError(error) ? error.message : String(error), { cause: error });
  }
  return keys;
}

/**
 * `dicom-tools search IN... --where Key=Value... [--date-range A-B] [--format table|csv|ndjson]`: lists the DICOM
 * files whose header matches every key by DICOM's matching rules (see matchesKeys), reading headers only (up
 * to Pixel Data), in parallel. Rows are sorted by path. Exit 0 (also when nothing matched), 2 usage, 3 some
 * files could not be read (they are named on stderr).
 */
export async function runSearch(inputs: readonly string[], options: SearchOptions, context: CommandContext): Promise<number> {
  const keys = keysOf(options);
  const format = options.format ?? (options.json === true ? 'ndjson' : 'table');
  if (!['table', 'csv', 'ndjson'].includes(format)) throw new UsageError(`--format must be table, csv or ndjson, not "${format}"`);
  const names = options.columns !== undefined ? options.columns.split(',').map((c) => c.trim()).filter((c) => c !== '') : DEFAULT_COLUMNS;
  for (const key of keys) {
    const keyword = lookupTag(key.tag)?.keyword ?? formatTag(key.tag);
    if (options.columns === undefined && !names.includes(keyword)) names.push(keyword);
  }
  const tags = names.map((name) => {
    try {
      return parseMatchKey(`${name}=`).tag;
    } catch {
      throw new UsageError(`--columns: "${name}" is not a keyword or tag`);
    }
  });
  const concurrency = numberOption(options.jobs, '--jobs', (n) => Number.isInteger(n) && n >= 1) ?? availableParallelism();

  const rows: { path: string; values: string[] }[] = [];
  let unreadable = 0;
  const task = (input: BatchInput): Promise<string[] | undefined> => {
    const { dataset } = loadInput(input, { stopBeforePixelData: true });
    return Promise.resolve(matchesKeys(dataset, keys) ? tags.map((tag) => column(dataset, tag)) : undefined);
  };
  // A path given that is not there, or a file that cannot be read, is a failure (named on stderr); files that are
  // not DICOM are passed over in silence, as a search over a folder expects.
  const onSkipped = ({ path, reason }: { readonly path: string; readonly reason: string }): void => {
    if (reason !== 'no such file or folder' && !reason.startsWith('unreadable')) return;
    unreadable++;
    context.io.stderr(`${errorLine({ name: 'DicomError', code: 'CORE_IO', message: `${path}: cannot read: ${reason.replace(/^unreadable: /, '')}`, file: path })}\n`);
  };
  for await (const result of runBatch(expandInputs(inputs, { onSkipped }), task, { concurrency, signal: context.signal })) {
    if (!result.ok) {
      unreadable++;
      context.io.stderr(`${errorLine(result.error, result.input.path)}\n`);
    } else if (result.value !== undefined) {
      rows.push({ path: result.input.path, values: result.value });
    }
  }
  rows.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  if (format === 'ndjson') {
    for (const row of rows) context.io.stdout(`${JSON.stringify({ path: row.path, ...Object.fromEntries(names.map((n, i) => [n, row.values[i]])) })}\n`);
  } else if (format === 'csv') {
    context.io.stdout(`${['path', ...names].map(csvField).join(',')}\r\n`);
    for (const row of rows) context.io.stdout(`${[row.path, ...row.values].map(csvField).join(',')}\r\n`);
  } else {
    const header = ['path', ...names];
    const table = rows.map((r) => [r.path, ...r.values].map((v) => v.replace(/[\u0000-\u001f]/g, ' ')));
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
    const line = (cells: readonly string[]): string => `${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`;
    context.io.stdout(line(header));
    for (const row of table) context.io.stdout(line(row));
    if (options.quiet !== true) context.io.stderr(`${rows.length} file${rows.length === 1 ? '' : 's'} matched\n`);
  }
  if (context.signal.aborted) return ExitCodes.interrupted;
  return unreadable > 0 ? ExitCodes.batchFailures : ExitCodes.ok;
}
