import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dicomFileToJson, readDicom, type Dataset } from '@dicom-tools/core';
import { errorCodeOf, secondaryCapture } from '@dicom-tools/test-fixtures';
import { ds, fileOf, items, seq, str, TEST_DATA, text } from './_build.test-util.js';
import { anonymize, anonymizeFile, isWellKnownUid, parseProfileOption, PROFILE_OPTIONS, remapUid } from './index.js';

// Expectations come from PS3.15 (Annex E, Table E.1-1, CID 7050 in PS3.16), PS3.5 (UID and PN rules), the issue's
// specification of the keyed replacements, and the input values themselves.

const CT = '1.2.840.10008.5.1.4.1.1.2';
const SECRET = 'test secret';

function phiCt(name: string): Dataset {
  return readDicom(readFileSync(join(TEST_DATA, name))).dataset;
}

/** A CT data set of one patient with dates at several depths. */
function patient(id: string, studyDate: string, deepDate: string): Dataset {
  return ds(
    text(0x00080016, 'UI', CT),
    text(0x00080018, 'UI', `1.2.3.4.${id.length}.${studyDate}`),
    text(0x00080020, 'DA', studyDate),
    text(0x00080030, 'TM', '101500'),
    text(0x0008002a, 'DT', '20240115101500.123456+0100'),
    text(0x00100010, 'PN', `Doe^${id}`),
    text(0x00100020, 'LO', id),
    // Three sequences deep: an unlisted DA inside Procedure Code > (unlisted) > (unlisted) items.
    seq(0x00081032, ds(seq(0x00400260, ds(seq(0x0040a043, ds(text(0x0040a121, 'DA', deepDate), text(0x00189151, 'DT', `${deepDate}120000`))))))),
  );
}

function days(a: string, b: string): number {
  const t = (s: string): number => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8)));
  return Math.round((t(b) - t(a)) / 86_400_000);
}

