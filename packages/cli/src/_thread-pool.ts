// How many threads libuv's pool gets for this run of `dicom-tools`, decided by the launcher (launch.ts) before
// anything uses the pool (libuv reads UV_THREADPOOL_SIZE once, when the pool first starts: Node's ES module loader
// starts it while it loads bin.js, so only a CommonJS first file can still set it).
//
// Why: `anonymize DIR` (and `batch anonymize`) keep one JavaScript thread per core minus one busy and hand every
// read, create, write and rename to the pool. With Node's default of 4 pool threads on a 2-core machine, pool
// threads woken for the next file's I/O preempted the JavaScript thread (in a CPU profile of a run of 1,000 files
// ~0.22 s of the main thread's 0.6 s fell inside the calls that queue I/O); with one pool thread, on the core the
// JavaScript thread leaves free, 0.545 -> 0.505 s (docs/benchmarks.md, session 5). Other commands are not measured
// this way and keep Node's default.
//
// The rule: as many pool threads as cores left beside one JavaScript thread, at least 1 and at most Node's default
// of 4; never when the user set UV_THREADPOOL_SIZE.

/** Node's (libuv's) default pool size. */
const NODE_DEFAULT = 4;

/**
 * True when `args` (the command line after the program) runs `anonymize`, or `batch` with `anonymize` among its
 * arguments (batch's options may come before its operation; a folder named `anonymize` counts too, which costs
 * nothing but the pool size).
 */
function anonymizes(args: readonly string[]): boolean {
  const command = args.find((arg) => !arg.startsWith('-'));
  return command === 'anonymize' || (command === 'batch' && args.includes('anonymize'));
}

/**
 * The UV_THREADPOOL_SIZE to set for a run of `args` on a machine of `cores` (os.availableParallelism()), or
 * undefined to leave it alone: when the environment sets it already, or for a command other than anonymize.
 */
export function threadPoolSize(args: readonly string[], cores: number, environment: Readonly<Record<string, string | undefined>>): number | undefined {
  if (environment['UV_THREADPOOL_SIZE'] !== undefined && environment['UV_THREADPOOL_SIZE'] !== '') return undefined;
  if (!anonymizes(args)) return undefined;
  return Math.min(NODE_DEFAULT, Math.max(1, cores - 1));
}
