// The anonymized files must satisfy the peers: dciodvfy (dicom3tools) finds no more errors in them than in their
// input, dcmdump (DCMTK) reads them without a warning, and pydicom, reading them on its own, finds no private
// element, Patient Identity Removed YES and only replaced UIDs. Every readable corpus file, every fixture and the
// make_corpus PHI files, with the Basic Profile and with a set of options.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDicom, TransferSyntax, writeDicom } from '@dicom-tools/core';
import { corpusFile, corpusFiles, CORPUS_REJECTS, FIXTURE_NAMES, fixtureBytes, fixtureFiles } from '@dicom-tools/test-fixtures';
import { TEST_DATA } from './_build.test-util.js';
import { anonymizeFile, type ProfileOptionName } from './index.js';

const DCMDUMP = '/usr/bin/dcmdump';
const DCMCONV = '/usr/bin/dcmconv';
const DCIODVFY = '/usr/bin/dciodvfy';
const PYTHON = '/usr/bin/python3';

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

/** dciodvfy's error lines; a deflated file is inflated with dcmconv first (dciodvfy cannot read deflate). */
async function dciodvfyErrors(path: string, syntax: string): Promise<string[]> {
  let checked = path;
  if (syntax === TransferSyntax.DeflatedExplicitVRLittleEndian) {
    checked = `${path}.inflated.dcm`;
    await run(DCMCONV, ['+te', path, checked]);
  }
  return (await run(DCIODVFY, [checked])).split('\n').filter((line) => line.startsWith('Error'));
}

/** dcmdump's warnings and errors (W:, E:, F:). */
async function dcmdumpComplaints(path: string): Promise<string[]> {
  return (await run(DCMDUMP, ['-M', path])).split('\n').filter((line) => /^[WEF]: /.test(line));
}

interface Input {
  readonly name: string;
  readonly bytes: Uint8Array;
}

const INPUTS: Input[] = [
  ...corpusFiles().filter((n) => CORPUS_REJECTS[n] === undefined).map((n) => ({ name: n, bytes: readFileSync(corpusFile(n)) })),
  ...FIXTURE_NAMES.map((n) => ({ name: `fixture-${n}`, bytes: fixtureBytes(fixtureFiles(n)[0]!) })),
  ...readdirSync(TEST_DATA).filter((f) => f.endsWith('.dcm')).sort().map((n) => ({ name: n, bytes: readFileSync(join(TEST_DATA, n)) })),
];
const OPTIONS: readonly ProfileOptionName[] = ['retainLongitudinalModifiedDates', 'retainSafePrivate', 'cleanDescriptors', 'retainPatientCharacteristics'];

/**
 * dcmdump complaints about the content of the input rather than about our encoding, which its anonymized copy may
 * keep: elements in group 0001 (forbidden by PS3.5 7.1), and private sequences of unknown VR that DCMTK reads as
 * sequences in implicit VR (CP-246) when retainSafePrivate keeps one.
 */
const CONTENT = [/Invalid Element \(0001,/, /Found element \(0001,\w+\) with VR UN/, /with VR UN and undefined length, reading a sequence with transfer syntax LittleEndianImplicit \(CP-246\)/];

describe('anonymized files and the peers', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dicom-tools-anon-peers-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has dcmdump, dcmconv (dcmtk), dciodvfy (dicom3tools) and pydicom (python3-pydicom) installed; CI installs them with apt', () => {
    expect(existsSync(DCMDUMP)).toBe(true);
    expect(existsSync(DCMCONV)).toBe(true);
    expect(existsSync(DCIODVFY)).toBe(true);
    expect(spawnSync(PYTHON, ['-c', 'import pydicom']).status).toBe(0);
  });

  it.each(INPUTS.map((input) => [input.name, input] as const))('%s: dciodvfy finds no new error, dcmdump no warning', async (name, input) => {
    const stem = join(dir, name.replace(/\W+/g, '_'));
    const file = readDicom(input.bytes, { fileName: name });
    writeFileSync(`${stem}.in.dcm`, input.bytes);
    const problems: string[] = [];
    const inputErrors = await dciodvfyErrors(`${stem}.in.dcm`, file.transferSyntaxUID);
    for (const [label, options] of [['basic', []], ['options', OPTIONS]] as const) {
      const path = `${stem}.${label}.dcm`;
      writeFileSync(path, writeDicom(anonymizeFile(file, { secret: 'peers', options }).file));
      const [errors, complaints] = await Promise.all([dciodvfyErrors(path, file.transferSyntaxUID), dcmdumpComplaints(path)]);
      const added = errors.filter((line) => !inputErrors.includes(line));
      if (errors.length > inputErrors.length) problems.push(`${label}: dciodvfy ${errors.length} errors (input ${inputErrors.length}): ${added.join(' | ')}`);
      for (const complaint of complaints) if (!CONTENT.some((rule) => rule.test(complaint))) problems.push(`${label}: dcmdump: ${complaint}`);
    }
    expect(problems).toEqual([]);
  });

  it('pydicom reads every anonymized file and finds no private element, Patient Identity Removed YES, only 2.25 instance UIDs', () => {
    const outDir = join(dir, 'pydicom');
    spawnSync('mkdir', ['-p', outDir]);
    for (const input of INPUTS) {
      const file = readDicom(input.bytes, { fileName: input.name });
      writeFileSync(join(outDir, `${input.name.replace(/\W+/g, '_')}.dcm`), writeDicom(anonymizeFile(file, { secret: 'peers' }).file));
    }
    const script = `
import json, os, sys, warnings, pydicom
warnings.simplefilter('ignore')  # badVR.dcm keeps its invalid IS value (1A): pydicom warns about it
out = {}
for name in sorted(os.listdir(sys.argv[1])):
    ds = pydicom.dcmread(os.path.join(sys.argv[1], name))
    private = [str(e.tag) for e in ds.iterall() if e.tag.is_private]
    uids = [str(e.value) for e in ds.iterall() if e.VR == 'UI' and e.keyword in ('SOPInstanceUID', 'StudyInstanceUID', 'SeriesInstanceUID', 'FrameOfReferenceUID', 'ReferencedSOPInstanceUID')]
    out[name] = {'private': private, 'removed': ds.get('PatientIdentityRemoved'), 'uids': uids,
                 'meta': str(ds.file_meta.MediaStorageSOPInstanceUID), 'sop': str(ds.get('SOPInstanceUID', ''))}
print(json.dumps(out))
`;
    const result = spawnSync(PYTHON, ['-c', script, outDir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    const seen = JSON.parse(result.stdout) as Record<string, { private: string[]; removed: string; uids: string[]; meta: string; sop: string }>;
    expect(Object.keys(seen).length).toBe(INPUTS.length);
    for (const [name, r] of Object.entries(seen)) {
      expect({ name, private: r.private, removed: r.removed }).toEqual({ name, private: [], removed: 'YES' });
      for (const uid of r.uids) expect({ name, uid, ok: /^2\.25\.[1-9][0-9]*$/.test(uid) }).toEqual({ name, uid, ok: true });
      if (r.sop !== '') expect({ name, meta: r.meta }).toEqual({ name, meta: r.sop });
    }
  });
});
