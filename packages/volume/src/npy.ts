import type { Volume, VoxelType } from './volume.js';

/** NumPy dtype strings (little endian) of each voxel type; rgb24 is uint8 with a last axis of 3. */
const DESCR: Readonly<Record<VoxelType, string>> = {
  uint8: '|u1',
  int8: '|i1',
  uint16: '<u2',
  int16: '<i2',
  uint32: '<u4',
  int32: '<i4',
  float32: '<f4',
  float64: '<f8',
  rgb24: '|u1',
};

/**
 * The axes of the array {@link encodeNpy} writes, slowest first: `['slice', 'row', 'column']`, with `'volume'`
 * first for 4-D and `'sample'` last for RGB. `array[k][j][i]` is voxel (i = column, j = row, k = slice) of the
 * volume's affine.
 */
export function npyAxes(volume: Pick<Volume, 'dimensions' | 'voxelType'>): string[] {
  return [...(volume.dimensions.length > 3 ? ['volume'] : []), 'slice', 'row', 'column', ...(volume.voxelType === 'rgb24' ? ['sample'] : [])];
}

/**
 * A volume as a NumPy `.npy` file (format version 1.0): C order, shape `(slices, rows, columns)` (see
 * {@link npyAxes}), stored values (apply `volume.rescale` for real values). The same bytes as the NIfTI voxels:
 * NIfTI's (i, j, k) order read backwards. Returns the header and the voxels, to write in order.
 */
export function encodeNpy(volume: Volume): Uint8Array[] {
  const shape = [...volume.dimensions].reverse();
  if (volume.voxelType === 'rgb24') shape.push(3);
  let header = `{'descr': '${DESCR[volume.voxelType]}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // Magic (6) + version (2) + header length (2) + header, padded with spaces and a newline to a multiple of 64.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - 10 - 1, ' ')}\n`;
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(head.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) head[10 + i] = header.charCodeAt(i);
  return [head, new Uint8Array(volume.voxels.buffer, volume.voxels.byteOffset, volume.voxels.byteLength)];
}
