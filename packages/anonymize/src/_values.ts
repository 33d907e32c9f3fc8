import { isEncapsulated, parseDate, parseDateTime, type DataElement, type TextElement } from '@dicom-tools/core';

/** The dummy text PS3.15's D and Z allow, per text VR (valid for the VR, non-empty). UI is remapped instead. */
const DUMMY_TEXT: Readonly<Record<string, string>> = {
  AE: 'ANONYMIZED', AS: '000Y', CS: 'ANONYMIZED', DA: '19000101', DS: '0', DT: '19000101000000', IS: '0', LO: 'ANONYMIZED',
  LT: 'ANONYMIZED', PN: 'ANONYMIZED', SH: 'ANONYMIZED', ST: 'ANONYMIZED', TM: '000000', UC: 'ANONYMIZED', UR: 'urn:anonymized', UT: 'ANONYMIZED',
};

/** VRs that carry free text (names, descriptions, addresses, labels), as opposed to codes, numbers and UIDs. */
export const FREE_TEXT_VRS: ReadonlySet<string> = new Set(['AE', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT']);

/** A new text element with `values` (no `raw` bytes: the writer encodes the new text). */
export function withText(element: TextElement, values: readonly string[]): TextElement {
  return { tag: element.tag, vr: element.vr, value: values };
}

/** The element with a zero-length value (Z). */
export function zeroLength(element: DataElement): DataElement {
  if (isEncapsulated(element)) return { tag: element.tag, vr: element.vr, value: new Uint8Array(0) };
  switch (element.vr) {
    case 'SQ':
      return { tag: element.tag, vr: 'SQ', value: [] };
    case 'OB': case 'OD': case 'OF': case 'OL': case 'OV': case 'OW': case 'UN':
      return { tag: element.tag, vr: element.vr, value: new Uint8Array(0) };
    case 'AT': case 'FD': case 'FL': case 'SL': case 'SS': case 'UL': case 'US':
      return { tag: element.tag, vr: element.vr, value: [] };
    case 'SV': case 'UV':
      return { tag: element.tag, vr: element.vr, value: [] };
    default:
      return { tag: element.tag, vr: element.vr, value: [] };
  }
}

/**
 * The element with a dummy value consistent with its VR (D): one dummy per original value (at least one), zeros
 * for numbers, zero bytes of the same length for binary values. Not for SQ or UI (the caller recurses or remaps).
 */
export function dummy(element: DataElement): DataElement {
  if (isEncapsulated(element)) return { tag: element.tag, vr: element.vr, value: new Uint8Array(0) };
  switch (element.vr) {
    case 'SQ': case 'UI':
      throw new Error(`dummy() is not for ${element.vr}`);
    case 'OB': case 'OD': case 'OF': case 'OL': case 'OV': case 'OW': case 'UN':
      return { tag: element.tag, vr: element.vr, value: new Uint8Array(element.value.length) };
    case 'AT': case 'FD': case 'FL': case 'SL': case 'SS': case 'UL': case 'US':
      return { tag: element.tag, vr: element.vr, value: element.value.length > 0 ? element.value.map(() => 0) : [0] };
    case 'SV': case 'UV':
      return { tag: element.tag, vr: element.vr, value: element.value.length > 0 ? element.value.map(() => 0n) : [0n] };
    default: {
      const text = DUMMY_TEXT[element.vr] ?? 'ANONYMIZED';
      const count = element.vr === 'LT' || element.vr === 'ST' || element.vr === 'UT' || element.vr === 'UR' ? 1 : Math.max(1, element.value.length);
      return { tag: element.tag, vr: element.vr, value: Array.from({ length: count }, () => text) };
    }
  }
}

/** The values of an element as text for a report: text as is, numbers in decimal, bytes as `<n bytes>`. */
export function valuesForReport(element: DataElement): readonly string[] {
  if (isEncapsulated(element)) return [`<${element.value.fragments.reduce((n, f) => n + f.length, 0)} bytes>`];
  if (element.vr === 'SQ') return [`<${element.value.length} items>`];
  if (element.value instanceof Uint8Array) return [`<${element.value.length} bytes>`];
  return (element.value as readonly (string | number | bigint)[]).map(String);
}

const DAY_MS = 86_400_000;

/** The date `yyyy`,`mm`,`dd` moved by `days`, as [year, month, day]; undefined outside years 0001-9999. */
function addDays(year: number, month: number, day: number, days: number): [number, number, number] | undefined {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setTime(d.getTime() + days * DAY_MS);
  const y = d.getUTCFullYear();
  if (y < 1 || y > 9999) return undefined;
  return [y, d.getUTCMonth() + 1, d.getUTCDate()];
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** One DA value moved by `days` (`YYYYMMDD`; the ACR-NEMA `YYYY.MM.DD` is read too), or undefined if not a date. */
function shiftDa(text: string, days: number): string | undefined {
  let date;
  try {
    date = parseDate(text);
  } catch {
    return undefined;
  }
  const moved = addDays(date.year, date.month, date.day, days);
  return moved && pad(moved[0], 4) + pad(moved[1], 2) + pad(moved[2], 2);
}

/**
 * One DT value moved by `days`: only the date digits change; the time, fraction and UTC offset are kept as written.
 * A DT of year or year-month precision is moved as its first day is and keeps its precision.
 */
function shiftDt(text: string, days: number): string | undefined {
  const s = text.trim();
  let dt;
  try {
    dt = parseDateTime(s);
  } catch {
    return undefined;
  }
  const moved = addDays(dt.year, dt.month ?? 1, dt.day ?? 1, days);
  if (moved === undefined) return undefined;
  const digits = dt.day !== undefined ? 8 : dt.month !== undefined ? 6 : 4;
  return (pad(moved[0], 4) + pad(moved[1], 2) + pad(moved[2], 2)).slice(0, digits) + s.slice(digits);
}

/**
 * A DA or DT value moved by `days` (DA ranges `A-B` move both ends), or undefined when the value cannot be read
 * as a date. TM values are returned unchanged: a shift of whole days leaves the time of day as it was.
 */
export function shiftDateValue(vr: string, text: string, days: number): string | undefined {
  if (text === '') return '';
  if (vr === 'TM') return text;
  if (vr === 'DT') return shiftDt(text, days);
  if (vr !== 'DA') return undefined;
  if (text.includes('-')) {
    const parts = text.split('-');
    if (parts.length !== 2) return undefined;
    const moved = parts.map((p) => (p === '' ? '' : shiftDa(p, days)));
    return moved.includes(undefined) ? undefined : moved.join('-');
  }
  return shiftDa(text, days);
}
