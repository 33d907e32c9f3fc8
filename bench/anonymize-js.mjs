// The JavaScript cost of anonymizing a folder, without the file I/O: anonymizeBytes over N Part 10 files already in
// memory, in a fresh process each round (so the first pass runs on cold, not yet optimised code, as the first files
// of `dicom-tools anonymize DIR` do), then a second pass over the same files (warm). Reports medians over the rounds
// of: importing @dicom-tools/anonymize, the cold pass (wall and the process's CPU, which includes V8's background
// compiler and GC threads), the warm pass, and per file. Each pass shares one createAnonymizeCache() between its
// files, as `dicom-tools anonymize` does (--no-cache: none, as a caller that does not pass one).
// usage: node bench/anonymize-js.mjs [--data DIR] [--runs N] [--files N] [--no-cache] [--v8-flags "FLAGS"]
//   --data   a folder of DICOM files (default bench/.data/anonymize, which bench/anonymize.mjs makes: 1,000 CT slices)
//   --v8-flags  V8 flags for the measured processes, e.g. "--no-turbo-inlining" (what `dicom-tools anonymize DIR` sets)
// Needs packages/core and packages/anonymize built.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo, median, optionValue } from './_measure.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const dataDir = resolve(optionValue('--data', join(HERE, '.data/anonymize')));
const files = Number(optionValue('--files', '1000'));
const v8Flags = (optionValue('--v8-flags', '') ?? '').split(' ').filter((f) => f !== '');

if (args.includes('--child')) {
  const names = readdirSync(dataDir).sort().slice(0, files);
  const inputs = names.map((n) => readFileSync(join(dataDir, n)));
  const t0 = performance.now();
  const { anonymizeBytes, createAnonymizeCache } = await import(join(HERE, '../packages/anonymize/dist/index.js'));
  const withCache = !args.includes('--no-cache');
  const t1 = performance.now();
  const cpu = process.cpuUsage();
  const pass = (uidMap) => {
    const cache = withCache ? { cache: createAnonymizeCache() } : {};
    for (let i = 0; i < inputs.length; i++) anonymizeBytes(inputs[i], { secret: 'bench', profile: 'basic', options: [], uidMap, fileName: names[i], ...cache });
  };
  pass(new Map());
  const t2 = performance.now();
  const used = process.cpuUsage(cpu);
  pass(new Map());
  const t3 = performance.now();
  process.stdout.write(JSON.stringify({ files: inputs.length, importMs: t1 - t0, coldMs: t2 - t1, coldCpuMs: (used.user + used.system) / 1000, warmMs: t3 - t2 }));
} else {
  const runs = Number(optionValue('--runs', '9'));
  const rows = [];
  for (let i = 0; i < runs; i++) rows.push(JSON.parse(execFileSync(process.execPath, [...v8Flags, fileURLToPath(import.meta.url), '--child', '--data', dataDir, '--files', String(files), ...(args.includes('--no-cache') ? ['--no-cache'] : [])], { encoding: 'utf8' })));
  const m = (key) => median(rows.map((r) => r[key]));
  const n = rows[0].files;
  const machine = machineInfo();
  console.log(`${machine.cores} cores, load ${machine.loadAverage1m.toFixed(2)}, Node ${machine.node}; ${n} files from ${dataDir}; median of ${runs} fresh processes; ${args.includes('--no-cache') ? 'no cache' : 'one cache per pass'}; V8 flags: ${v8Flags.join(' ') || 'none'}`);
  console.log(`import @dicom-tools/anonymize  ${m('importMs').toFixed(1)} ms`);
  console.log(`cold pass                      ${m('coldMs').toFixed(1)} ms (${((m('coldMs') * 1000) / n).toFixed(0)} us/file), process CPU ${m('coldCpuMs').toFixed(1)} ms`);
  console.log(`warm pass                      ${m('warmMs').toFixed(1)} ms (${((m('warmMs') * 1000) / n).toFixed(0)} us/file)`);
}
