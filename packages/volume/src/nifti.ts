import { getString, Tags, writeFileAtomic } from '@dicom-tools/core';
import { checkAborted } from './_abort.js';
import { gzipParallel } from './_gzip.js';
import { encodeHeader, niftiVersionFor } from './_nifti-header.js';
import { VOLUME_VERSION } from './version.js';
import type { Volume, VolumeInfo } from './volume.js';

/** Options of {@link encodeNifti} and {@link writeNifti}. */
export interface NiftiOptions {
  /**
   * gzip the file (`.nii.gz`). Default for {@link encodeNifti}: false; for {@link writeNifti}: true when the path
   * ends in `.gz`.
   */
  readonly compress?: boolean;
  /** zlib level when compressing, 0-9. Default 1: the fastest, which the benchmark chose (docs/benchmarks.md). */
  readonly level?: number;
  /** NIfTI-1 or NIfTI-2. Default 1, or 2 when a dimension exceeds NIfTI-1's limit of 32767. */
  readonly version?: 1 | 2;
  /** descrip (79 ASCII characters at most). Default `dicom-tools volume <version>` and the modality. */
  readonly description?: string;
  readonly signal?: AbortSignal;
}

/** Input bytes per compressed chunk: enough that the lost window at chunk starts costs nothing measurable. */
const GZIP_CHUNK = 2 * 1024 * 1024;

function timeStep(volume: VolumeInfo): number {
  if (volume.fourthDimension?.kind !== 'time') return 0;
  const tr = Number(getString(volume.metadata, Tags.RepetitionTime));
  return Number.isFinite(tr) && tr > 0 ? tr / 1000 : 0;
}

/** The NIfTI header and extension flag (vox_offset bytes) of a volume: what precedes its voxels in the file. */
export function niftiHeader(volume: VolumeInfo, options: NiftiOptions): Uint8Array {
  const version = options.version ?? niftiVersionFor(volume);
  const modality = getString(volume.metadata, Tags.Modality);
  return encodeHeader(volume, {
    description: options.description ?? `dicom-tools volume ${VOLUME_VERSION}${modality !== undefined ? ` ${modality}` : ''}`,
    intentName: volume.rescaled ? '' : getString(volume.metadata, Tags.RescaleType) ?? '',
    timeStep: timeStep(volume),
  }, version);
}

function voxelBytes(volume: Volume): Uint8Array {
  return new Uint8Array(volume.voxels.buffer, volume.voxels.byteOffset, volume.voxels.byteLength);
}

/**
 * A volume as NIfTI (single file, `.nii` layout): header, an empty extension flag, then the voxels. Returns the
 * bytes in parts to write in order (the voxels are not copied unless compressed). The header holds dim,
 * pixdim, datatype, bitpix, vox_offset, scl_slope/scl_inter (Rescale Slope/Intercept), xyzt_units (mm, s),
 * qform (quaternion and qfac, code 1 scanner; 0 with an uncorrected gantry tilt, which it cannot hold) and sform
 * (code 1), both in RAS; intent_code none, intent_name the Rescale Type when there is one.
 */
export async function encodeNifti(volume: Volume, options: NiftiOptions = {}): Promise<Uint8Array[]> {
  const parts = [niftiHeader(volume, options), voxelBytes(volume)];
  if (options.compress !== true) return parts;
  checkAborted(options.signal, 'NIfTI writing');
  return gzipParallel(parts, { level: options.level ?? 1, chunkSize: GZIP_CHUNK });
}

/**
 * Writes a volume as NIfTI to `path` (atomically: a temporary file, then a rename), gzipped when the path ends in
 * `.gz` unless `compress` says otherwise. See {@link encodeNifti}.
 */
export async function writeNifti(path: string, volume: Volume, options: NiftiOptions = {}): Promise<void> {
  const parts = await encodeNifti(volume, { ...options, compress: options.compress ?? path.endsWith('.gz') });
  await writeFileAtomic(path, parts, options.signal);
}
