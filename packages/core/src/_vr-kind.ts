// How values of each VR are stored in a DataElement (dataset.ts), as one table lookup: the reader and the writer
// branch on it once per element instead of testing the VR against each family in turn.
import { isBigIntVr, isNumberVr, isTextVr, VRS } from './vr.js';

export const TEXT = 1;
export const NUMBER = 2;
export const BIGINT = 3;
export const BYTES = 4;
export const SEQUENCE = 5;

/** The kind of each of the 34 VRs; undefined for anything else. */
export const KIND_OF_VR: ReadonlyMap<string, number> = new Map(
  VRS.map((vr) => [vr, vr === 'SQ' ? SEQUENCE : isTextVr(vr) ? TEXT : isNumberVr(vr) ? NUMBER : isBigIntVr(vr) ? BIGINT : BYTES]),
);
