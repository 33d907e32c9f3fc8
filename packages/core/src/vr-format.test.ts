import { checkTextValue, checkVm } from './index.js';
import type { TextVr } from './index.js';

// Examples are taken from the text of PS3.5 section 6.2 (Table 6.2-1) and 9.1 (UIDs), or built from its rules.
const valid: readonly (readonly [TextVr, string])[] = [
  ['AE', 'STORESCP'], ['AE', ' PACS 1 '],
  ['AS', '018M'], ['AS', '045Y'], ['AS', '003W'], ['AS', '010D'],
  ['CS', 'ORIGINAL'], ['CS', 'ISO_IR 100'], ['CS', 'MONOCHROME2'],
  ['DA', '19930822'], ['DA', '20000229'], ['DA', '20240101'],
  ['DS', '0'], ['DS', '-1.5'], ['DS', '+12.25E-3'], ['DS', ' 3.14 '], ['DS', '.5'], ['DS', '1e10'],
  ['DT', '2005'], ['DT', '200512'], ['DT', '20051231'], ['DT', '2005123123'], ['DT', '20051231235960'],
  ['DT', '20051231235959.123456'], ['DT', '19530827111300.0-0500'], ['DT', '20051231+1400'],
  ['IS', '0'], ['IS', '-2147483648'], ['IS', '2147483647'], ['IS', ' +12 '],
  ['LO', 'Some Hospital'], ['LO', 'x'.repeat(64)], ['LO', 'Gr\u00fcn \u00e9t\u00e9 \u5c71\u7530'],
  ['LT', 'line one\r\nline two\tand a tab\fpage'], ['ST', 'a\\b is fine in ST'],
  ['PN', 'Adams^John Robert Quincy^^Rev.^B.A. M.Div.'], ['PN', 'Wang^XiaoDong=\u738b^\u5c0f\u6771='],
  ['PN', 'Yamada^Tarou=\u5c71\u7530^\u592a\u90ce=\u3084\u307e\u3060^\u305f\u308d\u3046'],
  ['SH', 'ABC 123'], ['TM', '07'], ['TM', '0704'], ['TM', '070907'], ['TM', '070907.0705'], ['TM', '235960.123456'],
  ['UI', '1.2.840.10008.1.2.1'], ['UI', '1.2.840.10008.5.1.4.1.1.2'], ['UI', '2.25.0'], ['UI', '1.2.0.3'], ['UI', '2.999.1'], ['UI', '1.3.6.1.4.1.9590.100.1.2'],
  ['UI', `2.${'2'.repeat(62)}`], ['UR', 'http://dicom.nema.org/medical/dicom/current/output/html/part05.html#sect_6.2'],
  ['UT', 'any\u001b$B text'], ['UC', 'unlimited characters'],
];

