// One process for a whole folder, as `dicom-tools` library users run it: `png` renders every file's first frame
// with its first file window and writes a PNG into OUT; `stats` computes calculateStatistics for every file.
// usage: node bench/_pixels-worker.mjs png|stats FOLDER [OUT]
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateStatistics, decodeFrame, encodePng, readDicomFile, renderFrame } from '../packages/core/dist/index.js';

const [mode, folder, out] = process.argv.slice(2);
const files = readdirSync(folder).filter((f) => f.endsWith('.dcm')).sort();
for (const name of files) {
  const file = await readDicomFile(join(folder, name));
  const frame = await decodeFrame(file, 0);
  if (mode === 'png') {
    await writeFile(join(out, name.replace(/\.dcm$/, '.png')), encodePng(renderFrame(frame, file.dataset, { window: 'file' })));
  } else {
    calculateStatistics(frame, { dataset: file.dataset });
  }
}
