import type { DataElement, Dataset, DicomFile } from '@dicom-tools/core';
import { code, item, seq, text } from './_elements.js';
import {
  CONTENT_TIME, equipmentModule, generalStudyModule, identity, patientModule, sopCommonModule, STUDY_DATE, toFile,
} from './_modules.js';
import type { FixtureOptions } from './fixture-options.js';

/** Basic Text SR Storage. */
export const BASIC_TEXT_SR_STORAGE = '1.2.840.10008.5.1.4.1.1.88.11';

/** Options of {@link basicTextSR}. */
export interface BasicTextSROptions extends FixtureOptions {
  /** The findings, one TEXT content item each. Default two short sentences. */
  readonly findings?: readonly string[];
}

function contentItem(relationship: string, valueType: string, concept: Dataset, ...rest: DataElement[]): Dataset {
  return item(text(0x0040a010, 'CS', relationship), text(0x0040a040, 'CS', valueType), seq(0x0040a043, concept), ...rest);
}

/**
 * A Basic Text SR Storage instance: a Diagnostic Imaging Report (LOINC 18748-4) container holding a Findings
 * container (DCM 121070) of TEXT items and an Impressions TEXT item (DCM 121073), with Patient, General Study,
 * SR Document Series, General Equipment, SR Document General, SR Document Content and SOP Common modules.
 */
export function basicTextSR(options: BasicTextSROptions = {}): DicomFile {
  const id = identity('basicTextSR', options);
  const findings = options.findings ?? ['No abnormality of the synthetic phantom.', 'Gradient pattern as expected.'];
  const findingItems = findings.map((finding) => contentItem('CONTAINS', 'TEXT', code('121071', 'DCM', 'Finding'), text(0x0040a160, 'UT', finding)));
  return toFile([
    patientModule(options),
    generalStudyModule(id),
    // SR Document Series
    text(0x00080060, 'CS', 'SR'),
    text(0x0020000e, 'UI', id.seriesInstanceUID),
    text(0x00200011, 'IS', '4'),
    seq(0x00081111),
    equipmentModule(),
    // SR Document General
    text(0x00200013, 'IS', '1'),
    text(0x0040a491, 'CS', 'COMPLETE'),
    text(0x0040a493, 'CS', 'UNVERIFIED'),
    text(0x00080023, 'DA', STUDY_DATE),
    text(0x00080033, 'TM', CONTENT_TIME),
    seq(0x0040a372),
    // SR Document Content: the root container
    text(0x0040a040, 'CS', 'CONTAINER'),
    seq(0x0040a043, code('18748-4', 'LN', 'Diagnostic Imaging Report')),
    text(0x0040a050, 'CS', 'SEPARATE'),
    seq(0x0040a730,
      contentItem('CONTAINS', 'CONTAINER', code('121070', 'DCM', 'Findings'), text(0x0040a050, 'CS', 'SEPARATE'), seq(0x0040a730, ...findingItems)),
      contentItem('CONTAINS', 'TEXT', code('121073', 'DCM', 'Impression'), text(0x0040a160, 'UT', 'Synthetic report for tests.'))),
    sopCommonModule(id, BASIC_TEXT_SR_STORAGE),
  ], options);
}
