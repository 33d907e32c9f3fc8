// For speed work on the anonymize path (core's reader and writer, @dicom-tools/anonymize): proves a change leaves
// every output byte and every report as it was. `record` anonymizes a fixed set of inputs with the BUILT packages
// under four option sets (the Basic Profile alone; dates shifted with the clean-* options; every retain-* option;
// the seed preset) and writes a SHA-256 of each output file, of each report, and of each option set's UID map;
// `compare` does the same and lists what differs (exit 1 if anything does).
// Inputs: the corpus (packages/test-fixtures/corpus), the PHI test files (packages/anonymize/test-data), one file of
// every synthetic fixture, and the first 60 files of bench/.data/anonymize when bench/anonymize.mjs has made them.
// The data-set API (anonymize) is checked too, on the corpus and fixtures.
//
// usage: node bench/anonymize-equivalence.mjs record FILE   (before the change, packages built)
//        node bench/anonymize-equivalence.mjs compare FILE  (after it, packages rebuilt)
//   --ignore FIELD   leave this report field out of the report's hash (a field the change adds; repeatable)
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const ignored = new Set(args.flatMap((arg, i) => (args[i - 1] === '--ignore' ? [arg] : [])));
const [mode, out] = args.filter((arg, i) => arg !== '--ignore' && args[i - 1] !== '--ignore');
if ((mode !== 'record' && mode !== 'compare') || out === undefined) {
  console.error('usage: node bench/anonymize-equivalence.mjs record|compare FILE');
  process.exit(2);
}
const { anonymizeBytes, anonymize } = await import(join(ROOT, 'packages/anonymize/dist/index.js'));
const { fixtureFiles, FIXTURE_NAMES, fixtureBytes } = await import(join(ROOT, 'packages/test-fixtures/dist/index.js'));
const { readDicom } = await import(join(ROOT, 'packages/core/dist/index.js'));

const inputs = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.dcm')) inputs.push({ name: relative(ROOT, path), bytes: readFileSync(path), dataSetToo: true });
  }
};
walk(join(ROOT, 'packages/test-fixtures/corpus'));
walk(join(ROOT, 'packages/anonymize/test-data'));
for (const name of FIXTURE_NAMES) inputs.push({ name: `fixture:${name}`, bytes: fixtureBytes(fixtureFiles(name)[0]), dataSetToo: true });
const benchData = join(ROOT, 'bench/.data/anonymize');
if (existsSync(benchData)) {
  for (const name of readdirSync(benchData).sort().slice(0, 60)) inputs.push({ name: `bench:${name}`, bytes: readFileSync(join(benchData, name)), dataSetToo: false });
}

const OPTION_SETS = [
  { secret: 'k1', profile: 'basic', options: [] },
  { secret: 'k2', profile: 'basic', options: ['retainLongitudinalModifiedDates', 'cleanDescriptors', 'cleanStructuredContent', 'cleanGraphics'], dateShiftRange: [-3650, -365], patientPrefix: 'P' },
  { secret: 'k3', profile: 'basic', options: ['retainSafePrivate', 'retainUIDs', 'retainDeviceIdentity', 'retainInstitutionIdentity', 'retainPatientCharacteristics', 'retainLongitudinalFullDates'] },
  { secret: 'k4', profile: 'seed', options: [] },
];
const digest = (data) => createHash('sha256').update(data).digest('hex').slice(0, 24);
const jsonOf = (value) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? digest(v) : v));
const reportJson = (report) => jsonOf(Object.fromEntries(Object.entries(report).filter(([field]) => !ignored.has(field))));

const result = {};
for (const [index, options] of OPTION_SETS.entries()) {
  const uidMap = new Map();
  for (const { name, bytes, dataSetToo } of inputs) {
    let entry;
    try {
      const r = anonymizeBytes(bytes, { ...options, uidMap, fileName: 'f.dcm' });
      const hash = createHash('sha256');
      for (const chunk of r.chunks) hash.update(chunk);
      entry = { output: hash.digest('hex').slice(0, 24), report: digest(reportJson(r.report)), passedThrough: r.pixelDataPassedThrough };
      if (dataSetToo) entry.dataSetReport = digest(reportJson(anonymize(readDicom(bytes).dataset, options).report));
    } catch (error) {
      entry = { error: `${error.code}: ${error.message}` };
    }
    result[`${index}|${name}`] = entry;
  }
  result[`${index}|uidMap`] = digest(JSON.stringify([...uidMap]));
}

if (mode === 'record') {
  writeFileSync(out, `${JSON.stringify(result, null, 1)}\n`);
  console.log(`recorded ${Object.keys(result).length} entries (${inputs.length} inputs x ${OPTION_SETS.length} option sets) in ${out}`);
} else {
  const want = JSON.parse(readFileSync(out, 'utf8'));
  let differences = 0;
  for (const key of new Set([...Object.keys(want), ...Object.keys(result)])) {
    if (JSON.stringify(want[key]) === JSON.stringify(result[key])) continue;
    if (differences++ < 20) console.log('differs', key, JSON.stringify(want[key]), '->', JSON.stringify(result[key]));
  }
  console.log(differences === 0 ? `EQUIVALENT: ${Object.keys(result).length} entries` : `${differences} entries differ`);
  process.exitCode = differences === 0 ? 0 : 1;
}
