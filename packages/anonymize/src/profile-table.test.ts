import { lookupTag, parseDate, type DataElement, type Dataset, type Vr } from '@dicom-tools/core';
import { ds, items, seq, str, text } from './_build.test-util.js';
import {
  anonymize, PRIVATE_RULE, PROFILE_OPTION_NAMES, PROFILE_PATTERNS, PROFILE_ROW_COUNT, PROFILE_RULES,
  type ActionCode, type BasicProfileCode, type ProfileOptionName, type ProfileRule,
} from './index.js';

// One case per row of PS3.15 Table E.1-1 (and per option cell of each row), generated from the table itself
// (src/_generated/profile-table.ts, made by scripts/generate-deid-profile.mjs from the standard's extract), never
// typed by hand. The expected outcome is what PS3.15 E.1.1 defines for the row's action code:
//   X  the attribute is absent;
//   Z  present with a zero-length value, or a non-zero dummy that differs from the original;
//   D  present, non-empty, and different from the original;
//   U  present, every UID replaced by a different (2.25) UID; for a sequence, present with its items;
//   K  present and unchanged;
//   C  present: dates moved by whole days (times kept), other values kept once cleaned.
// A Type-dependent cell (Z/D, X/Z...) is resolved here for a data set of unknown IOD, where the Type is unknown:
// the documented fallback is the Type 1 choice (D where offered, else Z; U for X/Z/U*).

const SECRET = 'table secret';
const FALLBACK: Readonly<Record<BasicProfileCode, ActionCode>> = {
  D: 'D', Z: 'Z', X: 'X', K: 'K', C: 'C', U: 'U', 'Z/D': 'D', 'X/Z': 'Z', 'X/D': 'D', 'X/Z/D': 'D', 'X/Z/U*': 'U',
};
const SAMPLE_TEXT: Readonly<Record<string, string>> = {
  AE: 'PHIAE', AS: '042Y', CS: 'PHICODE', DA: '20010203', DS: '12.5', DT: '20010203040506', IS: '42', LO: 'PHI VALUE',
  LT: 'PHI TEXT', PN: 'Phi^Person', SH: 'PHISH', ST: 'PHI ST', TM: '040506', UC: 'PHI UC', UR: 'http://phi.example/x', UT: 'PHI UT',
};

function vrOf(tag: number, rule: ProfileRule): Vr {
  const info = lookupTag(tag);
  if (info !== undefined && info.vr !== 'NONE') return info.vr;
  return /UID/.test(rule.name) ? 'UI' : 'LO'; // (0000,1000), (0000,1001): command-group UIDs, not in PS3.6's data dictionary
}

/** An element of `tag` holding a made-up value of its VR. */
function sample(tag: number, vr: Vr): DataElement {
  switch (vr) {
    case 'SQ':
      return seq(tag, ds(text(0x00080100, 'SH', 'C1'), text(0x00080104, 'LO', 'PHI ITEM')));
    case 'UI':
      return text(tag, 'UI', `1.2.3.999.${tag}`);
    case 'AT': case 'FD': case 'FL': case 'SL': case 'SS': case 'UL': case 'US':
      return { tag, vr, value: [7] };
    case 'SV': case 'UV':
      return { tag, vr, value: [7n] };
    case 'OB': case 'OD': case 'OF': case 'OL': case 'OV': case 'OW': case 'UN':
      return { tag, vr, value: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) };
    default:
      return text(tag, vr, SAMPLE_TEXT[vr]!);
  }
}

function isEmpty(e: DataElement): boolean {
  return (e.value as { length: number }).length === 0;
}

function sameValue(a: DataElement, b: DataElement): boolean {
  if (a.vr === 'SQ' || b.vr === 'SQ') return false;
  return JSON.stringify(a.value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? [...v] : v)) ===
    JSON.stringify(b.value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? [...v] : v));
}

const dayNumber = (s: string): number => {
  const d = parseDate(s.slice(0, 8));
  return Date.UTC(d.year, d.month - 1, d.day) / 86_400_000;
};

