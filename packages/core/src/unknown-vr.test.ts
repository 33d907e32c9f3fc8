import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataElement, Dataset, DicomFile, SequenceElement } from './dataset.js';
import { readDicom } from './read-dicom.js';
import { TransferSyntax } from './transfer-syntax.js';
import { resolveUnknownVr } from './unknown-vr.js';
import { writeDicom } from './write-dicom.js';

const PYTHON = '/usr/bin/python3';

/** The value bytes `element` has when written in `syntax` (read back from a one-element file). */
function valueBytes(element: DataElement, syntax: string = TransferSyntax.ExplicitVRLittleEndian): Uint8Array {
  const file: DicomFile = { meta: { elements: new Map() }, dataset: { elements: new Map([[element.tag, element]]) }, transferSyntaxUID: syntax, hadPreamble: true };
  const bytes = writeDicom(file);
  const read = readDicom(bytes);
  const back = read.dataset.elements.get(element.tag)!;
  if (back.vr === 'SQ') {
    // A sequence's UN bytes are its items in implicit VR little endian: write it so and cut the element header off.
    const implicit = writeDicom({ ...file, transferSyntaxUID: TransferSyntax.ImplicitVRLittleEndian });
    // The data set starts after the file meta group, whose length (0002,0000) is the first element's value.
    const groupLength = implicit[140]! | (implicit[141]! << 8) | (implicit[142]! << 16) | (implicit[143]! << 24);
    return implicit.subarray(144 + groupLength + 8);
  }
  return writeValue(bytes, element.tag, syntax);
}

/** The value bytes of the last element of explicit VR `bytes` (its tag `tag`). */
function writeValue(bytes: Uint8Array, tag: number, syntax: string): Uint8Array {
  const little = syntax !== TransferSyntax.ExplicitVRBigEndian;
  for (let at = 132; at + 8 <= bytes.length; at++) {
    const group = little ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!;
    const el = little ? bytes[at + 2]! | (bytes[at + 3]! << 8) : (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (((group << 16) | el) >>> 0 !== tag || group === 2) continue;
    const vr = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!);
    const long = ['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV'].includes(vr);
    return bytes.subarray(at + (long ? 12 : 8));
  }
  throw new Error('element not found');
}

const un = (tag: number, value: Uint8Array): DataElement => ({ tag, vr: 'UN', value });

