import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { getString, tagForKeyword, type Dataset } from '@dicom-tools/core';
import { createScp } from './scp.js';
import type { DicomServer, ScpHandlers, ScpOptions, StoreRequest } from './scp-types.js';
import { Status } from './status.js';

/** Options of {@link createStorageScp}. */
export interface StorageScpOptions extends Omit<ScpOptions, 'handlers' | 'incomingDir'> {
  /** Folder the instances are written to (created if missing). */
  readonly outputDir: string;
  /**
   * Where each instance goes under `outputDir`: a path with `{Keyword}` placeholders filled from the data set
   * (sanitized: characters other than letters, digits, `.`, `-`, `_` become `_`). Default `{SOPInstanceUID}.dcm`.
   */
  readonly layout?: string;
  /** Also answer C-ECHO (default true) and these handlers besides storage (a Q/R SCP adds find/move/get). */
  readonly handlers?: Omit<ScpHandlers, 'store'>;
  /** Called after an instance is kept, with its final path (a Q/R SCP indexes it here). */
  readonly onStored?: (path: string, request: StoreRequest) => void | Promise<void>;
}

/** Characters allowed in a file name made from a value. */
function sanitize(value: string | undefined): string {
  const cleaned = (value ?? '').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return cleaned === '' ? 'unknown' : cleaned.slice(0, 128);
}

/** A UID that is safe to use in a path: no separators, no `..`, not empty. */
export function isSafeUid(uid: string): boolean {
  return uid !== '' && uid.length <= 64 && !/[/\\\0]/.test(uid) && !uid.includes('..');
}

function placeholders(layout: string): string[] {
  return [...layout.matchAll(/\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]!);
}

/** The relative path of an instance under a layout; `dataset` is read only when the layout needs more than the SOP UIDs. */
export function layoutPath(layout: string, values: (keyword: string) => string | undefined): string {
  return layout.replace(/\{([A-Za-z0-9]+)\}/g, (_, keyword: string) => sanitize(values(keyword)));
}

/**
 * A Storage SCP writing every instance it receives to `outputDir`: the bytes are streamed to a temporary
 * file as they arrive (our file meta, then the data set exactly as received, never re-encoded) and renamed
 * into place once complete, so an aborted association leaves no partial file. A full disk answers 0xA700; a
 * SOP Instance UID with path characters is refused (0xC000). All storage SOP classes and registered transfer
 * syntaxes are accepted.
 */
export function createStorageScp(options: StorageScpOptions): DicomServer {
  const layout = options.layout ?? '{SOPInstanceUID}.dcm';
  const needed = placeholders(layout).filter((k) => k !== 'SOPInstanceUID' && k !== 'SOPClassUID');
  const made = new Set<string>();
  const store = async (request: StoreRequest): Promise<{ status: number; path?: string }> => {
    if (!isSafeUid(request.sopInstanceUid)) return { status: Status.UnableToProcess };
    let dataset: Dataset | undefined;
    if (needed.length > 0) {
      try {
        dataset = await request.dataset();
      } catch {
        return { status: Status.UnableToProcess };
      }
    }
    const relative = layoutPath(layout, (keyword) => {
      if (keyword === 'SOPInstanceUID') return request.sopInstanceUid;
      if (keyword === 'SOPClassUID') return request.sopClassUid;
      if (!dataset) return undefined;
      try {
        return getString(dataset, tagForKeyword(keyword) ?? keyword);
      } catch {
        return undefined;
      }
    });
    const target = join(options.outputDir, relative);
    const folder = dirname(target);
    try {
      if (!made.has(folder)) {
        await mkdir(folder, { recursive: true });
        made.add(folder);
      }
      // Written (or renamed) in place rather than through the thread pool: the peer waits for the response.
      await request.save(target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { status: code === 'ENOSPC' || code === 'EDQUOT' ? Status.OutOfResources : Status.ProcessingFailure };
    }
    await options.onStored?.(target, request);
    return { status: Status.Success, path: target };
  };
  const server = createScp({
    ...options,
    incomingDir: options.outputDir,
    handlers: { ...options.handlers, store },
  });
  const listen = server.listen.bind(server);
  // The output folder must exist before the first instance arrives (incoming files are written there).
  return Object.assign(server, {
    async listen(port?: number, host?: string) {
      await mkdir(options.outputDir, { recursive: true });
      return listen(port, host);
    },
  });
}
