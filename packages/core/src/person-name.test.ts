import { errorCodeOf } from '@dicom-tools/test-fixtures';
import { formatPersonName, parsePersonName } from './index.js';

// Examples from PS3.5 6.2.1.1 and 6.2.1.2 (Annex H for the Japanese and Korean values).

describe('parsePersonName', () => {
  it('splits "Adams^John Robert Quincy^^Rev.^B.A. M.Div." into its five components', () => {
    expect(parsePersonName('Adams^John Robert Quincy^^Rev.^B.A. M.Div.')).toEqual({
      alphabetic: { familyName: 'Adams', givenName: 'John Robert Quincy', middleName: '', prefix: 'Rev.', suffix: 'B.A. M.Div.' },
    });
  });

  it('reads a name with trailing components left out', () => {
    expect(parsePersonName('Doe^John')).toEqual({
      alphabetic: { familyName: 'Doe', givenName: 'John', middleName: '', prefix: '', suffix: '' },
    });
    expect(parsePersonName('Morrison-Jones^Susan^^^Ph.D., Chief Executive Officer').alphabetic.suffix).toBe('Ph.D., Chief Executive Officer');
  });

  it('reads the ideographic and phonetic groups', () => {
    expect(parsePersonName('Yamada^Tarou=山田^太郎=やまだ^たろう')).toEqual({
      alphabetic: { familyName: 'Yamada', givenName: 'Tarou', middleName: '', prefix: '', suffix: '' },
      ideographic: { familyName: '山田', givenName: '太郎', middleName: '', prefix: '', suffix: '' },
      phonetic: { familyName: 'やまだ', givenName: 'たろう', middleName: '', prefix: '', suffix: '' },
    });
    const onlyIdeographic = parsePersonName('=洪^吉洞');
    expect(onlyIdeographic.alphabetic.familyName).toBe('');
    expect(onlyIdeographic.ideographic?.familyName).toBe('洪');
    expect(onlyIdeographic.phonetic).toBeUndefined();
  });

  it('rejects more than three groups or five components', () => {
    expect(errorCodeOf(() => parsePersonName('a=b=c=d'))).toBe('CORE_INVALID_VALUE');
    expect(errorCodeOf(() => parsePersonName('a^b^c^d^e^f'))).toBe('CORE_INVALID_VALUE');
  });
});

describe('formatPersonName', () => {
  it('writes the PS3.5 example from its components, keeping the interior empty component', () => {
    expect(formatPersonName({ alphabetic: { familyName: 'Adams', givenName: 'John Robert Quincy', prefix: 'Rev.', suffix: 'B.A. M.Div.' } }))
      .toBe('Adams^John Robert Quincy^^Rev.^B.A. M.Div.');
  });

  it('leaves out trailing empty components and groups', () => {
    expect(formatPersonName({ familyName: 'Doe', givenName: 'John' })).toBe('Doe^John');
    expect(formatPersonName({ alphabetic: { familyName: 'Doe', givenName: 'John', middleName: '' }, ideographic: {} })).toBe('Doe^John');
  });

  it('writes all three groups and round-trips through parsePersonName', () => {
    const text = 'Hong^Gildong=洪^吉洞=홍^길동';
    expect(formatPersonName(parsePersonName(text))).toBe(text);
    expect(formatPersonName({ ideographic: { familyName: '山田', givenName: '太郎' } })).toBe('=山田^太郎');
  });

  it('rejects delimiters inside a component, unknown properties and groups over 64 characters', () => {
    expect(errorCodeOf(() => formatPersonName({ familyName: 'Doe^Jr' }))).toBe('CORE_INVALID_VALUE');
    expect(errorCodeOf(() => formatPersonName({ familyName: 'A=B' }))).toBe('CORE_INVALID_VALUE');
    expect(errorCodeOf(() => formatPersonName({ familyName: 'A\\B' }))).toBe('CORE_INVALID_VALUE');
    expect(errorCodeOf(() => formatPersonName({ familyname: 'Doe' } as never))).toBe('CORE_INVALID_VALUE');
    expect(errorCodeOf(() => formatPersonName({ familyName: 'x'.repeat(65) }))).toBe('CORE_INVALID_VALUE');
  });

  it('does not quote the name in its error message', () => {
    try {
      formatPersonName({ familyName: 'Secretname^X' });
    } catch (error) {
      expect((error as Error).message).not.toContain('Secretname');
    }
    expect.assertions(1);
  });
});
