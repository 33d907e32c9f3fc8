import { stat } from 'node:fs/promises';
import { findDicomFiles, type CodecRegistry, type DicomFile } from '@dicom-tools/core';
import { store, type StoreResult, type TranscodeFunction } from '@dicom-tools/network';
import type { CommandContext } from '../context.js';
import { ExitCodes } from '../exit-codes.js';
import { printJson } from '../_print-json.js';
import { UsageError } from '../_usage-error.js';
import { scuSettings, type ScuFlags } from './_network-flags.js';
import { statusText } from './_network-output.js';

/** Flags of `dicom-tools store`. */
export interface StoreOptions extends ScuFlags {
  /** Parallel associations. */
  readonly associations?: string;
  /** Show a progress line on stderr. */
  readonly progress?: boolean;
}

/** Files named, and the DICOM files found (recursively) in the folders named. */
async function expand(inputs: readonly string[], signal: AbortSignal): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (info?.isDirectory() === true) {
      for await (const found of findDicomFiles(input, { signal })) if (!found.skipped) files.push(found.path);
    } else {
      files.push(input);
    }
  }
  return files;
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
  const files = await expand(inputs, context.signal);
  if (files.length === 0) throw new UsageError('no DICOM files to send');
  const report = await store(peer, files, {
    ...options,
    associations,
    transcode: lazyTranscode(context.signal),
    onProgress: (r, done, total) => {
      if (flags.progress === true) context.io.stderr(`\rstored ${done}/${total}${done === total ? '\n' : ''}`);
      if (flags.json !== true && flags.quiet !== true && r.status?.category !== 'success') {
        const name = r.file ?? r.sopInstanceUid;
        const why = r.status ? statusText(r.status) : `${(r.error?.message ?? 'not sent').replace(`${name}: `, '')} [${r.error?.code ?? ''}]`;
        context.io.stderr(`${name}: ${why}\n`);
      }
    },
  });
  if (flags.json === true) printJson(context.io, { succeeded: report.succeeded, warnings: report.warnings, failed: report.failed, results: report.results.map(resultJson) });
  else if (flags.quiet !== true) context.io.stdout(`${report.succeeded + report.warnings} of ${files.length} stored (${report.warnings} with warnings), ${report.failed} failed\n`);
  if (report.failed === 0) return ExitCodes.ok;
  return report.failed === files.length ? ExitCodes.failed : ExitCodes.batchFailures;
}