describe('anonymize', () => {
  it('returns a new data set and leaves the input exactly as it was', () => {
    const input = phiCt('phi-ct-1.dcm');
    const before = JSON.stringify(dicomFileToJson(fileOf(input)));
    const { dataset } = anonymize(input, { secret: SECRET });
    expect(dataset).not.toBe(input);
    expect(JSON.stringify(dicomFileToJson(fileOf(input)))).toBe(before);
  });

  it('replaces instance UIDs with 2.25 UIDs of the keyed HMAC-SHA256, as specified (UUIDv8 bits set)', () => {
    const original = '1.2.826.0.1.3680043.8.498.62557136286040043880520704933548604754';
    const digest = createHmac('sha256', SECRET).update('uid').update('\0').update(original).digest().subarray(0, 16);
    digest[6] = (digest[6]! & 0x0f) | 0x80;
    digest[8] = (digest[8]! & 0x3f) | 0x80;
    const expected = `2.25.${BigInt(`0x${digest.toString('hex')}`)}`;
    expect(remapUid(original, SECRET)).toBe(expected);
    const { dataset } = anonymize(phiCt('phi-ct-1.dcm'), { secret: SECRET });
    expect(str(dataset, 0x00080018)).toBe(expected);
  });

  it('makes valid UIDs: at most 64 characters, digits and dots, no leading zeros (PS3.5 9.1)', () => {
    for (let i = 0; i < 2000; i++) {
      const uid = remapUid(`1.2.3.${i}`, `secret ${i % 7}`);
      expect(uid.length).toBeLessThanOrEqual(64);
      expect(uid).toMatch(/^2\.25\.(0|[1-9][0-9]*)$/);
    }
  });

  it('gives the same UIDs for the same secret and different ones for another secret', () => {
    const a = anonymize(phiCt('phi-ct-1.dcm'), { secret: 'one' }).dataset;
    const b = anonymize(phiCt('phi-ct-1.dcm'), { secret: 'one' }).dataset;
    const c = anonymize(phiCt('phi-ct-1.dcm'), { secret: Buffer.from('two') }).dataset;
    for (const tag of [0x00080018, 0x0020000d, 0x0020000e, 0x00200052]) {
      expect(str(a, tag)).toBe(str(b, tag));
      expect(str(a, tag)).not.toBe(str(c, tag));
    }
  });

  it('keeps well-known UIDs (SOP classes, transfer syntaxes, coding schemes) and class-valued attributes', () => {
    expect(isWellKnownUid(CT)).toBe(true);
    expect(isWellKnownUid('1.2.840.10008.1.2.4.50')).toBe(true);
    expect(isWellKnownUid('1.2.840.10008.2.16.4')).toBe(true); // DCM coding scheme
    const input = ds(
      text(0x00080016, 'UI', CT),
      seq(0x00081140, ds(text(0x00081150, 'UI', CT), text(0x00081155, 'UI', '1.2.3.4.5'))),
      seq(0x00080110, ds(text(0x0008010c, 'UI', '2.16.840.1.113883.6.96'))), // SNOMED CT's coding scheme UID
    );
    const { dataset } = anonymize(input, { secret: SECRET, options: ['retainUIDs'] });
    expect(str(dataset, 0x00080016)).toBe(CT);
    expect(str(items(dataset, 0x00081140)[0]!, 0x00081150)).toBe(CT);
    expect(str(items(dataset, 0x00081140)[0]!, 0x00081155)).toBe('1.2.3.4.5');
    const basic = anonymize(input, { secret: SECRET }).dataset;
    expect(str(items(basic, 0x00080110)[0]!, 0x0008010c)).toBe('2.16.840.1.113883.6.96');
  });

  it('replaces the same UID by the same UID wherever it appears, and records pairs in the caller\'s map', () => {
    const uidMap = new Map<string, string>();
    const slice = ds(text(0x00080016, 'UI', CT), text(0x00080018, 'UI', '1.2.3.100'), text(0x00200052, 'UI', '1.2.3.200'));
    const referrer = ds(
      text(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.66.4'),
      seq(0x00081115, ds(seq(0x0008114a, ds(text(0x00081150, 'UI', CT), text(0x00081155, 'UI', '1.2.3.100'))))),
      text(0x00200052, 'UI', '1.2.3.200'),
    );
    const a = anonymize(slice, { secret: SECRET, uidMap }).dataset;
    const b = anonymize(referrer, { secret: SECRET, uidMap }).dataset;
    const referenced = str(items(items(b, 0x00081115)[0]!, 0x0008114a)[0]!, 0x00081155);
    expect(referenced).toBe(str(a, 0x00080018));
    expect(str(b, 0x00200052)).toBe(str(a, 0x00200052));
    expect(uidMap.get('1.2.3.100')).toBe(str(a, 0x00080018));
    expect(uidMap.get('1.2.3.200')).toBe(str(a, 0x00200052));
  });

  it('replaces Patient ID and Patient\'s Name with one keyed pseudonym per patient (prefix ANON)', () => {
    const a1 = anonymize(phiCt('phi-ct-1.dcm'), { secret: SECRET }).dataset;
    const a2 = anonymize(phiCt('phi-ct-2.dcm'), { secret: SECRET }).dataset;
    const other = anonymize(phiCt('phi-mr-1.dcm'), { secret: SECRET }).dataset;
    const id = str(a1, 0x00100020)!;
    expect(id).toMatch(/^ANON[0-9A-F]{16}$/);
    expect(str(a1, 0x00100010)).toBe(`${id}^`);
    expect(str(a2, 0x00100020)).toBe(id);
    expect(str(other, 0x00100020)).not.toBe(id);
    expect(anonymize(phiCt('phi-ct-1.dcm'), { secret: 'other' }).dataset.elements.get(0x00100020)?.value).not.toEqual([id]);
    expect(str(anonymize(phiCt('phi-ct-1.dcm'), { secret: SECRET, patientPrefix: 'STUDY7-' }).dataset, 0x00100020)).toMatch(/^STUDY7-[0-9A-F]{16}$/);
  });

  it('reproduces the seed\'s visible values with the seed preset, with valid UIDs and every sequence handled', () => {
    const input = phiCt('phi-ct-1.dcm');
    const { dataset, report } = anonymize(input, { secret: SECRET, profile: 'seed' });
    expect(str(dataset, 0x00100010)).toBe('ANONYMOUS^PATIENT');
    expect(str(dataset, 0x00100020)).toMatch(/^ANON_[0-9A-F]{16}$/);
    expect(str(dataset, 0x00080080)).toBe('ANONYMIZED');
    expect(str(dataset, 0x00080018)).toMatch(/^2\.25\.[1-9][0-9]*$/);
    expect(dataset.elements.has(0x00101002)).toBe(false); // Other Patient IDs Sequence (X)
    expect(dataset.elements.has(0x00400275)).toBe(false); // Request Attributes Sequence (X)
    expect(report.profile).toBe('seed');
    expect((dataset.elements.get(0x00120063)!.value as string[]).join('\\')).toContain('seed');
  });

  it('removes private elements at every depth by default, creators included', () => {
    const { dataset } = anonymize(phiCt('phi-ct-1.dcm'), { secret: SECRET });
    const odd: number[] = [];
    const walk = (d: Dataset): void => {
      for (const e of d.elements.values()) {
        if ((e.tag >>> 16) % 2 === 1) odd.push(e.tag);
        if (e.vr === 'SQ') e.value.forEach(walk);
      }
    };
    walk(dataset);
    expect(odd).toEqual([]);
  });

  it('keeps with retainSafePrivate only the safe private attributes, matched by private creator and offset, not by raw tag', () => {
    // (0019,xx9E) under GEMS_ACQU_01 is on Table E.3.10-1 (Internal Pulse Sequence Name); (0019,xx9F) is not.
    const input = ds(
      text(0x00190012, 'LO', 'GEMS_ACQU_01'), // creator of block 12
      text(0x0019129e, 'LO', 'SEQ NAME'),
      text(0x0019129f, 'LO', 'NOT SAFE'),
      text(0x00190010, 'LO', 'SOME_OTHER_VENDOR'), // the same offset under another creator
      text(0x0019109e, 'LO', 'OTHER VENDOR VALUE'),
    );
    const { dataset, report } = anonymize(input, { secret: SECRET, options: ['retainSafePrivate'] });
    expect(str(dataset, 0x0019129e)).toBe('SEQ NAME');
    expect(str(dataset, 0x00190012)).toBe('GEMS_ACQU_01');
    expect(dataset.elements.has(0x0019129f)).toBe(false);
    expect(dataset.elements.has(0x0019109e)).toBe(false);
    expect(dataset.elements.has(0x00190010)).toBe(false);
    expect(report.actions.find((a) => a.tag === 0x0019129e)).toMatchObject({ action: 'K', rule: 'retainSafePrivate' });
    expect(anonymize(input, { secret: SECRET }).dataset.elements.size).toBe(4); // the four markers only
  });

  it('empties or removes every date by default and says REMOVED', () => {
    const { dataset, report } = anonymize(patient('P1', '20240115', '20240116'), { secret: SECRET });
    expect(dataset.elements.get(0x00080020)!.value).toEqual([]); // Study Date: Z
    expect(dataset.elements.has(0x0008002a)).toBe(false); // Acquisition DateTime: X/Z/D, Type 3 in CT Image
    const deep = items(items(items(dataset, 0x00081032)[0]!, 0x00400260)[0]!, 0x0040a043)[0]!;
    expect(str(deep, 0x0040a121)).toBe('19000101'); // Date (0040,A121): D, the dummy
    expect(str(dataset, 0x00280303)).toBe('REMOVED');
    expect(report.longitudinalTemporalInformation).toBe('REMOVED');
  });

  it('keeps dates with retainLongitudinalFullDates and says UNMODIFIED', () => {
    const { dataset } = anonymize(patient('P1', '20240115', '20240116'), { secret: SECRET, options: ['retainLongitudinalFullDates'] });
    expect(str(dataset, 0x00080020)).toBe('20240115');
    expect(str(dataset, 0x0008002a)).toBe('20240115101500.123456+0100');
    expect(str(dataset, 0x00280303)).toBe('UNMODIFIED');
  });

  it('shifts every DA and DT at any depth by one per-patient offset in the range with retainLongitudinalModifiedDates', () => {
    const options = { secret: SECRET, options: ['retainLongitudinalModifiedDates' as const] };
    const a = anonymize(patient('P1', '20240115', '20230301'), options).dataset;
    const b = anonymize(patient('P1', '20200229', '19991231'), options).dataset;
    const shift = days('20240115', str(a, 0x00080020)!);
    expect(shift).toBeGreaterThanOrEqual(-3650);
    expect(shift).toBeLessThanOrEqual(-365);
    const deepOf = (d: Dataset): Dataset => items(items(items(d, 0x00081032)[0]!, 0x00400260)[0]!, 0x0040a043)[0]!;
    expect(days('20230301', str(deepOf(a), 0x0040a121)!)).toBe(shift);
    expect(days('20200229', str(b, 0x00080020)!)).toBe(shift);
    expect(days('19991231', str(deepOf(b), 0x0040a121)!)).toBe(shift);
    // DT: the date moves, the time, fraction and UTC offset stay as written.
    const dt = str(a, 0x0008002a)!;
    expect(days('20240115', dt.slice(0, 8))).toBe(shift);
    expect(dt.slice(8)).toBe('101500.123456+0100');
    expect(str(deepOf(a), 0x00189151)!.slice(8)).toBe('120000');
    expect(str(a, 0x00080030)).toBe('101500'); // a whole-day shift leaves the time of day
    expect(str(a, 0x00280303)).toBe('MODIFIED');
  });

  it('shifts each value of a multi-valued date and keeps the shift inside a configured range', () => {
    const input = ds(text(0x00100020, 'LO', 'P9'), text(0x00181202, 'DA', '20240101'), text(0x0040a121, 'DA', '20240101', '20240301'));
    const { dataset } = anonymize(input, { secret: SECRET, options: ['retainLongitudinalModifiedDates'], dateShiftRange: [-10, -5] });
    const [first, second] = dataset.elements.get(0x0040a121)!.value as string[];
    const shift = days('20240101', first!);
    expect(shift).toBeGreaterThanOrEqual(-10);
    expect(shift).toBeLessThanOrEqual(-5);
    expect(days('20240301', second!)).toBe(shift);
  });

  it('gives other patients other shifts (for most secrets)', () => {
    const options = { secret: SECRET, options: ['retainLongitudinalModifiedDates' as const] };
    const shifts = new Set(['P1', 'P2', 'P3', 'P4', 'P5'].map((id) => days('20240115', str(anonymize(patient(id, '20240115', '20240115'), options).dataset, 0x00080020)!)));
    expect(shifts.size).toBeGreaterThan(1);
  });

  it('sets the de-identification markers of PS3.15 E.1.1 with one CID 7050 code per option', () => {
    const options = ['retainUIDs', 'cleanDescriptors'] as const;
    const { dataset } = anonymize(phiCt('phi-ct-1.dcm'), { secret: SECRET, options });
    expect(str(dataset, 0x00120062)).toBe('YES');
    const method = dataset.elements.get(0x00120063)!.value as string[];
    expect(method[0]).toMatch(/^dicom-tools anonymize \d+\.\d+\.\d+/);
    expect(method).toEqual(expect.arrayContaining(['Basic Application Confidentiality Profile', 'Retain UIDs Option', 'Clean Descriptors Option']));
    for (const value of method) expect(value.length).toBeLessThanOrEqual(64);
    const codes = items(dataset, 0x00120064).map((item) => [str(item, 0x00080100), str(item, 0x00080102)]);
    expect(codes).toEqual([['113100', 'DCM'], ['113110', 'DCM'], ['113105', 'DCM']]);
  });

  it('names the version of package.json in De-identification Method', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    const { dataset } = anonymize(ds(), { secret: SECRET });
    expect(str(dataset, 0x00120063)).toBe(`dicom-tools anonymize ${pkg.version}`);
  });

  it('never sets Burned In Annotation to NO, and flags instances likely to show burned-in text', () => {
    const yes = anonymize(ds(text(0x00280301, 'CS', 'YES'), text(0x00080008, 'CS', 'DERIVED', 'SECONDARY', 'SCREEN SAVE')), { secret: SECRET });
    expect(str(yes.dataset, 0x00280301)).toBe('YES');
    expect(yes.report.burnedInRisk).toEqual(['burned-in-annotation-yes', 'secondary-image-type', 'screen-save']);
    const scInput = secondaryCapture().dataset;
    const sc = anonymize(scInput, { secret: SECRET });
    expect(sc.report.burnedInRisk).toContain('secondary-capture');
    expect(sc.dataset.elements.get(0x00280301)?.value).toEqual(scInput.elements.get(0x00280301)?.value); // the source's own statement, not ours
    const us = anonymize(ds(text(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.6.1')), { secret: SECRET });
    expect(us.report.burnedInRisk).toEqual(['ultrasound']);
    expect(us.dataset.elements.has(0x00280301)).toBe(false);
    expect(anonymize(phiCt('phi-ct-1.dcm'), { secret: SECRET }).report.burnedInRisk).toEqual([]);
  });

  it('reports every action without original values unless asked', () => {
    const input = phiCt('phi-ct-1.dcm');
    const quiet = JSON.stringify(anonymize(input, { secret: SECRET }).report);
    for (const phi of ['PAT0001', 'Jürgen', 'Tech^Tina', 'Testhausen', '19431007', 'ACC000101', '1.2.826.0.1.3680043']) expect(quiet).not.toContain(phi);
    const { report } = anonymize(input, { secret: SECRET, reportValues: true });
    expect(report.actions.find((a) => a.path === 'OtherPatientIDsSequence')).toMatchObject({ action: 'X', rule: 'basic' });
    expect(report.actions.find((a) => a.path === 'AccessionNumber')).toMatchObject({ action: 'Z', before: ['ACC000101'], after: [] });
    expect(report.actions.find((a) => a.path === '(0009,1004)')).toMatchObject({ action: 'X', rule: 'private', before: ['Tech^Tina'] });
  });

  it('resolves Type-dependent cells by the attribute\'s Type in the IOD, and as Type 1 where the Type is unknown', () => {
    // Institution Name (0008,0080) is X/Z/D: Type 3 in the CT Image IOD (General Equipment) -> X.
    const top = anonymize(ds(text(0x00080016, 'UI', CT), text(0x00080080, 'LO', 'Hospital')), { secret: SECRET });
    expect(top.dataset.elements.has(0x00080080)).toBe(false);
    expect(top.report.actions.find((a) => a.tag === 0x00080080)).toMatchObject({ cell: 'X/Z/D', type: '3', action: 'X' });
    // Device Serial Number (0018,1000) is X/Z/D: Type 1 in the Segmentation IOD (Enhanced General Equipment) -> D.
    const seg = anonymize(ds(text(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.66.4'), text(0x00181000, 'LO', 'SN-1')), { secret: SECRET });
    expect(str(seg.dataset, 0x00181000)).toBe('ANONYMIZED');
    // Content Date (0008,0023) is Z/D: Type 2C in CT Image -> Z.
    const content = anonymize(ds(text(0x00080016, 'UI', CT), text(0x00080023, 'DA', '20240101')), { secret: SECRET });
    expect(content.dataset.elements.get(0x00080023)!.value).toEqual([]);
    // Nested, the Type is unknown: Institution Name -> D, Referenced Image Sequence (X/Z/U*) -> kept, UIDs replaced.
    const nested = anonymize(ds(seq(0x00081032, ds(text(0x00080080, 'LO', 'Hospital'), seq(0x00081140, ds(text(0x00081155, 'UI', '1.2.3.9')))))), { secret: SECRET });
    const item = items(nested.dataset, 0x00081032)[0]!;
    expect(str(item, 0x00080080)).toBe('ANONYMIZED');
    expect(str(items(item, 0x00081140)[0]!, 0x00081155)).toBe(remapUid('1.2.3.9', SECRET));
  });

  it('cleans free text the profile keeps of values it removes elsewhere', () => {
    const input = ds(
      text(0x00100010, 'PN', 'Müller^Jürgen'),
      text(0x00080050, 'SH', 'ACC12345'),
      text(0x00081030, 'LO', 'CT for Müller, acc ACC12345'),
      seq(0x00081032, ds(text(0x00080104, 'LO', 'Jürgen Müller follow-up'))),
    );
    const { dataset } = anonymize(input, { secret: SECRET, options: ['cleanDescriptors'] });
    expect(str(dataset, 0x00081030)).toBe('CT for ******, acc ********');
    expect(str(items(dataset, 0x00081032)[0]!, 0x00080104)).toBe('****** ****** follow-up');
  });

  it('cleans each data set of its own identifiers only', () => {
    const patient = (description: string): Dataset => ds(
      text(0x00100010, 'PN', 'Müller^Jürgen'),
      text(0x00080050, 'SH', 'ACC12345'),
      text(0x00081030, 'LO', description),
    );
    const first = anonymize(patient('CT for Müller'), { secret: SECRET, options: ['cleanDescriptors'] });
    expect(str(first.dataset, 0x00081030)).toBe('CT for ******');
    const second = anonymize(patient('acc ACC12345, jürgen'), { secret: SECRET, options: ['cleanDescriptors'] });
    expect(str(second.dataset, 0x00081030)).toBe('acc ********, ******');
    const other = anonymize(ds(text(0x00100010, 'PN', 'Smith^Anna'), text(0x00081030, 'LO', 'Anna Smith for Müller')), { secret: SECRET, options: ['cleanDescriptors'] });
    expect(str(other.dataset, 0x00081030)).toBe('**** ***** for Müller');
  });

  it('cleans kept text of identifiers removed after it, deeper in the data set, and reports only the text it changed, in place', () => {
    const input = ds(
      text(0x00080016, 'UI', CT),
      text(0x00281054, 'LO', 'HU'),
      text(0x00281055, 'LO', 'Window for Jürgen Smith'),
      // Removed (X), with the name inside it: it is not walked into, but its identifiers count.
      seq(0x00400275, ds(text(0x00321032, 'PN', 'Smith^Jürgen'))),
    );
    const { dataset, report } = anonymize(input, { secret: SECRET });
    expect(str(dataset, 0x00281055)).toBe('Window for ****** *****');
    expect(str(dataset, 0x00281054)).toBe('HU');
    const actions = report.actions.map((a) => `${a.path} ${a.action} ${a.rule}`);
    expect(actions.filter((a) => a.startsWith('RescaleType'))).toEqual([]);
    // In the order of the data set: the cleaned text before the sequence removed after it.
    expect(actions).toContain('WindowCenterWidthExplanation C scrub');
    expect(actions).toContain('RequestAttributesSequence X basic');
    expect(actions.indexOf('WindowCenterWidthExplanation C scrub')).toBeLessThan(actions.indexOf('RequestAttributesSequence X basic'));
  });

  it('rebuilds the file meta: Media Storage SOP Instance UID follows the new SOP Instance UID, source AE removed', () => {
    const file = readDicom(readFileSync(join(TEST_DATA, 'phi-ct-1.dcm')));
    const withAe = { ...file, meta: { elements: new Map([...file.meta.elements, [0x00020016, text(0x00020016, 'AE', 'HOSPITAL_PACS')]]) } };
    const { file: out, report } = anonymizeFile(withAe, { secret: SECRET });
    expect(str(out.meta, 0x00020003)).toBe(str(out.dataset, 0x00080018));
    expect(str(out.meta, 0x00020003)).toBe(remapUid(str(file.dataset, 0x00080018)!, SECRET));
    expect(out.meta.elements.has(0x00020016)).toBe(false);
    expect(report.actions.find((a) => a.path === '(0002,0016)')).toMatchObject({ action: 'X', rule: 'file-meta' });
  });

  it('rejects bad options with CORE_INVALID_VALUE', () => {
    expect(errorCodeOf(() => anonymize(ds(), { secret: '' }))).toBe('CORE_INVALID_VALUE');
    expect(errorCodeOf(() => anonymize(ds(), { secret: SECRET, options: ['retainLongitudinalFullDates', 'retainLongitudinalModifiedDates'] }))).toBe('CORE_INVALID_VALUE');
    expect(errorCodeOf(() => anonymize(ds(), { secret: SECRET, options: ['retainEverything' as never] }))).toBe('CORE_INVALID_VALUE');
    expect(errorCodeOf(() => anonymize(ds(), { secret: SECRET, dateShiftRange: [5, 1] }))).toBe('CORE_INVALID_VALUE');
    expect(errorCodeOf(() => anonymize(ds(), { secret: SECRET, patientPrefix: 'A^B' }))).toBe('CORE_INVALID_VALUE');
  });

  it('parses option names in camelCase, kebab-case and as CID 7050 codes', () => {
    expect(parseProfileOption('retainSafePrivate')).toBe('retainSafePrivate');
    expect(parseProfileOption('retain-longitudinal-modified-dates')).toBe('retainLongitudinalModifiedDates');
    expect(parseProfileOption('113103')).toBe('cleanGraphics');
    expect(errorCodeOf(() => parseProfileOption('nonsense'))).toBe('CORE_INVALID_VALUE');
    expect(Object.values(PROFILE_OPTIONS).map((o) => o.code).sort()).toEqual(['113103', '113104', '113105', '113106', '113107', '113108', '113109', '113110', '113111', '113112']);
  });
});
