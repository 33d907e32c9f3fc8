import type { DicomFile } from '@dicom-tools/core';
import { checkAborted } from './_abort.js';
import { assemble, place, placements, voxelsFor } from './_assemble.js';
import { planVolume } from './_plan.js';
import { slicesOf } from './_slices.js';
import type { BuildVolumeOptions, Volume } from './volume.js';

/** Options of {@link buildVolume}. */
export interface BuildVolumeFromFilesOptions extends BuildVolumeOptions {
  /** A name for each file, used in messages and in `Volume.slices` (default `input 1`, `input 2`, ...). */
  readonly names?: readonly string[];
}

/**
 * Builds one volume from the images of one series, in any order: single-frame slices, or enhanced multi-frame
 * images (one slice per frame). Slices are sorted by the projection of Image Position (Patient) on the slice
 * normal (row x column cosines); spacing comes from the positions. Slices at the same positions that differ in
 * echo or time make a 4-D volume. Throws DicomError: VOLUME_BAD_GEOMETRY, VOLUME_INCONSISTENT_SLICES,
 * VOLUME_DUPLICATE_SLICE, VOLUME_MISSING_SLICE (unless `allowGaps`), VOLUME_UNSUPPORTED_PIXELS,
 * TRANSCODE_CODEC_UNAVAILABLE for compressed frames without a codec in `codecs`.
 */
export async function buildVolume(files: readonly DicomFile[], options: BuildVolumeFromFilesOptions = {}): Promise<Volume> {
  checkAborted(options.signal, 'volume building');
  const slices = files.flatMap((file, input) => slicesOf(file, { input, name: options.names?.[input] ?? `input ${input + 1}` }));
  const plan = planVolume(slices, options);
  const voxels = voxelsFor(plan);
  for (const placement of placements(plan)) {
    checkAborted(options.signal, 'volume building');
    await place(voxels, plan, placement, options.codecs);
  }
  return assemble(plan, voxels, options);
}
