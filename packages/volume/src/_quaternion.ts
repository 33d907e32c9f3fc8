import { cross, dot, norm, normalize, type Vec3 } from './_vec.js';
import type { Affine } from './volume.js';

/** A NIfTI qform: the rotation as quaternion (b, c, d; a >= 0 implied), qfac, voxel sizes and offset. */
export interface Qform {
  readonly b: number;
  readonly c: number;
  readonly d: number;
  /** pixdim[0]: 1, or -1 when the third axis is flipped (a left-handed voxel grid). */
  readonly qfac: number;
  /** pixdim[1..3]. */
  readonly pixdim: Vec3;
  readonly offset: Vec3;
}

function column(affine: Affine, c: number): Vec3 {
  return [affine[0][c]!, affine[1][c]!, affine[2][c]!];
}

/**
 * The qform of an affine (NIfTI-1, quatern_* and pixdim). A qform cannot shear: its third axis is the normal of
 * the first two (i x j), with qfac -1 when the affine's third column points the other way; pixdim[3] is the
 * third column's length along that normal. For an affine without shear, the qform gives the same matrix.
 */
export function qformOf(affine: Affine): Qform {
  const ci = column(affine, 0);
  const cj = column(affine, 1);
  const ck = column(affine, 2);
  const i = normalize(ci);
  const j = normalize(cj);
  const n = normalize(cross(i, j));
  const along = dot(ck, n);
  const qfac = along < 0 ? -1 : 1;
  // The rotation's third column is n; the voxel grid's third axis is qfac * n.
  const r: readonly Vec3[] = [i, j, n];
  const m = (row: number, col: number): number => r[col]![row]!;
  const trace = m(0, 0) + m(1, 1) + m(2, 2);
  let a: number, b: number, c: number, d: number;
  if (trace > 0) {
    const s = 2 * Math.sqrt(1 + trace);
    a = s / 4;
    b = (m(2, 1) - m(1, 2)) / s;
    c = (m(0, 2) - m(2, 0)) / s;
    d = (m(1, 0) - m(0, 1)) / s;
  } else if (m(0, 0) > m(1, 1) && m(0, 0) > m(2, 2)) {
    const s = 2 * Math.sqrt(1 + m(0, 0) - m(1, 1) - m(2, 2));
    b = s / 4;
    a = (m(2, 1) - m(1, 2)) / s;
    c = (m(0, 1) + m(1, 0)) / s;
    d = (m(0, 2) + m(2, 0)) / s;
  } else if (m(1, 1) > m(2, 2)) {
    const s = 2 * Math.sqrt(1 + m(1, 1) - m(0, 0) - m(2, 2));
    c = s / 4;
    a = (m(0, 2) - m(2, 0)) / s;
    b = (m(0, 1) + m(1, 0)) / s;
    d = (m(1, 2) + m(2, 1)) / s;
  } else {
    const s = 2 * Math.sqrt(1 + m(2, 2) - m(0, 0) - m(1, 1));
    d = s / 4;
    a = (m(1, 0) - m(0, 1)) / s;
    b = (m(0, 2) + m(2, 0)) / s;
    c = (m(1, 2) + m(2, 1)) / s;
  }
  // NIfTI stores b, c, d and takes a = sqrt(1 - b^2 - c^2 - d^2) >= 0: q and -q are the same rotation.
  const sign = a < 0 ? -1 : 1;
  return {
    b: sign * b,
    c: sign * c,
    d: sign * d,
    qfac,
    pixdim: [norm(ci), norm(cj), Math.abs(along)],
    offset: [affine[0][3], affine[1][3], affine[2][3]],
  };
}
