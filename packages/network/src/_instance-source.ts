import { closeSync, constants as fsConstants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { DicomError, fileSystemError, readDicomFile, scanFileMeta, type DicomFile, type ScannedFileMeta } from '@dicom-tools/core';

/** What a sender needs to know of a file before choosing a presentation context. */
export interface InstanceSource {
  readonly path: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  /** Where the data set starts in the file (after preamble and meta), when it can be sent as it is. */
  readonly datasetOffset: number | undefined;
  readonly size: number;
}

const META_READ = 8192;

function cannotRead(path: string, error: unknown): DicomError {
  return fileSystemError(error, path, 'cannot read');
}

/** Opening for reading without blocking on a FIFO (its open waits for a writer); no effect on a regular file. */
const READ_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0);

/** Throws CORE_IO unless `stats` are a regular file's: a FIFO or a device (`/dev/zero`) would block or never end. */
function checkRegular(stats: Stats, path: string): void {
  if (!stats.isFile()) throw new DicomError('CORE_IO', `cannot read: not a regular file`, { file: path });
}

/**
 * {@link scanInstance} for the common case, with blocking calls (a scan of many files is then a few milliseconds
 * per hundred, without thread-pool round trips): the file meta names SOP class, instance and syntax. Undefined
 * when it does not (the caller then runs {@link scanInstance}); throws CORE_IO when the file cannot be read.
 */
export function scanInstanceSync(path: string): InstanceSource | undefined {
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (error) {
    throw cannotRead(path, error);
  }
  try {
    const stats = fstatSync(fd);
    checkRegular(stats, path);
    const { size } = stats;
    for (let length = META_READ; ; length *= 4) {
      const buffer = Buffer.allocUnsafe(Math.min(length, size));
      const bytesRead = readSync(fd, buffer, 0, buffer.length, 0);
      const meta = scanFileMeta(buffer.subarray(0, bytesRead));
      if (meta === 'short' && bytesRead < size) continue;
      if (meta === undefined || meta === 'short') return undefined;
      const transferSyntaxUid = meta.values.get(0x00020010);
      const { sopClassUid, sopInstanceUid } = sopUids(buffer.subarray(0, bytesRead), meta, transferSyntaxUid);
      return sopClassUid && sopInstanceUid && transferSyntaxUid ? { path, sopClassUid, sopInstanceUid, transferSyntaxUid, datasetOffset: meta.end, size } : undefined;
    }
  } catch (error) {
    throw cannotRead(path, error);
  } finally {
    closeSync(fd);
  }
}

/**
 * Looks at a file's head: SOP class and instance, transfer syntax and data set offset from its file meta.
 * A file whose meta lacks them is read by core (header only); a bare data set is sent from byte 0 in the
 * syntax the reader detects, anything else is marked for re-encoding.
 */
export async function scanInstance(path: string): Promise<InstanceSource> {
  let handle;
  try {
    handle = await open(path, READ_FLAGS);
  } catch (error) {
    throw cannotRead(path, error);
  }
  try {
    const stats = await handle.stat();
    checkRegular(stats, path);
    const { size } = stats;
    for (let length = META_READ; ; length *= 4) {
      const buffer = Buffer.allocUnsafe(Math.min(length, size));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      const meta = scanFileMeta(buffer.subarray(0, bytesRead));
      if (meta === 'short' && bytesRead < size) continue;
      if (meta !== undefined && meta !== 'short') {
        const transferSyntaxUid = meta.values.get(0x00020010);
        const { sopClassUid, sopInstanceUid } = sopUids(buffer.subarray(0, bytesRead), meta, transferSyntaxUid);
        if (sopClassUid && sopInstanceUid && transferSyntaxUid) return { path, sopClassUid, sopInstanceUid, transferSyntaxUid, datasetOffset: meta.end, size };
      }
      break;
    }
    const file = await readDicomFile(path, { stopBeforePixelData: true });
    // A bare data set (no preamble, no meta) can still be sent as it is, in the syntax the reader detected.
    const bare = !file.hadPreamble && file.meta.elements.size === 0;
    return { ...identify(file, path), datasetOffset: bare ? 0 : undefined, size };
  } finally {
    await handle.close();
  }
}

