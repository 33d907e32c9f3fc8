import { assemble, resamples, volumeInfoOf } from './_assemble.js';
import { planSeries, readVoxels, storedAsPlanned, type SeriesPlan } from './_read-series.js';
import { streamNifti } from './_stream-nifti.js';
import type { VolumeSeries } from './find-volume-series.js';
import { niftiHeader, writeNifti, type NiftiOptions } from './nifti.js';
import type { ReadVolumeOptions } from './read-volume.js';
import type { VolumeInfo } from './volume.js';

/** Options of {@link convertToNifti}: those of reading a volume and of writing it. */
export interface ConvertToNiftiOptions extends ReadVolumeOptions, NiftiOptions {}

/** Whether the frames can go from the files to an uncompressed output as they are, in voxel order end to end. */
function streamable(planned: SeriesPlan, options: ConvertToNiftiOptions, compress: boolean): boolean {
  const { plan } = planned;
  if (compress || resamples(plan, options) || !storedAsPlanned(plan)) return false;
  const size = plan.rows * plan.columns;
  return planned.placements.every((p, n) => p.first === n * size && p.slice.pixel.rows === plan.rows && p.slice.pixel.columns === plan.columns);
}

/**
 * Reads one volume from files on disk (as {@link readVolume}) and writes it as NIfTI to `path` (as
 * {@link writeNifti}: atomically, gzipped when the path ends in `.gz` unless `compress` says otherwise); returns
 * what the volume is, without its voxels (for a sidecar: {@link buildSidecar}). When the output is not compressed
 * and every frame is native and stored as it is (one sample, Bits Stored = Bits Allocated, no rescale to apply, no
 * tilt to correct), the voxels are never held in memory: each frame's bytes go from its file to the output, read
 * once. Otherwise the volume is read into memory and written from there. The file is the same either way.
 */
export async function convertToNifti(input: VolumeSeries | readonly string[], path: string, options: ConvertToNiftiOptions = {}): Promise<VolumeInfo> {
  const compress = options.compress ?? path.endsWith('.gz');
  const planned = await planSeries(input, options);
  if (streamable(planned, options, compress)) {
    const info = volumeInfoOf(planned.plan);
    if (await streamNifti(path, niftiHeader(info, options), planned, options.signal)) return info;
  }
  const { voxels, ...info } = assemble(planned.plan, await readVoxels(planned, options), options);
  await writeNifti(path, { voxels, ...info }, { ...options, compress });
  return info;
}
