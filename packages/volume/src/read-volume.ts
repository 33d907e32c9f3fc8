import { readDicomFileSync } from '@dicom-tools/core';
import { checkAborted } from './_abort.js';
import { assemble, place, placements, voxelsFor, type Placement } from './_assemble.js';
import { planVolume } from './_plan.js';
import { readDicomReusing, type ReadBuffer } from './_read-reusing.js';
import { slicesOf, type SliceInfo } from './_slices.js';
import type { VolumeSeries } from './find-volume-series.js';
import type { BuildVolumeOptions, Volume } from './volume.js';

/** Options of {@link readVolume}. */
export type ReadVolumeOptions = BuildVolumeOptions;

/** Files read between two turns of the event loop (blocking reads in between). */
const YIELD_EVERY = 16;

/** Lets the event loop run (timers, signals, I/O callbacks) before going on. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The slices of a found series: the frames it lists, from the headers it holds. */
function seriesSlices(series: VolumeSeries, files: readonly string[]): SliceInfo[] {
  const wanted = new Set(series.images.map((image) => `${image.frame}:${image.path}`));
  return files.flatMap((path, input) => slicesOf(series.headers.get(path)!, { input, name: path }).filter((s) => wanted.has(`${s.frame}:${path}`)));
}

/**
 * Reads one volume from files on disk: a series {@link findVolumeSeries} found, or a list of paths that make one
 * volume (see {@link buildVolume} for the rules). Headers are read first to check and place every slice; then each
 * file is read in full into one reused buffer and its frames copied into the volume, so memory holds the volume
 * and one file. Files are read with blocking calls, one after another (for files in the page cache that is
 * several times faster than a thread-pool round trip per call); the event loop gets a turn every few files, so
 * that an abort is noticed.
 */
export async function readVolume(input: VolumeSeries | readonly string[], options: ReadVolumeOptions = {}): Promise<Volume> {
  checkAborted(options.signal, 'volume reading');
  let files: readonly string[];
  let slices: SliceInfo[];
  if ('images' in input) {
    files = input.files;
    slices = seriesSlices(input, files);
  } else {
    files = input as readonly string[];
    slices = [];
    for (const [index, path] of files.entries()) {
      if (index % YIELD_EVERY === 0) await turn();
      checkAborted(options.signal, 'volume reading');
      slices.push(...slicesOf(readDicomFileSync(path, { stopBeforePixelData: true }), { input: index, name: path }));
    }
  }
  const plan = planVolume(slices, options);
  const voxels = voxelsFor(plan);
  const byInput = new Map<number, Placement[]>();
  for (const placement of placements(plan)) {
    const list = byInput.get(placement.slice.input);
    if (list === undefined) byInput.set(placement.slice.input, [placement]);
    else list.push(placement);
  }
  // One buffer, reused: each file's frames are copied into the voxels before the next file is read.
  const buffer: ReadBuffer = { bytes: new Uint8Array(0) };
  let count = 0;
  for (const [inputIndex, list] of byInput) {
    if (count++ % YIELD_EVERY === 0) await turn();
    checkAborted(options.signal, 'volume reading');
    const file = readDicomReusing(files[inputIndex]!, buffer);
    for (const placement of list) {
      const slice = { ...placement.slice, dataset: file.dataset, transferSyntaxUID: file.transferSyntaxUID };
      await place(voxels, plan, { ...placement, slice }, options.codecs);
    }
  }
  return assemble(plan, voxels, options);
}
