import { isDatasetLike, resolveVr } from './_to-element.js';
import { isEncapsulated, type DataElement, type Dataset } from './dataset.js';
import { getElementAt, setElementAt, toPathSteps } from './element-path.js';
import { DicomError, isDicomError } from './errors.js';
import { describeTag, formatTag, formatTagPath, type TagPathStep } from './tag.js';
import { setValue, type ValueInput } from './values.js';
import { isBigIntVr, isBytesVr, isNumberVr, isVr, type Vr } from './vr.js';

/** What an edit does: `set` creates or replaces, `add` creates (failing when present), `delete` removes. */
export type TagEditOp = 'set' | 'add' | 'delete';

/** One edit of one element. */
export interface TagEdit {
  /** A keyword, `(gggg,eeee)`, `ggggeeee`, or a sequence path such as `ReferencedSeriesSequence[0].SeriesInstanceUID`. */
  readonly path: string;
  readonly op: TagEditOp;
  /**
   * The new value for `set` and `add`, as {@link setValue} takes it. For a sequence, an array of plain objects
   * is read as items, each an object of edits like {@link editsFromJson} takes.
   */
  readonly value?: unknown;
  /** VR for a new element the dictionary does not know (private tags). */
  readonly vr?: Vr;
}

/** One change made (or, in a dry run, that would be made). */
export interface TagChange {
  /** The element's path, with keywords where known. */
  readonly path: string;
  readonly op: TagEditOp;
  /** The values before, as display strings; undefined when the element was absent. */
  readonly before?: string[] | undefined;
  /** The values after, as display strings; undefined when the element is removed (or was never there). */
  readonly after?: string[] | undefined;
}

/** Options for {@link editTags}. */
export interface EditTagsOptions {
  /** Work out and return the changes without changing the data set. Default false. */
  readonly dryRun?: boolean;
  /** Accept a number of values the dictionary's VM does not allow. Default false. */
  readonly allowVmMismatch?: boolean;
}

