// The task module of the anonymize worker threads: loaded by @dicom-tools/batch's worker pool in each thread (by
// file URL, found beside bin.js by _anonymize-runner.ts); keeps one anonymizer per thread and runs each file.
import { createAnonymizeTaskState, createAnonymizer, type AnonymizeJob, type AnonymizeJobOutcome, type AnonymizeJobResult, type AnonymizeSetup } from './_anonymize-task.js';

// One anonymizer per setup object, i.e. per thread (the pool clones the setup once per worker). Keyed weakly, so
// this holds nothing once the setup is gone.
const anonymizers = new WeakMap<AnonymizeSetup, (job: AnonymizeJob) => Promise<AnonymizeJobResult>>();

/**
 * Anonymizes a few files in this worker thread (several per message, so that a thread is not left waiting for the
 * main thread between files; their reads and writes overlap, the anonymizing itself goes one file at a time, in
 * order); one file's failure is its outcome, not the others'.
 */
export async function anonymizeTasks(jobs: readonly AnonymizeJob[], setup: AnonymizeSetup): Promise<AnonymizeJobOutcome[]> {
  let run = anonymizers.get(setup);
  if (run === undefined) anonymizers.set(setup, (run = createAnonymizer(createAnonymizeTaskState(setup))));
  const settled = await Promise.allSettled(jobs.map((job) => run(job)));
  return settled.map((outcome): AnonymizeJobOutcome => {
    if (outcome.status === 'fulfilled') return { ok: true, value: outcome.value };
    const error: unknown = outcome.reason;
    const e = (error ?? {}) as { code?: unknown; message?: unknown; file?: unknown };
    return {
      ok: false,
      error: {
        ...(typeof e.code === 'string' ? { code: e.code } : {}),
        message: typeof e.message === 'string' ? e.message : String(error),
        ...(typeof e.file === 'string' ? { file: e.file } : {}),
      },
    };
  });
}
