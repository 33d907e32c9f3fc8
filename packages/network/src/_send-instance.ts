import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DicomError, isDicomError, readDicomFile, transferSyntaxInfo, type DicomFile } from '@dicom-tools/core';
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
    const bytes = await readFile(source.path);
    return { context: same, data: bytes.subarray(source.datasetOffset) };
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

export async function sendInstance(endpoint: DimseEndpoint, source: InstanceSource | DicomFile, options: SendOptions = {}, prepared?: PreparedPlan): Promise<StoreResult> {
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
  const response = await endpoint.nextResponse(messageId);
  return { ...base, transferSyntaxUid: chosen.context.transferSyntax, status: dimseStatus(response.command.status ?? 0xc000, response.command.errorComment) };
}
