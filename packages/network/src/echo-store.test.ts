import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDicomError, readDicomFile, writeDicomFile } from '@dicom-tools/core';
import { corpusFile, corpusFiles, CORPUS_REJECTS, ctSeries } from '@dicom-tools/test-fixtures';
import { associate, createScp, createStorageScp, echo, SopClass, store, type DicomServer } from './index.js';
import { datasetBytes } from './_peers.test-util.js';
import { openAssociation } from './association.js';

const HOST = '127.0.0.1';
let dir: string;
let scp: DicomServer;
let port: number;
const stored: Array<{ uid: string; bytes: Buffer; path: string }> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'net-store-'));
  scp = createStorageScp({ outputDir: join(dir, 'in'), aeTitle: 'OURSCP' });
  scp.on('stored', (e) => {
    if (e.path !== undefined) stored.push({ uid: e.sopInstanceUid, bytes: readFileSync(e.path), path: e.path });
  });
  ({ port } = await scp.listen(0));
});

afterAll(async () => {
  await scp.close();
  rmSync(dir, { recursive: true, force: true });
});

// Files a C-STORE can carry: readable, with a SOP Class UID and SOP Instance UID (nested_priv_SQ.dcm has neither).
const sendable = corpusFiles().filter((f) => !(f in CORPUS_REJECTS) && f !== 'nested_priv_SQ.dcm');

describe('SCU <-> SCP on loopback', () => {
  it('answers C-ECHO with status success (0x0000) and a round-trip time', async () => {
    const result = await echo({ host: HOST, port, aeTitle: 'OURSCP' });
    expect(result.status).toBe(0x0000);
    expect(result.category).toBe('success');
    expect(result.roundTripMs).toBeGreaterThan(0);
  });

  it('stores every readable corpus file over one association, each received data set byte-identical to the file sent (private tags included)', async () => {
    stored.length = 0;
    const files = sendable.map(corpusFile);
    const report = await store({ host: HOST, port }, files);
    expect(report.failed).toBe(0);
    expect(report.succeeded).toBe(files.length);
    expect(stored).toHaveLength(files.length);
    for (const [i, file] of files.entries()) {
      const sent = datasetBytes(file);
      // A data set of odd length (deflated) travels with one pad byte (PS3.5 A.5).
      const expected = sent.length % 2 === 1 ? Buffer.concat([sent, Buffer.alloc(1)]) : sent;
      const uid = report.results[i]!.sopInstanceUid;
      const identical = stored.filter((s) => s.uid === uid).some((s) => datasetBytes(s.bytes).equals(expected));
      expect({ file: sendable[i], identical }).toEqual({ file: sendable[i], identical: true });
    }
    // Private elements of priv_SQ.dcm arrive with their values.
    const priv = await readDicomFile(corpusFile('priv_SQ.dcm'));
    const privUid = (priv.meta.elements.get(0x00020003)!.value as string[])[0]!;
    const arrived = readDicomFile(join(dir, 'in', `${privUid}.dcm`));
    await expect(arrived.then((f) => [...f.dataset.elements.keys()].filter((t) => (t >>> 16) % 2 === 1).length)).resolves.toBeGreaterThan(0);
  });

  it('writes the file meta of a received instance from the C-STORE: SOP class, instance and the context transfer syntax', async () => {
    const [slice] = ctSeries({ slices: 1 });
    const report = await store({ host: HOST, port }, [slice!]);
    expect(report.results[0]!.status?.status).toBe(0);
    const uid = (slice!.dataset.elements.get(0x00080018)!.value as string[])[0]!;
    const file = await readDicomFile(join(dir, 'in', `${uid}.dcm`));
    expect((file.meta.elements.get(0x00020003)!.value as string[])[0]).toBe(uid);
    expect((file.meta.elements.get(0x00020002)!.value as string[])[0]).toBe((slice!.dataset.elements.get(0x00080016)!.value as string[])[0]);
    expect(file.transferSyntaxUID).toBe(report.results[0]!.transferSyntaxUid);
    expect((file.meta.elements.get(0x00020016)!.value as string[])[0]).toBe('DICOMTOOLS');
  });

  it('stores over several parallel associations and reports every file once', async () => {
    const series = ctSeries({ slices: 12 });
    const paths: string[] = [];
    for (const [i, f] of series.entries()) {
      const p = join(dir, `par-${i}.dcm`);
      await writeDicomFile(p, f);
      paths.push(p);
    }
    const seen: string[] = [];
    const report = await store({ host: HOST, port }, paths, { associations: 4, onProgress: (r) => seen.push(r.file!) });
    expect(report.succeeded).toBe(12);
    expect(report.results.map((r) => r.file)).toEqual(paths);
    expect([...seen].sort()).toEqual([...paths].sort());
  });

  it('runs echo and store on one association opened with associate()', async () => {
    const [slice] = ctSeries({ slices: 1, seed: 'assoc' });
    const a = await associate({ host: HOST, port }, [
      { abstractSyntax: SopClass.Verification },
      { abstractSyntax: '1.2.840.10008.5.1.4.1.1.2' },
    ]);
    try {
      expect((await echo(a)).status).toBe(0);
      expect((await store(a, [slice!])).succeeded).toBe(1);
      expect(a.contexts.every((c) => c.accepted)).toBe(true);
    } finally {
      await a.release();
    }
    expect(a.isOpen).toBe(false);
  });

  it('reports a file that cannot be read without stopping the others', async () => {
    const [slice] = ctSeries({ slices: 1, seed: 'partial' });
    const report = await store({ host: HOST, port }, [join(dir, 'missing.dcm'), slice!]);
    expect(report.results[0]!.error?.code).toBe('CORE_IO');
    expect(report.results[1]!.status?.category).toBe('success');
    expect(report.failed).toBe(1);
  });
});

