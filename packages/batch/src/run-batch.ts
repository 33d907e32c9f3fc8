import { availableParallelism } from 'node:os';
import { DicomError, isDicomError } from '@dicom-tools/core';

/** What a task receives besides its input. */
export interface TaskContext {
  /**
   * Aborted only when the caller's signal is aborted *and* the task should stop at once. The runner never
   * aborts it on cancellation (in-flight items finish), so a task may ignore it; it is for tasks that run long.
   */
  readonly signal: AbortSignal;
}

/** The work done for one input: resolves to a value, or throws (a DicomError, ideally). */
export type BatchTask<I, V> = (input: I, context: TaskContext) => Promise<V>;

/** One input's outcome. `error` is always a DicomError: other errors are wrapped as BATCH_TASK_FAILED. */
export type BatchResult<I, V> =
  | { readonly ok: true; readonly input: I; readonly value: V; readonly durationMs: number }
  | { readonly ok: false; readonly input: I; readonly error: DicomError; readonly durationMs: number };

/** Progress after each finished item. */
export interface BatchProgress {
  /** Items finished (ok or failed). */
  readonly done: number;
  /** Items finished with an error. */
  readonly failed: number;
  /** Items taken from the inputs so far (equals the total once the inputs are exhausted). */
  readonly started: number;
  /** True once every input has been taken, so `started` is the total. */
  readonly inputsExhausted: boolean;
  /** Milliseconds since the batch started. */
  readonly elapsedMs: number;
}

/** Options of {@link runBatch}. */
export interface RunBatchOptions {
  /** How many items run at once. Default: the number of available cores. */
  readonly concurrency?: number;
  /**
   * Cancels the batch: no new item starts; items in flight run to completion and are yielded; then the
   * iteration ends. Check `signal.aborted` afterwards to tell a cancelled batch from a finished one.
   */
  readonly signal?: AbortSignal;
  /** Called after each finished item. */
  readonly onProgress?: (progress: BatchProgress) => void;
}

function asDicomError(error: unknown): DicomError {
  if (isDicomError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DicomError('BATCH_TASK_FAILED', `task failed: ${message}`, { cause: error });
}

/**
 * Runs `task` on every input, `concurrency` at a time, and yields each result as it finishes (completion
 * order, not input order). One failing item never stops the batch: its error is its result. Inputs may be
 * an iterable or an async iterable (such as a folder walk), consumed lazily, so a million paths never sit
 * in memory at once. When `signal` aborts, no new item starts and the iteration ends after the items in
 * flight have finished and been yielded.
 *
 * Tasks run in this thread as concurrent promises: I/O overlaps, CPU work does not. For CPU-bound work give it the
 * `run` of a {@link createWorkerPool} (worker threads) with `concurrency` equal to the pool's size, as the CLI does.
 */
export async function* runBatch<I, V>(
  inputs: Iterable<I> | AsyncIterable<I>,
  task: BatchTask<I, V>,
  options: RunBatchOptions = {},
): AsyncGenerator<BatchResult<I, V>, void, undefined> {
  const concurrency = options.concurrency ?? availableParallelism();
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new DicomError('CORE_INVALID_VALUE', `concurrency must be a whole number >= 1, not ${concurrency}`);
  }
  const signal = options.signal;
  const taskSignal = new AbortController().signal;
  const iterator: Iterator<I> | AsyncIterator<I> = Symbol.asyncIterator in inputs
    ? (inputs as AsyncIterable<I>)[Symbol.asyncIterator]()
    : (inputs as Iterable<I>)[Symbol.iterator]();
  const start = performance.now();
  let started = 0;
  let done = 0;
  let failed = 0;
  let exhausted = false;
  const running = new Map<number, Promise<{ id: number; result: BatchResult<I, V> }>>();
  let nextId = 0;

  const launch = (input: I): void => {
    const id = nextId++;
    const t0 = performance.now();
    const promise = (async (): Promise<BatchResult<I, V>> => {
      try {
        const value = await task(input, { signal: taskSignal });
        return { ok: true, input, value, durationMs: performance.now() - t0 };
      } catch (error) {
        return { ok: false, input, error: asDicomError(error), durationMs: performance.now() - t0 };
      }
    })().then((result) => ({ id, result }));
    running.set(id, promise);
    started++;
  };

  try {
    for (;;) {
      while (!exhausted && running.size < concurrency && signal?.aborted !== true) {
        const next = await iterator.next();
        if (next.done === true) exhausted = true;
        else launch(next.value);
      }
      if (running.size === 0) break;
      const { id, result } = await Promise.race(running.values());
      running.delete(id);
      done++;
      if (!result.ok) failed++;
      options.onProgress?.({ done, failed, started, inputsExhausted: exhausted, elapsedMs: performance.now() - start });
      yield result;
    }
  } finally {
    // Early exit by the consumer (break/throw): let the items in flight finish, so no output is left half-written.
    await Promise.allSettled(running.values());
    if (!exhausted) await iterator.return?.();
  }
}
