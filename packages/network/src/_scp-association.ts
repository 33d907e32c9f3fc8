import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { DicomError, IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, readDicomFile } from '@dicom-tools/core';
import { CommandField, type Command } from './_command.js';
import { fileMetaBytes } from './_dataset-bytes.js';
import { createFileSink, type FileSink } from './_file-sink.js';
import { Link, type DimseMessage } from './_link.js';
import { encodeAssociateAc, encodeAssociateRj, PduType, type AssociateRequest, type Pdu } from './_pdu.js';
import { answerContexts } from './_acceptor-policy.js';
import { runFind, runRetrieve } from './_scp-services.js';
import type { DimseEndpoint } from './_send-instance.js';
import { DEFAULT_MAX_PDU, type NegotiatedContext } from './peer.js';
import type { AssociationInfo, ScpEvents, ScpOptions, StatusLike, StoreAnswer } from './scp-types.js';
import { dimseStatus, Status, type DimseStatus } from './status.js';

/** What the server gives each association. */
export interface ScpContext {
  readonly options: ScpOptions;
  readonly aeTitle: string;
  readonly incomingDir: string;
  emit<E extends keyof ScpEvents>(event: E, payload: ScpEvents[E]): void;
  /** Whether one more association may open now. */
  admit(): boolean;
}

export function toStatus(value: StatusLike): DimseStatus {
  return typeof value === 'number' ? dimseStatus(value) : value;
}

/** One accepted connection, from A-ASSOCIATE-RQ to release or abort. */
export class ScpAssociation implements DimseEndpoint {
  contexts: readonly NegotiatedContext[] = [];
  info: AssociationInfo;
  private readonly link: Link;
  private state: 'awaiting' | 'open' | 'closed' = 'awaiting';
  private queue: Promise<void> = Promise.resolve();
  private readonly cancels = new Map<number, AbortController>();
  private readonly waiters = new Map<number, { resolve: (m: DimseMessage) => void; reject: (e: DicomError) => void }>();
  private readonly sinks = new Map<string, FileSink>();
  private nextId = 1;
  /** The signal of requests that cannot be cancelled. */
  private readonly never = new AbortController().signal;
  private requestTimer: NodeJS.Timeout | undefined;
  private closedResolve!: () => void;
  /** Resolves when the association has ended. */
  readonly closed = new Promise<void>((resolve) => {
    this.closedResolve = resolve;
  });

  constructor(socket: Socket, private readonly ctx: ScpContext) {
    this.info = { callingAeTitle: '', calledAeTitle: '', remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0 };
    this.link = new Link(socket, {
      onControl: (pdu) => this.onControl(pdu),
      sinkFor: (command, contextId) => this.sinkFor(command, contextId),
      onMessage: (message) => this.onMessage(message),
      onClose: (error) => this.finish(error),
    });
    const t = ctx.options.timeouts ?? {};
    const associationMs = t.association ?? 30000;
    if (associationMs > 0) {
      this.requestTimer = setTimeout(() => this.link.fail(new DicomError('NET_TIMEOUT', `no A-ASSOCIATE-RQ within ${associationMs} ms`)), associationMs);
      this.requestTimer.unref();
    }
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Aborts the association (server shutdown). */
  abort(): void {
    this.link.abort(2, 0);
    this.link.fail(new DicomError('NET_ASSOCIATION_ABORTED', 'the server is shutting down'));
  }

  private finish(error: DicomError | undefined): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    clearTimeout(this.requestTimer);
    for (const c of this.cancels.values()) c.abort();
    const reason = error ?? new DicomError('NET_ASSOCIATION_ABORTED', 'the connection closed');
    for (const w of this.waiters.values()) w.reject(reason);
    this.waiters.clear();
    if (wasOpen) this.ctx.emit('closed', error && error.message !== 'released' ? { ...this.info, error } : this.info);
    void this.queue.finally(() => this.closedResolve());
  }

  private onControl(pdu: Pdu): void {
    if (pdu.type === PduType.AssociateRq && this.state === 'awaiting') {
      clearTimeout(this.requestTimer);
      this.onRequest(pdu.value);
      return;
    }
    if (pdu.type === PduType.ReleaseRq && this.state === 'open') {
      // Answer after the requests already received have been answered.
      void this.queue.then(() => {
        this.link.sendRelease(PduType.ReleaseRp);
        this.link.end();
        this.finish(new DicomError('NET_ASSOCIATION_ABORTED', 'released'));
      });
      return;
    }
    if (pdu.type === PduType.Abort) {
      this.link.fail(new DicomError('NET_ASSOCIATION_ABORTED', `the peer aborted the association (source ${pdu.source}, reason ${pdu.reason})`));
      return;
    }
    this.link.abort(2, 2);
    this.link.fail(new DicomError('NET_PROTOCOL', `unexpected PDU type 0x${pdu.type.toString(16)}`));
  }

  private reject(result: number, source: number, reason: number, why: string): void {
    this.link.writePdu(encodeAssociateRj({ result, source, reason }));
    this.ctx.emit('rejected', { ...this.info, reason: why });
    this.link.end();
    this.state = 'closed';
    this.closedResolve();
  }

