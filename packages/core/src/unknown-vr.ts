// Elements read with VR UN whose VR is known after all (PS3.5 6.2.2): an explicit VR file written by a system that
// did not know a newer attribute, or a private element of implicit VR data whose VR a list gives. Their bytes are
// the value as the element's own VR would have it, in the transfer syntax's byte order, except that a sequence's
// items are Implicit VR Little Endian whatever the syntax.
import type { DataElement, Dataset } from './dataset.js';
import { createDecodeContext, decodeElement } from './_decode-dataset.js';
import { walkOneElement, type WalkedElement } from './_element-walk.js';
import { lookupTag } from './dictionary.js';
import { isDicomError } from './errors.js';
import type { Vr } from './vr.js';

/** Options of {@link resolveUnknownVr}. */
export interface ResolveUnknownVrOptions {
  /** The VR to read the value as. Default: the data dictionary's, when it gives the tag exactly one VR. */
  readonly vr?: Vr;
  /** The byte order of the transfer syntax the element was read in. Default true (little endian). */
  readonly littleEndian?: boolean;
  /** The Specific Character Set values in force where the element is (for text). Default `['']`. */
  readonly charsets?: readonly string[];
}

const NO_ELEMENTS: Dataset = { elements: new Map() };

/** The one VR the dictionary gives `tag`, or undefined (unknown, private, or several VRs such as US or SS). */
function dictionaryVr(tag: number): Vr | undefined {
  const info = lookupTag(tag);
  return info !== undefined && info.vrs.length === 1 && info.vrs[0] !== 'UN' ? info.vrs[0] : undefined;
}

/**
 * A UN element read as the VR it has: `options.vr`, or the dictionary's when it gives the tag one VR (pydicom does
 * the same on reading). A sequence's value is read as Implicit VR Little Endian items (PS3.5 6.2.2), their elements
 * with the dictionary's VRs; any other value in the byte order given. Undefined when the element is not UN with a
 * byte value, no VR is known, or the bytes are not a value of that VR (a length that is not a whole number of
 * values, items that do not parse): the caller then keeps it as UN.
 */
export function resolveUnknownVr(element: DataElement, options: ResolveUnknownVrOptions = {}): DataElement | undefined {
  if (element.vr !== 'UN' || !(element.value instanceof Uint8Array)) return undefined;
  const vr = options.vr ?? dictionaryVr(element.tag);
  if (vr === undefined || vr === 'UN') return undefined;
  const charsets = options.charsets ?? [''];
  const value = element.value;
  try {
    if (vr === 'SQ') {
      // The items as one implicit VR little endian element of defined length: tag, length, then the value.
      const bytes = new Uint8Array(8 + value.length);
      const view = new DataView(bytes.buffer);
      view.setUint16(0, element.tag >>> 16, true);
      view.setUint16(2, element.tag & 0xffff, true);
      view.setUint32(4, value.length, true);
      bytes.set(value, 8);
      const ctx = createDecodeContext(bytes);
      // This element is a sequence; the elements in its items are what the dictionary says they are.
      const isSequenceTag = (tag: number): boolean => tag === element.tag || ctx.isSequenceTag(tag);
      const walked = walkOneElement(bytes, 0, bytes.length, { explicitVR: false, littleEndian: true, isSequenceTag });
      if (walked.items === undefined) return undefined;
      return decodeElement({ ...ctx, isSequenceTag }, walked, NO_ELEMENTS, charsets, false, true);
    }
    const walked: WalkedElement = { tag: element.tag, vr, length: value.length, dataOffset: 0 };
    const decoded = decodeElement(createDecodeContext(value), walked, NO_ELEMENTS, charsets, true, options.littleEndian ?? true);
    return decoded.vr === vr ? decoded : undefined;
  } catch (error) {
    if (isDicomError(error)) return undefined;
    throw error;
  }
}
