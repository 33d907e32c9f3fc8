import { DicomError } from '@dicom-tools/core';
import { createStorageScp } from '@dicom-tools/network';
import type { CommandContext } from '../context.js';
import { kindOf } from '../_paths.js';
import { UsageError } from '../_usage-error.js';
import { scpSettings, serve, type ScpFlags } from './_scp-command.js';
import { storageScpInThread } from './_network-scp-thread.js';

/** Flags of `dicom-tools storage-scp`. */
export interface StorageScpCommandOptions extends ScpFlags {
  readonly outputDir?: string;
  readonly layout?: string;
}

/** `dicom-tools storage-scp --port P --output-dir DIR`: receives instances until Ctrl-C / SIGTERM. */
export async function runStorageScp(flags: StorageScpCommandOptions, context: CommandContext): Promise<number> {
  if (flags.outputDir === undefined) throw new UsageError('--output-dir DIR is required');
  if ((await kindOf(flags.outputDir)) === 'file') throw new DicomError('CORE_IO', 'cannot receive into it: not a folder', { file: flags.outputDir });
  const options = { ...scpSettings(flags), outputDir: flags.outputDir, ...(flags.layout !== undefined ? { layout: flags.layout } : {}) };
  // In a worker thread with a small young generation when the built program runs (see _network-scp-thread.ts).
  const server = (await storageScpInThread(options)) ?? createStorageScp(options);
  return serve(server, flags, context, 'storage SCP');
}
