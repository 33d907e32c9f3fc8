import { getNumber, getNumbers, getString, getStrings, isDicomError, type Dataset } from '@dicom-tools/core';

function lenient<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (isDicomError(error, 'CORE_INVALID_VALUE')) return undefined;
    throw error;
  }
}

// An absent element is answered from the map before core's getters run: most lookups of a volume's headers are for
// elements a modality does not write (echo, trigger, frames...), and it is the common case in a cold process.

/** A number that may be malformed in the wild: a bad value reads as absent rather than stopping the conversion. */
export function lenientNumber(dataset: Dataset | undefined, tag: number): number | undefined {
  return dataset === undefined || !dataset.elements.has(tag) ? undefined : lenient(() => getNumber(dataset, tag));
}

/** Every number of an element, leniently (see {@link lenientNumber}). */
export function lenientNumbers(dataset: Dataset | undefined, tag: number): readonly number[] | undefined {
  return dataset === undefined || !dataset.elements.has(tag) ? undefined : lenient(() => getNumbers(dataset, tag));
}

/** The first text value, or undefined when absent, empty or not text. */
export function lenientString(dataset: Dataset | undefined, tag: number): string | undefined {
  return dataset === undefined || !dataset.elements.has(tag) ? undefined : lenient(() => getString(dataset, tag));
}

/** Every text value, or undefined when absent or not text. */
export function lenientStrings(dataset: Dataset | undefined, tag: number): readonly string[] | undefined {
  return dataset === undefined || !dataset.elements.has(tag) ? undefined : lenient(() => getStrings(dataset, tag));
}
