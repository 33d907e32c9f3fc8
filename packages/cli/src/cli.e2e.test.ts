// End-to-end tests of the built `dicom-tools` binary: each test spawns `node packages/cli/dist/bin.js` and
// checks stdout, stderr and the exit code. Expected values come from DCMTK's dcmdump, dicom3tools' dciodvfy,
// the input bytes, or the package's own package.json, never from our own output.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { corpusFile } from '@dicom-tools/test-fixtures';

const PACKAGE_DIR = resolve(__dirname, '..');
const BIN = join(PACKAGE_DIR, 'dist', 'bin.js');
const DCMDUMP = '/usr/bin/dcmdump';
const DCIODVFY = '/usr/bin/dciodvfy';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[], options: { cwd?: string } = {}): Run {
  const result: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: options.cwd ?? PACKAGE_DIR,
    env: { ...process.env, NO_COLOR: '1', DEBUG: '' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function peer(path: string, args: readonly string[]): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: install it (apt-get install -y dcmtk dicom3tools), as .ci/run does`);
  const result = spawnSync(path, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return `${result.stdout}${result.stderr}`;
}

/**
 * `dcmdump -Un +L FILE`: UIDs as numbers, long values in full; with `utf8`, text converted to UTF-8 (`+U8`,
 * which also shows (0008,0005) as "ISO_IR 192").
 */
function dcmdump(file: string, options: { utf8?: boolean } = {}): string {
  return peer(DCMDUMP, ['-Un', '+L', ...(options.utf8 === true ? ['+U8'] : []), file]);
}

/** One element line of a dcmdump-style listing. */
interface DumpLine {
  readonly indent: number;
  readonly tag: string;
  readonly vr: string;
  readonly value: string;
  readonly length: string;
  readonly vm: number;
}

const LINE = /^( *)\(([0-9a-fA-F]{4}),([0-9a-fA-F]{4})\) (\S\S) (.*?) +# *(\d+|u\/l|-), *(\d+) \S+.*$/;

/**
 * Element lines of a dump (dcmdump's or ours), tags in lower case. dcmdump prints control characters in values
 * as they are, so a value with a newline spans lines: those are joined, and control characters become `.`, as
 * our dump shows them.
 */
function parseDump(text: string): DumpLine[] {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (lines.length > 0 && !/^ *(\(|#|$)/.test(line)) lines[lines.length - 1] += `\n${line}`;
    else lines.push(line);
  }
  const out: DumpLine[] = [];
  for (const line of lines.map((l) => l.replace(/[\u0000-\u001f\u007f-\u009f]/g, '.'))) {
    const m = LINE.exec(line);
    if (!m) continue;
    out.push({ indent: m[1]!.length, tag: `${m[2]!},${m[3]!}`.toLowerCase(), vr: m[4]!, value: m[5]!, length: m[6]!, vm: Number(m[7]) });
  }
  return out;
}

/** The value of a top-level element in dcmdump's output, brackets removed. */
function dumpedValue(dump: string, tag: string): string {
  const line = parseDump(dump).find((l) => l.indent === 0 && l.tag === tag.toLowerCase());
  if (!line) throw new Error(`dcmdump shows no ${tag}`);
  return line.value.replace(/^\[|\]$/g, '');
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

let tmp: string;
function tempCopy(name: string): string {
  const path = join(tmp, `${Math.random().toString(36).slice(2)}-${name}`);
  copyFileSync(corpusFile(name), path);
  return path;
}

beforeAll(() => {
  if (!existsSync(BIN)) {
    throw new Error(
      `${BIN} does not exist: build first (pnpm test does; or npx tsc -p packages/core/tsconfig.build.json && npx tsc -p packages/cli/tsconfig.build.json)`,
    );
  }
  tmp = mkdtempSync(join(tmpdir(), 'dicom-tools-cli-e2e-'));
});

afterAll(() => {
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe('dicom-tools (program)', () => {
  it('prints the version from its package.json with --version and exits 0', () => {
    const { version } = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
    const run = cli(['--version']);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(version);
  });

  it('lists every command and the seed aliases with --help and exits 0', () => {
    const run = cli(['--help']);
    expect(run.status).toBe(0);
    for (const name of ['info', 'dump', 'list-tags|list_tags', 'validate', 'modify-tag|modify_tag', 'modify-tags|modify_tags_batch']) {
      expect(run.stdout).toContain(name);
    }
    expect(run.stderr).toBe('');
  });

  it('shows help for one command with COMMAND --help and exits 0', () => {
    const run = cli(['modify-tag', '--help']);
    expect(run.status).toBe(0);
    for (const flag of ['--tag', '--value', '--delete', '--output', '--in-place', '--dry-run', '--json', '--quiet']) expect(run.stdout).toContain(flag);
  });

  it('rejects an unknown command with exit 2 and one line naming it on stderr', () => {
    const run = cli(['frobnicate', 'x.dcm']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^dicom-tools: unknown command 'frobnicate'/);
  });

  it('rejects an unknown option with exit 2', () => {
    const run = cli(['info', '--no-such-flag', corpusFile('CT_small.dcm')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown option '--no-such-flag'");
  });

  it('exits 2 with help on stderr when called without a command', () => {
    const run = cli([]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Usage: dicom-tools');
  });

  it('does not load @dicom-tools/core for --help: no static import path from bin.js reaches it', () => {
    // Follows the static imports of the built files from bin.js; commands are dynamic imports and are not followed.
    const seen = new Set<string>();
    const bare = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(/^\s*import\s+(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
        const specifier = m[1]!;
        if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
        else bare.add(specifier);
      }
    };
    visit(BIN);
    expect(seen.size).toBeGreaterThan(1);
    expect([...bare].filter((s) => s.startsWith('@dicom-tools/'))).toEqual([]);
  });
});

describe('dicom-tools info', () => {
  it('summarizes CT_small.dcm with the values dcmdump shows', () => {
    const file = corpusFile('CT_small.dcm');
    const dump = dcmdump(file);
    const run = cli(['info', file]);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    for (const tag of ['0010,0010', '0010,0020', '0020,000d', '0008,0060', '0008,0070']) {
      expect(run.stdout).toContain(dumpedValue(dump, tag));
    }
  });

  it('prints typed JSON with --json: numbers as numbers, the file size, the transfer syntax UID', () => {
    const file = corpusFile('CT_small.dcm');
    const dump = dcmdump(file);
    const run = cli(['info', '--json', file]);
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout) as {
      patient: { name: string }; image: { rows: number; columns: number }; series: { modality: string };
      transferSyntax: { uid: string }; compressed: boolean; fileSize: number;
    };
    expect(summary.patient.name).toBe(dumpedValue(dump, '0010,0010'));
    expect(summary.image.rows).toBe(Number(dumpedValue(dump, '0028,0010')));
    expect(summary.image.columns).toBe(Number(dumpedValue(dump, '0028,0011')));
    expect(summary.series.modality).toBe(dumpedValue(dump, '0008,0060'));
    expect(summary.transferSyntax.uid).toBe(dumpedValue(dump, '0002,0010'));
    expect(summary.compressed).toBe(false);
    expect(summary.fileSize).toBe(statSync(file).size);
  });

  it('reports a JPEG 2000 file as compressed', () => {
    const run = cli(['info', '--json', corpusFile('JPEG2000.dcm')]);
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as { compressed: boolean }).compressed).toBe(true);
  });

  it('exits 1 with one CORE_NOT_DICOM line naming a file that is not DICOM', () => {
    const file = join(tmp, 'notes.txt');
    writeFileSync(file, 'just some text, not DICOM at all\n'.repeat(10));
    const run = cli(['info', file]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`dicom-tools: ${file}: not a DICOM file: no DICM magic at byte 128 and no recognisable data set at byte 0 [CORE_NOT_DICOM]\n`);
  });

  it('exits 1 with one CORE_IO line naming a missing file', () => {
    const file = join(tmp, 'does-not-exist.dcm');
    const run = cli(['info', file]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stderr).toMatch(/^dicom-tools: .*does-not-exist\.dcm: .*\[CORE_IO\]\n$/);
  });
});

describe('dicom-tools dump', () => {
  // dcmdump formats FL/FD/OF/OD numbers its own way and names SQ/item lines differently; everything else,
  // line by line (tag, nesting, VR, value, length, VM), must agree.
  // (0008,0005) is left out: dcmdump +U8 shows (or adds) it as ISO_IR 192 once it has converted the text.
  const comparable = (l: DumpLine): boolean => !['FL', 'FD', 'OF', 'OD'].includes(l.vr) && !l.tag.startsWith('fffe,');

  it.each(['CT_small.dcm', 'MR_small.dcm', 'rtstruct.dcm', 'MR_small_bigendian.dcm', 'test-SR.dcm'])(
    'agrees with dcmdump on the elements, nesting, VRs, values, lengths and VMs of %s',
    (name) => {
      const file = corpusFile(name);
      const charset = (l: DumpLine): boolean => l.tag === '0008,0005';
      // Values from the UTF-8 dump, lengths (bytes in the file's own character set) from the plain one.
      const plain = parseDump(dcmdump(file)).filter((l) => !charset(l));
      const theirs = parseDump(dcmdump(file, { utf8: true })).filter((l) => !charset(l)).map((l, i) => ({ ...l, length: plain[i]!.length }));
      expect(plain).toHaveLength(theirs.length);
      const run = cli(['dump', '--full', file]);
      expect(run.status).toBe(0);
      const ours = parseDump(run.stdout).filter((l) => !charset(l));
      // Same elements in the same order at the same depth, items and delimiters included.
      expect(ours.map((l) => `${l.indent} ${l.tag}`)).toEqual(theirs.map((l) => `${l.indent} ${l.tag}`));
      const norm = (l: DumpLine): string => (l.vr === 'SQ' ? `SQ #=${/#=(\d+)/.exec(l.value)?.[1]}` : `${l.vr} ${l.value} ${l.length},${l.vm}`);
      const pairs = ours.map((l, i) => [l, theirs[i]!] as const).filter(([, t]) => comparable(t));
      expect(pairs.length).toBeGreaterThan(20);
      expect(pairs.map(([o]) => norm(o))).toEqual(pairs.map(([, t]) => norm(t)));
    },
  );

  it('abbreviates long binary values without --full', () => {
    const file = corpusFile('CT_small.dcm');
    const run = cli(['dump', file]);
    expect(run.status).toBe(0);
    const pixel = parseDump(run.stdout).find((l) => l.tag === '7fe0,0010');
    expect(pixel?.value.endsWith('...')).toBe(true);
    expect(pixel!.value.length).toBeLessThan(80);
    expect(pixel!.length).toBe(dumpedLength(dcmdump(file), '7fe0,0010'));
  });

  it('prints the data set as DICOM JSON with --json, and the file meta too with --with-meta', () => {
    const file = corpusFile('CT_small.dcm');
    const dump = dcmdump(file);
    const plain = cli(['dump', '--json', file]);
    expect(plain.status).toBe(0);
    const json = JSON.parse(plain.stdout) as Record<string, { vr: string; Value?: unknown[] }>;
    expect(json['00100010']).toEqual({ vr: 'PN', Value: [{ Alphabetic: dumpedValue(dump, '0010,0010') }] });
    expect(json['00280010']).toEqual({ vr: 'US', Value: [Number(dumpedValue(dump, '0028,0010'))] });
    expect(Object.keys(json).some((k) => k.startsWith('0002'))).toBe(false);
    const withMeta = JSON.parse(cli(['dump', '--json', '--with-meta', file]).stdout) as Record<string, { vr: string; Value?: unknown[] }>;
    expect(withMeta['00020010']).toEqual({ vr: 'UI', Value: [dumpedValue(dump, '0002,0010')] });
  });

  it('exits 1 with CORE_TRUNCATED naming MR_truncated.dcm', () => {
    const run = cli(['dump', corpusFile('MR_truncated.dcm')]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^dicom-tools: .*MR_truncated\.dcm: truncated: .*\[CORE_TRUNCATED\]\n$/);
  });
});

