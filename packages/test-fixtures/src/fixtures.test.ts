import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDicom, TransferSyntax, VRS, writeDicom, writeDicomFile, type DataElement, type Dataset, type DicomFile } from '@dicom-tools/core';
import {
  bareDatasetBytes, ctPixelValue, ctSeries, ctSeriesInstanceUid, ctSlice, DEFAULT_FIXTURE_SEED, enhancedMultiframe, FIXTURE_NAMES, fixtureFiles,
  nestedSequences, secondaryCapture, secondaryCapturePixel, segmentation, segmentationMaskValue, specialVrs, writeFixture, type FixtureName,
} from './index.js';

/** The IOD dciodvfy must recognise each fixture as (its name for the IOD of the SOP class, PS3.3 Annex A). */
const IOD: Readonly<Record<FixtureName, string>> = {
  ctSlice: 'CTImage',
  ctSeries: 'CTImage',
  secondaryCapture: 'SCImage',
  secondaryCaptureRgb: 'SCImage',
  enhancedMultiframe: 'EnhancedCTImage',
  basicTextSR: 'BasicTextSR',
  segmentation: 'Segmentation',
  nestedSequences: 'BasicTextSR',
  specialVrs: 'SCImage',
  bareDataset: 'CTImage',
};

/**
 * specialVrs puts the Selector <VR> Value attributes, which belong to no image IOD, into an SC image: dciodvfy
 * warns that they are not in the IOD, and this dicom3tools build does not know OV, SV and UV. Only these warnings
 * are accepted, and only there.
 */
const ACCEPTED_WARNINGS: Partial<Record<FixtureName, RegExp>> = {
  specialVrs: /not present in standard DICOM IOD|Standard Extended SOP Class|Value representation unsupported by this implementation - <(OV|SV|UV)>|\((0x0072,0x008[123])\).*Unrecognized or unsupported tag/,
};

function requirePeer(command: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error(`${command} is not installed (apt-get install dcmtk dicom3tools python3-pydicom)`);
}

/** dciodvfy's findings on `path`: it prints the IOD name, then one line per error or warning, on stderr. */
function dciodvfy(path: string): { iod: string; errors: string[]; warnings: string[] } {
  requirePeer('dciodvfy');
  const run = spawnSync('dciodvfy', [path], { encoding: 'utf8' });
  const lines = `${run.stderr}\n${run.stdout}`.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return {
    iod: lines.find((l) => /^[A-Za-z]+$/.test(l)) ?? '',
    errors: lines.filter((l) => /\bError\b/.test(l)),
    warnings: lines.filter((l) => /\bWarning\b/.test(l)),
  };
}

/** dcmdump's status and its E:/W: log lines for `path`. */
function dcmdump(path: string): { status: number | null; problems: string[] } {
  requirePeer('dcmdump');
  const run = spawnSync('dcmdump', [path], { encoding: 'utf8' });
  return { status: run.status, problems: `${run.stderr}\n${run.stdout}`.split('\n').filter((l) => /^[EWF]: /.test(l)) };
}

const PIXELS_PY = [
  'import json, sys, pydicom',
  'a = pydicom.dcmread(sys.argv[1]).pixel_array',
  'print(json.dumps({"shape": list(a.shape), "values": a.flatten().tolist()}))',
].join('\n');

/** The pixel array pydicom decodes from `path`, flattened in C order, with its shape. */
function pydicomPixels(path: string): { shape: number[]; values: number[] } {
  requirePeer('/usr/bin/python3');
  const modules = spawnSync('/usr/bin/python3', ['-c', 'import pydicom, numpy'], { encoding: 'utf8' });
  if (modules.status !== 0) throw new Error(`pydicom with numpy is needed for pixel_array (apt-get install python3-pydicom python3-numpy): ${modules.stderr}`);
  const run = spawnSync('/usr/bin/python3', ['-c', PIXELS_PY, path], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`pydicom failed on ${path}: ${run.stderr}`);
  return JSON.parse(run.stdout) as { shape: number[]; values: number[] };
}

function texts(dataset: Dataset, tag: number): readonly string[] {
  const element = dataset.elements.get(tag);
  if (element === undefined) throw new Error(`missing ${tag.toString(16)}`);
  return element.value as readonly string[];
}

