// De-identification of one folder of DICOM files, ours against the peers, side by side in one run: every tool is
// one process over the whole folder, timed from spawn to exit (start-up included), the rounds interleaved (order
// rotating), outputs deleted and the page cache flushed to disk (`sync`) before each timed run. Ours runs twice:
// as a user runs it (the default: cores - 1 threads, the main one and cores - 2 workers) and with --jobs 1 (no worker thread). Each
// tool's output is then put through the same PHI checks:
//   - ours, from the inputs alone: every text value of an attribute PS3.15 Table E.1-1 lists, of a private
//     element, and every Person Name (at least 4 characters; all-digit values at least 8), searched as bytes in
//     each output's header (everything before Pixel Data); every instance UID of the inputs, looked up among the
//     UIDs of the output headers; private elements left anywhere (read back with @dicom-tools/core);
//   - the shared one, `peer_py.py phi-check` (marker strings, private tags, Patient's Name, Birth Date, pydicom).
//
// usage: node bench/anonymize.mjs [--data DIR] [--runs N] [--files N] [--out FILE]
//   --data   folder of DICOM files (default bench/.data/anonymize: 1,000 CT slices of 512x512 int16, ~527 KB each,
//            made once by make_corpus.py --batch, or hard-linked from bench/.data/batch when make-data.sh made them)
//   --runs   timed rounds (default 3), after one untimed warm-up round
//   --out    JSON results (default bench/.out/anonymize.json)
// Needs packages/core, packages/anonymize, packages/batch and packages/cli built, gdcmanon (libgdcm-tools), openssl
// (for gdcmanon -e's certificate), /usr/bin/python3 with pydicom and numpy, and peer_py.py + make_corpus.py
// (packages/test-fixtures/peers, or PEERS=...).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeVersion, machineInfo, median, optionValue, timeProcess } from './_measure.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const VENDORED_PEERS = join(ROOT, 'packages/test-fixtures/peers');
const PEERS = process.env.PEERS ?? (existsSync(join(VENDORED_PEERS, 'peer_py.py')) ? VENDORED_PEERS : resolve(ROOT, '../shared/peers'));
const { readDicom, keywordOf, uidName } = await import(join(ROOT, 'packages/core/dist/index.js'));
const { PROFILE_RULES, PROFILE_PATTERNS } = await import(join(ROOT, 'packages/anonymize/dist/index.js'));

const wanted = Number(optionValue('--files', '1000'));
const dataDir = resolve(optionValue('--data', join(HERE, '.data/anonymize')));
const runs = Number(optionValue('--runs', '3'));
const outFile = resolve(optionValue('--out', join(HERE, '.out/anonymize.json')));
const work = join(tmpdir(), `dicom-tools-bench-anon-${process.pid}`);

