import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { parseTar } from 'nanotar';

/** One regular file of an archive. */
export interface ArchiveMember {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** True when the name says .zip, .tar, .tar.gz or .tgz. */
export function isArchiveName(path: string): boolean {
  return /\.(zip|tar|tar\.gz|tgz)$/i.test(path);
}

/**
 * The regular files of a .zip, .tar or .tar.gz/.tgz archive, read into memory (nothing is extracted to disk),
 * sorted by name. Throws what the parsers throw on a corrupt archive.
 */
export async function readArchive(path: string): Promise<ArchiveMember[]> {
  const bytes = new Uint8Array(await readFile(path));
  let members: ArchiveMember[];
  if (/\.zip$/i.test(path)) {
    members = Object.entries(unzipSync(bytes)).filter(([name]) => !name.endsWith('/')).map(([name, data]) => ({ name, bytes: data }));
  } else {
    const tar = /\.(tar\.gz|tgz)$/i.test(path) ? new Uint8Array(gunzipSync(bytes)) : bytes;
    members = parseTar(tar)
      .filter((item) => (item.type === undefined || item.type === 'file') && !item.name.endsWith('/') && item.data !== undefined)
      .map((item) => ({ name: item.name, bytes: item.data! }));
  }
  // Names stay inside the archive's mirror: no absolute paths, no `..` parts.
  return members
    .map((m) => ({ name: m.name.split('/').filter((p) => p !== '' && p !== '.' && p !== '..').join('/'), bytes: m.bytes }))
    .filter((m) => m.name !== '')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
