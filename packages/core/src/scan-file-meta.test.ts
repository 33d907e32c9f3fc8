import { readFileSync } from 'node:fs';
import { corpusFile, corpusFiles, CORPUS_REJECTS, ctSlice } from '@dicom-tools/test-fixtures';
import { getString, readDicom, scanFileMeta, scanSopUids, transferSyntaxInfo, writeDicom, type ScannedFileMeta } from './index.js';

/** Where the meta group ends by its own File Meta Information Group Length (0002,0000, the first element: PS3.10 7.1). */
function endByGroupLength(bytes: Uint8Array): number {
  return 144 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(140, true);
}

/** The readable Part 10 files of the corpus. */
const part10 = corpusFiles().filter((name) => CORPUS_REJECTS[name] === undefined).map((name) => [name, readFileSync(corpusFile(name))] as const)
  .filter(([, bytes]) => bytes.length >= 132 && bytes.toString('latin1', 128, 132) === 'DICM');

/** scanFileMeta's result for bytes that hold a whole group. */
function scannedMeta(bytes: Uint8Array): ScannedFileMeta {
  const scanned = scanFileMeta(bytes);
  if (typeof scanned !== 'object') throw new Error(`not scanned: ${String(scanned)}`);
  return scanned;
}

describe('scanFileMeta', () => {

  it.each(part10.map(([name, bytes]) => [name, bytes] as const))('%s: ends where the group length says and holds the UIDs the reader finds', (_name, bytes) => {
    const scanned = scannedMeta(bytes);
    expect(scanned.end).toBe(endByGroupLength(bytes));
    const { meta } = readDicom(bytes, { stopBeforePixelData: true });
    for (const tag of [0x00020002, 0x00020003, 0x00020010]) expect(scanned.values.get(tag) || undefined).toBe(getString(meta, tag)); // an empty value reads as absent
  });

  it('asks for more bytes when they end inside the group, and is undefined for bytes that are not Part 10', () => {
    const bytes = writeDicom(ctSlice());
    const end = endByGroupLength(bytes);
    for (const cut of [0, 131, 132, 140, 144, end - 1]) expect(scanFileMeta(bytes.subarray(0, cut))).toBe('short');
    expect(scanFileMeta(bytes.subarray(0, end))).toEqual(expect.objectContaining({ end })); // the group alone
    expect(scanFileMeta(bytes)).toEqual(expect.objectContaining({ end }));
    const notPart10 = Uint8Array.from(bytes);
    notPart10[128] = 0x58;
    expect(scanFileMeta(notPart10)).toBeUndefined();
  });
});

describe('scanSopUids', () => {

  it.each(part10.map(([name, bytes]) => [name, bytes] as const))('%s: the data set\'s SOP Class and Instance UIDs as the reader finds them, where the data set is little endian and not deflated', (_name, bytes) => {
    const scanned = scannedMeta(bytes);
    const file = readDicom(bytes, { stopBeforePixelData: true });
    const uids = scanSopUids(bytes.subarray(0, 8192), scanned);
    const info = transferSyntaxInfo(file.transferSyntaxUID);
    if (info.deflated || !info.littleEndian) {
      expect(uids).toEqual({ sopClassUid: undefined, sopInstanceUid: undefined });
    } else {
      expect(uids).toEqual({ sopClassUid: getString(file.dataset, 0x00080016) || undefined, sopInstanceUid: getString(file.dataset, 0x00080018) || undefined });
    }
  });

  it('gives the data set\'s UID where the file meta group names another (rtdose_1frame.dcm), and nothing past the bytes given', () => {
    const bytes = readFileSync(corpusFile('rtdose_1frame.dcm'));
    const scanned = scannedMeta(bytes);
    const { dataset, meta } = readDicom(bytes, { stopBeforePixelData: true });
    expect(getString(meta, 0x00020003)).not.toBe(getString(dataset, 0x00080018));
    expect(scanSopUids(bytes, scanned).sopInstanceUid).toBe(getString(dataset, 0x00080018));
    expect(scanSopUids(bytes.subarray(0, scanned.end + 4), scanned)).toEqual({ sopClassUid: undefined, sopInstanceUid: undefined });
  });
});
