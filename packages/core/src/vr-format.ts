import type { TextVr } from './vr.js';

/** Why one text value breaks the rules of its VR (PS3.5 section 6.2). */
export interface ValueProblem {
  /** Stable rule id: `vr-format-XX` for a value of the wrong form, `vr-length-XX` for one too long (XX = the VR). */
  readonly rule: string;
  /** What is wrong, for people. Never quotes the value itself (it may be patient data). */
  readonly message: string;
}

/** Maximum length of one value in characters (PS3.5 Table 6.2-1); PN is per component group. AS, DA, DT, TM are listed for reference. */
const MAX_CHARS: Readonly<Partial<Record<TextVr, number>>> = {
  AE: 16, AS: 4, CS: 16, DA: 8, DS: 16, DT: 26, IS: 12, LO: 64, LT: 10240, PN: 64, SH: 16, ST: 1024, TM: 14, UI: 64,
  UC: 0xfffffffe, UR: 0xfffffffe, UT: 0xfffffffe,
};

const ESC = 0x1b;
/** Control characters the free-text VRs LT, ST and UT may hold: TAB, LF, FF, CR and ESC (PS3.5 6.1.3, 6.2). */
const TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0c, 0x0d, ESC]);

function problem(kind: 'format' | 'length', vr: TextVr, message: string): ValueProblem {
  return { rule: `vr-${kind}-${vr}`, message };
}

function codePointLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** The first control character (other than `allowed`) in `value`, as a code, or -1. */
function firstControl(value: string, allowed: ReadonlySet<number>): number {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 || c === 0x7f) && !allowed.has(c)) return c;
  }
  return -1;
}

