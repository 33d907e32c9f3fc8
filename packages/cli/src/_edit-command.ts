import { realpath } from 'node:fs/promises';
import { editTags, isDicomError, parseTagPath, withFile, writeDicomFile, type TagChange, type TagEdit } from '@dicom-tools/core';
import type { CommandContext, CommonOptions } from './context.js';
import { printJson } from './_print-json.js';
import { DEFAULT_MAX_VALUE_CHARS, printable } from './_element-text.js';
import { ExitCodes } from './exit-codes.js';
import { readInput } from './_read-input.js';
import { UsageError } from './_usage-error.js';
import { overwritesInput } from './_paths.js';

/** Flags shared by `modify-tag` and `modify-tags`. */
export interface EditOptions extends CommonOptions {
  readonly output?: string;
  readonly inPlace?: boolean;
  readonly dryRun?: boolean;
}

/** Where the edited file goes, or undefined for a dry run without `-o`/`--in-place`. Refuses to overwrite the input by accident. */
async function targetOf(file: string, options: EditOptions): Promise<string | undefined> {
  if (options.inPlace === true) {
    if (options.output !== undefined) throw new UsageError('give either -o/--output or --in-place, not both');
    // The file itself, not a symbolic link to it: the new file replaces the one the link points to, link kept.
    return realpath(file).catch(() => file);
  }
  if (options.output === undefined) {
    if (options.dryRun === true) return undefined;
    throw new UsageError(`${file}: refusing to write over the input: give -o PATH for a new file, or --in-place to overwrite it`);
  }
  if (await overwritesInput(options.output, file)) {
    throw new UsageError(`${file}: -o names the input file itself: use --in-place to overwrite it`);
  }
  return options.output;
}

/** Checks every edit's path before any file is read, so that a misspelt keyword is a usage error (exit 2). */
export function checkEditPaths(edits: readonly TagEdit[]): void {
  for (const edit of edits) {
    try {
      parseTagPath(edit.path);
    } catch (error) {
      if (!isDicomError(error)) throw error;
      throw new UsageError(error.message, { code: error.code, cause: error });
    }
  }
}

function valuesText(values: readonly string[] | undefined): string {
  if (values === undefined) return '(absent)';
  const text = printable(values.join('\\'));
  return `[${text.length > DEFAULT_MAX_VALUE_CHARS ? `${text.slice(0, DEFAULT_MAX_VALUE_CHARS)}...` : text}]`;
}

function changeLine(change: TagChange): string {
  return `${change.op.padEnd(6)} ${change.path}: ${valuesText(change.before)} -> ${valuesText(change.after)}`;
}

/**
 * Reads `file`, applies `edits` with editTags, and writes the result to `-o` or (with `--in-place`) over the
 * input, atomically; with `--dry-run`, only reports. Prints each change (before -> after), then what was written.
 */
export async function runEdits(file: string, edits: readonly TagEdit[], options: EditOptions, context: CommandContext): Promise<number> {
  const target = await targetOf(file, options);
  const dryRun = options.dryRun === true;
  const dicom = await readInput(file, context);
  let changes: TagChange[];
  try {
    changes = editTags(dicom.dataset, edits, { dryRun }).changes;
  } catch (error) {
    throw isDicomError(error) ? withFile(error, file) : error;
  }
  if (!dryRun && target !== undefined) {
    context.signal.throwIfAborted();
    await writeDicomFile(target, dicom, { signal: context.signal });
  }
  if (options.json === true) {
    printJson(context.io, { file, output: target ?? null, dryRun, written: !dryRun && target !== undefined, changes });
  } else if (options.quiet !== true) {
    const lines = changes.map(changeLine);
    const n = `${changes.length} change${changes.length === 1 ? '' : 's'}`;
    lines.push(dryRun ? `dry run: ${n}, nothing written` : `wrote ${target!} (${n})`);
    context.io.stdout(`${lines.join('\n')}\n`);
  }
  return ExitCodes.ok;
}
