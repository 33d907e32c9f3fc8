// Float Pixel Data (7FE0,0008, OF) and Double Float Pixel Data (7FE0,0009, OD) series, read from files: volume reads
// headers first (a header-only read stops before any of the three pixel data elements, so none of them is in the
// header's data set) and voxels after. Expected voxels are the floats written into the input; NIfTI-1 datatype codes
// are from the NIfTI-1 standard (16 FLOAT32, 64 FLOAT64; header field `datatype` at byte 70, voxels from 352).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrame, deleteElement, readDicomFileSync, setValue, Tags, TransferSyntax, writeDicomFile, type DicomFile } from '@dicom-tools/core';
import { ctSeries } from '@dicom-tools/test-fixtures';
import { buildVolume, convertToNifti, findVolumeSeries, readVolume } from './index.js';

const VOX_OFFSET = 352;
const ROWS = 4;
const COLUMNS = 5;
const SLICES = 3;

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'volume-float-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A value no integer voxel type holds: fractional, negative for some, large for one. */
function floatValue(column: number, row: number, slice: number): number {
  return (column - 2) * 1.25 + row * 0.5 + slice * 100.125 - (column === 4 && row === 3 ? 3.0e9 : 0);
}

function floatBytes(slice: number, bits: 32 | 64): Uint8Array {
  const count = ROWS * COLUMNS;
  const values = bits === 32 ? new Float32Array(count) : new Float64Array(count);
  for (let row = 0; row < ROWS; row++) for (let column = 0; column < COLUMNS; column++) values[row * COLUMNS + column] = floatValue(column, row, slice);
  return new Uint8Array(values.buffer);
}

/**
 * A CT series turned into float images as the Floating Point Image Pixel Module has them: Bits Allocated 32 or 64,
 * no Bits Stored / High Bit / Pixel Representation, no Rescale, the values in (7FE0,0008) or (7FE0,0009).
 */
function floatSeries(bits: 32 | 64): DicomFile[] {
  return ctSeries({ slices: SLICES, rows: ROWS, columns: COLUMNS }).map((file, k) => {
    for (const tag of [Tags.PixelData, Tags.BitsStored, Tags.HighBit, Tags.PixelRepresentation, Tags.RescaleSlope, Tags.RescaleIntercept, Tags.RescaleType]) deleteElement(file.dataset, tag);
    setValue(file.dataset, Tags.BitsAllocated, bits);
    setValue(file.dataset, bits === 32 ? Tags.FloatPixelData : Tags.DoubleFloatPixelData, floatBytes(k, bits));
    return file;
  });
}

/** Writes the files (names sorting against slice order), in `transferSyntaxUID` when given; returns their paths. */
async function writeSeries(folder: string, files: readonly DicomFile[], transferSyntaxUID?: string): Promise<string[]> {
  const path = join(root, folder);
  mkdirSync(path, { recursive: true });
  const paths = files.map((_, k) => join(path, `IM${String(files.length - k).padStart(3, '0')}.dcm`));
  for (const [k, file] of files.entries()) await writeDicomFile(paths[k]!, file, transferSyntaxUID === undefined ? {} : { transferSyntaxUID });
  return paths;
}

/** The expected voxel at (column, row, slice) as the given float type stores it. */
function expected(column: number, row: number, slice: number, bits: 32 | 64): number {
  return bits === 32 ? Math.fround(floatValue(column, row, slice)) : floatValue(column, row, slice);
}

describe.each([32, 64] as const)('a series of %i-bit float pixel data read from files', (bits) => {
  const name = bits === 32 ? 'float' : 'double';
  const tag = bits === 32 ? Tags.FloatPixelData : Tags.DoubleFloatPixelData;

  it('core decodes its frames as the floats written (the header-only read stops before them)', async () => {
    const [path] = await writeSeries(`${name}-core`, floatSeries(bits).slice(0, 1));
    const header = readDicomFileSync(path!, { stopBeforePixelData: true });
    expect(header.dataset.elements.has(tag)).toBe(false);
    expect(header.pixelDataOffset).toBeDefined();
    const frame = await decodeFrame(readDicomFileSync(path!), 0);
    expect(frame.data).toBeInstanceOf(bits === 32 ? Float32Array : Float64Array);
    const row = 3;
    const column = 4;
    expect(frame.data[row * COLUMNS + column]).toBe(expected(column, row, 0, bits));
  });

  it(`readVolume gives float${bits} voxels equal to the input floats, from a found series and from paths`, async () => {
    const paths = await writeSeries(`${name}-read`, floatSeries(bits));
    const found = await findVolumeSeries(join(root, `${name}-read`));
    expect(found.series).toHaveLength(1);
    for (const volume of [await readVolume(found.series[0]!), await readVolume(paths)]) {
      expect(volume.voxelType).toBe(bits === 32 ? 'float32' : 'float64');
      expect(volume.dimensions).toEqual([COLUMNS, ROWS, SLICES]);
      for (let k = 0; k < SLICES; k++) {
        for (let row = 0; row < ROWS; row++) for (let column = 0; column < COLUMNS; column++) {
          expect(volume.voxels[column + COLUMNS * (row + ROWS * k)]).toBe(expected(column, row, k, bits));
        }
      }
    }
  });

  it('readVolume reads a deflated float series (header-only reads give no pixelDataOffset there) as the input floats', async () => {
    const paths = await writeSeries(`${name}-deflated`, floatSeries(bits), TransferSyntax.DeflatedExplicitVRLittleEndian);
    expect(readDicomFileSync(paths[0]!, { stopBeforePixelData: true }).pixelDataOffset).toBeUndefined();
    const volume = await readVolume(paths);
    expect(volume.voxelType).toBe(bits === 32 ? 'float32' : 'float64');
    for (let k = 0; k < SLICES; k++) expect(volume.voxels[4 + COLUMNS * (3 + ROWS * k)]).toBe(expected(4, 3, k, bits));
    expect(volume.voxels[1 + COLUMNS * 2]).toBe(expected(1, 2, 0, bits));
  });

  it('buildVolume on the data sets in memory agrees with readVolume', async () => {
    const files = floatSeries(bits);
    const volume = await buildVolume(files);
    expect(volume.voxelType).toBe(bits === 32 ? 'float32' : 'float64');
    expect(volume.voxels[4 + COLUMNS * (3 + ROWS * 2)]).toBe(expected(4, 3, 2, bits));
  });

  it(`convertToNifti writes datatype ${bits === 32 ? 16 : 64} and the input floats`, async () => {
    await writeSeries(`${name}-nifti`, floatSeries(bits));
    const found = await findVolumeSeries(join(root, `${name}-nifti`));
    const out = join(root, `${name}.nii`);
    await convertToNifti(found.series[0]!, out);
    const nii = readFileSync(out);
    expect(nii.readInt16LE(70)).toBe(bits === 32 ? 16 : 64); // datatype
    expect(nii.readInt16LE(72)).toBe(bits); // bitpix
    expect(nii.length).toBe(VOX_OFFSET + ROWS * COLUMNS * SLICES * (bits / 8));
    for (let k = 0; k < SLICES; k++) {
      for (let row = 0; row < ROWS; row++) for (let column = 0; column < COLUMNS; column++) {
        const at = VOX_OFFSET + (bits / 8) * (column + COLUMNS * (row + ROWS * k));
        expect(bits === 32 ? nii.readFloatLE(at) : nii.readDoubleLE(at)).toBe(expected(column, row, k, bits));
      }
    }
  });
});
