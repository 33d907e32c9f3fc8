// One process that reads every DICOM file of a folder with @dicom-tools/core (the BUILT package,
// packages/core/dist) and prints one JSON line: { mode, files, bytesTouched, loopMs, importMs, heapUsedMB }.
// Spawned by bench/parse.mjs once per timed run, so its wall time includes Node start-up and the import,
// like the peers' processes include theirs.
//
// usage: node bench/_parse-worker.mjs header|full DIR [--async [--concurrency N]]
//   header         readDicomFileSync(path, { stopBeforePixelData: true }), then reads 4 header values
//   full           readDicomFileSync(path), reads the same 4 values and touches Pixel Data (length, first and last byte)
//   --async        readDicomFile (fs/promises) instead, awaited one at a time
//   --concurrency  with --async: N reads in flight at a time
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const t0 = performance.now();
const { readDicomFile, readDicomFileSync } = await import('../packages/core/dist/index.js');
const importMs = performance.now() - t0;

const [mode, dir, ...rest] = process.argv.slice(2);
if ((mode !== 'header' && mode !== 'full') || dir === undefined) {
  process.stderr.write('usage: node bench/_parse-worker.mjs header|full DIR [--async [--concurrency N]]\n');
  process.exit(2);
}
const ci = rest.indexOf('--concurrency');
const concurrency = ci >= 0 ? Number(rest[ci + 1]) : 1;
const api = rest.includes('--async') ? 'async' : 'sync';

const PATIENT_NAME = 0x00100010;
const STUDY_UID = 0x0020000d;
const SERIES_UID = 0x0020000e;
const SOP_UID = 0x00080018;
const PIXEL_DATA = 0x7fe00010;

const names = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isFile())
  .map((d) => d.name)
  .sort();
const options = mode === 'header' ? { stopBeforePixelData: true } : {};

let files = 0;
let bytesTouched = 0;
let check = 0;

/** Checks one file's values: the same four pydicom's peer (peer_py.py parse) reads, and Pixel Data when full. */
function use(name, file) {
  const e = file.dataset.elements;
  for (const tag of [PATIENT_NAME, STUDY_UID, SERIES_UID, SOP_UID]) {
    const v = e.get(tag)?.value;
    if (v === undefined) throw new Error(`${name}: missing (${tag.toString(16)})`);
    check += v.length;
  }
  if (mode === 'full') {
    const px = e.get(PIXEL_DATA);
    if (px === undefined || !(px.value instanceof Uint8Array)) throw new Error(`${name}: no native Pixel Data`);
    bytesTouched += px.value.byteLength;
    check += px.value[0] + px.value[px.value.byteLength - 1];
  } else if (e.has(PIXEL_DATA)) {
    throw new Error(`${name}: header-only read returned Pixel Data`);
  }
  files++;
}

const t1 = performance.now();
if (api === 'sync') {
  for (const name of names) use(name, readDicomFileSync(join(dir, name), options));
} else if (concurrency <= 1) {
  for (const name of names) use(name, await readDicomFile(join(dir, name), options));
} else {
  let next = 0;
  const lanes = Array.from({ length: concurrency }, async () => {
    while (next < names.length) {
      const name = names[next++];
      use(name, await readDicomFile(join(dir, name), options));
    }
  });
  await Promise.all(lanes);
}
const loopMs = performance.now() - t1;

process.stdout.write(JSON.stringify({
  mode, api, concurrency, files, bytesTouched, check, loopMs, importMs,
  heapUsedMB: process.memoryUsage().heapUsed / 2 ** 20,
}) + '\n');
