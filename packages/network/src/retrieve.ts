import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { getStrings } from '@dicom-tools/core';
import { CommandField, type Command } from './_command.js';
import { decodeDatasetBytes, encodeDatasetBytes, fileMetaBytes } from './_dataset-bytes.js';
import { createFileSink, type FileSink } from './_file-sink.js';
import type { DimseMessage } from './_link.js';
import { onAssociation, type Target } from './_target.js';
import type { ScuAssociation } from './association.js';
import type { AssociateOptions, ContextRequest, NegotiatedContext } from './peer.js';
import { identifierOf, modelSopClasses, type Query } from './query.js';
import { COMMON_STORAGE_SOP_CLASSES, NATIVE_TRANSFER_SYNTAXES } from './sop-classes.js';
import { dimseStatus, Status, type DimseStatus } from './status.js';
import { isSafeUid } from './storage-scp.js';

/** Sub-operation counts of a C-MOVE or C-GET response, as the peer reported them. */
export interface RetrieveProgress {
  readonly status: DimseStatus;
  readonly remaining?: number;
  readonly completed?: number;
  readonly failed?: number;
  readonly warning?: number;
}

/** The final response of a C-MOVE or C-GET. */
export interface RetrieveResult extends RetrieveProgress {
  /** Failed SOP Instance UID List (0008,0058) from the final response, if sent. */
  readonly failedSopInstanceUids: readonly string[];
}

/** Options of {@link move}. */
export interface MoveOptions extends AssociateOptions {
  /** Called with each pending response (sub-operation counts as they arrive). */
  readonly onProgress?: (progress: RetrieveProgress) => void;
  readonly priority?: number;
}

/** An instance a C-GET received. */
export interface ReceivedInstance {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  /** Where it was written (undefined when refused). */
  readonly path?: string;
  /** The status we answered the C-STORE with. */
  readonly status: DimseStatus;
}

/** Options of {@link get}. */
export interface GetOptions extends MoveOptions {
  /** Folder the received instances are written to, as `<SOPInstanceUID>.dcm` (created if missing). */
  readonly outputDir: string;
  /** Storage SOP classes to accept (SCP role); default {@link COMMON_STORAGE_SOP_CLASSES}. At most 127. */
  readonly storageSopClasses?: readonly string[];
  /** Transfer syntaxes proposed for them; default Explicit then Implicit VR Little Endian. */
  readonly transferSyntaxes?: readonly string[];
  /** Called after each received instance. */
  readonly onInstance?: (instance: ReceivedInstance) => void;
}

/** What {@link get} did: the final status and counts, and every instance received. */
export interface GetResult extends RetrieveResult {
  readonly instances: readonly ReceivedInstance[];
}

function progressOf(command: Command): RetrieveProgress {
  const counts = {
    ...(command.remaining !== undefined ? { remaining: command.remaining } : {}),
    ...(command.completed !== undefined ? { completed: command.completed } : {}),
    ...(command.failed !== undefined ? { failed: command.failed } : {}),
    ...(command.warning !== undefined ? { warning: command.warning } : {}),
  };
  return { status: dimseStatus(command.status ?? 0xc000, command.errorComment), ...counts };
}

async function retrieveOn(association: ScuAssociation, query: Query, sopClassUid: string, commandField: number, options: MoveOptions, destination?: string): Promise<RetrieveResult> {
  const context = association.requireContext(sopClassUid);
  const messageId = association.messageId();
  await association.send(
    context.id,
    { commandField, messageId, affectedSopClassUid: sopClassUid, priority: options.priority ?? 0, hasDataset: true, ...(destination !== undefined ? { moveDestination: destination } : {}) },
    encodeDatasetBytes(identifierOf(query), context.transferSyntax),
  );
  for (;;) {
    const response = await association.nextResponse(messageId);
    const progress = progressOf(response.command);
    if (progress.status.category === 'pending') {
      options.onProgress?.(progress);
      continue;
    }
    let failedSopInstanceUids: readonly string[] = [];
    if (response.data) {
      try {
        failedSopInstanceUids = getStrings(decodeDatasetBytes(response.data, context.transferSyntax), 0x00080058) ?? [];
      } catch {
        failedSopInstanceUids = [];
      }
    }
    return { ...progress, failedSopInstanceUids };
  }
}

/**
 * C-MOVE: asks the peer to send the matching instances to the AE `destination` (which the peer must know).
 * Sub-operation counts arrive through `onProgress`; the final status and counts are returned as data.
 */
