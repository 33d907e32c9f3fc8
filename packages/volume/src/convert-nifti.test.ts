// convertToNifti: an uncompressed .nii streamed from the files (frames stored as they are) and one written from a
// volume in memory (everything else) must be the same file. Expected voxels come from the fixtures' pixel pattern
// (ctPixelValue) and NIfTI-1's layout (348-byte header, 4-byte extension flag, voxels from vox_offset 352);
// the in-memory path (readVolume + writeNifti) is checked against dcm2niix in dcm2niix-agreement.test.ts.
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCodecRegistry, isDicomError, setValue, Tags, writeDicomFile, type DicomFile, type PixelCodec } from '@dicom-tools/core';
import { ctPixelValue, ctSeries, enhancedMultiframe } from '@dicom-tools/test-fixtures';
import { convertToNifti, findVolumeSeries, readVolume, writeNifti } from './index.js';

const VOX_OFFSET = 352;

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'volume-convert-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Bits Stored 16 (High Bit 15): every cell is its stored value, so the frames can go to the output as they are. */
function wholeCells(file: DicomFile): DicomFile {
  setValue(file.dataset, Tags.BitsStored, 16);
  setValue(file.dataset, Tags.HighBit, 15);
  return file;
}

async function write(folder: string, files: readonly DicomFile[], prefix = 'IM'): Promise<string> {
  const path = join(root, folder);
  mkdirSync(path, { recursive: true });
  // Names that sort against the slice order, so that nothing but the positions can order them.
  for (const [k, file] of files.entries()) await writeDicomFile(join(path, `${prefix}${String(files.length - k).padStart(3, '0')}.dcm`), file);
  return path;
}

/** Converts the only series of `folder` with convertToNifti, and with readVolume + writeNifti; returns both files. */
async function bothWays(folder: string, name: string, options: Parameters<typeof readVolume>[1] = {}): Promise<{ streamed: Buffer; inMemory: Buffer }> {
  const found = await findVolumeSeries(folder);
  expect(found.series).toHaveLength(1);
  const streamed = join(root, `${name}-convert.nii`);
  const inMemory = join(root, `${name}-memory.nii`);
  await convertToNifti(found.series[0]!, streamed, options);
  await writeNifti(inMemory, await readVolume(found.series[0]!, options));
  return { streamed: readFileSync(streamed), inMemory: readFileSync(inMemory) };
}

function int16At(bytes: Buffer, voxel: number): number {
  return bytes.readInt16LE(VOX_OFFSET + 2 * voxel);
}

