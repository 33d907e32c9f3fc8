import { isDicomError, type Dataset } from '@dicom-tools/core';
import { CommandField } from './_command.js';
import { decodeDatasetBytes, encodeDatasetBytes } from './_dataset-bytes.js';
import { ScuAssociation, openAssociation } from './association.js';
import type { Target } from './_target.js';
import type { AssociateOptions } from './peer.js';
import { identifierOf, modelSopClasses, type Query } from './query.js';
import { dimseStatus, type DimseStatus } from './status.js';

/** One C-FIND response: a pending one carries a match, the last one the final status. */
export interface FindResponse {
  readonly status: DimseStatus;
  /** The matching identifier (pending responses). */
  readonly identifier?: Dataset;
}

/** Options of {@link find}. */
export interface FindOptions extends AssociateOptions {
  /** The C-FIND SOP class; default the model's (study root). Modality Worklist sets its own. */
  readonly sopClassUid?: string;
  /** 0 medium (default), 1 high, 2 low. */
  readonly priority?: number;
}

/** Runs one C-FIND on `association`, yielding responses; breaking out early sends C-CANCEL. */
export async function* findOn(association: ScuAssociation, query: Query, sopClassUid: string, priority = 0): AsyncGenerator<FindResponse, void, undefined> {
  const context = association.requireContext(sopClassUid);
  const messageId = association.messageId();
  const identifier = encodeDatasetBytes(identifierOf(query), context.transferSyntax);
  await association.send(context.id, { commandField: CommandField.CFindRq, messageId, affectedSopClassUid: sopClassUid, priority, hasDataset: true }, identifier);
  let done = false;
  try {
    for (;;) {
      const response = await association.nextResponse(messageId);
      const status = dimseStatus(response.command.status ?? 0xc000, response.command.errorComment);
      if (status.category === 'pending') {
        yield response.data ? { status, identifier: decodeDatasetBytes(response.data, context.transferSyntax) } : { status };
        continue;
      }
      done = true;
      yield { status };
      return;
    }
  } finally {
    if (!done && association.isOpen) {
      // The caller stopped early: cancel, and read responses up to the final one so the association stays usable.
      await association.send(context.id, { commandField: CommandField.CCancelRq, messageIdBeingRespondedTo: messageId, hasDataset: false });
      for (;;) {
        const response = await association.nextResponse(messageId);
        if (dimseStatus(response.command.status ?? 0xc000).category !== 'pending') break;
      }
    }
  }
}

/**
 * C-FIND: yields each match as it arrives (`{ status: pending, identifier }`) and then the final status. The
 * status is data; only transport and association failures throw. Stopping the iteration early cancels the
 * query (C-CANCEL) and releases the association.
 */
export async function* find(target: Target, query: Query, options: FindOptions = {}): AsyncGenerator<FindResponse, void, undefined> {
  const sopClassUid = options.sopClassUid ?? modelSopClasses(query.model).find;
  if (target instanceof ScuAssociation) {
    yield* findOn(target, query, sopClassUid, options.priority);
    return;
  }
  if ('release' in target) throw new TypeError('the association was not opened by this package');
  const association = await openAssociation(target, [{ abstractSyntax: sopClassUid }], options);
  let failed = false;
  try {
    yield* findOn(association, query, sopClassUid, options.priority);
  } catch (error) {
    failed = true;
    association.abort();
    throw error;
  } finally {
    // Also when the caller stops early (after the C-CANCEL above).
    if (!failed) await release(association);
  }
}

async function release(association: ScuAssociation): Promise<void> {
  try {
    await association.release();
  } catch (error) {
    if (!isDicomError(error)) throw error;
  }
}
