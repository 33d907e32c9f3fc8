import { iodOfSopClass, TransferSyntax, transferSyntaxInfo, uidName } from './index.js';

describe('uidName and iodOfSopClass', () => {
  it('names registered UIDs as PS3.6 Annex A does', () => {
    expect(uidName('1.2.840.10008.5.1.4.1.1.2')).toBe('CT Image Storage');
    expect(uidName('1.2.840.10008.1.2.1')).toBe('Explicit VR Little Endian');
    expect(iodOfSopClass('1.2.840.10008.5.1.4.1.1.4')).toBe('MR Image');
  });

  it('answers undefined for UIDs the registry does not hold, including names of Object.prototype', () => {
    for (const uid of ['1.2.826.0.1.3680043.8.498.1', '', 'toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect({ uid, name: uidName(uid), iod: iodOfSopClass(uid) }).toEqual({ uid, name: undefined, iod: undefined });
    }
  });
});

describe('transferSyntaxInfo', () => {
  it('describes the native syntaxes as PS3.5 10 and Annex A define them', () => {
    expect(transferSyntaxInfo(TransferSyntax.ImplicitVRLittleEndian)).toMatchObject({ explicitVR: false, littleEndian: true, deflated: false, encapsulated: false, known: true });
    expect(transferSyntaxInfo(TransferSyntax.ExplicitVRBigEndian)).toMatchObject({ explicitVR: true, littleEndian: false, deflated: false, encapsulated: false, known: true });
    expect(transferSyntaxInfo(TransferSyntax.DeflatedExplicitVRLittleEndian)).toMatchObject({ explicitVR: true, littleEndian: true, deflated: true, encapsulated: false, known: true });
    expect(transferSyntaxInfo(TransferSyntax.ImplicitVRLittleEndian).name).toBe('Implicit VR Little Endian');
  });

  it('takes an unknown UID as encapsulated explicit VR little endian, named by itself', () => {
    expect(transferSyntaxInfo('1.2.3.4')).toEqual({ uid: '1.2.3.4', name: '1.2.3.4', explicitVR: true, littleEndian: true, deflated: false, encapsulated: true, known: false, retired: false });
    expect(transferSyntaxInfo('toString')).toMatchObject({ known: false, name: 'toString' });
  });

  it('gives every caller the same description of a registered syntax, which cannot be changed', () => {
    const info = transferSyntaxInfo('1.2.840.10008.1.2.4.50');
    expect(transferSyntaxInfo('1.2.840.10008.1.2.4.50')).toBe(info);
    expect(Object.isFrozen(info)).toBe(true);
    expect(info).toMatchObject({ name: 'JPEG Baseline (Process 1)', encapsulated: true, known: true });
  });
});
