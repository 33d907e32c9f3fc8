import { TransferSyntax, writeDicom, type DicomFile } from '@dicom-tools/core';
import { identity } from './_modules.js';
import { ctSlice } from './ct-slice.js';
import type { FixtureOptions } from './fixture-options.js';

/**
 * A data set meant to be stored without preamble or file meta: a 16 x 16 {@link ctSlice} with its own series and
 * instance UIDs, labelled Implicit VR Little Endian (the syntax a reader must assume without file meta), with
 * `hadPreamble: false` and an empty `meta`. Write it with {@link bareDatasetBytes} (writeFixture does).
 */
export function bareDataset(options: FixtureOptions = {}): DicomFile {
  const id = identity('bareDataset', options);
  const file = ctSlice({ ...options, rows: 16, columns: 16, seriesNumber: 7, seriesInstanceUID: id.seriesInstanceUID, sopInstanceUID: id.sopInstanceUID });
  return { meta: { elements: new Map() }, dataset: file.dataset, transferSyntaxUID: options.transferSyntaxUID ?? TransferSyntax.ImplicitVRLittleEndian, hadPreamble: false };
}

/**
 * The bytes of `file`'s data set alone, with no preamble, `DICM` or file meta group, in its transfer syntax:
 * writeDicom's Part 10 output cut after the file meta group (132 bytes of preamble and magic, the 12-byte
 * group length element, and the group length it declares). Deflated syntaxes are refused: without file meta,
 * nothing would say the data is deflated.
 */
export function bareDatasetBytes(file: DicomFile): Uint8Array {
  if (file.transferSyntaxUID === TransferSyntax.DeflatedExplicitVRLittleEndian) {
    throw new RangeError('a bare data set cannot be deflated: without file meta nothing says so');
  }
  const part10 = writeDicom(file);
  const groupLength = new DataView(part10.buffer, part10.byteOffset, part10.byteLength).getUint32(140, true);
  return part10.subarray(144 + groupLength);
}