const invalid: readonly (readonly [TextVr, string, string])[] = [
  ['AE', 'A'.repeat(17), 'vr-length-AE'], ['AE', 'A\tB', 'vr-format-AE'], ['AE', '   ', 'vr-format-AE'],
  ['AS', '18M', 'vr-format-AS'], ['AS', '018m', 'vr-format-AS'], ['AS', '018X', 'vr-format-AS'],
  ['CS', 'original', 'vr-format-CS'], ['CS', 'A-B', 'vr-format-CS'], ['CS', 'A'.repeat(17), 'vr-length-CS'],
  ['DA', '1993.08.22', 'vr-format-DA'], ['DA', '19930230', 'vr-format-DA'], ['DA', '20010229', 'vr-format-DA'],
  ['DA', '19931301', 'vr-format-DA'], ['DA', '1993082', 'vr-format-DA'], ['DA', '19930822-19930823', 'vr-format-DA'],
  ['DS', '1,5', 'vr-format-DS'], ['DS', '1.5.2', 'vr-format-DS'], ['DS', 'NaN', 'vr-format-DS'],
  ['DS', '1 5', 'vr-format-DS'], ['DS', '1.23456789012345678', 'vr-length-DS'], ['DS', '1e999', 'vr-format-DS'],
  ['DT', '20051301', 'vr-format-DT'], ['DT', '2005123124', 'vr-format-DT'], ['DT', '20051231+1500', 'vr-format-DT'],
  ['DT', '200', 'vr-format-DT'], ['DT', '20051231235959.123456+01000', 'vr-format-DT'], ['DT', '20051231235959.1234567', 'vr-format-DT'],
  ['IS', '1.0', 'vr-format-IS'], ['IS', '2147483648', 'vr-format-IS'], ['IS', '-2147483649', 'vr-format-IS'],
  ['IS', '1234567890123', 'vr-length-IS'],
  ['LO', 'x'.repeat(65), 'vr-length-LO'], ['LO', 'a\nb', 'vr-format-LO'], ['LO', 'a\\b', 'vr-format-LO'],
  ['SH', 'x'.repeat(17), 'vr-length-SH'], ['ST', 'x'.repeat(1025), 'vr-length-ST'], ['LT', 'bell\u0007', 'vr-format-LT'],
  ['PN', 'a=b=c=d', 'vr-format-PN'], ['PN', 'a^b^c^d^e^f', 'vr-format-PN'], ['PN', `${'x'.repeat(65)}=y`, 'vr-length-PN'],
  ['TM', '24', 'vr-format-TM'], ['TM', '0760', 'vr-format-TM'], ['TM', '07:09:07', 'vr-format-TM'],
  ['TM', '070907.1234567', 'vr-format-TM'], ['TM', '0', 'vr-format-TM'],
  ['UI', '1.2.840.010008', 'vr-format-UI'], ['UI', '1..2', 'vr-format-UI'], ['UI', '1.2.', 'vr-format-UI'],
  ['UI', '1.2.a', 'vr-format-UI'], ['UI', '9.8.7.6', 'vr-format-UI'], ['UI', '1234567890.1998.310', 'vr-format-UI'],
  ['UI', '0', 'vr-format-UI'], ['UI', '0.0', 'vr-format-UI'], ['UI', '1.40.5', 'vr-format-UI'], ['UI', `2.${'2'.repeat(63)}`, 'vr-length-UI'],
  ['UR', ' http://x', 'vr-format-UR'], ['UR', 'http://x y', 'vr-format-UR'], ['UT', 'nul\u0000', 'vr-format-UT'],
];

describe('checkTextValue', () => {
  it.each(valid)('accepts the %s value %j', (vr, value) => {
    expect(checkTextValue(vr, value)).toBeUndefined();
  });

  it.each(invalid)('rejects the %s value %j with %s', (vr, value, rule) => {
    expect(checkTextValue(vr, value)?.rule).toBe(rule);
  });

  it('accepts an empty value for every VR (emptiness is a question of Type)', () => {
    for (const vr of ['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT'] as const) {
      expect(checkTextValue(vr, '')).toBeUndefined();
    }
  });

  it('counts LO length in characters, not UTF-8 bytes', () => {
    expect(checkTextValue('LO', '\u00e9'.repeat(64))).toBeUndefined();
    expect(checkTextValue('LO', '\u00e9'.repeat(65))?.rule).toBe('vr-length-LO');
  });

  it('does not quote the value in its message', () => {
    const secret = 'SMITH^JOHN\n';
    expect(checkTextValue('PN', secret)?.message).not.toContain('SMITH');
  });
});

describe('checkVm', () => {
  it.each([
    ['1', 1, true], ['1', 2, false], ['2', 2, true], ['2', 1, false], ['3', 3, true], ['16', 16, true],
    ['1-n', 1, true], ['1-n', 40, true], ['2-n', 1, false], ['2-n', 2, true], ['1-3', 3, true], ['1-3', 4, false],
    ['2-2n', 2, true], ['2-2n', 3, false], ['2-2n', 6, true], ['3-3n', 3, true], ['3-3n', 4, false], ['3-3n', 9, true],
    ['6-n', 5, false], ['6-n', 7, true], ['1-n or 1', 5, true], ['4-5', 5, true], ['4-5', 6, false],
  ] as const)('VM %s with %d values -> %s', (vm, count, expected) => {
    expect(checkVm(vm, count)).toBe(expected);
  });

  it('accepts an empty (zero-length) value whatever the VM', () => {
    expect(checkVm('1', 0)).toBe(true);
    expect(checkVm('2-2n', 0)).toBe(true);
  });
});
