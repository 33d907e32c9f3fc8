// End-to-end tests of `dicom-tools batch` on the built binary (node packages/cli/dist/bin.js). Expectations come
// from the input tree the tests build (which files are DICOM, which are not, which is truncated) and from DCMTK
// (dcmdump), never from our own output.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { writeDicom } from '@dicom-tools/core';
import { corpusFile, enhancedMultiframe } from '@dicom-tools/test-fixtures';
import { PNG } from 'pngjs';
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

/** A new folder `name` in `parent` holding `count` copies of corpus files, f000.dcm..., the i-th a copy of `source(i)`. */
function copies(parent: string, name: string, count: number, source: (i: number) => string): string {
  const folder = join(parent, name);
  mkdirSync(folder);
  for (let i = 0; i < count; i++) copyFileSync(corpusFile(source(i)), join(folder, `f${String(i).padStart(3, '0')}.dcm`));
  return folder;
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
  readonly counts: { readonly processed: number; readonly ok: number; readonly failed: number; readonly skipped: number; readonly cancelled?: number };
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
/** `text` for a regular expression, its special characters escaped. */
const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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
    // The failure from a worker thread names its file once.
    const failure = run.stderr.split('\n').filter((line) => line.includes('CORE_TRUNCATED'));
    expect(failure).toEqual([expect.stringMatching(/^dicom-tools: [^:]+cut\.dcm: truncated: element \(7FE0,0010\)/)]);
    expect(failure[0]!.split(join(input, TRUNCATED)).length).toBe(2);
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
    // With --json the failure is on stderr too, as for every command.
    expect(run.stderr).toMatch(new RegExp(`^dicom-tools: ${escaped(join(input, TRUNCATED))}: truncated: .*\\[CORE_TRUNCATED\\]$`, 'm'));
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
    const many = copies(dir, 'many', 120, (i) => (i % 2 === 0 ? 'MR_small_RLE.dcm' : 'CT_small.dcm'));
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

  it.each(['SIGINT', 'SIGTERM'] as const)('%s finishes the files in flight (worker threads), reports the rest as not done, leaves no partial or temporary file, exits 130', async (signal) => {
    const many = copies(dir, 'many', 300, () => 'MR_small_RLE.dcm');
    // Last in the walk, not DICOM: had the interrupted walk read it, it would be skipped as "not DICOM".
    writeFileSync(join(many, 'zz-notes.txt'), 'not DICOM at all\n'.repeat(50));
    const out = join(dir, 'out');
    const reportPath = join(dir, 'report.json');
    const child = spawn(process.execPath, [BIN, 'batch', 'decompress', many, '-o', out, '--jobs', '2', '--report', reportPath], { stdio: 'ignore' });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    for (let tries = 0; tries < 2000 && tree(out).length < 5; tries++) await new Promise((r) => setTimeout(r, 5));
    child.kill(signal);
    expect(await exited).toBe(130);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    expect(report.cancelled).toBe(true);
    expect(report.counts.failed).toBe(0);
    expect(report.counts.ok).toBeLessThan(300);
    // Every input is in the report: done (ok) or not started (cancelled); none missing, none twice.
    expect(report.counts.ok + report.counts.cancelled!).toBe(301);
    expect(report.counts.cancelled).toBeGreaterThan(0);
    expect(report.files.map((f) => f.input).sort()).toEqual(readdirSync(many).map((n) => join(many, n)).sort());
    expect(report.files.filter((f) => f.status === 'cancelled').every((f) => f.output === undefined && /interrupted/.test(f.reason ?? ''))).toBe(true);
    // The files the walk had not looked into when the signal came are listed without being read.
    expect(report.files.find((f) => f.input.endsWith('zz-notes.txt'))).toMatchObject({ status: 'cancelled', reason: expect.stringMatching(/before this file was looked at/) });
    const outputs = report.files.filter((f) => f.status === 'ok').map((f) => relative(out, f.output ?? '')).sort();
    expect(tree(out)).toEqual(outputs); // every finished file reported, nothing else (no partial, no temporary) in OUT
    for (const rel of outputs) expect(dumpValue(join(out, rel), '0002,0010')).toBe('[1.2.840.10008.1.2.1]'); // complete files
  });

  it('a second signal exits 130 at once, and what it leaves under a final name is complete', async () => {
    const many = copies(dir, 'many', 200, () => 'MR_small_RLE.dcm');
    const full = join(dir, 'full');
    expect(cli(['batch', 'decompress', many, '-o', full, '--jobs', '1']).status).toBe(0);
    const out = join(dir, 'out');
    const reportPath = join(dir, 'report.json');
    const child = spawn(process.execPath, [BIN, 'batch', 'decompress', many, '-o', out, '--jobs', '2', '--report', reportPath], { stdio: 'ignore' });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    for (let tries = 0; tries < 2000 && tree(out).length < 5; tries++) await new Promise((r) => setTimeout(r, 5));
    // Ctrl-C, then a SIGTERM right behind it (two SIGINTs sent back to back may reach the process as one: signals of
    // one kind are not queued).
    child.kill('SIGINT');
    child.kill('SIGTERM');
    expect(await exited).toBe(130);
    const visible = tree(out).filter((f) => !f.split('/').at(-1)!.startsWith('.'));
    expect(visible.length).toBeLessThan(200);
    for (const rel of visible) expect(readFileSync(join(out, rel)).equals(readFileSync(join(full, rel)))).toBe(true);
    // It did not wait for the files in flight and the report, as after one signal (the test above).
    expect(existsSync(reportPath)).toBe(false);
  });

  it('--progress draws a bar with rate and ETA on stderr (not a terminal) and nothing of it on stdout', () => {
    const run = cli(['batch', 'decompress', input, '-o', join(dir, 'p'), '--jobs', '2', '--progress']);
    expect(run.status).toBe(3);
    // 4 DICOM files + the truncated one: the last line shows them all done.
    expect(run.stderr).toMatch(/\[#{24}\] 5\/5 100%, 1 failed, [0-9]+\.[0-9] files\/s, ETA 0:00\n/);
    expect(run.stdout).not.toMatch(/files\/s|ETA|#/);
    expect(cli(['batch', 'decompress', input, '-o', join(dir, 'q'), '--jobs', '2']).stderr).not.toMatch(/files\/s|ETA/); // off when not a terminal
  });

  it('on a terminal (a pty from script(1)) the bar redraws one line with rate and ETA on stderr; stdout stays clean', () => {
    const script = '/usr/bin/script';
    if (!existsSync(script)) throw new Error(`${script} is missing: apt-get install -y bsdutils`);
    const stdoutFile = join(dir, 'stdout.txt');
    const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, BIN, 'batch', 'decompress', input, '-o', join(dir, 't'), '--jobs', '2'].map(quote).join(' ');
    // Inside the pty stderr is the terminal; stdout goes to a file, so what script(1) prints is stderr alone.
    const run = spawnSync(script, ['-qec', `${command} > ${quote(stdoutFile)}`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(run.status).toBe(3);
    expect(run.stdout).toMatch(/\r\[[#-]{24}\] [0-9]+\/5 [0-9]+%, [01] failed, [0-9]+\.[0-9] files\/s, ETA [0-9]+:[0-9]{2}\x1b\[K/);
    expect(run.stdout).toContain('CORE_TRUNCATED');
    const stdout = readFileSync(stdoutFile, 'utf8');
    expect(stdout).toMatch(/^processed 4 files, 1 failed, 4 skipped$/m);
    expect(stdout).not.toMatch(/files\/s|ETA|\r/);
  });

  it('convert writes every frame of a multi-frame file as NAME_fNNNN.png, each equal to its input frame through the file window', () => {
    const frames = 3;
    const rows = 64;
    const columns = 64;
    const mf = join(dir, 'mf');
    mkdirSync(mf);
    const file = enhancedMultiframe({ frames, rows, columns });
    writeFileSync(join(mf, 'enh.dcm'), writeDicom(file));
    const out = join(dir, 'mf-out');
    const run = cli(['batch', 'convert', mf, '-o', out, '--json']);
    expect(run.status).toBe(0);
    const names = Array.from({ length: frames }, (_, k) => `enh_f${String(k + 1).padStart(4, '0')}.png`);
    expect(tree(out)).toEqual(names);
    const entry = (JSON.parse(run.stdout) as { files: { output?: string; detail?: { outputs?: string[] } }[] }).files[0];
    expect(entry?.detail?.outputs).toEqual(names.map((n) => join(out, n)));
    // Expected from the input's Pixel Data bytes: 16-bit little-endian cells, 12 bits stored, rescale -1024 + 1 x,
    // the shared window 40/400 by PS3.3 C.11.2.1.2.1 (LINEAR) onto 0..255.
    const pixelData = file.dataset.elements.get(0x7fe00010)!.value as Uint8Array;
    const view = new DataView(pixelData.buffer, pixelData.byteOffset, pixelData.byteLength);
    const [c, w] = [40, 400];
    const windowed = (x: number): number => {
      if (x <= c - 0.5 - (w - 1) / 2) return 0;
      if (x > c - 0.5 + (w - 1) / 2) return 255;
      return ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
    };
    let between = 0;
    for (let k = 0; k < frames; k++) {
      const png = PNG.sync.read(readFileSync(join(out, names[k]!)));
      expect([png.width, png.height]).toEqual([columns, rows]);
      for (let i = 0; i < rows * columns; i++) {
        const stored = view.getUint16((k * rows * columns + i) * 2, true) & 0x0fff;
        const expected = windowed(stored - 1024);
        if (expected > 0 && expected < 255) between++;
        expect(Math.abs(png.data[i * 4]! - expected)).toBeLessThanOrEqual(1);
      }
    }
    expect(between).toBeGreaterThan(500); // the window cuts through the pattern: the check is not all black and white
    expect(cli(['batch', 'convert', mf, '-o', out, '--resume', '--json']).stdout).toContain('"action": "resumed"');
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

  it('worker threads (the default with --jobs 2, or --workers with --jobs 1) give the same report and byte-identical outputs as --no-workers', () => {
    const plain = join(dir, 'plain');
    expect(cli(['batch', 'decompress', input, '-o', plain, '--jobs', '2', '--no-workers']).status).toBe(3);
    for (const flags of [['--jobs', '2'], ['--jobs', '1', '--workers']]) {
      const threaded = join(dir, `threaded${flags.join('')}`);
      const run = cli(['batch', 'decompress', input, '-o', threaded, ...flags, '--json']);
      expect(run.status).toBe(3);
      expectExactReport(JSON.parse(run.stdout) as Report, 'decompress');
      expect(tree(threaded)).toEqual(tree(plain));
      for (const rel of tree(plain)) expect(readFileSync(join(threaded, rel)).equals(readFileSync(join(plain, rel)))).toBe(true);
    }
    // Started through a symlink (as npm's bin links do), the worker module is still found beside the real bin.js.
    const link = join(dir, 'dicom-tools');
    symlinkSync(BIN, link);
    const linked = spawnSync(process.execPath, [link, 'batch', 'decompress', input, '-o', join(dir, 'linked'), '--workers', '--jobs', '2', '-q'], { encoding: 'utf8' });
    expect(linked.status).toBe(3);
    expect(tree(join(dir, 'linked'))).toEqual(tree(plain));
  });

  it('runs in worker threads by default with --jobs 2: the process has more threads than with --no-workers', async () => {
    const many = join(dir, 'threads');
    mkdirSync(many);
    for (let i = 0; i < 80; i++) copyFileSync(corpusFile('MR_small_RLE.dcm'), join(many, `f${i}.dcm`));
    /** The most threads /proc shows for the run (sampled every few milliseconds). */
    const peakThreads = async (flags: readonly string[]): Promise<number> => {
      const child = spawn(process.execPath, [BIN, 'batch', 'decompress', many, '-o', join(dir, `t${flags.join('')}`), '--jobs', '2', ...flags], { stdio: 'ignore' });
      let exited = false;
      const done = new Promise<number | null>((resolveExit) => child.on('exit', (code) => { exited = true; resolveExit(code); }));
      let peak = 0;
      while (!exited) {
        try {
          peak = Math.max(peak, Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0));
        } catch {
          // exited between the check and the read
        }
        await new Promise((r) => setTimeout(r, 3));
      }
      expect(await done).toBe(0);
      return peak;
    };
    const inThread = await peakThreads(['--no-workers']);
    const threaded = await peakThreads([]);
    expect(inThread).toBeGreaterThan(0);
    expect(threaded).toBeGreaterThan(inThread); // each worker is a thread of its own (11 vs 13 here)
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

  it('streams a .tar.gz: 320 MB of members pass through a process that peaks far below that (one member in memory at a time)', () => {
    const time = '/usr/bin/time';
    if (!existsSync(time)) throw new Error(`${time} is missing: apt-get install -y time`);
    const archive = join(dir, 'big.tar.gz');
    const script = [
      'import sys, tarfile, io',
      'with tarfile.open(sys.argv[1], "w:gz", compresslevel=1) as t:',
      '    t.add(sys.argv[2], "ct.dcm")',
      '    z = bytes(4 << 20)',
      '    for i in range(80):',
      '        info = tarfile.TarInfo("zeros/%03d.bin" % i); info.size = len(z); t.addfile(info, io.BytesIO(z))',
    ].join('\n');
    const py = spawnSync('/usr/bin/python3', ['-c', script, archive, corpusFile('CT_small.dcm')], { encoding: 'utf8' });
    expect(py.stderr).toBe('');
    const reportPath = join(dir, 'big-report.json');
    const run = spawnSync(time, ['-f', 'maxrss=%M', process.execPath, BIN, 'batch', 'validate', archive, '--jobs', '1', '-q', '--report', reportPath], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect((JSON.parse(readFileSync(reportPath, 'utf8')) as Report).counts).toEqual({ processed: 1, ok: 1, failed: 0, skipped: 80 });
    const maxRssKb = Number(/maxrss=(\d+)/.exec(run.stderr)?.[1]);
    expect(maxRssKb).toBeGreaterThan(0);
    expect(maxRssKb).toBeLessThan(200 * 1024); // reading the archive whole would take over 320 MB
  });

  it('names the file of every failure once: errors that do not name one (no Pixel Data to convert) and errors that do (truncated), in and out of worker threads, and in organize and search', () => {
    const mixed = join(dir, 'mixed');
    mkdirSync(mixed);
    copyFileSync(corpusFile('CT_small.dcm'), join(mixed, 'ct.dcm'));
    copyFileSync(corpusFile('test-SR.dcm'), join(mixed, 'sr.dcm'));
    copyFileSync(corpusFile('MR_truncated.dcm'), join(mixed, 'cut.dcm'));
    const expected = [
      `dicom-tools: ${join(mixed, 'cut.dcm')}: truncated: element (7FE0,0010) PixelData`,
      `dicom-tools: ${join(mixed, 'sr.dcm')}: the data set has no Pixel Data, Float Pixel Data or Double Float Pixel Data [CORE_INVALID_VALUE]`,
    ];
    const failures = (run: Run): string[] => run.stderr.split('\n').filter((line) => line.startsWith('dicom-tools: ')).sort();
    for (const jobs of [['--jobs', '2'], ['--no-workers']]) {
      const run = cli(['batch', 'convert', mixed, '-o', join(dir, `png${jobs.join('')}`), ...jobs]);
      expect(run.status).toBe(3);
      const lines = failures(run);
      expect(lines).toHaveLength(2);
      expect(lines[0]!.startsWith(expected[0]!)).toBe(true);
      expect(lines[1]).toBe(expected[1]);
    }
    // organize and search read headers only: a header cut short.
    const headers = join(dir, 'headers');
    mkdirSync(headers);
    copyFileSync(corpusFile('CT_small.dcm'), join(headers, 'ct.dcm'));
    writeFileSync(join(headers, 'head.dcm'), readFileSync(corpusFile('CT_small.dcm')).subarray(0, 1000));
    for (const args of [['organize', headers, '-o', join(dir, 'organized')], ['search', headers, '-w', 'Modality=CT']]) {
      const run = cli(args);
      expect(run.status).toBe(3);
      const lines = failures(run);
      expect(lines).toEqual([expect.stringMatching(/CORE_TRUNCATED\]$/)]);
      expect(lines[0]!.startsWith(`dicom-tools: ${join(headers, 'head.dcm')}: truncated: `)).toBe(true);
    }
  });

  it('mirrors two inputs with the same folder name into two folders (data, data-2): no output written over another', () => {
    for (const [parent, source] of [['x', 'MR_small.dcm'], ['y', 'CT_small.dcm']] as const) {
      mkdirSync(join(dir, parent, 'data'), { recursive: true });
      copyFileSync(corpusFile(source), join(dir, parent, 'data', 'img.dcm'));
    }
    for (const jobs of [['--jobs', '2'], ['--no-workers']]) {
      const out = join(dir, `same-names${jobs.join('')}`);
      const run = cli(['batch', 'transcode', '-s', 'rle', join(dir, 'x', 'data'), join(dir, 'y', 'data'), '-o', out, ...jobs]);
      expect(run.status).toBe(0);
      expect(tree(out)).toEqual(['data-2/img.dcm', 'data/img.dcm']);
      expect(dumpValue(join(out, 'data', 'img.dcm'), '0008,0060')).toBe('[MR]');
      expect(dumpValue(join(out, 'data-2', 'img.dcm'), '0008,0060')).toBe('[CT]');
    }
  });

  it('rejects an unknown operation and a missing -o with exit 2', () => {
    expect(cli(['batch', 'frobnicate', input]).status).toBe(2);
    expect(cli(['batch', 'decompress', input]).status).toBe(2);
    expect(cli(['batch', 'decompress', input, '-o', join(input, 'inside')]).status).toBe(2);
  });
});
