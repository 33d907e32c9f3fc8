import type { Dataset } from '@dicom-tools/core';
import type { AssociateOptions, Peer, Timeouts } from './peer.js';
import type { DimseStatus } from './status.js';

/** Who is on the other end of an association an SCP accepted. */
export interface AssociationInfo {
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/** A status code or a full status; handlers may return either. */
export type StatusLike = number | DimseStatus;

/** A C-ECHO request. */
export interface EchoRequest {
  readonly association: AssociationInfo;
}

/** A C-STORE request whose data set has been received completely. */
export interface StoreRequest {
  readonly association: AssociationInfo;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  /** The presentation context's syntax: the syntax of the received bytes, as recorded in the file meta. */
  readonly transferSyntaxUid: string;
  /**
   * Puts the instance at `path` as a complete Part 10 file (our file meta, then the received bytes unchanged): the
   * temporary file it was written to while it arrived (in the incoming folder) is renamed there (same file system:
   * atomic; copied across file systems). Nothing is at `path` before the last byte has been written, so an aborted
   * association leaves no file. Throws the I/O error (ENOSPC...).
   */
  save(path: string): Promise<void>;
  /** The instance as a temporary Part 10 file, for handlers that read it; removed when the handler returns. */
  file(): Promise<string>;
  /** The received data set, read up to Pixel Data. */
  dataset(): Promise<Dataset>;
  /** Bytes of the data set as received. */
  readonly size: number;
  /** For a C-STORE that is a C-MOVE sub-operation: who asked for the move. */
  readonly moveOriginator?: { readonly aeTitle: string; readonly messageId: number };
}

/** What a store handler answers: a status, or a status and where the instance was saved (for the `stored` event). */
export type StoreAnswer = StatusLike | { readonly status: StatusLike; readonly path?: string };

/** A C-FIND request (Query/Retrieve or Modality Worklist). */
export interface FindRequest {
  readonly association: AssociationInfo;
  /** The find SOP class: patient root, study root, or modality worklist. */
  readonly sopClassUid: string;
  readonly identifier: Dataset;
  /** Aborted when the requestor sends C-CANCEL. */
  readonly signal: AbortSignal;
}

/** Matches to send as pending responses; a yielded status ends the operation with that status. */
export type FindAnswer = AsyncIterable<Dataset | DimseStatus> | Iterable<Dataset | DimseStatus>;

/** A C-MOVE or C-GET request. */
export interface RetrieveRequest {
  readonly association: AssociationInfo;
  readonly sopClassUid: string;
  readonly identifier: Dataset;
  /** C-MOVE: the Move Destination AE title; undefined for C-GET. */
  readonly destination?: string;
  /** Aborted when the requestor sends C-CANCEL. */
  readonly signal: AbortSignal;
}

/** The instances to send for a C-MOVE or C-GET, and for a C-MOVE where to send them (undefined: unknown, 0xA801). */
export interface RetrieveAnswer {
  readonly instances: readonly string[];
  readonly destination?: Peer;
}

/** One handler per DIMSE service; a service without a handler is not offered. */
export interface ScpHandlers {
  /** C-ECHO; default: success. */
  readonly echo?: (request: EchoRequest) => StatusLike | Promise<StatusLike>;
  readonly store?: (request: StoreRequest) => StoreAnswer | Promise<StoreAnswer>;
  readonly find?: (request: FindRequest) => FindAnswer | Promise<FindAnswer>;
  readonly move?: (request: RetrieveRequest) => RetrieveAnswer | DimseStatus | Promise<RetrieveAnswer | DimseStatus>;
  readonly get?: (request: RetrieveRequest) => RetrieveAnswer | DimseStatus | Promise<RetrieveAnswer | DimseStatus>;
}

/** Server-side TLS: our certificate and key, and optionally the CA that client certificates must chain to. */
export interface ServerTlsOptions {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly ca?: string | Buffer;
  /** Require a client certificate signed by `ca`. Default false. */
  readonly requestCert?: boolean;
}

/** Options of {@link createScp}. */
export interface ScpOptions {
  /** Our AE title; default `DICOMTOOLS`. */
  readonly aeTitle?: string;
  /** Reject associations whose Called AE Title is not ours. Default false. */
  readonly checkCalledAeTitle?: boolean;
  /** When set, only these Calling AE Titles may associate; others are rejected (calling AE not recognized). */
  readonly allowedCallingAeTitles?: readonly string[];
  readonly handlers: ScpHandlers;
  /** The C-FIND SOP classes the `find` handler answers; default patient and study root Q/R. */
  readonly findSopClasses?: readonly string[];
  /** Transfer syntaxes accepted for storage, in our order of preference; default: every registered syntax, in the requestor's order. */
  readonly storageTransferSyntaxes?: readonly string[];
  /** Where received instances are written while they arrive (default: the OS temp folder). */
  readonly incomingDir?: string;
  /** Largest P-DATA-TF PDU we accept (0 = no limit). Default 1 MiB (`DEFAULT_MAX_PDU`). */
  readonly maxPduLength?: number;
  /** association: waiting for A-ASSOCIATE-RQ (default 30 s); dimse: for responses to our requests; idle: default 60 s. */
  readonly timeouts?: Timeouts;
  readonly tls?: ServerTlsOptions;
  /** Concurrent associations; more are rejected (transient, local limit exceeded). Default 64. */
  readonly maxAssociations?: number;
  /** Options for the associations C-MOVE opens to its destinations (our AE title is the calling AE by default). */
  readonly moveAssociateOptions?: AssociateOptions;
}

/** What a server reports as it works. */
export interface ScpEvents {
  /** An association was accepted. */
  readonly association: AssociationInfo;
  /** An association request was rejected. */
  readonly rejected: AssociationInfo & { readonly reason: string };
  /** An association ended: released, or aborted (`error` says why). */
  readonly closed: AssociationInfo & { readonly error?: Error };
  /** A C-STORE was answered. */
  readonly stored: {
    readonly association: AssociationInfo;
    readonly sopClassUid: string;
    readonly sopInstanceUid: string;
    readonly status: DimseStatus;
    readonly path?: string;
  };
}

/** A running DIMSE server. */
export interface DicomServer {
  /** Starts listening (port 0: any free port); host defaults to 127.0.0.1. Resolves to the bound address. */
  listen(port?: number, host?: string): Promise<{ readonly host: string; readonly port: number }>;
  /** The bound port (after `listen`). */
  readonly port: number;
  /** Associations open now. */
  readonly openAssociations: number;
  /** Stops listening and closes open associations: waits `graceMs` (default 2,000) for them to finish, then aborts them. */
  close(options?: { readonly graceMs?: number }): Promise<void>;
  on<E extends keyof ScpEvents>(event: E, listener: (payload: ScpEvents[E]) => void): DicomServer;
  off<E extends keyof ScpEvents>(event: E, listener: (payload: ScpEvents[E]) => void): DicomServer;
}
