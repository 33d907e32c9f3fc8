// getFrame / decodeFrame against pydicom's Dataset.pixel_array (the peer): every native image in the corpus, and
// files pydicom itself writes in the layouts the corpus lacks (1-bit frames that are not byte aligned, planar
// colour, YBR_FULL_422, 32-bit, float and double float, big endian). The reference pixels are made in the test by
// /usr/bin/python3 (Debian's python3-pydicom and python3-numpy), never taken from our own output.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusFile, corpusFiles, CORPUS_REJECTS } from '@dicom-tools/test-fixtures';
import {
  createCodecRegistry, createDataset, decodeFrame, describePixels, frameCount, getFrame, isDicomError, readDicomFile,
} from './index.js';

const PYTHON = '/usr/bin/python3';

/** pydicom's pixel_array of each file, little endian, as { dtype, shape, base64 bytes }. */
const PIXEL_ARRAY = String.raw`
import sys, json, base64, warnings
warnings.simplefilter('ignore')
import numpy as np, pydicom
out = {}
for path in sys.argv[1:]:
    ds = pydicom.dcmread(path, force=True)
    if 'NumberOfFrames' in ds:
        try: int(str(ds['NumberOfFrames'].value))
        except ValueError:  # badVR.dcm holds "1A": an RT Dose has one frame per Grid Frame Offset Vector value
            ds.NumberOfFrames = len(ds.GridFrameOffsetVector)
    arr = ds.pixel_array
    arr = arr.astype(arr.dtype.newbyteorder('<'))
    out[path] = {'dtype': arr.dtype.str, 'shape': list(arr.shape), 'data': base64.b64encode(arr.tobytes()).decode()}
print(json.dumps(out))
`;

/** Writes DICOM files in layouts the corpus lacks, with pydicom, into argv[1]. Pixel values are random (seeded). */
const MAKE_LAYOUTS = String.raw`
import sys, warnings
warnings.simplefilter('ignore')
import numpy as np, pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, ExplicitVRBigEndian, generate_uid
from pydicom.pixel_data_handlers.util import pack_bits
rng = np.random.default_rng(7)
folder = sys.argv[1]

def write(name, rows, cols, spp, ba, bs, pr, pi, frames, data, planar=None, big=False, tag='PixelData', vr='OW'):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRBigEndian if big else ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.7'
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.is_little_endian = not big
    ds.is_implicit_VR = False
    ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = rows, cols, spp, pi
    ds.BitsAllocated = ba
    if tag == 'PixelData':
        ds.BitsStored, ds.HighBit, ds.PixelRepresentation = bs, bs - 1, pr
    if frames > 1: ds.NumberOfFrames = frames
    if planar is not None: ds.PlanarConfiguration = planar
    if len(data) % 2: data += b'\0'
    setattr(ds, tag, data)
    ds[tag].VR = vr
    ds.save_as(f'{folder}/{name}.dcm', write_like_original=False)

def ints(shape, bits, signed, dtype):
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    return rng.integers(lo, hi, size=shape, endpoint=True, dtype=np.int64).astype(dtype)

write('bits1_3frames_5x7', 5, 7, 1, 1, 1, 0, 'MONOCHROME2', 3, pack_bits(ints((3 * 35,), 1, False, np.uint8)), vr='OB')
write('int8_bs6', 4, 6, 1, 8, 6, 1, 'MONOCHROME2', 1, ints((24,), 6, True, np.int8).tobytes(), vr='OB')
write('int16_bs12_2frames', 5, 6, 1, 16, 12, 1, 'MONOCHROME2', 2, ints((60,), 12, True, np.int16).tobytes())
write('uint16_rgb_planar0', 3, 5, 3, 16, 16, 0, 'RGB', 1, ints((45,), 16, False, np.uint16).tobytes(), planar=0)
write('uint8_rgb_planar1_2frames', 4, 5, 3, 8, 8, 0, 'RGB', 2, ints((120,), 8, False, np.uint8).tobytes(), planar=1, vr='OB')
write('ybr_full_422', 4, 6, 3, 8, 8, 0, 'YBR_FULL_422', 1, ints((48,), 8, False, np.uint8).tobytes(), planar=0, vr='OB')
write('int32_3frames', 3, 4, 1, 32, 32, 1, 'MONOCHROME2', 3, ints((36,), 32, True, np.int32).tobytes())
write('uint32_bs24', 3, 3, 1, 32, 24, 0, 'MONOCHROME2', 1, ints((9,), 24, False, np.uint32).tobytes())
write('float32', 4, 3, 1, 32, 32, 0, 'MONOCHROME2', 2, rng.normal(0, 1000, 24).astype(np.float32).tobytes(), tag='FloatPixelData', vr='OF')
write('float64', 3, 4, 1, 64, 64, 0, 'MONOCHROME2', 1, rng.normal(0, 1e6, 12).astype(np.float64).tobytes(), tag='DoubleFloatPixelData', vr='OD')
write('big_int16_2frames', 4, 5, 1, 16, 16, 1, 'MONOCHROME2', 2, ints((40,), 16, True, '>i2').tobytes(), big=True)
write('big_int32', 3, 4, 1, 32, 32, 1, 'MONOCHROME2', 1, ints((12,), 32, True, '>i4').tobytes(), big=True)
write('big_uint8_rgb_odd', 3, 3, 3, 8, 8, 0, 'RGB', 1, ints((27,), 8, False, np.uint8).tobytes(), planar=0, big=True, vr='OB')
`;

