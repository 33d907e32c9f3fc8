import { access, mkdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import {
  createCodecRegistry, findDicomFiles, getString, isDicomError, readDicomFile, transferSyntaxInfo, writeDicom, writeFileAtomic,
  type CodecRegistry,
} from '@dicom-tools/core';
import { createTranscodeCodecs, resolveTransferSyntax, transcode, type ResolvedTransferSyntax, type TranscodeOptions } from '@dicom-tools/transcode';
import type { CommandContext, CommonOptions } from '../context.js';
import { numberOption } from '../_frame-option.js';
import { printJson } from '../_print-json.js';
import { looksLikeDicomError, oneLine } from '../_report-error.js';
import { ExitCodes } from '../exit-codes.js';
import { UsageError } from '../_usage-error.js';

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

/** One input's outcome, as `--json` prints it. */
type FileResult =
  | { readonly input: string; readonly ok: true; readonly output: string; readonly transferSyntaxUID: string; readonly bytesIn: number; readonly bytesOut: number; readonly lossy: boolean; readonly sopInstanceUID: string | undefined }
  | { readonly input: string; readonly ok: false; readonly output?: string; readonly error: { readonly code: string; readonly message: string } };

/** `<stem>_<alias>.dcm`: the input's name without a `.dcm` extension (never `x.dcm.dcm`). */
export function defaultOutputName(input: string, alias: string): string {
  const name = basename(input);
  const stem = extname(name).toLowerCase() === '.dcm' ? name.slice(0, -4) : name;
  return `${stem}_${alias.replace(/[^A-Za-z0-9.-]+/g, '-')}.dcm`;
}

function encodeOptions(options: TranscodeCommandOptions, context: CommandContext, codecs: CodecRegistry): TranscodeOptions {
  const quality = numberOption(options.quality, '--quality', (n) => Number.isInteger(n) && n >= 1 && n <= 100);
  const ratio = numberOption(options.ratio, '--ratio', (n) => Number.isFinite(n) && n >= 1);
  const near = numberOption(options.near, '--near', (n) => Number.isInteger(n) && n >= 0 && n <= 255);
  return {
    codecs, signal: context.signal, verify: options.verify !== false,
    ...(quality !== undefined ? { quality } : {}), ...(ratio !== undefined ? { ratio } : {}), ...(near !== undefined ? { near } : {}),
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

async function isFolder(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

async function transcodeOne(input: string, output: string, target: ResolvedTransferSyntax, options: TranscodeCommandOptions, settings: TranscodeOptions): Promise<FileResult> {
  try {
    if (resolve(output) === resolve(input)) throw new UsageError(`${input}: the output would overwrite the input; choose another -o`);
    if (options.force !== true && (await exists(output))) throw new UsageError(`${output} exists: pass --force to overwrite it`);
    const file = await readDicomFile(input, settings.signal !== undefined ? { signal: settings.signal } : {});
    const out = await transcode(file, target.uid, settings);
    const bytes = writeDicom(out);
    await mkdir(dirname(output), { recursive: true });
    await writeFileAtomic(output, bytes, settings.signal);
    const bytesIn = (await stat(input)).size;
    // A lossy encode is a new instance (transcode gives it a new SOP Instance UID); nothing else changes the UID.
    const lossy = getString(out.dataset, 0x00080018) !== getString(file.dataset, 0x00080018);
    return { input, ok: true, output, transferSyntaxUID: target.uid, bytesIn, bytesOut: bytes.length, lossy, sopInstanceUID: getString(out.dataset, 0x00080018) };
  } catch (error) {
    if (isDicomError(error, 'CORE_ABORTED')) throw error;
    if (error instanceof UsageError) return { input, ok: false, output, error: { code: 'USAGE', message: error.message } };
    if (!looksLikeDicomError(error)) throw error;
    return { input, ok: false, output, error: { code: error.code, message: oneLine(error.file !== undefined ? error.message : `${input}: ${error.message}`) } };
  }
}

/** The (input, output) pairs: one file, or every DICOM file under a folder (listed before anything is written). */
async function plan(input: string, target: ResolvedTransferSyntax, options: TranscodeCommandOptions, context: CommandContext): Promise<{ folder: boolean; pairs: [string, string][] }> {
  if (!(await isFolder(input))) {
    const output = options.output === undefined
      ? join(dirname(input), defaultOutputName(input, target.alias))
      : (await isFolder(options.output)) ? join(options.output, defaultOutputName(input, target.alias)) : options.output;
    return { folder: false, pairs: [[input, output]] };
  }
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
  const codecs = createCodecRegistry(createTranscodeCodecs());
  const settings = encodeOptions(options, context, codecs);
  if (!(await exists(input))) throw new UsageError(`${input}: no such file or folder`);
  const { folder, pairs } = await plan(input, target, options, context);
  const results: FileResult[] = [];
  for (const [from, to] of pairs) {
    context.signal.throwIfAborted();
    const result = await transcodeOne(from, to, target, options, settings);
    results.push(result);
    if (!result.ok) context.io.stderr(`dicom-tools: ${result.error.message}${result.error.code === 'USAGE' ? '' : ` [${result.error.code}]`}\n`);
    else if (options.json !== true && options.quiet !== true) {
      context.io.stdout(`${result.input} -> ${result.output} (${transferSyntaxInfo(target.uid).name}, ${ratioText(result)}${result.lossy ? ', lossy: new SOP Instance UID' : ''})\n`);
    }
  }
  const failed = results.filter((r) => !r.ok).length;
  if (options.json === true) printJson(context.io, { transferSyntaxUID: target.uid, alias: target.alias, ok: results.length - failed, failed, files: results });
  if (failed === 0) return ExitCodes.ok;
  return folder ? ExitCodes.batchFailures : ExitCodes.failed;
}
