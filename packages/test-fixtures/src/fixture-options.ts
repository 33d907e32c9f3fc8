/**
 * Options every factory takes. All UIDs are derived from `seed` (see the README): the same options always give
 * the same data set, byte for byte. With the default seed, every factory's output belongs to one patient, one
 * study and one frame of reference, so fixtures can be combined into one realistic study.
 */
export interface FixtureOptions {
  /** Seed for every UID a factory makes. Default `dicom-tools`. */
  readonly seed?: string;
  /** Patient's Name (0010,0010). Default `Fixture^Test`. */
  readonly patientName?: string;
  /** Patient ID (0010,0020). Default `FIXTURE-0001`. */
  readonly patientId?: string;
  /** Study Instance UID; default derived from the seed. */
  readonly studyInstanceUID?: string;
  /** Series Instance UID; default derived from the seed and the factory. */
  readonly seriesInstanceUID?: string;
  /** SOP Instance UID; default derived from the seed, the factory and the instance's place in its series. */
  readonly sopInstanceUID?: string;
  /** Transfer syntax the DicomFile is labelled with (and written in by default). Default Explicit VR Little Endian. */
  readonly transferSyntaxUID?: string;
}

/** The seed used when none is given. */
export const DEFAULT_FIXTURE_SEED = 'dicom-tools';
