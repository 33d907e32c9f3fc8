// Runs the anonymize task (_anonymize-task.ts) for `anonymize DIR` and `batch anonymize`: in this thread, and for
// N jobs also in a pool of N - 1 worker threads (@dicom-tools/batch's createWorkerPool, loading _anonymize-worker.js
// from beside the running program). Workers only write temporary files; names are given here, in the order the files
// were handed in, so that the outputs are the same, byte for byte and name for name, whatever the number of jobs.
import { rename, unlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import type { AnonymizeReport } from '@dicom-tools/anonymize';
import { createWorkerPool, type WorkerPool } from '@dicom-tools/batch';
import { DicomError, ErrorCodes, fileSystemError, type ErrorCode } from '@dicom-tools/core';
import {
  createAnonymizeTaskState, createAnonymizer, type AnonymizeJob, type AnonymizeJobOutcome, type AnonymizeJobResult, type AnonymizeSetup,
  type AnonymizeSummary,
} from './_anonymize-task.js';
import { workerModuleBesideProgram } from './_worker-module.js';

const renameFile = promisify(rename);

/** Files per message to a worker thread, at most: a thread works through them without waiting for the main thread. */
const CHUNK = 8;
/**
 * Files this thread reads ahead on libuv's thread pool while it anonymizes one (createAnonymizer), so the next file's
 * bytes are there when it is free: counted until a file is anonymized, not until it is written, so that slow writes
 * do not hold the reads back (measured: 2 or 8 did worse than 4; counting until written, ~8% slower).
 */
const READ_AHEAD = 4;
/** Files in flight in this thread at most, reading, waiting, or being written behind (each holds a read buffer). */
const IN_FLIGHT = 3 * READ_AHEAD;

/** Options of {@link createAnonymizeRunner}. */
export interface AnonymizeRunnerOptions {
  readonly setup: AnonymizeSetup;
  /** Threads: this one and `jobs - 1` worker threads (1 runs in this thread alone). */
  readonly jobs: number;
  /** The worker module's file URL (see {@link anonymizeWorkerModule}); without it everything runs in this thread. */
  readonly workerModule?: string | undefined;
  /** Filled with the UID pairs of every file, in the order the files were handed in (with `setup.collectUids`). */
  readonly uidMap?: Map<string, string>;
  /** `batch --resume`: true when an output already there is complete; it is then kept and the new one dropped. */
  readonly keepExisting?: (path: string) => boolean;
}

/** Where one file's output went. */
export interface AnonymizeOutcome {
  /** The output path (also with a dry run: where it would go); absent without a folder. */
  readonly output?: string;
  /**
   * `written`; `dry-run` (nothing written); `resumed` (kept the complete output already there); `skipped` (a job
   * with `sniff` that is not DICOM: see `skipped`).
   */
  readonly action: 'written' | 'dry-run' | 'resumed' | 'skipped';
  /** Why a `sniff` job was passed over. */
  readonly skipped?: string;
  readonly summary: AnonymizeSummary;
  readonly report?: AnonymizeReport;
}

/** How a file is named when its new SOP Instance UID cannot name it, and what must happen before it starts. */
export interface AnonymizeRunHooks {
  /** The stem to use when the file has no usable SOP Instance UID (a keyed hash of its path). */
  readonly fallbackStem: () => string;
  /** Awaited before the file is handed to a worker (e.g. the sweep of a killed run's temporary files). */
  readonly before?: Promise<unknown>;
}

/** Runs anonymize jobs; each resolves once its output has its final name. */
export interface AnonymizeRunner {
  /** How many files to keep handed in at once so that every thread stays busy. */
  readonly concurrency: number;
  run(job: AnonymizeJob, hooks: AnonymizeRunHooks): Promise<AnonymizeOutcome>;
  /** Ends the worker threads (after the jobs in flight). */
  close(): Promise<void>;
}

/** The file URL of `_anonymize-worker.js` beside the running program (bin.js, symlinks resolved), if it is there. */
export async function anonymizeWorkerModule(): Promise<string | undefined> {
  return (await workerModuleBesideProgram('_anonymize-worker.js'))?.href;
}

/** The DicomError a worker reported (its message already names the file). */
function errorOf(error: Extract<AnonymizeJobOutcome, { ok: false }>['error']): DicomError {
  const file = error.file;
  const message = file !== undefined && error.message.startsWith(`${file}: `) ? error.message.slice(file.length + 2) : error.message;
  const code: ErrorCode = error.code !== undefined && error.code in ErrorCodes ? (error.code as ErrorCode) : 'BATCH_TASK_FAILED';
  return new DicomError(code, code === 'BATCH_TASK_FAILED' ? `task failed: ${message}` : message, file !== undefined ? { file } : {});
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * Starts a runner. Files handed to `run` are anonymized in parallel, but named and renamed into place one after
 * the other in the order of the `run` calls: two files with one new SOP Instance UID in one folder get `UID.dcm`
 * and `UID-2.dcm` in that order, however the threads finish.
 */
export function createAnonymizeRunner(options: AnonymizeRunnerOptions): AnonymizeRunner {
  const { setup } = options;
  let pool: WorkerPool<readonly AnonymizeJob[], AnonymizeJobOutcome[]> | undefined;
  // This thread is one of the `jobs`: it has its modules loaded and warm already, so N jobs start N - 1 workers.
  if (options.jobs > 1 && options.workerModule !== undefined) {
    pool = createWorkerPool({ module: options.workerModule, exportName: 'anonymizeTasks', size: options.jobs - 1, taskOptions: setup });
  }
  const anonymizeHere = createAnonymizer(createAnonymizeTaskState(setup));

  // The files go out one by one to this thread, READ_AHEAD not yet anonymized and IN_FLIGHT in all at most; to the
  // workers, while this one is full, in chunks
  // of at most CHUNK, up to two chunks per worker (one running, one queued, so that a worker that finishes finds its
  // next chunk waiting). The rest waits here for the first thread free, this one included.
  interface Waiting { readonly job: AnonymizeJob; readonly resolve: (r: AnonymizeJobResult) => void; readonly reject: (e: unknown) => void }
  const workers = options.jobs - 1;
  let waiting: Waiting[] = [];
  let here = 0; // in flight in this thread
  let hereAhead = 0; // of which not yet anonymized
  let chunksAtWorkers = 0;
  const take = (): Waiting[] => {
    const chunk = waiting.slice(0, CHUNK);
    waiting = waiting.slice(chunk.length);
    return chunk;
  };
  const runHere = (w: Waiting): void => {
    here++;
    hereAhead++;
    anonymizeHere(w.job, () => {
      hereAhead--;
      dispatch();
    }).then(w.resolve, w.reject).finally(() => {
      here--;
      dispatch();
    });
  };
  const sendToWorkers = (chunk: readonly Waiting[]): void => {
    chunksAtWorkers++;
    pool!.run(chunk.map((w) => w.job), { signal: new AbortController().signal }).then(
      (outcomes) => chunk.forEach((w, i) => {
        const outcome = outcomes[i];
        if (outcome?.ok === true) w.resolve(outcome.value);
        else w.reject(outcome === undefined ? new DicomError('BATCH_TASK_FAILED', 'task failed: no result') : errorOf(outcome.error));
      }),
      (error: unknown) => chunk.forEach((w) => w.reject(error)),
    ).finally(() => {
      chunksAtWorkers--;
      dispatch();
    });
  };
  function dispatch(): void {
    while (hereAhead < READ_AHEAD && here < IN_FLIGHT && waiting.length > 0) runHere(waiting.shift()!);
    while (pool !== undefined && waiting.length > 0 && (chunksAtWorkers < workers || (chunksAtWorkers < 2 * workers && waiting.length >= CHUNK))) sendToWorkers(take());
  }
  const work = (job: AnonymizeJob): Promise<AnonymizeJobResult> => new Promise((resolve, reject) => {
    waiting.push({ job, resolve, reject });
    dispatch();
  });

  const taken = new Set<string>();
  const claim = (folder: string, stem: string): string => {
    let candidate = join(folder, `${stem}.dcm`);
    for (let n = 2; taken.has(candidate); n++) candidate = join(folder, `${stem}-${n}.dcm`);
    taken.add(candidate);
    return candidate;
  };

  /** Gives a file's output its name, in the order of the run calls; returns the outcome, or the rename still to do. */
  const claimOutput = (job: AnonymizeJob, hooks: AnonymizeRunHooks, result: AnonymizeJobResult): AnonymizeOutcome | { readonly temp: string; readonly outcome: AnonymizeOutcome } => {
    if (result.uids !== undefined && options.uidMap !== undefined) for (const [original, replacement] of result.uids) if (!options.uidMap.has(original)) options.uidMap.set(original, replacement);
    if (result.skipped !== undefined) return { action: 'skipped', skipped: result.skipped, summary: result.summary };
    const details = { summary: result.summary, ...(result.report !== undefined ? { report: result.report } : {}) };
    if (job.folder === undefined) return { action: 'dry-run', ...details };
    const output = claim(job.folder, result.stem ?? hooks.fallbackStem());
    if (result.temp === undefined) return { output, action: 'dry-run', ...details };
    if (options.keepExisting?.(output) === true) {
      removeQuietly(result.temp);
      return { output, action: 'resumed', ...details };
    }
    return { temp: result.temp, outcome: { output, action: 'written', ...details } };
  };
  /** Renames a temporary file into place on libuv's thread pool (names are claimed already: renames may overlap). */
  const moveIntoPlace = async (temp: string, outcome: AnonymizeOutcome): Promise<AnonymizeOutcome> => {
    try {
      await renameFile(temp, outcome.output!);
      return outcome;
    } catch (error) {
      removeQuietly(temp);
      throw fileSystemError(error, outcome.output!, 'cannot write');
    }
  };

  // The names, claimed in the order of the run calls; the renames that follow, in flight until close.
  let previous: Promise<unknown> = Promise.resolve();
  const renaming = new Set<Promise<unknown>>();
  return {
    concurrency: IN_FLIGHT + READ_AHEAD + (pool !== undefined ? workers * CHUNK * 2 : 0),
    run(job, hooks) {
      const produced = (hooks.before ?? Promise.resolve()).then(() => work(job));
      produced.catch(() => undefined); // its failure is reported through `claimed`, in turn
      const claimed = previous.then(() => produced).then((result) => claimOutput(job, hooks, result));
      previous = claimed.catch(() => undefined);
      const committed = claimed.then((c) => ('temp' in c ? moveIntoPlace(c.temp, c.outcome) : c));
      const settled = committed.catch(() => undefined);
      renaming.add(settled);
      void settled.then(() => renaming.delete(settled));
      return committed;
    },
    async close() {
      await previous;
      await Promise.all(renaming);
      await pool?.close();
    },
  };
}
