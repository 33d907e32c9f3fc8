import { DicomError } from './errors.js';

/** Longest DS value, in characters (PS3.5 Table 6.2-1). */
const DS_MAX = 16;

/** Removes trailing zeros of a mantissa and the `+` of an exponent: `1.2300e+5` -> `1.23e5`. */
function tidy(text: string): string {
  const [mantissa = '', exponent] = text.split('e');
  const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  return exponent === undefined ? m : `${m}e${exponent.replace(/^\+/, '')}`;
}

/**
 * Writes a number as a DS value of at most 16 characters (PS3.5 Table 6.2-1), keeping as many significant
 * digits as fit: the shortest exact form when it fits, else the number rounded, in fixed or exponent notation
 * (`1e-7`, `3.14159265358979`). Throws CORE_INVALID_VALUE for NaN and infinities, which DS cannot hold.
 */
export function formatDecimalString(value: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new DicomError('CORE_INVALID_VALUE', 'DS cannot hold NaN, infinity or a non-number');
  }
  const n = Object.is(value, -0) ? 0 : value;
  const shortest = tidy(String(n));
  if (shortest.length <= DS_MAX) return shortest;
  for (let digits = 16; digits >= 1; digits--) {
    const fixed = tidy(n.toPrecision(digits));
    if (fixed.length <= DS_MAX && Number.isFinite(Number(fixed))) return fixed;
    const exponent = tidy(n.toExponential(digits - 1));
    if (exponent.length <= DS_MAX && Number.isFinite(Number(exponent))) return exponent;
  }
  throw new DicomError('CORE_INVALID_VALUE', 'number cannot be written as a DS value');
}

/** Smallest and largest IS values (PS3.5 Table 6.2-1). */
const IS_MIN = -(2 ** 31);
const IS_MAX = 2 ** 31 - 1;

/**
 * Writes a whole number as an IS value. Throws CORE_INVALID_VALUE for a fraction or a number outside
 * -2^31..2^31-1 (PS3.5 Table 6.2-1).
 */
export function formatIntegerString(value: number | bigint): string {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < IS_MIN || n > IS_MAX) {
    throw new DicomError('CORE_INVALID_VALUE', 'IS must be a whole number from -2147483648 to 2147483647');
  }
  return String(Object.is(n, -0) ? 0 : n);
}
