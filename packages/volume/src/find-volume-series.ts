import { findDicomFiles, isDicomError, readDicomFileSync, Tags, type DicomError, type DicomFile } from '@dicom-tools/core';
import { checkAborted } from './_abort.js';
import { arrange, difference } from './_arrange.js';
import { readFlatFolder } from './_flat-folder.js';
import { keepSlices } from './_series-slices.js';
import { lenientNumber, lenientString } from './_lenient.js';
import { slicesOf, type SliceInfo } from './_slices.js';

/** One image of a {@link VolumeSeries}: a file, and the frame in it. */
export interface VolumeImage {
  readonly path: string;
  /** 0-based frame (0 for single-frame files). */
  readonly frame: number;
}

/** A set of images that can make one volume: a series, or the part of one that stacks together. */
export interface VolumeSeries {
  /** The Series Instance UID, with `#1`, `#2`... when the series splits into several volumes. */
  readonly id: string;
  readonly seriesInstanceUID: string;
  readonly seriesNumber: number | undefined;
  readonly seriesDescription: string | undefined;
  readonly modality: string | undefined;
  /** Each file once, in discovery order. */
  readonly files: readonly string[];
  /** Each image (file and frame). */
  readonly images: readonly VolumeImage[];
  /** Why this part is apart from the rest of its series (the attribute that differs), when the series split. */
  readonly splitBy: string | undefined;
  /** The header (everything before Pixel Data) of each file. */
  readonly headers: ReadonlyMap<string, DicomFile>;
}

/** A file passed over, and why. */
export interface SkippedInput {
  readonly path: string;
  readonly reason: string;
}

/** What {@link findVolumeSeries} found. */
export interface FoundVolumeSeries {
  /** Ordered by Series Number, then Series Instance UID, then part. */
  readonly series: readonly VolumeSeries[];
  /** Files that are not DICOM, cannot be read, or hold no image with a plane geometry. */
  readonly skipped: readonly SkippedInput[];
}

/** Options of {@link findVolumeSeries}. */
export interface FindVolumeSeriesOptions {
  /** Look into sub-folders. Default true. */
  readonly recursive?: boolean;
  readonly signal?: AbortSignal;
}

/** Headers read between two turns of the event loop. */
const YIELD_EVERY = 16;

function hasPlane(slice: SliceInfo): boolean {
  return slice.pixel.rows > 0 && slice.pixel.columns > 0 && slice.orientation !== undefined && slice.position !== undefined && slice.pixelSpacing !== undefined;
}

/** Splits one series' slices into parts that each make a volume, with the reason for each split. */
function partsOf(slices: readonly SliceInfo[]): { slices: readonly SliceInfo[]; splitBy: string | undefined }[] {
  const clusters: { slices: SliceInfo[]; splitBy: string | undefined }[] = [];
  for (const slice of slices) {
    const home = clusters.find((c) => difference(c.slices[0]!, slice) === undefined);
    if (home !== undefined) home.slices.push(slice);
    else clusters.push({ slices: [slice], splitBy: clusters.length > 0 ? difference(clusters[0]!.slices[0]!, slice) : undefined });
  }
  const parts: { slices: readonly SliceInfo[]; splitBy: string | undefined }[] = [];
  for (const cluster of clusters) {
    const arrangement = arrange(cluster.slices);
    if (arrangement.kind === 'split') for (const part of arrangement.parts) parts.push({ slices: part, splitBy: arrangement.attribute });
    else parts.push(cluster);
  }
  if (parts.length > 1 && parts[0]!.splitBy === undefined) parts[0] = { ...parts[0]!, splitBy: parts[1]!.splitBy };
  return parts;
}

/**
 * Finds the volumes in a folder (recursively by default) or a single file: reads every DICOM file's header (a
 * folder holding only files is read with blocking calls, each file recognised by its header; anything else is
 * walked with core's findDicomFiles),
 * groups images by Series Instance UID, and splits a series where its images cannot share a volume (a different
 * size, pixel spacing, bits or orientation, or echoes or acquisitions at positions that differ). Images at the
 * same positions that differ in echo or time stay together: they make a 4-D volume.
 */
export async function findVolumeSeries(root: string, options: FindVolumeSeriesOptions = {}): Promise<FoundVolumeSeries> {
  const paths: string[] = [];
  const skipped: SkippedInput[] = [];
  const read: (DicomFile | DicomError)[] = [];
  const flat = await readFlatFolder(root, options.signal);
  if (flat !== undefined) {
    skipped.push(...flat.skipped);
    for (const { path, result } of flat.read) {
      paths.push(path);
      read.push(result);
    }
  } else {
    for await (const found of findDicomFiles(root, { recursive: options.recursive ?? true, ...(options.signal !== undefined ? { signal: options.signal } : {}) })) {
      if (found.skipped) skipped.push({ path: found.path, reason: found.reason });
      else paths.push(found.path);
    }
    // Blocking header reads, one after another: for files in the page cache, several times faster than a
    // thread-pool round trip per call. The event loop gets a turn every few files.
    for (const [index, path] of paths.entries()) {
      if (index % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      checkAborted(options.signal, 'volume discovery');
      try {
        read.push(readDicomFileSync(path, { stopBeforePixelData: true }));
      } catch (error) {
        if (!isDicomError(error)) throw error;
        read.push(error);
      }
    }
  }
  const headers = new Map<string, DicomFile>();
  const bySeries = new Map<string, SliceInfo[]>();
  read.forEach((result, input) => {
    const path = paths[input]!;
    if (!('dataset' in result)) {
      skipped.push({ path, reason: `unreadable: ${result.code}` });
      return;
    }
    let slices: SliceInfo[];
    try {
      slices = slicesOf(result, { input, name: path }).filter(hasPlane);
    } catch (error) {
      if (!isDicomError(error)) throw error;
      skipped.push({ path, reason: `bad geometry: ${error.code}` });
      return;
    }
    if (slices.length === 0) {
      skipped.push({ path, reason: 'no image with a plane geometry' });
      return;
    }
    headers.set(path, result);
    const uid = slices[0]!.seriesInstanceUID;
    const list = bySeries.get(uid);
    if (list === undefined) bySeries.set(uid, [...slices]);
    else list.push(...slices);
  });
  const series: VolumeSeries[] = [];
  for (const [uid, slices] of bySeries) {
    const parts = partsOf(slices);
    parts.forEach((part, n) => {
      const dataset = part.slices[0]!.dataset;
      const files = [...new Set(part.slices.map((s) => paths[s.input]!))];
      const inputOf = new Map(files.map((f, i) => [f, i]));
      const found: VolumeSeries = {
        id: parts.length > 1 ? `${uid}#${n + 1}` : uid,
        seriesInstanceUID: uid,
        seriesNumber: lenientNumber(dataset, Tags.SeriesNumber),
        seriesDescription: lenientString(dataset, Tags.SeriesDescription),
        modality: lenientString(dataset, Tags.Modality),
        files,
        images: part.slices.map((s) => ({ path: paths[s.input]!, frame: s.frame })),
        splitBy: part.splitBy,
        headers: new Map(files.map((f) => [f, headers.get(f)!])),
      };
      series.push(keepSlices(found, part.slices.map((s) => ({ ...s, input: inputOf.get(paths[s.input]!)! }))));
    });
  }
  series.sort((a, b) => (a.seriesNumber ?? Infinity) - (b.seriesNumber ?? Infinity) || (a.seriesInstanceUID < b.seriesInstanceUID ? -1 : a.seriesInstanceUID > b.seriesInstanceUID ? 1 : 0) || a.id.localeCompare(b.id));
  return { series, skipped };
}
