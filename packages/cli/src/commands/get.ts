import { get } from '@dicom-tools/network';
import type { CommandContext } from '../context.js';
import { ExitCodes } from '../exit-codes.js';
import { UsageError } from '../_usage-error.js';
import { modelOf } from './find.js';
import { countsText, retrieveQuery } from './move.js';
import { scuSettings, type QueryFlags } from './_network-flags.js';
import { statusText } from './_network-output.js';

/** Flags of `dicom-tools get`. */
export interface GetCommandOptions extends QueryFlags {
  /** Output folder. */
  readonly output?: string;
}

/** `dicom-tools get -o DIR`: C-GET, instances written to DIR; exit 0 on success, 1 otherwise. */
export async function runGet(flags: GetCommandOptions, context: CommandContext): Promise<number> {
  const { peer, options } = scuSettings(flags, context.signal);
  if (flags.output === undefined) throw new UsageError('-o DIR is required: where the instances are written');
  const { level, keys } = retrieveQuery(flags);
  const result = await get(peer, { level, model: modelOf(flags.model), keys }, {
    ...options,
    outputDir: flags.output,
    onInstance: (i) => {
      const line = { sopInstanceUID: i.sopInstanceUid, sopClassUID: i.sopClassUid, transferSyntaxUID: i.transferSyntaxUid, path: i.path, status: i.status.status };
      if (flags.json === true) context.io.stdout(`${JSON.stringify(line)}\n`);
      else if (flags.quiet !== true) context.io.stdout(`${i.path ?? `${i.sopInstanceUid}: refused, ${statusText(i.status)}`}\n`);
    },
  });
  const summary = { status: result.status.status, category: result.status.category, completed: result.completed, failed: result.failed, warning: result.warning, final: true };
  if (flags.json === true) context.io.stdout(`${JSON.stringify(summary)}\n`);
  else if (flags.quiet !== true) context.io.stdout(`${statusText(result.status)}: ${countsText(result)}, ${result.instances.filter((i) => i.path !== undefined).length} written to ${flags.output}\n`);
  return result.status.category === 'success' ? ExitCodes.ok : ExitCodes.failed;
}
