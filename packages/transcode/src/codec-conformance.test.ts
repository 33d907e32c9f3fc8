import { createCodecRegistry, getBytes, getNumber, getString, getStrings, isDicomError, isEncapsulated, readDicom, writeDicom, type DataElement, type DicomFile } from '@dicom-tools/core';
import { ctSlice, enhancedMultiframe, secondaryCapture } from '@dicom-tools/test-fixtures';
import { htj2kPsnrBound, parseCodestream } from './_j2k-codestream.test-util.js';
import { createTranscodeCodecs, decompress, transcode } from './index.js';

// One suite for every codec that encodes: each layout goes to the syntax and back. Lossless codecs must give the
// input bytes back; lossy ones must stay within the bound their method promises and mark the copy lossy; a layout a
// syntax cannot hold must be refused with TRANSCODE_UNSUPPORTED, never coded wrong.
/** A copy of `file` with some elements replaced. */
function withElements(file: DicomFile, elements: readonly DataElement[]): DicomFile {
  const dataset = { elements: new Map(file.dataset.elements) };
  for (const element of elements) dataset.elements.set(element.tag, element);
  return { ...file, dataset };
}

const us = (tag: number, value: number): DataElement => ({ tag, vr: 'US', value: [value] });

/** A CT slice holding signed samples: `value(column, row)` two's complement in `bitsStored` bits, sign-extended to 16. */
function signedCt(rows: number, columns: number, bitsStored: number, value: (column: number, row: number) => number): DicomFile {
  const pixels = new Uint8Array(rows * columns * 2);
  const view = new DataView(pixels.buffer);
  for (let row = 0; row < rows; row++) for (let column = 0; column < columns; column++) view.setInt16((row * columns + column) * 2, value(column, row), true);
  return withElements(ctSlice({ rows, columns }), [
    us(0x00280101, bitsStored), us(0x00280102, bitsStored - 1), us(0x00280103, 1), { tag: 0x7fe00010, vr: 'OW', value: pixels },
  ]);
}

/** A body-like CT value: a disc of tissue values in air, -2000 padding outside the scan circle. */
function ctBody(column: number, row: number, size: number): number {
  const r = Math.hypot(column - size / 2, row - size / 2) / (size / 2);
  if (r > 0.95) return -2000;
  if (r > 0.7) return -1000 + ((column * 3 + row) % 7);
  return 40 + ((column * 7 + row * 13) % 200) - (r < 0.2 ? 900 : 0);
}

/** An RGB secondary capture with its samples colour-by-plane (Planar Configuration 1). */
function planarRgb(rows: number, columns: number): DicomFile {
  const file = secondaryCapture({ color: 'rgb', rows, columns });
  const pixel = file.dataset.elements.get(0x7fe00010);
  if (pixel === undefined || !(pixel.value instanceof Uint8Array)) throw new Error('fixture without pixels');
  const pixels = rows * columns;
  const planar = new Uint8Array(pixel.value.length);
  for (let p = 0; p < pixels; p++) for (let s = 0; s < 3; s++) planar[s * pixels + p] = pixel.value[p * 3 + s]!;
  return withElements(file, [us(0x00280006, 1), { tag: 0x7fe00010, vr: 'OB', value: planar }]);
}

/** A named test image and the pixels it must decode back to (colour-by-pixel). */
interface TestImage {
  readonly name: string;
  readonly file: DicomFile;
  /** Bits stored: lossy error bounds scale with it. */
  readonly bits: number;
  readonly colour: boolean;
  readonly frames: number;
}

/** Every layout the conformance suite runs each codec against. */
function conformanceImages(): TestImage[] {
  const zero = withElements(ctSlice({ rows: 16, columns: 16 }), [{ tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(16 * 16 * 2) }]);
  return [
    { name: 'grey 16-bit unsigned, 12 stored (CT)', file: ctSlice({ rows: 64, columns: 64 }), bits: 12, colour: false, frames: 1 },
    { name: 'signed 16-bit CT with -2000 padding', file: signedCt(64, 64, 16, (c, r) => ctBody(c, r, 64)), bits: 16, colour: false, frames: 1 },
    { name: 'signed 12 bits stored in 16', file: signedCt(32, 32, 12, (c, r) => ((c * 97 + r * 31) % 4096) - 2048), bits: 12, colour: false, frames: 1 },
    { name: 'grey 8-bit', file: secondaryCapture({ rows: 32, columns: 48 }), bits: 8, colour: false, frames: 1 },
    { name: 'RGB 8-bit', file: secondaryCapture({ color: 'rgb', rows: 32, columns: 48 }), bits: 8, colour: true, frames: 1 },
    { name: 'RGB 8-bit, planar configuration 1', file: planarRgb(24, 40), bits: 8, colour: true, frames: 1 },
    { name: 'multi-frame (3 frames)', file: enhancedMultiframe({ frames: 3, rows: 16, columns: 16 }), bits: 12, colour: false, frames: 3 },
    { name: 'odd size 3x3 grey 16-bit', file: ctSlice({ rows: 3, columns: 3 }), bits: 12, colour: false, frames: 1 },
    { name: 'odd size 3x3 RGB', file: secondaryCapture({ color: 'rgb', rows: 3, columns: 3 }), bits: 8, colour: true, frames: 1 },
    { name: '1x1 grey 16-bit', file: ctSlice({ rows: 1, columns: 1 }), bits: 12, colour: false, frames: 1 },
    { name: '1x1 grey 8-bit', file: secondaryCapture({ rows: 1, columns: 1 }), bits: 8, colour: false, frames: 1 },
    { name: 'empty (all-zero) frame', file: zero, bits: 12, colour: false, frames: 1 },
  ];
}