const IMPLICIT_LITTLE = '1.2.840.10008.1.2';
const DEFLATED = '1.2.840.10008.1.2.1.99';
const BIG_ENDIAN = '1.2.840.10008.1.2.2';
/** VRs with a 32-bit length in explicit VR (PS3.5 7.1.2). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/**
 * The SOP Class and Instance UIDs to send for a file: those of its data set, (0008,0016) and (0008,0018), found by
 * stepping over the few elements before them in `head` (the file's first bytes), as storescu takes them (the
 * C-STORE command must name the instance sent, PS3.7 9.1.1); the file meta group's (0002,0002) and (0002,0003)
 * where the data set's cannot be read so (deflated or big endian data, elements past `head`, an undefined length).
 */
function sopUids(head: Uint8Array, meta: ScannedFileMeta, syntax: string | undefined): { sopClassUid: string | undefined; sopInstanceUid: string | undefined } {
  let sopClassUid = meta.values.get(0x00020002);
  let sopInstanceUid = meta.values.get(0x00020003);
  if (syntax === undefined || syntax === DEFLATED || syntax === BIG_ENDIAN) return { sopClassUid, sopInstanceUid };
  const explicit = syntax !== IMPLICIT_LITTLE;
  let at = meta.end;
  while (at + 8 <= head.length) {
    const tag = ((head[at]! | (head[at + 1]! << 8)) * 0x10000 + (head[at + 2]! | (head[at + 3]! << 8))) >>> 0;
    if (tag > 0x00080018) break;
    let start: number;
    let length: number;
    if (!explicit) {
      length = (head[at + 4]! | (head[at + 5]! << 8) | (head[at + 6]! << 16) | (head[at + 7]! << 24)) >>> 0;
      start = at + 8;
    } else if (LONG_VRS.has(String.fromCharCode(head[at + 4]!, head[at + 5]!))) {
      if (at + 12 > head.length) break;
      length = (head[at + 8]! | (head[at + 9]! << 8) | (head[at + 10]! << 16) | (head[at + 11]! << 24)) >>> 0;
      start = at + 12;
    } else {
      length = head[at + 6]! | (head[at + 7]! << 8);
      start = at + 8;
    }
    if (length === 0xffffffff || start + length > head.length) break;
    if (tag === 0x00080016 || tag === 0x00080018) {
      let end = start + length;
      while (end > start && (head[end - 1] === 0 || head[end - 1] === 0x20)) end--;
      const uid = Buffer.from(head.buffer, head.byteOffset + start, end - start).toString('latin1');
      if (uid !== '') {
        if (tag === 0x00080016) sopClassUid = uid;
        else sopInstanceUid = uid;
      }
    }
    at = start + length;
  }
  return { sopClassUid, sopInstanceUid };
}

function text(file: DicomFile, tag: number): string {
  const e = file.dataset.elements.get(tag) ?? file.meta.elements.get(tag === 0x00080016 ? 0x00020002 : 0x00020003);
  const v = e && Array.isArray(e.value) ? (e.value as readonly unknown[])[0] : undefined;
  return typeof v === 'string' ? v : '';
}

/** SOP class, instance and syntax of an in-memory file. */
export function identify(file: DicomFile, path = ''): Omit<InstanceSource, 'datasetOffset' | 'size'> {
  const sopClassUid = text(file, 0x00080016);
  const sopInstanceUid = text(file, 0x00080018);
  if (sopClassUid === '' || sopInstanceUid === '') {
    throw new DicomError('CORE_INVALID_VALUE', 'the data set has no SOP Class UID (0008,0016) or SOP Instance UID (0008,0018)', path !== '' ? { file: path } : {});
  }
  return { path, sopClassUid, sopInstanceUid, transferSyntaxUid: file.transferSyntaxUID };
}
