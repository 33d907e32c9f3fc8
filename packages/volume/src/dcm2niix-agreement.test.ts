// Our NIfTI against dcm2niix's on the same series: the CT and the double-oblique, non-square MR from
// make_corpus.py (packages/test-fixtures/peers), and a ctSeries fixture, each read by us from a shuffled, renamed
// copy spread over sub-folders. nibabel reads both files. dcm2niix flips the rows (its row 0 is the DICOM's last row) and we do not,
// so its affine is compared through that flip: ours = theirs * F, with F taking (i, j, k) to (i, rows-1-j, k).
// Needs dcm2niix, python3-nibabel, python3-numpy and python3-pydicom (apt); make_corpus.py and peer_py.py are the
// copies in packages/test-fixtures/peers.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDicomFile } from '@dicom-tools/core';
import { ctSeries, peerScript } from '@dicom-tools/test-fixtures';
import * as nifti from 'nifti-reader-js';
import { convertToNifti, findVolumeSeries, readVolume, writeNifti } from './index.js';

const PYTHON = '/usr/bin/python3';
const DCM2NIIX = '/usr/bin/dcm2niix';

function run(command: string, args: readonly string[]): string {
  if (!existsSync(command)) throw new Error(`${command} is missing: install it with apt (dcm2niix, python3-nibabel, python3-numpy), as CI does`);
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** Compares our NIfTI with dcm2niix's through its row flip; prints JSON. */
const COMPARE = `
import json, sys
import numpy as np
import nibabel as nib
ours, theirs = nib.load(sys.argv[1]), nib.load(sys.argv[2])
rows = ours.shape[1]
flip = np.array([[1, 0, 0, 0], [0, -1, 0, rows - 1], [0, 0, 1, 0], [0, 0, 0, 1]], float)
def parts(a, b):
    if a is None or b is None:
        return None
    ra, rb = a[:3, :3], b[:3, :3]
    rot = np.abs(ra / np.linalg.norm(ra, axis=0) - rb / np.linalg.norm(rb, axis=0)).max()
    size = np.abs(np.linalg.norm(ra, axis=0) - np.linalg.norm(rb, axis=0)).max()
    return {"mm": float(np.abs(a[:3, 3] - b[:3, 3]).max()), "rotation": float(rot), "voxel_size": float(size)}
qo, qt = ours.get_qform(coded=True), theirs.get_qform(coded=True)
so, st = ours.get_sform(coded=True), theirs.get_sform(coded=True)
a = ours.get_fdata()
b = np.flip(theirs.get_fdata(), axis=1)
print(json.dumps({
  "shape": [list(ours.shape), list(theirs.shape)],
  "codes": [int(so[1]), int(qo[1]), int(st[1]), int(qt[1])],
  "sform": parts(so[0], st[0] @ flip), "qform": parts(qo[0], qt[0] @ flip),
  "voxels_equal": bool(a.shape == b.shape and np.array_equal(a, b)),
  "max_voxel_difference": float(np.abs(a - b).max()) if a.shape == b.shape else None,
}))
`;

interface Comparison {
  shape: number[][];
  codes: number[];
  sform: { mm: number; rotation: number; voxel_size: number };
  qform: { mm: number; rotation: number; voxel_size: number };
  voxels_equal: boolean;
  max_voxel_difference: number | null;
}

let work: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'volume-dcm2niix-'));
  run(PYTHON, [peerScript('make_corpus.py'), '--out', join(work, 'corpus'), '--ct-slices', '16', '--ct-rows', '64', '--ct-cols', '80', '--patients', '0']);
  const fixture = join(work, 'corpus', 'fixture-ct');
  mkdirSync(fixture);
  const files = ctSeries({ slices: 10, rows: 48, columns: 64, pixelSpacing: [0.7, 0.8], spacingBetweenSlices: 1.5, origin: [12, -40, 7] });
  for (const [k, file] of files.entries()) await writeDicomFile(join(fixture, `IM${k}.dcm`), file);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of `source` with its files renamed (names that sort in a shuffled order) and spread over two sub-folders. */
