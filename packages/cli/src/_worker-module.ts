import { realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The `file:` URL of a worker-thread entry built beside the running program (`relativePath` from the folder of
 * bin.js, symbolic links resolved), or undefined when it is not there: another host calling `run()`, or the
 * sources run directly. Callers then do the work in this thread.
 */
export async function workerModuleBesideProgram(relativePath: string): Promise<URL | undefined> {
  const main = process.argv[1];
  if (main === undefined) return undefined;
  try {
    const entry = join(dirname(await realpath(main)), relativePath);
    return (await stat(entry)).isFile() ? pathToFileURL(entry) : undefined;
  } catch {
    return undefined;
  }
}
