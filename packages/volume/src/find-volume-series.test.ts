// Series discovery on files written to a temporary folder: grouping by Series Instance UID, splitting where slices
// cannot share a volume, 4-D sets kept together, files passed over with a reason. Expected values come from the
// fixtures' parameters and UIDs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDicomError, setValue, Tags, writeDicomFile, type DicomFile } from '@dicom-tools/core';
import { ctPixelValue, ctSeries, enhancedMultiframe } from '@dicom-tools/test-fixtures';
import { findVolumeSeries, readVolume } from './index.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'volume-find-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function write(folder: string, files: readonly DicomFile[], prefix = 'IM'): Promise<string> {
  const path = join(root, folder);
  mkdirSync(path, { recursive: true });
  for (const [k, file] of files.entries()) await writeDicomFile(join(path, `${prefix}${k}.dcm`), file);
  return path;
}

function uidOf(file: DicomFile): string {
  return (file.dataset.elements.get(Tags.SeriesInstanceUID)!.value as readonly string[])[0]!;
}

describe('findVolumeSeries', () => {
  it('groups files by series, orders by Series Number, and reports what it passes over', async () => {
    const a = ctSeries({ slices: 3, seed: 'a', seriesNumber: 7 });
    const b = ctSeries({ slices: 2, seed: 'b', seriesNumber: 2 });
    const folder = await write('groups/x', [...a, ...b]);
    writeFileSync(join(folder, 'notes.txt'), 'not DICOM');
    const found = await findVolumeSeries(join(root, 'groups'));
    expect(found.series.map((s) => [s.id, s.images.length, s.seriesNumber])).toEqual([[uidOf(b[0]!), 2, 2], [uidOf(a[0]!), 3, 7]]);
    expect(found.series[0]!.modality).toBe('CT');
    expect(found.series[0]!.seriesDescription).toBe('Synthetic CT');
    expect(found.skipped.map((s) => [s.path, s.reason])).toEqual([[join(folder, 'notes.txt'), 'not DICOM']]);
  });

  it('splits a series whose images differ in orientation (a localizer) into UID#1 and UID#2', async () => {
    const axial = ctSeries({ slices: 4, seed: 'loc' });
    const localizer = ctSeries({ slices: 1, seed: 'loc', imageOrientationPatient: [0, 1, 0, 0, 0, -1] });
    await write('localizer', [...axial, ...localizer]);
    const found = await findVolumeSeries(join(root, 'localizer'));
    const uid = uidOf(axial[0]!);
    expect(found.series.map((s) => [s.id, s.images.length, s.splitBy])).toEqual([
      [`${uid}#1`, 4, 'Image Orientation (Patient)'],
      [`${uid}#2`, 1, 'Image Orientation (Patient)'],
    ]);
    const volume = await readVolume(found.series[0]!);
    expect(volume.dimensions).toEqual([64, 64, 4]);
  });

  it('keeps two echoes at the same positions together as one 4-D volume', async () => {
    const first = ctSeries({ slices: 3, seed: 'echo' });
    const second = ctSeries({ slices: 3, seed: 'echo' });
    first.forEach((f) => setValue(f.dataset, Tags.EchoTime, 12));
    second.forEach((f, k) => {
      setValue(f.dataset, Tags.EchoTime, 30);
      setValue(f.dataset, Tags.SOPInstanceUID, `2.25.77${k}`);
    });
    await write('echo', [...first, ...second]);
    const found = await findVolumeSeries(join(root, 'echo'));
    expect(found.series).toHaveLength(1);
    const volume = await readVolume(found.series[0]!);
    expect(volume.dimensions).toEqual([64, 64, 3, 2]);
    expect(volume.fourthDimension?.values).toEqual([12, 30]);
  });

  it('splits echoes that cover different positions into separate volumes', async () => {
    const first = ctSeries({ slices: 3, seed: 'split', origin: [0, 0, 0] });
    const second = ctSeries({ slices: 3, seed: 'split', origin: [0, 0, 1] });
    first.forEach((f) => setValue(f.dataset, Tags.EchoTime, 12));
    second.forEach((f, k) => {
      setValue(f.dataset, Tags.EchoTime, 30);
      setValue(f.dataset, Tags.SOPInstanceUID, `2.25.88${k}`);
    });
    // Echo 30 is shifted by 1 mm and has one more slice at z = 0, where echo 12 has one too: positions repeat, each
    // echo alone has none repeated, and the echoes cover different positions.
    const dup = ctSeries({ slices: 1, seed: 'split', origin: [0, 0, 0] })[0]!;
    setValue(dup.dataset, Tags.EchoTime, 30);
    setValue(dup.dataset, Tags.SOPInstanceUID, '2.25.889');
    await write('split', [...first, ...second, dup]);
    const found = await findVolumeSeries(join(root, 'split'));
    expect(found.series.map((s) => [s.images.length, s.splitBy])).toEqual([[3, 'echoTime'], [4, 'echoTime']]);
  });

  it('finds an enhanced multi-frame file and reads its frames as slices', async () => {
    const folder = await write('enhanced', [enhancedMultiframe({ frames: 5 })], 'EN');
    const found = await findVolumeSeries(folder);
    expect(found.series).toHaveLength(1);
    expect(found.series[0]!.images.map((i) => i.frame)).toEqual([0, 1, 2, 3, 4]);
    const volume = await readVolume(found.series[0]!);
    expect(volume.dimensions).toEqual([32, 32, 5]);
    expect(volume.voxels[3 + 32 * (4 + 32 * 4)]).toBe(ctPixelValue(3, 4, 4));
  });

  it('reads a volume from a list of paths too, and fails on a folder that cannot be read', async () => {
    const files = ctSeries({ slices: 3, seed: 'paths' });
    const folder = await write('paths', files);
    const volume = await readVolume([2, 0, 1].map((k) => join(folder, `IM${k}.dcm`)));
    expect(volume.slices.map((s) => s.name)).toEqual([0, 1, 2].map((k) => join(folder, `IM${k}.dcm`)));
    const error = await findVolumeSeries(join(root, 'missing')).then(() => undefined, (e: unknown) => e);
    expect(isDicomError(error, 'CORE_IO')).toBe(true);
  });
});
