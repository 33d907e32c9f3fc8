import type { Dataset, DicomFile } from '@dicom-tools/core';
import { ctSeries, segmentation } from '@dicom-tools/test-fixtures';
import { allElements, ds, fileOf, seq, str, text } from './_build.test-util.js';
import { anonymizeFile } from './index.js';

// A SEG and an RTSTRUCT that reference a CT series must still resolve once all of them are anonymized with one
// secret: every UID they reference is the new UID of an instance, series, study or frame of reference of the CT.

const CT = '1.2.840.10008.5.1.4.1.1.2';
const SOP_INSTANCE = 0x00080018;
const SERIES = 0x0020000e;
const STUDY = 0x0020000d;
const FRAME = 0x00200052;

function values(dataset: Dataset, tag: number): string[] {
  const out: string[] = [];
  for (const { element } of allElements(dataset)) if (element.tag === tag) out.push(...(element.value as string[]));
  return out;
}

/** A minimal RT Structure Set over `slices`: Referenced Frame of Reference > RT Referenced Study > Series > Contour Image, and one ROI contour per slice. */
function rtstruct(slices: readonly DicomFile[]): DicomFile {
  const head = slices[0]!.dataset;
  const image = (slice: DicomFile): Dataset => ds(text(0x00081150, 'UI', CT), text(0x00081155, 'UI', str(slice.dataset, SOP_INSTANCE)!));
  return fileOf(ds(
    text(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.481.3'),
    text(0x00080018, 'UI', '1.2.826.0.1.3680043.8.498.777.1'),
    text(0x0020000d, 'UI', str(head, STUDY)!),
    text(0x0020000e, 'UI', '1.2.826.0.1.3680043.8.498.777.2'),
    text(0x00100010, 'PN', 'Fixture^Test'),
    text(0x00100020, 'LO', 'FIXTURE-0001'),
    seq(0x30060010, ds(
      text(0x00200052, 'UI', str(head, FRAME)!),
      seq(0x30060012, ds(
        text(0x00081150, 'UI', '1.2.840.10008.3.1.2.3.1'),
        text(0x00081155, 'UI', str(head, STUDY)!),
        seq(0x30060014, ds(text(0x0020000e, 'UI', str(head, SERIES)!), seq(0x30060016, ...slices.map(image)))),
      )),
    )),
    seq(0x30060020, ds(text(0x30060022, 'IS', '1'), text(0x30060024, 'UI', str(head, FRAME)!), text(0x30060026, 'LO', 'Body'))),
    seq(0x30060039, ds(text(0x30060084, 'IS', '1'), seq(0x30060040, ...slices.map((slice) => ds(seq(0x30060016, image(slice))))))),
  ));
}

describe('referential integrity', () => {
  const secret = 'integrity secret';
  const slices = ctSeries();
  const uidMap = new Map<string, string>();
  const ct = slices.map((slice) => anonymizeFile(slice, { secret, uidMap }).file.dataset);
  const seg = anonymizeFile(segmentation(), { secret, uidMap }).file.dataset;
  const rt = anonymizeFile(rtstruct(slices), { secret, uidMap }).file.dataset;
  const ctInstances = new Set(ct.map((d) => str(d, SOP_INSTANCE)!));

  it('gives the CT new UIDs', () => {
    for (const [i, d] of ct.entries()) expect(str(d, SOP_INSTANCE)).not.toBe(str(slices[i]!.dataset, SOP_INSTANCE));
    expect(ctInstances.size).toBe(slices.length);
  });

  it('resolves every instance the SEG references (Derivation Image > Source Image, Common Instance Reference) to a CT slice', () => {
    const referenced = values(seg, 0x00081155);
    expect(referenced.length).toBe(2 * slices.length);
    for (const uid of referenced) expect(ctInstances.has(uid)).toBe(true);
    expect(values(seg, SERIES)).toContain(str(ct[0]!, SERIES));
    expect(str(seg, FRAME)).toBe(str(ct[0]!, FRAME));
    expect(str(seg, STUDY)).toBe(str(ct[0]!, STUDY));
  });

  it('resolves every image, series, study and frame of reference the RTSTRUCT references', () => {
    const referenced = values(rt, 0x00081155).filter((uid) => uid !== str(ct[0]!, STUDY));
    expect(referenced.length).toBe(2 * slices.length);
    for (const uid of referenced) expect(ctInstances.has(uid)).toBe(true);
    expect(values(rt, 0x00081155)).toContain(str(ct[0]!, STUDY)); // RT Referenced Study's Referenced SOP Instance UID
    expect(values(rt, SERIES)).toContain(str(ct[0]!, SERIES));
    expect(values(rt, FRAME)).toEqual([str(ct[0]!, FRAME)]);
    expect(values(rt, 0x30060024)).toEqual([str(ct[0]!, FRAME)]);
  });

  it('records each original -> new pair once in the shared map, consistent with every file', () => {
    for (const [i, slice] of slices.entries()) expect(uidMap.get(str(slice.dataset, SOP_INSTANCE)!)).toBe(str(ct[i]!, SOP_INSTANCE));
    expect(new Set(uidMap.values()).size).toBe(uidMap.size);
  });
});
