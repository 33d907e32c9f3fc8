import { createReadStream } from 'node:fs';
import { buffer } from 'node:stream/consumers';
import { crc32, createGunzip, inflateRawSync } from 'node:zlib';
import { readTarStream } from './_tar-stream.js';

/** One regular file of an archive. */
export interface ArchiveMember {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Why this member could not be read, the archive being sound (an encrypted zip member...); `bytes` is then empty. */
  readonly unreadable?: string;
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
 * The regular files of a .zip, .tar or .tar.gz/.tgz archive, never extracted to disk, one member at a time in memory,
 * so an archive bigger than memory works. A .tar or .tar.gz is streamed in archive order (gunzip by node:zlib, our
 * tar reader). A .zip is read where its members are (yauzl: its central directory first, at the end of the file,
 * then each member's bytes, inflated), in the order of their names; an encrypted member, or one compressed other
 * than by deflate, comes with `unreadable` and no bytes. Throws (an Error with a plain message) on a corrupt archive,
 * possibly after the members before the damage. yauzl loads on the first .zip, not with this
 * package: most batches never meet one.
 */
export async function* readArchive(path: string): AsyncGenerator<ArchiveMember, void, undefined> {
  if (/\.zip$/i.test(path)) {
    yield* readZip(path);
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

/** The members of the .zip at `path`, in the order of their names, each read (and inflated) when its turn comes. */
async function* readZip(path: string): AsyncGenerator<ArchiveMember, void, undefined> {
  const loaded = (await import('yauzl')) as typeof import('yauzl') & { default?: typeof import('yauzl') };
  const yauzl = loaded.default ?? loaded;
  // Names decoded here (CP437 or UTF-8, or the Info-ZIP Unicode path) and made safe by safeName, as a tar's are:
  // yauzl's own decoding refuses the whole archive for one absolute or `..` name.
  const zip = await yauzl.openPromise(path, { decodeStrings: false, autoClose: false, validateEntrySizes: true });
  try {
    const members: { readonly name: string; readonly entry: import('yauzl').Entry }[] = [];
    for await (const entry of zip.eachEntry()) {
      const raw = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
      const name = safeName(raw);
      if (name !== '' && !raw.endsWith('/')) members.push({ name, entry });
    }
    members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const { name, entry } of members) {
      if (entry.isEncrypted()) {
        yield { name, bytes: new Uint8Array(0), unreadable: 'encrypted zip member' };
        continue;
      }
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
        yield { name, bytes: new Uint8Array(0), unreadable: `zip compression method ${entry.compressionMethod} (stored and deflated members are read)` };
        continue;
      }
      // The member's bytes as stored, inflated in one call (quicker than through a stream), then checked against the
      // sizes and CRC-32 of the central directory.
      const stored = await buffer(await zip.openReadStreamPromise(entry, { decodeFileData: false }));
      const bytes = entry.compressionMethod === 8 ? inflateRawSync(stored, { maxOutputLength: Math.max(entry.uncompressedSize, 1) }) : stored;
      if (bytes.length !== entry.uncompressedSize) throw new Error(`${name}: ${bytes.length} bytes where the directory says ${entry.uncompressedSize}`);
      if (crc32(bytes) !== entry.crc32) throw new Error(`${name}: CRC-32 mismatch`);
      yield { name, bytes };
    }
  } finally {
    zip.close();
  }
}
