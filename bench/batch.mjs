#!/usr/bin/env node
// Benchmark: `dicom-tools batch` over 1,000 files (anonymize, and convert to PNG) with --jobs 1 and --jobs 2
// (scaling factor), beside gdcmanon's folder mode and a dcm2pnm shell loop over the same files in the same run; and
// `dicom-tools organize` of a multi-patient tree of small files beside a dcmdump-driven shell script that files
// them by patient/study/series. Wall time: median of the runs (rounds interleaved, after one untimed warm-up).
//
// usage: node bench/batch.mjs [--runs N] [--files N] [--size N] [--organize-patients N] [--only REGEX]
// (--only: run the cases whose name matches, e.g. --only organize for the 10,000-file organize alone)
// Needs: built core, anonymize, transcode, batch and cli (dist); gdcmanon (libgdcm-tools), dcm2pnm and dcmdump
// (dcmtk); /usr/bin/python3 with python3-pydicom and python3-numpy (make_corpus.py makes the data once).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeVersion, machineInfo, median, optionValue, timeProcess } from './_measure.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const BIN = join(ROOT, 'packages/cli/dist/bin.cjs');
const PEERS = join(ROOT, 'packages/test-fixtures/peers');

const runs = Number(optionValue('--runs', '3'));
const files = Number(optionValue('--files', '1000'));
const size = Number(optionValue('--size', '256'));
const patients = Number(optionValue('--organize-patients', '10')); // x 10 studies x 10 series x 10 files = 10,000 at 10
const only = new RegExp(optionValue('--only', '.'));
const data = join(ROOT, 'bench/.data/batch');
const out = join(ROOT, 'bench/.out/batch');

for (const tool of ['gdcmanon', 'dcm2pnm', 'dcmdump']) if (spawnSync('which', [tool]).status !== 0) throw new Error(`${tool} is missing (apt: libgdcm-tools, dcmtk)`);
if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build the packages first`);

const flat = join(data, `flat-${files}-${size}`, 'batch');
if (!existsSync(flat) || readdirSync(flat).length !== files) {
  rmSync(dirname(flat), { recursive: true, force: true });
  const made = spawnSync('/usr/bin/python3', [join(PEERS, 'make_corpus.py'), '--out', dirname(flat), '--seed', '2', '--ct-slices', '0', '--mr-slices', '0', '--patients', '0', '--batch', String(files), '--batch-size', String(size)], { stdio: 'inherit' });
  if (made.status !== 0) throw new Error('make_corpus.py failed');
}
const multi = join(data, `multi-${patients}`, 'multi');
if (!existsSync(multi)) {
  const made = spawnSync('/usr/bin/python3', [join(PEERS, 'make_corpus.py'), '--out', dirname(multi), '--seed', '3', '--ct-slices', '0', '--mr-slices', '0', '--patients', String(patients), '--studies', '10', '--series', '10', '--files', '10', '--small-size', '8'], { stdio: 'inherit' });
  if (made.status !== 0) throw new Error('make_corpus.py failed');
}
const multiCount = readdirSync(multi).length;

// The peers' loops, as a user would write them (one process per file); gdcmanon has its own folder mode.
mkdirSync(out, { recursive: true });
const cert = join(out, 'cert.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(out, 'key.pem'), '-out', cert, '-days', '365', '-subj', '/CN=bench'], { stdio: 'ignore' });
const organizeScript = join(out, 'organize.sh');
writeFileSync(organizeScript, `#!/bin/sh
# Files each DICOM file as OUT/PatientID/StudyInstanceUID/SeriesInstanceUID/SOPInstanceUID.dcm using dcmdump.
in="$1"; out="$2"
for f in "$in"/*; do
  v=$(dcmdump -q -s +P 0010,0020 +P 0020,000d +P 0020,000e +P 0008,0018 "$f" | sed -n 's/.*\\[\\(.*\\)\\].*/\\1/p' | tr '\\n' ' ')
  set -- $v
  mkdir -p "$out/$1/$2/$3" && cp "$f" "$out/$1/$2/$3/$4.dcm"
