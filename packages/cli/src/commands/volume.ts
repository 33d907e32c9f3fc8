import { writeFileAtomic } from '@dicom-tools/core';
import { buildSidecar, encodeNpy, npyAxes, renderPreview, writeNifti } from '@dicom-tools/volume';
import type { CommandContext, CommonOptions } from '../context.js';
import { ExitCodes } from '../exit-codes.js';
import { printJson } from '../_print-json.js';
import { UsageError } from '../_usage-error.js';
import { outputPath, printWarnings, readSeriesVolume, selectSeries, seriesJson, stemOf, volumeJson, volumeSummary, type VolumeInputOptions } from '../_volume-command.js';
import { ensureParent } from '../_paths.js';

/** Flags of `dicom-tools volume`. */
export interface VolumeOptions extends CommonOptions, VolumeInputOptions {
  /** Output file; default next to the input. */
  readonly output?: string;
  /** `npy` (default) or `nii`. */
  readonly format?: string;
  /** Also write a PNG of three planes through the middle (OUT.png). */
  readonly preview?: boolean;
  readonly includePhi?: boolean;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/**
 * `dicom-tools volume DIR`: the raw volume for other tools. `--format npy` (default) writes OUT.npy, a C-order
 * array of shape (slices, rows, columns) (volumes first for 4-D) of the stored values, and OUT.json, the sidecar
 * plus ArrayAxes, ArrayShape and ArrayDtype (AffineLPS/AffineRAS map (column, row, slice) indices, that is
 * `array[k][j][i]`, to mm). `--format nii` writes uncompressed NIfTI (`.nii`, or `.nii.gz` when -o says so).
 */
export async function runVolume(input: string, options: VolumeOptions, context: CommandContext): Promise<number> {
  const format = options.format ?? 'npy';
  if (format !== 'npy' && format !== 'nii') throw new UsageError(`--format must be npy or nii, not ${format}`);
  const extension = format === 'npy' ? '.npy' : options.output?.endsWith('.nii.gz') === true ? '.nii.gz' : '.nii';
  const chosen = await selectSeries(input, options, context);
  const outputs: Record<string, unknown>[] = [];
  for (const [n, series] of chosen.entries()) {
    context.signal.throwIfAborted();
    const volume = await readSeriesVolume(series, options, context);
    const output = outputPath(input, options.output, extension, n, chosen.length);
    await ensureParent(output);
    const stem = stemOf(output);
    const sidecar = { ...buildSidecar(volume, { includePhi: options.includePhi === true }) } as Record<string, unknown>;
    if (format === 'npy') {
      await writeFileAtomic(output, concat(encodeNpy(volume)), context.signal);
      const shape = [...volume.dimensions].reverse();
      if (volume.voxelType === 'rgb24') shape.push(3);
      Object.assign(sidecar, {
        ArrayAxes: npyAxes(volume),
        ArrayShape: shape,
        ArrayDtype: volume.voxelType === 'rgb24' ? 'uint8' : volume.voxelType,
        ArrayNote: 'array[k][j][i] is voxel (i column, j row, k slice) of AffineLPS/AffineRAS; stored values: real = RescaleSlope * value + RescaleIntercept',
      });
    } else {
      await writeNifti(output, volume, { compress: extension === '.nii.gz', signal: context.signal });
    }
    const sidecarPath = `${stem}.json`;
    await writeFileAtomic(sidecarPath, new TextEncoder().encode(`${JSON.stringify(sidecar, null, 2)}\n`), context.signal);
    let preview: string | undefined;
    if (options.preview === true) {
      preview = `${stem}.png`;
      await writeFileAtomic(preview, await renderPreview(volume), context.signal);
    }
    outputs.push({ output, sidecar: sidecarPath, ...(preview !== undefined ? { preview } : {}), series: seriesJson(series), ...volumeJson(volume) });
    if (options.json !== true) {
      printWarnings(series, volume, context);
      if (options.quiet !== true) context.io.stdout(`${output}: ${volumeSummary(volume)} from ${series.images.length} image(s) of ${series.id} (sidecar ${sidecarPath}${preview !== undefined ? `, preview ${preview}` : ''})\n`);
    }
  }
  if (options.json === true) printJson(context.io, { outputs });
  return ExitCodes.ok;
}
