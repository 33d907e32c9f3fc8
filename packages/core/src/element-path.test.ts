import { errorCodeOf } from '@dicom-tools/test-fixtures';
import { createDataset, getElementAt, setElementAt, formatElementPath, datasetsAlongPath, type DataElement, type Dataset } from './index.js';

const PATIENT_NAME = 0x00100010;
const REFERENCED_SERIES_SEQUENCE = 0x00081115;
const SERIES_INSTANCE_UID = 0x0020000e;
const REFERENCED_INSTANCE_SEQUENCE = 0x0008114a;
const REFERENCED_SOP_INSTANCE_UID = 0x00081155;

function uid(tag: number, value: string): DataElement {
  return { tag, vr: 'UI', value: [value] };
}

/** A data set with Referenced Series Sequence holding two items, the first with a nested sequence. */
function sample(): Dataset {
  const nested = createDataset([uid(REFERENCED_SOP_INSTANCE_UID, '1.2.3.4.1')]);
  const item0 = createDataset([uid(SERIES_INSTANCE_UID, '1.2.3.1'), { tag: REFERENCED_INSTANCE_SEQUENCE, vr: 'SQ', value: [nested] }]);
  const item1 = createDataset([uid(SERIES_INSTANCE_UID, '1.2.3.2')]);
  return createDataset([
    { tag: PATIENT_NAME, vr: 'PN', value: ['Doe^Jane'] },
    { tag: REFERENCED_SERIES_SEQUENCE, vr: 'SQ', value: [item0, item1] },
  ]);
}

describe('getElementAt', () => {
  it('finds a top-level element by keyword, (gggg,eeee), ggggeeee and number', () => {
    const ds = sample();
    for (const path of ['PatientName', '(0010,0010)', '00100010', PATIENT_NAME]) {
      expect(getElementAt(ds, path)?.value).toEqual(['Doe^Jane']);
    }
  });

  it('follows sequence paths into items, two levels deep', () => {
    const ds = sample();
    expect(getElementAt(ds, 'ReferencedSeriesSequence[1].SeriesInstanceUID')?.value).toEqual(['1.2.3.2']);
    expect(getElementAt(ds, 'ReferencedSeriesSequence[0].ReferencedInstanceSequence[0].ReferencedSOPInstanceUID')?.value).toEqual(['1.2.3.4.1']);
  });

  it('answers undefined for a missing element, a missing item, or a path through a non-sequence', () => {
    const ds = sample();
    expect(getElementAt(ds, 'PatientID')).toBeUndefined();
    expect(getElementAt(ds, 'ReferencedSeriesSequence[2].SeriesInstanceUID')).toBeUndefined();
    expect(getElementAt(ds, 'PatientName[0].SeriesInstanceUID')).toBeUndefined();
  });

  it('rejects an unknown keyword and a path that names an item with CORE_INVALID_TAG', () => {
    const ds = sample();
    expect(errorCodeOf(() => getElementAt(ds, 'PatientNme'))).toBe('CORE_INVALID_TAG');
    expect(errorCodeOf(() => getElementAt(ds, 'ReferencedSeriesSequence[0]'))).toBe('CORE_INVALID_TAG');
  });
});

