import type { DicomFile } from '@dicom-tools/core';
import { bytes, code, ds, dsList, item, num, seq, text } from './_elements.js';
import { along, centredPosition, cross } from './_geometry.js';
import {
  CONTENT_TIME, equipmentModule, frameOfReferenceModule, generalSeriesModule, generalStudyModule, identity, patientModule,
  sopCommonModule, STUDY_DATE, STUDY_TIME, toFile,
} from './_modules.js';
import { concat, grey16 } from './_pixels.js';
import { fixtureUid } from './_uid.js';
import { ctPixelValue } from './ct-slice.js';
import type { FixtureOptions } from './fixture-options.js';

/** Enhanced CT Image Storage. */
export const ENHANCED_CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2.1';

/** Options of {@link enhancedMultiframe}. */
export interface EnhancedMultiframeOptions extends FixtureOptions {
  /** Number of frames (default 4). */
  readonly frames?: number;
  /** Rows (default 32). */
  readonly rows?: number;
  /** Columns (default 32). */
  readonly columns?: number;
  /** Pixel Spacing: row spacing then column spacing, in mm. Default [1, 1]. */
  readonly pixelSpacing?: readonly [number, number];
  /** Slice Thickness, and the distance between neighbouring frames along the normal, in mm. Default 2. */
  readonly sliceThickness?: number;
  /** Image Orientation (Patient), shared by every frame. Default axial [1,0,0,0,1,0]. */
  readonly imageOrientationPatient?: readonly [number, number, number, number, number, number];
  /** Frame of Reference UID; default derived from the seed. */
  readonly frameOfReferenceUID?: string;
}

/**
 * An Enhanced CT Image Storage instance of `frames` frames forming one stack: the Shared Functional Groups hold
 * Pixel Measures, Plane Orientation, Frame Anatomy, Pixel Value Transformation, Frame VOI LUT, CT Image Frame Type
 * and Irradiation Event Identification; each Per-frame item holds Frame Content (Stack ID 1, In-Stack Position
 * k + 1, Dimension Index Values [1, k + 1]) and Plane Position, stepping along the normal of the orientation.
 * Frames are DERIVED (a reconstruction of the synthetic phantom), which makes the acquisition macros optional.
 * Frame k holds the pattern `ctPixelValue(column, row, k)` (12 bits stored, Rescale Intercept -1024).
 */
export function enhancedMultiframe(options: EnhancedMultiframeOptions = {}): DicomFile {
  const frames = options.frames ?? 4;
  if (!Number.isInteger(frames) || frames < 1) throw new RangeError(`frames must be a positive integer, not ${frames}`);
  const rows = options.rows ?? 32;
  const columns = options.columns ?? 32;
  const spacing = options.pixelSpacing ?? [1, 1];
  const thickness = options.sliceThickness ?? 2;
  const orientation = options.imageOrientationPatient ?? [1, 0, 0, 0, 1, 0];
  const normal = cross(orientation);
  const origin = centredPosition(rows, columns, spacing);
  const id = identity('enhancedMultiframe', options, 0, options.frameOfReferenceUID);
  const dimensionOrganization = fixtureUid(id.seed, 'enhancedMultiframe', 'dimension-organization');
  const frameType = ['DERIVED', 'PRIMARY', 'VOLUME', 'NONE'];
  const shared = item(
    seq(0x00289110, item(text(0x00280030, 'DS', ...dsList(spacing)), text(0x00180050, 'DS', ds(thickness)))),
    seq(0x00209116, item(text(0x00200037, 'DS', ...dsList(orientation)))),
    seq(0x00209071, item(seq(0x00082218, code('818981001', 'SCT', 'Abdomen')), text(0x00209072, 'CS', 'U'))),
    seq(0x00289145, item(text(0x00281052, 'DS', '-1024'), text(0x00281053, 'DS', '1'), text(0x00281054, 'LO', 'HU'))),
    seq(0x00289132, item(text(0x00281050, 'DS', '40'), text(0x00281051, 'DS', '400'))),
    seq(0x00189329, item(
      text(0x00089007, 'CS', ...frameType),
      text(0x00089205, 'CS', 'MONOCHROME'),
      text(0x00089206, 'CS', 'VOLUME'),
      text(0x00089207, 'CS', 'NONE'),
    )),
    seq(0x00189477, item(text(0x00083010, 'UI', fixtureUid(id.seed, 'enhancedMultiframe', 'irradiation-event')))),
  );
  const perFrame = Array.from({ length: frames }, (_, k) => item(
    seq(0x00209111, item(
      num(0x00209157, 'UL', 1, k + 1),
      text(0x00209056, 'SH', '1'),
      num(0x00209057, 'UL', k + 1),
    )),
    seq(0x00209113, item(text(0x00200032, 'DS', ...dsList(along(origin, normal, k * thickness))))),
  ));
  const pixels = concat(Array.from({ length: frames }, (_, k) => grey16(rows, columns, (c, r) => ctPixelValue(c, r, k))));
  return toFile([
    patientModule(options),
    generalStudyModule(id),
    generalSeriesModule(id, 'CT', 5, 'Synthetic enhanced CT'),
    frameOfReferenceModule(id),
    equipmentModule(),
    // Multi-frame Functional Groups
    seq(0x52009229, shared),
    seq(0x52009230, ...perFrame),
    text(0x00200013, 'IS', '1'),
    text(0x00080023, 'DA', STUDY_DATE),
    text(0x00080033, 'TM', CONTENT_TIME),
    text(0x00280008, 'IS', String(frames)),
    // Multi-frame Dimension
    seq(0x00209221, item(text(0x00209164, 'UI', dimensionOrganization))),
    text(0x00209311, 'CS', '3D'),
    seq(0x00209222,
      item(num(0x00209165, 'AT', 0x00209056), num(0x00209167, 'AT', 0x00209111), text(0x00209164, 'UI', dimensionOrganization), text(0x00209421, 'LO', 'Stack')),
      item(num(0x00209165, 'AT', 0x00209057), num(0x00209167, 'AT', 0x00209111), text(0x00209164, 'UI', dimensionOrganization), text(0x00209421, 'LO', 'Position in stack'))),
    // Acquisition Context
    seq(0x00400555),
    // Enhanced CT Image and Image Pixel
    text(0x00080008, 'CS', ...frameType),
    text(0x0008002a, 'DT', `${STUDY_DATE}${STUDY_TIME}`),
    text(0x00089205, 'CS', 'MONOCHROME'),
    text(0x00089206, 'CS', 'VOLUME'),
    text(0x00089207, 'CS', 'NONE'),
    text(0x00189004, 'CS', 'PRODUCT'),
    num(0x00280002, 'US', 1),
    text(0x00280004, 'CS', 'MONOCHROME2'),
    num(0x00280010, 'US', rows),
    num(0x00280011, 'US', columns),
    num(0x00280100, 'US', 16),
    num(0x00280101, 'US', 12),
    num(0x00280102, 'US', 11),
    num(0x00280103, 'US', 0),
    text(0x00280301, 'CS', 'NO'),
    text(0x00282110, 'CS', '00'),
    text(0x20500020, 'CS', 'IDENTITY'),
    sopCommonModule(id, ENHANCED_CT_IMAGE_STORAGE),
    bytes(0x7fe00010, 'OW', pixels),
  ], options);
}
