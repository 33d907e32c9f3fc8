import { dimseStatus, find, type DimseStatus, type FindResponse, type QueryModel } from '@dicom-tools/network';
import type { CommandContext } from '../context.js';
import { ExitCodes } from '../exit-codes.js';
import { UsageError } from '../_usage-error.js';
import { queryKeys, queryLevelOf, scuSettings, type QueryFlags } from './_network-flags.js';
import { flatten, plainIdentifier, statusText, table, type PlainIdentifier } from './_network-output.js';

/** Flags of `dicom-tools find`. */
export type FindCommandOptions = QueryFlags;

/** The information model flag. */
export function modelOf(value: string | undefined): QueryModel {
  if (value === undefined || value === 'study') return 'study';
  if (value === 'patient') return 'patient';
  throw new UsageError(`--model takes patient or study, not "${value}"`);
}

/** Prints matches (NDJSON with --json, else a table of the requested keys) and returns the final status' exit code. */
export async function printMatches(responses: AsyncIterable<FindResponse>, columns: readonly string[], flags: QueryFlags, context: CommandContext): Promise<number> {
  const rows: PlainIdentifier[] = [];
  let final: DimseStatus = dimseStatus(0xc000);
  for await (const r of responses) {
    if (r.identifier) {
      const row = plainIdentifier(r.identifier);
      if (flags.json === true) context.io.stdout(`${JSON.stringify(row)}\n`);
      else rows.push(row);
    } else final = r.status;
  }
  if (flags.json !== true && flags.quiet !== true) {
    if (rows.length > 0) context.io.stdout(table(columns, rows.map((r) => flatten(r))));
    context.io.stderr(`${rows.length} match${rows.length === 1 ? '' : 'es'}, ${statusText(final)}\n`);
  }
  if (final.category !== 'success') {
    if (flags.json === true || flags.quiet === true) context.io.stderr(`dicom-tools: the peer answered ${statusText(final)}\n`);
    return ExitCodes.failed;
  }
  return ExitCodes.ok;
}

/** `dicom-tools find --level L -k Key=Value...`: C-FIND; exit 0 on a final success status, else 1. */
export async function runFind(flags: FindCommandOptions, context: CommandContext): Promise<number> {
  const { peer, options } = scuSettings(flags, context.signal);
  const level = queryLevelOf(flags);
  const keys = queryKeys(flags);
  if (Object.keys(keys).length === 0) throw new UsageError('give the query keys with --query JSON or -k Key=Value (empty value: return it)');
  return printMatches(find(peer, { level, model: modelOf(flags.model), keys }, options), ['QueryRetrieveLevel', ...Object.keys(keys)].map((k) => k.replace(/\[\d+\]/g, '')), flags, context);
}
