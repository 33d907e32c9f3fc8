import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CORPUS_REJECTS, corpusFile, corpusFiles } from '@dicom-tools/test-fixtures';
import {
  Tags, createDataset, isDicomError, readDicomFile, validate, validateFile, writeDicom,
} from './index.js';
import type { DataElement, Dataset, DicomFile, Finding } from './index.js';

// ---------------------------------------------------------------------------------------------------------------
// The peer: dciodvfy from dicom3tools. It prints its findings on stderr, one per line ("Error - ...", "Warning - ...").

interface PeerVerdict {
  readonly lines: readonly string[];
}

function dciodvfy(path: string): PeerVerdict | undefined {
  const run = spawnSync('dciodvfy', [path], { encoding: 'latin1', maxBuffer: 64 * 1024 * 1024 });
  if (run.error !== undefined) throw new Error(`dciodvfy (dicom3tools) must be installed for this test: ${run.error.message}`);
  // dciodvfy exits 1 when it finds errors; it aborts (an assertion, SIGABRT) on some odd files such as badVR.dcm,
  // and that is no verdict.
  if (run.signal !== null || (run.status !== 0 && run.status !== 1)) return undefined;
  return { lines: `${run.stderr}\n${run.stdout}`.split('\n').filter((l) => /^(Error|Warning) - /.test(l)) };
}

/** The modules issue 2 asks for, as dciodvfy names them. */
const CORE_MODULES = new Set(['Patient', 'GeneralStudy', 'GeneralSeries', 'GeneralEquipment', 'GeneralImage', 'ImagePixel', 'SOPCommon']);

/** dciodvfy's "Missing attribute Type 1/2 Required Element=<X> Module=<Y>" errors for the core modules: `1 X`, `2 X`. */
function peerMissing(verdict: PeerVerdict): Set<string> {
  const out = new Set<string>();
  for (const line of verdict.lines) {
    const m = /^Error - (?:Missing attribute|Empty attribute \(no value\)) Type ([12]) Required Element=<(\w+)> Module=<(\w+)>/.exec(line);
    if (m && CORE_MODULES.has(m[3]!)) out.add(`${m[1]} ${m[2]}`);
  }
  return out;
}

/** Our Type 1/2 findings for the core modules, in the same form (the module is named in the message). */
function ourMissing(findings: readonly Finding[]): Set<string> {
  const out = new Set<string>();
  for (const f of findings) {
    const m = /^type([12])-(?:missing|empty)$/.exec(f.rule);
    const module = /of the (.+?) module/.exec(f.message)?.[1]?.replace(/ /g, '');
    if (m && module !== undefined && CORE_MODULES.has(module)) out.add(`${m[1]} ${f.keyword ?? ''}`);
  }
  return out;
}

/** Tags dciodvfy finds an invalid value in ("Value invalid for this VR", "Illegal root for UID"). */
function peerBadValueTags(verdict: PeerVerdict): Set<number> {
  const out = new Set<number>();
  for (const line of verdict.lines) {
    const m = /^Error - (?:Value invalid for this VR|Illegal root for UID).*?\(0x([0-9a-f]{4}),0x([0-9a-f]{4})\)/i.exec(line);
    if (m) out.add(parseInt(m[1]! + m[2]!, 16) >>> 0);
  }
  return out;
}

const readable = corpusFiles().filter((name) => !(name in CORPUS_REJECTS));