  private onRequest(rq: AssociateRequest): void {
    const o = this.ctx.options;
    this.info = { ...this.info, callingAeTitle: rq.callingAeTitle, calledAeTitle: rq.calledAeTitle };
    if (o.allowedCallingAeTitles && !o.allowedCallingAeTitles.includes(rq.callingAeTitle)) {
      this.reject(1, 1, 3, 'calling AE title not allowed');
      return;
    }
    if (o.checkCalledAeTitle === true && rq.calledAeTitle !== this.ctx.aeTitle) {
      this.reject(1, 1, 7, 'called AE title not recognized');
      return;
    }
    if (!this.ctx.admit()) {
      this.reject(2, 3, 2, 'too many associations');
      return;
    }
    const { answers, roles } = answerContexts(rq, o);
    this.contexts = rq.contexts.map((pc) => {
      const a = answers.find((x) => x.id === pc.id)!;
      const role = roles.find((r) => r.sopClass === pc.abstractSyntax);
      return { id: pc.id, abstractSyntax: pc.abstractSyntax, transferSyntax: a.transferSyntax, result: a.result, accepted: a.result === 0, ...(role ? { scpRole: role.scp } : {}) };
    });
    this.link.peerMaxPdu = rq.userInfo.maxLength;
    this.link.writePdu(
      encodeAssociateAc({
        calledAeTitle: rq.calledAeTitle,
        callingAeTitle: rq.callingAeTitle,
        contexts: answers,
        userInfo: { maxLength: o.maxPduLength ?? DEFAULT_MAX_PDU, implementationClassUid: IMPLEMENTATION_CLASS_UID, implementationVersionName: IMPLEMENTATION_VERSION_NAME, roles },
      }),
    );
    this.state = 'open';
    this.link.setIdleTimeout(o.timeouts?.idle ?? 60000);
    this.ctx.emit('association', this.info);
  }

  private context(id: number): NegotiatedContext | undefined {
    return this.contexts.find((c) => c.id === id && c.accepted);
  }

  private sinkFor(command: Command, contextId: number): FileSink | undefined {
    const context = this.context(contextId);
    if (command.commandField !== CommandField.CStoreRq || !context || !this.ctx.options.handlers.store) return undefined;
    const path = join(this.ctx.incomingDir, `.incoming-${randomBytes(8).toString('hex')}.part`);
    const header = fileMetaBytes(command.affectedSopClassUid ?? '', command.affectedSopInstanceUid ?? '', context.transferSyntax, this.info.callingAeTitle);
    const sink = createFileSink(path, header);
    this.sinks.set(`${contextId}:${command.messageId ?? 0}`, sink);
    return sink;
  }

  private onMessage(message: DimseMessage): void {
    const { command } = message;
    if (command.commandField === CommandField.CCancelRq) {
      this.cancels.get(command.messageIdBeingRespondedTo ?? -1)?.abort();
      return;
    }
    if (command.commandField >= 0x8000) {
      const waiter = this.waiters.get(command.messageIdBeingRespondedTo ?? -1);
      if (waiter) {
        this.waiters.delete(command.messageIdBeingRespondedTo!);
        waiter.resolve(message);
      }
      return;
    }
    // Only find, move and get can be cancelled (C-CANCEL): the others need no signal.
    const cancellable = command.commandField === CommandField.CFindRq || command.commandField === CommandField.CMoveRq || command.commandField === CommandField.CGetRq;
    const cancel = cancellable ? new AbortController() : undefined;
    if (cancel && command.messageId !== undefined) this.cancels.set(command.messageId, cancel);
    this.queue = this.queue
      .then(() => this.serve(message, cancel?.signal ?? this.never))
      .catch((error: unknown) => {
        this.link.abort(2, 0);
        this.link.fail(error instanceof DicomError ? error : new DicomError('NET_PROTOCOL', `cannot answer a request: ${(error as Error).message}`, { cause: error }));
      })
      .finally(() => {
        if (command.messageId !== undefined) this.cancels.delete(command.messageId);
      });
  }

  /** Sends a response (or a request of ours) on the message's context. */
  async send(contextId: number, command: Command, dataset?: Buffer | AsyncIterable<Buffer>): Promise<void> {
    if (this.state !== 'open') throw new DicomError('NET_ASSOCIATION_ABORTED', 'the association is closed');
    await this.link.send(contextId, command, dataset);
  }

  messageId(): number {
    const id = this.nextId;
    this.nextId = id >= 0xffff ? 1 : id + 1;
    return id;
  }

