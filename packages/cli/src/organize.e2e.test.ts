// End-to-end tests of `dicom-tools organize` on the built binary. Expected layouts come from make_corpus.py's
// manifest (written by pydicom) and from files written by pydicom with adversarial values, never from our output.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { peerScript } from '@dicom-tools/test-fixtures';
import { runCli, type CliRun } from './_run-cli.test-util.js';

const PYTHON = '/usr/bin/python3';

const cli = (args: readonly string[]): CliRun => runCli(args);

function python(args: readonly string[], input?: string): void {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: apt-get install -y python3-pydicom python3-numpy`);
  const result = spawnSync(PYTHON, args, { encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
  if (result.status !== 0) throw new Error(`python failed: ${result.stderr}`);
}

function tree(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

interface ManifestRow {
  readonly file: string;
  readonly PatientID: string;
  readonly StudyInstanceUID: string;
  readonly SeriesInstanceUID: string;
  readonly SOPInstanceUID: string;
  readonly Modality: string;
  readonly SeriesNumber: string;
  readonly InstanceNumber: string;
}

let dir: string;
let multi: string;
let manifest: ManifestRow[];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'organize-e2e-'));
  python([peerScript('make_corpus.py'), '--out', join(dir, 'corpus'), '--ct-slices', '0', '--mr-slices', '0', '--patients', '3', '--studies', '2', '--series', '2', '--files', '2', '--small-size', '16']);
  multi = join(dir, 'corpus', 'multi');
  const [header, ...lines] = readFileSync(join(dir, 'corpus', 'multi_manifest.csv'), 'utf8').trim().split(/\r?\n/);
  const keys = header!.split(',');
  manifest = lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [keys[i]!, v])) as unknown as ManifestRow);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dicom-tools organize', () => {
  it('--by patient files the multi-patient tree exactly as its manifest says', () => {
    const out = join(dir, 'by-patient');
    const run = cli(['organize', multi, '-o', out, '--by', 'patient', '--json']);
    expect(run.status).toBe(0);
    const expected = manifest.map((r) => `${r.PatientID}/${r.StudyInstanceUID}/${r.SeriesInstanceUID}/${r.SOPInstanceUID}.dcm`).sort();
    expect(tree(out)).toEqual(expected);
    for (const r of manifest) {
      const placed = join(out, r.PatientID, r.StudyInstanceUID, r.SeriesInstanceUID, `${r.SOPInstanceUID}.dcm`);
      expect(readFileSync(placed).equals(readFileSync(join(multi, r.file)))).toBe(true);
    }
    expect(tree(multi)).toHaveLength(manifest.length); // a copy leaves the inputs
  });

  it('a template with zero-padded numbers follows the manifest; organize_by_series is an alias', () => {
    const out = join(dir, 'template');
    expect(cli(['organize', multi, '-o', out, '--template', '{PatientID}/{StudyInstanceUID}/{SeriesNumber:03}_{Modality}/{InstanceNumber:04}.dcm']).status).toBe(0);
    const expected = manifest.map((r) => `${r.PatientID}/${r.StudyInstanceUID}/${r.SeriesNumber.padStart(3, '0')}_${r.Modality}/${r.InstanceNumber.padStart(4, '0')}.dcm`).sort();
    expect(tree(out)).toEqual(expected);
    const bySeries = join(dir, 'by-series');
    expect(cli(['organize_by_series', multi, '-o', bySeries]).status).toBe(0);
    expect(tree(bySeries)).toEqual(manifest.map((r) => `${r.SeriesInstanceUID}/${r.SOPInstanceUID}.dcm`).sort());
  });

  it('skips identical files on a second run and suffixes a different file that wants a taken name', () => {
    const out = join(dir, 'again');
    expect(cli(['organize', multi, '-o', out, '--by', 'series']).status).toBe(0);
    const before = tree(out);
    const second = cli(['organize', multi, '-o', out, '--by', 'series', '--json']);
    expect(second.status).toBe(0);
    const report = JSON.parse(second.stdout) as { files: { detail?: { action: string } }[] };
    expect(report.files.every((f) => f.detail?.action === 'identical')).toBe(true);
    expect(tree(out)).toEqual(before);
    // A different file with the SOP Instance UID of manifest row 0 (pydicom changes its Patient Name).
    const other = join(dir, 'other');
    mkdirSync(other);
    python(['-c', 'import sys, pydicom; d = pydicom.dcmread(sys.argv[1]); d.PatientName = "Other^One"; d.save_as(sys.argv[2])', join(multi, manifest[0]!.file), join(other, 'x.dcm')]);
    const third = cli(['organize', other, '-o', out, '--by', 'series']);
    expect(third.status).toBe(0);
    expect(third.stdout).toContain('name taken by a different file');
    const row = manifest[0]!;
    expect(tree(out)).toEqual([...before, `${row.SeriesInstanceUID}/${row.SOPInstanceUID}-2.dcm`].sort());
    expect(readFileSync(join(out, row.SeriesInstanceUID, `${row.SOPInstanceUID}.dcm`)).equals(readFileSync(join(multi, row.file)))).toBe(true);
  });

  it('--move leaves every file at its new place and none at the old one; --dry-run touches nothing', () => {
    const source = join(dir, 'to-move');
    cpSync(multi, source, { recursive: true });
    const dry = cli(['organize', source, '-o', join(dir, 'dry'), '--move', '--dry-run']);
    expect(dry.status).toBe(0);
    expect(existsSync(join(dir, 'dry'))).toBe(false);
    expect(tree(source)).toHaveLength(manifest.length);
    const out = join(dir, 'moved');
    expect(cli(['organize', source, '-o', out, '--move', '--by', 'study']).status).toBe(0);
    expect(tree(source)).toEqual([]);
    for (const r of manifest) {
      expect(readFileSync(join(out, r.StudyInstanceUID, r.SeriesInstanceUID, `${r.SOPInstanceUID}.dcm`)).equals(readFileSync(join(multi, r.file)))).toBe(true);
    }
  });

  it('organizes the DICOM members of a zip (written by Python) by their bytes, leaving the zip as it is', () => {
    const zipDir = join(dir, 'zipped');
    mkdirSync(zipDir);
    python(['-c', 'import sys, zipfile, glob, os\nwith zipfile.ZipFile(sys.argv[2], "w") as z:\n    [z.write(f, os.path.basename(f)) for f in sorted(glob.glob(sys.argv[1] + "/*.dcm"))]', multi, join(zipDir, 'all.zip')]);
    const out = join(dir, 'from-zip');
    expect(cli(['organize', zipDir, '-o', out, '--by', 'series', '--move']).status).toBe(0);
    expect(tree(out)).toEqual(manifest.map((r) => `${r.SeriesInstanceUID}/${r.SOPInstanceUID}.dcm`).sort());
    for (const r of manifest) expect(readFileSync(join(out, r.SeriesInstanceUID, `${r.SOPInstanceUID}.dcm`)).equals(readFileSync(join(multi, r.file)))).toBe(true);
    expect(tree(zipDir)).toEqual(['all.zip']);
  });

  it('keeps adversarial tag values (../../etc, CON, 300 characters, empty, separators) inside OUT', () => {
    const root = join(dir, 'adversarial');
    const input = join(root, 'in');
    mkdirSync(input, { recursive: true });
    const values = ['../../etc', '..', 'CON', 'nul.txt', 'x'.repeat(300), '', '/abs/path', 'a\\\\b', 'tab\there'];
    const script = [
      'import sys, json, pydicom',
      'values = json.loads(sys.stdin.read())',
      'for i, v in enumerate(values):',
      '    d = pydicom.dcmread(sys.argv[1])',
      '    d.PatientID = v; d.PatientName = v; d.StudyDescription = v',
      '    d.save_as("%s/f%02d.dcm" % (sys.argv[2], i))',
    ].join('\n');
    python(['-c', script, join(multi, manifest[0]!.file), input], JSON.stringify(values));
    const out = join(root, 'out');
    const run = cli(['organize', input, '-o', out, '--template', '{PatientID}/{PatientName}_{StudyDescription}/{InstanceNumber:04}.dcm', '--json']);
    expect(run.status).toBe(0);
    expect(readdirSync(root).sort()).toEqual(['in', 'out']); // nothing written beside OUT
    const placed = tree(out);
    expect(placed).toHaveLength(values.length); // same InstanceNumber everywhere: distinct folders or -N suffixes
    for (const rel of placed) {
      const parts = rel.split('/');
      expect(parts).toHaveLength(3);
      for (const part of parts) {
        expect(part).not.toMatch(/^\.|[\u0000-\u001f\\:*?"<>|]/);
        expect(part).not.toMatch(/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i);
        expect(Buffer.byteLength(part)).toBeLessThanOrEqual(255);
      }
    }
    expect(placed.some((rel) => rel.startsWith('UNKNOWN/'))).toBe(true); // the empty PatientID
  });
});