function hex(c: number): string {
  return `0x${c.toString(16).toUpperCase().padStart(2, '0')}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Checks the YYYY[MM[DD]] part of a DA or DT value; returns what is wrong or undefined. */
function dateProblem(year: string, month: string | undefined, day: string | undefined): string | undefined {
  if (month === undefined) return undefined;
  const m = Number(month);
  if (m < 1 || m > 12) return `month ${month} is not 01-12`;
  if (day === undefined) return undefined;
  const d = Number(day);
  if (d < 1 || d > daysInMonth(Number(year), m)) return `day ${day} does not exist in ${year}-${month}`;
  return undefined;
}

/** Checks HH[MM[SS]] of a TM or DT value (SS may be 60 for a leap second). */
function timeProblem(hh: string | undefined, mm: string | undefined, ss: string | undefined): string | undefined {
  if (hh !== undefined && Number(hh) > 23) return `hour ${hh} is not 00-23`;
  if (mm !== undefined && Number(mm) > 59) return `minute ${mm} is not 00-59`;
  if (ss !== undefined && Number(ss) > 60) return `second ${ss} is not 00-60`;
  return undefined;
}

const TM_RE = /^(\d{2})(?:(\d{2})(?:(\d{2})(?:\.\d{1,6})?)?)?$/;
const DT_RE = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.\d{1,6})?)?)?)?)?)?([+-]\d{4})?$/;
const DS_RE = /^ *[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)? *$/;
const IS_RE = /^ *[+-]?\d+ *$/;
/** Characters RFC 3986 allows in a URI (unreserved, reserved and `%`). */
const UR_RE = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;

function checkFormat(vr: TextVr, value: string): ValueProblem | undefined {
  switch (vr) {
    case 'AE': {
      const c = firstControl(value, new Set());
      if (c >= 0) return problem('format', vr, `control character ${hex(c)} is not allowed in AE`);
      if (value.includes('\\')) return problem('format', vr, 'backslash is not allowed in AE');
      if (/[^\x20-\x7e]/.test(value)) return problem('format', vr, 'AE must use the default character repertoire');
      if (value.trim() === '') return problem('format', vr, 'AE must not be all spaces');
      return undefined;
    }
    case 'AS':
      return /^\d{3}[DWMY]$/.test(value) ? undefined : problem('format', vr, 'AS must be nnnD, nnnW, nnnM or nnnY');
    case 'CS':
      return /^[A-Z0-9 _]*$/.test(value) ? undefined : problem('format', vr, 'CS allows only upper-case letters, digits, space and underscore');
    case 'DA': {
      const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value.trimEnd());
      if (!m) return problem('format', vr, 'DA must be YYYYMMDD');
      const why = dateProblem(m[1]!, m[2], m[3]);
      return why === undefined ? undefined : problem('format', vr, `DA is not a valid date: ${why}`);
    }
    case 'DS': {
      if (!DS_RE.test(value)) return problem('format', vr, 'DS must be a decimal number (digits, optional sign, point and exponent)');
      return Number.isFinite(Number(value)) ? undefined : problem('format', vr, 'DS is out of the range of a double');
    }
    case 'DT': {
      const m = DT_RE.exec(value.trimEnd());
      if (!m) return problem('format', vr, 'DT must be YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX]');
      const why = dateProblem(m[1]!, m[2], m[3]) ?? timeProblem(m[4], m[5], m[6]);
      if (why !== undefined) return problem('format', vr, `DT is not a valid date-time: ${why}`);
      const offset = m[7];
      if (offset !== undefined) {
        const minutes = Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5));
        const signed = offset.startsWith('-') ? -minutes : minutes;
        if (Number(offset.slice(3, 5)) > 59 || signed < -12 * 60 || signed > 14 * 60) {
          return problem('format', vr, 'DT offset must be between -1200 and +1400');
        }
      }
      return undefined;
    }
    case 'IS': {
      if (!IS_RE.test(value)) return problem('format', vr, 'IS must be an integer (digits with an optional sign)');
      const n = Number(value);
      return n >= -(2 ** 31) && n <= 2 ** 31 - 1 ? undefined : problem('format', vr, 'IS is outside -2^31..2^31-1');
    }
    case 'TM': {
      const m = TM_RE.exec(value.trimEnd());
      if (!m) return problem('format', vr, 'TM must be HH[MM[SS[.F{1,6}]]]');
      const why = timeProblem(m[1], m[2], m[3]);
      return why === undefined ? undefined : problem('format', vr, `TM is not a valid time: ${why}`);
    }
    case 'UI': {
      if (!/^[0-9.]*$/.test(value)) return problem('format', vr, 'UI allows only digits and dots');
      const components = value.split('.');
      for (const component of components) {
        if (component === '') return problem('format', vr, 'UI has an empty component');
        if (component.length > 1 && component.startsWith('0')) return problem('format', vr, 'UI component has a leading zero');
      }
      // A UID is an ISO/ITU-T object identifier (PS3.5 9.1): the first arc is 0, 1 or 2, and under 0 or 1 the second is at most 39.
      const first = components[0]!;
      if (first !== '0' && first !== '1' && first !== '2') return problem('format', vr, 'UI root must start with arc 0, 1 or 2');
      const second = components[1];
      if (first !== '2' && second !== undefined && (second.length > 2 || Number(second) > 39)) {
        return problem('format', vr, 'UI second arc must be at most 39 under root 0 or 1');
      }
      if (components.every((c) => c === '0')) return problem('format', vr, 'UI has nothing but zero components');
      return undefined;
    }
    case 'UR':
      if (value.startsWith(' ')) return problem('format', vr, 'UR must not start with a space');
      return UR_RE.test(value.trimEnd()) ? undefined : problem('format', vr, 'UR has a character RFC 3986 does not allow in a URI');
    case 'LO': case 'SH': case 'UC': case 'PN': {
      const c = firstControl(value, new Set([ESC]));
      if (c >= 0) return problem('format', vr, `control character ${hex(c)} is not allowed in ${vr}`);
      if (value.includes('\\')) return problem('format', vr, `backslash is not allowed in one ${vr} value`);
      if (vr === 'PN') return personNameProblem(value);
      return undefined;
    }
    case 'LT': case 'ST': case 'UT': {
      const c = firstControl(value, TEXT_CONTROLS);
      return c >= 0 ? problem('format', vr, `control character ${hex(c)} is not allowed in ${vr}`) : undefined;
    }
    default:
      return undefined;
  }
}

function personNameProblem(value: string): ValueProblem | undefined {
  const groups = value.split('=');
  if (groups.length > 3) return problem('format', 'PN', `PN has ${groups.length} component groups; at most 3 are allowed`);
  for (const group of groups) {
    const components = group.split('^').length;
    if (components > 5) return problem('format', 'PN', `PN group has ${components} components; at most 5 are allowed`);
    if (codePointLength(group) > 64) return problem('length', 'PN', 'PN component group is longer than 64 characters');
  }
  return undefined;
}

/**
 * Checks the form and length of ONE value of a text VR against PS3.5 section 6.2 (for example UI: digits and
 * dots, no leading zeros, at most 64 characters; DA: a real YYYYMMDD date). `value` is one value as held in a
 * {@link TextElement} (trailing padding removed, no backslash delimiters). An empty value is always accepted:
 * whether an attribute may be empty is a question of its Type, not its VR. Range matching forms (`A-B`) used in
 * queries are not accepted. Returns the first problem found, or undefined when the value is fine.
 */
export function checkTextValue(vr: TextVr, value: string): ValueProblem | undefined {
  if (value === '') return undefined;
  const max = MAX_CHARS[vr];
  // PN limits each component group; the patterns of AS, DA, DT and TM bound their length, and a value such as
  // `1997.04.24` is better reported as the wrong form than as too long.
  if (max !== undefined && vr !== 'PN' && vr !== 'AS' && vr !== 'DA' && vr !== 'DT' && vr !== 'TM') {
    const length = max < 0x10000 ? codePointLength(value) : value.length;
    if (length > max) return problem('length', vr, `${vr} value has ${length} characters; at most ${max} are allowed`);
  }
  return checkFormat(vr, value);
}

/**
 * True when `count` values satisfy a PS3.6 value multiplicity such as `1`, `1-3`, `1-n`, `2-2n`, `3-3n` or
 * `2-n` (`1-n or 1` reads as `1-n`). A count of 0 (an empty, zero-length value) always satisfies: emptiness is
 * judged by the attribute's Type. An unrecognised VM string accepts any count.
 */
export function checkVm(vm: string, count: number): boolean {
  if (count === 0) return true;
  const spec = vm.split(' or ')[0]!.trim();
  let m = /^(\d+)$/.exec(spec);
  if (m) return count === Number(m[1]);
  m = /^(\d+)-(\d+)$/.exec(spec);
  if (m) return count >= Number(m[1]) && count <= Number(m[2]);
  m = /^(\d+)-(\d*)n$/.exec(spec);
  if (m) {
    const min = Number(m[1]);
    const step = m[2] === '' ? 1 : Number(m[2]);
    return count >= min && (step <= 1 || count % step === 0);
  }
  return true;
}