describe('validate against dciodvfy on the corpus', () => {
  it.each(readable)('%s: every Type 1/2 attribute dciodvfy finds missing in the core modules is found by us, and no other', async (name) => {
    const verdict = dciodvfy(corpusFile(name));
    const report = validate(await readDicomFile(corpusFile(name)));
    if (verdict === undefined) {
      // No verdict from the peer: we must still give a report rather than throw.
      expect(typeof report.valid).toBe('boolean');
      return;
    }
    expect([...ourMissing(report.findings)].sort()).toEqual([...peerMissing(verdict)].sort());
  });

  it.each(readable)('%s: every value dciodvfy calls invalid for its VR is a vr-format/vr-length finding of ours', async (name) => {
    const verdict = dciodvfy(corpusFile(name));
    const report = validate(await readDicomFile(corpusFile(name)));
    const ours = new Set(report.findings.filter((f) => /^vr-(format|length)-/.test(f.rule)).map((f) => f.tag));
    for (const tag of verdict === undefined ? [] : peerBadValueTags(verdict)) expect(ours).toContain(tag);
  });

  it('finds the Type 2 attributes dciodvfy reports missing in ExplVR_BigEnd.dcm, with rule, tag, keyword and path', async () => {
    const verdict = dciodvfy(corpusFile('ExplVR_BigEnd.dcm'));
    expect(verdict).toBeDefined();
    expect(peerMissing(verdict!).has('2 PatientID')).toBe(true);
    const report = validate(await readDicomFile(corpusFile('ExplVR_BigEnd.dcm')));
    expect(report.valid).toBe(false);
    expect(report.findings).toContainEqual(expect.objectContaining({ severity: 'error', rule: 'type2-missing', tag: 0x00100020, keyword: 'PatientID', path: 'PatientID' }));
    // "1997.04.24" is the ACR-NEMA date form, which dciodvfy also rejects.
    expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'vr-format-DA', path: 'StudyDate' }));
  });

  it.each(['CT_small.dcm', 'MR_small.dcm'])('reports %s, in which dciodvfy finds no error, as valid', async (name) => {
    const verdict = dciodvfy(corpusFile(name));
    expect(verdict?.lines.filter((l) => l.startsWith('Error')) ?? ['no verdict']).toEqual([]);
    const report = await validateFile(corpusFile(name));
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(report.valid).toBe(true);
  });

  it('reports the zero UIDs of reportsi.dcm that dciodvfy rejects, with their paths into the content tree', async () => {
    const report = validate(await readDicomFile(corpusFile('reportsi.dcm')));
    const paths = report.findings.filter((f) => f.rule === 'vr-format-UI').map((f) => f.path);
    expect(paths).toContain('ContentSequence[4].ContentSequence[1].ReferencedSOPSequence[0].ReferencedSOPClassUID');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Hand-made changes to a clean file (CT_small.dcm, clean per dciodvfy above).

let scratch: string;
let ct: DicomFile;
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'validate-test-'));
  ct = await readDicomFile(corpusFile('CT_small.dcm'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of `file` with elements set (an element) or removed (a bare tag) in the data set. */
function edit(file: DicomFile, ...changes: (DataElement | number)[]): DicomFile {
  const elements = new Map(file.dataset.elements);
  for (const change of changes) {
    if (typeof change === 'number') elements.delete(change);
    else elements.set(change.tag, change);
  }
  return { ...file, dataset: { elements } };
}

function us(tag: number, value: number): DataElement {
  return { tag, vr: 'US', value: [value] };
}

function rules(file: DicomFile): string[] {
  return validate(file).findings.map((f) => f.rule);
}

describe('validate on hand-built data sets', () => {
  it('reports a missing Patient ID as type2-missing at PatientID', () => {
    const report = validate(edit(ct, Tags.PatientID));
    expect(report.valid).toBe(false);
    expect(report.findings).toContainEqual({
      severity: 'error', rule: 'type2-missing', tag: Tags.PatientID, keyword: 'PatientID', path: 'PatientID',
      message: expect.stringContaining('Patient module'),
    });
  });

  it('accepts an empty Type 2 attribute but not an empty Type 1 one', () => {
    const report = validate(edit(ct, { tag: Tags.PatientID, vr: 'LO', value: [] }, { tag: Tags.StudyInstanceUID, vr: 'UI', value: [''] }));
    expect(report.findings.filter((f) => f.tag === Tags.PatientID)).toEqual([]);
    expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'type1-empty', path: 'StudyInstanceUID' }));
  });

  it('reports a UID with a leading-zero component as vr-format-UI, also inside a sequence item', () => {
    const item = createDataset([{ tag: Tags.SeriesInstanceUID, vr: 'UI', value: ['1.2.03.4'] }]);
    const file = edit(ct, { tag: Tags.StudyInstanceUID, vr: 'UI', value: ['1.2.840.01'] }, { tag: Tags.ReferencedSeriesSequence, vr: 'SQ', value: [createDataset(), item] });
    const found = validate(file).findings.filter((f) => f.rule === 'vr-format-UI').map((f) => f.path);
    expect(found).toEqual(expect.arrayContaining(['StudyInstanceUID', 'ReferencedSeriesSequence[1].SeriesInstanceUID']));
  });

  it('reports a value count outside the dictionary VM as vm', () => {
    const file = edit(ct, { tag: Tags.ImageOrientationPatient, vr: 'DS', value: ['1', '0', '0', '0', '1'] });
    expect(validate(file).findings).toContainEqual(expect.objectContaining({ rule: 'vm', path: 'ImageOrientationPatient', tag: Tags.ImageOrientationPatient }));
  });

  it('reports Rows x Columns that do not match the Pixel Data length as pixel-length, as dciodvfy does', () => {
    const pixels = ct.dataset.elements.get(Tags.PixelData)!.value as Uint8Array;
    const columns = (ct.dataset.elements.get(Tags.Columns)!.value as number[])[0]!;
    const broken = edit(ct, us(Tags.Rows, pixels.length / 2 / columns - 28));
    const report = validate(broken);
    expect(report.findings).toContainEqual(expect.objectContaining({ severity: 'error', rule: 'pixel-length', path: 'PixelData' }));
    const path = join(scratch, 'rows.dcm');
    writeFileSync(path, writeDicom(broken));
    expect(dciodvfy(path)?.lines.some((l) => /^Error - PixelData has incorrect value length/.test(l))).toBe(true);
  });

  it('accepts one pad byte after odd-length native Pixel Data, and 1-bit packing', () => {
    const odd = edit(ct, us(Tags.Rows, 3), us(Tags.Columns, 3), us(Tags.BitsAllocated, 8), us(Tags.BitsStored, 8), us(Tags.HighBit, 7),
      { tag: Tags.PixelData, vr: 'OB', value: new Uint8Array(10) });
    expect(rules(odd)).not.toContain('pixel-length');
    const packed = edit(ct, us(Tags.Rows, 3), us(Tags.Columns, 5), us(Tags.BitsAllocated, 1), us(Tags.BitsStored, 1), us(Tags.HighBit, 0),
      { tag: Tags.PixelData, vr: 'OB', value: new Uint8Array(2) });
    expect(rules(packed)).not.toContain('pixel-length');
    expect(rules(edit(packed, { tag: Tags.PixelData, vr: 'OB', value: new Uint8Array(16) }))).toContain('pixel-length');
  });

  it('treats High Bit below Bits Stored - 1 as an error and above it as a warning, as dciodvfy does', () => {
    const low = edit(ct, us(Tags.HighBit, 12));
    const high = edit(ct, us(Tags.BitsStored, 12));
    expect(validate(low).findings).toContainEqual(expect.objectContaining({ severity: 'error', rule: 'pixel-high-bit' }));
    expect(validate(high).findings).toContainEqual(expect.objectContaining({ severity: 'warning', rule: 'pixel-high-bit' }));
    writeFileSync(join(scratch, 'low.dcm'), writeDicom(low));
    writeFileSync(join(scratch, 'high.dcm'), writeDicom(high));
    expect(dciodvfy(join(scratch, 'low.dcm'))?.lines.some((l) => /^Error - Bad attribute value - Bits Stored/.test(l))).toBe(true);
    expect(dciodvfy(join(scratch, 'high.dcm'))?.lines.some((l) => /^Warning - Bad attribute value - High Bit/.test(l))).toBe(true);
  });

  it('reports Bits Stored above Bits Allocated and a photometric interpretation that needs other samples per pixel', () => {
    expect(rules(edit(ct, us(Tags.BitsStored, 17), us(Tags.HighBit, 16)))).toEqual(expect.arrayContaining(['pixel-bits-stored', 'pixel-high-bit']));
    expect(rules(edit(ct, { tag: Tags.PhotometricInterpretation, vr: 'CS', value: ['RGB'] }))).toContain('pixel-photometric');
  });

  it('reports a Media Storage SOP Instance UID that differs from the SOP Instance UID', () => {
    const meta = new Map(ct.meta.elements);
    meta.set(Tags.MediaStorageSOPInstanceUID, { tag: Tags.MediaStorageSOPInstanceUID, vr: 'UI', value: ['1.2.3.4'] });
    const report = validate({ ...ct, meta: { elements: meta } });
    expect(report.valid).toBe(false);
    expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'meta-sop-instance-mismatch', path: 'MediaStorageSOPInstanceUID', tag: Tags.MediaStorageSOPInstanceUID }));
  });

  it('reports an unknown transfer syntax as a finding rather than throwing', () => {
    const meta = new Map(ct.meta.elements);
    meta.set(Tags.TransferSyntaxUID, { tag: Tags.TransferSyntaxUID, vr: 'UI', value: ['1.2.3.999'] });
    const report = validate({ ...ct, meta: { elements: meta }, transferSyntaxUID: '1.2.3.999' });
    expect(report.findings).toContainEqual(expect.objectContaining({ severity: 'error', rule: 'transfer-syntax-unknown', path: 'TransferSyntaxUID' }));
  });

  it('reports missing file meta elements and a bare data set', () => {
    const meta = new Map(ct.meta.elements);
    meta.delete(Tags.FileMetaInformationGroupLength);
    meta.delete(Tags.ImplementationClassUID);
    expect(rules({ ...ct, meta: { elements: meta } })).toEqual(expect.arrayContaining(['meta-group-length', 'meta-required']));
    const bare = validate({ ...ct, meta: createDataset(), hadPreamble: false });
    expect(bare.findings).toContainEqual(expect.objectContaining({ severity: 'warning', rule: 'meta-absent', path: '' }));
  });

  it('reports a missing SOP Class UID as iod-unknown, and a missing Pixel Data as type1c-missing unless header-only', () => {
    expect(rules(edit(ct, Tags.SOPClassUID))).toContain('iod-unknown');
    const noPixels = edit(ct, Tags.PixelData);
    expect(rules(noPixels)).toContain('type1c-missing');
    expect(validate(noPixels, { headerOnly: true }).valid).toBe(true);
  });

  it('leaves out ignored rules, by id or by prefix', () => {
    const file = edit(ct, Tags.PatientID, { tag: Tags.StudyDate, vr: 'DA', value: ['2001-01-01'] });
    expect(rules(file)).toEqual(expect.arrayContaining(['type2-missing', 'vr-format-DA']));
    const report = validate(file, { ignoreRules: ['type2-missing', 'vr-format'] });
    expect(report.findings.map((f) => f.rule)).toEqual([]);
    expect(report.valid).toBe(true);
  });

  it('never names a patient in its messages', () => {
    const name = 'Zyxwvutsrq^Secret';
    const file = edit(ct, { tag: Tags.PatientName, vr: 'PN', value: [`${name}\n`] }, { tag: Tags.PatientID, vr: 'LO', value: ['a\\b', 'c'] });
    const report = validate(file);
    expect(report.findings.length).toBeGreaterThan(0);
    for (const f of report.findings) expect(f.message).not.toMatch(/Zyxwvutsrq|Secret/);
  });
});