const registry = createCodecRegistry(createTranscodeCodecs());
const images = conformanceImages();

/** The input's samples colour-by-pixel, as the standard defines Planar Configuration (PS3.3 C.7.6.3.1.3). */
function expectedPixels(file: DicomFile): Uint8Array {
  const bytes = getBytes(file.dataset, 0x7fe00010)!;
  if (getNumber(file.dataset, 0x00280006) !== 1) return bytes;
  const pixels = (getNumber(file.dataset, 0x00280010)! * getNumber(file.dataset, 0x00280011)!) * (getNumber(file.dataset, 0x00280008) ?? 1);
  const out = new Uint8Array(bytes.length);
  for (let p = 0; p < pixels; p++) for (let s = 0; s < 3; s++) out[p * 3 + s] = bytes[s * pixels + p]!;
  return out;
}

/** Samples as numbers (signed per Pixel Representation), for error bounds. */
function samples(bytes: Uint8Array, file: DicomFile): number[] {
  const bits = getNumber(file.dataset, 0x00280100)!;
  const signed = getNumber(file.dataset, 0x00280103) === 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let at = 0; at + bits / 8 <= bytes.length; at += bits / 8) out.push(bits === 8 ? (signed ? view.getInt8(at) : view.getUint8(at)) : signed ? view.getInt16(at, true) : view.getUint16(at, true));
  return out;
}

function psnr(a: number[], b: number[], bits: number): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  const mse = sum / a.length;
  return mse === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((2 ** bits - 1) ** 2 / mse);
}

/** Writes and reads back the file, so the result is checked as it would be stored. */
const throughBytes = (file: DicomFile): DicomFile => readDicom(writeDicom(file));

interface Target {
  readonly alias: string;
  readonly lossy: boolean;
  /** Whether the syntax's codec can hold the image; otherwise TRANSCODE_UNSUPPORTED is expected. */
  readonly holds: (image: TestImage) => boolean;
  /** For lossy targets: the check on the decoded samples. */
  readonly close?: (decoded: number[], expected: number[], image: TestImage) => void;
  readonly photometric?: (image: TestImage) => string;
}

const targets: Target[] = [
  { alias: 'rle', lossy: false, holds: () => true },
  { alias: 'jpegls', lossy: false, holds: () => true },
  { alias: 'j2k', lossy: false, holds: () => true, photometric: (image) => (image.colour ? 'YBR_RCT' : 'MONOCHROME2') },
  { alias: 'jpeg-lossless', lossy: false, holds: () => true, photometric: (image) => (image.colour ? 'RGB' : 'MONOCHROME2') },
  { alias: 'jpeg-lossless-p14', lossy: false, holds: () => true, photometric: (image) => (image.colour ? 'RGB' : 'MONOCHROME2') },
  { alias: 'htj2k-lossless', lossy: false, holds: () => true, photometric: (image) => (image.colour ? 'YBR_RCT' : 'MONOCHROME2') },
  { alias: 'htj2k-lossless-rpcl', lossy: false, holds: () => true, photometric: (image) => (image.colour ? 'YBR_RCT' : 'MONOCHROME2') },
  {
    alias: 'htj2k', lossy: true, holds: () => true, photometric: (image) => (image.colour ? 'YBR_ICT' : 'MONOCHROME2'),
    close: (decoded, expected, image) => expect(psnr(decoded, expected, image.bits)).toBeGreaterThanOrEqual(htj2kPsnrBound(90, image.bits, image.colour)),
  },
  {
    alias: 'jpegls-near', lossy: true, holds: () => true,
    close: (decoded, expected) => expect(Math.max(...decoded.map((v, i) => Math.abs(v - expected[i]!)))).toBeLessThanOrEqual(2),
  },
  {
    alias: 'j2k-lossy', lossy: true, holds: () => true, photometric: (image) => (image.colour ? 'YBR_ICT' : 'MONOCHROME2'),
    close: (decoded, expected, image) => expect(psnr(decoded, expected, image.bits)).toBeGreaterThan(30),
  },
  {
    alias: 'jpeg', lossy: true, holds: (image) => image.bits === 8, photometric: (image) => (image.colour ? 'YBR_FULL_422' : 'MONOCHROME2'),
    close: (decoded, expected, image) => expect(psnr(decoded, expected, image.bits)).toBeGreaterThan(image.colour ? 25 : 30),
  },
];

