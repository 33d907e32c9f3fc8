import type { TagEdit } from '@dicom-tools/core';
import type { CommandContext } from '../context.js';
import { checkEditPaths, runEdits, type EditOptions } from '../_edit-command.js';
import { UsageError } from '../_usage-error.js';

/** Flags of `dicom-tools modify-tag`. */
export interface ModifyTagOptions extends EditOptions {
  /** Tags or paths to set, paired by position with `value`. */
  readonly tag?: readonly string[];
  readonly value?: readonly string[];
  /** Tags or paths to delete. */
  readonly delete?: readonly string[];
}

/**
 * `dicom-tools modify-tag FILE --tag T --value V [--tag T --value V...] [--delete T...]`: the `--tag`/`--value`
 * pairs are set first, in order, then the `--delete`s. A value with `\` gives several values (`--value 'A\B'`).
 */
export async function runModifyTag(file: string, options: ModifyTagOptions, context: CommandContext): Promise<number> {
  const tags = options.tag ?? [];
  const values = options.value ?? [];
  const deletes = options.delete ?? [];
  if (tags.length !== values.length) {
    throw new UsageError(`each --tag needs one --value (got ${tags.length} --tag and ${values.length} --value)`);
  }
  if (tags.length === 0 && deletes.length === 0) throw new UsageError('nothing to do: give --tag T --value V, or --delete T');
  const edits: TagEdit[] = [
    ...tags.map((path, i): TagEdit => ({ path, op: 'set', value: values[i]! })),
    ...deletes.map((path): TagEdit => ({ path, op: 'delete' })),
  ];
  checkEditPaths(edits);
  return runEdits(file, edits, options, context);
}
