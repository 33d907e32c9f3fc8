// Colour to RGB against pydicom's convert_color_space and apply_color_lut (the peer), on files pydicom writes:
// YBR_FULL, YBR_FULL_422 (native, subsampled), PALETTE COLOR with pydicom's PET palette (8-bit entries) and with a
// segmented 16-bit palette (discrete and linear segments).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrame, readDicomFile, renderFrame, toRgb } from './index.js';

const PYTHON = '/usr/bin/python3';

const SCRIPT = String.raw`
import sys, json, warnings
warnings.simplefilter('ignore')
import numpy as np, pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from pydicom.data import get_palette_files
from pydicom.pixel_data_handlers.util import apply_color_lut, convert_color_space
folder = sys.argv[1]
rng = np.random.default_rng(5)

def base(pi, spp, data, bits=8):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.7'
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = 6, 8, spp, pi
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = bits, bits, bits - 1, 0
    if spp == 3: ds.PlanarConfiguration = 0
    ds.PixelData = data
    return ds

out = {}
def save(name, ds):
    path = f'{folder}/{name}.dcm'
    ds.save_as(path, write_like_original=False)
    return pydicom.dcmread(path)

ds = save('ybr_full', base('YBR_FULL', 3, rng.integers(0, 255, 144, endpoint=True, dtype=np.uint8).tobytes()))
out['ybr_full'] = convert_color_space(ds.pixel_array, 'YBR_FULL', 'RGB').ravel().tolist()
ds = save('ybr_full_422', base('YBR_FULL_422', 3, rng.integers(0, 255, 96, endpoint=True, dtype=np.uint8).tobytes()))
out['ybr_full_422'] = convert_color_space(ds.pixel_array, 'YBR_FULL', 'RGB').ravel().tolist()

pet = pydicom.dcmread(get_palette_files('pet.dcm')[0])
ds = base('PALETTE COLOR', 1, rng.integers(0, 255, 48, endpoint=True, dtype=np.uint8).tobytes())
for c in ['Red', 'Green', 'Blue']:
    setattr(ds, f'{c}PaletteColorLookupTableDescriptor', list(getattr(pet, f'{c}PaletteColorLookupTableDescriptor')))
    ds[f'{c}PaletteColorLookupTableDescriptor'].VR = 'US'
    setattr(ds, f'{c}PaletteColorLookupTableData', getattr(pet, f'{c}PaletteColorLookupTableData'))
ds = save('palette_pet', ds)
out['palette_pet'] = apply_color_lut(ds.pixel_array, ds).ravel().tolist()

segments = {
    'Red': [0, 3, 0, 100, 200, 1, 50, 4000, 0, 2, 5000, 6000, 1, 200, 65535],
    'Green': [0, 1, 65535, 1, 254, 0],
    'Blue': [0, 255] + list(range(0, 65535, 257))[:255],
}
ds = base('PALETTE COLOR', 1, (rng.integers(0, 300, 48, endpoint=True, dtype=np.uint16)).tobytes(), bits=16)
for c, words in segments.items():
    setattr(ds, f'{c}PaletteColorLookupTableDescriptor', [255, 10, 16])
    ds[f'{c}PaletteColorLookupTableDescriptor'].VR = 'US'
    setattr(ds, f'Segmented{c}PaletteColorLookupTableData', np.array(words, dtype='<u2').tobytes())
    ds[f'Segmented{c}PaletteColorLookupTableData'].VR = 'OW'
ds = save('palette_segmented', ds)
out['palette_segmented'] = apply_color_lut(ds.pixel_array, ds).ravel().tolist()
print(json.dumps(out))
`;

function runPeer(folder: string): Record<string, number[]> {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install python3-pydicom and python3-numpy`);
  const result = spawnSync(PYTHON, ['-c', SCRIPT, folder], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`pydicom failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, number[]>;
}

function worstDifference(actual: ArrayLike<number>, expected: readonly number[]): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst;
}

describe('toRgb agrees with pydicom', () => {
  let folder: string;
  let peer: Record<string, number[]>;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'dicom-tools-color-'));
    peer = runPeer(folder);
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  // pydicom rounds the BT.601 matrix product; the standard fixes no rounding, so 1 step of 255 is allowed.
  it.each(['ybr_full', 'ybr_full_422'])('converts %s to RGB within one step', async (name) => {
    const file = await readDicomFile(join(folder, `${name}.dcm`));
    const frame = await decodeFrame(file, 0);
    expect(frame.photometricInterpretation).toBe('YBR_FULL');
    const rgb = toRgb(frame, file.dataset);
    expect(rgb.data).toBeInstanceOf(Uint8Array);
    expect(worstDifference(rgb.data, peer[name]!)).toBeLessThanOrEqual(1);
  });

  it('looks PALETTE COLOR up in 8-bit palette tables stored one entry per byte', async () => {
    const file = await readDicomFile(join(folder, 'palette_pet.dcm'));
    const rgb = toRgb(await decodeFrame(file, 0), file.dataset);
    expect(rgb.maxValue).toBe(255);
    expect(worstDifference(rgb.data, peer['palette_pet']!)).toBe(0);
  });

  it('expands segmented palettes (discrete and linear segments) and clamps indices outside the table', async () => {
    const file = await readDicomFile(join(folder, 'palette_segmented.dcm'));
    const rgb = toRgb(await decodeFrame(file, 0), file.dataset);
    expect(rgb.maxValue).toBe(65535);
    // Linear segments are rounded: pydicom rounds halves to even, we round them up.
    expect(worstDifference(rgb.data, peer['palette_segmented']!)).toBeLessThanOrEqual(1);
    const rendered = renderFrame(await decodeFrame(file, 0), file.dataset, { bitDepth: 16 });
    expect(rendered.channels).toBe(3);
    expect(worstDifference(rendered.data, peer['palette_segmented']!)).toBeLessThanOrEqual(1);
  });
});
