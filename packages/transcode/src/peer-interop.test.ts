import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCodecRegistry, encapsulatedFrames, getBytes, getNumber, getString, isEncapsulated, readDicom, transferSyntaxInfo, writeDicom, type DicomFile, type FrameDescriptor } from '@dicom-tools/core';
import { corpusFile, ctSeries, enhancedMultiframe, peerScript, secondaryCapture } from '@dicom-tools/test-fixtures';
import { createHtj2kCodec, createJpeg2000Codec, createTranscodeCodecs, decompress, resolveTransferSyntax, transcode } from './index.js';
import { htj2kPsnrBound } from './_j2k-codestream.test-util.js';
import { PYTHON, requirePeer, runPeer, tempFolder } from './_peers.test-util.js';

// Interoperability with the peers users would otherwise pick: DCMTK (dcmcjpls/dcmdjpls, dcmcrle/dcmdrle, dcmcjpeg/
// dcmdjpeg) and GDCM (gdcmconv). Our encodes must decode exactly with theirs, theirs exactly with ours. Inputs: two
// 512x512 signed CT slices with -2000 padding from make_corpus.py (packages/test-fixtures/peers), and RGB, 8-bit and multi-frame
// fixtures.
const registry = createCodecRegistry(createTranscodeCodecs());
const temp = tempFolder('transcode-peers');
const inputs: Record<string, string> = {};

beforeAll(() => {
  for (const tool of ['dcmdjpls', 'dcmcjpls', 'dcmdrle', 'dcmcrle', 'dcmcjpeg', 'dcmdjpeg', 'gdcmconv', PYTHON]) requirePeer(tool);
  const makeCorpus = peerScript('make_corpus.py');
  runPeer(PYTHON, [makeCorpus, '--out', temp.path('made'), '--ct-slices', '2', '--mr-slices', '0', '--patients', '0', '--batch', '0']);
  const ct = readdirSync(temp.path('made/ct')).sort();
  ct.forEach((name, i) => (inputs[`signed CT slice ${i + 1}`] = join(temp.path('made/ct'), name)));
  const fixtures: Record<string, DicomFile> = {
    'RGB secondary capture': secondaryCapture({ color: 'rgb', rows: 64, columns: 80 }),
    '8-bit grey secondary capture': secondaryCapture({ rows: 64, columns: 80 }),
    'multi-frame enhanced CT (3 frames)': enhancedMultiframe({ frames: 3, rows: 32, columns: 32 }),
  };
  for (const [name, file] of Object.entries(fixtures)) {
    const path = temp.path(`${name.replace(/[^a-z0-9]+/gi, '_')}.dcm`);
    writeFileSync(path, writeDicom(file));
    inputs[name] = path;
  }
});
afterAll(() => temp.cleanup());

const read = (path: string): DicomFile => readDicom(readFileSync(path));

