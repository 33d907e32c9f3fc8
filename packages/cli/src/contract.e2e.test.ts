// End-to-end tests of `dicom-tools contract` on the built binary: one request per operation the CLI offers
// (network operations against a closed port), checked against the documented exit codes and the files on disk.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { corpusFile } from '@dicom-tools/test-fixtures';

const BIN = join(resolve(__dirname, '..'), 'dist', 'bin.js');

interface Answer {
  readonly ok: boolean;
  readonly returncode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly output_files: string[];
  readonly metadata: unknown;
  readonly backend: string;
  readonly operation: string;
}

function contract(request: unknown, via: 'stdin' | 'file' = 'stdin'): { status: number | null; answer: Answer } {
  const args = [BIN, 'contract'];
  let input: string | undefined = JSON.stringify(request);
  if (via === 'file') {
    const path = join(dir, `request-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, input);
    args.push('--request', path);
    input = undefined;
  }
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', ...(input !== undefined ? { input } : {}), env: { ...process.env, NO_COLOR: '1', DEBUG: '' } });
  if (result.error) throw result.error;
  return { status: result.status, answer: JSON.parse(result.stdout) as Answer };
}

/** A TCP port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'contract-e2e-'));
  mkdirSync(join(dir, 'folder'));
  copyFileSync(corpusFile('CT_small.dcm'), join(dir, 'folder', 'ct.dcm'));
  copyFileSync(corpusFile('MR_small.dcm'), join(dir, 'folder', 'mr.dcm'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CT = corpusFile('CT_small.dcm');

describe('dicom-tools contract', () => {
  // op, input, output (relative to the scratch folder), options, expected returncode (docs/cli.md), files expected.
  const cases: [string, string | string[], string | undefined, Record<string, unknown>, number, number][] = [
    ['info', CT, undefined, {}, 0, 0],
    ['dump', CT, undefined, {}, 0, 0],
    ['list_tags', CT, undefined, {}, 0, 0],
    ['validate', corpusFile('MR_truncated.dcm'), undefined, {}, 2, 0], // unreadable: 2
    ['modify_tag', CT, 'edited.dcm', { tag: 'PatientName', value: 'Doe^Jane' }, 0, 1],
    ['modify_tags_batch', CT, 'edited2.dcm', { modifications: '{"PatientID": "X1"}' }, 0, 1],
    ['transcode', CT, 'rle.dcm', { syntax: 'rle' }, 0, 1],
    ['decompress', corpusFile('MR_small_RLE.dcm'), 'plain.dcm', {}, 0, 1],
    ['stats', CT, undefined, {}, 0, 0],
    ['histogram', CT, undefined, { bins: 8 }, 0, 0],
    ['to_image', CT, 'ct.png', { windowCenter: 40, windowWidth: 400 }, 0, 1],
    ['split_multiframe', corpusFile('SC_rgb_rle_2frame.dcm'), 'frames', {}, 0, 2],
    ['compare', [CT, corpusFile('MR_small.dcm')], undefined, {}, 1, 0], // different: 1
    ['anonymize', CT, 'anon.dcm', { secret: 'k' }, 0, 1],
    ['batch_decompress', 'folder', 'batch-out', { jobs: 1 }, 0, 2],
    ['organize_by_series', 'folder', 'organized', {}, 0, 2],
    ['search', 'folder', undefined, { where: ['Modality=CT'] }, 0, 0],
  ];

  it.each(cases)('answers %s with the documented return code and the files written', (op, input, output, options, returncode, nFiles) => {
    const abs = (p: string): string => (p.startsWith('/') ? p : join(dir, p));
    const request = { op, input: Array.isArray(input) ? input.map(abs) : abs(input), ...(output !== undefined ? { output: join(dir, output) } : {}), options };
    const { status, answer } = contract(request);
    expect(status).toBe(0);
    expect(answer).toMatchObject({ ok: returncode === 0, returncode, backend: 'node', operation: op });
    expect(answer.output_files).toHaveLength(nFiles);
    for (const file of answer.output_files) expect(statSync(file).size).toBeGreaterThan(0);
    if (op !== 'validate') expect(answer.metadata).not.toBeNull(); // every op was run with --json
  });

  it('reports a failing operation with ok=false: unknown op, missing input, refused connection', async () => {
    expect(contract({ op: 'no-such-op' }).answer).toMatchObject({ ok: false, returncode: 2, operation: 'no-such-op' });
    const missing = contract({ op: 'info', input: join(dir, 'missing.dcm') }, 'file').answer;
    expect(missing).toMatchObject({ ok: false, returncode: 1 });
    expect(missing.stderr).toContain('CORE_IO');
    const echo = contract({ op: 'echo', options: { host: '127.0.0.1', port: await closedPort(), connectTimeout: 2 } }).answer;
    expect(echo).toMatchObject({ ok: false, returncode: 1, operation: 'echo' });
    expect(echo.stderr).toContain('NET_CONNECT_FAILED');
  });

  it('lists only files the operation wrote, not ones already in the output folder', () => {
    const out = join(dir, 'pre');
    mkdirSync(out);
    writeFileSync(join(out, 'old.txt'), 'x');
    const { answer } = contract({ op: 'batch_decompress', input: join(dir, 'folder'), output: out });
    expect(answer.output_files.sort()).toEqual([join(out, 'ct.dcm'), join(out, 'mr.dcm')]);
    expect(readFileSync(join(out, 'old.txt'), 'utf8')).toBe('x');
  });

  it('rejects a malformed request with exit 2', () => {
    const result = spawnSync(process.execPath, [BIN, 'contract'], { encoding: 'utf8', input: '{"input": "x"}' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('op');
  });
});
