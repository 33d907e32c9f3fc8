import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { corpusFile, corpusFiles, CORPUS_REJECTS, fixtureFiles } from '@dicom-tools/test-fixtures';
import {
  deleteElement, isDicomError, isEncapsulated, readDicom, readDicomFile, setValue, Tags, TransferSyntax, writeDicom, type DataElement, type Dataset,
  type DicomFile,
} from './index.js';

describe('readDicom on the corpus', () => {
  it.each(corpusFiles())('reads %s or rejects it with its documented code', (name) => {
    const bytes = readFileSync(corpusFile(name));
    const expected = CORPUS_REJECTS[name];
    if (expected !== undefined) {
      expect(() => readDicom(bytes, { fileName: name })).toThrow(expect.objectContaining({ code: expected }));
    } else {
      const file = readDicom(bytes, { fileName: name });
      expect(file.dataset.elements.size).toBeGreaterThan(0);
    }
  });

  it('rejects MR_truncated.dcm with CORE_TRUNCATED naming the offset and Pixel Data', () => {
    let caught: unknown;
    try {
      readDicom(readFileSync(corpusFile('MR_truncated.dcm')), { fileName: 'MR_truncated.dcm' });
    } catch (error) {
      caught = error;
    }
    expect(isDicomError(caught, 'CORE_TRUNCATED')).toBe(true);
    expect((caught as Error).message).toMatch(/^MR_truncated\.dcm: truncated: element \(7FE0,0010\) PixelData at byte \d+/);
  });

  it('reads MR_truncated.dcm header-only, stopping before the cut pixel data', async () => {
    const file = await readDicomFile(corpusFile('MR_truncated.dcm'), { stopBeforePixelData: true });
    expect(file.dataset.elements.has(Tags.PixelData)).toBe(false);
    expect(file.dataset.elements.get(Tags.Rows)?.value).toEqual([64]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Byte-level builders (PS3.5 7.1): the tests below make their input bytes by hand, so that what the reader
// returns is checked against values written independently of our writer.

const LONG = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
const UNDEFINED = 0xffffffff;

interface Enc {
  readonly explicit: boolean;
  readonly little: boolean;
}
const ELE: Enc = { explicit: true, little: true };
const EBE: Enc = { explicit: true, little: false };
const ILE: Enc = { explicit: false, little: true };

function u16(n: number, little: boolean): Buffer {
  const b = Buffer.alloc(2);
  if (little) b.writeUInt16LE(n); else b.writeUInt16BE(n);
  return b;
}
function u32(n: number, little: boolean): Buffer {
  const b = Buffer.alloc(4);
  if (little) b.writeUInt32LE(n >>> 0); else b.writeUInt32BE(n >>> 0);
  return b;
}
/** One element; `length` overrides the value's length (UNDEFINED for undefined length). */
function el(enc: Enc, tag: number, vr: string, value: Uint8Array, length = value.length): Buffer {
  const parts = [u16(tag >>> 16, enc.little), u16(tag & 0xffff, enc.little)];
  if (!enc.explicit) parts.push(u32(length, enc.little));
  else if (LONG.has(vr)) parts.push(Buffer.from(vr, 'latin1'), Buffer.alloc(2), u32(length, enc.little));
  else parts.push(Buffer.from(vr, 'latin1'), u16(length, enc.little));
  return Buffer.concat([...parts, value]);
}
function item(enc: Enc, content: Uint8Array, undefinedLength = false): Buffer {
  const head = Buffer.concat([u16(0xfffe, enc.little), u16(0xe000, enc.little), u32(undefinedLength ? UNDEFINED : content.length, enc.little)]);
  const tail = undefinedLength ? Buffer.concat([u16(0xfffe, enc.little), u16(0xe00d, enc.little), u32(0, enc.little)]) : Buffer.alloc(0);
  return Buffer.concat([head, content, tail]);
}
function seqEnd(enc: Enc): Buffer {
  return Buffer.concat([u16(0xfffe, enc.little), u16(0xe0dd, enc.little), u32(0, enc.little)]);
}
const text = (s: string): Buffer => Buffer.from(s, 'latin1');

/** A Part 10 file by hand: preamble, DICM, a meta group with a correct group length, then `body`. */
function part10(syntax: string, body: Uint8Array, options: { preamble?: boolean } = {}): Buffer {
  const uid = text(syntax.length % 2 ? `${syntax}\0` : syntax);
  const meta = Buffer.concat([el(ELE, 0x00020001, 'OB', Buffer.from([0, 1])), el(ELE, 0x00020010, 'UI', uid)]);
  const group = el(ELE, 0x00020000, 'UL', u32(meta.length, true));
  return Buffer.concat([options.preamble === false ? Buffer.alloc(0) : Buffer.alloc(128), text('DICM'), group, meta, body]);
}
const SOP_CLASS = (enc: Enc): Buffer => el(enc, 0x00080016, 'UI', text('1.2.840.10008.5.1.4.1.1.7\0'));

const values = (e: DataElement | undefined): unknown => e?.value;
const hex = (bytes: unknown): string => Buffer.from(bytes as Uint8Array).toString('hex');

function thrown(read: () => unknown): unknown {
  try {
    read();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('byte order and VRs', () => {
  // Values stored big endian by hand; the reader must give numbers, and bytes of O* VRs in little-endian order.
  const be = Buffer.concat([
    SOP_CLASS(EBE),
    el(EBE, 0x00181310, 'US', Buffer.concat([u16(1, false), u16(0xfffe, false)])),
    el(EBE, 0x00189219, 'SS', u16(0xfff6, false)),
    el(EBE, 0x00200100, 'UL', u32(0x01020304, false)),
    el(EBE, 0x00280009, 'AT', Buffer.concat([u16(0x0018, false), u16(0x1063, false)])),
    el(EBE, 0x00281052, 'FL', (() => { const b = Buffer.alloc(4); b.writeFloatBE(-1.5); return b; })()),
    el(EBE, 0x00400314, 'FD', (() => { const b = Buffer.alloc(8); b.writeDoubleBE(Math.PI); return b; })()),
    el(EBE, 0x00660040, 'OL', Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])),
    el(EBE, 0x0066002f, 'OW', Buffer.from([0x12, 0x34, 0xab, 0xcd])),
    el(EBE, 0x00660016, 'OF', (() => { const b = Buffer.alloc(8); b.writeFloatBE(2.5, 0); b.writeFloatBE(-3, 4); return b; })()),
    el(EBE, 0x00660018, 'OD', (() => { const b = Buffer.alloc(8); b.writeDoubleBE(1e-3); return b; })()),
    el(EBE, 0x00720082, 'SV', (() => { const b = Buffer.alloc(8); b.writeBigInt64BE(-5n); return b; })()),
    el(EBE, 0x00720083, 'UV', (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(2n ** 63n + 1n); return b; })()),
    el(EBE, 0x7fe00001, 'OV', (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(258n); return b; })()),
  ]);

  it('decodes Explicit VR Big Endian numbers, and gives O* VR bytes in little-endian order', () => {
    const { dataset } = readDicom(part10(TransferSyntax.ExplicitVRBigEndian, be));
    const get = (tag: number): unknown => values(dataset.elements.get(tag));
    expect(get(0x00181310)).toEqual([1, 0xfffe]);
    expect(get(0x00189219)).toEqual([-10]);
    expect(get(0x00200100)).toEqual([0x01020304]);
    expect(get(0x00280009)).toEqual([0x00181063]);
    expect(get(0x00281052)).toEqual([-1.5]);
    expect(get(0x00400314)).toEqual([Math.PI]);
    expect(hex(get(0x00660040))).toBe('0403020108070605');
    expect(hex(get(0x0066002f))).toBe('3412cdab');
    const of = Buffer.from(get(0x00660016) as Uint8Array);
    expect([of.readFloatLE(0), of.readFloatLE(4)]).toEqual([2.5, -3]);
    expect(Buffer.from(get(0x00660018) as Uint8Array).readDoubleLE(0)).toBe(1e-3);
    expect(get(0x00720082)).toEqual([-5n]);
    expect(get(0x00720083)).toEqual([2n ** 63n + 1n]);
    expect(Buffer.from(get(0x7fe00001) as Uint8Array).readBigUInt64LE(0)).toBe(258n);
  });

  it('reads SV, UV and OV (32-bit lengths) inside a sequence item, where dicom-parser reads a 16-bit length', () => {
    const inner = Buffer.concat([
      el(ELE, 0x00720082, 'SV', (() => { const b = Buffer.alloc(16); b.writeBigInt64LE(-7n, 0); b.writeBigInt64LE(9n, 8); return b; })()),
      el(ELE, 0x00720083, 'UV', (() => { const b = Buffer.alloc(8); b.writeBigUInt64LE(12n); return b; })()),
      el(ELE, 0x7fe00001, 'OV', Buffer.alloc(8, 1)),
    ]);
    const body = Buffer.concat([SOP_CLASS(ELE), el(ELE, 0x00400260, 'SQ', item(ELE, inner)), el(ELE, 0x00400270, 'SQ', Buffer.alloc(0))]);
    const { dataset } = readDicom(part10(TransferSyntax.ExplicitVRLittleEndian, body));
    const items = values(dataset.elements.get(0x00400260)) as Dataset[];
    expect(values(items[0]!.elements.get(0x00720082))).toEqual([-7n, 9n]);
    expect(values(items[0]!.elements.get(0x00720083))).toEqual([12n]);
    expect(hex(values(items[0]!.elements.get(0x7fe00001)))).toBe('0101010101010101');
    expect(values(dataset.elements.get(0x00400270))).toEqual([]);
  });

  it('reads a big-endian file of the corpus to the same pixel values as its little-endian twin', () => {
    const little = readDicom(readFileSync(corpusFile('MR_small.dcm')));
    const big = readDicom(readFileSync(corpusFile('MR_small_bigendian.dcm')));
    expect(hex(values(big.dataset.elements.get(Tags.PixelData)))).toBe(hex(values(little.dataset.elements.get(Tags.PixelData))));
  });
});

describe('undefined lengths, UN and private sequences', () => {
  const implicitItem = Buffer.concat([el(ILE, 0x00081150, 'UI', text('1.2.3\0')), el(ILE, 0x00081155, 'UI', text('4.5.6\0'))]);

  it.each([
    ['Explicit VR Little Endian', ELE, TransferSyntax.ExplicitVRLittleEndian],
    ['Explicit VR Big Endian', EBE, TransferSyntax.ExplicitVRBigEndian],
  ])('reads an undefined-length UN as a sequence of implicit VR little endian items (CP-246) in %s', (_name, enc, syntax) => {
    // The UN's own header follows the syntax; its content is implicit VR little endian in both (PS3.5 6.2.2).
    const un = Buffer.concat([el(enc, 0x00081199, 'UN', Buffer.alloc(0), UNDEFINED), item(ILE, implicitItem, true), seqEnd(ILE)]);
    const after = el(enc, 0x00100010, 'PN', text('After^Un'));
    const { dataset } = readDicom(part10(syntax, Buffer.concat([SOP_CLASS(enc), un, after])));
    const sq = dataset.elements.get(0x00081199)!;
    expect(sq.vr).toBe('SQ');
    const first = (sq.value as Dataset[])[0]!;
    expect(values(first.elements.get(0x00081150))).toEqual(['1.2.3']);
    expect(values(first.elements.get(0x00081155))).toEqual(['4.5.6']);
    expect(values(dataset.elements.get(0x00100010))).toEqual(['After^Un']);
  });

  it('reads private sequences of undefined length in implicit VR with their items, nested, with defined- and undefined-length items', () => {
    const innermost = el(ILE, 0x00091002, 'LO', text('deep'));
    const inner = Buffer.concat([el(ILE, 0x00091001, 'SQ', Buffer.alloc(0), UNDEFINED), item(ILE, innermost), seqEnd(ILE)]);
    const outer = Buffer.concat([el(ILE, 0x00091010, 'SQ', Buffer.alloc(0), UNDEFINED), item(ILE, inner, true), item(ILE, el(ILE, 0x00091003, 'LO', text('second'))), seqEnd(ILE)]);
    const creator = el(ILE, 0x00090010, 'LO', text('ACME 1.0'));
    const { dataset } = readDicom(part10(TransferSyntax.ImplicitVRLittleEndian, Buffer.concat([SOP_CLASS(ILE), creator, outer, el(ILE, 0x00100010, 'PN', text('Doe^J '))])));
    const outerItems = values(dataset.elements.get(0x00091010)) as Dataset[];
    expect(outerItems).toHaveLength(2);
    const innerItems = values(outerItems[0]!.elements.get(0x00091001)) as Dataset[];
    // A private tag has no dictionary VR: in implicit VR its value stays bytes (UN).
    expect(innerItems[0]!.elements.get(0x00091002)).toMatchObject({ vr: 'UN' });
    expect(text('deep').equals(Buffer.from(values(innerItems[0]!.elements.get(0x00091002)) as Uint8Array))).toBe(true);
    expect(values(dataset.elements.get(0x00090010))).toEqual(['ACME 1.0']);
    expect(values(dataset.elements.get(0x00100010))).toEqual(['Doe^J']);
  });

  it('keeps a private element of defined length in implicit VR as bytes even when they look like items (as dcmdump does)', () => {
    const bytes = item(ILE, el(ILE, 0x00100010, 'PN', text('AB')));
    const { dataset } = readDicom(part10(TransferSyntax.ImplicitVRLittleEndian, Buffer.concat([SOP_CLASS(ILE), el(ILE, 0x00091010, 'SQ', bytes)])));
    expect(dataset.elements.get(0x00091010)).toMatchObject({ vr: 'UN' });
    expect(hex(values(dataset.elements.get(0x00091010)))).toBe(bytes.toString('hex'));
  });

  it.each([
    ['an undefined length on a text element (explicit VR)', 'CORE_MALFORMED', () => part10(TransferSyntax.ExplicitVRLittleEndian, Buffer.concat([SOP_CLASS(ELE), el(ELE, 0x00100010, 'UT', text('AB'), UNDEFINED)]))],
    ['an item tag that is not (FFFE,E000)', 'CORE_MALFORMED', () => part10(TransferSyntax.ExplicitVRLittleEndian, Buffer.concat([SOP_CLASS(ELE), el(ELE, 0x00081115, 'SQ', Buffer.concat([u16(0xfffe, true), u16(0xe001, true), u32(0, true)]))]))],
    ['an item longer than its sequence', 'CORE_MALFORMED', () => part10(TransferSyntax.ExplicitVRLittleEndian, Buffer.concat([SOP_CLASS(ELE), el(ELE, 0x00081115, 'SQ', Buffer.concat([u16(0xfffe, true), u16(0xe000, true), u32(100, true)])), el(ELE, 0x00100010, 'PN', Buffer.alloc(120, 0x41))]))],
    ['an undefined-length sequence cut before its delimiter', 'CORE_TRUNCATED', () => part10(TransferSyntax.ExplicitVRLittleEndian, Buffer.concat([SOP_CLASS(ELE), el(ELE, 0x00081115, 'SQ', item(ELE, el(ELE, 0x00081150, 'UI', text('1.2\0'))), UNDEFINED)]))],
    ['an undefined-length item cut before its delimiter (explicit VR)', 'CORE_TRUNCATED', () => part10(TransferSyntax.ExplicitVRLittleEndian, Buffer.concat([SOP_CLASS(ELE), el(ELE, 0x00081115, 'SQ', Buffer.alloc(0), UNDEFINED), Buffer.concat([u16(0xfffe, true), u16(0xe000, true), u32(UNDEFINED, true)]), el(ELE, 0x00081150, 'UI', text('1.2\0'))]))],
  ])('rejects %s with %s', (_what, code, bytes) => {
    const error = thrown(() => readDicom(bytes()));
    expect(isDicomError(error, code as 'CORE_MALFORMED')).toBe(true);
  });

  it('steps over a stray sequence delimitation item at the top level', () => {
    const body = Buffer.concat([SOP_CLASS(ELE), el(ELE, 0x00081115, 'SQ', item(ELE, el(ELE, 0x00081150, 'UI', text('1.2\0')))), seqEnd(ELE), el(ELE, 0x00100010, 'PN', text('After^Stray'))]);
    const { dataset } = readDicom(part10(TransferSyntax.ExplicitVRLittleEndian, body));
    expect([...dataset.elements.keys()]).toEqual([0x00080016, 0x00081115, 0x00100010]);
    expect(values(dataset.elements.get(0x00100010))).toEqual(['After^Stray']);
  });

  it('reads encapsulated Pixel Data written with VR UN (undefined length) as fragments, not as a CP-246 sequence', () => {
    const fragments = Buffer.concat([item(ELE, Buffer.alloc(0)), item(ELE, Buffer.from([0xff, 0xd8, 0xff, 0xd9])), seqEnd(ELE)]);
    const body = Buffer.concat([SOP_CLASS(ELE), el(ELE, 0x7fe00010, 'UN', fragments, UNDEFINED)]);
    const { dataset } = readDicom(part10('1.2.840.10008.1.2.4.50', body));
    const pixel = dataset.elements.get(Tags.PixelData)!;
    expect(isEncapsulated(pixel)).toBe(true);
    if (isEncapsulated(pixel)) expect(pixel.value.fragments.map(hex)).toEqual(['ffd8ffd9']);
  });

  it('names the top-level element and its offset when the data ends inside a nested sequence', () => {
    const file = readFileSync(corpusFile('test-SR.dcm'));
    const contentAt = file.indexOf(Buffer.from([0x40, 0x00, 0x30, 0xa7, 0x53, 0x51]));
    const error = thrown(() => readDicom(file.subarray(0, contentAt + 300)));
    expect(isDicomError(error, 'CORE_TRUNCATED')).toBe(true);
    expect((error as Error).message).toContain(`(0040,A730) ContentSequence at byte ${contentAt}`);
  });
});

describe('odd lengths', () => {
  it('reads odd-length values as written (text without padding, bytes as they are), and a US of 3 bytes as UN', () => {
    const body = Buffer.concat([SOP_CLASS(ELE), el(ELE, 0x00100010, 'PN', text('Odd^Len')), el(ELE, 0x00181310, 'US', Buffer.from([1, 0, 2])), el(ELE, 0x00291010, 'OB', Buffer.from([1, 2, 3]))]);
    const { dataset } = readDicom(part10(TransferSyntax.ExplicitVRLittleEndian, body));
    expect(values(dataset.elements.get(0x00100010))).toEqual(['Odd^Len']);
    expect(dataset.elements.get(0x00181310)).toMatchObject({ vr: 'UN' });
    expect(hex(values(dataset.elements.get(0x00181310)))).toBe('010002');
    expect(hex(values(dataset.elements.get(0x00291010)))).toBe('010203');
  });
});

describe('deflate', () => {
  it('reads image_dfl.dcm (Deflated Explicit VR Little Endian) to the values dcmdump shows', () => {
    const { dataset, transferSyntaxUID } = readDicom(readFileSync(corpusFile('image_dfl.dcm')));
    expect(transferSyntaxUID).toBe(TransferSyntax.DeflatedExplicitVRLittleEndian);
    expect(values(dataset.elements.get(Tags.Rows))).toEqual([512]);
    expect((values(dataset.elements.get(Tags.PixelData)) as Uint8Array).length).toBe(512 * 512);
  });

  it('also reads a deflated data set wrapped in a zlib header (written so by some tools)', () => {
    const body = Buffer.concat([SOP_CLASS(ELE), el(ELE, 0x00100010, 'PN', text('Zlib^Wrapped'))]);
    const { dataset } = readDicom(part10(TransferSyntax.DeflatedExplicitVRLittleEndian, deflateSync(body)));
    expect(values(dataset.elements.get(0x00100010))).toEqual(['Zlib^Wrapped']);
  });

  it('reports a cut deflate stream as CORE_TRUNCATED', () => {
    const bytes = readFileSync(corpusFile('image_dfl.dcm'));
    expect(isDicomError(thrown(() => readDicom(bytes.subarray(0, bytes.length - 200))), 'CORE_TRUNCATED')).toBe(true);
  });
});

describe('where the data set starts', () => {
  const ct = (): Buffer => readFileSync(corpusFile('CT_small.dcm'));

  it('reads Part 10 without the preamble, starting at DICM or at the meta group', () => {
    const full = readDicom(ct());
    for (const bytes of [ct().subarray(128), ct().subarray(132)]) {
      const file = readDicom(bytes);
      expect(file.hadPreamble).toBe(false);
      expect(file.transferSyntaxUID).toBe(full.transferSyntaxUID);
      expect(file.dataset.elements.size).toBe(full.dataset.elements.size);
    }
  });

  it.each([
    ['Explicit VR Little Endian', TransferSyntax.ExplicitVRLittleEndian],
    ['Implicit VR Little Endian', TransferSyntax.ImplicitVRLittleEndian],
    ['Explicit VR Big Endian', TransferSyntax.ExplicitVRBigEndian],
  ])('detects a bare data set in %s (no preamble, no meta)', (_name, syntax) => {
    const source = fixtureFiles('ctSlice')[0]!;
    const written = Buffer.from(writeDicom(source, { transferSyntaxUID: syntax }));
    const bare = written.subarray(144 + written.readUInt32LE(140));
    const file = readDicom(bare);
    expect(file.transferSyntaxUID).toBe(syntax);
    expect(file.meta.elements.size).toBe(0);
    expect(values(file.dataset.elements.get(Tags.Rows))).toEqual(values(source.dataset.elements.get(Tags.Rows)));
    expect(values(file.dataset.elements.get(Tags.PatientName))).toEqual(values(source.dataset.elements.get(Tags.PatientName)));
  });

  it('detects a bare data set whose first elements include a private one', () => {
    const body = Buffer.concat([SOP_CLASS(ILE), el(ILE, 0x00090010, 'LO', text('ACME')), el(ILE, 0x00091001, 'OB', Buffer.alloc(6)), el(ILE, 0x00100010, 'PN', text('Bare^Private'))]);
    const file = readDicom(body);
    expect(file.transferSyntaxUID).toBe(TransferSyntax.ImplicitVRLittleEndian);
    expect(values(file.dataset.elements.get(0x00100010))).toEqual(['Bare^Private']);
  });

  it('takes the syntax from the data when the meta group has no Transfer Syntax UID', () => {
    const meta = el(ELE, 0x00020001, 'OB', Buffer.from([0, 1]));
    const body = Buffer.concat([SOP_CLASS(ILE), el(ILE, 0x00100010, 'PN', text('No^Syntax'))]);
    const file = readDicom(Buffer.concat([Buffer.alloc(128), text('DICM'), el(ELE, 0x00020000, 'UL', u32(meta.length, true)), meta, body]));
    expect(file.transferSyntaxUID).toBe(TransferSyntax.ImplicitVRLittleEndian);
    expect(values(file.dataset.elements.get(0x00100010))).toEqual(['No^Syntax']);
  });

  it.each([
    ['a text file', text('hello, this is not DICOM at all\n'.repeat(20))],
    ['a PNG header', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')],
    ['zeros', Buffer.alloc(1024)],
    ['nothing', Buffer.alloc(0)],
  ])('rejects %s with CORE_NOT_DICOM', (_what, bytes) => {
    expect(isDicomError(thrown(() => readDicom(bytes)), 'CORE_NOT_DICOM')).toBe(true);
  });
});

describe('header-only reads', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dicom-tools-read-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops before Pixel Data, and before Float Pixel Data, leaving out what follows', () => {
    for (const pixelTag of [0x7fe00010, 0x7fe00008]) {
      const pixel = el(ELE, pixelTag, pixelTag === 0x7fe00010 ? 'OW' : 'OF', Buffer.alloc(16));
      const body = Buffer.concat([SOP_CLASS(ELE), el(ELE, 0x00280010, 'US', u16(2, true)), pixel, el(ELE, 0xfffcfffc, 'OB', Buffer.alloc(4))]);
      const { dataset } = readDicom(part10(TransferSyntax.ExplicitVRLittleEndian, body), { stopBeforePixelData: true });
      expect([...dataset.elements.keys()]).toEqual([0x00080016, 0x00280010]);
    }
  });

  it('with partial: true, reports bytes that end before pixel data as CORE_TRUNCATED, even at an element boundary', () => {
    const bytes = readFileSync(corpusFile('CT_small.dcm'));
    const rowsAt = bytes.indexOf(Buffer.from([0x28, 0x00, 0x10, 0x00, 0x55, 0x53]));
    // Cut exactly where (0028,0010) starts: without `partial` that is a complete (smaller) data set.
    expect(readDicom(bytes.subarray(0, rowsAt), { stopBeforePixelData: true }).dataset.elements.has(Tags.Rows)).toBe(false);
    expect(isDicomError(thrown(() => readDicom(bytes.subarray(0, rowsAt), { stopBeforePixelData: true, partial: true })), 'CORE_TRUNCATED')).toBe(true);
    expect(readDicom(bytes, { stopBeforePixelData: true, partial: true }).dataset.elements.has(Tags.Rows)).toBe(true);
  });

  it('readDicomFile reads a header longer than its first 64 KiB whole, even when an element starts exactly at 64 KiB', async () => {
    const base = fixtureFiles('ctSlice')[0]!;
    const make = (fill: number): Uint8Array => {
      const elements = new Map(base.dataset.elements);
      elements.set(0x00090010, { tag: 0x00090010, vr: 'LO', value: ['FILLER'] });
      elements.set(0x00091001, { tag: 0x00091001, vr: 'OB', value: new Uint8Array(fill) });
      return writeDicom({ ...base, dataset: { elements } }, { transferSyntaxUID: TransferSyntax.ExplicitVRLittleEndian });
    };
    // Find the filler size that puts the element after the filler exactly at byte 65536.
    const probe = Buffer.from(make(70_000));
    const fillerEnd = probe.indexOf(Buffer.from([0x09, 0x00, 0x01, 0x10, 0x4f, 0x42])) + 12 + 70_000;
    const bytes = make(70_000 - (fillerEnd - 65536));
    const next = Buffer.from(bytes.subarray(65536, 65538)).readUInt16LE(0);
    expect(next).toBeGreaterThan(0x0009); // an element of a later group starts at 64 KiB
    const path = join(dir, 'long-header.dcm');
    writeFileSync(path, bytes);
    const header = await readDicomFile(path, { stopBeforePixelData: true });
    const whole = readDicom(bytes);
    expect([...header.dataset.elements.keys()]).toEqual([...whole.dataset.elements.keys()].filter((tag) => tag !== Tags.PixelData));
  });

  it('readDicomFile reads a deflated file header-only', async () => {
    const header = await readDicomFile(corpusFile('image_dfl.dcm'), { stopBeforePixelData: true });
    expect(header.dataset.elements.has(Tags.PixelData)).toBe(false);
    expect(values(header.dataset.elements.get(Tags.Rows))).toEqual([512]);
  });

  it('reads the same header with and without stopBeforePixelData for every readable corpus file', async () => {
    for (const name of corpusFiles().filter((n) => CORPUS_REJECTS[n] === undefined)) {
      const header = await readDicomFile(corpusFile(name), { stopBeforePixelData: true });
      const whole = readDicom(readFileSync(corpusFile(name)));
      const before = [...whole.dataset.elements.keys()].filter((tag) => tag < 0x7fe00008);
      expect({ name, tags: [...header.dataset.elements.keys()] }).toEqual({ name, tags: before });
    }
  });

  it('fails with CORE_IO naming the file for a missing file, and CORE_ABORTED when aborted', async () => {
    await expect(readDicomFile(join(dir, 'missing.dcm'))).rejects.toMatchObject({ code: 'CORE_IO', file: join(dir, 'missing.dcm') });
    const controller = new AbortController();
    controller.abort();
    await expect(readDicomFile(corpusFile('CT_small.dcm'), { signal: controller.signal })).rejects.toMatchObject({ code: 'CORE_ABORTED' });
  });
});

describe('encapsulated pixel data', () => {
  it('keeps the Basic Offset Table and every fragment of a two-frame RLE file', () => {
    const { dataset } = readDicom(readFileSync(corpusFile('SC_rgb_rle_2frame.dcm')));
    const pixel = dataset.elements.get(Tags.PixelData)!;
    expect(isEncapsulated(pixel)).toBe(true);
    if (!isEncapsulated(pixel)) return;
    expect(pixel.value.basicOffsetTable.length).toBe(8);
    expect(pixel.value.fragments).toHaveLength(2);
    // Each RLE fragment starts with its 64-byte RLE header: the number of segments (3 for RGB), PS3.5 G.5.
    for (const fragment of pixel.value.fragments) expect(Buffer.from(fragment).readUInt32LE(0)).toBe(3);
  });
});

describe('pixelDataOffset of a header-only read', () => {
  const u32 = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

  it.each([
    ['CT_small.dcm', 8], // explicit VR OW: tag, VR, 2 reserved bytes, then the 32-bit length
    ['MR_small_implicit.dcm', 4], // implicit VR: tag, then the 32-bit length
  ] as const)('points at the (7FE0,0010) header of %s, whose length is Rows x Columns x 2', (name, lengthAt) => {
    const bytes = readFileSync(corpusFile(name));
    const head = readDicom(bytes, { stopBeforePixelData: true });
    const at = head.pixelDataOffset!;
    expect([...bytes.subarray(at, at + 4)]).toEqual([0xe0, 0x7f, 0x10, 0x00]);
    const rows = head.dataset.elements.get(0x00280010)!.value as readonly number[];
    const columns = head.dataset.elements.get(0x00280011)!.value as readonly number[];
    expect(u32(bytes, at + lengthAt)).toBe(rows[0]! * columns[0]! * 2);
  });

  it('is absent on a full read and on a deflated data set (its offsets are in the inflated body)', () => {
    expect(readDicom(readFileSync(corpusFile('CT_small.dcm'))).pixelDataOffset).toBeUndefined();
    expect(readDicom(readFileSync(corpusFile('image_dfl.dcm')), { stopBeforePixelData: true }).pixelDataOffset).toBeUndefined();
  });
});

describe('pixelDataTag of a header-only read', () => {
  /** The ctSlice fixture with its pixels as Float (32) or Double Float (64) Pixel Data. */
  function floatSlice(bits: 32 | 64): DicomFile {
    const file = fixtureFiles('ctSlice')[0]!;
    for (const tag of [Tags.PixelData, Tags.BitsStored, Tags.HighBit, Tags.PixelRepresentation]) deleteElement(file.dataset, tag);
    setValue(file.dataset, Tags.BitsAllocated, bits);
    setValue(file.dataset, bits === 32 ? Tags.FloatPixelData : Tags.DoubleFloatPixelData, new Uint8Array(64 * 64 * (bits / 8)));
    return file;
  }

  it.each([
    [TransferSyntax.ExplicitVRLittleEndian, 32, 0x08],
    [TransferSyntax.ImplicitVRLittleEndian, 32, 0x08],
    [TransferSyntax.ExplicitVRLittleEndian, 64, 0x09],
  ] as const)('in %s names the %i-bit float pixel data element the read stopped at, whose tag is at pixelDataOffset', (transferSyntaxUID, bits, element) => {
    const bytes = writeDicom(floatSlice(bits), { transferSyntaxUID });
    const head = readDicom(bytes, { stopBeforePixelData: true });
    expect(head.pixelDataTag).toBe((0x7fe00000 | element) >>> 0);
    expect(head.dataset.elements.has(head.pixelDataTag!)).toBe(false);
    const at = head.pixelDataOffset!;
    expect([...bytes.subarray(at, at + 4)]).toEqual([0xe0, 0x7f, element, 0x00]);
  });

  it('is (7FE0,0010) for Pixel Data, is given for a deflated data set too, and is absent on a full read', () => {
    expect(readDicom(readFileSync(corpusFile('CT_small.dcm')), { stopBeforePixelData: true }).pixelDataTag).toBe(0x7fe00010);
    expect(readDicom(readFileSync(corpusFile('image_dfl.dcm')), { stopBeforePixelData: true }).pixelDataTag).toBe(0x7fe00010);
    const deflated = writeDicom(floatSlice(32), { transferSyntaxUID: TransferSyntax.DeflatedExplicitVRLittleEndian });
    expect(readDicom(deflated, { stopBeforePixelData: true }).pixelDataTag).toBe(0x7fe00008);
    expect(readDicom(readFileSync(corpusFile('CT_small.dcm'))).pixelDataTag).toBeUndefined();
  });
});

