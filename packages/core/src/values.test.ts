import {
  createDataset, deleteElement, getAge, getBytes, getDate, getDateTime, getElementAt, getNumber, getNumbers, getPersonName, getPersonNames,
  getSequence, getString, getStrings, getTag, getTime, isDicomError, readDicom, setValue, Tags, TransferSyntax, writeDicom,
  type Dataset, type DataElement,
} from './index.js';

// Expected strings come from PS3.5 (Table 6.2-1 and 6.2.1 examples) and expected VRs and VMs from PS3.6.

function failure(run: () => unknown): { code: string; message: string } | undefined {
  try {
    run();
  } catch (error) {
    return isDicomError(error) ? { code: error.code, message: error.message } : { code: 'not a DicomError', message: String(error) };
  }
  return undefined;
}

function codeOf(run: () => unknown): string | undefined {
  return failure(run)?.code;
}

describe('setValue then get: round trips through the VR', () => {
  it('writes a PN from components as PS3.5 does and reads the components back', () => {
    const ds = createDataset();
    const name = { alphabetic: { familyName: 'Adams', givenName: 'John Robert Quincy', prefix: 'Rev.', suffix: 'B.A. M.Div.' } };
    setValue(ds, 'PatientName', name);
    expect(ds.elements.get(Tags.PatientName)).toEqual({ tag: Tags.PatientName, vr: 'PN', value: ['Adams^John Robert Quincy^^Rev.^B.A. M.Div.'] });
    expect(getPersonName(ds, 'PatientName')).toEqual({ alphabetic: { ...name.alphabetic, middleName: '' } });
    expect(getString(ds, 'PatientName')).toBe('Adams^John Robert Quincy^^Rev.^B.A. M.Div.');
  });

  it('writes DA, TM, DT and AS from objects as the PS3.5 examples', () => {
    const ds = createDataset();
    setValue(ds, 'StudyDate', { year: 1993, month: 8, day: 22 });
    setValue(ds, 'StudyTime', { hour: 7, minute: 9, second: 7, microsecond: 70500 });
    setValue(ds, 'AcquisitionDateTime', { year: 2005, month: 8, day: 12, hour: 18, minute: 30, utcOffsetMinutes: 540 });
    setValue(ds, 'PatientAge', { value: 18, unit: 'M' });
    expect(getStrings(ds, 'StudyDate')).toEqual(['19930822']);
    expect(getStrings(ds, 'StudyTime')).toEqual(['070907.0705']);
    expect(getStrings(ds, 'AcquisitionDateTime')).toEqual(['200508121830+0900']);
    expect(getStrings(ds, 'PatientAge')).toEqual(['018M']);
    expect(getDate(ds, 'StudyDate')).toEqual({ year: 1993, month: 8, day: 22 });
    expect(getTime(ds, 'StudyTime')).toEqual({ hour: 7, minute: 9, second: 7, microsecond: 70500 });
    expect(getDateTime(ds, 'AcquisitionDateTime')).toEqual({ year: 2005, month: 8, day: 12, hour: 18, minute: 30, utcOffsetMinutes: 540 });
    expect(getAge(ds, 'PatientAge')).toEqual({ value: 18, unit: 'M' });
  });

  it('formats numbers into DS and IS text and parses them back', () => {
    const ds = createDataset();
    setValue(ds, 'ImagePositionPatient', [-125.5, 0.1 + 0.2, 1 / 3]);
    setValue(ds, 'SeriesNumber', 7);
    const text = getStrings(ds, 'ImagePositionPatient')!;
    expect(text).toEqual(['-125.5', '0.3', '0.33333333333333']);
    expect(text.every((v) => v.length <= 16)).toBe(true);
    expect(getNumbers(ds, 'ImagePositionPatient')).toEqual([-125.5, 0.3, 0.33333333333333]);
    expect(getStrings(ds, 'SeriesNumber')).toEqual(['7']);
    expect(getNumber(ds, 'SeriesNumber')).toBe(7);
  });

  it('splits a string at backslashes for multi-valued VRs but not for LT, ST, UT and UR', () => {
    const ds = createDataset();
    setValue(ds, 'ImageType', 'ORIGINAL\\PRIMARY\\AXIAL');
    setValue(ds, 'ImageComments', 'a\\b');
    expect(getStrings(ds, 'ImageType')).toEqual(['ORIGINAL', 'PRIMARY', 'AXIAL']);
    expect(getStrings(ds, 'ImageComments')).toEqual(['a\\b']);
  });

  it('converts text to binary numbers, tags and 64-bit integers', () => {
    const ds = createDataset();
    setValue(ds, 'Rows', '512');
    setValue(ds, 'PixelSpacing', ['0.5', 0.25]);
    setValue(ds, 'FrameIncrementPointer', 'FrameTime');
    setValue(ds, 'ExtendedOffsetTableLengths', [2n ** 63n]);
    expect(ds.elements.get(Tags.Rows)).toEqual({ tag: Tags.Rows, vr: 'US', value: [512] });
    expect(getNumber(ds, 'Rows')).toBe(512);
    expect(getNumbers(ds, 'PixelSpacing')).toEqual([0.5, 0.25]);
    expect(getTag(ds, 'FrameIncrementPointer')).toBe(0x00181063);
    expect(getBytes(ds, 'ExtendedOffsetTableLengths')).toEqual(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0x80]));
  });

  it('packs a number array into little-endian OW words (PS3.5 7.3)', () => {
    const ds = createDataset();
    setValue(ds, 'RedPaletteColorLookupTableData', [0x1234, 0xabcd]);
    expect(getBytes(ds, 'RedPaletteColorLookupTableData')).toEqual(new Uint8Array([0x34, 0x12, 0xcd, 0xab]));
  });

  it('stores SV/UV values as bigints', () => {
    const ds = createDataset();
    setValue(ds, 'SelectorSVValue', ['-9223372036854775808', 5]);
    expect(ds.elements.get(Tags.SelectorSVValue)?.value).toEqual([-(2n ** 63n), 5n]);
  });

  it('sets an empty value for an empty string or list', () => {
    const ds = createDataset();
    setValue(ds, 'PatientName', '');
    setValue(ds, 'ImageType', []);
    expect(ds.elements.get(Tags.PatientName)?.value).toEqual([]);
    expect(getString(ds, 'PatientName')).toBeUndefined();
    expect(getStrings(ds, 'ImageType')).toEqual([]);
  });

  it('creates sequence items along a path and reads nested values back', () => {
    const ds = createDataset();
    setValue(ds, 'ReferencedSeriesSequence[0].SeriesInstanceUID', '1.2.840.10008.1.2');
    setValue(ds, 'ReferencedSeriesSequence[1].SeriesInstanceUID', '1.2.3');
    expect(getSequence(ds, 'ReferencedSeriesSequence')?.length).toBe(2);
    expect(getString(ds, 'ReferencedSeriesSequence[0].SeriesInstanceUID')).toBe('1.2.840.10008.1.2');
    expect(getString(ds, '(0008,1115)[1].0020000E')).toBe('1.2.3');
  });

  it('takes data sets as sequence items', () => {
    const ds = createDataset();
    const item = createDataset([{ tag: Tags.ReferencedSOPInstanceUID, vr: 'UI', value: ['1.2.3'] }]);
    setValue(ds, 'ReferencedImageSequence', [item]);
    expect(getSequence(ds, 'ReferencedImageSequence')).toEqual([item]);
  });

  it('drops raw bytes of the old value when replacing it', () => {
    const ds = createDataset([{ tag: Tags.PatientName, vr: 'PN', value: ['Müller'], raw: new Uint8Array([0x4d, 0xfc]), rawCharset: 'ISO_IR 100' }]);
    setValue(ds, 'PatientName', 'Doe^John');
    expect(ds.elements.get(Tags.PatientName)).toEqual({ tag: Tags.PatientName, vr: 'PN', value: ['Doe^John'] });
  });

  it('survives writeDicom and readDicom with the same typed values', () => {
    const ds = createDataset();
    setValue(ds, 'SOPClassUID', '1.2.840.10008.5.1.4.1.1.7');
    setValue(ds, 'SOPInstanceUID', '1.2.3.4.5');
    setValue(ds, 'PatientName', { familyName: 'Doe', givenName: 'John' });
    setValue(ds, 'PatientBirthDate', { year: 1960, month: 2, day: 29 });
    setValue(ds, 'SliceThickness', 2.5);
    setValue(ds, 'Rows', 4);
    setValue(ds, 'ReferencedSeriesSequence[0].SeriesInstanceUID', '1.2.3');
    const file = { meta: createDataset(), dataset: ds, transferSyntaxUID: TransferSyntax.ExplicitVRLittleEndian, hadPreamble: true };
    const back = readDicom(writeDicom(file)).dataset;
    expect(getPersonName(back, 'PatientName')?.alphabetic).toMatchObject({ familyName: 'Doe', givenName: 'John' });
    expect(getDate(back, 'PatientBirthDate')).toEqual({ year: 1960, month: 2, day: 29 });
    expect(getNumber(back, 'SliceThickness')).toBe(2.5);
    expect(getNumber(back, 'Rows')).toBe(4);
    expect(getString(back, 'ReferencedSeriesSequence[0].SeriesInstanceUID')).toBe('1.2.3');
  });
});

