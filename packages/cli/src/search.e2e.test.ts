// End-to-end tests of `dicom-tools search` on the built binary. Expected rows come from make_corpus.py's manifest
// and from pydicom reading the same files; our CSV is parsed back by Python's csv module.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { peerScript } from '@dicom-tools/test-fixtures';
import { runCli, type CliRun } from './_run-cli.test-util.js';

const PYTHON = '/usr/bin/python3';

const cli = (args: readonly string[]): CliRun => runCli(args);

function python(args: readonly string[], input?: string): string {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: apt-get install -y python3-pydicom python3-numpy`);
  const result = spawnSync(PYTHON, args, { encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
  if (result.status !== 0) throw new Error(`python failed: ${result.stderr}`);
  return result.stdout;
}

interface Header {
  readonly file: string;
  readonly PatientName: string;
  readonly PatientID: string;
  readonly StudyDate: string;
  readonly Modality: string;
  readonly StudyInstanceUID: string;
}

let dir: string;
let multi: string;
let headers: Header[];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'search-e2e-'));
  python([peerScript('make_corpus.py'), '--out', dir, '--ct-slices', '0', '--mr-slices', '0', '--patients', '3', '--studies', '2', '--series', '2', '--files', '2', '--small-size', '16']);
  multi = join(dir, 'multi');
  // One more file whose name needs CSV quoting, written by pydicom from a corpus file.
  python(['-c', [
    'import sys, glob, pydicom',
    'src = sorted(glob.glob(sys.argv[1] + "/*.dcm"))[0]',
    'd = pydicom.dcmread(src); d.PatientName = \'Quote"s, Comma\'; d.PatientID = "PATQ"',
    'd.SOPInstanceUID = "1.2.3.999"; d.file_meta.MediaStorageSOPInstanceUID = "1.2.3.999"; d.save_as(sys.argv[1] + "/zz_quoted.dcm")',
  ].join('\n'), multi]);
  writeFileSync(join(multi, 'readme.txt'), 'not DICOM');
  headers = JSON.parse(python(['-c', [
    'import sys, glob, os, json, pydicom',
    'out = []',
    'for f in sorted(glob.glob(sys.argv[1] + "/*.dcm")):',
    '    d = pydicom.dcmread(f, stop_before_pixels=True)',
    '    out.append(dict(file=f, PatientName=str(d.PatientName), PatientID=d.PatientID, StudyDate=d.StudyDate, Modality=d.Modality, StudyInstanceUID=d.StudyInstanceUID))',
    'print(json.dumps(out))',
  ].join('\n'), multi])) as Header[];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csvRows(text: string): string[][] {
  return JSON.parse(python(['-c', 'import sys, csv, io, json; print(json.dumps(list(csv.reader(io.StringIO(sys.stdin.read(), newline="")))))'], text)) as string[][];
}

describe('dicom-tools search', () => {
  it('--where with a wildcard on PN (case-insensitive) and CS lists exactly the matching files', () => {
    const run = cli(['search', multi, '--where', 'Modality=CT', '--where', 'PatientName=alpha*', '--format', 'ndjson']);
    expect(run.status).toBe(0);
    const got = run.stdout.trim().split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { path: string }).path);
    const expected = headers.filter((h) => h.Modality === 'CT' && h.PatientName.toLowerCase().startsWith('alpha')).map((h) => h.file).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(got).toEqual(expected);
  });

  it('--date-range is inclusive and CSV is RFC 4180 (Python reads back every field)', () => {
    const dates = [...new Set(headers.map((h) => h.StudyDate))].sort();
    const [low, high] = [dates[0]!, dates[Math.floor(dates.length / 2)]!];
    const run = cli(['search', multi, '--date-range', `${low}-${high}`, '--format', 'csv', '--columns', 'PatientName,StudyDate']);
    expect(run.status).toBe(0);
    const rows = csvRows(run.stdout);
    expect(rows[0]).toEqual(['path', 'PatientName', 'StudyDate']);
    const expected = headers.filter((h) => h.StudyDate >= low && h.StudyDate <= high).map((h) => [h.file, h.PatientName, h.StudyDate]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    expect(rows.slice(1)).toEqual(expected);
    expect(rows.slice(1).some((r) => r[1] === 'Quote"s, Comma')).toBe(true);
  });

  it('names an input that is not there on stderr (CORE_IO) and exits 3, as for a file it cannot read', () => {
    const run = cli(['search', join(dir, 'no-such-folder'), '-q']);
    expect(run.status).toBe(3);
    expect(run.stderr).toBe(`dicom-tools: ${join(dir, 'no-such-folder')}: cannot read: no such file or folder [CORE_IO]\n`);
  });

  it('a UID list matches any of its UIDs', () => {
    const uids = [...new Set(headers.map((h) => h.StudyInstanceUID))].slice(0, 2);
    const run = cli(['search', multi, '--where', `StudyInstanceUID=${uids.join('\\')}`, '--format', 'ndjson']);
    const got = run.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { path: string }).path);
    expect(got).toEqual(headers.filter((h) => uids.includes(h.StudyInstanceUID)).map((h) => h.file).sort());
  });

  it('rejects a malformed --where or --date-range with exit 2', () => {
    expect(cli(['search', multi, '--where', 'Modality']).status).toBe(2);
    expect(cli(['search', multi, '--where', 'NoSuchKeyword=1']).status).toBe(2);
    expect(cli(['search', multi, '--date-range', '2024']).status).toBe(2);
  });
});
