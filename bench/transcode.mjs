// Transcode throughput on the 200-slice 512x512 signed CT of ../shared/peers/make_corpus.py, side by side in the
// same run with DCMTK (dcmcjpls, dcmdjpls, dcmcrle, dcmdrle) and GDCM (gdcmconv --jpegls/--rle/--j2k/--raw).
// Ours: one `dicom-tools transcode DIR` (or `decompress DIR`) process for the whole folder, which spreads the files
// over one worker thread per core (each loads the codecs once). The peers take one file per process, so they run as
// one bash loop over the folder (which is how they are used on a folder). The machine's core count and load go into
// the JSON (machine), since the ratios depend on both.
// Reports MB/s of raw pixels (slices x 512 x 512 x 2 bytes over wall time, start-up included) and the
// compression ratio (raw pixel bytes over the summed compressed fragments, read back from the outputs). Then,
// untimed, checks that every output is lossless: our encodes decoded by the peers, the peers' encodes decoded by us.
//
// usage: node bench/transcode.mjs [--slices N] [--runs N] [--ops a,b] [--out FILE]
//   --slices  CT slices (default 200; the data goes to bench/.data/transcode, made once)
//   --runs    timed runs per command (default 3, medians; runs interleaved across tools)
//   --ops     subset of: jpegls-encode,jpegls-decode,rle-encode,rle-decode,j2k-encode,j2k-decode
//   --out     JSON results (default bench/.out/transcode.json)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeVersion, machineInfo, median, optionValue, timeProcess } from './_measure.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const slices = Number(optionValue('--slices', '200'));
const runs = Number(optionValue('--runs', '3'));
const ops = optionValue('--ops', 'jpegls-encode,jpegls-decode,rle-encode,rle-decode,j2k-encode,j2k-decode').split(',');
const outFile = resolve(optionValue('--out', join(HERE, '.out/transcode.json')));
const bin = join(ROOT, 'packages/cli/dist/bin.cjs');
const peers = process.env.PEERS ?? join(ROOT, '..', 'shared', 'peers');
const data = join(HERE, '.data', 'transcode');
const ctDir = join(data, `ct${slices}`);
const work = join(data, 'work');
const env = { ...process.env, TCP_NODELAY: '1' };

for (const tool of ['dcmcjpls', 'dcmdjpls', 'dcmcrle', 'dcmdrle', 'gdcmconv', '/usr/bin/python3']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} not found: apt-get install dcmtk libgdcm-tools python3-pydicom python3-numpy`);
}
if (!existsSync(bin)) throw new Error(`${bin} is not built: npx tsc -p packages/{core,transcode,cli}/tsconfig.build.json`);

// The data: N slices, made once.
if (!existsSync(ctDir) || readdirSync(ctDir).length !== slices) {
  rmSync(ctDir, { recursive: true, force: true });
  const made = join(data, 'made');
  rmSync(made, { recursive: true, force: true });
  const r = spawnSync('/usr/bin/python3', [join(peers, 'make_corpus.py'), '--out', made, '--seed', '1', '--ct-slices', String(slices), '--mr-slices', '0', '--patients', '0', '--batch', '0'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make_corpus.py failed: ${r.stderr}`);
  mkdirSync(data, { recursive: true });
  spawnSync('mv', [join(made, 'ct'), ctDir]);
  rmSync(made, { recursive: true, force: true });
}
const rawBytes = slices * 512 * 512 * 2;

/** bash loop running `command IN OUT` over every file of `from`, writing into `to`. */
const loop = (command, from, to) => ['bash', '-c', `rm -rf ${to} && mkdir -p ${to} && for f in ${from}/*.dcm; do ${command} "$f" ${to}/$(basename "$f") || exit 1; done`];
const ours = (sub, syntax, from, to, extra = '') => ['bash', '-c', `rm -rf ${to} && ${process.execPath} ${bin} ${sub} ${from} ${syntax ? `--syntax ${syntax}` : ''} -o ${to} -q ${extra}`];

