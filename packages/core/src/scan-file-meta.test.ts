import { readFileSync } from 'node:fs';
import { corpusFile, corpusFiles, CORPUS_REJECTS, ctSlice } from '@dicom-tools/test-fixtures';
import { getString, readDicom, scanFileMeta, writeDicom } from './index.js';

/** Where the meta group ends by its own File Meta Information Group Length (0002,0000, the first element: PS3.10 7.1). */
function endByGroupLength(bytes: Uint8Array): number {
  return 144 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(140, true);
}

describe('scanFileMeta', () => {
  const part10 = corpusFiles().filter((name) => CORPUS_REJECTS[name] === undefined).map((name) => [name, readFileSync(corpusFile(name))] as const)
    .filter(([, bytes]) => bytes.length >= 132 && bytes.toString('latin1', 128, 132) === 'DICM');

  it.each(part10.map(([name, bytes]) => [name, bytes] as const))('%s: ends where the group length says and holds the UIDs the reader finds', (_name, bytes) => {
    const scanned = scanFileMeta(bytes);
    if (typeof scanned !== 'object') throw new Error(`not scanned: ${String(scanned)}`);
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
