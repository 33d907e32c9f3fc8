// Specific Character Set (0008,0005) decoding and encoding, per PS3.5 section 6.1 and PS3.3 C.12.1.1.2.
// Decoding uses Node's ICU-backed TextDecoder; ISO 2022 code extensions are walked here by hand because no
// npm package decodes DICOM's mix of G0/G1 designations (JIS X 0208/0212, KS X 1001, GB 2312, ISO 8859).
import { TextDecoder } from 'node:util';
import { DicomError } from './errors.js';

/**
 * Per-read cache of decoders and encoding tables; owned by the caller, never module-level. The maps are made on
 * first use: most reads and writes (ASCII text) never need them.
 */
export interface CharsetContext {
  decoders: Map<string, TextDecoder> | undefined;
  encoders: Map<string, Map<string, number>> | undefined;
}

export function createCharsetContext(): CharsetContext {
  return { decoders: undefined, encoders: undefined };
}

interface Term {
  /**
   * How bytes of this set decode: `latin1` and `ascii` by Buffer, anything else by TextDecoder with that WHATWG
   * label (for the multi-byte ISO 2022 sets: the EUC form, which is the 8-bit form of the same code).
   */
  readonly label: string;
  /** `whole`: the value is decoded as a whole, without code extensions (UTF-8, GB18030, GBK). */
  readonly kind: 'ascii' | 'single' | 'whole' | 'multi' | 'katakana';
}

// Defined Terms of PS3.3 Tables C.12-2 to C.12-5, keyed as termKey() normalizes them.
const TERMS: Readonly<Record<string, Term>> = {
  '': { label: 'ascii', kind: 'ascii' },
  ISO_IR_6: { label: 'ascii', kind: 'ascii' },
  ISO_IR_100: { label: 'latin1', kind: 'single' },
  ISO_IR_101: { label: 'iso-8859-2', kind: 'single' },
  ISO_IR_109: { label: 'iso-8859-3', kind: 'single' },
  ISO_IR_110: { label: 'iso-8859-4', kind: 'single' },
  ISO_IR_144: { label: 'iso-8859-5', kind: 'single' },
  ISO_IR_127: { label: 'iso-8859-6', kind: 'single' },
  ISO_IR_126: { label: 'iso-8859-7', kind: 'single' },
  ISO_IR_138: { label: 'iso-8859-8', kind: 'single' },
  ISO_IR_148: { label: 'iso-8859-9', kind: 'single' },
  ISO_IR_203: { label: 'iso-8859-15', kind: 'single' },
  ISO_IR_166: { label: 'tis-620', kind: 'single' },
  ISO_IR_13: { label: 'shift_jis', kind: 'katakana' },
  ISO_IR_87: { label: 'euc-jp', kind: 'multi' },
  ISO_IR_159: { label: 'euc-jp', kind: 'multi' },
  ISO_IR_149: { label: 'euc-kr', kind: 'multi' },
  ISO_IR_58: { label: 'gbk', kind: 'multi' },
  ISO_IR_192: { label: 'utf-8', kind: 'whole' },
  GB18030: { label: 'gb18030', kind: 'whole' },
  GBK: { label: 'gbk', kind: 'whole' },
};

/** `ISO 2022 IR 87` and `ISO_IR 87` name the same set (with and without code extensions). */
function termKey(value: string): string {
  return value.trim().toUpperCase().replace(/^ISO[ _]2022[ _]IR[ _]/, 'ISO_IR_').replace(/[ -]/g, '_');
}

/** Whether a Specific Character Set value list is one this module can decode; unknown terms fall back to latin-1. */
export function isKnownCharacterSet(values: readonly string[]): boolean {
  return values.every((v) => termKey(v) in TERMS);
}

