import { readFileSync } from 'node:fs';
import { getBytes, getString, getStrings, isDicomError, readDicom, writeDicom, type DicomFile, type PixelCodec } from '@dicom-tools/core';
import { corpusFile, ctSlice, secondaryCapture } from '@dicom-tools/test-fixtures';
import { createTranscodeCodecs, decompress, resolveTransferSyntax, transcode, transferSyntaxAlias } from './index.js';

const codecs = createTranscodeCodecs();
const read = (name: string): DicomFile => readDicom(readFileSync(corpusFile(name)));

async function failure(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('transfer syntax aliases', () => {
  it.each([
    ['explicit', '1.2.840.10008.1.2.1'], ['implicit', '1.2.840.10008.1.2'], ['big-endian', '1.2.840.10008.1.2.2'], ['deflated', '1.2.840.10008.1.2.1.99'],
    ['rle', '1.2.840.10008.1.2.5'], ['jpegls', '1.2.840.10008.1.2.4.80'], ['jpegls-near', '1.2.840.10008.1.2.4.81'], ['j2k', '1.2.840.10008.1.2.4.90'],
    ['j2k-lossy', '1.2.840.10008.1.2.4.91'], ['jpeg', '1.2.840.10008.1.2.4.50'], ['jpeg-extended', '1.2.840.10008.1.2.4.51'], ['jpeg-lossless', '1.2.840.10008.1.2.4.70'],
    // the seed CLI's names
    ['j2k_lossy', '1.2.840.10008.1.2.4.91'], ['jpeg2000-lossless', '1.2.840.10008.1.2.4.90'],
  ])('resolves %s to %s', (alias, uid) => {
    expect(resolveTransferSyntax(alias).uid).toBe(uid);
  });

  it('names a UID by its canonical alias, and passes unknown UIDs through', () => {
    expect(resolveTransferSyntax('1.2.840.10008.1.2.4.80')).toEqual({ uid: '1.2.840.10008.1.2.4.80', alias: 'jpegls' });
    expect(transferSyntaxAlias('1.2.840.10008.1.2.4.90')).toBe('j2k');
  });

  it('rejects an unknown alias with TRANSCODE_UNSUPPORTED listing the accepted ones', () => {
    expect(() => resolveTransferSyntax('jpeg3000')).toThrow(expect.objectContaining({ code: 'TRANSCODE_UNSUPPORTED', message: expect.stringContaining('jpegls-near') }));
  });
});

describe('transcode', () => {
  it.each(['implicit', 'big-endian', 'deflated', 'explicit'])('relabels native pixel data as %s, which reads back to the same pixels', async (alias) => {
    const source = read('MR_small.dcm');
    const out = readDicom(writeDicom(await transcode(source, alias, { codecs })));
    expect(out.transferSyntaxUID).toBe(resolveTransferSyntax(alias).uid);
    expect(Buffer.from(getBytes(out.dataset, 0x7fe00010)!).equals(Buffer.from(getBytes(source.dataset, 0x7fe00010)!))).toBe(true);
  });

  it('decodes big endian input (MR_small_bigendian.dcm) to the little endian pixels of MR_small.dcm through RLE', async () => {
    const rle = await transcode(read('MR_small_bigendian.dcm'), 'rle', { codecs });
    const back = await decompress(rle, { codecs });
    expect(Buffer.from(getBytes(back.dataset, 0x7fe00010)!).equals(Buffer.from(getBytes(read('MR_small.dcm').dataset, 0x7fe00010)!))).toBe(true);
  });

  it('keeps every non-pixel attribute and the file meta of a lossless encode', async () => {
    const source = read('CT_small.dcm');
    const out = await transcode(source, 'jpegls', { codecs });
    const changed = [...source.dataset.elements.keys()].filter((tag) => out.dataset.elements.get(tag) !== source.dataset.elements.get(tag));
    expect(changed).toEqual([0x7fe00010]);
    expect([...out.meta.elements.entries()]).toEqual([...source.meta.elements.entries()]);
  });

  it('does not change the file it is given', async () => {
    const source = ctSlice();
    const before = new Map(source.dataset.elements);
    await transcode(source, 'j2k-lossy', { codecs });
    expect(source.dataset.elements).toEqual(before);
  });

  it('records a lossy encode: (0028,2110) 01, ratio, method ISO_14495_1 for JPEG-LS near-lossless, and a new SOP Instance UID in data set and meta', async () => {
    const source = ctSlice({ rows: 64, columns: 64 });
    const out = await transcode(source, 'jpegls-near', { codecs, near: 3 });
    expect(getString(out.dataset, 0x00282110)).toBe('01');
    expect(getStrings(out.dataset, 0x00282114)).toEqual(['ISO_14495_1']);
    const raw = getBytes(source.dataset, 0x7fe00010)!.length;
    const pixel = out.dataset.elements.get(0x7fe00010);
    const compressed = pixel !== undefined && 'encapsulated' in pixel ? pixel.value.fragments.reduce((n, f) => n + f.length, 0) : 0;
    expect(Number(getStrings(out.dataset, 0x00282112)![0])).toBeCloseTo(raw / compressed, 0);
    const uid = getString(out.dataset, 0x00080018)!;
    expect(uid).not.toBe(getString(source.dataset, 0x00080018));
    expect(uid).toMatch(/^2\.25\.\d+$/);
    expect(getString(out.meta, 0x00020003)).toBe(uid);
  });

  it.each([['jpeg', 'ISO_10918_1'], ['j2k-lossy', 'ISO_15444_1']])('names the %s method %s', async (alias, method) => {
    const out = await transcode(secondaryCapture(), alias, { codecs, quality: 80 });
    expect(getStrings(out.dataset, 0x00282114)).toEqual([method]);
  });

  it('appends to the ratio and method of a source that was already lossy', async () => {
    const once = await transcode(secondaryCapture(), 'jpeg', { codecs, quality: 80 });
    const twice = await transcode(await decompress(once, { codecs }), 'j2k-lossy', { codecs, ratio: 5 });
    expect(getStrings(twice.dataset, 0x00282114)).toEqual(['ISO_10918_1', 'ISO_15444_1']);
    expect(getStrings(twice.dataset, 0x00282112)).toHaveLength(2);
  });

  it('flags pixels decoded from JPEG baseline as lossy when the source did not', async () => {
    const jpeg = read('SC_rgb_jpeg_dcmtk.dcm');
    const elements = new Map(jpeg.dataset.elements);
    elements.delete(0x00282110);
    const source: DicomFile = { ...jpeg, dataset: { elements } };
    const out = await decompress(source, { codecs });
    expect(getString(out.dataset, 0x00282110)).toBe('01');
    expect(getString(out.dataset, 0x00280004)).toBe('RGB');
  });

  it('fails a lossless encode that does not decode back with TRANSCODE_VERIFY_FAILED', async () => {
    const liar: PixelCodec = {
      name: 'liar',
      transferSyntaxUIDs: ['1.2.840.10008.1.2.4.80'],
      encode: async (frame) => ({ bytes: frame, lossy: false }),
      decode: async (frame, descriptor) => ({ bytes: new Uint8Array(frame.length), photometricInterpretation: descriptor.photometricInterpretation }),
    };
    const error = await failure(() => transcode(ctSlice(), 'jpegls', { codecs: [liar] }));
    expect(isDicomError(error, 'TRANSCODE_VERIFY_FAILED')).toBe(true);
    // with verify off the same encode goes through
    await expect(transcode(ctSlice(), 'jpegls', { codecs: [liar], verify: false })).resolves.toBeDefined();
  });

  it('answers a syntax without an encoder (JPEG extended, decode-only) with TRANSCODE_CODEC_UNAVAILABLE', async () => {
    expect(isDicomError(await failure(() => transcode(ctSlice(), 'jpeg-extended', { codecs })), 'TRANSCODE_CODEC_UNAVAILABLE')).toBe(true);
  });

  it('stops with CORE_ABORTED when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(isDicomError(await failure(() => transcode(ctSlice(), 'rle', { codecs, signal: controller.signal })), 'CORE_ABORTED')).toBe(true);
  });

  it('reports a corrupt compressed frame with TRANSCODE_DECODE_FAILED', async () => {
    const good = await transcode(ctSlice(), 'j2k', { codecs });
    const pixel = good.dataset.elements.get(0x7fe00010)!;
    if (!('encapsulated' in pixel)) throw new Error('expected encapsulated pixel data');
    const cut = pixel.value.fragments[0]!.slice(0, 40);
    const bad: DicomFile = { ...good, dataset: { elements: new Map(good.dataset.elements).set(0x7fe00010, { ...pixel, value: { basicOffsetTable: new Uint8Array(0), fragments: [cut] } }) } };
    expect(isDicomError(await failure(() => decompress(bad, { codecs })), 'TRANSCODE_DECODE_FAILED')).toBe(true);
  });
});
