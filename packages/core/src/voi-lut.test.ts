// Modality LUT and VOI against pydicom's apply_modality_lut / apply_voi_lut (the peer), on files pydicom writes
// with a rescale, a Modality LUT Sequence, windows with each VOI LUT Function, and a VOI LUT Sequence.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyModalityLut, applyVoi, autoWindow, createDataset, decodeFrame, fileVoiTransforms, modalityTransform, readDicomFile,
} from './index.js';

const PYTHON = '/usr/bin/python3';

const SCRIPT = String.raw`
import sys, json, warnings
warnings.simplefilter('ignore')
import numpy as np, pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_voi_lut
folder = sys.argv[1]
rng = np.random.default_rng(3)
pixels = rng.integers(0, 4095, size=(16, 16), endpoint=True).astype(np.uint16)

def base():
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.7'
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = 16, 16, 1, 'MONOCHROME2'
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelData = pixels.tobytes()
    return ds

def lut_item(first, bits, data):
    item = Dataset()
    item.LUTDescriptor = [len(data), first, bits]
    item.LUTData = [int(v) for v in data]
    item['LUTDescriptor'].VR = 'US'
    item['LUTData'].VR = 'US'
    return item

out = {}
def case(name, ds, window=True):
    path = f'{folder}/{name}.dcm'
    ds.save_as(path, write_like_original=False)
    ds = pydicom.dcmread(path)
    arr = ds.pixel_array
    modality = apply_modality_lut(arr, ds)
    voi = apply_voi_lut(modality, ds, prefer_lut=not window)
    entry = {'modality': modality.astype(float).ravel().tolist(), 'voi': voi.astype(float).ravel().tolist()}
    if window:
        y_min, y_max = 0, 2 ** ds.BitsStored - 1
        if 'RescaleSlope' in ds:
            y_min, y_max = y_min * ds.RescaleSlope + ds.RescaleIntercept, y_max * ds.RescaleSlope + ds.RescaleIntercept
        entry['normalized'] = ((voi - y_min) / (y_max - y_min)).ravel().tolist()
    out[name] = entry

for fn in ['LINEAR', 'LINEAR_EXACT', 'SIGMOID']:
    ds = base()
    ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType = 2.5, -1024, 'HU'
    ds.WindowCenter, ds.WindowWidth = [2000.5, 900], [3000, 500]
    ds.VOILUTFunction = fn
    case(fn, ds)
ds = base()
ds.ModalityLUTSequence = [lut_item(100, 16, np.arange(3000) * 7 % 65536)]
ds.ModalityLUTSequence[0].ModalityLUTType = 'US'
case('modality_lut', ds, window=False)
ds = base()
ds.VOILUTSequence = [lut_item(50, 12, (np.arange(3900) * 4095 // 3899)[::-1])]
case('voi_lut', ds, window=False)
print(json.dumps(out))
`;

interface Case {
  readonly modality: number[];
  readonly voi: number[];
  readonly normalized?: number[];
}

function runPeer(folder: string): Record<string, Case> {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install python3-pydicom and python3-numpy`);
  const result = spawnSync(PYTHON, ['-c', SCRIPT, folder], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`pydicom failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, Case>;
}

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

describe('Modality LUT and VOI agree with pydicom', () => {
  let folder: string;
  let peer: Record<string, Case>;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'dicom-tools-voi-'));
    peer = runPeer(folder);
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it.each(['LINEAR', 'LINEAR_EXACT', 'SIGMOID'])('applies the rescale, then the first window with VOI LUT Function %s', async (fn) => {
    const file = await readDicomFile(join(folder, `${fn}.dcm`));
    const frame = await decodeFrame(file, 0);
    const transform = modalityTransform(file.dataset);
    expect(transform).toEqual({ kind: 'rescale', slope: 2.5, intercept: -1024, type: 'HU' });
    const values = applyModalityLut(frame, transform);
    expectClose(values, peer[fn]!.modality, 0);
    const vois = fileVoiTransforms(file.dataset);
    expect(vois).toHaveLength(2);
    expect(vois[0]).toEqual({ kind: 'window', center: 2000.5, width: 3000, function: fn });
    expectClose(applyVoi(values, vois[0]!, 1), peer[fn]!.normalized!, 1e-9);
  });

  it('applies a Modality LUT Sequence', async () => {
    const file = await readDicomFile(join(folder, 'modality_lut.dcm'));
    const transform = modalityTransform(file.dataset);
    expect(transform.kind).toBe('lut');
    expectClose(applyModalityLut(await decodeFrame(file, 0), transform), peer['modality_lut']!.modality, 0);
  });

  it('applies a VOI LUT Sequence, entries scaled from their bit range to the output range', async () => {
    const file = await readDicomFile(join(folder, 'voi_lut.dcm'));
    const values = applyModalityLut(await decodeFrame(file, 0), modalityTransform(file.dataset));
    const [voi] = fileVoiTransforms(file.dataset);
    expect(voi?.kind).toBe('lut');
    expectClose(applyVoi(values, voi!, 4095), peer['voi_lut']!.voi, 1e-9);
  });
});

describe('VOI windows by the PS3.3 C.11.2.1.2.1 formula', () => {
  it('maps the LINEAR window edges as the standard says: c - 0.5 - (w-1)/2 and below to 0, above c - 0.5 + (w-1)/2 to max', () => {
    const window = { kind: 'window', center: 40, width: 400, function: 'LINEAR' } as const;
    const [low, justAbove, high, above] = applyVoi([-160.5, -160, 239.5, 239.6], window, 255);
    expect(low).toBe(0);
    expect(justAbove).toBeCloseTo(((-160 - 39.5) / 399 + 0.5) * 255, 9);
    expect(high).toBeCloseTo(255, 9);
    expect(above).toBe(255);
  });

  it('refuses a LINEAR width below 1 and a SIGMOID width of 0 with CORE_INVALID_VALUE', () => {
    expect(() => applyVoi([1], { kind: 'window', center: 0, width: 0.5, function: 'LINEAR' }, 255)).toThrow(expect.objectContaining({ code: 'CORE_INVALID_VALUE' }));
    expect(() => applyVoi([1], { kind: 'window', center: 0, width: 0, function: 'SIGMOID' }, 255)).toThrow(expect.objectContaining({ code: 'CORE_INVALID_VALUE' }));
  });

  it('auto-windows on min/max or percentiles, leaving out excluded (padding) values', () => {
    const values = [-2000, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    const exclude = new Uint8Array(values.length);
    exclude[0] = 1;
    const minmax = autoWindow(values, { exclude });
    // centre (lo + hi + 1) / 2, width hi - lo + 1: lo maps to 0 and hi to the top under LINEAR.
    expect(minmax).toEqual({ kind: 'window', center: 50.5, width: 101, function: 'LINEAR' });
    expect(Array.from(applyVoi([0, 100], minmax, 255))).toEqual([0, 255]);
    const percentile = autoWindow(values, { mode: 'percentile', lower: 10, upper: 90, exclude });
    // numpy.percentile([0..100 step 10], 10) = 10, (.., 90) = 90
    expect([percentile.center, percentile.width]).toEqual([50.5, 81]);
  });

  it('reads no VOI from a data set without one', () => {
    expect(fileVoiTransforms(createDataset())).toEqual([]);
  });
});