describe('setElementAt', () => {
  it('replaces an element inside an item, mutating that item in place and leaving the others alone', () => {
    const ds = sample();
    const items = (ds.elements.get(REFERENCED_SERIES_SEQUENCE)!.value as Dataset[]);
    setElementAt(ds, 'ReferencedSeriesSequence[1].SeriesInstanceUID', uid(SERIES_INSTANCE_UID, '9.9'));
    expect(items[1]!.elements.get(SERIES_INSTANCE_UID)?.value).toEqual(['9.9']);
    expect(items[0]!.elements.get(SERIES_INSTANCE_UID)?.value).toEqual(['1.2.3.1']);
  });

  it('deletes an element inside an item, and does nothing when it is absent', () => {
    const ds = sample();
    setElementAt(ds, 'ReferencedSeriesSequence[0].SeriesInstanceUID', undefined);
    expect(getElementAt(ds, 'ReferencedSeriesSequence[0].SeriesInstanceUID')).toBeUndefined();
    setElementAt(ds, 'ReferencedSeriesSequence[5].SeriesInstanceUID', undefined);
    setElementAt(ds, 'OtherPatientIDsSequence[0].PatientID', undefined);
    expect(ds.elements.has(0x00101002)).toBe(false);
  });

  it('creates the sequence and its first item when the path asks for item 0 of an absent sequence', () => {
    const ds = createDataset();
    setElementAt(ds, 'ReferencedSeriesSequence[0].SeriesInstanceUID', uid(SERIES_INSTANCE_UID, '1.2'));
    const sq = ds.elements.get(REFERENCED_SERIES_SEQUENCE);
    expect(sq?.vr).toBe('SQ');
    expect((sq!.value as Dataset[]).length).toBe(1);
    expect(getElementAt(ds, 'ReferencedSeriesSequence[0].SeriesInstanceUID')?.value).toEqual(['1.2']);
  });

  it('appends an item when the index equals the number of items, replacing the sequence element', () => {
    const ds = sample();
    const before = ds.elements.get(REFERENCED_SERIES_SEQUENCE)!;
    setElementAt(ds, 'ReferencedSeriesSequence[2].SeriesInstanceUID', uid(SERIES_INSTANCE_UID, '1.2.3.3'));
    const after = ds.elements.get(REFERENCED_SERIES_SEQUENCE)!;
    expect((after.value as Dataset[]).length).toBe(3);
    expect((before.value as Dataset[]).length).toBe(2); // the old element is not mutated
    expect((after.value as Dataset[])[0]).toBe((before.value as Dataset[])[0]);
  });

  it('rejects an index past the end, changing nothing, even after creating levels would have been needed', () => {
    const ds = createDataset();
    expect(errorCodeOf(() => setElementAt(ds, 'ReferencedSeriesSequence[1].SeriesInstanceUID', uid(SERIES_INSTANCE_UID, '1')))).toBe('CORE_INVALID_TAG');
    expect(errorCodeOf(() => setElementAt(ds, 'ReferencedSeriesSequence[0].ReferencedInstanceSequence[3].ReferencedSOPInstanceUID', uid(REFERENCED_SOP_INSTANCE_UID, '1')))).toBe('CORE_INVALID_TAG');
    expect(ds.elements.size).toBe(0);
  });

  it('rejects a path through an element that is not a sequence, present or per the dictionary', () => {
    const ds = sample();
    expect(errorCodeOf(() => setElementAt(ds, 'PatientName[0].SeriesInstanceUID', uid(SERIES_INSTANCE_UID, '1')))).toBe('CORE_INVALID_TAG');
    expect(errorCodeOf(() => setElementAt(ds, 'PatientID[0].SeriesInstanceUID', uid(SERIES_INSTANCE_UID, '1')))).toBe('CORE_INVALID_TAG');
    expect(ds.elements.has(0x00100020)).toBe(false);
  });

  it('rejects an element whose tag is not the path\'s last tag', () => {
    const ds = sample();
    expect(errorCodeOf(() => setElementAt(ds, 'PatientID', uid(SERIES_INSTANCE_UID, '1')))).toBe('CORE_INVALID_TAG');
  });
});

describe('datasetsAlongPath and formatElementPath', () => {
  it('lists the data sets a path goes through', () => {
    const ds = sample();
    const chain = datasetsAlongPath(ds, 'ReferencedSeriesSequence[0].ReferencedInstanceSequence[0].ReferencedSOPInstanceUID');
    expect(chain?.length).toBe(3);
    expect(chain?.[0]).toBe(ds);
    expect(chain?.[2]?.elements.has(REFERENCED_SOP_INSTANCE_UID)).toBe(true);
    expect(datasetsAlongPath(ds, 'ReferencedSeriesSequence[9].SeriesInstanceUID')).toBeUndefined();
  });

  it('writes paths with keywords', () => {
    expect(formatElementPath('(0008,1115)[0].0020000E')).toBe('ReferencedSeriesSequence[0].SeriesInstanceUID');
    expect(formatElementPath(PATIENT_NAME)).toBe('PatientName');
  });
});
