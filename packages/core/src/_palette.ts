// Palette Color lookup tables (PS3.3 C.7.6.3.1.5-6) and their segmented form (C.7.9.2).
import type { Dataset } from './dataset.js';
import { DicomError } from './errors.js';
import { descriptorOf, words } from './_lut.js';

const DESCRIPTORS = [0x00281101, 0x00281102, 0x00281103] as const;
const DATA = [0x00281201, 0x00281202, 0x00281203] as const;
const SEGMENTED = [0x00281221, 0x00281222, 0x00281223] as const;

/** The red, green and blue tables of a palette, with the first mapped value and the bits of each entry. */
export interface Palette {
  readonly firstMapped: number;
  /** 8 or 16: the range of the entries. */
  readonly bits: number;
  readonly tables: readonly [Uint16Array, Uint16Array, Uint16Array];
}

/**
 * Expands segmented LUT data: opcode 0 (discrete: n values follow), 1 (linear: n values from the previous value to
 * the next word), 2 (indirect: copy n segments found at a 32-bit word offset, low word first).
 */
export function expandSegmented(data: Uint16Array, maxEntries = 65536, depth = 0): number[] {
  if (depth > 8) throw new DicomError('CORE_INVALID_VALUE', 'segmented LUT: indirect segments nest too deeply');
  const out: number[] = [];
  let at = 0;
  const run = (limitSegments: number, previous: number | undefined): void => {
    let segments = 0;
    while (at + 1 < data.length && segments < limitSegments && out.length <= maxEntries) {
      const opcode = data[at]!;
      const length = data[at + 1]!;
      at += 2;
      if (opcode === 0) {
        for (let i = 0; i < length && at < data.length; i++) out.push(data[at++]!);
      } else if (opcode === 1) {
        const y0 = out.length > 0 ? out[out.length - 1]! : previous;
        if (y0 === undefined) throw new DicomError('CORE_INVALID_VALUE', 'segmented LUT: a linear segment cannot come first');
        const y1 = data[at++]!;
        for (let i = 1; i <= length; i++) out.push(Math.round(y0 + ((y1 - y0) * i) / length));
      } else if (opcode === 2) {
        if (out.length === 0) throw new DicomError('CORE_INVALID_VALUE', 'segmented LUT: an indirect segment cannot come first');
        const offset = data[at]! | (data[at + 1]! << 16);
        at += 2;
        const resume = at;
        at = offset;
        run(length, out[out.length - 1]);
        at = resume;
      } else {
        throw new DicomError('CORE_INVALID_VALUE', `segmented LUT: unknown segment opcode ${opcode}`);
      }
      segments++;
    }
  };
  run(Number.POSITIVE_INFINITY, undefined);
  return out;
}

/** Reads the palette of a PALETTE COLOR image (plain or segmented LUT data). */
export function paletteOf(dataset: Dataset, signedInput: boolean): Palette {
  const [entries, firstMapped, bits] = descriptorOf(dataset.elements.get(DESCRIPTORS[0]), signedInput, DESCRIPTORS[0]);
  const tables = DATA.map((tag, i): Uint16Array => {
    const plain = dataset.elements.get(tag);
    if (plain !== undefined && plain.value instanceof Uint8Array && plain.value.length === entries && bits === 8) {
      return Uint16Array.from(plain.value); // 8-bit entries stored one per byte
    }
    const table = words(plain);
    if (table !== undefined) return table.length >= entries ? table.subarray(0, entries) : table;
    const segmented = words(dataset.elements.get(SEGMENTED[i]!));
    if (segmented === undefined) throw new DicomError('CORE_INVALID_VALUE', 'a PALETTE COLOR image needs Palette Color Lookup Table Data or its segmented form', { tag });
    return Uint16Array.from(expandSegmented(segmented, entries).slice(0, entries));
  });
  if (tables.some((t) => t.length === 0)) throw new DicomError('CORE_INVALID_VALUE', 'a Palette Color Lookup Table is empty', { tag: DATA[0] });
  return { firstMapped, bits: bits === 8 ? 8 : 16, tables: [tables[0]!, tables[1]!, tables[2]!] };
}
