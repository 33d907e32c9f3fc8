import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getString, readDicom, writeDicomFile } from '@dicom-tools/core';
import { corpusFile, corpusFiles, CORPUS_REJECTS, ctSeries } from '@dicom-tools/test-fixtures';
import { createStorageScp, echo, store, type DicomServer } from './index.js';
import { datasetBytes, freePort, metaSyntax, requireTool, run, startServer, stop } from './_peers.test-util.js';

/** storescu's flag proposing each transfer syntax (it proposes one for all files of a run). */
const SYNTAX_FLAG: Record<string, string> = {
  '1.2.840.10008.1.2': '-xi',
  '1.2.840.10008.1.2.1': '-xe',
  '1.2.840.10008.1.2.2': '-xb',
  '1.2.840.10008.1.2.1.99': '-xd',
  '1.2.840.10008.1.2.4.50': '-xy',
  '1.2.840.10008.1.2.4.51': '-xx',
  '1.2.840.10008.1.2.4.57': '-xs',
  '1.2.840.10008.1.2.4.70': '-xs',
  '1.2.840.10008.1.2.4.80': '-xt',
  '1.2.840.10008.1.2.4.81': '-xu',
  '1.2.840.10008.1.2.4.90': '-xv',
  '1.2.840.10008.1.2.4.91': '-xw',
  '1.2.840.10008.1.2.5': '-xr',
};

const HOST = '127.0.0.1';
let dir: string;
let batch: string[];
const sendable = corpusFiles().filter((f) => !(f in CORPUS_REJECTS) && f !== 'nested_priv_SQ.dcm').map(corpusFile);

/** Data set bytes of every file in a folder (recursively). */
function receivedDatasets(folder: string): Buffer[] {
  const out: Buffer[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && !entry.name.startsWith('.')) out.push(datasetBytes(join(entry.parentPath, entry.name)));
  }
  return out;
}

/** The sent file's data set as it must arrive: unchanged (a deflated one of odd length gains one pad byte). */
function expectedDataset(file: string): Buffer {
  const sent = datasetBytes(file);
  return sent.length % 2 === 1 ? Buffer.concat([sent, Buffer.alloc(1)]) : sent;
}

function missing(files: readonly string[], received: readonly Buffer[]): string[] {
  const set = new Set(received.map((b) => b.toString('base64')));
  return files.filter((f) => !set.has(expectedDataset(f).toString('base64')));
}

