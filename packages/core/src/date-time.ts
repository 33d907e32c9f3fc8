import { DicomError } from './errors.js';
import type { TextVr } from './vr.js';
import { checkTextValue } from './vr-format.js';

/** A DA value (PS3.5 6.2): a calendar date with no time zone. `month` is 1-12. */
export interface DicomDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** A TM value: the hour and, when the value has them, minute, second and microseconds (0-999999). */
export interface DicomTime {
  readonly hour: number;
  readonly minute?: number;
  readonly second?: number;
  readonly microsecond?: number;
}

/**
 * A DT value: the year and, when the value has them, the following components (each present only when the one
 * before it is), plus the UTC offset `&ZZXX` in minutes when the value has one.
 */
export interface DicomDateTime {
  readonly year: number;
  readonly month?: number;
  readonly day?: number;
  readonly hour?: number;
  readonly minute?: number;
  readonly second?: number;
  readonly microsecond?: number;
  /** Offset from UTC in minutes (`+0100` is 60), -720 to 840. */
  readonly utcOffsetMinutes?: number;
}

/** An AS value (`018M`): a number of days, weeks, months or years, 0-999. */
export interface DicomAge {
  readonly value: number;
  readonly unit: 'D' | 'W' | 'M' | 'Y';
}

function invalid(vr: TextVr, why: string): DicomError {
  return new DicomError('CORE_INVALID_VALUE', `not a valid ${vr} value: ${why}`);
}

/** Checks `text` against its VR, throwing CORE_INVALID_VALUE with the rule's message (never the value). */
function check(vr: TextVr, text: string): void {
  const problem = checkTextValue(vr, text);
  if (problem !== undefined) throw invalid(vr, problem.message);
  if (text === '') throw invalid(vr, `${vr} value is empty`);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function microFromFraction(fraction: string | undefined): number | undefined {
  return fraction === undefined ? undefined : Number(fraction.padEnd(6, '0'));
}

function fractionFromMicro(micro: number): string {
  const digits = pad(micro, 6).replace(/0+$/, '');
  return digits === '' ? '0' : digits;
}

function isWhole(n: unknown, min: number, max: number): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
}

/**
 * Parses a DA value `YYYYMMDD` (`19930822` is 22 August 1993, PS3.5 Table 6.2-1). The ACR-NEMA form
 * `YYYY.MM.DD` is read too. Throws CORE_INVALID_VALUE for anything else, including dates that do not exist.
 */
export function parseDate(text: string): DicomDate {
  let s = text.trim();
  const legacy = /^(\d{4})\.(\d{2})\.(\d{2})$/.exec(s);
  if (legacy) s = legacy[1]! + legacy[2]! + legacy[3]!;
  check('DA', s);
  return { year: Number(s.slice(0, 4)), month: Number(s.slice(4, 6)), day: Number(s.slice(6, 8)) };
}

/** Writes a date as a DA value `YYYYMMDD`. Throws CORE_INVALID_VALUE for a date that does not exist. */
export function formatDate(date: DicomDate): string {
  if (!isWhole(date.year, 0, 9999) || !isWhole(date.month, 1, 12) || !isWhole(date.day, 1, 31)) {
    throw invalid('DA', 'year must be 0-9999, month 1-12 and day 1-31, all whole numbers');
  }
  const text = pad(date.year, 4) + pad(date.month, 2) + pad(date.day, 2);
  check('DA', text);
  return text;
}

const TM_RE = /^(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,6}))?)?)?$/;

/**
 * Parses a TM value `HH[MM[SS[.F{1,6}]]]` (`070907.0705` is 7:09:07.0705, PS3.5 Table 6.2-1). The ACR-NEMA
 * form `HH:MM:SS.frac` is read too. Throws CORE_INVALID_VALUE otherwise.
 */
