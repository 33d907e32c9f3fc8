// Every file written here is read back by two independent readers: nifti-reader-js in process, and nibabel
// (/usr/bin/python3, Debian's python3-nibabel) in a child process. Expected geometry comes from the fixture
// parameters and the NIfTI-1 rule that scanner coordinates are RAS (DICOM LPS with x and y negated).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { setValue, Tags } from '@dicom-tools/core';
import { ctPixelValue, ctSeries } from '@dicom-tools/test-fixtures';
import * as nifti from 'nifti-reader-js';
import { buildSidecar, buildVolume, encodeNifti, encodeNpy, npyAxes, renderPreview, VOLUME_VERSION, writeNifti } from './index.js';

const PYTHON = '/usr/bin/python3';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'volume-nifti-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** nibabel's view of a NIfTI file: shape, dtype, sform/qform with codes, raw scaling, selected raw voxels. */
const NIBABEL_SCRIPT = `
import json, sys
import numpy as np
import nibabel as nib
img = nib.load(sys.argv[1])
h = img.header
sform, scode = img.get_sform(coded=True)
qform, qcode = img.get_qform(coded=True)
raw = np.asanyarray(img.dataobj.get_unscaled())
idx = json.loads(sys.argv[2])
print(json.dumps({
  "kind": type(img).__name__, "shape": list(img.shape), "dtype": str(img.get_data_dtype()),
  "sform": None if sform is None else sform.tolist(), "sform_code": int(scode or 0), "qform": None if qform is None else qform.tolist(), "qform_code": int(qcode or 0),
  "slope": float(img.dataobj.slope), "inter": float(img.dataobj.inter),
  "xyzt_units": int(h["xyzt_units"]), "pixdim": [float(v) for v in h["pixdim"]],
  "descrip": h["descrip"].tobytes().decode().rstrip(chr(0)), "intent_name": h["intent_name"].tobytes().decode().rstrip(chr(0)),
  "values": [int(raw[tuple(i)]) for i in idx],
}))
`;

interface Nibabel {
  kind: string;
  shape: number[];
  dtype: string;
  sform: number[][];
  sform_code: number;
  qform: number[][];
  qform_code: number;
  slope: number;
  inter: number;
  xyzt_units: number;
  pixdim: number[];
  descrip: string;
  intent_name: string;
  values: number[];
}

