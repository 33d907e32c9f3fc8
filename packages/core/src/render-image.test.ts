// renderFrame, encodePng and encodeJpeg: windowing by the PS3.3 C.11.2.1.2.1 formula after the rescale, MONOCHROME1
// inversion, padding, 16-bit PNG that gives back pydicom's modality values exactly, and every corpus image as a PNG
// that pngjs decodes (a real decoder), or a TRANSCODE_CODEC_UNAVAILABLE error for compressed ones without codecs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { corpusFile, corpusFiles, CORPUS_REJECTS, ctSlice, ctPixelValue } from '@dicom-tools/test-fixtures';
import { decode as decodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import {
  calculateStatistics, createDataset, decodeFrame, encodeJpeg, encodePng, frameCount, getFrame, isDicomError, readDicomFile, renderFrame,
  type DataElement, type Dataset,
} from './index.js';

const PYTHON = '/usr/bin/python3';

/** pydicom's modality values (apply_modality_lut on pixel_array) of each file, as a flat list. */
const MODALITY = String.raw`
import sys, json, warnings
warnings.simplefilter('ignore')
import pydicom
from pydicom.pixel_data_handlers.util import apply_modality_lut
print(json.dumps({p: apply_modality_lut(pydicom.dcmread(p).pixel_array, pydicom.dcmread(p)).ravel().tolist() for p in sys.argv[1:]}))
`;

function modalityValues(paths: readonly string[]): Record<string, number[]> {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install python3-pydicom and python3-numpy`);
  const result = spawnSync(PYTHON, ['-c', MODALITY, ...paths], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`pydicom failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, number[]>;
}

function decodePng(bytes: Uint8Array): PNG {
  return PNG.sync.read(Buffer.from(bytes), { skipRescale: true });
}

/** The samples of a decoded 16-bit grey PNG (pngjs gives 16-bit data as RGBA words). */
function greySamples16(png: PNG): number[] {
  const words = new Uint16Array(png.data.buffer, png.data.byteOffset, png.data.byteLength / 2);
  return Array.from({ length: png.width * png.height }, (_, i) => words[i * 4]!);
}

function replaced(dataset: Dataset, elements: readonly DataElement[]): Dataset {
  return createDataset([...dataset.elements.values(), ...elements]);
}

describe('renderFrame', () => {
  it('shows CT_small soft tissue with its file window (auto when it has none): under 10% clipped at either end', async () => {
    const file = await readDicomFile(corpusFile('CT_small.dcm'));
    const image = renderFrame(await decodeFrame(file, 0), file.dataset);
    expect(image.voiSource).toBe('auto');
    expect(image.modality).toEqual({ kind: 'rescale', slope: 1, intercept: -1024 });
    const pixels = image.data.length;
    const black = image.data.filter((v) => v === 0).length / pixels;
    const white = image.data.filter((v) => v === 255).length / pixels;
    expect(black).toBeLessThan(0.1);
    expect(white).toBeLessThan(0.1);
    expect(new Set(image.data).size).toBeGreaterThan(100);
  });

  it('applies the rescale before an explicit window, by the C.11.2.1.2.1 LINEAR formula', async () => {
    const file = await readDicomFile(corpusFile('CT_small.dcm'));
    const frame = getFrame(file.dataset, 0);
    const image = renderFrame(frame, file.dataset, { window: { center: 40, width: 400 } });
    expect(image.voiSource).toBe('explicit');
    // dcmdump: Rescale Intercept -1024, Rescale Slope 1.
    const expected = Array.from(frame.data, (stored) => {
      const x = stored - 1024;
      if (x <= 40 - 0.5 - 399 / 2) return 0;
      if (x > 40 - 0.5 + 399 / 2) return 255;
      return Math.round(((x - 39.5) / 399 + 0.5) * 255);
    });
    expect(Array.from(image.data)).toEqual(expected);
    expect(image.data.filter((v) => v === 255).length / image.data.length).toBeLessThan(0.9);
  });

  it('inverts MONOCHROME1 after the VOI: the lowest value comes out white', () => {
    const ramp = Uint8Array.from({ length: 256 }, (_, i) => i);
    const us = (tag: number, value: number): DataElement => ({ tag, vr: 'US', value: [value] });
    const dataset = createDataset([
      us(0x00280002, 1), { tag: 0x00280004, vr: 'CS', value: ['MONOCHROME1'] }, us(0x00280010, 16), us(0x00280011, 16),
      us(0x00280100, 8), us(0x00280101, 8), us(0x00280102, 7), us(0x00280103, 0),
      { tag: 0x00281050, vr: 'DS', value: ['128'] }, { tag: 0x00281051, vr: 'DS', value: ['256'] },
      { tag: 0x7fe00010, vr: 'OB', value: ramp },
    ]);
    const image = renderFrame(getFrame(dataset, 0), dataset);
    expect([image.voiSource, image.inverted]).toEqual(['file', true]);
    // Window 128/256 maps 0..255 linearly onto 0..255 (C.11.2.1.2.1); MONOCHROME1 then reverses it.
    expect(Array.from(image.data)).toEqual(Array.from(ramp, (x) => 255 - Math.round(((x - 127.5) / 255 + 0.5) * 255)));
    expect(image.data[0]).toBe(255);
    expect(image.data[255]).toBe(0);
  });

  it('leaves Pixel Padding out of the auto window and the statistics, and shows it black', () => {
    const file = ctSlice();
    const frame0 = getFrame(file.dataset, 0);
    const stored = Uint16Array.from(frame0.data as Uint16Array);
    stored.fill(4095, 0, 64); // the first row is padding
    const dataset = replaced(file.dataset, [
      { tag: 0x00280120, vr: 'US', value: [4095] },
      { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(stored.buffer) },
    ]);
    const frame = getFrame(dataset, 0);
    const stats = calculateStatistics(frame, { dataset });
    expect(stats.excluded).toBe(64);
    let max = 0;
    for (let row = 1; row < 64; row++) for (let column = 0; column < 64; column++) max = Math.max(max, ctPixelValue(column, row, 0));
    expect(stats.channels[0]!.max).toBe(max - 1024);
    const image = renderFrame(frame, dataset, { window: 'minmax' });
    expect(image.voi).toMatchObject({ kind: 'window', width: max - ctPixelValue(0, 1, 0) + 1 });
    expect(Array.from(image.data.subarray(0, 64))).toEqual(new Array(64).fill(0));
    expect(Math.max(...image.data.subarray(64))).toBe(255);
  });

  it('keeps 16 bits when asked for them with a window', async () => {
    const file = await readDicomFile(corpusFile('CT_small.dcm'));
    const image = renderFrame(getFrame(file.dataset, 0), file.dataset, { bitDepth: 16, window: 'minmax' });
    expect(image.data).toBeInstanceOf(Uint16Array);
    expect(new Set(image.data).size).toBeGreaterThan(1000);
    expect(Math.max(...image.data)).toBe(65535);
  });
});

describe('encodePng and encodeJpeg', () => {
  it('writes 16-bit PNGs without a window that give back pydicom\'s modality values exactly', async () => {
    const names = ['CT_small.dcm', 'MR_small.dcm', 'MR_small_bigendian.dcm'];
    const expected = modalityValues(names.map(corpusFile));
    for (const name of names) {
      const file = await readDicomFile(corpusFile(name));
      const image = renderFrame(await decodeFrame(file, 0), file.dataset, { window: 'none', bitDepth: 16 });
      const png = decodePng(await encodePng(image, { text: { 'dicom-tools:StoredOffset': String(image.storedOffset) } }));
      expect([png.width, png.height]).toEqual([image.width, image.height]);
      const modality = image.modality!;
      const slope = modality.kind === 'rescale' ? modality.slope : 1;
      const intercept = modality.kind === 'rescale' ? modality.intercept : 0;
      expect(greySamples16(png).map((s) => (s + image.storedOffset!) * slope + intercept)).toEqual(expected[corpusFile(name)]);
    }
  });

  it('writes tEXt chunks a PNG reader accepts (CRC checked) and JPEGs jpeg-js decodes close to the image', async () => {
    const file = await readDicomFile(corpusFile('CT_small.dcm'));
    const image = renderFrame(getFrame(file.dataset, 0), file.dataset);
    const bytes = await encodePng(image, { text: { Software: 'dicom-tools', 'dicom-tools:Window': '40/400' } });
    expect(Buffer.from(bytes).includes(Buffer.from('tEXtSoftware\0dicom-tools', 'latin1'))).toBe(true);
    const png = decodePng(bytes);
    expect(Array.from({ length: image.data.length }, (_, i) => png.data[i * 4])).toEqual(Array.from(image.data));
    const jpeg = decodeJpeg(await encodeJpeg(image, { quality: 95 }), { useTArray: true });
    expect([jpeg.width, jpeg.height]).toEqual([128, 128]);
    let error = 0;
    for (let i = 0; i < image.data.length; i++) error += Math.abs(jpeg.data[i * 4]! - image.data[i]!);
    expect(error / image.data.length).toBeLessThan(3);
    await expect(encodeJpeg({ ...image, bitDepth: 16 })).rejects.toThrow(expect.objectContaining({ code: 'CORE_INVALID_VALUE' }));
  });

  it('turns every frame of every corpus image into a PNG pngjs decodes, or TRANSCODE_CODEC_UNAVAILABLE when compressed', async () => {
    let written = 0;
    let unavailable = 0;
    for (const name of corpusFiles()) {
      if (CORPUS_REJECTS[name] !== undefined) continue;
      const file = await readDicomFile(corpusFile(name));
      if (!file.dataset.elements.has(0x7fe00010) || !file.dataset.elements.has(0x00280010)) continue;
      for (let i = 0; i < frameCount(file.dataset); i++) {
        let frame;
        try {
          frame = await decodeFrame(file, i);
        } catch (error) {
          expect({ name, code: isDicomError(error) ? error.code : String(error) }).toEqual({ name, code: 'TRANSCODE_CODEC_UNAVAILABLE' });
          unavailable++;
          break;
        }
        for (const bitDepth of [8, 16] as const) {
          const image = renderFrame(frame, file.dataset, { bitDepth });
          const png = decodePng(await encodePng(image));
          expect({ name, size: [png.width, png.height] }).toEqual({ name, size: [frame.columns, frame.rows] });
        }
        written++;
      }
    }
    // 10 native single-frame images plus badVR.dcm's 15 frames; 8 compressed images (see corpus/README.md).
    expect([written, unavailable]).toEqual([25, 8]);
  });
});