describe.each(targets)('codec conformance: $alias', (target) => {
  it.each(images.filter((image) => target.holds(image)).map((image) => [image.name, image] as const))('round-trips %s', async (_name, image) => {
    const encoded = throughBytes(await transcode(image.file, target.alias, { codecs: registry, near: 2 }));
    const pixel = encoded.dataset.elements.get(0x7fe00010)!;
    expect(isEncapsulated(pixel)).toBe(true);
    if (!isEncapsulated(pixel)) return;
    // One fragment per frame, and a Basic Offset Table with one entry per frame (PS3.5 A.4).
    expect(pixel.value.fragments).toHaveLength(image.frames);
    expect(pixel.value.basicOffsetTable.length).toBe(4 * image.frames);
    if (target.photometric !== undefined) expect(getString(encoded.dataset, 0x00280004)).toBe(target.photometric(image));
    if (image.colour) expect(getNumber(encoded.dataset, 0x00280006)).toBe(0);
    const sopBefore = getString(image.file.dataset, 0x00080018);
    if (target.lossy) {
      expect(getString(encoded.dataset, 0x00282110)).toBe('01');
      expect(Number(getStrings(encoded.dataset, 0x00282112)?.[0])).toBeGreaterThan(0);
      expect(getStrings(encoded.dataset, 0x00282114)?.length).toBe(1);
      expect(getString(encoded.dataset, 0x00080018)).not.toBe(sopBefore);
    } else {
      expect(getString(encoded.dataset, 0x00282110)).toBe(getString(image.file.dataset, 0x00282110));
      expect(getString(encoded.dataset, 0x00080018)).toBe(sopBefore);
    }
    const decoded = throughBytes(await decompress(encoded, { codecs: registry }));
    const bytes = getBytes(decoded.dataset, 0x7fe00010)!;
    const expected = expectedPixels(image.file);
    if (target.close === undefined) {
      expect(Buffer.from(bytes).equals(Buffer.from(expected))).toBe(true);
      if (image.colour) expect(getString(decoded.dataset, 0x00280004)).toBe('RGB');
    } else {
      expect(bytes.length).toBe(expected.length);
      target.close(samples(bytes, image.file), samples(expected, image.file), image);
    }
  });

  const refused = images.filter((image) => !target.holds(image));
  if (refused.length > 0) {
    it.each(refused.map((image) => [image.name, image] as const))('refuses %s with TRANSCODE_UNSUPPORTED', async (_name, image) => {
      let caught: unknown;
      try {
        await transcode(image.file, target.alias, { codecs: registry });
      } catch (error) {
        caught = error;
      }
      expect(isDicomError(caught, 'TRANSCODE_UNSUPPORTED')).toBe(true);
    });
  }
});

