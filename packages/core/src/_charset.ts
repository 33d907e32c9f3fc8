// Specific Character Set (0008,0005) decoding and encoding, per PS3.5 section 6.1 and PS3.3 C.12.1.1.2.
// Decoding uses Node's ICU-backed TextDecoder; ISO 2022 code extensions are walked here by hand because no
// npm package decodes DICOM's mix of G0/G1 designations (JIS X 0208/0212, KS X 1001, GB 2312, ISO 8859).
import { TextDecoder } from 'node:util';
import { DicomError } from './errors.js';

type Decoder = (bytes: Uint8Array) => string;

/** Per-read cache of decoders; owned by the caller, never module-level. */
export interface CharsetContext {
  readonly decoders: Map<string, TextDecoder>;
  readonly encoders: Map<string, Map<string, number>>;
}

export function createCharsetContext(): CharsetContext {
  return { decoders: new Map(), encoders: new Map() };
}

interface Term {
  /** TextDecoder label for bytes 0x80-0xFF (single-byte set) or the whole value (multi-byte sets). */
  readonly label: string;
  /** ISO 2022 escape sequence that designates this set (without ESC). */
  readonly escape?: string;
  readonly kind: 'ascii' | 'single' | 'utf8' | 'multi' | 'jisx0201';
}

// Defined Terms of PS3.3 Table C.12-2, C.12-3, C.12-4 and C.12-5 mapped to WHATWG encoding labels.
const TERMS: Readonly<Record<string, Term>> = {
  '': { label: 'ascii', kind: 'ascii', escape: '(B' },
  ISO_IR_6: { label: 'ascii', kind: 'ascii', escape: '(B' },
  ISO_IR_100: { label: 'latin1', kind: 'single', escape: '-A' },
  ISO_IR_101: { label: 'iso-8859-2', kind: 'single', escape: '-B' },
  ISO_IR_109: { label: 'iso-8859-3', kind: 'single', escape: '-C' },
  ISO_IR_110: { label: 'iso-8859-4', kind: 'single', escape: '-D' },
  ISO_IR_144: { label: 'iso-8859-5', kind: 'single', escape: '-L' },
  ISO_IR_127: { label: 'iso-8859-6', kind: 'single', escape: '-G' },
  ISO_IR_126: { label: 'iso-8859-7', kind: 'single', escape: '-F' },
  ISO_IR_138: { label: 'iso-8859-8', kind: 'single', escape: '-H' },
  ISO_IR_148: { label: 'iso-8859-9', kind: 'single', escape: '-M' },
  ISO_IR_203: { label: 'iso-8859-15', kind: 'single', escape: '-b' },
  ISO_IR_166: { label: 'tis-620', kind: 'single', escape: '-T' },
  ISO_IR_13: { label: 'shift_jis', kind: 'jisx0201', escape: ')I' },
  ISO_IR_87: { label: 'euc-jp', kind: 'multi', escape: '$B' },
  ISO_IR_159: { label: 'euc-jp', kind: 'multi', escape: '$(D' },
  ISO_IR_149: { label: 'euc-kr', kind: 'multi', escape: '$)C' },
  ISO_IR_58: { label: 'gbk', kind: 'multi', escape: '$)A' },
  ISO_IR_192: { label: 'utf-8', kind: 'utf8' },
  GB18030: { label: 'gb18030', kind: 'utf8' },
  GBK: { label: 'gbk', kind: 'utf8' },
};

function termKey(value: string): string {
  return value.trim().toUpperCase().replace(/^ISO[ _]2022[ _]/, '').replace(/[ -]/g, '_');
}

/** Whether a Specific Character Set value list is one this module can decode; unknown terms fall back to latin-1. */
export function isKnownCharacterSet(values: readonly string[]): boolean {
  return values.every((v) => termKey(v) in TERMS);
}

function decoderFor(ctx: CharsetContext, label: string): TextDecoder {
  let d = ctx.decoders.get(label);
  if (!d) {
    d = new TextDecoder(label === 'latin1' ? 'utf-8' : label, { fatal: false });
    ctx.decoders.set(label, d);
  }
  return d;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function single(ctx: CharsetContext, label: string): Decoder {
  if (label === 'latin1' || label === 'ascii') return latin1;
  const d = decoderFor(ctx, label);
  return (b) => d.decode(b);
}

/**
 * Decodes the bytes of one text value under the data set's Specific Character Set values.
 * `pnOrMulti` tells which delimiters reset ISO 2022 state (`^` and `=` in PN).
 */
export function decodeText(ctx: CharsetContext, bytes: Uint8Array, charsets: readonly string[], isPN: boolean): string {
  if (bytes.length === 0) return '';
  const first = TERMS[termKey(charsets[0] ?? '')] ?? TERMS['ISO_IR_100']!;
  const hasEscape = bytes.includes(0x1b);
  if (!hasEscape) {
    let ascii = true;
    for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) { ascii = false; break; }
    if (ascii && first.kind !== 'jisx0201') return latin1(bytes);
    if (first.kind === 'utf8' || first.kind === 'multi') return decoderFor(ctx, first.label).decode(bytes);
    if (first.kind === 'jisx0201') return decodeJisX0201(bytes, ctx);
    return single(ctx, first.label)(bytes);
  }
  return decodeIso2022(ctx, bytes, first, isPN);
}

