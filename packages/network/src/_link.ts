import type { Socket } from 'node:net';
import { DicomError } from '@dicom-tools/core';
import { decodeCommand, encodeCommand, type Command } from './_command.js';
import { decodePdu, encodeAbort, encodeRelease, pdataHeader, PduType, writePdataHeader, type Pdu } from './_pdu.js';
import { createPduReader, type PduEvent } from './_pdu-reader.js';

/** Where the data set of an incoming message goes while it arrives. */
export interface DatasetSink {
  /** Takes the next fragment; resolves when the sink can take more (backpressure). */
  write(chunk: Buffer): Promise<void> | void;
  /** The data set is complete. */
  end(): Promise<void> | void;
  /** The message will not complete (association aborted or closed): clean up. */
  discard(): Promise<void> | void;
}

/** A complete DIMSE message: its command, and the data set bytes when a memory sink received them. */
export interface DimseMessage {
  readonly contextId: number;
  readonly command: Command;
  /** The data set bytes when no custom sink was chosen for this message. */
  readonly data?: Buffer;
}

/** What a link tells its owner. */
export interface LinkHandlers {
  /** A PDU other than P-DATA (association negotiation, release, abort). */
  onControl(pdu: Pdu): void;
  /** A command arrived whose data set follows: return a sink to stream it, or undefined to buffer it in memory. */
  sinkFor(command: Command, contextId: number): DatasetSink | undefined;
  /** A complete message. */
  onMessage(message: DimseMessage): void;
  /** The connection is gone; `error` says why when it was not an orderly close. */
  onClose(error: DicomError | undefined): void;
}

/** The largest PDU we accept from a peer, whatever it declares: guards memory against a hostile length. */
const HARD_PDU_LIMIT = 64 * 1024 * 1024;

/** One upper-layer connection: frames PDUs, assembles DIMSE messages, fragments outgoing ones. */
export class Link {
  /** The peer's maximum P-DATA-TF length (0 = unlimited): outgoing PDVs are cut to fit it. */
  peerMaxPdu = 16384;
  private readonly reader = createPduReader(HARD_PDU_LIMIT);
  private commandChunks: Buffer[] = [];
  private current: { contextId: number; command: Command; sink: DatasetSink | undefined; chunks: Buffer[] } | undefined;
  private readonly pending: PduEvent[] = [];
  private pumping = false;
  /** A message whose data set has ended in a sink still closing: delivered once the sink is done. */
  private ending: { contextId: number; command: Command } | undefined;
  private closed = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private idleMs = 0;
  private lastData = 0;

