// End-to-end tests of `dicom-tools batch` on the built binary (node packages/cli/dist/bin.js). Expectations come
// from the input tree the tests build (which files are DICOM, which are not, which is truncated) and from DCMTK
// (dcmdump), never from our own output.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { corpusFile } from '@dicom-tools/test-fixtures';
import { runCli } from './_run-cli.test-util.js';

const PACKAGE_DIR = resolve(__dirname, '..');
const BIN = join(PACKAGE_DIR, 'dist', 'bin.js');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const cli = (args: readonly string[]): Run => runCli(args);

function dcmdump(args: readonly string[]): string {
  const path = '/usr/bin/dcmdump';
  if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install -y dcmtk, as .ci/run does`);
  const result = spawnSync(path, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`dcmdump failed: ${result.stderr}`);
  return result.stdout;
}

function dumpValue(file: string, tag: string): string | undefined {
  const line = dcmdump(['-Un', file]).split('\n').find((l) => l.trimStart().startsWith(`(${tag})`));
  return line?.replace(/^\s*\([0-9a-f,]+\)\s+\S\S\s+/, '').replace(/\s+#.*$/, '');
}

/** Every regular file under `root`, relative, `/`-separated, sorted. */
function tree(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(root, path).split('\\').join('/'));
    }
  };
  walk(root);
  return out.sort();
}

interface ReportFile {
  readonly input: string;
  readonly status: string;
  readonly output?: string;
  readonly reason?: string;
  readonly error?: { readonly code: string };
  readonly detail?: { readonly action?: string; readonly valid?: boolean };
}
interface Report {
  readonly operation: string;
  readonly cancelled: boolean;
  readonly counts: { readonly processed: number; readonly ok: number; readonly failed: number; readonly skipped: number };
  readonly files: readonly ReportFile[];
}

let dir: string;
let input: string;
/** The DICOM files put in the input tree (relative paths) and the corpus file each is a copy of. */
const DICOM: Record<string, string> = {
  'CT_small.dcm': 'CT_small.dcm',
  'series/a/mr1.dcm': 'MR_small.dcm',
  'series/a/MR2': 'MR_small_implicit.dcm',
  'series/b/rle.dcm': 'MR_small_RLE.dcm',
};
/** The files that are not DICOM, and the reason findDicomFiles' contract gives for each. */
const NOT_DICOM: Record<string, RegExp> = {
  'notes.txt': /^not DICOM/,
  'series/empty.dcm': /^empty/,
  'series/a/photo.jpg': /^not DICOM/,
  'series/DICOMDIR': /^DICOMDIR/,
};
const TRUNCATED = 'series/b/cut.dcm';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'batch-e2e-'));
  input = join(dir, 'in');
  for (const [rel, source] of Object.entries(DICOM)) {
    mkdirSync(join(input, rel, '..'), { recursive: true });
    copyFileSync(corpusFile(source), join(input, rel));
  }
  mkdirSync(join(input, 'series', 'b'), { recursive: true });
  writeFileSync(join(input, 'notes.txt'), 'Patient: nobody\n'.repeat(50));
  writeFileSync(join(input, 'series', 'empty.dcm'), '');
  writeFileSync(join(input, 'series', 'a', 'photo.jpg'), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(400, 7)]));
  copyFileSync(corpusFile('CT_small.dcm'), join(input, 'series', 'DICOMDIR')); // skipped by its name
  copyFileSync(corpusFile('MR_truncated.dcm'), join(input, TRUNCATED));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function expectExactReport(report: Report, operation: string): void {
  expect(report.operation).toBe(operation);
  expect(report.cancelled).toBe(false);
  const nDicom = Object.keys(DICOM).length;
  expect(report.counts).toEqual({ processed: nDicom + 1, ok: nDicom, failed: 1, skipped: Object.keys(NOT_DICOM).length });
  const byInput = new Map(report.files.map((f) => [relative(input, f.input).split('\\').join('/'), f]));
  expect([...byInput.keys()].sort()).toEqual([...Object.keys(DICOM), ...Object.keys(NOT_DICOM), TRUNCATED].sort());
  for (const rel of Object.keys(DICOM)) expect(byInput.get(rel)?.status).toBe('ok');
  for (const [rel, reason] of Object.entries(NOT_DICOM)) {
    expect(byInput.get(rel)?.status).toBe('skipped');
    expect(byInput.get(rel)?.reason).toMatch(reason);
  }
  expect(byInput.get(TRUNCATED)).toMatchObject({ status: 'failed', error: { code: 'CORE_TRUNCATED' } });
}

describe('dicom-tools batch', () => {
  it('decompress processes every DICOM file into a mirrored tree, reports every other file, exits 3 for the truncated one', () => {
    const out = join(dir, 'out');
    const reportPath = join(dir, 'report.json');
    const run = cli(['batch', 'decompress', input, '-o', out, '--jobs', '2', '--report', reportPath]);
    expect(run.status).toBe(3);
    expect(run.stderr).toContain('CORE_TRUNCATED');
    expectExactReport(JSON.parse(readFileSync(reportPath, 'utf8')) as Report, 'decompress');
    expect(tree(out)).toEqual(Object.keys(DICOM).sort());
    for (const rel of Object.keys(DICOM)) {
      expect(dumpValue(join(out, rel), '0002,0010')).toBe('[1.2.840.10008.1.2.1]');
      expect(dumpValue(join(out, rel), '0008,0018')).toBe(dumpValue(join(input, rel), '0008,0018'));
    }
  });

  it('validate needs no output folder and gives the same exact report; batch_validate is an alias', () => {
    const run = cli(['batch_validate', input, '--json']);
    expect(run.status).toBe(3);
    const report = JSON.parse(run.stdout) as Report;
    expectExactReport(report, 'validate');
    for (const f of report.files.filter((e) => e.status === 'ok')) expect(typeof f.detail?.valid).toBe('boolean');
    expect(tree(input)).toHaveLength(Object.keys(DICOM).length + Object.keys(NOT_DICOM).length + 1);
  });

  it('anonymize writes PHI-free names and removes the patient name from every file', () => {
    const out = join(dir, 'anon');
    const run = cli(['batch', 'anonymize', input, '-o', out, '--secret', 'k', '--json']);
    expect(run.status).toBe(3);
    expectExactReport(JSON.parse(run.stdout) as Report, 'anonymize');
    const written = tree(out);
    expect(written).toHaveLength(Object.keys(DICOM).length);
    const names = new Set(Object.values(DICOM).map((source) => dumpValue(corpusFile(source), '0010,0010')).filter((n) => n !== undefined && n !== '(no value available)'));
    expect(names.size).toBeGreaterThan(0);
    for (const rel of written) {
      // Folders by 12 hex digits of a keyed hash, files by their new 2.25 SOP Instance UID (-2 for a second file
      // with the same UID in a folder: MR_small and MR_small_implicit share theirs): nothing of the input names.
      const m = /^(?:[0-9a-f]{12}\/)*(2\.25\.[0-9]+)(?:-[0-9]+)?\.dcm$/.exec(rel);
      expect(m).not.toBeNull();
      expect(dumpValue(join(out, rel), '0008,0018')).toBe(`[${m![1]!}]`);
      expect(names.has(dumpValue(join(out, rel), '0010,0010'))).toBe(false);
    }
  });

  it('convert writes one PNG per DICOM file with the image size of the input', () => {
    const out = join(dir, 'png');
    expect(cli(['batch', 'convert', input, '-o', out]).status).toBe(3);
    const expected = Object.keys(DICOM).map((rel) => rel.replace(/\.dcm$/, '') + '.png').sort();
    expect(tree(out)).toEqual(expected);
    for (const rel of Object.keys(DICOM)) {
      const png = readFileSync(join(out, rel.replace(/\.dcm$/, '') + '.png'));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      // IHDR width and height (bytes 16-23) against Columns and Rows as dcmdump reads them.
      expect(String(png.readUInt32BE(16))).toBe(dumpValue(join(input, rel), '0028,0011'));
      expect(String(png.readUInt32BE(20))).toBe(dumpValue(join(input, rel), '0028,0010'));
    }
  });

  it('--dry-run writes nothing and reports the same files', () => {
    const out = join(dir, 'dry');
    const run = cli(['batch', 'decompress', input, '-o', out, '--dry-run', '--json']);
    expect(run.status).toBe(3);
    expectExactReport(JSON.parse(run.stdout) as Report, 'decompress');
    expect(existsSync(out)).toBe(false);
  });

  it('--resume keeps verified outputs, redoes missing and partial ones, and ends byte-identical to a full run', () => {
    const full = join(dir, 'full');
    const out = join(dir, 'out');
    expect(cli(['batch', 'decompress', input, '-o', full]).status).toBe(3);
    expect(cli(['batch', 'decompress', input, '-o', out]).status).toBe(3);
    unlinkSync(join(out, 'series/a/mr1.dcm'));
    truncateSync(join(out, 'series/b/rle.dcm'), 500); // a partial file, as an unsafe writer would leave
    const run = cli(['batch', 'decompress', input, '-o', out, '--resume', '--json']);
    expect(run.status).toBe(3);
    const actions = new Map((JSON.parse(run.stdout) as Report).files.map((f) => [relative(input, f.input), f.detail?.action]));
    expect(actions.get('CT_small.dcm')).toBe('resumed');
    expect(actions.get('series/a/MR2')).toBe('resumed');
    expect(actions.get('series/a/mr1.dcm')).toBe('written');
    expect(actions.get('series/b/rle.dcm')).toBe('written');
    expect(tree(out)).toEqual(tree(full));
    for (const rel of tree(full)) expect(readFileSync(join(out, rel)).equals(readFileSync(join(full, rel)))).toBe(true);
  });

  it('a run killed with SIGKILL leaves no partial output, and --resume then gives the outputs of an uninterrupted run', async () => {
    const many = join(dir, 'many');
    mkdirSync(many);
    for (let i = 0; i < 120; i++) copyFileSync(corpusFile(i % 2 === 0 ? 'MR_small_RLE.dcm' : 'CT_small.dcm'), join(many, `f${String(i).padStart(3, '0')}.dcm`));
    const full = join(dir, 'full');
    expect(cli(['batch', 'decompress', many, '-o', full]).status).toBe(0);
    const out = join(dir, 'out');
    const child = spawn(process.execPath, [BIN, 'batch', 'decompress', many, '-o', out, '--jobs', '1'], { stdio: 'ignore' });
    const exited = new Promise<void>((done) => child.on('exit', () => done()));
    // Kill as soon as some outputs exist but before all do.
    for (let tries = 0; tries < 2000 && tree(out).filter((f) => !f.includes('/.') && !f.startsWith('.')).length < 5; tries++) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    await exited;
    const visible = tree(out).filter((f) => !f.split('/').at(-1)!.startsWith('.'));
    expect(visible.length).toBeGreaterThan(0);
    expect(visible.length).toBeLessThan(120);
    // Every output under its final name is complete: byte-identical to the uninterrupted run's.
    for (const rel of visible) expect(readFileSync(join(out, rel)).equals(readFileSync(join(full, rel)))).toBe(true);
    expect(cli(['batch', 'decompress', many, '-o', out, '--resume']).status).toBe(0);
    const after = tree(out); // no temporary file of the killed run is left either
    expect(after).toEqual(tree(full));
    for (const rel of after) expect(readFileSync(join(out, rel)).equals(readFileSync(join(full, rel)))).toBe(true);
  });

  it('Ctrl-C (SIGINT) finishes the files in flight, writes a report marked cancelled that names exactly the outputs, exits 130', async () => {
    const many = join(dir, 'many');
    mkdirSync(many);
    for (let i = 0; i < 150; i++) copyFileSync(corpusFile('MR_small_RLE.dcm'), join(many, `f${String(i).padStart(3, '0')}.dcm`));
    const out = join(dir, 'out');
    const reportPath = join(dir, 'report.json');
    const child = spawn(process.execPath, [BIN, 'batch', 'decompress', many, '-o', out, '--jobs', '2', '--report', reportPath], { stdio: 'ignore' });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    for (let tries = 0; tries < 2000 && tree(out).length < 5; tries++) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    expect(report.cancelled).toBe(true);
    expect(report.counts.failed).toBe(0);
    expect(report.counts.ok).toBeLessThan(150);
    const outputs = report.files.map((f) => relative(out, f.output ?? '')).sort();
    expect(tree(out)).toEqual(outputs); // every finished file reported, nothing else (no partial, no temporary) in OUT
  });

  it('1,000 DICOM files among 20 non-DICOM files, a DICOMDIR and a truncated file: exact counts and exit 3', () => {
    const big = join(dir, 'big');
    const sources = ['CT_small.dcm', 'MR_small.dcm', 'MR_small_implicit.dcm', 'MR_small_RLE.dcm'];
    for (let i = 0; i < 1000; i++) {
      const sub = join(big, `d${i % 7}`, `e${i % 3}`);
      mkdirSync(sub, { recursive: true });
      copyFileSync(corpusFile(sources[i % sources.length]!), join(sub, `i${i}.dcm`));
    }
    for (let i = 0; i < 20; i++) writeFileSync(join(big, `d${i % 7}`, `note${i}.txt`), `text ${i}\n`.repeat(i + 1));
    copyFileSync(corpusFile('CT_small.dcm'), join(big, 'DICOMDIR'));
    copyFileSync(corpusFile('MR_truncated.dcm'), join(big, 'd3', 'cut.dcm'));
    const reportPath = join(dir, 'big.json');
    const run = cli(['batch', 'validate', big, '--jobs', '2', '--report', reportPath, '--quiet']);
    expect(run.status).toBe(3);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    expect(report.counts).toEqual({ processed: 1001, ok: 1000, failed: 1, skipped: 21 });
    expect(report.files.filter((f) => f.status === 'skipped').map((f) => f.reason!.replace(/:.*/, '')).sort()).toEqual(['DICOMDIR', ...Array<string>(20).fill('not DICOM')]);
    expect(report.files.filter((f) => f.status === 'failed').map((f) => relative(big, f.input))).toEqual([join('d3', 'cut.dcm')]);
  });

  it('--workers runs the files in worker threads with the same report and byte-identical outputs', () => {
    const threaded = join(dir, 'threaded');
    const plain = join(dir, 'plain');
    const run = cli(['batch', 'decompress', input, '-o', threaded, '--workers', '--jobs', '2', '--json']);
    expect(run.status).toBe(3);
    expectExactReport(JSON.parse(run.stdout) as Report, 'decompress');
    expect(cli(['batch', 'decompress', input, '-o', plain]).status).toBe(3);
    expect(tree(threaded)).toEqual(tree(plain));
    for (const rel of tree(plain)) expect(readFileSync(join(threaded, rel)).equals(readFileSync(join(plain, rel)))).toBe(true);
    expect(cli(['batch', 'anonymize', input, '-o', join(dir, 'a'), '--workers', '--secret', 'k']).status).toBe(2);
  });

  it('expands a quoted glob pattern and mirrors its files relative to the folders before the wildcard', () => {
    const out = join(dir, 'glob');
    const run = cli(['batch', 'decompress', `${input}/series/**/*.dcm`, '-o', out, '--json']);
    expect(run.status).toBe(3); // series/b/cut.dcm is truncated
    const report = JSON.parse(run.stdout) as Report;
    expect(report.counts).toEqual({ processed: 3, ok: 2, failed: 1, skipped: 1 }); // series/empty.dcm is empty
    expect(tree(out)).toEqual(['a/mr1.dcm', 'b/rle.dcm']);
  });

  it('processes the DICOM members of a zip and a tar.gz inside the input (read in memory) and reports the others', () => {
    const box = join(dir, 'box');
    mkdirSync(join(box, 'inner'), { recursive: true });
    copyFileSync(corpusFile('CT_small.dcm'), join(box, 'ct.dcm'));
    // Archives written by Python's zipfile and tarfile, not by us.
    const script = [
      'import sys, zipfile, tarfile',
      'ct, mr, box = sys.argv[1], sys.argv[2], sys.argv[3]',
      'with zipfile.ZipFile(box + "/inner/pack.zip", "w", zipfile.ZIP_DEFLATED) as z:',
      '    z.write(ct, "s1/ct.dcm"); z.write(mr, "s1/mr.dcm"); z.writestr("notes.txt", "hello\\n" * 20)',
      'with tarfile.open(box + "/pack.tar.gz", "w:gz") as t:',
      '    t.add(mr, "mr.dcm")',
    ].join('\n');
    const py = spawnSync('/usr/bin/python3', ['-c', script, corpusFile('CT_small.dcm'), corpusFile('MR_small.dcm'), box], { encoding: 'utf8' });
    expect(py.stderr).toBe('');
    const out = join(dir, 'box-out');
    const run = cli(['batch', 'decompress', box, '-o', out, '--json']);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.counts).toEqual({ processed: 4, ok: 4, failed: 0, skipped: 1 });
    expect(report.files.find((f) => f.status === 'skipped')).toMatchObject({ input: join(box, 'inner', 'pack.zip', 'notes.txt'), reason: 'not DICOM' });
    expect(tree(out)).toEqual(['ct.dcm', 'inner/pack.zip/s1/ct.dcm', 'inner/pack.zip/s1/mr.dcm', 'pack.tar.gz/mr.dcm']);
    expect(dumpValue(join(out, 'pack.tar.gz/mr.dcm'), '0008,0018')).toBe(dumpValue(corpusFile('MR_small.dcm'), '0008,0018'));
    expect(dumpValue(join(out, 'inner/pack.zip/s1/ct.dcm'), '0002,0010')).toBe('[1.2.840.10008.1.2.1]');
  });

  it('rejects an unknown operation and a missing -o with exit 2', () => {
    expect(cli(['batch', 'frobnicate', input]).status).toBe(2);
    expect(cli(['batch', 'decompress', input]).status).toBe(2);
    expect(cli(['batch', 'decompress', input, '-o', join(input, 'inside')]).status).toBe(2);
  });
});
