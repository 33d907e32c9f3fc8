// End-to-end tests of `dicom-tools anonymize`: each test spawns the built binary (node packages/cli/dist/bin.js)
// and checks exit codes, stdout and the files written. Expected values come from the input files' bytes, from
// DCMTK's dcmdump and dicom3tools' dciodvfy reading the outputs, and from PS3.15, never from our own output.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { anonymizeBytes } from '@dicom-tools/anonymize';
import { corpusFile } from '@dicom-tools/test-fixtures';
import { execFileSync } from 'node:child_process';
import { runCli } from './_run-cli.test-util.js';

const PACKAGE_DIR = resolve(__dirname, '..');
const BIN = join(PACKAGE_DIR, 'dist', 'bin.js');
const PHI_DIR = resolve(PACKAGE_DIR, '..', 'anonymize', 'test-data');
const DCMDUMP = '/usr/bin/dcmdump';
const DCIODVFY = '/usr/bin/dciodvfy';

/** Values make_corpus.py put into the PHI test files (test-data/README.md), as their bytes show them. */
const PHI = ['PAT0001', 'ACC000101', 'Referrer^Rita', 'Operator^Otto', 'Tech^Tina', 'inner private value', 'Testhausen', 'Synthetic Road', 'OLDHOSP', '19431007', 'CTSTATION01', 'SN-000123'];

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const cli = (args: readonly string[]): Run => runCli(args);

