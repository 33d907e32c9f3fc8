// Elements whose VR the file does not say (UN: an explicit VR file written by a system that did not know the
// attribute; any private element of implicit VR data), free text quoting original dates and UIDs, and private
// elements kept by retainSafePrivate only as the safe-private list describes them. Each case puts marker values
// where a reader that took UN bytes as opaque would let them through, and searches the output bytes for them.
import { readDicom, TransferSyntax, writeDicom, type DataElement, type Dataset, type DicomFile } from '@dicom-tools/core';
import { anonymizeBytes } from './anonymize-bytes.js';
import type { ProfileOptionName } from './_generated/profile-table.js';
import { allElements, ds, seq, str, text } from './_build.test-util.js';

const SECRET = 'unknown-vr-test';

function file(dataset: Dataset, syntax: string = TransferSyntax.ExplicitVRLittleEndian): DicomFile {
  return { meta: { elements: new Map() }, dataset, transferSyntaxUID: syntax, hadPreamble: true };
}

/** The bytes `element`'s value has in `syntax` (for a sequence: its items, Implicit VR Little Endian), as UN holds them. */
function unBytes(element: DataElement, syntax: string = TransferSyntax.ExplicitVRLittleEndian): Uint8Array {
  const written = writeDicom(file(ds(element), element.vr === 'SQ' ? TransferSyntax.ImplicitVRLittleEndian : syntax));
  // One element after the file meta group: skip the group (its length is the first element's value) and the header.
  const groupLength = written[140]! | (written[141]! << 8) | (written[142]! << 16) | (written[143]! << 24);
  const start = 144 + groupLength;
  if (element.vr === 'SQ') return written.slice(start + 8);
  const vr = String.fromCharCode(written[start + 4]!, written[start + 5]!);
  const long = ['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV'].includes(vr);
  return written.slice(start + (long ? 12 : 8));
}

/** `element` as an element of VR UN holding its bytes. */
function asUn(element: DataElement, syntax?: string): DataElement {
  return { tag: element.tag, vr: 'UN', value: unBytes(element, syntax) };
}

function anonymizeFileBytes(dicom: DicomFile, options: readonly ProfileOptionName[] = []): { out: Uint8Array; read: DicomFile } {
  const { chunks } = anonymizeBytes(writeDicom(dicom), { secret: SECRET, options });
  const out = Buffer.concat(chunks.map((c) => Buffer.from(c)));
  return { out, read: readDicom(out) };
}

/** Which of `markers` occur in `bytes`, case-insensitively, as latin-1. */
function found(bytes: Uint8Array, markers: readonly string[]): string[] {
  const haystack = Buffer.from(bytes).toString('latin1').toLowerCase();
  return markers.filter((m) => haystack.includes(m.toLowerCase()));
}

