import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { DicomError, IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '@dicom-tools/core';
import type { Command } from './_command.js';
import { Link, type DatasetSink, type DimseMessage } from './_link.js';
import { encodeAssociateRq, PduType, type Pdu, type ProposedContext } from './_pdu.js';
import { rejectReason } from './_reject-reason.js';
import {
  DEFAULT_CALLED_AE, DEFAULT_CALLING_AE, DEFAULT_MAX_PDU, type AssociateOptions, type ContextRequest, type NegotiatedContext, type Peer,
} from './peer.js';
import { NATIVE_TRANSFER_SYNTAXES } from './sop-classes.js';

/** Answers a request the peer sends us on an SCU association (the C-STOREs of a C-GET). */
export interface IncomingRequestHandler {
  sinkFor(command: Command, context: NegotiatedContext): DatasetSink | undefined;
  onRequest(message: DimseMessage, context: NegotiatedContext): Promise<void>;
}

/** An open association, from the requestor's side: run operations on it, then `release()` it. */
export interface Association {
  readonly peer: Peer;
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  /** Every proposed context with the acceptor's answer. */
  readonly contexts: readonly NegotiatedContext[];
  /** The peer's maximum PDU length (0 = unlimited). */
  readonly peerMaxPduLength: number;
  readonly peerImplementationClassUid: string;
  readonly peerImplementationVersionName: string | undefined;
  /** True until released, aborted or closed. */
  readonly isOpen: boolean;
  /** Releases the association (A-RELEASE) and closes the connection; aborts if the peer does not answer. */
  release(): Promise<void>;
  /** Aborts the association (A-ABORT) at once. */
  abort(): void;
}

/** The timeouts with their defaults filled in. */
interface Timing {
  readonly connect: number;
  readonly association: number;
  readonly dimse: number;
  readonly idle: number;
}

function timing(options: AssociateOptions): Timing {
  const t = options.timeouts ?? {};
  return { connect: t.connect ?? 10000, association: t.association ?? 30000, dimse: t.dimse ?? 60000, idle: t.idle ?? 0 };
}

function checkAe(title: string, what: string): string {
  if (title.length === 0 || title.length > 16 || /[\\\u0000-\u001f]/.test(title) || title.trim() === '') {
    throw new DicomError('CORE_INVALID_VALUE', `${what} must be 1 to 16 characters without backslash or control characters`);
  }
  return title;
}

function aborted(signal: AbortSignal): DicomError {
  return new DicomError('CORE_ABORTED', 'the operation was aborted', { cause: signal.reason });
}

/** A waiter for the next message of one kind, with a deadline. */
interface Waiter {
  readonly match: (m: DimseMessage) => boolean;
  readonly resolve: (m: DimseMessage) => void;
  readonly reject: (e: DicomError) => void;
}

/** The requestor side of an association. Internal: the verbs use the methods past the public interface. */
export class ScuAssociation implements Association {
  contexts: readonly NegotiatedContext[] = [];
  peerMaxPduLength = 0;
  peerImplementationClassUid = '';
  peerImplementationVersionName: string | undefined;
  incoming: IncomingRequestHandler | undefined;
  private nextMessageId = 1;
  private released: (() => void) | undefined;
  private established: { resolve: () => void; reject: (e: DicomError) => void } | undefined;
  private closedError: DicomError | undefined;
  private closed = false;
  private readonly inbox: DimseMessage[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly link: Link;
  private readonly proposed: ProposedContext[];
  private readonly onAbortSignal: () => void;

  constructor(
    readonly peer: Peer,
    socket: Socket,
    readonly callingAeTitle: string,
    readonly calledAeTitle: string,
    requests: readonly ContextRequest[],
    private readonly options: AssociateOptions,
    readonly timing: Timing,
  ) {
    this.proposed = requests.map((r, i) => ({ id: i * 2 + 1, abstractSyntax: r.abstractSyntax, transferSyntaxes: r.transferSyntaxes ?? NATIVE_TRANSFER_SYNTAXES }));
    this.link = new Link(socket, {
      onControl: (pdu) => this.onControl(pdu),
      sinkFor: (command, contextId) => {
        const context = this.contexts.find((c) => c.id === contextId);
        return command.commandField < 0x8000 && this.incoming && context ? this.incoming.sinkFor(command, context) : undefined;
      },
      onMessage: (message) => this.onMessage(message),
      onClose: (error) => this.onClose(error),
    });
    this.onAbortSignal = () => {
      this.link.abort(0, 0);
      this.onClose(aborted(options.signal!));
    };
    options.signal?.addEventListener('abort', this.onAbortSignal, { once: true });
    this.link.setIdleTimeout(this.timing.idle);
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Sends A-ASSOCIATE-RQ and waits for the answer. */
  async negotiate(requests: readonly ContextRequest[]): Promise<void> {
    const roles = requests.flatMap((r) => (r.role ? [{ sopClass: r.abstractSyntax, scu: r.role.scu, scp: r.role.scp }] : []));
    const unique = roles.filter((r, i) => roles.findIndex((o) => o.sopClass === r.sopClass) === i);
    this.link.writePdu(
      encodeAssociateRq({
        calledAeTitle: this.calledAeTitle,
        callingAeTitle: this.callingAeTitle,
        contexts: this.proposed,
        userInfo: {
          maxLength: this.options.maxPduLength ?? DEFAULT_MAX_PDU,
          implementationClassUid: IMPLEMENTATION_CLASS_UID,
          implementationVersionName: IMPLEMENTATION_VERSION_NAME,
          roles: unique,
        },
      }),
    );
    await this.withTimeout(
      new Promise<void>((resolve, reject) => {
        this.established = { resolve, reject };
      }),
      this.timing.association,
      'association negotiation',
    );
  }

  private withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    if (ms <= 0) return promise;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new DicomError('NET_TIMEOUT', `${what}: no answer from ${this.peer.host}:${this.peer.port} within ${ms} ms`);
        this.link.abort(0, 0);
        this.onClose(error);
        reject(error);
      }, ms);
    });
    return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
  }

  private onControl(pdu: Pdu): void {
    if (pdu.type === PduType.AssociateAc && this.established) {
      const ac = pdu.value;
      this.peerMaxPduLength = ac.userInfo.maxLength;
      this.link.peerMaxPdu = ac.userInfo.maxLength;
      this.peerImplementationClassUid = ac.userInfo.implementationClassUid;
      this.peerImplementationVersionName = ac.userInfo.implementationVersionName;
      this.contexts = this.proposed.map((p) => {
        const answer = ac.contexts.find((c) => c.id === p.id);
        const accepted = answer !== undefined && answer.result === 0;
        const role = ac.userInfo.roles.find((r) => r.sopClass === p.abstractSyntax);
        return {
          id: p.id,
          abstractSyntax: p.abstractSyntax,
          transferSyntax: accepted ? answer.transferSyntax : '',
          result: answer?.result ?? 2,
          accepted,
          ...(role ? { scpRole: role.scp } : {}),
        };
      });
      const done = this.established;
      this.established = undefined;
      done.resolve();
      return;
    }
    if (pdu.type === PduType.AssociateRj) {
      const error = new DicomError('NET_ASSOCIATION_REJECTED', `association rejected by ${this.peer.host}:${this.peer.port}: ${rejectReason(pdu.value)}`);
      this.link.end();
      this.onClose(error);
      return;
    }
    if (pdu.type === PduType.ReleaseRp && this.released) {
      this.released();
      return;
    }
    if (pdu.type === PduType.ReleaseRq) {
      // The acceptor may not request a release (PS3.8 7.2): answer it anyway and close.
      this.link.sendRelease(PduType.ReleaseRp);
      this.link.end();
      this.onClose(new DicomError('NET_ASSOCIATION_ABORTED', 'the peer released the association'));
      return;
    }
    if (pdu.type === PduType.Abort) {
      this.link.fail(undefined);
      this.onClose(new DicomError('NET_ASSOCIATION_ABORTED', `the peer aborted the association (source ${pdu.source}, reason ${pdu.reason})`));
      return;
    }
    this.link.abort(2, 2);
    this.onClose(new DicomError('NET_PROTOCOL', `unexpected PDU type 0x${pdu.type.toString(16)} on an established association`));
  }

  private onMessage(message: DimseMessage): void {
    if (message.command.commandField < 0x8000 && message.command.commandField !== 0x0fff) {
      const context = this.contexts.find((c) => c.id === message.contextId);
      if (this.incoming && context) {
        void this.incoming.onRequest(message, context).catch((error: unknown) => {
          this.abort();
          this.onClose(error instanceof DicomError ? error : new DicomError('NET_PROTOCOL', (error as Error).message, { cause: error }));
        });
        return;
      }
      this.link.abort(0, 0);
      this.onClose(new DicomError('NET_PROTOCOL', `the peer sent an unexpected request (command 0x${message.command.commandField.toString(16)})`));
      return;
    }
    const index = this.waiters.findIndex((w) => w.match(message));
    if (index >= 0) {
      const [waiter] = this.waiters.splice(index, 1);
      waiter!.resolve(message);
    } else {
      this.inbox.push(message);
    }
  }

  private onClose(error: DicomError | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.options.signal?.removeEventListener('abort', this.onAbortSignal);
    const reason = error ?? new DicomError('NET_ASSOCIATION_ABORTED', `the connection to ${this.peer.host}:${this.peer.port} closed`);
    this.closedError = reason;
    this.link.fail(reason);
    this.established?.reject(reason);
    this.established = undefined;
    for (const waiter of this.waiters.splice(0)) waiter.reject(reason);
    this.released?.();
  }

  /** The accepted context for `abstractSyntax`, preferring one whose syntax is among `preferred`, in order. */
  acceptedContext(abstractSyntax: string, preferred?: readonly string[]): NegotiatedContext | undefined {
    const candidates = this.contexts.filter((c) => c.accepted && c.abstractSyntax === abstractSyntax);
    if (preferred) {
      for (const ts of preferred) {
        const hit = candidates.find((c) => c.transferSyntax === ts);
        if (hit) return hit;
      }
    }
    return candidates[0];
  }

  /** The accepted context for `abstractSyntax`, or NET_NO_PRESENTATION_CONTEXT. */
  requireContext(abstractSyntax: string): NegotiatedContext {
    const context = this.acceptedContext(abstractSyntax);
    if (!context) throw new DicomError('NET_NO_PRESENTATION_CONTEXT', `the peer accepted no presentation context for ${abstractSyntax}`);
    return context;
  }

  /** A fresh Message ID (1..65535). */
  messageId(): number {
    const id = this.nextMessageId;
    this.nextMessageId = id >= 0xffff ? 1 : id + 1;
    return id;
  }

  private checkOpen(): void {
    if (this.closed) throw this.closedError ?? new DicomError('NET_ASSOCIATION_ABORTED', 'the association is closed');
  }

  /** Sends a message (request or response) on `contextId`. */
  async send(contextId: number, command: Command, dataset?: Buffer | AsyncIterable<Buffer>): Promise<void> {
    this.checkOpen();
    await this.link.send(contextId, command, dataset);
  }

  /** The next response to `messageId`, within the DIMSE timeout. */
  nextResponse(messageId: number): Promise<DimseMessage> {
    const match = (m: DimseMessage): boolean => m.command.messageIdBeingRespondedTo === messageId;
    const index = this.inbox.findIndex(match);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]!);
    this.checkOpen();
    const waiting = new Promise<DimseMessage>((resolve, reject) => {
      this.waiters.push({ match, resolve, reject });
    });
    return this.withTimeout(waiting, this.timing.dimse, `DIMSE response to message ${messageId}`);
  }

  async release(): Promise<void> {
    if (this.closed) return;
    const done = new Promise<void>((resolve) => {
      this.released = resolve;
    });
    this.link.sendRelease(PduType.ReleaseRq);
    try {
      await this.withTimeout(done, this.timing.association, 'association release');
    } catch {
      return;
    }
    this.link.end();
    this.onClose(new DicomError('NET_ASSOCIATION_ABORTED', 'the association was released'));
  }

  abort(): void {
    if (this.closed) return;
    this.link.abort(0, 0);
    this.onClose(new DicomError('NET_ASSOCIATION_ABORTED', 'the association was aborted'));
  }
}

