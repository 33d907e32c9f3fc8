import type { DicomFile } from '@dicom-tools/core';
import { ds, dsList, num, bytes, text } from './_elements.js';
import {
  contentDateTime, equipmentModule, frameOfReferenceModule, generalSeriesModule, generalStudyModule, identity, patientModule,
  sopCommonModule, STUDY_DATE, STUDY_TIME, toFile as toFileOf,
} from './_modules.js';
import { centredPosition, cross, dot } from './_geometry.js';
import { grey16 } from './_pixels.js';
import type { FixtureOptions } from './fixture-options.js';

/** CT Image Storage. */
export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

/** Options of {@link ctSlice}. */
export interface CtSliceOptions extends FixtureOptions {
  /** Rows (default 64). */
  readonly rows?: number;
  /** Columns (default 64). */
  readonly columns?: number;
  /** Pixel Spacing: row spacing (between rows) then column spacing, in mm. Default [0.75, 0.75]. */
  readonly pixelSpacing?: readonly [number, number];
  /** Slice Thickness in mm. Default 2.5. */
  readonly sliceThickness?: number;
  /** Image Orientation (Patient): row direction cosines then column direction cosines. Default axial [1,0,0,0,1,0]. */
  readonly imageOrientationPatient?: readonly [number, number, number, number, number, number];
  /** Image Position (Patient) of the first pixel, in mm. Default: the image centred on x = y = 0, at z = 0. */
  readonly imagePositionPatient?: readonly [number, number, number];
  /** Instance Number. Default 1. */
  readonly instanceNumber?: number;
  /** Series Number. Default 1. */
  readonly seriesNumber?: number;
  /** The slice's place in its series (0-based): it enters the pixel pattern and the default SOP Instance UID. Default 0. */
  readonly sliceIndex?: number;
  /** Frame of Reference UID; default derived from the seed. */
  readonly frameOfReferenceUID?: string;
}

/** The factory name UIDs of a lone CT slice are derived from. */
const FACTORY = 'ctSlice';

/**
 * The stored value of pixel (column, row) of slice `sliceIndex` in {@link ctSlice}: `(7 column + 13 row + 31 slice)
 * mod 4096`, 12 bits stored in 16, unsigned; Hounsfield units are that minus 1024 (Rescale Intercept -1024).
 */
export function ctPixelValue(column: number, row: number, sliceIndex: number): number {
  return (7 * column + 13 * row + 31 * sliceIndex) % 4096;
}

/**
 * One CT Image Storage instance: Patient, General Study, General Series, Frame of Reference, General Equipment,
 * General Acquisition, General Image, Image Plane, Image Pixel, CT Image, VOI LUT and SOP Common modules, with a
 * deterministic 12-bit pattern ({@link ctPixelValue}) as pixel data.
 */
export function ctSlice(options: CtSliceOptions = {}): DicomFile {
  const rows = options.rows ?? 64;
  const columns = options.columns ?? 64;
  const spacing = options.pixelSpacing ?? [0.75, 0.75];
  const orientation = options.imageOrientationPatient ?? [1, 0, 0, 0, 1, 0];
  const position = options.imagePositionPatient ?? centredPosition(rows, columns, spacing);
  const slice = options.sliceIndex ?? 0;
  const id = identity(FACTORY, options, slice, options.frameOfReferenceUID);
  const normal = cross(orientation);
  const sliceLocation = dot(position, normal);
  return toFileOf([
    patientModule(options),
    generalStudyModule(id),
    generalSeriesModule(id, 'CT', options.seriesNumber ?? 1, 'Synthetic CT'),
    frameOfReferenceModule(id),
    equipmentModule(),
    // General Acquisition and General Image
    text(0x00200012, 'IS', '1'),
    text(0x00080022, 'DA', STUDY_DATE),
    text(0x00080032, 'TM', STUDY_TIME),
    text(0x00200013, 'IS', String(options.instanceNumber ?? slice + 1)),
    contentDateTime(),
    text(0x00280301, 'CS', 'NO'),
    // Image Plane
    text(0x00280030, 'DS', ...dsList(spacing)),
    text(0x00200037, 'DS', ...dsList(orientation)),
    text(0x00200032, 'DS', ...dsList(position)),
    text(0x00180050, 'DS', ds(options.sliceThickness ?? 2.5)),
    text(0x00201041, 'DS', ds(sliceLocation)),
    // Image Pixel and CT Image
    text(0x00080008, 'CS', 'ORIGINAL', 'PRIMARY', 'AXIAL'),
    num(0x00280002, 'US', 1),
    text(0x00280004, 'CS', 'MONOCHROME2'),
    num(0x00280010, 'US', rows),
    num(0x00280011, 'US', columns),
    num(0x00280100, 'US', 16),
    num(0x00280101, 'US', 12),
    num(0x00280102, 'US', 11),
    num(0x00280103, 'US', 0),
    text(0x00281052, 'DS', '-1024'),
    text(0x00281053, 'DS', '1'),
    text(0x00281054, 'LO', 'HU'),
    text(0x00180060, 'DS', '120'),
    // VOI LUT
    text(0x00281050, 'DS', '40'),
    text(0x00281051, 'DS', '400'),
    sopCommonModule(id, CT_IMAGE_STORAGE),
    bytes(0x7fe00010, 'OW', grey16(rows, columns, (c, r) => ctPixelValue(c, r, slice))),
  ], options);
}