const NAME = 'Leakname^Test';
const ID = 'LEAKPID0001';
const PATIENT = [text(0x00100010, 'PN', NAME), text(0x00100020, 'LO', ID), text(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7')];

describe('elements read as UN', () => {
  it.each([TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ExplicitVRBigEndian])('standard attributes written as UN are treated as the VR the dictionary gives them (%s)', (syntax) => {
    const derivation = seq(0x00089215, ds(text(0x00100010, 'PN', 'Leakname^InUN'), text(0x00100020, 'LO', ID), text(0x00081155, 'UI', '1.2.3.999.1234.60')));
    const dataset = ds(
      ...PATIENT,
      text(0x00080018, 'UI', '1.2.3.999.1234.1'),
      asUn(text(0x0008041f, 'DT', '20190314101500'), syntax), // an unlisted DT
      asUn(text(0x00081167, 'UI', '1.2.3.999.1234.2'), syntax), // an unlisted instance UID
      asUn(text(0x00400400, 'LT', 'Seen Leakname Test'), syntax), // unlisted free text
      asUn(derivation),
      { tag: 0x0040a730, vr: 'SQ', value: [ds(asUn(text(0x0040a160, 'UT', `Patient ${NAME}, MRN ${ID}, DOB 19771231`)))] },
    );
    const { out, read } = anonymizeFileBytes(file(dataset, syntax));
    expect(found(out, ['Leakname', ID, '19771231', '20190314', '1.2.3.999.1234'])).toEqual([]);
    // Read as what they are: the sequence walked (and written as SQ), the UID replaced.
    expect(read.dataset.elements.get(0x00089215)?.vr).toBe('SQ');
    expect(str(read.dataset, 0x00081167)).toMatch(/^2\.25\.\d+$/);
  });

  it("uses a Patient's Name written as UN to clean free text, and its Patient ID for the pseudonym", () => {
    const dataset = ds(asUn(text(0x00100010, 'PN', NAME)), asUn(text(0x00100020, 'LO', ID)), text(0x00081090, 'LO', 'Leakname model'), text(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'));
    const { out, read } = anonymizeFileBytes(file(dataset));
    expect(found(out, ['Leakname', ID])).toEqual([]);
    const other = anonymizeFileBytes(file(ds(text(0x00100010, 'PN', NAME), text(0x00100020, 'LO', ID), text(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7')))).read;
    // The same patient gets the same pseudonym whether the file wrote the ID as LO or as UN.
    expect(str(read.dataset, 0x00100020)).toBe(str(other.dataset, 0x00100020));
  });

  it('shifts dates written as UN with retainLongitudinalModifiedDates, and cleans a descriptor written as UN with cleanDescriptors', () => {
    const dataset = ds(...PATIENT, asUn(text(0x00080020, 'DA', '20190314')), asUn(text(0x0008002a, 'DT', '20190314101500+0100')), asUn(text(0x00181030, 'LO', 'Protocol Leakname')));
    const { out, read } = anonymizeFileBytes(file(dataset), ['retainLongitudinalModifiedDates', 'cleanDescriptors']);
    expect(found(out, ['20190314', 'Leakname'])).toEqual([]);
    expect(str(read.dataset, 0x00080020)).toMatch(/^\d{8}$/);
    expect(str(read.dataset, 0x00280303)).toBe('MODIFIED');
  });

  it('gives the scrubber the text of removed private elements of implicit VR data (read as UN)', () => {
    const dataset = ds(...PATIENT, text(0x00090010, 'LO', 'ACME'), text(0x00091001, 'LO', 'Techname^Tina'), text(0x00081090, 'LO', 'scanned by Techname'));
    const implicit = file(dataset, TransferSyntax.ImplicitVRLittleEndian);
    expect(readDicom(writeDicom(implicit)).dataset.elements.get(0x00091001)?.vr).toBe('UN');
    const { out, read } = anonymizeFileBytes(implicit);
    expect(found(out, ['Techname'])).toEqual([]);
    expect(str(read.dataset, 0x00081090)).toBe('scanned by ********');
  });
});

describe('free text that quotes identifiers in other forms', () => {
  it('is cleaned of the original dates when dates are shifted (retainLongitudinalModifiedDates)', () => {
    const dataset = ds(...PATIENT, text(0x00080020, 'DA', '20190314'), text(0x0008103e, 'LO', 'CT 14.03.2019'), text(0x00204000, 'LT', 'Comment 2019-03-14'));
    const { out, read } = anonymizeFileBytes(file(dataset), ['retainLongitudinalModifiedDates', 'cleanDescriptors']);
    expect(found(out, ['20190314', '14.03.2019', '2019-03-14'])).toEqual([]);
    expect(str(read.dataset, 0x0008103e)).toBe('CT **********');
    expect(str(read.dataset, 0x00080020)).not.toBe('20190314');
  });

  it('is cleaned of instance UIDs that were replaced, and keeps UIDs that were not (a SOP class)', () => {
    const dataset = ds(...PATIENT, text(0x00080018, 'UI', '1.2.3.999.1234.1'), text(0x0020000d, 'UI', '1.2.3.999.1234.3'),
      text(0x00400400, 'LT', 'see 1.2.3.999.1234.1 and study 1.2.3.999.1234.3 (class 1.2.840.10008.5.1.4.1.1.7)'));
    const { out, read } = anonymizeFileBytes(file(dataset));
    expect(found(out, ['1.2.3.999.1234'])).toEqual([]);
    expect(str(read.dataset, 0x00400400)).toBe('see **************** and study **************** (class 1.2.840.10008.5.1.4.1.1.7)');
  });
});

describe('retainSafePrivate keeps a safe private element only as the list describes it', () => {
  const PHILIPS = 'Philips Imaging DD 001';
  it('walks into a safe private sequence of implicit VR data (read as UN) and applies the profile to its items', () => {
    const inner = ds(text(0x00100010, 'PN', 'Leakname^InSafeSQ'), text(0x00100020, 'LO', ID), text(0x00080020, 'DA', '19771231'), text(0x00080018, 'UI', '1.2.3.999.1234.1'));
    // (2001,105F) under Philips Imaging DD 001: on the safe-private list as SQ.
    const dataset = ds(...PATIENT, text(0x20010010, 'LO', PHILIPS), { tag: 0x2001105f, vr: 'UN', value: unBytes(seq(0x00089215, inner)) });
    const implicit = file(dataset, TransferSyntax.ImplicitVRLittleEndian);
    const { out, read } = anonymizeFileBytes(implicit, ['retainSafePrivate']);
    expect(found(out, ['Leakname', ID, '19771231', '1.2.3.999.1234'])).toEqual([]);
    const kept = read.dataset.elements.get(0x2001105f);
    expect(kept?.vr).toBe('SQ');
    expect(str(read.dataset, 0x20010010)).toBe(PHILIPS);
  });

  it('removes a listed element that holds another VR, or a value without its VR\'s form; keeps one that is as listed', () => {
    // (0019,1024) under GEMS_ACQU_01: listed as DS.
    const wrongVr = ds(...PATIENT, text(0x00190010, 'LO', 'GEMS_ACQU_01'), text(0x00191024, 'PN', 'Leakname^SafeWrongVR'));
    expect(anonymizeFileBytes(file(wrongVr), ['retainSafePrivate']).read.dataset.elements.has(0x00191024)).toBe(false);
    const notDs = file(ds(...PATIENT, text(0x00190010, 'LO', 'GEMS_ACQU_01'), text(0x00191024, 'LO', 'Leakname^X')), TransferSyntax.ImplicitVRLittleEndian);
    const removed = anonymizeFileBytes(notDs, ['retainSafePrivate']);
    expect(removed.read.dataset.elements.has(0x00191024)).toBe(false);
    expect(found(removed.out, ['Leakname'])).toEqual([]);
    const good = file(ds(...PATIENT, text(0x00190010, 'LO', 'GEMS_ACQU_01'), text(0x00191024, 'DS', '1.5')), TransferSyntax.ImplicitVRLittleEndian);
    const keptFile = anonymizeFileBytes(good, ['retainSafePrivate']).read;
    // Kept (written in implicit VR again, so read back as UN): its bytes are the DS value.
    const kept = keptFile.dataset.elements.get(0x00191024);
    expect(kept !== undefined && kept.value instanceof Uint8Array && Buffer.from(kept.value).toString('latin1')).toBe('1.5 ');
    // Nothing private is left in the output that removed it (its creator went with its only block).
    expect([...allElements(removed.read.dataset)].filter(({ element }) => ((element.tag >>> 16) & 1) === 1)).toEqual([]);
  });
});

describe('text that cannot be encoded in the file\'s character set once changed', () => {
  it('is written in UTF-8 (ISO_IR 192) with a warning: an ISO 2022 IR 87 (JIS) file whose Japanese text is cleaned', () => {
    const jis = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);
    const charsets = '\\ISO 2022 IR 87';
    // 山田^太郎 and "Mr 山田太郎様" in ISO 2022 IR 87 (as Python's iso2022_jp codec writes them).
    const name = jis(27, 36, 66, 59, 51, 69, 68, 27, 40, 66, 94, 27, 36, 66, 66, 64, 79, 58, 27, 40, 66, 0x20);
    const model = jis(77, 114, 32, 27, 36, 66, 59, 51, 69, 68, 66, 64, 79, 58, 77, 77, 27, 40, 66, 0x20);
    const dataset = ds(
      { tag: 0x00080005, vr: 'CS', value: ['', 'ISO 2022 IR 87'] },
      text(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
      { tag: 0x00081090, vr: 'LO', value: ['Mr 山田太郎様'], raw: model, rawCharset: charsets },
      { tag: 0x00100010, vr: 'PN', value: ['山田^太郎'], raw: name, rawCharset: charsets },
      text(0x00100020, 'LO', ID),
    );
    const input = writeDicom(file(dataset));
    expect(readDicom(input).dataset.elements.get(0x00081090)?.value).toEqual(['Mr 山田太郎様']);
    const result = anonymizeBytes(input, { secret: SECRET });
    const out = readDicom(Buffer.concat(result.chunks.map((c) => Buffer.from(c))));
    expect(out.dataset.elements.get(0x00080005)?.value).toEqual(['ISO_IR 192']);
    expect(str(out.dataset, 0x00081090)).toBe('Mr ****様');
    expect(result.report.warnings).toContain('text the profile changed cannot be encoded in Specific Character Set "\\ISO 2022 IR 87": the file is written in UTF-8 (Specific Character Set ISO_IR 192)');
  });
});
