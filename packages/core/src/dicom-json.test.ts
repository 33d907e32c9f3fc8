import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { corpusFile, corpusFiles, CORPUS_REJECTS } from '@dicom-tools/test-fixtures';
import {
  createDataset, datasetFromJson, datasetToJson, dicomFileFromJson, dicomFileToJson, formatTag, isDicomError, isEncapsulated,
  parseTagPath, readDicom, Tags, writeDicom, type DataElement, type Dataset, type DicomFile, type DicomJsonAttribute,
  type DicomJsonObject,
} from './index.js';

const PYTHON = '/usr/bin/python3';
const readable = corpusFiles().filter((name) => CORPUS_REJECTS[name] === undefined);

function read(name: string): DicomFile {
  return readDicom(readFileSync(corpusFile(name)), { fileName: name });
}

/** JSON text and back, as a client on the other end would see it. */
function throughText(json: DicomJsonObject): unknown {
  return JSON.parse(JSON.stringify(json));
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function key(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(8, '0');
}

const NUMBER_TEXT = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

function sameBytes(x: Uint8Array, y: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(y.buffer, y.byteOffset, y.byteLength)) === 0;
}

function sameValue(vr: string, x: unknown, y: unknown): boolean {
  if ((vr === 'DS' || vr === 'IS') && typeof x === 'string' && typeof y === 'string' && NUMBER_TEXT.test(x) && NUMBER_TEXT.test(y)) {
    return Number(x) === Number(y); // DS/IS travel as JSON numbers: compare numerically
  }
  if (vr === 'PN' && typeof x === 'string' && typeof y === 'string') {
    return x.replace(/=+$/, '') === y.replace(/=+$/, ''); // empty trailing groups have no JSON form
  }
  if (typeof x === 'number' && typeof y === 'number') return x === y || (Number.isNaN(x) && Number.isNaN(y));
  return x === y;
}

/** Differences between two elements with the same tag and VR, as readable lines. */
function valueDifferences(a: DataElement, b: DataElement, where: string): string[] {
  if (isEncapsulated(a) || isEncapsulated(b)) {
    if (!isEncapsulated(a) || !isEncapsulated(b)) return [`${where}: encapsulated on one side only`];
    const same = sameBytes(a.value.basicOffsetTable, b.value.basicOffsetTable) && a.value.fragments.length === b.value.fragments.length
      && a.value.fragments.every((f, i) => sameBytes(f, b.value.fragments[i]!));
    return same ? [] : [`${where}: encapsulated fragments differ`];
  }
  if (a.value instanceof Uint8Array || b.value instanceof Uint8Array) {
    return a.value instanceof Uint8Array && b.value instanceof Uint8Array && sameBytes(a.value, b.value) ? [] : [`${where}: bytes differ`];
  }
  if (a.vr === 'SQ' && b.vr === 'SQ') {
    if (a.value.length !== b.value.length) return [`${where}: ${a.value.length} items vs ${b.value.length}`];
    return a.value.flatMap((item, i) => differences(item, b.value[i]!, `${where}[${i}].`));
  }
  const va = a.value as readonly unknown[];
  const vb = b.value as readonly unknown[];
  if (va.length !== vb.length) return [`${where}: ${va.length} values vs ${vb.length}`];
  return va.flatMap((x, i) => (sameValue(a.vr, x, vb[i]) ? [] : [`${where}[${i}]: ${String(x)} vs ${String(vb[i])}`]));
}

/** Differences between two data sets at every level; group lengths are left out (PS3.18 F.2.2 drops them). */
function differences(a: Dataset, b: Dataset, path = ''): string[] {
  const tags = (d: Dataset) => [...d.elements.keys()].filter((t) => (t & 0xffff) !== 0).sort((x, y) => x - y);
  const ta = tags(a);
  const tb = tags(b);
  if (ta.join() !== tb.join()) return [`${path}: tags differ: ${ta.map(formatTag).join(' ')} vs ${tb.map(formatTag).join(' ')}`];
  return ta.flatMap((tag) => {
    const ea = a.elements.get(tag)!;
    const eb = b.elements.get(tag)!;
    const where = `${path}${formatTag(tag)}`;
    return ea.vr !== eb.vr ? [`${where}: VR ${ea.vr} vs ${eb.vr}`] : valueDifferences(ea, eb, where);
  });
}