function shuffledCopy(source: string, name: string): string {
  const target = join(work, 'shuffled', name);
  const files = readdirSync(source).sort();
  files.forEach((file, n) => {
    const key = ((n * 7919 + 13) % 1009).toString(36);
    const folder = join(target, n % 2 === 0 ? 'a' : 'b');
    mkdirSync(folder, { recursive: true });
    copyFileSync(join(source, file), join(folder, `x${key}`));
  });
  return target;
}

async function compare(series: string, options: { compress: boolean }): Promise<Comparison> {
  const source = join(work, 'corpus', series);
  const peerDir = join(work, 'dcm2niix', series);
  mkdirSync(peerDir, { recursive: true });
  run(DCM2NIIX, ['-z', 'n', '-b', 'n', '-f', series, '-o', peerDir, source]);
  const found = await findVolumeSeries(shuffledCopy(source, series));
  expect(found.series).toHaveLength(1);
  const ours = join(work, `${series}.nii${options.compress ? '.gz' : ''}`);
  // convertToNifti: .nii of native slices is streamed from the files, .nii.gz goes through a volume in memory.
  await convertToNifti(found.series[0]!, ours);
  const result = JSON.parse(run(PYTHON, ['-c', COMPARE, ours, join(peerDir, `${series}.nii`)])) as Comparison;
  // nifti-reader-js reads our file too, with the shape nibabel saw.
  const bytes = readFileSync(ours);
  let data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  if (nifti.isCompressed(data)) data = nifti.decompress(data) as ArrayBuffer;
  const header = nifti.readHeader(data)!;
  expect(header.dims.slice(1, 1 + header.dims[0]!)).toEqual(result.shape[0]);
  return result;
}

function expectAgreement(result: Comparison): void {
  expect(result.shape[0]).toEqual(result.shape[1]);
  expect(result.codes).toEqual([1, 1, 1, 1]);
  for (const form of [result.sform, result.qform]) {
    expect(form.mm).toBeLessThan(1e-3);
    expect(form.rotation).toBeLessThan(1e-4);
    expect(form.voxel_size).toBeLessThan(1e-4);
  }
  expect(result.voxels_equal).toBe(true);
}

describe('agreement with dcm2niix (affines through its row flip, voxels after it)', () => {
  it('matches on the double-oblique non-square MR', async () => {
    expectAgreement(await compare('mr', { compress: true }));
  });

  it('matches on the make_corpus CT (signed, padded, InstanceNumber 1 the highest slice)', async () => {
    expectAgreement(await compare('ct', { compress: false }));
  });

  it('matches on a ctSeries fixture with non-square pixels', async () => {
    expectAgreement(await compare('fixture-ct', { compress: false }));
  });

  it('puts the MR marker at LPS (35,-45,45) at RAS (-35,45,45) within one voxel, by peer_py.py affine', async () => {
    const found = await findVolumeSeries(join(work, 'corpus', 'mr'));
    const path = join(work, 'mr-marker.nii.gz');
    await writeNifti(path, await readVolume(found.series[0]!));
    const out = run(PYTHON, [peerScript('peer_py.py'), 'affine', path, join(work, 'corpus', 'mr'), '--marker', '3000']);
    expect(out).toMatch(/corner-voxel max deviation NIfTI vs DICOM: [0-9.]+ mm OK/);
    const match = /centroid RAS=\[\s*([-0-9.]+)\s+([-0-9.]+)\s+([-0-9.]+)\s*\]/.exec(out);
    expect(match).not.toBeNull();
    const centroid = match!.slice(1, 4).map(Number);
    const distance = Math.hypot(centroid[0]! + 35, centroid[1]! - 45, centroid[2]! - 45);
    // One voxel: the smallest voxel side (0.85 mm between columns).
    expect(distance).toBeLessThan(0.85);
  });
});
