// Test-only (excluded from the build): the PHI scanner. It lists, from the input alone and PS3.15 Table E.1-1,
// every original value the profile removes or replaces, then searches the raw output bytes for each of them.
import { keywordOf, uidName, type DataElement, type Dataset, type DicomFile } from '@dicom-tools/core';
import { PROFILE_PATTERNS, PROFILE_RULES, type ProfileOptionName, type ProfileRule } from './index.js';

/** Values shorter than this are not searched for (a one-letter sex or a two-digit weight occurs by chance anywhere). */
export const MIN_PHI_LENGTH = 4;
/**
 * All-digit values shorter than this are not searched for either: `1000` or `0001` occur by chance inside UIDs
 * (`1.2.840.10008...`), dummy dates (`19000101`) and pixel data. Dates (8 digits) are searched.
 */
export const MIN_NUMERIC_PHI_LENGTH = 8;

/** Keywords of UI attributes whose values are classes, syntaxes or schemes (PS3.6), never instance UIDs. */
const CLASS_UID = /SOPClass|ClassUID$|TransferSyntaxUID|^CodingSchemeUID$|^ContextUID$|^MappingResourceUID$|^ContextGroupExtensionCreatorUID$|^CreatorVersionUID$|^PrivateInformationCreatorUID$|^SegmentationTemplateUID$/;
/** VRs whose values are text worth searching for (numbers, codes and binary data are not identifying on their own). */
const SEARCHED = new Set(['AE', 'DA', 'DT', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);

function rowOf(tag: number): ProfileRule | undefined {
  const rule = PROFILE_RULES[tag];
  if (rule !== undefined || ((tag >>> 16) & 1) === 1) return rule;
  return PROFILE_PATTERNS.find((p) => ((tag & p.mask) >>> 0) === p.value)?.rule;
}

function wellKnown(uid: string): boolean {
  return uid.startsWith('1.2.840.10008.') || uidName(uid) !== undefined;
}

function textValues(element: DataElement): string[] {
  if (!Array.isArray(element.value)) return [];
  return (element.value as readonly unknown[]).filter((v): v is string => typeof v === 'string').map((v) => v.trim());
}

/**
 * The original values in `file` that must not survive anonymization with `options`:
 * - every text value of an attribute with a row in Table E.1-1 that no selected option names (every Basic Profile
 *   action removes or replaces the value), at any depth;
 * - every text value of a private element and of anything inside a private sequence (unless retainSafePrivate);
 * - every Person Name, and every instance UID (a UI value of a non-class attribute that is not a well-known UID,
 *   unless retainUIDs);
 * - the file meta's Media Storage SOP Instance UID and Source AE Title (unless retainDeviceIdentity).
 * Only values of at least MIN_PHI_LENGTH characters (MIN_NUMERIC_PHI_LENGTH for all-digit ones), of text VRs (not
 * numbers or codes), and not equal to a CS value of the input, are listed.
 */
export function phiValues(file: DicomFile, options: readonly ProfileOptionName[]): Set<string> {
  const out = new Set<string>();
  const codes = new Set<string>();
  const kept: string[] = [];
  const add = (values: readonly string[]): void => {
    for (const v of values) {
      if (v.length >= MIN_PHI_LENGTH && (v.length >= MIN_NUMERIC_PHI_LENGTH || !/^[0-9.+\- ]+$/.test(v))) out.add(v);
    }
  };
  const retainUids = options.includes('retainUIDs');
  const retainPrivate = options.includes('retainSafePrivate');
  const walk = (dataset: Dataset, inPrivate: boolean): void => {
    for (const element of dataset.elements.values()) {
      const tag = element.tag;
      const odd = ((tag >>> 16) & 1) === 1;
      const creator = odd && (tag & 0xffff) >= 0x0010 && (tag & 0xffff) <= 0x00ff;
      const privateData = odd && !creator && !retainPrivate;
      if (element.vr === 'SQ') {
        for (const item of element.value) walk(item, inPrivate || privateData);
        continue;
      }
      if (element.vr === 'CS') for (const v of textValues(element)) codes.add(v);
      if (!SEARCHED.has(element.vr)) continue;
      const values = textValues(element);
      if (element.vr === 'UI') {
        if (!retainUids && !CLASS_UID.test(keywordOf(tag) ?? '')) add(values.filter((v) => !wellKnown(v)));
        else kept.push(...values);
        continue;
      }
      if (inPrivate || privateData || element.vr === 'PN') {
        add(values);
        continue;
      }
      const rule = odd ? undefined : rowOf(tag);
      if (rule !== undefined && !options.some((o) => rule[o] !== undefined)) add(values);
      else if (rule !== undefined) kept.push(...values);
    }
  };
  walk(file.dataset, false);
  const sopInstance = textValues(file.meta.elements.get(0x00020003) ?? { tag: 0, vr: 'UI', value: [] });
  if (!retainUids) add(sopInstance.filter((v) => !wellKnown(v)));
  const sourceAe = textValues(file.meta.elements.get(0x00020016) ?? { tag: 0, vr: 'AE', value: [] });
  if (options.includes('retainDeviceIdentity')) kept.push(...sourceAe);
  else add(sourceAe);
  // A removed description that equals a defined term kept elsewhere (Study Description WHOLE BODY, Body Part
  // Examined WHOLE BODY) is a code, not an identifier.
  for (const code of codes) out.delete(code);
  // A value the options keep in one attribute (Station Name with retainDeviceIdentity, a date inside a UID with
  // retainUIDs) is legitimately in the output even if another attribute that held it was removed.
  for (const value of out) if (kept.some((k) => k.includes(value))) out.delete(value);
  return out;
}

/** The values of `phi` found in `bytes`, searched as UTF-8 and as Latin-1 (covers ISO_IR 100 and ASCII). */
export function phiFound(bytes: Uint8Array, phi: Iterable<string>): string[] {
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found: string[] = [];
  for (const value of phi) {
    if (haystack.includes(Buffer.from(value, 'utf8')) || haystack.includes(Buffer.from(value, 'latin1'))) found.push(value);
  }
  return found;
}

/** Tags of odd-group elements anywhere in `dataset` (private creators included). */
export function oddGroupTags(dataset: Dataset): number[] {
  const tags: number[] = [];
  for (const element of dataset.elements.values()) {
    if (((element.tag >>> 16) & 1) === 1) tags.push(element.tag);
    if (element.vr === 'SQ') for (const item of element.value) tags.push(...oddGroupTags(item));
  }
  return tags;
}
