import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getString, readDicomFile, setValue, tagForKeyword, writeDicomFile, type DicomFile } from '@dicom-tools/core';
import { ctSeries } from '@dicom-tools/test-fixtures';
import { createQueryRetrieveScp, createStorageScp, find, get, move, store, type DicomServer, type QueryKeys, type QueryRetrieveServer } from './index.js';
import { freePort, requireTool, run, startServer, stop } from './_peers.test-util.js';

const HOST = '127.0.0.1';
const SCU = 'DICOMTOOLS';
let dir: string;
let files: DicomFile[];
let orthanc: ChildProcess | undefined;
let orthancPort: number;
let ours: QueryRetrieveServer;
let dest: DicomServer;
let destPort: number;
const received: string[] = [];

const studyUid = (p: number, s: number): string => `1.2.826.0.1.3680043.10.1138.${p}.${s}`;

/** 3 patients x 2 studies x 2 series x 2 instances, with dates, descriptions and two modalities. */
function dataset(): DicomFile[] {
  const out: DicomFile[] = [];
  for (const p of [1, 2, 3]) {
    for (const s of [1, 2]) {
      for (const r of [1, 2]) {
        const series = ctSeries({ slices: 2, seed: `qr-p${p}-s${s}-r${r}`, studyInstanceUID: studyUid(p, s), patientName: p === 3 ? 'SMITH^ANN' : `DOE^P${p}`, patientId: `PID${p}` });
        for (const f of series) {
          setValue(f.dataset, 'StudyDate', `2020010${s}`);
          setValue(f.dataset, 'StudyTime', `10${s}000`);
          setValue(f.dataset, 'StudyDescription', `study ${p}.${s}`);
          setValue(f.dataset, 'AccessionNumber', `ACC${p}${s}`);
          setValue(f.dataset, 'StudyID', `S${s}`);
          setValue(f.dataset, 'SeriesDescription', `series ${r}`);
          setValue(f.dataset, 'SeriesNumber', r);
          setValue(f.dataset, 'Modality', r === 1 ? 'CT' : 'MR');
          setValue(f.dataset, 'PatientBirthDate', `19${50 + p}0101`);
          setValue(f.dataset, 'PatientSex', p === 3 ? 'F' : 'M');
          out.push(f);
        }
      }
    }
  }
  return out;
}

async function startOrthanc(): Promise<void> {
  requireTool('Orthanc');
  const home = join(dir, 'orthanc');
  mkdirSync(join(home, 'db'), { recursive: true });
  orthancPort = await freePort();
  const httpPort = await freePort();
  // A throw-away Orthanc: its own storage, HTTP on loopback only, our SCU registered as a modality (find/move/get).
  writeFileSync(join(home, 'orthanc.json'), JSON.stringify({
    Name: 'nettest', StorageDirectory: join(home, 'db'), IndexDirectory: join(home, 'db'), StorageCompression: false, Plugins: [],
    HttpServerEnabled: true, HttpPort: httpPort, RemoteAccessAllowed: false, AuthenticationEnabled: false,
    DicomServerEnabled: true, DicomAet: 'ORTHANC', DicomPort: orthancPort, DicomCheckCalledAet: false, DicomAlwaysAllowEcho: true,
    DicomAlwaysAllowStore: true, DicomCheckModalityHost: false, DicomModalities: { ours: [SCU, HOST, destPort] }, DicomScpTimeout: 30,
    SaveJobs: false, OverwriteInstances: true, StableAge: 1, ConcurrentJobs: 2,
  }));
  orthanc = await startServer('Orthanc', [join(home, 'orthanc.json')], orthancPort, 'ORTHANC');
}

beforeAll(async () => {
  for (const tool of ['findscu', 'movescu', 'getscu', 'Orthanc']) requireTool(tool);
  dir = mkdtempSync(join(tmpdir(), 'net-qr-'));
  files = dataset();
  dest = createStorageScp({ outputDir: join(dir, 'dest'), aeTitle: SCU, layout: '{SOPInstanceUID}.dcm' });
  dest.on('stored', (e) => received.push(e.sopInstanceUid));
  ({ port: destPort } = await dest.listen(0));
  // Our Q/R SCP serves a folder holding the same instances as Orthanc.
  mkdirSync(join(dir, 'storage'));
  for (const [i, f] of files.entries()) await writeDicomFile(join(dir, 'storage', `${i}.dcm`), f);
  ours = createQueryRetrieveScp({ storageDir: join(dir, 'storage'), aeTitle: 'OURQR', aeTable: { [SCU]: { host: HOST, port: destPort } } });
  await ours.listen(0);
  await startOrthanc();
  const report = await store({ host: HOST, port: orthancPort, aeTitle: 'ORTHANC' }, files);
  if (report.succeeded !== files.length) throw new Error(`Orthanc stored ${report.succeeded} of ${files.length}`);
}, 60000);

afterAll(async () => {
  await stop(orthanc);
  await ours?.close();
  await dest?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One response as the requested keys' values (trimmed text), so that answers from different servers compare. */
function row(keys: readonly string[], get: (keyword: string) => string | undefined): string {
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, (get(k) ?? '').trim()])));
}

