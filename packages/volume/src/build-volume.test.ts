// Expected geometry and voxels come from the fixture parameters (orientation, spacing, origin, the pixel pattern
// ctPixelValue) and from PS3.3 C.7.6.2.1.1: voxel (i, j) of a slice is at IPP + i * row * column spacing +
// j * column * row spacing, slices ordered along row x column.
import { createCodecRegistry, isDicomError, setValue, Tags, type DicomFile, type PixelCodec } from '@dicom-tools/core';
import { ctPixelValue, ctSeries, enhancedMultiframe, type CtSeriesOptions } from '@dicom-tools/test-fixtures';
import { buildVolume, type Affine, type Volume } from './index.js';

type Vec = [number, number, number];
const cross = (a: Vec, b: Vec): Vec => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

/** The LPS affine PS3.3 C.7.6.2.1.1 gives for a stack: columns r * dc, c * dr, n * step; origin the first IPP. */
function expectedAffine(orientation: readonly number[], pixelSpacing: readonly [number, number], step: Vec, origin: Vec): number[][] {
  const r = orientation.slice(0, 3);
  const c = orientation.slice(3, 6);
  return [0, 1, 2].map((a) => [r[a]! * pixelSpacing[1], c[a]! * pixelSpacing[0], step[a]!, origin[a]!]).concat([[0, 0, 0, 1]]);
}

function expectAffineClose(actual: Affine, expected: number[][], digits = 4): void {
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) expect(actual[r]![c]!).toBeCloseTo(expected[r]![c]!, digits);
}

function position(file: DicomFile): Vec {
  return [...(file.dataset.elements.get(Tags.ImagePositionPatient)!.value as readonly string[])].map(Number) as Vec;
}

/** A deterministic permutation (not sorted by anything the files hold). */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  let seed = 7;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

function expectPattern(volume: Volume, slices: number, columns = 64, rows = 64, patternSlice = (k: number) => k): void {
  for (let k = 0; k < slices; k++) {
    for (const [i, j] of [[0, 0], [5, 9], [columns - 1, rows - 1], [17, 3]] as const) {
      expect(volume.voxels[i + columns * (j + rows * k)]).toBe(ctPixelValue(i, j, patternSlice(k)));
    }
  }
}

