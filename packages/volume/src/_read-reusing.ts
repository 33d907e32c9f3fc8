// Reads whole DICOM files with blocking calls into a buffer reused from one file to the next, so that reading a
// series neither allocates (page-faults, collects) its whole size again nor waits for a thread-pool round trip per
// call: the caller copies what it needs out of the result before the next read. core's readDicomFileSync
// allocates a new buffer per file. (A candidate for core: a `buffer` option on readDicomFileSync.)
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { fileSystemError, readDicom, type DicomFile } from '@dicom-tools/core';

/** A growable read buffer, owned by one reader at a time. */
export interface ReadBuffer {
  bytes: Uint8Array;
}

/** Reads and parses `path` with its bytes in `buffer` (grown when too small); valid until the buffer's next use. */
export function readDicomReusing(path: string, buffer: ReadBuffer): DicomFile {
  let length = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (buffer.bytes.length < size) buffer.bytes = new Uint8Array(Math.max(size, buffer.bytes.length * 2));
      while (length < size) {
        const read = readSync(fd, buffer.bytes, length, size - length, length);
        if (read === 0) break;
        length += read;
      }
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw fileSystemError(error, path, 'cannot read');
  }
  return readDicom(buffer.bytes.subarray(0, length), { fileName: path });
}
