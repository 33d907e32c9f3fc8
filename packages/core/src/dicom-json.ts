import { Buffer } from 'node:buffer';
import { encodeEncapsulatedItems } from './_encapsulated-bytes.js';
import { readJsonDataset } from './_dicom-json-read.js';
import { createDataset, isEncapsulated, sortedElements, type DataElement, type Dataset, type DicomFile } from './dataset.js';
import { DicomError } from './errors.js';
import { formatTagPath, type TagPathStep } from './tag.js';
import { TransferSyntax } from './transfer-syntax.js';
import type { Vr } from './vr.js';

/** A Person Name value in DICOM JSON (PS3.18 F.2.2): the non-empty component groups, each as PS3.5 writes it. */
export interface DicomJsonPersonName {
  readonly Alphabetic?: string;
  readonly Ideographic?: string;
  readonly Phonetic?: string;
}

/** One entry of a DICOM JSON `Value` array; `null` is an empty value among several (PS3.18 F.2.5). */
export type DicomJsonValue = string | number | DicomJsonPersonName | DicomJsonObject | null;

/** One attribute of a DICOM JSON object: its VR and at most one of `Value`, `InlineBinary`, `BulkDataURI`. */
export interface DicomJsonAttribute {
  readonly vr: Vr;
  readonly Value?: readonly DicomJsonValue[];
  /** The Value Field, base64 (PS3.18 F.2.7). */
  readonly InlineBinary?: string;
  /** Where to fetch the Value Field (PS3.18 F.2.6). */
  readonly BulkDataURI?: string;
}

/** A data set in the DICOM JSON model (PS3.18 F.2): attributes keyed by 8 upper-case hex digits (`00100010`). */
export interface DicomJsonObject {
  readonly [tag: string]: DicomJsonAttribute;
}

/** Options for {@link datasetToJson}. */
export interface ToJsonOptions {
  /**
   * Binary values (OB, OD, OF, OL, OV, OW, UN and encapsulated Pixel Data) longer than this many bytes are
   * given as a `BulkDataURI` made by {@link ToJsonOptions.bulkDataUri}; others go inline. Default 1024.
   * Setting it without `bulkDataUri` throws CORE_INVALID_VALUE.
   */
  readonly bulkDataThreshold?: number;
  /**
   * Makes the BulkDataURI of a binary value above the threshold, from its tag and its path
   * (`PixelData`, `IconImageSequence[0].PixelData`, `(0009,1001)`). Without it every binary value goes inline.
   */
  readonly bulkDataUri?: (tag: number, path: string) => string;
  /** Include Pixel Data (and Float / Double Float Pixel Data) of the top-level data set. Default true. */
  readonly includePixelData?: boolean;
}

/** Options for {@link dicomFileToJson}. */
export interface FileToJsonOptions extends ToJsonOptions {
  /** Put the file meta elements (group 0002) in the object too. Default false, as WADO-RS metadata does. */
  readonly includeMeta?: boolean;
}

/** Options for {@link datasetFromJson}. */
export interface FromJsonOptions {
  /** Fetches the bytes behind a `BulkDataURI`; without it a BulkDataURI throws CORE_INVALID_VALUE. */
  readonly resolveBulkData?: (uri: string, tag: number, path: string) => Uint8Array;
  /**
   * The transfer syntax the data set is for: with an encapsulated syntax, Pixel Data bytes must be an item
   * stream (else CORE_INVALID_VALUE); with a native one they are kept as plain bytes. When absent, Pixel Data
   * bytes that form a well-formed item stream are taken as encapsulated.
   */
  readonly transferSyntaxUID?: string;
}

const PIXEL_DATA_TAGS = new Set([0x7fe00008, 0x7fe00009, 0x7fe00010]);
const DS_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const IS_NUMBER = /^[+-]?\d+$/;
const DEFAULT_BULK_THRESHOLD = 1024;

interface ToJsonContext {
  readonly threshold: number;
  readonly bulkDataUri: ((tag: number, path: string) => string) | undefined;
  readonly includePixelData: boolean;
}

