import { Tags } from '@dicom-tools/core';
import { lenientNumber, lenientNumbers, lenientString, lenientStrings } from './_lenient.js';
import { VOLUME_VERSION } from './version.js';
import type { Affine, VolumeInfo } from './volume.js';

/** Options of {@link buildSidecar}. */
export interface SidecarOptions {
  /** Add the keys that identify the patient, the visit or the site (PatientName, StudyDate, InstitutionName...). Default false. */
  readonly includePhi?: boolean;
  /** ConversionSoftware. Default `dicom-tools`. */
  readonly conversionSoftware?: string;
  /** ConversionSoftwareVersion. Default the version of @dicom-tools/volume. */
  readonly conversionSoftwareVersion?: string;
}

/** A JSON sidecar: BIDS key names where BIDS has one, values in BIDS units (seconds, degrees). */
export type Sidecar = Readonly<Record<string, unknown>>;

/** Keys left out unless `includePhi`: they identify the patient, the visit, or the site and its staff. */
const PHI_KEYS: readonly (readonly [key: string, tag: number])[] = [
  ['PatientName', Tags.PatientName],
  ['PatientID', Tags.PatientID],
  ['PatientBirthDate', Tags.PatientBirthDate],
  ['PatientSex', Tags.PatientSex],
  ['PatientAge', Tags.PatientAge],
  ['PatientWeight', Tags.PatientWeight],
  ['StudyDate', Tags.StudyDate],
  ['StudyTime', Tags.StudyTime],
  ['AcquisitionDate', Tags.AcquisitionDate],
  ['AcquisitionTime', Tags.AcquisitionTime],
  ['AccessionNumber', Tags.AccessionNumber],
  ['StudyInstanceUID', Tags.StudyInstanceUID],
  ['ReferringPhysicianName', Tags.ReferringPhysicianName],
  ['InstitutionName', Tags.InstitutionName],
  ['InstitutionAddress', Tags.InstitutionAddress],
  ['StationName', Tags.StationName],
  ['DeviceSerialNumber', Tags.DeviceSerialNumber],
];

function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

function matrix(affine: Affine): number[][] {
  // -0 prints as 0 in JSON anyway; round away float noise below a nanometre.
  return affine.map((row) => row.map((v) => (Math.abs(v) < 1e-12 ? 0 : v)));
}

/**
 * The JSON sidecar of a volume: Modality, Manufacturer, ManufacturersModelName, SeriesDescription,
 * ProtocolName, ImageType, SeriesNumber, SliceThickness, SpacingBetweenSlices (from the positions), EchoTime,
 * RepetitionTime and InversionTime in seconds, FlipAngle, MagneticFieldStrength, ImageOrientationPatientDICOM,
 * PixelPaddingValue, ConversionSoftware and ConversionSoftwareVersion; then this package's own keys:
 * SeriesInstanceUID, SliceFiles (in voxel order), Dimensions, VoxelType, AffineLPS and AffineRAS (voxel
 * (column, row, slice) to mm, row-major), FourthDimension, GantryTilt, SpacingVariation, ConversionWarnings.
 * Keys without a value are left out. Patient, visit and site keys only with `includePhi`.
 */
export function buildSidecar(volume: VolumeInfo, options: SidecarOptions = {}): Sidecar {
  const d = volume.metadata;
  const echo = volume.fourthDimension?.attribute === 'echoTime' ? volume.fourthDimension.values.map((v) => Number(v) / 1000) : seconds(lenientNumber(d, Tags.EchoTime));
  const entries: [string, unknown][] = [
    ['Modality', lenientString(d, Tags.Modality)],
    ['Manufacturer', lenientString(d, Tags.Manufacturer)],
    ['ManufacturersModelName', lenientString(d, Tags.ManufacturerModelName)],
    ['SoftwareVersions', lenientString(d, Tags.SoftwareVersions)],
    ['BodyPartExamined', lenientString(d, Tags.BodyPartExamined)],
    ['PatientPosition', lenientString(d, Tags.PatientPosition)],
    ['SeriesDescription', lenientString(d, Tags.SeriesDescription)],
    ['ProtocolName', lenientString(d, Tags.ProtocolName)],
    ['ImageType', lenientStrings(d, Tags.ImageType)],
    ['SeriesNumber', lenientNumber(d, Tags.SeriesNumber)],
    ['AcquisitionNumber', lenientNumber(d, Tags.AcquisitionNumber)],
    ['SliceThickness', lenientNumber(d, Tags.SliceThickness)],
    ['SpacingBetweenSlices', volume.spacing[2]],
    ['EchoTime', echo],
    ['RepetitionTime', seconds(lenientNumber(d, Tags.RepetitionTime))],
    ['InversionTime', seconds(lenientNumber(d, Tags.InversionTime))],
    ['FlipAngle', lenientNumber(d, Tags.FlipAngle)],
    ['MagneticFieldStrength', lenientNumber(d, Tags.MagneticFieldStrength)],
    ['ImageOrientationPatientDICOM', lenientNumbers(d, Tags.ImageOrientationPatient) ?? orientationOf(volume)],
    ['PixelPaddingValue', volume.paddingValue],
    ['ConversionSoftware', options.conversionSoftware ?? 'dicom-tools'],
    ['ConversionSoftwareVersion', options.conversionSoftwareVersion ?? VOLUME_VERSION],
    ['SeriesInstanceUID', volume.seriesInstanceUID],
    ['SliceFiles', volume.slices.map((s) => s.name)],
    ['Dimensions', volume.dimensions],
    ['VoxelType', volume.voxelType],
    ['RescaleSlope', volume.rescale.slope],
    ['RescaleIntercept', volume.rescale.intercept],
    ['AffineLPS', matrix(volume.affine)],
    ['AffineRAS', matrix(volume.affineRas)],
    ['FourthDimension', volume.fourthDimension],
    ['GantryTilt', volume.tilt],
    ['SpacingVariation', volume.spacingVariation],
    ['ConversionWarnings', volume.warnings.length > 0 ? volume.warnings.map((w) => `${w.code}: ${w.message}`) : undefined],
  ];
  if (options.includePhi === true) {
    for (const [key, tag] of PHI_KEYS) entries.push([key, lenientString(d, tag)]);
  }
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined && value !== ''));
}

/** Image Orientation (Patient) from the affine, for enhanced images that keep it in functional groups. */
function orientationOf(volume: VolumeInfo): number[] {
  const [x, y, z] = volume.affine;
  const sx = volume.spacing[0];
  const sy = volume.spacing[1];
  return [x[0] / sx, y[0] / sx, z[0] / sx, x[1] / sy, y[1] / sy, z[1] / sy];
}
