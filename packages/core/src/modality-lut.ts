import type { Dataset } from './dataset.js';
import { DicomError } from './errors.js';
import { functionalGroupItem } from './_functional-groups.js';
import { lookUp, lutOfItem, type LookupTable } from './_lut.js';
import type { PixelFrame } from './pixel-frame.js';
import { getNumber, getString } from './values.js';

const MODALITY_LUT_SEQUENCE = 0x00283000;
const MODALITY_LUT_TYPE = 0x00283004;
const RESCALE_INTERCEPT = 0x00281052;
const RESCALE_SLOPE = 0x00281053;
const RESCALE_TYPE = 0x00281054;
const PIXEL_VALUE_TRANSFORMATION = 0x00289145;
const PIXEL_REPRESENTATION = 0x00280103;

/**
 * How stored values become modality values (PS3.3 C.11.1): a rescale (`value * slope + intercept`), a lookup
 * table, or nothing (identity, also for colour images, which have no Modality LUT).
 */
export type ModalityTransform =
  | { readonly kind: 'identity' }
  | { readonly kind: 'rescale'; readonly slope: number; readonly intercept: number; readonly type?: string }
  | { readonly kind: 'lut'; readonly table: LookupTable; readonly type?: string };

function rescaleFrom(item: Dataset): ModalityTransform | undefined {
  const slope = getNumber(item, RESCALE_SLOPE);
  const intercept = getNumber(item, RESCALE_INTERCEPT);
  if (slope === undefined && intercept === undefined) return undefined;
  const type = getString(item, RESCALE_TYPE);
  if (slope === 0) throw new DicomError('CORE_INVALID_VALUE', 'Rescale Slope is 0: every pixel would have the same value', { tag: RESCALE_SLOPE });
  return { kind: 'rescale', slope: slope ?? 1, intercept: intercept ?? 0, ...(type !== undefined ? { type } : {}) };
}

/**
 * The Modality LUT of frame `frameIndex` of `dataset`: the Pixel Value Transformation functional group of an
 * enhanced multi-frame image (per-frame, else shared), else Rescale Slope / Intercept, else the first item of the
 * Modality LUT Sequence, else identity. Images with more than one sample per pixel get identity.
 */
export function modalityTransform(dataset: Dataset, frameIndex = 0): ModalityTransform {
  if ((getNumber(dataset, 0x00280002) ?? 1) !== 1) return { kind: 'identity' };
  const group = functionalGroupItem(dataset, frameIndex, PIXEL_VALUE_TRANSFORMATION);
  const fromGroup = group !== undefined ? rescaleFrom(group) : undefined;
  if (fromGroup !== undefined) return fromGroup;
  const rescale = rescaleFrom(dataset);
  if (rescale !== undefined) return rescale;
  const sequence = dataset.elements.get(MODALITY_LUT_SEQUENCE);
  const item = sequence?.vr === 'SQ' ? sequence.value[0] : undefined;
  if (item !== undefined) {
    const table = lutOfItem(item, getNumber(dataset, PIXEL_REPRESENTATION) === 1);
    const type = getString(item, MODALITY_LUT_TYPE);
    return { kind: 'lut', table, ...(type !== undefined ? { type } : {}) };
  }
  return { kind: 'identity' };
}

/** True when the transform leaves values as they are (identity, or a rescale with slope 1 and intercept 0). */
export function isIdentityTransform(transform: ModalityTransform): boolean {
  return transform.kind === 'identity' || (transform.kind === 'rescale' && transform.slope === 1 && transform.intercept === 0);
}

/** One stored value through `transform`. */
export function modalityValue(transform: ModalityTransform, stored: number): number {
  switch (transform.kind) {
    case 'identity': return stored;
    case 'rescale': return stored * transform.slope + transform.intercept;
    case 'lut': return lookUp(transform.table, stored);
  }
}

/**
 * The modality values of a grey frame (e.g. Hounsfield units for CT): each stored value through `transform`
 * (from {@link modalityTransform} of the frame's data set), as a Float64Array of rows x columns values.
 */
export function applyModalityLut(frame: PixelFrame, transform: ModalityTransform): Float64Array {
  const data = frame.data;
  const out = new Float64Array(data.length);
  switch (transform.kind) {
    case 'identity':
      out.set(data);
      break;
    case 'rescale': {
      const { slope, intercept } = transform;
      for (let i = 0; i < data.length; i++) out[i] = data[i]! * slope + intercept;
      break;
    }
    case 'lut':
      for (let i = 0; i < data.length; i++) out[i] = lookUp(transform.table, data[i]!);
      break;
  }
  return out;
}

export type { LookupTable } from './_lut.js';
