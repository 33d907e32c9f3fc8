import { closeSync, readSync } from 'node:fs';
import { DicomError, fileSystemError, openRegularFile, openRegularFileSync, readDicomFile, scanFileMeta, scanSopUids, type DicomFile, type ScannedFileMeta } from '@dicom-tools/core';

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

/**
 * {@link scanInstance} for the common case, with blocking calls (a scan of many files is then a few milliseconds
 * per hundred, without thread-pool round trips): the file meta names SOP class, instance and syntax. Undefined
 * when it does not (the caller then runs {@link scanInstance}); throws CORE_IO when the file cannot be read.
 */
export function scanInstanceSync(path: string): InstanceSource | undefined {
  const { fd, size } = openRegularFileSync(path);
  try {
    for (let length = META_READ; ; length *= 4) {
      const buffer = Buffer.allocUnsafe(Math.min(length, size));
      const bytesRead = readSync(fd, buffer, 0, buffer.length, 0);
      const meta = scanFileMeta(buffer.subarray(0, bytesRead));
      if (meta === 'short' && bytesRead < size) continue;
      if (meta === undefined || meta === 'short') return undefined;
      const transferSyntaxUid = meta.values.get(0x00020010);
      const { sopClassUid, sopInstanceUid } = sopUids(buffer.subarray(0, bytesRead), meta);
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
  const { handle, size } = await openRegularFile(path);
  try {
    for (let length = META_READ; ; length *= 4) {
      const buffer = Buffer.allocUnsafe(Math.min(length, size));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      const meta = scanFileMeta(buffer.subarray(0, bytesRead));
      if (meta === 'short' && bytesRead < size) continue;
      if (meta !== undefined && meta !== 'short') {
        const transferSyntaxUid = meta.values.get(0x00020010);
        const { sopClassUid, sopInstanceUid } = sopUids(buffer.subarray(0, bytesRead), meta);
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

/**
 * The SOP Class and Instance UIDs to send for a file: its data set's (the C-STORE command must name the instance
 * sent, PS3.7 9.1.1, as storescu takes them), else its file meta group's where the data set's cannot be scanned.
 */
function sopUids(head: Uint8Array, meta: ScannedFileMeta): { sopClassUid: string | undefined; sopInstanceUid: string | undefined } {
  const own = scanSopUids(head, meta);
  return { sopClassUid: own.sopClassUid ?? meta.values.get(0x00020002), sopInstanceUid: own.sopInstanceUid ?? meta.values.get(0x00020003) };
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
