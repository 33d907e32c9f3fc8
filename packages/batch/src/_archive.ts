import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { readTarStream } from './_tar-stream.js';

/** One regular file of an archive. */
export interface ArchiveMember {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** True when the name says .zip, .tar, .tar.gz or .tgz. */
export function isArchiveName(path: string): boolean {
  return /\.(zip|tar|tar\.gz|tgz)$/i.test(path);
}

/** Names stay inside the archive's mirror: no absolute paths, no `.` or `..` parts ('' when nothing is left). */
function safeName(name: string): string {
  return name.split('/').filter((p) => p !== '' && p !== '.' && p !== '..').join('/');
}

/**
 * The regular files of a .zip, .tar or .tar.gz/.tgz archive, never extracted to disk. A .tar or .tar.gz is streamed
 * (gunzip by node:zlib, our tar reader): one member at a time is in memory, in archive order, so an archive bigger
 * than memory works. A .zip (whose directory is at its end) is read whole into memory (fflate) and its members come
 * sorted by name. Throws (an Error with a plain message) on a corrupt archive; a .tar may first have yielded the
 * members before the damage. fflate loads on the first .zip, not with this package: most batches never meet one.
 */
export async function* readArchive(path: string): AsyncGenerator<ArchiveMember, void, undefined> {
  if (/\.zip$/i.test(path)) {
    const { unzipSync } = await import('fflate');
    const members = Object.entries(unzipSync(new Uint8Array(await readFile(path))))
      .filter(([name]) => !name.endsWith('/'))
      .map(([name, bytes]) => ({ name: safeName(name), bytes }))
      .filter((m) => m.name !== '')
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    yield* members;
    return;
  }
  const file = createReadStream(path);
  const gunzip = /\.(tar\.gz|tgz)$/i.test(path) ? createGunzip() : undefined;
  if (gunzip !== undefined) {
    file.on('error', (error) => gunzip.destroy(error));
    file.pipe(gunzip);
  }
  try {
    for await (const member of readTarStream(gunzip ?? file)) {
      const name = safeName(member.name);
      if (name !== '' && !member.name.endsWith('/')) yield { name, bytes: member.bytes };
    }
  } finally {
    file.destroy();
    gunzip?.destroy();
  }
}
