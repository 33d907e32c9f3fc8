import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { anonymize, anonymizeBytes, parseProfileOption, type AnonymizeReport, type ProfileOptionName } from '@dicom-tools/anonymize';
import { createDataset, findDicomFiles, formatTag, isDicomError, withFile, writeFileAtomic, type DicomFile } from '@dicom-tools/core';
import type { CommandContext, CommonOptions } from '../context.js';
import { checkOutputFolder, createOutputNamer, kindOf, readInto, sameFile, uidMapCsv, writeChunksAtomic, type ReadSlot } from '../_anonymize-output.js';
import { printJson } from '../_print-json.js';
import { errorLine, looksLikeDicomError } from '../_report-error.js';
import { ExitCodes } from '../exit-codes.js';
import { UsageError } from '../_usage-error.js';

/** Flags of `dicom-tools anonymize`. */
export interface AnonymizeOptions extends CommonOptions {
  /** Output file (for a file) or folder (for a folder). */
  readonly output?: string;
  /** The secret keying UIDs, pseudonyms and date shifts. */
  readonly secret?: string;
  /** A file holding the secret (one trailing newline is ignored). */
  readonly secretFile?: string;
  /** `basic` or `seed`. */
  readonly profile?: string;
  /** PS3.15 options by name (repeatable; each entry may hold several, comma-separated). */
  readonly option?: readonly string[];
  /** Prefix of the patient pseudonym. */
  readonly patientPrefix?: string;
  /** `MIN..MAX` days for retainLongitudinalModifiedDates. */
  readonly dateShiftRange?: string;
  /** Write the UID map (original,replacement) as CSV here. */
  readonly uidMap?: string;
  /** Report only; write nothing. */
  readonly dryRun?: boolean;
}

/** How many files are read, anonymized and written at once (I/O overlaps with the work of the others). */
const CONCURRENCY = 4;

interface Settings {
  readonly secret: string | Uint8Array;
  readonly secretSource: 'given' | 'file' | 'random';
  readonly profile: 'basic' | 'seed';
  readonly options: ProfileOptionName[];
  readonly patientPrefix?: string;
  readonly dateShiftRange?: [number, number];
}

