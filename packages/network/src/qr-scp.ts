import { mkdir } from 'node:fs/promises';
import { basename } from 'node:path';
import { findDicomFiles, getString, type Dataset } from '@dicom-tools/core';
import { createQrIndex, type QrIndex } from './_qr-index.js';
import { keysBelowLevel } from './_query-levels.js';
import type { Peer } from './peer.js';
import { parseQueryLevel, type QueryLevel } from './query.js';
import type { DicomServer, FindRequest, RetrieveRequest } from './scp-types.js';
import { dimseStatus, Status, type DimseStatus } from './status.js';
import { SopClass } from './sop-classes.js';
import { createStorageScp, type StorageScpOptions } from './storage-scp.js';

/** Options of {@link createQueryRetrieveScp}. */
export interface QueryRetrieveScpOptions extends Omit<StorageScpOptions, 'outputDir' | 'handlers' | 'findSopClasses'> {
  /** The folder served: indexed on `listen()`; instances stored with C-STORE go there too. */
  readonly storageDir: string;
  /** C-MOVE destinations: AE title to host and port. A destination not listed is answered 0xA801. */
  readonly aeTable?: Readonly<Record<string, { readonly host: string; readonly port: number }>>;
}

/** A Query/Retrieve SCP: a {@link DicomServer} that also tells how many instances it indexed. */
export interface QueryRetrieveServer extends DicomServer {
  /** Instances in the index (after `listen()`). */
  readonly indexedInstances: number;
}

const LEVEL_TAG = 0x00080052;

/** The Study Root information model's SOP classes, which have no PATIENT level (PS3.4 C.6.2). */
const STUDY_ROOT: ReadonlySet<string> = new Set([SopClass.StudyRootFind, SopClass.StudyRootMove, SopClass.StudyRootGet]);

function levelOf(identifier: Dataset, sopClassUid: string): QueryLevel | DimseStatus {
  const text = getString(identifier, LEVEL_TAG);
  if (text === undefined || text === '') return dimseStatus(Status.IdentifierDoesNotMatchSopClass, 'no Query/Retrieve Level');
  let level: QueryLevel;
  try {
    level = parseQueryLevel(text);
  } catch {
    return dimseStatus(Status.IdentifierDoesNotMatchSopClass, 'unknown Query/Retrieve Level');
  }
  if (level === 'PATIENT' && STUDY_ROOT.has(sopClassUid)) return dimseStatus(Status.IdentifierDoesNotMatchSopClass, 'the Study Root model has no PATIENT level');
  return level;
}

/**
 * A Query/Retrieve SCP over a folder: an index (in-memory SQLite, rebuilt from the folder on `listen()` and
 * updated on each C-STORE) answers C-FIND at patient, study, series and image level, patient and study root,
 * with wildcard, date-range and UID-list matching (hierarchical: a key of a lower level with a value is refused
 * with 0xA900, one without is not returned); C-MOVE sends to destinations of `aeTable` (unknown:
 * 0xA801); C-GET sends on the same association; C-STORE adds to the folder; C-ECHO answers.
 */
export function createQueryRetrieveScp(options: QueryRetrieveScpOptions): QueryRetrieveServer {
  let index: QrIndex | undefined;
  const ready = (): QrIndex => {
    if (!index) throw new Error('the index is not built yet');
    return index;
  };
  async function* find(request: FindRequest): AsyncIterable<Dataset | DimseStatus> {
    const level = levelOf(request.identifier, request.sopClassUid);
    if (typeof level !== 'string') {
      yield level;
      return;
    }
    // Hierarchical model: a condition on a level below the query level is refused (0xA900); return keys of lower
    // levels are left out of the answers (they have no single value at this level).
    const below = keysBelowLevel(request.identifier, level);
    if (below.matching.length > 0) {
      yield dimseStatus(Status.IdentifierDoesNotMatchSopClass, `keys below the ${level} level: ${below.matching.join(', ')}`);
      return;
    }
    const identifier = below.returned.length === 0 ? request.identifier : { elements: new Map([...request.identifier.elements].filter(([tag]) => !below.returned.includes(tag))) };
    for (const match of ready().find(level, identifier)) {
      if (request.signal.aborted) return;
      yield match;
    }
  }
  const retrieve = (request: RetrieveRequest): { instances: string[]; destination?: Peer } | DimseStatus => {
    const level = levelOf(request.identifier, request.sopClassUid);
    if (typeof level !== 'string') return level;
    const instances = ready().paths(level, request.identifier);
    if (request.destination === undefined) return { instances };
    const entry = options.aeTable?.[request.destination];
    return entry ? { instances, destination: { host: entry.host, port: entry.port, aeTitle: request.destination } } : { instances };
  };
  const server = createStorageScp({
    ...options,
    outputDir: options.storageDir,
    handlers: { find, move: retrieve, get: retrieve },
    onStored: async (path, request) => {
      await ready().add(path);
      await options.onStored?.(path, request);
    },
  });
  const listen = server.listen.bind(server);
  const close = server.close.bind(server);
  const wrapped: QueryRetrieveServer = {
    get port() {
      return server.port;
    },
    get openAssociations() {
      return server.openAssociations;
    },
    get indexedInstances() {
      return index?.size ?? 0;
    },
    async listen(port?: number, host?: string) {
      if (!index) {
        const built = await createQrIndex();
        await mkdir(options.storageDir, { recursive: true });
        for await (const found of findDicomFiles(options.storageDir)) {
          if (!found.skipped && !basename(found.path).startsWith('.incoming-')) await built.add(found.path);
        }
        index = built;
      }
      return listen(port, host);
    },
    async close(closeOptions?: { readonly graceMs?: number }) {
      await close(closeOptions);
      index?.close();
      index = undefined;
    },
    on(event, listener) {
      server.on(event, listener);
      return wrapped;
    },
    off(event, listener) {
      server.off(event, listener);
      return wrapped;
    },
  };
  return wrapped;
}
