import { DicomError } from '@dicom-tools/core';

/** PDU types of the DICOM upper layer (PS3.8 9.3). */
export const PduType = {
  AssociateRq: 0x01,
  AssociateAc: 0x02,
  AssociateRj: 0x03,
  PData: 0x04,
  ReleaseRq: 0x05,
  ReleaseRp: 0x06,
  Abort: 0x07,
} as const;

/** The DICOM application context name (PS3.7 A.2.1). */
export const APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

/** A presentation context as proposed by the requestor. */
export interface ProposedContext {
  readonly id: number;
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
}

/** A presentation context as answered by the acceptor: result 0 = acceptance (PS3.8 9.3.3.2). */
export interface AnsweredContext {
  readonly id: number;
  readonly result: number;
  readonly transferSyntax: string;
}

/** SCP/SCU Role Selection sub-item (PS3.7 D.3.3.4). */
export interface RoleSelection {
  readonly sopClass: string;
  readonly scu: boolean;
  readonly scp: boolean;
}

/** User Information item contents we read and write. */
export interface UserInfo {
  /** Maximum P-DATA-TF variable-field length the sender accepts; 0 = unlimited. */
  readonly maxLength: number;
  readonly implementationClassUid: string;
  readonly implementationVersionName?: string;
  readonly roles: readonly RoleSelection[];
  /** Asynchronous Operations Window: invoked and performed maximum, when proposed. */
  readonly asyncOps?: { readonly invoked: number; readonly performed: number };
}

/** A-ASSOCIATE-RQ or -AC contents. */
export interface AssociateRequest {
  readonly calledAeTitle: string;
  readonly callingAeTitle: string;
  readonly contexts: readonly ProposedContext[];
  readonly userInfo: UserInfo;
}

export interface AssociateAccept {
  readonly calledAeTitle: string;
  readonly callingAeTitle: string;
  readonly contexts: readonly AnsweredContext[];
  readonly userInfo: UserInfo;
}

export interface AssociateReject {
  /** 1 rejected-permanent, 2 rejected-transient. */
  readonly result: number;
  /** 1 service user, 2 service provider (ACSE), 3 service provider (presentation). */
  readonly source: number;
  readonly reason: number;
}

/** One presentation data value of a P-DATA-TF PDU. */
export interface Pdv {
  readonly contextId: number;
  readonly command: boolean;
  readonly last: boolean;
  readonly data: Buffer;
}

/** A decoded PDU. */
export type Pdu =
  | { readonly type: typeof PduType.AssociateRq; readonly value: AssociateRequest }
  | { readonly type: typeof PduType.AssociateAc; readonly value: AssociateAccept }
  | { readonly type: typeof PduType.AssociateRj; readonly value: AssociateReject }
  | { readonly type: typeof PduType.PData; readonly value: readonly Pdv[] }
  | { readonly type: typeof PduType.ReleaseRq }
  | { readonly type: typeof PduType.ReleaseRp }
  | { readonly type: typeof PduType.Abort; readonly source: number; readonly reason: number };

function protocolError(message: string): DicomError {
  return new DicomError('NET_PROTOCOL', `malformed PDU: ${message}`);
}

/** An AE title as its 16 space-padded bytes. */
function aeBytes(title: string): Buffer {
  const b = Buffer.alloc(16, 0x20);
  b.write(title.slice(0, 16), 'latin1');
  return b;
}

function item(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head[0] = type;
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([head, body]);
}

function uidItem(type: number, uid: string): Buffer {
  return item(type, Buffer.from(uid, 'latin1'));
}

function pduHead(type: number, length: number): Buffer {
  const head = Buffer.alloc(6);
  head[0] = type;
  head.writeUInt32BE(length, 2);
  return head;
}

function userInfoItem(info: UserInfo): Buffer {
  const max = Buffer.alloc(4);
  max.writeUInt32BE(info.maxLength >>> 0);
  const subs: Buffer[] = [item(0x51, max), uidItem(0x52, info.implementationClassUid)];
  if (info.asyncOps) {
    const ops = Buffer.alloc(4);
    ops.writeUInt16BE(info.asyncOps.invoked);
    ops.writeUInt16BE(info.asyncOps.performed, 2);
    subs.push(item(0x53, ops));
  }
  for (const role of info.roles) {
    const uid = Buffer.from(role.sopClass, 'latin1');
    const body = Buffer.alloc(4 + uid.length);
    body.writeUInt16BE(uid.length);
    uid.copy(body, 2);
    body[2 + uid.length] = role.scu ? 1 : 0;
    body[3 + uid.length] = role.scp ? 1 : 0;
    subs.push(item(0x54, body));
  }
  if (info.implementationVersionName !== undefined) subs.push(uidItem(0x55, info.implementationVersionName.slice(0, 16)));
  return item(0x50, Buffer.concat(subs));
}

