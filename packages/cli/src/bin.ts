#!/usr/bin/env node
// The `dicom-tools` executable: the only module that reads the environment, touches process state or uses
// import.meta. Everything else lives in program.ts and commands/, loaded lazily.
import { createRequire } from 'node:module';
import { run } from './program.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const controller = new AbortController();
process.once('SIGINT', () => {
  // First Ctrl-C: abort the work in progress (writes are atomic, so nothing is left half-written) and exit 130
  // as soon as the command notices; a second Ctrl-C, or a command that does not notice within 2 s, exits at once.
  controller.abort();
  process.exitCode = 130;
  process.once('SIGINT', () => process.exit(130));
  setTimeout(() => process.exit(130), 2000).unref();
});

// SIGTERM (a service manager stopping a server command) ends work the same way as a first Ctrl-C.
process.once('SIGTERM', () => {
  controller.abort();
  process.exitCode = 130;
  setTimeout(() => process.exit(130), 2000).unref();
});

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
