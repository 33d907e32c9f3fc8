// Header-only scan and full parse of one folder of DICOM files, ours against the peers, side by side in one
// run: every tool is one process for the whole folder, timed from spawn to exit (start-up included), runs
// interleaved (the order rotates each round), after one untimed warm-up round. Medians and the ratio of
// medians go to stdout and to a JSON file.
//
// usage: node bench/parse.mjs [--data DIR] [--runs N] [--out FILE] [--no-extra]
//   --data      folder of DICOM files (default bench/.data/batch, made by bench/make-data.sh)
//   --runs      timed rounds (default 5)
//   --out       JSON results (default bench/.out/parse.json)
//   --no-extra  only the four measurements behind the targets (skip the fs/promises, concurrent and peer-variant
//               rows)
// Needs packages/core/dist built (bench/run.sh does it), dcmdump (dcmtk) and /usr/bin/python3 with pydicom.
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeVersion, machineInfo, median, optionValue, timeProcess } from './_measure.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const PEERS = process.env.PEERS ?? resolve(HERE, '../../shared/peers');

const args = process.argv.slice(2);
const dataDir = resolve(optionValue('--data', join(HERE, '.data/batch')));
const runs = Number(optionValue('--runs', '5'));
const outFile = resolve(optionValue('--out', join(HERE, '.out/parse.json')));
const extra = !args.includes('--no-extra');

const names = readdirSync(dataDir).filter((n) => statSync(join(dataDir, n)).isFile());
const fileCount = names.length;
const totalBytes = names.reduce((s, n) => s + statSync(join(dataDir, n)).size, 0);
if (fileCount === 0) throw new Error(`no files in ${dataDir}: run bench/make-data.sh`);

const worker = join(HERE, '_parse-worker.mjs');
const peerPy = join(PEERS, 'peer_py.py');
const ourCheck = (mode) => (out) => {
  const r = JSON.parse(out.trim().split('\n').pop());
  if (r.mode !== mode || r.files !== fileCount) throw new Error(`our ${mode} worker read ${r.files} of ${fileCount} files`);
  return r;
};
const pyCheck = (out) => {
  if (!out.includes(`parsed ${fileCount} files`)) throw new Error(`pydicom peer did not parse ${fileCount} files: ${out}`);
  return null;
};

/** Each: id, operation, tool, argv, check (parses captured stdout; absent = output to /dev/null). */
const MEASUREMENTS = [
  { id: 'ours-header', operation: 'header scan', tool: 'dicom-tools readDicomFileSync(stopBeforePixelData), 1 at a time', argv: ['node', worker, 'header', dataDir], check: ourCheck('header') },
  { id: 'dcmdump-header', operation: 'header scan', tool: 'dcmdump -M +sd DIR > /dev/null', argv: ['dcmdump', '-M', '+sd', dataDir] },
  { id: 'ours-full', operation: 'full parse', tool: 'dicom-tools readDicomFileSync + touch Pixel Data, 1 at a time', argv: ['node', worker, 'full', dataDir], check: ourCheck('full') },
  { id: 'pydicom-full', operation: 'full parse', tool: 'pydicom dcmread (peer_py.py parse DIR)', argv: ['/usr/bin/python3', peerPy, 'parse', dataDir], check: pyCheck },
];
if (extra) {
  MEASUREMENTS.push(
    // The asynchronous API (fs/promises: every open, read and close is a round trip through libuv's thread pool).
    { id: 'ours-header-async', operation: 'header scan', tool: 'dicom-tools readDicomFile(stopBeforePixelData), awaited 1 at a time', argv: ['node', worker, 'header', dataDir, '--async'], check: ourCheck('header') },
    { id: 'ours-full-async', operation: 'full parse', tool: 'dicom-tools readDicomFile + touch Pixel Data, awaited 1 at a time', argv: ['node', worker, 'full', dataDir, '--async'], check: ourCheck('full') },
    { id: 'ours-header-c4', operation: 'header scan', tool: 'dicom-tools readDicomFile(stopBeforePixelData), 4 in flight', argv: ['node', worker, 'header', dataDir, '--async', '--concurrency', '4'], check: ourCheck('header') },
    { id: 'ours-full-c4', operation: 'full parse', tool: 'dicom-tools readDicomFile + touch Pixel Data, 4 in flight', argv: ['node', worker, 'full', dataDir, '--async', '--concurrency', '4'], check: ourCheck('full') },
    { id: 'pydicom-header', operation: 'header scan', tool: 'pydicom dcmread stop_before_pixels (peer_py.py parse --stop-before-pixels)', argv: ['/usr/bin/python3', peerPy, 'parse', dataDir, '--stop-before-pixels'], check: pyCheck },
    { id: 'dcmdump-full', operation: 'full parse', tool: 'dcmdump +sd DIR > /dev/null (loads Pixel Data)', argv: ['dcmdump', '+sd', dataDir] },
  );
}

