// End-to-end tests of the network commands of the built `dicom-tools` binary: servers are spawned CLI processes
// (or DCMTK's), clients are spawned CLI processes; expectations come from the input files, DCMTK's tools and the
// data written beforehand, never from our own output.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getString, setValue, writeDicomFile } from '@dicom-tools/core';
import { corpusFile, ctSeries } from '@dicom-tools/test-fixtures';

const PACKAGE_DIR = resolve(__dirname, '..');
const BIN = join(PACKAGE_DIR, 'dist', 'bin.js');
let dir: string;
const servers: ChildProcess[] = [];

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[]): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolveRun({ status, stdout, stderr }));
  });
}

/** Starts a server command with --port 0 and resolves to its port, read from its "listening" line. */
function server(args: readonly string[]): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  return new Promise((resolveServer, reject) => {
    const child = spawn(process.execPath, [BIN, ...args, '--port', '0'], { env: { ...process.env, NO_COLOR: '1' } });
    servers.push(child);
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString();
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (match) resolveServer({ child, port: Number(match[1]), output: () => out });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
}

function stopServer(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolveStop) => {
    if (child.exitCode !== null) {
      resolveStop(child.exitCode);
      return;
    }
    child.removeAllListeners('exit');
    child.once('exit', (code) => resolveStop(code));
    child.kill(signal);
  });
}

function requireTool(name: string): void {
  if (spawnSync('sh', ['-c', `command -v ${name}`]).status !== 0) throw new Error(`${name} is missing: apt-get install -y dcmtk`);
}

/** Data set bytes after the file meta group, parsed independently of our code. */
function datasetBytes(path: string): Buffer {
  const bytes = readFileSync(path);
  let at = 132;
  while (bytes.readUInt16LE(at) === 0x0002) {
    const vr = bytes.toString('latin1', at + 4, at + 6);
    at += ['OB', 'OW', 'UN', 'SQ', 'UT'].includes(vr) ? 12 + bytes.readUInt32LE(at + 8) : 8 + bytes.readUInt16LE(at + 6);
  }
  return bytes.subarray(at);
}

