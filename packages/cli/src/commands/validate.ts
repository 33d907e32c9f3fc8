import { formatTag, validate, type DicomFile, type Finding } from '@dicom-tools/core';
import type { CommandContext, CommonOptions } from '../context.js';
import { printJson } from '../_print-json.js';
import { ExitCodes } from '../exit-codes.js';
import { readInput } from '../_read-input.js';
import { errorLine, looksLikeDicomError, oneLine } from '../_report-error.js';
import { createStyle } from '../_style.js';

/** Flags of `dicom-tools validate`. */
export interface ValidateOptions extends CommonOptions {
  /** Rule ids (or prefixes such as `vr-format`) to leave out; each entry may hold several, comma-separated. */
  readonly ignoreRules?: readonly string[];
  /** Read only up to Pixel Data (faster; Pixel Data is then not checked). */
  readonly headerOnly?: boolean;
}

/** A finding as `--json` prints it: the tag as `(gggg,eeee)`. */
interface FindingJson {
  readonly severity: string;
  readonly rule: string;
  readonly tag?: string;
  readonly keyword?: string;
  readonly path: string;
  readonly message: string;
}

/** One file's result in `--json` output. */
type FileResult =
  | { readonly file: string; readonly readable: true; readonly valid: boolean; readonly findings: readonly FindingJson[] }
  | { readonly file: string; readonly readable: false; readonly error: { readonly code: string; readonly message: string } };

function findingJson(f: Finding): FindingJson {
  return {
    severity: f.severity,
    rule: f.rule,
    ...(f.tag !== undefined ? { tag: formatTag(f.tag) } : {}),
    ...(f.keyword !== undefined ? { keyword: f.keyword } : {}),
    path: f.path,
    message: f.message,
  };
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function textFor(result: Extract<FileResult, { readable: true }>, color: boolean): string[] {
  const style = createStyle(color);
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  const warnings = result.findings.filter((f) => f.severity === 'warning').length;
  const verdict = result.valid ? style.green('valid') : style.red('invalid');
  const tally = [count(errors, 'error'), count(warnings, 'warning')].join(', ');
  const lines = [`${result.file}: ${verdict} (${tally})`];
  for (const f of result.findings) {
    const severity = f.severity === 'error' ? style.red(f.severity.padEnd(7)) : f.severity === 'warning' ? style.yellow(f.severity.padEnd(7)) : style.dim(f.severity.padEnd(7));
    const where = [f.tag, f.path !== '' ? f.path : undefined].filter((x) => x !== undefined).join(' ');
    lines.push(`  ${severity} ${f.rule}${where !== '' ? `  ${where}` : ''}: ${oneLine(f.message)}`);
  }
  return lines;
}

async function validateOne(file: string, options: ValidateOptions, context: CommandContext): Promise<FileResult> {
  const headerOnly = options.headerOnly === true;
  let dicom: DicomFile;
  try {
    dicom = await readInput(file, context, { headerOnly });
  } catch (error) {
    if (!looksLikeDicomError(error) || error.code === 'CORE_ABORTED') throw error;
    context.io.stderr(`${errorLine(error, file)}\n`);
    return { file, readable: false, error: { code: error.code, message: error.message } };
  }
  const ignoreRules = (options.ignoreRules ?? []).flatMap((entry) => entry.split(',')).map((r) => r.trim()).filter((r) => r !== '');
  const report = validate(dicom, { headerOnly, ignoreRules });
  return { file, readable: true, valid: report.valid, findings: report.findings.map(findingJson) };
}

/**
 * `dicom-tools validate FILE...`: checks each file (file meta, VR formats, VM, pixel module, Type 1/2 presence
 * for its IOD). Exit 0 when every file is valid, 1 when one is invalid, 2 when one cannot be read (which
 * wins over invalid). Unreadable files get one line on stderr each and, with `--json`, an entry with `error`.
 */
export async function runValidate(files: readonly string[], options: ValidateOptions, context: CommandContext): Promise<number> {
  const results: FileResult[] = [];
  for (const file of files) {
    context.signal.throwIfAborted();
    const result = await validateOne(file, options, context);
    results.push(result);
    if (options.json !== true && options.quiet !== true && result.readable) {
      context.io.stdout(`${textFor(result, context.color).join('\n')}\n`);
    }
  }
  const unreadable = results.some((r) => !r.readable);
  const invalid = results.some((r) => r.readable && !r.valid);
  if (options.json === true) printJson(context.io, { valid: !unreadable && !invalid, files: results });
  return unreadable ? ExitCodes.usage : invalid ? ExitCodes.failed : ExitCodes.ok;
}
