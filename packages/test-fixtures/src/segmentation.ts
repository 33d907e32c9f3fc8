import type { DataElement, Dataset, DicomFile } from '@dicom-tools/core';
import { bytes, code, item, num, seq, text } from './_elements.js';
import {
  CONTENT_TIME, equipmentModule, frameOfReferenceModule, generalSeriesModule, generalStudyModule, identity, patientModule,
  sopCommonModule, STUDY_DATE, toFile,
} from './_modules.js';
import { packBits } from './_pixels.js';
import { fixtureUid } from './_uid.js';
import { CT_IMAGE_STORAGE } from './ct-slice.js';
import { ctSeries, type CtSeriesOptions } from './ct-series.js';
import type { FixtureOptions } from './fixture-options.js';

/** Segmentation Storage. */
export const SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';

/** Options of {@link segmentation}. */
export interface SegmentationOptions extends FixtureOptions {
  /** The CT series segmented (its options; it is rebuilt with {@link ctSeries}). Default `ctSeries()` with the same seed. */
  readonly source?: CtSeriesOptions;
}

/**
 * Whether pixel (column, row) of frame `frame` belongs to the segment in {@link segmentation}: inside the disc
 * centred on the image ((columns - 1) / 2, (rows - 1) / 2) of radius min(rows, columns) / 4 + frame.
 */
export function segmentationMaskValue(column: number, row: number, frame: number, rows: number, columns: number): 0 | 1 {
  const dx = column - (columns - 1) / 2;
  const dy = row - (rows - 1) / 2;
  const radius = Math.min(rows, columns) / 4 + frame;
  return dx * dx + dy * dy <= radius * radius ? 1 : 0;
}

function first(dataset: Dataset, tag: number): DataElement {
  const element = dataset.elements.get(tag);
  if (element === undefined) throw new Error(`source slice lacks (${tag.toString(16)})`);
  return element;
}

function firstText(dataset: Dataset, tag: number): string {
  return (first(dataset, tag).value as readonly string[])[0] ?? '';
}

/**
 * A binary Segmentation Storage instance (Bits Allocated 1, packed as PS3.5 8.1.1 says, frames back to back)
 * with one segment over each slice of a CT series: one frame per slice, same geometry, each frame derived from
 * its slice (Derivation Image), the series referenced in Common Instance Reference, dimensions Referenced Segment
 * Number and Image Position (Patient). Frame k's mask is {@link segmentationMaskValue}.
 */
export function segmentation(options: SegmentationOptions = {}): DicomFile {
  const seed = options.seed ?? options.source?.seed;
  const source = ctSeries({ ...(seed !== undefined ? { seed } : {}), ...options.source });
  const head = source[0]!.dataset;
  const rows = (first(head, 0x00280010).value as readonly number[])[0]!;
  const columns = (first(head, 0x00280011).value as readonly number[])[0]!;
  const id = identity('segmentation', options, 0, firstText(head, 0x00200052));
  const dimensionOrganization = fixtureUid(id.seed, 'segmentation', 'dimension-organization');
  const shared = item(
    seq(0x00289110, item(first(head, 0x00280030), first(head, 0x00180050))),
    seq(0x00209116, item(first(head, 0x00200037))),
  );
  const perFrame = source.map((slice, k) => item(
    seq(0x00089124, item(
      seq(0x00082112, item(
        text(0x00081150, 'UI', CT_IMAGE_STORAGE),
        text(0x00081155, 'UI', firstText(slice.dataset, 0x00080018)),
        seq(0x0040a170, code('121322', 'DCM', 'Source image for image processing operation')),
      )),
      seq(0x00089215, code('113076', 'DCM', 'Segmentation')),
    )),
    seq(0x00209111, item(num(0x00209157, 'UL', 1, k + 1))),
    seq(0x00209113, item(first(slice.dataset, 0x00200032))),
    seq(0x0062000a, item(num(0x0062000b, 'US', 1))),
  ));
  const samples: number[] = [];
  source.forEach((_, k) => {
    for (let row = 0; row < rows; row++) for (let column = 0; column < columns; column++) samples.push(segmentationMaskValue(column, row, k, rows, columns));
  });
  return toFile([
    patientModule(options),
    generalStudyModule({ ...id, studyInstanceUID: options.studyInstanceUID ?? firstText(head, 0x0020000d) }),
    generalSeriesModule(id, 'SEG', 6, 'Synthetic segmentation'),
    frameOfReferenceModule(id),
    equipmentModule(),
    // General Image, Segmentation Image, Image Pixel
    text(0x00200013, 'IS', '1'),
    text(0x00080023, 'DA', STUDY_DATE),
    text(0x00080033, 'TM', CONTENT_TIME),
    text(0x00080008, 'CS', 'DERIVED', 'PRIMARY'),
    text(0x00700080, 'CS', 'PHANTOM'),
    text(0x00700081, 'LO', 'Disc in the synthetic phantom'),
    text(0x00700084, 'PN', 'Fixture^Segmenter'),
    num(0x00280002, 'US', 1),
    text(0x00280004, 'CS', 'MONOCHROME2'),
    num(0x00280010, 'US', rows),
    num(0x00280011, 'US', columns),
    num(0x00280100, 'US', 1),
    num(0x00280101, 'US', 1),
    num(0x00280102, 'US', 0),
    num(0x00280103, 'US', 0),
    text(0x00282110, 'CS', '00'),
    text(0x00620001, 'CS', 'BINARY'),
    text(0x00620013, 'CS', 'NO'),
    seq(0x00620002, item(
      num(0x00620004, 'US', 1),
      text(0x00620005, 'LO', 'Phantom'),
      seq(0x00620003, code('91723000', 'SCT', 'Anatomical Structure')),
      seq(0x0062000f, code('818981001', 'SCT', 'Abdomen')),
      text(0x00620008, 'CS', 'MANUAL'),
    )),
    // Multi-frame Functional Groups and Multi-frame Dimension
    seq(0x52009229, shared),
    seq(0x52009230, ...perFrame),
    text(0x00280008, 'IS', String(source.length)),
    seq(0x00209221, item(text(0x00209164, 'UI', dimensionOrganization))),
    seq(0x00209222,
      item(num(0x00209165, 'AT', 0x0062000b), num(0x00209167, 'AT', 0x0062000a), text(0x00209164, 'UI', dimensionOrganization), text(0x00209421, 'LO', 'Segment')),
      item(num(0x00209165, 'AT', 0x00200032), num(0x00209167, 'AT', 0x00209113), text(0x00209164, 'UI', dimensionOrganization), text(0x00209421, 'LO', 'Position'))),
    // Common Instance Reference
    seq(0x00081115, item(
      text(0x0020000e, 'UI', firstText(head, 0x0020000e)),
      seq(0x0008114a, ...source.map((slice) => item(text(0x00081150, 'UI', CT_IMAGE_STORAGE), text(0x00081155, 'UI', firstText(slice.dataset, 0x00080018))))),
    )),
    sopCommonModule(id, SEGMENTATION_STORAGE),
    bytes(0x7fe00010, 'OB', packBits(samples)),
  ], options);
}