describe('buildVolume on classic single-frame series', () => {
  const options: CtSeriesOptions = { slices: 6, spacingBetweenSlices: 2.5, origin: [-10, 20, -30] };

  it('sorts shuffled axial slices along the normal and takes the affine from the positions', async () => {
    const files = ctSeries(options);
    const volume = await buildVolume(shuffled(files));
    expect(volume.dimensions).toEqual([64, 64, 6]);
    expect(volume.voxelType).toBe('uint16');
    expect(volume.spacing[0]).toBeCloseTo(0.75, 6);
    expect(volume.spacing[2]).toBeCloseTo(2.5, 6);
    expectAffineClose(volume.affine, expectedAffine([1, 0, 0, 0, 1, 0], [0.75, 0.75], [0, 0, 2.5], [-10, 20, -30]));
    // RAS is LPS with x and y negated (NIfTI-1 qform/sform convention).
    expectAffineClose(volume.affineRas, expectedAffine([-1, 0, 0, 0, -1, 0], [0.75, 0.75], [0, 0, 2.5], [10, -20, -30]));
    expect(volume.rescale).toEqual({ slope: 1, intercept: -1024 });
    expectPattern(volume, 6);
    expect(volume.slices.map((s) => s.position[2])).toEqual([-30, -27.5, -25, -22.5, -20, -17.5]);
    expect(volume.warnings).toEqual([]);
  });

  it('gives the same volume for slices in reversed order', async () => {
    const files = ctSeries(options);
    const forward = await buildVolume(files);
    const reversed = await buildVolume([...files].reverse());
    expect(reversed.affine).toEqual(forward.affine);
    expect(Buffer.from(reversed.voxels.buffer).equals(Buffer.from(forward.voxels.buffer))).toBe(true);
    expect(reversed.slices.map((s) => s.input)).toEqual([5, 4, 3, 2, 1, 0]);
  });

  it('never sorts by Instance Number: numbers that run against the positions change nothing', async () => {
    const files = ctSeries(options);
    files.forEach((file, k) => setValue(file.dataset, Tags.InstanceNumber, String(100 - k)));
    const volume = await buildVolume(files);
    expect(volume.slices.map((s) => s.input)).toEqual([0, 1, 2, 3, 4, 5]);
    expectPattern(volume, 6);
  });

  it.each([
    ['sagittal', [0, 1, 0, 0, 0, -1]],
    ['coronal', [1, 0, 0, 0, 0, -1]],
    ['double-oblique', (() => {
      const a = (20 * Math.PI) / 180;
      const b = (-12 * Math.PI) / 180;
      // Rotation about z by a, then about x by b: rows of the rotated frame as direction cosines.
      const r: Vec = [Math.cos(a), Math.sin(a), 0];
      const c: Vec = [-Math.sin(a) * Math.cos(b), Math.cos(a) * Math.cos(b), Math.sin(b)];
      return [...r, ...c];
    })()],
  ] as const)('places a %s stack from its orientation', async (_name, orientation) => {
    const imageOrientationPatient = orientation.map((v) => Number(v.toFixed(8))) as unknown as [number, number, number, number, number, number];
    const files = ctSeries({ ...options, imageOrientationPatient, pixelSpacing: [0.9, 0.6] });
    const normal = cross(imageOrientationPatient.slice(0, 3) as Vec, imageOrientationPatient.slice(3) as Vec);
    const volume = await buildVolume(shuffled(files));
    const origin = position(files[0]!);
    expectAffineClose(volume.affine, expectedAffine(imageOrientationPatient, [0.9, 0.6], normal.map((v) => v * 2.5) as Vec, origin));
    expect(volume.spacing[0]).toBeCloseTo(0.6, 6);
    expect(volume.spacing[1]).toBeCloseTo(0.9, 6);
    expect(volume.spacing[2]).toBeCloseTo(2.5, 4);
    expectPattern(volume, 6);
    expect(volume.tilt).toBeUndefined();
  });

  it('takes the spacing from the positions, not from Slice Thickness', async () => {
    const files = ctSeries({ ...options, sliceThickness: 5, spacingBetweenSlices: 3 });
    const volume = await buildVolume(files);
    expect(volume.spacing[2]).toBeCloseTo(3, 6);
    expect(volume.affine[2][2]).toBeCloseTo(3, 6);
  });

  it('uses Slice Thickness (or Spacing Between Slices) for a single slice', async () => {
    const volume = await buildVolume(ctSeries({ slices: 1, sliceThickness: 4 }));
    expect(volume.dimensions).toEqual([64, 64, 1]);
    expect(volume.affine[2][2]).toBeCloseTo(4, 6);
  });
});

