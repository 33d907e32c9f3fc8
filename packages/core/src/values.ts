import { resolveVr, toElement } from './_to-element.js';
import { isEncapsulated, type DataElement, type Dataset } from './dataset.js';
import { parseAge, parseDate, parseDateTime, parseTime, type DicomAge, type DicomDate, type DicomDateTime, type DicomTime } from './date-time.js';
import { isPrivateTag, lookupTag } from './dictionary.js';
import { getElementAt, setElementAt, toPathSteps, type ElementPath } from './element-path.js';
import { DicomError, isDicomError } from './errors.js';
import { parsePersonName, type PersonName, type PersonNameInput } from './person-name.js';
import { describeTag, formatTag, formatTagPath, type TagPathStep } from './tag.js';
import { checkTextValue } from './vr-format.js';
import { isBigIntVr, isBytesVr, isNumberVr, isTextVr, type TextVr, type Vr } from './vr.js';

/** One value as {@link setValue} takes it, converted to the element's VR. */
export type ScalarValueInput = string | number | bigint | PersonNameInput | DicomDate | DicomTime | DicomDateTime | DicomAge;

/**
 * What {@link setValue} takes: one value or a list (a string is split at `\` for VRs that hold several
 * values), bytes for OB/OW/OF/OD/OL/OV/UN (or an array of numbers, packed little-endian), data sets for SQ.
 */
export type ValueInput = ScalarValueInput | readonly ScalarValueInput[] | Uint8Array | readonly Dataset[];

/** Options for {@link setValue}. */
export interface SetValueOptions {
  /** VR to use: needed for private tags; for others it must be one the dictionary allows. */
  readonly vr?: Vr;
  /** Accept a number of values the dictionary's VM does not allow (default false: CORE_INVALID_VALUE). */
  readonly allowVmMismatch?: boolean;
}

const SPECIFIC_CHARACTER_SET = 0x00080005;

function where(steps: readonly TagPathStep[]): string {
  const tag = steps[steps.length - 1]!.tag;
  return steps.length === 1 ? describeTag(tag) : `${formatTagPath(steps)} ${formatTag(tag)}`;
}

function wrongVr(steps: readonly TagPathStep[], element: DataElement, wanted: string): DicomError {
  return new DicomError('CORE_INVALID_VALUE', `${where(steps)} has VR ${element.vr}, not ${wanted}`, { tag: element.tag });
}

/** The element at `path` if present, after checking that its VR is one of `accept` (a predicate). */
function elementOf(dataset: Dataset, path: ElementPath, accept: (vr: string) => boolean, wanted: string): [DataElement, readonly TagPathStep[]] | undefined {
  const steps = toPathSteps(path);
  const element = getElementAt(dataset, steps);
  if (element === undefined) return undefined;
  if (!accept(element.vr) || isEncapsulated(element)) throw wrongVr(steps, element, wanted);
  return [element, steps];
}

/** Runs a parser on one value, naming the element in its CORE_INVALID_VALUE. */
function parsed<T>(steps: readonly TagPathStep[], tag: number, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (isDicomError(error, 'CORE_INVALID_VALUE')) throw new DicomError('CORE_INVALID_VALUE', `${where(steps)}: ${error.message}`, { tag, cause: error });
    throw error;
  }
}

function textValues(dataset: Dataset, path: ElementPath, vr: TextVr | undefined): [readonly string[], readonly TagPathStep[], number] | undefined {
  const found = elementOf(dataset, path, vr === undefined ? isTextVr : (v) => v === vr, vr ?? 'a text VR');
  if (found === undefined) return undefined;
  return [found[0].value as readonly string[], found[1], found[0].tag];
}

/**
 * The first value of a text element (AE AS CS DA DS DT IS LO LT PN SH ST TM UC UI UR UT) as stored, or
 * undefined when the element is absent or empty. Throws CORE_INVALID_VALUE when the element is not text.
 */
export function getString(dataset: Dataset, path: ElementPath): string | undefined {
  return textValues(dataset, path, undefined)?.[0][0];
}

/** Every value of a text element, or undefined when it is absent. Throws CORE_INVALID_VALUE when it is not text. */
export function getStrings(dataset: Dataset, path: ElementPath): readonly string[] | undefined {
  return textValues(dataset, path, undefined)?.[0];
}

/**
 * Every value of a numeric element as numbers: DS and IS parsed from their text, US SS UL SL FL FD AT as
 * stored, SV and UV when they fit a safe integer. Undefined when the element is absent. Throws
 * CORE_INVALID_VALUE for another VR or a value that is not a valid number of its VR.
 */