  nextResponse(messageId: number): Promise<DimseMessage> {
    if (this.state !== 'open') return Promise.reject(new DicomError('NET_ASSOCIATION_ABORTED', 'the association is closed'));
    const ms = this.ctx.options.timeouts?.dimse ?? 60000;
    return new Promise<DimseMessage>((resolve, reject) => {
      const timer = ms > 0 ? setTimeout(() => {
        this.waiters.delete(messageId);
        const error = new DicomError('NET_TIMEOUT', `no response to message ${messageId} within ${ms} ms`);
        this.link.abort(2, 0);
        this.link.fail(error);
        reject(error);
      }, ms) : undefined;
      this.waiters.set(messageId, {
        resolve: (m) => { clearTimeout(timer); resolve(m); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
    });
  }

  private respond(message: DimseMessage, commandField: number, status: DimseStatus, extra: Partial<Command> = {}, dataset?: Buffer): Promise<void> {
    const { command } = message;
    return this.send(message.contextId, {
      commandField,
      messageIdBeingRespondedTo: command.messageId ?? 0,
      ...(command.affectedSopClassUid !== undefined ? { affectedSopClassUid: command.affectedSopClassUid } : {}),
      status: status.status,
      ...(status.comment !== undefined ? { errorComment: status.comment.slice(0, 64) } : {}),
      ...extra,
      hasDataset: dataset !== undefined,
    }, dataset);
  }

  private async serve(message: DimseMessage, signal: AbortSignal): Promise<void> {
    const { command } = message;
    const context = this.context(message.contextId);
    const handlers = this.ctx.options.handlers;
    if (!context) {
      // PS3.8: a message on a context that was not accepted is a protocol error.
      throw new DicomError('NET_PROTOCOL', `a request arrived on presentation context ${message.contextId}, which was not accepted`);
    }
    switch (command.commandField) {
      case CommandField.CEchoRq: {
        const status = handlers.echo ? await safeStatus(() => handlers.echo!({ association: this.info })) : dimseStatus(Status.Success);
        await this.respond(message, CommandField.CEchoRsp, status);
        return;
      }
      case CommandField.CStoreRq:
        await this.serveStore(message, context);
        return;
      case CommandField.CFindRq:
        await runFind(this, message, context, signal, this.info, this.ctx);
        return;
      case CommandField.CMoveRq:
      case CommandField.CGetRq:
        await runRetrieve(this, message, context, signal, this.info, this.ctx);
        return;
      default:
        await this.respond(message, command.commandField | 0x8000, dimseStatus(0x0211, 'unrecognized operation'));
    }
  }

  private async serveStore(message: DimseMessage, context: NegotiatedContext): Promise<void> {
    const { command } = message;
    const sink = this.sinks.get(`${message.contextId}:${command.messageId ?? 0}`);
    this.sinks.delete(`${message.contextId}:${command.messageId ?? 0}`);
    const extra = { ...(command.affectedSopInstanceUid !== undefined ? { affectedSopInstanceUid: command.affectedSopInstanceUid } : {}) };
    let status: DimseStatus;
    let path: string | undefined;
    if (!sink) {
      status = dimseStatus(Status.SopClassNotSupported, 'no storage handler');
    } else if (sink.error) {
      const space = sink.error.code === 'ENOSPC' || sink.error.code === 'EDQUOT';
      status = dimseStatus(space ? Status.OutOfResources : Status.ProcessingFailure, space ? 'out of disk space' : 'cannot write the instance');
    } else {
      const answer: StoreAnswer = await safeAnswer(() =>
        this.ctx.options.handlers.store!({
          association: this.info,
          sopClassUid: command.affectedSopClassUid ?? '',
          sopInstanceUid: command.affectedSopInstanceUid ?? '',
          transferSyntaxUid: context.transferSyntax,
          size: sink.received,
          save: (target) => sink.save(target),
          file: () => Promise.resolve(sink.path),
          dataset: async () => (await readDicomFile(sink.path, { stopBeforePixelData: true })).dataset,
          ...(command.moveOriginatorAeTitle !== undefined ? { moveOriginator: { aeTitle: command.moveOriginatorAeTitle, messageId: command.moveOriginatorMessageId ?? 0 } } : {}),
        }),
      );
      status = toStatus(typeof answer === 'object' && 'category' in answer ? answer : typeof answer === 'object' ? answer.status : answer);
      if (typeof answer === 'object' && !('category' in answer) && answer.path !== undefined) path = answer.path;
    }
    // Whatever was not saved (a temporary file) goes.
    if (sink) await sink.discard();
    await this.respond(message, CommandField.CStoreRsp, status, extra);
    this.ctx.emit('stored', {
      association: this.info,
      sopClassUid: command.affectedSopClassUid ?? '',
      sopInstanceUid: command.affectedSopInstanceUid ?? '',
      status,
      ...(path !== undefined ? { path } : {}),
    });
  }

  /** Sends a response built by a service module. */
  respondTo(message: DimseMessage, commandField: number, status: DimseStatus, extra: Partial<Command> = {}, dataset?: Buffer): Promise<void> {
    return this.respond(message, commandField, status, extra, dataset);
  }
}

async function safeStatus(run: () => StatusLike | Promise<StatusLike>): Promise<DimseStatus> {
  try {
    return toStatus(await run());
  } catch (error) {
    return dimseStatus(Status.ProcessingFailure, error instanceof Error ? error.message : 'handler failed');
  }
}

async function safeAnswer(run: () => StoreAnswer | Promise<StoreAnswer>): Promise<StoreAnswer> {
  try {
    return await run();
  } catch (error) {
    return dimseStatus(Status.ProcessingFailure, error instanceof Error ? error.message : 'handler failed');
  }
}
