// Specific Character Set decoding, checked against bytes made by an independent encoder (Python's codecs, run
// here) framed as PS3.5 Annexes H (Japanese), I (Korean) and J (Chinese) show, and against dcmdump +U8.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDicomError, readDicom, writeDicom, type DataElement, type DicomFile, type TextElement } from './index.js';

const PYTHON = '/usr/bin/python3';
const DCMDUMP = '/usr/bin/dcmdump';

interface Case {
  /** Specific Character Set values. */
  readonly charset: string;
  /** The Person Name as Unicode. */
  readonly name: string;
  /** A Python expression giving the PN bytes. */
  readonly python: string;
  /** A long string (LO) in the same character set, and its bytes, when the set has one-byte codes. */
  readonly lo?: string;
  readonly loPython?: string;
}

// Python expressions: the codecs encode the characters; the ISO 2022 framing (escape sequences at the start of
// each component that needs them, an 8-bit G1 without SO/SI) is the one PS3.5 Annexes H, I and J show.
const CASES: readonly Case[] = [
  { charset: 'ISO_IR 100', name: 'Buc^Jérôme', python: "'Buc^Jérôme'.encode('latin-1')", lo: 'Müller Straße', loPython: "'Müller Straße'.encode('latin-1')" },
  { charset: 'ISO_IR 192', name: 'Wang^XiaoDong=王^小東=', python: "'Wang^XiaoDong=王^小東='.encode('utf-8')", lo: 'Ünïcödé ✓', loPython: "'Ünïcödé ✓'.encode('utf-8')" },
  // PS3.5 H.3.1: the escape sequences are exactly what Python's iso2022_jp produces for this string.
  { charset: '\\ISO 2022 IR 87', name: 'Yamada^Tarou=山田^太郎=やまだ^たろう', python: "'Yamada^Tarou=山田^太郎=やまだ^たろう'.encode('iso2022_jp')" },
  // PS3.5 H.3.2: half-width katakana in G1 (JIS X 0201) under ISO 2022 IR 13, kanji through ESC $ B.
  {
    charset: 'ISO 2022 IR 13\\ISO 2022 IR 87',
    name: 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう',
    python: "'ﾔﾏﾀﾞ^ﾀﾛｳ'.encode('shift_jis') + b'=' + '山田^太郎=やまだ^たろう'.encode('iso2022_jp')",
  },
  // The same as PS3.5 writes it: back to G0 JIS X 0201 Romaji (ESC ( J, the initial G0 under IR 13), not ASCII.
  {
    charset: 'ISO 2022 IR 13\\ISO 2022 IR 87',
    name: 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう',
    python: "'ﾔﾏﾀﾞ^ﾀﾛｳ'.encode('shift_jis') + b'=' + '山田^太郎=やまだ^たろう'.encode('iso2022_jp').replace(b'\\x1b(B', b'\\x1b(J')",
  },
  // JIS X 0212 (supplementary kanji) through ESC $ ( D.
  { charset: '\\ISO 2022 IR 159', name: 'Sup^丂', python: "b'Sup^' + '丂'.encode('iso2022_jp_1')" },
  // PS3.5 I.2: KS X 1001 in G1, designated by ESC $ ) C at the start of each component that uses it.
  {
    charset: '\\ISO 2022 IR 149',
    name: 'Hong^Gildong=洪^吉洞=홍^길동',
    python: "b'Hong^Gildong=' + b'\\x1b$)C' + '洪'.encode('euc_kr') + b'^\\x1b$)C' + '吉洞'.encode('euc_kr') + b'=\\x1b$)C' + '홍'.encode('euc_kr') + b'^\\x1b$)C' + '길동'.encode('euc_kr')",
  },
  // PS3.5 J.3: GB18030 without code extensions.
  { charset: 'GB18030', name: 'Wang^XiaoDong=王^小东=', python: "'Wang^XiaoDong=王^小东='.encode('gb18030')", lo: '中文描述', loPython: "'中文描述'.encode('gb18030')" },
  // PS3.5 J.1: GB 2312 in G1 through ESC $ ) A (ISO 2022 IR 58).
  { charset: '\\ISO 2022 IR 58', name: 'Zhang^XiaoDong=张^小东=', python: "b'Zhang^XiaoDong=\\x1b$)A' + '张'.encode('gb2312') + b'^\\x1b$)A' + '小东'.encode('gb2312') + b'='" },
  { charset: 'ISO_IR 126', name: 'Διονυσιος^Γιαννης', python: "'Διονυσιος^Γιαννης'.encode('iso8859_7')", lo: 'Αθήνα', loPython: "'Αθήνα'.encode('iso8859_7')" },
  { charset: 'ISO_IR 144', name: 'Иванов^Иван', python: "'Иванов^Иван'.encode('iso8859_5')", lo: 'Москва', loPython: "'Москва'.encode('iso8859_5')" },
  { charset: 'ISO_IR 127', name: 'قباني^لنزار', python: "'قباني^لنزار'.encode('iso8859_6')", lo: 'دمشق', loPython: "'دمشق'.encode('iso8859_6')" },
  { charset: 'ISO_IR 138', name: 'שרון^דבורה', python: "'שרון^דבורה'.encode('iso8859_8')", lo: 'ירושלים', loPython: "'ירושלים'.encode('iso8859_8')" },
  // ISO 8859-1 through an escape sequence after an ASCII first value (ISO 2022 IR 100 as a code extension).
  { charset: '\\ISO 2022 IR 100', name: 'Buc^Jérôme', python: "b'Buc^\\x1b-A' + 'Jérôme'.encode('latin-1')" },
];

