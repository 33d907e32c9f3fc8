import { createWorklistScp } from '@dicom-tools/network';
import type { CommandContext } from '../context.js';
import { UsageError } from '../_usage-error.js';
import { scpSettings, serve, type ScpFlags } from './_scp-command.js';

/** Flags of `dicom-tools worklist-scp`. */
export interface WorklistScpCommandOptions extends ScpFlags {
  readonly worklist?: string;
}

/** `dicom-tools worklist-scp --port P --worklist DIR|FILE`: a Modality Worklist SCP, until Ctrl-C / SIGTERM. */
export async function runWorklistScp(flags: WorklistScpCommandOptions, context: CommandContext): Promise<number> {
  if (flags.worklist === undefined) throw new UsageError('--worklist DIR|FILE is required');
  const server = createWorklistScp({ ...scpSettings(flags), worklist: flags.worklist });
  return serve(server, flags, context, 'worklist SCP');
}