/** The attribute a `bulkDataUri` path names, found by walking a JSON object with parseTagPath's steps. */
function attributeAt(json: DicomJsonObject, path: string): DicomJsonAttribute {
  let node = json;
  const steps = parseTagPath(path);
  for (const step of steps.slice(0, -1)) node = node[key(step.tag)]!.Value![step.item!] as DicomJsonObject;
  return node[key(steps[steps.length - 1]!.tag)]!;
}

/** How many InlineBinary values in `json` (at any depth) have a byte length passing `test`. */
function countInline(json: DicomJsonObject, test: (bytes: number) => boolean): number {
  let n = 0;
  for (const attribute of Object.values(json)) {
    if (attribute.InlineBinary !== undefined && test(Buffer.from(attribute.InlineBinary, 'base64').length)) n++;
    if (attribute.vr === 'SQ') for (const item of attribute.Value ?? []) n += countInline(item as DicomJsonObject, test);
  }
  return n;
}

describe('DICOM JSON round trip over the corpus', () => {
  it.each(readable)('keeps every element of %s through datasetToJson, JSON text and datasetFromJson', (name) => {
    const file = read(name);
    const back = datasetFromJson(throughText(datasetToJson(file.dataset)), { transferSyntaxUID: file.transferSyntaxUID });
    expect(differences(file.dataset, back)).toEqual([]);
  });

  it.each(readable)('keeps every element of %s when binary values over 16 bytes go out as BulkDataURI', (name) => {
    const file = read(name);
    const inline = datasetToJson(file.dataset);
    const paths = new Map<string, { tag: number; path: string }>();
    const json = throughText(datasetToJson(file.dataset, {
      bulkDataThreshold: 16,
      bulkDataUri: (tag, path) => {
        const uri = `https://example.org/bulk/${paths.size}`;
        paths.set(uri, { tag, path });
        return uri;
      },
    }));
    const back = datasetFromJson(json, {
      transferSyntaxUID: file.transferSyntaxUID,
      resolveBulkData: (uri, tag, path) => {
        expect(paths.get(uri)).toEqual({ tag, path });
        const attribute = attributeAt(inline, path);
        expect(Buffer.from(attribute.InlineBinary!, 'base64').length).toBeGreaterThan(16);
        return new Uint8Array(Buffer.from(attribute.InlineBinary!, 'base64'));
      },
    });
    expect(paths.size).toBe(countInline(inline, (bytes) => bytes > 16));
    expect(differences(file.dataset, back)).toEqual([]);
  });

  it('covers private sequences nested in private sequences (nested_priv_SQ.dcm)', () => {
    const json = datasetToJson(read('nested_priv_SQ.dcm').dataset);
    const privateSequences = Object.entries(json).filter(([k, a]) => parseInt(k.slice(0, 4), 16) % 2 === 1 && a.vr === 'SQ');
    expect(privateSequences.length).toBeGreaterThan(0);
    const item = privateSequences[0]![1].Value![0] as DicomJsonObject;
    expect(Object.entries(item).some(([k, a]) => parseInt(k.slice(0, 4), 16) % 2 === 1 && a.vr === 'SQ')).toBe(true);
  });

  it('writes a file rebuilt with dicomFileFromJson that reads back with the same elements', () => {
    const file = read('CT_small.dcm');
    const rebuilt = dicomFileFromJson(throughText(dicomFileToJson(file, { includeMeta: true })));
    expect(rebuilt.transferSyntaxUID).toBe(file.transferSyntaxUID);
    expect(rebuilt.meta.elements.get(Tags.MediaStorageSOPInstanceUID)?.value).toEqual(file.meta.elements.get(Tags.MediaStorageSOPInstanceUID)?.value);
    const again = readDicom(writeDicom(rebuilt));
    expect(differences(file.dataset, again.dataset)).toEqual([]);
  });
});

