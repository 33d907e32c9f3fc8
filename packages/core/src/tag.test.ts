import { errorCodeOf } from '@dicom-tools/test-fixtures';
import { describeTag, formatTag, formatTagPath, parseTag, parseTagPath, tagForKeyword, Tags } from './index.js';

// Tag numbers below are those of PS3.6 Table 6-1: Patient's Name (0010,0010), Referenced Series Sequence
// (0008,1115), Series Instance UID (0020,000E), Pixel Data (7FE0,0010).

describe('formatTag', () => {
  it('writes (gggg,eeee) with upper-case hex', () => {
    expect(formatTag(0x00100010)).toBe('(0010,0010)');
    expect(formatTag(0x7fe00010)).toBe('(7FE0,0010)');
    expect(formatTag(0x0020000e)).toBe('(0020,000E)');
  });

  it('treats tags above 0x7FFFFFFF as unsigned', () => {
    expect(formatTag(0xfffee000)).toBe('(FFFE,E000)');
    expect(formatTag(0xfffee000 | 0)).toBe('(FFFE,E000)');
  });
});

describe('parseTag', () => {
  it.each([
    ['PatientName', 0x00100010],
    ['(0010,0010)', 0x00100010],
    ['0010,0010', 0x00100010],
    ['00100010', 0x00100010],
    ['0x00100010', 0x00100010],
    ['(0020,000e)', 0x0020000e],
    ['(7FE0,0010)', 0x7fe00010],
    ['  SeriesInstanceUID ', 0x0020000e],
    ['(0010, 0010)', 0x00100010],
  ])('reads %j as the PS3.6 tag', (text, tag) => {
    expect(parseTag(text)).toBe(tag);
  });

  it('returns unsigned numbers for groups at or above 8000', () => {
    expect(parseTag('(FFFE,E000)')).toBe(0xfffee000);
    expect(parseTag('FFFEE000')).toBeGreaterThan(0);
  });

  it.each(['PatientsName', 'patientname', '(0010,0010', '0010,0010)', '(001,0010)', '0010001', 'toString', 'constructor', ''])(
    'rejects %j with CORE_INVALID_TAG',
    (text) => {
      expect(errorCodeOf(() => parseTag(text))).toBe('CORE_INVALID_TAG');
    },
  );
});

describe('tagForKeyword', () => {
  it('finds keywords of PS3.6 and nothing for inherited object properties', () => {
    expect(tagForKeyword('ReferencedSeriesSequence')).toBe(0x00081115);
    expect(tagForKeyword('hasOwnProperty')).toBeUndefined();
    expect(tagForKeyword('NoSuchKeyword')).toBeUndefined();
  });

  it('agrees with the generated Tags table', () => {
    expect(Tags.PatientName).toBe(0x00100010);
    expect(Tags.PixelData).toBe(0x7fe00010);
  });
});

describe('parseTagPath', () => {
  it('splits a sequence path into steps with item indexes', () => {
    expect(parseTagPath('ReferencedSeriesSequence[0].SeriesInstanceUID')).toEqual([
      { tag: 0x00081115, item: 0 },
      { tag: 0x0020000e },
    ]);
  });

  it('accepts tag numbers and keywords mixed, several levels deep', () => {
    expect(parseTagPath('(0008,1115)[2].ReferencedInstanceSequence[10].00081155')).toEqual([
      { tag: 0x00081115, item: 2 },
      { tag: 0x0008114a, item: 10 },
      { tag: 0x00081155 },
    ]);
  });

  it('reads a single tag as a one-step path, and a final index as naming an item', () => {
    expect(parseTagPath('PatientName')).toEqual([{ tag: 0x00100010 }]);
    expect(parseTagPath('ReferencedSeriesSequence[1]')).toEqual([{ tag: 0x00081115, item: 1 }]);
  });

  it('tolerates spaces around steps and indexes', () => {
    expect(parseTagPath(' ReferencedSeriesSequence[ 0 ] . SeriesInstanceUID ')).toEqual([{ tag: 0x00081115, item: 0 }, { tag: 0x0020000e }]);
  });

  it.each([
    'ReferencedSeriesSequence.SeriesInstanceUID',
    'ReferencedSeriesSequence[0].',
    '.PatientName',
    'ReferencedSeriesSequence[0][1].SeriesInstanceUID',
    'ReferencedSeriesSequence[-1].SeriesInstanceUID',
    'ReferencedSeriesSequence[x].SeriesInstanceUID',
    'ReferencedSeriesSequence[99999999999999999999].SeriesInstanceUID',
    'NoSuchSequence[0].PatientName',
  ])('rejects %j with CORE_INVALID_TAG', (text) => {
    expect(errorCodeOf(() => parseTagPath(text))).toBe('CORE_INVALID_TAG');
  });
});

describe('formatTagPath and describeTag', () => {
  it('writes steps back with keywords, and tag numbers where there is no keyword', () => {
    expect(formatTagPath([{ tag: 0x00081115, item: 0 }, { tag: 0x0020000e }])).toBe('ReferencedSeriesSequence[0].SeriesInstanceUID');
    expect(formatTagPath([{ tag: 0x00091001 }])).toBe('(0009,1001)');
  });

  it('round-trips a parsed path', () => {
    const text = 'ReferencedSeriesSequence[3].ReferencedInstanceSequence[0].ReferencedSOPInstanceUID';
    expect(formatTagPath(parseTagPath(text))).toBe(text);
  });

  it('describes a tag with its keyword when the dictionary has one', () => {
    expect(describeTag(0x7fe00010)).toBe('(7FE0,0010) PixelData');
    expect(describeTag(0x00091001)).toBe('(0009,1001)');
  });
});