function openSocket(peer: Peer, options: AssociateOptions, connectMs: number): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const tls = options.tls;
    const socket: Socket = tls
      ? tlsConnect({
        host: peer.host,
        port: peer.port,
        ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
        ...(tls.key !== undefined ? { key: tls.key } : {}),
        ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
        rejectUnauthorized: tls.rejectUnauthorized ?? true,
        ...(tls.servername !== undefined ? { servername: tls.servername } : isIP(peer.host) === 0 ? { servername: peer.host } : {}),
      })
      : netConnect({ host: peer.host, port: peer.port });
    socket.setNoDelay(true);
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('error', onError);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const onError = (error: Error): void => {
      cleanup();
      socket.destroy();
      reject(new DicomError('NET_CONNECT_FAILED', `cannot connect to ${peer.host}:${peer.port}: ${error.message}`, { cause: error }));
    };
    const onAbort = (): void => {
      cleanup();
      socket.destroy();
      reject(aborted(options.signal!));
    };
    if (connectMs > 0) {
      timer = setTimeout(() => {
        cleanup();
        socket.destroy();
        reject(new DicomError('NET_TIMEOUT', `cannot connect to ${peer.host}:${peer.port} within ${connectMs} ms`));
      }, connectMs);
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      cleanup();
      resolve(socket);
    });
  });
}