const STUDY = '1.2.826.0.1.3680043.10.1138.77.1';
let storage: string;
let uids: string[];

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build core, network and cli first`);
  dir = mkdtempSync(join(tmpdir(), 'cli-net-'));
  storage = join(dir, 'storage');
  mkdirSync(storage);
  const series = ctSeries({ slices: 3, seed: 'cli-net', studyInstanceUID: STUDY, patientName: 'DOE^CLI', patientId: 'CLI1' });
  uids = [];
  for (const [i, f] of series.entries()) {
    setValue(f.dataset, 'StudyDate', '20230315');
    await writeDicomFile(join(storage, `${i}.dcm`), f);
    uids.push(getString(f.dataset, 'SOPInstanceUID')!);
  }
  uids.sort();
});

afterAll(async () => {
  for (const child of servers) if (child.exitCode === null) await stopServer(child, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('echo and store against storage-scp', () => {
  it('echo prints the status with its category and exits 0; --json gives the status as data', async () => {
    const scp = await server(['storage-scp', '-o', join(dir, 'in1'), '--aet', 'CLISCP']);
    const text = await cli(['echo', '-p', String(scp.port), '--called-aet', 'CLISCP']);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^CLISCP@127\.0\.0\.1:\d+: success \(0x0000\), round trip [\d.]+ ms/);
    const json = await cli(['echo', '-p', String(scp.port), '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 0, category: 'success' });
    // SIGTERM closes the server cleanly: exit code 130 (interrupted), quickly.
    const started = Date.now();
    expect(await stopServer(scp.child)).toBe(130);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('store sends files and folders; storage-scp writes each byte-identical; a file that cannot be sent makes the exit code 3', async () => {
    const out = join(dir, 'in2');
    const scp = await server(['storage-scp', '-o', out]);
    const ok = await cli(['store', '-p', String(scp.port), '--associations', '2', storage, corpusFile('CT_small.dcm')]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/4 of 4 stored/);
    for (const name of readdirSync(storage)) {
      const uid = readdirSync(out).find((f) => datasetBytes(join(out, f)).equals(datasetBytes(join(storage, name))));
      expect({ name, found: uid !== undefined }).toEqual({ name, found: true });
    }
    const partial = await cli(['store', '-p', String(scp.port), '--json', corpusFile('MR_small.dcm'), join(dir, 'missing.dcm')]);
    expect(partial.status).toBe(3);
    const report = JSON.parse(partial.stdout) as { succeeded: number; failed: number; results: Array<{ error?: { code: string } }> };
    expect(report.succeeded).toBe(1);
    expect(report.results[1]!.error?.code).toBe('CORE_IO');
    await stopServer(scp.child);
  });

  it('store draws a progress bar on a terminal (run under script(1)), none into a pipe unless --progress', async () => {
    requireTool('script');
    const scp = await server(['storage-scp', '-o', join(dir, 'in-progress'), '--quiet']);
    const argv = [process.execPath, BIN, 'store', '-p', String(scp.port), storage];
    const onTty = spawnSync('script', ['-qec', argv.map((a) => `'${a}'`).join(' '), '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(onTty.status).toBe(0);
    // The storage folder holds 3 files: the bar is full at the end, redrawn in place (carriage return).
    expect(onTty.stdout).toMatch(/\r\[#{24}\] 3\/3 100%, 0 failed, [\d.]+ files\/s, ETA 0:00/);
    const piped = await cli(['store', '-p', String(scp.port), storage]);
    expect(piped.status).toBe(0);
    expect(piped.stderr).toBe('');
    const forced = await cli(['store', '-p', String(scp.port), '--progress', storage]);
    expect(forced.stderr).toMatch(/^\[#{24}\] 3\/3 100%, 0 failed, [\d.]+ files\/s, ETA 0:00\n$/m);
    const off = spawnSync('script', ['-qec', [...argv, '--no-progress'].map((a) => `'${a}'`).join(' '), '/dev/null'], { encoding: 'utf8' });
    expect(off.status).toBe(0);
    expect(off.stdout).not.toMatch(/files\/s/);
    await stopServer(scp.child);
  });

  it('storescu (DCMTK) can store into storage-scp, and an --allow list refuses other calling AE titles', async () => {
    requireTool('storescu');
    const out = join(dir, 'in3');
    const scp = await server(['storage-scp', '-o', out, '--allow', 'FRIEND']);
    const env = { ...process.env, TCP_NODELAY: '1' };
    const refused = spawnSync('storescu', ['-aet', 'STRANGER', '127.0.0.1', String(scp.port), corpusFile('CT_small.dcm')], { env, encoding: 'utf8' });
    expect(refused.status).not.toBe(0);
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/Association Rejected/i);
    const allowed = spawnSync('storescu', ['-aet', 'FRIEND', '127.0.0.1', String(scp.port), corpusFile('CT_small.dcm')], { env, encoding: 'utf8' });
    expect(allowed.status).toBe(0);
    // The instance arrives under its SOP Instance UID, as DCMTK's dcmdump reads it from the file sent.
    const dump = spawnSync('dcmdump', ['+P', 'SOPInstanceUID', corpusFile('CT_small.dcm')], { encoding: 'utf8' }).stdout;
    const uid = /\[([0-9.]+)\]/.exec(dump)![1];
    expect(readdirSync(out)).toEqual([`${uid}.dcm`]);
    await stopServer(scp.child);
  });

  it('echo to a port where nothing listens fails with exit 1 and NET_CONNECT_FAILED', async () => {
    const scp = await server(['storage-scp', '-o', join(dir, 'gone')]);
    await stopServer(scp.child);
    const result = await cli(['echo', '-p', String(scp.port)]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/\[NET_CONNECT_FAILED\]/);
  });
});

describe('server commands that cannot listen', () => {
  /** `cli`, killed (status null) if it has not exited within `ms`. */
  const within = (args: readonly string[], ms: number): Promise<Run> =>
    new Promise((resolveRun, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', DEBUG: '' } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      child.on('error', reject);
      child.on('close', (status) => {
        clearTimeout(timer);
        resolveRun({ status, stdout: '', stderr });
      });
    });

  it('exit at once with the error for a bad --port or a port in use (the server thread is let go)', async () => {
    const commands = [['storage-scp', '-o', join(dir, 'never')], ['qr-scp', '--storage', join(dir, 'never')], ['worklist-scp', '--worklist', join(dir, 'never')]];
    for (const command of commands) {
      for (const port of ['-1', '70000']) {
        const result = await within([...command, '--port', port], 10_000);
        expect([command[0], result.status, result.stderr]).toEqual([command[0], 2, `dicom-tools: --port takes a port number, not "${port}"\n`]);
      }
    }
    writeFileSync(join(dir, 'a-file'), 'not a folder\n');
    const notFolder = await within(['storage-scp', '-o', join(dir, 'a-file'), '--port', '0'], 10_000);
    expect([notFolder.status, notFolder.stderr]).toEqual([1, `dicom-tools: ${join(dir, 'a-file')}: cannot receive into it: not a folder [CORE_IO]\n`]);
    const taken = await server(['storage-scp', '-o', join(dir, 'taken')]);
    const result = await within(['storage-scp', '-o', join(dir, 'second'), '--port', String(taken.port)], 10_000);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/EADDRINUSE|in use/);
    await stopServer(taken.child);
  });
});

describe('find, move and get against qr-scp', () => {
  let qr: { child: ChildProcess; port: number };
  let dest: { child: ChildProcess; port: number };
  const received = (): string => join(dir, 'moved');

  beforeAll(async () => {
    dest = await server(['storage-scp', '-o', received(), '--aet', 'DEST']);
    qr = await server(['qr-scp', '--storage', storage, '--aet', 'QR', '--move-dest', `DEST=127.0.0.1:${dest.port}`]);
  });
  afterAll(async () => {
    await stopServer(qr.child);
    await stopServer(dest.child);
  });

  it('find --json prints one NDJSON match per study with the requested keys', async () => {
    const result = await cli(['find', '-p', String(qr.port), '--level', 'study', '-k', 'PatientName=DOE*', '-k', 'StudyInstanceUID', '-k', 'StudyDate=20230101-20231231', '--json']);
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(lines).toEqual([expect.objectContaining({ PatientName: 'DOE^CLI', StudyInstanceUID: STUDY, StudyDate: '20230315', QueryRetrieveLevel: 'STUDY' })]);
  });

  it('find prints a table, findscu (DCMTK) gets the same images from qr-scp', async () => {
    requireTool('findscu');
    const table = await cli(['find', '-p', String(qr.port), '--level', 'image', '--query', JSON.stringify({ StudyInstanceUID: STUDY, SOPInstanceUID: '' })]);
    expect(table.status).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^QueryRetrieveLevel\s+StudyInstanceUID\s+SOPInstanceUID$/);
    const listed = uids.filter((u) => table.stdout.includes(u));
    expect(listed).toEqual(uids);
    const dcmtk = spawnSync('findscu', ['-S', '-k', 'QueryRetrieveLevel=IMAGE', '-k', `StudyInstanceUID=${STUDY}`, '-k', 'SOPInstanceUID', '127.0.0.1', String(qr.port)], { env: { ...process.env, TCP_NODELAY: '1' }, encoding: 'utf8' });
    expect(uids.filter((u) => dcmtk.stderr.includes(u))).toEqual(uids);
  });

  it('find without --level is a usage error (exit 2)', async () => {
    const result = await cli(['find', '-p', String(qr.port), '-k', 'PatientID']);
    expect(result.status).toBe(2);
  });

  it('move reports counts as they arrive and the destination receives the study; an unknown destination exits 1 with 0xA801', async () => {
    const result = await cli(['move', '-p', String(qr.port), '--dest', 'DEST', '--level', 'study', '-k', `StudyInstanceUID=${STUDY}`, '--json']);
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { status: number; completed?: number; remaining?: number; final?: boolean });
    expect(lines.filter((l) => l.status === 0xff00).map((l) => l.remaining)).toEqual([2, 1]);
    expect(lines[lines.length - 1]).toMatchObject({ status: 0, completed: 3, failed: 0, final: true });
    await new Promise((r) => setTimeout(r, 100));
    expect(readdirSync(received()).map((f) => f.replace(/\.dcm$/, '')).sort()).toEqual(uids);
    const unknown = await cli(['move', '-p', String(qr.port), '--dest', 'NOWHERE', '--level', 'study', '-k', `StudyInstanceUID=${STUDY}`]);
    expect(unknown.status).toBe(1);
    expect(unknown.stdout).toMatch(/failure \(0xA801/);
  });

  it('get writes the instances to -o DIR, each byte-identical to the file served', async () => {
    const out = join(dir, 'got');
    const result = await cli(['get', '-p', String(qr.port), '--level', 'study', '-k', `StudyInstanceUID=${STUDY}`, '-o', out]);
    expect(result.status).toBe(0);
    expect(readdirSync(out).map((f) => f.replace(/\.dcm$/, '')).sort()).toEqual(uids);
    for (const name of readdirSync(storage)) {
      const match = readdirSync(out).some((f) => datasetBytes(join(out, f)).equals(datasetBytes(join(storage, name))));
      expect({ name, match }).toEqual({ name, match: true });
    }
  });
});

describe('worklist against worklist-scp', () => {
  it('worklist prints the scheduled steps matching modality and station, from a folder of DICOM JSON items', async () => {
    const items = join(dir, 'worklist');
    mkdirSync(items);
    const step = (modality: string, station: string): object => ({
      '00100010': { vr: 'PN', Value: [{ Alphabetic: `PAT^${modality}` }] },
      '00100020': { vr: 'LO', Value: [`ID${modality}`] },
      '00400100': { vr: 'SQ', Value: [{ '00080060': { vr: 'CS', Value: [modality] }, '00400001': { vr: 'AE', Value: [station] }, '00400002': { vr: 'DA', Value: ['20240101'] } }] },
    });
    writeFileSync(join(items, 'ct.json'), JSON.stringify(step('CT', 'CT1')));
    writeFileSync(join(items, 'mr.json'), JSON.stringify(step('MR', 'MR1')));
    const wl = await server(['worklist-scp', '--worklist', items]);
    const result = await cli(['worklist', '-p', String(wl.port), '-k', 'ScheduledProcedureStepSequence[0].Modality=MR', '--json']);
    await stopServer(wl.child);
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { PatientID: string; ScheduledProcedureStepSequence: Array<Record<string, string>> });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.PatientID).toBe('IDMR');
    expect(lines[0]!.ScheduledProcedureStepSequence[0]).toMatchObject({ Modality: 'MR', ScheduledStationAETitle: 'MR1' });
  });
});
