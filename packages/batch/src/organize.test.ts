import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { createDataset, lookupTag, parseTag, type DataElement } from '@dicom-tools/core';
import { parsePathTemplate, placeFile, renderPathTemplate, sanitizePathPart, ORGANIZE_PRESETS } from './index.js';

const ADVERSARIAL = ['../../etc', '..', '.', '/etc/passwd', 'a\\b', 'CON', 'con.txt', 'LPT1', 'Nul', 'x'.repeat(300), '', '   ', 'A\u0000B\u001fC', 'a:b*c?"<>|', ' .hidden. ', 'É'.repeat(100)];

describe('sanitizePathPart', () => {
  it.each(ADVERSARIAL)('makes %j a single safe name', (value) => {
    const s = sanitizePathPart(value);
    expect(s).not.toMatch(/[/\\\u0000-\u001f:*?"<>|]/);
    expect(s).not.toMatch(/^[.\s]|[.\s]$/);
    expect(s).not.toMatch(/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i);
    expect(new TextEncoder().encode(s).length).toBeLessThanOrEqual(64);
    expect(s.length).toBeGreaterThan(0);
  });

  it('keeps an ordinary value as it is and gives UNKNOWN for an empty one', () => {
    expect(sanitizePathPart('PAT0011')).toBe('PAT0011');
    expect(sanitizePathPart('1.2.840.113619.2.5')).toBe('1.2.840.113619.2.5');
    expect(sanitizePathPart('')).toBe('UNKNOWN');
    expect(sanitizePathPart('CON')).toBe('_CON');
  });

  it('cuts a long multi-byte value on a character boundary', () => {
    const s = sanitizePathPart('É'.repeat(100), { maxBytes: 65 });
    expect(s).toBe('É'.repeat(32)); // 2 bytes each: 32 fit in 65
  });
});

describe('path templates', () => {
  const dataset = (values: Record<string, string>): ReturnType<typeof createDataset> => {
    // Elements built directly, so that values the writer would refuse (a UID of "../../etc") can be tried.
    return createDataset(Object.entries(values).map(([k, v]) => {
      const tag = parseTag(k);
      return { tag, vr: lookupTag(tag)!.vr, value: [v] } as DataElement;
    }));
  };

  it('substitutes values and zero-pads numbers', () => {
    const t = parsePathTemplate('{PatientID}/{StudyDate}_{StudyDescription}/{SeriesNumber:03}_{Modality}/{InstanceNumber:04}.dcm');
    const ds = dataset({ PatientID: 'P1', StudyDate: '20240102', StudyDescription: 'CT HEAD', SeriesNumber: '7', Modality: 'CT', InstanceNumber: '12' });
    expect(renderPathTemplate(t, ds)).toEqual(['P1', '20240102_CT HEAD', '007_CT', '0012.dcm']);
  });

  it.each(ADVERSARIAL)('keeps the path inside OUT for the tag value %j', (value) => {
    const out = '/srv/out';
    for (const template of [...Object.values(ORGANIZE_PRESETS), '{PatientName}/{StudyDescription}.dcm']) {
      const ds = dataset({ PatientID: value, PatientName: value, StudyInstanceUID: value, SeriesInstanceUID: value, SOPInstanceUID: value, Modality: 'CT', StudyDescription: value });
      const parts = renderPathTemplate(parsePathTemplate(template), ds);
      expect(parts).toHaveLength(template.split('/').length);
      const full = resolve(out, ...parts);
      expect(relative(out, full).split(sep)).toHaveLength(parts.length);
      expect(full.startsWith(`${out}${sep}`)).toBe(true);
      expect(parts.at(-1)).toMatch(/\.dcm$/);
    }
  });

  it('rejects an unknown keyword, an unclosed brace and a ".." folder', () => {
    expect(() => parsePathTemplate('{NoSuchKeyword}/x.dcm')).toThrow(/unknown keyword/);
    expect(() => parsePathTemplate('{PatientID/x.dcm')).toThrow(/without/);
    expect(() => parsePathTemplate('../{PatientID}.dcm')).toThrow(/folder/);
  });
});

describe('placeFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'place-file-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('copies, skips an identical file, and suffixes a different one without overwriting it', async () => {
    await writeFile(join(dir, 'a'), 'one');
    await writeFile(join(dir, 'b'), 'two');
    const target = join(dir, 'out', 'x.dcm');
    expect(await placeFile(join(dir, 'a'), target)).toEqual({ action: 'copied', path: target, renamed: false });
    expect(await placeFile(join(dir, 'a'), target)).toEqual({ action: 'identical', path: target, renamed: false });
    expect(await placeFile(join(dir, 'b'), target)).toEqual({ action: 'copied', path: join(dir, 'out', 'x-2.dcm'), renamed: true });
    expect(await readFile(target, 'utf8')).toBe('one');
    expect(await readFile(join(dir, 'out', 'x-2.dcm'), 'utf8')).toBe('two');
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['x-2.dcm', 'x.dcm']); // no temporary file left
  });

  it('moves by copy and delete, and a move onto identical bytes removes only the source', async () => {
    await writeFile(join(dir, 'a'), 'same');
    await writeFile(join(dir, 'a2'), 'same');
    const target = join(dir, 'out', 'x.dcm');
    expect((await placeFile(join(dir, 'a'), target, { mode: 'move' })).action).toBe('moved');
    await expect(stat(join(dir, 'a'))).rejects.toThrow();
    expect((await placeFile(join(dir, 'a2'), target, { mode: 'move' })).action).toBe('identical');
    await expect(stat(join(dir, 'a2'))).rejects.toThrow();
    expect(await readFile(target, 'utf8')).toBe('same');
  });

  it('never overwrites when many different files race for one name', async () => {
    const sources = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      const p = join(dir, `s${i}`);
      await writeFile(p, `content ${i}`);
      return p;
    }));
    const target = join(dir, 'out', 'x.dcm');
    const placed = await Promise.all(sources.map((s) => placeFile(s, target)));
    expect(new Set(placed.map((p) => p.path)).size).toBe(8);
    const contents = await Promise.all(placed.map((p) => readFile(p.path, 'utf8')));
    expect(contents.sort()).toEqual(sources.map((_, i) => `content ${i}`).sort());
  });
});
