// NIfTI-1 and NIfTI-2 headers, written field by field from the NIfTI-1 (nifti1.h, 2004) and NIfTI-2 (nifti2.h,
// 2011) definitions: little endian, one empty extension flag after the header, voxels from vox_offset.
import { qformOf } from './_quaternion.js';
import type { VolumeInfo, VoxelType } from './volume.js';

/** NIfTI datatype code and bits per voxel of each voxel type. */
const DATATYPES: Readonly<Record<VoxelType, readonly [code: number, bitpix: number]>> = {
  uint8: [2, 8],
  int16: [4, 16],
  int32: [8, 32],
  float32: [16, 32],
  float64: [64, 64],
  rgb24: [128, 24],
  int8: [256, 8],
  uint16: [512, 16],
  uint32: [768, 32],
};

/** NIFTI_XFORM_SCANNER_ANAT: coordinates in the scanner's RAS frame. */
const XFORM_SCANNER = 1;
/** NIFTI_UNITS_MM | NIFTI_UNITS_SEC. */
const UNITS_MM_SEC = 2 | 8;
/** The largest dimension NIfTI-1 can hold (dim[] is int16). */
export const NIFTI1_MAX_DIMENSION = 32767;

/** Bytes before the voxels: the header plus the 4-byte extension flag. */
export function voxelOffset(version: 1 | 2): number {
  return version === 1 ? 352 : 544;
}

/** What the header says besides the volume's own geometry. */
export interface HeaderText {
  /** descrip, at most 79 bytes of ASCII. */
  readonly description: string;
  /** intent_name, at most 15 bytes of ASCII. */
  readonly intentName: string;
  /** pixdim[4], the step of the 4th axis in seconds (0 when it is not time). */
  readonly timeStep: number;
}

function ascii(view: DataView, at: number, text: string, max: number): void {
  const clean = text.replace(/[^\x20-\x7e]/g, '?').slice(0, max);
  for (let i = 0; i < clean.length; i++) view.setUint8(at + i, clean.charCodeAt(i));
}

/** The NIfTI version a volume needs: 2 when a dimension exceeds NIfTI-1's int16 limit. */
export function niftiVersionFor(volume: Pick<VolumeInfo, 'dimensions'>): 1 | 2 {
  return volume.dimensions.some((d) => d > NIFTI1_MAX_DIMENSION) ? 2 : 1;
}

/** The header and extension flag (vox_offset bytes) of a volume. */
export function encodeHeader(volume: VolumeInfo, text: HeaderText, version: 1 | 2): Uint8Array {
  const out = new Uint8Array(voxelOffset(version));
  const view = new DataView(out.buffer);
  const [datatype, bitpix] = DATATYPES[volume.voxelType];
  const dims = [volume.dimensions.length, ...volume.dimensions, ...Array<number>(7 - volume.dimensions.length).fill(1)];
  const q = qformOf(volume.affineRas);
  // The qform cannot shear: with an uncorrected gantry tilt only the sform describes the voxels.
  const qformCode = volume.tilt !== undefined && !volume.tilt.corrected ? 0 : XFORM_SCANNER;
  const pixdim = [q.qfac, q.pixdim[0], q.pixdim[1], q.pixdim[2], text.timeStep, 0, 0, 0];
  const srow = volume.affineRas;
  // scl_slope 0 means "no scaling": RGB voxels cannot be scaled (nibabel refuses to try).
  const [slope, intercept] = volume.voxelType === 'rgb24' ? [0, 0] : [volume.rescale.slope, volume.rescale.intercept];
  const le = true;
  if (version === 1) {
    view.setInt32(0, 348, le);
    view.setUint8(38, 0x72); // regular = 'r'
    dims.forEach((d, i) => view.setInt16(40 + 2 * i, d, le));
    view.setInt16(68, 0, le); // intent_code NIFTI_INTENT_NONE
    view.setInt16(70, datatype, le);
    view.setInt16(72, bitpix, le);
    pixdim.forEach((p, i) => view.setFloat32(76 + 4 * i, p, le));
    view.setFloat32(108, voxelOffset(1), le);
    view.setFloat32(112, slope, le);
    view.setFloat32(116, intercept, le);
    view.setUint8(123, UNITS_MM_SEC);
    ascii(view, 148, text.description, 79);
    view.setInt16(252, qformCode, le);
    view.setInt16(254, XFORM_SCANNER, le);
    [q.b, q.c, q.d, ...q.offset].forEach((v, i) => view.setFloat32(256 + 4 * i, v, le));
    for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) view.setFloat32(280 + 16 * r + 4 * c, srow[r]![c]!, le);
    ascii(view, 328, text.intentName, 15);
    ascii(view, 344, 'n+1', 3);
  } else {
    view.setInt32(0, 540, le);
    ascii(view, 4, 'n+2', 3);
    [0x0d, 0x0a, 0x1a, 0x0a].forEach((b, i) => view.setUint8(8 + i, b));
    view.setInt16(12, datatype, le);
    view.setInt16(14, bitpix, le);
    dims.forEach((d, i) => view.setBigInt64(16 + 8 * i, BigInt(d), le));
    pixdim.forEach((p, i) => view.setFloat64(104 + 8 * i, p, le));
    view.setBigInt64(168, BigInt(voxelOffset(2)), le);
    view.setFloat64(176, slope, le);
    view.setFloat64(184, intercept, le);
    ascii(view, 240, text.description, 79);
    view.setInt32(344, qformCode, le);
    view.setInt32(348, XFORM_SCANNER, le);
    [q.b, q.c, q.d, ...q.offset].forEach((v, i) => view.setFloat64(352 + 8 * i, v, le));
    for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) view.setFloat64(400 + 32 * r + 8 * c, srow[r]![c]!, le);
    view.setInt32(500, UNITS_MM_SEC, le);
    view.setInt32(504, 0, le); // intent_code NIFTI_INTENT_NONE
    ascii(view, 508, text.intentName, 15);
  }
  return out;
}
