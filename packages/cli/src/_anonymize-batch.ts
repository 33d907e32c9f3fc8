// `batch anonymize`: the same task and runner as `anonymize DIR` (_anonymize-task.ts, _anonymize-runner.ts), fed
// by batch's inputs (files, folders, globs, archive members) and answering with batch's per-file outcome.
import { join } from 'node:path';
import type { BatchInput } from '@dicom-tools/batch';
import { writeFileAtomic } from '@dicom-tools/core';
import { createOutputPlacer, uidMapCsv, type OutputPlace } from './_anonymize-output.js';
import { anonymizeWorkerModule, createAnonymizeRunner } from './_anonymize-runner.js';
import { inlineLess } from './_compiler-tuning.js';
import { anonymizeSettingsOf, type AnonymizeFlags } from './_anonymize-settings.js';
import type { AnonymizeSetup } from './_anonymize-task.js';
import type { BatchOutcome, PreparedTask } from './_batch-tasks.js';
import { UsageError } from './_usage-error.js';

/** The flags `batch anonymize` reads. */
export interface BatchAnonymizeFlags extends AnonymizeFlags {
  readonly output?: string;
  readonly dryRun?: boolean;
  readonly resume?: boolean;
  /** Write the UID map (original,replacement) as CSV here once the batch is done. */
  readonly uidMap?: string;
  /** Worker threads (1: this thread). */
  readonly threads?: number;
}

/** What batch gives the anonymize task to do its part of --resume. */
export interface BatchAnonymizeHelpers {
  /** True when the file at `path` is a complete DICOM file (a --resume output to keep). */
  readonly verify: (path: string) => boolean;
  /** Removes a killed run's temporary files from `folder` (--resume). */
  readonly sweep: (folder: string) => Promise<void>;
}

/**
 * The task of `batch anonymize`: checks the flags (UsageError before any file is read), starts the worker threads,
 * and returns the per-input task; `close` ends the threads and writes the UID map.
 */
export async function prepareBatchAnonymize(flags: BatchAnonymizeFlags, prefixOf: (root: string) => string | undefined, helpers: BatchAnonymizeHelpers): Promise<PreparedTask> {
  const out = flags.output;
  const dryRun = flags.dryRun === true;
  const resume = flags.resume === true;
  if (resume && flags.secret === undefined && flags.secretFile === undefined) {
    throw new UsageError('--resume with anonymize needs --secret or --secret-file (a random secret gives other names on every run)');
  }
  const settings = await anonymizeSettingsOf(flags);
  const threads = flags.threads ?? 1;
  const uidMap = new Map<string, string>();
  const setup: AnonymizeSetup = {
    secret: settings.secret, profile: settings.profile, options: settings.options,
    ...(settings.patientPrefix !== undefined ? { patientPrefix: settings.patientPrefix } : {}),
    ...(settings.dateShiftRange !== undefined ? { dateShiftRange: settings.dateShiftRange } : {}),
    collectUids: flags.uidMap !== undefined, fullReports: false, dryRun,
  };
  inlineLess(); // many files through one hot path: see _compiler-tuning.ts
  const runner = createAnonymizeRunner({
    setup, jobs: threads, uidMap,
    ...(threads > 1 ? { workerModule: await anonymizeWorkerModule() } : {}),
    ...(resume ? { keepExisting: helpers.verify } : {}),
  });
  const placers = new Map<string, (inputFile: string) => OutputPlace>();
  const swept = new Map<string, Promise<void>>();
  return {
    writes: true,
    concurrency: runner.concurrency,
    run: async (input: BatchInput): Promise<BatchOutcome> => {
      let place = placers.get(input.root);
      if (place === undefined) {
        const prefix = prefixOf(input.root);
        placers.set(input.root, (place = createOutputPlacer(input.root, join(out ?? '', ...(prefix !== undefined ? [prefix] : [])), settings.secret)));
      }
      const where = place(input.path);
      let before: Promise<void> | undefined;
      if (resume) {
        before = swept.get(where.folder);
        if (before === undefined) swept.set(where.folder, (before = helpers.sweep(where.folder)));
      }
      const done = await runner.run(
        { path: input.path, folder: where.folder, ...(input.bytes !== undefined ? { bytes: input.bytes } : {}) },
        { fallbackStem: where.fallbackStem, ...(before !== undefined ? { before } : {}) },
      );
      // Batch tells DICOM from the rest itself and never asks the task to (`sniff`): nothing comes back skipped.
      if (done.action === 'skipped') throw new Error(`${input.path}: skipped by the anonymize task, which batch never asks to sniff`);
      return { ...(done.output !== undefined ? { output: done.output } : {}), action: done.action };
    },
    close: async () => {
      await runner.close();
      if (!dryRun && flags.uidMap !== undefined) await writeFileAtomic(flags.uidMap, new TextEncoder().encode(uidMapCsv(uidMap)));
    },
  };
}