function associateHead(called: string, calling: string): Buffer {
  const fixed = Buffer.alloc(68);
  fixed.writeUInt16BE(1, 0);
  aeBytes(called).copy(fixed, 4);
  aeBytes(calling).copy(fixed, 20);
  return fixed;
}

/** Encodes an A-ASSOCIATE-RQ PDU. */
export function encodeAssociateRq(rq: AssociateRequest): Buffer {
  const parts: Buffer[] = [associateHead(rq.calledAeTitle, rq.callingAeTitle), uidItem(0x10, APPLICATION_CONTEXT)];
  for (const pc of rq.contexts) {
    const subs = [uidItem(0x30, pc.abstractSyntax), ...pc.transferSyntaxes.map((ts) => uidItem(0x40, ts))];
    parts.push(item(0x20, Buffer.concat([Buffer.from([pc.id, 0, 0, 0]), ...subs])));
  }
  parts.push(userInfoItem(rq.userInfo));
  const body = Buffer.concat(parts);
  return Buffer.concat([pduHead(PduType.AssociateRq, body.length), body]);
}

/** Encodes an A-ASSOCIATE-AC PDU. */
export function encodeAssociateAc(ac: AssociateAccept): Buffer {
  const parts: Buffer[] = [associateHead(ac.calledAeTitle, ac.callingAeTitle), uidItem(0x10, APPLICATION_CONTEXT)];
  for (const pc of ac.contexts) {
    parts.push(item(0x21, Buffer.concat([Buffer.from([pc.id, 0, pc.result, 0]), uidItem(0x40, pc.transferSyntax)])));
  }
  parts.push(userInfoItem(ac.userInfo));
  const body = Buffer.concat(parts);
  return Buffer.concat([pduHead(PduType.AssociateAc, body.length), body]);
}

/** Encodes an A-ASSOCIATE-RJ PDU. */
export function encodeAssociateRj(rj: AssociateReject): Buffer {
  return Buffer.concat([pduHead(PduType.AssociateRj, 4), Buffer.from([0, rj.result, rj.source, rj.reason])]);
}

/** Encodes A-RELEASE-RQ / A-RELEASE-RP. */
export function encodeRelease(type: typeof PduType.ReleaseRq | typeof PduType.ReleaseRp): Buffer {
  return Buffer.concat([pduHead(type, 4), Buffer.alloc(4)]);
}

/** Encodes an A-ABORT PDU: source 0 = service user, 2 = service provider. */
export function encodeAbort(source: number, reason: number): Buffer {
  return Buffer.concat([pduHead(PduType.Abort, 4), Buffer.from([0, 0, source, reason])]);
}

/** The 12 header bytes of a P-DATA-TF PDU holding one PDV of `length` data bytes (PDU head + PDV head). */
export function pdataHeader(contextId: number, command: boolean, last: boolean, length: number): Buffer {
  const head = Buffer.alloc(12);
  writePdataHeader(head, contextId, command, last, length);
  return head;
}

/** Writes the 12 header bytes of a one-PDV P-DATA-TF PDU into `head` (see {@link pdataHeader}). */
export function writePdataHeader(head: Buffer, contextId: number, command: boolean, last: boolean, length: number): void {
  head[0] = PduType.PData;
  head[1] = 0;
  head.writeUInt32BE(length + 6, 2);
  head.writeUInt32BE(length + 2, 6);
  head[10] = contextId;
  head[11] = (command ? 1 : 0) | (last ? 2 : 0);
}

function text(bytes: Buffer, start: number, end: number): string {
  return bytes.toString('latin1', start, end).replace(/^[ \0]+|[ \0]+$/g, '');
}

interface RawItem {
  readonly type: number;
  readonly start: number;
  readonly end: number;
}

function items(body: Buffer, start: number, end: number): RawItem[] {
  const out: RawItem[] = [];
  let at = start;
  while (at < end) {
    if (at + 4 > end) throw protocolError('item header runs past the PDU');
    const length = body.readUInt16BE(at + 2);
    if (at + 4 + length > end) throw protocolError(`item 0x${body[at]!.toString(16)} runs past the PDU`);
    out.push({ type: body[at]!, start: at + 4, end: at + 4 + length });
    at += 4 + length;
  }
  return out;
}

