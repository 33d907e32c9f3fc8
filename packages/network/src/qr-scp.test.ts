import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getString, writeDicomFile } from '@dicom-tools/core';
import { ctSeries } from '@dicom-tools/test-fixtures';
import { associate, createQueryRetrieveScp, createScp, find, get, move, queryIdentifier, SopClass, store, type QueryRetrieveServer } from './index.js';

const HOST = '127.0.0.1';
let dir: string;
let qr: QueryRetrieveServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'net-qr-loop-'));
  qr = createQueryRetrieveScp({ storageDir: join(dir, 'store'), aeTitle: 'QR' });
  await qr.listen(0);
});
afterAll(async () => {
  await qr.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Q/R SCP on loopback', () => {
  it('indexes an instance stored with C-STORE: the next C-FIND finds it', async () => {
    const series = ctSeries({ slices: 3, seed: 'qr-store', patientId: 'STORED1' });
    expect((await store({ host: HOST, port: qr.port }, series)).succeeded).toBe(3);
    expect(qr.indexedInstances).toBe(3);
    const uids: string[] = [];
    for await (const r of find({ host: HOST, port: qr.port }, { level: 'IMAGE', keys: { PatientID: 'STORED1', SOPInstanceUID: '' } })) {
      if (r.identifier) uids.push(getString(r.identifier, 'SOPInstanceUID')!);
    }
    expect(uids.sort()).toEqual(series.map((f) => getString(f.dataset, 'SOPInstanceUID')!).sort());
  });

  it('stops a C-FIND early with C-CANCEL when the caller breaks out, leaving the association usable', async () => {
    await store({ host: HOST, port: qr.port }, ctSeries({ slices: 6, seed: 'qr-cancel', patientId: 'CANCEL' }));
    const a = await associate({ host: HOST, port: qr.port }, [{ abstractSyntax: SopClass.StudyRootFind }]);
    try {
      let seen = 0;
      for await (const r of find(a, { level: 'IMAGE', keys: { PatientID: 'CANCEL', SOPInstanceUID: '' } })) {
        if (r.identifier) seen++;
        if (seen === 2) break;
      }
      expect(seen).toBe(2);
      const again: number[] = [];
      for await (const r of find(a, { level: 'IMAGE', keys: { PatientID: 'CANCEL', SOPInstanceUID: '' } })) again.push(r.status.status);
      expect(again.filter((s) => s === 0xff00)).toHaveLength(6);
      expect(again[again.length - 1]).toBe(0);
    } finally {
      await a.release();
    }
  });

  it('C-MOVE to a destination it cannot reach fails every instance and lists them in the response (Failed SOP Instance UID List)', async () => {
    // Port 1 on loopback: nothing listens there.
    const dead = createQueryRetrieveScp({ storageDir: join(dir, 'store-dead'), aeTitle: 'QR2', aeTable: { DEAD: { host: HOST, port: 1 } } });
    await dead.listen(0);
    try {
      const series = ctSeries({ slices: 2, seed: 'qr-dead', patientId: 'DEAD1' });
      await store({ host: HOST, port: dead.port }, series);
      const studyUid = getString(series[0]!.dataset, 'StudyInstanceUID')!;
      const result = await move({ host: HOST, port: dead.port }, { level: 'STUDY', keys: { StudyInstanceUID: studyUid }, destination: 'DEAD' });
      expect(result.status.status).toBe(0xa702);
      expect(result.failed).toBe(2);
      expect([...result.failedSopInstanceUids].sort()).toEqual(series.map((f) => getString(f.dataset, 'SOPInstanceUID')!).sort());
    } finally {
      await dead.close();
    }
  });

  it('refuses (0xA900) a PATIENT level query in the Study Root model, which has no such level; answers it in Patient Root', async () => {
    const statuses = async (model: 'study' | 'patient'): Promise<number[]> => {
      const out: number[] = [];
      for await (const r of find({ host: HOST, port: qr.port }, { model, level: 'PATIENT', keys: { PatientID: '' } })) out.push(r.status.status);
      return out;
    };
    expect(await statuses('study')).toEqual([0xa900]);
    const patientRoot = await statuses('patient');
    expect(patientRoot[patientRoot.length - 1]).toBe(0);
    expect(patientRoot.filter((s) => s === 0xff00).length).toBeGreaterThan(0);
  });

  it('answers a query without Query/Retrieve Level with a failure status, not matches', async () => {
    const responses = [];
    for await (const r of find({ host: HOST, port: qr.port }, { keys: queryIdentifier({ PatientID: '' }) })) responses.push(r);
    expect(responses).toHaveLength(1);
    expect(responses[0]!.status).toMatchObject({ status: 0xa900, category: 'failure' });
  });

  it('C-GET refuses (0xC000) an instance whose SOP Instance UID has path characters and writes nothing, in -o or outside it', async () => {
    const source = join(dir, 'evil-source');
    mkdirSync(source);
    const [slice] = ctSeries({ slices: 1, seed: 'evil-get' });
    slice!.dataset.elements.set(0x00080018, { tag: 0x00080018, vr: 'UI', value: ['../../escape'] });
    const path = join(source, 'evil.dcm');
    await writeDicomFile(path, slice!);
    const server = createScp({ handlers: { get: () => ({ instances: [path] }) } });
    const { port } = await server.listen(0);
    const out = join(dir, 'get-out', 'deep');
    try {
      const result = await get({ host: HOST, port }, { level: 'IMAGE', keys: { SOPInstanceUID: '' } }, { outputDir: out, storageSopClasses: ['1.2.840.10008.5.1.4.1.1.2'] });
      expect(result.instances.map((i) => i.status.status)).toEqual([0xc000]);
      expect(result.failed).toBe(1);
      expect(readdirSync(out)).toEqual([]);
      expect(existsSync(join(dir, 'escape.dcm'))).toBe(false);
      expect(existsSync(join(dir, 'get-out', 'escape.dcm'))).toBe(false);
    } finally {
      await server.close();
    }
  });
});