describe('buildVolume checks', () => {
  it('rejects a missing slice with VOLUME_MISSING_SLICE naming the neighbours', async () => {
    const files = ctSeries({ slices: 6 });
    const error = await rejection(buildVolume(files.filter((_, k) => k !== 3), { names: ['a', 'b', 'c', 'e', 'f'] }));
    expect(isDicomError(error, 'VOLUME_MISSING_SLICE')).toBe(true);
    expect((error as Error).message).toContain('between c and e');
  });

  it('accepts a missing slice with allowGaps, warning and recording the spacing variation', async () => {
    const files = ctSeries({ slices: 6, sliceThickness: 2 });
    const volume = await buildVolume(files.filter((_, k) => k !== 3), { allowGaps: true });
    expect(volume.warnings.map((w) => w.code)).toEqual(['missing-slice']);
    expect(volume.spacingVariation?.steps.map((s) => Number(s.toFixed(6)))).toEqual([2, 2, 4, 2]);
    expect(volume.spacing[2]).toBeCloseTo(10 / 4, 6);
  });

  it('rejects two slices at one position with VOLUME_DUPLICATE_SLICE', async () => {
    const files = ctSeries({ slices: 4 });
    const copy = ctSeries({ slices: 4 })[2]!;
    setValue(copy.dataset, Tags.SOPInstanceUID, '2.25.1234');
    const error = await rejection(buildVolume([...files, copy]));
    expect(isDicomError(error, 'VOLUME_DUPLICATE_SLICE')).toBe(true);
  });

  it('warns when the spacing varies without a gap', async () => {
    const files = ctSeries({ slices: 5, sliceThickness: 2, origin: [0, 0, 0] });
    setValue(files[2]!.dataset, Tags.ImagePositionPatient, [0, 0, 4.5]);
    const volume = await buildVolume(files);
    expect(volume.warnings.map((w) => w.code)).toEqual(['variable-spacing']);
    expect(volume.spacingVariation?.steps.map((s) => Number(s.toFixed(6)))).toEqual([2, 2.5, 1.5, 2]);
  });

  it('rejects slices of different sizes with VOLUME_INCONSISTENT_SLICES naming the attribute', async () => {
    const files = [...ctSeries({ slices: 2 }), ...ctSeries({ slices: 3, rows: 32 }).slice(2)];
    const error = await rejection(buildVolume(files));
    expect(isDicomError(error, 'VOLUME_INCONSISTENT_SLICES')).toBe(true);
    expect((error as Error).message).toContain('Rows');
  });

  it('rejects different orientations and an orientation that is not orthonormal', async () => {
    const files = ctSeries({ slices: 3 });
    setValue(files[1]!.dataset, Tags.ImageOrientationPatient, [1, 0, 0, 0, 0.995, 0.0998]);
    expect(isDicomError(await rejection(buildVolume(files)), 'VOLUME_INCONSISTENT_SLICES')).toBe(true);
    const skewed = ctSeries({ slices: 3 });
    for (const file of skewed) setValue(file.dataset, Tags.ImageOrientationPatient, [1, 0, 0, 0.1, 1, 0]);
    expect(isDicomError(await rejection(buildVolume(skewed)), 'VOLUME_BAD_GEOMETRY')).toBe(true);
  });

  it('rejects an image without Image Position (Patient) with VOLUME_BAD_GEOMETRY', async () => {
    const files = ctSeries({ slices: 2 });
    files[1]!.dataset.elements.delete(Tags.ImagePositionPatient);
    expect(isDicomError(await rejection(buildVolume(files)), 'VOLUME_BAD_GEOMETRY')).toBe(true);
  });
});

describe('buildVolume with gantry tilt', () => {
  // A tilted CT: the image plane is tilted by theta about x, the table moves along z.
  const theta = (15 * Math.PI) / 180;
  const dz = 0.75 / Math.sin(theta); // one row (0.75 mm) of in-plane shift per slice
  const orientation: [number, number, number, number, number, number] = [1, 0, 0, 0, Math.cos(theta), Math.sin(theta)];
  function tilted(): DicomFile[] {
    const files = ctSeries({ slices: 5, imageOrientationPatient: orientation });
    files.forEach((file, k) => {
      setValue(file.dataset, Tags.ImagePositionPatient, [-23.625, -23.625, k * dz]);
      setValue(file.dataset, Tags.GantryDetectorTilt, 15);
    });
    return files;
  }

  it('reports the tilt, and the affine carries the shear of the positions', async () => {
    const volume = await buildVolume(shuffled(tilted()));
    expect(volume.tilt?.angleDegrees).toBeCloseTo(15, 3);
    expect(volume.tilt?.gantryDetectorTilt).toBe(15);
    expect(volume.tilt?.corrected).toBe(false);
    expect(volume.warnings.map((w) => w.code)).toEqual(['gantry-tilt']);
    expectAffineClose(volume.affine, expectedAffine(orientation, [0.75, 0.75], [0, 0, dz], [-23.625, -23.625, 0]));
    expect(volume.spacing[2]).toBeCloseTo(dz * Math.cos(theta), 4);
  });

  it('resamples onto an orthogonal grid with correctTilt: row j of slice k takes row j - k', async () => {
    const volume = await buildVolume(tilted(), { correctTilt: true });
    expect(volume.tilt?.corrected).toBe(true);
    const normal = cross(orientation.slice(0, 3) as Vec, orientation.slice(3) as Vec);
    const spacing = dz * Math.cos(theta);
    expectAffineClose(volume.affine, expectedAffine(orientation, [0.75, 0.75], normal.map((v) => v * spacing) as Vec, [-23.625, -23.625, 0]));
    for (let k = 0; k < 5; k++) {
      for (const [i, j] of [[3, 10], [40, 63], [0, 4]] as const) expect(volume.voxels[i + 64 * (j + 64 * k)]).toBe(ctPixelValue(i, j - k, k));
      if (k > 0) expect(volume.voxels[5 + 64 * (0 + 64 * k)]).toBe(0); // row 0 of slice k > 0 came from outside the image
    }
  });
});