/** Asserts that `after` (the element once anonymized, or undefined) is what `code` requires of `before`. */
function expectOutcome(code: ActionCode, before: DataElement, after: DataElement | undefined, label: string): void {
  const where = `${label}: ${code}`;
  if (code === 'X') {
    expect({ where, present: after !== undefined }).toEqual({ where, present: false });
    return;
  }
  expect({ where, present: after !== undefined }).toEqual({ where, present: true });
  const a = after!;
  switch (code) {
    case 'Z':
      expect({ where, ok: isEmpty(a) || !sameValue(a, before) }).toEqual({ where, ok: true });
      break;
    case 'D':
      expect({ where, ok: !isEmpty(a) && (a.vr === 'SQ' || !sameValue(a, before)) }).toEqual({ where, ok: true });
      if (a.vr === 'SQ') expect({ where, meaning: str(a.value[0]!, 0x00080104) }).not.toEqual({ where, meaning: 'PHI ITEM' });
      break;
    case 'U':
      if (a.vr === 'UI') {
        expect({ where, ok: /^2\.25\.[1-9][0-9]*$/.test((a.value as string[])[0]!) && !sameValue(a, before) }).toEqual({ where, ok: true });
      } else {
        expect({ where, items: a.vr === 'SQ' ? a.value.length : -1 }).toEqual({ where, items: 1 });
      }
      break;
    case 'K':
      if (a.vr === 'SQ') expect({ where, meaning: str(a.value[0]!, 0x00080104) }).toEqual({ where, meaning: 'PHI ITEM' });
      else expect({ where, same: sameValue(a, before) }).toEqual({ where, same: true });
      break;
    case 'C':
      if (a.vr === 'DA' || a.vr === 'DT') {
        const shift = dayNumber((a.value as string[])[0]!) - dayNumber((before.value as string[])[0]!);
        expect({ where, shifted: shift >= -3650 && shift <= -365 }).toEqual({ where, shifted: true });
      } else if (a.vr !== 'SQ') {
        expect({ where, same: sameValue(a, before) }).toEqual({ where, same: true });
      }
      break;
  }
}

function run(input: DataElement, options: readonly ProfileOptionName[], extra: readonly DataElement[] = []): Dataset {
  return anonymize(ds(...extra, input), { secret: SECRET, options }).dataset;
}

interface Case {
  readonly label: string;
  readonly tag: number;
  readonly rule: ProfileRule;
}

const single: Case[] = Object.entries(PROFILE_RULES).map(([tag, rule]) => ({ label: `${rule.name} (${Number(tag).toString(16).padStart(8, '0')})`, tag: Number(tag), rule }));
const patterns: Case[] = PROFILE_PATTERNS.flatMap((p) => {
  // Two groups of the range for each pattern: the first and the last even group, and for (50xx,xxxx) two elements.
  const groups = [p.value >>> 16, (p.value >>> 16) + 0x1e];
  const elements = p.mask === 0xff000000 ? [0x3000, 0x0005] : [p.value & 0xffff];
  return groups.flatMap((g) => elements.map((e) => ({ label: `${p.rule.name} ${p.id} as (${g.toString(16)},${e.toString(16).padStart(4, '0')})`, tag: ((g << 16) | e) >>> 0, rule: p.rule })));
});

describe('PS3.15 Table E.1-1, row by row', () => {
  it('has every row of the standard\'s table: single tags, repeating-group patterns and the private row', () => {
    expect(Object.keys(PROFILE_RULES).length + PROFILE_PATTERNS.length + 1).toBe(PROFILE_ROW_COUNT);
    expect(PROFILE_ROW_COUNT).toBe(621);
    expect(PRIVATE_RULE).toMatchObject({ basic: 'X', retainSafePrivate: 'C' });
  });

  it.each([...single, ...patterns].map((c) => [c.label, c] as const))('applies the Basic Profile to %s', (_label, c) => {
    const vr = vrOf(c.tag, c.rule);
    const before = sample(c.tag, vr);
    const out = run(before, []);
    expectOutcome(FALLBACK[c.rule.basic], before, out.elements.get(c.tag), c.label);
  });

  const optionCases = [...single, ...patterns].flatMap((c) => PROFILE_OPTION_NAMES.filter((o) => c.rule[o] !== undefined).map((o) => [`${c.label} with ${o}`, c, o] as const));
  it.each(optionCases)('applies the option column to %s', (_label, c, option) => {
    const vr = vrOf(c.tag, c.rule);
    const before = sample(c.tag, vr);
    const out = run(before, [option]);
    expectOutcome(c.rule[option]!, before, out.elements.get(c.tag), `${c.label} with ${option}`);
  });

  it('applies the private row: X by default, and with retainSafePrivate keeps the safe attributes (C) only', () => {
    const creator = text(0x00430010, 'LO', 'GEMS_PARM_01');
    const safe = text(0x00431039, 'IS', '3'); // (0043,xx39) under GEMS_PARM_01 is on Table E.3.10-1
    const unsafe = text(0x00431028, 'LO', 'NOT ON THE LIST');
    expect(run(safe, [], [creator]).elements.has(0x00431039)).toBe(false);
    const kept = run(safe, ['retainSafePrivate'], [creator, unsafe]);
    expect(str(kept, 0x00431039)).toBe('3');
    expect(kept.elements.has(0x00431028)).toBe(false);
  });

  it('walks into every sequence: a row is applied inside nested items as at the top level', () => {
    const nested = ds(seq(0x00081032, ds(seq(0x00400260, ds(text(0x00100040, 'CS', 'M'), text(0x00101040, 'LO', 'Addr'))))));
    const inner = items(items(anonymize(nested, { secret: SECRET }).dataset, 0x00081032)[0]!, 0x00400260)[0]!;
    expect(inner.elements.get(0x00100040)!.value).toEqual([]); // Patient's Sex: Z
    expect(inner.elements.has(0x00101040)).toBe(false); // Patient's Address: X
  });
});
