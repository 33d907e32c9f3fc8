import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, chmodSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusFile, corpusFiles, CORPUS_REJECTS, FIXTURE_NAMES, fixtureFiles } from '@dicom-tools/test-fixtures';
import {
  IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, TransferSyntax, formatTag, isEncapsulated,
  readDicom, readDicomFile, readDicomStream, writeDicom, writeDicomFile, type DataElement, type Dataset,
  type DicomFile,
} from './index.js';

const NATIVE = [
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
] as const;

const TEXT_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);

/**
 * The little-endian value bytes PS3.5 prescribes for an element (text joined by `\` and padded to even
 * length with a space, UI with NUL; binary numbers little-endian; bytes padded with NUL), written here
 * independently of the writer. Used where a syntax cannot carry the VR (implicit VR) and only bytes survive.
 */
function valueBytes(element: DataElement): Uint8Array {
  const vr = element.vr;
  const evenLength = (bytes: Uint8Array, pad: number): Uint8Array => (bytes.length % 2 === 0 ? bytes : Uint8Array.from([...bytes, pad]));
  if (TEXT_VRS.has(vr)) {
    const text = element as { value: readonly string[]; raw?: Uint8Array };
    const bytes = text.raw ?? Buffer.from(text.value.join('\\'), 'latin1');
    return evenLength(bytes, vr === 'UI' ? 0 : 0x20);
  }
  if (element.value instanceof Uint8Array) return evenLength(element.value, 0);
  const values = element.value as readonly (number | bigint)[];
  const size = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, AT: 4, SV: 8, UV: 8 }[vr as string]!;
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((n, i) => {
    const at = i * size;
    if (vr === 'US') view.setUint16(at, Number(n), true);
    else if (vr === 'SS') view.setInt16(at, Number(n), true);
    else if (vr === 'UL') view.setUint32(at, Number(n), true);
    else if (vr === 'SL') view.setInt32(at, Number(n), true);
    else if (vr === 'FL') view.setFloat32(at, Number(n), true);
    else if (vr === 'FD') view.setFloat64(at, Number(n), true);
    else if (vr === 'AT') { view.setUint16(at, Number(n) >>> 16, true); view.setUint16(at + 2, Number(n) & 0xffff, true); }
    else if (vr === 'SV') view.setBigInt64(at, BigInt(n), true);
    else view.setBigUint64(at, BigInt(n), true);
  });
  return out;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;

/**
 * Compares two data sets element by element, recursively, and lists every difference. Group lengths are
 * skipped (the writer recomputes them). Allowed, per PS3.5:
 * - an odd-length binary value or fragment comes back with its NUL padding byte (values have even length);
 * - where the VR differs (implicit VR carries none: private tags come back UN, `US or SS` is chosen from Pixel
 *   Representation; an explicit VR value too long for a 16-bit length is written as UN), the value bytes must
 *   be identical.
 */
function diffDatasets(before: Dataset, after: Dataset, path: string, out: string[], vrMayChange: boolean): void {
  const tags = new Set([...before.elements.keys(), ...after.elements.keys()]);
  for (const tag of tags) {
    if ((tag & 0xffff) === 0) continue;
    const where = `${path}${formatTag(tag)}`;
    const a = before.elements.get(tag);
    const b = after.elements.get(tag);
    if (!a || !b) {
      out.push(`${where}: ${a ? 'lost' : 'appeared'}`);
      continue;
    }
    diffElements(a, b, where, out, vrMayChange);
  }
}

