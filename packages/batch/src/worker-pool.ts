import type { Worker } from 'node:worker_threads';
import { DicomError, ErrorCodes, type ErrorCode } from '@dicom-tools/core';
import type { BatchTask } from './run-batch.js';

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /**
   * The module holding the task, as `import()` takes it in a worker: an absolute `file:` URL or a package name
   * (a relative path would resolve against nothing useful). Its export `exportName` is called as
   * `task(input, taskOptions)` and may be async. Inputs, options and values cross threads by structured clone.
   */
  readonly module: string;
  /** The export to call. Default `task`. */
  readonly exportName?: string;
  /** Number of worker threads. Default 2. */
  readonly size?: number;
  /** Passed to every call of the task as its second argument (structured-cloned once per worker). */
  readonly taskOptions?: unknown;
}

/** A pool of worker threads running one task module. */
export interface WorkerPool<I, V> {
  /** Runs the task on a free worker (queued while all are busy); give it to runBatch with `concurrency: size`. */
  readonly run: BatchTask<I, V>;
  /** Ends the workers once the queued and running calls are done. */
  close(): Promise<void>;
}

// The worker's code, run with `eval: true` (CommonJS): no entry file has to be located on disk, which matters
// because this package is loaded both as ESM (dist) and as CommonJS (jest), where `import.meta.url` and
// `__dirname` do not both exist. The task module itself is loaded with import().
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const loaded = import(workerData.module).then((m) => {
  const f = m[workerData.exportName];
  if (typeof f !== 'function') throw new Error('the module has no function export "' + workerData.exportName + '"');
  return f;
});
parentPort.on('message', async (message) => {
  try {
    const task = await loaded;
    const value = await task(message.input, workerData.taskOptions);
    parentPort.postMessage({ id: message.id, ok: true, value });
  } catch (error) {
    const e = error === null || typeof error !== 'object' ? { message: String(error) } : error;
    parentPort.postMessage({ id: message.id, ok: false, error: { code: typeof e.code === 'string' ? e.code : undefined, message: String(e.message), file: typeof e.file === 'string' ? e.file : undefined } });
  }
});
`;

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: { readonly code?: string; readonly message: string; readonly file?: string };
}

/** The DicomError a worker reported: its code, and its file named once (its message already starts with it). */
function errorOf(reply: NonNullable<Reply['error']>): DicomError {
  const known = reply.code !== undefined && reply.code in ErrorCodes;
  const file = reply.file;
  const details = file !== undefined ? { file } : {};
  const message = file !== undefined && reply.message.startsWith(`${file}: `) ? reply.message.slice(file.length + 2) : reply.message;
  return known
    ? new DicomError(reply.code as ErrorCode, message, details)
    : new DicomError('BATCH_TASK_FAILED', `task failed: ${message}`, details);
}

/**
 * Starts `size` worker threads that each import `module` and call its `exportName` export for the inputs
 * given to `run`. Use it as the task of {@link runBatch} to spread CPU-bound work over cores:
 * `runBatch(inputs, pool.run, { concurrency: pool size })`, then `await pool.close()`. A task's error comes back
 * as a DicomError with the same code (other errors: BATCH_TASK_FAILED); a worker that dies fails its call and
 * is replaced.
 */
export function createWorkerPool<I, V>(options: WorkerPoolOptions): WorkerPool<I, V> {
  const size = options.size ?? 2;
  if (!Number.isInteger(size) || size < 1) throw new DicomError('CORE_INVALID_VALUE', `size must be a whole number >= 1, not ${size}`);
  const workerData = { module: options.module, exportName: options.exportName ?? 'task', taskOptions: options.taskOptions };
  // Loaded here rather than imported at the top: a process that never starts a pool (a one-thread run of the
  // CLI) does not pay for node:worker_threads at start-up.
  const workerThreads = process.getBuiltinModule('node:worker_threads');
  interface Slot { worker: Worker; busy: { id: number; resolve: (v: V) => void; reject: (e: unknown) => void } | undefined }
  const slots: Slot[] = [];
  const queue: { input: I; resolve: (v: V) => void; reject: (e: unknown) => void }[] = [];
  let nextId = 0;
  let closed = false;

  const spawn = (): Slot => {
    const slot: Slot = { worker: new workerThreads.Worker(WORKER_SOURCE, { eval: true, workerData }), busy: undefined };
    slot.worker.on('message', (reply: Reply) => {
      const busy = slot.busy;
      if (busy === undefined || busy.id !== reply.id) return;
      slot.busy = undefined;
      if (reply.ok) busy.resolve(reply.value as V);
      else busy.reject(errorOf(reply.error ?? { message: 'unknown error' }));
      dispatch();
    });
    slot.worker.on('error', (error) => {
      const busy = slot.busy;
      slot.busy = undefined;
      busy?.reject(new DicomError('BATCH_TASK_FAILED', `worker failed: ${error.message}`, { cause: error }));
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      if (!closed) slots.push(spawn());
      dispatch();
    });
    return slot;
  };
  for (let i = 0; i < size; i++) slots.push(spawn());

  const dispatch = (): void => {
    for (const slot of slots) {
      if (queue.length === 0) return;
      if (slot.busy !== undefined) continue;
      const job = queue.shift()!;
      const id = nextId++;
      slot.busy = { id, resolve: job.resolve, reject: job.reject };
      slot.worker.postMessage({ id, input: job.input });
    }
  };

  return {
    run: (input) => new Promise<V>((resolve, reject) => {
      if (closed) {
        reject(new DicomError('BATCH_TASK_FAILED', 'the worker pool is closed'));
        return;
      }
      queue.push({ input, resolve, reject });
      dispatch();
    }),
    async close() {
      closed = true;
      while (queue.length > 0 || slots.some((s) => s.busy !== undefined)) await new Promise((r) => setTimeout(r, 5));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
