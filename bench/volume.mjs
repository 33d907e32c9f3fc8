#!/usr/bin/env node
// Benchmark: a 200-slice 512x512 int16 CT series to NIfTI, `dicom-tools nifti` against dcm2niix, side by side in
// the same run: `.nii` against `dcm2niix -z n`, `.nii.gz` against `dcm2niix -z y`. Wall time (median and fastest
// of the rounds, interleaved, the order rotating every round, after one untimed warm-up round), CPU and peak RSS
// from GNU time (/usr/bin/time), and the load average before and after. Neither tool writes a sidecar
// (--no-sidecar, -b n). Each output is deleted before the next run.
//
// usage: node bench/volume.mjs [--runs N] [--slices N] [--data DIR]
// Needs: built core, volume, transcode and cli (dist), dcm2niix (apt), /usr/bin/python3 with python3-pydicom and
// python3-numpy (to make the data once, with packages/test-fixtures/peers/make_corpus.py --seed 1).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { codeVersion, machineInfo, median, optionValue, timeProcess } from './_measure.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const BIN = join(ROOT, 'packages/cli/dist/bin.cjs');
const PEERS = process.env.PEERS ?? join(ROOT, 'packages/test-fixtures/peers');

const runs = Number(optionValue('--runs', '7'));
if (!(runs >= 5)) throw new Error('--runs must be at least 5');
const slices = Number(optionValue('--slices', '200'));
const data = resolve(optionValue('--data', join(ROOT, 'bench/.data/volume')));
const series = join(data, 'ct');
const out = join(ROOT, 'bench/.out/volume');

if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build core, volume, transcode and cli first`);
if (spawnSync('dcm2niix', ['--version']).error) throw new Error('dcm2niix is missing: apt-get install dcm2niix');
if (!existsSync(series) || readdirSync(series).length !== slices) {
  rmSync(data, { recursive: true, force: true });
  mkdirSync(data, { recursive: true });
  const made = spawnSync('/usr/bin/python3', [join(PEERS, 'make_corpus.py'), '--out', data, '--seed', '1', '--ct-slices', String(slices), '--mr-slices', '0', '--patients', '0'], { stdio: 'inherit' });
  if (made.status !== 0) throw new Error('make_corpus.py failed');
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const tools = {
  'ours .nii': { file: 'ours.nii', argv: [process.execPath, BIN, 'nifti', series, '-o', join(out, 'ours.nii'), '--no-compress', '--no-sidecar', '-q'] },
  'dcm2niix -z n': { file: 'peer.nii', argv: ['dcm2niix', '-z', 'n', '-b', 'n', '-f', 'peer', '-o', out, series] },
  'ours .nii.gz': { file: 'ours.nii.gz', argv: [process.execPath, BIN, 'nifti', series, '-o', join(out, 'ours.nii.gz'), '--no-sidecar', '-q'] },
  'dcm2niix -z y': { file: 'peergz.nii.gz', argv: ['dcm2niix', '-z', 'y', '-b', 'n', '-f', 'peergz', '-o', out, series] },
};
const names = Object.keys(tools);
const samples = Object.fromEntries(names.map((n) => [n, []]));

async function once(name) {
  const tool = tools[name];
  rmSync(join(out, tool.file), { force: true });
  const result = await timeProcess(tool.argv);
  if (result.rc !== 0) throw new Error(`${name} failed with exit code ${result.rc}`);
  return result;
}

const loadBefore = loadavg();
for (const name of names) await once(name); // warm-up: page cache, first-write effects
for (let round = 0; round < runs; round++) {
  const order = names.map((_, i) => names[(i + round) % names.length]);
  for (const name of order) samples[name].push(await once(name));
}

const loadAfter = loadavg();

// The outputs must be what they claim: ours .nii.gz inflates to ours .nii, and both hold as many bytes as dcm2niix's.
const oursNii = readFileSync(join(out, 'ours.nii'));
const inflated = gunzipSync(readFileSync(join(out, 'ours.nii.gz')));
if (!inflated.equals(oursNii)) throw new Error('ours .nii.gz does not inflate to ours .nii');
if (oursNii.length !== statSync(join(out, 'peer.nii')).size) throw new Error('ours .nii and dcm2niix .nii differ in size');

const summary = Object.fromEntries(names.map((name) => {
  const s = samples[name];
  return [name, {
    wallS: median(s.map((r) => r.wallS)),
    fastestS: Math.min(...s.map((r) => r.wallS)),
    cpuS: median(s.map((r) => (r.userS ?? NaN) + (r.sysS ?? NaN))),
    maxRssMiB: median(s.map((r) => (r.maxRssKb ?? NaN) / 1024)),
    peakRssMiB: Math.max(...s.map((r) => (r.maxRssKb ?? NaN) / 1024)),
    outputBytes: statSync(join(out, tools[name].file)).size,
    runs: s.map((r) => Number(r.wallS.toFixed(3))),
  }];
}));
const ratio = (a, b) => summary[a].wallS / summary[b].wallS;
const fastestRatio = (a, b) => summary[a].fastestS / summary[b].fastestS;
const rows = [
  { operation: `${slices}-slice CT to .nii`, ours: 'ours .nii', peer: 'dcm2niix -z n', target: 1.5 },
  { operation: `${slices}-slice CT to .nii.gz`, ours: 'ours .nii.gz', peer: 'dcm2niix -z y', target: 0.5 },
].map((row) => ({ ...row, ratio: ratio(row.ours, row.peer), fastestRatio: fastestRatio(row.ours, row.peer) }));

const result = { date: new Date().toISOString(), code: codeVersion(ROOT), machine: { ...machineInfo(), dcm2niix: spawnSync('dcm2niix', ['--version'], { encoding: 'utf8' }).stdout.trim().split('\n').pop() }, runs, slices, load: { before: loadBefore, after: loadAfter }, summary, rows };
mkdirSync(join(ROOT, 'bench/.out'), { recursive: true });
writeFileSync(join(ROOT, 'bench/.out/volume.json'), `${JSON.stringify(result, null, 2)}\n`);

const f = (v, d = 2) => (v === null || !Number.isFinite(v) ? 'n/a' : v.toFixed(d));
console.log('| operation | ours median (fastest) s | dcm2niix median (fastest) s | ratio of medians | ratio of fastest | target | met (medians)? | peak RSS ours / dcm2niix (MiB) | output MB ours / dcm2niix |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  const o = summary[row.ours];
  const p = summary[row.peer];
  console.log(`| ${row.operation} | ${f(o.wallS)} (${f(o.fastestS)}) | ${f(p.wallS)} (${f(p.fastestS)}) | ${f(row.ratio)} | ${f(row.fastestRatio)} | <= ${row.target} | ${row.ratio <= row.target ? 'yes' : 'no'} | ${f(o.peakRssMiB, 0)} / ${f(p.peakRssMiB, 0)} | ${f(o.outputBytes / 1e6, 1)} / ${f(p.outputBytes / 1e6, 1)} |`);
}
console.log(`\nCPU (user+sys, median s): ${names.map((n) => `${n} ${f(summary[n].cpuS)}`).join(', ')}`);
console.log(`per round (s): ${names.map((n) => `${n} [${summary[n].runs.join(', ')}]`).join('; ')}`);
console.log(`load average (1, 5, 15 min) before ${loadBefore.map((v) => v.toFixed(2)).join(' ')}, after ${loadAfter.map((v) => v.toFixed(2)).join(' ')}`);
console.log(`runs: ${runs} per tool; written to bench/.out/volume.json`);