function items(dataset: Dataset, tag: number): readonly Dataset[] {
  const element = dataset.elements.get(tag);
  if (element?.vr !== 'SQ') throw new Error(`missing sequence ${tag.toString(16)}`);
  return element.value;
}

/** Every element of a data set, nested ones included. */
function* allElements(dataset: Dataset): Generator<DataElement> {
  for (const element of dataset.elements.values()) {
    yield element;
    if (element.vr === 'SQ') for (const nested of element.value) yield* allElements(nested);
  }
}

function sequenceDepth(dataset: Dataset): number {
  let deepest = 0;
  for (const element of dataset.elements.values()) {
    if (element.vr === 'SQ') for (const nested of element.value) deepest = Math.max(deepest, 1 + sequenceDepth(nested));
    if (element.vr === 'SQ' && element.value.length === 0) deepest = Math.max(deepest, 1);
  }
  return deepest;
}

function numbers(values: readonly string[]): number[] {
  return values.map(Number);
}

describe('fixtures checked by DICOM peers', () => {
  let dir: string;
  const written = new Map<string, { name: FixtureName; file: DicomFile }>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fixtures-'));
    for (const name of FIXTURE_NAMES) {
      for (const [i, file] of fixtureFiles(name).entries()) {
        const path = join(dir, `${name}-${i}.dcm`);
        if (file.hadPreamble) await writeDicomFile(path, file);
        else writeFileSync(path, bareDatasetBytes(file));
        written.set(path, { name, file });
      }
    }
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases = (): Array<[string, string]> => [...written.entries()].map(([path, { name }]) => [`${name} (${path.slice(dir.length + 1)})`, path]);

  it('writes every registered fixture', () => {
    expect(new Set([...written.values()].map((w) => w.name))).toEqual(new Set(FIXTURE_NAMES));
  });

  it('passes dciodvfy with no errors, as the IOD of its SOP class, with no warnings but the accepted ones', () => {
    for (const [label, path] of cases()) {
      const name = written.get(path)!.name;
      const result = dciodvfy(path);
      expect({ label, iod: result.iod, errors: result.errors }).toEqual({ label, iod: IOD[name], errors: [] });
      const accepted = ACCEPTED_WARNINGS[name];
      expect({ label, warnings: result.warnings.filter((w) => accepted === undefined || !accepted.test(w)) }).toEqual({ label, warnings: [] });
    }
  });

  it('is read by dcmdump without an error or warning', () => {
    for (const [label, path] of cases()) {
      const result = dcmdump(path);
      expect({ label, ...result }).toEqual({ label, status: 0, problems: [] });
    }
  });

  it('has a dciodvfy that reports a missing Type 1 attribute (the check above can fail)', async () => {
    const elements = new Map(ctSlice().dataset.elements);
    elements.delete(0x00280010); // Rows
    const path = join(dir, 'broken.dcm');
    await writeDicomFile(path, { ...ctSlice(), dataset: { elements } });
    expect(dciodvfy(path).errors.join('\n')).toMatch(/Missing attribute Type 1 Required Element=<Rows>/);
  });

  it('holds the documented pixel patterns, as pydicom decodes them', () => {
    const expectPixels = (path: string, shape: number[], value: (index: number[]) => number): void => {
      const got = pydicomPixels(path);
      expect(got.shape).toEqual(shape);
      const expected: number[] = [];
      const walk = (prefix: number[]): void => {
        if (prefix.length === shape.length) expected.push(value(prefix));
        else for (let i = 0; i < shape[prefix.length]!; i++) walk([...prefix, i]);
      };
      walk([]);
      expect(got.values).toEqual(expected);
    };
    const at = (name: string, i = 0): string => join(dir, `${name}-${i}.dcm`);
    // The formulas the README documents, written out here rather than taken from the package.
    const ct = (c: number, r: number, k: number): number => (7 * c + 13 * r + 31 * k) % 4096;
    const disc = (c: number, r: number, k: number): number => ((c - 31.5) ** 2 + (r - 31.5) ** 2 <= (16 + k) ** 2 ? 1 : 0);
    expectPixels(at('ctSlice'), [64, 64], ([r, c]) => ct(c!, r!, 0));
    for (let k = 0; k < 3; k++) expectPixels(at('ctSeries', k), [64, 64], ([r, c]) => ct(c!, r!, k));
    expectPixels(at('secondaryCapture'), [32, 48], ([r, c]) => (c! + 2 * r!) % 256);
    expectPixels(at('secondaryCaptureRgb'), [32, 48, 3], ([r, c, s]) => [(8 * c!) % 256, (8 * r!) % 256, (4 * (c! + r!)) % 256][s!]!);
    expectPixels(at('enhancedMultiframe'), [4, 32, 32], ([f, r, c]) => ct(c!, r!, f!));
    expectPixels(at('segmentation'), [3, 64, 64], ([f, r, c]) => disc(c!, r!, f!));
  });

  it('exports the pixel formulas it documents', () => {
    expect([ctPixelValue(3, 5, 2), ctPixelValue(600, 0, 0)]).toEqual([(21 + 65 + 62) % 4096, 4200 % 4096]);
    expect([secondaryCapturePixel('grey', 200, 100), secondaryCapturePixel('rgb', 40, 3)]).toEqual([[400 % 256], [320 % 256, 24, 172]]);
    expect([segmentationMaskValue(31, 31, 0, 64, 64), segmentationMaskValue(0, 0, 0, 64, 64), segmentationMaskValue(31, 14, 2, 64, 64)]).toEqual([1, 0, 1]);
  });
});