function decoderFor(ctx: CharsetContext, label: string): TextDecoder {
  const decoders = (ctx.decoders ??= new Map());
  let d = decoders.get(label);
  if (!d) {
    d = new TextDecoder(label, { fatal: false });
    decoders.set(label, d);
  }
  return d;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function decodeWith(ctx: CharsetContext, label: string, bytes: Uint8Array): string {
  return label === 'latin1' || label === 'ascii' ? latin1(bytes) : decoderFor(ctx, label).decode(bytes);
}

/**
 * Decodes the bytes of one text value under the data set's Specific Character Set values. `isPN` makes `^` and
 * `=` reset ISO 2022 designations too (PS3.5 6.1.2.5.3).
 */
export function decodeText(ctx: CharsetContext, bytes: Uint8Array, charsets: readonly string[], isPN: boolean): string {
  if (bytes.length === 0) return '';
  const first = TERMS[termKey(charsets[0] ?? '')] ?? TERMS['ISO_IR_100']!;
  if (first.kind !== 'whole' && bytes.includes(0x1b)) return decodeIso2022(ctx, bytes, first, isPN);
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) { ascii = false; break; }
  if (ascii) return latin1(bytes);
  if (first.kind === 'ascii') return latin1(bytes); // out of repertoire: keep the bytes readable as latin-1
  return decodeWith(ctx, first.label, bytes);
}

/** What an ISO 2022 escape sequence (the bytes after ESC) designates, and into which code element. */
interface Designation {
  readonly escape: string;
  readonly into: 'G0' | 'G1';
  readonly term: Term;
}

const ASCII: Term = TERMS['']!;
const ROMAJI: Term = { label: 'ascii', kind: 'ascii' };
const DESIGNATIONS: readonly Designation[] = [
  { escape: '(B', into: 'G0', term: ASCII },
  // JIS X 0201 Romaji differs from ASCII only at 0x5C and 0x7E; like pydicom, they stay `\` and `~` so that
  // value delimiters survive.
  { escape: '(J', into: 'G0', term: ROMAJI },
  { escape: ')I', into: 'G1', term: TERMS['ISO_IR_13']! },
  { escape: '$B', into: 'G0', term: TERMS['ISO_IR_87']! },
  { escape: '$(D', into: 'G0', term: { label: 'jisx0212', kind: 'multi' } },
  { escape: '$)C', into: 'G1', term: TERMS['ISO_IR_149']! },
  { escape: '$)A', into: 'G1', term: TERMS['ISO_IR_58']! },
  { escape: '-A', into: 'G1', term: TERMS['ISO_IR_100']! },
  { escape: '-B', into: 'G1', term: TERMS['ISO_IR_101']! },
  { escape: '-C', into: 'G1', term: TERMS['ISO_IR_109']! },
  { escape: '-D', into: 'G1', term: TERMS['ISO_IR_110']! },
  { escape: '-L', into: 'G1', term: TERMS['ISO_IR_144']! },
  { escape: '-G', into: 'G1', term: TERMS['ISO_IR_127']! },
  { escape: '-F', into: 'G1', term: TERMS['ISO_IR_126']! },
  { escape: '-H', into: 'G1', term: TERMS['ISO_IR_138']! },
  { escape: '-M', into: 'G1', term: TERMS['ISO_IR_148']! },
  { escape: '-b', into: 'G1', term: TERMS['ISO_IR_203']! },
  { escape: '-T', into: 'G1', term: TERMS['ISO_IR_166']! },
];

function designationAt(bytes: Uint8Array, at: number): Designation | undefined {
  for (const d of DESIGNATIONS) {
    if (at + d.escape.length > bytes.length) continue;
    let ok = true;
    for (let k = 0; k < d.escape.length; k++) if (bytes[at + k] !== d.escape.charCodeAt(k)) { ok = false; break; }
    if (ok) return d;
  }
  return undefined;
}

/** Decodes a run of 7-bit bytes in a two-byte G0 set (JIS X 0208 or 0212) through its EUC-JP form. */
function decodeTwoByteG0(ctx: CharsetContext, g0: Term, run: Uint8Array): string {
  const jisx0212 = g0.label === 'jisx0212';
  const mapped = new Uint8Array(jisx0212 ? (run.length >> 1) * 3 : run.length);
  let o = 0;
  for (let k = 0; k + 1 < run.length; k += 2) {
    if (jisx0212) mapped[o++] = 0x8f;
    mapped[o++] = run[k]! | 0x80;
    mapped[o++] = run[k + 1]! | 0x80;
  }
  return decoderFor(ctx, 'euc-jp').decode(mapped.subarray(0, o));
}

function isDelimiter(c: number, isPN: boolean): boolean {
  return c === 0x5c || c === 0x0d || c === 0x0a || c === 0x09 || c === 0x0c || (isPN && (c === 0x5e || c === 0x3d));
}

