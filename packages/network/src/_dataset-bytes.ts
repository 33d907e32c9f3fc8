import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, readDicom, writeDicom, type Dataset, type DicomFile } from '@dicom-tools/core';

const EMPTY: Dataset = { elements: new Map() };

/** Where the data set starts in Part 10 bytes written by core's writer: preamble, DICM, group length element, group. */
function metaEnd(part10: Uint8Array): number {
  return 132 + 12 + Buffer.from(part10.buffer, part10.byteOffset, part10.length).readUInt32LE(140);
}

/** One explicit VR little endian element of the file meta group (short-header VRs). */
function metaElement(element: number, vr: 'UI' | 'SH' | 'AE', value: string): Buffer {
  const padded = value.length % 2 === 0 ? value : `${value}${vr === 'UI' ? '\0' : ' '}`;
  const out = Buffer.allocUnsafe(8 + padded.length);
  out.writeUInt16LE(0x0002, 0);
  out.writeUInt16LE(element, 2);
  out.write(vr, 4, 'latin1');
  out.writeUInt16LE(padded.length, 6);
  out.write(padded, 8, 'latin1');
  return out;
}

/**
 * The Part 10 header (preamble, `DICM`, file meta group, PS3.10 7.1) for an instance received over the network:
 * the SOP class and instance of the C-STORE, the presentation context's syntax, our implementation class UID and
 * version name (core's), the calling AE as Source AE. Written here rather than through core's writer, which sizes
 * its buffer for a whole data set: this runs once per received instance.
 */
export function fileMetaBytes(sopClassUid: string, sopInstanceUid: string, transferSyntaxUid: string, sourceAeTitle: string): Buffer {
  const parts = [
    Buffer.from([0x02, 0x00, 0x01, 0x00, 0x4f, 0x42, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01]),
    metaElement(0x0002, 'UI', sopClassUid),
    metaElement(0x0003, 'UI', sopInstanceUid),
    metaElement(0x0010, 'UI', transferSyntaxUid),
    metaElement(0x0012, 'UI', IMPLEMENTATION_CLASS_UID),
    metaElement(0x0013, 'SH', IMPLEMENTATION_VERSION_NAME),
    ...(sourceAeTitle !== '' ? [metaElement(0x0016, 'AE', sourceAeTitle)] : []),
  ];
  const groupLength = parts.reduce((n, p) => n + p.length, 0);
  const head = Buffer.alloc(144);
  head.write('DICM', 128, 'latin1');
  head.set([0x02, 0x00, 0x00, 0x00, 0x55, 0x4c, 0x04, 0x00], 132);
  head.writeUInt32LE(groupLength, 140);
  return Buffer.concat([head, ...parts], 144 + groupLength);
}

/** Encodes a data set as bare bytes (no preamble or meta) in `transferSyntaxUid`. */
export function encodeDatasetBytes(dataset: Dataset, transferSyntaxUid: string): Buffer {
  const file: DicomFile = { meta: EMPTY, dataset, transferSyntaxUID: transferSyntaxUid, hadPreamble: false };
  const bytes = writeDicom(file, { transferSyntaxUID: transferSyntaxUid });
  return Buffer.from(bytes.buffer, bytes.byteOffset + metaEnd(bytes), bytes.length - metaEnd(bytes));
}

/** Decodes bare data set bytes received in `transferSyntaxUid`. */
export function decodeDatasetBytes(bytes: Uint8Array, transferSyntaxUid: string): Dataset {
  const header = fileMetaBytes('', '', transferSyntaxUid, '');
  return readDicom(Buffer.concat([header, bytes])).dataset;
}
