import { DicomError } from '@dicom-tools/core';
import { PROFILE_OPTION_NAMES, type ProfileOptionName } from './_generated/profile-table.js';

/** What each profile option is: its PS3.15 section and its code in CID 7050 (De-identification Method, PS3.16). */
export interface ProfileOptionInfo {
  /** The option's name in this package (`retainSafePrivate`). */
  readonly name: ProfileOptionName;
  /** The PS3.15 section that defines it. */
  readonly section: string;
  /** Code Value of the option in CID 7050 (coding scheme DCM). */
  readonly code: string;
  /** Code Meaning of that code, also written in De-identification Method (0012,0063). */
  readonly meaning: string;
}

/** The Basic Application Level Confidentiality Profile's own code in CID 7050. */
export const BASIC_PROFILE_CODE = { code: '113100', meaning: 'Basic Application Confidentiality Profile' } as const;

/** Every option of PS3.15 E.3 this package implements, with its CID 7050 code, by name. */
export const PROFILE_OPTIONS: Readonly<Record<ProfileOptionName, ProfileOptionInfo>> = {
  retainSafePrivate: { name: 'retainSafePrivate', section: 'E.3.10', code: '113111', meaning: 'Retain Safe Private Option' },
  retainUIDs: { name: 'retainUIDs', section: 'E.3.9', code: '113110', meaning: 'Retain UIDs Option' },
  retainDeviceIdentity: { name: 'retainDeviceIdentity', section: 'E.3.8', code: '113109', meaning: 'Retain Device Identity Option' },
  retainInstitutionIdentity: { name: 'retainInstitutionIdentity', section: 'E.3.11', code: '113112', meaning: 'Retain Institution Identity Option' },
  retainPatientCharacteristics: { name: 'retainPatientCharacteristics', section: 'E.3.7', code: '113108', meaning: 'Retain Patient Characteristics Option' },
  retainLongitudinalFullDates: {
    name: 'retainLongitudinalFullDates', section: 'E.3.6', code: '113106', meaning: 'Retain Longitudinal Temporal Information Full Dates Option',
  },
  retainLongitudinalModifiedDates: {
    name: 'retainLongitudinalModifiedDates', section: 'E.3.6', code: '113107', meaning: 'Retain Longitudinal Temporal Information Modified Dates Option',
  },
  cleanDescriptors: { name: 'cleanDescriptors', section: 'E.3.5', code: '113105', meaning: 'Clean Descriptors Option' },
  cleanStructuredContent: { name: 'cleanStructuredContent', section: 'E.3.4', code: '113104', meaning: 'Clean Structured Content Option' },
  cleanGraphics: { name: 'cleanGraphics', section: 'E.3.3', code: '113103', meaning: 'Clean Graphics Option' },
};

/**
 * The option named `text`: its name here (`retainSafePrivate`), in kebab-case (`retain-safe-private`), or its
 * CID 7050 code (`113111`). Throws CORE_INVALID_VALUE, listing the valid names, for anything else.
 */
export function parseProfileOption(text: string): ProfileOptionName {
  const wanted = text.trim().replace(/[-_](\w)/g, (_, c: string) => c.toUpperCase()).toLowerCase();
  for (const name of PROFILE_OPTION_NAMES) {
    if (name.toLowerCase() === wanted || PROFILE_OPTIONS[name].code === text.trim()) return name;
  }
  throw new DicomError('CORE_INVALID_VALUE', `unknown profile option "${text}": use one of ${PROFILE_OPTION_NAMES.join(', ')}`);
}
