import { close, closeSync, createReadStream, open, openSync, read, readSync } from 'node:fs';
import { DicomError, fileSystemError, isDicomError, readDicomFile, transferSyntaxInfo, type DicomFile } from '@dicom-tools/core';
import { CommandField, type Command } from './_command.js';
import { encodeDatasetBytes } from './_dataset-bytes.js';
import type { DimseMessage } from './_link.js';
import { identify, type InstanceSource } from './_instance-source.js';
import type { NegotiatedContext } from './peer.js';
import { dimseStatus, type DimseStatus } from './status.js';

/** Either side of an association that can send a request and wait for its response. */
export interface DimseEndpoint {
  readonly contexts: readonly NegotiatedContext[];
  messageId(): number;
  send(contextId: number, command: Command, dataset?: Buffer | AsyncIterable<Buffer>): Promise<void>;
  nextResponse(messageId: number): Promise<DimseMessage>;
}

/**
 * Converts a file to another transfer syntax (a pixel codec from @dicom-tools/transcode, wired by the caller):
 * used when the peer accepts none of the file's own syntax.
 */
export type TranscodeFunction = (file: DicomFile, transferSyntaxUid: string) => Promise<DicomFile> | DicomFile;

/** The outcome of one C-STORE: the peer's status, or why the instance could not be sent. */
export interface StoreResult {
  /** The file, when the instance came from one. */
  readonly file?: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  /** The transfer syntax it was sent in (empty when not sent). */
  readonly transferSyntaxUid: string;
  /** The peer's status, when the instance was sent. */
  readonly status?: DimseStatus;
  /** Why the instance was not sent, or the transport failed while sending it. */
  readonly error?: DicomError;
}

/** Options for sending one instance. */
export interface SendOptions {
  readonly transcode?: TranscodeFunction;
  /** For C-MOVE sub-operations: Move Originator AE Title and Message ID. */
  readonly moveOriginator?: { readonly aeTitle: string; readonly messageId: number };
  readonly priority?: number;
  /**
   * Buffers to read files into, reused from one instance to the next (two, taken in turn: one being sent while
   * the next is read). Without it each file gets a new buffer.
   */
  readonly scratch?: ReadScratch;
}

/** Two reusable read buffers, handed out in turn (see {@link SendOptions.scratch}). */
export interface ReadScratch {
  take(size: number): Buffer;
}

/**
 * Read buffers for a sender that has at most one instance in flight while it reads the next: a buffer is taken
 * again only two instances later, once the instance it held has been handed to the kernel (the link's `send`
 * resolves only then) and answered.
 */
export function createReadScratch(): ReadScratch {
  const buffers: Buffer[] = [Buffer.alloc(0), Buffer.alloc(0)];
  let turn = 0;
  return {
    take(size) {
      turn ^= 1;
      if (buffers[turn]!.length < size) buffers[turn] = Buffer.allocUnsafe(Math.max(size, buffers[turn]!.length * 2));
      return buffers[turn]!.subarray(0, size);
    },
  };
}