export function move(target: Target, query: Query & { readonly destination: string }, options: MoveOptions = {}): Promise<RetrieveResult> {
  const sopClassUid = modelSopClasses(query.model).move;
  return onAssociation(target, [{ abstractSyntax: sopClassUid }], options, (a) => retrieveOn(a, query, sopClassUid, CommandField.CMoveRq, options, query.destination));
}

/** The presentation contexts of a C-GET: the model's GET class plus storage classes with the SCP role. */
export function getContexts(sopClassUid: string, options: Pick<GetOptions, 'storageSopClasses' | 'transferSyntaxes'>): ContextRequest[] {
  const classes = (options.storageSopClasses ?? COMMON_STORAGE_SOP_CLASSES).slice(0, 127);
  const transferSyntaxes = options.transferSyntaxes ?? NATIVE_TRANSFER_SYNTAXES;
  return [{ abstractSyntax: sopClassUid }, ...classes.map((uid) => ({ abstractSyntax: uid, transferSyntaxes, role: { scu: false, scp: true } }))];
}

/**
 * C-GET: retrieves the matching instances on the same association (SCP role negotiated for the storage
 * classes) and writes each to `outputDir` as `<SOPInstanceUID>.dcm`, streamed to a temporary file and renamed
 * when complete. A SOP Instance UID that is unsafe as a file name (`/`, `\`, `..`) is refused (0xC000).
 */
export async function get(target: Target, query: Query, options: GetOptions): Promise<GetResult> {
  const sopClassUid = modelSopClasses(query.model).get;
  await mkdir(options.outputDir, { recursive: true });
  const instances: ReceivedInstance[] = [];
  const sinks = new Map<number, FileSink>();
  const result = await onAssociation(target, getContexts(sopClassUid, options), options, async (association) => {
    association.incoming = {
      sinkFor(command: Command, context: NegotiatedContext) {
        if (command.commandField !== CommandField.CStoreRq) return undefined;
        const header = fileMetaBytes(command.affectedSopClassUid ?? '', command.affectedSopInstanceUid ?? '', context.transferSyntax, association.calledAeTitle);
        const sink = createFileSink(join(options.outputDir, `.incoming-${randomBytes(8).toString('hex')}.part`), header);
        sinks.set(command.messageId ?? 0, sink);
        return sink;
      },
      async onRequest(message: DimseMessage, context: NegotiatedContext) {
        const { command } = message;
        const sink = sinks.get(command.messageId ?? 0);
        sinks.delete(command.messageId ?? 0);
        const uid = command.affectedSopInstanceUid ?? '';
        let status: DimseStatus;
        let path: string | undefined;
        if (command.commandField !== CommandField.CStoreRq || !sink) status = dimseStatus(0x0211, 'unrecognized operation');
        else if (sink.error) status = dimseStatus(sink.error.code === 'ENOSPC' ? Status.OutOfResources : Status.ProcessingFailure);
        else if (!isSafeUid(uid)) status = dimseStatus(Status.UnableToProcess, 'SOP Instance UID not usable as a file name');
        else {
          path = join(options.outputDir, `${uid}.dcm`);
          try {
            await sink.save(path);
            status = dimseStatus(Status.Success);
          } catch (error) {
            path = undefined;
            status = dimseStatus((error as NodeJS.ErrnoException).code === 'ENOSPC' ? Status.OutOfResources : Status.ProcessingFailure);
          }
        }
        if (sink) await sink.discard();
        await association.send(message.contextId, {
          commandField: CommandField.CStoreRsp,
          messageIdBeingRespondedTo: command.messageId ?? 0,
          affectedSopClassUid: command.affectedSopClassUid ?? '',
          affectedSopInstanceUid: uid,
          status: status.status,
          hasDataset: false,
        });
        const instance: ReceivedInstance = { sopClassUid: command.affectedSopClassUid ?? '', sopInstanceUid: uid, transferSyntaxUid: context.transferSyntax, status, ...(path !== undefined ? { path } : {}) };
        instances.push(instance);
        options.onInstance?.(instance);
      },
    };
    try {
      return await retrieveOn(association, query, sopClassUid, CommandField.CGetRq, options);
    } finally {
      association.incoming = undefined;
    }
  });
  for (const sink of sinks.values()) await sink.discard();
  return { ...result, instances };
}
