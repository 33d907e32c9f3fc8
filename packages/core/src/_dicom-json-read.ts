// DICOM JSON (PS3.18 F.2) -> Dataset, checking the structure on the way: every problem is a CORE_INVALID_VALUE
// naming the attribute's path (`00081115[0].0020000E`), never a TypeError.
import { Buffer } from 'node:buffer';
import { decodeEncapsulatedItems } from './_encapsulated-bytes.js';
import type { DataElement, Dataset } from './dataset.js';
import { DicomError } from './errors.js';
import { formatTagPath, type TagPathStep } from './tag.js';
import { transferSyntaxInfo } from './transfer-syntax.js';
import { isBigIntVr, isBytesVr, isNumberVr, isSingleValuedTextVr, isTextVr, isVr, type BigIntVr, type NumberVr, type TextVr, type Vr } from './vr.js';

interface JsonReadOptions {
  readonly resolveBulkData?: (uri: string, tag: number, path: string) => Uint8Array;
  readonly transferSyntaxUID?: string;
}

interface Context {
  readonly options: JsonReadOptions;
  /** true: Pixel Data must be encapsulated; false: never; undefined: when the bytes are an item stream. */
  readonly encapsulated: boolean | undefined;
}

const PIXEL_DATA = 0x7fe00010;
const KEY = /^[0-9A-Fa-f]{8}$/;
const ATTRIBUTE_KEYS = new Set(['vr', 'Value', 'InlineBinary', 'BulkDataURI']);
const PN_KEYS = ['Alphabetic', 'Ideographic', 'Phonetic'] as const;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DECIMAL_INTEGER = /^\s*[+-]?\d+\s*$/;
const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  US: [0, 0xffff], SS: [-0x8000, 0x7fff], UL: [0, 0xffffffff], SL: [-0x80000000, 0x7fffffff],
};
const SV_MIN = -(2n ** 63n);
const SV_MAX = 2n ** 63n - 1n;
const UV_MAX = 2n ** 64n - 1n;

function hexPath(path: readonly TagPathStep[]): string {
  return path.map((s) => (s.tag >>> 0).toString(16).toUpperCase().padStart(8, '0') + (s.item !== undefined ? `[${s.item}]` : '')).join('.');
}