const fsCall = <T>(run: (done: (error: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> =>
  new Promise<T>((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));

/** Files up to this size are read with blocking calls (no thread-pool round trips: open, read, close in one go). */
const BLOCKING_READ_BYTES = 4 * 1024 * 1024;

/** {@link readRange} with blocking calls, for small files. */
function readRangeSync(path: string, start: number, into: Buffer): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw fileSystemError(error, path, 'cannot read');
  }
  try {
    for (let at = 0; at < into.length; ) {
      const n = readSync(fd, into, at, into.length - at, start + at);
      if (n === 0) throw new DicomError('CORE_TRUNCATED', 'the file became shorter while it was being sent', { file: path });
      at += n;
    }
    return into;
  } catch (error) {
    throw fileSystemError(error, path, 'cannot read');
  } finally {
    closeSync(fd);
  }
}

/** Reads `length` bytes of a file from `start` into `into` (open, one read, close: no stat, no new buffer). */
async function readRange(path: string, start: number, into: Buffer): Promise<Buffer> {
  let fd: number;
  try {
    fd = await fsCall<number>((cb) => open(path, 'r', cb));
  } catch (error) {
    throw fileSystemError(error, path, 'cannot read');
  }
  try {
    let at = 0;
    while (at < into.length) {
      const n = await fsCall<number>((cb) => read(fd, into, at, into.length - at, start + at, cb));
      if (n === 0) throw new DicomError('CORE_TRUNCATED', 'the file became shorter while it was being sent', { file: path });
      at += n;
    }
    return into;
  } catch (error) {
    throw fileSystemError(error, path, 'cannot read');
  } finally {
    close(fd, () => undefined);
  }
}

/** Files up to this size are read in one call; larger ones are streamed. */
const WHOLE_READ_BYTES = 16 * 1024 * 1024;

const NATIVE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99']);

function contextsFor(endpoint: DimseEndpoint, sopClassUid: string): NegotiatedContext[] {
  return endpoint.contexts.filter((c) => c.accepted && c.abstractSyntax === sopClassUid && c.scpRole !== false);
}

async function* fileChunks(path: string, start: number): AsyncIterable<Buffer> {
  for await (const chunk of createReadStream(path, { start, highWaterMark: 1024 * 1024 })) yield chunk as Buffer;
}

/** Chooses a context and the bytes to send: the file's own bytes when its syntax was accepted, else re-encoded. */
async function plan(endpoint: DimseEndpoint, source: InstanceSource | DicomFile, options: SendOptions): Promise<{ context: NegotiatedContext; data: Buffer | AsyncIterable<Buffer> } | DicomError> {
  const info = 'dataset' in source ? identify(source) : source;
  const candidates = contextsFor(endpoint, info.sopClassUid);
  if (candidates.length === 0) return new DicomError('NET_NO_PRESENTATION_CONTEXT', `the peer accepted no presentation context for SOP class ${info.sopClassUid}`);
  const same = candidates.find((c) => c.transferSyntax === info.transferSyntaxUid);
  if (same && !('dataset' in source) && source.datasetOffset !== undefined) {
    // The file's own bytes: read at once when small, streamed from disk when large (memory stays flat).
    if (source.size > WHOLE_READ_BYTES) return { context: same, data: fileChunks(source.path, source.datasetOffset) };
    const length = source.size - source.datasetOffset;
    const into = options.scratch ? options.scratch.take(length) : Buffer.allocUnsafe(length);
    return { context: same, data: length <= BLOCKING_READ_BYTES ? readRangeSync(source.path, source.datasetOffset, into) : await readRange(source.path, source.datasetOffset, into) };
  }
  const file = 'dataset' in source ? source : await readDicomFile(source.path);
  if (same) return { context: same, data: encodeDatasetBytes(file.dataset, same.transferSyntax) };
  const compressed = transferSyntaxInfo(file.transferSyntaxUID).encapsulated;
  const native = candidates.find((c) => NATIVE.has(c.transferSyntax));
  if (!compressed && native) return { context: native, data: encodeDatasetBytes(file.dataset, native.transferSyntax) };
  if (options.transcode) {
    const target = native ?? candidates[0]!;
    const converted = await options.transcode(file, target.transferSyntax);
    return { context: target, data: encodeDatasetBytes(converted.dataset, target.transferSyntax) };
  }
  const offered = [...new Set(candidates.map((c) => transferSyntaxInfo(c.transferSyntax).name))].join(', ');
  return new DicomError('NET_NO_PRESENTATION_CONTEXT', `the peer does not accept ${transferSyntaxInfo(file.transferSyntaxUID).name} for this SOP class (accepted: ${offered}) and no codec is available to convert it`);
}

/**
 * Sends one instance with C-STORE and waits for the response. Problems with the instance (no context,
 * unreadable file, failed conversion) are returned in `error`; only transport failures throw.
 */
/** A send plan made ahead of time (the file read while the previous instance is in flight). */
export type PreparedPlan = Promise<Awaited<ReturnType<typeof plan>> | { readonly failed: unknown }>;

/** Starts choosing the context and reading the bytes of `source` now; errors are kept for {@link sendInstance}. */
export function preparePlan(endpoint: DimseEndpoint, source: InstanceSource | DicomFile, options: SendOptions = {}): PreparedPlan {
  return plan(endpoint, source, options).catch((failed: unknown) => ({ failed }));
}

/**
 * `afterSend` runs once the request and its data set are handed to the socket, while the peer works on them: the
 * place to read the next instance.
 */
export async function sendInstance(endpoint: DimseEndpoint, source: InstanceSource | DicomFile, options: SendOptions = {}, prepared?: PreparedPlan, afterSend?: () => void): Promise<StoreResult> {
  const file = 'dataset' in source ? undefined : source.path;
  let info: { sopClassUid: string; sopInstanceUid: string };
  try {
    info = 'dataset' in source ? identify(source) : source;
  } catch (error) {
    return { ...(file !== undefined ? { file } : {}), sopClassUid: '', sopInstanceUid: '', transferSyntaxUid: '', error: error as DicomError };
  }
  const base = { ...(file !== undefined ? { file } : {}), sopClassUid: info.sopClassUid, sopInstanceUid: info.sopInstanceUid };
  const planned = await (prepared ?? preparePlan(endpoint, source, options));
  if ('failed' in planned) {
    if (!isDicomError(planned.failed)) throw planned.failed;
    return { ...base, transferSyntaxUid: '', error: planned.failed };
  }
  const chosen = planned;
  if (chosen instanceof DicomError) return { ...base, transferSyntaxUid: '', error: chosen };
  const messageId = endpoint.messageId();
  const command: Command = {
    commandField: CommandField.CStoreRq,
    messageId,
    affectedSopClassUid: info.sopClassUid,
    affectedSopInstanceUid: info.sopInstanceUid,
    priority: options.priority ?? 0,
    hasDataset: true,
    ...(options.moveOriginator ? { moveOriginatorAeTitle: options.moveOriginator.aeTitle, moveOriginatorMessageId: options.moveOriginator.messageId } : {}),
  };
  await endpoint.send(chosen.context.id, command, chosen.data);
  const response = endpoint.nextResponse(messageId);
  afterSend?.();
  return withResponse(base, chosen.context.transferSyntax, await response);
}

function withResponse(base: { file?: string; sopClassUid: string; sopInstanceUid: string }, transferSyntaxUid: string, response: DimseMessage): StoreResult {
  return { ...base, transferSyntaxUid, status: dimseStatus(response.command.status ?? 0xc000, response.command.errorComment) };
}