describe('buildVolume 4-D and multi-frame', () => {
  it('stacks a multi-echo set on a 4th axis ordered by echo time', async () => {
    const echo1 = ctSeries({ slices: 3 });
    const echo2 = ctSeries({ slices: 3 });
    for (const file of echo1) setValue(file.dataset, Tags.EchoTime, 10);
    for (const file of echo2) {
      setValue(file.dataset, Tags.EchoTime, 25);
      // Second echo: every stored value + 1, so the order of the 4th axis shows in the voxels.
      const pixels = file.dataset.elements.get(Tags.PixelData)!.value as Uint8Array;
      const next = new Uint16Array(pixels.length / 2);
      const view = new DataView(pixels.buffer, pixels.byteOffset, pixels.byteLength);
      for (let n = 0; n < next.length; n++) next[n] = view.getUint16(2 * n, true) + 1;
      setValue(file.dataset, Tags.PixelData, new Uint8Array(next.buffer));
    }
    const volume = await buildVolume(shuffled([...echo2, ...echo1]));
    expect(volume.dimensions).toEqual([64, 64, 3, 2]);
    expect(volume.fourthDimension).toEqual({ kind: 'echo', attribute: 'echoTime', values: [10, 25] });
    const size = 64 * 64 * 3;
    expect(volume.voxels[7 + 64 * 5]).toBe(ctPixelValue(7, 5, 0));
    expect(volume.voxels[size + 7 + 64 * (5 + 64 * 2)]).toBe(ctPixelValue(7, 5, 2) + 1);
  });

  it('gives an enhanced multi-frame image the same volume as the equivalent classic series', async () => {
    const enhanced = await buildVolume([enhancedMultiframe({ frames: 4 })]);
    const classic = await buildVolume(ctSeries({ slices: 4, rows: 32, columns: 32, pixelSpacing: [1, 1], sliceThickness: 2 }));
    expect(enhanced.dimensions).toEqual([32, 32, 4]);
    expectAffineClose(enhanced.affine, classic.affine.map((row) => [...row]), 9);
    expect(enhanced.voxelType).toBe(classic.voxelType);
    expect(enhanced.rescale).toEqual(classic.rescale);
    expect(Buffer.from(enhanced.voxels.buffer).equals(Buffer.from(classic.voxels.buffer))).toBe(true);
    expect(enhanced.slices.map((s) => s.frame)).toEqual([0, 1, 2, 3]);
  });
});

