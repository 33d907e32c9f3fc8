import type { BigIntVr, BytesVr, NumberVr, TextVr } from './vr.js';

/** A text element: one string per value (PN keeps its `=`-separated groups), trailing padding removed. */
export interface TextElement {
  readonly tag: number;
  readonly vr: TextVr;
  readonly value: readonly string[];
  /**
   * The bytes the value was read from, in the character set it was read under. Present only on elements
   * read from a file; the writer reuses them so text round-trips byte for byte. Replace the element to change it.
   */
  readonly raw?: Uint8Array;
  /** The Specific Character Set values (joined by `\\`) that `raw` was read under. */
  readonly rawCharset?: string;
}
/** A binary numeric element (US, SS, UL, SL, FL, FD, AT). AT values are tags as numbers. */
export interface NumberElement {
  readonly tag: number;
  readonly vr: NumberVr;
  readonly value: readonly number[];
}
/** A 64-bit integer element (SV, UV). */
export interface BigIntElement {
  readonly tag: number;
  readonly vr: BigIntVr;
  readonly value: readonly bigint[];
}
/** A byte-valued element (OB, OW, OF, OD, OL, OV, UN), always held in little-endian byte order. */
export interface BytesElement {
  readonly tag: number;
  readonly vr: BytesVr;
  readonly value: Uint8Array;
}
/** A sequence: each item is a data set of its own. */
export interface SequenceElement {
  readonly tag: number;
  readonly vr: 'SQ';
  readonly value: readonly Dataset[];
}
/** Encapsulated (compressed) pixel data: the Basic Offset Table item and the fragments, as stored. */
export interface EncapsulatedPixelData {
  readonly basicOffsetTable: Uint8Array;
  readonly fragments: readonly Uint8Array[];
}
/** Pixel Data (7FE0,0010) of a compressed transfer syntax. */
export interface EncapsulatedElement {
  readonly tag: number;
  readonly vr: 'OB' | 'OW';
  readonly value: EncapsulatedPixelData;
  readonly encapsulated: true;
}

/** One data element: a tag, its VR and its value, in the form its VR calls for. */
export type DataElement = TextElement | NumberElement | BigIntElement | BytesElement | SequenceElement | EncapsulatedElement;

/** A DICOM data set: elements by tag (numbers such as `0x00100010`). Iteration order is not significant. */
export interface Dataset {
  readonly elements: Map<number, DataElement>;
}

/** A DICOM Part 10 file (or a bare data set) as read or about to be written. */
export interface DicomFile {
  /** The file meta information (group 0002); empty for a bare data set. */
  readonly meta: Dataset;
  /** The data set proper. */
  readonly dataset: Dataset;
  /** The transfer syntax the data set is (or was) encoded in. */
  readonly transferSyntaxUID: string;
  /** Whether the source had the 128-byte preamble and `DICM` magic. */
  readonly hadPreamble: boolean;
  /**
   * After a read with `stopBeforePixelData` that stopped at a top-level pixel data element ((7FE0,0010), or the
   * float (7FE0,0008) / double (7FE0,0009) forms) of a data set that is not deflated: the byte offset of that
   * element's tag in the bytes read. Lets a caller pass the pixel data through without decoding it.
   */
  readonly pixelDataOffset?: number;
  /**
   * After a read with `stopBeforePixelData` that stopped at a top-level pixel data element (deflated or not): its
   * tag, 0x7FE00010 (Pixel Data), 0x7FE00008 (Float Pixel Data) or 0x7FE00009 (Double Float Pixel Data). The
   * element itself is not in `dataset`, so this is how a header-only reader tells integer from float pixels.
   */
  readonly pixelDataTag?: number;
}

/** Makes an empty data set, or one holding `elements`. */
export function createDataset(elements: Iterable<DataElement> = []): Dataset {
  const map = new Map<number, DataElement>();
  for (const element of elements) map.set(element.tag, element);
  return { elements: map };
}

/** The element with `tag` at the top level of `dataset`, if present. */
export function getElement(dataset: Dataset, tag: number): DataElement | undefined {
  return dataset.elements.get(tag);
}

/** The elements of `dataset` sorted by tag, as they are written. */
export function sortedElements(dataset: Dataset): DataElement[] {
  return [...dataset.elements.values()].sort((a, b) => a.tag - b.tag);
}

/** True when an element holds encapsulated pixel data. */
export function isEncapsulated(element: DataElement): element is EncapsulatedElement {
  return 'encapsulated' in element && element.encapsulated === true;
}
