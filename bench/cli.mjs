// Wall time of `dicom-tools --help` and `dicom-tools info FILE` (the built CLI, packages/cli/dist/bin.cjs,
// started with node as the installed bin shim does), with hyperfine when installed (else N spawns, median).
// Context rows: bare `node -e 0` (the floor for any Node CLI) and `dcmdump -M FILE` (DCMTK, one file).
//
// usage: node bench/cli.mjs [--file FILE] [--runs N] [--out FILE]
//   --file  the file given to `info` (default bench/.data/batch/B000001.dcm)
//   --runs  timed runs per command (default 30, after 3 warm-ups)
//   --out   JSON results (default bench/.out/cli.json)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeVersion, machineInfo, median, optionValue, timeProcess } from './_measure.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const file = resolve(optionValue('--file', join(HERE, '.data/batch/B000001.dcm')));
const runs = Number(optionValue('--runs', '30'));
const outFile = resolve(optionValue('--out', join(HERE, '.out/cli.json')));
const bin = resolve(HERE, '../packages/cli/dist/bin.cjs');
const node = process.execPath;

const hasHyperfine = spawnSync('hyperfine', ['--version']).status === 0;

/** Median, mean, min, max wall time of `argv` in ms, plus peak RSS of one extra run. */
async function latency(argv, { requireOutput = true } = {}) {
  const check = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  if (check.status !== 0 || (requireOutput && check.stdout.trim() === '')) {
    return { error: `exit ${check.status}, ${check.stdout.trim() === '' ? 'no output' : 'output'}: ${(check.stderr ?? '').trim().split('\n')[0] ?? ''}` };
  }
  const rss = (await timeProcess(argv)).maxRssKb;
  if (hasHyperfine) {
    const dir = mkdtempSync(join(tmpdir(), 'dicom-tools-bench-'));
    const json = join(dir, 'hf.json');
    // -N: no intermediate shell; the argv has no spaces inside arguments (paths here have none).
    const hf = spawnSync('hyperfine', ['-N', '--style', 'none', '--warmup', '3', '--runs', String(runs), '--export-json', json, argv.join(' ')], { encoding: 'utf8' });
    if (hf.status !== 0) throw new Error(`hyperfine failed: ${hf.stderr}`);
    const r = JSON.parse(readFileSync(json, 'utf8')).results[0];
    rmSync(dir, { recursive: true, force: true });
    return { method: `hyperfine -N, 3 warm-ups, ${runs} runs`, medianMs: r.median * 1e3, meanMs: r.mean * 1e3, minMs: r.min * 1e3, maxMs: r.max * 1e3, stddevMs: r.stddev * 1e3, maxRssKb: rss };
  }
  for (let i = 0; i < 3; i++) await timeProcess(argv);
  const walls = [];
  for (let i = 0; i < runs; i++) walls.push((await timeProcess(argv)).wallS * 1e3);
  return { method: `${runs} spawns (hyperfine not installed)`, medianMs: median(walls), meanMs: walls.reduce((a, b) => a + b, 0) / walls.length, minMs: Math.min(...walls), maxMs: Math.max(...walls), maxRssKb: rss };
}

const rows = [];
if (!existsSync(bin)) {
  rows.push({ id: 'cli-help', command: 'dicom-tools --help', targetMs: 150, available: false, reason: `not available yet: ${bin} is not built` });
  rows.push({ id: 'cli-info', command: 'dicom-tools info FILE', targetMs: 250, available: false, reason: `not available yet: ${bin} is not built` });
} else {
  for (const [id, command, argv, targetMs] of [
    ['cli-help', 'dicom-tools --help', [node, bin, '--help'], 150],
    ['cli-info', 'dicom-tools info FILE (one 515 KB CT file)', [node, bin, 'info', file], 250],
  ]) {
    const r = await latency(argv);
    rows.push(r.error ? { id, command, targetMs, available: false, reason: `not available yet: ${r.error}` } : { id, command, argv: argv.join(' '), targetMs, available: true, ...r, met: r.medianMs <= targetMs });
  }
}
for (const [id, command, argv] of [
  ['node-bare', 'node -e 0 (Node start-up floor, context)', [node, '-e', '0']],
  ['dcmdump-one', 'dcmdump -M FILE (DCMTK, context)', ['dcmdump', '-M', file]],
]) {
  const r = await latency(argv, { requireOutput: id !== 'node-bare' });
  rows.push(r.error ? { id, command, available: false, reason: r.error } : { id, command, argv: argv.join(' '), targetMs: null, available: true, ...r, met: null });
}

mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, JSON.stringify({ finishedAt: new Date().toISOString(), code: codeVersion(resolve(HERE, '..')), machine: machineInfo(), file, rows }, null, 2) + '\n');
process.stdout.write('cli latency (median wall time):\n');
for (const r of rows) {
  if (!r.available) {
    process.stdout.write(`  ${r.command}: ${r.reason}\n`);
    continue;
  }
  const target = r.targetMs === null ? '' : ` (target <= ${r.targetMs} ms: ${r.met ? 'met' : 'MISSED'})`;
  process.stdout.write(`  ${r.command}: ${r.medianMs.toFixed(1)} ms, min ${r.minMs.toFixed(1)}, max ${r.maxMs.toFixed(1)}, peak RSS ${((r.maxRssKb ?? 0) / 1024).toFixed(0)} MB${target}\n`);
}
process.stdout.write(`wrote ${outFile}\n`);
