import { move, type RetrieveProgress } from '@dicom-tools/network';
import type { CommandContext } from '../context.js';
import { ExitCodes } from '../exit-codes.js';
import { UsageError } from '../_usage-error.js';
import { modelOf } from './find.js';
import { queryKeys, queryLevelOf, scuSettings, type QueryFlags } from './_network-flags.js';
import { statusText } from './_network-output.js';

/** Flags of `dicom-tools move`. */
export interface MoveCommandOptions extends QueryFlags {
  /** The Move Destination AE title. */
  readonly dest?: string;
}

/** `remaining 3, completed 1, failed 0, warning 0`. */
export function countsText(p: RetrieveProgress): string {
  return [['remaining', p.remaining], ['completed', p.completed], ['failed', p.failed], ['warning', p.warning]]
    .filter(([, n]) => n !== undefined).map(([k, n]) => `${String(k)} ${String(n)}`).join(', ');
}

function counts(p: RetrieveProgress): object {
  return { status: p.status.status, category: p.status.category, remaining: p.remaining, completed: p.completed, failed: p.failed, warning: p.warning };
}

/** The level and keys of a retrieve command. */
export function retrieveQuery(flags: QueryFlags): { level: ReturnType<typeof queryLevelOf>; keys: Record<string, string> } {
  const level = queryLevelOf(flags);
  const keys = queryKeys(flags);
  if (Object.keys(keys).length === 0) throw new UsageError('give the unique keys with --query JSON or -k Key=Value');
  return { level, keys };
}

/** `dicom-tools move --dest AET`: C-MOVE; counts printed as they arrive; exit 0 on success, 1 otherwise. */
export async function runMove(flags: MoveCommandOptions, context: CommandContext): Promise<number> {
  const { peer, options } = scuSettings(flags, context.signal);
  if (flags.dest === undefined || flags.dest === '') throw new UsageError('--dest AET is required');
  const { level, keys } = retrieveQuery(flags);
  const result = await move(peer, { level, model: modelOf(flags.model), keys, destination: flags.dest }, {
    ...options,
    onProgress: (p) => {
      if (flags.json === true) context.io.stdout(`${JSON.stringify(counts(p))}\n`);
      else if (flags.quiet !== true) context.io.stdout(`pending: ${countsText(p)}\n`);
    },
  });
  if (flags.json === true) context.io.stdout(`${JSON.stringify({ ...counts(result), final: true, failedSOPInstanceUIDs: result.failedSopInstanceUids })}\n`);
  else if (flags.quiet !== true) context.io.stdout(`${statusText(result.status)}: ${countsText(result)}\n`);
  return result.status.category === 'success' ? ExitCodes.ok : ExitCodes.failed;
}
