import { assemble } from './_assemble.js';
import { planSeries, readVoxels } from './_read-series.js';
import type { VolumeSeries } from './find-volume-series.js';
import type { BuildVolumeOptions, Volume } from './volume.js';

/** Options of {@link readVolume}. */
export type ReadVolumeOptions = BuildVolumeOptions;

/**
 * Reads one volume from files on disk: a series {@link findVolumeSeries} found, or a list of paths that make one
 * volume (see {@link buildVolume} for the rules). Headers are read first to check and place every slice (a found
 * series holds them already); then the voxels: a native frame stored as it is (one sample, Bits Stored = Bits
 * Allocated, no rescale to apply) is read straight from its file into place, without parsing the file again;
 * any other file is read whole into one reused buffer and its frames decoded, so memory holds the volume and one
 * file. Files are read with blocking calls, one after another (for files in the page cache that is several times
 * faster than a thread-pool round trip per call); the event loop gets a turn every few files, so that an abort is
 * noticed.
 */
export async function readVolume(input: VolumeSeries | readonly string[], options: ReadVolumeOptions = {}): Promise<Volume> {
  const planned = await planSeries(input, options);
  return assemble(planned.plan, await readVoxels(planned, options), options);
}