describe('convertToNifti', () => {
  it('writes a native series to .nii with every slice in place, the same file as the in-memory way', async () => {
    const folder = await write('native', ctSeries({ slices: 6 }).map(wholeCells));
    const { streamed, inMemory } = await bothWays(folder, 'native');
    expect(streamed.length).toBe(VOX_OFFSET + 64 * 64 * 6 * 2);
    expect(streamed.readInt16LE(0)).toBe(348); // sizeof_hdr
    for (let k = 0; k < 6; k++) {
      for (const [i, j] of [[0, 0], [5, 9], [63, 63], [17, 3]] as const) expect(int16At(streamed, i + 64 * (j + 64 * k))).toBe(ctPixelValue(i, j, k));
    }
    expect(streamed.equals(inMemory)).toBe(true);
    // Nothing but the outputs is left in the folder: no temporary file.
    expect(readdirSync(root).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('writes the frames of an enhanced multi-frame file in place', async () => {
    const folder = await write('enhanced', [wholeCells(enhancedMultiframe({ frames: 5 }))], 'EN');
    const { streamed, inMemory } = await bothWays(folder, 'enhanced');
    for (let k = 0; k < 5; k++) expect(int16At(streamed, 3 + 32 * (4 + 32 * k))).toBe(ctPixelValue(3, 4, k));
    expect(streamed.equals(inMemory)).toBe(true);
  });

  it('decodes what cannot go as stored (12 bits stored, rescale varying per slice) into the same file as the in-memory way', async () => {
    const twelveBits = await write('twelve', ctSeries({ slices: 3, seed: 'twelve' }));
    const twelve = await bothWays(twelveBits, 'twelve');
    expect(int16At(twelve.streamed, 3 + 64 * (4 + 64 * 2))).toBe(ctPixelValue(3, 4, 2));
    expect(twelve.streamed.equals(twelve.inMemory)).toBe(true);

    const files = ctSeries({ slices: 3, seed: 'rescale' }).map(wholeCells);
    setValue(files[1]!.dataset, Tags.RescaleSlope, 2);
    const rescale = await bothWays(await write('rescale', files), 'rescale');
    expect(rescale.streamed.readInt16LE(70)).toBe(16); // datatype FLOAT32
    expect(rescale.streamed.readFloatLE(VOX_OFFSET + 4 * (64 * 64 + 3 + 64 * 4))).toBe(ctPixelValue(3, 4, 1) * 2 - 1024);
    expect(rescale.streamed.equals(rescale.inMemory)).toBe(true);
  });

  it('decodes compressed slices (whole cells, but encapsulated) through the codecs into the same file as the in-memory way', async () => {
    const syntax = '1.2.840.10008.1.2.5'; // RLE Lossless; the codec below is a stand-in (XOR 0x5A)
    const files = ctSeries({ slices: 3, seed: 'compressed' }).map(wholeCells).map((file) => {
      const scrambled = (file.dataset.elements.get(Tags.PixelData)!.value as Uint8Array).map((b) => b ^ 0x5a);
      const dataset = { elements: new Map(file.dataset.elements) };
      dataset.elements.set(Tags.PixelData, { tag: Tags.PixelData, vr: 'OB', encapsulated: true, value: { basicOffsetTable: new Uint8Array(0), fragments: [scrambled] } });
      return { ...file, dataset, transferSyntaxUID: syntax };
    });
    const codec: PixelCodec = {
      name: 'xor-test',
      transferSyntaxUIDs: [syntax],
      decode: async (frame) => ({ bytes: frame.map((b) => b ^ 0x5a), photometricInterpretation: 'MONOCHROME2' }),
    };
    const { streamed, inMemory } = await bothWays(await write('compressed', files), 'compressed', { codecs: createCodecRegistry([codec]) });
    for (let k = 0; k < 3; k++) expect(int16At(streamed, 5 + 64 * (9 + 64 * k))).toBe(ctPixelValue(5, 9, k));
    expect(streamed.equals(inMemory)).toBe(true);
    // The streaming attempt, given up at the first encapsulated Pixel Data, left no temporary file.
    expect(readdirSync(root).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('fails with CORE_TRUNCATED on a slice cut inside its Pixel Data, leaving no output and no temporary file', async () => {
    const folder = await write('cut', ctSeries({ slices: 4, seed: 'cut' }).map(wholeCells));
    const found = await findVolumeSeries(folder);
    const victim = found.series[0]!.files[2]!;
    truncateSync(victim, readFileSync(victim).length - 100);
    const output = join(root, 'cut-out', 'cut.nii');
    mkdirSync(join(root, 'cut-out'));
    const error = await convertToNifti(found.series[0]!, output).then(() => undefined, (e: unknown) => e);
    expect(isDicomError(error, 'CORE_TRUNCATED')).toBe(true);
    expect(readdirSync(join(root, 'cut-out'))).toEqual([]);
  });

  it('stops with CORE_ABORTED when its signal is aborted, leaving nothing behind', async () => {
    const folder = await write('abort', ctSeries({ slices: 3, seed: 'abort' }).map(wholeCells));
    const found = await findVolumeSeries(folder);
    mkdirSync(join(root, 'abort-out'));
    const controller = new AbortController();
    controller.abort();
    const error = await convertToNifti(found.series[0]!, join(root, 'abort-out', 'a.nii'), { signal: controller.signal }).then(() => undefined, (e: unknown) => e);
    expect(isDicomError(error, 'CORE_ABORTED')).toBe(true);
    expect(readdirSync(join(root, 'abort-out'))).toEqual([]);
  });
});

describe('findVolumeSeries on a folder of files only', () => {
  it('passes over what core findDicomFiles passes over, with the same reasons, as in a folder with a sub-folder', async () => {
    const flat = await write('flat', ctSeries({ slices: 2, seed: 'flat' }));
    const nested = await write('nested', ctSeries({ slices: 2, seed: 'flat' }));
    mkdirSync(join(nested, 'sub'));
    for (const folder of [flat, nested]) {
      writeFileSync(join(folder, 'notes.txt'), 'not DICOM');
      writeFileSync(join(folder, 'empty.dcm'), '');
      writeFileSync(join(folder, 'DICOMDIR'), 'a DICOMDIR by its name');
      linkSync(join(folder, 'IM001.dcm'), join(folder, 'link.dcm'));
    }
    const reasons = async (folder: string): Promise<string[][]> => (await findVolumeSeries(folder)).skipped.map((s) => [s.path.slice(folder.length + 1), s.reason]);
    const expected = [['DICOMDIR', 'DICOMDIR'], ['empty.dcm', 'empty'], ['link.dcm', 'same file as IM001.dcm'], ['notes.txt', 'not DICOM']];
    const relative = (rows: string[][], folder: string): string[][] => rows.map(([name, reason]) => [name!, reason!.replace(`${folder}/`, '')]);
    expect(relative(await reasons(flat), flat)).toEqual(expected);
    expect(relative(await reasons(nested), nested)).toEqual(expected);
    const found = await findVolumeSeries(flat);
    expect(found.series.map((s) => s.files.map((f) => f.slice(flat.length + 1)))).toEqual([['IM001.dcm', 'IM002.dcm']]);
  });
});
