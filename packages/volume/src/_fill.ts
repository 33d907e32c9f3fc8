import type { PixelArray } from '@dicom-tools/core';
import type { SliceInfo } from './_slices.js';
import type { VoxelArray, VoxelType } from './volume.js';


/** A zeroed voxel array of `count` voxels (3 bytes each for rgb24). */
export function allocateVoxels(type: VoxelType, count: number): VoxelArray {
  switch (type) {
    case 'uint8': return new Uint8Array(count);
    case 'rgb24': return new Uint8Array(count * 3);
    case 'int8': return new Int8Array(count);
    case 'uint16': return new Uint16Array(count);
    case 'int16': return new Int16Array(count);
    case 'uint32': return new Uint32Array(count);
    case 'int32': return new Int32Array(count);
    case 'float32': return new Float32Array(count);
    case 'float64': return new Float64Array(count);
  }
}

/**
 * Writes one frame's samples (core's decodeFrame: stored bits extracted, colour interleaved) into `voxels` from
 * voxel `first`: as they are, or, when `rescaled`, slope * stored + intercept.
 */
export function fillFrame(voxels: VoxelArray, type: VoxelType, first: number, samples: PixelArray, slice: SliceInfo, rescaled: boolean): void {
  if (type === 'rgb24') {
    voxels.set(samples, first * 3);
    return;
  }
  if (!rescaled) {
    voxels.set(samples, first);
    return;
  }
  const slope = slice.rescaleSlope;
  const intercept = slice.rescaleIntercept;
  for (let i = 0; i < samples.length; i++) voxels[first + i] = samples[i]! * slope + intercept;
}
