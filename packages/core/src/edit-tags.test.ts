import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDataset, editsFromJson, editTags, getPersonName, getSequence, getString, getStrings, isDicomError, setValue, Tags, TransferSyntax,
  writeDicom, type DataElement, type Dataset,
} from './index.js';

function failure(run: () => unknown): { code: string; message: string } | undefined {
  try {
    run();
  } catch (error) {
    return isDicomError(error) ? { code: error.code, message: error.message } : { code: 'not a DicomError', message: String(error) };
  }
  return undefined;
}

/** A deep, comparable picture of a data set: every element, items included, as plain data. */
function snapshot(ds: Dataset): unknown {
  return [...ds.elements.entries()]
    .sort(([a], [b]) => a - b)
    .map(([tag, e]) => [tag, e.vr, e.vr === 'SQ' ? (e.value as Dataset[]).map(snapshot) : e.value]);
}

function sample(): Dataset {
  const ds = createDataset([
    { tag: Tags.PatientName, vr: 'PN', value: ['Doe^Jane'] },
    { tag: Tags.PatientID, vr: 'LO', value: ['OLD'] },
    { tag: Tags.OtherPatientIDs, vr: 'LO', value: ['A', 'B'] },
    { tag: Tags.Rows, vr: 'US', value: [256] },
  ] as DataElement[]);
  setValue(ds, 'ReferencedSeriesSequence[0].SeriesInstanceUID', '1.2.3.1');
  return ds;
}

describe('editsFromJson', () => {
  it('turns the object form into set edits, with null meaning delete', () => {
    expect(editsFromJson({ PatientName: 'New^Name', '(0010,0020)': 'ID', OtherPatientIDs: null })).toEqual([
      { path: 'PatientName', op: 'set', value: 'New^Name' },
      { path: '(0010,0020)', op: 'set', value: 'ID' },
      { path: 'OtherPatientIDs', op: 'delete' },
    ]);
  });

  it('checks the array form, defaulting op to set', () => {
    expect(editsFromJson([{ path: 'PatientID', value: 'X' }, { path: 'PatientName', op: 'delete' }])).toEqual([
      { path: 'PatientID', op: 'set', value: 'X' },
      { path: 'PatientName', op: 'delete' },
    ]);
  });

  it.each([
    ['a string', 'PatientName=x'],
    ['null', null],
    ['an edit without path', [{ value: 'x' }]],
    ['an unknown op', [{ path: 'PatientID', op: 'replace', value: 'x' }]],
    ['a set without value', [{ path: 'PatientID', op: 'set' }]],
    ['an unknown property', [{ path: 'PatientID', value: 'x', tag: 'y' }]],
    ['a bad VR', [{ path: 'PatientID', value: 'x', vr: 'XX' }]],
  ])('rejects %s with CORE_INVALID_VALUE', (_what, input) => {
    expect(failure(() => editsFromJson(input))?.code).toBe('CORE_INVALID_VALUE');
  });
});

