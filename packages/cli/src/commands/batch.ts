import { availableParallelism } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { createBatchReport, createWorkerPool, expandInputs, runBatch, type BatchInput, type BatchProgress, type WorkerPool } from '@dicom-tools/batch';
import { createProgressPrinter } from '../_batch-progress.js';
import { prefetch } from '../_prefetch.js';
import { writeFileAtomic } from '@dicom-tools/core';
import type { CommandContext, CommonOptions } from '../context.js';
import { checkOutputFolder, kindOf } from '../_paths.js';
import { BATCH_OPERATIONS, prepareTask, type BatchOperation, type BatchOutcome, type BatchTaskFlags } from '../_batch-tasks.js';
import { numberOption } from '../_frame-option.js';
import { printJson } from '../_print-json.js';
import { errorLine } from '../_report-error.js';
import { ExitCodes } from '../exit-codes.js';
import { UsageError } from '../_usage-error.js';
import { workerModuleBesideProgram } from '../_worker-module.js';

/** Flags of `dicom-tools batch OP IN...`. */
export interface BatchOptions extends CommonOptions, BatchTaskFlags {
  /** How many files at once (default: the number of cores). */
  readonly jobs?: string;
  /** Write the JSON report here. */
  readonly report?: string;
  /**
   * Run the files in --jobs worker threads (true) or as concurrent promises in this thread (false, --no-workers).
   * Default: worker threads when --jobs is above 1 (anonymize runs its own, see _anonymize-runner.ts).
   */
  readonly workers?: boolean;
  /** Show the progress bar on stderr (true: even when stderr is not a terminal; false: never). Default: on a terminal. */
  readonly progress?: boolean;
}

/** The worker module (`_batch-worker.js`) beside the running program; undefined: the files run in this thread. */
async function workerModule(): Promise<string | undefined> {
  return (await workerModuleBesideProgram('_batch-worker.js'))?.href;
}

/** The reason a cancelled entry gives for a file (or the rest of an archive) the interrupted walk only listed. */
const NOT_LOOKED_AT = 'not done: the batch was interrupted before this file was looked at (not known to be DICOM)';

/**
 * `dicom-tools batch OP IN... [-o OUT]`: runs anonymize, convert (a PNG per frame), decompress, transcode
 * or validate over every DICOM file of the inputs (folders walked recursively, files recognised by content),
 * mirroring each input tree into OUT (anonymize: PHI-free names). Non-DICOM files are reported as skipped; one
 * failing file never stops the batch. Exit 0 all ok, 3 some failed (validate: or were invalid), 130 interrupted
 * (in-flight files finish; the report marks the run cancelled and lists the files not started as cancelled, those
 * not yet looked into without reading them).
 * A progress bar (rate, ETA) goes to stderr on a terminal, or with --progress.
 */
