// The task module of the anonymize worker threads: loaded by @dicom-tools/batch's worker pool in each thread (by
// file URL, found beside bin.js by _anonymize-runner.ts); keeps one task state per thread and runs each file.
import {
  createAnonymizeTaskState, runAnonymizeJob, type AnonymizeJob, type AnonymizeJobOutcome, type AnonymizeSetup, type AnonymizeTaskState,
} from './_anonymize-task.js';

// One state per setup object, i.e. per thread (the pool clones the setup once per worker). Keyed weakly, so this
// holds nothing once the setup is gone.
const states = new WeakMap<AnonymizeSetup, AnonymizeTaskState>();

/**
 * Anonymizes a few files in this worker thread, one after the other (several per message, so that a thread is not
 * left waiting for the main thread between files); one file's failure is its outcome, not the others'.
 */
export function anonymizeTasks(jobs: readonly AnonymizeJob[], setup: AnonymizeSetup): AnonymizeJobOutcome[] {
  let state = states.get(setup);
  if (state === undefined) states.set(setup, (state = createAnonymizeTaskState(setup)));
  return jobs.map((job) => {
    try {
      return { ok: true, value: runAnonymizeJob(job, state) };
    } catch (error) {
      const e = (error ?? {}) as { code?: unknown; message?: unknown; file?: unknown };
      return {
        ok: false,
        error: {
          ...(typeof e.code === 'string' ? { code: e.code } : {}),
          message: typeof e.message === 'string' ? e.message : String(error),
          ...(typeof e.file === 'string' ? { file: e.file } : {}),
        },
      };
    }
  });
}