function peer(path: string, args: readonly string[]): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: install it (apt-get install -y dcmtk dicom3tools), as CI does`);
  const r = spawnSync(path, args, { encoding: 'latin1', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return `${r.stdout}${r.stderr}`;
}

/** dcmdump's value of a top-level element, e.g. `[ANONYMOUS^PATIENT]`, or undefined when absent. */
function dumped(file: string, tag: string): string | undefined {
  const line = peer(DCMDUMP, ['+L', file]).split('\n').find((l) => l.startsWith(`(${tag})`));
  return line === undefined ? undefined : /^\([0-9a-f,]+\) \S\S (.*?)\s+#/.exec(line)?.[1];
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out.sort();
}

function leaks(file: string): string[] {
  const bytes = readFileSync(file);
  return PHI.filter((v) => bytes.includes(Buffer.from(v, 'latin1')));
}

describe('dicom-tools anonymize', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build core, anonymize and cli first (npx tsc -p packages/<pkg>/tsconfig.build.json)`);
    dir = mkdtempSync(join(tmpdir(), 'dicom-tools-anon-e2e-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails at once with CORE_IO, not a hang, for a FIFO or a device given as the file (store too)', () => {
    const fifo = join(dir, 'pipe.dcm');
    execFileSync('mkfifo', [fifo]);
    for (const path of [fifo, '/dev/zero']) {
      const run = cli(['anonymize', path, '--dry-run', '--secret', 's']);
      expect([run.status, run.stderr]).toEqual([1, `dicom-tools: ${path}: cannot read: not a regular file (a FIFO, socket or device) [CORE_IO]\n`]);
      const store = cli(['store', path, '-p', '1']);
      expect(store.status).not.toBe(0);
      expect(store.stderr).toContain(`${path}: cannot read: not a regular file`);
    }
  });

  it('is listed in --help', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\s+anonymize \[options\] <input>/m);
  });

  it('anonymizes one file: exit 0, no PHI left in the bytes, dcmdump reads it without a warning', () => {
    const input = join(PHI_DIR, 'phi-ct-1.dcm');
    expect(leaks(input).length).toBe(PHI.length); // the input holds every value searched for
    const out = join(dir, 'one.dcm');
    const r = cli(['anonymize', input, '-o', out, '--secret', 'e2e']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(leaks(out)).toEqual([]);
    expect(peer(DCMDUMP, ['-M', out]).split('\n').filter((l) => /^[WEF]: /.test(l))).toEqual([]);
    expect(dumped(out, '0012,0062')).toBe('[YES]');
    expect(dumped(out, '0010,0020')).toMatch(/^\[ANON[0-9A-F]{16}\]$/);
    expect(peer(DCMDUMP, [out]).split('\n').filter((l) => /^\s*\([0-9a-f]{3}[13579bdf],/.test(l))).toEqual([]); // no private element
  });

  it('gives the same bytes for the same secret in another process, and other UIDs for another secret', () => {
    const input = join(PHI_DIR, 'phi-ct-1.dcm');
    const [a, b, c] = ['a.dcm', 'b.dcm', 'c.dcm'].map((n) => join(dir, n));
    expect(cli(['anonymize', input, '-o', a!, '--secret', 's1']).status).toBe(0);
    expect(cli(['anonymize', input, '-o', b!, '--secret', 's1']).status).toBe(0);
    expect(cli(['anonymize', input, '-o', c!, '--secret', 's2']).status).toBe(0);
    expect(readFileSync(a!).equals(readFileSync(b!))).toBe(true);
    expect(dumped(a!, '0008,0018')).not.toBe(dumped(c!, '0008,0018'));
    const secretFile = join(dir, 'key.txt');
    writeFileSync(secretFile, 's1\n');
    const d = join(dir, 'd.dcm');
    expect(cli(['anonymize', input, '-o', d, '--secret-file', secretFile]).status).toBe(0);
    expect(readFileSync(d).equals(readFileSync(a!))).toBe(true);
  });

  it('uses a random secret when none is given, and says so', () => {
    const input = join(PHI_DIR, 'phi-ct-1.dcm');
    const r1 = cli(['anonymize', input, '-o', join(dir, 'r1.dcm')]);
    const r2 = cli(['anonymize', input, '-o', join(dir, 'r2.dcm')]);
    expect(r1.status).toBe(0);
    expect(r1.stdout).toMatch(/secret random/);
    expect(dumped(join(dir, 'r1.dcm'), '0008,0018')).not.toBe(dumped(join(dir, 'r2.dcm'), '0008,0018'));
    expect(r2.status).toBe(0);
  });

  it('anonymizes a folder into a mirrored folder whose names carry no PHI, with a UID map', () => {
    const tree = join(dir, 'tree-in');
    mkdirSync(join(tree, 'Mueller_Juergen', 'CT_CHEST'), { recursive: true });
    mkdirSync(join(tree, 'Oblique_Olga'), { recursive: true });
    copyFileSync(join(PHI_DIR, 'phi-ct-1.dcm'), join(tree, 'Mueller_Juergen', 'CT_CHEST', 'Mueller_1.dcm'));
    copyFileSync(join(PHI_DIR, 'phi-ct-2.dcm'), join(tree, 'Mueller_Juergen', 'CT_CHEST', 'Mueller_2.dcm'));
    copyFileSync(join(PHI_DIR, 'phi-mr-1.dcm'), join(tree, 'Oblique_Olga', 'Olga.dcm'));
    writeFileSync(join(tree, 'notes.txt'), 'not DICOM');
    const out = join(dir, 'tree-out');
    const map = join(dir, 'uids.csv');
    const r = cli(['anonymize', tree, '-o', out, '--secret', 'tree', '--uid-map', map]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/anonymized 3 files, 1 skipped/);
    const written = listFiles(out).map((p) => relative(out, p));
    expect(written.length).toBe(3);
    for (const p of written) expect(p).not.toMatch(/Mueller|Juergen|CT_CHEST|Olga|Oblique/);
    // Mirrored: the two CT slices share a folder two levels down, the MR sits one level down.
    expect(written.map((p) => p.split('/').length).sort()).toEqual([2, 3, 3]);
    for (const p of written) expect(leaks(join(out, p))).toEqual([]);
    // The UID map: every original UID of the inputs maps to a replacement found in the outputs, never the original.
    const rows = readFileSync(map, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('original,replacement');
    const outputs = Buffer.concat(written.map((p) => readFileSync(join(out, p))));
    const inputs = Buffer.concat(listFiles(tree).map((p) => readFileSync(p)));
    for (const row of rows.slice(1)) {
      const [original, replacement] = row.split(',') as [string, string];
      expect(inputs.includes(Buffer.from(original))).toBe(true);
      expect(outputs.includes(Buffer.from(original))).toBe(false);
      expect(replacement).toMatch(/^2\.25\.[1-9][0-9]*$/);
    }
    // Each output is named by its new SOP Instance UID.
    for (const p of written) expect(dumped(join(out, p), '0008,0018')).toBe(`[${p.split('/').pop()!.replace(/\.dcm$/, '')}]`);
  });

  it('writes nothing with --dry-run and reports in JSON', () => {
    const out = join(dir, 'dry-out');
    const map = join(dir, 'dry.csv');
    const r = cli(['anonymize', PHI_DIR, '-o', out, '--dry-run', '--json', '--secret', 'x', '--uid-map', map]);
    expect(r.status).toBe(0);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(map)).toBe(false);
    const report = JSON.parse(r.stdout) as { dryRun: boolean; secret: string; files: { ok: boolean; report: { actions: { tag: string; action: string }[] } }[] };
    expect(report.dryRun).toBe(true);
    expect(report.secret).toBe('given');
    expect(report.files.length).toBe(readdirSync(PHI_DIR).filter((f) => f.endsWith('.dcm')).length);
    expect(report.files[0]!.report.actions).toContainEqual(expect.objectContaining({ tag: '(0008,0050)', action: 'Z' })); // Accession Number
    for (const value of PHI) expect(r.stdout).not.toContain(value); // no PHI in the report
  });

  it('applies the seed preset and the options by name', () => {
    const input = join(PHI_DIR, 'phi-ct-1.dcm');
    const seed = join(dir, 'seed.dcm');
    expect(cli(['anonymize', input, '-o', seed, '--secret', 'k', '--profile', 'seed']).status).toBe(0);
    expect(dumped(seed, '0010,0010')).toBe('[ANONYMOUS^PATIENT]');
    expect(dumped(seed, '0010,0020')).toMatch(/^\[ANON_[0-9A-F]{16}\]$/);
    expect(dumped(seed, '0008,0080')).toBe('[ANONYMIZED]');
    const shifted = join(dir, 'shifted.dcm');
    expect(cli(['anonymize', input, '-o', shifted, '--secret', 'k', '--option', 'retain-longitudinal-modified-dates', '--date-shift-range', '-20..-10']).status).toBe(0);
    const studyDate = dumped(shifted, '0008,0020')!.slice(1, 9);
    const original = dumped(input, '0008,0020')!.slice(1, 9);
    const day = (s: string): number => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8))) / 86_400_000;
    expect(day(studyDate) - day(original)).toBeGreaterThanOrEqual(-20);
    expect(day(studyDate) - day(original)).toBeLessThanOrEqual(-10);
    expect(dumped(shifted, '0028,0303')).toBe('[MODIFIED]');
    const methods = dumped(shifted, '0012,0063')!;
    expect(methods).toContain('Retain Longitudinal Temporal Information Modified Dates Option');
  });

  it('keeps dciodvfy\'s error count of the input', () => {
    for (const name of ['CT_small.dcm', 'MR_small.dcm', 'liver_1frame.dcm']) {
      const out = join(dir, `v-${name}`);
      expect(cli(['anonymize', corpusFile(name), '-o', out, '--secret', 'v']).status).toBe(0);
      const errors = (f: string): number => peer(DCIODVFY, [f]).split('\n').filter((l) => l.startsWith('Error')).length;
      expect(errors(out)).toBeLessThanOrEqual(errors(corpusFile(name)));
    }
  });

  it('refuses to write over its input and other usage errors with exit 2', () => {
    const input = join(dir, 'self.dcm');
    copyFileSync(join(PHI_DIR, 'phi-ct-1.dcm'), input);
    const before = readFileSync(input);
    const cases: string[][] = [
      ['anonymize', input, '-o', input],
      ['anonymize', input],
      ['anonymize', PHI_DIR, '-o', join(PHI_DIR, 'inside')],
      ['anonymize', PHI_DIR, '-o', PHI_DIR],
      ['anonymize', input, '-o', join(dir, 'x.dcm'), '--option', 'retainEverything'],
      ['anonymize', input, '-o', join(dir, 'x.dcm'), '--secret', 'a', '--secret-file', input],
      ['anonymize', input, '-o', join(dir, 'x.dcm'), '--option', 'retainLongitudinalFullDates', '--option', 'retainLongitudinalModifiedDates'],
      ['anonymize', input, '-o', join(dir, 'x.dcm'), '--profile', 'strict'],
      ['anonymize', input, '-o', join(dir, 'x.dcm'), '--patient-prefix', 'A^B'],
      ['anonymize', input, '-o', join(dir, 'x.dcm'), '--date-shift-range', '-1..-9'],
    ];
    for (const args of cases) {
      const r = cli(args);
      expect({ args: args.slice(2).join(' '), status: r.status }).toEqual({ args: args.slice(2).join(' '), status: 2 });
      expect(r.stderr).toMatch(/^dicom-tools: /);
    }
    expect(readFileSync(input).equals(before)).toBe(true);
    expect(existsSync(join(PHI_DIR, 'inside'))).toBe(false);
  });

  it('fails with exit 1 on a missing or non-DICOM file, and 3 when some files of a folder fail', () => {
    expect(cli(['anonymize', join(dir, 'missing.dcm'), '-o', join(dir, 'm.dcm')]).status).toBe(1);
    const text = join(dir, 'plain.txt');
    writeFileSync(text, 'hello, not DICOM at all');
    const r = cli(['anonymize', text, '-o', join(dir, 'p.dcm')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/CORE_NOT_DICOM/);
    const mixed = join(dir, 'mixed');
    mkdirSync(mixed);
    copyFileSync(corpusFile('MR_truncated.dcm'), join(mixed, 'broken.dcm'));
    copyFileSync(join(PHI_DIR, 'phi-ct-1.dcm'), join(mixed, 'good.dcm'));
    const out = join(dir, 'mixed-out');
    const m = cli(['anonymize', mixed, '-o', out, '--secret', 'm']);
    expect(m.status).toBe(3);
    expect(m.stderr).toMatch(/broken\.dcm.*CORE_TRUNCATED/);
    expect(listFiles(out).length).toBe(1);
  });

  it('reports a file whose output cannot be put in place, goes on with the rest, and leaves no temporary file', () => {
    const folder = join(dir, 'blocked-in');
    mkdirSync(folder);
    const names = ['CT_small.dcm', 'MR_small.dcm', 'rtstruct.dcm'];
    for (const f of names) copyFileSync(corpusFile(f), join(folder, f));
    // The output name of MR_small.dcm (its new SOP Instance UID under this secret, from the library) is taken by a folder.
    const { file } = anonymizeBytes(readFileSync(corpusFile('MR_small.dcm')), { secret: 'blocked', profile: 'basic', options: [] });
    const sop = file.dataset.elements.get(0x00080018);
    const stem = sop !== undefined && Array.isArray(sop.value) ? String(sop.value[0]) : '';
    expect(stem).toMatch(/^2\.25\.\d+$/);
    const out = join(dir, 'blocked-out');
    mkdirSync(join(out, `${stem}.dcm`, 'occupied'), { recursive: true });
    const r = cli(['anonymize', folder, '-o', out, '--secret', 'blocked']);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(join(out, `${stem}.dcm`));
    expect(r.stderr).toMatch(/CORE_IO/);
    const left = readdirSync(out);
    expect(left.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(left.filter((n) => n.endsWith('.dcm') && n !== `${stem}.dcm`)).toHaveLength(names.length - 1);
  });

  /**
   * A tree for the parallel runs: the PHI files and corpus files (native, implicit, big endian, deflated,
   * encapsulated, private sequences) in two folders, each PHI file copied several times into one folder, so that
   * several files share one SOP Instance UID there (names -2, -3... must not depend on which thread finishes first).
   */
  function parallelTree(name: string): string {
    const root = join(dir, name);
    mkdirSync(join(root, 'Patient_A', 'series_1'), { recursive: true });
    mkdirSync(join(root, 'Patient_B'), { recursive: true });
    const phi = readdirSync(PHI_DIR).filter((f) => f.endsWith('.dcm'));
    for (let copy = 0; copy < 6; copy++) for (const f of phi) copyFileSync(join(PHI_DIR, f), join(root, 'Patient_A', 'series_1', `${copy}-${f}`));
    for (const f of ['CT_small.dcm', 'MR_small.dcm', 'MR_small_implicit.dcm', 'MR_small_bigendian.dcm', 'image_dfl.dcm', 'JPEG2000.dcm', 'nested_priv_SQ.dcm', 'rtstruct.dcm']) {
      copyFileSync(corpusFile(f), join(root, 'Patient_B', f));
    }
    return root;
  }

  it('gives byte-identical files under identical names with --jobs 2 and --jobs 1 (same secret), and the same UID map', () => {
    const tree = parallelTree('par-in');
    const inputs = listFiles(tree);
    expect(inputs.length).toBe(32);
    const runs = ['1', '2'].map((jobs) => {
      const out = join(dir, `par-out-${jobs}`);
      const map = join(dir, `par-${jobs}.csv`);
      const r = cli(['anonymize', tree, '-o', out, '--secret', 'parallel', '--jobs', jobs, '--uid-map', map, '--quiet']);
      expect({ jobs, status: r.status, stderr: r.stderr }).toEqual({ jobs, status: 0, stderr: '' });
      return { out, map, files: listFiles(out).map((p) => relative(out, p)) };
    });
    const [one, two] = runs as [(typeof runs)[0], (typeof runs)[0]];
    expect(one.files.length).toBe(inputs.length);
    expect(two.files).toEqual(one.files);
    for (const rel of one.files) expect({ rel, same: readFileSync(join(two.out, rel)).equals(readFileSync(join(one.out, rel))) }).toEqual({ rel, same: true });
    expect(readFileSync(two.map, 'utf8')).toBe(readFileSync(one.map, 'utf8'));
    // Six copies of a file in one folder share its new SOP Instance UID: UID.dcm, UID-2.dcm ... UID-6.dcm.
    expect(one.files.filter((f) => /-6\.dcm$/.test(f)).length).toBe(readdirSync(PHI_DIR).filter((f) => f.endsWith('.dcm')).length);
  });

  it('leaves no PHI, no private element and no original instance UID in the output of parallel workers', () => {
    const tree = parallelTree('phi-par-in');
    const out = join(dir, 'phi-par-out');
    const map = join(dir, 'phi-par.csv');
    const r = cli(['anonymize', tree, '-o', out, '--secret', 'scan', '--jobs', '2', '--uid-map', map, '--quiet']);
    expect(r.status).toBe(0);
    const originals = readFileSync(map, 'utf8').trim().split('\n').slice(1).map((row) => row.split(',')[0]!);
    expect(originals.length).toBeGreaterThan(20);
    const files = listFiles(out);
    expect(files.length).toBe(32);
    for (const file of files) {
      expect({ file, leaks: leaks(file) }).toEqual({ file, leaks: [] });
      const bytes = readFileSync(file);
      expect({ file, uids: originals.filter((u) => bytes.includes(Buffer.from(u, 'latin1'))) }).toEqual({ file, uids: [] });
      const dump = peer(DCMDUMP, [file]).split('\n');
      expect({ file, privateElements: dump.filter((l) => /^\s*\([0-9a-f]{3}[13579bdf],/.test(l)) }).toEqual({ file, privateElements: [] });
      expect({ file, warnings: dump.filter((l) => /^[WEF]: /.test(l)) }).toEqual({ file, warnings: [] });
    }
  });

  it('refuses a bad --jobs with exit 2', () => {
    for (const jobs of ['0', '-1', '1.5', 'many']) expect(cli(['anonymize', PHI_DIR, '-o', join(dir, 'j'), '--jobs', jobs]).status).toBe(2);
  });
});

describe('dicom-tools batch anonymize', () => {
  let dir: string;
  let input: string;
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build the packages first`);
    dir = mkdtempSync(join(tmpdir(), 'dicom-tools-batch-anon-e2e-'));
    input = join(dir, 'in');
    mkdirSync(join(input, 'sub'), { recursive: true });
    for (const f of readdirSync(PHI_DIR).filter((n) => n.endsWith('.dcm'))) copyFileSync(join(PHI_DIR, f), join(input, f));
    copyFileSync(corpusFile('CT_small.dcm'), join(input, 'sub', 'ct.dcm'));
    copyFileSync(join(PHI_DIR, 'phi-ct-1.dcm'), join(input, 'sub', 'again.dcm'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const count = (): number => readdirSync(PHI_DIR).filter((n) => n.endsWith('.dcm')).length + 2;

  it('writes the UID map, uses the patient prefix, and gives the same bytes in worker threads as in one thread', () => {
    const outs = ['1', '2'].map((jobs) => {
      const out = join(dir, `out-${jobs}`);
      const map = join(dir, `uids-${jobs}.csv`);
      const r = cli(['batch', 'anonymize', input, '-o', out, '--secret', 'b', '--jobs', jobs, '--uid-map', map, '--patient-prefix', 'STUDY7_', '--json']);
      expect({ jobs, status: r.status, stderr: r.stderr }).toEqual({ jobs, status: 0, stderr: '' });
      expect((JSON.parse(r.stdout) as { counts: { ok: number } }).counts.ok).toBe(count());
      return { out, map };
    });
    const [one, two] = outs as [(typeof outs)[0], (typeof outs)[0]];
    const files = listFiles(one.out).map((p) => relative(one.out, p));
    expect(files.length).toBe(count());
    expect(listFiles(two.out).map((p) => relative(two.out, p))).toEqual(files);
    for (const rel of files) expect(readFileSync(join(two.out, rel)).equals(readFileSync(join(one.out, rel)))).toBe(true);
    expect(readFileSync(two.map, 'utf8')).toBe(readFileSync(one.map, 'utf8'));
    // The map: every original is in some input and in no output; every replacement is a 2.25 UID found in the outputs.
    const rows = readFileSync(one.map, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('original,replacement');
    expect(rows.length).toBeGreaterThan(10);
    const inputs = Buffer.concat(listFiles(input).map((p) => readFileSync(p)));
    const outputs = Buffer.concat(files.map((p) => readFileSync(join(one.out, p))));
    for (const row of rows.slice(1)) {
      const [original, replacement] = row.split(',') as [string, string];
      expect(inputs.includes(Buffer.from(original))).toBe(true);
      expect(outputs.includes(Buffer.from(original))).toBe(false);
      expect(replacement).toMatch(/^2\.25\.[1-9][0-9]*$/);
      expect(outputs.includes(Buffer.from(replacement))).toBe(true);
    }
    for (const rel of files) {
      expect(dumped(join(one.out, rel), '0010,0020')).toMatch(/^\[STUDY7_[0-9A-F]{16}\]$/);
      expect(leaks(join(one.out, rel))).toEqual([]);
    }
  });

  it('takes --secret-file, --option and --date-shift-range like anonymize', () => {
    const secretFile = join(dir, 'key.txt');
    writeFileSync(secretFile, 'shift-key\n');
    const a = join(dir, 'shift-a');
    const b = join(dir, 'shift-b');
    const args = ['--option', 'retainLongitudinalModifiedDates', '--date-shift-range', '-30..-20', '--quiet'];
    expect(cli(['batch', 'anonymize', input, '-o', a, '--secret-file', secretFile, ...args]).status).toBe(0);
    expect(cli(['batch', 'anonymize', input, '-o', b, '--secret', 'shift-key', '--jobs', '1', ...args]).status).toBe(0);
    const files = listFiles(a).map((p) => relative(a, p));
    expect(listFiles(b).map((p) => relative(b, p))).toEqual(files);
    for (const rel of files) expect(readFileSync(join(b, rel)).equals(readFileSync(join(a, rel)))).toBe(true);
    // The Study Date of the CT moved back 20 to 30 days (the original read from the input by dcmdump).
    const day = (s: string): number => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8))) / 86_400_000;
    const original = dumped(join(PHI_DIR, 'phi-ct-1.dcm'), '0008,0020')!.slice(1, 9);
    const shifted = files.map((rel) => join(a, rel)).filter((f) => dumped(f, '0008,0016') === dumped(join(PHI_DIR, 'phi-ct-1.dcm'), '0008,0016'));
    expect(shifted.length).toBeGreaterThan(0);
    const moved = shifted.map((f) => day(dumped(f, '0008,0020')!.slice(1, 9)) - day(original));
    expect(moved.some((d) => d >= -30 && d <= -20)).toBe(true);
    for (const f of shifted) expect(dumped(f, '0028,0303')).toBe('[MODIFIED]');
    expect(dumped(shifted[0]!, '0012,0063')).toContain('Retain Longitudinal Temporal Information Modified Dates Option');
  });

  it('--resume keeps the finished outputs, redoes a missing one, sweeps a killed run\'s temporary file', () => {
    const out = join(dir, 'resume');
    const args = ['batch', 'anonymize', input, '-o', out, '--secret', 'r', '--jobs', '2'];
    expect(cli(args).status).toBe(0);
    const files = listFiles(out);
    expect(files.length).toBe(count());
    const before = new Map(files.map((f) => [f, readFileSync(f)]));
    rmSync(files[0]!);
    const stale = join(dirname(files[1]!), `.${basename(files[1]!)}.99999.0123456789ab.tmp`);
    writeFileSync(stale, 'half-written');
    const r = cli([...args, '--resume', '--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { files: { status: string; output?: string; detail?: { action?: string } }[] };
    const actions = report.files.filter((f) => f.status === 'ok').map((f) => f.detail?.action).sort();
    expect(actions).toEqual([...Array<string>(count() - 1).fill('resumed'), 'written']);
    expect(existsSync(stale)).toBe(false);
    expect(listFiles(out)).toEqual(files);
    for (const f of files) expect(readFileSync(f).equals(before.get(f)!)).toBe(true);
  });

  it('refuses bad anonymize flags with exit 2 before writing anything', () => {
    const out = join(dir, 'bad');
    const cases = [
      ['--secret', 'x', '--date-shift-range', '-1..-9'], ['--secret', 'x', '--patient-prefix', 'A^B'], ['--secret', 'x', '--option', 'retainEverything'],
      ['--secret', 'a', '--secret-file', join(dir, 'nope')], ['--secret-file', join(dir, 'nope')], ['--secret', 'x', '--profile', 'strict'],
    ];
    for (const extra of cases) {
      const r = cli(['batch', 'anonymize', input, '-o', out, ...extra]);
      expect({ extra: extra.join(' '), status: r.status }).toEqual({ extra: extra.join(' '), status: 2 });
    }
    expect(existsSync(out)).toBe(false);
  });
});
