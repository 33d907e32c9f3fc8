import { iodOfSopClass, transferSyntaxInfo, uidName } from '@dicom-tools/core';
import type { AnsweredContext, AssociateRequest, RoleSelection } from './_pdu.js';
import type { ScpOptions } from './scp-types.js';
import { SopClass } from './sop-classes.js';

const NATIVE = ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99'];
const MOVE = new Set<string>([SopClass.PatientRootMove, SopClass.StudyRootMove]);
const GET = new Set<string>([SopClass.PatientRootGet, SopClass.StudyRootGet]);
const DEFAULT_FIND = [SopClass.PatientRootFind, SopClass.StudyRootFind];

/** True for a storage SOP class: every standard one lives under 1.2.840.10008.5.1.4.1.1, or the registry says so. */
export function isStorageSopClass(uid: string): boolean {
  if (uid.startsWith('1.2.840.10008.5.1.4.1.1.')) return true;
  return iodOfSopClass(uid) !== undefined || / Storage\b/.test(uidName(uid) ?? '');
}

/** Transfer syntaxes we can take a data set in: any registered one but JPIP referenced (no pixel data in the stream). */
function storable(ts: string): boolean {
  const info = transferSyntaxInfo(ts);
  return info.known && ts !== '1.2.840.10008.1.2.4.94' && ts !== '1.2.840.10008.1.2.4.95';
}

/**
 * Answers each proposed presentation context: a service with a handler is accepted with the first proposed
 * transfer syntax we support, in the requestor's order of preference (storage: any registered syntax, kept as
 * received; other services: the native syntaxes). Role selection items are answered as proposed for storage
 * classes when C-GET is offered.
 */
export function answerContexts(rq: AssociateRequest, options: ScpOptions): { answers: AnsweredContext[]; roles: RoleSelection[] } {
  const h = options.handlers;
  const find = new Set(options.findSopClasses ?? DEFAULT_FIND);
  const answers = rq.contexts.map((pc): AnsweredContext => {
    const uid = pc.abstractSyntax;
    let accept: ((ts: string) => boolean) | undefined;
    if (uid === SopClass.Verification) accept = (ts) => NATIVE.includes(ts);
    else if (find.has(uid) && h.find) accept = (ts) => NATIVE.includes(ts);
    else if (MOVE.has(uid) && h.move) accept = (ts) => NATIVE.includes(ts);
    else if (GET.has(uid) && h.get) accept = (ts) => NATIVE.includes(ts);
    else if (isStorageSopClass(uid) && (h.store || h.get)) accept = storable;
    if (!accept) return { id: pc.id, result: 3, transferSyntax: pc.transferSyntaxes[0] ?? '' };
    const only = options.storageTransferSyntaxes;
    const chosen = only && accept === storable ? only.find((ts) => pc.transferSyntaxes.includes(ts)) : pc.transferSyntaxes.find(accept);
    return chosen === undefined ? { id: pc.id, result: 4, transferSyntax: pc.transferSyntaxes[0] ?? '' } : { id: pc.id, result: 0, transferSyntax: chosen };
  });
  const roles: RoleSelection[] = [];
  for (const role of rq.userInfo.roles) {
    const accepted = rq.contexts.some((pc) => pc.abstractSyntax === role.sopClass && answers.find((a) => a.id === pc.id)?.result === 0);
    if (!accepted) continue;
    // We take the SCU role for storage only when C-GET is offered; an SCU role is always fine.
    const scp = role.scp && (h.get !== undefined || !isStorageSopClass(role.sopClass));
    roles.push({ sopClass: role.sopClass, scu: role.scu, scp });
  }
  return { answers, roles };
}
