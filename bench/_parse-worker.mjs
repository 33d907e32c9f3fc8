// One process that reads every DICOM file of a folder with @dicom-tools/core (the BUILT package,
// packages/core/dist) and prints one JSON line: { mode, files, bytesTouched, loopMs, importMs, heapUsedMB }.
// Spawned by bench/parse.mjs once per timed run, so its wall time includes Node start-up and the import,
// like the peers' processes include theirs.
//
// usage: node bench/_parse-worker.mjs header|full DIR [--concurrency N] [--sync-io]
//   header     readDicomFile(path, { stopBeforePixelData: true }), then reads 4 header values
//   full       readDicomFile(path), reads the same 4 values and touches Pixel Data (length, first and last byte)
//   --sync-io  diagnostic: read the bytes with node:fs sync calls (the first 64 KiB for header, the whole file
//              for full) and parse them with readDicom(bytes): the same parse without fs/promises' thread-pool
//              round trips, to show how much of the time is the async I/O path
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

const t0 = performance.now();
const { isDicomError, readDicom, readDicomFile } = await import('../packages/core/dist/index.js');
const importMs = performance.now() - t0;

const [mode, dir, ...rest] = process.argv.slice(2);
if ((mode !== 'header' && mode !== 'full') || dir === undefined) {
  process.stderr.write('usage: node bench/_parse-worker.mjs header|full DIR [--concurrency N] [--sync-io]\n');
  process.exit(2);
}
const ci = rest.indexOf('--concurrency');
const concurrency = ci >= 0 ? Number(rest[ci + 1]) : 1;
const syncIo = rest.includes('--sync-io');

const PATIENT_NAME = 0x00100010;
const STUDY_UID = 0x0020000d;
const SERIES_UID = 0x0020000e;
const SOP_UID = 0x00080018;
const PIXEL_DATA = 0x7fe00010;

const names = (await readdir(dir, { withFileTypes: true }))
  .filter((d) => d.isFile())
  .map((d) => d.name)
  .sort();
const options = mode === 'header' ? { stopBeforePixelData: true } : {};

let files = 0;
let bytesTouched = 0;
let check = 0;

/** The --sync-io diagnostic: same result as readDicomFile, bytes read with blocking calls. */
function readSyncIo(path) {
  if (mode === 'full') return readDicom(readFileSync(path), { fileName: path });
  const head = Buffer.allocUnsafe(64 * 1024);
  const fd = openSync(path, 'r');
  let got;
  try {
    got = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  try {
    return readDicom(head.subarray(0, got), { ...options, fileName: path });
  } catch (error) {
    if (got < head.length || !isDicomError(error)) throw error;
    return readDicom(readFileSync(path), { ...options, fileName: path }); // a header longer than 64 KiB
  }
}

async function one(name) {
  const path = join(dir, name);
  const file = syncIo ? readSyncIo(path) : await readDicomFile(path, options);
  const e = file.dataset.elements;
  // The same four values pydicom's peer (peer_py.py parse) reads.
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
if (concurrency <= 1) {
  for (const name of names) await one(name);
} else {
  let next = 0;
  const lanes = Array.from({ length: concurrency }, async () => {
    while (next < names.length) await one(names[next++]);
  });
  await Promise.all(lanes);
}
const loopMs = performance.now() - t1;

process.stdout.write(JSON.stringify({
  mode, concurrency, syncIo, files, bytesTouched, check, loopMs, importMs,
  heapUsedMB: process.memoryUsage().heapUsed / 2 ** 20,
}) + '\n');