function decodeUserInfo(body: Buffer, raw: RawItem | undefined): UserInfo {
  let maxLength = 0;
  let implementationClassUid = '';
  let implementationVersionName: string | undefined;
  let asyncOps: UserInfo['asyncOps'];
  const roles: RoleSelection[] = [];
  if (raw) {
    for (const sub of items(body, raw.start, raw.end)) {
      if (sub.type === 0x51 && sub.end - sub.start >= 4) maxLength = body.readUInt32BE(sub.start);
      else if (sub.type === 0x52) implementationClassUid = text(body, sub.start, sub.end);
      else if (sub.type === 0x55) implementationVersionName = text(body, sub.start, sub.end);
      else if (sub.type === 0x53 && sub.end - sub.start >= 4) asyncOps = { invoked: body.readUInt16BE(sub.start), performed: body.readUInt16BE(sub.start + 2) };
      else if (sub.type === 0x54 && sub.end - sub.start >= 4) {
        const n = body.readUInt16BE(sub.start);
        if (sub.start + 4 + n > sub.end) throw protocolError('role selection item too short');
        roles.push({ sopClass: text(body, sub.start + 2, sub.start + 2 + n), scu: body[sub.start + 2 + n] === 1, scp: body[sub.start + 3 + n] === 1 });
      }
    }
  }
  return { maxLength, implementationClassUid, roles, ...(implementationVersionName !== undefined ? { implementationVersionName } : {}), ...(asyncOps ? { asyncOps } : {}) };
}

function decodeAssociate(type: 1 | 2, body: Buffer): Pdu {
  if (body.length < 68) throw protocolError('A-ASSOCIATE shorter than its fixed fields');
  const calledAeTitle = text(body, 4, 20);
  const callingAeTitle = text(body, 20, 36);
  const all = items(body, 68, body.length);
  const userInfo = decodeUserInfo(body, all.find((i) => i.type === 0x50));
  if (type === PduType.AssociateRq) {
    const contexts: ProposedContext[] = [];
    for (const pc of all.filter((i) => i.type === 0x20)) {
      const subs = items(body, pc.start + 4, pc.end);
      const abstract = subs.find((s) => s.type === 0x30);
      contexts.push({
        id: body[pc.start]!,
        abstractSyntax: abstract ? text(body, abstract.start, abstract.end) : '',
        transferSyntaxes: subs.filter((s) => s.type === 0x40).map((s) => text(body, s.start, s.end)),
      });
    }
    return { type, value: { calledAeTitle, callingAeTitle, contexts, userInfo } };
  }
  const contexts: AnsweredContext[] = [];
  for (const pc of all.filter((i) => i.type === 0x21)) {
    const ts = items(body, pc.start + 4, pc.end).find((s) => s.type === 0x40);
    contexts.push({ id: body[pc.start]!, result: body[pc.start + 2]!, transferSyntax: ts ? text(body, ts.start, ts.end) : '' });
  }
  return { type, value: { calledAeTitle, callingAeTitle, contexts, userInfo } };
}

function decodePData(body: Buffer): Pdv[] {
  const pdvs: Pdv[] = [];
  let at = 0;
  while (at < body.length) {
    if (at + 6 > body.length) throw protocolError('PDV header runs past the PDU');
    const length = body.readUInt32BE(at);
    if (length < 2 || at + 4 + length > body.length) throw protocolError(`PDV length ${length} does not fit the PDU`);
    const control = body[at + 5]!;
    pdvs.push({ contextId: body[at + 4]!, command: (control & 1) === 1, last: (control & 2) === 2, data: body.subarray(at + 6, at + 4 + length) });
    at += 4 + length;
  }
  return pdvs;
}

/** Decodes the body of a PDU of `type`. */
export function decodePdu(type: number, body: Buffer): Pdu {
  switch (type) {
    case PduType.AssociateRq:
    case PduType.AssociateAc:
      return decodeAssociate(type, body);
    case PduType.AssociateRj:
      if (body.length < 4) throw protocolError('A-ASSOCIATE-RJ too short');
      return { type, value: { result: body[1]!, source: body[2]!, reason: body[3]! } };
    case PduType.PData:
      return { type, value: decodePData(body) };
    case PduType.ReleaseRq:
    case PduType.ReleaseRp:
      return { type };
    case PduType.Abort:
      return { type, source: body[2] ?? 0, reason: body[3] ?? 0 };
    default:
      throw protocolError(`unknown PDU type 0x${type.toString(16)}`);
  }
}
