import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CodecRegistry, DicomFile } from '@dicom-tools/core';
import { store, type StoreResult, type TranscodeFunction } from '@dicom-tools/network';
import type { CommandContext } from '../context.js';
import { ExitCodes } from '../exit-codes.js';
import { printJson } from '../_print-json.js';
import { UsageError } from '../_usage-error.js';
import { scuSettings, type ScuFlags } from './_network-flags.js';
import { createStoreProgress, wantsProgress } from './_network-progress.js';
import { statusText } from './_network-output.js';

/** Flags of `dicom-tools store`. */
export interface StoreOptions extends ScuFlags {
  /** Parallel associations. */
  readonly associations?: string;
  /** Progress on stderr: true (--progress) shows it anywhere, false (--no-progress) never; default: on a terminal. */
  readonly progress?: boolean;
}

/**
 * Files named, and every file under the folders named (recursively; dot files and DICOMDIR left out). Whether a
 * file is DICOM is found when it is scanned for sending: files from folders that are not DICOM are skipped.
 */
async function expand(inputs: readonly string[]): Promise<{ files: string[]; fromFolders: Set<string> }> {
  const files: string[] = [];
  const fromFolders = new Set<string>();
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (info?.isDirectory() !== true) {
      files.push(input);
      continue;
    }
    const entries = await readdir(input, { recursive: true, withFileTypes: true });
    const found = entries
      .filter((e) => e.isFile() && !e.name.startsWith('.') && e.name.toUpperCase() !== 'DICOMDIR')
      .map((e) => join(e.parentPath, e.name))
      .sort();
    for (const f of found) {
      files.push(f);
      fromFolders.add(f);
    }
  }
  return { files, fromFolders };
}

/** Converts with @dicom-tools/transcode's codecs, loaded on first use only. */
function lazyTranscode(signal: AbortSignal): TranscodeFunction {
  let codecs: Promise<{ registry: CodecRegistry; run: (f: DicomFile, ts: string, o: { codecs: CodecRegistry; signal: AbortSignal }) => Promise<DicomFile> }> | undefined;
  return async (file, syntax) => {
    codecs ??= Promise.all([import('@dicom-tools/core'), import('@dicom-tools/transcode')]).then(([core, t]) => ({
      registry: core.createCodecRegistry(t.createTranscodeCodecs()),
      run: t.transcode,
    }));
    const { registry, run } = await codecs;
    return run(file, syntax, { codecs: registry, signal });
  };
}

function resultJson(r: StoreResult): object {
  return {
    file: r.file, sopInstanceUID: r.sopInstanceUid, sopClassUID: r.sopClassUid, transferSyntaxUID: r.transferSyntaxUid,
    ...(r.status ? { status: r.status.status, category: r.status.category } : {}),
    ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}),
  };
}

/**
 * `dicom-tools store FILES|DIRS...`: C-STORE over one association (or `--associations N`). Every file gets a
 * result; exit 0 when all were stored, 3 when some failed, 1 when none could be.
 */
export async function runStore(inputs: readonly string[], flags: StoreOptions, context: CommandContext): Promise<number> {
  const { peer, options } = scuSettings(flags, context.signal);
  const associations = flags.associations !== undefined ? Number(flags.associations) : 1;
  if (!Number.isInteger(associations) || associations < 1 || associations > 64) throw new UsageError(`--associations takes 1 to 64, not "${flags.associations}"`);
  const { files, fromFolders } = await expand(inputs);
  if (files.length === 0) throw new UsageError('no DICOM files to send');
  const skipped = (r: StoreResult): boolean => r.file !== undefined && fromFolders.has(r.file) && r.error?.code === 'CORE_NOT_DICOM';
  const tty = process.stderr.isTTY === true;
  const progress = wantsProgress(flags.progress, tty, flags.quiet === true, flags.json === true) ? createStoreProgress({ write: context.io.stderr, tty }) : undefined;
  let failures = 0;
  const report = await store(peer, files, {
    ...options,
    associations,
    transcode: lazyTranscode(context.signal),
    onProgress: (r, done, total) => {
      const failedOne = r.status?.category !== 'success' && r.status?.category !== 'warning' && !skipped(r);
      if (failedOne) failures++;
      if (flags.json !== true && flags.quiet !== true && r.status?.category !== 'success' && !skipped(r)) {
        const name = r.file ?? r.sopInstanceUid;
        const why = r.status ? statusText(r.status) : `${(r.error?.message ?? 'not sent').replace(`${name}: `, '')} [${r.error?.code ?? ''}]`;
        progress?.interrupt();
        context.io.stderr(`${name}: ${why}\n`);
      }
      progress?.update(done, total, failures);
    },
  });
  progress?.end();
  // Files of a folder that are not DICOM are skipped, not failures.
  const results = report.results.filter((r) => !skipped(r));
  const failed = report.failed - (report.results.length - results.length);
  if (results.length === 0) throw new UsageError('no DICOM files to send');
  if (flags.json === true) printJson(context.io, { succeeded: report.succeeded, warnings: report.warnings, failed, skipped: report.results.length - results.length, results: results.map(resultJson) });
  else if (flags.quiet !== true) context.io.stdout(`${report.succeeded + report.warnings} of ${results.length} stored (${report.warnings} with warnings), ${failed} failed${results.length < files.length ? `, ${files.length - results.length} non-DICOM files skipped` : ''}\n`);
  if (failed === 0) return ExitCodes.ok;
  return failed === results.length ? ExitCodes.failed : ExitCodes.batchFailures;
}
