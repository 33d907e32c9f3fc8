// Test-only (excluded from the build): the free-text scrubber as it was before it stopped compiling one regular
// expression per identifier set, kept verbatim (less the pattern cache, which never changed a result; plus the
// rule for names in scripts without spaces and the added date spellings, added to both in session 6) as the oracle that scrub.test.ts compares
// the compile-free scrubber with.
import type { Scrubber } from './_scrub.js';

const MIN_TOKEN = 3;
const MIN_WORD = 4;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function dateSpellings(value: string): string[] {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (!m) return [value];
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  const spellings = [value, `${y}-${mo}-${d}`, `${d}.${mo}.${y}`, `${mo}/${d}/${y}`, `${d}/${mo}/${y}`, `${y}/${mo}/${d}`, `${y}.${mo}.${d}`];
  // With the month's English abbreviation (case is ignored when matching): 31 Dec 1977, 31-Dec-1977, Dec 31, 1977.
  const month = MONTHS[Number(mo) - 1];
  if (month !== undefined) {
    for (const day of new Set([d, String(Number(d))])) spellings.push(`${day} ${month} ${y}`, `${day}-${month}-${y}`, `${month} ${day}, ${y}`, `${month} ${day} ${y}`);
  }
  return spellings;
}

/** The regular-expression scrubber (the oracle). */
export function createRegExpScrubber(): Scrubber {
  const tokens = new Set<string>();
  // The tokens by their first two UTF-16 code units (every token has at least two): a value holds a token only
  // where it has that token's first pair, so each position of a value is checked against a few tokens, not all.
  const byStart = new Map<number, string[]>();
  let pattern: RegExp | undefined;
  const keep = (lower: string): void => {
    if (tokens.has(lower)) return;
    tokens.add(lower);
    const start = lower.charCodeAt(0) * 0x10000 + lower.charCodeAt(1);
    const list = byStart.get(start);
    if (list === undefined) byStart.set(start, [lower]);
    else list.push(lower);
    pattern = undefined;
  };
  const addToken = (token: string): void => {
    const t = token.trim();
    if (t.length >= MIN_TOKEN && /[\p{L}\p{N}]/u.test(t)) keep(t.toLowerCase());
  };
  return {
    add(vr, values, words) {
      for (const value of values) {
        if (vr === 'DA') {
          for (const spelling of dateSpellings(value.trim())) addToken(spelling);
          continue;
        }
        addToken(value);
        if (vr === 'DT' && /^\d{8}/.test(value.trim())) for (const spelling of dateSpellings(value.trim().slice(0, 8))) addToken(spelling);
        if (vr === 'PN') {
          for (const part of value.split(/[\^=]/)) if (part.trim().length >= 2) keep(part.trim().toLowerCase());
        } else if (words) {
          for (const word of value.split(/[^\p{L}\p{N}]+/u)) if (word.length >= MIN_WORD) addToken(word);
        }
      }
    },
    scrub(text) {
      if (tokens.size === 0 || text === '') return text;
      // Most values hold no identifier: a plain substring test first, the pattern only when one may be there.
      const lower = text.toLowerCase();
      let candidate = false;
      for (let i = 0; i + 1 < lower.length && !candidate; i++) {
        const list = byStart.get(lower.charCodeAt(i) * 0x10000 + lower.charCodeAt(i + 1));
        if (list !== undefined) for (const token of list) if (lower.startsWith(token, i)) candidate = true;
      }
      if (!candidate) return text;
      if (pattern === undefined) {
        // Short tokens (initials, two-letter names) only as whole words; longer ones wherever they occur.
        const alternatives = [...tokens].sort((a, b) => b.length - a.length).map((t) => {
          const escaped = t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          // Names in scripts written without spaces (Han, kana) match wherever they occur, short or not.
          return t.length < MIN_WORD && !/^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]+$/u.test(t) ? `(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])` : escaped;
        });
        pattern = new RegExp(alternatives.join('|'), 'giu');
      }
      return text.replace(pattern, (match) => '*'.repeat(match.length));
    },
  };
}