describe('datasetToJson against pydicom', () => {
  // pydicom 2.3.1 (Debian's python3-pydicom) is the peer. Documented differences, normalized below:
  // - it keeps group length elements (gggg,0000), which PS3.18 F.2.2 excludes and we drop;
  // - it writes "Value": [] for an empty sequence, where we omit Value as F.2.5 says for empty attributes;
  // - it base64-encodes OW/OF/OL/OD/OV bytes of big-endian files as stored (big endian), where we give them
  //   little endian, the byte order of PS3.18 bulk data; we swap its words to compare;
  // - its -0.0 for a DS "-0" stays -0 in JSON text, where JSON.stringify writes 0 (the same DS number);
  // - it reads bare data sets (rtstruct.dcm) only with force=True;
  // - it cannot convert badVR.dcm at all (int('1A') fails on the IS value), so that file is compared by hand below.
  const PYDICOM_FAILS = new Set(['badVR.dcm']);
  const SCRIPT = [
    'import json, sys, pydicom',
    'out = {}',
    'for path in sys.argv[1:]:',
    '    d = pydicom.dcmread(path, force=True)',
    '    try:',
    '        out[path] = {"json": d.to_json_dict(), "bigEndian": not d.is_little_endian}',
    '    except Exception as e:',
    '        out[path] = {"error": repr(e)}',
    'print(json.dumps(out))',
  ].join('\n');

  function wordSize(vr: string): number {
    return vr === 'OW' ? 2 : vr === 'OF' || vr === 'OL' ? 4 : vr === 'OD' || vr === 'OV' ? 8 : 1;
  }

  function normalize(json: DicomJsonObject, bigEndian: boolean): DicomJsonObject {
    const out: Record<string, DicomJsonAttribute> = {};
    for (const [k, attribute] of Object.entries(json)) {
      if (k.endsWith('0000')) continue;
      let a: DicomJsonAttribute = attribute;
      if (a.vr === 'SQ') {
        const items = (a.Value ?? []).map((item) => normalize(item as DicomJsonObject, bigEndian));
        a = items.length === 0 ? { vr: 'SQ' } : { vr: 'SQ', Value: items };
      } else if (bigEndian && a.InlineBinary !== undefined && wordSize(a.vr) > 1) {
        const bytes = Buffer.from(a.InlineBinary, 'base64');
        const size = wordSize(a.vr);
        for (let i = 0; i + size <= bytes.length; i += size) bytes.subarray(i, i + size).reverse();
        a = { vr: a.vr, InlineBinary: bytes.toString('base64') };
      }
      out[k] = a;
    }
    return out;
  }

  it('gives the tags, VRs, values and inline binaries pydicom gives, for every corpus file pydicom converts', () => {
    expect(existsSync(PYTHON)).toBe(true);
    const probe = spawnSync(PYTHON, ['-c', 'import pydicom'], { encoding: 'utf8' });
    expect(probe.stderr).toBe(''); // fails (does not skip) when pydicom is missing
    const names = readable.filter((n) => !PYDICOM_FAILS.has(n));
    const run = spawnSync(PYTHON, ['-c', SCRIPT, ...names.map(corpusFile)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    expect({ status: run.status, stderr: run.stderr.split('\n').filter((l) => /Error/.test(l)) }).toEqual({ status: 0, stderr: [] });
    const peer = JSON.parse(run.stdout, (_k, v: unknown) => (Object.is(v, -0) ? 0 : v)) as Record<string, { json?: DicomJsonObject; bigEndian?: boolean; error?: string }>;
    for (const name of names) {
      const theirs = peer[corpusFile(name)]!;
      expect({ name, error: theirs.error }).toEqual({ name, error: undefined });
      const ours = throughText(datasetToJson(read(name).dataset)) as DicomJsonObject;
      expect({ name, json: ours }).toEqual({ name, json: normalize(theirs.json!, theirs.bigEndian!) });
    }
  });
});

describe('datasetToJson encodes values as PS3.18 F.2 says', () => {
  it('writes keys as 8 upper-case hex digits in ascending order, private tags included', () => {
    const json = datasetToJson(read('CT_small.dcm').dataset);
    const keys = Object.keys(json);
    expect(keys.every((k) => /^[0-9A-F]{8}$/.test(k))).toBe(true);
    expect([...keys].sort()).toEqual(keys);
    expect(json['000910E6']).toEqual({ vr: 'SH', Value: ['05'] }); // dcmdump: (0009,10e6) SH [05]
  });

  it('writes DS and IS as JSON numbers, and keeps an IS that is not a number (badVR.dcm "1A") as its string', () => {
    const ct = datasetToJson(read('CT_small.dcm').dataset);
    expect(ct[key(Tags.SliceThickness)]).toEqual({ vr: 'DS', Value: [5] }); // dcmdump: DS [5.000000]
    expect(ct[key(Tags.SeriesNumber)]).toEqual({ vr: 'IS', Value: [1] }); // dcmdump: IS [1]
    const bad = read('badVR.dcm');
    const json = datasetToJson(bad.dataset);
    expect(json[key(Tags.NumberOfFrames)]).toEqual({ vr: 'IS', Value: ['1A'] });
    expect(datasetFromJson(throughText(json)).elements.get(Tags.NumberOfFrames)?.value).toEqual(['1A']);
  });

  it('writes AT as hex strings, SV/UV as numbers inside 2^53 and decimal strings beyond, and reads them back', () => {
    const dataset = createDataset([
      { tag: 0x00209165, vr: 'AT', value: [0x00100020, 0x7fe00010] },
      { tag: 0x00660040, vr: 'SV', value: [-(2n ** 63n), 42n, 2n ** 53n, -(2n ** 53n) + 1n] },
      { tag: 0x00660041, vr: 'UV', value: [2n ** 64n - 1n, 0n] },
    ]);
    const json = datasetToJson(dataset);
    expect(json['00209165']).toEqual({ vr: 'AT', Value: ['00100020', '7FE00010'] });
    expect(json['00660040']).toEqual({ vr: 'SV', Value: ['-9223372036854775808', 42, '9007199254740992', -9007199254740991] });
    expect(json['00660041']).toEqual({ vr: 'UV', Value: ['18446744073709551615', 0] });
    expect(differences(dataset, datasetFromJson(throughText(json)))).toEqual([]);
  });

  it('writes PN as component groups (the PS3.18 example name) and an empty value among several as null', () => {
    const json = datasetToJson(createDataset([
      { tag: Tags.PatientName, vr: 'PN', value: ['Yamada^Tarou=山田^太郎=やまだ^たろう'] },
      { tag: Tags.OtherPatientNames, vr: 'PN', value: ['Doe^J', '', '=Ideo'] },
    ]));
    expect(json['00100010']).toEqual({ vr: 'PN', Value: [{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎', Phonetic: 'やまだ^たろう' }] });
    expect(json['00101001']).toEqual({ vr: 'PN', Value: [{ Alphabetic: 'Doe^J' }, null, { Ideographic: 'Ideo' }] });
  });

  it('omits Value for empty attributes and writes an empty item as {} (F.2.5)', () => {
    const json = datasetToJson(createDataset([
      { tag: Tags.AccessionNumber, vr: 'SH', value: [] },
      { tag: Tags.ImageType, vr: 'CS', value: ['ORIGINAL', '', 'AXIAL'] },
      { tag: 0x00091010, vr: 'OB', value: new Uint8Array(0) },
      { tag: Tags.ReferencedImageSequence, vr: 'SQ', value: [] },
      { tag: Tags.ReferencedSeriesSequence, vr: 'SQ', value: [createDataset()] },
      { tag: 0x00080000, vr: 'UL', value: [100] },
    ]));
    expect(json).toEqual({
      '00080008': { vr: 'CS', Value: ['ORIGINAL', null, 'AXIAL'] },
      '00080050': { vr: 'SH' },
      '00081115': { vr: 'SQ', Value: [{}] },
      '00081140': { vr: 'SQ' },
      '00091010': { vr: 'OB' },
    });
  });

  it('writes FL/FD values JSON cannot hold as the strings NaN, Infinity, -Infinity and reads them back', () => {
    const dataset = createDataset([{ tag: 0x00189087, vr: 'FD', value: [NaN, Infinity, -Infinity, 1.5] }]);
    const json = datasetToJson(dataset);
    expect(json['00189087']).toEqual({ vr: 'FD', Value: ['NaN', 'Infinity', '-Infinity', 1.5] });
    expect(differences(dataset, datasetFromJson(throughText(json)))).toEqual([]);
  });

  it('gives encapsulated Pixel Data as the item stream of the file (JPEG2000.dcm), without the sequence delimiter', () => {
    const bytes = readFileSync(corpusFile('JPEG2000.dcm'));
    // (7FE0,0010) OB, undefined length, explicit VR little endian: the value starts right after this header.
    const start = bytes.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff])) + 12;
    const end = bytes.lastIndexOf(Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]));
    expect(start).toBeGreaterThan(12);
    const json = datasetToJson(read('JPEG2000.dcm').dataset);
    expect(json['7FE00010']).toEqual({ vr: 'OB', InlineBinary: bytes.subarray(start, end).toString('base64') });
  });

  it('leaves top-level Pixel Data out with includePixelData: false', () => {
    const json = datasetToJson(read('MR_small.dcm').dataset, { includePixelData: false });
    expect(json['7FE00010']).toBeUndefined();
    expect(json[key(Tags.Rows)]).toEqual({ vr: 'US', Value: [64] });
  });

  it('puts values longer than bulkDataThreshold bytes behind bulkDataUri, naming the tag and path', () => {
    const calls: [number, string][] = [];
    const json = datasetToJson(createDataset([
      { tag: Tags.IconImageSequence, vr: 'SQ', value: [createDataset([{ tag: Tags.PixelData, vr: 'OW', value: new Uint8Array(20) }])] },
      { tag: 0x00091010, vr: 'OB', value: new Uint8Array(10) },
      { tag: 0x00091011, vr: 'OB', value: new Uint8Array(11) },
    ]), { bulkDataThreshold: 10, bulkDataUri: (tag, path) => { calls.push([tag, path]); return `uri-${calls.length}`; } });
    expect(calls).toEqual([[0x00091011, '(0009,1011)'], [Tags.PixelData, 'IconImageSequence[0].PixelData']]);
    expect(json['00091010']).toEqual({ vr: 'OB', InlineBinary: Buffer.alloc(10).toString('base64') });
    expect(json['00091011']).toEqual({ vr: 'OB', BulkDataURI: 'uri-1' });
    expect(json['00880200']).toEqual({ vr: 'SQ', Value: [{ '7FE00010': { vr: 'OW', BulkDataURI: 'uri-2' } }] });
  });

  it('rejects bulkDataThreshold without bulkDataUri with CORE_INVALID_VALUE', () => {
    expect(isDicomError(thrown(() => datasetToJson(createDataset(), { bulkDataThreshold: 10 })), 'CORE_INVALID_VALUE')).toBe(true);
  });

  it('adds the file meta group with dicomFileToJson includeMeta, and leaves it out by default', () => {
    const file = read('JPEG2000.dcm');
    expect(Object.keys(dicomFileToJson(file)).some((k) => k.startsWith('0002'))).toBe(false);
    const json = dicomFileToJson(file, { includeMeta: true });
    expect(json['00020010']).toEqual({ vr: 'UI', Value: ['1.2.840.10008.1.2.4.91'] });
    const rebuilt = dicomFileFromJson(throughText(json));
    expect(rebuilt.transferSyntaxUID).toBe('1.2.840.10008.1.2.4.91');
    expect(isEncapsulated(rebuilt.dataset.elements.get(Tags.PixelData)!)).toBe(true);
    expect(isDicomError(thrown(() => dicomFileFromJson(throughText(dicomFileToJson(file)))), 'CORE_INVALID_VALUE')).toBe(true);
  });
});

describe('datasetFromJson checks the structure', () => {
  const cases: [string, unknown, string][] = [
    ['an array instead of an object', [], 'must be an object'],
    ['a key that is a keyword', { PatientName: { vr: 'PN' } }, '"PatientName"'],
    ['a key of 7 hex digits', { '0010001': { vr: 'PN' } }, '"0010001"'],
    ['an unknown VR', { '00100010': { vr: 'XX' } }, '00100010'],
    ['a missing vr', { '00100010': { Value: ['A'] } }, '00100010'],
    ['an unknown property', { '00100020': { vr: 'LO', value: ['A'] } }, '"value"'],
    ['Value that is not an array', { '00100020': { vr: 'LO', Value: 'A' } }, '00100020'],
    ['both Value and InlineBinary', { '00100020': { vr: 'LO', Value: ['A'], InlineBinary: 'QQ==' } }, '00100020'],
    ['a US out of range', { '00280010': { vr: 'US', Value: [70000] } }, '00280010'],
    ['a US given as a string', { '00280010': { vr: 'US', Value: ['64'] } }, '00280010'],
    ['an IS with a fraction', { '00200013': { vr: 'IS', Value: [1.5] } }, '00200013'],
    ['an AT that is not 8 hex digits', { '00209165': { vr: 'AT', Value: ['0010'] } }, '00209165'],
    ['an SV that is not an integer', { '00660040': { vr: 'SV', Value: ['1.5'] } }, '00660040'],
    ['a PN with an unknown group', { '00100010': { vr: 'PN', Value: [{ Alpha: 'A' }] } }, '00100010'],
    ['a text value that is a number', { '00100020': { vr: 'LO', Value: [12] } }, '00100020'],
    ['InlineBinary that is not base64', { '00091010': { vr: 'OB', InlineBinary: 'not base64!' } }, '00091010'],
    ['an OB with Value', { '00091010': { vr: 'OB', Value: [1, 2] } }, '00091010'],
    ['a BulkDataURI without resolveBulkData', { '00091010': { vr: 'OB', BulkDataURI: 'http://x/1' } }, '00091010'],
    ['a bad attribute inside a sequence item', { '00081115': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: [7] } }] } }, '00081115[0].00081150'],
    ['an item that is not an object', { '00081115': { vr: 'SQ', Value: ['x'] } }, '00081115[0]'],
  ];
  it.each(cases)('rejects %s with CORE_INVALID_VALUE naming the key', (_what, json, named) => {
    const error = thrown(() => datasetFromJson(json));
    expect(isDicomError(error, 'CORE_INVALID_VALUE')).toBe(true);
    expect((error as Error).message).toContain(named);
  });

  it('rejects Pixel Data that is not an item stream under an encapsulated transfer syntax', () => {
    const json = { '7FE00010': { vr: 'OB', InlineBinary: Buffer.alloc(8, 1).toString('base64') } };
    expect(isDicomError(thrown(() => datasetFromJson(json, { transferSyntaxUID: '1.2.840.10008.1.2.4.50' })), 'CORE_INVALID_VALUE')).toBe(true);
    expect(datasetFromJson(json, { transferSyntaxUID: '1.2.840.10008.1.2.1' }).elements.get(Tags.PixelData)?.value).toEqual(new Uint8Array(8).fill(1));
  });

  it('keeps values out of its messages (no PHI)', () => {
    const error = thrown(() => datasetFromJson({ '00280010': { vr: 'US', Value: ['Doe^John'] } }));
    expect((error as Error).message).not.toContain('Doe');
  });

  it('accepts what other producers write: strings for DS/IS/SV, PN as a string, Value [] for empty, lower-case keys', () => {
    const dataset = datasetFromJson({
      '00180050': { vr: 'DS', Value: ['5.000000', 0.1 + 0.2] },
      '00200013': { vr: 'IS', Value: ['7', null] },
      '00660041': { vr: 'UV', Value: ['18446744073709551615'] },
      '00100010': { vr: 'PN', Value: ['Doe^John=ド^ジ'] },
      '00081140': { vr: 'SQ', Value: [] },
      '7fe00010': { vr: 'OW', InlineBinary: 'AAEC\nAw==' },
    });
    const ds = dataset.elements.get(Tags.SliceThickness)!.value as string[];
    expect(ds[0]).toBe('5.000000');
    expect(ds[1]!.length).toBeLessThanOrEqual(16); // DS values are at most 16 bytes (PS3.5 Table 6.2-1)
    expect(Number(ds[1])).toBeCloseTo(0.3, 14);
    expect(dataset.elements.get(Tags.InstanceNumber)?.value).toEqual(['7', '']);
    expect(dataset.elements.get(0x00660041)?.value).toEqual([2n ** 64n - 1n]);
    expect(dataset.elements.get(Tags.PatientName)?.value).toEqual(['Doe^John=ド^ジ']);
    expect(dataset.elements.get(Tags.ReferencedImageSequence)?.value).toEqual([]);
    expect(dataset.elements.get(Tags.PixelData)?.value).toEqual(new Uint8Array([0, 1, 2, 3]));
  });

  it.each([[0.1 + 0.2], [1e20], [-123456789.123456789], [1 / 3], [5e-324], [300]])('writes the JSON number %p as a DS of at most 16 characters', (n) => {
    const text = (datasetFromJson({ '00180050': { vr: 'DS', Value: [n] } }).elements.get(0x00180050)!.value as string[])[0]!;
    expect(text.length).toBeLessThanOrEqual(16);
    expect(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)).toBe(true); // DS characters (PS3.5 Table 6.2-1)
    expect(Math.abs(Number(text) - n)).toBeLessThanOrEqual(Math.abs(n) * 1e-13);
  });

  it('reads numeric and text values given as little-endian bulk data', () => {
    const dataset = datasetFromJson({
      '00283006': { vr: 'US', BulkDataURI: 'lut' },
      '00204000': { vr: 'LT', InlineBinary: Buffer.from('a\\b ').toString('base64') },
    }, { resolveBulkData: () => new Uint8Array([1, 0, 0, 1]) });
    expect(dataset.elements.get(Tags.LUTData)?.value).toEqual([1, 256]);
    expect(dataset.elements.get(Tags.ImageComments)?.value).toEqual(['a\\b']);
  });
});
