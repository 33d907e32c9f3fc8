// How many threads libuv's pool gets for a run of `dicom-tools`, decided by the launcher (launch.ts) before anything
// uses the pool (libuv reads UV_THREADPOOL_SIZE once, when the pool first starts: Node's ES module loader starts it
// while it loads bin.js, so only a CommonJS first file can still set it).
//
// Why: the commands that go through many files keep one JavaScript thread per core minus one busy and hand every
// read, create, write and rename to the pool. With Node's default of 4 pool threads on a 2-core machine, pool
// threads woken for the next file's I/O preempted the JavaScript thread (in a CPU profile of `anonymize DIR` over
// 1,000 files, ~0.22 s of the main thread's 0.6 s fell inside the calls that queue I/O). Measured on 2 cores with
// one pool thread instead of four (docs/benchmarks.md, session 5): `anonymize DIR` 0.545 -> 0.505 s, `batch`
// convert / decompress / validate 1.09x / 1.08x / 1.12x faster, `organize` 1.09x, `transcode DIR` 1.04x; `search`,
// `nifti`, `store` and `storage-scp` the same within the noise.
//
// The rule: as many pool threads as cores left beside one JavaScript thread, at least 1 and at most Node's default
// of 4 (so nothing changes on 5 cores or more); never when the user set UV_THREADPOOL_SIZE.

/** Node's (libuv's) default pool size. */
const NODE_DEFAULT = 4;

/**
 * The UV_THREADPOOL_SIZE to set on a machine of `cores` (os.availableParallelism()), or undefined to leave it
 * alone: when the environment sets it already.
 */
export function threadPoolSize(cores: number, environment: Readonly<Record<string, string | undefined>>): number | undefined {
  if (environment['UV_THREADPOOL_SIZE'] !== undefined && environment['UV_THREADPOOL_SIZE'] !== '') return undefined;
  return Math.min(NODE_DEFAULT, Math.max(1, cores - 1));
}
