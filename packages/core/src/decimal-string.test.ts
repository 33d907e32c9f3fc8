import { errorCodeOf } from '@dicom-tools/test-fixtures';
import { checkTextValue, formatDecimalString, formatIntegerString } from './index.js';

// PS3.5 Table 6.2-1: DS is a fixed or floating point number ("0"-"9", "+", "-", "E", "e", ".") of at most 16
// bytes; IS is an integer with -2^31 <= n <= 2^31 - 1, at most 12 bytes.

describe('formatDecimalString', () => {
  it('writes short numbers exactly', () => {
    expect(formatDecimalString(0)).toBe('0');
    expect(formatDecimalString(-0)).toBe('0');
    expect(formatDecimalString(-125.5)).toBe('-125.5');
    expect(formatDecimalString(0.5)).toBe('0.5');
    expect(formatDecimalString(1e-7)).toBe('1e-7');
    expect(formatDecimalString(123456)).toBe('123456');
  });

  it('rounds 0.1 + 0.2 to 0.3 rather than writing 17 significant digits', () => {
    expect(formatDecimalString(0.1 + 0.2)).toBe('0.3');
  });

  it.each([1 / 3, Math.PI, -Math.PI * 1e-9, 1.7976931348623157e308, 5e-324, 12345678901234567890, -0.000012345678901234567, 2 ** 53 + 0.5, 0.1 + 0.7])(
    'writes %p as a valid DS of at most 16 characters that is within rounding of the number',
    (n) => {
      const text = formatDecimalString(n);
      expect(text.length).toBeLessThanOrEqual(16);
      expect(checkTextValue('DS', text)).toBeUndefined();
      const back = Number(text);
      expect(Math.abs(back - n)).toBeLessThanOrEqual(Math.abs(n) * 1e-8);
    },
  );

  it('keeps as many significant digits as fit in 16 characters', () => {
    // 1/3 in fixed notation: "0." plus 14 digits is 16 characters.
    expect(formatDecimalString(1 / 3)).toBe('0.33333333333333');
    expect(formatDecimalString(Math.PI)).toBe('3.14159265358979');
  });

  it.each([NaN, Infinity, -Infinity])('rejects %p with CORE_INVALID_VALUE', (n) => {
    expect(errorCodeOf(() => formatDecimalString(n))).toBe('CORE_INVALID_VALUE');
  });
});

describe('formatIntegerString', () => {
  it('writes whole numbers from -2^31 to 2^31-1, numbers or bigints', () => {
    expect(formatIntegerString(-2147483648)).toBe('-2147483648');
    expect(formatIntegerString(2147483647)).toBe('2147483647');
    expect(formatIntegerString(42n)).toBe('42');
    expect(formatIntegerString(-0)).toBe('0');
  });

  it.each([2147483648, -2147483649, 2.5, NaN, 2n ** 40n])('rejects %p with CORE_INVALID_VALUE', (n) => {
    expect(errorCodeOf(() => formatIntegerString(n))).toBe('CORE_INVALID_VALUE');
  });
});
