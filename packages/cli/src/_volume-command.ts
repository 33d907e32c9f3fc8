import { basename, dirname, extname, resolve } from 'node:path';
import { DicomError, transferSyntaxInfo, type CodecRegistry } from '@dicom-tools/core';
import { findVolumeSeries, readVolume, type ReadVolumeOptions, type SkippedInput, type Volume, type VolumeInfo, type VolumeSeries } from '@dicom-tools/volume';
import type { CommandContext } from './context.js';
import { oneLine } from './_report-error.js';

/** Flags the `nifti` and `volume` commands share. */
export interface VolumeInputOptions {
  /** Series Instance UID (or a listed id such as `UID#2`) to convert. */
  readonly seriesUid?: string;
  /** Convert every volume found instead of failing when there are several. */
  readonly all?: boolean;
  readonly allowGaps?: boolean;
  readonly correctTilt?: boolean;
}

/** One line describing a found volume: id, description, image count, modality. */
export function seriesLine(series: VolumeSeries): string {
  const description = series.seriesDescription !== undefined ? oneLine(series.seriesDescription) : '(no description)';
  return `${series.id}  ${series.modality ?? '??'}  ${series.images.length} image(s)  ${description}${series.splitBy !== undefined ? `  [split by ${series.splitBy}]` : ''}`;
}

/** A found volume as --json prints it. */
export function seriesJson(series: VolumeSeries): Record<string, unknown> {
  return {
    id: series.id,
    seriesInstanceUID: series.seriesInstanceUID,
    ...(series.seriesNumber !== undefined ? { seriesNumber: series.seriesNumber } : {}),
    ...(series.seriesDescription !== undefined ? { seriesDescription: series.seriesDescription } : {}),
    ...(series.modality !== undefined ? { modality: series.modality } : {}),
    images: series.images.length,
    files: series.files.length,
    ...(series.splitBy !== undefined ? { splitBy: series.splitBy } : {}),
  };
}

/** Files shown by name, with why they were passed over, when no volume was found. */
const SHOWN_SKIPPED = 3;

/** ` (N file(s) passed over: PATH: REASON; ...)`, the first few in path order: why nothing was found. */
function passedOver(skipped: readonly SkippedInput[]): string {
  if (skipped.length === 0) return ' (no files)';
  const byPath = [...skipped].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const shown = byPath.slice(0, SHOWN_SKIPPED).map((s) => `${s.path}: ${oneLine(s.reason)}`).join('; ');
  const more = skipped.length > SHOWN_SKIPPED ? `; ${skipped.length - SHOWN_SKIPPED} more` : '';
  return ` (${skipped.length} file(s) passed over: ${shown}${more})`;
}

/**
 * The volumes to convert in `input`: the one `--series-uid` names, or the only one, or all with `--all`. With
 * several and no choice, lists them on stderr and throws VOLUME_SEVERAL_SERIES.
 */
export async function selectSeries(input: string, options: VolumeInputOptions, context: CommandContext): Promise<readonly VolumeSeries[]> {
  const found = await findVolumeSeries(input, { signal: context.signal });
  if (found.series.length === 0) {
    throw new DicomError('VOLUME_NO_IMAGES', `no image with a plane geometry (Image Orientation/Position (Patient), Pixel Spacing) in ${input}${passedOver(found.skipped)}`);
  }
  let chosen = found.series;
  const uid = options.seriesUid;
  if (uid !== undefined) {
    chosen = found.series.filter((s) => s.id === uid || s.seriesInstanceUID === uid);
    if (chosen.length === 0) {
      context.io.stderr(`volumes in ${input}:\n${found.series.map((s) => `  ${seriesLine(s)}`).join('\n')}\n`);
      throw new DicomError('VOLUME_NO_IMAGES', `no series ${uid} in ${input}`);
    }
  }
  if (chosen.length > 1 && options.all !== true) {
    context.io.stderr(`volumes in ${input}:\n${chosen.map((s) => `  ${seriesLine(s)}`).join('\n')}\n`);
    throw new DicomError('VOLUME_SEVERAL_SERIES', `${chosen.length} volumes in ${input}: pick one with --series-uid ID, or convert all with --all`);
  }
  return chosen;
}

