import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { getString, splitFrames, isDicomError, withFile, writeDicomFile, type DicomFile } from '@dicom-tools/core';
import type { CommandContext, CommonOptions } from '../context.js';
import { frameListOption } from '../_frame-option.js';
import { printJson } from '../_print-json.js';
import { ExitCodes } from '../exit-codes.js';
import { readInput } from '../_read-input.js';
import { UsageError } from '../_usage-error.js';
import { makeFolder, overwritesInput } from '../_paths.js';

/** Flags of `dicom-tools split-multiframe`. */
export interface SplitMultiframeOptions extends CommonOptions {
  readonly output?: string;
  /** Frame numbers from 1: `1,3,5` or `2-4`. */
  readonly frames?: string;
  readonly force?: boolean;
}

function stem(file: string): string {
  const name = basename(file);
  return /\.dcm$/i.test(name) ? name.slice(0, -4) : name;
}

/**
 * `dicom-tools split-multiframe FILE [-o DIR] [--frames 1,3,5]`: one single-frame instance per frame (new SOP
 * Instance UIDs, functional groups folded, compressed frames kept in their syntax), into DIR or a `<name>-frames`
 * folder beside the input; never over existing files without `--force`.
 */
export async function runSplitMultiframe(file: string, options: SplitMultiframeOptions, context: CommandContext): Promise<number> {
  const frames = frameListOption(options.frames);
  const folder = options.output ?? join(dirname(file), `${stem(file)}-frames`);
  const dicom = await readInput(file, context);
  let parts: DicomFile[];
  try {
    parts = splitFrames(dicom, frames !== undefined ? { frames } : {});
  } catch (error) {
    throw isDicomError(error) ? withFile(error, file) : error;
  }
  const indexes = frames ?? parts.map((_, i) => i);
  const targets = indexes.map((i) => join(folder, `${stem(file)}-frame-${String(i + 1).padStart(4, '0')}.dcm`));
  for (const target of targets) if (await overwritesInput(target, file)) throw new UsageError(`${file}: the output would overwrite the input; choose another -o`);
  if (options.force !== true) {
    const existing = targets.find((t) => existsSync(t));
    if (existing !== undefined) throw new UsageError(`${existing} exists: give --force to overwrite it`);
  }
  await makeFolder(folder);
  const written: object[] = [];
  for (let k = 0; k < parts.length; k++) {
    context.signal.throwIfAborted();
    await writeDicomFile(targets[k]!, parts[k]!, { signal: context.signal });
    written.push({ frame: indexes[k]! + 1, output: targets[k]!, sopInstanceUID: getString(parts[k]!.dataset, 0x00080018) });
    if (options.json !== true && options.quiet !== true) context.io.stdout(`wrote ${targets[k]!}\n`);
  }
  if (options.json === true) printJson(context.io, { file, transferSyntaxUID: dicom.transferSyntaxUID, files: written });
  return ExitCodes.ok;
}
