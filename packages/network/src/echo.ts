import { performance } from 'node:perf_hooks';
import { CommandField } from './_command.js';
import { onAssociation, type Target } from './_target.js';
import type { AssociateOptions } from './peer.js';
import { SopClass } from './sop-classes.js';
import { dimseStatus, type DimseStatus } from './status.js';

/** The outcome of a C-ECHO: the peer's status and timings. */
export interface EchoResult extends DimseStatus {
  /** C-ECHO request to response, in milliseconds. */
  readonly roundTripMs: number;
  /** Connect, associate, echo and release, in milliseconds (the echo alone when run on an open association). */
  readonly totalMs: number;
}

/**
 * Verifies a DICOM connection with C-ECHO. The status is data (`{ status, category }`); only transport and
 * association failures throw (NET_CONNECT_FAILED, NET_ASSOCIATION_REJECTED, NET_TIMEOUT...).
 */
export async function echo(target: Target, options: AssociateOptions = {}): Promise<EchoResult> {
  const started = performance.now();
  let roundTripMs = 0;
  const status = await onAssociation(target, [{ abstractSyntax: SopClass.Verification, transferSyntaxes: ['1.2.840.10008.1.2'] }], options, async (association) => {
    const context = association.requireContext(SopClass.Verification);
    const messageId = association.messageId();
    const sent = performance.now();
    await association.send(context.id, { commandField: CommandField.CEchoRq, messageId, affectedSopClassUid: SopClass.Verification, hasDataset: false });
    const response = await association.nextResponse(messageId);
    roundTripMs = performance.now() - sent;
    return dimseStatus(response.command.status ?? 0xc000, response.command.errorComment);
  });
  return { ...status, roundTripMs, totalMs: performance.now() - started };
}
