import type { DicomFile } from '@dicom-tools/core';
import { along, centredPosition, cross } from './_geometry.js';
import { identity } from './_modules.js';
import { fixtureUid } from './_uid.js';
import { ctSlice, type CtSliceOptions } from './ct-slice.js';

/** Options of {@link ctSeries}. */
export interface CtSeriesOptions extends Omit<CtSliceOptions, 'sopInstanceUID' | 'instanceNumber' | 'sliceIndex' | 'imagePositionPatient'> {
  /** Number of slices (default 3). */
  readonly slices?: number;
  /** Distance between the centres of neighbouring slices along the normal, in mm. Default: the slice thickness. */
  readonly spacingBetweenSlices?: number;
  /** Image Position (Patient) of the first slice's first pixel. Default: centred on x = y = 0, at 0 along the normal. */
  readonly origin?: readonly [number, number, number];
}

/** The factory name the series' UIDs are derived from. */
const FACTORY = 'ctSeries';

/**
 * A CT series: `slices` {@link ctSlice} instances sharing study, series and frame of reference, with Image
 * Position (Patient) stepping by `spacingBetweenSlices` along the normal (row x column cosines) of Image
 * Orientation (Patient), Instance Number 1..n and Slice Location the position along that normal. Slice k holds
 * the pattern `ctPixelValue(column, row, k)`.
 */
export function ctSeries(options: CtSeriesOptions = {}): DicomFile[] {
  const count = options.slices ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`slices must be a positive integer, not ${count}`);
  const rows = options.rows ?? 64;
  const columns = options.columns ?? 64;
  const spacing = options.pixelSpacing ?? [0.75, 0.75];
  const orientation = options.imageOrientationPatient ?? [1, 0, 0, 0, 1, 0];
  const thickness = options.sliceThickness ?? 2.5;
  const step = options.spacingBetweenSlices ?? thickness;
  const normal = cross(orientation);
  const origin = options.origin ?? centredPosition(rows, columns, spacing);
  const id = identity(FACTORY, options);
  const files: DicomFile[] = [];
  for (let k = 0; k < count; k++) {
    files.push(ctSlice({
      ...options,
      rows,
      columns,
      pixelSpacing: spacing,
      imageOrientationPatient: orientation,
      sliceThickness: thickness,
      studyInstanceUID: id.studyInstanceUID,
      seriesInstanceUID: id.seriesInstanceUID,
      frameOfReferenceUID: id.frameOfReferenceUID,
      sopInstanceUID: ctSeriesInstanceUid(id.seed, k),
      imagePositionPatient: along(origin, normal, k * step),
      instanceNumber: k + 1,
      sliceIndex: k,
    }));
  }
  return files;
}

/** The SOP Instance UID {@link ctSeries} gives slice `index` (0-based) for `seed`: what a derived object references. */
export function ctSeriesInstanceUid(seed: string, index: number): string {
  return fixtureUid(seed, FACTORY, 'instance', String(index));
}