function python(args: readonly string[]): string {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install python3-nibabel and python3-numpy with apt, as CI does`);
  const result = spawnSync(PYTHON, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`python failed: ${result.stderr}`);
  return result.stdout;
}

/** What nifti-reader-js 0.6.8's getLongAt returns for an int64 `n`: little-endian bytes taken as signed. */
function signedByteLong(n: number): number {
  let value = 0;
  for (let i = 7; i >= 0; i--) {
    const byte = Math.floor(n / 256 ** i) % 256;
    value = value * 256 + (byte > 127 ? byte - 256 : byte);
  }
  return value;
}

/**
 * nibabel's view of a file we wrote; nifti-reader-js reads it too and must agree on the dimensions, the sform and
 * the codes (every file written in these tests goes through here or through the header test).
 */
function nibabel(path: string, indices: readonly (readonly number[])[], options: { readonly nifti2DimsAbove32767?: boolean } = {}): Nibabel {
  const read = JSON.parse(python(['-c', NIBABEL_SCRIPT, path, JSON.stringify(indices)])) as Nibabel;
  let data = toArrayBuffer(readFileSync(path));
  if (nifti.isCompressed(data)) data = nifti.decompress(data) as ArrayBuffer;
  expect(nifti.isNIFTI(data)).toBe(true);
  const header = nifti.readHeader(data)!;
  // nifti-reader-js 0.6.8 builds NIfTI-2's int64 dims from signed bytes (Utils.getLongAt over getInt8), so a
  // dimension with a byte above 127 reads wrong: there, expect what that arithmetic gives for nibabel's value.
  const expected = options.nifti2DimsAbove32767 === true ? read.shape.map(signedByteLong) : read.shape;
  expect(header.dims.slice(1, 1 + header.dims[0]!)).toEqual(expected);
  expect([header.sform_code, header.qform_code]).toEqual([read.sform_code, read.qform_code]);
  expectMatrixClose(header.affine, read.sform);
  return read;
}

function expectMatrixClose(actual: readonly (readonly number[])[], expected: readonly (readonly number[])[], digits = 4): void {
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) expect(actual[r]![c]!).toBeCloseTo(expected[r]![c]!, digits);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

// An axial CT stack at a known place: LPS origin (-10, 20, -30), 0.75 mm pixels, 2.5 mm apart.
const ORIGIN = [-10, 20, -30] as const;
const RAS = [[-0.75, 0, 0, 10], [0, -0.75, 0, -20], [0, 0, 2.5, -30], [0, 0, 0, 1]];
const SAMPLES = [[0, 0, 0], [5, 9, 1], [63, 63, 3], [17, 3, 2]] as const;

function ctVolume(slices = 4) {
  return buildVolume(ctSeries({ slices, spacingBetweenSlices: 2.5, origin: [...ORIGIN] }));
}

describe('NIfTI-1 writing', () => {
  it('writes a header that nifti-reader-js reads field by field, and the voxels after vox_offset', async () => {
    const volume = await ctVolume();
    const path = join(dir, 'ct.nii');
    await writeNifti(path, volume);
    const data = toArrayBuffer(readFileSync(path));
    expect(nifti.isNIFTI1(data)).toBe(true);
    const header = nifti.readHeader(data)!;
    expect(header.littleEndian).toBe(true);
    expect(header.dims.slice(0, 4)).toEqual([3, 64, 64, 4]);
    expect(header.datatypeCode).toBe(512); // DT_UINT16
    expect(header.numBitsPerVoxel).toBe(16);
    expect(header.vox_offset).toBe(352);
    expect(header.scl_slope).toBe(1);
    expect(header.scl_inter).toBe(-1024);
    expect(header.xyzt_units).toBe(2 | 8); // mm, s
    expect(header.qform_code).toBe(1);
    expect(header.sform_code).toBe(1);
    expect(header.pixDims.slice(0, 4).map((v) => Number(v.toFixed(5)))).toEqual([1, 0.75, 0.75, 2.5]);
    expectMatrixClose(header.affine, RAS);
    const q = header.getQformMat();
    expectMatrixClose([...q.slice(0, 3).map((row, r) => [...row, [header.qoffset_x, header.qoffset_y, header.qoffset_z][r]!]), [0, 0, 0, 1]], RAS);
    expect(header.description).toBe(`dicom-tools volume ${VOLUME_VERSION} CT`);
    expect(header.intent_name).toBe('HU');
    expect(header.magic).toBe('n+1');
    const image = new Uint16Array(nifti.readImage(header, data));
    for (const [i, j, k] of SAMPLES) expect(image[i + 64 * (j + 64 * k)]).toBe(ctPixelValue(i, j, k));
  });

  it('is read by nibabel with the sform and qform in RAS, scanner codes and the raw scaling', async () => {
    const volume = await ctVolume();
    const path = join(dir, 'ct-nib.nii');
    await writeNifti(path, volume);
    const read = nibabel(path, SAMPLES);
    expect(read.kind).toBe('Nifti1Image');
    expect(read.shape).toEqual([64, 64, 4]);
    expect(read.dtype).toBe('uint16');
    expectMatrixClose(read.sform, RAS);
    expectMatrixClose(read.qform, RAS);
    expect([read.sform_code, read.qform_code]).toEqual([1, 1]);
    expect([read.slope, read.inter]).toEqual([1, -1024]);
    expect(read.values).toEqual(SAMPLES.map(([i, j, k]) => ctPixelValue(i, j, k)));
  });

  it('gzips in parallel chunks into one gzip member that zlib and nibabel read back as the same file', async () => {
    // 256 x 256 x 20 int16 is 2.6 MB: more than one 2 MiB chunk.
    const volume = await buildVolume(ctSeries({ slices: 20, rows: 256, columns: 256 }));
    const plain = Buffer.concat(await encodeNifti(volume));
    const gz = Buffer.concat(await encodeNifti(volume, { compress: true }));
    expect(gz.length).toBeLessThan(plain.length / 2);
    expect(gunzipSync(gz).equals(plain)).toBe(true);
    const path = join(dir, 'big.nii.gz');
    await writeNifti(path, volume);
    expect(readFileSync(path).equals(gz)).toBe(true);
    const read = nibabel(path, [[255, 255, 19], [1, 2, 3]]);
    expect(read.shape).toEqual([256, 256, 20]);
    expect(read.values).toEqual([ctPixelValue(255, 255, 19), ctPixelValue(1, 2, 3)]);
    const header = nifti.readHeader(nifti.decompress(toArrayBuffer(readFileSync(path))) as ArrayBuffer)!;
    expect(header.dims.slice(0, 4)).toEqual([3, 256, 256, 20]);
  });

  it('writes NIfTI-2 when asked, and on its own when a dimension exceeds 32767', async () => {
    const volume = await ctVolume();
    const path = join(dir, 'ct2.nii');
    await writeNifti(path, volume, { version: 2 });
    const read = nibabel(path, SAMPLES);
    expect(read.kind).toBe('Nifti2Image');
    expectMatrixClose(read.sform, RAS);
    expectMatrixClose(read.qform, RAS);
    expect(read.values).toEqual(SAMPLES.map(([i, j, k]) => ctPixelValue(i, j, k)));
    const header = nifti.readHeader(toArrayBuffer(readFileSync(path)))!;
    expect(header.vox_offset).toBe(544);
    expect(header.datatypeCode).toBe(512);
    const wide = await buildVolume(ctSeries({ slices: 1, rows: 1, columns: 33000 }));
    const widePath = join(dir, 'wide.nii.gz');
    await writeNifti(widePath, wide);
    const wideRead = nibabel(widePath, [[32999, 0, 0]], { nifti2DimsAbove32767: true });
    expect(wideRead.kind).toBe('Nifti2Image');
    expect(wideRead.shape).toEqual([33000, 1, 1]);
    expect(wideRead.values).toEqual([ctPixelValue(32999, 0, 0)]);
  });

  it('sets the qform code to 0 for an uncorrected gantry tilt and keeps the shear in the sform', async () => {
    const theta = (12 * Math.PI) / 180;
    const files = ctSeries({ slices: 4, imageOrientationPatient: [1, 0, 0, 0, Math.cos(theta), Math.sin(theta)] });
    files.forEach((file, k) => setValue(file.dataset, Tags.ImagePositionPatient, [0, 0, 3 * k]));
    const path = join(dir, 'tilt.nii');
    await writeNifti(path, await buildVolume(files));
    const read = nibabel(path, [[0, 0, 0]]);
    expect(read.qform_code).toBe(0);
    expect(read.sform_code).toBe(1);
    // Column k of the sform is the step between slice positions, (0, 0, 3) in LPS and RAS alike.
    expect(read.sform.map((row) => Number(row[2]!.toFixed(5)))).toEqual([0, 0, 3, 0]);
    expect(read.sform[1]![1]).toBeCloseTo(-0.75 * Math.cos(theta), 5);
  });

  it('writes RGB voxels as DT_RGB24, which nibabel reads as (R, G, B) triples', async () => {
    const files = ctSeries({ slices: 2, rows: 4, columns: 5 });
    files.forEach((file, k) => {
      for (const [tag, value] of [[Tags.SamplesPerPixel, 3], [Tags.PlanarConfiguration, 0], [Tags.BitsAllocated, 8], [Tags.BitsStored, 8], [Tags.HighBit, 7]] as const) setValue(file.dataset, tag, value);
      setValue(file.dataset, Tags.PhotometricInterpretation, 'RGB');
      setValue(file.dataset, Tags.PixelData, Uint8Array.from({ length: 60 }, (_, n) => (n % 3 === 2 ? 200 + k : n)), { vr: 'OB' });
    });
    const path = join(dir, 'rgb.nii');
    await writeNifti(path, await buildVolume(files));
    expect(nifti.readHeader(toArrayBuffer(readFileSync(path)))!.datatypeCode).toBe(128);
    const out = python(['-c', 'import sys, json, nibabel as nib, numpy as np; img = nib.load(sys.argv[1]); d = np.asanyarray(img.dataobj); v = d[1, 0, 1]; print(json.dumps([list(img.shape), str(img.get_data_dtype()), [int(v[0]), int(v[1]), int(v[2])]]))', path]);
    // Voxel (1, 0, 1): pixel 1 of slice 1, bytes 3..5 of its frame: R = 3, G = 4, B = 201.
    expect(JSON.parse(out)).toEqual([[5, 4, 2], "[('R', 'u1'), ('G', 'u1'), ('B', 'u1')]", [3, 4, 201]]);
  });

  it('writes a 4-D volume with dim[0] = 4', async () => {
    const echo1 = ctSeries({ slices: 3 });
    const echo2 = ctSeries({ slices: 3 });
    echo1.forEach((f) => setValue(f.dataset, Tags.EchoTime, 5));
    echo2.forEach((f) => setValue(f.dataset, Tags.EchoTime, 15));
    const volume = await buildVolume([...echo1, ...echo2]);
    const path = join(dir, 'echo.nii.gz');
    await writeNifti(path, volume);
    const read = nibabel(path, [[1, 2, 2, 1]]);
    expect(read.shape).toEqual([64, 64, 3, 2]);
    expect(read.values).toEqual([ctPixelValue(1, 2, 2)]);
    expect(buildSidecar(volume)['EchoTime']).toEqual([0.005, 0.015]);
  });
});

describe('4-D time series', () => {
  it('stacks Temporal Position Identifier on a time axis, with pixdim[4] the repetition time in seconds', async () => {
    const files = [1, 2, 3].flatMap((t) => ctSeries({ slices: 2 }).map((file, k) => {
      setValue(file.dataset, Tags.TemporalPositionIdentifier, 4 - t);
      setValue(file.dataset, Tags.RepetitionTime, 2500);
      setValue(file.dataset, Tags.SOPInstanceUID, `2.25.99${t}${k}`);
      return file;
    }));
    const volume = await buildVolume(files);
    expect(volume.fourthDimension).toEqual({ kind: 'time', attribute: 'temporalPosition', values: [1, 2, 3] });
    const path = join(dir, 'time.nii');
    await writeNifti(path, volume);
    const read = nibabel(path, [[0, 0, 1, 2]]);
    expect(read.shape).toEqual([64, 64, 2, 3]);
    expect(read.pixdim[4]).toBeCloseTo(2.5, 6);
    expect(read.xyzt_units).toBe(10);
  });
});

describe('sidecar, npy and preview', () => {
  it('writes BIDS-style keys in BIDS units and no patient keys unless asked', async () => {
    const files = ctSeries({ slices: 3, patientName: 'Doe^Jane' });
    for (const file of files) {
      setValue(file.dataset, Tags.EchoTime, 98);
      setValue(file.dataset, Tags.RepetitionTime, 4000);
      setValue(file.dataset, Tags.FlipAngle, 150);
    }
    const volume = await buildVolume(files, { names: ['a.dcm', 'b.dcm', 'c.dcm'] });
    const sidecar = buildSidecar(volume);
    expect(sidecar).toMatchObject({
      Modality: 'CT', Manufacturer: 'dicom-tools', ManufacturersModelName: 'test-fixtures', SeriesDescription: 'Synthetic CT',
      ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'], SliceThickness: 2.5, EchoTime: 0.098, RepetitionTime: 4, FlipAngle: 150,
      ImageOrientationPatientDICOM: [1, 0, 0, 0, 1, 0], ConversionSoftware: 'dicom-tools', ConversionSoftwareVersion: VOLUME_VERSION,
      SliceFiles: ['a.dcm', 'b.dcm', 'c.dcm'], SeriesInstanceUID: (files[0]!.dataset.elements.get(Tags.SeriesInstanceUID)!.value as readonly string[])[0],
    });
    expect(sidecar['SpacingBetweenSlices']).toBeCloseTo(2.5, 6);
    expect(JSON.stringify(sidecar)).not.toContain('Doe');
    expect(Object.keys(sidecar)).not.toContain('PatientName');
    expect(Object.keys(sidecar)).not.toContain('InstitutionName');
    const withPhi = buildSidecar(volume, { includePhi: true });
    expect(withPhi['PatientName']).toBe('Doe^Jane');
    expect(withPhi['InstitutionName']).toBe('Test Institution');
  });

  it('keeps VOLUME_VERSION equal to the package version', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect(VOLUME_VERSION).toBe(pkg.version);
  });

  it('writes .npy that numpy loads as (slices, rows, columns) with the stored values', async () => {
    const volume = await ctVolume();
    const path = join(dir, 'ct.npy');
    writeFileSync(path, Buffer.concat(encodeNpy(volume)));
    expect(npyAxes(volume)).toEqual(['slice', 'row', 'column']);
    const out = python(['-c', 'import sys, json, numpy as np; a = np.load(sys.argv[1]); print(json.dumps([list(a.shape), str(a.dtype), int(a[1, 9, 5]), int(a[3, 63, 63])]))', path]);
    expect(JSON.parse(out)).toEqual([[4, 64, 64], 'uint16', ctPixelValue(5, 9, 1), ctPixelValue(63, 63, 3)]);
  });

  it('renders a PNG preview of three planes', async () => {
    const png = await renderPreview(await ctVolume(8));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset);
    // Panels: 64x64 at 0.75 mm, 64 columns x 8 slices of 2.5 mm, 64 rows x 8 slices: heights scale to square pixels.
    expect(view.getUint32(16)).toBeGreaterThan(3 * 64);
    expect(view.getUint32(20)).toBeGreaterThanOrEqual(64);
  });
});
