import { resolveUnknownVr, type Dataset } from '@dicom-tools/core';
import type { BurnedInReason } from './report.js';

/** Secondary Capture Image Storage and its multi-frame variants (PS3.4 B.5). */
const SECONDARY_CAPTURE = new Set([
  '1.2.840.10008.5.1.4.1.1.7', '1.2.840.10008.5.1.4.1.1.7.1', '1.2.840.10008.5.1.4.1.1.7.2', '1.2.840.10008.5.1.4.1.1.7.3', '1.2.840.10008.5.1.4.1.1.7.4',
]);
/** Ultrasound Image Storage, Ultrasound Multi-frame Image Storage, and their retired forms (PS3.4 B.5, PS3.6 A). */
const ULTRASOUND = new Set(['1.2.840.10008.5.1.4.1.1.6.1', '1.2.840.10008.5.1.4.1.1.3.1', '1.2.840.10008.5.1.4.1.1.6', '1.2.840.10008.5.1.4.1.1.3', '1.2.840.10008.5.1.4.1.1.6.2']);

function texts(dataset: Dataset, tag: number): readonly string[] {
  const found = dataset.elements.get(tag);
  const e = found?.vr === 'UN' ? (resolveUnknownVr(found) ?? found) : found;
  return e !== undefined && Array.isArray(e.value) ? (e.value as readonly unknown[]).filter((v): v is string => typeof v === 'string').map((v) => v.trim().toUpperCase()) : [];
}

/**
 * Why the pixels of `dataset` may show identifying text (PS3.15 E.3.1): Burned In Annotation (0028,0301) YES, a
 * Secondary Capture or Ultrasound SOP class, or an Image Type (0008,0008) with SECONDARY or SCREEN SAVE.
 */
export function burnedInRisk(dataset: Dataset): BurnedInReason[] {
  const reasons: BurnedInReason[] = [];
  if (texts(dataset, 0x00280301)[0] === 'YES') reasons.push('burned-in-annotation-yes');
  const sopClass = texts(dataset, 0x00080016)[0] ?? '';
  if (SECONDARY_CAPTURE.has(sopClass)) reasons.push('secondary-capture');
  if (ULTRASOUND.has(sopClass)) reasons.push('ultrasound');
  const imageType = texts(dataset, 0x00080008);
  if (imageType.includes('SECONDARY')) reasons.push('secondary-image-type');
  if (imageType.includes('SCREEN SAVE')) reasons.push('screen-save');
  return reasons;
}