/** The default data: a folder holding only the CT slices (the tools walk it recursively). */
function makeData() {
  const dcm = (dir) => (existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.dcm') && statSync(join(dir, n)).isFile()).sort() : []);
  if (dcm(dataDir).length === wanted && readdirSync(dataDir).length === wanted) return;
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const made = join(HERE, '.data/batch'); // bench/make-data.sh's 1,000 slices (seed 1), when they are there
  let source = dcm(made).length >= wanted ? made : undefined;
  let scratch;
  if (source === undefined) {
    scratch = join(HERE, '.data', `anonymize-make-${process.pid}`);
    const r = spawnSync('/usr/bin/python3', [join(PEERS, 'make_corpus.py'), '--out', scratch, '--seed', '1', '--ct-slices', '0', '--mr-slices', '0', '--patients', '0', '--batch', String(wanted)], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('make_corpus.py failed');
    source = join(scratch, 'batch');
  }
  for (const name of dcm(source).slice(0, wanted)) {
    try {
      linkSync(join(source, name), join(dataDir, name));
    } catch {
      copyFileSync(join(source, name), join(dataDir, name));
    }
  }
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
}
if (!optionValue('--data', undefined)) makeData();

const names = readdirSync(dataDir).filter((n) => statSync(join(dataDir, n)).isFile()).sort();
const fileCount = names.length;
const totalBytes = names.reduce((s, n) => s + statSync(join(dataDir, n)).size, 0);
if (fileCount === 0) throw new Error(`no files in ${dataDir}`);
if (readdirSync(dataDir).length !== fileCount) throw new Error(`${dataDir} holds sub-folders: the tools would walk them too`);
mkdirSync(work, { recursive: true });
const cert = join(work, 'cert.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(work, 'key.pem'), '-out', cert, '-days', '365', '-subj', '/CN=bench'], { stdio: 'ignore' });

const outDir = (id) => join(work, id);
const BIN = join(ROOT, 'packages/cli/dist/bin.cjs');
const MEASUREMENTS = [
  { id: 'ours', tool: 'dicom-tools anonymize DIR -o OUT --secret S (PS3.15 Basic Profile, every depth; cores - 1 threads: the main one and cores - 2 workers)', argv: ['node', BIN, 'anonymize', dataDir, '-o', outDir('ours'), '--secret', 'bench', '--quiet'] },
  { id: 'ours-jobs1', tool: 'the same with --jobs 1 (no worker thread)', argv: ['node', BIN, 'anonymize', dataDir, '-o', outDir('ours-jobs1'), '--secret', 'bench', '--quiet', '--jobs', '1'] },
  { id: 'gdcmanon', tool: 'gdcmanon -e -c cert.pem -r -i DIR -o OUT (PS3.15 Basic Profile, with encryption)', argv: ['gdcmanon', '-e', '-c', cert, '-r', '-i', dataDir, '-o', outDir('gdcmanon')] },
  { id: 'gdcmanon-dumb', tool: 'gdcmanon --dumb, 14 top-level tags (as bench_peers.sh)', argv: ['gdcmanon', '--dumb', '--empty', '10,10', '--empty', '10,20', '--empty', '10,30', '--empty', '8,90', '--empty', '8,50', '--remove', '10,1040', '--remove', '10,1010', '--remove', '8,80', '--remove', '8,81', '--remove', '8,1070', '--remove', '8,1050', '--remove', '8,1048', '--remove', '32,1032', '--remove', '10,1002', '-r', '-i', dataDir, '-o', outDir('gdcmanon-dumb')] },
  { id: 'pydicom', tool: 'pydicom script (peer_py.py anon DIR OUT)', argv: ['/usr/bin/python3', join(PEERS, 'peer_py.py'), 'anon', dataDir, outDir('pydicom'), '--salt', 'bench'] },
];
const COMPARISONS = [
  { ours: 'ours', peer: 'gdcmanon', target: 1.0 },
  { ours: 'ours', peer: 'pydicom', target: 5.0 },
  { ours: 'ours-jobs1', peer: 'gdcmanon', target: null },
  { ours: 'ours-jobs1', peer: 'pydicom', target: null },
  { ours: 'ours', peer: 'gdcmanon-dumb', target: null },
];

async function runOnce(m) {
  rmSync(outDir(m.id), { recursive: true, force: true });
  execFileSync('sync');
  const r = await timeProcess(m.argv);
  if (r.rc !== 0) throw new Error(`${m.id}: exit code ${r.rc}: ${m.argv.join(' ')}`);
  return { wallS: r.wallS, cpuS: r.userS === null ? null : r.userS + r.sysS, maxRssKb: r.maxRssKb };
}

// ---------------------------------------------------------------- the PHI check
const CLASS_UID = /SOPClass|ClassUID$|TransferSyntaxUID|^CodingSchemeUID$|^ContextUID$|^MappingResourceUID$/;
const SEARCHED = new Set(['AE', 'DA', 'DT', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UR', 'UT']);
const PIXEL_TAG = Buffer.from([0xe0, 0x7f, 0x10, 0x00]);
const rowOf = (tag) => PROFILE_RULES[tag] ?? (((tag >>> 16) & 1) === 0 ? PROFILE_PATTERNS.find((p) => ((tag & p.mask) >>> 0) === p.value)?.rule : undefined);
const texts = (e) => (Array.isArray(e.value) ? e.value.filter((v) => typeof v === 'string').map((v) => v.trim()) : []);
const worthSearching = (v) => v.length >= 4 && (v.length >= 8 || !/^[0-9.+\- ]+$/.test(v));

/** The values the Basic Profile removes or replaces in the inputs, from the inputs alone. */
function inputPhi() {
  const text = new Set();
  const uids = new Set();
  const codes = new Set();
  const walk = (dataset, inPrivate) => {
    for (const e of dataset.elements.values()) {
      const odd = ((e.tag >>> 16) & 1) === 1;
      const creator = odd && (e.tag & 0xffff) >= 0x10 && (e.tag & 0xffff) <= 0xff;
      if (e.vr === 'SQ') {
        for (const item of e.value) walk(item, inPrivate || (odd && !creator));
        continue;
      }
      if (e.vr === 'CS') for (const v of texts(e)) codes.add(v);
      if (e.vr === 'UI') {
        if (!CLASS_UID.test(keywordOf(e.tag) ?? '')) for (const v of texts(e)) if (v !== '' && !v.startsWith('1.2.840.10008.') && uidName(v) === undefined) uids.add(v);
        continue;
      }
      if (!SEARCHED.has(e.vr) || creator) continue;
      if (inPrivate || odd || e.vr === 'PN' || rowOf(e.tag) !== undefined) for (const v of texts(e)) if (worthSearching(v)) text.add(v);
    }
  };
  for (const name of names) {
    const file = readDicom(readFileSync(join(dataDir, name)), { stopBeforePixelData: true });
    walk(file.dataset, false);
    for (const v of texts(file.meta.elements.get(0x00020003) ?? { value: [] })) uids.add(v);
  }
  for (const code of codes) text.delete(code);
  return { text: [...text], uids };
}

function oddTags(dataset) {
  let n = 0;
  for (const e of dataset.elements.values()) {
    if (((e.tag >>> 16) & 1) === 1) n++;
    if (e.vr === 'SQ') for (const item of e.value) n += oddTags(item);
  }
  return n;
}

function listFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

function checkOutput(dir, phi) {
  const files = listFiles(dir);
  const leaked = new Map();
  let filesWithLeaks = 0;
  let filesWithPrivate = 0;
  let unreadable = 0;
  for (const path of files) {
    const bytes = readFileSync(path);
    const cut = bytes.indexOf(PIXEL_TAG, 132);
    const header = cut > 0 ? bytes.subarray(0, cut) : bytes;
    const found = phi.text.filter((v) => header.includes(Buffer.from(v, 'latin1')) || header.includes(Buffer.from(v, 'utf8')));
    for (const m of header.toString('latin1').matchAll(/[0-9]+(?:\.[0-9]+){2,}/g)) if (phi.uids.has(m[0])) found.push('an original instance UID');
    if (found.length > 0) filesWithLeaks++;
    for (const v of new Set(found)) leaked.set(v, (leaked.get(v) ?? 0) + 1);
    try {
      if (oddTags(readDicom(bytes, { stopBeforePixelData: true }).dataset) > 0) filesWithPrivate++;
    } catch {
      unreadable++;
    }
  }
  let peerCheck;
  try {
    peerCheck = execFileSync('/usr/bin/python3', [join(PEERS, 'peer_py.py'), 'phi-check', dir], { encoding: 'utf8' }).trim().split('\n').pop();
  } catch (error) {
    peerCheck = `failed: ${error.message}`;
  }
  return { files: files.length, filesWithLeaks, leakedValues: Object.fromEntries(leaked), filesWithPrivateElements: filesWithPrivate, unreadable, peerCheck };
}

// ---------------------------------------------------------------- run
const startedAt = new Date().toISOString();
const machine = machineInfo();
process.stdout.write(`anonymize bench: ${fileCount} files, ${(totalBytes / 1e6).toFixed(0)} MB in ${dataDir}; ${runs} rounds + 1 warm-up\n`);
for (const m of MEASUREMENTS) await runOnce(m);
const samples = Object.fromEntries(MEASUREMENTS.map((m) => [m.id, []]));
for (let round = 0; round < runs; round++) {
  const order = MEASUREMENTS.map((_, i) => MEASUREMENTS[(i + round) % MEASUREMENTS.length]);
  for (const m of order) samples[m.id].push(await runOnce(m));
  process.stdout.write(`  round ${round + 1}/${runs}: ${MEASUREMENTS.map((m) => `${m.id} ${samples[m.id].at(-1).wallS.toFixed(2)}s`).join(', ')}\n`);
}
const phi = inputPhi();
process.stdout.write(`PHI check: ${phi.text.length} text values and ${phi.uids.size} instance UIDs from the inputs\n`);
const measurements = MEASUREMENTS.map((m) => {
  const s = samples[m.id];
  const wall = median(s.map((x) => x.wallS));
  return {
    id: m.id, tool: m.tool, command: m.argv.join(' '), files: fileCount, bytes: totalBytes,
    wallS: s.map((x) => x.wallS), medianWallS: wall, filesPerS: fileCount / wall,
    fastestWallS: Math.min(...s.map((x) => x.wallS)), fastestFilesPerS: fileCount / Math.min(...s.map((x) => x.wallS)),
    medianCpuS: median(s.map((x) => x.cpuS)), medianMaxRssKb: median(s.map((x) => x.maxRssKb)),
    phi: checkOutput(outDir(m.id), phi),
  };
});
const byId = Object.fromEntries(measurements.map((m) => [m.id, m]));
const comparisons = COMPARISONS.map((c) => {
  const ratio = byId[c.ours].filesPerS / byId[c.peer].filesPerS;
  const fastestRatio = byId[c.ours].fastestFilesPerS / byId[c.peer].fastestFilesPerS;
  // Each round runs every tool once, back to back: the ratio within a round is less exposed to the load of the moment.
  const perRound = samples[c.ours].map((x, i) => samples[c.peer][i].wallS / x.wallS);
  return { ...c, ratio, fastestRatio, perRoundRatios: perRound, medianPerRoundRatio: median(perRound), met: c.target === null ? null : ratio >= c.target };
});
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, JSON.stringify({ startedAt, finishedAt: new Date().toISOString(), code: codeVersion(ROOT), machine, loadAverageAtEnd: machineInfo().loadAverage1m, data: { dir: dataDir, files: fileCount, bytes: totalBytes }, runs, phiSearched: { textValues: phi.text.length, instanceUids: phi.uids.size }, measurements, comparisons }, null, 2) + '\n');
rmSync(work, { recursive: true, force: true });

process.stdout.write(`\nmedians and fastest rounds (whole process, start-up included; load ${machineInfo().loadAverage1m.toFixed(1)} at the end), then the PHI check of the last run:\n`);
for (const m of measurements) {
  const leaks = m.phi.filesWithLeaks === 0 ? 'no PHI found' : `PHI in ${m.phi.filesWithLeaks} files: ${Object.entries(m.phi.leakedValues).map(([v, n]) => `${v} (${n})`).join(', ')}`;
  process.stdout.write(`  ${m.id.padEnd(14)} ${m.medianWallS.toFixed(2)} s ${m.filesPerS.toFixed(0).padStart(5)} files/s (fastest ${m.fastestFilesPerS.toFixed(0)}), CPU ${(m.medianCpuS ?? 0).toFixed(2)} s, RSS ${((m.medianMaxRssKb ?? 0) / 1024).toFixed(0)} MB; ${leaks}; private elements in ${m.phi.filesWithPrivateElements} files\n`);
  process.stdout.write(`  ${''.padEnd(14)} peer_py phi-check: ${m.phi.peerCheck}\n`);
}
for (const c of comparisons) {
  process.stdout.write(`  ${c.ours}/${c.peer}: ${c.ratio.toFixed(2)}x (fastest rounds ${c.fastestRatio.toFixed(2)}x, per round ${c.perRoundRatios.map((r) => r.toFixed(2)).join(' ')})` +
    `${c.target === null ? '' : ` target >= ${c.target}x: ${c.met ? 'met' : 'MISSED'}`}\n`);
}
process.stdout.write(`wrote ${outFile}\n`);
