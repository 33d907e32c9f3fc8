import type { DataElement, Dataset } from '@dicom-tools/core';
import type { ProfileOptionName } from './_generated/profile-table.js';
import { ANONYMIZE_VERSION } from './_version.js';
import { BASIC_PROFILE_CODE, PROFILE_OPTIONS } from './profile-options.js';

/** What the markers say. */
export interface MarkerInput {
  readonly profile: 'basic' | 'seed';
  readonly options: readonly ProfileOptionName[];
  readonly longitudinal: 'REMOVED' | 'MODIFIED' | 'UNMODIFIED';
}

function codeItem(code: string, meaning: string): Dataset {
  const elements = new Map<number, DataElement>([
    [0x00080100, { tag: 0x00080100, vr: 'SH', value: [code] }],
    [0x00080102, { tag: 0x00080102, vr: 'SH', value: ['DCM'] }],
    [0x00080104, { tag: 0x00080104, vr: 'LO', value: [meaning] }],
  ]);
  return { elements };
}

function codeOf(item: Dataset): string | undefined {
  const e = item.elements.get(0x00080100);
  const v = e !== undefined && Array.isArray(e.value) ? (e.value as readonly unknown[])[0] : undefined;
  return typeof v === 'string' ? v.trim() : undefined;
}

/**
 * The elements that say a data set was de-identified (PS3.15 E.1.1, PS3.3 C.12.1): Patient Identity Removed
 * (0012,0062) YES; De-identification Method (0012,0063) naming this tool and version, the profile and each option
 * (added to the values already there, as when a data set is de-identified twice); De-identification Method Code
 * Sequence (0012,0064) with 113100 and one CID 7050 code per option (codes already there are kept, none twice);
 * Longitudinal Temporal Information Modified (0028,0303). For a data set without (0012,0063) and (0012,0064) they
 * depend only on `input`: with `cache`, they are made once per input and shared (elements are never changed).
 */
export function deidentificationMarkers(dataset: Dataset, input: MarkerInput, cache?: Map<string, readonly DataElement[]>): readonly DataElement[] {
  const method = dataset.elements.get(0x00120063);
  const sequence = dataset.elements.get(0x00120064);
  if (cache === undefined || method !== undefined || sequence !== undefined) return markers(method, sequence, input);
  const key = `${input.profile} ${input.longitudinal} ${input.options.join(' ')}`;
  let made = cache.get(key);
  if (made === undefined) {
    made = markers(undefined, undefined, input);
    cache.set(key, made);
  }
  return made;
}

function markers(method: DataElement | undefined, sequence: DataElement | undefined, input: MarkerInput): DataElement[] {
  const previous = method !== undefined && Array.isArray(method.value) ? (method.value as readonly unknown[]).filter((v): v is string => typeof v === 'string' && v !== '') : [];
  const ours = [`dicom-tools anonymize ${ANONYMIZE_VERSION}`, BASIC_PROFILE_CODE.meaning, ...(input.profile === 'seed' ? ['seed compatibility preset'] : [])];
  for (const option of input.options) ours.push(PROFILE_OPTIONS[option].meaning);
  const items: Dataset[] = sequence !== undefined && sequence.vr === 'SQ' ? [...sequence.value] : [];
  const codes = [BASIC_PROFILE_CODE, ...input.options.map((o) => PROFILE_OPTIONS[o])];
  for (const { code, meaning } of codes) if (!items.some((item) => codeOf(item) === code)) items.push(codeItem(code, meaning));
  return [
    { tag: 0x00120062, vr: 'CS', value: ['YES'] },
    { tag: 0x00120063, vr: 'LO', value: [...previous, ...ours] },
    { tag: 0x00120064, vr: 'SQ', value: items },
    { tag: 0x00280303, vr: 'CS', value: [input.longitudinal] },
  ];
}
