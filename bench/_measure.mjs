// Shared by the bench scripts: time one process (wall clock, CPU, peak RSS), medians, machine facts.
// Benchmarks are not tests and not library code: they may print and read the environment.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';

/**
 * Runs `argv` once with stdout and stderr sent to /dev/null (or captured when `capture` is set) and returns
 * { wallS, userS, sysS, maxRssKb, rc, stdout }. Wall time is measured here around spawn..exit; CPU and
 * peak RSS come from GNU time when it is installed (the ~1 ms it adds is the same for every tool).
 */
export async function timeProcess(argv, { capture = false, env } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dicom-tools-bench-'));
  const timeFile = join(dir, 'time');
  const useTime = existsSync(GNU_TIME);
  const cmd = useTime ? [GNU_TIME, '-f', '%U %S %M', '-o', timeFile, ...argv] : argv;
  const started = process.hrtime.bigint();
  const { rc, stdout } = await new Promise((resolve, reject) => {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', capture ? 'pipe' : 'ignore', capture ? 'pipe' : 'ignore'], env: env ?? process.env });
    const chunks = [];
    child.stdout?.on('data', (c) => chunks.push(c));
    child.stderr?.resume();
    child.on('error', reject);
    child.on('close', (code) => resolve({ rc: code, stdout: Buffer.concat(chunks).toString('utf8') }));
  });
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  let userS = null, sysS = null, maxRssKb = null;
  if (useTime && existsSync(timeFile)) {
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    const [u, s, m] = last.split(/\s+/).map(Number);
    if (Number.isFinite(u)) [userS, sysS, maxRssKb] = [u, s, m];
  }
  rmSync(dir, { recursive: true, force: true });
  return { wallS, userS, sysS, maxRssKb, rc, stdout };
}

/** The value after `name` on the command line (`--runs 5`), or `fallback` when the option or its value is missing. */
export function optionValue(name, fallback, argv = process.argv.slice(2)) {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
}

/** Median of numbers (mean of the middle two for an even count); null for an empty list. */
export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function firstLine(argv) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  if (r.error) return null;
  return `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? null;
}

/** What the numbers were measured on: CPU, cores, memory, load, tool versions. */
export function machineInfo() {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage1m: loadavg()[0],
    node: process.version,
    dcmdump: firstLine(['dcmdump', '--version']),
    pydicom: firstLine(['/usr/bin/python3', '-c', 'import pydicom; print("pydicom", pydicom.__version__)']),
    hyperfine: firstLine(['hyperfine', '--version']),
    note: 'shared 2-core VM, other jobs running: the same step varies up to 2x between runs; files in the page cache (warm) for every tool',
  };
}

/** Which code was measured: the commit and whether packages/ had uncommitted changes. */
export function codeVersion(root) {
  const git = (...a) => spawnSync('git', ['-C', root, ...a], { encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return { commit: null, uncommittedChangesInPackages: null };
  const dirty = git('status', '--porcelain', '--', 'packages');
  return { commit: head.stdout.trim(), uncommittedChangesInPackages: dirty.stdout.trim() !== '' };
}
