import { errorCodeOf } from '@dicom-tools/test-fixtures';
import { formatAge, formatDate, formatDateTime, formatTime, parseAge, parseDate, parseDateTime, parseTime } from './index.js';

// Examples from PS3.5 Table 6.2-1: DA "19930822" is August 22, 1993; TM "070907.0705" is 7 h 9 min 7.0705 s,
// "1010" is 10 h 10 min, "021" is invalid; AS "018M" is 18 months; DT offsets range -1200 to +1400 (US Eastern
// Standard Time is -0500, Japan Standard Time +0900); ACR-NEMA forms yyyy.mm.dd and hh:mm:ss.frac are read.

describe('DA', () => {
  it('reads 19930822 as August 22, 1993, and writes it back', () => {
    expect(parseDate('19930822')).toEqual({ year: 1993, month: 8, day: 22 });
    expect(formatDate({ year: 1993, month: 8, day: 22 })).toBe('19930822');
  });

  it('reads the ACR-NEMA form yyyy.mm.dd and trailing padding', () => {
    expect(parseDate('1993.08.22')).toEqual({ year: 1993, month: 8, day: 22 });
    expect(parseDate('19930822 ')).toEqual({ year: 1993, month: 8, day: 22 });
  });

  it('accepts 29 February in a leap year only', () => {
    expect(parseDate('20000229')).toEqual({ year: 2000, month: 2, day: 29 });
    expect(errorCodeOf(() => parseDate('19000229'))).toBe('CORE_INVALID_VALUE');
    expect(errorCodeOf(() => formatDate({ year: 2023, month: 2, day: 29 }))).toBe('CORE_INVALID_VALUE');
  });

  it.each(['1993082', '199308222', '19931322', '19930800', '1993-08-22', 'abcdefgh', ''])('rejects %j with CORE_INVALID_VALUE', (text) => {
    expect(errorCodeOf(() => parseDate(text))).toBe('CORE_INVALID_VALUE');
  });

  it('rejects impossible and fractional fields when writing', () => {
    expect(errorCodeOf(() => formatDate({ year: 1993, month: 13, day: 1 }))).toBe('CORE_INVALID_VALUE');
    expect(errorCodeOf(() => formatDate({ year: 1993, month: 8.5, day: 1 }))).toBe('CORE_INVALID_VALUE');
    expect(errorCodeOf(() => formatDate({ year: 10000, month: 1, day: 1 }))).toBe('CORE_INVALID_VALUE');
  });

  it('never quotes the value in its message', () => {
    try {
      parseDate('19931399');
    } catch (error) {
      expect((error as Error).message).not.toContain('19931399');
    }
    expect.assertions(1);
  });
});

describe('TM', () => {
  it('reads 070907.0705 as 7 h 9 min 7.0705 s and 1010 as 10 h 10 min', () => {
    expect(parseTime('070907.0705')).toEqual({ hour: 7, minute: 9, second: 7, microsecond: 70500 });
    expect(parseTime('1010')).toEqual({ hour: 10, minute: 10 });
    expect(parseTime('23')).toEqual({ hour: 23 });
  });

  it('writes the same strings back from the same components', () => {
    expect(formatTime({ hour: 7, minute: 9, second: 7, microsecond: 70500 })).toBe('070907.0705');
    expect(formatTime({ hour: 10, minute: 10 })).toBe('1010');
    expect(formatTime({ hour: 0, minute: 0 })).toBe('0000');
    expect(formatTime({ hour: 12, minute: 0, second: 0, microsecond: 0 })).toBe('120000.0');
  });

  it('reads the ACR-NEMA form hh:mm:ss.frac', () => {
    expect(parseTime('07:09:07.0705')).toEqual({ hour: 7, minute: 9, second: 7, microsecond: 70500 });
  });

  it('allows second 60 (leap second)', () => {
    expect(parseTime('235960')).toEqual({ hour: 23, minute: 59, second: 60 });
  });

  it.each(['021', '2400', '1260', '126161', '070907.', '070907.1234567', '07h09', ''])('rejects %j with CORE_INVALID_VALUE', (text) => {
    expect(errorCodeOf(() => parseTime(text))).toBe('CORE_INVALID_VALUE');
  });

  it('rejects a component given without the one before it', () => {
    expect(errorCodeOf(() => formatTime({ hour: 7, second: 3 }))).toBe('CORE_INVALID_VALUE');
    expect(errorCodeOf(() => formatTime({ hour: 24 }))).toBe('CORE_INVALID_VALUE');
  });
});

describe('DT', () => {
  it('reads every component and the UTC offset in minutes', () => {
    expect(parseDateTime('20050812183000.5-0500')).toEqual({
      year: 2005, month: 8, day: 12, hour: 18, minute: 30, second: 0, microsecond: 500000, utcOffsetMinutes: -300,
    });
    expect(parseDateTime('2005+0900')).toEqual({ year: 2005, utcOffsetMinutes: 540 });
    expect(parseDateTime('200508')).toEqual({ year: 2005, month: 8 });
  });

  it('writes only the components given, and the offset as &ZZXX', () => {
    expect(formatDateTime({ year: 2005, month: 8, day: 12, hour: 18, minute: 30, utcOffsetMinutes: -300 })).toBe('200508121830-0500');
    expect(formatDateTime({ year: 2005, utcOffsetMinutes: 0 })).toBe('2005+0000');
    expect(formatDateTime({ year: 2005, month: 8, day: 12, hour: 1, minute: 2, second: 3, microsecond: 4 })).toBe('20050812010203.000004');
  });

  it('rejects offsets outside -1200..+1400 and gaps between components', () => {
    expect(errorCodeOf(() => parseDateTime('2005+1500'))).toBe('CORE_INVALID_VALUE');
    expect(errorCodeOf(() => formatDateTime({ year: 2005, utcOffsetMinutes: -780 }))).toBe('CORE_INVALID_VALUE');
    expect(errorCodeOf(() => formatDateTime({ year: 2005, day: 3 }))).toBe('CORE_INVALID_VALUE');
    expect(errorCodeOf(() => formatDateTime({ year: 2005, month: 1, hour: 3 }))).toBe('CORE_INVALID_VALUE');
    expect(errorCodeOf(() => parseDateTime('20051301'))).toBe('CORE_INVALID_VALUE');
  });
});

describe('AS', () => {
  it('reads 018M as 18 months and writes it back', () => {
    expect(parseAge('018M')).toEqual({ value: 18, unit: 'M' });
    expect(formatAge({ value: 18, unit: 'M' })).toBe('018M');
    expect(formatAge({ value: 5, unit: 'D' })).toBe('005D');
  });

  it.each(['18M', '018m', '018', '0018Y', 'abcY'])('rejects %j with CORE_INVALID_VALUE', (text) => {
    expect(errorCodeOf(() => parseAge(text))).toBe('CORE_INVALID_VALUE');
  });

  it('rejects ages above 999 and unknown units when writing', () => {
    expect(errorCodeOf(() => formatAge({ value: 1000, unit: 'Y' }))).toBe('CORE_INVALID_VALUE');
    expect(errorCodeOf(() => formatAge({ value: 1, unit: 'H' as 'Y' }))).toBe('CORE_INVALID_VALUE');
  });
});
