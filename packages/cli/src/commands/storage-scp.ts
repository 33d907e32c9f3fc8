import { createStorageScp } from '@dicom-tools/network';
import type { CommandContext } from '../context.js';
import { UsageError } from '../_usage-error.js';
import { scpSettings, serve, type ScpFlags } from './_scp-command.js';

/** Flags of `dicom-tools storage-scp`. */
export interface StorageScpCommandOptions extends ScpFlags {
  readonly outputDir?: string;
  readonly layout?: string;
}

/** `dicom-tools storage-scp --port P --output-dir DIR`: receives instances until Ctrl-C / SIGTERM. */
export async function runStorageScp(flags: StorageScpCommandOptions, context: CommandContext): Promise<number> {
  if (flags.outputDir === undefined) throw new UsageError('--output-dir DIR is required');
  const server = createStorageScp({ ...scpSettings(flags), outputDir: flags.outputDir, ...(flags.layout !== undefined ? { layout: flags.layout } : {}) });
  return serve(server, flags, context, 'storage SCP');
}