/** Which ours/peer pairs the issue sets a target for (files/s ratio ours / peer). */
const COMPARISONS = [
  { operation: 'header scan, 1 process, files read one at a time', ours: 'ours-header', peer: 'dcmdump-header', target: 1.0 },
  { operation: 'full parse, 1 process, files read one at a time', ours: 'ours-full', peer: 'pydicom-full', target: 1.5 },
  ...(extra
    ? [
        { operation: 'header scan, readDicomFile (async), awaited one at a time (no target)', ours: 'ours-header-async', peer: 'dcmdump-header', target: null },
        { operation: 'full parse, readDicomFile (async), awaited one at a time (no target)', ours: 'ours-full-async', peer: 'pydicom-full', target: null },
        { operation: 'header scan, readDicomFile (async), 4 reads in flight (no target)', ours: 'ours-header-c4', peer: 'dcmdump-header', target: null },
        { operation: 'full parse, readDicomFile (async), 4 reads in flight (no target)', ours: 'ours-full-c4', peer: 'pydicom-full', target: null },
        { operation: 'header scan vs pydicom stop_before_pixels (no target)', ours: 'ours-header', peer: 'pydicom-header', target: null },
      ]
    : []),
];

async function runOnce(m) {
  const r = await timeProcess(m.argv, { capture: m.check !== undefined });
  if (r.rc !== 0) throw new Error(`${m.id}: exit code ${r.rc}: ${m.argv.join(' ')}`);
  const reported = m.check ? m.check(r.stdout) : null;
  return { wallS: r.wallS, cpuS: r.userS === null ? null : r.userS + r.sysS, maxRssKb: r.maxRssKb, loopMs: reported?.loopMs ?? null, importMs: reported?.importMs ?? null };
}

const startedAt = new Date().toISOString();
const machine = machineInfo();
process.stdout.write(`parse bench: ${fileCount} files, ${(totalBytes / 1e6).toFixed(0)} MB in ${dataDir}; ${runs} rounds + 1 warm-up\n`);
for (const m of MEASUREMENTS) await runOnce(m); // warm-up: page cache, JIT caches of the tools themselves
const samples = Object.fromEntries(MEASUREMENTS.map((m) => [m.id, []]));
for (let round = 0; round < runs; round++) {
  const order = MEASUREMENTS.map((_, i) => MEASUREMENTS[(i + round) % MEASUREMENTS.length]);
  for (const m of order) samples[m.id].push(await runOnce(m));
  process.stdout.write(`  round ${round + 1}/${runs}: ${MEASUREMENTS.map((m) => `${m.id} ${samples[m.id].at(-1).wallS.toFixed(3)}s`).join(', ')}\n`);
}

const measurements = MEASUREMENTS.map((m) => {
  const s = samples[m.id];
  const wall = median(s.map((x) => x.wallS));
  const loop = median(s.map((x) => x.loopMs));
  return {
    id: m.id, operation: m.operation, tool: m.tool, command: m.argv.join(' '),
    files: fileCount, bytes: totalBytes,
    wallS: s.map((x) => x.wallS), medianWallS: wall, filesPerS: fileCount / wall,
    // The fastest round: the least disturbed by other work on a shared machine (reported next to the median).
    minWallS: Math.min(...s.map((x) => x.wallS)),
    medianCpuS: median(s.map((x) => x.cpuS)),
    medianMaxRssKb: median(s.map((x) => x.maxRssKb)), maxRssKb: Math.max(...s.map((x) => x.maxRssKb ?? 0)) || null,
    // Our worker's own clock around the file loop (no Node start-up, no import): the library's steady rate.
    medianLoopMs: loop, loopFilesPerS: loop === null ? null : fileCount / (loop / 1000),
    medianImportMs: median(s.map((x) => x.importMs)),
  };
});
const byId = Object.fromEntries(measurements.map((m) => [m.id, m]));
const comparisons = COMPARISONS.map((c) => {
  const ratio = byId[c.ours].filesPerS / byId[c.peer].filesPerS;
  const ratioOfFastest = byId[c.peer].minWallS / byId[c.ours].minWallS;
  return { ...c, oursFilesPerS: byId[c.ours].filesPerS, peerFilesPerS: byId[c.peer].filesPerS, ratio, ratioOfFastest, met: c.target === null ? null : ratio >= c.target };
});

mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, JSON.stringify({ startedAt, finishedAt: new Date().toISOString(), code: codeVersion(resolve(HERE, '..')), machine, loadAverageAtEnd: machineInfo().loadAverage1m, data: { dir: dataDir, files: fileCount, bytes: totalBytes }, runs, measurements, comparisons }, null, 2) + '\n');

process.stdout.write('\nmedians (whole process, start-up included):\n');
for (const m of measurements) {
  const loop = m.loopFilesPerS === null ? '' : `  (in-loop ${m.loopFilesPerS.toFixed(0)} files/s)`;
  const cpu = m.medianCpuS === null ? '' : `, CPU ${m.medianCpuS.toFixed(2)} s`;
  process.stdout.write(`  ${m.id.padEnd(18)} ${m.medianWallS.toFixed(3)} s (fastest ${m.minWallS.toFixed(3)} s) ${m.filesPerS.toFixed(0).padStart(6)} files/s${cpu}, peak RSS ${((m.medianMaxRssKb ?? 0) / 1024).toFixed(0)} MB${loop}\n`);
}
process.stdout.write('ratios (ours files/s / peer files/s, from medians):\n');
for (const c of comparisons) {
  process.stdout.write(`  ${c.operation}: ${c.ratio.toFixed(2)}x (fastest rounds: ${c.ratioOfFastest.toFixed(2)}x)${c.target === null ? '' : ` (target >= ${c.target}x: ${c.met ? 'met' : 'MISSED'})`}\n`);
}
process.stdout.write(`wrote ${outFile}\n`);
