import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDicom, writeDicom, type DicomFile } from '@dicom-tools/core';
import { corpusFile, corpusFiles, CORPUS_REJECTS, ctSeries, FIXTURE_NAMES, fixtureFiles } from '@dicom-tools/test-fixtures';
import { ds, fileOf, text, TEST_DATA } from './_build.test-util.js';
import { anonymizeBytes, anonymizeFile, createAnonymizeCache, type AnonymizeOptions } from './index.js';

// A cache only spares work: every file must come out exactly as it does without one, whatever came before it
// through the same cache (other patients, other option sets, another secret).

const FILES: [string, DicomFile][] = [
  ...corpusFiles().filter((n) => CORPUS_REJECTS[n] === undefined).map((n) => [n, readDicom(readFileSync(corpusFile(n)))] as [string, DicomFile]),
  ...FIXTURE_NAMES.flatMap((n) => fixtureFiles(n).map((f, i) => [`fixture ${n} ${i}`, f] as [string, DicomFile])),
  ...readdirSync(TEST_DATA).filter((f) => f.endsWith('.dcm')).map((n) => [n, readDicom(readFileSync(join(TEST_DATA, n)))] as [string, DicomFile]),
];

const OPTION_SETS: Omit<AnonymizeOptions, 'uidMap' | 'cache'>[] = [
  { secret: 'one', reportValues: true },
  { secret: 'two', options: ['retainLongitudinalModifiedDates', 'cleanDescriptors', 'cleanStructuredContent', 'cleanGraphics'], patientPrefix: 'P', reportValues: true },
  { secret: new TextEncoder().encode('three'), options: ['retainSafePrivate', 'retainDeviceIdentity', 'retainPatientCharacteristics', 'retainLongitudinalFullDates'] },
  { secret: 'one', profile: 'seed', options: ['retainLongitudinalModifiedDates'], dateShiftRange: [-30, -1], reportValues: true },
];

function outcome(file: DicomFile, options: AnonymizeOptions): string {
  const { file: out, report } = anonymizeFile(file, options);
  return `${Buffer.from(writeDicom(out)).toString('base64')} ${JSON.stringify(report)}`;
}

describe('createAnonymizeCache', () => {
  it('changes no output or report, with one cache through every file under several option sets and secrets, twice over', () => {
    const cache = createAnonymizeCache();
    let compared = 0;
    for (let round = 0; round < 2; round++) {
      for (const set of OPTION_SETS) {
        const plainMap = new Map<string, string>();
        const cachedMap = new Map<string, string>();
        for (const [name, file] of FILES) {
          expect([name, outcome(file, { ...set, uidMap: cachedMap, cache })]).toEqual([name, outcome(file, { ...set, uidMap: plainMap })]);
          compared++;
        }
        expect([...cachedMap]).toEqual([...plainMap]);
      }
    }
    expect(compared).toBe(2 * OPTION_SETS.length * FILES.length);
  });

  it('reuses one compiled scrubber for the slices of a series, which repeat the same identifying values', () => {
    const cache = createAnonymizeCache();
    const slices = ctSeries({ slices: 4, rows: 8, columns: 8 });
    for (const slice of slices) anonymizeFile(slice, { secret: 's', cache });
    expect(cache.scrubbers.byKey.size).toBe(1);
    // The pseudonym, keyed once for the series' one patient, is kept for the next file.
    expect(cache.keyed.values.size).toBe(1);
  });

  it('keeps a bounded number of compiled scrubbers however many patients pass through it', () => {
    const cache = createAnonymizeCache();
    for (let i = 0; i < 100; i++) {
      const file = fileOf(ds(text(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'), text(0x00100010, 'PN', `Patient^Number${i}`), text(0x00281055, 'LO', `Window of Number${i}`)));
      const { file: out } = anonymizeBytes(writeDicom(file), { secret: 's', cache });
      // The (unlisted, kept) window explanation repeats a component of the removed name: it is blanked in every file.
      expect(out.dataset.elements.get(0x00281055)?.value).toEqual([`Window of ${'*'.repeat(`Number${i}`.length)}`]);
    }
    expect(cache.scrubbers.byKey.size).toBeLessThanOrEqual(64);
  });

  it('forgets keyed values made under another secret', () => {
    const cache = createAnonymizeCache();
    const [slice] = ctSeries({ slices: 1, rows: 8, columns: 8 });
    const first = anonymizeFile(slice!, { secret: 'a', cache }).file.dataset.elements.get(0x00100020)?.value;
    const second = anonymizeFile(slice!, { secret: 'b', cache }).file.dataset.elements.get(0x00100020)?.value;
    expect(second).toEqual(anonymizeFile(slice!, { secret: 'b' }).file.dataset.elements.get(0x00100020)?.value);
    expect(second).not.toEqual(first);
  });
});
