/**
 * Cleaning free text (the C of the clean options) can only remove what it knows to be identifying. This collects
 * the identifying values the profile removes from the same data set (names and their components, IDs, dates in
 * the common spellings, addresses and their words) and blanks every occurrence of them, case-insensitively, with
 * `*` of the same length (so the value keeps its length and fits its VR). Text that identifies someone without
 * repeating a value found elsewhere in the data set cannot be caught this way: the report says so.
 */
export interface Scrubber {
  /**
   * Adds the values of one element the profile removes or replaces: each whole value, a PN's name components, a
   * date's common spellings, and with `words` (names, addresses) each word of four or more letters.
   */
  add(vr: string, values: readonly string[], words: boolean): void;
  /** `text` with every collected identifier blanked. */
  scrub(text: string): string;
}

const MIN_TOKEN = 3;
const MIN_WORD = 4;

function dateSpellings(value: string): string[] {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (!m) return [value];
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  return [value, `${y}-${mo}-${d}`, `${d}.${mo}.${y}`, `${mo}/${d}/${y}`, `${d}/${mo}/${y}`, `${y}/${mo}/${d}`];
}

/** Patterns kept in a caller's cache at most; past that the cache is emptied and starts again. */
const MAX_CACHED_PATTERNS = 64;

/**
 * Makes an empty {@link Scrubber}. With `patterns`, a map the caller owns, the pattern compiled for a set of
 * identifiers is kept there and reused by the next scrubber given the same identifiers (the files of one patient).
 */
export function createScrubber(patterns?: Map<string, RegExp>): Scrubber {
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
      const key = patterns !== undefined && pattern === undefined ? [...tokens].join('\0') : undefined;
      if (key !== undefined) pattern = patterns!.get(key);
      if (pattern === undefined) {
        // Short tokens (initials, two-letter names) only as whole words; longer ones wherever they occur.
        const alternatives = [...tokens].sort((a, b) => b.length - a.length).map((t) => {
          const escaped = t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          return t.length < MIN_WORD ? `(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])` : escaped;
        });
        pattern = new RegExp(alternatives.join('|'), 'giu');
        if (key !== undefined) {
          if (patterns!.size >= MAX_CACHED_PATTERNS) patterns!.clear();
          patterns!.set(key, pattern);
        }
      }
      return text.replace(pattern, (match) => '*'.repeat(match.length));
    },
  };
}