describe('fixture content', () => {
  it('steps a CT series along the normal of its orientation, sharing study, series and frame of reference', () => {
    // Sagittal: rows along +y, columns along -z; the normal, row x column = (0,1,0) x (0,0,-1), is (-1,0,0).
    const slices = ctSeries({ slices: 4, imageOrientationPatient: [0, 1, 0, 0, 0, -1], spacingBetweenSlices: 3, sliceThickness: 2, origin: [10, -20, 30] });
    expect(slices.map((s) => numbers(texts(s.dataset, 0x00200032)))).toEqual([[10, -20, 30], [7, -20, 30], [4, -20, 30], [1, -20, 30]]);
    expect(slices.map((s) => texts(s.dataset, 0x00200013)[0])).toEqual(['1', '2', '3', '4']);
    expect(slices.map((s) => numbers(texts(s.dataset, 0x00201041)))).toEqual([[-10], [-7], [-4], [-1]]);
    for (const tag of [0x0020000d, 0x0020000e, 0x00200052, 0x00200037, 0x00280030, 0x00180050]) {
      expect(new Set(slices.map((s) => texts(s.dataset, tag).join('\\'))).size).toBe(1);
    }
    expect(texts(slices[0]!.dataset, 0x00180050)).toEqual(['2']);
    expect(new Set(slices.map((s) => texts(s.dataset, 0x00080018)[0])).size).toBe(4);
  });

  it('gives each enhanced CT frame its own plane position, one slice thickness apart', () => {
    const file = enhancedMultiframe({ frames: 3 });
    const positions = items(file.dataset, 0x52009230).map((frame) => numbers(texts(items(frame, 0x00209113)[0]!, 0x00200032)));
    expect(positions).toEqual([[-15.5, -15.5, 0], [-15.5, -15.5, 2], [-15.5, -15.5, 4]]);
    expect(texts(file.dataset, 0x00280008)).toEqual(['3']);
  });

  it('makes the segmentation over the default CT series, one packed 1-bit frame per slice', () => {
    const seg = segmentation();
    const sourceUids = [0, 1, 2].map((k) => ctSeriesInstanceUid(DEFAULT_FIXTURE_SEED, k));
    expect(ctSeries().map((s) => texts(s.dataset, 0x00080018)[0])).toEqual(sourceUids);
    const derivedFrom = items(seg.dataset, 0x52009230).map((frame) => texts(items(items(frame, 0x00089124)[0]!, 0x00082112)[0]!, 0x00081155)[0]);
    expect(derivedFrom).toEqual(sourceUids);
    expect(texts(seg.dataset, 0x00200052)).toEqual(texts(ctSeries()[0]!.dataset, 0x00200052));
    // 64 x 64 x 3 bits = 1536 bytes.
    expect((seg.dataset.elements.get(0x7fe00010)!.value as Uint8Array).length).toBe((64 * 64 * 3) / 8);
  });

  it('covers every VR of PS3.5 in specialVrs', () => {
    const used = new Set([...allElements(specialVrs().dataset)].map((e) => e.vr));
    expect([...VRS].filter((vr) => !used.has(vr))).toEqual([]);
  });

  it('nests sequences depth + 2 deep in nestedSequences', () => {
    expect(sequenceDepth(nestedSequences({ depth: 7 }).dataset)).toBe(9);
    expect(sequenceDepth(nestedSequences({ depth: 1 }).dataset)).toBe(3);
  });

  it('carries the file meta group a reader finds after writing, except for the bare data set, which has none', () => {
    const plain = (dataset: Dataset): Record<string, unknown> =>
      Object.fromEntries([...dataset.elements.values()].map((e) => [e.tag.toString(16), e.value instanceof Uint8Array ? [...e.value] : e.value]));
    for (const name of FIXTURE_NAMES) {
      for (const file of fixtureFiles(name)) {
        const expected = file.hadPreamble ? plain(readDicom(writeDicom(file)).meta) : {};
        expect({ name, meta: plain(file.meta) }).toEqual({ name, meta: expected });
      }
    }
  });

  it('makes only well-formed UIDs, the same for the same seed and different for another', () => {
    const uidPattern = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;
    for (const name of FIXTURE_NAMES) {
      for (const file of fixtureFiles(name)) {
        for (const element of allElements(file.dataset)) {
          if (element.vr !== 'UI') continue;
          for (const uid of element.value as readonly string[]) {
            expect({ name, uid, ok: uidPattern.test(uid) && uid.length <= 64 }).toEqual({ name, uid, ok: true });
          }
        }
      }
    }
    expect(Buffer.from(writeDicom(ctSlice())).equals(Buffer.from(writeDicom(ctSlice())))).toBe(true);
    const [a, b] = [ctSlice(), ctSlice({ seed: 'other' })];
    for (const tag of [0x0020000d, 0x0020000e, 0x00080018, 0x00200052]) expect(texts(a.dataset, tag)).not.toEqual(texts(b.dataset, tag));
    // One seed: one study and one frame of reference across factories.
    expect(texts(secondaryCapture().dataset, 0x0020000d)).toEqual(texts(a.dataset, 0x0020000d));
    expect(texts(enhancedMultiframe().dataset, 0x00200052)).toEqual(texts(a.dataset, 0x00200052));
  });
});