describe('buildVolume voxel values', () => {
  it('stores float32 real values when Rescale Slope/Intercept vary per slice', async () => {
    const files = ctSeries({ slices: 3 });
    setValue(files[1]!.dataset, Tags.RescaleSlope, 2);
    const volume = await buildVolume(files);
    expect(volume.voxelType).toBe('float32');
    expect(volume.rescaled).toBe(true);
    expect(volume.rescale).toEqual({ slope: 1, intercept: 0 });
    expect(volume.warnings.map((w) => w.code)).toEqual(['rescale-varies']);
    expect(volume.voxels[3 + 64 * 4]).toBe(ctPixelValue(3, 4, 0) - 1024);
    expect(volume.voxels[64 * 64 + 3 + 64 * 4]).toBe(ctPixelValue(3, 4, 1) * 2 - 1024);
  });

  it('sign-extends signed values from Bits Stored and keeps Pixel Padding Value', async () => {
    const files = ctSeries({ slices: 2 });
    for (const file of files) {
      setValue(file.dataset, Tags.PixelRepresentation, 1);
      setValue(file.dataset, Tags.PixelPaddingValue, -2000, { vr: 'SS' });
    }
    // 12 bits stored: 0x0FFF is -1, 0x0800 is -2048; the bits above High Bit are not part of the value.
    const pixels = files[0]!.dataset.elements.get(Tags.PixelData)!.value as Uint8Array;
    const edited = new Uint8Array(pixels);
    edited.set([0xff, 0x0f, 0x00, 0x08, 0xff, 0xf7], 0);
    setValue(files[0]!.dataset, Tags.PixelData, edited);
    const volume = await buildVolume(files);
    expect(volume.voxelType).toBe('int16');
    expect([...volume.voxels.subarray(0, 3)]).toEqual([-1, -2048, 2047]);
    expect(volume.paddingValue).toBe(-2000);
  });

  it('copies whole 16-bit signed cells as they are (Bits Stored 16)', async () => {
    const files = ctSeries({ slices: 2 });
    for (const file of files) {
      setValue(file.dataset, Tags.PixelRepresentation, 1);
      setValue(file.dataset, Tags.BitsStored, 16);
      setValue(file.dataset, Tags.HighBit, 15);
    }
    const pixels = new Uint8Array(files[1]!.dataset.elements.get(Tags.PixelData)!.value as Uint8Array);
    pixels.set([0xff, 0xff, 0x00, 0x80, 0xff, 0x7f], 0);
    setValue(files[1]!.dataset, Tags.PixelData, pixels);
    const volume = await buildVolume(files);
    expect(volume.voxelType).toBe('int16');
    expect([...volume.voxels.subarray(64 * 64, 64 * 64 + 3)]).toEqual([-1, -32768, 32767]);
    expect(volume.voxels[64 * 64 + 5]).toBe(ctPixelValue(5, 0, 1));
  });

  it('interleaves planar RGB slices into rgb24 voxels', async () => {
    const files = ctSeries({ slices: 2, rows: 4, columns: 5 });
    files.forEach((file, k) => {
      setValue(file.dataset, Tags.SamplesPerPixel, 3);
      setValue(file.dataset, Tags.PhotometricInterpretation, 'RGB');
      setValue(file.dataset, Tags.PlanarConfiguration, 1);
      setValue(file.dataset, Tags.BitsAllocated, 8);
      setValue(file.dataset, Tags.BitsStored, 8);
      setValue(file.dataset, Tags.HighBit, 7);
      // Planes R, G, B of 20 pixels each: R = pixel, G = 100 + pixel, B = 200 + slice.
      const planes = new Uint8Array(60);
      for (let n = 0; n < 20; n++) {
        planes[n] = n;
        planes[20 + n] = 100 + n;
        planes[40 + n] = 200 + k;
      }
      setValue(file.dataset, Tags.PixelData, planes, { vr: 'OB' });
    });
    const volume = await buildVolume(files);
    expect(volume.voxelType).toBe('rgb24');
    expect(volume.dimensions).toEqual([5, 4, 2]);
    expect([...volume.voxels.subarray(0, 6)]).toEqual([0, 100, 200, 1, 101, 200]);
    expect([...volume.voxels.subarray(3 * (20 + 7), 3 * (20 + 8))]).toEqual([7, 107, 201]);
  });

  it('decodes compressed slices through the codec registry, and names the missing codec otherwise', async () => {
    const syntax = '1.2.840.10008.1.2.5'; // RLE Lossless; the test codec below is a stand-in (XOR 0x5A)
    const files = ctSeries({ slices: 3 }).map((file) => {
      const pixels = file.dataset.elements.get(Tags.PixelData)!.value as Uint8Array;
      const scrambled = pixels.map((b) => b ^ 0x5a);
      const dataset = { elements: new Map(file.dataset.elements) };
      dataset.elements.set(Tags.PixelData, { tag: Tags.PixelData, vr: 'OB', encapsulated: true, value: { basicOffsetTable: new Uint8Array(0), fragments: [scrambled.subarray(0, 1000), scrambled.subarray(1000)] } });
      return { ...file, dataset, transferSyntaxUID: syntax };
    });
    const seen: number[] = [];
    const codec: PixelCodec = {
      name: 'xor-test',
      transferSyntaxUIDs: [syntax],
      decode: async (frame, descriptor) => {
        seen.push(frame.length, descriptor.rows);
        return { bytes: frame.map((b) => b ^ 0x5a), photometricInterpretation: 'MONOCHROME2' };
      },
    };
    const volume = await buildVolume(files, { codecs: createCodecRegistry([codec]) });
    expectPattern(volume, 3);
    expect(seen).toEqual([8192, 64, 8192, 64, 8192, 64]);
    expect(isDicomError(await rejection(buildVolume(files)), 'TRANSCODE_CODEC_UNAVAILABLE')).toBe(true);
  });
});
