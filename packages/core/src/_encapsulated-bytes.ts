// Encapsulated Pixel Data as one byte stream (PS3.5 A.4): the Basic Offset Table item followed by one item per
// fragment, little endian, without the closing Sequence Delimitation Item. This is the Value Field that DICOM JSON
// carries in InlineBinary or behind a BulkDataURI (PS3.18 F.2.7), and the bytes pydicom holds for such an element.
import type { EncapsulatedPixelData } from './dataset.js';

const ITEM = 0xe000;
const SEQUENCE_DELIMITATION = 0xe0dd;

function writeItemHeader(out: Uint8Array, at: number, element: number, length: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint16(at, 0xfffe, true);
  view.setUint16(at + 2, element, true);
  view.setUint32(at + 4, length, true);
}

/** The items of `value` as one byte stream: (FFFE,E000) + length + bytes, for the offset table and each fragment. */
export function encodeEncapsulatedItems(value: EncapsulatedPixelData): Uint8Array {
  const parts = [value.basicOffsetTable, ...value.fragments];
  const total = parts.reduce((sum, part) => sum + 8 + part.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    writeItemHeader(out, at, ITEM, part.length);
    out.set(part, at + 8);
    at += 8 + part.length;
  }
  return out;
}

/**
 * Splits an item stream back into the offset table and fragments. A trailing Sequence Delimitation Item is
 * accepted. Returns undefined when the bytes are not a well-formed item stream ending exactly at their end.
 */
export function decodeEncapsulatedItems(bytes: Uint8Array): EncapsulatedPixelData | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const items: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 8 > bytes.length || view.getUint16(at, true) !== 0xfffe) return undefined;
    const element = view.getUint16(at + 2, true);
    const length = view.getUint32(at + 4, true);
    if (element === SEQUENCE_DELIMITATION) {
      if (length !== 0 || at + 8 !== bytes.length) return undefined;
      break;
    }
    if (element !== ITEM || length === 0xffffffff || at + 8 + length > bytes.length) return undefined;
    items.push(bytes.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  const [basicOffsetTable, ...fragments] = items;
  if (basicOffsetTable === undefined) return undefined;
  return { basicOffsetTable, fragments };
}
