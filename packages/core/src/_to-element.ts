// Converts JavaScript values into data elements of a given VR, checking each value against PS3.5 (form, length,
// range) and the dictionary's VM. Shared by setValue (values.ts) and editTags (edit-tags.ts).
import { createCharsetContext, encodeText } from './_charset.js';
import type { DataElement, Dataset } from './dataset.js';
import { formatAge, formatDate, formatDateTime, formatTime, type DicomAge, type DicomDate, type DicomDateTime, type DicomTime } from './date-time.js';
import { formatDecimalString, formatIntegerString } from './decimal-string.js';
import { lookupTag } from './dictionary.js';
import { DicomError, isDicomError } from './errors.js';
import { formatPersonName, type PersonNameInput } from './person-name.js';
import { parseTag } from './tag.js';
import { checkTextValue, checkVm } from './vr-format.js';
import { isBigIntVr, isBytesVr, isNumberVr, isSingleValuedTextVr, isTextVr, isVr, type BigIntVr, type BytesVr, type NumberVr, type TextVr, type Vr } from './vr.js';

/** What a value is being converted for. */
export interface ConvertTarget {
  readonly tag: number;
  readonly vr: Vr;
  /** How messages name the element: `(0010,0010) PatientName` or its path. */
  readonly where: string;
  /** The dictionary's VM, when the tag has one. */
  readonly vm: string | undefined;
  readonly allowVmMismatch: boolean;
  /** Specific Character Set values in force where the element goes. */
  readonly charsets: readonly string[];
}

function fail(target: ConvertTarget, why: string, cause?: unknown): DicomError {
  return new DicomError('CORE_INVALID_VALUE', `${target.where}: ${why}`, { tag: target.tag, ...(cause !== undefined ? { cause } : {}) });
}

/** Runs a formatter, re-throwing its CORE_INVALID_VALUE with the element named. */
function named<T>(target: ConvertTarget, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (isDicomError(error, 'CORE_INVALID_VALUE')) throw fail(target, error.message, error);
    throw error;
  }
}

/**
 * The VR a new value of `tag` gets: `requested` when given (it must be one the dictionary allows), else the
 * existing element's (unless UN), else the dictionary's first. Throws CORE_INVALID_TAG for item tags and for a
 * tag with no known VR (private tags need `requested`), CORE_INVALID_VALUE for a VR the dictionary rules out.
 */
export function resolveVr(tag: number, existing: DataElement | undefined, requested: string | undefined, where: string): Vr {
  const info = lookupTag(tag);
  if (info?.vr === 'NONE') throw new DicomError('CORE_INVALID_TAG', `${where} is an item or delimiter tag, which holds no value`, { tag });
  if (requested !== undefined) {
    if (!isVr(requested)) throw new DicomError('CORE_INVALID_VALUE', `${where}: "${requested}" is not a VR`, { tag });
    if (info !== undefined && !info.vrs.includes(requested)) {
      throw new DicomError('CORE_INVALID_VALUE', `${where} cannot have VR ${requested}; the dictionary gives ${info.vrs.join(' or ')}`, { tag });
    }
    return requested;
  }
  if (existing !== undefined && existing.vr !== 'UN') return existing.vr;
  if (info !== undefined) return info.vr;
  if (existing !== undefined) return existing.vr;
  throw new DicomError('CORE_INVALID_TAG', `${where} is not in the data dictionary: give its VR (option vr)`, { tag });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** True for a {@link Dataset}-shaped object. */
export function isDatasetLike(value: unknown): value is Dataset {
  return isPlainObject(value) && value.elements instanceof Map;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'bytes';
  return `a ${typeof value}`;
}

function textOf(target: ConvertTarget, vr: TextVr, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') {
    if (vr === 'DS') return named(target, () => formatDecimalString(Number(v)));
    if (vr === 'IS') return named(target, () => formatIntegerString(v));
    if (typeof v === 'number' && !Number.isFinite(v)) throw fail(target, `a ${vr} value cannot be NaN or infinite`);
    return String(v);
  }
  if (isPlainObject(v)) {
    switch (vr) {
      case 'PN': return named(target, () => formatPersonName(v as PersonNameInput));
      case 'DA': {
        if ('hour' in v) throw fail(target, 'a DA value is a date only; it cannot hold a time');
        return named(target, () => formatDate(v as unknown as DicomDate));
      }
      case 'TM': return named(target, () => formatTime(v as unknown as DicomTime));
      case 'DT': return named(target, () => formatDateTime(v as unknown as DicomDateTime));
      case 'AS': return named(target, () => formatAge(v as unknown as DicomAge));
      default: break;
    }
  }
  throw fail(target, `a ${vr} value must be a string${vr === 'DS' || vr === 'IS' ? ' or a number' : ''}, not ${describeType(v)}`);
}

