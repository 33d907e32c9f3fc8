// The task module of `dicom-tools batch --workers`: loaded by @dicom-tools/batch's worker pool in each worker
// thread (by file URL, found beside bin.js), it prepares the operation's task once per thread and runs it.
import { basename, resolve } from 'node:path';
import type { BatchInput } from '@dicom-tools/batch';
import { prepareTask, type BatchOperation, type BatchOutcome, type BatchTaskFlags, type PreparedTask } from './_batch-tasks.js';

/** What every worker receives once: the operation, its flags, and the OUT sub-folder of each input root. */
export interface WorkerSetup {
  readonly operation: BatchOperation;
  readonly flags: BatchTaskFlags;
  readonly prefixes: Readonly<Record<string, string>>;
  /** Several inputs: a root missing from `prefixes` (a glob's folder) is mirrored into OUT/<its folder name>. */
  readonly several?: boolean;
}

// One prepared task per setup object, i.e. per thread (the pool clones the setup once per worker). Keyed weakly,
// so this holds nothing once the setup is gone.
const prepared = new WeakMap<WorkerSetup, Promise<PreparedTask>>();

/** Runs the batch operation of `setup` on one input. */
export async function batchTask(input: BatchInput, setup: WorkerSetup): Promise<BatchOutcome> {
  let task = prepared.get(setup);
  if (task === undefined) prepared.set(setup, (task = prepareTask(setup.operation, setup.flags, (root) => setup.prefixes[root] ?? (setup.several === true ? basename(resolve(root)) : undefined))));
  return (await task).run(input);
}
