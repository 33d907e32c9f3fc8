import { keywordOf, type Dataset } from '@dicom-tools/core';
import type { QueryLevel } from './query.js';

// The level each Query/Retrieve key belongs to, from the key tables of PS3.4 C.6.1.1 (Patient Root) and C.6.2.1
// (Study Root), where the patient keys sit at the STUDY level. Keys not listed (private or unusual ones) are
// left alone.
const STUDY_KEYS = [
  'StudyDate', 'StudyTime', 'AccessionNumber', 'StudyID', 'StudyInstanceUID', 'ReferringPhysicianName', 'StudyDescription',
  'ProcedureCodeSequence', 'NameOfPhysiciansReadingStudy', 'AdmittingDiagnosesDescription', 'ModalitiesInStudy', 'SOPClassesInStudy',
  'NumberOfStudyRelatedSeries', 'NumberOfStudyRelatedInstances', 'PatientAge', 'PatientSize', 'PatientWeight', 'Occupation',
  'AdditionalPatientHistory', 'OtherStudyNumbers', 'IssuerOfAccessionNumberSequence',
];
const SERIES_KEYS = [
  'Modality', 'SeriesNumber', 'SeriesInstanceUID', 'NumberOfSeriesRelatedInstances', 'SeriesDescription', 'SeriesDate', 'SeriesTime',
  'BodyPartExamined', 'Laterality', 'ProtocolName', 'PerformedProcedureStepStartDate', 'PerformedProcedureStepStartTime',
  'RequestAttributesSequence', 'OperatorsName', 'PerformingPhysicianName',
];
const IMAGE_KEYS = [
  'InstanceNumber', 'SOPInstanceUID', 'SOPClassUID', 'ContentDate', 'ContentTime', 'AcquisitionNumber', 'AcquisitionDate', 'AcquisitionTime',
  'ImageType', 'Rows', 'Columns', 'BitsAllocated', 'NumberOfFrames', 'ImageComments', 'ContentLabel', 'ContentDescription',
];

const DEPTH: Readonly<Record<QueryLevel, number>> = { PATIENT: 0, STUDY: 1, SERIES: 2, IMAGE: 3 };

const KEY_DEPTH: ReadonlyMap<string, number> = new Map([
  ...STUDY_KEYS.map((k) => [k, 1] as const),
  ...SERIES_KEYS.map((k) => [k, 2] as const),
  ...IMAGE_KEYS.map((k) => [k, 3] as const),
]);

/**
 * Splits the keys of a C-FIND identifier that belong to levels below `level` (hierarchical model, PS3.4
 * C.4.1.1.3.1: an identifier holds keys of its own level and unique keys of the levels above): `matching` are
 * those with a value (a condition the query cannot state at this level), `returned` those asked for as return
 * keys only. With the patient root model the patient level is above the study level; with the study root the
 * patient keys are study keys (never below).
 */
export function keysBelowLevel(identifier: Dataset, level: QueryLevel): { matching: string[]; returned: number[] } {
  const matching: string[] = [];
  const returned: number[] = [];
  for (const element of identifier.elements.values()) {
    const keyword = keywordOf(element.tag);
    const depth = keyword === undefined ? undefined : KEY_DEPTH.get(keyword);
    if (depth === undefined || depth <= DEPTH[level]) continue;
    const value = element.value;
    const empty = element.vr === 'SQ' ? true : value instanceof Uint8Array ? value.length === 0 : Array.isArray(value) ? value.every((v) => v === '' || v === undefined) : false;
    if (empty) returned.push(element.tag);
    else matching.push(keyword!);
  }
  return { matching, returned };
}
