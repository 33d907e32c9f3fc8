export { buildVolume } from './build-volume.js';
export type { BuildVolumeFromFilesOptions } from './build-volume.js';
export { findVolumeSeries } from './find-volume-series.js';
export type { FindVolumeSeriesOptions, FoundVolumeSeries, SkippedInput, VolumeImage, VolumeSeries } from './find-volume-series.js';
export { readVolume } from './read-volume.js';
export type { ReadVolumeOptions } from './read-volume.js';
export { encodeNifti, writeNifti } from './nifti.js';
export type { NiftiOptions } from './nifti.js';
export { convertToNifti } from './convert-nifti.js';
export type { ConvertToNiftiOptions } from './convert-nifti.js';
export { buildSidecar } from './sidecar.js';
export type { Sidecar, SidecarOptions } from './sidecar.js';
export { encodeNpy, npyAxes } from './npy.js';
export { renderPreview } from './preview.js';
export type { PreviewOptions } from './preview.js';
export { VOLUME_VERSION } from './version.js';
export type {
  Affine, AffineRow, BuildVolumeOptions, FourthDimension, GantryTilt, SpacingVariation, Volume, VolumeSlice, VolumeWarning,
  VolumeInfo, VolumeWarningCode, VoxelArray, VoxelType,
} from './volume.js';
