import { closeSync, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { openRegularFile, openRegularFileSync } from './open-regular-file.js';
import { constants as zlibConstants, inflateRawSync, inflateSync } from 'node:zlib';
import { walkDataSet } from './_element-walk.js';
import { createDecodeContext, decodeDataset } from './_decode-dataset.js';
import type { Dataset, DicomFile } from './dataset.js';
import { DicomError, isDicomError, withFile, fileSystemError } from './errors.js';
import { detectSyntax, locateMeta, peekElement, u16 } from './_locate-data-set.js';
import { TransferSyntax, transferSyntaxInfo } from './transfer-syntax.js';

/** Options for reading DICOM. */
export interface ReadOptions {
  /**
   * Stop before pixel data: Pixel Data (7FE0,0010), or Float/Double Float Pixel Data (7FE0,0008/0009), at the
   * top level, and everything after it. A header-only read for fast scans. Default false.
   */
  readonly stopBeforePixelData?: boolean;
  /**
   * The bytes are only the beginning of a longer file (a header scan reading the first kilobytes): with
   * `stopBeforePixelData`, a data set that ends inside them before pixel data is then CORE_TRUNCATED (read
   * more and try again) rather than a complete data set. Default false.
   */
  readonly partial?: boolean;
  /** A name for the source, used in error messages (readDicomFile sets it to the path). */
  readonly fileName?: string;
  /** Largest inflated size accepted for a deflated data set, in bytes (a guard against zip bombs). Default 2 GiB. */
  readonly maxInflatedBytes?: number;
}

/** Options for reading from a file or stream. */
export interface ReadFileOptions extends ReadOptions {
  readonly signal?: AbortSignal;
}

/** A growable byte buffer that {@link readDicomFileSync} reads files into, reused from one read to the next. */
export interface ReadBuffer {
  /** The bytes; replaced by a larger array when a file does not fit. */
  bytes: Uint8Array;
}

/** Options for {@link readDicomFileSync}. */
export interface ReadSyncOptions extends ReadOptions {
  /**
   * Read the whole file into this buffer (grown when too small) instead of a new one. The result's byte values
   * (Pixel Data, OB/OW/UN elements, raw text) are then views into it, valid only until the buffer's next use: for
   * scans that copy what they need out of each file before reading the next, without allocating (and collecting)
   * every file's size again. Not used by header-only reads (`stopBeforePixelData`).
   */
  readonly buffer?: ReadBuffer;
}

function inflate(bytes: Uint8Array, at: number, maxOutputLength: number, partial: boolean): Uint8Array {
  const deflated = bytes.subarray(at);
  // A prefix of a deflate stream inflates as far as it goes with a sync flush; a whole one must end properly.
  const options = partial ? { maxOutputLength, finishFlush: zlibConstants.Z_SYNC_FLUSH } : { maxOutputLength };
  try {
    return inflateRawSync(deflated, options);
  } catch (raw) {
    if ((raw as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DicomError('CORE_MALFORMED', `the deflated data set at byte ${at} inflates to more than ${maxOutputLength} bytes (maxInflatedBytes)`, { offset: at, cause: raw });
    }
    try {
      // Some writers wrap the deflated data set in a zlib header, which PS3.5 A.5 does not call for.
      return inflateSync(deflated, options);
    } catch {
      const truncated = /unexpected end/i.test((raw as Error).message);
      throw new DicomError(truncated ? 'CORE_TRUNCATED' : 'CORE_MALFORMED', `${truncated ? 'truncated' : 'malformed'}: the deflated data set at byte ${at} cannot be inflated: ${(raw as Error).message}`, { offset: at, cause: raw });
    }
  }
}

/**
 * Reads DICOM from bytes: a Part 10 file (with or without the 128-byte preamble) or a bare data set, in
 * Implicit VR Little Endian, Explicit VR Little/Big Endian, Deflated Explicit VR Little Endian, or any
 * encapsulated syntax (compressed pixel data is kept as fragments). Throws only DicomError:
 * CORE_NOT_DICOM, CORE_TRUNCATED (naming the offset and the element), CORE_MALFORMED.
 */
export function readDicom(bytes: Uint8Array, options: ReadOptions = {}): DicomFile {
  const file = options.fileName;
  try {
    return readUnnamed(bytes, options);
  } catch (error) {
    const e = isDicomError(error) ? error : unexpected(error);
    throw file !== undefined ? withFile(e, file) : e;
  }
}

/** What is left when reading failed in a way the reader does not anticipate: still a DicomError, never a crash. */
function unexpected(error: unknown): DicomError {
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new DicomError('CORE_MALFORMED', 'malformed data set: structures are nested too deeply to read');
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DicomError('CORE_MALFORMED', `malformed data set: ${message}`, { cause: error });
}

function textOf(buffer: Buffer, start: number, length: number): string {
  return buffer.toString('latin1', start, start + length).replace(/^ +|[\0 ]+$/g, '');
}

function readUnnamed(bytes: Uint8Array, options: ReadOptions): DicomFile {
  const located = locateMeta(bytes);
  const decodeMeta = createDecodeContext(bytes);
  let meta: Dataset = { elements: new Map() };
  let bodyStart = 0;
  let syntax: string | undefined;
  if (located.start >= 0) {
    // File meta: always Explicit VR Little Endian, group 0002 only; it ends where group 0002 ends (the group
    // length is not trusted: writers get it wrong).
    let at = located.start;
    while (at + 8 <= bytes.length && u16(bytes, at, true) === 0x0002) {
      const head = peekElement(bytes, at, true, true);
      if (!head || head.next === undefined) break;
      at = head.next;
    }
    const walked = walkDataSet(bytes, located.start, Math.min(at, bytes.length), { explicitVR: true, littleEndian: true, stopBeforePixelData: false, isSequenceTag: decodeMeta.isSequenceTag });
    if (at > bytes.length) {
      throw new DicomError('CORE_TRUNCATED', `truncated: the data ends at byte ${bytes.length} inside the file meta group`, { offset: bytes.length });
    }
    bodyStart = at;
    const ts = walked.elements.find((e) => e.tag === 0x00020010);
    if (ts) syntax = textOf(decodeMeta.buffer, ts.dataOffset, ts.length);
    decodeMeta.textLimit = bodyStart; // text windows (see DecodeContext) end with the group
    meta = decodeDataset(decodeMeta, walked.elements, [''], true, true);
    if (syntax === undefined || syntax === '') syntax = detectSyntax(bytes, bodyStart) ?? TransferSyntax.ExplicitVRLittleEndian;
  } else {
    syntax = detectSyntax(bytes, 0);
    if (syntax === undefined) {
      throw new DicomError('CORE_NOT_DICOM', 'not a DICOM file: no DICM magic at byte 128 and no recognisable data set at byte 0');
    }
  }
  const info = transferSyntaxInfo(syntax);
  const partial = options.partial === true;
  let body = bytes;
  if (info.deflated && bodyStart < bytes.length) {
    body = inflate(bytes, bodyStart, options.maxInflatedBytes ?? 2 ** 31, partial);
    bodyStart = 0;
  }
  const stop = options.stopBeforePixelData === true;
  const ctx = body === bytes ? decodeMeta : createDecodeContext(body);
  const walked = walkDataSet(body, bodyStart, body.length, { explicitVR: info.explicitVR, littleEndian: info.littleEndian, stopBeforePixelData: stop, isSequenceTag: ctx.isSequenceTag });
  if (partial && stop && !walked.stoppedAtPixelData) {
    throw new DicomError('CORE_TRUNCATED', `truncated: the ${body.length} bytes given end before pixel data (partial read)`, { offset: body.length });
  }
  // A header-only read decodes no text past where it stopped.
  ctx.textLimit = walked.pixelDataAt ?? body.length;
  const dataset = decodeDataset(ctx, walked.elements, [''], info.explicitVR, info.littleEndian);
  const file = { meta, dataset, transferSyntaxUID: syntax, hadPreamble: located.preamble };
  const { pixelDataAt, pixelDataTag } = walked;
  if (pixelDataAt === undefined || pixelDataTag === undefined) return file;
  // Which pixel data element the header-only read stopped at (always), and where, in the caller's bytes (not
  // meaningful inside an inflated body).
  return body === bytes ? { ...file, pixelDataTag, pixelDataOffset: pixelDataAt } : { ...file, pixelDataTag };
}

function checkAborted(signal: AbortSignal | undefined, file: string | undefined): void {
  if (signal?.aborted === true) {
    throw new DicomError('CORE_ABORTED', 'read aborted', { ...(file !== undefined ? { file } : {}), cause: signal.reason });
  }
}

/**
 * First read of a header-only scan; grown fourfold while the header runs past what was read. Most headers
 * (CT, MR, CR slices) are 1 to 10 KiB; a smaller first read costs less to allocate and to collect.
 */
const HEAD_BYTES = 16 * 1024;

/**
 * One step of a header-only read: parses `head`, the first bytes of a file (`whole` when they are all of it).
 * Returns undefined when the header runs past them: read more and call again.
 */
function parseHead(head: Uint8Array, whole: boolean, options: ReadOptions, path: string): DicomFile | undefined {
  if (whole) return readDicom(head, { ...options, fileName: path, partial: false });
  try {
    return readDicom(head, { ...options, fileName: path, partial: true });
  } catch (error) {
    // The header runs past what was read (or a cut element looks malformed): read more. Anything else is final.
    if (isDicomError(error, 'CORE_TRUNCATED') || isDicomError(error, 'CORE_MALFORMED')) return undefined;
    throw error;
  }
}

/** A larger buffer holding the `filled` bytes of `buffer` first. */
function grown(buffer: Buffer, filled: number): Buffer {
  const next = Buffer.allocUnsafe(buffer.length * 4);
  buffer.copy(next, 0, 0, filled);
  return next;
}

/** Largest file read whole (what one Buffer and fs/promises readFile allow). */
const MAX_FILE_BYTES = 2 ** 31 - 1;
/** Chunk size for a file whose size is not known in advance (stat says 0: a pipe, a /proc file). */
const CHUNK_BYTES = 64 * 1024;

function tooLarge(size: number, path: string): DicomError {
  return new DicomError('CORE_IO', `cannot read: the file is ${size} bytes, more than ${MAX_FILE_BYTES} (read it header-only or as a stream)`, { file: path });
}

/**
 * Reads a DICOM file from disk (see {@link readDicom}). With `stopBeforePixelData`, reads only as much of the
 * file as the header needs (16 KiB first, four times more while the header goes on). Throws DicomError: the
 * codes of {@link readDicom}, CORE_IO when the file cannot be read (missing, a directory, permission),
 * CORE_ABORTED. For a scan of many files where nothing else waits on the event loop, {@link readDicomFileSync}
 * is several times faster: each asynchronous file operation is a round trip through libuv's thread pool.
 */
export async function readDicomFile(path: string, options: ReadFileOptions = {}): Promise<DicomFile> {
  const signal = options.signal;
  checkAborted(signal, path);
  let handle: FileHandle | undefined;
  try {
    const opened = await openRegularFile(path);
    handle = opened.handle;
    if (options.stopBeforePixelData === true) {
      let buffer: Buffer = Buffer.allocUnsafe(HEAD_BYTES);
      let filled = 0;
      for (;;) {
        filled = await readInto(handle, buffer, filled);
        const file = parseHead(buffer.subarray(0, filled), filled < buffer.length, options, path);
        if (file !== undefined) return file;
        checkAborted(signal, path);
        buffer = grown(buffer, filled);
      }
    }
    const size = opened.size;
    if (size > MAX_FILE_BYTES) throw tooLarge(size, path);
    let bytes: Buffer;
    if (size > 0) {
      // One read of the size stat gives, as readFile does, but without its 512 KiB chunks.
      const buffer = Buffer.allocUnsafe(size);
      bytes = buffer.subarray(0, await readInto(handle, buffer, 0));
    } else {
      const chunks: Buffer[] = [];
      for (let total = 0, got = -1; got !== 0; total += got) {
        checkAborted(signal, path);
        const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
        got = await readInto(handle, chunk, 0, total);
        chunks.push(chunk.subarray(0, got));
      }
      bytes = Buffer.concat(chunks);
    }
    checkAborted(signal, path);
    return readDicom(bytes, { ...options, fileName: path, partial: false });
  } catch (error) {
    throw isDicomError(error) ? error : fileSystemError(error, path, 'cannot read');
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Reads from `handle` into `buffer[from..]`, from file offset `at` (default `from`), until `buffer` is full or
 * the file ends; returns how much of `buffer` is now filled.
 */
async function readInto(handle: FileHandle, buffer: Buffer, from: number, at = from): Promise<number> {
  let filled = from;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, at + filled - from);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

/** Closes `fd`; a failure to close a file only read from loses nothing, and must not hide the result. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // nothing to do
  }
}

/** {@link readInto} with blocking calls. */
function readIntoSync(fd: number, buffer: Buffer, from: number, at = from): number {
  let filled = from;
  while (filled < buffer.length) {
    const bytesRead = readSync(fd, buffer, filled, buffer.length - filled, at + filled - from);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

/**
 * Reads a DICOM file from disk with blocking calls: the same result and errors as {@link readDicomFile}
 * (without `signal`). Blocking reads of a file in the page cache take about 10 µs, where each asynchronous
 * operation waits for a thread-pool round trip: use this in scans and command-line tools that read many files one
 * after another with nothing else to do meanwhile. It blocks the event loop for the whole read, so a server
 * should use {@link readDicomFile}.
 */
export function readDicomFileSync(path: string, options: ReadSyncOptions = {}): DicomFile {
  let fd: number | undefined;
  try {
    const opened = openRegularFileSync(path);
    fd = opened.fd;
    if (options.stopBeforePixelData === true) {
      let buffer: Buffer = Buffer.allocUnsafe(HEAD_BYTES);
      let filled = 0;
      for (;;) {
        filled = readIntoSync(fd, buffer, filled);
        const file = parseHead(buffer.subarray(0, filled), filled < buffer.length, options, path);
        if (file !== undefined) return file;
        buffer = grown(buffer, filled);
      }
    }
    const size = opened.size;
    if (size > MAX_FILE_BYTES) throw tooLarge(size, path);
    let bytes: Buffer;
    const reused = options.buffer;
    if (size > 0 && reused !== undefined) {
      if (reused.bytes.length < size) reused.bytes = new Uint8Array(Math.max(size, reused.bytes.length * 2));
      const buffer = Buffer.from(reused.bytes.buffer, reused.bytes.byteOffset, size);
      bytes = buffer.subarray(0, readIntoSync(fd, buffer, 0));
    } else if (size > 0) {
      const buffer = Buffer.allocUnsafe(size);
      bytes = buffer.subarray(0, readIntoSync(fd, buffer, 0));
    } else {
      const chunks: Buffer[] = [];
      for (let total = 0, got = -1; got !== 0; total += got) {
        const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
        got = readIntoSync(fd, chunk, 0, total);
        chunks.push(chunk.subarray(0, got));
      }
      bytes = Buffer.concat(chunks);
    }
    return readDicom(bytes, { ...options, fileName: path, partial: false });
  } catch (error) {
    throw isDicomError(error) ? error : fileSystemError(error, path, 'cannot read');
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

/** Reads DICOM from a stream of bytes (a Node Readable, a web ReadableStream, any async iterable of chunks). */
export async function readDicomStream(stream: AsyncIterable<Uint8Array>, options: ReadFileOptions = {}): Promise<DicomFile> {
  const file = options.fileName;
  checkAborted(options.signal, file);
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of stream) {
      checkAborted(options.signal, file);
      chunks.push(chunk);
    }
  } catch (error) {
    if (isDicomError(error)) throw error;
    if ((error as Error).name === 'AbortError') throw new DicomError('CORE_ABORTED', 'read aborted', { ...(file !== undefined ? { file } : {}), cause: error });
    throw new DicomError('CORE_IO', `cannot read stream: ${(error as Error).message}`, { ...(file !== undefined ? { file } : {}), cause: error });
  }
  return readDicom(Buffer.concat(chunks), { ...options, partial: false });
}