function dumpedLength(dump: string, tag: string): string {
  const line = parseDump(dump).find((l) => l.indent === 0 && l.tag === tag);
  if (!line) throw new Error(`dcmdump shows no ${tag}`);
  return line.length;
}

describe('dicom-tools list-tags', () => {
  it('lists the top-level elements dcmdump shows, with their VRs and lengths, in order', () => {
    const file = corpusFile('CT_small.dcm');
    const theirs = parseDump(dcmdump(file)).filter((l) => l.indent === 0 && !l.tag.startsWith('fffe,'));
    const run = cli(['list-tags', '--json', file]);
    expect(run.status).toBe(0);
    const rows = JSON.parse(run.stdout) as Array<{ tag: string; vr: string; length: number | null; vm: number }>;
    expect(rows.map((r) => `${r.tag.toLowerCase()} ${r.vr}`)).toEqual(theirs.map((l) => `(${l.tag}) ${l.vr}`));
    const lengths = rows.map((r, i) => [r.length, theirs[i]!] as const).filter(([, t]) => t.vr !== 'SQ');
    expect(lengths.map(([length]) => String(length))).toEqual(lengths.map(([, t]) => t.length));
  });

  it('prints one text line per element and works under the alias list_tags', () => {
    const file = corpusFile('CT_small.dcm');
    const count = parseDump(dcmdump(file)).filter((l) => l.indent === 0 && !l.tag.startsWith('fffe,')).length;
    const run = cli(['list_tags', file]);
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(count + 1); // a header line, then one per element
    expect(lines.find((l) => l.startsWith('(0010,0010)'))).toMatch(/^\(0010,0010\)\s+PN\s+1\s+22\s+PatientName$/);
  });

  it('lists elements inside sequence items with their paths with --recursive', () => {
    const run = cli(['list-tags', '--recursive', '--json', corpusFile('CT_small.dcm')]);
    expect(run.status).toBe(0);
    const paths = (JSON.parse(run.stdout) as Array<{ path: string }>).map((r) => r.path);
    expect(paths).toContain('OtherPatientIDsSequence[1].PatientID');
  });
});

