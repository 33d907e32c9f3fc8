import { writeFileAtomic } from '@dicom-tools/core';
import { buildSidecar, convertToNifti, type VolumeInfo, type VolumeSeries } from '@dicom-tools/volume';
import type { CommandContext, CommonOptions } from '../context.js';
import { ExitCodes } from '../exit-codes.js';
import { printJson } from '../_print-json.js';
import { UsageError } from '../_usage-error.js';
import { outputPath, printWarnings, readOptionsFor, selectSeries, seriesJson, stemOf, volumeJson, volumeSummary, type VolumeInputOptions } from '../_volume-command.js';
import { ensureParent } from '../_paths.js';

/** Flags of `dicom-tools nifti`. */
export interface NiftiOptions extends CommonOptions, VolumeInputOptions {
  /** Output file (`.nii.gz`, or `.nii`); default next to the input. */
  readonly output?: string;
  /** commander's negation of `--no-compress`: false writes `.nii`. */
  readonly compress?: boolean;
  /** Sidecar path, or false (`--no-sidecar`). Default: the output's stem + `.json`. */
  readonly sidecar?: string | boolean;
  readonly includePhi?: boolean;
}

/** One converted volume, as text and --json report it. */
interface Converted {
  readonly series: VolumeSeries;
  readonly output: string;
  readonly sidecar: string | undefined;
  readonly volume: VolumeInfo;
}

function extensionFor(options: NiftiOptions): string {
  const output = options.output;
  if (options.compress === false) {
    if (output?.endsWith('.gz') === true) throw new UsageError(`--no-compress writes .nii, but -o names ${output}`);
    return '.nii';
  }
  return output?.endsWith('.nii') === true ? '.nii' : '.nii.gz';
}

/**
 * `dicom-tools nifti DIR`: finds the volumes in DIR (a folder, searched recursively, or one file), converts the
 * one chosen (`--series-uid`, the only one, or every one with `--all`) to NIfTI with a JSON sidecar. Warnings
 * (gaps allowed, variable spacing, gantry tilt) go to stderr. Exit 0, or 1 when a volume cannot be made.
 */
export async function runNifti(input: string, options: NiftiOptions, context: CommandContext): Promise<number> {
  const extension = extensionFor(options);
  const chosen = await selectSeries(input, options, context);
  const converted: Converted[] = [];
  for (const [n, series] of chosen.entries()) {
    context.signal.throwIfAborted();
    const output = outputPath(input, options.output, extension, n, chosen.length);
    await ensureParent(output);
    // Uncompressed output of native slices streams from the files to the .nii without holding the volume.
    const volume = await convertToNifti(series, output, { ...(await readOptionsFor(series, options, context)), compress: extension === '.nii.gz' });
    let sidecar: string | undefined;
    if (options.sidecar !== false) {
      sidecar = typeof options.sidecar === 'string' ? outputPath(input, options.sidecar, '.json', n, chosen.length) : `${stemOf(output)}.json`;
      const json = buildSidecar(volume, { includePhi: options.includePhi === true });
      await ensureParent(sidecar);
      await writeFileAtomic(sidecar, new TextEncoder().encode(`${JSON.stringify(json, null, 2)}\n`), context.signal);
    }
    converted.push({ series, output, sidecar, volume });
    if (options.json !== true) {
      printWarnings(series, volume, context);
      if (options.quiet !== true) context.io.stdout(`${output}: ${volumeSummary(volume)} from ${series.images.length} image(s) of ${series.id}${sidecar !== undefined ? ` (sidecar ${sidecar})` : ''}\n`);
    }
  }
  if (options.json === true) {
    printJson(context.io, {
      outputs: converted.map((c) => ({ output: c.output, ...(c.sidecar !== undefined ? { sidecar: c.sidecar } : {}), series: seriesJson(c.series), ...volumeJson(c.volume) })),
    });
  }
  return ExitCodes.ok;
}