/**
 * Decodes a value with ISO 2022 escape sequences. G0 starts as ASCII (or JIS X 0201 Romaji under ISO 2022 IR 13),
 * G1 as the first value's set when that is a single-byte or an 8-bit multi-byte set; both return to that
 * initial state at each delimiter (value separator, control characters, and `^` `=` in PN).
 */
function decodeIso2022(ctx: CharsetContext, bytes: Uint8Array, first: Term, isPN: boolean): string {
  const initialG0 = first.kind === 'katakana' ? ROMAJI : ASCII;
  const initialG1 = first.kind === 'single' || first.kind === 'katakana' || (first.kind === 'multi' && first.label !== 'euc-jp') ? first : undefined;
  let g0: Term = initialG0;
  let g1: Term | undefined = initialG1;
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === 0x1b) {
      const d = designationAt(bytes, i + 1);
      if (d === undefined) { i += 1; continue; } // an unknown escape: skip the ESC, keep what follows as text
      if (d.into === 'G0') g0 = d.term;
      else g1 = d.term;
      i += 1 + d.escape.length;
      continue;
    }
    let j = i;
    if (b < 0x80) {
      if (g0.kind === 'multi') {
        // Two-byte G0: no delimiters inside, the run goes to the next escape or 8-bit byte.
        while (j < bytes.length && bytes[j]! < 0x80 && bytes[j] !== 0x1b) j++;
        out += decodeTwoByteG0(ctx, g0, bytes.subarray(i, j));
        i = j;
        continue;
      }
      while (j < bytes.length && bytes[j]! < 0x80 && bytes[j] !== 0x1b && !isDelimiter(bytes[j]!, isPN)) j++;
      if (j > i) {
        out += latin1(bytes.subarray(i, j));
        i = j;
        continue;
      }
      // A delimiter: it returns the designations to their initial state.
      out += String.fromCharCode(b);
      g0 = initialG0;
      g1 = initialG1;
      i += 1;
      continue;
    }
    while (j < bytes.length && bytes[j]! >= 0x80) j++;
    const run = bytes.subarray(i, j);
    out += g1 === undefined ? latin1(run) : decodeWith(ctx, g1.label, run);
    i = j;
  }
  return out;
}

/** True when `text` is plain 7-bit ASCII. */
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * Encodes text for a data set with the given Specific Character Set: ASCII as is, UTF-8 under ISO_IR 192, and
 * single-byte sets (ISO 8859 family) without code extensions. Throws CORE_CHARSET_UNENCODABLE for anything else
 * (a character outside the set, or ISO 2022 code extensions, GB18030 and GBK, which this module does not
 * encode): the remedy is Specific Character Set `ISO_IR 192`.
 */
export function encodeText(ctx: CharsetContext, text: string, charsets: readonly string[]): Uint8Array {
  if (isAscii(text)) return Buffer.from(text, 'latin1');
  const first = TERMS[termKey(charsets[0] ?? '')];
  if (first?.kind === 'whole' && first.label === 'utf-8') return Buffer.from(text, 'utf8');
  if (charsets.length <= 1 && first?.kind === 'single') {
    const table = reverseTable(ctx, first.label);
    const out: number[] = [];
    let complete = true;
    for (const ch of text) {
      const code = ch.charCodeAt(0) < 0x80 ? ch.charCodeAt(0) : table.get(ch);
      if (code === undefined) { complete = false; break; }
      out.push(code);
    }
    if (complete) return Uint8Array.from(out);
  }
  throw new DicomError('CORE_CHARSET_UNENCODABLE', `text cannot be encoded in Specific Character Set "${charsets.join('\\')}"; set SpecificCharacterSet to ISO_IR 192 (UTF-8) first`);
}

function reverseTable(ctx: CharsetContext, label: string): Map<string, number> {
  const encoders = (ctx.encoders ??= new Map());
  const cached = encoders.get(label);
  if (cached) return cached;
  const table = new Map<string, number>();
  for (let b = 0xa0; b <= 0xff; b++) {
    const ch = decodeWith(ctx, label, Uint8Array.of(b));
    if (ch !== '\ufffd' && !table.has(ch)) table.set(ch, b);
  }
  encoders.set(label, table);
  return table;
}