describe('writeFixture', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'write-fixture-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one file per instance, series numbered from 001', async () => {
    expect(await writeFixture('ctSlice', dir)).toEqual([join(dir, 'ctSlice.dcm')]);
    expect(await writeFixture('ctSeries', dir)).toEqual(['001', '002', '003'].map((n) => join(dir, `ctSeries-${n}.dcm`)));
    expect(readdirSync(dir).sort()).toEqual(['ctSeries-001.dcm', 'ctSeries-002.dcm', 'ctSeries-003.dcm', 'ctSlice.dcm']);
    expect(readFileSync(join(dir, 'ctSlice.dcm')).subarray(128, 132).toString('latin1')).toBe('DICM');
  });

  it('writes the bare data set with neither preamble nor file meta, in Implicit VR Little Endian', async () => {
    const [path] = await writeFixture('bareDataset', dir);
    const bytes = readFileSync(path!);
    // Implicit VR LE starts with the first tag's group and element, then a 4-byte length: (0008,0005) or (0008,0008).
    expect([...bytes.subarray(0, 2)]).toEqual([0x08, 0x00]);
    expect(bytes.subarray(128, 132).toString('latin1')).not.toBe('DICM');
    const back = readDicom(bytes);
    expect({ hadPreamble: back.hadPreamble, meta: back.meta.elements.size, ts: back.transferSyntaxUID }).toEqual({ hadPreamble: false, meta: 0, ts: TransferSyntax.ImplicitVRLittleEndian });
  });
});