export function getNumbers(dataset: Dataset, path: ElementPath): readonly number[] | undefined {
  const accept = (vr: string): boolean => vr === 'DS' || vr === 'IS' || isNumberVr(vr) || isBigIntVr(vr);
  const found = elementOf(dataset, path, accept, 'a numeric VR');
  if (found === undefined) return undefined;
  const [element, steps] = found;
  if (isNumberVr(element.vr)) return element.value as readonly number[];
  if (isBigIntVr(element.vr)) {
    return (element.value as readonly bigint[]).map((n) => {
      if (!Number.isSafeInteger(Number(n))) throw new DicomError('CORE_INVALID_VALUE', `${where(steps)}: value is beyond the safe integer range of a number`, { tag: element.tag });
      return Number(n);
    });
  }
  const vr = element.vr as TextVr;
  return (element.value as readonly string[]).map((text) => {
    const trimmed = text.trim();
    const problem = trimmed === '' ? { message: `an empty ${vr} value is not a number` } : checkTextValue(vr, trimmed);
    if (problem !== undefined) throw new DicomError('CORE_INVALID_VALUE', `${where(steps)}: ${problem.message}`, { tag: element.tag });
    return Number(trimmed);
  });
}

/** The first value of a numeric element (see {@link getNumbers}), or undefined when it is absent or empty. */
export function getNumber(dataset: Dataset, path: ElementPath): number | undefined {
  return getNumbers(dataset, path)?.[0];
}

function firstParsed<T>(dataset: Dataset, path: ElementPath, vr: TextVr, parse: (text: string) => T): T | undefined {
  const found = textValues(dataset, path, vr);
  if (found === undefined) return undefined;
  const [values, steps, tag] = found;
  const first = values[0];
  return first === undefined ? undefined : parsed(steps, tag, () => parse(first));
}

/** The first value of a DA element as `{ year, month, day }` (no time zone involved), or undefined when absent or empty. */
export function getDate(dataset: Dataset, path: ElementPath): DicomDate | undefined {
  return firstParsed(dataset, path, 'DA', parseDate);
}

/** The first value of a TM element as `{ hour, minute?, second?, microsecond? }`, or undefined when absent or empty. */
export function getTime(dataset: Dataset, path: ElementPath): DicomTime | undefined {
  return firstParsed(dataset, path, 'TM', parseTime);
}

/** The first value of a DT element, with the components it has, or undefined when absent or empty. */
export function getDateTime(dataset: Dataset, path: ElementPath): DicomDateTime | undefined {
  return firstParsed(dataset, path, 'DT', parseDateTime);
}

/** The first value of a PN element split into groups and components, or undefined when absent or empty. */
export function getPersonName(dataset: Dataset, path: ElementPath): PersonName | undefined {
  return firstParsed(dataset, path, 'PN', parsePersonName);
}

/** Every value of a PN element split into groups and components, or undefined when absent. */
export function getPersonNames(dataset: Dataset, path: ElementPath): readonly PersonName[] | undefined {
  const found = textValues(dataset, path, 'PN');
  if (found === undefined) return undefined;
  const [values, steps, tag] = found;
  return values.map((v) => parsed(steps, tag, () => parsePersonName(v)));
}

/** The first value of an AS element as `{ value, unit }` (`018M` is 18 months), or undefined when absent or empty. */
export function getAge(dataset: Dataset, path: ElementPath): DicomAge | undefined {
  return firstParsed(dataset, path, 'AS', parseAge);
}

/** The first value of an AT element (a tag as a number), or undefined when absent or empty. */
export function getTag(dataset: Dataset, path: ElementPath): number | undefined {
  const found = elementOf(dataset, path, (vr) => vr === 'AT', 'AT');
  return found === undefined ? undefined : (found[0].value as readonly number[])[0];
}

/** The items of a sequence, or undefined when it is absent. Throws CORE_INVALID_VALUE when it is not a sequence. */
export function getSequence(dataset: Dataset, path: ElementPath): readonly Dataset[] | undefined {
  const found = elementOf(dataset, path, (vr) => vr === 'SQ', 'SQ');
  return found === undefined ? undefined : (found[0].value as readonly Dataset[]);
}

/**
 * The bytes of an OB OW OF OD OL OV or UN element (little-endian), or undefined when absent. Throws
 * CORE_INVALID_VALUE for other VRs and for encapsulated pixel data (read its fragments from the element).
 */
