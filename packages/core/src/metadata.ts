import { Tags } from './_generated/dictionary.js';
import type { DataElement, Dataset, DicomFile } from './dataset.js';
import { transferSyntaxInfo, uidName } from './transfer-syntax.js';

/** Options for {@link summarizeMetadata}. */
export interface SummarizeOptions {
  /** Size of the file in bytes, reported as `fileSize` (the data model does not know it). */
  readonly fileSize?: number;
}

/** Patient module fields. */
export interface PatientSummary {
  /** Patient's Name as written (PS3.5 form, `Family^Given=...`). */
  readonly name: string | null;
  readonly id: string | null;
  /** Patient's Birth Date as written (`YYYYMMDD`). */
  readonly birthDate: string | null;
  readonly sex: string | null;
  /** Patient's Age as written (AS, e.g. `045Y`). */
  readonly age: string | null;
  /** Patient's Weight in kg. */
  readonly weight: number | null;
}

/** General Study fields. */
export interface StudySummary {
  readonly description: string | null;
  /** Study Date as written (`YYYYMMDD`). */
  readonly date: string | null;
  /** Study Time as written (`HHMMSS.FFFFFF`). */
  readonly time: string | null;
  readonly instanceUID: string | null;
  readonly id: string | null;
}

/** General Series fields. */
export interface SeriesSummary {
  readonly description: string | null;
  readonly number: number | null;
  readonly modality: string | null;
  readonly instanceUID: string | null;
}

/** Image Pixel and VOI LUT fields. */
export interface ImageSummary {
  readonly rows: number | null;
  readonly columns: number | null;
  readonly bitsAllocated: number | null;
  readonly bitsStored: number | null;
  readonly samplesPerPixel: number | null;
  readonly photometricInterpretation: string | null;
  /** The first Window Center (the one a viewer applies by default). */
  readonly windowCenter: number | null;
  /** The first Window Width. */
  readonly windowWidth: number | null;
  readonly numberOfFrames: number | null;
}

/** Acquisition fields. */
export interface AcquisitionSummary {
  readonly date: string | null;
  readonly time: string | null;
  readonly number: number | null;
}

/** General Equipment fields. */
export interface EquipmentSummary {
  readonly manufacturer: string | null;
  readonly model: string | null;
  readonly station: string | null;
  /** Software Versions, every value joined by `\` as in the file. */
  readonly softwareVersions: string | null;
}

/** A UID with its registry name, when the registry knows it. */
export interface NamedUid {
  readonly uid: string | null;
  readonly name: string | null;
}

/** The summary {@link summarizeMetadata} returns: every field present, `null` where the file has no value. */
export interface MetadataSummary {
  readonly patient: PatientSummary;
  readonly study: StudySummary;
  readonly series: SeriesSummary;
  readonly image: ImageSummary;
  readonly acquisition: AcquisitionSummary;
  readonly equipment: EquipmentSummary;
  readonly transferSyntax: NamedUid;
  /** True when the transfer syntax encapsulates (compresses) Pixel Data; deflate of the whole data set does not count. */
  readonly compressed: boolean;
  /** SOP Class UID (0008,0016), or (0002,0002) when the data set lacks it. */
  readonly sopClass: NamedUid;
  readonly fileSize: number | null;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function element(dataset: Dataset, tag: number): DataElement | undefined {
  return dataset.elements.get(tag);
}

/** Text values joined by `\`; null when absent, empty, or not a text element. */
function text(dataset: Dataset, tag: number): string | null {
  const e = element(dataset, tag);
  if (e === undefined || !Array.isArray(e.value) || e.value.length === 0 || typeof e.value[0] !== 'string') return null;
  const joined = (e.value as readonly string[]).join('\\');
  return joined.trim() === '' ? null : joined;
}

/** The first value as a number (binary numbers, or DS / IS text); null when absent, empty or not a number. */
function number(dataset: Dataset, tag: number): number | null {
  const e = element(dataset, tag);
  if (e === undefined || !Array.isArray(e.value) || e.value.length === 0) return null;
  const first: unknown = e.value[0];
  if (typeof first === 'number') return first;
  if (typeof first === 'bigint') return Number(first);
  if (typeof first !== 'string') return null;
  const trimmed = first.trim();
  if (!DECIMAL.test(trimmed)) return null;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : null;
}

/**
 * Summarizes the header of a file: patient, study, series, image, acquisition and equipment fields, the
 * transfer syntax and SOP class with their names, whether pixel data is compressed, and the file size.
 *
 * Every field is present; a missing or empty element gives `null` (so JSON output keeps a fixed shape).
 * Numeric fields are JSON numbers (US/UL values, DS/IS parsed; a DS/IS that is not a number, such as `1A`,
 * gives `null`; of several values, the first). Text fields keep the value as written, several values joined
 * by `\`. Dates, times and ages stay DICOM strings (`20040119`, `072730`, `045Y`).
 */
export function summarizeMetadata(file: DicomFile, options: SummarizeOptions = {}): MetadataSummary {
  const d = file.dataset;
  const ts = file.transferSyntaxUID;
  const info = transferSyntaxInfo(ts);
  const sopClassUid = text(d, Tags.SOPClassUID) ?? text(file.meta, Tags.MediaStorageSOPClassUID);
  return {
    patient: {
      name: text(d, Tags.PatientName),
      id: text(d, Tags.PatientID),
      birthDate: text(d, Tags.PatientBirthDate),
      sex: text(d, Tags.PatientSex),
      age: text(d, Tags.PatientAge),
      weight: number(d, Tags.PatientWeight),
    },
    study: {
      description: text(d, Tags.StudyDescription),
      date: text(d, Tags.StudyDate),
      time: text(d, Tags.StudyTime),
      instanceUID: text(d, Tags.StudyInstanceUID),
      id: text(d, Tags.StudyID),
    },
    series: {
      description: text(d, Tags.SeriesDescription),
      number: number(d, Tags.SeriesNumber),
      modality: text(d, Tags.Modality),
      instanceUID: text(d, Tags.SeriesInstanceUID),
    },
    image: {
      rows: number(d, Tags.Rows),
      columns: number(d, Tags.Columns),
      bitsAllocated: number(d, Tags.BitsAllocated),
      bitsStored: number(d, Tags.BitsStored),
      samplesPerPixel: number(d, Tags.SamplesPerPixel),
      photometricInterpretation: text(d, Tags.PhotometricInterpretation),
      windowCenter: number(d, Tags.WindowCenter),
      windowWidth: number(d, Tags.WindowWidth),
      numberOfFrames: number(d, Tags.NumberOfFrames),
    },
    acquisition: {
      date: text(d, Tags.AcquisitionDate),
      time: text(d, Tags.AcquisitionTime),
      number: number(d, Tags.AcquisitionNumber),
    },
    equipment: {
      manufacturer: text(d, Tags.Manufacturer),
      model: text(d, Tags.ManufacturerModelName),
      station: text(d, Tags.StationName),
      softwareVersions: text(d, Tags.SoftwareVersions),
    },
    transferSyntax: { uid: ts === '' ? null : ts, name: ts === '' ? null : info.known ? info.name : null },
    compressed: ts !== '' && info.encapsulated,
    sopClass: { uid: sopClassUid, name: sopClassUid === null ? null : uidName(sopClassUid) ?? null },
    fileSize: options.fileSize ?? null,
  };
}