function checkCount(target: ConvertTarget, count: number): void {
  if (target.allowVmMismatch || target.vm === undefined) return;
  if (!checkVm(target.vm, count)) throw fail(target, `${count} values given; the dictionary's VM is ${target.vm}`);
}

function textElement(target: ConvertTarget, vr: TextVr, value: unknown): DataElement {
  const single = isSingleValuedTextVr(vr);
  let values: string[];
  if (typeof value === 'string') values = single ? [value] : value.split('\\');
  else if (Array.isArray(value)) {
    values = value.map((v: unknown) => {
      const s = textOf(target, vr, v);
      if (!single && typeof v === 'string' && s.includes('\\')) throw fail(target, 'a value in a list must not contain a backslash (it separates values)');
      return s;
    });
  } else values = [textOf(target, vr, value)];
  if (values.length === 1 && values[0] === '') values = [];
  if (single && values.length > 1) throw fail(target, `${vr} holds one value; ${values.length} given`);
  values.forEach((v) => {
    const problem = checkTextValue(vr, v);
    if (problem !== undefined) throw fail(target, `${problem.message} (rule ${problem.rule})`);
  });
  checkCount(target, values.length);
  if (values.some((v) => /[^\x00-\x7f]/.test(v))) {
    try {
      encodeText(createCharsetContext(), values.join('\\'), target.charsets);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new DicomError('CORE_CHARSET_UNENCODABLE', `${target.where}: ${why}`, { tag: target.tag, cause: error });
    }
  }
  return { tag: target.tag, vr, value: values };
}

const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER_RANGE: Readonly<Partial<Record<NumberVr, readonly [number, number]>>> = {
  US: [0, 0xffff], SS: [-0x8000, 0x7fff], UL: [0, 0xffffffff], SL: [-0x80000000, 0x7fffffff],
};

/** The values as a list: an array as is, a string split at backslashes, anything else as one value. */
function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return value.trim() === '' ? [] : value.split('\\');
  return [value];
}

function numberOf(target: ConvertTarget, vr: NumberVr, v: unknown): number {
  if (vr === 'AT') {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return v >>> 0;
    if (typeof v === 'string') {
      try {
        return parseTag(v);
      } catch (error) {
        throw fail(target, 'an AT value must be a tag: a number, a keyword, (gggg,eeee) or ggggeeee', error);
      }
    }
    throw fail(target, `an AT value must be a tag, not ${describeType(v)}`);
  }
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'bigint' && Number.isSafeInteger(Number(v))) n = Number(v);
  else if (typeof v === 'string' && NUMBER_RE.test(v.trim())) n = Number(v.trim());
  else throw fail(target, `a ${vr} value must be a number, not ${typeof v === 'string' ? 'text that is not one' : describeType(v)}`);
  const range = INTEGER_RANGE[vr];
  if (range !== undefined && !(Number.isInteger(n) && n >= range[0] && n <= range[1])) {
    throw fail(target, `a ${vr} value must be a whole number from ${range[0]} to ${range[1]}`);
  }
  if (vr === 'FL' && Number.isFinite(n) && !Number.isFinite(Math.fround(n))) throw fail(target, 'the value is too large for FL (32-bit float)');
  return n;
}

