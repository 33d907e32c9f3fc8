import { Tags } from './_generated/dictionary.js';
import type { DicomFile } from './dataset.js';
import { type Finding, FindingSink, textValue } from './_validate-finding.js';
import { checkIodModules } from './_validate-iod.js';
import { checkFileMeta } from './_validate-meta.js';
import { checkPixelModule } from './_validate-pixel.js';
import { checkValues } from './_validate-values.js';
import { readDicomFile } from './read-dicom.js';

export type { Finding, FindingSeverity } from './_validate-finding.js';

/** Options for {@link validate}. */
export interface ValidateOptions {
  /**
   * The file was read with `stopBeforePixelData`: do not report Pixel Data as missing and do not check its length.
   * Default false.
   */
  readonly headerOnly?: boolean;
  /**
   * Rule ids to leave out of the report. An entry also matches the rules it prefixes up to a `-`: `vr-format`
   * leaves out `vr-format-DA`, `vr-format-UI`...
   */
  readonly ignoreRules?: readonly string[];
}

/** The outcome of {@link validate}. */
export interface ValidationReport {
  /** True when there is no finding of severity `error`. */
  readonly valid: boolean;
  /** Everything found, file-level findings first, then in the order of the checks. */
  readonly findings: readonly Finding[];
}

/**
 * Validates a DICOM file against the standard, in the manner of dciodvfy (dicom3tools), and returns every finding
 * instead of throwing. Checks:
 * - file meta (PS3.10 7.1): required elements (`meta-required`, `meta-group-length`), version (`meta-version`),
 *   Media Storage SOP Class/Instance UID equal to the data set's (`meta-sop-class-mismatch`,
 *   `meta-sop-instance-mismatch`), a registered transfer syntax (`transfer-syntax-unknown`),
 *   `meta-transfer-syntax-mismatch`, `meta-in-dataset`, `meta-absent` (a bare data set, a warning);
 * - every value, recursively through sequences: form and length per PS3.5 6.2 (`vr-format-XX`, `vr-length-XX`),
 *   number of values against the dictionary's VM (`vm`), VR allowed by the dictionary (`vr-dictionary`, a warning),
 *   values of the wrong shape (`value-type`), nesting too deep (`sequence-depth`);
 * - the Image Pixel module (`pixel-bits-allocated`, `pixel-bits-stored`, `pixel-high-bit`, `pixel-photometric`,
 *   `pixel-length`, `pixel-encapsulation`);
 * - Type 1 and Type 2 attributes of the Patient, General Study, General Series, Frame of Reference, General
 *   Equipment, General Image, Image Plane, Image Pixel, CT Image, MR Image, SC Equipment, RT Series, SR Document
 *   Series and SOP Common modules that the IOD of the SOP Class uses (`type1-missing`, `type1-empty`,
 *   `type2-missing`, `type1c-missing` for Pixel Data and Planar Configuration, `iod-unknown`). Other Type 1C/2C
 *   conditions are not evaluated. Attribute Types come from PS3.3 2008 (see `_generated/iod-modules.ts`).
 *
 * Never throws: data sets of any shape, including hand-built or fuzzed ones, give findings (`validation-failed`
 * if a check could not run at all).
 */
export function validate(file: DicomFile, options: ValidateOptions = {}): ValidationReport {
  const sink = new FindingSink(options.ignoreRules ?? []);
  const headerOnly = options.headerOnly === true;
  const guard = (what: string, check: () => void): void => {
    try {
      check();
    } catch (error) {
      const reason = error instanceof Error ? error.name : typeof error;
      sink.add('error', 'validation-failed', `the ${what} check could not run on this data set (${reason})`);
    }
  };
  if (typeof file !== 'object' || file === null) {
    sink.add('error', 'validation-failed', 'not a DicomFile');
    return { valid: false, findings: sink.findings };
  }
  const syntax = typeof file.transferSyntaxUID === 'string' ? file.transferSyntaxUID : '';
  guard('file meta', () => checkFileMeta(file, sink));
  guard('file meta value', () => checkValues(file.meta, sink));
  guard('value', () => checkValues(file.dataset, sink));
  guard('pixel module', () => checkPixelModule(file.dataset, syntax, sink, { headerOnly }));
  guard('IOD module', () => checkIodModules(file.dataset, textValue(file.meta, Tags.MediaStorageSOPClassUID), sink, { headerOnly }));
  const findings = sink.findings;
  return { valid: !findings.some((f) => f.severity === 'error'), findings };
}

/**
 * Reads a file and validates it (see {@link validate}). Read errors are not findings: they throw the reader's
 * DicomError (CORE_IO, CORE_NOT_DICOM, CORE_TRUNCATED...). With `headerOnly`, reads only up to Pixel Data.
 */
export async function validateFile(path: string, options: ValidateOptions & { readonly signal?: AbortSignal } = {}): Promise<ValidationReport> {
  const file = await readDicomFile(path, {
    ...(options.headerOnly === true ? { stopBeforePixelData: true } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  return validate(file, options);
}
