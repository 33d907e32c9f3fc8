import { corpusFile, enhancedMultiframe } from '@dicom-tools/test-fixtures';
import { encapsulatedFrames, getFrame, getString, readDicom, readDicomFile, splitFrames, validate, writeDicom, type EncapsulatedElement } from './index.js';

describe('splitFrames', () => {
  it('makes one valid single-frame instance per frame with that frame\'s pixels and a new SOP Instance UID', () => {
    const file = enhancedMultiframe();
    const before = validate(file).findings.filter((f) => f.severity === 'error').map((f) => f.rule);
    const parts = splitFrames(file);
    const count = Number(getString(file.dataset, 0x00280008));
    expect(parts).toHaveLength(count);
    const uids = new Set(parts.map((p) => getString(p.dataset, 0x00080018)));
    expect(uids.size).toBe(count);
    expect(uids.has(getString(file.dataset, 0x00080018))).toBe(false);
    parts.forEach((part, i) => {
      const reread = readDicom(writeDicom(part));
      expect(getString(reread.dataset, 0x00280008)).toBe('1');
      expect(Array.from(getFrame(reread.dataset, 0).data)).toEqual(Array.from(getFrame(file.dataset, i).data));
      const perFrame = reread.dataset.elements.get(0x52009230);
      expect(perFrame?.vr === 'SQ' ? perFrame.value.length : 0).toBe(1);
      const errors = validate(reread).findings.filter((f) => f.severity === 'error').map((f) => f.rule);
      expect(errors).toEqual(before);
    });
  });

  it('keeps compressed frames compressed, in the file\'s transfer syntax, one frame each', async () => {
    const file = await readDicomFile(corpusFile('SC_rgb_rle_2frame.dcm'));
    const original = encapsulatedFrames(file.dataset.elements.get(0x7fe00010) as EncapsulatedElement, 2);
    const parts = splitFrames(file, { frames: [1] });
    expect(parts).toHaveLength(1);
    const reread = readDicom(writeDicom(parts[0]!));
    expect(reread.transferSyntaxUID).toBe(file.transferSyntaxUID);
    const frames = encapsulatedFrames(reread.dataset.elements.get(0x7fe00010) as EncapsulatedElement, 1);
    expect(Buffer.from(frames[0]!).subarray(0, original[1]!.length).equals(Buffer.from(original[1]!))).toBe(true);
    expect(() => splitFrames(file, { frames: [2] })).toThrow(expect.objectContaining({ code: 'CORE_INVALID_VALUE' }));
  });
});