/** What {@link editTags} did (or would do). */
export interface EditTagsResult {
  readonly changes: TagChange[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function badEdit(why: string): DicomError {
  return new DicomError('CORE_INVALID_VALUE', why);
}

const EDIT_KEYS = new Set(['path', 'op', 'value', 'vr']);

function checkEdit(raw: unknown, index: number): TagEdit {
  if (!isPlainObject(raw)) throw badEdit(`edit ${index + 1} must be an object with path, op and value`);
  for (const key of Object.keys(raw)) if (!EDIT_KEYS.has(key)) throw badEdit(`edit ${index + 1} has an unknown property "${key}"`);
  const { path, value, vr } = raw;
  const op = raw.op ?? 'set';
  if (typeof path !== 'string' || path.trim() === '') throw badEdit(`edit ${index + 1} needs a path (a keyword, tag or sequence path)`);
  if (op !== 'set' && op !== 'add' && op !== 'delete') throw badEdit(`edit ${index + 1} (${path}): op must be set, add or delete`);
  if (op !== 'delete' && (value === undefined || value === null)) throw badEdit(`edit ${index + 1} (${path}): ${op} needs a value`);
  if (vr !== undefined && (typeof vr !== 'string' || !isVr(vr))) throw badEdit(`edit ${index + 1} (${path}): vr must be a two-letter VR`);
  return { path, op, ...(value !== undefined && value !== null ? { value } : {}), ...(vr !== undefined ? { vr: vr as Vr } : {}) };
}

/**
 * Turns edits written as JSON into {@link TagEdit}s. Takes the object form, where each key is a path and each
 * value the new value (`null` deletes): `{ "PatientName": "New^Name", "(0010,0020)": "ID", "OtherPatientIDs":
 * null }`, or an array of `{ path, op?, value?, vr? }` (op defaults to `set`). Throws CORE_INVALID_VALUE for
 * any other shape. Paths are parsed later, by {@link editTags}.
 *
 * Edits of the object form keep its key order, except that JavaScript puts keys that are array indexes (an
 * all-digit tag such as `20100010`) first; use the array form when the order of edits matters.
 */
export function editsFromJson(edits: unknown): TagEdit[] {
  if (Array.isArray(edits)) return edits.map((raw: unknown, i) => checkEdit(raw, i));
  if (!isPlainObject(edits)) throw badEdit('edits must be a JSON object of path: value pairs, or an array of edits');
  return Object.entries(edits).map(([path, value], i) => checkEdit(value === null ? { path, op: 'delete' } : { path, op: 'set', value }, i));
}

/** Display strings for an element's values: text as is, numbers in decimal, tags as (gggg,eeee), bulk as a size. */
function display(element: DataElement): string[] {
  if (isEncapsulated(element)) return [`<encapsulated pixel data: ${element.value.fragments.length} fragments>`];
  if (element.vr === 'SQ') return [`<sequence: ${element.value.length} item${element.value.length === 1 ? '' : 's'}>`];
  if (isBytesVr(element.vr)) return [`<${element.vr}: ${(element.value as Uint8Array).length} bytes>`];
  if (element.vr === 'AT') return element.value.map((tag) => formatTag(tag));
  if (isNumberVr(element.vr) || isBigIntVr(element.vr)) return (element.value as readonly (number | bigint)[]).map(String);
  return [...(element.value as readonly string[])];
}

/** A copy of the data set's structure (maps and item lists); elements, being immutable, are shared. */
function cloneDataset(dataset: Dataset): Dataset {
  const elements = new Map<number, DataElement>();
  for (const [tag, element] of dataset.elements) {
    elements.set(tag, element.vr === 'SQ' ? { ...element, value: element.value.map(cloneDataset) } : element);
  }
  return { elements };
}

function apply(dataset: Dataset, steps: readonly TagPathStep[], edit: TagEdit, options: EditTagsOptions, changes: TagChange[]): void {
  const path = formatTagPath(steps);
  const before = getElementAt(dataset, steps);
  if (edit.op === 'delete') {
    if (before !== undefined) setElementAt(dataset, steps, undefined);
    changes.push(before !== undefined ? { path, op: 'delete', before: display(before) } : { path, op: 'delete' });
    return;
  }
  const tag = steps[steps.length - 1]!.tag;
  if (edit.op === 'add' && before !== undefined) {
    throw new DicomError('CORE_ELEMENT_EXISTS', `${describeTag(tag)} is already present; use set to replace it`, { tag });
  }
  const setOptions = { ...(edit.vr !== undefined ? { vr: edit.vr } : {}), allowVmMismatch: options.allowVmMismatch === true };
  let value = edit.value;
  let itemEdits: TagEdit[][] | undefined;
  if (Array.isArray(value) && value.length > 0 && value.every(isPlainObject)) {
    if (value.every(isDatasetLike)) {
      value = (value as unknown as Dataset[]).map(cloneDataset); // so that later edits in items never reach the caller's data sets
    } else if (resolveVr(tag, before, edit.vr, describeTag(tag)) === 'SQ') {
      itemEdits = value.map((item) => editsFromJson(item));
      value = itemEdits.map((): Dataset => ({ elements: new Map() }));
    }
  }
  const after = setValue(dataset, steps, value as ValueInput, setOptions);
  changes.push({ path, op: edit.op, before: before === undefined ? undefined : display(before), after: display(after) });
  itemEdits?.forEach((edits, i) => {
    const itemPath: TagPathStep[] = [...steps.slice(0, -1), { tag, item: i }];
    for (const nested of edits) apply(dataset, [...itemPath, ...toPathSteps(nested.path)], nested, options, changes);
  });
}

function runAll(dataset: Dataset, edits: readonly TagEdit[], parsed: readonly (readonly TagPathStep[])[], options: EditTagsOptions): TagChange[] {
  const changes: TagChange[] = [];
  edits.forEach((edit, i) => {
    try {
      apply(dataset, parsed[i]!, edit, options, changes);
    } catch (error) {
      if (!isDicomError(error)) throw error;
      throw new DicomError(error.code, `edit ${i + 1} (${edit.path}): ${error.message}`, { ...(error.tag !== undefined ? { tag: error.tag } : {}), cause: error });
    }
  });
  return changes;
}

/**
 * Applies many edits (set, add or delete, by keyword, tag or sequence path) as one: every edit is checked
 * first (on a copy), and the data set changes only when all of them succeed. Edits apply in order, so a
 * later edit sees the earlier ones (`Seq[0].X` after `Seq` is set).
 *
 * **Mutates `dataset` in place** unless `dryRun` is set; a dry run returns the same changes and leaves the data
 * set untouched. `edits` is an array of {@link TagEdit} or the JSON object form of {@link editsFromJson}.
 * Values are converted and checked as {@link setValue} does them. Throws CORE_INVALID_TAG for an unknown
 * keyword or bad path, CORE_INVALID_VALUE for a bad value, CORE_ELEMENT_EXISTS for `add` of a present element,
 * CORE_CHARSET_UNENCODABLE for text the character set cannot hold; messages start with the edit's number.
 */
export function editTags(dataset: Dataset, edits: readonly TagEdit[] | Readonly<Record<string, unknown>>, options: EditTagsOptions = {}): EditTagsResult {
  const list = editsFromJson(edits);
  const parsed = list.map((edit, i) => {
    try {
      return toPathSteps(edit.path);
    } catch (error) {
      if (!isDicomError(error)) throw error;
      throw new DicomError(error.code, `edit ${i + 1}: ${error.message}`, { cause: error });
    }
  });
  const changes = runAll(cloneDataset(dataset), list, parsed, options);
  if (options.dryRun !== true) runAll(dataset, list, parsed, options);
  return { changes };
}
