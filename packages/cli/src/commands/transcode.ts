import { access, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, extname, join, relative } from 'node:path';
import { createWorkerPool, type WorkerPool } from '@dicom-tools/batch';
import { createCodecRegistry, DicomError, findDicomFiles, isDicomError, transferSyntaxInfo } from '@dicom-tools/core';
import { createTranscodeCodecs, resolveTransferSyntax, type ResolvedTransferSyntax } from '@dicom-tools/transcode';
import type { CommandContext, CommonOptions } from '../context.js';
import { numberOption } from '../_frame-option.js';
import { printJson } from '../_print-json.js';
import { transcodeFile, type TranscodeFileResult, type TranscodeJob, type TranscodeSetup } from '../_transcode-worker.js';
import { ExitCodes } from '../exit-codes.js';
import { UsageError } from '../_usage-error.js';
import { workerModuleBesideProgram } from '../_worker-module.js';
import { checkOutputFolder } from '../_paths.js';

/** Flags of `dicom-tools transcode`. */
export interface TranscodeCommandOptions extends CommonOptions {
  /** The target syntax: an alias (`jpegls`, `j2k_lossy`...) or a UID. */
  readonly syntax?: string;
  /** Output file (for one input file) or folder. */
  readonly output?: string;
  readonly quality?: string;
  readonly ratio?: string;
  readonly near?: string;
  /** commander's `--no-verify` sets `verify: false`. */
  readonly verify?: boolean;
  /** Overwrite existing output files. */
  readonly force?: boolean;
}

type FileResult = TranscodeFileResult;

/** `<stem>_<alias>.dcm`: the input's name without a `.dcm` extension (never `x.dcm.dcm`). */
export function defaultOutputName(input: string, alias: string): string {
  const name = basename(input);
  const stem = extname(name).toLowerCase() === '.dcm' ? name.slice(0, -4) : name;
  return `${stem}_${alias.replace(/[^A-Za-z0-9.-]+/g, '-')}.dcm`;
}

