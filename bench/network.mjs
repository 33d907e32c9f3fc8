// Network benchmarks on loopback (127.0.0.1), in the same run, TCP_NODELAY=1 for every DCMTK process:
//   1. C-STORE of 1,000 512 KB files (make_corpus.py --batch 1000, in bench/.data/network/batch1000): `dicom-tools store` -> storescp  vs  storescu -> storescp
//   2. storescu -> `dicom-tools storage-scp` (writing to disk)  vs  storescu -> storescp
//   3. peak RSS of `dicom-tools storage-scp` while it receives one 1 GiB multi-frame instance
//   4. C-FIND latency of findscu against `dicom-tools qr-scp` holding 10,000 instances vs against Orthanc
//      holding the same instances
// Every server is started here and stopped by PID at the end. storescp runs with +B (writes the received
// bytes as they are, like our SCP) and -od to a scratch folder emptied between runs.
//
// Store steps: ours and DCMTK's interleaved round by round (the order alternating), each round into a fresh
// server; reported: files/s from the median wall time and from each side's fastest round, their ratios, CPU
// seconds of the measured process (our SCU / storescu; our SCP / storescp, from /proc, includes start-up),
// and the 1-minute load average after every round (the machine is shared: treat single rounds as noisy).
//
// usage: node bench/network.mjs [--runs N] [--sections store,scp,rss,find] [--out FILE]
//   --runs      rounds per store step (default and minimum 3); find: 20 queries per server
//   --sections  subset of store,scp,rss,find
//   --out       JSON results (default bench/.out/network.json)
// Needs: dcmtk, orthanc (for `find`), /usr/bin/python3 with python3-pydicom and python3-numpy (data), GNU time.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeVersion, machineInfo, median, optionValue, timeProcess } from './_measure.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const runs = Math.max(3, Number(optionValue('--runs', '3')));
const sections = optionValue('--sections', 'store,scp,rss,find').split(',');
const outFile = resolve(optionValue('--out', join(HERE, '.out/network.json')));
const bin = join(ROOT, 'packages/cli/dist/bin.cjs');
const peers = process.env.PEERS ?? join(ROOT, '..', 'shared', 'peers');
const data = join(HERE, '.data');
const work = join(data, 'network-work');
const env = { ...process.env, TCP_NODELAY: '1' };
const children = new Set();

