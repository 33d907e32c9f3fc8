import { DicomError } from '@dicom-tools/core';
import { openAssociation, ScuAssociation, type Association } from './association.js';
import type { AssociateOptions, ContextRequest, Peer } from './peer.js';

/** Where an SCU verb runs: a peer (a new association for this call) or an association opened with `associate()`. */
export type Target = Peer | Association;

/**
 * Runs `work` on `target`: on the given association, or on a new one proposing `contexts`, released after
 * `work` (aborted if `work` throws).
 */
export async function onAssociation<T>(target: Target, contexts: readonly ContextRequest[], options: AssociateOptions, work: (a: ScuAssociation) => Promise<T>): Promise<T> {
  if (target instanceof ScuAssociation) return work(target);
  if ('release' in target) throw new DicomError('CORE_INVALID_VALUE', 'the association was not opened by this package');
  const association = await openAssociation(target, contexts, options);
  let result: T;
  try {
    result = await work(association);
  } catch (error) {
    association.abort();
    throw error;
  }
  await association.release();
  return result;
}