describe('setValue rejects values that break PS3.5 or PS3.6', () => {
  it.each([
    ['StudyDate', '19930230', 'a date that does not exist'],
    ['StudyDate', '1993-08-22', 'a date in the wrong form'],
    ['StudyTime', '021', 'the invalid TM of PS3.5'],
    ['SOPInstanceUID', `1.${'2'.repeat(63)}`, 'a UI over 64 characters'],
    ['SOPInstanceUID', '1.02.3', 'a UI component with a leading zero'],
    ['Modality', 'mr', 'lower case in CS'],
    ['PatientAge', '18M', 'an AS without three digits'],
    ['SeriesNumber', '1.5', 'a fraction in IS'],
    ['SeriesNumber', 2 ** 31, 'an IS beyond 2^31-1'],
    ['SliceThickness', 'thick', 'text in DS'],
    ['SliceThickness', NaN, 'NaN in DS'],
    ['StationName', 'x'.repeat(17), 'an SH over 16 characters'],
    ['Rows', 70000, 'a US over 65535'],
    ['Rows', -1, 'a negative US'],
    ['Rows', 'twelve', 'text in US'],
    ['FrameIncrementPointer', 'NotAKeyword', 'an AT that is no tag'],
    ['RedPaletteColorLookupTableData', new Uint8Array(3), 'an OW of odd length'],
    ['PatientName', { familyName: 'A^B' }, 'a PN component holding ^'],
    ['PatientName', 42n, 'a bigint where text is expected? (converted, but checked)'],
  ])('%s = %p (%s) fails with CORE_INVALID_VALUE', (path, value, why) => {
    const ds = createDataset();
    const result = failure(() => setValue(ds, path, value as never));
    if (why.startsWith('a bigint')) {
      expect(result).toBeUndefined(); // 42 is a valid PN text, so this one is accepted
      return;
    }
    expect(result?.code).toBe('CORE_INVALID_VALUE');
    expect(ds.elements.size).toBe(0);
  });

  it('rejects a value count the dictionary VM does not allow, unless told to accept it', () => {
    const ds = createDataset();
    expect(codeOf(() => setValue(ds, 'ImagePositionPatient', [1, 2]))).toBe('CORE_INVALID_VALUE'); // VM 3
    expect(codeOf(() => setValue(ds, 'ImageType', 'ORIGINAL'))).toBe('CORE_INVALID_VALUE'); // VM 2-n
    expect(codeOf(() => setValue(ds, 'PatientName', ['A', 'B']))).toBe('CORE_INVALID_VALUE'); // VM 1
    expect(codeOf(() => setValue(ds, 'ImageComments', ['a', 'b']))).toBe('CORE_INVALID_VALUE'); // LT holds one value
    setValue(ds, 'ImagePositionPatient', [1, 2], { allowVmMismatch: true });
    expect(getNumbers(ds, 'ImagePositionPatient')).toEqual([1, 2]);
  });

  it('names the tag in the message but never quotes the value', () => {
    const ds = createDataset();
    const result = failure(() => setValue(ds, 'PatientName', 'Secretname\u0001'));
    expect(result?.code).toBe('CORE_INVALID_VALUE');
    expect(result?.message).toContain('(0010,0010)');
    expect(result?.message).not.toContain('Secretname');
    const nested = failure(() => setValue(ds, 'ReferencedSeriesSequence[0].SeriesInstanceUID', '1.2.abc'));
    expect(nested?.message).toContain('ReferencedSeriesSequence[0].SeriesInstanceUID');
    expect(nested?.message).not.toContain('1.2.abc');
  });

  it('rejects unknown keywords and item tags with CORE_INVALID_TAG', () => {
    const ds = createDataset();
    expect(codeOf(() => setValue(ds, 'PatientsName', 'x'))).toBe('CORE_INVALID_TAG');
    expect(codeOf(() => setValue(ds, 'Item', 'x'))).toBe('CORE_INVALID_TAG');
  });

  it('needs a VR and a private creator for a private element', () => {
    const ds = createDataset();
    expect(codeOf(() => setValue(ds, '(0009,1001)', 'x'))).toBe('CORE_INVALID_TAG');
    expect(codeOf(() => setValue(ds, '(0009,1001)', 'x', { vr: 'LO' }))).toBe('CORE_INVALID_TAG'); // no creator (0009,0010)
    setValue(ds, '(0009,0010)', 'ACME 1.0');
    setValue(ds, '(0009,1001)', 'x', { vr: 'LO' });
    expect(ds.elements.get(0x00091001)).toEqual({ tag: 0x00091001, vr: 'LO', value: ['x'] });
    setValue(ds, '(0009,1001)', 'y'); // the existing element gives the VR now
    expect(getString(ds, '(0009,1001)')).toBe('y');
  });

  it('uses a VR option only when the dictionary allows it', () => {
    const ds = createDataset();
    setValue(ds, 'SmallestImagePixelValue', -5, { vr: 'SS' });
    expect(ds.elements.get(0x00280106)).toEqual({ tag: 0x00280106, vr: 'SS', value: [-5] });
    expect(codeOf(() => setValue(ds, 'PatientName', 'x', { vr: 'LO' }))).toBe('CORE_INVALID_VALUE');
  });

  it('keeps the VR of an element read as UN out of the way and uses the dictionary\'s', () => {
    const ds = createDataset([{ tag: Tags.PatientID, vr: 'UN', value: new Uint8Array([0x31, 0x32]) }]);
    setValue(ds, 'PatientID', 'ABC');
    expect(ds.elements.get(Tags.PatientID)).toEqual({ tag: Tags.PatientID, vr: 'LO', value: ['ABC'] });
  });

  it('refuses text the data set\'s character set cannot hold, with CORE_CHARSET_UNENCODABLE', () => {
    const ascii = createDataset();
    expect(codeOf(() => setValue(ascii, 'PatientName', 'Müller'))).toBe('CORE_CHARSET_UNENCODABLE');
    const latin1 = createDataset([{ tag: Tags.SpecificCharacterSet, vr: 'CS', value: ['ISO_IR 100'] }]);
    setValue(latin1, 'PatientName', 'Müller');
    expect(codeOf(() => setValue(latin1, 'PatientName', '山田'))).toBe('CORE_CHARSET_UNENCODABLE');
    const utf8 = createDataset([{ tag: Tags.SpecificCharacterSet, vr: 'CS', value: ['ISO_IR 192'] }]);
    setValue(utf8, 'ReferencedPatientSequence[0].PatientName', 'Yamada^Tarou=山田^太郎'); // items inherit the set
    expect(getPersonName(utf8, 'ReferencedPatientSequence[0].PatientName')?.ideographic?.familyName).toBe('山田');
  });

  it('refuses to replace encapsulated pixel data', () => {
    const ds = createDataset([{ tag: Tags.PixelData, vr: 'OB', value: { basicOffsetTable: new Uint8Array(), fragments: [] }, encapsulated: true }]);
    expect(codeOf(() => setValue(ds, 'PixelData', new Uint8Array(2)))).toBe('CORE_INVALID_VALUE');
  });
});