function decodeJisX0201(bytes: Uint8Array, ctx: CharsetContext): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x5c) out += '\u00a5';
    else if (b === 0x7e) out += '\u203e';
    else if (b < 0x80) out += String.fromCharCode(b);
    else out += decoderFor(ctx, 'shift_jis').decode(Uint8Array.of(b));
  }
  return out;
}

const ESCAPES: ReadonlyArray<readonly [string, Term]> = Object.values(TERMS)
  .filter((t): t is Term & { escape: string } => t.escape !== undefined)
  .map((t) => [t.escape, t] as const);

function decodeIso2022(ctx: CharsetContext, bytes: Uint8Array, first: Term, isPN: boolean): string {
  const initialG0: Term = first.kind === 'jisx0201' ? { label: 'romaji', kind: 'jisx0201' } : TERMS['']!;
  const initialG1: Term | undefined = first.kind === 'single' || first.kind === 'jisx0201' ? first : undefined;
  let g0 = initialG0;
  let g1 = initialG1;
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === 0x1b) {
      // Match the longest escape sequence that follows.
      let matched: Term | undefined;
      let len = 0;
      for (const [esc, term] of ESCAPES) {
        if (esc.length > len && i + esc.length < bytes.length) {
          let ok = true;
          for (let k = 0; k < esc.length; k++) if (bytes[i + 1 + k] !== esc.charCodeAt(k)) { ok = false; break; }
          if (ok) { matched = term; len = esc.length; }
        }
      }
      if (!matched) { i += 1; continue; }
      const esc = matched.escape!;
      if (esc === '(J') g0 = { label: 'romaji', kind: 'jisx0201' };
      else if (esc.startsWith('(') || esc === '$B' || esc === '$(D') g0 = matched;
      else g1 = matched;
      i += 1 + len;
      continue;
    }
    // Gather a run in one state.
    const twoByteG0 = g0.kind === 'multi';
    let j = i;
    if (b < 0x80) {
      while (j < bytes.length && bytes[j]! < 0x80 && bytes[j] !== 0x1b) {
        const c = bytes[j]!;
        const delimiter = !twoByteG0 && (c === 0x5c || c === 0x0d || c === 0x0a || c === 0x09 || c === 0x0c || (isPN && (c === 0x5e || c === 0x3d)));
        if (delimiter) {
          if (j > i) break;
          out += String.fromCharCode(c);
          g0 = initialG0;
          g1 = initialG1;
          i = j + 1;
          j = i;
          continue;
        }
        j++;
      }
      if (j === i) continue;
      const run = bytes.subarray(i, j);
      if (g0.kind === 'multi') {
        const mapped = new Uint8Array(g0.escape === '$(D' ? run.length * 1.5 : run.length);
        if (g0.escape === '$(D') {
          let o = 0;
          for (let k = 0; k + 1 < run.length; k += 2) { mapped[o++] = 0x8f; mapped[o++] = run[k]! | 0x80; mapped[o++] = run[k + 1]! | 0x80; }
        } else {
          for (let k = 0; k < run.length; k++) mapped[k] = run[k]! | 0x80;
        }
        out += decoderFor(ctx, 'euc-jp').decode(mapped);
      } else if (g0.kind === 'jisx0201') {
        out += decodeJisX0201(run, ctx);
      } else {
        out += latin1(run);
      }
    } else {
      while (j < bytes.length && bytes[j]! >= 0x80) j++;
      const run = bytes.subarray(i, j);
      if (!g1) out += latin1(run);
      else if (g1.kind === 'jisx0201') out += decodeJisX0201(run, ctx);
      else if (g1.kind === 'multi') out += decoderFor(ctx, g1.label).decode(run);
      else out += single(ctx, g1.label)(run);
    }
    i = j;
  }
  return out;
}

/** True when `text` is plain 7-bit ASCII without control characters other than CR, LF, TAB, FF, ESC. */
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * Encodes text for a data set with the given Specific Character Set. Throws CORE_CHARSET_UNENCODABLE when a
 * character has no code in that set (the remedy is Specific Character Set `ISO_IR 192`).
 */
export function encodeText(ctx: CharsetContext, text: string, charsets: readonly string[]): Uint8Array {
  if (isAscii(text)) return Buffer.from(text, 'latin1');
  const first = TERMS[termKey(charsets[0] ?? '')];
  if (first?.kind === 'utf8' && first.label === 'utf-8') return Buffer.from(text, 'utf8');
  if (charsets.length <= 1 && first?.kind === 'single') {
    const table = reverseTable(ctx, first.label);
    const out = new Uint8Array(text.length);
    let i = 0;
    for (const ch of text) {
      const code = ch.charCodeAt(0) < 0x80 ? ch.charCodeAt(0) : table.get(ch);
      if (code === undefined) break;
      out[i++] = code;
    }
    if (i === [...text].length) return out.subarray(0, i);
  }
  throw new DicomError('CORE_CHARSET_UNENCODABLE', `text cannot be encoded in Specific Character Set "${charsets.join('\\')}"; set SpecificCharacterSet to ISO_IR 192 (UTF-8) first`);
}

function reverseTable(ctx: CharsetContext, label: string): Map<string, number> {
  const cached = ctx.encoders.get(label);
  if (cached) return cached;
  const table = new Map<string, number>();
  const decode = single(ctx, label);
  for (let b = 0xa0; b <= 0xff; b++) {
    const ch = decode(Uint8Array.of(b));
    if (ch !== '\ufffd' && !table.has(ch)) table.set(ch, b);
  }
  ctx.encoders.set(label, table);
  return table;
}