/** Runs Python once for every case's byte expressions; returns them as buffers in case order. */
function pythonBytes(expressions: readonly string[]): Buffer[] {
  const script = `import sys, json\nprint(json.dumps([(${expressions.map((e) => `(${e})`).join(', ')}${expressions.length === 1 ? ',' : ''})[i].hex() for i in range(${expressions.length})]))`;
  const run = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as string[]).map((hex) => Buffer.from(hex, 'hex'));
}

/** A bare Explicit VR Little Endian data set, built byte by byte (PS3.5 7.1.2). */
function explicitLE(elements: ReadonlyArray<readonly [tag: number, vr: string, value: Uint8Array]>): Uint8Array {
  const parts: Buffer[] = [];
  for (const [tag, vr, raw] of elements) {
    const value = raw.length % 2 === 0 ? Buffer.from(raw) : Buffer.concat([raw, Buffer.from(vr === 'UI' ? [0] : [0x20])]);
    const head = Buffer.alloc(vr === 'SQ' ? 12 : 8);
    head.writeUInt16LE(tag >>> 16, 0);
    head.writeUInt16LE(tag & 0xffff, 2);
    head.write(vr, 4, 'latin1');
    if (vr === 'SQ') head.writeUInt32LE(value.length, 8);
    else head.writeUInt16LE(value.length, 6);
    parts.push(head, value);
  }
  return Buffer.concat(parts);
}
function item(content: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(0xe000fffe, 0);
  head.writeUInt32LE(content.length, 4);
  return Buffer.concat([head, content]);
}

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');

/** A data set holding the case's PN (and LO) at the top level and again inside a sequence item. */
function datasetFor(c: Case, pn: Uint8Array, lo: Uint8Array | undefined): Uint8Array {
  const inner = explicitLE([[0x00100010, 'PN', pn]]);
  return explicitLE([
    [0x00080005, 'CS', ascii(c.charset)],
    [0x00080016, 'UI', ascii('1.2.840.10008.5.1.4.1.1.7')],
    ...(lo ? [[0x00081030, 'LO', lo] as const] : []),
    [0x00100010, 'PN', pn],
    [0x00101002, 'SQ', item(inner)],
  ]);
}

const text = (element: DataElement | undefined): string => ((element as TextElement | undefined)?.value ?? []).join('\\');

