import fc from 'fast-check';
import { createScrubber, likenessOf } from './_scrub.js';
import { createRegExpScrubber } from './_scrub-oracle.test-util.js';

// The compile-free scrubber must blank exactly what the regular expression it replaced blanked (the oracle,
// _scrub-oracle.test-util.ts): same case rules (simple case folding of the `iu` flags), same whole-word rule for
// identifiers under four UTF-16 units, same choice among overlapping identifiers (longest first, left to right).

/**
 * Characters chosen for the case and boundary rules: ASCII with the regular expression syntax characters, letters
 * whose lower case is not their simple case folding (long s, Kelvin sign, final sigma, beta symbol, micro sign,
 * dotted and dotless i, sharp s and its capital, Cherokee), a combining mark that folds to a letter, astral letters
 * and emoji, lone surrogates, digits of other scripts, CJK (Han, kana and the prolonged sound mark), and the PN separators.
 */
const ALPHABET = [
  'a', 'A', 'b', 'B', 'i', 'I', 'k', 'K', 's', 'S', 'x', 'X', '0', '1', '2', '9',
  ' ', '.', '-', '/', '^', '=', '*', '+', '?', '$', '(', ')', '[', ']', '{', '}', '|', '\\', ',',
  'ü', 'Ü', 'ß', '\u1E9E', '\u017F', '\u212A', 'σ', 'ς', 'Σ', '\u03D0', 'β', 'Β', '\u00B5', 'μ', '\u0130', '\u0131',
  '\u13A0', '\uAB70', '\u0345', '\u0307', '\u{10400}', '\u{10428}', '\u{1F600}', '\uD800', '\uDC00', '\u0663', '\u00B2', '中',
  '田', 'や', 'ア', 'ー',
];

const piece = fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 0, maxLength: 8 });
const vr = fc.constantFrom('PN', 'DA', 'LO', 'SH', 'UI', 'DT');
const date = fc.tuple(fc.integer({ min: 1900, max: 2099 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
  .map(([y, m, d]) => `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`);
const identifier = fc.record({ vr, values: fc.array(fc.oneof(piece, date), { minLength: 1, maxLength: 3 }), words: fc.boolean() });

/** A text made of random pieces and pieces of the identifiers, some in another case, so matches and overlaps are common. */
function textFrom(identifiers: readonly { values: readonly string[] }[]): fc.Arbitrary<string> {
  const known = identifiers.flatMap((i) => i.values).filter((v) => v !== '');
  const part = known.length === 0 ? piece : fc.oneof(
    piece,
    fc.constantFrom(...known),
    fc.tuple(fc.constantFrom(...known), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 8 })).map(([v, from, n]) => v.slice(from, from + n)),
    fc.constantFrom(...known).map((v) => v.toUpperCase()),
    fc.constantFrom(...known).map((v) => v.toLowerCase()),
  );
  return fc.array(part, { maxLength: 6 }).map((parts) => parts.join(''));
}

/** Identifiers, some preceded by prefixes of their values (so a shorter identifier is added before a longer one it starts). */
const identifiers = fc.array(identifier, { minLength: 1, maxLength: 6 }).chain((list) => fc.tuple(
  fc.array(fc.tuple(fc.constantFrom(...list.flatMap((i) => i.values)), fc.integer({ min: 2, max: 7 }), vr), { maxLength: 3 }),
  fc.constant(list),
).map(([prefixes, rest]) => [...prefixes.map(([v, n, prefixVr]) => ({ vr: prefixVr, values: [v.slice(0, n)], words: false })), ...rest]));

const scenario = identifiers
  .chain((identifiers) => fc.tuple(fc.constant(identifiers), fc.array(textFrom(identifiers), { minLength: 1, maxLength: 6 })));

describe('free-text scrubber', () => {
  it('blanks exactly what the regular expression it replaced blanked, over random identifiers and texts (fast-check)', () => {
    let changed = 0;
    fc.assert(
      fc.property(scenario, ([identifiers, texts]) => {
        const ours = createScrubber();
        const oracle = createRegExpScrubber();
        for (const i of identifiers) {
          ours.add(i.vr, i.values, i.words);
          oracle.add(i.vr, i.values, i.words);
        }
        for (const text of texts) {
          const expected = oracle.scrub(text);
          if (expected !== text) changed++;
          expect(ours.scrub(text)).toBe(expected);
        }
      }),
      { numRuns: 3000, seed: 7 },
    );
    // The property is only worth something if the oracle blanked text in a good share of the runs.
    expect(changed).toBeGreaterThan(1000);
  });

  it('adds identifiers between texts as the regular expression did (the candidates are rebuilt)', () => {
    const ours = createScrubber();
    const oracle = createRegExpScrubber();
    const texts = ['Dr Li saw Lin Smith', 'LIN, li; Smithson', 'ſmith K12 k12'];
    for (const [vrName, values] of [['PN', ['Smith^Li']], ['SH', ['k12']], ['PN', ['Lin']]] as const) {
      ours.add(vrName, values, true);
      oracle.add(vrName, values, true);
      for (const text of texts) expect(ours.scrub(text)).toBe(oracle.scrub(text));
    }
  });

  it('blanks short identifiers as whole words only and longer ones anywhere, ignoring case by simple case folding', () => {
    const scrubber = createScrubber();
    scrubber.add('PN', ['Li^Smith'], false);
    // "li" is short: not inside "Lisa" or "Oli"; "smith" is long: inside "Smithson" too. Long s (U+017F) folds to s.
    expect(scrubber.scrub('Lisa, Oli, LI, li.')).toBe('Lisa, Oli, **, **.');
    expect(scrubber.scrub('Smithson \u017Fmith')).toBe('*****son *****');
  });

  it('blanks a date (and the date of a date-time) in its common spellings, with the month spelled out too', () => {
    const scrubber = createScrubber();
    scrubber.add('DA', ['19771231'], false);
    scrubber.add('DT', ['20190305101500+0100'], false);
    expect(scrubber.scrub('dob 1977-12-31, 31.12.1977, 1977.12.31, 31 Dec 1977, 31-DEC-1977, Dec 31, 1977; seen 5 Mar 2019')).toBe(
      'dob **********, **********, **********, ***********, ***********, ************; seen **********',
    );
  });

  it('blanks short name parts in scripts written without spaces (Han, kana) wherever they occur', () => {
    const scrubber = createScrubber();
    scrubber.add('PN', ['Yamada^Tarou=山田^太郎=やまだ^たろう'], false);
    expect(scrubber.scrub('山田太郎')).toBe('****');
    expect(scrubber.scrub('Mr 山田太郎 / やまだたろう様')).toBe('Mr **** / ******様');
    // Latin parts of four letters or more anywhere as before; the Han rule leaves short Latin text alone.
    expect(scrubber.scrub('Yamadas Tarouko')).toBe('******s *****ko');
  });

  it('classes ASCII code points by arithmetic as the regular expressions with the iu flags class them', () => {
    for (let c = 0; c < 0x80; c++) {
      const ch = String.fromCodePoint(c);
      expect([c, likenessOf(c)]).toEqual([c, { asciiLetter: /^[a-z]$/iu.test(ch), asciiOther: /^[\0-@[-`{-\x7f]$/iu.test(ch), cased: /^\p{Changes_When_Casemapped}$/iu.test(ch) }]);
    }
  });
});
