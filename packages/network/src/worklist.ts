import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DicomError, datasetFromJson, readDicom, type Dataset } from '@dicom-tools/core';
import { matchDataset } from './_dataset-match.js';
import type { Target } from './_target.js';
import { find, type FindOptions, type FindResponse } from './find.js';
import type { QueryKeys } from './query.js';
import { createScp } from './scp.js';
import type { DicomServer, FindRequest, ScpOptions } from './scp-types.js';
import { SopClass } from './sop-classes.js';
import { dimseStatus, Status, type DimseStatus } from './status.js';

/**
 * Modality Worklist C-FIND (PS3.4 K): yields each scheduled procedure step matching `keys` (a data set or
 * text keys such as `{ 'ScheduledProcedureStepSequence[0].Modality': 'CT', PatientName: '' }`), then the
 * final status.
 */
export function worklist(target: Target, keys: Dataset | QueryKeys, options: Omit<FindOptions, 'sopClassUid'> = {}): AsyncGenerator<FindResponse, void, undefined> {
  return find(target, { keys }, { ...options, sopClassUid: SopClass.ModalityWorklistFind });
}

/** Options of {@link createWorklistScp}. */
export interface WorklistScpOptions extends Omit<ScpOptions, 'handlers' | 'findSopClasses'> {
  /**
   * The worklist: a folder of items, or one file. An item is a DICOM JSON object (PS3.18 F), a JSON array of
   * them, or a DICOM file (`.dcm`, `.wl`). Read afresh for each query, so items can be added while it runs.
   */
  readonly worklist: string;
}

async function parseItems(path: string): Promise<Dataset[]> {
  const bytes = await readFile(path);
  if (/\.json$/i.test(path)) {
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw new DicomError('CORE_INVALID_VALUE', `worklist item is not JSON: ${(error as Error).message}`, { file: path, cause: error });
    }
    return (Array.isArray(json) ? json : [json]).map((item) => datasetFromJson(item));
  }
  return [readDicom(bytes, { fileName: path }).dataset];
}

/** Every worklist item under `source` (a folder, not recursive, or a file), sorted by file name. */
export async function loadWorklist(source: string): Promise<Dataset[]> {
  const info = await stat(source).catch((error: unknown) => {
    throw new DicomError('CORE_IO', 'cannot read the worklist', { file: source, cause: error });
  });
  if (!info.isDirectory()) return parseItems(source);
  const names = (await readdir(source)).filter((n) => /\.(json|dcm|wl)$/i.test(n) && !n.startsWith('.')).sort();
  const items: Dataset[] = [];
  for (const name of names) items.push(...(await parseItems(join(source, name))));
  return items;
}

/**
 * A Modality Worklist SCP: answers C-FIND (Modality Worklist Information Model) from a folder of JSON or DICOM
 * items, matching any key, sequences included (scheduled station AE title, modality, date ranges in the
 * Scheduled Procedure Step Sequence; patient name and ID...) with PS3.4 wildcard, range and list rules.
 */
export function createWorklistScp(options: WorklistScpOptions): DicomServer {
  async function* answer(request: FindRequest): AsyncIterable<Dataset | DimseStatus> {
    let items: Dataset[];
    try {
      items = await loadWorklist(options.worklist);
    } catch {
      yield dimseStatus(Status.UnableToProcess, 'worklist unreadable');
      return;
    }
    for (const item of items) {
      if (request.signal.aborted) return;
      const match = matchDataset(item, request.identifier);
      if (match) yield match;
    }
  }
  return createScp({ ...options, handlers: { find: answer }, findSopClasses: [SopClass.ModalityWorklistFind] });
}