describe('Specific Character Set decoding', () => {
  it('has python3 and dcmdump to make and check the test data', () => {
    expect(existsSync(PYTHON)).toBe(true);
    expect(existsSync(DCMDUMP)).toBe(true);
  });

  const pnBytes = pythonBytes(CASES.map((c) => c.python));
  const withLo = CASES.filter((c) => c.loPython !== undefined);
  const loBytes = new Map(pythonBytes(withLo.map((c) => c.loPython!)).map((b, i) => [withLo[i]!, b] as const));

  it.each(CASES.map((c, i) => [c.charset, c, i] as const))('decodes PN (and LO) under %s, also inside a sequence item', (_charset, c, i) => {
    const bytes = datasetFor(c, pnBytes[i]!, loBytes.get(c));
    const file = readDicom(bytes);
    expect(text(file.dataset.elements.get(0x00100010))).toBe(c.name);
    if (c.lo !== undefined) expect(text(file.dataset.elements.get(0x00081030))).toBe(c.lo);
    const sequence = file.dataset.elements.get(0x00101002)!.value as readonly { elements: Map<number, DataElement> }[];
    expect(text(sequence[0]!.elements.get(0x00100010))).toBe(c.name);
  });

  // DCMTK 3.6.7 as Debian builds it converts through glibc iconv, which has no converter for DICOM's Japanese
  // ISO 2022 sets: dcmdump +U8 stops with "Cannot open character encoding" on them. pydicom (2.3.1) decodes
  // those; it is not the peer for the others, as it drops a PN's trailing empty groups ("...=" loses its "=")
  // and leaves ISO 2022 IR 58 undecoded.
  const DCMTK_CANNOT_CONVERT = new Set(['\\ISO 2022 IR 87', 'ISO 2022 IR 13\\ISO 2022 IR 87', '\\ISO 2022 IR 159']);

  it('agrees with dcmdump +U8 (DCMTK converting with its own tables), or where it cannot convert with pydicom, on every case', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dicom-tools-charset-'));
    try {
      const problems: string[] = [];
      const paths = CASES.map((c, i) => {
        const path = join(dir, `case${i}.dcm`);
        writeFileSync(path, datasetFor(c, pnBytes[i]!, loBytes.get(c)));
        return path;
      });
      const script = 'import sys, json, pydicom\nprint(json.dumps([str(pydicom.dcmread(p, force=True).PatientName) for p in sys.argv[1:]]))';
      const py = spawnSync(PYTHON, ['-c', script, ...paths], { encoding: 'utf8' });
      expect(py.stderr).toBe('');
      const pydicomNames = JSON.parse(py.stdout) as string[];
      CASES.forEach((c, i) => {
        const ours = text(readDicom(datasetFor(c, pnBytes[i]!, loBytes.get(c))).dataset.elements.get(0x00100010));
        if (DCMTK_CANNOT_CONVERT.has(c.charset) && pydicomNames[i] !== ours) problems.push(`${c.charset}: pydicom ${JSON.stringify(pydicomNames[i])}, we ${JSON.stringify(ours)}`);
        const run = spawnSync(DCMDUMP, ['+U8', '+Qn', '+L', '-q', paths[i]!], { encoding: 'latin1' });
        if (DCMTK_CANNOT_CONVERT.has(c.charset)) {
          if (!/Cannot open character encoding/.test(run.stderr)) problems.push(`${c.charset}: dcmdump converts it now: compare with it`);
          return;
        }
        const line = run.stdout.split('\n').find((l) => l.startsWith('(0010,0010)'));
        const value = line === undefined ? undefined : /\[(.*)\]/.exec(line)?.[1];
        if (value === undefined) return void problems.push(`${c.charset}: dcmdump printed no PN (${run.stderr.trim().split('\n')[0] ?? ''})`);
        const bytes: number[] = [];
        for (let k = 0; k < value.length; k++) {
          if (value[k] === '&' && value[k + 1] === '#') {
            const end = value.indexOf(';', k);
            bytes.push(Number(value.slice(k + 2, end)));
            k = end;
          } else bytes.push(value.charCodeAt(k));
        }
        const dumped = Buffer.from(bytes).toString('utf8');
        if (dumped !== ours) problems.push(`${c.charset}: dcmdump ${JSON.stringify(dumped)}, we ${JSON.stringify(ours)}`);
      });
      expect(problems).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Specific Character Set on writing', () => {
  const pnBytes = pythonBytes(CASES.map((c) => c.python));
  const read = (i: number): DicomFile => readDicom(datasetFor(CASES[i]!, pnBytes[i]!, undefined));
  const contains = (haystack: Uint8Array, needle: Uint8Array): boolean => Buffer.from(haystack).includes(Buffer.from(needle));

  it.each(CASES.map((c, i) => [c.charset, i] as const))('writes unchanged %s text back byte for byte', (_charset, i) => {
    const bytes = writeDicom(read(i), { transferSyntaxUID: '1.2.840.10008.1.2.1' });
    expect(contains(bytes, pnBytes[i]!)).toBe(true);
    expect(text(readDicom(bytes).dataset.elements.get(0x00100010))).toBe(CASES[i]!.name);
  });

  const withName = (file: DicomFile, name: string): DicomFile => {
    const elements = new Map(file.dataset.elements);
    elements.set(0x00100010, { tag: 0x00100010, vr: 'PN', value: [name] });
    return { ...file, dataset: { elements } };
  };

  it('re-encodes changed text in a single-byte set (ISO_IR 100, 126, 144, 127, 138)', () => {
    const samples: Record<string, [string, BufferEncoding | 'iso8859']> = {
      'ISO_IR 100': ['Åsa^Ørsted', 'latin1'],
      'ISO_IR 126': ['Νίκος^Παπάς', 'iso8859'],
      'ISO_IR 144': ['Петров^Пётр', 'iso8859'],
      'ISO_IR 127': ['سعيد', 'iso8859'],
      'ISO_IR 138': ['כהן^משה', 'iso8859'],
    };
    const expected = pythonBytes([
      "'Åsa^Ørsted'.encode('latin-1')", "'Νίκος^Παπάς'.encode('iso8859_7')", "'Петров^Пётр'.encode('iso8859_5')",
      "'سعيد'.encode('iso8859_6')", "'כהן^משה'.encode('iso8859_8')",
    ]);
    Object.entries(samples).forEach(([charset, [name]], k) => {
      const i = CASES.findIndex((c) => c.charset === charset);
      const bytes = writeDicom(withName(read(i), name), { transferSyntaxUID: '1.2.840.10008.1.2.1' });
      expect({ charset, found: contains(bytes, expected[k]!) }).toEqual({ charset, found: true });
      expect(text(readDicom(bytes).dataset.elements.get(0x00100010))).toBe(name);
    });
  });

  it('writes changed text as UTF-8 under ISO_IR 192', () => {
    const i = CASES.findIndex((c) => c.charset === 'ISO_IR 192');
    const bytes = writeDicom(withName(read(i), '李^四'), { transferSyntaxUID: '1.2.840.10008.1.2.1' });
    expect(contains(bytes, Buffer.from('李^四', 'utf8'))).toBe(true);
  });

  it.each([
    ['ISO_IR 100', '山田^太郎'],
    ['\\ISO 2022 IR 87', '山田^花子'],
    ['\\ISO 2022 IR 149', '김^철수'],
    ['GB18030', '李^四'],
    ['ISO_IR 144', 'Jérôme'],
  ])('rejects changed text that %s cannot hold (or this writer cannot encode) with CORE_CHARSET_UNENCODABLE', (charset, name) => {
    const i = CASES.findIndex((c) => c.charset === charset);
    let caught: unknown;
    try {
      writeDicom(withName(read(i), name));
    } catch (error) {
      caught = error;
    }
    expect(isDicomError(caught, 'CORE_CHARSET_UNENCODABLE')).toBe(true);
    // The message names the tag, not the text (no PHI in errors).
    expect((caught as Error).message).toContain('(0010,0010)');
    expect((caught as Error).message).not.toContain(name);
  });

  it('writes a changed value even when the element was copied with the old raw bytes', () => {
    const i = CASES.findIndex((c) => c.charset === 'ISO_IR 100');
    const file = read(i);
    const old = file.dataset.elements.get(0x00100010) as TextElement;
    const elements = new Map(file.dataset.elements);
    elements.set(0x00100010, { ...old, value: ['Other^Name'] });
    const bytes = writeDicom({ ...file, dataset: { elements } });
    expect(text(readDicom(bytes).dataset.elements.get(0x00100010))).toBe('Other^Name');
  });
});
