// End-to-end tests of `dicom-tools contract` on the built binary: one request per operation the CLI offers,
// checked against the documented exit codes and the files on disk; the network operations succeed against real
// peers on loopback (DCMTK storescp and wlmscpfs, our qr-scp) and fail against a closed port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { datasetFromJson, writeDicomFile } from '@dicom-tools/core';
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

/** Throws (the test fails, never skips) when a peer program is missing. */
function requireTool(name: string): void {
  if (spawnSync('sh', ['-c', `command -v ${name}`]).status !== 0) throw new Error(`${name} is missing: apt-get install -y dcmtk, as .ci/run does`);
}

/** A value as DCMTK's dcmdump reads it from `file` (its first occurrence). */
function dumped(file: string, keyword: string): string {
  const out = spawnSync('dcmdump', ['-s', '+P', keyword, file], { encoding: 'utf8' }).stdout;
  const value = /\[([^\]]*)\]/.exec(out)?.[1];
  if (value === undefined) throw new Error(`dcmdump found no ${keyword} in ${file}`);
  return value;
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port (or rejects when `child` exits first). */
async function listening(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`the peer exited (${child.exitCode}) before listening`);
    const up = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1', () => { socket.destroy(); done(true); });
      socket.on('error', () => done(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on port ${port}`);
}

describe('dicom-tools contract: network operations succeed against real peers on loopback', () => {
  const peers: ChildProcess[] = [];
  const DCMTK_ENV = { ...process.env, TCP_NODELAY: '1' };
  let storescpPort: number;
  let received: string;
  let qrPort: number;
  let wlmPort: number;
  const served = (): string => join(dir, 'served');

  beforeAll(async () => {
    for (const tool of ['storescp', 'wlmscpfs', 'dcmdump']) requireTool(tool);
    received = join(dir, 'storescp-in');
    mkdirSync(received);
    storescpPort = await closedPort();
    const storescp = spawn('storescp', ['-aet', 'STORESCP', '-od', received, String(storescpPort)], { env: DCMTK_ENV, stdio: 'ignore' });
    peers.push(storescp);
    // Our qr-scp serves a folder of two corpus files and moves to storescp as DEST.
    mkdirSync(served());
    copyFileSync(CT, join(served(), 'ct.dcm'));
    copyFileSync(corpusFile('MR_small.dcm'), join(served(), 'mr.dcm'));
    const qr = spawn(process.execPath, [BIN, 'qr-scp', '--storage', served(), '--aet', 'QR', '--move-dest', `DEST=127.0.0.1:${storescpPort}`, '--port', '0'], { env: { ...process.env, NO_COLOR: '1' } });
    peers.push(qr);
    qrPort = await new Promise<number>((done, fail) => {
      let out = '';
      qr.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) done(Number(m[1]));
      });
      qr.on('exit', (code) => fail(new Error(`qr-scp exited (${code}): ${out}`)));
    });
    // DCMTK's worklist SCP serving one scheduled step (a .wl file under <folder>/<called AE>/, with a lockfile).
    const wl = join(dir, 'wlm', 'WLM');
    mkdirSync(wl, { recursive: true });
    writeFileSync(join(wl, 'lockfile'), '');
    const step = {
      '00080005': { vr: 'CS', Value: ['ISO_IR 100'] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'ROE^RICHARD' }] },
      '00100020': { vr: 'LO', Value: ['WL77'] },
      '0020000D': { vr: 'UI', Value: ['1.2.826.0.1.3680043.10.1138.9.77'] },
      '00400100': { vr: 'SQ', Value: [{ '00080060': { vr: 'CS', Value: ['MR'] }, '00400001': { vr: 'AE', Value: ['MR_ROOM'] }, '00400002': { vr: 'DA', Value: ['20240106'] } }] },
    };
    await writeDicomFile(join(wl, 'step.wl'), { meta: { elements: new Map() }, dataset: datasetFromJson(step), transferSyntaxUID: '1.2.840.10008.1.2.1', hadPreamble: true });
    wlmPort = await closedPort();
    const wlm = spawn('wlmscpfs', ['-dfp', join(dir, 'wlm'), '-dfr', String(wlmPort)], { env: DCMTK_ENV, stdio: 'ignore' });
    peers.push(wlm);
    await Promise.all([listening(storescpPort, storescp), listening(wlmPort, wlm)]);
  });

  afterAll(async () => {
    await Promise.all(peers.map((child) => new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGKILL');
    })));
  });

  /** The SOP Instance UIDs of the files storescp has written, as dcmdump reads them. */
  const receivedUids = (): string[] => readdirSync(received).map((n) => dumped(join(received, n), 'SOPInstanceUID')).sort();

  it('echo to storescp: ok, status 0x0000 success', () => {
    const { status, answer } = contract({ op: 'echo', options: { port: storescpPort, calledAet: 'STORESCP' } });
    expect(status).toBe(0);
    expect(answer).toMatchObject({ ok: true, returncode: 0, operation: 'echo', metadata: { status: 0, category: 'success' } });
  });

  it('store to storescp: ok, and storescp has written each instance sent', () => {
    const files = [CT, corpusFile('MR_small.dcm')];
    const { answer } = contract({ op: 'store', input: files, options: { port: storescpPort, calledAet: 'STORESCP' } });
    expect(answer).toMatchObject({ ok: true, returncode: 0, operation: 'store' });
    expect(receivedUids()).toEqual(files.map((f) => dumped(f, 'SOPInstanceUID')).sort());
  });

  it('find on qr-scp: ok, one answer per served image with the UIDs dcmdump reads from the files', () => {
    const { answer } = contract({ op: 'find', options: { port: qrPort, calledAet: 'QR', level: 'image', queryKey: ['SOPInstanceUID', 'StudyInstanceUID', 'Modality'] } });
    expect(answer).toMatchObject({ ok: true, returncode: 0, operation: 'find' });
    const rows = (answer.metadata as Record<string, string>[]).map((r) => [r['SOPInstanceUID'], r['StudyInstanceUID'], r['Modality']]).sort();
    const files = readdirSync(served()).map((n) => join(served(), n));
    expect(rows).toEqual(files.map((f) => [dumped(f, 'SOPInstanceUID'), dumped(f, 'StudyInstanceUID'), dumped(f, 'Modality')]).sort());
  });

  it('move from qr-scp to storescp: ok, and storescp receives the study moved', () => {
    rmSync(received, { recursive: true, force: true });
    mkdirSync(received);
    const { answer } = contract({ op: 'move', options: { port: qrPort, calledAet: 'QR', dest: 'DEST', level: 'study', queryKey: [`StudyInstanceUID=${dumped(CT, 'StudyInstanceUID')}`] } });
    expect(answer).toMatchObject({ ok: true, returncode: 0, operation: 'move' });
    expect(receivedUids()).toEqual([dumped(CT, 'SOPInstanceUID')]);
  });

  it('get from qr-scp: ok, and the output files are the study retrieved', () => {
    const mr = corpusFile('MR_small.dcm');
    const out = join(dir, 'got');
    const { answer } = contract({ op: 'get', output: out, options: { port: qrPort, calledAet: 'QR', level: 'study', queryKey: [`StudyInstanceUID=${dumped(mr, 'StudyInstanceUID')}`] } });
    expect(answer).toMatchObject({ ok: true, returncode: 0, operation: 'get' });
    expect(answer.output_files.map((f) => dumped(f, 'SOPInstanceUID'))).toEqual([dumped(mr, 'SOPInstanceUID')]);
  });

  it('worklist on wlmscpfs: ok, the scheduled step written for it', () => {
    const { answer } = contract({ op: 'worklist', options: { port: wlmPort, calledAet: 'WLM', queryKey: ['ScheduledProcedureStepSequence[0].Modality=MR', 'PatientID', 'PatientName'] } });
    expect(answer).toMatchObject({ ok: true, returncode: 0, operation: 'worklist' });
    // One NDJSON line parses to one object (several: an array).
    expect([answer.metadata].flat()).toEqual([expect.objectContaining({ PatientID: 'WL77', PatientName: 'ROE^RICHARD' })]);
  });
});