const BIGINT_RANGE: Readonly<Record<BigIntVr, readonly [bigint, bigint]>> = {
  SV: [-(2n ** 63n), 2n ** 63n - 1n], UV: [0n, 2n ** 64n - 1n],
};

function bigintOf(target: ConvertTarget, vr: BigIntVr | 'OV', v: unknown): bigint {
  let n: bigint;
  if (typeof v === 'bigint') n = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
  else if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())) n = BigInt(v.trim());
  else throw fail(target, `a ${vr} value must be a whole number (bigint, safe integer or digits)`);
  const [min, max] = BIGINT_RANGE[vr === 'OV' ? 'UV' : vr];
  if (n < min || n > max) throw fail(target, `a ${vr} value must be from ${min} to ${max}`);
  return n;
}

const WORD: Readonly<Record<BytesVr, number>> = { OB: 1, UN: 1, OW: 2, OF: 4, OL: 4, OD: 8, OV: 8 };

function bytesOf(target: ConvertTarget, vr: BytesVr, value: unknown): Uint8Array {
  const word = WORD[vr];
  if (value instanceof Uint8Array) {
    if (value.length % word !== 0) throw fail(target, `${vr} length must be a multiple of ${word} bytes; ${value.length} given`);
    return value;
  }
  if (!Array.isArray(value)) throw fail(target, `a ${vr} value must be a Uint8Array or an array of numbers, not ${describeType(value)}`);
  const out = new Uint8Array(value.length * word);
  const view = new DataView(out.buffer);
  value.forEach((v: unknown, i) => {
    const at = i * word;
    if (vr === 'OV') {
      view.setBigUint64(at, bigintOf(target, 'OV', v), true);
      return;
    }
    if (typeof v !== 'number') throw fail(target, `a ${vr} array must hold numbers, not ${describeType(v)}`);
    const max = vr === 'OB' || vr === 'UN' ? 0xff : vr === 'OW' ? 0xffff : 0xffffffff;
    if ((vr === 'OF' || vr === 'OD')) {
      if (vr === 'OF') view.setFloat32(at, v, true);
      else view.setFloat64(at, v, true);
      return;
    }
    if (!Number.isInteger(v) || v < 0 || v > max) throw fail(target, `a ${vr} word must be a whole number from 0 to ${max}`);
    if (word === 1) out[at] = v;
    else if (word === 2) view.setUint16(at, v, true);
    else view.setUint32(at, v, true);
  });
  return out;
}

/**
 * Builds the element `target` describes from a JavaScript value, checking every value against its VR (PS3.5)
 * and the count against the dictionary's VM. Throws CORE_INVALID_VALUE naming the element but never quoting
 * the value, or CORE_CHARSET_UNENCODABLE for text the data set's character set cannot hold.
 */
export function toElement(value: unknown, target: ConvertTarget): DataElement {
  const { tag, vr } = target;
  if (value === undefined || value === null) throw fail(target, 'no value given (to remove the element, delete it)');
  if (isTextVr(vr)) return textElement(target, vr, value);
  if (isNumberVr(vr)) {
    const values = listOf(value).map((v) => numberOf(target, vr, v));
    checkCount(target, values.length);
    return { tag, vr, value: values };
  }
  if (isBigIntVr(vr)) {
    const values = listOf(value).map((v) => bigintOf(target, vr, v));
    checkCount(target, values.length);
    return { tag, vr, value: values };
  }
  if (isBytesVr(vr)) return { tag, vr, value: bytesOf(target, vr, value) };
  if (vr === 'SQ') {
    if (!Array.isArray(value) || !value.every(isDatasetLike)) throw fail(target, 'a sequence value must be an array of data sets');
    return { tag, vr, value: [...(value as Dataset[])] };
  }
  throw fail(target, `VR ${vr} cannot be set`);
}
