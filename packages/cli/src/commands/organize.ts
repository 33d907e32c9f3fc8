import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  createBatchReport, expandInputs, parsePathTemplate, placeFile, renderPathTemplate, runBatch, ORGANIZE_PRESETS,
  type BatchInput, type OrganizePreset, type PathTemplate,
} from '@dicom-tools/batch';
import { isDicomError, writeFileAtomic } from '@dicom-tools/core';
import { loadInput } from '../_batch-tasks.js';
import type { CommandContext, CommonOptions } from '../context.js';
import { checkOutputFolder, kindOf } from '../_paths.js';
import { numberOption } from '../_frame-option.js';
import { printJson } from '../_print-json.js';
import { errorLine } from '../_report-error.js';
import { ExitCodes } from '../exit-codes.js';
import { UsageError } from '../_usage-error.js';

/** Flags of `dicom-tools organize`. */
export interface OrganizeOptions extends CommonOptions {
  readonly output?: string;
  /** A preset layout: patient, study, series or modality. */
  readonly by?: string;
  /** A path template such as `{PatientID}/{StudyDate}/{SeriesNumber:03}_{Modality}/{InstanceNumber:04}.dcm`. */
  readonly template?: string;
  readonly copy?: boolean;
  readonly move?: boolean;
  readonly dryRun?: boolean;
  readonly jobs?: string;
  readonly report?: string;
}

/** One file's outcome. */
interface Placed {
  readonly output: string;
  /** `copied`, `moved`, `identical` (the same bytes were there: skipped), or `planned` (dry run). */
  readonly action: 'copied' | 'moved' | 'identical' | 'planned';
  /** The name asked for was taken by a different file: the output has a `-N` suffix. */
  readonly renamed: boolean;
}

function templateOf(options: OrganizeOptions): PathTemplate {
  if (options.by !== undefined && options.template !== undefined) throw new UsageError('give either --by or --template, not both');
  const source = options.template ?? ORGANIZE_PRESETS[(options.by ?? 'patient') as OrganizePreset];
  if (source === undefined) throw new UsageError(`unknown --by "${options.by ?? ''}": use ${Object.keys(ORGANIZE_PRESETS).join(', ')}`);
  try {
    return parsePathTemplate(source);
  } catch (error) {
    throw new UsageError(isDicomError(error) ? error.message : String(error), { cause: error });
  }
}

/**
 * `dicom-tools organize IN... -o OUT (--by LEVEL | --template T) [--copy | --move] [--dry-run]`: files every
 * DICOM file of the inputs under OUT by its tag values. Path parts are sanitized (no separators, `..`, control
 * characters or device names; length-limited); a name held by the same bytes is skipped, by other bytes gets a
 * `-N` suffix (reported); a move copies, verifies and only then deletes. Exit 0, 2 usage, 3 some files failed.
 */
export async function runOrganize(inputs: readonly string[], options: OrganizeOptions, context: CommandContext): Promise<number> {
  if (options.output === undefined) throw new UsageError('give -o OUT, the folder to organize into');
  if (options.copy === true && options.move === true) throw new UsageError('give either --copy or --move, not both');
  const out = options.output;
  const template = templateOf(options);
  const mode = options.move === true ? 'move' : 'copy';
  const dryRun = options.dryRun === true;
  const concurrency = numberOption(options.jobs, '--jobs', (n) => Number.isInteger(n) && n >= 1) ?? availableParallelism();
  if ((await kindOf(out)) === 'file') throw new UsageError(`${out}: -o must be a folder, not a file`);
  for (const input of inputs) if ((await kindOf(input)) === 'directory') checkOutputFolder(input, out);

  const report = createBatchReport(`organize-${mode}`);
  const found = expandInputs(inputs, { onSkipped: (s) => report.skip(s.path, s.reason) });
  const task = async (input: BatchInput): Promise<Placed> => {
    const file = loadInput(input, { stopBeforePixelData: true });
    const target = join(out, ...renderPathTemplate(template, file.dataset));
    if (dryRun) return { output: target, action: 'planned', renamed: false };
    // An archive member is copied from its bytes (a move leaves the archive as it is).
    const placed = await placeFile(input.bytes ?? input.path, target, { mode: input.bytes !== undefined ? 'copy' : mode });
    return { output: placed.path, action: placed.action, renamed: placed.renamed };
  };
  let failed = 0;
  const renamed: { input: string; output: string }[] = [];
  for await (const result of runBatch(found, task, { concurrency, signal: context.signal })) {
    report.add(result, (value) => ({ output: value.output, detail: { action: value.action, renamed: value.renamed } }));
    if (!result.ok) {
      failed++;
      context.io.stderr(`${errorLine(result.error, result.input.path)}\n`);
    } else if (result.value.renamed) {
      renamed.push({ input: result.input.path, output: result.value.output });
    }
  }
  const built = report.build({ cancelled: context.signal.aborted });
  if (options.report !== undefined) await writeFileAtomic(options.report, new TextEncoder().encode(`${JSON.stringify(built, null, 2)}\n`));
  if (options.json === true) {
    printJson(context.io, built);
  } else if (options.quiet !== true) {
    for (const entry of built.files) {
      if (entry.status === 'skipped') context.io.stdout(`skipped ${entry.input}: ${entry.reason}\n`);
      else if (entry.status === 'ok' && dryRun) context.io.stdout(`${entry.input} -> ${entry.output ?? ''}\n`);
    }
    for (const r of renamed) context.io.stdout(`name taken by a different file: ${r.input} -> ${r.output}\n`);
    const identical = built.files.filter((f) => f.status === 'ok' && (f.detail as { action?: string } | undefined)?.action === 'identical').length;
    const placed = built.counts.ok - identical;
    context.io.stdout(`${dryRun ? `would ${mode}` : mode === 'move' ? 'moved' : 'copied'} ${placed} file${placed === 1 ? '' : 's'}` +
      `${identical > 0 ? `, ${identical} already there (identical)` : ''}${renamed.length > 0 ? `, ${renamed.length} renamed (name taken)` : ''}` +
      `${failed > 0 ? `, ${failed} failed` : ''}${built.counts.skipped > 0 ? `, ${built.counts.skipped} skipped` : ''}\n`);
  }
  if (context.signal.aborted) return ExitCodes.interrupted;
  return failed > 0 ? ExitCodes.batchFailures : ExitCodes.ok;
}
