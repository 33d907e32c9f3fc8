import type {
  BigIntElement, BigIntVr, BytesElement, BytesVr, DataElement, Dataset, NumberElement, NumberVr, SequenceElement, TextElement, TextVr,
} from '@dicom-tools/core';

/** A text element (one string per value). */
export function text(tag: number, vr: TextVr, ...values: readonly string[]): TextElement {
  return { tag, vr, value: values };
}

/** A binary number element (US, SS, UL, SL, FL, FD, AT). */
export function num(tag: number, vr: NumberVr, ...values: readonly number[]): NumberElement {
  return { tag, vr, value: values };
}

/** A 64-bit integer element (SV, UV). */
export function big(tag: number, vr: BigIntVr, ...values: readonly bigint[]): BigIntElement {
  return { tag, vr, value: values };
}

/** A byte-valued element; `value` is little-endian. */
export function bytes(tag: number, vr: BytesVr, value: Uint8Array): BytesElement {
  return { tag, vr, value };
}

/** A sequence of items. */
export function seq(tag: number, ...items: readonly Dataset[]): SequenceElement {
  return { tag, vr: 'SQ', value: items };
}

/** A data set (a sequence item, or a whole data set) from elements; later elements replace earlier ones with the same tag. */
export function item(...elements: ReadonlyArray<DataElement | readonly DataElement[]>): Dataset {
  const map = new Map<number, DataElement>();
  for (const e of elements.flat()) map.set(e.tag, e);
  return { elements: map };
}

/** A code sequence item: Code Value, Coding Scheme Designator, Code Meaning. */
export function code(value: string, scheme: string, meaning: string): Dataset {
  return item(text(0x00080100, 'SH', value), text(0x00080102, 'SH', scheme), text(0x00080104, 'LO', meaning));
}

/**
 * A number as a DS string of at most 16 characters (PS3.5 6.2): integers as such, others with as many
 * significant digits as fit.
 */
export function ds(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`DS cannot hold ${n}`);
  if (Object.is(n, -0)) return '0';
  for (let digits = 15; digits >= 1; digits--) {
    const s = String(Number(n.toPrecision(digits)));
    if (s.length <= 16) return s;
  }
  throw new RangeError(`DS cannot hold ${n}`);
}

/** Several numbers as DS values. */
export function dsList(values: readonly number[]): string[] {
  return values.map(ds);
}