describe('getters', () => {
  const ds: Dataset = createDataset([
    { tag: Tags.PatientName, vr: 'PN', value: ['Yamada^Tarou=山田^太郎=やまだ^たろう'] },
    { tag: Tags.OtherPatientNames, vr: 'PN', value: ['Doe^John', 'Roe^Jane'] },
    { tag: Tags.StudyDate, vr: 'DA', value: ['1993.08.22'] },
    { tag: Tags.SliceThickness, vr: 'DS', value: [' 1.50 '] },
    { tag: Tags.ImagePositionPatient, vr: 'DS', value: ['-1', '', '3'] },
    { tag: Tags.InstanceNumber, vr: 'IS', value: ['+12'] },
    { tag: Tags.PatientBirthDate, vr: 'DA', value: ['19931301'] },
    { tag: Tags.Rows, vr: 'US', value: [512] },
  ] as DataElement[]);

  it('answer undefined for an absent element', () => {
    expect(getString(ds, 'PatientID')).toBeUndefined();
    expect(getNumber(ds, 'Columns')).toBeUndefined();
    expect(getDate(ds, 'SeriesDate')).toBeUndefined();
    expect(getPersonName(ds, 'ReferringPhysicianName')).toBeUndefined();
    expect(getSequence(ds, 'ReferencedSeriesSequence')).toBeUndefined();
    expect(getBytes(ds, 'PixelData')).toBeUndefined();
    expect(getElementAt(ds, 'ReferencedSeriesSequence[0].SeriesInstanceUID')).toBeUndefined();
  });

  it('read the three PN groups and every value of a multi-valued PN', () => {
    expect(getPersonName(ds, 'PatientName')?.phonetic).toEqual({ familyName: 'やまだ', givenName: 'たろう', middleName: '', prefix: '', suffix: '' });
    expect(getPersonNames(ds, 'OtherPatientNames')?.map((n) => n.alphabetic.familyName)).toEqual(['Doe', 'Roe']);
  });

  it('read DS and IS with the spaces and sign PS3.5 allows', () => {
    expect(getNumber(ds, 'SliceThickness')).toBe(1.5);
    expect(getNumber(ds, 'InstanceNumber')).toBe(12);
    expect(getNumber(ds, 'Rows')).toBe(512);
  });

  it('read the ACR-NEMA date form', () => {
    expect(getDate(ds, 'StudyDate')).toEqual({ year: 1993, month: 8, day: 22 });
  });

  it('throw CORE_INVALID_VALUE for a malformed value or a VR of another kind', () => {
    expect(codeOf(() => getDate(ds, 'PatientBirthDate'))).toBe('CORE_INVALID_VALUE');
    expect(codeOf(() => getNumbers(ds, 'ImagePositionPatient'))).toBe('CORE_INVALID_VALUE');
    expect(codeOf(() => getDate(ds, 'PatientName'))).toBe('CORE_INVALID_VALUE');
    expect(codeOf(() => getString(ds, 'Rows'))).toBe('CORE_INVALID_VALUE');
    expect(codeOf(() => getNumber(ds, 'PatientName'))).toBe('CORE_INVALID_VALUE');
    expect(codeOf(() => getSequence(ds, 'PatientName'))).toBe('CORE_INVALID_VALUE');
    expect(codeOf(() => getBytes(ds, 'Rows'))).toBe('CORE_INVALID_VALUE');
  });
});

describe('deleteElement', () => {
  it('removes an element at a path and says whether there was one', () => {
    const ds = createDataset();
    setValue(ds, 'ReferencedSeriesSequence[0].SeriesInstanceUID', '1.2');
    setValue(ds, 'PatientID', 'X');
    expect(deleteElement(ds, 'ReferencedSeriesSequence[0].SeriesInstanceUID')).toBe(true);
    expect(deleteElement(ds, 'ReferencedSeriesSequence[0].SeriesInstanceUID')).toBe(false);
    expect(deleteElement(ds, Tags.PatientID)).toBe(true);
    expect(getSequence(ds, 'ReferencedSeriesSequence')?.[0]?.elements.size).toBe(0);
    expect(ds.elements.has(Tags.PatientID)).toBe(false);
  });
});
