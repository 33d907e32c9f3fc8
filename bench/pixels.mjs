// PNG export and statistics of the 200-slice 512x512 CT series from ../shared/peers/make_corpus.py, side by side
// with DCMTK's `dcm2pnm +on +Wi 1` (PNG, first file window) in the same run. Ours runs one process for the whole
// folder (bench/_pixels-worker.mjs on the built core); dcm2pnm has no folder mode, so it runs one process per
// file in a loop (its per-process start-up is part of its number, as it is for a user scripting it).
//
// usage: node bench/pixels.mjs [--runs N] [--out FILE]   (makes bench/.data/pixels/ct first if missing)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeVersion, machineInfo, median, optionValue, timeProcess } from './_measure.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const runs = Number(optionValue('--runs', '3'));
const outFile = resolve(optionValue('--out', join(HERE, '.out/pixels.json')));
const data = join(HERE, '.data/pixels');
const ct = join(data, 'ct');
const peers = process.env.PEERS ?? join(HERE, '../../shared/peers');

if (!existsSync(ct)) {
  const made = spawnSync('/usr/bin/python3', [join(peers, 'make_corpus.py'), '--out', data, '--seed', '1', '--ct-slices', '200', '--mr-slices', '0', '--patients', '0', '--batch', '0'], { stdio: 'inherit' });
  if (made.status !== 0) throw new Error('make_corpus.py failed');
}
const files = readdirSync(ct).filter((f) => f.endsWith('.dcm')).sort();
if (spawnSync('dcm2pnm', ['--version']).error) throw new Error('dcm2pnm is missing: apt-get install -y dcmtk');

async function timed(label, make) {
  const walls = [];
  for (let r = 0; r < runs; r++) {
    const dir = mkdtempSync(join(tmpdir(), 'dicom-tools-bench-px-'));
    const { wallS, rc } = await make(dir);
    rmSync(dir, { recursive: true, force: true });
    if (rc !== 0) throw new Error(`${label} failed with exit ${rc}`);
    walls.push(wallS);
  }
  const wall = median(walls);
  return { label, runs: walls, medianS: wall, filesPerS: files.length / wall };
}

const worker = join(HERE, '_pixels-worker.mjs');
const ours = await timed('dicom-tools PNG (one process)', (dir) => timeProcess([process.execPath, worker, 'png', ct, dir]));
const dcmtk = await timed('dcm2pnm +on +Wi 1 (one process per file)', async (dir) => {
  const started = process.hrtime.bigint();
  for (const f of files) {
    const r = spawnSync('dcm2pnm', ['+on', '+Wi', '1', join(ct, f), join(dir, f.replace(/\.dcm$/, '.png'))]);
    if (r.status !== 0) return { wallS: 0, rc: r.status };
  }
  return { wallS: Number(process.hrtime.bigint() - started) / 1e9, rc: 0 };
});
const stats = await timed('dicom-tools statistics (one process)', (dir) => timeProcess([process.execPath, worker, 'stats', ct, dir]));
const result = { machine: machineInfo(), code: codeVersion(resolve(HERE, '..')), files: files.length, image: '512x512 int16 CT, rescale, padding, 2 windows', results: [ours, dcmtk, stats], pngSpeedupVsDcm2pnm: ours.filesPerS / dcmtk.filesPerS };
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
for (const r of result.results) console.log(`${r.label.padEnd(45)} ${r.medianS.toFixed(2)} s  ${r.filesPerS.toFixed(0)} files/s`);
console.log(`PNG: ${result.pngSpeedupVsDcm2pnm.toFixed(2)}x dcm2pnm's files/s`);