interface Reference {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: string;
}

function python(script: string, args: readonly string[]): string {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install python3-pydicom and python3-numpy (apt-get install -y python3-pydicom python3-numpy)`);
  const result = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`pydicom failed: ${result.stderr}`);
  return result.stdout;
}

function pixelArrays(paths: readonly string[]): Record<string, Reference> {
  return JSON.parse(python(PIXEL_ARRAY, paths)) as Record<string, Reference>;
}

const ARRAY_FOR_DTYPE: Record<string, string> = {
  '|u1': 'Uint8Array', '|i1': 'Int8Array', '<u2': 'Uint16Array', '<i2': 'Int16Array', '<u4': 'Uint32Array', '<i4': 'Int32Array', '<f4': 'Float32Array', '<f8': 'Float64Array',
};

/** The reference as numbers, per frame (pydicom puts frames first in the shape when there are several). */
function referenceFrames(reference: Reference, frames: number): number[][] {
  const bytes = Buffer.from(reference.data, 'base64');
  const aligned = new Uint8Array(bytes.length);
  aligned.set(bytes);
  const Ctor = { Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array, Float32Array, Float64Array }[ARRAY_FOR_DTYPE[reference.dtype] as 'Uint8Array'];
  const all = Array.from(new Ctor(aligned.buffer));
  const per = all.length / frames;
  return Array.from({ length: frames }, (_, i) => all.slice(i * per, (i + 1) * per));
}

async function expectEqualToPydicom(path: string, reference: Reference): Promise<void> {
  const file = await readDicomFile(path);
  const frames = frameCount(file.dataset);
  const expected = referenceFrames(reference, frames);
  const description = describePixels(file.dataset);
  const samples = description.samplesPerPixel;
  const shape = [...(frames > 1 ? [frames] : []), description.rows, description.columns, ...(samples > 1 ? [samples] : [])];
  expect({ path, shape }).toEqual({ path, shape: reference.shape });
  for (let i = 0; i < frames; i++) {
    const frame = await decodeFrame(file, i);
    expect({ path, array: frame.data.constructor.name }).toEqual({ path, array: ARRAY_FOR_DTYPE[reference.dtype] });
    expect(frame.data.length).toBe(description.rows * description.columns * samples);
    expect(Array.from(frame.data as ArrayLike<number>)).toEqual(expected[i]);
  }
}

/** Corpus files with pixel data in a native transfer syntax (the ones pydicom decodes without a codec). */
async function nativeCorpusImages(): Promise<string[]> {
  const out: string[] = [];
  for (const name of corpusFiles()) {
    if (CORPUS_REJECTS[name] !== undefined) continue;
    const file = await readDicomFile(corpusFile(name));
    const pixels = file.dataset.elements.get(0x7fe00010);
    if (pixels === undefined || !file.dataset.elements.has(0x00280010) || 'encapsulated' in pixels) continue;
    out.push(name);
  }
  return out;
}

describe('getFrame and decodeFrame equal pydicom pixel_array', () => {
  it('for every native image of the corpus, including big endian, odd length RGB, 1-bit and 32-bit', async () => {
    const names = await nativeCorpusImages();
    for (const required of ['ExplVR_BigEnd.dcm', 'SC_rgb_small_odd.dcm', 'liver_1frame.dcm', 'rtdose_1frame.dcm', 'CT_small.dcm', 'MR_small_bigendian.dcm', 'image_dfl.dcm']) {
      expect(names).toContain(required);
    }
    const paths = names.map(corpusFile);
    const references = pixelArrays(paths);
    for (const path of paths) await expectEqualToPydicom(path, references[path]!);
  });

  it('for files pydicom writes in the layouts the corpus lacks', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dicom-tools-pixels-'));
    try {
      python(MAKE_LAYOUTS, [folder]);
      const paths = readdirSync(folder).sort().map((name) => join(folder, name));
      expect(paths).toHaveLength(13);
      const references = pixelArrays(paths);
      for (const path of paths) await expectEqualToPydicom(path, references[path]!);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('getFrame', () => {
  it('reads a single RGB frame as one frame of rows x columns x 3 samples', async () => {
    const file = await readDicomFile(corpusFile('SC_rgb_small_odd.dcm'));
    expect(frameCount(file.dataset)).toBe(1);
    const frame = getFrame(file.dataset, 0);
    expect([frame.rows, frame.columns, frame.samplesPerPixel, frame.data.length]).toEqual([3, 3, 3, 27]);
    expect(() => getFrame(file.dataset, 1)).toThrow(expect.objectContaining({ code: 'CORE_INVALID_VALUE' }));
  });

  it('masks bits above High Bit and sign-extends Bits Stored, as PS3.5 8.1.1 lays them out', () => {
    // 16-bit cells, 12 bits stored at bits 13..2 (High Bit 13), garbage in the two top and two bottom bits.
    const cells = [0b1100_0000_0000_0111, 0b0010_0000_0000_0011, 0b0101_1111_1111_1100, 0b1010_0000_0001_0000];
    const bytes = new Uint8Array(new Uint16Array(cells).buffer);
    const element = (tag: number, value: number) => ({ tag, vr: 'US' as const, value: [value] });
    const base = [element(0x00280002, 1), element(0x00280010, 2), element(0x00280011, 2), element(0x00280100, 16), element(0x00280101, 12), element(0x00280102, 13)];
    const pixels = { tag: 0x7fe00010, vr: 'OW' as const, value: bytes };
    const stored = cells.map((c) => (c >> 2) & 0xfff);
    const unsigned = getFrame(createDataset([...base, element(0x00280103, 0), pixels]), 0);
    expect(Array.from(unsigned.data as Uint16Array)).toEqual(stored);
    const signed = getFrame(createDataset([...base, element(0x00280103, 1), pixels]), 0);
    expect(signed.data).toBeInstanceOf(Int16Array);
    expect(Array.from(signed.data as Int16Array)).toEqual(stored.map((v) => (v >= 2048 ? v - 4096 : v)));
  });

  it('answers compressed pixel data with TRANSCODE_CODEC_UNAVAILABLE, from getFrame and from decodeFrame without a codec', async () => {
    const file = await readDicomFile(corpusFile('MR_small_RLE.dcm'));
    expect(() => getFrame(file.dataset, 0)).toThrow(expect.objectContaining({ code: 'TRANSCODE_CODEC_UNAVAILABLE' }));
    await expect(decodeFrame(file, 0)).rejects.toMatchObject({ code: 'TRANSCODE_CODEC_UNAVAILABLE' });
    await expect(decodeFrame(file, 0, { codecs: createCodecRegistry() })).rejects.toMatchObject({ code: 'TRANSCODE_CODEC_UNAVAILABLE' });
  });

  it('hands a compressed frame to the registered codec and unpacks what it returns', async () => {
    const file = await readDicomFile(corpusFile('SC_rgb_rle_2frame.dcm'));
    const seen: number[] = [];
    const codecs = createCodecRegistry([{
      name: 'stub',
      transferSyntaxUIDs: [file.transferSyntaxUID],
      decode: async (frame) => {
        seen.push(frame.length);
        return { bytes: new Uint8Array(100 * 100 * 3).fill(frame.length % 251), photometricInterpretation: 'RGB' };
      },
    }]);
    const frame = await decodeFrame(file, 1, { codecs });
    expect(frame.photometricInterpretation).toBe('RGB');
    expect(frame.data.length).toBe(30000);
    expect(seen).toHaveLength(1);
    expect(frame.data[0]).toBe(seen[0]! % 251);
  });

  it('reports pixel data too short for a frame as CORE_TRUNCATED and a missing Rows as CORE_INVALID_VALUE', () => {
    const element = (tag: number, value: number) => ({ tag, vr: 'US' as const, value: [value] });
    const short = createDataset([element(0x00280010, 4), element(0x00280011, 4), element(0x00280100, 16), { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(30) }]);
    expect(() => getFrame(short, 0)).toThrow(expect.objectContaining({ code: 'CORE_TRUNCATED' }));
    const noRows = createDataset([element(0x00280011, 4), element(0x00280100, 16), { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(32) }]);
    let error: unknown;
    try {
      getFrame(noRows, 0);
    } catch (e) {
      error = e;
    }
    expect(isDicomError(error, 'CORE_INVALID_VALUE')).toBe(true);
  });
});