async function findscu(port: number, aec: string, model: '-S' | '-P', level: string, keys: QueryKeys): Promise<string[]> {
  const out = mkdtempSync(join(dir, 'findscu-'));
  const args = [model, '-aet', SCU, '-aec', aec, '-X', '-od', out, '-k', `QueryRetrieveLevel=${level}`];
  for (const [k, v] of Object.entries(keys)) args.push('-k', v === '' || v === null ? k : `${k}=${String(v)}`);
  const result = await run('findscu', [...args, HOST, String(port)]);
  if (result.code !== 0) throw new Error(`findscu failed: ${result.stderr}`);
  const rows: string[] = [];
  for (const name of readdirSync(out).sort()) {
    const file = await readDicomFile(join(out, name));
    rows.push(row(Object.keys(keys), (k) => getString(file.dataset, tagForKeyword(k)!)));
  }
  return rows.sort();
}

async function ourFind(port: number, aec: string, model: 'study' | 'patient', level: 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE', keys: QueryKeys): Promise<{ rows: string[]; final: number }> {
  const rows: string[] = [];
  let final = -1;
  for await (const r of find({ host: HOST, port, aeTitle: aec }, { level, model, keys })) {
    if (r.identifier) rows.push(row(Object.keys(keys), (k) => getString(r.identifier!, tagForKeyword(k)!)));
    else final = r.status.status;
  }
  return { rows: rows.sort(), final };
}

const QUERIES: ReadonlyArray<{ name: string; model: 'study' | 'patient'; level: 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE'; keys: QueryKeys }> = [
  { name: 'every patient (patient root)', model: 'patient', level: 'PATIENT', keys: { PatientID: '', PatientName: '', PatientBirthDate: '', PatientSex: '' } },
  { name: 'studies of DOE* (wildcard)', model: 'study', level: 'STUDY', keys: { PatientName: 'DOE*', StudyInstanceUID: '', StudyDate: '', StudyDescription: '', AccessionNumber: '' } },
  { name: 'studies from 2020-01-02 on (date range)', model: 'study', level: 'STUDY', keys: { StudyDate: '20200102-', StudyInstanceUID: '', PatientID: '' } },
  { name: 'studies up to 2020-01-01 (open start)', model: 'study', level: 'STUDY', keys: { StudyDate: '-20200101', StudyInstanceUID: '', StudyTime: '' } },
  { name: 'two studies by UID list', model: 'study', level: 'STUDY', keys: { StudyInstanceUID: `${studyUid(1, 1)}\\${studyUid(3, 2)}`, PatientName: '', StudyID: '' } },
  { name: 'series of one study, with counts', model: 'study', level: 'SERIES', keys: { StudyInstanceUID: studyUid(2, 1), SeriesInstanceUID: '', Modality: '', SeriesDescription: '', SeriesNumber: '', NumberOfSeriesRelatedInstances: '' } },
  { name: 'MR series (single value)', model: 'study', level: 'SERIES', keys: { Modality: 'MR', SeriesInstanceUID: '', StudyInstanceUID: '' } },
  { name: 'images of one study', model: 'study', level: 'IMAGE', keys: { StudyInstanceUID: studyUid(3, 1), SOPInstanceUID: '', InstanceNumber: '', SOPClassUID: '' } },
  { name: 'studies of a patient (patient root)', model: 'patient', level: 'STUDY', keys: { PatientID: 'PID2', StudyInstanceUID: '', StudyDate: '', NumberOfStudyRelatedSeries: '', NumberOfStudyRelatedInstances: '' } },
  { name: 'no match', model: 'study', level: 'STUDY', keys: { PatientID: 'NOBODY', StudyInstanceUID: '' } },
  { name: 'studies with return keys of lower levels (left out: hierarchical model)', model: 'study', level: 'STUDY', keys: { PatientID: 'PID1', StudyInstanceUID: '', SeriesInstanceUID: '', Modality: '', SOPInstanceUID: '' } },
  { name: 'patients with study return keys (left out)', model: 'patient', level: 'PATIENT', keys: { PatientID: '', StudyInstanceUID: '', StudyDate: '' } },
];

