import { renameSync, unlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { AnonymizeReport } from '@dicom-tools/anonymize';
import { runBatch } from '@dicom-tools/batch';
import { fileSystemError, formatTag, walkFiles, withFile, writeFileAtomic } from '@dicom-tools/core';
import type { CommandContext, CommonOptions } from '../context.js';
import { createOutputPlacer, uidMapCsv } from '../_anonymize-output.js';
import { checkOutputFolder, kindOf, sameFile } from '../_paths.js';
import { anonymizeWorkerModule, createAnonymizeRunner, type AnonymizeOutcome } from '../_anonymize-runner.js';
import { anonymizeSettingsOf, type AnonymizeFlags } from '../_anonymize-settings.js';
import { createAnonymizeTaskState, createAnonymizer, type AnonymizeSetup, type AnonymizeSummary } from '../_anonymize-task.js';
import { inlineLess } from '../_compiler-tuning.js';
import { numberOption } from '../_frame-option.js';
import { printJson } from '../_print-json.js';
import { errorLine, looksLikeDicomError } from '../_report-error.js';
import { ExitCodes } from '../exit-codes.js';
import { UsageError } from '../_usage-error.js';

/** Flags of `dicom-tools anonymize`. */
export interface AnonymizeOptions extends CommonOptions, AnonymizeFlags {
  /** Output file (for a file) or folder (for a folder). */
  readonly output?: string;
  /** Write the UID map (original,replacement) as CSV here. */
  readonly uidMap?: string;
  /** Report only; write nothing. */
  readonly dryRun?: boolean;
  /** Threads for a folder, this one and N - 1 workers (default: the number of cores minus one; 1 works in this thread alone). */
  readonly jobs?: string;
}

type FileOutcome =
  | { readonly input: string; readonly output?: string; readonly ok: true; readonly summary: AnonymizeSummary; readonly report?: AnonymizeReport }
  | { readonly input: string; readonly ok: false; readonly error: { readonly code: string; readonly message: string; readonly file?: string } };

function tally(summary: AnonymizeSummary): string {
  const parts = [`${summary.removed} removed`, `${summary.emptiedOrReplaced} emptied or replaced`, `${summary.cleaned} cleaned`, `${summary.uidsReplaced} UIDs replaced`];
  if (summary.burnedInRisk.length > 0) parts.push(`burned-in text possible: ${summary.burnedInRisk.join(', ')}`);
  return parts.join(', ');
}

/** Anonymizes the single file `input` in this thread into `output` (a file, or a folder: then named by its new SOP Instance UID). */
async function anonymizeOneFile(input: string, output: string | undefined, outputIsFolder: boolean, setup: AnonymizeSetup, uidMap: Map<string, string>): Promise<FileOutcome> {
  try {
    const folder = output === undefined ? undefined : outputIsFolder ? output : dirname(resolve(output));
    const result = await createAnonymizer(createAnonymizeTaskState(setup))({ path: input, ...(folder !== undefined ? { folder } : {}) });
    for (const [original, replacement] of result.uids ?? []) uidMap.set(original, replacement);
    const details = { summary: result.summary, ...(result.report !== undefined ? { report: result.report } : {}) };
    if (output === undefined || result.temp === undefined) return { input, ok: true, ...details };
    const target = outputIsFolder ? join(output, `${result.stem ?? 'anonymized'}.dcm`) : output;
    try {
      renameSync(result.temp, target);
    } catch (error) {
      try {
        unlinkSync(result.temp);
      } catch {
        // already gone
      }
      throw fileSystemError(error, target, 'cannot write');
    }
    return { input, output: target, ok: true, ...details };
  } catch (error) {
    if (!looksLikeDicomError(error)) throw error;
    return { input, ok: false, error: { code: error.code, message: error.message, ...(error.file !== undefined ? { file: error.file } : {}) } };
  }
}

/**
 * `dicom-tools anonymize IN [-o OUT]`: de-identifies a file, or every DICOM file of a folder (mirrored into the
 * output folder under names that carry no PHI), by PS3.15's Basic Profile and the chosen options. Never writes
 * over the input; `--dry-run` reports and writes nothing. Exit 0, 1 (a single file failed), 2 (usage), 3 (some
 * files of a folder failed).
 */
export async function runAnonymize(input: string, options: AnonymizeOptions, context: CommandContext): Promise<number> {
  const settings = await anonymizeSettingsOf(options);
  const dryRun = options.dryRun === true;
  if (!dryRun && options.output === undefined) throw new UsageError(`${input}: give -o OUT for the anonymized copy, or --dry-run to see what would be done`);
  const kind = await kindOf(input);
  if (kind === undefined) throw withFile(new Error('no such file or folder'), input, 'CORE_IO');
  if (options.uidMap !== undefined && (resolve(options.uidMap) === resolve(input) || (await sameFile(options.uidMap, input)))) {
    throw new UsageError(`${options.uidMap}: --uid-map names the input`);
  }
  // Default: one thread per core but one. Anonymizing a folder is as much the kernel's work (every byte read and
  // written again) as ours; on 2 cores one thread beat two in every quiet run of bench/anonymize.mjs.
  const jobs = numberOption(options.jobs, '--jobs', (n) => Number.isInteger(n) && n >= 1) ?? Math.max(1, availableParallelism() - 1);
  const uidMap = new Map<string, string>();
  const setup: AnonymizeSetup = {
    secret: settings.secret, profile: settings.profile, options: settings.options,
    ...(settings.patientPrefix !== undefined ? { patientPrefix: settings.patientPrefix } : {}),
    ...(settings.dateShiftRange !== undefined ? { dateShiftRange: settings.dateShiftRange } : {}),
    collectUids: options.uidMap !== undefined, fullReports: options.json === true, dryRun,
  };
  const outcomes: FileOutcome[] = [];
  const skipped: { path: string; reason: string }[] = [];

  if (kind === 'file') {
    let outputIsFolder = false;
    if (!dryRun) {
      const out = options.output!;
      if (resolve(out) === resolve(input) || (await sameFile(out, input))) throw new UsageError(`${input}: -o names the input file itself: anonymize never writes over its input`);
      outputIsFolder = (await kindOf(out)) === 'directory';
    }
    outcomes.push(await anonymizeOneFile(input, dryRun ? undefined : options.output, outputIsFolder, setup, uidMap));
  } else {
    if (!dryRun) {
      if ((await kindOf(options.output!)) === 'file') throw new UsageError(`${options.output!}: the input is a folder, so -o must be a folder, not a file`);
      checkOutputFolder(input, options.output!);
    }
    inlineLess(); // many files through one hot path: see _compiler-tuning.ts
    const place = createOutputPlacer(input, options.output ?? input, settings.secret);
    // The workers start while the folder is walked; files are handed out as they are found.
    const runner = createAnonymizeRunner({ setup, jobs, uidMap, ...(jobs > 1 ? { workerModule: await anonymizeWorkerModule() } : {}) });
    // Listed with blocking calls and no read (core's walkFiles); the task, which reads each file whole anyway, tells
    // DICOM from the rest (`sniff`) and skips the rest with findDicomFiles' reasons. Skips keep the walk's order.
    const results: (FileOutcome | undefined)[] = [];
    const skips: { order: number; path: string; reason: string }[] = [];
    async function* found(): AsyncGenerator<{ index: number; path: string }> {
      let index = 0;
      for (const entry of walkFiles(input, { signal: context.signal })) {
        if (entry.skipped) skips.push({ order: index, path: entry.path, reason: entry.reason });
        else yield { index: index++, path: entry.path };
      }
    }
    const task = (file: { path: string }): Promise<AnonymizeOutcome> => {
      const where = place(file.path);
      return runner.run({ path: file.path, sniff: true, ...(dryRun ? {} : { folder: where.folder }) }, { fallbackStem: where.fallbackStem });
    };
    try {
      for await (const result of runBatch(found(), task, { concurrency: runner.concurrency, signal: context.signal })) {
        const { index, path } = result.input;
        if (result.ok && result.value.skipped !== undefined) {
          skips.push({ order: index + 0.5, path, reason: result.value.skipped });
          continue;
        }
        results[index] = result.ok
          ? { input: path, ...(result.value.output !== undefined ? { output: result.value.output } : {}), ok: true, summary: result.value.summary, ...(result.value.report !== undefined ? { report: result.value.report } : {}) }
          : { input: path, ok: false, error: { code: result.error.code, message: result.error.message, ...(result.error.file !== undefined ? { file: result.error.file } : {}) } };
      }
    } finally {
      await runner.close();
    }
    skips.sort((a, b) => a.order - b.order);
    for (const { path, reason } of skips) skipped.push({ path, reason });
    if (context.signal.aborted) return ExitCodes.interrupted;
    for (const result of results) if (result !== undefined) outcomes.push(result);
  }

  if (!dryRun && options.uidMap !== undefined) await writeFileAtomic(options.uidMap, new TextEncoder().encode(uidMapCsv(uidMap)), context.signal);
  const failed = outcomes.filter((o) => !o.ok).length;
  const secretNote = settings.secretSource === 'random'
    ? 'random, used for this run only and not saved: UIDs and pseudonyms cannot be reproduced (give --secret or --secret-file to reproduce them)'
    : `from ${settings.secretSource === 'file' ? '--secret-file' : '--secret'}`;

  if (options.json === true) {
    // Errors go to stderr with --json too; the document holds them as well.
    for (const outcome of outcomes) if (!outcome.ok) context.io.stderr(`${errorLine({ name: 'DicomError', ...outcome.error }, outcome.input)}\n`);
    printJson(context.io, {
      profile: settings.profile,
      options: settings.options,
      secret: settings.secretSource,
      dryRun,
      files: outcomes.map((o) => {
        if (!o.ok) return o;
        const { summary: _summary, report, ...rest } = o;
        return { ...rest, report: report === undefined ? undefined : { ...report, actions: report.actions.map((a) => ({ ...a, tag: formatTag(a.tag) })) } };
      }),
      skipped,
      uidsMapped: uidMap.size,
      ...(options.uidMap !== undefined && !dryRun ? { uidMap: options.uidMap } : {}),
    });
  } else {
    for (const outcome of outcomes) {
      if (!outcome.ok) {
        context.io.stderr(`${errorLine({ name: 'DicomError', ...outcome.error }, outcome.input)}\n`);
        continue;
      }
      if (options.quiet === true) continue;
      const where = outcome.output !== undefined ? ` -> ${outcome.output}` : dryRun ? ' (dry run: nothing written)' : '';
      context.io.stdout(`${outcome.input}${where}: ${tally(outcome.summary)}\n`);
      for (const warning of outcome.summary.warnings) context.io.stdout(`  note: ${warning}\n`);
    }
    if (options.quiet !== true) {
      const done = outcomes.length - failed;
      context.io.stdout(`${dryRun ? 'would anonymize' : 'anonymized'} ${done} file${done === 1 ? '' : 's'}` +
        `${failed > 0 ? `, ${failed} failed` : ''}${skipped.length > 0 ? `, ${skipped.length} skipped (not DICOM)` : ''}; ` +
        `profile ${settings.profile}${settings.options.length > 0 ? ` with ${settings.options.join(', ')}` : ''}; secret ${secretNote}\n`);
      if (options.uidMap !== undefined) context.io.stdout(dryRun ? 'UID map not written (dry run)\n' : `UID map (${uidMap.size} UIDs) written to ${options.uidMap}\n`);
      const risky = outcomes.filter((o) => o.ok && o.summary.burnedInRisk.length > 0).length;
      if (risky > 0) context.io.stdout(`${risky} file${risky === 1 ? '' : 's'} may show identifying text burned into the pixels: check the images (pixel data is never changed)\n`);
    }
  }
  if (failed === 0) return ExitCodes.ok;
  return kind === 'file' ? ExitCodes.failed : ExitCodes.batchFailures;
}
