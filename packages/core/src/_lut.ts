// Lookup tables as the Modality LUT, VOI LUT and Palette Color modules store them (PS3.3 C.11.1, C.11.2,
// C.7.6.3.1.5): a descriptor of three values (entries, first mapped value, bits per entry; 0 entries meaning 65536)
// and LUT Data as 16-bit words (US values or OW bytes).
import type { DataElement, Dataset } from './dataset.js';
import { DicomError } from './errors.js';

const LUT_DESCRIPTOR = 0x00283002;
const LUT_DATA = 0x00283006;

/** A lookup table: `data[i]` is the output for the input value `firstMapped + i`. */
export interface LookupTable {
  readonly firstMapped: number;
  /** Bits per output entry (the descriptor's third value). */
  readonly bits: number;
  readonly data: Uint16Array;
}

/** The values of a US/SS/OW element as 16-bit words (OW bytes read little endian). */
export function words(element: DataElement | undefined): Uint16Array | undefined {
  if (element === undefined) return undefined;
  if (element.value instanceof Uint8Array) {
    const bytes = element.value;
    const out = new Uint16Array(bytes.length >> 1);
    for (let i = 0; i < out.length; i++) out[i] = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
    return out;
  }
  if (Array.isArray(element.value) && element.value.every((v) => typeof v === 'number')) return Uint16Array.from(element.value as number[], (v) => v & 0xffff);
  return undefined;
}

/** The three descriptor values; the first mapped value read as signed when `signedInput` (it is US or SS by Pixel Representation). */
export function descriptorOf(element: DataElement | undefined, signedInput: boolean, tag: number): [number, number, number] {
  const values = words(element);
  if (values === undefined || values.length < 3) throw new DicomError('CORE_INVALID_VALUE', 'a LUT Descriptor needs three values', { tag });
  const entries = values[0] === 0 ? 65536 : values[0]!;
  const first = signedInput && values[1]! >= 0x8000 ? values[1]! - 0x10000 : values[1]!;
  return [entries, first, values[2]!];
}

/** The LUT of a Modality LUT Sequence or VOI LUT Sequence item. */
export function lutOfItem(item: Dataset, signedInput: boolean): LookupTable {
  const [entries, firstMapped, bits] = descriptorOf(item.elements.get(LUT_DESCRIPTOR), signedInput, LUT_DESCRIPTOR);
  const data = words(item.elements.get(LUT_DATA));
  if (data === undefined || data.length < entries) {
    throw new DicomError('CORE_INVALID_VALUE', `LUT Data holds ${data?.length ?? 0} entries; the LUT Descriptor declares ${entries}`, { tag: LUT_DATA });
  }
  return { firstMapped, bits, data: data.subarray(0, entries) };
}

/** Looks `value` up: inputs below the first mapped value take the first entry, above the last the last entry. */
export function lookUp(table: LookupTable, value: number): number {
  const last = table.data.length - 1;
  const i = Math.round(value) - table.firstMapped;
  return table.data[i <= 0 ? 0 : i >= last ? last : i]!;
}
