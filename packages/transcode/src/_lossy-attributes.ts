// What a lossy encode changes besides the pixels (PS3.3 C.7.6.1.1.5): Lossy Image Compression 01, its ratio and
// method (appended to earlier ones when the source was already lossy), and a new SOP Instance UID.
import { randomUUID } from 'node:crypto';
import { formatDecimalString, getString, getStrings, type Dataset } from '@dicom-tools/core';

const SOP_INSTANCE_UID = 0x00080018;
const MEDIA_STORAGE_SOP_INSTANCE_UID = 0x00020003;
const LOSSY_IMAGE_COMPRESSION = 0x00282110;
const LOSSY_IMAGE_COMPRESSION_RATIO = 0x00282112;
const LOSSY_IMAGE_COMPRESSION_METHOD = 0x00282114;

/** The Lossy Image Compression Method (0028,2114) defined term of each lossy syntax (PS3.3 C.7.6.1.1.5.1). */
const METHODS: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2.4.50': 'ISO_10918_1',
  '1.2.840.10008.1.2.4.51': 'ISO_10918_1',
  '1.2.840.10008.1.2.4.81': 'ISO_14495_1',
  '1.2.840.10008.1.2.4.91': 'ISO_15444_1',
  '1.2.840.10008.1.2.4.203': 'ISO_15444_15',
};

/** A new UID under the UUID-derived root 2.25 (PS3.5 B.2). */
export function newUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`;
}

/**
 * Marks `dataset` (a copy the caller owns) as a lossy copy: sets the lossy attributes for `syntax` at `ratio` and a
 * new SOP Instance UID, also in `meta` when it has one. Returns the new UID.
 */
export function markLossy(dataset: Dataset, meta: Dataset, syntax: string, ratio: number): string {
  const wasLossy = getString(dataset, LOSSY_IMAGE_COMPRESSION) === '01';
  const ratios = wasLossy ? [...(getStrings(dataset, LOSSY_IMAGE_COMPRESSION_RATIO) ?? [])] : [];
  const methods = wasLossy ? [...(getStrings(dataset, LOSSY_IMAGE_COMPRESSION_METHOD) ?? [])] : [];
  ratios.push(formatDecimalString(Number(ratio.toPrecision(4))));
  methods.push(METHODS[syntax] ?? syntax);
  dataset.elements.set(LOSSY_IMAGE_COMPRESSION, { tag: LOSSY_IMAGE_COMPRESSION, vr: 'CS', value: ['01'] });
  dataset.elements.set(LOSSY_IMAGE_COMPRESSION_RATIO, { tag: LOSSY_IMAGE_COMPRESSION_RATIO, vr: 'DS', value: ratios });
  dataset.elements.set(LOSSY_IMAGE_COMPRESSION_METHOD, { tag: LOSSY_IMAGE_COMPRESSION_METHOD, vr: 'CS', value: methods });
  const uid = newUid();
  dataset.elements.set(SOP_INSTANCE_UID, { tag: SOP_INSTANCE_UID, vr: 'UI', value: [uid] });
  if (meta.elements.has(MEDIA_STORAGE_SOP_INSTANCE_UID)) meta.elements.set(MEDIA_STORAGE_SOP_INSTANCE_UID, { tag: MEDIA_STORAGE_SOP_INSTANCE_UID, vr: 'UI', value: [uid] });
  return uid;
}

/** Sets Lossy Image Compression to 01 when absent: pixels decoded from an always-lossy syntax (JPEG .50/.51). */
export function flagDecodedLossy(dataset: Dataset, sourceSyntax: string): void {
  const alwaysLossy = sourceSyntax === '1.2.840.10008.1.2.4.50' || sourceSyntax === '1.2.840.10008.1.2.4.51';
  if (alwaysLossy && getString(dataset, LOSSY_IMAGE_COMPRESSION) === undefined) {
    dataset.elements.set(LOSSY_IMAGE_COMPRESSION, { tag: LOSSY_IMAGE_COMPRESSION, vr: 'CS', value: ['01'] });
  }
}