describe('dicom-tools validate', () => {
  it('exits 0 for files dciodvfy finds no errors in', () => {
    const files = ['CT_small.dcm', 'MR_small.dcm'].map(corpusFile);
    for (const file of files) expect(peer(DCIODVFY, [file])).not.toMatch(/^Error/m);
    const run = cli(['validate', ...files]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/CT_small\.dcm: valid/);
    expect(run.stdout).toMatch(/MR_small\.dcm: valid/);
  });

  it('exits 1 and names the attribute when a Type 1 attribute is removed (dciodvfy agrees it is an error)', () => {
    const file = join(tmp, 'no-modality.dcm');
    expect(cli(['modify-tag', corpusFile('CT_small.dcm'), '--delete', 'Modality', '-o', file]).status).toBe(0);
    expect(peer(DCIODVFY, [file])).toMatch(/^Error.*Modality/m);
    const run = cli(['validate', file]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/invalid/);
    expect(run.stdout).toMatch(/\(0008,0060\).*Modality/);
    const json = JSON.parse(cli(['validate', '--json', file]).stdout) as {
      valid: boolean; files: Array<{ valid: boolean; findings: Array<{ severity: string; tag?: string; keyword?: string }> }>;
    };
    expect(json.valid).toBe(false);
    expect(json.files[0]!.findings).toContainEqual(expect.objectContaining({ severity: 'error', tag: '(0008,0060)', keyword: 'Modality' }));
  });

  it('exits 2 for a file that is not DICOM and for a missing file, one stderr line each', () => {
    const text = join(tmp, 'readme.txt');
    writeFileSync(text, 'hello\n'.repeat(100));
    const missing = join(tmp, 'missing.dcm');
    const run = cli(['validate', corpusFile('CT_small.dcm'), text, missing]);
    expect(run.status).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`dicom-tools: ${text}: not a DICOM file: no DICM magic at byte 128 and no recognisable data set at byte 0 [CORE_NOT_DICOM]`);
    expect(lines[1]).toMatch(/missing\.dcm: .*\[CORE_IO\]$/);
    expect(run.stdout).toMatch(/CT_small\.dcm: valid/);
  });

  it('gives unreadable files an error entry in --json output', () => {
    const run = cli(['validate', '--json', corpusFile('MR_truncated.dcm')]);
    expect(run.status).toBe(2);
    const json = JSON.parse(run.stdout) as { valid: boolean; files: Array<{ readable: boolean; error?: { code: string } }> };
    expect(json.valid).toBe(false);
    expect(json.files[0]).toMatchObject({ readable: false, error: { code: 'CORE_TRUNCATED' } });
  });

  it('stops with exit 130 and "interrupted" on SIGINT', async () => {
    const dir = dirname(corpusFile('CT_small.dcm'));
    const child = spawn(process.execPath, [BIN, 'validate', ...Array<string>(5000).fill('CT_small.dcm')], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const status = await new Promise<number | null>((done) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (stdout === '') child.kill('SIGINT'); // the first result is out: the SIGINT handler is in place
        stdout += chunk.toString();
      });
      child.on('close', (code) => done(code));
    });
    expect(status).toBe(130);
    expect(stderr).toBe('dicom-tools: interrupted\n');
    expect(stdout.trim().split('\n').length).toBeLessThan(5000);
  });

  it('prints nothing on stdout with --quiet but keeps the exit code', () => {
    const run = cli(['validate', '--quiet', corpusFile('CT_small.dcm')]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
  });
});

