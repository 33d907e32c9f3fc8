import { isDicomError, type Dataset } from '@dicom-tools/core';
import { CommandField } from './_command.js';
import { decodeDatasetBytes, encodeDatasetBytes } from './_dataset-bytes.js';
import { scanInstance } from './_instance-source.js';
import type { DimseMessage } from './_link.js';
import type { ScpAssociation, ScpContext } from './_scp-association.js';
import { sendInstance, type DimseEndpoint, type StoreResult } from './_send-instance.js';
import { openAssociation, type ScuAssociation } from './association.js';
import type { NegotiatedContext } from './peer.js';
import type { AssociationInfo, RetrieveAnswer } from './scp-types.js';
import { dimseStatus, Status, type DimseStatus } from './status.js';
import { storageContexts } from './store.js';

function isStatus(value: unknown): value is DimseStatus {
  return typeof value === 'object' && value !== null && 'category' in value && 'status' in value;
}

function identifierOf(message: DimseMessage, context: NegotiatedContext): Dataset | undefined {
  if (!message.data) return undefined;
  try {
    return decodeDatasetBytes(message.data, context.transferSyntax);
  } catch (error) {
    if (isDicomError(error)) return undefined;
    throw error;
  }
}

function failureComment(error: unknown): string {
  return isDicomError(error) ? error.code : 'handler failed';
}

/** Answers a C-FIND: one pending response per match, then the final status (C-CANCEL ends it with 0xFE00). */
export async function runFind(a: ScpAssociation, message: DimseMessage, context: NegotiatedContext, signal: AbortSignal, info: AssociationInfo, ctx: ScpContext): Promise<void> {
  const rsp = CommandField.CFindRsp;
  const identifier = identifierOf(message, context);
  if (!identifier) {
    await a.respondTo(message, rsp, dimseStatus(Status.IdentifierDoesNotMatchSopClass, 'no readable identifier'));
    return;
  }
  let final = dimseStatus(Status.Success);
  try {
    const answer = await ctx.options.handlers.find!({ association: info, sopClassUid: message.command.affectedSopClassUid ?? context.abstractSyntax, identifier, signal });
    for await (const item of answer) {
      if (signal.aborted) break;
      if (isStatus(item)) {
        final = item;
        break;
      }
      await a.respondTo(message, rsp, dimseStatus(Status.Pending), {}, encodeDatasetBytes(item, context.transferSyntax));
    }
  } catch (error) {
    final = dimseStatus(Status.UnableToProcess, failureComment(error));
  }
  if (signal.aborted) final = dimseStatus(Status.Cancel);
  await a.respondTo(message, rsp, final);
}

interface Counts {
  remaining: number;
  completed: number;
  failed: number;
  warning: number;
}

/** Answers a C-MOVE (sub-operations on a new association to the destination) or a C-GET (on this association). */
export async function runRetrieve(a: ScpAssociation, message: DimseMessage, context: NegotiatedContext, signal: AbortSignal, info: AssociationInfo, ctx: ScpContext): Promise<void> {
  const isMove = message.command.commandField === CommandField.CMoveRq;
  const rsp = isMove ? CommandField.CMoveRsp : CommandField.CGetRsp;
  const identifier = identifierOf(message, context);
  if (!identifier) {
    await a.respondTo(message, rsp, dimseStatus(Status.IdentifierDoesNotMatchSopClass, 'no readable identifier'));
    return;
  }
  const handler = isMove ? ctx.options.handlers.move : ctx.options.handlers.get;
  let answer: RetrieveAnswer | DimseStatus;
  try {
    answer = await handler!({
      association: info,
      sopClassUid: message.command.affectedSopClassUid ?? context.abstractSyntax,
      identifier,
      signal,
      ...(isMove ? { destination: message.command.moveDestination ?? '' } : {}),
    });
  } catch (error) {
    answer = dimseStatus(Status.UnableToProcess, failureComment(error));
  }
  if (isStatus(answer)) {
    await a.respondTo(message, rsp, answer);
    return;
  }
  if (isMove && answer.destination === undefined) {
    await a.respondTo(message, rsp, dimseStatus(Status.MoveDestinationUnknown, 'move destination unknown'));
    return;
  }
  const counts: Counts = { remaining: answer.instances.length, completed: 0, failed: 0, warning: 0 };
  const failedUids: string[] = [];
  let target: DimseEndpoint = a;
  let outbound: ScuAssociation | undefined;
  const sources = [];
  for (const path of answer.instances) {
    try {
      sources.push(await scanInstance(path));
    } catch {
      counts.failed++;
      counts.remaining--;
    }
  }
  if (isMove && sources.length > 0) {
    try {
      outbound = await openAssociation(answer.destination!, storageContexts(sources), { callingAeTitle: ctx.aeTitle, ...ctx.options.moveAssociateOptions, signal });
      target = outbound;
    } catch (error) {
      // Every instance failed: the identifier lists them (PS3.4 C.4.2.1.5), as when their stores fail one by one.
      const failedList = failedInstances(sources.map((s) => s.sopInstanceUid), context.transferSyntax);
      await a.respondTo(message, rsp, dimseStatus(Status.OutOfResourcesSubOperations, `cannot associate with the move destination: ${failureComment(error)}`), { failed: sources.length + counts.failed, completed: 0, warning: 0 }, failedList);
      return;
    }
  }
  try {
    for (const source of sources) {
      if (signal.aborted) break;
      let result: StoreResult;
      try {
        result = await sendInstance(target, source, isMove ? { moveOriginator: { aeTitle: info.callingAeTitle, messageId: message.command.messageId ?? 0 } } : {});
      } catch (error) {
        if (!isDicomError(error) || target === a) throw error;
        result = { sopClassUid: source.sopClassUid, sopInstanceUid: source.sopInstanceUid, transferSyntaxUid: '', error };
      }
      counts.remaining--;
      const category = result.status?.category;
      if (category === 'success') counts.completed++;
      else if (category === 'warning') counts.warning++;
      else {
        counts.failed++;
        failedUids.push(source.sopInstanceUid);
      }
      if (counts.remaining > 0) await a.respondTo(message, rsp, dimseStatus(Status.Pending), { ...counts });
      if (outbound && !outbound.isOpen) break;
    }
  } finally {
    await outbound?.release();
  }
  const { completed, failed, warning } = counts;
  let final: DimseStatus;
  if (signal.aborted) final = dimseStatus(Status.Cancel);
  else if (failed === 0 && warning === 0) final = dimseStatus(Status.Success);
  else if (completed === 0 && warning === 0) final = dimseStatus(Status.OutOfResourcesSubOperations, 'all sub-operations failed');
  else final = dimseStatus(Status.SubOperationsCompleteWithFailures);
  const failedList = failed > 0 && failedUids.length > 0 ? failedInstances(failedUids, context.transferSyntax) : undefined;
  await a.respondTo(message, rsp, final, { completed, failed, warning, ...(signal.aborted ? { remaining: counts.remaining } : {}) }, failedList);
}

/** The identifier of a retrieve response naming the instances that failed: Failed SOP Instance UID List (0008,0058). */
function failedInstances(uids: readonly string[], transferSyntax: string): Buffer {
  return encodeDatasetBytes({ elements: new Map([[0x00080058, { tag: 0x00080058, vr: 'UI', value: [...uids] }]]) }, transferSyntax);
}