// PS3.5 10.18 sets what an HTJ2K Lossless RPCL (.202) codestream must be: RPCL progression, enough decompositions for
// a base resolution of 64 or less, TLM marker segments; and lossless, i.e. the reversible 5-3 wavelet without
// quantization (A.4.4). HTJ2K (.203) encodes here use the irreversible 9-7 wavelet with quantization. Both are Part 15
// streams: Rsiz bit 14 and a CAP marker segment, HT code-blocks (code-block style bit 6). Read from the marker bytes.
describe('HTJ2K codestream structure', () => {
  const strip = ctSlice({ rows: 4, columns: 2000 });
  const layouts: [string, DicomFile][] = [
    ['64x64 CT', images[0]!.file],
    ['a 4x2000 strip (needs 5 decompositions for a base width of 63)', strip],
    ['3x3 grey', images[7]!.file],
    ['1x1 grey', images[9]!.file],
    ['32x48 RGB', images[4]!.file],
  ];
  const streamOf = (file: DicomFile): Uint8Array => {
    const pixel = file.dataset.elements.get(0x7fe00010)!;
    if (!isEncapsulated(pixel)) throw new Error('not encapsulated');
    return pixel.value.fragments[0]!;
  };
  const commonPart15 = (layout: ReturnType<typeof parseCodestream>, file: DicomFile): void => {
    expect(layout.rsiz & 0x4000).toBe(0x4000);
    expect(layout.markers).toContain(0xff50);
    expect(layout.cod.blockStyle & 0x40).toBe(0x40);
    expect(layout.width).toBe(getNumber(file.dataset, 0x00280011));
    expect(layout.height).toBe(getNumber(file.dataset, 0x00280010));
    expect(layout.endsWithEoc).toBe(true);
  };

  it.each(layouts)('a .202 encode of %s is reversible, RPCL, with a base resolution of 64 or less and TLM lengths matching the tile-parts', async (_name, file) => {
    const encoded = await transcode(file, 'htj2k-rpcl', { codecs: registry });
    expect(encoded.transferSyntaxUID).toBe('1.2.840.10008.1.2.4.202');
    const layout = parseCodestream(streamOf(encoded));
    commonPart15(layout, file);
    expect(layout.cod.progression).toBe(2);
    expect(layout.cod.transform).toBe(1);
    expect(layout.quantizationStyle).toBe(0);
    const base = 2 ** layout.cod.decompositions;
    expect(Math.ceil(layout.width / base)).toBeLessThanOrEqual(64);
    expect(Math.ceil(layout.height / base)).toBeLessThanOrEqual(64);
    expect(layout.tlm).toEqual(layout.tileParts.map((part) => part.length));
    // One tile-part per resolution level, so the TLM lists where each resolution ends.
    expect(layout.tileParts).toHaveLength(layout.cod.decompositions + 1);
    const back = await decompress(encoded, { codecs: registry });
    expect(Buffer.from(getBytes(back.dataset, 0x7fe00010)!).equals(Buffer.from(expectedPixels(file)))).toBe(true);
  });

  it.each(layouts)('a .203 encode of %s uses the irreversible wavelet with quantization', async (_name, file) => {
    const encoded = await transcode(file, 'htj2k-lossy', { codecs: registry, quality: 80 });
    expect(encoded.transferSyntaxUID).toBe('1.2.840.10008.1.2.4.203');
    const layout = parseCodestream(streamOf(encoded));
    commonPart15(layout, file);
    expect(layout.cod.transform).toBe(0);
    expect(layout.quantizationStyle).not.toBe(0);
    expect(getStrings(encoded.dataset, 0x00282114)).toEqual(['ISO_15444_15']);
  });

  it('a lower quality gives a smaller .203 stream and a PSNR still within its bound', async () => {
    const file = images[1]!.file;
    const sizes: number[] = [];
    for (const quality of [95, 70, 40]) {
      const encoded = await transcode(file, 'htj2k', { codecs: registry, quality });
      sizes.push(streamOf(encoded).length);
      const back = getBytes((await decompress(encoded, { codecs: registry })).dataset, 0x7fe00010)!;
      expect(psnr(samples(back, file), samples(expectedPixels(file), file), 16)).toBeGreaterThanOrEqual(htj2kPsnrBound(quality, 16, false));
    }
    expect(sizes[1]!).toBeLessThan(sizes[0]!);
    expect(sizes[2]!).toBeLessThan(sizes[1]!);
  });

  it('refuses a compression ratio for .203 (OpenJPH has no rate control) and a quality outside 1-100', async () => {
    for (const options of [{ ratio: 10 }, { quality: 0 }, { quality: 101 }, { quality: 2.5 }]) {
      let caught: unknown;
      try {
        await transcode(images[0]!.file, 'htj2k', { codecs: registry, ...options });
      } catch (error) {
        caught = error;
      }
      expect(isDicomError(caught, 'TRANSCODE_UNSUPPORTED')).toBe(true);
    }
  });
});

describe('HTJ2K and signed samples of 8 bits or fewer', () => {
  const registry = createCodecRegistry(createTranscodeCodecs());
  const file = signedCt(16, 16, 8, (c, r) => ((c * 37 + r * 11) % 256) - 128);

  it.each(['htj2k-lossless', 'htj2k-lossless-rpcl', 'htj2k'])('%s: round-trips them exactly or refuses them, never writes them wrong', async (alias) => {
    let encoded: DicomFile | undefined;
    try {
      encoded = await transcode(file, alias, { codecs: registry });
    } catch (error) {
      expect(isDicomError(error, 'TRANSCODE_UNSUPPORTED') || isDicomError(error, 'TRANSCODE_VERIFY_FAILED')).toBe(true);
      return;
    }
    const back = getBytes((await decompress(encoded, { codecs: registry })).dataset, 0x7fe00010)!;
    const decoded = samples(back, file);
    const expected = samples(expectedPixels(file), file);
    if (alias === 'htj2k') expect(psnr(decoded, expected, 8)).toBeGreaterThanOrEqual(htj2kPsnrBound(90, 8, false));
    else expect(decoded).toEqual(expected);
  });
});