function setupOf(options: TranscodeCommandOptions, uid: string): TranscodeSetup {
  const quality = numberOption(options.quality, '--quality', (n) => Number.isInteger(n) && n >= 1 && n <= 100);
  const ratio = numberOption(options.ratio, '--ratio', (n) => Number.isFinite(n) && n >= 1);
  const near = numberOption(options.near, '--near', (n) => Number.isInteger(n) && n >= 0 && n <= 255);
  return {
    uid, verify: options.verify !== false, force: options.force === true,
    ...(quality !== undefined ? { quality } : {}), ...(ratio !== undefined ? { ratio } : {}), ...(near !== undefined ? { near } : {}),
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

async function isFolder(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

/** The worker module (`_transcode-worker.js`) beside the running program; undefined: the files run in this thread. */
async function workerModule(): Promise<string | undefined> {
  return (await workerModuleBesideProgram('_transcode-worker.js'))?.href;
}

/** The (input, output) pairs: one file, or every DICOM file under a folder (listed before anything is written). */
async function plan(input: string, target: ResolvedTransferSyntax, options: TranscodeCommandOptions, context: CommandContext): Promise<{ folder: boolean; pairs: [string, string][] }> {
  if (!(await isFolder(input))) {
    const output = options.output === undefined
      ? join(dirname(input), defaultOutputName(input, target.alias))
      : (await isFolder(options.output)) ? join(options.output, defaultOutputName(input, target.alias)) : options.output;
    return { folder: false, pairs: [[input, output]] };
  }
  // An -o inside the input folder would be walked too: a second run would transcode its own outputs.
  if (options.output !== undefined) checkOutputFolder(input, options.output);
  const pairs: [string, string][] = [];
  for await (const found of findDicomFiles(input, { signal: context.signal })) {
    if (found.skipped) continue;
    const where = options.output === undefined ? dirname(found.path) : join(options.output, relative(input, dirname(found.path)));
    pairs.push([found.path, join(where, defaultOutputName(found.path, target.alias))]);
  }
  return { folder: true, pairs };
}

function ratioText(result: Extract<FileResult, { ok: true }>): string {
  return `${(result.bytesIn / Math.max(1, result.bytesOut)).toFixed(2)}:1 by file size`;
}

/**
 * `dicom-tools transcode IN --syntax ALIAS`: transcodes a file, or every DICOM file under a folder, writing
 * `<stem>_<alias>.dcm` beside each input (or under `-o`). Never overwrites without `--force`. Exit 0 when all went
 * well; 1 when the one file failed (or its output exists); 3 when some files of a folder failed; 2 for bad flags.
 */
export async function runTranscode(input: string, options: TranscodeCommandOptions, context: CommandContext): Promise<number> {
  if (options.syntax === undefined) throw new UsageError('--syntax is required (e.g. --syntax jpegls)');
  let target: ResolvedTransferSyntax;
  try {
    target = resolveTransferSyntax(options.syntax);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), { code: 'TRANSCODE_UNSUPPORTED', cause: error });
  }
  const setup = setupOf(options, target.uid);
  if (!(await exists(input))) throw new DicomError('CORE_IO', 'cannot read: no such file or folder', { file: input });
  const { folder, pairs } = await plan(input, target, options, context);
  // A folder runs on every core: one worker thread per core, each loading the codecs once; a file, one core, or a
  // host without the built worker module runs in this thread.
  const threads = Math.min(pairs.length, availableParallelism());
  const module = threads > 1 ? await workerModule() : undefined;
  const pool: WorkerPool<TranscodeJob, FileResult> | undefined = module !== undefined ? createWorkerPool({ module, exportName: 'transcodeTask', size: threads, taskOptions: setup }) : undefined;
  const codecs = pool === undefined ? createCodecRegistry(createTranscodeCodecs()) : undefined;
  const one = async (job: TranscodeJob): Promise<FileResult> => {
    if (codecs !== undefined) return transcodeFile(job, setup, codecs, context.signal);
    try {
      return await pool!.run(job, { signal: context.signal });
    } catch (error) {
      // A worker that died (or an error that is not the file's) fails this file only.
      const code = isDicomError(error) ? error.code : 'BATCH_TASK_FAILED';
      return { input: job.input, ok: false, output: job.output, error: { code, message: `${job.input}: ${error instanceof Error ? error.message : String(error)}` } };
    }
  };
  const results: (FileResult | undefined)[] = new Array<FileResult | undefined>(pairs.length);
  let printed = 0;
  // Lines come out in input order, whichever file finishes first.
  const report = (): void => {
    for (let result = results[printed]; result !== undefined; result = results[++printed]) {
      if (!result.ok) context.io.stderr(`dicom-tools: ${result.error.message}${result.error.code === 'USAGE' ? '' : ` [${result.error.code}]`}\n`);
      else if (options.json !== true && options.quiet !== true) {
        context.io.stdout(`${result.input} -> ${result.output} (${transferSyntaxInfo(target.uid).name}, ${ratioText(result)}${result.lossy ? ', lossy: new SOP Instance UID' : ''})\n`);
      }
    }
  };
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < pairs.length) {
      context.signal.throwIfAborted();
      const index = next++;
      const [from, to] = pairs[index]!;
      results[index] = await one({ input: from, output: to });
      report();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, pool === undefined ? 1 : threads) }, lane));
  } finally {
    await pool?.close();
  }
  const done = results.filter((r): r is FileResult => r !== undefined);
  const failed = done.filter((r) => !r.ok).length;
  if (options.json === true) printJson(context.io, { transferSyntaxUID: target.uid, alias: target.alias, ok: done.length - failed, failed, files: done });
  if (failed === 0) return ExitCodes.ok;
  return folder ? ExitCodes.batchFailures : ExitCodes.failed;
}