export function parseTime(text: string): DicomTime {
  let s = text.trim();
  const legacy = /^(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?$/.exec(s);
  if (legacy) s = legacy[1]! + legacy[2]! + (legacy[3] ?? '') + (legacy[4] ?? '');
  check('TM', s);
  const m = TM_RE.exec(s)!;
  const micro = microFromFraction(m[4]);
  return {
    hour: Number(m[1]),
    ...(m[2] !== undefined ? { minute: Number(m[2]) } : {}),
    ...(m[3] !== undefined ? { second: Number(m[3]) } : {}),
    ...(micro !== undefined ? { microsecond: micro } : {}),
  };
}

/** Writes HH[MM[SS[.F]]] for the components present; throws unless each present one follows the one before. */
function formatClock(vr: TextVr, t: { hour?: number; minute?: number; second?: number; microsecond?: number }): string {
  const parts: [string, number | undefined, number, number, number][] = [
    ['hour', t.hour, 0, 23, 2], ['minute', t.minute, 0, 59, 2], ['second', t.second, 0, 60, 2], ['microsecond', t.microsecond, 0, 999999, 6],
  ];
  let text = '';
  let missing: string | undefined;
  for (const [name, value, min, max, width] of parts) {
    if (value === undefined) {
      missing ??= name;
      continue;
    }
    if (missing !== undefined) throw invalid(vr, `${name} is given without ${missing}`);
    if (!isWhole(value, min, max)) throw invalid(vr, `${name} must be a whole number ${min}-${max}`);
    text += name === 'microsecond' ? `.${fractionFromMicro(value)}` : pad(value, width);
  }
  return text;
}

/** Writes a time as a TM value; only the components present are written (`{hour: 10, minute: 10}` is `1010`). */
export function formatTime(time: DicomTime): string {
  if (time.hour === undefined) throw invalid('TM', 'hour is required');
  const text = formatClock('TM', time);
  check('TM', text);
  return text;
}

const DT_RE = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,6}))?([+-]\d{4})?$/;

/**
 * Parses a DT value `YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX]` (PS3.5 Table 6.2-1). Throws CORE_INVALID_VALUE
 * for anything else.
 */
export function parseDateTime(text: string): DicomDateTime {
  const s = text.trim();
  check('DT', s);
  const m = DT_RE.exec(s);
  if (!m) throw invalid('DT', 'DT must be YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX]');
  const names = ['year', 'month', 'day', 'hour', 'minute', 'second'] as const;
  const out: Record<string, number> = {};
  names.forEach((name, i) => {
    const digits = m[i + 1];
    if (digits !== undefined) out[name] = Number(digits);
  });
  const micro = microFromFraction(m[7]);
  if (micro !== undefined) out.microsecond = micro;
  const offset = m[8];
  if (offset !== undefined) {
    const minutes = Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5));
    out.utcOffsetMinutes = offset.startsWith('-') ? -minutes : minutes;
  }
  return out as unknown as DicomDateTime;
}

/** Writes a date-time as a DT value, with only the components present and the UTC offset when given. */
export function formatDateTime(dateTime: DicomDateTime): string {
  const d = dateTime;
  if (!isWhole(d.year, 0, 9999)) throw invalid('DT', 'year must be a whole number 0-9999');
  let text = pad(d.year, 4);
  const dateParts: [string, number | undefined, number][] = [['month', d.month, 12], ['day', d.day, 31]];
  let missing: string | undefined;
  for (const [name, value, max] of dateParts) {
    if (value === undefined) {
      missing ??= name;
      continue;
    }
    if (missing !== undefined) throw invalid('DT', `${name} is given without ${missing}`);
    if (!isWhole(value, 1, max)) throw invalid('DT', `${name} must be a whole number 1-${max}`);
    text += pad(value, 2);
  }
  const hasClock = d.hour !== undefined || d.minute !== undefined || d.second !== undefined || d.microsecond !== undefined;
  if (hasClock && missing !== undefined) throw invalid('DT', `a time is given without ${missing}`);
  if (hasClock) text += formatClock('DT', d);
  if (d.utcOffsetMinutes !== undefined) {
    const o = d.utcOffsetMinutes;
    if (!isWhole(o, -720, 840)) throw invalid('DT', 'utcOffsetMinutes must be a whole number -720 to 840');
    const abs = Math.abs(o);
    text += (o < 0 ? '-' : '+') + pad(Math.floor(abs / 60), 2) + pad(abs % 60, 2);
  }
  check('DT', text);
  return text;
}

/** Parses an AS value `nnnD`, `nnnW`, `nnnM` or `nnnY` (`018M` is 18 months). Throws CORE_INVALID_VALUE otherwise. */
export function parseAge(text: string): DicomAge {
  const s = text.trim();
  check('AS', s);
  return { value: Number(s.slice(0, 3)), unit: s.charAt(3) as DicomAge['unit'] };
}

/** Writes an age as an AS value (`{ value: 18, unit: 'M' }` is `018M`). */
export function formatAge(age: DicomAge): string {
  if (!isWhole(age.value, 0, 999)) throw invalid('AS', 'value must be a whole number 0-999');
  if (!['D', 'W', 'M', 'Y'].includes(age.unit)) throw invalid('AS', 'unit must be D, W, M or Y');
  const text = pad(age.value, 3) + age.unit;
  check('AS', text);
  return text;
}