describe('validate on odd input', () => {
  it('gives findings, not exceptions, for values of the wrong shape and cyclic sequences', () => {
    const cyclic: { elements: Map<number, DataElement> } = { elements: new Map() };
    cyclic.elements.set(Tags.ReferencedSeriesSequence, { tag: Tags.ReferencedSeriesSequence, vr: 'SQ', value: [cyclic] });
    const odd = [
      { tag: Tags.StudyDate, vr: 'DA', value: 5 },
      { tag: Tags.Rows, vr: 'US', value: ['x'] },
      { tag: Tags.PixelData, vr: 'OW', value: null },
      { tag: Tags.ReferencedImageSequence, vr: 'SQ', value: [null, {}, 7] },
      { tag: Tags.Modality, vr: 'ZZ', value: [] },
      { tag: Tags.BitsAllocated, vr: 'US', value: [Number.NaN] },
    ] as unknown as DataElement[];
    const report = validate(edit(edit(ct, ...odd), ...cyclic.elements.values()));
    expect(report.valid).toBe(false);
    expect(report.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['value-type', 'sequence-depth']));
  });

  it('never throws on an empty or broken DicomFile', () => {
    const empty: DicomFile = { meta: createDataset(), dataset: createDataset(), transferSyntaxUID: '', hadPreamble: false };
    expect(validate(empty).valid).toBe(false);
    expect(() => validate({} as DicomFile)).not.toThrow();
    expect(() => validate(null as unknown as DicomFile)).not.toThrow();
    expect(() => validate({ meta: 1, dataset: 'x', transferSyntaxUID: 3 } as unknown as DicomFile)).not.toThrow();
  });

  it('never throws on random elements of random VRs and values (fast-check)', () => {
    const vrs = ['AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'IS', 'LO', 'LT', 'OB', 'OW', 'PN', 'SH', 'SQ', 'SS', 'TM', 'UI', 'UL', 'UN', 'US', 'UT', 'XX'];
    const tags = [Tags.PatientName, Tags.SOPClassUID, Tags.SOPInstanceUID, Tags.Rows, Tags.Columns, Tags.BitsAllocated, Tags.BitsStored,
      Tags.HighBit, Tags.SamplesPerPixel, Tags.PhotometricInterpretation, Tags.NumberOfFrames, Tags.PixelData, Tags.ImageOrientationPatient,
      Tags.TransferSyntaxUID, Tags.MediaStorageSOPClassUID, 0x00091010, 0x00020000];
    const element = fc.record({
      tag: fc.oneof(fc.constantFrom(...tags), fc.integer({ min: 0, max: 0xffffffff })),
      vr: fc.constantFrom(...vrs),
      value: fc.oneof(fc.anything(), fc.array(fc.string()), fc.array(fc.integer()), fc.uint8Array({ maxLength: 64 })),
    });
    const dataset = fc.array(element, { maxLength: 12 }).map((list) => ({ elements: new Map(list.map((e) => [e.tag, e])) }) as unknown as Dataset);
    fc.assert(fc.property(dataset, dataset, fc.string(), (meta, body, syntax) => {
      const report = validate({ meta, dataset: body, transferSyntaxUID: syntax, hadPreamble: true });
      return typeof report.valid === 'boolean' && report.findings.every((f) => typeof f.rule === 'string' && typeof f.path === 'string');
    }), { numRuns: 500, seed: 20240502 });
  });

  it('lets read errors of validateFile throw, for the CLI to map', async () => {
    const error = await validateFile(join(scratch, 'missing.dcm')).then(() => undefined, (e: unknown) => e);
    expect(isDicomError(error, 'CORE_IO')).toBe(true);
  });
});