function invalid(path: readonly TagPathStep[], message: string, cause?: unknown): DicomError {
  const last = path[path.length - 1];
  return new DicomError('CORE_INVALID_VALUE', `DICOM JSON attribute ${hexPath(path)}: ${message}`, {
    ...(last !== undefined ? { tag: last.tag } : {}),
    ...(cause !== undefined ? { cause } : {}),
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Reads one DICOM JSON object (top level or sequence item). */
export function readJsonDataset(json: unknown, options: JsonReadOptions): Dataset {
  const ts = options.transferSyntaxUID;
  return readObject(json, { options, encapsulated: ts === undefined ? undefined : transferSyntaxInfo(ts).encapsulated }, []);
}

function readObject(json: unknown, ctx: Context, path: readonly TagPathStep[]): Dataset {
  if (!isObject(json)) {
    const what = `must be an object of attributes, not ${describe(json)}`;
    if (path.length === 0) throw new DicomError('CORE_INVALID_VALUE', `DICOM JSON ${what}`);
    throw invalid(path, `item ${what}`);
  }
  const elements = new Map<number, DataElement>();
  for (const key of Object.keys(json)) {
    if (!KEY.test(key)) {
      const where = path.length > 0 ? ` in ${hexPath(path)}` : '';
      throw new DicomError('CORE_INVALID_VALUE', `DICOM JSON key "${key}"${where} is not a tag of 8 hex digits`);
    }
    const tag = parseInt(key, 16) >>> 0;
    const here = [...path, { tag }];
    if (tag >>> 16 === 0xfffe) throw invalid(here, 'item and delimitation tags are structure, not attributes');
    if (elements.has(tag)) throw invalid(here, 'appears twice (keys differ only in case)');
    elements.set(tag, readAttribute(json[key], tag, ctx, path, here));
  }
  return { elements };
}

function readAttribute(json: unknown, tag: number, ctx: Context, parent: readonly TagPathStep[], here: readonly TagPathStep[]): DataElement {
  if (!isObject(json)) throw invalid(here, `must be an object with "vr", not ${describe(json)}`);
  for (const key of Object.keys(json)) {
    if (!ATTRIBUTE_KEYS.has(key)) throw invalid(here, `unknown property "${key}" (expected vr, Value, InlineBinary or BulkDataURI)`);
  }
  const vr = json.vr;
  if (typeof vr !== 'string' || !isVr(vr)) throw invalid(here, `"vr" must be one of the VRs of PS3.5, not ${typeof vr === 'string' ? JSON.stringify(vr.slice(0, 8)) : describe(vr)}`);
  const present = (['Value', 'InlineBinary', 'BulkDataURI'] as const).filter((k) => json[k] !== undefined);
  if (present.length > 1) throw invalid(here, `has both ${present.join(' and ')}; at most one is allowed`);

  let bytes: Uint8Array | undefined;
  if (json.InlineBinary !== undefined) bytes = inlineBinary(json.InlineBinary, here);
  if (json.BulkDataURI !== undefined) bytes = bulkData(json.BulkDataURI, tag, ctx, here);
  if (bytes !== undefined) {
    if (vr === 'SQ' || vr === 'PN') throw invalid(here, `a ${vr} cannot have InlineBinary or BulkDataURI`);
    return fromBytes(tag, vr, bytes, ctx, here);
  }
  const value = json.Value ?? [];
  if (!Array.isArray(value)) throw invalid(here, `"Value" must be an array, not ${describe(value)}`);
  if (vr === 'SQ') {
    return { tag, vr, value: value.map((item: unknown, i) => readObject(item, ctx, [...parent, { tag, item: i }])) };
  }
  if (isBytesVr(vr)) {
    if (value.length > 0) throw invalid(here, `a ${vr} value goes in InlineBinary or BulkDataURI, not "Value"`);
    return fromBytes(tag, vr, new Uint8Array(0), ctx, here);
  }
  if (isTextVr(vr)) return { tag, vr, value: textValues(vr, value, here) };
  if (isBigIntVr(vr)) return { tag, vr, value: value.map((v: unknown, i) => bigIntValue(vr, v, here, i)) };
  if (isNumberVr(vr)) return { tag, vr, value: value.map((v: unknown, i) => numberValue(vr, v, here, i)) };
  throw invalid(here, `VR ${vr} is not supported`);
}

function inlineBinary(value: unknown, here: readonly TagPathStep[]): Uint8Array {
  if (typeof value !== 'string') throw invalid(here, `"InlineBinary" must be a base64 string, not ${describe(value)}`);
  const compact = value.replace(/\s+/g, '');
  if (!BASE64.test(compact)) throw invalid(here, '"InlineBinary" is not valid base64');
  const buffer = Buffer.from(compact, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function bulkData(uri: unknown, tag: number, ctx: Context, here: readonly TagPathStep[]): Uint8Array {
  if (typeof uri !== 'string') throw invalid(here, `"BulkDataURI" must be a string, not ${describe(uri)}`);
  const resolve = ctx.options.resolveBulkData;
  if (resolve === undefined) throw invalid(here, 'has a BulkDataURI but no resolveBulkData option was given to fetch it');
  let bytes: unknown;
  try {
    bytes = resolve(uri, tag, formatTagPath(here));
  } catch (error) {
    throw invalid(here, `resolveBulkData failed: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  if (!(bytes instanceof Uint8Array)) throw invalid(here, 'resolveBulkData must return a Uint8Array');
  return bytes;
}

/** An element of any VR from its little-endian Value Field (InlineBinary / BulkDataURI). */
function fromBytes(tag: number, vr: Vr, bytes: Uint8Array, ctx: Context, here: readonly TagPathStep[]): DataElement {
  if (tag === PIXEL_DATA && (vr === 'OB' || vr === 'OW') && ctx.encapsulated !== false && bytes.length > 0) {
    const value = decodeEncapsulatedItems(bytes);
    if (value !== undefined) return { tag, vr, value, encapsulated: true };
    if (ctx.encapsulated === true) throw invalid(here, 'Pixel Data of an encapsulated transfer syntax must be an item stream (FFFE,E000 items)');
  }
  if (isBytesVr(vr)) return { tag, vr, value: bytes };
  if (isTextVr(vr)) {
    const text = new TextDecoder('utf-8').decode(bytes).replace(/[ \0]+$/, '');
    const values = text === '' ? [] : isSingleValuedTextVr(vr) ? [text] : text.split('\\');
    return { tag, vr, value: values };
  }
  const size = vr === 'SS' || vr === 'US' ? 2 : vr === 'FD' || vr === 'SV' || vr === 'UV' ? 8 : 4;
  if (bytes.length % size !== 0) throw invalid(here, `${bytes.length} bytes is not a whole number of ${vr} values`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isBigIntVr(vr)) {
    const value: bigint[] = [];
    for (let i = 0; i < bytes.length; i += 8) value.push(vr === 'SV' ? view.getBigInt64(i, true) : view.getBigUint64(i, true));
    return { tag, vr, value };
  }
  if (!isNumberVr(vr)) throw invalid(here, `VR ${vr} cannot be read from bytes`);
  const value: number[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    switch (vr) {
      case 'US': value.push(view.getUint16(i, true)); break;
      case 'SS': value.push(view.getInt16(i, true)); break;
      case 'UL': value.push(view.getUint32(i, true)); break;
      case 'SL': value.push(view.getInt32(i, true)); break;
      case 'FL': value.push(view.getFloat32(i, true)); break;
      case 'FD': value.push(view.getFloat64(i, true)); break;
      case 'AT': value.push(((view.getUint16(i, true) << 16) | view.getUint16(i + 2, true)) >>> 0); break;
    }
  }
  return { tag, vr, value };
}

function textValues(vr: TextVr, values: readonly unknown[], here: readonly TagPathStep[]): string[] {
  if (isSingleValuedTextVr(vr) && values.length > 1) throw invalid(here, `a ${vr} holds one value, not ${values.length}`);
  return values.map((v, i) => {
    if (v === null) return '';
    if (vr === 'PN') return personName(v, here, i);
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && (vr === 'DS' || vr === 'IS')) return decimalText(vr, v, here, i);
    throw invalid(here, `value ${i} of a ${vr} must be a string${vr === 'DS' || vr === 'IS' ? ' or a number' : ''}, not ${describe(v)}`);
  });
}

function personName(value: unknown, here: readonly TagPathStep[], i: number): string {
  if (typeof value === 'string') return value;
  if (!isObject(value)) throw invalid(here, `value ${i} of a PN must be an object with Alphabetic/Ideographic/Phonetic, not ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!(PN_KEYS as readonly string[]).includes(key)) throw invalid(here, `value ${i} of a PN has unknown property "${key}"`);
  }
  const groups = PN_KEYS.map((key) => {
    const group = value[key];
    if (group === undefined || group === null) return '';
    if (typeof group !== 'string') throw invalid(here, `value ${i} of a PN: "${key}" must be a string, not ${describe(group)}`);
    return group;
  });
  while (groups.length > 0 && groups[groups.length - 1] === '') groups.pop();
  return groups.join('=');
}

/** A DS or IS value for a JSON number: the shortest form that reads back as the same number, within 16 characters for DS. */
function decimalText(vr: 'DS' | 'IS', n: number, here: readonly TagPathStep[], i: number): string {
  if (!Number.isFinite(n)) throw invalid(here, `value ${i} of a ${vr} is not a finite number`);
  if (vr === 'IS') {
    if (!Number.isInteger(n)) throw invalid(here, `value ${i} of an IS must be an integer`);
    return String(n);
  }
  const plain = String(n);
  if (plain.length <= 16) return plain;
  for (let digits = 16; digits >= 1; digits--) {
    for (const text of [n.toPrecision(digits), n.toExponential(digits - 1)]) {
      const compact = withoutTrailingZeros(text);
      if (compact.length <= 16) return compact;
    }
  }
  return plain;
}

/** `1.500e+20` -> `1.5e20`, `300.0` -> `300`; zeros before the point are kept. */
function withoutTrailingZeros(text: string): string {
  const [mantissa = '', exponent] = text.split('e');
  const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  return exponent === undefined ? m : `${m}e${exponent.replace('+', '')}`;
}

function numberValue(vr: NumberVr, v: unknown, here: readonly TagPathStep[], i: number): number {
  if (vr === 'AT') {
    if (typeof v !== 'string' || !KEY.test(v)) throw invalid(here, `value ${i} of an AT must be a string of 8 hex digits${typeof v === 'string' ? '' : `, not ${describe(v)}`}`);
    return parseInt(v, 16) >>> 0;
  }
  if (vr === 'FL' || vr === 'FD') {
    if (typeof v === 'number') return v;
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    throw invalid(here, `value ${i} of an ${vr} must be a number, not ${describe(v)}`);
  }
  const range = INT_RANGES[vr]!;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1]) {
    throw invalid(here, `value ${i} of a ${vr} must be an integer in ${range[0]}..${range[1]}${typeof v === 'number' ? '' : `, not ${describe(v)}`}`);
  }
  return v;
}

function bigIntValue(vr: BigIntVr, v: unknown, here: readonly TagPathStep[], i: number): bigint {
  let n: bigint | undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
  else if (typeof v === 'string' && DECIMAL_INTEGER.test(v)) n = BigInt(v.trim());
  if (n === undefined || n < (vr === 'SV' ? SV_MIN : 0n) || n > (vr === 'SV' ? SV_MAX : UV_MAX)) {
    throw invalid(here, `value ${i} of a ${vr} must be a ${vr === 'SV' ? 'signed' : 'unsigned'} 64-bit integer (a number, or a decimal string beyond 2^53)${typeof v === 'string' || typeof v === 'number' ? '' : `, not ${describe(v)}`}`);
  }
  return n;
}
