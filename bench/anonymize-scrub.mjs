// Times anonymize() per file over N in-memory CT slices that each carry identifiers of their own (Patient ID,
// Accession Number, Study ID, Acquisition DateTime, SOP Instance UID) and a kept description repeating one of
// them, so the free-text cleaning sees a new identifier set in every file.
// Run after building core, test-fixtures and anonymize (`npx -y pnpm@12.4.2 build`): node bench/anonymize-scrub.mjs [N] [rounds]
import { anonymize } from '../packages/anonymize/dist/index.js';
import { ctSlice } from '../packages/test-fixtures/dist/index.js';

const n = Number(process.argv[2] ?? 500);
const rounds = Number(process.argv[3] ?? 5);

function withValues(dataset, values) {
  const elements = new Map(dataset.elements);
  for (const [tag, vr, value] of values) elements.set(tag, { tag, vr, value: [value] });
  return { elements };
}

// Every round gets identifiers never seen before: V8 keeps compiled regular expressions by source, so repeating
// the same files would time a cache instead of the per-file work.
function makeDatasets(from) {
const datasets = [];
for (let i = from; i < from + n; i++) {
  const file = ctSlice({ sliceIndex: i, patientId: `PID${100000 + i}`, patientName: `Name${i}^Li^${String.fromCharCode(65 + (i % 26))}${i % 10}` });
  const accession = `ACC${(7919 * i + 13) % 1000003}X`;
  datasets.push(withValues(file.dataset, [
    [0x00080050, 'SH', accession],
    [0x00200010, 'SH', `${i % 1000}`],
    [0x0008002a, 'DT', `2024${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}1015${String(i % 60).padStart(2, '0')}.${i}`],
    [0x00081030, 'LO', `CT chest, accession ${accession}`],
    [0x0008103e, 'LO', `Series for PID${100000 + i} by Li`],
  ]));
}
return datasets;
}

const options = { secret: 'bench-secret', options: ['cleanDescriptors'], uidMap: new Map() };
const check = anonymize(makeDatasets(n * rounds)[0], options).dataset.elements.get(0x00081030)?.value[0];
if (!/^CT chest, accession \*+$/.test(check)) throw new Error(`the description was not cleaned: ${check}`);

const perFile = [];
for (let r = 0; r < rounds; r++) {
  const datasets = makeDatasets(r * n);
  const started = process.hrtime.bigint();
  for (const dataset of datasets) anonymize(dataset, options);
  perFile.push(Number(process.hrtime.bigint() - started) / 1e6 / n);
}
perFile.sort((a, b) => a - b);
console.log(`anonymize per file, ${n} files each with its own identifiers, ${rounds} rounds: median ${perFile[Math.floor(rounds / 2)].toFixed(3)} ms, fastest ${perFile[0].toFixed(3)} ms`);