done
`);
const loop = (command) => ['/bin/sh', '-c', `mkdir -p "$2" && for f in "$1"/*; do ${command}; done`, 'loop'];
const ours = (...args) => [process.execPath, BIN, ...args, '-q'];

const cases = {
  'anonymize: dicom-tools --jobs 1': { argv: (o) => ours('batch', 'anonymize', flat, '-o', o, '--secret', 'bench', '--jobs', '1'), n: files },
  'anonymize: dicom-tools --jobs 2': { argv: (o) => ours('batch', 'anonymize', flat, '-o', o, '--secret', 'bench', '--jobs', '2'), n: files },
  'anonymize: gdcmanon -e -r (one process)': { argv: (o) => ['gdcmanon', '-e', '-c', cert, '-r', '-i', flat, '-o', o], n: files },
  'png: dicom-tools --jobs 1': { argv: (o) => ours('batch', 'convert', flat, '-o', o, '--jobs', '1'), n: files },
  'png: dicom-tools --jobs 2': { argv: (o) => ours('batch', 'convert', flat, '-o', o, '--jobs', '2'), n: files },
  'png: dicom-tools --jobs 2 --no-workers': { argv: (o) => ours('batch', 'convert', flat, '-o', o, '--jobs', '2', '--no-workers'), n: files },
  'decompress j2k: dicom-tools --jobs 1': { argv: (o) => ours('batch', 'decompress', j2k(), '-o', o, '--jobs', '1'), n: files },
  'decompress j2k: dicom-tools --jobs 2': { argv: (o) => ours('batch', 'decompress', j2k(), '-o', o, '--jobs', '2'), n: files },
  'png: dcm2pnm loop': { argv: (o) => [...loop('dcm2pnm --write-png --use-window 1 "$f" "$2/$(basename "$f").png"'), flat, o], n: files },
  'organize: dicom-tools': { argv: (o) => ours('organize', multi, '-o', o, '--by', 'patient'), n: multiCount },
  'organize: dcmdump script': { argv: (o) => ['/bin/sh', organizeScript, multi, o], n: multiCount },
};
const names = Object.keys(cases).filter((n) => only.test(n));
// J2K-compressed copies of the flat batch (made once by our own transcode: the decompress cases measure scaling).
function j2k() {
  const dir = join(data, `j2k-${files}-${size}`);
  if (!existsSync(dir) || readdirSync(dir).length !== files) {
    rmSync(dir, { recursive: true, force: true });
    const made = spawnSync(process.execPath, [BIN, 'batch', 'transcode', flat, '-o', dir, '--syntax', 'j2k', '-q'], { stdio: 'inherit' });
    if (made.status !== 0) throw new Error('making the J2K copies failed');
  }
  return dir;
}
const samples = Object.fromEntries(names.map((n) => [n, []]));
for (let round = 0; round <= runs; round++) {
  for (const name of names) {
    const o = join(out, 'o'); // outside the data: our folder inputs refuse an output inside them
    rmSync(o, { recursive: true, force: true });
    const r = await timeProcess(cases[name].argv(o));
    if (r.rc !== 0) throw new Error(`${name} exited ${r.rc}`);
    if (round > 0) samples[name].push(r.wallS);
  }
}
rmSync(out, { recursive: true, force: true });

console.log(JSON.stringify({ machine: machineInfo(), code: codeVersion(ROOT), runs, files, size, organizeFiles: multiCount }, null, 2));
console.log('| case | files | median | files/s |\n|---|---|---|---|');
const medians = {};
for (const name of names) {
  medians[name] = median(samples[name]);
  console.log(`| ${name} | ${cases[name].n} | ${medians[name].toFixed(2)} s | ${Math.round(cases[name].n / medians[name])} |`);
}
const ratio = (a, b) => (medians[b] / medians[a]).toFixed(2);
const scaling = [['anonymize', 'anonymize: dicom-tools --jobs 2'], ['png (worker threads)', 'png: dicom-tools --jobs 2'], ['png --no-workers', 'png: dicom-tools --jobs 2 --no-workers'], ['decompress j2k', 'decompress j2k: dicom-tools --jobs 2']]
  .filter(([, two]) => medians[two] !== undefined && medians[two.replace(/--jobs 2.*/, '--jobs 1')] !== undefined)
  .map(([label, two]) => `${label} ${ratio(two, two.replace(/--jobs 2.*/, '--jobs 1'))}x`);
if (scaling.length > 0) console.log(`\nscaling --jobs 2 / --jobs 1: ${scaling.join(', ')}`);
