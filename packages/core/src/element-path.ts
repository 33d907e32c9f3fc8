import type { DataElement, Dataset } from './dataset.js';
import { lookupTag } from './dictionary.js';
import { DicomError } from './errors.js';
import { describeTag, formatTagPath, parseTagPath, type TagPathStep } from './tag.js';

/**
 * Where an element is: a tag number (`0x00100010`, top level), a tag or path string (`PatientName`,
 * `(0010,0010)`, `00100010`, `ReferencedSeriesSequence[0].SeriesInstanceUID`), or parsed path steps.
 */
export type ElementPath = number | string | readonly TagPathStep[];

/** Turns any {@link ElementPath} into path steps. Throws CORE_INVALID_TAG for a path that cannot be parsed. */
export function toPathSteps(path: ElementPath): readonly TagPathStep[] {
  if (typeof path === 'number') {
    if (!Number.isInteger(path) || path < 0 || path > 0xffffffff) {
      throw new DicomError('CORE_INVALID_TAG', `not a tag number: ${path}`);
    }
    return [{ tag: path >>> 0 }];
  }
  if (typeof path === 'string') return parseTagPath(path);
  if (path.length === 0) throw new DicomError('CORE_INVALID_TAG', 'empty tag path');
  return path;
}

/** The path written back as text with keywords where known: `ReferencedSeriesSequence[0].SeriesInstanceUID`. */
export function formatElementPath(path: ElementPath): string {
  return formatTagPath(toPathSteps(path));
}

function leafTag(steps: readonly TagPathStep[]): number {
  const last = steps[steps.length - 1]!;
  if (last.item !== undefined) {
    throw new DicomError('CORE_INVALID_TAG', `path ${formatTagPath(steps)} names a sequence item, not an element`, { tag: last.tag });
  }
  return last.tag;
}

/**
 * The data sets along `path`: the top-level data set first, then each sequence item the path goes through, or
 * undefined when a sequence or item on the way is missing (or an element on the way is not a sequence).
 */
export function datasetsAlongPath(dataset: Dataset, path: ElementPath): Dataset[] | undefined {
  const steps = toPathSteps(path);
  const chain: Dataset[] = [dataset];
  let current = dataset;
  for (let i = 0; i < steps.length - 1; i++) {
    const step = steps[i]!;
    const element = current.elements.get(step.tag);
    if (element === undefined || element.vr !== 'SQ') return undefined;
    const item = element.value[step.item!];
    if (item === undefined) return undefined;
    chain.push(item);
    current = item;
  }
  return chain;
}

/**
 * The element at `path` (a tag number, a tag or keyword, or a sequence path such as
 * `ReferencedSeriesSequence[0].SeriesInstanceUID`), or undefined when it, or a sequence item on the way, is
 * absent. Throws CORE_INVALID_TAG when the path cannot be parsed or names an item rather than an element.
 */
export function getElementAt(dataset: Dataset, path: ElementPath): DataElement | undefined {
  const steps = toPathSteps(path);
  const tag = leafTag(steps);
  const chain = datasetsAlongPath(dataset, steps);
  return chain?.[chain.length - 1]!.elements.get(tag);
}

/**
 * Puts `element` at `path`, or deletes the element there when `element` is undefined.
 *
 * **Mutates `dataset` in place** (like pydicom): the `elements` Map of the data set that holds the element (the
 * top level or a sequence item) is changed. Elements themselves are never mutated; when an item has to be added,
 * the sequence element is replaced by a new one with the extra item.
 *
 * When setting, a missing item is created if its index equals the number of items (`Seq[0].X` on an absent or
 * empty `Seq` creates the sequence and its first item); a larger index throws CORE_INVALID_TAG. Deleting
 * something that is not there does nothing. Throws CORE_INVALID_TAG when `element.tag` is not the path's last
 * tag, when an element on the way is not a sequence, or when the path names an item.
 */
export function setElementAt(dataset: Dataset, path: ElementPath, element: DataElement | undefined): void {
  const steps = toPathSteps(path);
  const tag = leafTag(steps);
  if (element !== undefined && element.tag >>> 0 !== tag) {
    throw new DicomError('CORE_INVALID_TAG', `element ${describeTag(element.tag)} cannot be stored at ${formatTagPath(steps)}`, { tag });
  }
  // First walk the path without changing anything, so that a bad path throws before any item is added.
  let probe: Dataset | undefined = dataset;
  for (let i = 0; i < steps.length - 1; i++) {
    const step = steps[i]!;
    const index = step.item!;
    const existing: DataElement | undefined = probe?.elements.get(step.tag);
    if (existing !== undefined && existing.vr !== 'SQ') {
      throw new DicomError('CORE_INVALID_TAG', `${describeTag(step.tag)} in path ${formatTagPath(steps)} is not a sequence (VR ${existing.vr})`, { tag: step.tag });
    }
    const items: readonly Dataset[] = existing?.value ?? [];
    const item: Dataset | undefined = items[index];
    if (item !== undefined) {
      probe = item;
      continue;
    }
    if (element === undefined) return; // nothing to delete
    if (index !== items.length) {
      throw new DicomError('CORE_INVALID_TAG', `item ${index} of ${describeTag(step.tag)} does not exist (it has ${items.length}); only item ${items.length} can be added`, { tag: step.tag });
    }
    if (existing === undefined) {
      const vr = lookupTag(step.tag)?.vr;
      if (vr !== undefined && vr !== 'SQ') {
        throw new DicomError('CORE_INVALID_TAG', `${describeTag(step.tag)} in path ${formatTagPath(steps)} is not a sequence (VR ${vr})`, { tag: step.tag });
      }
    }
    probe = undefined; // from here on the items are created
  }
  let current = dataset;
  for (let i = 0; i < steps.length - 1; i++) {
    const step = steps[i]!;
    const existing = current.elements.get(step.tag);
    const items = existing?.vr === 'SQ' ? existing.value : [];
    const item = items[step.item!];
    if (item !== undefined) {
      current = item;
      continue;
    }
    const created: Dataset = { elements: new Map() };
    current.elements.set(step.tag, { tag: step.tag, vr: 'SQ', value: [...items, created] });
    current = created;
  }
  if (element === undefined) current.elements.delete(tag);
  else current.elements.set(tag, element);
}