describe('editTags', () => {
  it('applies the JSON object form and reports each change with values before and after', () => {
    const ds = sample();
    const { changes } = editTags(ds, { PatientName: 'New^Name', '(0010,0020)': 'ID', OtherPatientIDs: null });
    expect(changes).toEqual([
      { path: 'PatientName', op: 'set', before: ['Doe^Jane'], after: ['New^Name'] },
      { path: 'PatientID', op: 'set', before: ['OLD'], after: ['ID'] },
      { path: 'OtherPatientIDs', op: 'delete', before: ['A', 'B'] },
    ]);
    expect(getString(ds, 'PatientName')).toBe('New^Name');
    expect(getString(ds, 'PatientID')).toBe('ID');
    expect(ds.elements.has(Tags.OtherPatientIDs)).toBe(false);
  });

  it('adds an absent element, and refuses to add a present one with CORE_ELEMENT_EXISTS', () => {
    const ds = sample();
    const { changes } = editTags(ds, [{ path: 'PatientSex', op: 'add', value: 'F' }]);
    expect(changes).toEqual([{ path: 'PatientSex', op: 'add', before: undefined, after: ['F'] }]);
    const result = failure(() => editTags(ds, [{ path: 'PatientID', op: 'add', value: 'X' }]));
    expect(result?.code).toBe('CORE_ELEMENT_EXISTS');
    expect(getString(ds, 'PatientID')).toBe('OLD');
  });

  it('edits inside sequence items by path, creating the next item when asked', () => {
    const ds = sample();
    editTags(ds, [
      { path: 'ReferencedSeriesSequence[0].SeriesInstanceUID', op: 'set', value: '1.2.3.9' },
      { path: 'ReferencedSeriesSequence[1].SeriesInstanceUID', op: 'set', value: '1.2.3.10' },
    ]);
    expect(getString(ds, 'ReferencedSeriesSequence[0].SeriesInstanceUID')).toBe('1.2.3.9');
    expect(getString(ds, 'ReferencedSeriesSequence[1].SeriesInstanceUID')).toBe('1.2.3.10');
  });

  it('builds a sequence from an array of edit objects', () => {
    const ds = createDataset();
    const { changes } = editTags(ds, { ReferencedSeriesSequence: [{ SeriesInstanceUID: '1.2.1' }, { SeriesInstanceUID: '1.2.2' }] });
    expect(getSequence(ds, 'ReferencedSeriesSequence')?.length).toBe(2);
    expect(getString(ds, 'ReferencedSeriesSequence[1].SeriesInstanceUID')).toBe('1.2.2');
    expect(changes.map((c) => c.path)).toEqual([
      'ReferencedSeriesSequence', 'ReferencedSeriesSequence[0].SeriesInstanceUID', 'ReferencedSeriesSequence[1].SeriesInstanceUID',
    ]);
    expect(changes[0]?.after).toEqual(['<sequence: 2 items>']);
  });

  it('takes person names as objects and numbers for DS, IS and US', () => {
    const ds = sample();
    const { changes } = editTags(ds, { PatientName: { familyName: 'Adams', givenName: 'John' }, SliceThickness: 0.1 + 0.2, Rows: '512', SeriesNumber: 3 });
    expect(getPersonName(ds, 'PatientName')?.alphabetic.familyName).toBe('Adams');
    expect(changes.map((c) => c.after)).toEqual([['Adams^John'], ['0.3'], ['512'], ['3']]);
  });

  it('shows tags, bytes and absent elements in a readable form', () => {
    const ds = createDataset();
    const { changes } = editTags(ds, [
      { path: 'FrameIncrementPointer', op: 'set', value: 'FrameTime' },
      { path: 'RedPaletteColorLookupTableData', op: 'set', value: [1, 2, 3] },
      { path: 'PatientComments', op: 'delete' },
    ]);
    expect(changes).toEqual([
      { path: 'FrameIncrementPointer', op: 'set', before: undefined, after: ['(0018,1063)'] },
      { path: 'RedPaletteColorLookupTableData', op: 'set', before: undefined, after: ['<OW: 6 bytes>'] },
      { path: 'PatientComments', op: 'delete' },
    ]);
  });

  it('returns the same changes in a dry run and leaves the data set, items included, untouched', () => {
    const edits = { PatientName: 'New^Name', OtherPatientIDs: null, 'ReferencedSeriesSequence[0].SeriesInstanceUID': '1.9.9', 'ReferencedSeriesSequence[1].SeriesInstanceUID': '1.9.8' };
    const ds = sample();
    const before = snapshot(ds);
    const item0 = getSequence(ds, 'ReferencedSeriesSequence')![0]!;
    const dry = editTags(ds, edits, { dryRun: true });
    expect(snapshot(ds)).toEqual(before);
    expect(item0.elements.get(Tags.SeriesInstanceUID)?.value).toEqual(['1.2.3.1']);
    const real = editTags(ds, edits);
    expect(real.changes).toEqual(dry.changes);
    expect(snapshot(ds)).not.toEqual(before);
  });

  it('does not change data sets the caller passed as items during a dry run', () => {
    const item = createDataset();
    const ds = createDataset();
    editTags(ds, [
      { path: 'ReferencedSeriesSequence', op: 'set', value: [item] },
      { path: 'ReferencedSeriesSequence[0].SeriesInstanceUID', op: 'set', value: '1.2' },
    ], { dryRun: true });
    expect(item.elements.size).toBe(0);
    expect(ds.elements.size).toBe(0);
  });

  it('changes nothing when any edit fails, and names the failing edit', () => {
    const ds = sample();
    const before = snapshot(ds);
    const bad = failure(() => editTags(ds, [
      { path: 'PatientName', op: 'set', value: 'New^Name' },
      { path: 'ReferencedSeriesSequence[0].SeriesInstanceUID', op: 'set', value: '1.2.3' },
      { path: 'StudyDate', op: 'set', value: '20230230' },
    ]));
    expect(bad?.code).toBe('CORE_INVALID_VALUE');
    expect(bad?.message).toMatch(/^edit 3 \(StudyDate\): /);
    expect(snapshot(ds)).toEqual(before);
  });

  it('rejects an unknown keyword with CORE_INVALID_TAG before changing anything', () => {
    const ds = sample();
    const before = snapshot(ds);
    const bad = failure(() => editTags(ds, { PatientID: 'NEW', PatientNme: 'x' }));
    expect(bad?.code).toBe('CORE_INVALID_TAG');
    expect(bad?.message).toMatch(/^edit 2: /);
    expect(snapshot(ds)).toEqual(before);
  });

  it('rejects a wrong VM and a value too long for its VR with CORE_INVALID_VALUE', () => {
    const ds = sample();
    expect(failure(() => editTags(ds, { ImagePositionPatient: [1, 2] }))?.code).toBe('CORE_INVALID_VALUE');
    expect(failure(() => editTags(ds, { SOPInstanceUID: `1.${'2'.repeat(63)}` }))?.code).toBe('CORE_INVALID_VALUE');
    editTags(ds, { ImagePositionPatient: [1, 2] }, { allowVmMismatch: true });
    expect(getStrings(ds, 'ImagePositionPatient')).toEqual(['1', '2']);
  });

  it('applies edits in order, so a new character set covers later text', () => {
    const ds = sample();
    expect(failure(() => editTags(ds, { PatientName: 'Müller', SpecificCharacterSet: 'ISO_IR 192' }))?.code).toBe('CORE_CHARSET_UNENCODABLE');
    editTags(ds, { SpecificCharacterSet: 'ISO_IR 192', PatientName: 'Müller^Jürgen' });
    expect(getString(ds, 'PatientName')).toBe('Müller^Jürgen');
  });
});