/** Native pixel bytes, colour-by-pixel whatever the file's planar configuration. */
function pixelsOf(file: DicomFile): Uint8Array {
  const bytes = getBytes(file.dataset, 0x7fe00010);
  if (bytes === undefined) throw new Error('no native pixel data');
  if ((getNumber(file.dataset, 0x00280002) ?? 1) === 1 || getNumber(file.dataset, 0x00280006) !== 1) return bytes;
  const pixels = getNumber(file.dataset, 0x00280010)! * getNumber(file.dataset, 0x00280011)! * (getNumber(file.dataset, 0x00280008) ?? 1);
  const out = new Uint8Array(bytes.length);
  for (let p = 0; p < pixels; p++) for (let s = 0; s < 3; s++) out[p * 3 + s] = bytes[s * pixels + p]!;
  return out;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
/** One byte per sample widened to 16-bit little endian. */
const widen = (bytes: Uint8Array): Uint8Array => {
  const out = new Uint8Array(bytes.length * 2);
  bytes.forEach((v, i) => (out[2 * i] = v));
  return out;
};
/** Writes and reads back the file, so the result is checked as it would be stored. */
const throughBytes = (file: DicomFile): DicomFile => readDicom(writeDicom(file));
let counter = 0;
const next = (stem: string): string => temp.path(`${stem}-${++counter}.dcm`);

const oursThenPeer: [string, string, (input: string, output: string) => string[], string][] = [
  ['jpegls', 'dcmdjpls', (i, o) => [i, o], 'dcmdjpls'],
  ['jpegls', 'gdcmconv', (i, o) => ['--raw', i, o], 'gdcmconv --raw'],
  ['rle', 'dcmdrle', (i, o) => [i, o], 'dcmdrle'],
  ['rle', 'gdcmconv', (i, o) => ['--raw', i, o], 'gdcmconv --raw'],
  ['j2k', 'gdcmconv', (i, o) => ['--raw', i, o], 'gdcmconv --raw'],
  ['jpeg-lossless', 'dcmdjpeg', (i, o) => [i, o], 'dcmdjpeg'],
  ['jpeg-lossless', 'gdcmconv', (i, o) => ['--raw', i, o], 'gdcmconv --raw'],
  ['jpeg-lossless-p14', 'dcmdjpeg', (i, o) => [i, o], 'dcmdjpeg'],
];

describe.each(oursThenPeer)('our %s encode, decoded by %s', (alias, tool, args) => {
  it.each(['signed CT slice 1', 'signed CT slice 2', 'RGB secondary capture', '8-bit grey secondary capture', 'multi-frame enhanced CT (3 frames)'])('gives back the exact pixels of the %s', async (name) => {
    const input = read(inputs[name]!);
    const encoded = next(alias);
    writeFileSync(encoded, writeDicom(await transcode(input, alias, { codecs: registry })));
    const decoded = next(`${alias}-${tool}`);
    runPeer(tool, args(encoded, decoded));
    const peer = read(decoded);
    expect(read(encoded).transferSyntaxUID).toBe(resolveTransferSyntax(alias).uid);
    expect(transferSyntaxInfo(peer.transferSyntaxUID).encapsulated).toBe(false);
    expect(same(pixelsOf(peer), pixelsOf(input))).toBe(true);
    if (name.startsWith('RGB')) expect(getString(peer.dataset, 0x00280004)).toBe('RGB');
  });
});

const peerThenOurs: [string, (input: string, output: string) => [string, string[]]][] = [
  ['dcmcjpls (JPEG-LS lossless)', (i, o) => ['dcmcjpls', [i, o]]],
  ['dcmcrle (RLE)', (i, o) => ['dcmcrle', [i, o]]],
  ['gdcmconv --j2k (JPEG 2000 lossless)', (i, o) => ['gdcmconv', ['--j2k', i, o]]],
  ['gdcmconv --jpegls (JPEG-LS lossless)', (i, o) => ['gdcmconv', ['--jpegls', i, o]]],
  ['gdcmconv --rle (RLE)', (i, o) => ['gdcmconv', ['--rle', i, o]]],
  ['dcmcjpeg +e1 (JPEG lossless .70)', (i, o) => ['dcmcjpeg', ['+e1', i, o]]],
  ['dcmcjpeg +el +sv 6 (JPEG lossless .57)', (i, o) => ['dcmcjpeg', ['+el', '+sv', '6', i, o]]],
];

describe.each(peerThenOurs)('an encode by %s, decoded by us', (_label, command) => {
  it.each(['signed CT slice 1', 'RGB secondary capture', '8-bit grey secondary capture', 'multi-frame enhanced CT (3 frames)'])('gives back the exact pixels of the %s', async (name) => {
    const encoded = next('peer');
    const [tool, args] = command(inputs[name]!, encoded);
    runPeer(tool, args);
    const peerFile = read(encoded);
    expect(peerFile.transferSyntaxUID).not.toBe('1.2.840.10008.1.2.1');
    const ours = await decompress(peerFile, { codecs: registry });
    expect(same(pixelsOf(ours), pixelsOf(read(inputs[name]!)))).toBe(true);
  });
});

describe('lossy JPEG with DCMTK', () => {
  it.each(['RGB secondary capture', '8-bit grey secondary capture'])('decodes a dcmcjpeg baseline encode of the %s exactly as dcmdjpeg does', async (name) => {
    const encoded = next('baseline');
    runPeer('dcmcjpeg', ['+eb', inputs[name]!, encoded]);
    const peerDecoded = next('baseline-dcmdjpeg');
    runPeer('dcmdjpeg', [encoded, peerDecoded]);
    const ours = await decompress(read(encoded), { codecs: registry });
    expect(same(pixelsOf(ours), pixelsOf(read(peerDecoded)))).toBe(true);
  });

  it.each(['RGB secondary capture', '8-bit grey secondary capture'])('writes a baseline JPEG of the %s that dcmdjpeg decodes as we do', async (name) => {
    const encoded = next('ours-baseline');
    const ourJpeg = await transcode(read(inputs[name]!), 'jpeg', { codecs: registry, quality: 85 });
    writeFileSync(encoded, writeDicom(ourJpeg));
    const peerDecoded = next('ours-baseline-dcmdjpeg');
    runPeer('dcmdjpeg', [encoded, peerDecoded]);
    const ours = await decompress(ourJpeg, { codecs: registry });
    expect(same(pixelsOf(ours), pixelsOf(read(peerDecoded)))).toBe(true);
  });

  it('decodes an 8-bit dcmcjpeg extended (.51) encode as dcmdjpeg does', async () => {
    const eight = next('extended8');
    runPeer('dcmcjpeg', ['+ee', inputs['8-bit grey secondary capture']!, eight]);
    expect(read(eight).transferSyntaxUID).toBe('1.2.840.10008.1.2.4.51');
    const peerDecoded = next('extended8-dcmdjpeg');
    runPeer('dcmdjpeg', [eight, peerDecoded]);
    expect(same(pixelsOf(await decompress(read(eight), { codecs: registry })), pixelsOf(read(peerDecoded)))).toBe(true);
  });
});

describe('12-bit lossy JPEG (extended, .51) made by dcmcjpeg +ee', () => {
  const twelveBit: Record<string, () => string> = {
    '12-bit CT slice (75x61, not whole 8x8 blocks)': () => {
      const path = temp.path('ct12.dcm');
      writeFileSync(path, writeDicom(ctSeries({ slices: 1, rows: 61, columns: 75 })[0]!));
      return path;
    },
    'multi-frame enhanced CT (3 frames)': () => inputs['multi-frame enhanced CT (3 frames)']!,
    'signed CT slice 1': () => inputs['signed CT slice 1']!,
  };
  it('decodes the corpus JPGExtended.dcm to exactly the pixels dcmdjpeg and gdcmconv --raw give', async () => {
    const source = corpusFile('JPGExtended.dcm');
    const byDcmtk = next('jpgextended-dcmdjpeg');
    runPeer('dcmdjpeg', [source, byDcmtk]);
    const byGdcm = next('jpgextended-gdcmconv');
    runPeer('gdcmconv', ['--raw', source, byGdcm]);
    const ours = pixelsOf(await decompress(read(source), { codecs: registry }));
    expect(same(pixelsOf(read(byDcmtk)), pixelsOf(read(byGdcm)))).toBe(true);
    expect(same(ours, pixelsOf(read(byDcmtk)))).toBe(true);
  });

  const settings: [string, string[]][] = [['quality 90', []], ['quality 100', ['+q', '100']], ['quality 40 with smoothing 50', ['+q', '40', '+sm', '50']]];
  describe.each(Object.keys(twelveBit))('of the %s', (name) => {
    it.each(settings)('at %s decodes to exactly the pixels dcmdjpeg and gdcmconv --raw give', async (_label, options) => {
      const encoded = next('extended12');
      runPeer('dcmcjpeg', ['+ee', '+bt', ...options, twelveBit[name]!(), encoded]);
      const file = read(encoded);
      expect(file.transferSyntaxUID).toBe('1.2.840.10008.1.2.4.51');
      expect(getNumber(file.dataset, 0x00280101)).toBe(12);
      const byDcmtk = next('extended12-dcmdjpeg');
      runPeer('dcmdjpeg', [encoded, byDcmtk]);
      const byGdcm = next('extended12-gdcmconv');
      runPeer('gdcmconv', ['--raw', encoded, byGdcm]);
      const ours = pixelsOf(await decompress(file, { codecs: registry }));
      expect(same(pixelsOf(read(byDcmtk)), pixelsOf(read(byGdcm)))).toBe(true);
      expect(same(ours, pixelsOf(read(byDcmtk)))).toBe(true);
    });
  });
});

// HTJ2K: DCMTK and GDCM here have no HTJ2K codec. The peers are OpenJPH's own command-line tools (ojph_compress,
// ojph_expand from openjph-tools 0.9; its raw writer cannot write negative samples, so it checks unsigned data)
// and OpenJPEG's independent HT decoder (through our JPEG 2000 codec) for signed and colour data.
describe('HTJ2K lossless (.201, .202) and lossy (.203)', () => {
  const frameOf = (file: DicomFile, index: number): { frame: Uint8Array; descriptor: FrameDescriptor } => {
    const pixel = file.dataset.elements.get(0x7fe00010);
    if (pixel === undefined || !isEncapsulated(pixel)) throw new Error('no encapsulated pixel data');
    const frames = encapsulatedFrames(pixel, getNumber(file.dataset, 0x00280008) ?? 1);
    const descriptor: FrameDescriptor = {
      rows: getNumber(file.dataset, 0x00280010)!, columns: getNumber(file.dataset, 0x00280011)!, samplesPerPixel: getNumber(file.dataset, 0x00280002)!,
      bitsAllocated: getNumber(file.dataset, 0x00280100)!, bitsStored: getNumber(file.dataset, 0x00280101)!, pixelRepresentation: getNumber(file.dataset, 0x00280103)!,
      planarConfiguration: 0, photometricInterpretation: getString(file.dataset, 0x00280004)!,
    };
    return { frame: frames[index]!, descriptor };
  };
  const frameCount = (file: DicomFile): number => getNumber(file.dataset, 0x00280008) ?? 1;
  const nativeFrame = (file: DicomFile, index: number): Uint8Array => {
    const bytes = pixelsOf(file);
    const size = bytes.length / frameCount(file);
    return bytes.subarray(index * size, (index + 1) * size);
  };
  const unsigned: Record<string, () => string> = {
    '8-bit grey secondary capture': () => inputs['8-bit grey secondary capture']!,
    'multi-frame enhanced CT (3 frames)': () => inputs['multi-frame enhanced CT (3 frames)']!,
    '12-bit CT slice (75x61)': () => {
      const path = temp.path('ct12-htj2k.dcm');
      writeFileSync(path, writeDicom(ctSeries({ slices: 1, rows: 61, columns: 75 })[0]!));
      return path;
    },
  };

  beforeAll(() => {
    for (const tool of ['ojph_expand', 'ojph_compress']) requirePeer(tool);
  });

  const lossless = [['htj2k-lossless', '1.2.840.10008.1.2.4.201'], ['htj2k-lossless-rpcl', '1.2.840.10008.1.2.4.202']] as const;
  it.each(lossless.flatMap(([alias, uid]) => Object.keys(unsigned).map((name) => [alias, name, uid] as const)))('our %s encode of the %s decodes exactly with ojph_expand', async (alias, name, uid) => {
    const input = read(unsigned[name]!());
    const encoded = throughBytes(await transcode(input, alias, { codecs: registry }));
    expect(encoded.transferSyntaxUID).toBe(uid);
    for (let index = 0; index < frameCount(input); index++) {
      const { frame, descriptor } = frameOf(encoded, index);
      const stream = next('htj2k').replace(/\.dcm$/, '.j2c');
      writeFileSync(stream, frame);
      const raw = stream.replace(/\.j2c$/, '.raw');
      runPeer('ojph_expand', ['-i', stream, '-o', raw]);
      const peer = new Uint8Array(readFileSync(raw));
      const expected = nativeFrame(input, index);
      // ojph_expand writes one byte per sample up to 8 bits, else two (little endian).
      expect(same(descriptor.bitsStored <= 8 && descriptor.bitsAllocated === 16 ? widen(peer) : peer, expected)).toBe(true);
    }
  });

  it.each(lossless.flatMap(([alias]) => ['signed CT slice 1', 'RGB secondary capture', 'multi-frame enhanced CT (3 frames)'].map((name) => [alias, name] as const)))('our %s encode of the %s decodes exactly with OpenJPEG\'s HT decoder', async (alias, name) => {
    const input = read(inputs[name]!);
    const encoded = throughBytes(await transcode(input, alias, { codecs: registry }));
    const openjpeg = createJpeg2000Codec();
    for (let index = 0; index < frameCount(input); index++) {
      const { frame, descriptor } = frameOf(encoded, index);
      const decoded = await openjpeg.decode!(frame, descriptor, '1.2.840.10008.1.2.4.90');
      expect(same(decoded.bytes, nativeFrame(input, index))).toBe(true);
    }
  });

  // Lossy (.203): the bound on the error comes from the quantization step (htj2kPsnrBound); two decoders of the same
  // stream may round a sample differently, by one at most.
  const psnrOf = (decoded: number[], expected: number[], bits: number): number => {
    let sum = 0;
    for (let i = 0; i < expected.length; i++) sum += (decoded[i]! - expected[i]!) ** 2;
    return sum === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((2 ** bits - 1) ** 2 / (sum / expected.length));
  };
  const sampleValues = (bytes: Uint8Array, descriptor: FrameDescriptor): number[] => {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const wide = descriptor.bitsAllocated === 16;
    const signed = descriptor.pixelRepresentation === 1;
    return Array.from({ length: bytes.length / (wide ? 2 : 1) }, (_, i) => (wide ? (signed ? view.getInt16(2 * i, true) : view.getUint16(2 * i, true)) : view.getUint8(i)));
  };
  const maxDifference = (a: number[], b: number[]): number => a.reduce((max, v, i) => Math.max(max, Math.abs(v - b[i]!)), 0);

  it.each(Object.keys(unsigned))('our lossy .203 encode of the %s decodes with ojph_expand within the quantization bound, as with ours', async (name) => {
    const input = read(unsigned[name]!());
    const encoded = throughBytes(await transcode(input, 'htj2k-lossy', { codecs: registry, quality: 70 }));
    expect(encoded.transferSyntaxUID).toBe('1.2.840.10008.1.2.4.203');
    expect(getString(encoded.dataset, 0x00282110)).toBe('01');
    const ours = pixelsOf(await decompress(encoded, { codecs: registry }));
    for (let index = 0; index < frameCount(input); index++) {
      const { frame, descriptor } = frameOf(encoded, index);
      const stream = next('htj2k-lossy').replace(/\.dcm$/, '.j2c');
      writeFileSync(stream, frame);
      const raw = stream.replace(/\.j2c$/, '.raw');
      runPeer('ojph_expand', ['-i', stream, '-o', raw]);
      const peerBytes = new Uint8Array(readFileSync(raw));
      const peer = sampleValues(descriptor.bitsStored <= 8 && descriptor.bitsAllocated === 16 ? widen(peerBytes) : peerBytes, descriptor);
      const expected = sampleValues(nativeFrame(input, index), descriptor);
      const size = ours.length / frameCount(input);
      const mine = sampleValues(ours.subarray(index * size, (index + 1) * size), descriptor);
      expect(psnrOf(peer, expected, descriptor.bitsStored)).toBeGreaterThanOrEqual(htj2kPsnrBound(70, descriptor.bitsStored, false));
      expect(maxDifference(mine, peer)).toBeLessThanOrEqual(1);
    }
  });

  it.each(['signed CT slice 1', 'RGB secondary capture'])('our lossy .203 encode of the %s decodes with OpenJPEG\'s HT decoder within the quantization bound, as with ours', async (name) => {
    const input = read(inputs[name]!);
    const encoded = throughBytes(await transcode(input, 'htj2k', { codecs: registry, quality: 70 }));
    const { frame, descriptor } = frameOf(encoded, 0);
    const colour = descriptor.samplesPerPixel === 3;
    expect(descriptor.photometricInterpretation).toBe(colour ? 'YBR_ICT' : 'MONOCHROME2');
    const decoded = await createJpeg2000Codec().decode!(frame, descriptor, '1.2.840.10008.1.2.4.91');
    const peer = sampleValues(decoded.bytes, descriptor);
    const expected = sampleValues(nativeFrame(input, 0), descriptor);
    const mine = sampleValues(pixelsOf(await decompress(encoded, { codecs: registry })), descriptor);
    expect(psnrOf(peer, expected, descriptor.bitsStored)).toBeGreaterThanOrEqual(htj2kPsnrBound(70, descriptor.bitsStored, colour));
    expect(maxDifference(mine, peer)).toBeLessThanOrEqual(1);
  });

  it.each([['8-bit grey', 8], ['12-bit grey', 12], ['16-bit grey', 16]] as const)('decodes an ojph_compress encode of %s samples exactly', async (_label, bits) => {
    const rows = 61;
    const columns = 75;
    const max = 2 ** bits - 1;
    const samples = Array.from({ length: rows * columns }, (_, i) => (i * 7919 + (i % columns) * 31) % (max + 1));
    // A binary PGM (big-endian samples above 8 bits) is what ojph_compress reads.
    const header = Buffer.from(`P5 ${columns} ${rows} ${max}\n`);
    const body = Buffer.alloc(samples.length * (bits > 8 ? 2 : 1));
    samples.forEach((v, i) => (bits > 8 ? body.writeUInt16BE(v, 2 * i) : body.writeUInt8(v, i)));
    const pgm = next('ojph').replace(/\.dcm$/, '.pgm');
    writeFileSync(pgm, Buffer.concat([header, body]));
    const stream = pgm.replace(/\.pgm$/, '.j2c');
    runPeer('ojph_compress', ['-i', pgm, '-o', stream, '-reversible', 'true']);
    const descriptor: FrameDescriptor = { rows, columns, samplesPerPixel: 1, bitsAllocated: bits > 8 ? 16 : 8, bitsStored: bits, pixelRepresentation: 0, planarConfiguration: 0, photometricInterpretation: 'MONOCHROME2' };
    const decoded = await createHtj2kCodec().decode!(new Uint8Array(readFileSync(stream)), descriptor, '1.2.840.10008.1.2.4.201');
    const expected = Buffer.alloc(samples.length * (bits > 8 ? 2 : 1));
    samples.forEach((v, i) => (bits > 8 ? expected.writeUInt16LE(v, 2 * i) : expected.writeUInt8(v, i)));
    expect(same(decoded.bytes, expected)).toBe(true);
  });
});