  constructor(readonly socket: Socket, private readonly handlers: LinkHandlers) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(new DicomError('NET_ASSOCIATION_ABORTED', `connection error: ${error.message}`, { cause: error })));
    socket.on('close', () => this.fail(undefined));
  }

  /** Aborts the link when nothing arrives for `ms` milliseconds (0 turns it off). */
  setIdleTimeout(ms: number): void {
    this.idleMs = ms;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.lastData = performance.now();
    this.armIdle(ms);
  }

  /** One timer for the idle timeout, re-armed when it fires after data came (not on every socket read). */
  private armIdle(ms: number): void {
    if (this.idleMs <= 0 || this.closed) return;
    this.idleTimer = setTimeout(() => {
      const quiet = performance.now() - this.lastData;
      if (quiet < this.idleMs) {
        this.armIdle(this.idleMs - quiet);
        return;
      }
      this.abort();
      this.fail(new DicomError('NET_TIMEOUT', `no data from the peer for ${this.idleMs} ms (idle timeout)`));
    }, Math.max(1, Math.ceil(ms)));
    this.idleTimer.unref();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.lastData = performance.now();
    try {
      for (const event of this.reader.push(chunk)) this.pending.push(event);
    } catch (error) {
      this.abort(2, 0);
      this.fail(error as DicomError);
      return;
    }
    if (!this.pumping) this.pump();
  }

  /**
   * Handles queued events in order, synchronously while nothing has to wait; when a sink asks to wait (a file
   * write behind, or closing the file), the socket is paused until it catches up.
   */
  private pump(): void {
    this.pumping = true;
    try {
      while (!this.closed) {
        if (this.ending) {
          // A data set just ended in a sink that has now been closed: deliver the message.
          const done = this.ending;
          this.ending = undefined;
          this.handlers.onMessage(done);
          continue;
        }
        const next = this.pending.shift();
        if (next === undefined) break;
        const step = next.kind === 'control' ? void this.handlers.onControl(decodePdu(next.type, next.body)) : this.onPiece(next);
        if (step === undefined) continue;
        this.socket.pause();
        step.then(
          () => {
            if (this.closed) return;
            this.socket.resume();
            this.pump();
          },
          (error: unknown) => this.crash(error),
        );
        return;
      }
    } catch (error) {
      this.crash(error);
      return;
    }
    this.pumping = false;
  }

  private crash(error: unknown): void {
    this.pumping = false;
    this.abort(2, 0);
    this.fail(error instanceof DicomError ? error : new DicomError('NET_PROTOCOL', `cannot handle a PDU: ${(error as Error).message}`, { cause: error }));
  }

  /** Handles a piece of PDV data; returns a promise when it has to wait for a sink. */
  private onPiece(pdv: Extract<PduEvent, { kind: 'pdv' }>): Promise<void> | undefined {
    if (pdv.command) {
      if (this.current) throw new DicomError('NET_PROTOCOL', 'a command fragment arrived inside a data set');
      this.commandChunks.push(pdv.data);
      if (!pdv.last) return undefined;
      const command = decodeCommand(this.commandChunks.length === 1 ? this.commandChunks[0]! : Buffer.concat(this.commandChunks));
      this.commandChunks = [];
      if (!command.hasDataset) {
        this.handlers.onMessage({ contextId: pdv.contextId, command });
        return undefined;
      }
      this.current = { contextId: pdv.contextId, command, sink: this.handlers.sinkFor(command, pdv.contextId), chunks: [] };
      return undefined;
    }
    const current = this.current;
    if (!current) throw new DicomError('NET_PROTOCOL', 'a data set fragment arrived without a command');
    const wrote = current.sink ? current.sink.write(pdv.data) : void current.chunks.push(pdv.data);
    if (!pdv.last) return wrote instanceof Promise ? wrote : undefined;
    this.current = undefined;
    const { contextId, command, sink } = current;
    if (!sink) {
      this.handlers.onMessage({ contextId, command, data: current.chunks.length === 1 ? current.chunks[0]! : Buffer.concat(current.chunks) });
      return undefined;
    }
    if (wrote instanceof Promise) {
      this.ending = { contextId, command };
      return wrote.then(() => sink.end());
    }
    const ended = sink.end();
    if (ended instanceof Promise) {
      this.ending = { contextId, command };
      return ended;
    }
    this.handlers.onMessage({ contextId, command });
    return undefined;
  }

  /** Writes raw PDU bytes. */
  writePdu(bytes: Buffer): void {
    if (!this.closed && this.socket.writable) this.socket.write(bytes);
  }

  private async flowed(ok: boolean): Promise<void> {
    if (ok || this.closed) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  private maxFragment(): number {
    // Fragments of even length: DCMTK refuses odd ones.
    return this.peerMaxPdu === 0 ? 1024 * 1024 : Math.max((this.peerMaxPdu - 6) & ~1, 2);
  }

  /**
   * Sends bytes as P-DATA-TF PDUs of one context, cut to the peer's maximum, corked into one write. The bytes are
   * in memory already, so the socket may buffer all of them; it is let drain once they are handed over.
   */
  private async sendFragments(contextId: number, command: boolean, data: Buffer, last: boolean): Promise<void> {
    this.checkOpen();
    const max = this.maxFragment();
    if (data.length === 0) {
      if (last) await this.flowed(this.socket.write(pdataHeader(contextId, command, true, 0)));
      return;
    }
    // One buffer holds the 12-byte headers of all the PDUs; the data goes out as views of `data` (no copy),
    // corked into one writev.
    const count = Math.ceil(data.length / max);
    const heads = Buffer.allocUnsafe(12 * count);
    // The end of a data set: wait until its last bytes are handed to the kernel, so that the caller may reuse
    // the buffer they came from as soon as this resolves, whenever the peer answers.
    let handedOver: Promise<void> | undefined;
    this.socket.cork();
    for (let i = 0, at = 0; i < count; i++, at += max) {
      const end = Math.min(at + max, data.length);
      const head = heads.subarray(12 * i, 12 * i + 12);
      writePdataHeader(head, contextId, command, last && end === data.length, end - at);
      this.socket.write(head);
      if (!command && last && end === data.length) {
        const chunk = data.subarray(at, end);
        handedOver = new Promise<void>((resolve) => this.socket.write(chunk, () => resolve()));
      } else this.socket.write(data.subarray(at, end));
    }
    this.socket.uncork();
    await this.flowed(!this.socket.writableNeedDrain);
    if (handedOver) await handedOver;
  }

  private checkOpen(): void {
    if (this.closed) throw new DicomError('NET_ASSOCIATION_ABORTED', 'the connection closed while sending');
  }

  /**
   * Sends a DIMSE message: the command, then the data set if any, given as bytes or as a stream of chunks
   * (a file read as it goes). Chunks are regrouped into fragments of the peer's maximum PDU size.
   */
  async send(contextId: number, command: Command, dataset?: Buffer | AsyncIterable<Buffer>): Promise<void> {
    this.checkOpen();
    await this.sendFragments(contextId, true, encodeCommand(command), true);
    if (dataset === undefined) return;
    if (Buffer.isBuffer(dataset)) {
      await this.sendFragments(contextId, false, dataset.length % 2 === 1 ? Buffer.concat([dataset, Buffer.alloc(1)]) : dataset, true);
      return;
    }
    const max = this.maxFragment();
    let held: Buffer[] = [];
    let heldLength = 0;
    let total = 0;
    for await (const chunk of dataset) {
      held.push(chunk);
      heldLength += chunk.length;
      total += chunk.length;
      if (heldLength <= max) continue;
      const all = held.length === 1 ? held[0]! : Buffer.concat(held, heldLength);
      const whole = Math.floor(all.length / max) * max;
      const keep = whole === all.length ? max : all.length - whole;
      await this.sendFragments(contextId, false, all.subarray(0, all.length - keep), false);
      held = [all.subarray(all.length - keep)];
      heldLength = keep;
    }
    // A data set of odd length (a deflated one, PS3.5 A.5) is padded with one zero byte.
    if (total % 2 === 1) held.push(Buffer.alloc(1));
    await this.sendFragments(contextId, false, held.length === 1 ? held[0]! : Buffer.concat(held), true);
  }

  /** Sends A-RELEASE-RQ or -RP. */
  sendRelease(type: typeof PduType.ReleaseRq | typeof PduType.ReleaseRp): void {
    this.writePdu(encodeRelease(type));
  }

  /** Sends A-ABORT (source 0 = service user, 2 = provider) and closes the connection. */
  abort(source = 0, reason = 0): void {
    if (this.closed) return;
    if (this.socket.writable) this.socket.end(encodeAbort(source, reason));
    setTimeout(() => this.socket.destroy(), 200).unref();
  }

  /** Closes the connection after everything written has gone out. */
  end(): void {
    if (!this.closed) this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** Marks the link closed (once) and tells the owner; discards a half-received data set. */
  fail(error: DicomError | undefined): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const current = this.current;
    this.current = undefined;
    if (current?.sink) void Promise.resolve(current.sink.discard()).catch(() => undefined);
    this.socket.destroy();
    this.handlers.onClose(error);
  }
}
