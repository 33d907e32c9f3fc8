/** The version of @dicom-tools/volume, written into NIfTI descriptions and sidecars (a test keeps it equal to package.json). */
export const VOLUME_VERSION = '0.1.0';
