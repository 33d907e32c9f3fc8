// For the CLI's end-to-end tests: run the BUILT `dicom-tools` as a user would, through the file package.json's "bin"
// names (dist/bin.cjs, the launcher that sizes libuv's thread pool and loads dist/bin.js).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** packages/cli. */
export const PACKAGE_DIR = resolve(__dirname, '..');
/** The built executable package.json names, which these tests spawn (the root `pnpm test` builds it before jest runs). */
export const BIN = join(PACKAGE_DIR, (JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['dicom-tools']!);

/** What a run of the CLI gave. */
export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `dicom-tools ARGS` to completion, without colour or debug output. Throws only when it cannot spawn. */
export function runCli(args: readonly string[], options: { readonly cwd?: string; readonly input?: string } = {}): CliRun {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', DEBUG: '' },
    maxBuffer: 64 * 1024 * 1024,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