for (const tool of ['storescp', 'storescu', 'findscu', '/usr/bin/python3']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} not found: apt-get install dcmtk python3-pydicom python3-numpy`);
}
if (!existsSync(bin)) throw new Error(`${bin} is not built: npx tsc -p packages/{core,network,cli}/tsconfig.build.json`);

function makeCorpus(out, extra) {
  const r = spawnSync('/usr/bin/python3', [join(peers, 'make_corpus.py'), '--out', out, '--seed', '1', '--ct-slices', '0', '--mr-slices', '0', ...extra], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make_corpus.py failed: ${r.stderr}`);
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Starts a long-running process; resolves once `ready(output)` is true. */
function startProcess(argv, ready, options = {}) {
  return new Promise((ok, fail) => {
    const child = spawn(argv[0], argv.slice(1), { env: options.env ?? env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    const check = (d) => {
      out += d.toString();
      if (ready(out)) ok({ child, output: () => out });
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.on('exit', (code) => fail(new Error(`${argv[0]} exited (${code}): ${out.slice(-500)}`)));
    if (ready('')) ok({ child, output: () => out });
  });
}

async function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.removeAllListeners('exit');
  await new Promise((ok) => {
    child.once('exit', ok);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
  children.delete(child);
}

/** Waits until C-ECHO (echoscu) succeeds on `port`. */
async function waitEcho(port, aet) {
  for (let i = 0; i < 200; i++) {
    if (spawnSync('echoscu', ['-aec', aet, '127.0.0.1', String(port)], { env }).status === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing answers C-ECHO on ${port}`);
}

async function startStorescp(dir) {
  const port = await freePort();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { child } = await startProcess(['storescp', '-aet', 'STORESCP', '+B', '+xa', '-od', dir, String(port)], () => true);
  await waitEcho(port, 'STORESCP');
  return { child, port };
}

async function startOurScp(dir, extra = []) {
  rmSync(dir, { recursive: true, force: true });
  const argv = ['node', bin, 'storage-scp', '--port', '0', '-o', dir, '--aet', 'OURSCP', '--quiet', ...extra];
  const { child, output } = await startProcess(argv, (o) => /listening on 127\.0\.0\.1:\d+/.test(o));
  const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(output())[1]);
  return { child, port, output };
}

const peakRssKb = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

const filesIn = (dir) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.')).length;

const results = { machine: machineInfo(), code: codeVersion(ROOT), runs, env: 'loopback 127.0.0.1, TCP_NODELAY=1 for DCMTK', sections: {} };

/** Load average (1 min) now: recorded with every round, as the machine is shared. */
const load = () => Number(loadavg()[0].toFixed(2));

/**
 * Summary of interleaved rounds: files/s from the median wall time and from the fastest round of each side,
 * ratios (ours / DCMTK's rate, > 1 = ours faster), CPU seconds (user + sys) of the measured process.
 */
function summarize(files, ours, theirs) {
  const rate = (list) => files / median(list.map((r) => r.wallS));
  const fastest = (list) => files / Math.min(...list.map((r) => r.wallS));
  const cpu = (list) => median(list.map((r) => (r.userS ?? NaN) + (r.sysS ?? NaN)));
  return {
    oursFilesPerS: rate(ours), dcmtkFilesPerS: rate(theirs), ratio: rate(ours) / rate(theirs),
    fastestRoundRatio: fastest(ours) / fastest(theirs), oursFastestFilesPerS: fastest(ours), dcmtkFastestFilesPerS: fastest(theirs),
    oursWallS: ours.map((r) => r.wallS), dcmtkWallS: theirs.map((r) => r.wallS),
    loadPerRound: ours.map((r, i) => [r.load, theirs[i]?.load]),
    ...(cpu(ours) !== null ? { oursCpuS: cpu(ours), dcmtkCpuS: cpu(theirs) } : {}),
  };
}

async function storeSection() {
  const batch = join(data, 'network', 'batch1000');
  if (!existsSync(batch) || readdirSync(batch).length !== 1000) {
    rmSync(join(data, 'network', 'made-batch'), { recursive: true, force: true });
    makeCorpus(join(data, 'network', 'made-batch'), ['--patients', '0', '--batch', '1000']);
    rmSync(batch, { recursive: true, force: true });
    spawnSync('mv', [join(data, 'network', 'made-batch', 'batch'), batch]);
    rmSync(join(data, 'network', 'made-batch'), { recursive: true, force: true });
  }
  const files = readdirSync(batch).filter((f) => f.endsWith('.dcm')).length;
  const out = join(work, 'storescp');
  const ours = [];
  const theirs = [];
  for (let i = 0; i < runs; i++) {
    // Interleaved, alternating which goes first: our SCU and storescu, each into a fresh storescp. CPU = the SCU's.
    const oursRun = async () => {
      const scp = await startStorescp(out);
      const a = { ...(await timeProcess(['node', bin, 'store', '-p', String(scp.port), '--called-aet', 'STORESCP', '--quiet', batch], { env })), load: load() };
      await stopProcess(scp.child);
      if (a.rc !== 0 || filesIn(out) !== files) throw new Error(`our store: rc ${a.rc}, ${filesIn(out)} files arrived`);
      ours.push(a);
    };
    const theirsRun = async () => {
      const scp = await startStorescp(out);
      const b = { ...(await timeProcess(['storescu', '-aec', 'STORESCP', '+sd', '127.0.0.1', String(scp.port), batch], { env })), load: load() };
      await stopProcess(scp.child);
      if (b.rc !== 0 || filesIn(out) !== files) throw new Error(`storescu: rc ${b.rc}, ${filesIn(out)} files arrived`);
      theirs.push(b);
    };
    if (i % 2 === 0) { await oursRun(); await theirsRun(); } else { await theirsRun(); await oursRun(); }
  }
  results.sections.store = {
    what: 'our store -> storescp vs storescu -> storescp; CPU is the SCU process',
    files,
    bytesPerFile: readFileSync(join(batch, readdirSync(batch)[0])).length,
    ...summarize(files, ours, theirs),
    oursMaxRssKb: median(ours.map((r) => r.maxRssKb)),
  };
}

/** CPU seconds (user, sys) a running process has used so far, from /proc/PID/stat (clock ticks of 1/100 s). */
function cpuOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return { userS: Number(fields[11]) / 100, sysS: Number(fields[12]) / 100 };
}

async function scpSection() {
  const batch = join(data, 'network', 'batch1000');
  const files = readdirSync(batch).filter((f) => f.endsWith('.dcm')).length;
  const ours = [];
  const theirs = [];
  for (let i = 0; i < runs; i++) {
    // Interleaved, alternating which goes first: storescu into our SCP and into storescp. CPU = the SCP's.
    const oursRun = async () => {
      const dir = join(work, 'ourscp');
      rmSync(dir, { recursive: true, force: true });
      const scp = await startOurScp(dir);
      const a = { ...(await timeProcess(['storescu', '-aec', 'OURSCP', '+sd', '127.0.0.1', String(scp.port), batch], { env })), load: load() };
      const cpu = cpuOf(scp.child.pid);
      await stopProcess(scp.child);
      if (a.rc !== 0 || filesIn(dir) !== files) throw new Error(`storescu -> ours: rc ${a.rc}, ${filesIn(dir)} files`);
      ours.push({ ...a, ...cpu });
    };
    const theirsRun = async () => {
      const out = join(work, 'storescp');
      const scp = await startStorescp(out);
      const b = { ...(await timeProcess(['storescu', '-aec', 'STORESCP', '+sd', '127.0.0.1', String(scp.port), batch], { env })), load: load() };
      const cpu = cpuOf(scp.child.pid);
      await stopProcess(scp.child);
      if (b.rc !== 0 || filesIn(out) !== files) throw new Error(`storescu -> storescp: rc ${b.rc}, ${filesIn(out)} files`);
      theirs.push({ ...b, ...cpu });
    };
    if (i % 2 === 0) { await oursRun(); await theirsRun(); } else { await theirsRun(); await oursRun(); }
  }
  results.sections.scp = { what: 'storescu -> our storage-scp vs storescu -> storescp (+B); CPU is the SCP process', files, ...summarize(files, ours, theirs) };
}

/** A 1 GiB multi-frame instance: a CT-like header (Explicit VR LE) and 2,048 frames of 512x512x16 bits. */
function bigInstance(path) {
  if (existsSync(path)) return;
  const frames = 2048;
  const el = (group, element, vr, value) => {
    const v = Buffer.from(value.length % 2 ? `${value}${vr === 'UI' ? '\0' : ' '}` : value, 'latin1');
    const h = Buffer.alloc(8);
    h.writeUInt16LE(group, 0); h.writeUInt16LE(element, 2); h.write(vr, 4, 'latin1'); h.writeUInt16LE(v.length, 6);
    return Buffer.concat([h, v]);
  };
  const us = (group, element, n) => {
    const b = Buffer.alloc(10);
    b.writeUInt16LE(group, 0); b.writeUInt16LE(element, 2); b.write('US', 4, 'latin1'); b.writeUInt16LE(2, 6); b.writeUInt16LE(n, 8);
    return b;
  };
  const sop = '1.2.826.0.1.3680043.10.1138.1.1.1';
  const metaBody = Buffer.concat([
    (() => { const b = Buffer.alloc(14); b.writeUInt16LE(2, 0); b.writeUInt16LE(1, 2); b.write('OB', 4, 'latin1'); b.writeUInt32LE(2, 8); b[12] = 0; b[13] = 1; return b; })(),
    el(2, 2, 'UI', '1.2.840.10008.5.1.4.1.1.2.1'), el(2, 3, 'UI', sop), el(2, 0x10, 'UI', '1.2.840.10008.1.2.1'),
  ]);
  const groupLength = Buffer.alloc(12);
  groupLength.writeUInt16LE(2, 0); groupLength.write('UL', 4, 'latin1'); groupLength.writeUInt16LE(4, 6); groupLength.writeUInt32LE(metaBody.length, 8);
  const body = Buffer.concat([
    el(8, 0x16, 'UI', '1.2.840.10008.5.1.4.1.1.2.1'), el(8, 0x18, 'UI', sop), el(8, 0x60, 'CS', 'CT'),
    el(0x10, 0x10, 'PN', 'BIG^INSTANCE'), el(0x10, 0x20, 'LO', 'BIG1'),
    el(0x20, 0x0d, 'UI', '1.2.826.0.1.3680043.10.1138.1'), el(0x20, 0x0e, 'UI', '1.2.826.0.1.3680043.10.1138.1.1'),
    us(0x28, 2, 1), el(0x28, 4, 'CS', 'MONOCHROME2'), el(0x28, 8, 'IS', String(frames)), us(0x28, 0x10, 512), us(0x28, 0x11, 512),
    us(0x28, 0x100, 16), us(0x28, 0x101, 16), us(0x28, 0x102, 15), us(0x28, 0x103, 1),
  ]);
  const pixelLength = frames * 512 * 512 * 2;
  const pixelHead = Buffer.alloc(12);
  pixelHead.writeUInt16LE(0x7fe0, 0); pixelHead.writeUInt16LE(0x10, 2); pixelHead.write('OW', 4, 'latin1'); pixelHead.writeUInt32LE(pixelLength, 8);
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  writeSync(fd, Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), groupLength, metaBody, body, pixelHead]));
  const frame = Buffer.alloc(512 * 512 * 2);
  for (let i = 0; i < frame.length; i += 2) frame.writeUInt16LE((i * 7) & 0x7fff, i);
  for (let f = 0; f < frames; f++) writeSync(fd, frame);
  closeSync(fd);
}

async function rssSection() {
  const big = join(data, 'network', 'big-1GiB.dcm');
  bigInstance(big);
  const dir = join(work, 'rss');
  const scp = await startOurScp(dir);
  const before = peakRssKb(scp.child.pid);
  const sent = await timeProcess(['node', bin, 'store', '-p', String(scp.port), '--quiet', big], { env });
  // VmHWM: the SCP process's peak resident set size since it started.
  const rss = peakRssKb(scp.child.pid);
  await stopProcess(scp.child);
  const received = readdirSync(dir).filter((f) => !f.startsWith('.'));
  // The pixel data (everything after our different file meta) arrives byte for byte: compare the last 1 GiB.
  const tail = 1024 * 1024 * 1024;
  const same = received.length === 1 && spawnSync('cmp', ['-s', '-i', `${statSync(big).size - tail}:${statSync(join(dir, received[0])).size - tail}`, big, join(dir, received[0])]).status === 0;
  results.sections.rss = { instanceBytes: statSync(big).size, scpPeakRssMbIdle: before / 1024, scpPeakRssMb: rss / 1024, scuPeakRssMb: sent.maxRssKb / 1024, sendWallS: sent.wallS, pixelDataIdentical: same, rc: sent.rc };
  rmSync(dir, { recursive: true, force: true });
}

async function findSection() {
  if (spawnSync('sh', ['-c', 'command -v Orthanc']).status !== 0) throw new Error('Orthanc not found: apt-get install orthanc');
  const multi = join(data, 'network', 'multi10k');
  if (!existsSync(multi) || filesIn(multi) < 10000) {
    rmSync(join(data, 'network', 'made-multi'), { recursive: true, force: true });
    makeCorpus(join(data, 'network', 'made-multi'), ['--patients', '10', '--studies', '10', '--series', '10', '--files', '10', '--small-size', '16', '--batch', '0']);
    rmSync(multi, { recursive: true, force: true });
    spawnSync('mv', [join(data, 'network', 'made-multi', 'multi'), multi]);
  }
  const instances = filesIn(multi);
  // Our Q/R SCP: indexes the folder at start.
  const indexStarted = Date.now();
  const { child: qr, output } = await startProcess(['node', bin, 'qr-scp', '--port', '0', '--storage', multi, '--aet', 'OURQR', '--quiet'], (o) => /listening on/.test(o));
  const indexS = (Date.now() - indexStarted) / 1000;
  const qrPort = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(output())[1]);
  // Orthanc with the same instances (loaded with our store, 4 associations).
  const home = join(work, 'orthanc');
  rmSync(home, { recursive: true, force: true });
  mkdirSync(join(home, 'db'), { recursive: true });
  const orthancPort = await freePort();
  const httpPort = await freePort();
  writeFileSync(join(home, 'orthanc.json'), JSON.stringify({
    Name: 'netbench', StorageDirectory: join(home, 'db'), IndexDirectory: join(home, 'db'), StorageCompression: false, Plugins: [],
    HttpServerEnabled: true, HttpPort: httpPort, RemoteAccessAllowed: false, DicomServerEnabled: true, DicomAet: 'ORTHANC', DicomPort: orthancPort,
    DicomCheckCalledAet: false, DicomAlwaysAllowEcho: true, DicomAlwaysAllowStore: true, DicomCheckModalityHost: false,
    DicomModalities: { bench: ['BENCHSCU', '127.0.0.1', 11113] }, SaveJobs: false, OverwriteInstances: true, ConcurrentJobs: 2,
  }));
  const { child: orthanc } = await startProcess(['Orthanc', join(home, 'orthanc.json')], () => true);
  await waitEcho(orthancPort, 'ORTHANC');
  const loaded = await timeProcess(['node', bin, 'store', '-p', String(orthancPort), '--called-aet', 'ORTHANC', '--associations', '4', '--quiet', multi], { env });
  if (loaded.rc !== 0) throw new Error('loading Orthanc failed');
  // The queries: every study of one patient, and every instance of one series (keys from the data).
  const first = readdirSync(multi, { recursive: true }).find((f) => String(f).endsWith('.dcm'));
  const dump = spawnSync('dcmdump', ['+P', 'PatientID', '+P', 'SeriesInstanceUID', join(multi, String(first))], { encoding: 'utf8' }).stdout;
  const valueOf = (keyword) => /\[([^\]]*)\]/.exec(dump.split('\n').find((l) => l.endsWith(` ${keyword}`)) ?? '')?.[1];
  const [patientId, seriesUid] = [valueOf('PatientID'), valueOf('SeriesInstanceUID')];
  const queries = {
    studiesOfPatient: ['-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', `PatientID=${patientId}`, '-k', 'StudyInstanceUID', '-k', 'StudyDate', '-k', 'PatientName'],
    instancesOfSeries: ['-S', '-k', 'QueryRetrieveLevel=IMAGE', '-k', `SeriesInstanceUID=${seriesUid}`, '-k', 'SOPInstanceUID', '-k', 'InstanceNumber'],
    studiesByNameWildcard: ['-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientName=*', '-k', 'StudyInstanceUID'],
  };
  const find = {};
  for (const [name, keys] of Object.entries(queries)) {
    const ours = [];
    const theirs = [];
    for (let i = 0; i < 20; i++) {
      const a = await timeProcess(['findscu', '-aet', 'BENCHSCU', '-aec', 'OURQR', ...keys, '127.0.0.1', String(qrPort)], { env, capture: true });
      const b = await timeProcess(['findscu', '-aet', 'BENCHSCU', '-aec', 'ORTHANC', ...keys, '127.0.0.1', String(orthancPort)], { env, capture: true });
      ours.push(a.wallS);
      theirs.push(b.wallS);
    }
    const matches = (port, aec) => (spawnSync('findscu', ['-v', '-aet', 'BENCHSCU', '-aec', aec, ...keys, '127.0.0.1', String(port)], { env, encoding: 'utf8' }).stderr.match(/Find Response: \d+ \(Pending\)/g) ?? []).length;
    find[name] = { oursMedianMs: median(ours) * 1000, orthancMedianMs: median(theirs) * 1000, ratio: median(ours) / median(theirs), matchesOurs: matches(qrPort, 'OURQR'), matchesOrthanc: matches(orthancPort, 'ORTHANC') };
  }
  await stopProcess(qr);
  await stopProcess(orthanc);
  results.sections.find = { instances, ourIndexBuildS: indexS, orthancLoadS: loaded.wallS, queries: find, note: 'each figure includes the findscu process start-up (~10 ms), the same for both servers' };
}

try {
  mkdirSync(work, { recursive: true });
  if (sections.includes('store')) await storeSection();
  if (sections.includes('scp')) await scpSection();
  if (sections.includes('rss')) await rssSection();
  if (sections.includes('find')) await findSection();
} finally {
  for (const child of children) await stopProcess(child);
  rmSync(work, { recursive: true, force: true });
}
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results.sections, null, 2));