// Inputs each decode reads: the folder as encoded by DCMTK (JPEG-LS, RLE) or GDCM (J2K), made once here.
function prepare(name, command) {
  const dir = join(work, `input-${name}`);
  if (!existsSync(dir) || readdirSync(dir).length !== slices) {
    rmSync(dir, { recursive: true, force: true });
    const r = spawnSync(command[0], command.slice(1).map((a) => a.replaceAll('@OUT', dir)), { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`preparing ${name} failed: ${r.stderr}`);
  }
  return dir;
}

/** Raw pixel bytes over the compressed fragments of every file in `dir` (our reader, item headers excluded). */
async function ratioOf(dir) {
  const { readDicom } = await import(join(ROOT, 'packages/core/dist/index.js'));
  let compressed = 0;
  for (const name of readdirSync(dir)) {
    const file = readDicom(readFileSync(join(dir, name)));
    const pixel = file.dataset.elements.get(0x7fe00010);
    if (!pixel?.encapsulated) return null;
    compressed += pixel.value.fragments.reduce((n, f) => n + f.length, 0);
  }
  return rawBytes / compressed;
}

const OPERATIONS = {
  'jpegls-encode': () => ({
    target: { vs: 'dcmcjpls', min: 1.5 },
    tools: {
      ours: ours('transcode', 'jpegls', ctDir, join(work, 'ours-jpegls')), 'ours --no-verify': ours('transcode', 'jpegls', ctDir, join(work, 'ours-jpegls-nv'), '--no-verify'),
      dcmcjpls: loop('dcmcjpls', ctDir, join(work, 'dcmtk-jpegls')),
      'gdcmconv --jpegls': loop('gdcmconv --jpegls', ctDir, join(work, 'gdcm-jpegls')),
    },
    outputs: { ours: join(work, 'ours-jpegls'), dcmcjpls: join(work, 'dcmtk-jpegls'), 'gdcmconv --jpegls': join(work, 'gdcm-jpegls') },
  }),
  'jpegls-decode': () => {
    const input = prepare('jpegls', loop('dcmcjpls', ctDir, '@OUT'));
    return {
      target: null,
      tools: { ours: ours('decompress', null, input, join(work, 'ours-jpegls-raw')), dcmdjpls: loop('dcmdjpls', input, join(work, 'dcmtk-jpegls-raw')), 'gdcmconv --raw': loop('gdcmconv --raw', input, join(work, 'gdcm-jpegls-raw')) },
    };
  },
  'rle-encode': () => ({
    target: { vs: 'dcmcrle', min: 2 },
    tools: { ours: ours('transcode', 'rle', ctDir, join(work, 'ours-rle')), 'ours --no-verify': ours('transcode', 'rle', ctDir, join(work, 'ours-rle-nv'), '--no-verify'), dcmcrle: loop('dcmcrle', ctDir, join(work, 'dcmtk-rle')), 'gdcmconv --rle': loop('gdcmconv --rle', ctDir, join(work, 'gdcm-rle')) },
    outputs: { ours: join(work, 'ours-rle'), dcmcrle: join(work, 'dcmtk-rle'), 'gdcmconv --rle': join(work, 'gdcm-rle') },
  }),
  'rle-decode': () => {
    const input = prepare('rle', loop('dcmcrle', ctDir, '@OUT'));
    return {
      target: { vs: 'dcmdrle', min: 2 },
      tools: { ours: ours('decompress', null, input, join(work, 'ours-rle-raw')), dcmdrle: loop('dcmdrle', input, join(work, 'dcmtk-rle-raw')), 'gdcmconv --raw': loop('gdcmconv --raw', input, join(work, 'gdcm-rle-raw')) },
    };
  },
  'j2k-encode': () => ({
    target: { vs: 'gdcmconv --j2k', min: 1 },
    tools: { ours: ours('transcode', 'j2k', ctDir, join(work, 'ours-j2k')), 'ours --no-verify': ours('transcode', 'j2k', ctDir, join(work, 'ours-j2k-nv'), '--no-verify'), 'gdcmconv --j2k': loop('gdcmconv --j2k', ctDir, join(work, 'gdcm-j2k')) },
    outputs: { ours: join(work, 'ours-j2k'), 'gdcmconv --j2k': join(work, 'gdcm-j2k') },
  }),
  'j2k-decode': () => {
    const input = prepare('j2k', loop('gdcmconv --j2k', ctDir, '@OUT'));
    return { target: null, tools: { ours: ours('decompress', null, input, join(work, 'ours-j2k-raw')), 'gdcmconv --raw': loop('gdcmconv --raw', input, join(work, 'gdcm-j2k-raw')) } };
  },
};

mkdirSync(work, { recursive: true });
const results = [];
for (const op of ops) {
  const spec = OPERATIONS[op]();
  const names = Object.keys(spec.tools);
  const walls = Object.fromEntries(names.map((n) => [n, []]));
  const cpu = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < runs; round++) {
    // rotate the order every round so that no tool always runs first (or last) on the shared machine
    for (const name of [...names.slice(round % names.length), ...names.slice(0, round % names.length)]) {
      const t = await timeProcess(spec.tools[name], { env });
      if (t.rc !== 0) throw new Error(`${op}: ${name} exited ${t.rc}`);
      walls[name].push(t.wallS);
      if (t.userS !== null) cpu[name].push(t.userS + t.sysS);
    }
  }
  const row = { op, tools: {} };
  for (const name of names) {
    const wall = median(walls[name]);
    row.tools[name] = { wallS: wall, cpuS: median(cpu[name]), mbPerS: rawBytes / 1e6 / wall, ratio: spec.outputs?.[name] ? await ratioOf(spec.outputs[name]) : null };
  }
  if (spec.target) {
    const speedup = row.tools[spec.target.vs].wallS / row.tools.ours.wallS;
    row.target = { versus: spec.target.vs, speedup, wanted: spec.target.min, met: speedup >= spec.target.min };
    const ratios = [row.tools.ours.ratio, row.tools[spec.target.vs].ratio];
    if (ratios.every((r) => r !== null)) row.target.ratioDifference = ratios[0] / ratios[1] - 1;
  }
  results.push(row);
  process.stderr.write(`${op}: ${names.map((n) => `${n} ${row.tools[n].wallS.toFixed(2)} s`).join(', ')}\n`);
}