/** Opens the connection and negotiates an association; internal form returning the full object. */
export async function openAssociation(peer: Peer, contexts: readonly ContextRequest[], options: AssociateOptions = {}): Promise<ScuAssociation> {
  if (contexts.length === 0 || contexts.length > 128) {
    throw new DicomError('CORE_INVALID_VALUE', `an association proposes 1 to 128 presentation contexts, not ${contexts.length}`);
  }
  const calling = checkAe(options.callingAeTitle ?? DEFAULT_CALLING_AE, 'the calling AE title');
  const called = checkAe(peer.aeTitle ?? DEFAULT_CALLED_AE, 'the called AE title');
  if (options.signal?.aborted === true) throw aborted(options.signal);
  const t = timing(options);
  const socket = await openSocket(peer, options, t.connect);
  const association = new ScuAssociation(peer, socket, calling, called, contexts, options, t);
  await association.negotiate(contexts);
  return association;
}

/**
 * Opens an association with `peer` proposing `contexts`, for several operations on one association (the
 * verbs `echo`, `store`, `find`, `move`, `get` accept it in place of a peer). Throws NET_CONNECT_FAILED,
 * NET_TIMEOUT, NET_ASSOCIATION_REJECTED. Always `release()` it (or `abort()`) when done.
 */
export function associate(peer: Peer, contexts: readonly ContextRequest[], options: AssociateOptions = {}): Promise<Association> {
  return openAssociation(peer, contexts, options);
}
