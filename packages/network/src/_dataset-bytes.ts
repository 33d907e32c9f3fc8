import { readDicom, writeDicom, type Dataset, type DicomFile } from '@dicom-tools/core';

const EMPTY: Dataset = { elements: new Map() };

/** Where the data set starts in Part 10 bytes written by core's writer: preamble, DICM, group length element, group. */
function metaEnd(part10: Uint8Array): number {
  return 132 + 12 + Buffer.from(part10.buffer, part10.byteOffset, part10.length).readUInt32LE(140);
}

/**
 * The Part 10 header (preamble, `DICM`, file meta group) for an instance received over the network: our
 * implementation UID and version, the SOP class and instance of the C-STORE, the presentation context's syntax.
 */
export function fileMetaBytes(sopClassUid: string, sopInstanceUid: string, transferSyntaxUid: string, sourceAeTitle: string): Buffer {
  const meta: Dataset = {
    elements: new Map([
      [0x00020002, { tag: 0x00020002, vr: 'UI', value: [sopClassUid] }],
      [0x00020003, { tag: 0x00020003, vr: 'UI', value: [sopInstanceUid] }],
    ]),
  };
  // An empty data set in a native syntax: the writer's output is the header alone (the syntax is patched in below).
  const file: DicomFile = { meta, dataset: EMPTY, transferSyntaxUID: '1.2.840.10008.1.2.1', hadPreamble: true };
  const bytes = writeDicom(file, { transferSyntaxUID: '1.2.840.10008.1.2.1', ...(sourceAeTitle !== '' ? { sourceApplicationEntityTitle: sourceAeTitle } : {}) });
  return relabel(Buffer.from(bytes.buffer, bytes.byteOffset, metaEnd(bytes)), transferSyntaxUid);
}

/** Rewrites the Transfer Syntax UID (0002,0010) of a header written by `fileMetaBytes`, fixing the lengths. */
function relabel(header: Buffer, syntax: string): Buffer {
  let at = 144;
  while (at + 8 <= header.length) {
    const tag = ((header.readUInt16LE(at) << 16) | header.readUInt16LE(at + 2)) >>> 0;
    const vr = header.toString('latin1', at + 4, at + 6);
    const long = vr === 'OB' || vr === 'UN' || vr === 'SQ' || vr === 'UT' || vr === 'OW';
    const length = long ? header.readUInt32LE(at + 8) : header.readUInt16LE(at + 6);
    const start = at + (long ? 12 : 8);
    if (tag === 0x00020010) {
      const value = Buffer.from(syntax.length % 2 === 0 ? syntax : `${syntax}\0`, 'latin1');
      const head = Buffer.from(header.subarray(at, start));
      head.writeUInt16LE(value.length, 6);
      const out = Buffer.concat([header.subarray(0, at), head, value, header.subarray(start + length)]);
      out.writeUInt32LE(out.length - 144, 140);
      return out;
    }
    at = start + length;
  }
  return header;
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