describe('resolveUnknownVr', () => {
  it('reads text, numbers and dates of a known tag as the dictionary says, in either byte order', () => {
    const cases: DataElement[] = [
      { tag: 0x00100010, vr: 'PN', value: ['Leak^Name'] },
      { tag: 0x00080020, vr: 'DA', value: ['20190314'] },
      { tag: 0x00080018, vr: 'UI', value: ['1.2.3.4.5'] },
      { tag: 0x00280010, vr: 'US', value: [512] },
      { tag: 0x00189345, vr: 'FD', value: [8.5] },
      { tag: 0x00200037, vr: 'DS', value: ['1', '0', '0', '0', '1', '0'] },
    ];
    for (const syntax of [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ExplicitVRBigEndian]) {
      for (const element of cases) {
        const resolved = resolveUnknownVr(un(element.tag, valueBytes(element, syntax)), { littleEndian: syntax !== TransferSyntax.ExplicitVRBigEndian });
        expect([syntax, resolved]).toEqual([syntax, element]);
      }
    }
  });

  it('reads text in the character set given (latin-1 here), and a VR given for a private tag', () => {
    const latin = Uint8Array.from(Buffer.from('M\xfcller^Hans', 'latin1'));
    expect(resolveUnknownVr(un(0x00100010, latin), { charsets: ['ISO_IR 100'] })).toMatchObject({ vr: 'PN', value: ['Müller^Hans'] });
    expect(resolveUnknownVr(un(0x00191024, Uint8Array.from(Buffer.from('1.5 ')))) ).toBeUndefined();
    expect(resolveUnknownVr(un(0x00191024, Uint8Array.from(Buffer.from('1.5 '))), { vr: 'DS' })).toEqual({ tag: 0x00191024, vr: 'DS', value: ['1.5'] });
  });

  it('reads a sequence as implicit VR little endian items, nested sequences and text included', () => {
    const inner: Dataset = { elements: new Map<number, DataElement>([[0x00100010, { tag: 0x00100010, vr: 'PN', value: ['Leak^Inner'] }]]) };
    const item: Dataset = {
      elements: new Map<number, DataElement>([
        [0x00080100, { tag: 0x00080100, vr: 'SH', value: ['113100'] }],
        [0x00081155, { tag: 0x00081155, vr: 'UI', value: ['1.2.3.999.1'] }],
        [0x00089215, { tag: 0x00089215, vr: 'SQ', value: [inner] }],
      ]),
    };
    const sequence: SequenceElement = { tag: 0x00089215, vr: 'SQ', value: [item, inner] };
    const resolved = resolveUnknownVr(un(sequence.tag, valueBytes(sequence)));
    expect(resolved).toEqual(sequence);
  });

  it('is undefined for what it cannot read: no known VR, several VRs, a length that is not whole values, items that do not parse, not UN', () => {
    expect(resolveUnknownVr(un(0x00091010, Uint8Array.of(1, 2)))).toBeUndefined(); // private, no VR given
    expect(resolveUnknownVr(un(0x00280106, Uint8Array.of(1, 0)))).toBeUndefined(); // US or SS
    expect(resolveUnknownVr(un(0x00280010, Uint8Array.of(1, 0, 0)))).toBeUndefined(); // US of 3 bytes
    expect(resolveUnknownVr(un(0x00081140, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9)))).toBeUndefined(); // not items
    expect(resolveUnknownVr({ tag: 0x00100010, vr: 'PN', value: ['A^B'] })).toBeUndefined();
  });

  it('reads what pydicom reads for the same UN elements (its default replaces UN with the dictionary VR)', () => {
    expect(existsSync(PYTHON)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'unknown-vr-'));
    try {
      const elements: DataElement[] = [
        { tag: 0x00100010, vr: 'PN', value: ['Leak^Name'] },
        { tag: 0x00100030, vr: 'DA', value: ['19771231'] },
        { tag: 0x0008002a, vr: 'DT', value: ['20190314101500+0100'] },
        { tag: 0x00201041, vr: 'DS', value: ['-12.5'] },
        { tag: 0x00280011, vr: 'US', value: [256] },
        { tag: 0x00400400, vr: 'LT', value: ['Seen by Leak Name'] },
      ];
      const dataset: Dataset = { elements: new Map(elements.map((e) => [e.tag, un(e.tag, valueBytes(e))])) };
      const path = join(dir, 'un.dcm');
      writeFileSync(path, writeDicom({ meta: { elements: new Map() }, dataset, transferSyntaxUID: TransferSyntax.ExplicitVRLittleEndian, hadPreamble: true }));
      const script = [
        'import sys, json, pydicom',
        'ds = pydicom.dcmread(sys.argv[1])',
        'out = {}',
        'for e in ds:',
        '    v = e.value',
        '    out[format(e.tag, "08X")] = [e.VR, [str(x) for x in (v if isinstance(v, (list, pydicom.multival.MultiValue)) else [v])]]',
        'print(json.dumps(out))',
      ].join('\n');
      const run = spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      const theirs = JSON.parse(run.stdout) as Record<string, [string, string[]]>;
      const read = readDicom(readFileSync(path));
      for (const element of read.dataset.elements.values()) {
        expect(element.vr).toBe('UN');
        const resolved = resolveUnknownVr(element)!;
        const key = element.tag.toString(16).toUpperCase().padStart(8, '0');
        expect([key, resolved.vr, (resolved.value as readonly unknown[]).map(String)]).toEqual([key, ...theirs[key]!]);
      }
      expect(Object.keys(theirs)).toHaveLength(elements.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
