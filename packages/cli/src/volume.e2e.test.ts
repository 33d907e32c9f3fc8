// End-to-end tests of `dicom-tools nifti` and `dicom-tools volume`: each spawns the built binary
// (node packages/cli/dist/bin.js) on ctSeries fixtures written to a temporary folder. Files are read back with
// nibabel and numpy (/usr/bin/python3, Debian's python3-nibabel and python3-numpy); expected geometry comes from
// the fixture parameters (LPS origin, spacing) and NIfTI's RAS convention.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setValue, Tags, writeDicomFile, type DicomFile } from '@dicom-tools/core';
import { ctPixelValue, ctSeries } from '@dicom-tools/test-fixtures';

const PACKAGE_DIR = resolve(__dirname, '..');
const BIN = join(PACKAGE_DIR, 'dist', 'bin.js');
const PYTHON = '/usr/bin/python3';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[]): Run {
  const result: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: work,
    env: { ...process.env, NO_COLOR: '1', DEBUG: '' },
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function python(script: string, ...args: string[]): unknown {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install python3-nibabel and python3-numpy with apt, as CI does`);
  const result = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`python failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const NIBABEL = `
import json, sys
import numpy as np
import nibabel as nib
img = nib.load(sys.argv[1])
raw = np.asanyarray(img.dataobj.get_unscaled())
print(json.dumps({"shape": list(img.shape), "sform": img.get_sform().tolist(), "codes": [int(img.header["sform_code"]), int(img.header["qform_code"])],
  "value": int(raw[5, 9, 2]), "inter": float(img.dataobj.inter)}))
`;

let work: string;

async function writeSeries(folder: string, files: readonly DicomFile[]): Promise<string> {
  const path = join(work, folder);
  mkdirSync(path, { recursive: true });
  for (const [k, file] of files.entries()) await writeDicomFile(join(path, `IM${String(k).padStart(3, '0')}.dcm`), file);
  return path;
}

// An axial stack with LPS origin (-10, 20, -30), 0.75 mm pixels, 2.5 mm apart: RAS affine below.
const ORIGIN = [-10, 20, -30] as const;
const RAS = [[-0.75, 0, 0, 10], [0, -0.75, 0, -20], [0, 0, 2.5, -30], [0, 0, 0, 1]];

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build core, volume and cli first (npx tsc -p packages/<pkg>/tsconfig.build.json)`);
  work = mkdtempSync(join(tmpdir(), 'volume-e2e-'));
  await writeSeries('ct', ctSeries({ slices: 5, origin: [...ORIGIN], spacingBetweenSlices: 2.5, patientName: 'Doe^Jane' }));
  const gap = ctSeries({ slices: 6, seed: 'gap' }).filter((_, k) => k !== 2);
  await writeSeries('gap', gap);
  await writeSeries('two/a', ctSeries({ slices: 3, seed: 'first', seriesNumber: 1 }));
  await writeSeries('two/b', ctSeries({ slices: 4, seed: 'second', seriesNumber: 2 }));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function expectMatrixClose(actual: number[][], expected: number[][]): void {
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) expect(actual[r]![c]!).toBeCloseTo(expected[r]![c]!, 4);
}

describe('dicom-tools nifti', () => {
  it('converts a folder to .nii.gz and a sidecar that nibabel and JSON read, with RAS affines', () => {
    const run = cli(['nifti', 'ct', '-o', 'out/ct.nii.gz']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('out/ct.nii.gz: 64x64x5 uint16');
    const read = python(NIBABEL, join(work, 'out', 'ct.nii.gz')) as { shape: number[]; sform: number[][]; codes: number[]; value: number; inter: number };
    expect(read.shape).toEqual([64, 64, 5]);
    expectMatrixClose(read.sform, RAS);
    expect(read.codes).toEqual([1, 1]);
    expect(read.value).toBe(ctPixelValue(5, 9, 2));
    expect(read.inter).toBe(-1024);
    const sidecar = JSON.parse(readFileSync(join(work, 'out', 'ct.json'), 'utf8')) as Record<string, unknown>;
    expect(sidecar['Modality']).toBe('CT');
    expect(sidecar['SliceFiles']).toHaveLength(5);
    expect(JSON.stringify(sidecar)).not.toContain('Doe');
  });

  it('writes next to the input folder by default, never inside it', () => {
    const before = readdirSync(join(work, 'ct')).sort();
    const run = cli(['nifti', 'ct', '-q']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(existsSync(join(work, 'ct.nii.gz'))).toBe(true);
    expect(existsSync(join(work, 'ct.json'))).toBe(true);
    expect(readdirSync(join(work, 'ct')).sort()).toEqual(before);
  });

  it('lists the series and fails with VOLUME_SEVERAL_SERIES when several are found and none is chosen', () => {
    const run = cli(['nifti', 'two', '-o', 'out/two.nii.gz']);
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toBe('volumes in two:');
    expect(lines[1]).toMatch(/^ {2}\S+ {2}CT {2}3 image\(s\) {2}Synthetic CT$/);
    expect(lines[2]).toMatch(/^ {2}\S+ {2}CT {2}4 image\(s\) {2}Synthetic CT$/);
    expect(lines[3]).toMatch(/\[VOLUME_SEVERAL_SERIES\]$/);
    expect(existsSync(join(work, 'out', 'two.nii.gz'))).toBe(false);
  });

  it('converts the series --series-uid names, and every series with --all', () => {
    const uid = cli(['nifti', 'two', '--all', '-o', 'out/all.nii.gz', '--json']);
    expect(uid.status).toBe(0);
    const outputs = (JSON.parse(uid.stdout) as { outputs: { output: string; dimensions: number[]; series: { seriesInstanceUID: string } }[] }).outputs;
    expect(outputs.map((o) => o.dimensions)).toEqual([[64, 64, 3], [64, 64, 4]]);
    expect(outputs.map((o) => o.output)).toEqual([join(work, 'out', 'all-1.nii.gz'), join(work, 'out', 'all-2.nii.gz')].map((p) => p.replace(`${work}/`, '')));
    const second = outputs[1]!.series.seriesInstanceUID;
    const one = cli(['nifti', 'two', '--series-uid', second, '-o', 'out/second.nii', '--no-compress']);
    expect(one.status).toBe(0);
    const read = python(NIBABEL, join(work, 'out', 'second.nii')) as { shape: number[] };
    expect(read.shape).toEqual([64, 64, 4]);
    const missing = cli(['nifti', 'two', '--series-uid', '1.2.3.4']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no series 1\.2\.3\.4 in two \[VOLUME_NO_IMAGES\]/);
  });

  it('fails on a missing slice, and converts it with --allow-gaps, a warning and the spacing in the sidecar', () => {
    const fail = cli(['nifti', 'gap', '-o', 'out/gap.nii.gz']);
    expect(fail.status).toBe(1);
    expect(fail.stderr).toMatch(/\[VOLUME_MISSING_SLICE\]\n$/);
    const ok = cli(['nifti', 'gap', '-o', 'out/gap.nii.gz', '--allow-gaps']);
    expect(ok.status).toBe(0);
    expect(ok.stderr).toMatch(/^dicom-tools: warning: \S+: slice spacing 2\.500 mm has a gap.*\[missing-slice\]\n$/);
    const sidecar = JSON.parse(readFileSync(join(work, 'out', 'gap.json'), 'utf8')) as { SpacingVariation: { steps: number[] } };
    expect(sidecar.SpacingVariation.steps.map((s) => Number(s.toFixed(6)))).toEqual([2.5, 5, 2.5, 2.5]);
  });

  it('rejects --no-compress with a .nii.gz output as a usage error', () => {
    const run = cli(['nifti', 'ct', '--no-compress', '-o', 'out/x.nii.gz']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--no-compress writes .nii');
  });

  it('puts patient keys in the sidecar only with --include-phi, and writes the sidecar where --sidecar says', () => {
    const run = cli(['nifti', 'ct', '-o', 'out/phi.nii.gz', '--include-phi', '--sidecar', 'out/meta/phi-sidecar.json']);
    expect(run.status).toBe(0);
    const sidecar = JSON.parse(readFileSync(join(work, 'out', 'meta', 'phi-sidecar.json'), 'utf8')) as Record<string, unknown>;
    expect(sidecar['PatientName']).toBe('Doe^Jane');
    expect(existsSync(join(work, 'out', 'phi.json'))).toBe(false);
  });

  it('decodes a compressed series with @dicom-tools/transcode\'s codecs (JPEG-LS made by `transcode`)', () => {
    const transcoded = cli(['transcode', 'ct', '--syntax', 'jpeg-ls', '-o', 'ct-jls', '-q']);
    expect(transcoded.status).toBe(0);
    const run = cli(['nifti', 'ct-jls', '-o', 'out/jls.nii.gz', '--no-sidecar']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const read = python(NIBABEL, join(work, 'out', 'jls.nii.gz')) as { shape: number[]; sform: number[][]; value: number };
    expect(read.shape).toEqual([64, 64, 5]);
    expectMatrixClose(read.sform, RAS);
    expect(read.value).toBe(ctPixelValue(5, 9, 2));
  });

  it('fails with VOLUME_NO_IMAGES on a folder without images', () => {
    mkdirSync(join(work, 'empty'), { recursive: true });
    const run = cli(['nifti', 'empty']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/in empty \(no files\) \[VOLUME_NO_IMAGES\]\n$/);
  });

  it('passes over at once a file whose Rows, Columns or Number of Frames declare more pixel data than a file holds (no internal error)', async () => {
    const [huge] = ctSeries({ slices: 1, seed: 'huge' });
    setValue(huge!.dataset, Tags.Rows, 65535);
    setValue(huge!.dataset, Tags.Columns, 65535);
    await writeSeries('huge', [huge!]);
    const [frames] = ctSeries({ slices: 1, seed: 'frames' });
    setValue(frames!.dataset, Tags.NumberOfFrames, '1000000');
    await writeSeries('frames', [frames!]);
    for (const folder of ['huge', 'frames']) {
      const started = Date.now();
      const run = cli(['volume', folder, '-o', `out/${folder}.npy`]);
      expect([folder, run.status]).toEqual([folder, 1]);
      expect(run.stderr).toMatch(/bad geometry: VOLUME_BAD_GEOMETRY\) \[VOLUME_NO_IMAGES\]\n$/);
      expect(Date.now() - started).toBeLessThan(20_000);
    }
  });

  it('says which files were passed over and why when none holds an image (the first three by name)', () => {
    mkdirSync(join(work, 'bad'), { recursive: true });
    const slice = readFileSync(join(work, 'ct', 'IM000.dcm'));
    writeFileSync(join(work, 'bad', 'a-cut.dcm'), slice.subarray(0, 600));
    for (const name of ['b.txt', 'c.txt', 'd.txt', 'e.txt']) writeFileSync(join(work, 'bad', name), 'not DICOM\n');
    const run = cli(['nifti', 'bad']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      'dicom-tools: no image with a plane geometry (Image Orientation/Position (Patient), Pixel Spacing) in bad ' +
        `(5 file(s) passed over: ${join('bad', 'a-cut.dcm')}: unreadable: CORE_TRUNCATED; ${join('bad', 'b.txt')}: not DICOM; ${join('bad', 'c.txt')}: not DICOM; 2 more) [VOLUME_NO_IMAGES]\n`,
    );
    const one = cli(['volume', join('bad', 'a-cut.dcm'), '-o', 'out/cut.npy']);
    expect(one.status).toBe(1);
    expect(one.stderr).toMatch(/in bad\/a-cut\.dcm \(1 file\(s\) passed over: bad\/a-cut\.dcm: unreadable: CORE_TRUNCATED\) \[VOLUME_NO_IMAGES\]\n$/);
  });
});

describe('dicom-tools volume', () => {
  it('writes .npy of shape (slices, rows, columns), a sidecar with the axes and affines, and a PNG preview', () => {
    const run = cli(['volume', 'ct', '-o', 'out/vol.npy', '--preview']);
    expect(run.status).toBe(0);
    const read = python('import sys, json, numpy as np; a = np.load(sys.argv[1]); print(json.dumps([list(a.shape), str(a.dtype), int(a[2, 9, 5])]))', join(work, 'out', 'vol.npy'));
    expect(read).toEqual([[5, 64, 64], 'uint16', ctPixelValue(5, 9, 2)]);
    const sidecar = JSON.parse(readFileSync(join(work, 'out', 'vol.json'), 'utf8')) as { ArrayAxes: string[]; ArrayShape: number[]; AffineRAS: number[][]; AffineLPS: number[][] };
    expect(sidecar.ArrayAxes).toEqual(['slice', 'row', 'column']);
    expect(sidecar.ArrayShape).toEqual([5, 64, 64]);
    expectMatrixClose(sidecar.AffineRAS, RAS);
    expectMatrixClose(sidecar.AffineLPS, [[0.75, 0, 0, -10], [0, 0.75, 0, 20], [0, 0, 2.5, -30], [0, 0, 0, 1]]);
    expect([...readFileSync(join(work, 'out', 'vol.png')).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('writes NIfTI with --format nii, and rejects an unknown format as a usage error', () => {
    const run = cli(['volume', 'ct', '-o', 'out/vol.nii', '--format', 'nii']);
    expect(run.status).toBe(0);
    const read = python(NIBABEL, join(work, 'out', 'vol.nii')) as { shape: number[]; sform: number[][] };
    expect(read.shape).toEqual([64, 64, 5]);
    expectMatrixClose(read.sform, RAS);
    const bad = cli(['volume', 'ct', '--format', 'mat']);
    expect(bad.status).toBe(2);
  });

  it('reports a gantry tilt as a warning on stderr', async () => {
    const theta = (10 * Math.PI) / 180;
    const files = ctSeries({ slices: 4, seed: 'tilt', imageOrientationPatient: [1, 0, 0, 0, Math.cos(theta), Math.sin(theta)] });
    files.forEach((file, k) => setValue(file.dataset, Tags.ImagePositionPatient, [0, 0, 2 * k]));
    await writeSeries('tilt', files);
    const run = cli(['volume', 'tilt', '-o', 'out/tilt.npy', '--json']);
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout) as { outputs: { tilt: { angleDegrees: number; corrected: boolean }; warnings: { code: string }[] }[] };
    expect(out.outputs[0]!.tilt.angleDegrees).toBeCloseTo(10, 3);
    expect(out.outputs[0]!.warnings.map((w) => w.code)).toEqual(['gantry-tilt']);
    const corrected = cli(['volume', 'tilt', '-o', 'out/tilt2.npy', '--correct-tilt']);
    expect(corrected.status).toBe(0);
    expect(corrected.stderr).toMatch(/\[tilt-corrected\]\n$/);
  });
});
