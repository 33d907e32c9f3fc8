import type { AssociateReject } from './_pdu.js';

const USER: Record<number, string> = { 1: 'no reason given', 2: 'application context name not supported', 3: 'calling AE title not recognized', 7: 'called AE title not recognized' };
const ACSE: Record<number, string> = { 1: 'no reason given', 2: 'protocol version not supported' };
const PRESENTATION: Record<number, string> = { 1: 'temporary congestion', 2: 'local limit exceeded' };

/** A-ASSOCIATE-RJ result, source and reason in words (PS3.8 9.3.4). */
export function rejectReason(rj: AssociateReject): string {
  const table = rj.source === 1 ? USER : rj.source === 2 ? ACSE : PRESENTATION;
  const kind = rj.result === 1 ? 'permanent' : 'transient';
  return `${table[rj.reason] ?? `reason ${rj.reason}`} (${kind}, source ${rj.source}, reason ${rj.reason})`;
}