describe('SCP safety', () => {
  it('refuses an association from a calling AE title not on the allow-list with NET_ASSOCIATION_REJECTED', async () => {
    const guarded = createStorageScp({ outputDir: join(dir, 'guarded'), allowedCallingAeTitles: ['FRIEND'] });
    const { port: p } = await guarded.listen(0);
    try {
      const error = await echo({ host: HOST, port: p }, { callingAeTitle: 'STRANGER' }).catch((e: unknown) => e);
      expect(isDicomError(error, 'NET_ASSOCIATION_REJECTED')).toBe(true);
      expect((error as Error).message).toMatch(/calling AE title not recognized/);
      expect((await echo({ host: HOST, port: p }, { callingAeTitle: 'FRIEND' })).status).toBe(0);
    } finally {
      await guarded.close();
    }
  });

  it('refuses a SOP Instance UID with path characters and writes nothing outside the output folder', async () => {
    const [slice] = ctSeries({ slices: 1, seed: 'evil' });
    const evil = { ...slice!, dataset: { elements: new Map(slice!.dataset.elements) } };
    evil.dataset.elements.set(0x00080018, { tag: 0x00080018, vr: 'UI', value: ['../../escape'] });
    const report = await store({ host: HOST, port }, [evil]);
    expect(report.results[0]!.status?.category).toBe('failure');
    expect(existsSync(join(dir, 'escape'))).toBe(false);
    expect(existsSync(join(dir, '..', 'escape'))).toBe(false);
  });

  it('leaves no file, partial or temporary, when an association is aborted in the middle of a C-STORE', async () => {
    const out = join(dir, 'abort');
    const server = createStorageScp({ outputDir: out });
    const { port: p } = await server.listen(0);
    const a = await openAssociation({ host: HOST, port: p }, [{ abstractSyntax: '1.2.840.10008.5.1.4.1.1.2' }]);
    const context = a.requireContext('1.2.840.10008.5.1.4.1.1.2');
    let release!: () => void;
    const never = new Promise<void>((r) => (release = r));
    async function* half(): AsyncIterable<Buffer> {
      // 6 MiB, then silence: the SCP has created the temporary file and written what came.
      yield Buffer.alloc(6 * 1024 * 1024, 1);
      await never;
    }
    const sending = a.send(context.id, { commandField: 0x0001, messageId: 1, affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.2', affectedSopInstanceUid: '1.2.3.4', priority: 0, hasDataset: true }, half()).catch(() => undefined);
    for (let i = 0; i < 400 && !readdirSync(out).some((f) => f.endsWith('.part')); i++) await new Promise((r) => setTimeout(r, 5));
    const during = readdirSync(out);
    a.abort();
    release();
    await sending;
    for (let i = 0; i < 100 && readdirSync(out).length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    await server.close();
    expect(during.some((f) => f.endsWith('.part'))).toBe(true);
    expect(readdirSync(out)).toEqual([]);
  });

  it('times out a silent peer within the configured association timeout with NET_TIMEOUT', async () => {
    const held: Socket[] = [];
    const silent: Server = createServer((s) => void held.push(s));
    await new Promise<void>((r) => silent.listen(0, HOST, () => r()));
    const p = (silent.address() as { port: number }).port;
    const started = Date.now();
    const error = await echo({ host: HOST, port: p }, { timeouts: { association: 300 } }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    for (const s of held) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
    expect(isDicomError(error, 'NET_TIMEOUT')).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2000);
  });

  it('closes a connection that never sends A-ASSOCIATE-RQ after the SCP association timeout', async () => {
    const server = createScp({ handlers: {}, timeouts: { association: 200 } });
    const { port: p } = await server.listen(0);
    const socket = connect(p, HOST);
    const closedAfter = await new Promise<number>((resolve) => {
      const started = Date.now();
      socket.on('close', () => resolve(Date.now() - started));
      socket.on('error', () => undefined);
    });
    await server.close();
    expect(closedAfter).toBeLessThan(1500);
  });

  it('fails to connect to a closed port with NET_CONNECT_FAILED', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, HOST, () => r()));
    const p = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const error = await echo({ host: HOST, port: p }).catch((e: unknown) => e);
    expect(isDicomError(error, 'NET_CONNECT_FAILED')).toBe(true);
  });
});