export function getBytes(dataset: Dataset, path: ElementPath): Uint8Array | undefined {
  const found = elementOf(dataset, path, isBytesVr, 'a byte VR (OB OW OF OD OL OV UN)');
  return found === undefined ? undefined : (found[0].value as Uint8Array);
}

/** The Specific Character Set in force at the end of `steps`: the deepest one set along the path. */
function charsetsAt(dataset: Dataset, steps: readonly TagPathStep[]): readonly string[] {
  let charsets: readonly string[] = [''];
  let current: Dataset | undefined = dataset;
  for (let i = 0; current !== undefined; i++) {
    const cs = current.elements.get(SPECIFIC_CHARACTER_SET);
    if (cs !== undefined && cs.vr === 'CS') charsets = cs.value.length > 0 ? cs.value : [''];
    const step = steps[i];
    if (step === undefined || i >= steps.length - 1) break;
    const sq: DataElement | undefined = current.elements.get(step.tag);
    current = sq?.vr === 'SQ' ? sq.value[step.item!] : undefined;
  }
  return charsets;
}

/** The data set that holds the end of `steps`, if it exists yet. */
function holderOf(dataset: Dataset, steps: readonly TagPathStep[]): Dataset | undefined {
  let current: Dataset | undefined = dataset;
  for (let i = 0; i < steps.length - 1 && current !== undefined; i++) {
    const sq: DataElement | undefined = current.elements.get(steps[i]!.tag);
    current = sq?.vr === 'SQ' ? sq.value[steps[i]!.item!] : undefined;
  }
  return current;
}

/**
 * Builds, without storing it, the element {@link setValue} would store at `path`: the value converted to the
 * VR and checked. Throws as {@link setValue} does.
 */
export function buildElement(dataset: Dataset, path: ElementPath, value: ValueInput, options: SetValueOptions = {}): DataElement {
  const steps = toPathSteps(path);
  const last = steps[steps.length - 1]!;
  const tag = last.tag;
  const name = where(steps);
  if (last.item !== undefined) throw new DicomError('CORE_INVALID_TAG', `path ${formatTagPath(steps)} names a sequence item, not an element`, { tag });
  const holder = holderOf(dataset, steps);
  const existing = holder?.elements.get(tag);
  if (existing !== undefined && isEncapsulated(existing)) {
    throw new DicomError('CORE_INVALID_VALUE', `${name} holds encapsulated pixel data, which setValue cannot replace; replace the element itself`, { tag });
  }
  if (isPrivateTag(tag) && (tag & 0xffff) >= 0x1000) {
    const creator = ((tag & 0xffff0000) | ((tag & 0xff00) >>> 8)) >>> 0;
    if (holder?.elements.get(creator) === undefined) {
      throw new DicomError('CORE_INVALID_TAG', `${name} is private and its creator ${formatTag(creator)} is not in the same data set; set the creator first`, { tag });
    }
  }
  const vr = resolveVr(tag, existing, options.vr, name);
  const info = lookupTag(tag);
  return toElement(value, {
    tag, vr, where: name, vm: info?.vm, allowVmMismatch: options.allowVmMismatch === true, charsets: charsetsAt(dataset, steps),
  });
}

/**
 * Sets the element at `path` (a tag, keyword or sequence path) to `value`, converted to its VR and checked.
 * **Mutates `dataset` in place** (see {@link setElementAt}) and returns the new element; on error nothing changes.
 *
 * The VR is `options.vr` when given, else the existing element's, else the dictionary's (private tags need
 * `options.vr`, and their private creator must be present). Numbers become valid DS/IS text, `{ year, month,
 * day }` a DA, person-name objects a PN, and so on. Every text value is checked with {@link checkTextValue}, the
 * number of values with {@link checkVm}. Throws CORE_INVALID_VALUE naming the tag (never quoting the value),
 * CORE_INVALID_TAG for a bad path or a tag without a known VR, CORE_CHARSET_UNENCODABLE for text the data
 * set's Specific Character Set cannot hold.
 */
export function setValue(dataset: Dataset, path: ElementPath, value: ValueInput, options: SetValueOptions = {}): DataElement {
  const steps = toPathSteps(path);
  const element = buildElement(dataset, steps, value, options);
  setElementAt(dataset, steps, element);
  return element;
}

/**
 * Removes the element at `path`. **Mutates `dataset` in place.** Returns true when an element was removed,
 * false when there was none.
 */
export function deleteElement(dataset: Dataset, path: ElementPath): boolean {
  const steps = toPathSteps(path);
  if (getElementAt(dataset, steps) === undefined) return false;
  setElementAt(dataset, steps, undefined);
  return true;
}
