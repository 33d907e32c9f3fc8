import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCodecRegistry, getBytes, getNumber, getString, isDicomError, readDicom, transferSyntaxInfo, writeDicom, type DicomFile } from '@dicom-tools/core';
import { enhancedMultiframe, peerScript, secondaryCapture } from '@dicom-tools/test-fixtures';
import { createTranscodeCodecs, decompress, resolveTransferSyntax, transcode } from './index.js';
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
let counter = 0;
const next = (stem: string): string => temp.path(`${stem}-${++counter}.dcm`);

const oursThenPeer: [string, string, (input: string, output: string) => string[], string][] = [
  ['jpegls', 'dcmdjpls', (i, o) => [i, o], 'dcmdjpls'],
  ['jpegls', 'gdcmconv', (i, o) => ['--raw', i, o], 'gdcmconv --raw'],
  ['rle', 'dcmdrle', (i, o) => [i, o], 'dcmdrle'],
  ['rle', 'gdcmconv', (i, o) => ['--raw', i, o], 'gdcmconv --raw'],
  ['j2k', 'gdcmconv', (i, o) => ['--raw', i, o], 'gdcmconv --raw'],
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

  it('decodes an 8-bit dcmcjpeg extended (.51) encode as dcmdjpeg does, and refuses a 12-bit one with TRANSCODE_UNSUPPORTED', async () => {
    const eight = next('extended8');
    runPeer('dcmcjpeg', ['+ee', inputs['8-bit grey secondary capture']!, eight]);
    expect(read(eight).transferSyntaxUID).toBe('1.2.840.10008.1.2.4.51');
    const peerDecoded = next('extended8-dcmdjpeg');
    runPeer('dcmdjpeg', [eight, peerDecoded]);
    expect(same(pixelsOf(await decompress(read(eight), { codecs: registry })), pixelsOf(read(peerDecoded)))).toBe(true);
    const twelve = next('extended12');
    runPeer('dcmcjpeg', ['+ee', inputs['multi-frame enhanced CT (3 frames)']!, twelve]);
    let caught: unknown;
    try {
      await decompress(read(twelve), { codecs: registry });
    } catch (error) {
      caught = error;
    }
    expect(isDicomError(caught, 'TRANSCODE_UNSUPPORTED')).toBe(true);
  });
});
