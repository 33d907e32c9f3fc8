import { readFile } from 'node:fs/promises';
import { editsFromJson, isDicomError, type TagEdit } from '@dicom-tools/core';
import type { CommandContext } from '../context.js';
import { checkEditPaths, runEdits, type EditOptions } from '../_edit-command.js';
import { UsageError } from '../_usage-error.js';

/** Flags of `dicom-tools modify-tags`. */
export interface ModifyTagsOptions extends EditOptions {
  /** The edits as JSON text, or `@path` of a JSON file. */
  readonly modifications: string;
}

async function jsonText(spec: string): Promise<[string, string]> {
  if (!spec.startsWith('@')) return [spec, '--modifications'];
  const path = spec.slice(1);
  try {
    return [await readFile(path, 'utf8'), path];
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: cannot read the modifications file${code !== undefined ? ` (${code})` : ''}`, { cause: error });
  }
}

/**
 * `dicom-tools modify-tags FILE --modifications JSON|@file.json`: the object form `{"PatientName": "Doe^Jane",
 * "InstitutionName": null}` (null deletes) or an array of `{path, op, value, vr}` edits, as editsFromJson takes.
 * Edits that are not JSON or not of that shape are a usage error (exit 2).
 */
export async function runModifyTags(file: string, options: ModifyTagsOptions, context: CommandContext): Promise<number> {
  const [text, source] = await jsonText(options.modifications);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source}: not JSON: ${(error as Error).message}`, { cause: error });
  }
  let edits: TagEdit[];
  try {
    edits = editsFromJson(parsed);
  } catch (error) {
    if (!isDicomError(error)) throw error;
    throw new UsageError(`${source}: ${error.message}`, { code: error.code, cause: error });
  }
  checkEditPaths(edits);
  return runEdits(file, edits, options, context);
}
