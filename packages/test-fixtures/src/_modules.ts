import { TransferSyntax, type DataElement, type DicomFile } from '@dicom-tools/core';
import { fileMetaOf } from './_file-meta.js';
import { DEFAULT_FIXTURE_SEED, type FixtureOptions } from './fixture-options.js';
import { item, text } from './_elements.js';
import { fixtureUid } from './_uid.js';

/** Fixed dates and times: fixtures never depend on the clock. */
export const STUDY_DATE = '20240115';
export const STUDY_TIME = '101500';
export const CONTENT_TIME = '101530';

/** The UIDs one instance needs, resolved from options and the seed. */
export interface Identity {
  readonly seed: string;
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly sopInstanceUID: string;
  readonly frameOfReferenceUID: string;
}

/** Resolves the UIDs of instance `index` of the series a factory named `factory` makes. */
export function identity(factory: string, options: FixtureOptions, index = 0, frameOfReferenceUID?: string): Identity {
  const seed = options.seed ?? DEFAULT_FIXTURE_SEED;
  return {
    seed,
    studyInstanceUID: options.studyInstanceUID ?? fixtureUid(seed, 'study'),
    seriesInstanceUID: options.seriesInstanceUID ?? fixtureUid(seed, factory, 'series'),
    sopInstanceUID: options.sopInstanceUID ?? fixtureUid(seed, factory, 'instance', String(index)),
    frameOfReferenceUID: frameOfReferenceUID ?? fixtureUid(seed, 'frame-of-reference'),
  };
}

/** Patient module (PS3.3 C.7.1.1): the Type 2 attributes, with made-up values. */
export function patientModule(options: FixtureOptions): DataElement[] {
  return [
    text(0x00100010, 'PN', options.patientName ?? 'Fixture^Test'),
    text(0x00100020, 'LO', options.patientId ?? 'FIXTURE-0001'),
    text(0x00100030, 'DA', '19700101'),
    text(0x00100040, 'CS', 'O'),
  ];
}

/** General Study module (C.7.2.1). */
export function generalStudyModule(id: Identity): DataElement[] {
  return [
    text(0x0020000d, 'UI', id.studyInstanceUID),
    text(0x00080020, 'DA', STUDY_DATE),
    text(0x00080030, 'TM', STUDY_TIME),
    text(0x00080090, 'PN'),
    text(0x00200010, 'SH', 'FIXTURE'),
    text(0x00080050, 'SH'),
    text(0x00081030, 'LO', 'Synthetic test study'),
  ];
}

/** General Series module (C.7.3.1); Patient Position only for the modalities whose IODs require it. */
export function generalSeriesModule(id: Identity, modality: string, seriesNumber: number, description: string): DataElement[] {
  const elements = [
    text(0x00080060, 'CS', modality),
    text(0x0020000e, 'UI', id.seriesInstanceUID),
    text(0x00200011, 'IS', String(seriesNumber)),
    text(0x0008103e, 'LO', description),
    text(0x00080021, 'DA', STUDY_DATE),
    text(0x00080031, 'TM', STUDY_TIME),
  ];
  if (modality === 'CT' || modality === 'MR') elements.push(text(0x00185100, 'CS', 'HFS'));
  // An unpaired body part: Laterality (2C) is then absent, as PS3.3 C.7.3.1 asks.
  if (modality !== 'SR') elements.push(text(0x00180015, 'CS', 'ABDOMEN'));
  return elements;
}

/** Frame of Reference module (C.7.4.1). */
export function frameOfReferenceModule(id: Identity): DataElement[] {
  return [text(0x00200052, 'UI', id.frameOfReferenceUID), text(0x00201040, 'LO')];
}

/** General Equipment module (C.7.5.1), with the Enhanced General Equipment (C.7.5.2) Type 1 attributes. */
export function equipmentModule(): DataElement[] {
  return [
    text(0x00080070, 'LO', 'dicom-tools'),
    text(0x00081090, 'LO', 'test-fixtures'),
    text(0x00181000, 'LO', '0001'),
    text(0x00181020, 'LO', '0.1.0'),
    text(0x00080080, 'LO', 'Test Institution'),
    text(0x00081010, 'SH', 'FIXTURE'),
  ];
}

/** SOP Common module (C.12.1). */
export function sopCommonModule(id: Identity, sopClassUID: string): DataElement[] {
  return [
    text(0x00080016, 'UI', sopClassUID),
    text(0x00080018, 'UI', id.sopInstanceUID),
    text(0x00080012, 'DA', STUDY_DATE),
    text(0x00080013, 'TM', CONTENT_TIME),
  ];
}

/** Content Date and Time (General Image module and others). */
export function contentDateTime(): DataElement[] {
  return [text(0x00080023, 'DA', STUDY_DATE), text(0x00080033, 'TM', CONTENT_TIME)];
}


/** A Part 10 DicomFile of `elements`, with the file meta group writeDicom would write (and a reader return). */
export function toFile(elements: ReadonlyArray<DataElement | readonly DataElement[]>, options: FixtureOptions): DicomFile {
  const file: DicomFile = { meta: { elements: new Map() }, dataset: item(...elements), transferSyntaxUID: options.transferSyntaxUID ?? TransferSyntax.ExplicitVRLittleEndian, hadPreamble: true };
  return { ...file, meta: fileMetaOf(file) };
}
