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

/**
 * Text in scripts written without spaces between words (Han, Hiragana, Katakana and the prolonged sound mark):
 * a short name part in them is looked for wherever it occurs, since it has no word boundaries to match.
 */
export const UNSPACED = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]+$/u;

/** A letter or digit, by the test the boundaries of short identifiers use (the class `[\p{L}\p{N}]` with the `iu` flags). */
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/iu;

/**
 * Classes a code point can equal (ignoring case, by the `iu` flags) a member of only if it matches them with those
 * flags: an ASCII letter, another ASCII character, a character with case mappings. Testing a value's code point
 * against these three once spares comparing it with each identifier (CJK text against Latin names, say).
 */
const LIKE_ASCII_LETTER = /^[a-z]$/iu;
const LIKE_ASCII_OTHER = /^[\0-@[-`{-\x7f]$/iu;
const LIKE_CASED = /^\p{Changes_When_Casemapped}$/iu;
const CASED = /^\p{Changes_When_Casemapped}$/u;

/** What {@link LIKE_ASCII_LETTER}, {@link LIKE_ASCII_OTHER} and {@link LIKE_CASED} say of one code point. */
export interface Likeness {
  readonly asciiLetter: boolean;
  readonly asciiOther: boolean;
  readonly cased: boolean;
}

/** {@link Likeness} of `codePoint`; for ASCII by arithmetic (scrub.test.ts checks it against the expressions). */
export function likenessOf(codePoint: number): Likeness {
  if (codePoint < 0x80) {
    const lower = codePoint | 0x20;
    const letter = lower >= 0x61 && lower <= 0x7a;
    return { asciiLetter: letter, asciiOther: !letter, cased: letter };
  }
  const c = String.fromCodePoint(codePoint);
  return { asciiLetter: LIKE_ASCII_LETTER.test(c), asciiOther: LIKE_ASCII_OTHER.test(c), cased: LIKE_CASED.test(c) };
}

/**
 * An identifier to look for: its text (lower case), UTF-16 length and first two code points; short ones only
 * match as whole words.
 */
interface Token {
  readonly text: string;
  readonly length: number;
  readonly first: number;
  /** The second code point, or undefined for an identifier of one code point. */
  readonly second: number | undefined;
  readonly whole: boolean;
  /** Which {@link Likeness} a code point needs to equal the first code point ignoring case, if one says. */
  readonly start: keyof Likeness | undefined;
}

function startClass(codePoint: number): keyof Likeness | undefined {
  if (codePoint < 0x80) return likenessOf(codePoint).asciiLetter ? 'asciiLetter' : 'asciiOther';
  return CASED.test(String.fromCodePoint(codePoint)) ? 'cased' : undefined;
}

/** The code point of `text` that ends at `end`, read as a regular expression with the `u` flag reads backwards. */
function codePointBefore(text: string, end: number): number | undefined {
  if (end === 0) return undefined;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xdc00 && last <= 0xdfff && end >= 2) {
    const first = text.charCodeAt(end - 2);
    if (first >= 0xd800 && first <= 0xdbff) return (first - 0xd800) * 0x400 + (last - 0xdc00) + 0x10000;
  }
  return last;
}

function isLetterOrDigit(codePoint: number | undefined): boolean {
  return codePoint !== undefined && LETTER_OR_DIGIT.test(String.fromCodePoint(codePoint));
}

/** The tokens (lower case, each once, in the order first met) that the identifying values of `inputs` give. */
function tokensOf(inputs: readonly ScrubInput[]): Set<string> {
  const tokens = new Set<string>();
  const addToken = (token: string): void => {
    const t = token.trim();
    if (t.length >= MIN_TOKEN && /[\p{L}\p{N}]/u.test(t)) tokens.add(t.toLowerCase());
  };
  for (const { vr, values, words } of inputs) {
    for (const value of values) {
      if (vr === 'DA') {
        for (const spelling of dateSpellings(value.trim())) addToken(spelling);
        continue;
      }
      addToken(value);
      // A date-time's date, in the spellings of a date.
      if (vr === 'DT' && /^\d{8}/.test(value.trim())) for (const spelling of dateSpellings(value.trim().slice(0, 8))) addToken(spelling);
      if (vr === 'PN') {
        for (const part of value.split(/[\^=]/)) if (part.trim().length >= 2) tokens.add(part.trim().toLowerCase());
      } else if (words) {
        for (const word of value.split(/[^\p{L}\p{N}]+/u)) if (word.length >= MIN_WORD) addToken(word);
      }
    }
  }
  return tokens;
}

/** Arguments of one {@link Scrubber.add} call. */
interface ScrubInput {
  readonly vr: string;
  readonly values: readonly string[];
  readonly words: boolean;
}

/** Scrubbed texts remembered per compiled scrubber (values such as code meanings recur from file to file). */
const MAX_REMEMBERED_TEXTS = 256;

/**
 * {@link Scrubber.scrub} for one fixed set of identifiers. It compiles nothing: each value is scanned once, and at
 * each code point the identifiers that can start there are compared code point by code point, with the rules of a
 * regular expression with the `iu` flags (simple case folding) and, for short identifiers, a letter or digit on
 * neither side. What it learns as values come (the identifiers that can start at a code point) it keeps.
 */
export interface CompiledScrubber {
  scrub(text: string): string;
}

function compileScrubber(tokens: ReadonlySet<string>): CompiledScrubber {
  // The tokens by their first two UTF-16 code units (every token has at least two): a value holds a token only
  // where it has that token's first pair, so each position of a value is checked against a few tokens, not all.
  const byStart = new Map<number, string[]>();
  for (const lower of tokens) {
    const start = lower.charCodeAt(0) * 0x10000 + lower.charCodeAt(1);
    const list = byStart.get(start);
    if (list === undefined) byStart.set(start, [lower]);
    else list.push(lower);
  }
  // Built when a value first needs them: the tokens longest first (the order the matches are tried in at one
  // position), and for each code point met in a value, the tokens that can start there.
  let ordered: Token[] | undefined;
  const startingWith = new Map<number, Token[]>();
  const asciiStartingWith: (Token[] | undefined)[] = [];
  const asciiPairs: (Token[] | undefined)[] = [];
  const remembered = new Map<string, string>();
  // For each code point of a token other than ASCII, whether another code point equals it ignoring case; both
  // tested by the regular expression of that one code point with the `iu` flags, the test the matching must equal.
  const folds = new Map<number, RegExp>();
  const sameIgnoringCase = (tokenPoint: number, textPoint: number): boolean => {
    if (tokenPoint === textPoint) return true;
    if (tokenPoint < 0x80 && textPoint < 0x80) {
      const lower = tokenPoint | 0x20;
      return lower >= 0x61 && lower <= 0x7a && lower === (textPoint | 0x20);
    }
    let fold = folds.get(tokenPoint);
    if (fold === undefined) {
      const source = String.fromCodePoint(tokenPoint).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      fold = new RegExp(`^${source}$`, 'iu');
      folds.set(tokenPoint, fold);
    }
    return fold.test(String.fromCodePoint(textPoint));
  };
  const candidates = (codePoint: number): Token[] => {
    // Short tokens (initials, two-letter names) only as whole words; longer ones, and names in scripts written
    // without spaces between words (山田 in 山田太郎), wherever they occur.
    ordered ??= [...tokens].sort((a, b) => b.length - a.length).map((text) => {
      const first = text.codePointAt(0)!;
      const next = first > 0xffff ? 2 : 1;
      return { text, length: text.length, first, second: text.codePointAt(next), whole: text.length < MIN_WORD && !UNSPACED.test(text), start: startClass(first) };
    });
    let list = codePoint < 0x80 ? asciiStartingWith[codePoint] : startingWith.get(codePoint);
    if (list === undefined) {
      const likeness = likenessOf(codePoint);
      list = ordered.filter((t) => (t.start === undefined || likeness[t.start]) && sameIgnoringCase(t.first, codePoint));
      if (codePoint < 0x80) asciiStartingWith[codePoint] = list;
      else startingWith.set(codePoint, list);
    }
    return list;
  };
  /** The tokens, in {@link candidates} order, whose first two code points can be those of `text` at `at` (pairs of ASCII). */
  const candidatesAt = (text: string, at: number, codePoint: number): Token[] => {
    const first = candidates(codePoint);
    if (first.length === 0 || codePoint >= 0x80) return first;
    const second = at + 1 < text.length ? text.charCodeAt(at + 1) : -1;
    if (second >= 0x80) return first;
    const key = codePoint * 0x81 + second + 1;
    let list = asciiPairs[key];
    if (list === undefined) {
      list = first.filter((t) => t.second === undefined || (second >= 0 && sameIgnoringCase(t.second, second)));
      asciiPairs[key] = list;
    }
    return list;
  };
  /** The end of the first token (in {@link candidates} order) found at `at` in `text`, or -1. */
  const matchAt = (text: string, at: number, list: readonly Token[]): number => {
    next: for (const token of list) {
      let end = at;
      for (let i = 0; i < token.length;) {
        const point = token.text.codePointAt(i)!;
        i += point > 0xffff ? 2 : 1;
        if (end >= text.length) continue next;
        const found = text.codePointAt(end)!;
        if (!sameIgnoringCase(point, found)) continue next;
        end += found > 0xffff ? 2 : 1;
      }
      if (token.whole && (isLetterOrDigit(codePointBefore(text, at)) || isLetterOrDigit(text.codePointAt(end)))) continue;
      return end;
    }
    return -1;
  };
  const scan = (text: string): string => {
    // Most values hold no identifier: a plain substring test first, the scan only when one may be there.
    const lower = text.toLowerCase();
    let candidate = false;
    for (let i = 0; i + 1 < lower.length && !candidate; i++) {
      const list = byStart.get(lower.charCodeAt(i) * 0x10000 + lower.charCodeAt(i + 1));
      if (list !== undefined) for (const token of list) if (lower.startsWith(token, i)) candidate = true;
    }
    if (!candidate) return text;
    let out = '';
    let copied = 0;
    for (let at = 0; at < text.length;) {
      const codePoint = text.codePointAt(at)!;
      const end = matchAt(text, at, candidatesAt(text, at, codePoint));
      if (end < 0) {
        at += codePoint > 0xffff ? 2 : 1;
        continue;
      }
      out += text.slice(copied, at) + '*'.repeat(end - at);
      copied = at = end;
    }
    return copied === 0 ? text : out + text.slice(copied);
  };
  return {
    scrub(text) {
      if (tokens.size === 0 || text === '') return text;
      let scrubbed = remembered.get(text);
      if (scrubbed === undefined) {
        scrubbed = scan(text);
        if (remembered.size < MAX_REMEMBERED_TEXTS) remembered.set(text, scrubbed);
      }
      return scrubbed;
    },
  };
}

/**
 * Compiled scrubbers by the identifying values they were made from, for a caller that anonymizes many data sets
 * that repeat them (the files of one series): the caller owns it (see `createAnonymizeCache`). It holds those
 * values (PHI) as long as the caller keeps it.
 */
export interface ScrubberCache {
  /** By {@link keyOf} the values; the oldest is dropped first. */
  readonly byKey: Map<string, CompiledScrubber>;
  /** The one used last and its values: the next data set of a series most often adds the same ones. */
  last: { readonly inputs: readonly ScrubInput[]; readonly compiled: CompiledScrubber } | undefined;
}

/** An empty {@link ScrubberCache}. */
export function createScrubberCache(): ScrubberCache {
  return { byKey: new Map(), last: undefined };
}

/** Compiled scrubbers a {@link ScrubberCache} keeps (the oldest is dropped first). */
const MAX_CACHED_SCRUBBERS = 64;

/** The values of `inputs` written out unambiguously (every length given): the key of their compiled scrubber. */
function keyOf(inputs: readonly ScrubInput[]): string {
  let key = '';
  for (const { vr, values, words } of inputs) {
    key += `${vr}${words ? '+' : '-'}${values.length}:`;
    for (const value of values) key += `${value.length}:${value}`;
  }
  return key;
}

/** True when `a` and `b` add the same values in the same order (what {@link keyOf} would say, without the key). */
function sameInputs(a: readonly ScrubInput[], b: readonly ScrubInput[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.vr !== y.vr || x.words !== y.words || x.values.length !== y.values.length) return false;
    for (let k = 0; k < x.values.length; k++) if (x.values[k] !== y.values[k]) return false;
  }
  return true;
}

/** The compiled scrubber for `inputs`: the last one when they are the same values, else by key, else a new one. */
function compiledFor(inputs: readonly ScrubInput[], cache: ScrubberCache | undefined): CompiledScrubber {
  if (cache === undefined) return compileScrubber(tokensOf(inputs));
  const last = cache.last;
  if (last !== undefined && sameInputs(last.inputs, inputs)) return last.compiled;
  const key = keyOf(inputs);
  let compiled = cache.byKey.get(key);
  if (compiled === undefined) {
    compiled = compileScrubber(tokensOf(inputs));
    if (cache.byKey.size >= MAX_CACHED_SCRUBBERS) cache.byKey.delete(cache.byKey.keys().next().value!);
    cache.byKey.set(key, compiled);
  }
  cache.last = { inputs: [...inputs], compiled };
  return compiled;
}

/**
 * Makes an empty {@link Scrubber}. The identifiers are only worked out when the first value is scrubbed, and with
 * `cache`, a data set that adds the same values as one before it reuses that one's compiled scrubber.
 */
export function createScrubber(cache?: ScrubberCache): Scrubber {
  const inputs: ScrubInput[] = [];
  let compiled: CompiledScrubber | undefined;
  return {
    add(vr, values, words) {
      inputs.push({ vr, values, words });
      compiled = undefined;
    },
    scrub(text) {
      compiled ??= compiledFor(inputs, cache);
      return compiled.scrub(text);
    },
  };
}
