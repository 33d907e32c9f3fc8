#!/usr/bin/env node
// The quick-start demo: writes a synthetic 12-slice CT series to a temp folder with @dicom-tools/core and the
// test fixtures, then runs the real `dicom-tools` command on it (info, validate, dump of one slice).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeDicomFile } from '@dicom-tools/core';
import { ctSeries } from '@dicom-tools/test-fixtures';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'node_modules', '.bin', 'dicom-tools');
const dir = mkdtempSync(join(tmpdir(), 'dicom-tools-demo-'));
const slices = ctSeries({ slices: 12 });
const paths = [];
for (const [i, file] of slices.entries()) {
  const path = join(dir, `ct-${String(i + 1).padStart(3, '0')}.dcm`);
  await writeDicomFile(path, file);
  paths.push(path);
}
console.log(`Wrote a synthetic CT series of ${paths.length} slices to ${dir}\n`);

function run(args) {
  console.log(`$ dicom-tools ${args.map((a) => (a.startsWith(dir) ? a.replace(dir, '$DEMO') : a)).join(' ')}`);
  const result = spawnSync(bin, args, { stdio: 'inherit' });
  console.log('');
  return result.status ?? 1;
}
let status = 0;
status ||= run(['info', paths[0]]);
status ||= run(['validate', ...paths.slice(0, 3)]);
run(['dump', paths[0]]);
console.log(`(DEMO=${dir})`);
process.exit(status);