describe('edited files, as DCMTK reads them', () => {
  it('dcmdump shows the edited values, the nested one included, and not the deleted element', () => {
    const probe = spawnSync('dcmdump', ['--version'], { encoding: 'utf8' });
    expect(probe.error).toBeUndefined(); // dcmdump (dcmtk) must be installed: .ci/run installs it

    const ds = createDataset();
    editTags(ds, {
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.7',
      SOPInstanceUID: '1.2.3.4',
      PatientName: 'Doe^Jane',
      OtherPatientIDs: 'X\\Y',
    });
    editTags(ds, {
      PatientName: { alphabetic: { familyName: 'Adams', givenName: 'John Robert Quincy', prefix: 'Rev.', suffix: 'B.A. M.Div.' } },
      'ReferencedSeriesSequence[0].SeriesInstanceUID': '1.2.840.10008.1.2',
      SliceThickness: 1 / 3,
      OtherPatientIDs: null,
    });
    const dir = mkdtempSync(join(tmpdir(), 'edit-tags-'));
    try {
      const path = join(dir, 'edited.dcm');
      writeFileSync(path, writeDicom({ meta: createDataset(), dataset: ds, transferSyntaxUID: TransferSyntax.ExplicitVRLittleEndian, hadPreamble: true }));
      const dump = execFileSync('dcmdump', ['+L', '-Un', path], { encoding: 'utf8' });
      expect(dump).toMatch(/\(0010,0010\) PN \[Adams\^John Robert Quincy\^\^Rev\.\^B\.A\. M\.Div\.\]/);
      expect(dump).toMatch(/\(0018,0050\) DS \[0\.33333333333333\]/);
      expect(dump).toMatch(/\(0008,1115\) SQ[\s\S]*\(0020,000e\) UI \[1\.2\.840\.10008\.1\.2\]/);
      expect(dump).not.toMatch(/\(0010,1000\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
