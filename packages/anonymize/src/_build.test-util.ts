// Test-only helpers (excluded from the build): small builders for data sets and the paths of the PHI test files.
import { join } from 'node:path';
import type { DataElement, Dataset, DicomFile, SequenceElement, TextElement, TextVr } from '@dicom-tools/core';

/** The folder of the PHI-rich files made by make_corpus.py (see test-data/README.md). */
export const TEST_DATA = join(__dirname, '..', 'test-data');

/** A text element. */
export function text(tag: number, vr: TextVr, ...values: string[]): TextElement {
  return { tag, vr, value: values };
}

/** A sequence element. */
export function seq(tag: number, ...items: Dataset[]): SequenceElement {
  return { tag, vr: 'SQ', value: items };
}

/** A data set of `elements`. */
export function ds(...elements: DataElement[]): Dataset {
  return { elements: new Map(elements.map((e) => [e.tag, e])) };
}

/** The first text value of `tag` in `dataset`. */
export function str(dataset: Dataset, tag: number): string | undefined {
  const e = dataset.elements.get(tag);
  return e !== undefined && Array.isArray(e.value) ? (e.value as readonly unknown[])[0] as string | undefined : undefined;
}

/** The items of sequence `tag` in `dataset`. */
export function items(dataset: Dataset, tag: number): readonly Dataset[] {
  const e = dataset.elements.get(tag);
  if (e === undefined || e.vr !== 'SQ') throw new Error(`no sequence ${tag.toString(16)}`);
  return e.value;
}

/** A Part 10 file around `dataset` (Explicit VR Little Endian, meta left to the writer). */
export function fileOf(dataset: Dataset): DicomFile {
  return { meta: { elements: new Map() }, dataset, transferSyntaxUID: '1.2.840.10008.1.2.1', hadPreamble: true };
}

/** Every element of `dataset` at any depth, with its depth. */
export function* allElements(dataset: Dataset, depth = 0): Generator<{ element: DataElement; depth: number }> {
  for (const element of dataset.elements.values()) {
    yield { element, depth };
    if (element.vr === 'SQ') for (const item of element.value) yield* allElements(item, depth + 1);
  }
}
