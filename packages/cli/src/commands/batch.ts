import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createBatchReport, createWorkerPool, expandInputs, runBatch, type BatchInput, type BatchProgress, type WorkerPool } from '@dicom-tools/batch';
import { writeFileAtomic } from '@dicom-tools/core';
import type { CommandContext, CommonOptions } from '../context.js';
import { checkOutputFolder, kindOf } from '../_anonymize-output.js';
import { BATCH_OPERATIONS, prepareTask, type BatchOperation, type BatchOutcome, type BatchTaskFlags } from '../_batch-tasks.js';
import { numberOption } from '../_frame-option.js';
import { printJson } from '../_print-json.js';
import { errorLine } from '../_report-error.js';
import { ExitCodes } from '../exit-codes.js';
import { UsageError } from '../_usage-error.js';

/** Flags of `dicom-tools batch OP IN...`. */
export interface BatchOptions extends CommonOptions, BatchTaskFlags {
  /** How many files at once (default: the number of cores). */
  readonly jobs?: string;
  /** Write the JSON report here. */
  readonly report?: string;
  /** Run the files in --jobs worker threads instead of concurrently in this thread. */
  readonly workers?: boolean;
}

function progressLine(p: BatchProgress): string {
  const rate = p.elapsedMs > 0 ? (p.done * 1000) / p.elapsedMs : 0;
  const total = p.inputsExhausted ? p.started : undefined;
  const eta = total !== undefined && rate > 0 ? `, ETA ${Math.ceil((total - p.done) / rate)} s` : '';
  return `\r${p.done}${total !== undefined ? `/${total}` : ''} files, ${p.failed} failed, ${rate.toFixed(1)} files/s${eta}   `;
}

/**
 * `dicom-tools batch OP IN... [-o OUT]`: runs anonymize, convert (PNG of the first frame), decompress, transcode
 * or validate over every DICOM file of the inputs (folders walked recursively, files recognised by content),
 * mirroring each input tree into OUT (anonymize: PHI-free names). Non-DICOM files are reported as skipped; one
 * failing file never stops the batch. Exit 0 all ok, 3 some failed (validate: or were invalid), 130 interrupted
 * (in-flight files finish; the report marks the run cancelled).
 */
export async function runBatchCommand(operation: string, inputs: readonly string[], options: BatchOptions, context: CommandContext): Promise<number> {
  if (!(BATCH_OPERATIONS as readonly string[]).includes(operation)) {
    throw new UsageError(`unknown batch operation "${operation}": use one of ${BATCH_OPERATIONS.join(', ')}`);
  }
  const op = operation as BatchOperation;
  const concurrency = numberOption(options.jobs, '--jobs', (n) => Number.isInteger(n) && n >= 1) ?? availableParallelism();
  if (options.output !== undefined) {
    if ((await kindOf(options.output)) === 'file') throw new UsageError(`${options.output}: -o must be a folder, not a file`);
    for (const input of inputs) if ((await kindOf(input)) === 'directory') checkOutputFolder(input, options.output);
  }
  if (options.report !== undefined && inputs.some((i) => resolve(i) === resolve(options.report!))) throw new UsageError(`${options.report}: --report names an input`);
  // Several inputs: each is mirrored into OUT/<its folder name>, so that two trees cannot collide.
  const prefixOf = (root: string): string | undefined => (inputs.length > 1 ? basename(resolve(root)) : undefined);
  const task = await prepareTask(op, options, prefixOf); // also checks the flags before any file is read
  let pool: WorkerPool<BatchInput, BatchOutcome> | undefined;
  if (options.workers === true) {
    if (op === 'anonymize') throw new UsageError('--workers is not available for anonymize (its collision-free naming needs one thread)');
    const entry = process.argv[1] !== undefined ? join(dirname(process.argv[1]), '_batch-worker.js') : undefined;
    if (entry === undefined || !(await kindOf(entry))) throw new UsageError('--workers: the worker module was not found beside the dicom-tools program');
    const flags: BatchTaskFlags = {
      ...(options.output !== undefined ? { output: options.output } : {}), ...(options.syntax !== undefined ? { syntax: options.syntax } : {}),
      ...(options.dryRun === true ? { dryRun: true } : {}), ...(options.resume === true ? { resume: true } : {}),
    };
    const prefixes = Object.fromEntries(inputs.flatMap((i) => [i, dirname(i)]).map((root) => [root, prefixOf(root)]).filter((e): e is [string, string] => e[1] !== undefined));
    pool = createWorkerPool<BatchInput, BatchOutcome>({ module: pathToFileURL(entry).href, exportName: 'batchTask', size: concurrency, taskOptions: { operation: op, flags, prefixes } });
  }
  const run = pool !== undefined ? pool.run : (input: BatchInput): Promise<BatchOutcome> => task.run(input);

  const report = createBatchReport(op);
  const showProgress = process.stderr.isTTY && options.quiet !== true && options.json !== true;
  const found = expandInputs(inputs, { onSkipped: (s) => report.skip(s.path, s.reason) });
  let failed = 0;
  let invalid = 0;
  try {
    for await (const result of runBatch(found, run, {
      concurrency,
      signal: context.signal,
      ...(showProgress ? { onProgress: (p: BatchProgress) => context.io.stderr(progressLine(p)) } : {}),
    })) {
      report.add(result, (value: BatchOutcome) => {
        const { output, ...detail } = value;
        return { ...(output !== undefined ? { output } : {}), detail };
      });
      if (!result.ok) {
        failed++;
        if (options.json !== true) {
          if (showProgress) context.io.stderr('\n');
          context.io.stderr(`${errorLine({ name: 'DicomError', code: result.error.code, message: result.error.message, file: result.input.path })}\n`);
        }
      } else if (result.value.valid === false) {
        invalid++;
      }
    }
  } finally {
    await pool?.close();
  }
  if (showProgress) context.io.stderr('\n');
  const built = report.build({ cancelled: context.signal.aborted });
  if (options.report !== undefined) await writeFileAtomic(options.report, new TextEncoder().encode(`${JSON.stringify(built, null, 2)}\n`));

  if (options.json === true) {
    printJson(context.io, built);
  } else if (options.quiet !== true) {
    for (const entry of built.files) if (entry.status === 'skipped') context.io.stdout(`skipped ${entry.input}: ${entry.reason}\n`);
    const { ok, skipped } = built.counts;
    const verb = options.dryRun === true ? 'would process' : op === 'validate' ? 'checked' : 'processed';
    context.io.stdout(`${verb} ${ok} file${ok === 1 ? '' : 's'}${failed > 0 ? `, ${failed} failed` : ''}${invalid > 0 ? `, ${invalid} invalid` : ''}` +
      `${skipped > 0 ? `, ${skipped} skipped` : ''}${built.cancelled ? ' (interrupted: in-flight files finished, the rest not started)' : ''}` +
      `${options.report !== undefined ? `; report in ${options.report}` : ''}\n`);
  }
  if (context.signal.aborted) return ExitCodes.interrupted;
  return failed > 0 || invalid > 0 ? ExitCodes.batchFailures : ExitCodes.ok;
}
