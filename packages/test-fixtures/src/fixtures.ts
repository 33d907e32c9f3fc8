import { join } from 'node:path';
import { writeDicom, writeDicomFile, writeFileAtomic, type DicomFile, type WriteOptions } from '@dicom-tools/core';
import { bareDataset, bareDatasetBytes } from './bare-dataset.js';
import { basicTextSR } from './basic-text-sr.js';
import { ctSeries } from './ct-series.js';
import { ctSlice } from './ct-slice.js';
import { enhancedMultiframe } from './enhanced-multiframe.js';
import { nestedSequences } from './nested-sequences.js';
import { secondaryCapture } from './secondary-capture.js';
import { segmentation } from './segmentation.js';
import { specialVrs } from './special-vrs.js';

/**
 * Every named fixture, made with default options. Each entry returns one DicomFile, except `ctSeries`, which
 * returns its slices; {@link fixtureFiles} gives every entry as an array. A file with `hadPreamble: false`
 * (`bareDataset`) is meant to be stored without preamble or file meta ({@link fixtureBytes} does so).
 */
export const FIXTURES = {
  ctSlice: () => ctSlice(),
  ctSeries: () => ctSeries(),
  secondaryCapture: () => secondaryCapture(),
  secondaryCaptureRgb: () => secondaryCapture({ color: 'rgb' }),
  enhancedMultiframe: () => enhancedMultiframe(),
  basicTextSR: () => basicTextSR(),
  segmentation: () => segmentation(),
  nestedSequences: () => nestedSequences(),
  specialVrs: () => specialVrs(),
  bareDataset: () => bareDataset(),
} as const satisfies Readonly<Record<string, () => DicomFile | readonly DicomFile[]>>;

/** The name of a fixture in {@link FIXTURES}. */
export type FixtureName = keyof typeof FIXTURES;

/** The names of {@link FIXTURES}, in a fixed order. */
export const FIXTURE_NAMES: readonly FixtureName[] = Object.keys(FIXTURES) as FixtureName[];

/** The files of fixture `name`, always as an array (one file, or a series' slices). */
export function fixtureFiles(name: FixtureName): DicomFile[] {
  const made: DicomFile | readonly DicomFile[] = FIXTURES[name]();
  return Array.isArray(made) ? [...(made as readonly DicomFile[])] : [made as DicomFile];
}

/**
 * The bytes `file` is stored as: Part 10 (writeDicom), or, for a file with `hadPreamble: false`, the data set
 * alone ({@link bareDatasetBytes}); in `options.transferSyntaxUID`, or the file's own syntax.
 */
export function fixtureBytes(file: DicomFile, options: WriteOptions = {}): Uint8Array {
  if (file.hadPreamble) return writeDicom(file, options);
  return bareDatasetBytes({ ...file, transferSyntaxUID: options.transferSyntaxUID ?? file.transferSyntaxUID });
}

/**
 * Writes fixture `name` into the existing folder `dir` and returns the paths written: `<name>.dcm`, or
 * `<name>-001.dcm`, `<name>-002.dcm`... for a series. Part 10 in the file's own transfer syntax (or
 * `options.transferSyntaxUID`), except a bare data set, which is written without preamble and file meta.
 */
export async function writeFixture(name: FixtureName, dir: string, options: WriteOptions = {}): Promise<string[]> {
  const files = fixtureFiles(name);
  const paths: string[] = [];
  for (const [i, file] of files.entries()) {
    const path = join(dir, files.length === 1 ? `${name}.dcm` : `${name}-${String(i + 1).padStart(3, '0')}.dcm`);
    if (file.hadPreamble) await writeDicomFile(path, file, options);
    else await writeFileAtomic(path, fixtureBytes(file, options));
    paths.push(path);
  }
  return paths;
}
