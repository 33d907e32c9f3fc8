#!/usr/bin/env node
// The `dicom-tools` executable: the only module that reads the environment, touches process state or uses
// import.meta. Everything else lives in program.ts and commands/, loaded lazily.
import { createRequire } from 'node:module';
import { run } from './program.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const controller = new AbortController();
// batch and organize finish the files in flight and write their report however long that takes; other commands
// get 2 s to notice.
const graceful = /^(batch|organize)(_|$)/.test(process.argv[2] ?? '');
// One listener for both signals, for the whole run: the second signal, whichever it is (Ctrl-C, then a service
// manager's SIGTERM), ends the process.
let signals = 0;
const interrupt = (): void => {
  // First Ctrl-C (or SIGTERM, as a service manager sends): abort the work in progress (writes are atomic, so
  // nothing is left half-written) and exit 130 as soon as the command notices; a second signal exits at once.
  if (++signals > 1) process.exit(130);
  controller.abort();
  process.exitCode = 130;
  if (!graceful) setTimeout(() => process.exit(130), 2000).unref();
};
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);

// `dicom-tools dump x.dcm | head`: a closed pipe is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const noColor = process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '';
const debug = process.env['DEBUG'] !== undefined && process.env['DEBUG'] !== '' && process.env['DEBUG'] !== '0';

void run(process.argv.slice(2), {
  version,
  signal: controller.signal,
  color: process.stdout.isTTY === true && !noColor && process.env['TERM'] !== 'dumb',
  debug,
}).then((code) => {
  process.exitCode = code;
});