type FileOutcome =
  | { readonly input: string; readonly output?: string; readonly ok: true; readonly report: AnonymizeReport }
  | { readonly input: string; readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

async function settingsOf(options: AnonymizeOptions): Promise<Settings> {
  if (options.secret !== undefined && options.secretFile !== undefined) throw new UsageError('give either --secret or --secret-file, not both');
  let secret: string | Uint8Array;
  let secretSource: Settings['secretSource'];
  if (options.secretFile !== undefined) {
    let text: string;
    try {
      text = await readFile(options.secretFile, 'utf8');
    } catch (error) {
      throw new UsageError(`${options.secretFile}: cannot read the secret file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
    }
    secret = text.replace(/\r?\n$/, '');
    secretSource = 'file';
  } else if (options.secret !== undefined) {
    secret = options.secret;
    secretSource = 'given';
  } else {
    secret = randomBytes(32);
    secretSource = 'random';
  }
  if (secret.length === 0) throw new UsageError('the secret is empty');
  const profile = options.profile ?? 'basic';
  if (profile !== 'basic' && profile !== 'seed') throw new UsageError(`unknown profile "${profile}": use basic or seed`);
  const selected: ProfileOptionName[] = [];
  for (const entry of options.option ?? []) {
    for (const name of entry.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      try {
        selected.push(parseProfileOption(name));
      } catch (error) {
        throw new UsageError(isDicomError(error) ? error.message : String(error), { cause: error });
      }
    }
  }
  if (selected.includes('retainLongitudinalFullDates') && selected.includes('retainLongitudinalModifiedDates')) {
    throw new UsageError('retainLongitudinalFullDates and retainLongitudinalModifiedDates exclude each other: choose one');
  }
  let dateShiftRange: [number, number] | undefined;
  if (options.dateShiftRange !== undefined) {
    const m = /^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$/.exec(options.dateShiftRange);
    if (!m || Number(m[1]) > Number(m[2])) throw new UsageError(`--date-shift-range must be MIN..MAX whole days, MIN <= MAX (e.g. -3650..-365), not "${options.dateShiftRange}"`);
    dateShiftRange = [Number(m[1]), Number(m[2])];
  }
  const settings: Settings = {
    secret, secretSource, profile, options: selected,
    ...(options.patientPrefix !== undefined ? { patientPrefix: options.patientPrefix } : {}),
    ...(dateShiftRange !== undefined ? { dateShiftRange } : {}),
  };
  try {
    anonymize(createDataset(), settings); // the library's own checks of the options, before any file is read
  } catch (error) {
    throw new UsageError(isDicomError(error) ? error.message : String(error), { cause: error });
  }
  return settings;
}

function firstText(file: DicomFile, tag: number): string | undefined {
  const e = file.dataset.elements.get(tag);
  const v = e !== undefined && Array.isArray(e.value) ? (e.value as readonly unknown[])[0] : undefined;
  return typeof v === 'string' ? v : undefined;
}

function tally(report: AnonymizeReport): string {
  const by = (code: string): number => report.actions.filter((a) => a.action === code).length;
  const parts = [`${by('X')} removed`, `${by('Z') + by('D')} emptied or replaced`, `${by('C')} cleaned`, `${report.uidsReplaced} UIDs replaced`];
  if (report.burnedInRisk.length > 0) parts.push(`burned-in text possible: ${report.burnedInRisk.join(', ')}`);
  return parts.join(', ');
}

/**
 * `dicom-tools anonymize IN [-o OUT]`: de-identifies a file, or every DICOM file of a folder (mirrored into the
 * output folder under names that carry no PHI), by PS3.15's Basic Profile and the chosen options. Never writes
 * over the input; `--dry-run` reports and writes nothing. Exit 0, 1 (a single file failed), 2 (usage), 3 (some
 * files of a folder failed).
 */
export async function runAnonymize(input: string, options: AnonymizeOptions, context: CommandContext): Promise<number> {
  const settings = await settingsOf(options);
  const dryRun = options.dryRun === true;
  if (!dryRun && options.output === undefined) throw new UsageError(`${input}: give -o OUT for the anonymized copy, or --dry-run to see what would be done`);
  const kind = await kindOf(input);
  if (kind === undefined) throw withFile(new Error('no such file or folder'), input, 'CORE_IO');
  if (options.uidMap !== undefined && (resolve(options.uidMap) === resolve(input) || (await sameFile(options.uidMap, input)))) {
    throw new UsageError(`${options.uidMap}: --uid-map names the input`);
  }
  const uidMap = new Map<string, string>();
  const anonymizeOptions = {
    secret: settings.secret, profile: settings.profile, options: settings.options, uidMap,
    ...(settings.patientPrefix !== undefined ? { patientPrefix: settings.patientPrefix } : {}),
    ...(settings.dateShiftRange !== undefined ? { dateShiftRange: settings.dateShiftRange } : {}),
  };
  const outcomes: FileOutcome[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const madeFolders = new Map<string, Promise<unknown>>();
  const folderFor = (path: string): Promise<unknown> => {
    const folder = dirname(path);
    let made = madeFolders.get(folder);
    if (made === undefined) madeFolders.set(folder, (made = mkdir(folder, { recursive: true })));
    return made;
  };

  const one = async (path: string, slot: ReadSlot, target: (file: DicomFile) => Promise<string | undefined>): Promise<FileOutcome> => {
    try {
      const bytes = await readInto(path, slot, context.signal);
      const result = anonymizeBytes(bytes, { ...anonymizeOptions, fileName: path });
      const output = await target(result.file);
      if (output !== undefined) {
        await folderFor(output);
        await writeChunksAtomic(output, result.chunks, context.signal);
      }
      return { input: path, ...(output !== undefined ? { output } : {}), ok: true, report: result.report };
    } catch (error) {
      if (context.signal.aborted || !looksLikeDicomError(error)) throw error;
      return { input: path, ok: false, error: { code: error.code, message: error.message } };
    }
  };

  if (kind === 'file') {
    let target: (file: DicomFile) => Promise<string | undefined> = () => Promise.resolve(undefined);
    if (!dryRun) {
      const out = options.output!;
      const outKind = await kindOf(out);
      if (resolve(out) === resolve(input) || (await sameFile(out, input))) throw new UsageError(`${input}: -o names the input file itself: anonymize never writes over its input`);
      target = (file) => Promise.resolve(outKind === 'directory' ? join(out, `${firstText(file, 0x00080018) ?? 'anonymized'}.dcm`) : out);
    }
    outcomes.push(await one(input, { buffer: Buffer.alloc(0) }, target));
  } else {
    if (!dryRun) {
      if ((await kindOf(options.output!)) === 'file') throw new UsageError(`${options.output!}: the input is a folder, so -o must be a folder, not a file`);
      checkOutputFolder(input, options.output!);
    }
    const name = createOutputNamer(input, options.output ?? input, settings.secret);
    const paths: string[] = [];
    for await (const found of findDicomFiles(input, { signal: context.signal })) {
      if (found.skipped) skipped.push({ path: found.path, reason: found.reason });
      else paths.push(found.path);
    }
    paths.sort();
    const results = new Array<FileOutcome>(paths.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      const slot: ReadSlot = { buffer: Buffer.alloc(0) };
      while (next < paths.length) {
        const i = next++;
        const path = paths[i]!;
        results[i] = await one(path, slot, (file) => Promise.resolve(dryRun ? undefined : name(path, firstText(file, 0x00080018))));
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, paths.length) }, worker));
    outcomes.push(...results);
  }

  if (!dryRun && options.uidMap !== undefined) await writeFileAtomic(options.uidMap, new TextEncoder().encode(uidMapCsv(uidMap)), context.signal);
  const failed = outcomes.filter((o) => !o.ok).length;
  const secretNote = settings.secretSource === 'random'
    ? 'random, used for this run only and not saved: UIDs and pseudonyms cannot be reproduced (give --secret or --secret-file to reproduce them)'
    : `from ${settings.secretSource === 'file' ? '--secret-file' : '--secret'}`;

  if (options.json === true) {
    printJson(context.io, {
      profile: settings.profile,
      options: settings.options,
      secret: settings.secretSource,
      dryRun,
      files: outcomes.map((o) => (o.ok ? { ...o, report: { ...o.report, actions: o.report.actions.map((a) => ({ ...a, tag: formatTag(a.tag) })) } } : o)),
      skipped,
      uidsMapped: uidMap.size,
      ...(options.uidMap !== undefined && !dryRun ? { uidMap: options.uidMap } : {}),
    });
  } else {
    for (const outcome of outcomes) {
      if (!outcome.ok) {
        context.io.stderr(`${errorLine({ name: 'DicomError', code: outcome.error.code, message: outcome.error.message, file: outcome.input })}\n`);
        continue;
      }
      if (options.quiet === true) continue;
      const where = outcome.output !== undefined ? ` -> ${outcome.output}` : dryRun ? ' (dry run: nothing written)' : '';
      context.io.stdout(`${outcome.input}${where}: ${tally(outcome.report)}\n`);
      for (const warning of outcome.report.warnings) context.io.stdout(`  note: ${warning}\n`);
    }
    if (options.quiet !== true) {
      const done = outcomes.length - failed;
      context.io.stdout(`${dryRun ? 'would anonymize' : 'anonymized'} ${done} file${done === 1 ? '' : 's'}` +
        `${failed > 0 ? `, ${failed} failed` : ''}${skipped.length > 0 ? `, ${skipped.length} skipped (not DICOM)` : ''}; ` +
        `profile ${settings.profile}${settings.options.length > 0 ? ` with ${settings.options.join(', ')}` : ''}; secret ${secretNote}\n`);
      if (options.uidMap !== undefined) context.io.stdout(dryRun ? 'UID map not written (dry run)\n' : `UID map (${uidMap.size} UIDs) written to ${options.uidMap}\n`);
      const risky = outcomes.filter((o) => o.ok && o.report.burnedInRisk.length > 0).length;
      if (risky > 0) context.io.stdout(`${risky} file${risky === 1 ? '' : 's'} may show identifying text burned into the pixels: check the images (pixel data is never changed)\n`);
    }
  }
  if (failed === 0) return ExitCodes.ok;
  return kind === 'file' ? ExitCodes.failed : ExitCodes.batchFailures;
}
