// Where a native frame lies in its file, from a header-only read's pixelDataOffset: the Pixel Data element header
// is read (8 or 12 bytes) and checked, and the frame's bytes can then be read straight from the file into their
// place in the voxels or the output, without reading the file whole or parsing its header again.
import { readSync } from 'node:fs';
import { transferSyntaxInfo, type DicomFile } from '@dicom-tools/core';

/** The value of a native Pixel Data element in a file: where its bytes start, and how many there are. */
export interface PixelValueRange {
  readonly start: number;
  readonly length: number;
}

const PIXEL_DATA_GROUP = 0x7fe0;
const PIXEL_DATA_ELEMENT = 0x0010;
const UNDEFINED_LENGTH = 0xffffffff;

/**
 * Reads from `fd` at `position` into `target[offset..offset + length)` until done or the file ends; returns the
 * bytes read.
 */
export function readFully(fd: number, target: Uint8Array, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const read = readSync(fd, target, offset + done, length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  return done;
}

/**
 * The native (7FE0,0010) Pixel Data value of an open file whose header-only read is `header`, read from the
 * element header at `header.pixelDataOffset`. Undefined when that is unknown (a deflated data set), the syntax is
 * not little endian native, or the element there is another one (Float / Double Float Pixel Data), encapsulated
 * (undefined length) or cut short by the end of the file.
 */
export function nativePixelValue(fd: number, header: DicomFile, fileSize: number): PixelValueRange | undefined {
  const at = header.pixelDataOffset;
  if (at === undefined) return undefined;
  const syntax = transferSyntaxInfo(header.transferSyntaxUID);
  if (syntax.encapsulated || syntax.deflated || !syntax.littleEndian) return undefined;
  const head = new Uint8Array(12);
  const size = syntax.explicitVR ? 12 : 8;
  if (readFully(fd, head, 0, size, at) < size) return undefined;
  const view = new DataView(head.buffer);
  if (view.getUint16(0, true) !== PIXEL_DATA_GROUP || view.getUint16(2, true) !== PIXEL_DATA_ELEMENT) return undefined;
  if (syntax.explicitVR) {
    const vr = String.fromCharCode(head[4]!, head[5]!);
    if (vr !== 'OB' && vr !== 'OW') return undefined;
  }
  const length = view.getUint32(size - 4, true);
  if (length === UNDEFINED_LENGTH || at + size + length > fileSize) return undefined;
  return { start: at + size, length };
}