describe('C-FIND: our SCU and our Q/R SCP against Orthanc and DCMTK findscu, same data', () => {
  it.each(QUERIES)('$name: findscu gets the same answers from our Q/R SCP as from Orthanc, and our find the same as findscu', async ({ model, level, keys }) => {
    const flag = model === 'study' ? '-S' : '-P';
    const fromOrthanc = await findscu(orthancPort, 'ORTHANC', flag, level, keys);
    const fromOurs = await findscu(ours.port, 'OURQR', flag, level, keys);
    expect(fromOurs).toEqual(fromOrthanc);
    const ourScuToOrthanc = await ourFind(orthancPort, 'ORTHANC', model, level, keys);
    expect(ourScuToOrthanc.rows).toEqual(fromOrthanc);
    expect(ourScuToOrthanc.final).toBe(0);
    const ourScuToOurs = await ourFind(ours.port, 'OURQR', model, level, keys);
    expect(ourScuToOurs.rows).toEqual(fromOrthanc);
  });

  it.each([
    { model: 'study' as const, level: 'STUDY' as const, keys: { PatientID: 'PID1', StudyInstanceUID: '', Modality: 'MR' } },
    { model: 'patient' as const, level: 'PATIENT' as const, keys: { PatientID: '', StudyDate: '20200101' } },
    { model: 'study' as const, level: 'SERIES' as const, keys: { StudyInstanceUID: studyUid(2, 1), SeriesInstanceUID: '', InstanceNumber: '2' } },
  ])('a condition below the $level level matches nothing, as with Orthanc; our Q/R SCP says why with 0xA900', async ({ model, level, keys }) => {
    const flag = model === 'study' ? '-S' : '-P';
    expect(await findscu(orthancPort, 'ORTHANC', flag, level, keys)).toEqual([]);
    expect(await findscu(ours.port, 'OURQR', flag, level, keys)).toEqual([]);
    const answer = await ourFind(ours.port, 'OURQR', model, level, keys);
    expect(answer).toEqual({ rows: [], final: 0xa900 });
  });

  it('the query set is not trivial: it returns matches at every level', () => {
    expect(files).toHaveLength(24);
    expect(QUERIES.map((q) => q.level)).toEqual(expect.arrayContaining(['PATIENT', 'STUDY', 'SERIES', 'IMAGE']));
  });
});

function uidsOfStudy(p: number, s: number): string[] {
  return files.filter((f) => getString(f.dataset, 'StudyInstanceUID') === studyUid(p, s)).map((f) => getString(f.dataset, 'SOPInstanceUID')!).sort();
}

describe('C-MOVE and C-GET against Orthanc and our Q/R SCP', () => {
  it('movescu and our move get the same study delivered from Orthanc and from our Q/R SCP', async () => {
    const expected = uidsOfStudy(1, 2);
    const keys = ['-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${studyUid(1, 2)}`];
    for (const [port, aec] of [[orthancPort, 'ORTHANC'], [ours.port, 'OURQR']] as const) {
      received.length = 0;
      const result = await run('movescu', ['-S', '-aet', SCU, '-aec', aec, '-aem', SCU, ...keys, HOST, String(port)]);
      expect({ aec, code: result.code }).toEqual({ aec, code: 0 });
      expect([...received].sort()).toEqual(expected);
      received.length = 0;
      const progress: number[] = [];
      const ourResult = await move({ host: HOST, port, aeTitle: aec }, { level: 'STUDY', keys: { StudyInstanceUID: studyUid(1, 2) }, destination: SCU }, { onProgress: (p) => progress.push(p.completed ?? -1) });
      expect({ aec, status: ourResult.status.status, completed: ourResult.completed, failed: ourResult.failed }).toEqual({ aec, status: 0, completed: expected.length, failed: 0 });
      expect([...received].sort()).toEqual(expected);
    }
  });

  it('a C-MOVE to an unknown destination fails at both; ours answers 0xA801 (PS3.4 C.4.2.1.4), Orthanc 1.10 a generic 0xC000', async () => {
    const statuses: Record<string, { status: number; category: string }> = {};
    for (const [port, aec] of [[orthancPort, 'ORTHANC'], [ours.port, 'OURQR']] as const) {
      const result = await move({ host: HOST, port, aeTitle: aec }, { level: 'STUDY', keys: { StudyInstanceUID: studyUid(1, 1) }, destination: 'NOWHERE' });
      statuses[aec] = { status: result.status.status, category: result.status.category };
    }
    expect(statuses).toEqual({ ORTHANC: { status: 0xc000, category: 'failure' }, OURQR: { status: 0xa801, category: 'failure' } });
  });

  it('getscu and our get retrieve the same instances from Orthanc and from our Q/R SCP', async () => {
    const expected = uidsOfStudy(2, 2);
    for (const [port, aec] of [[orthancPort, 'ORTHANC'], [ours.port, 'OURQR']] as const) {
      const viaGetscu = mkdtempSync(join(dir, 'getscu-'));
      const result = await run('getscu', ['-S', '-aet', SCU, '-aec', aec, '-od', viaGetscu, '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${studyUid(2, 2)}`, HOST, String(port)]);
      expect({ aec, code: result.code }).toEqual({ aec, code: 0 });
      const got: string[] = [];
      for (const name of readdirSync(viaGetscu)) got.push(getString((await readDicomFile(join(viaGetscu, name))).dataset, 'SOPInstanceUID')!);
      expect(got.sort()).toEqual(expected);
      const viaOurs = mkdtempSync(join(dir, 'get-'));
      const ourResult = await get({ host: HOST, port, aeTitle: aec }, { level: 'STUDY', keys: { StudyInstanceUID: studyUid(2, 2) } }, { outputDir: viaOurs, storageSopClasses: ['1.2.840.10008.5.1.4.1.1.2'] });
      expect({ aec, status: ourResult.status.status, completed: ourResult.completed }).toEqual({ aec, status: 0, completed: expected.length });
      expect(readdirSync(viaOurs).map((n) => n.replace(/\.dcm$/, '')).sort()).toEqual(expected);
    }
  });
});