/** The CLI's codecs when any file of the series is compressed (loading WASM only then), else undefined. */
export async function codecsForSeries(series: VolumeSeries): Promise<CodecRegistry | undefined> {
  const compressed = [...series.headers.values()].some((h) => transferSyntaxInfo(h.transferSyntaxUID).encapsulated);
  if (!compressed) return undefined;
  const [{ createCodecRegistry }, { createTranscodeCodecs }] = await Promise.all([import('@dicom-tools/core'), import('@dicom-tools/transcode')]);
  return createCodecRegistry(createTranscodeCodecs());
}

/** The options of reading a found series from the flags, with the CLI's codecs when its files are compressed. */
export async function readOptionsFor(series: VolumeSeries, options: VolumeInputOptions, context: CommandContext): Promise<ReadVolumeOptions> {
  const codecs = await codecsForSeries(series);
  return {
    signal: context.signal,
    ...(options.allowGaps === true ? { allowGaps: true } : {}),
    ...(options.correctTilt === true ? { correctTilt: true } : {}),
    ...(codecs !== undefined ? { codecs } : {}),
  };
}

/** Reads the volume of a found series with the flags' options and, for compressed files, the CLI's codecs. */
export async function readSeriesVolume(series: VolumeSeries, options: VolumeInputOptions, context: CommandContext): Promise<Volume> {
  return readVolume(series, await readOptionsFor(series, options, context));
}

/** Prints a volume's warnings on stderr, one line each. */
export function printWarnings(series: VolumeSeries, volume: VolumeInfo, context: CommandContext): void {
  for (const warning of volume.warnings) context.io.stderr(`dicom-tools: warning: ${series.id}: ${oneLine(warning.message)} [${warning.code}]\n`);
}

/**
 * Where output n of `count` goes: `-o` (with `-N` before the extension when there are several), or by default
 * next to the input, never inside it: `DIR.nii.gz` beside folder `DIR`, `FILE.nii.gz` beside a file without its
 * `.dcm`.
 */
export function outputPath(input: string, output: string | undefined, extension: string, index: number, count: number): string {
  const suffix = count > 1 ? `-${index + 1}` : '';
  if (output !== undefined) {
    const stem = output.endsWith(extension) ? output.slice(0, -extension.length) : output;
    return `${stem}${suffix}${extension}`;
  }
  const full = resolve(input);
  const name = basename(full, extname(full) === '.dcm' ? '.dcm' : '');
  return resolve(dirname(full), `${name}${suffix}${extension}`);
}

/** `path` without its extension (`.nii.gz`, `.nii`, `.npy`): the stem sidecars and previews share. */
export function stemOf(path: string): string {
  return path.replace(/(\.nii\.gz|\.nii|\.npy)$/, '');
}

/** The size, type and voxel size of a volume in one phrase: `224x256x20 uint16, 0.85x0.9x4.4 mm`. */
export function volumeSummary(volume: VolumeInfo): string {
  const mm = volume.spacing.map((v) => Number(v.toFixed(4))).join('x');
  return `${volume.dimensions.join('x')} ${volume.voxelType}, ${mm} mm`;
}

/** A volume as --json reports it. */
export function volumeJson(volume: VolumeInfo): Record<string, unknown> {
  return {
    dimensions: volume.dimensions,
    voxelType: volume.voxelType,
    spacing: volume.spacing,
    affineRas: volume.affineRas,
    rescale: volume.rescale,
    ...(volume.fourthDimension !== undefined ? { fourthDimension: volume.fourthDimension } : {}),
    ...(volume.tilt !== undefined ? { tilt: volume.tilt } : {}),
    warnings: volume.warnings,
  };
}