/** The JSON number for a DS or IS value, or the string itself when it is not a number JSON can hold. */
function decimalValue(text: string, integer: boolean): string | number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (!(integer ? IS_NUMBER : DS_NUMBER).test(trimmed)) return text;
  const n = Number(trimmed);
  if (integer ? !Number.isSafeInteger(n) : !Number.isFinite(n)) return text;
  return n;
}

function personName(text: string): DicomJsonPersonName | null {
  if (text === '') return null;
  const groups = text.split('=');
  const out: { Alphabetic?: string; Ideographic?: string; Phonetic?: string } = {};
  if (groups[0]) out.Alphabetic = groups[0];
  if (groups[1]) out.Ideographic = groups[1];
  const phonetic = groups.slice(2).join('=');
  if (phonetic) out.Phonetic = phonetic;
  return out;
}

function floatValue(n: number): number | string {
  if (Number.isFinite(n)) return n;
  return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
}

function hexTag(tag: number): string {
  return (tag >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

function binary(tag: number, vr: Vr, bytes: Uint8Array, ctx: ToJsonContext, path: readonly TagPathStep[]): DicomJsonAttribute {
  if (bytes.length === 0) return { vr };
  if (ctx.bulkDataUri !== undefined && bytes.length > ctx.threshold) {
    return { vr, BulkDataURI: ctx.bulkDataUri(tag, formatTagPath([...path, { tag }])) };
  }
  return { vr, InlineBinary: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
}

function elementToJson(element: DataElement, ctx: ToJsonContext, path: readonly TagPathStep[]): DicomJsonAttribute {
  const { tag, vr } = element;
  if (isEncapsulated(element)) return binary(tag, vr, encodeEncapsulatedItems(element.value), ctx, path);
  let values: DicomJsonValue[];
  switch (element.vr) {
    case 'OB': case 'OD': case 'OF': case 'OL': case 'OV': case 'OW': case 'UN':
      return binary(tag, element.vr, element.value, ctx, path);
    case 'SQ':
      values = element.value.map((item, i) => toJson(item, ctx, [...path, { tag, item: i }], false));
      break;
    case 'PN':
      values = element.value.map(personName);
      break;
    case 'DS': case 'IS': {
      const integer = element.vr === 'IS';
      values = element.value.map((v) => decimalValue(v, integer));
      break;
    }
    case 'AT':
      values = element.value.map(hexTag);
      break;
    case 'FL': case 'FD':
      values = element.value.map(floatValue);
      break;
    case 'US': case 'SS': case 'UL': case 'SL':
      values = [...element.value];
      break;
    case 'SV': case 'UV':
      values = element.value.map((v) => (v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()));
      break;
    default:
      values = element.value.map((v) => (v === '' ? null : v));
  }
  return values.length === 0 ? { vr } : { vr, Value: values };
}

function toJson(dataset: Dataset, ctx: ToJsonContext, path: readonly TagPathStep[], topLevel: boolean): DicomJsonObject {
  const out: Record<string, DicomJsonAttribute> = {};
  for (const element of sortedElements(dataset)) {
    if ((element.tag & 0xffff) === 0) continue; // group lengths are not part of the model (PS3.18 F.2.2)
    if (topLevel && !ctx.includePixelData && PIXEL_DATA_TAGS.has(element.tag)) continue;
    out[hexTag(element.tag)] = elementToJson(element, ctx, path);
  }
  return out;
}

function context(options: ToJsonOptions): ToJsonContext {
  if (options.bulkDataThreshold !== undefined && options.bulkDataUri === undefined) {
    throw new DicomError('CORE_INVALID_VALUE', 'bulkDataThreshold needs a bulkDataUri function to name the bulk data');
  }
  const threshold = options.bulkDataThreshold ?? DEFAULT_BULK_THRESHOLD;
  if (!(threshold >= 0)) throw new DicomError('CORE_INVALID_VALUE', `bulkDataThreshold must be a number >= 0, not ${String(threshold)}`);
  return { threshold, bulkDataUri: options.bulkDataUri, includePixelData: options.includePixelData ?? true };
}

/**
 * Converts a data set to the DICOM JSON model of PS3.18 F.2, ready for `JSON.stringify`. Attributes come in
 * tag order; group lengths are left out; empty values have no `Value`; an empty value among several is `null`.
 *
 * Choices where PS3.18 leaves room:
 * - DS and IS values are JSON numbers when they are valid numbers of their VR; a value that is not (such as
 *   `1A`) stays the string as written, which F.2.3 allows. Numbers lose the written form (`5.000000` -> 5).
 * - SV and UV are numbers inside +-(2^53 - 1) and decimal strings outside it.
 * - FL and FD values that JSON cannot hold (NaN, +-Infinity) are the strings `NaN`, `Infinity`, `-Infinity`.
 * - Binary values are base64 `InlineBinary`, or a `BulkDataURI` from `bulkDataUri` above `bulkDataThreshold`.
 *   Encapsulated Pixel Data is the item stream (offset table item, then one item per fragment, without the
 *   sequence delimiter), as pydicom holds it.
 * - PN values with more than three `=` groups keep the extra groups in `Phonetic`.
 */
export function datasetToJson(dataset: Dataset, options: ToJsonOptions = {}): DicomJsonObject {
  return toJson(dataset, context(options), [], true);
}

/**
 * {@link datasetToJson} for a whole file: the data set, and with `includeMeta` the file meta elements too.
 * This is what `dicom-tools dump --json` prints.
 */
export function dicomFileToJson(file: DicomFile, options: FileToJsonOptions = {}): DicomJsonObject {
  const ctx = context(options);
  const data = toJson(file.dataset, ctx, [], true);
  if (options.includeMeta !== true) return data;
  return { ...toJson(file.meta, ctx, [], false), ...data };
}

/**
 * Builds a data set from a DICOM JSON object (PS3.18 F.2), as parsed by `JSON.parse`. Accepts everything
 * {@link datasetToJson} makes, and also: lower-case hex keys, DS/IS/SV/UV given as strings, PN given as a
 * PS3.5 string, `"Value": []` for an empty attribute, InlineBinary/BulkDataURI on numeric and text VRs
 * (little-endian values, UTF-8 text). Anything else that breaks the model (a key that is not 8 hex digits, an
 * unknown VR, a value of the wrong JSON type or out of range for its VR, an unknown property) throws
 * CORE_INVALID_VALUE naming the attribute's path.
 */
export function datasetFromJson(json: unknown, options: FromJsonOptions = {}): Dataset {
  return readJsonDataset(json, options);
}

/**
 * Builds a {@link DicomFile} from a DICOM JSON object: group 0002 elements become the file meta, and the
 * transfer syntax is `options.transferSyntaxUID`, else the object's (0002,0010), else Explicit VR Little Endian
 * (or, when Pixel Data turns out encapsulated, whatever (0002,0010) says; without one that throws CORE_INVALID_VALUE).
 */
export function dicomFileFromJson(json: unknown, options: FromJsonOptions = {}): DicomFile {
  const declared = declaredTransferSyntax(json);
  const transferSyntaxUID = options.transferSyntaxUID ?? declared;
  const all = readJsonDataset(json, transferSyntaxUID === undefined ? options : { ...options, transferSyntaxUID });
  const meta = createDataset([...all.elements.values()].filter((e) => e.tag >>> 16 === 0x0002));
  const dataset = createDataset([...all.elements.values()].filter((e) => e.tag >>> 16 !== 0x0002));
  const pixels = dataset.elements.get(0x7fe00010);
  if (transferSyntaxUID === undefined && pixels !== undefined && isEncapsulated(pixels)) {
    throw new DicomError('CORE_INVALID_VALUE', 'DICOM JSON: Pixel Data is encapsulated but no transfer syntax is given (00020010 or the transferSyntaxUID option)', { tag: 0x7fe00010 });
  }
  return { meta, dataset, transferSyntaxUID: transferSyntaxUID ?? TransferSyntax.ExplicitVRLittleEndian, hadPreamble: meta.elements.size > 0 };
}

function declaredTransferSyntax(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const attribute = (json as Record<string, unknown>)['00020010'];
  if (typeof attribute !== 'object' || attribute === null) return undefined;
  const value = (attribute as { Value?: unknown }).Value;
  return Array.isArray(value) && typeof value[0] === 'string' && value[0].trim() !== '' ? value[0].trim() : undefined;
}
