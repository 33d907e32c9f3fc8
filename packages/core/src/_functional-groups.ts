import type { Dataset } from './dataset.js';

const SHARED_FUNCTIONAL_GROUPS = 0x52009229;
const PER_FRAME_FUNCTIONAL_GROUPS = 0x52009230;

function firstItem(dataset: Dataset | undefined, tag: number): Dataset | undefined {
  const element = dataset?.elements.get(tag);
  return element?.vr === 'SQ' ? element.value[0] : undefined;
}

/**
 * The item of functional group macro `sequenceTag` (e.g. Pixel Value Transformation (0028,9145)) that applies to
 * frame `index` of an enhanced multi-frame image: the per-frame one, else the shared one (PS3.3 C.7.6.16).
 * Undefined for images without functional groups.
 */
export function functionalGroupItem(dataset: Dataset, index: number, sequenceTag: number): Dataset | undefined {
  const perFrame = dataset.elements.get(PER_FRAME_FUNCTIONAL_GROUPS);
  const frameItem = perFrame?.vr === 'SQ' ? perFrame.value[index] : undefined;
  return firstItem(frameItem, sequenceTag) ?? firstItem(firstItem(dataset, SHARED_FUNCTIONAL_GROUPS), sequenceTag);
}
