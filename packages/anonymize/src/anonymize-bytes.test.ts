import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  dicomFileToJson, IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, readDicom, sortedElements, transferSyntaxInfo, writeDicom, type DicomFile,
} from '@dicom-tools/core';
import { corpusFile, corpusFiles, CORPUS_REJECTS, FIXTURE_NAMES, fixtureBytes, fixtureFiles } from '@dicom-tools/test-fixtures';
import { TEST_DATA } from './_build.test-util.js';
import { anonymizeBytes, anonymizeFile } from './index.js';

// anonymizeBytes must give exactly what anonymizeFile + writeDicom give, and pass Pixel Data through byte for
// byte whenever the input allows it (little endian, not deflated, Pixel Data last).

const INPUTS: [string, Uint8Array][] = [
  ...corpusFiles().filter((n) => CORPUS_REJECTS[n] === undefined).map((n) => [n, readFileSync(corpusFile(n))] as [string, Uint8Array]),
  ...FIXTURE_NAMES.map((n) => [`fixture ${n}`, fixtureBytes(fixtureFiles(n)[0]!)] as [string, Uint8Array]),
  ...readdirSync(TEST_DATA).filter((f) => f.endsWith('.dcm')).map((n) => [n, readFileSync(join(TEST_DATA, n))] as [string, Uint8Array]),
];

function json(file: DicomFile): string {
  return JSON.stringify(dicomFileToJson(file));
}

describe('anonymizeBytes', () => {
  it.each(INPUTS)('%s: gives the data set anonymizeFile gives, with the input\'s own Pixel Data bytes', (name, bytes) => {
    const input = readDicom(bytes, { fileName: name });
    const options = { secret: 'bytes', options: ['retainLongitudinalModifiedDates' as const] };
    const expected = readDicom(writeDicom(anonymizeFile(input, options).file));
    const { chunks, report, pixelDataPassedThrough } = anonymizeBytes(bytes, options);
    const out = readDicom(Buffer.concat(chunks));
    expect(json(out)).toBe(json(expected));
    expect(out.transferSyntaxUID).toBe(input.transferSyntaxUID);
    expect(report.actions).toEqual(anonymizeFile(input, options).report.actions);
    const info = transferSyntaxInfo(input.transferSyntaxUID);
    const last = sortedElements(input.dataset).at(-1)?.tag;
    expect(pixelDataPassedThrough).toBe(info.littleEndian && !info.deflated && last === 0x7fe00010);
    if (pixelDataPassedThrough) {
      const tail = chunks[1]!;
      expect(Buffer.from(bytes.subarray(bytes.length - tail.length)).equals(Buffer.from(tail))).toBe(true);
    }
  });

  it.each(INPUTS)('%s: counts each action code as the list does, and gives the same bytes and counts without the list', (name, bytes) => {
    for (const options of [{ secret: 'counts' }, { secret: 'counts', options: ['retainLongitudinalModifiedDates', 'cleanDescriptors', 'retainSafePrivate'] as const }]) {
      const listed = anonymizeBytes(bytes, { ...options, options: [...(options.options ?? [])], fileName: name });
      const tally: Record<string, number> = { D: 0, Z: 0, X: 0, K: 0, C: 0, U: 0 };
      for (const action of listed.report.actions) tally[action.action]!++;
      expect(listed.report.counts).toEqual(tally);
      const counted = anonymizeBytes(bytes, { ...options, options: [...(options.options ?? [])], fileName: name, listActions: false });
      expect(counted.report.actions).toEqual([]);
      expect(counted.report.counts).toEqual(tally);
      expect(Buffer.concat(counted.chunks).equals(Buffer.concat(listed.chunks))).toBe(true);
      expect({ ...counted.report, actions: undefined }).toEqual({ ...listed.report, actions: undefined });
    }
  });

  it('zeroes the preamble and writes our implementation UID and version in the file meta', () => {
    const bytes = Buffer.from(readFileSync(join(TEST_DATA, 'phi-ct-1.dcm')));
    bytes.fill(0x58, 0, 128); // a preamble that says something ('XXX...')
    const out = Buffer.concat(anonymizeBytes(bytes, { secret: 'x' }).chunks);
    expect(out.subarray(0, 128).every((b) => b === 0)).toBe(true);
    expect(out.subarray(128, 132).toString('latin1')).toBe('DICM');
    const meta = readDicom(out).meta;
    expect(meta.elements.get(0x00020012)?.value).toEqual([IMPLEMENTATION_CLASS_UID]);
    expect(meta.elements.get(0x00020013)?.value).toEqual([IMPLEMENTATION_VERSION_NAME]);
    expect(out.includes(Buffer.from('PEERCORPUS_1'))).toBe(false); // the input's implementation version name
  });

  it('passes the pixels of the make_corpus CT through and leaves the input bytes unchanged', () => {
    const bytes = readFileSync(join(TEST_DATA, 'phi-ct-1.dcm'));
    const copy = Buffer.from(bytes);
    const result = anonymizeBytes(bytes, { secret: 'x' });
    expect(result.pixelDataPassedThrough).toBe(true);
    expect(bytes.equals(copy)).toBe(true);
  });
});
