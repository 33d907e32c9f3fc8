import { formatTag, isEncapsulated, lookupTag, type DataElement } from '@dicom-tools/core';

/** How many characters of a value the text output shows before `...` (like dcmdump). */
export const DEFAULT_MAX_VALUE_CHARS = 64;

/** Replaces control characters (newlines, terminal escapes) with `.` so that one element stays one safe line. */
export function printable(text: string): string {
  // C0 and C1 controls and DEL: a value must not move the cursor or change the terminal.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '.');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** The shortest decimal that reads back as the same 32-bit float (FL, OF). */
function float32Text(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  for (let p = 1; p <= 9; p++) {
    const text = Number(n.toPrecision(p));
    if (Math.fround(text) === n) return String(text);
  }
  return String(n);
}

function numberText(vr: string, n: number): string {
  if (vr === 'AT') return formatTag(n);
  if (vr === 'FL') return float32Text(n);
  return String(n);
}

/** Hex or numeric words of a byte value, lazily, in the order dcmdump prints them. */
function* byteWords(vr: string, bytes: Uint8Array): Generator<string> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const word = vr === 'OW' ? 2 : vr === 'OL' || vr === 'OF' ? 4 : vr === 'OD' || vr === 'OV' ? 8 : 1;
  const whole = bytes.length - (bytes.length % word);
  for (let i = 0; i < whole; i += word) {
    switch (vr) {
      case 'OW': yield view.getUint16(i, true).toString(16).padStart(4, '0'); break;
      case 'OL': yield view.getUint32(i, true).toString(16).padStart(8, '0'); break;
      case 'OV': yield view.getBigUint64(i, true).toString(16).padStart(16, '0'); break;
      case 'OF': yield float32Text(view.getFloat32(i, true)); break;
      case 'OD': yield String(view.getFloat64(i, true)); break;
      default: yield bytes[i]!.toString(16).padStart(2, '0');
    }
  }
  // A trailing partial word (odd-length OW and the like) is shown byte by byte.
  for (let i = whole; i < bytes.length; i++) yield bytes[i]!.toString(16).padStart(2, '0');
}

/** Byte values as `00\01\ff`, words as `00af\00b4`: whole words up to `max` characters, then `...`. */
export function bytesText(vr: string, bytes: Uint8Array, max: number): string {
  if (bytes.length === 0) return '(no value available)';
  let out = '';
  let full = false;
  for (const word of byteWords(vr, bytes)) {
    if (full) return `${out}...`;
    out = out === '' ? word : `${out}\\${word}`;
    full = out.length >= max;
  }
  return out;
}

/**
 * The value column of a text dump for a non-sequence element: `[Doe^John]` for text, `512` or `1\2` for
 * numbers, hex words for binary values, `(no value available)` for an empty value. Longer than `max`
 * characters, it is cut and ends with `...`.
 */
export function valueText(element: DataElement, max: number = DEFAULT_MAX_VALUE_CHARS): string {
  if (element.vr === 'SQ') return `(Sequence #=${element.value.length})`;
  if (isEncapsulated(element)) return `(PixelSequence #=${element.value.fragments.length + 1})`;
  const value = element.value;
  if (value instanceof Uint8Array) return bytesText(element.vr, value, max);
  if (value.length === 0) return '(no value available)';
  if (typeof value[0] === 'string') return `[${truncate(printable((value as readonly string[]).join('\\')), max)}]`;
  if (typeof value[0] === 'bigint') return truncate((value as readonly bigint[]).join('\\'), max);
  return truncate((value as readonly number[]).map((n) => numberText(element.vr, n)).join('\\'), max);
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

const NUMBER_SIZE: Readonly<Record<string, number>> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, AT: 4, FD: 8, SV: 8, UV: 8 };

/**
 * The length in bytes the value has when encoded (even, padded as PS3.5 requires), or undefined for sequences
 * and encapsulated pixel data, whose lengths the reader does not keep. Non-ASCII text not read from a file
 * is counted as UTF-8.
 */
export function valueLength(element: DataElement): number | undefined {
  if (element.vr === 'SQ' || isEncapsulated(element)) return undefined;
  const value = element.value;
  if (value instanceof Uint8Array) return value.length;
  if ('raw' in element && element.raw !== undefined) return element.raw.length + (element.raw.length % 2);
  if (value.length > 0 && typeof value[0] === 'string') {
    const text = (value as readonly string[]).join('\\');
    const bytes = isAscii(text) ? text.length : Buffer.byteLength(text, 'utf8');
    return bytes + (bytes % 2);
  }
  return value.length * (NUMBER_SIZE[element.vr] ?? 0);
}

/** Value multiplicity as counted in the data: values of text and numeric VRs, 1 for a non-empty binary value or a sequence. */
export function valueMultiplicity(element: DataElement): number {
  if (element.vr === 'SQ' || isEncapsulated(element)) return 1;
  const value = element.value;
  if (value instanceof Uint8Array) return value.length > 0 ? 1 : 0;
  return value.length;
}

/** The keyword for a tag, or the dictionary name squeezed into one word (`PrivateCreator`, `GroupLength`), or `Unknown`. */
export function keywordText(tag: number): string {
  if (tag === 0xfffee000) return 'Item';
  if (tag === 0xfffee00d) return 'ItemDelimitationItem';
  if (tag === 0xfffee0dd) return 'SequenceDelimitationItem';
  const info = lookupTag(tag);
  if (info === undefined) return 'Unknown';
  return info.keyword !== '' ? info.keyword : info.name.replace(/[^A-Za-z0-9]/g, '') || 'Unknown';
}
