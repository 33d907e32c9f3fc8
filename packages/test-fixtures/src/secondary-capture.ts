import type { DicomFile } from '@dicom-tools/core';
import { bytes, num, text } from './_elements.js';
import {
  contentDateTime, equipmentModule, generalSeriesModule, generalStudyModule, identity, patientModule, sopCommonModule, toFile,
} from './_modules.js';
import type { FixtureOptions } from './fixture-options.js';

/** Secondary Capture Image Storage. */
export const SECONDARY_CAPTURE_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.7';

/** Options of {@link secondaryCapture}. */
export interface SecondaryCaptureOptions extends FixtureOptions {
  /** `grey`: 8-bit MONOCHROME2; `rgb`: 8-bit RGB, colour-by-pixel (Planar Configuration 0). Default `grey`. */
  readonly color?: 'grey' | 'rgb';
  /** Rows (default 32). */
  readonly rows?: number;
  /** Columns (default 48). */
  readonly columns?: number;
}

/**
 * The samples of pixel (column, row) in {@link secondaryCapture}: grey `(column + 2 row) mod 256`; RGB
 * `[(8 column) mod 256, (8 row) mod 256, (4 (column + row)) mod 256]`.
 */
export function secondaryCapturePixel(color: 'grey' | 'rgb', column: number, row: number): number[] {
  return color === 'grey' ? [(column + 2 * row) % 256] : [(8 * column) % 256, (8 * row) % 256, (4 * (column + row)) % 256];
}

/**
 * A Secondary Capture Image Storage instance, grey or RGB, with Patient, General Study, General Series, General
 * Equipment, SC Equipment, General Acquisition, General Image, Image Pixel, SC Image and SOP Common modules.
 */
export function secondaryCapture(options: SecondaryCaptureOptions = {}): DicomFile {
  const color = options.color ?? 'grey';
  const rows = options.rows ?? 32;
  const columns = options.columns ?? 48;
  const samples = color === 'grey' ? 1 : 3;
  const id = identity(color === 'grey' ? 'secondaryCapture' : 'secondaryCaptureRgb', options);
  const pixels = new Uint8Array(rows * columns * samples + ((rows * columns * samples) % 2));
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) pixels.set(secondaryCapturePixel(color, column, row), (row * columns + column) * samples);
  }
  return toFile([
    patientModule(options),
    generalStudyModule(id),
    generalSeriesModule(id, 'OT', color === 'grey' ? 2 : 3, color === 'grey' ? 'Synthetic secondary capture' : 'Synthetic RGB secondary capture'),
    equipmentModule(),
    // SC Equipment
    text(0x00080064, 'CS', 'WSD'),
    text(0x00181010, 'LO', 'dicom-tools'),
    // General Image
    text(0x00200013, 'IS', '1'),
    text(0x00200020, 'CS'),
    contentDateTime(),
    text(0x00080008, 'CS', 'DERIVED', 'SECONDARY'),
    text(0x00280301, 'CS', 'NO'),
    // Image Pixel
    num(0x00280002, 'US', samples),
    text(0x00280004, 'CS', color === 'grey' ? 'MONOCHROME2' : 'RGB'),
    ...(color === 'rgb' ? [num(0x00280006, 'US', 0)] : []),
    num(0x00280010, 'US', rows),
    num(0x00280011, 'US', columns),
    num(0x00280100, 'US', 8),
    num(0x00280101, 'US', 8),
    num(0x00280102, 'US', 7),
    num(0x00280103, 'US', 0),
    sopCommonModule(id, SECONDARY_CAPTURE_IMAGE_STORAGE),
    bytes(0x7fe00010, 'OB', pixels),
  ], options);
}