describe('dicom-tools modify-tag', () => {
  it('writes the new value to -o, which dcmdump reads back, and leaves the input untouched', () => {
    const input = corpusFile('CT_small.dcm');
    const before = sha256(input);
    const output = join(tmp, 'renamed.dcm');
    const run = cli(['modify-tag', input, '--tag', 'PatientName', '--value', 'New^Name', '-o', output]);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const dump = dcmdump(output);
    expect(dump).not.toMatch(/^[EW]: /m);
    expect(dumpedValue(dump, '0010,0010')).toBe('New^Name');
    expect(dumpedValue(dump, '0010,0020')).toBe(dumpedValue(dcmdump(input), '0010,0020'));
    expect(sha256(input)).toBe(before);
  });

  it('applies repeated --tag/--value pairs and --delete in one run', () => {
    const output = join(tmp, 'several.dcm');
    const run = cli(['modify-tag', corpusFile('CT_small.dcm'), '--tag', 'PatientID', '--value', 'ID42', '--tag', '(0008,1030)', '--value', 'Head', '--delete', 'InstitutionName', '-o', output]);
    expect(run.status).toBe(0);
    const dump = dcmdump(output);
    expect(dumpedValue(dump, '0010,0020')).toBe('ID42');
    expect(dumpedValue(dump, '0008,1030')).toBe('Head');
    expect(parseDump(dump).some((l) => l.tag === '0008,0080')).toBe(false);
  });

  it('prints what would change with --dry-run and writes nothing', () => {
    const input = tempCopy('CT_small.dcm');
    const before = sha256(input);
    const output = join(tmp, 'dry-run-output.dcm');
    const run = cli(['modify-tag', input, '--tag', 'PatientName', '--value', 'Dry^Run', '-o', output, '--dry-run']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('PatientName');
    expect(run.stdout).toContain('Dry^Run');
    expect(existsSync(output)).toBe(false);
    expect(sha256(input)).toBe(before);
    const json = JSON.parse(cli(['modify-tag', input, '--tag', 'PatientName', '--value', 'Dry^Run', '--dry-run', '--json']).stdout) as { dryRun: boolean; changes: unknown[] };
    expect(json.dryRun).toBe(true);
    expect(json.changes).toHaveLength(1);
    expect(sha256(input)).toBe(before);
  });

  it('refuses with exit 2 to write without -o or --in-place, and leaves the file alone', () => {
    const input = tempCopy('CT_small.dcm');
    const before = sha256(input);
    const run = cli(['modify-tag', input, '--tag', 'PatientName', '--value', 'X^Y']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--in-place');
    expect(sha256(input)).toBe(before);
  });

  it('refuses with exit 2 an -o that names the input file', () => {
    const input = tempCopy('CT_small.dcm');
    const before = sha256(input);
    const run = cli(['modify-tag', input, '--tag', 'PatientName', '--value', 'X^Y', '-o', input]);
    expect(run.status).toBe(2);
    expect(sha256(input)).toBe(before);
  });

  it('overwrites a copy with --in-place', () => {
    const input = tempCopy('CT_small.dcm');
    const run = cli(['modify_tag', input, '--tag', 'PatientName', '--value', 'In^Place', '--in-place']);
    expect(run.status).toBe(0);
    expect(dumpedValue(dcmdump(input), '0010,0010')).toBe('In^Place');
  });

  it('exits 2 when --tag and --value do not pair up, or the tag is not a keyword', () => {
    expect(cli(['modify-tag', corpusFile('CT_small.dcm'), '--tag', 'PatientName', '--dry-run']).status).toBe(2);
    const run = cli(['modify-tag', corpusFile('CT_small.dcm'), '--tag', 'NoSuchKeyword', '--value', 'x', '--dry-run']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('[CORE_INVALID_TAG]');
  });

  it('exits 1 naming the file when a value does not fit the VR', () => {
    const run = cli(['modify-tag', corpusFile('CT_small.dcm'), '--tag', 'StudyDate', '--value', 'yesterday', '--dry-run']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^dicom-tools: .*CT_small\.dcm: .*\[CORE_INVALID_VALUE\]\n$/);
  });

  it('exits 1 naming a missing input file', () => {
    const run = cli(['modify-tag', join(tmp, 'gone.dcm'), '--tag', 'PatientName', '--value', 'A^B', '-o', join(tmp, 'gone-out.dcm')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/gone\.dcm: .*\[CORE_IO\]/);
  });
});

describe('dicom-tools modify-tags', () => {
  it('applies a JSON object of edits given inline, checked with dcmdump', () => {
    const output = join(tmp, 'batch-inline.dcm');
    const run = cli(['modify-tags', corpusFile('CT_small.dcm'), '--modifications', '{"PatientName":"Batch^Inline","InstitutionName":null}', '-o', output]);
    expect(run.status).toBe(0);
    const dump = dcmdump(output);
    expect(dumpedValue(dump, '0010,0010')).toBe('Batch^Inline');
    expect(parseDump(dump).some((l) => l.tag === '0008,0080')).toBe(false);
  });

  it('reads the edits from @file and works under the alias modify_tags_batch', () => {
    const edits = join(tmp, 'edits.json');
    writeFileSync(edits, JSON.stringify({ PatientID: 'FROM-FILE' }));
    const output = join(tmp, 'batch-file.dcm');
    const run = cli(['modify_tags_batch', corpusFile('CT_small.dcm'), '--modifications', `@${edits}`, '-o', output]);
    expect(run.status).toBe(0);
    expect(dumpedValue(dcmdump(output), '0010,0020')).toBe('FROM-FILE');
  });

  it('exits 2 on --modifications that are not JSON, and when the option is missing', () => {
    expect(cli(['modify-tags', corpusFile('CT_small.dcm'), '--modifications', '{not json', '--dry-run']).status).toBe(2);
    expect(cli(['modify-tags', corpusFile('CT_small.dcm'), '--dry-run']).status).toBe(2);
  });

  it('refuses with exit 2 to write without -o or --in-place', () => {
    const input = tempCopy('CT_small.dcm');
    const before = sha256(input);
    expect(cli(['modify-tags', input, '--modifications', '{"PatientID":"X"}']).status).toBe(2);
    expect(sha256(input)).toBe(before);
  });
});
