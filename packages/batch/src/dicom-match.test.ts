import { createDataset, lookupTag, parseTag, type DataElement } from '@dicom-tools/core';
import { matchesKeys, parseMatchKey } from './index.js';

function dataset(values: Record<string, string | readonly string[] | readonly number[]>): ReturnType<typeof createDataset> {
  return createDataset(Object.entries(values).map(([k, v]) => {
    const tag = parseTag(k);
    return { tag, vr: lookupTag(tag)!.vr, value: Array.isArray(v) ? v : [v] } as DataElement;
  }));
}

const ds = dataset({
  PatientName: 'Doe^John', PatientID: 'PAT0011', Modality: 'MR', StudyDate: '20240315', StudyTime: '093012.5',
  StudyInstanceUID: '1.2.3.4', ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'], SeriesNumber: '7', SliceThickness: '5.0', Rows: [64],
});
const matches = (...keys: string[]): boolean => matchesKeys(ds, keys.map(parseMatchKey));

describe('matchesKeys (PS3.4 C.2.2.2)', () => {
  it('single value matching is exact and case-sensitive for CS and LO', () => {
    expect(matches('Modality=MR')).toBe(true);
    expect(matches('Modality=mr')).toBe(false);
    expect(matches('PatientID=PAT001')).toBe(false);
  });

  it('PN matches case-insensitively, with wildcards on the whole value', () => {
    expect(matches('PatientName=doe^john')).toBe(true);
    expect(matches('PatientName=Doe*')).toBe(true);
    expect(matches('PatientName=Do?^J*')).toBe(true);
    expect(matches('PatientName=John')).toBe(false); // not a substring search
    expect(matches('PatientName=*John')).toBe(true);
  });

  it('wildcards on CS are case-sensitive and anchored', () => {
    expect(matches('PatientID=PAT*')).toBe(true);
    expect(matches('PatientID=pat*')).toBe(false);
    expect(matches('PatientID=*001')).toBe(false);
  });

  it('an empty key or * is universal matching, also for an absent element', () => {
    expect(matches('InstitutionName=')).toBe(true);
    expect(matches('InstitutionName=*')).toBe(true);
    expect(matches('InstitutionName=X*')).toBe(false);
  });

  it('dates match single values and inclusive open or closed ranges', () => {
    expect(matches('StudyDate=20240315')).toBe(true);
    expect(matches('StudyDate=20240301-20240331')).toBe(true);
    expect(matches('StudyDate=20240315-20240315')).toBe(true);
    expect(matches('StudyDate=20240316-')).toBe(false);
    expect(matches('StudyDate=-20240315')).toBe(true);
    expect(matches('StudyDate=20240101-20240314')).toBe(false);
  });

  it('times match ranges on the precision given', () => {
    expect(matches('StudyTime=0900-1000')).toBe(true);
    expect(matches('StudyTime=093013-')).toBe(false);
    expect(matches('StudyTime=0930')).toBe(true);
  });

  it('a UID key may list several UIDs, and matches none of a prefix', () => {
    expect(matches('StudyInstanceUID=9.9\\1.2.3.4')).toBe(true);
    expect(matches('StudyInstanceUID=1.2.3')).toBe(false);
  });

  it('a multi-valued element matches when one value matches; IS/DS compare as numbers; US as text of the number', () => {
    expect(matches('ImageType=AXIAL')).toBe(true);
    expect(matches('ImageType=LOCALIZER')).toBe(false);
    expect(matches('SeriesNumber=007')).toBe(true);
    expect(matches('SliceThickness=5')).toBe(true);
    expect(matches('Rows=64')).toBe(true);
    expect(matches('Rows=65')).toBe(false);
  });

  it('needs every key to match', () => {
    expect(matches('Modality=MR', 'PatientName=Doe*')).toBe(true);
    expect(matches('Modality=MR', 'PatientName=Roe*')).toBe(false);
  });

  it('rejects a key without = or with an unknown keyword', () => {
    expect(() => parseMatchKey('Modality')).toThrow(/Key=Value/);
    expect(() => parseMatchKey('NoSuchThing=1')).toThrow(/keyword/);
  });
});