beforeAll(async () => {
  for (const tool of ['storescp', 'storescu', 'echoscu']) requireTool(tool);
  dir = mkdtempSync(join(tmpdir(), 'net-dcmtk-'));
  mkdirSync(join(dir, 'batch'));
  batch = [];
  for (const [i, f] of ctSeries({ slices: 1000, rows: 32, columns: 32, seed: 'dcmtk-batch' }).entries()) {
    const p = join(dir, 'batch', `${String(i).padStart(4, '0')}.dcm`);
    await writeDicomFile(p, f);
    batch.push(p);
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('our SCU -> DCMTK storescp', () => {
  let storescp: ChildProcess | undefined;
  let port: number;
  let out: string;

  beforeAll(async () => {
    port = await freePort();
    out = join(dir, 'storescp');
    mkdirSync(out);
    // +B: DCMTK writes the data set bit for bit as received; +xa: it accepts every transfer syntax.
    storescp = await startServer('storescp', ['-aet', 'STORESCP', '-od', out, '+B', '+xa', String(port)], port, 'STORESCP');
  });

  afterAll(() => stop(storescp));

  it('C-ECHO succeeds', async () => {
    const result = await echo({ host: HOST, port, aeTitle: 'STORESCP' });
    expect(result).toMatchObject({ status: 0, category: 'success' });
  });

  it('stores the corpus and the 1,000-file batch: every data set arrives byte-identical', async () => {
    const peer = { host: HOST, port, aeTitle: 'STORESCP' };
    const kept = join(dir, 'storescp-kept');
    mkdirSync(kept);
    // The corpus repeats some SOP Instance UIDs: one file at a time, each received file moved aside at once.
    for (const [i, f] of sendable.entries()) {
      const one = await store(peer, [f]);
      expect({ f, category: one.results[0]!.status?.category }).toEqual({ f, category: 'success' });
      for (const name of readdirSync(out)) renameSync(join(out, name), join(kept, `${i}-${name}`));
    }
    expect(missing(sendable, receivedDatasets(kept))).toEqual([]);
    const report = await store(peer, batch);
    expect(report.succeeded).toBe(1000);
    expect(missing(batch, receivedDatasets(out))).toEqual([]);
  });
});

describe('the SOP Instance UID a C-STORE names', () => {
  it('is the data set\'s, as storescu sends it, when the file meta group says another (rtdose_1frame.dcm): storescp without +B accepts it', async () => {
    const file = corpusFile('rtdose_1frame.dcm');
    const read = readDicom(readFileSync(file));
    const dataSetUid = getString(read.dataset, 0x00080018);
    expect(getString(read.meta, 0x00020003)).not.toBe(dataSetUid); // the file disagrees with itself
    const checking = await freePort();
    const received = join(dir, 'checking');
    mkdirSync(received);
    const storescp = await startServer('storescp', ['-aet', 'STORESCP', '-od', received, '+xa', String(checking)], checking, 'STORESCP');
    try {
      const report = await store({ host: HOST, port: checking, aeTitle: 'STORESCP' }, [file]);
      expect(report.results[0]!.status?.category).toBe('success');
      expect(report.results[0]!.sopInstanceUid).toBe(dataSetUid);
    } finally {
      await stop(storescp);
    }
  });
});

describe('DCMTK SCUs -> our storage SCP', () => {
  let scp: DicomServer;
  let port: number;
  let out: string;

  beforeAll(async () => {
    out = join(dir, 'ours');
    scp = createStorageScp({ outputDir: out, aeTitle: 'OURSCP' });
    ({ port } = await scp.listen(0));
  });

  afterAll(() => scp.close());

  it('echoscu gets an answer (exit code 0)', async () => {
    const result = await run('echoscu', ['-aec', 'OURSCP', HOST, String(port)]);
    expect(result.code).toBe(0);
  });

  it('storescu sends the corpus: our SCP receives the same data set bytes as DCMTK storescp (+B, bit-preserving)', async () => {
    const ours = join(out, 'corpus');
    const theirs = join(out, 'storescp');
    mkdirSync(theirs, { recursive: true });
    const server = createStorageScp({ outputDir: ours });
    const { port: p } = await server.listen(0);
    const storescpPort = await freePort();
    const storescp = await startServer('storescp', ['-aet', 'STORESCP', '-od', theirs, '+B', '+xa', String(storescpPort)], storescpPort, 'STORESCP');
    const outcomes: string[] = [];
    try {
      for (const f of sendable) {
        // storescu proposes one syntax for all files: choose the file's own, so that nothing is converted.
        const args = ['-R', ...(SYNTAX_FLAG[metaSyntax(f)] !== undefined ? [SYNTAX_FLAG[metaSyntax(f)]!] : [])];
        const toOurs = await run('storescu', [...args, '-aec', 'OURSCP', HOST, String(p), f]);
        const toTheirs = await run('storescu', [...args, '-aec', 'STORESCP', HOST, String(storescpPort), f]);
        const a = receivedDatasets(ours);
        const b = receivedDatasets(theirs);
        const name = f.slice(f.lastIndexOf('/') + 1);
        outcomes.push(`${name}: exit ${toOurs.code}/${toTheirs.code}, files ${a.length}/${b.length}, ${a.length === 1 && b.length === 1 && a[0]!.equals(b[0]!) ? 'identical' : 'different'}`);
        for (const d of [ours, theirs]) {
          rmSync(d, { recursive: true, force: true });
          mkdirSync(d);
        }
      }
    } finally {
      await stop(storescp);
      await server.close();
    }
    // Every file DCMTK's storescu can send at all arrives, and arrives as storescp receives it.
    const sent = outcomes.filter((o) => o.includes('exit 0/0'));
    expect(sent.length).toBeGreaterThanOrEqual(20);
    expect(outcomes.filter((o) => !o.endsWith('files 1/1, identical') && !o.includes('files 0/0'))).toEqual([]);
    expect(outcomes.filter((o) => !o.includes('exit 0/0') && !o.match(/exit (\d+)\/\1/))).toEqual([]);
  });

  it('8 concurrent storescu processes send 1,000 files: nothing lost, every one byte-identical', async () => {
    const concurrent = join(out, 'concurrent');
    const server = createStorageScp({ outputDir: concurrent });
    const { port: p } = await server.listen(0);
    try {
      const parts = Array.from({ length: 8 }, (_, k) => batch.filter((_, i) => i % 8 === k));
      const results = await Promise.all(parts.map((part) => run('storescu', ['-aec', 'OURSCP', HOST, String(p), ...part], 120000)));
      expect(results.map((r) => r.code)).toEqual(new Array(8).fill(0));
      const received = receivedDatasets(concurrent);
      expect(received).toHaveLength(1000);
      expect(missing(batch, received)).toEqual([]);
      expect(readdirSync(concurrent).filter((f) => f.startsWith('.'))).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