// Lossless checks on the timed outputs, untimed: our encodes decoded by the peers, and our decodes of the peers'
// encodes, must all give back the pixels of the input slices.
const { readDicom } = await import(join(ROOT, 'packages/core/dist/index.js'));
const pixelsOf = (path) => {
  const element = readDicom(readFileSync(path)).dataset.elements.get(0x7fe00010);
  return Buffer.from(element.value);
};
/** How many files of `dir` (named `<stem><suffix>.dcm`) hold exactly the pixels of `<stem>.dcm` in the input folder. */
function matching(dir, suffix) {
  let same = 0;
  for (const name of readdirSync(ctDir)) {
    const out = join(dir, name.replace(/\.dcm$/, `${suffix}.dcm`));
    if (existsSync(out) && pixelsOf(out).equals(pixelsOf(join(ctDir, name)))) same++;
  }
  return same;
}
const checks = [];
const checkWith = (label, command, suffix) => {
  const to = join(work, `check-${checks.length}`);
  const r = spawnSync(command[0], command.slice(1), { encoding: 'utf8' });
  checks.push({ check: label, exact: r.status === 0 ? matching(to, suffix) : 0, of: slices });
};
const check = (label, tool, from, suffix) => checkWith(label, loop(tool, from, join(work, `check-${checks.length}`)), suffix);
if (ops.includes('jpegls-encode')) {
  check('our JPEG-LS, decoded by dcmdjpls', 'dcmdjpls', join(work, 'ours-jpegls'), '_jpegls');
  check('our JPEG-LS, decoded by gdcmconv --raw', 'gdcmconv --raw', join(work, 'ours-jpegls'), '_jpegls');
}
if (ops.includes('rle-encode')) {
  check('our RLE, decoded by dcmdrle', 'dcmdrle', join(work, 'ours-rle'), '_rle');
  check('our RLE, decoded by gdcmconv --raw', 'gdcmconv --raw', join(work, 'ours-rle'), '_rle');
}
if (ops.includes('j2k-encode')) check('our J2K, decoded by gdcmconv --raw', 'gdcmconv --raw', join(work, 'ours-j2k'), '_j2k');
if (ops.includes('jpegls-decode')) checks.push({ check: 'dcmcjpls JPEG-LS, decoded by us', exact: matching(join(work, 'ours-jpegls-raw'), '_explicit'), of: slices });
if (ops.includes('rle-decode')) checks.push({ check: 'dcmcrle RLE, decoded by us', exact: matching(join(work, 'ours-rle-raw'), '_explicit'), of: slices });
if (ops.includes('j2k-decode')) checks.push({ check: 'gdcmconv --j2k J2K, decoded by us', exact: matching(join(work, 'ours-j2k-raw'), '_explicit'), of: slices });
for (const c of checks) process.stderr.write(`check: ${c.check}: ${c.exact} of ${c.of} exact\n`);

const report = { slices, rawMB: rawBytes / 1e6, runs, machine: machineInfo(), code: codeVersion(ROOT), results, checks };
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);

// The Markdown table for docs/benchmarks.md.
const lines = ['| operation | tool | wall (s) | CPU (s) | MB/s raw | ratio | vs target |', '|---|---|---:|---:|---:|---:|---|'];
for (const row of results) {
  for (const [name, t] of Object.entries(row.tools)) {
    const target = name === 'ours' && row.target ? `${row.target.speedup.toFixed(2)}x ${row.target.versus} (want >= ${row.target.wanted}x)${row.target.ratioDifference !== undefined ? `, ratio ${(row.target.ratioDifference * 100).toFixed(1)}%` : ''}` : '';
    lines.push(`| ${row.op} | ${name} | ${t.wallS.toFixed(2)} | ${t.cpuS?.toFixed(2) ?? '-'} | ${t.mbPerS.toFixed(1)} | ${t.ratio?.toFixed(3) ?? '-'} | ${target} |`);
  }
}
lines.push('', '| lossless check | exact |', '|---|---|', ...checks.map((c) => `| ${c.check} | ${c.exact} of ${c.of} |`));
process.stdout.write(`${lines.join('\n')}\n`);
