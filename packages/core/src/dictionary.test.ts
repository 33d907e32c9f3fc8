import { DICTIONARY_ROWS } from './_generated/dictionary.js';
import { isPrivateCreatorTag, isPrivateTag, keywordOf, lookupTag } from './index.js';

// Expected rows are from PS3.6 Table 6-1 (tag, name, keyword, VR, VM, retired), and private-tag rules from
// PS3.5 section 7.8.1.

describe('lookupTag', () => {
  it('answers the PS3.6 row for a fixed tag', () => {
    expect(lookupTag(0x00100010)).toEqual({
      tag: 0x00100010, keyword: 'PatientName', name: "Patient's Name", vr: 'PN', vrs: ['PN'], vm: '1', retired: false, private: false,
    });
  });

  it('gives multi-valued VMs as written in PS3.6', () => {
    expect(lookupTag(0x00080008)?.vm).toBe('2-n'); // Image Type
    expect(lookupTag(0x00200032)?.vm).toBe('3'); // Image Position (Patient)
    expect(lookupTag(0x00200037)?.vm).toBe('6'); // Image Orientation (Patient)
  });

  it('lists every allowed VR of an ambiguous element, the first as the default', () => {
    expect(lookupTag(0x00280106)).toMatchObject({ keyword: 'SmallestImagePixelValue', vr: 'US', vrs: ['US', 'SS'] });
    expect(lookupTag(0x7fe00010)).toMatchObject({ keyword: 'PixelData', vrs: ['OB', 'OW'] });
  });

  it('marks retired elements', () => {
    expect(lookupTag(0x00080010)).toMatchObject({ keyword: 'RecognitionCode', retired: true });
    expect(lookupTag(0x00080020)).toMatchObject({ keyword: 'StudyDate', retired: false });
  });

  it('matches repeating-group elements such as (60xx,3000) Overlay Data in every even group of the range', () => {
    expect(lookupTag(0x60003000)).toMatchObject({ keyword: 'OverlayData', vrs: ['OB', 'OW'] });
    expect(lookupTag(0x601e3000)).toMatchObject({ keyword: 'OverlayData' });
    expect(lookupTag(0x60020010)).toMatchObject({ keyword: 'OverlayRows', vr: 'US' });
    expect(lookupTag(0x50100005)).toMatchObject({ keyword: 'CurveDimensions', retired: true });
  });

  it('matches repeating groups only in xx00-xx1E (PS3.5 7.6), not in other even groups', () => {
    expect(lookupTag(0x60203000)).toBeUndefined();
    expect(lookupTag(0x7fe00011)).toBeUndefined(); // (7Fxx,0011) Variable Next Data Group, but 7FE0 is not xx00-xx1E
    expect(lookupTag(0x7f1e0011)).toMatchObject({ keyword: 'VariableNextDataGroup' });
  });

  it('gives item and delimitation tags no VR', () => {
    expect(lookupTag(0xfffee000)).toMatchObject({ keyword: 'Item', vr: 'NONE', vrs: [] });
    expect(lookupTag(0xfffee0dd)).toMatchObject({ keyword: 'SequenceDelimitationItem', vr: 'NONE' });
  });

  it('gives group length elements VR UL', () => {
    expect(lookupTag(0x00020000)).toMatchObject({ keyword: 'FileMetaInformationGroupLength', vr: 'UL' });
    expect(lookupTag(0x00080000)).toMatchObject({ vr: 'UL', vm: '1', name: 'Group Length' });
    expect(lookupTag(0x00090000)).toMatchObject({ vr: 'UL', private: true });
  });

  it('knows private creators (gggg,0010-00FF) as LO and no other private element', () => {
    expect(lookupTag(0x00090010)).toMatchObject({ vr: 'LO', vm: '1', private: true, keyword: '' });
    expect(lookupTag(0x000900ff)).toMatchObject({ vr: 'LO', private: true });
    expect(lookupTag(0x00091001)).toBeUndefined();
    expect(lookupTag(0x60013000)).toBeUndefined(); // odd group: private, not overlay data
  });

  it('finds every row of the generated dictionary text (in ascending tag order, even groups only) as the same object each time', () => {
    const rows = DICTIONARY_ROWS.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
    expect(rows.length).toBeGreaterThan(5000);
    let previous = -1;
    for (const [hex, keyword, vr, vm, name, retired] of rows) {
      const tag = parseInt(hex!, 16);
      expect(tag).toBeGreaterThan(previous);
      expect((tag >>> 16) % 2).toBe(0);
      previous = tag;
      const info = lookupTag(tag);
      expect(info).toEqual({ tag, keyword, name, vr: vr === 'NONE' ? 'NONE' : vr!.split('|')[0], vrs: vr === 'NONE' ? [] : vr!.split('|'), vm, retired: retired === '1', private: false });
      expect(lookupTag(tag)).toBe(info);
    }
  });

  it('answers undefined for an unknown standard tag', () => {
    expect(lookupTag(0x00100001)).toBeUndefined();
  });
});

describe('keywordOf', () => {
  it('gives the keyword, or undefined for private and unknown tags', () => {
    expect(keywordOf(0x0020000e)).toBe('SeriesInstanceUID');
    expect(keywordOf(0x00090010)).toBeUndefined();
    expect(keywordOf(0x00100001)).toBeUndefined();
  });
});

describe('isPrivateTag and isPrivateCreatorTag', () => {
  it('treats odd groups as private except 0001, 0003, 0005, 0007 and FFFF', () => {
    expect(isPrivateTag(0x00091001)).toBe(true);
    expect(isPrivateTag(0x7fe10010)).toBe(true);
    for (const group of [0x0001, 0x0003, 0x0005, 0x0007, 0xffff]) expect(isPrivateTag(((group << 16) | 0x0010) >>> 0)).toBe(false);
    expect(isPrivateTag(0x00100010)).toBe(false);
  });

  it('knows creators as elements 0010-00FF of a private group', () => {
    expect(isPrivateCreatorTag(0x00090010)).toBe(true);
    expect(isPrivateCreatorTag(0x000900ff)).toBe(true);
    expect(isPrivateCreatorTag(0x0009000f)).toBe(false);
    expect(isPrivateCreatorTag(0x00090100)).toBe(false);
    expect(isPrivateCreatorTag(0x00091010)).toBe(false);
    expect(isPrivateCreatorTag(0x00080010)).toBe(false);
  });
});
