// The two passes of reading a volume from files: the headers (read already by findVolumeSeries, or here) give the
// plan; then the voxels. A frame stored as it is ({@link storedAsIs}) in a native file is read straight from the
// file into its place in the voxels (one copy, no second parse of the header); any other file is read whole and
// parsed, and its frames decoded.
import { closeSync, fstatSync, openSync } from 'node:fs';
import { fileSystemError, readDicomFileSync, type DicomFile, type ReadBuffer } from '@dicom-tools/core';
import { checkAborted } from './_abort.js';
import { frameBytes, place, placements, storedAsIs, voxelsFor, type Placement } from './_assemble.js';
import { nativePixelValue, readFully } from './_pixel-range.js';
import { planVolume, type VolumePlan } from './_plan.js';
import { keptSlices } from './_series-slices.js';
import { slicesOf, type SliceInfo } from './_slices.js';
import type { VolumeSeries } from './find-volume-series.js';
import type { BuildVolumeOptions, VoxelArray } from './volume.js';

/** Files read between two turns of the event loop (blocking reads in between). */
export const YIELD_EVERY = 16;

/** Lets the event loop run (timers, signals, I/O callbacks) before going on. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A volume worked out from the headers of its files, before any voxel is read. */
export interface SeriesPlan {
  readonly files: readonly string[];
  /** The header-only read of each file (same index as `files`). */
  readonly headers: readonly DicomFile[];
  readonly plan: VolumePlan;
  /** Where each slice goes, in voxel order. */
  readonly placements: readonly Placement[];
}

/** The slices of a found series: the frames it lists, from the headers it holds. */
function seriesSlices(series: VolumeSeries, files: readonly string[]): SliceInfo[] {
  const wanted = new Set(series.images.map((image) => `${image.frame}:${image.path}`));
  return files.flatMap((path, input) => slicesOf(series.headers.get(path)!, { input, name: path }).filter((s) => wanted.has(`${s.frame}:${path}`)));
}

/** Reads the headers of `input` (unless a found series holds them) and plans its volume. */
export async function planSeries(input: VolumeSeries | readonly string[], options: BuildVolumeOptions): Promise<SeriesPlan> {
  checkAborted(options.signal, 'volume reading');
  let files: readonly string[];
  let headers: DicomFile[];
  let slices: SliceInfo[];
  if ('images' in input) {
    files = input.files;
    headers = files.map((path) => input.headers.get(path)!);
    slices = [...(keptSlices(input) ?? seriesSlices(input, files))];
  } else {
    files = input as readonly string[];
    headers = [];
    slices = [];
    for (const [index, path] of files.entries()) {
      if (index % YIELD_EVERY === 0) await turn();
      checkAborted(options.signal, 'volume reading');
      const header = readDicomFileSync(path, { stopBeforePixelData: true });
      headers.push(header);
      slices.push(...slicesOf(header, { input: index, name: path }));
    }
  }
  const plan = planVolume(slices, options);
  return { files, headers, plan, placements: placements(plan) };
}

/** Whether every frame of a plan goes into the voxels as its stored bytes (no rescale, no decoding). */
export function storedAsPlanned(plan: VolumePlan): boolean {
  return !plan.rescaled && plan.volumes.every((volume) => volume.every(storedAsIs));
}

/**
 * Reads the frames of one file straight into their places in the voxels, when its Pixel Data is native and long
 * enough for them. False (nothing read) when it is not: the caller then reads the file whole.
 */
function readFramesDirect(path: string, header: DicomFile, list: readonly Placement[], voxels: VoxelArray): boolean {
  const bytes = new Uint8Array(voxels.buffer, voxels.byteOffset, voxels.byteLength);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const value = nativePixelValue(fd, header, fstatSync(fd).size);
    if (value === undefined) return false;
    if (list.some((p) => (p.slice.frame + 1) * frameBytes(p.slice) > value.length)) return false;
    for (const placement of list) {
      const size = frameBytes(placement.slice);
      const at = placement.first * voxels.BYTES_PER_ELEMENT;
      if (readFully(fd, bytes, at, size, value.start + placement.slice.frame * size) < size) return false;
    }
    return true;
  } catch (error) {
    throw fileSystemError(error, path, 'cannot read');
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Fills the voxels of a planned volume from its files, memory holding the voxels and at most one file: frames
 * stored as they are are read straight into place; other files are read whole into one reused buffer and their
 * frames decoded (compressed ones through `codecs`). Blocking reads, one file after another, with a turn of the
 * event loop every few files so that an abort is noticed.
 */
export async function readVoxels(planned: SeriesPlan, options: BuildVolumeOptions): Promise<VoxelArray> {
  const { files, headers, plan } = planned;
  const voxels = voxelsFor(plan);
  const byInput = new Map<number, Placement[]>();
  for (const placement of planned.placements) {
    const list = byInput.get(placement.slice.input);
    if (list === undefined) byInput.set(placement.slice.input, [placement]);
    else list.push(placement);
  }
  const direct = storedAsPlanned(plan);
  // One buffer, reused: each file's frames are copied into the voxels before the next file is read.
  const buffer: ReadBuffer = { bytes: new Uint8Array(0) };
  let count = 0;
  for (const [inputIndex, list] of byInput) {
    if (count++ % YIELD_EVERY === 0) await turn();
    checkAborted(options.signal, 'volume reading');
    const path = files[inputIndex]!;
    if (direct && readFramesDirect(path, headers[inputIndex]!, list, voxels)) continue;
    const file = readDicomFileSync(path, { buffer });
    for (const placement of list) {
      const slice = { ...placement.slice, dataset: file.dataset, transferSyntaxUID: file.transferSyntaxUID };
      await place(voxels, plan, { ...placement, slice }, options.codecs);
    }
  }
  return voxels;
}