export async function runBatchCommand(operation: string, inputs: readonly string[], options: BatchOptions, context: CommandContext): Promise<number> {
  if (!(BATCH_OPERATIONS as readonly string[]).includes(operation)) {
    throw new UsageError(`unknown batch operation "${operation}": use one of ${BATCH_OPERATIONS.join(', ')}`);
  }
  const op = operation as BatchOperation;
  const concurrency = numberOption(options.jobs, '--jobs', (n) => Number.isInteger(n) && n >= 1) ?? availableParallelism();
  // What each input is, looked at once: its folder check and its output root both need it.
  const kinds = await Promise.all(inputs.map((input) => kindOf(input)));
  if (options.output !== undefined) {
    if ((await kindOf(options.output)) === 'file') throw new UsageError(`${options.output}: -o must be a folder, not a file`);
    inputs.forEach((input, i) => kinds[i] === 'directory' && checkOutputFolder(input, options.output!));
  }
  if (options.report !== undefined && inputs.some((i) => resolve(i) === resolve(options.report!))) throw new UsageError(`${options.report}: --report names an input`);
  // Several inputs: each is mirrored into OUT/<its folder name>, so that two trees cannot collide; two inputs with the
  // same folder name (x/data, y/data) get data and data-2, in the order given.
  const prefixes = new Map<string, string>();
  if (inputs.length > 1) {
    const used = new Set<string>();
    // The root an input is mirrored from: a folder itself, a file's folder (a pattern's roots are found later).
    const roots = inputs.map((input, i) => (kinds[i] === 'directory' ? input : dirname(input)));
    for (const root of roots) {
      if (prefixes.has(root)) continue;
      const name = basename(resolve(root));
      let unique = name;
      for (let k = 2; used.has(unique); k++) unique = `${name}-${k}`;
      used.add(unique);
      prefixes.set(root, unique);
    }
  }
  // (A root that is neither an input nor its folder, the folder before a pattern's wildcard: its folder name.)
  const prefixOf = (root: string): string | undefined => prefixes.get(root) ?? (inputs.length > 1 ? basename(resolve(root)) : undefined);
  // anonymize runs its own worker threads (threads), naming the outputs in input order whatever the thread count.
  const task = await prepareTask(op, { ...options, threads: options.workers === false ? 1 : concurrency }, prefixOf); // also checks the flags before any file is read
  let pool: WorkerPool<BatchInput, BatchOutcome> | undefined;
  // CPU-bound operations run in worker threads by default (one per job); --jobs 1 runs in this thread.
  if (op !== 'anonymize' && (options.workers ?? concurrency > 1)) {
    const entry = await workerModule();
    if (entry === undefined && options.workers === true) throw new UsageError('--workers: the worker module was not found beside the dicom-tools program');
    const flags: BatchTaskFlags = {
      ...(options.output !== undefined ? { output: options.output } : {}), ...(options.syntax !== undefined ? { syntax: options.syntax } : {}),
      ...(options.dryRun === true ? { dryRun: true } : {}), ...(options.resume === true ? { resume: true } : {}),
    };
    if (entry !== undefined) {
      pool = createWorkerPool<BatchInput, BatchOutcome>({ module: entry, exportName: 'batchTask', size: concurrency, taskOptions: { operation: op, flags, prefixes: Object.fromEntries(prefixes), several: inputs.length > 1 } });
    }
  }
  const run = pool !== undefined ? pool.run : (input: BatchInput): Promise<BatchOutcome> => task.run(input);

  const report = createBatchReport(op);
  const tty = process.stderr.isTTY === true;
  const progress = (options.progress ?? (tty && options.quiet !== true && options.json !== true))
    ? createProgressPrinter({ write: context.io.stderr, tty })
    : undefined;
  // With a progress bar the inputs are found ahead (for the total and ETA). runBatch does not close them, so after
  // Ctrl-C the inputs never started can still be listed in the report as not done; from then on the walk only lists
  // (examineUntil): the files and archives it had not looked into are not read just to be reported.
  const found = prefetch(
    expandInputs(inputs, { onSkipped: (s) => report.skip(s.path, s.reason), examineUntil: context.signal })[Symbol.asyncIterator](),
    { eager: progress !== undefined },
  );
  let failed = 0;
  let invalid = 0;
  try {
    // An input only listed (the batch was interrupted while runBatch was taking it) is never started: not done.
    async function* examined(): AsyncGenerator<BatchInput, void, undefined> {
      for await (const input of found.items) {
        if (input.unexamined === true) report.cancel(input.path, NOT_LOOKED_AT);
        else yield input;
      }
    }
    for await (const result of runBatch(examined(), run, {
      concurrency: task.concurrency ?? concurrency,
      signal: context.signal,
      ...(progress !== undefined ? { onProgress: (p: BatchProgress) => progress.update(p, found.counted().complete ? found.counted().count : undefined) } : {}),
    })) {
      report.add(result, (value: BatchOutcome) => {
        const { output, ...detail } = value;
        return { ...(output !== undefined ? { output } : {}), detail };
      });
      if (!result.ok) {
        failed++;
        // On stderr with --json too (the documented rule: errors still go to stderr).
        progress?.interrupt();
        context.io.stderr(`${errorLine(result.error, result.input.path)}\n`);
      } else if (result.value.valid === false) {
        invalid++;
      }
    }
  } finally {
    await pool?.close();
    await task.close?.();
  }
  progress?.end(context.signal.aborted ? undefined : found.counted().count);
  if (context.signal.aborted) {
    for await (const input of found.rest()) report.cancel(input.path, input.unexamined === true ? NOT_LOOKED_AT : undefined);
  }
  const built = report.build({ cancelled: context.signal.aborted });
  if (options.report !== undefined) await writeFileAtomic(options.report, new TextEncoder().encode(`${JSON.stringify(built, null, 2)}\n`));

  if (options.json === true) {
    printJson(context.io, built);
  } else if (options.quiet !== true) {
    for (const entry of built.files) if (entry.status === 'skipped') context.io.stdout(`skipped ${entry.input}: ${entry.reason}\n`);
    const notDone = built.counts.cancelled ?? 0;
    const { ok, skipped } = built.counts;
    const verb = options.dryRun === true ? 'would process' : op === 'validate' ? 'checked' : 'processed';
    context.io.stdout(`${verb} ${ok} file${ok === 1 ? '' : 's'}${failed > 0 ? `, ${failed} failed` : ''}${invalid > 0 ? `, ${invalid} invalid` : ''}` +
      `${skipped > 0 ? `, ${skipped} skipped` : ''}${built.cancelled ? ` (interrupted: in-flight files finished, ${notDone} not started)` : ''}` +
      `${options.report !== undefined ? `; report in ${options.report}` : ''}\n`);
  }
  if (context.signal.aborted) return ExitCodes.interrupted;
  return failed > 0 || invalid > 0 ? ExitCodes.batchFailures : ExitCodes.ok;
}