function diffElements(a: DataElement, b: DataElement, where: string, out: string[], vrMayChange: boolean): void {
  if (a.vr === 'SQ' || b.vr === 'SQ') {
    if (a.vr !== b.vr) return void out.push(`${where}: VR ${a.vr} became ${b.vr}`);
    const ia = a.value as readonly Dataset[];
    const ib = b.value as readonly Dataset[];
    if (ia.length !== ib.length) return void out.push(`${where}: ${ia.length} items became ${ib.length}`);
    ia.forEach((item, i) => diffDatasets(item, ib[i]!, `${where}[${i}].`, out, vrMayChange));
    return;
  }
  if (isEncapsulated(a) || isEncapsulated(b)) {
    if (!isEncapsulated(a) || !isEncapsulated(b)) return void out.push(`${where}: encapsulation changed`);
    const fa = [a.value.basicOffsetTable, ...a.value.fragments];
    const fb = [b.value.basicOffsetTable, ...b.value.fragments];
    if (fa.length !== fb.length) return void out.push(`${where}: ${fa.length} items became ${fb.length}`);
    fa.forEach((f, i) => {
      const g = fb[i]!;
      const padded = f.length % 2 === 1 && g.length === f.length + 1 && g[f.length] === 0 && same(f, g.subarray(0, f.length));
      if (!same(f, g) && !padded) out.push(`${where}: pixel item ${i} differs`);
    });
    return;
  }
  if (a.vr !== b.vr) {
    const tooLong = b.vr === 'UN' && valueBytes(a).length > 0xfffe;
    if (!vrMayChange && !tooLong) return void out.push(`${where}: VR ${a.vr} became ${b.vr}`);
    if (!same(valueBytes(a), valueBytes(b))) out.push(`${where}: VR ${a.vr} became ${b.vr} and the value bytes differ`);
    return;
  }
  if (a.value instanceof Uint8Array) {
    const bv = b.value as Uint8Array;
    const padded = a.value.length % 2 === 1 && bv.length === a.value.length + 1 && bv[a.value.length] === 0 && same(a.value, bv.subarray(0, a.value.length));
    if (!same(a.value, bv) && !padded) out.push(`${where}: ${a.value.length} bytes became ${bv.length} different bytes`);
    return;
  }
  const va = a.value as readonly unknown[];
  const vb = b.value as readonly unknown[];
  if (va.length !== vb.length || va.some((v, i) => !Object.is(v, vb[i]))) {
    out.push(`${where}: ${JSON.stringify(va, bigints).slice(0, 80)} became ${JSON.stringify(vb, bigints).slice(0, 80)}`);
  }
}
const bigints = (_key: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

function differences(before: DicomFile, after: DicomFile, syntax: string): string[] {
  const out: string[] = [];
  diffDatasets(before.dataset, after.dataset, '', out, syntax === TransferSyntax.ImplicitVRLittleEndian || before.transferSyntaxUID === TransferSyntax.ImplicitVRLittleEndian);
  return out;
}

interface Source {
  readonly name: string;
  readonly file: DicomFile;
}

const corpusSources: Source[] = corpusFiles()
  .filter((name) => CORPUS_REJECTS[name] === undefined)
  .map((name) => ({ name, file: readDicom(readFileSync(corpusFile(name)), { fileName: name }) }));

/** The synthetic fixtures of @dicom-tools/test-fixtures, every file of each (a series gives several). */
const fixtureSources: Source[] = FIXTURE_NAMES.flatMap((name) => fixtureFiles(name).map((file, i, all) => ({ name: `fixture ${name}${all.length > 1 ? ` #${i + 1}` : ''}`, file })));

const sources: Source[] = [...corpusSources, ...fixtureSources];

function syntaxesFor(file: DicomFile): string[] {
  const pixel = file.dataset.elements.get(0x7fe00010);
  return pixel !== undefined && isEncapsulated(pixel) ? [file.transferSyntaxUID] : [...NATIVE];
}

const cases = sources.flatMap((source) => syntaxesFor(source.file).map((syntax) => [source.name, syntax, source] as const));

describe('read -> write -> read keeps every element value', () => {
  it.each(cases)('%s in %s', (_name, syntax, source) => {
    const bytes = writeDicom(source.file, { transferSyntaxUID: syntax });
    const again = readDicom(bytes);
    expect(again.transferSyntaxUID).toBe(syntax);
    expect(differences(source.file, again, syntax)).toEqual([]);
  });

  it.each(sources.filter((s) => syntaxesFor(s.file).length === 1).map((s) => [s.name, s] as const))(
    '%s: writing its encapsulated pixel data in a native syntax throws CORE_UNSUPPORTED_TRANSFER_SYNTAX',
    (_name, source) => {
      for (const syntax of NATIVE) {
        expect(() => writeDicom(source.file, { transferSyntaxUID: syntax })).toThrow(expect.objectContaining({ code: 'CORE_UNSUPPORTED_TRANSFER_SYNTAX' }));
      }
    },
  );

  it('a second write of what was read back gives the same bytes (the writer is deterministic)', () => {
    for (const source of corpusSources) {
      for (const syntax of syntaxesFor(source.file)) {
        const once = writeDicom(source.file, { transferSyntaxUID: syntax });
        const twice = writeDicom(readDicom(once), { transferSyntaxUID: syntax });
        expect({ name: source.name, syntax, same: same(once, twice) }).toEqual({ name: source.name, syntax, same: true });
      }
    }
  });
});

describe('text values where the output buffer grows', () => {
  // The writer starts small for a header-only data set and grows its buffer as it goes: whichever element that
  // happens at, its value must be written whole.
  it('writes every value of headers of 1 to 160 text elements, long and short (0 to 3 characters) in turn', () => {
    for (let n = 1; n <= 160; n++) {
      const elements = new Map<number, DataElement>();
      const expected: string[] = [];
      for (let i = 0; i < n; i++) {
        const tag = (0x00111000 + i) >>> 0;
        const value = i % 2 === 0 ? 'L'.repeat(50 + ((n + i) % 17)) : 'ABC'.slice(0, (n + i) % 4);
        elements.set(tag, { tag, vr: 'SH', value: value === '' ? [] : [value] });
        expected.push(value);
      }
      const bytes = writeDicom({ meta: { elements: new Map() }, dataset: { elements }, transferSyntaxUID: TransferSyntax.ExplicitVRLittleEndian, hadPreamble: true });
      // The data set read by hand (PS3.5 7.1.2: tag, VR, 16-bit length, value padded with a space to even length).
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const found: string[] = [];
      for (let at = rawMeta(bytes).end; at + 8 <= bytes.length; ) {
        const length = view.getUint16(at + 6, true);
        found.push(ascii(bytes.subarray(at + 8, at + 8 + length)));
        at += 8 + length;
      }
      expect({ n, found }).toEqual({ n, found: expected });
    }
  });
});

/** Reads the file meta group of Part 10 bytes by hand (PS3.10 7.1: explicit VR little endian after `DICM`). */
function rawMeta(bytes: Uint8Array): { elements: Map<number, Uint8Array>; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const elements = new Map<number, Uint8Array>();
  let at = 132;
  while (at < bytes.length && view.getUint16(at, true) === 0x0002) {
    const tag = ((view.getUint16(at, true) << 16) | view.getUint16(at + 2, true)) >>> 0;
    const vr = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!);
    const long = ['OB', 'OW', 'UN', 'SQ', 'UT', 'UC', 'UR', 'OD', 'OF', 'OL', 'OV', 'SV', 'UV'].includes(vr);
    const length = long ? view.getUint32(at + 8, true) : view.getUint16(at + 6, true);
    const start = at + (long ? 12 : 8);
    elements.set(tag, bytes.subarray(start, start + length));
    at = start + length;
  }
  return { elements, end: at };
}
const ascii = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('latin1').replace(/[\0 ]+$/, '');

describe('the written file meta group', () => {
  it.each(corpusSources.map((s) => [s.name, s] as const))('%s: correct group length, version, SOP class/instance and implementation', (_name, source) => {
    const syntax = syntaxesFor(source.file)[0]!;
    const bytes = writeDicom(source.file, { transferSyntaxUID: syntax });
    expect(Buffer.from(bytes.subarray(0, 128)).equals(Buffer.alloc(128))).toBe(true);
    expect(ascii(bytes.subarray(128, 132))).toBe('DICM');
    const { elements, end } = rawMeta(bytes);
    const groupLength = elements.get(0x00020000)!;
    expect(groupLength.length).toBe(4);
    // The group length counts the bytes after its own element up to the end of group 0002.
    expect(new DataView(groupLength.buffer, groupLength.byteOffset, 4).getUint32(0, true)).toBe(end - (132 + 12));
    expect([...elements.get(0x00020001)!]).toEqual([0, 1]);
    const sopClass = source.file.dataset.elements.get(0x00080016);
    const sopInstance = source.file.dataset.elements.get(0x00080018);
    // Files without SOP Class/Instance in the data set (private test files) keep the ones of their old meta.
    const expectedClass = sopClass ? (sopClass.value as string[])[0] : (source.file.meta.elements.get(0x00020002)?.value as string[] | undefined)?.[0] ?? '';
    const expectedInstance = sopInstance ? (sopInstance.value as string[])[0] : (source.file.meta.elements.get(0x00020003)?.value as string[] | undefined)?.[0] ?? '';
    expect(ascii(elements.get(0x00020002))).toBe(expectedClass);
    expect(ascii(elements.get(0x00020003))).toBe(expectedInstance);
    expect(ascii(elements.get(0x00020010))).toBe(syntax);
    expect(ascii(elements.get(0x00020012))).toBe(IMPLEMENTATION_CLASS_UID);
    expect(ascii(elements.get(0x00020013))).toBe(IMPLEMENTATION_VERSION_NAME);
    // Every value of the meta group has even length (PS3.5 7.1.1).
    for (const value of elements.values()) expect(value.length % 2).toBe(0);
  });

  it('takes SOP class and instance from the data set even when the old meta says otherwise', () => {
    const source = corpusSources.find((s) => s.name === 'CT_small.dcm')!.file;
    const meta = new Map(source.meta.elements);
    meta.set(0x00020003, { tag: 0x00020003, vr: 'UI', value: ['1.2.3.4'] });
    const bytes = writeDicom({ ...source, meta: { elements: meta } });
    const sopInstance = (source.dataset.elements.get(0x00080018)!.value as string[])[0];
    expect(ascii(rawMeta(bytes).elements.get(0x00020003))).toBe(sopInstance);
  });
});

describe('group lengths', () => {
  it.each([
    ['Explicit VR Little Endian', TransferSyntax.ExplicitVRLittleEndian, true],
    ['Implicit VR Little Endian', TransferSyntax.ImplicitVRLittleEndian, false],
  ])('recomputes (gggg,0000) from the bytes written, whatever value it held (%s)', (_name, syntax, explicit) => {
    const elements: DataElement[] = [
      { tag: 0x00080000, vr: 'UL', value: [999] },
      { tag: 0x00080016, vr: 'UI', value: ['1.2.840.10008.5.1.4.1.1.7'] },
      { tag: 0x00080018, vr: 'UI', value: ['1.2.3.4.5'] },
      { tag: 0x00100000, vr: 'UL', value: [1] },
      { tag: 0x00100010, vr: 'PN', value: ['Group^Length'] },
      { tag: 0x00101010, vr: 'AS', value: ['042Y'] },
    ];
    const bytes = Buffer.from(writeDicom({ meta: { elements: new Map() }, dataset: { elements: new Map(elements.map((e) => [e.tag, e])) }, transferSyntaxUID: syntax, hadPreamble: true }));
    // Walk the data set by hand (PS3.5 7.1) and add up each group's bytes after its group length element.
    let at = 144 + bytes.readUInt32LE(140);
    const declared = new Map<number, number>();
    const counted = new Map<number, number>();
    while (at < bytes.length) {
      const group = bytes.readUInt16LE(at);
      const element = bytes.readUInt16LE(at + 2);
      const length = explicit ? bytes.readUInt16LE(at + 6) : bytes.readUInt32LE(at + 4);
      const size = 8 + length;
      if (element === 0) declared.set(group, bytes.readUInt32LE(at + 8));
      else counted.set(group, (counted.get(group) ?? 0) + size);
      at += size;
    }
    expect(declared).toEqual(counted);
    expect(declared.size).toBe(2);
  });
});

describe('writeDicomFile is atomic', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dicom-tools-write-'));
  });
  afterEach(() => {
    chmodSync(dir, 0o700);
    for (const entry of readdirSync(dir)) chmodSync(join(dir, entry), 0o700);
    rmSync(dir, { recursive: true, force: true });
  });
  const ct = (): DicomFile => corpusSources.find((s) => s.name === 'CT_small.dcm')!.file;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

  it('writes a file that reads back', async () => {
    const path = join(dir, 'out.dcm');
    await writeDicomFile(path, ct());
    const back = await readDicomFile(path);
    expect(differences(ct(), back, back.transferSyntaxUID)).toEqual([]);
    expect(readdirSync(dir)).toEqual(['out.dcm']);
  });

  it('fails with CORE_IO into a folder it cannot write, leaving nothing behind', async () => {
    if (isRoot) {
      // root ignores permission bits; sysfs refuses new files even to root.
      await expect(writeDicomFile('/sys/dicom-tools-write-test.dcm', ct())).rejects.toMatchObject({ code: 'CORE_IO', file: '/sys/dicom-tools-write-test.dcm' });
      expect(readdirSync('/sys').filter((entry) => entry.includes('dicom-tools-write-test'))).toEqual([]);
      return;
    }
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    await expect(writeDicomFile(join(locked, 'out.dcm'), ct())).rejects.toMatchObject({ code: 'CORE_IO' });
    expect(readdirSync(locked)).toEqual([]);
  });

  it('fails with CORE_IO into a folder that does not exist', async () => {
    await expect(writeDicomFile(join(dir, 'missing', 'out.dcm'), ct())).rejects.toMatchObject({ code: 'CORE_IO' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a failing write over an existing file leaves the old file intact and no temporary file', async () => {
    const path = join(dir, 'out.dcm');
    writeFileSync(path, 'old contents');
    // The data cannot be encoded (a name outside ISO_IR 100): the write fails before any byte reaches the disk.
    const bad: DicomFile = { ...ct(), dataset: { elements: new Map([[0x00100010, { tag: 0x00100010, vr: 'PN', value: ['\u5c71\u7530'] }], [0x00080005, { tag: 0x00080005, vr: 'CS', value: ['ISO_IR 100'] }]]) } };
    await expect(writeDicomFile(path, bad)).rejects.toMatchObject({ code: 'CORE_CHARSET_UNENCODABLE' });
    expect(readFileSync(path, 'latin1')).toBe('old contents');
    expect(readdirSync(dir)).toEqual(['out.dcm']);
  });

  it('a write that fails at the rename (target is a non-empty folder) leaves the target and no temporary file', async () => {
    const path = join(dir, 'target');
    mkdirSync(path);
    writeFileSync(join(path, 'keep'), 'x');
    await expect(writeDicomFile(path, ct())).rejects.toMatchObject({ code: 'CORE_IO' });
    expect(readdirSync(dir)).toEqual(['target']);
    expect(readdirSync(path)).toEqual(['keep']);
  });

  it('an aborted write fails with CORE_ABORTED and leaves the old file intact', async () => {
    const path = join(dir, 'out.dcm');
    writeFileSync(path, 'old contents');
    const controller = new AbortController();
    controller.abort();
    await expect(writeDicomFile(path, ct(), { signal: controller.signal })).rejects.toMatchObject({ code: 'CORE_ABORTED' });
    expect(readFileSync(path, 'latin1')).toBe('old contents');
    expect(readdirSync(dir)).toEqual(['out.dcm']);
  });
});

describe('other read paths', () => {
  it('readDicomStream reads a file through fs.createReadStream', async () => {
    const path = corpusFile('CT_small.dcm');
    const streamed = await readDicomStream(createReadStream(path, { highWaterMark: 1024 }));
    const direct = readDicom(readFileSync(path));
    expect(differences(direct, streamed, direct.transferSyntaxUID)).toEqual([]);
    expect(streamed.dataset.elements.size).toBe(direct.dataset.elements.size);
  });

  it('reads rtstruct.dcm, a bare implicit VR data set without preamble or meta', () => {
    const file = readDicom(readFileSync(corpusFile('rtstruct.dcm')));
    expect(file.hadPreamble).toBe(false);
    expect(file.meta.elements.size).toBe(0);
    expect(file.transferSyntaxUID).toBe(TransferSyntax.ImplicitVRLittleEndian);
    // (0008,0016) SOP Class UID: RT Structure Set Storage, per the corpus README.
    expect(file.dataset.elements.get(0x00080016)?.value).toEqual(['1.2.840.10008.5.1.4.1.1.481.3']);
    expect((file.dataset.elements.get(0x30060020)?.value as Dataset[]).length).toBeGreaterThan(0);
  });
});
