import type { VolumePlan } from './_plan.js';
import { dot, scale, sub } from './_vec.js';
import type { VoxelArray, VoxelType } from './volume.js';

/**
 * Resamples each slice of a gantry-tilted volume onto a grid orthogonal to the slices, in place: voxel (i, j) of
 * slice k takes the value at (i - k a, j - k b) of the stored slice, where (a, b) is the in-plane shear per slice
 * in voxels, by bilinear interpolation (rounded for integer types). Voxels that fall outside take `fill`.
 * Returns the step of the corrected grid: the normal times the slice spacing.
 */
export function correctTilt(voxels: VoxelArray, type: VoxelType, plan: VolumePlan, fill: number): readonly [number, number, number] {
  const normalStep = scale(plan.normal, plan.sliceSpacing);
  const shear = sub(plan.step, normalStep);
  const a = dot(shear, plan.row) / plan.pixelSpacing[1];
  const b = dot(shear, plan.column) / plan.pixelSpacing[0];
  const { columns, rows, slices } = plan;
  const size = columns * rows;
  const integer = type !== 'float32' && type !== 'float64';
  const source = new Float64Array(size);
  const volumes = voxels.length / (size * slices);
  for (let t = 0; t < volumes; t++) {
    for (let k = 0; k < slices; k++) {
      const base = (t * slices + k) * size;
      for (let n = 0; n < size; n++) source[n] = voxels[base + n]!;
      const di = -k * a;
      const dj = -k * b;
      for (let j = 0; j < rows; j++) {
        const y = j + dj;
        const y0 = Math.floor(y);
        const fy = y - y0;
        for (let i = 0; i < columns; i++) {
          const x = i + di;
          const x0 = Math.floor(x);
          const fx = x - x0;
          let value: number;
          if (x0 < 0 || y0 < 0 || x0 >= columns || y0 >= rows || (fx > 0 && x0 + 1 >= columns) || (fy > 0 && y0 + 1 >= rows)) {
            value = fill;
          } else {
            const at = y0 * columns + x0;
            const v00 = source[at]!;
            const v10 = fx > 0 ? source[at + 1]! : v00;
            const v01 = fy > 0 ? source[at + columns]! : v00;
            const v11 = fx > 0 && fy > 0 ? source[at + columns + 1]! : fx > 0 ? v10 : v01;
            value = (v00 * (1 - fx) + v10 * fx) * (1 - fy) + (v01 * (1 - fx) + v11 * fx) * fy;
          }
          voxels[base + j * columns + i] = integer ? Math.round(value) : value;
        }
      }
    }
  }
  return normalStep;
}
