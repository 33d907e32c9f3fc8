import type { CodecRegistry, Dataset } from '@dicom-tools/core';

/** One row of a 4x4 matrix. */
export type AffineRow = readonly [number, number, number, number];

/**
 * A 4x4 affine, row-major: `affine[r][c]`. It maps a voxel index (i = column, j = row, k = slice, 1) to a
 * point in mm: `x = affine[0][0] i + affine[0][1] j + affine[0][2] k + affine[0][3]`, and so on.
 */
export type Affine = readonly [AffineRow, AffineRow, AffineRow, AffineRow];

/**
 * How voxels are stored. `rgb24` is three unsigned bytes per voxel, interleaved (NIfTI DT_RGB24). Every other
 * type is one number per voxel.
 */
export type VoxelType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64' | 'rgb24';

/** The typed array that holds voxels of each {@link VoxelType}. */
export type VoxelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** Machine-readable kinds of {@link VolumeWarning}. */
export type VolumeWarningCode =
  | 'missing-slice'
  | 'variable-spacing'
  | 'gantry-tilt'
  | 'tilt-corrected'
  | 'positions-not-collinear'
  | 'rescale-varies'
  | 'monochrome1'
  | 'several-series';

/** Something about the input that the volume carries but a reader of it should know. */
export interface VolumeWarning {
  readonly code: VolumeWarningCode;
  /** One line for people; names slices by file (and frame), never by patient data. */
  readonly message: string;
}

/** The spacing between neighbouring slices along the normal, when it is not uniform. */
export interface SpacingVariation {
  /** Each distance between neighbouring slices along the normal (mm), in slice order: slices - 1 values. */
  readonly steps: readonly number[];
  readonly min: number;
  readonly max: number;
  /** The spacing the affine uses: first-to-last distance over (slices - 1). */
  readonly mean: number;
}

/** Gantry (detector) tilt found in the slice positions. */
export interface GantryTilt {
  /** Angle between the slice normal and the line through the slice positions, in degrees. */
  readonly angleDegrees: number;
  /** Gantry/Detector Tilt (0018,1120) as written, when present. */
  readonly gantryDetectorTilt: number | undefined;
  /**
   * False: the affine carries the shear (the sform), and the qform, which cannot, is marked unknown (code 0).
   * True: each slice was resampled onto a grid orthogonal to the slices (`correctTilt`).
   */
  readonly corrected: boolean;
}

/** Where one slice of the volume came from. */
export interface VolumeSlice {
  /** Index of the input (file) in the list given. */
  readonly input: number;
  /** 0-based frame within that input. */
  readonly frame: number;
  /** The file path (or `input N` for in-memory inputs), with ` frame F` for multi-frame inputs. */
  readonly name: string;
  readonly sopInstanceUID: string | undefined;
  /** Image Position (Patient), LPS mm. */
  readonly position: readonly [number, number, number];
}

/** The 4th axis of a 4-D volume: what tells its 3-D volumes apart, with one value per volume. */
export interface FourthDimension {
  readonly kind: 'echo' | 'time' | 'acquisition';
  /** The DICOM attribute the values come from (`echoTime` is Echo Time in ms, and so on). */
  readonly attribute: 'echoTime' | 'echoNumber' | 'temporalPosition' | 'triggerTime' | 'acquisitionNumber' | 'acquisitionTime';
  readonly values: readonly (number | string)[];
}

/** A 3-D (or 4-D) image with the geometry to place it in the patient. */
export interface Volume {
  /**
   * The voxels, column index fastest, then row, then slice, then the 4th axis (NIfTI and Fortran order):
   * voxel (i, j, k, t) is at `i + columns (j + rows (k + slices t))`. Rows are in DICOM order (row 0 is the top
   * row of each image: no flip), slices in increasing order along the normal (row x column direction).
   */
  readonly voxels: VoxelArray;
  readonly voxelType: VoxelType;
  /** `[columns, rows, slices]`, or `[columns, rows, slices, volumes]` for 4-D. */
  readonly dimensions: readonly number[];
  /** Voxel size in mm: `[between columns, between rows, between slices]` (the slice spacing from the positions). */
  readonly spacing: readonly [number, number, number];
  /** Voxel (i, j, k) to DICOM patient coordinates (LPS, mm). */
  readonly affine: Affine;
  /** Voxel (i, j, k) to NIfTI scanner coordinates (RAS, mm): `affine` with x and y negated. */
  readonly affineRas: Affine;
  /**
   * Real value = slope * voxel + intercept (Rescale Slope / Intercept, uniform over the slices). When they vary
   * between slices, voxels are float32 real values and this is slope 1, intercept 0 (`rescaled` true).
   */
  readonly rescale: { readonly slope: number; readonly intercept: number };
  /** True when the voxels already hold rescaled (real) values because Rescale Slope / Intercept varied. */
  readonly rescaled: boolean;
  /** Pixel Padding Value (a stored value), when the images declare one. */
  readonly paddingValue: number | undefined;
  readonly tilt: GantryTilt | undefined;
  readonly fourthDimension: FourthDimension | undefined;
  /** The spacing between slices when it is not uniform (with `allowGaps`, or a variation below a gap). */
  readonly spacingVariation: SpacingVariation | undefined;
  /** Slices in voxel order: slice k of volume t is entry `k + slices t`. */
  readonly slices: readonly VolumeSlice[];
  readonly seriesInstanceUID: string;
  /** The first slice's data set (without pixel data when read from disk): what a sidecar describes. */
  readonly metadata: Dataset;
  readonly warnings: readonly VolumeWarning[];
}

/**
 * Everything a {@link Volume} holds but its voxels: what a conversion that streams the voxels from the files to
 * the output (`convertToNifti`) returns, and what sidecars and headers are made from.
 */
export type VolumeInfo = Omit<Volume, 'voxels'>;

/** Options of {@link buildVolume} and `readVolume`. */
export interface BuildVolumeOptions {
  /**
   * Accept a gap in the slice positions (a missing slice) with a warning instead of VOLUME_MISSING_SLICE. The
   * affine then uses the mean spacing, and `spacingVariation` lists every step. Default false.
   */
  readonly allowGaps?: boolean;
  /**
   * Resample gantry-tilted slices onto a grid orthogonal to them (linear interpolation in the column
   * direction, rounded to the stored type), so that both qform and sform describe the volume. Default false:
   * the sform carries the shear and the qform code is 0.
   */
  readonly correctTilt?: boolean;
  /** Decoders for compressed transfer syntaxes (the CLI wires @dicom-tools/transcode's codecs). */
  readonly codecs?: CodecRegistry;
  readonly signal?: AbortSignal;
}
