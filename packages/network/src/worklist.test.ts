import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasetFromJson, getString, readDicomFile, writeDicomFile, type Dataset } from '@dicom-tools/core';
import { createWorklistScp, worklist, type DicomServer, type QueryKeys } from './index.js';
import { freePort, requireTool, run, startServer, stop } from './_peers.test-util.js';

const HOST = '127.0.0.1';
let dir: string;
let ours: DicomServer;
let wlm: ChildProcess | undefined;
let wlmPort: number;

const text = (vr: string, ...values: string[]): object => ({ vr, Value: values });
const pn = (name: string): object => ({ vr: 'PN', Value: [{ Alphabetic: name }] });

/** Four scheduled steps: two stations, two modalities, three dates. */
function item(n: number, station: string, modality: string, date: string, patient: string): object {
  return {
    '00080005': text('CS', 'ISO_IR 100'),
    '00080050': text('SH', `ACC${n}`),
    '00080090': pn('REF^DOC'),
    '00100010': pn(patient),
    '00100020': text('LO', `PID${n}`),
    '00100030': text('DA', '19700101'),
    '00100040': text('CS', 'O'),
    '0020000D': text('UI', `1.2.826.0.1.3680043.10.1138.9.${n}`),
    '00321060': text('LO', `procedure ${n}`),
    '00401001': text('SH', `RP${n}`),
    '00400100': {
      vr: 'SQ',
      Value: [{
        '00400001': text('AE', station),
        '00400002': text('DA', date),
        '00400003': text('TM', '090000'),
        '00080060': text('CS', modality),
        '00400006': pn('TECH^ONE'),
        '00400007': text('LO', `step ${n}`),
        '00400009': text('SH', `SPS${n}`),
        '00400010': text('SH', `ROOM${n}`),
      }],
    },
  };
}

const ITEMS = [
  item(1, 'CT_ROOM', 'CT', '20240105', 'DOE^JOHN'),
  item(2, 'CT_ROOM', 'CT', '20240106', 'DOE^JANE'),
  item(3, 'MR_ROOM', 'MR', '20240106', 'ROE^RICHARD'),
  item(4, 'MR_ROOM', 'MR', '20240210', 'POE^EDGAR'),
];

beforeAll(async () => {
  for (const tool of ['findscu', 'wlmscpfs']) requireTool(tool);
  dir = mkdtempSync(join(tmpdir(), 'net-wl-'));
  mkdirSync(join(dir, 'json'));
  ITEMS.forEach((it, i) => writeFileSync(join(dir, 'json', `item${i + 1}.json`), JSON.stringify(it)));
  // The same items as DICOM worklist files for DCMTK's wlmscpfs (which serves <path>/<called AE>/*.wl).
  mkdirSync(join(dir, 'wlm', 'WLM'), { recursive: true });
  writeFileSync(join(dir, 'wlm', 'WLM', 'lockfile'), '');
  for (const [i, it] of ITEMS.entries()) {
    await writeDicomFile(join(dir, 'wlm', 'WLM', `item${i + 1}.wl`), { meta: { elements: new Map() }, dataset: datasetFromJson(it), transferSyntaxUID: '1.2.840.10008.1.2.1', hadPreamble: true });
  }
  ours = createWorklistScp({ worklist: join(dir, 'json'), aeTitle: 'OURWL' });
  await ours.listen(0);
  wlmPort = await freePort();
  wlm = await startServer('wlmscpfs', ['-dfp', join(dir, 'wlm'), '-dfr', String(wlmPort)], wlmPort, 'WLM');
});

afterAll(async () => {
  await stop(wlm);
  await ours.close();
  rmSync(dir, { recursive: true, force: true });
});

const RETURN = ['PatientName', 'PatientID', 'AccessionNumber', 'ScheduledProcedureStepSequence[0].ScheduledStationAETitle', 'ScheduledProcedureStepSequence[0].Modality', 'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate', 'ScheduledProcedureStepSequence[0].ScheduledProcedureStepID'];

function row(get: (path: string) => string | undefined): string {
  return JSON.stringify(Object.fromEntries(RETURN.map((k) => [k, (get(k) ?? '').trim()])));
}

function value(dataset: Dataset, path: string): string | undefined {
  try {
    return getString(dataset, path);
  } catch {
    return undefined;
  }
}

async function viaFindscu(port: number, aec: string, keys: QueryKeys): Promise<string[]> {
  const out = mkdtempSync(join(dir, 'findscu-'));
  const args = ['-W', '-aec', aec, '-X', '-od', out];
  const all: Record<string, string> = Object.fromEntries(RETURN.map((k) => [k, '']));
  for (const [k, v] of Object.entries({ ...all, ...keys })) args.push('-k', v === '' ? k : `${k}=${String(v)}`);
  const result = await run('findscu', [...args, HOST, String(port)]);
  if (result.code !== 0) throw new Error(`findscu failed: ${result.stderr}`);
  const rows: string[] = [];
  for (const name of readdirSync(out)) {
    const ds = (await readDicomFile(join(out, name))).dataset;
    rows.push(row((p) => value(ds, p)));
  }
  return rows.sort();
}

async function viaOurScu(port: number, aec: string, keys: QueryKeys): Promise<string[]> {
  const rows: string[] = [];
  const all: Record<string, string> = Object.fromEntries(RETURN.map((k) => [k, '']));
  for await (const r of worklist({ host: HOST, port, aeTitle: aec }, { ...all, ...keys })) if (r.identifier) rows.push(row((p) => value(r.identifier!, p)));
  return rows.sort();
}

const QUERIES: ReadonlyArray<{ name: string; keys: QueryKeys; expected: number }> = [
  { name: 'everything', keys: {}, expected: 4 },
  { name: 'by scheduled station AE title', keys: { 'ScheduledProcedureStepSequence[0].ScheduledStationAETitle': 'CT_ROOM' }, expected: 2 },
  { name: 'by modality', keys: { 'ScheduledProcedureStepSequence[0].Modality': 'MR' }, expected: 2 },
  { name: 'by date range', keys: { 'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate': '20240106-20240131' }, expected: 2 },
  { name: 'by patient name wildcard', keys: { PatientName: 'DOE*' }, expected: 2 },
  { name: 'modality and date together', keys: { 'ScheduledProcedureStepSequence[0].Modality': 'CT', 'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate': '20240106' }, expected: 1 },
];

describe('Modality Worklist: findscu -W and our worklist SCU against our worklist SCP and DCMTK wlmscpfs', () => {
  it.each(QUERIES)('$name: the same items from both servers, with both SCUs', async ({ keys, expected }) => {
    const fromWlm = await viaFindscu(wlmPort, 'WLM', keys);
    expect(fromWlm).toHaveLength(expected);
    expect(await viaFindscu(ours.port, 'OURWL', keys)).toEqual(fromWlm);
    expect(await viaOurScu(ours.port, 'OURWL', keys)).toEqual(fromWlm);
    expect(await viaOurScu(wlmPort, 'WLM', keys)).toEqual(fromWlm);
  });
});

