/** A DICOM application entity to connect to. */
export interface Peer {
  readonly host: string;
  readonly port: number;
  /** The Called AE Title; default `ANY-SCP`. */
  readonly aeTitle?: string;
}

/** Timeouts in milliseconds; 0 turns one off. */
export interface Timeouts {
  /** TCP (and TLS) connection. Default 10,000. */
  readonly connect?: number;
  /** Association negotiation and release (ACSE). Default 30,000. */
  readonly association?: number;
  /** Waiting for each DIMSE response. Default 60,000. */
  readonly dimse?: number;
  /** Nothing received on an open association. Default 0 for an SCU (off), 60,000 for an SCP. */
  readonly idle?: number;
}

/** TLS settings (PEM text or Buffers); when given, the connection is made over TLS. */
export interface TlsOptions {
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly ca?: string | Buffer;
  /** Check the peer's certificate against `ca` (default true). */
  readonly rejectUnauthorized?: boolean;
  /** Host name to check in the server certificate (SCU only); default the peer's host. */
  readonly servername?: string;
}

/** A presentation context to propose: an abstract syntax, the transfer syntaxes offered, and optional roles. */
export interface ContextRequest {
  readonly abstractSyntax: string;
  /** Default: Explicit VR Little Endian, Implicit VR Little Endian. */
  readonly transferSyntaxes?: readonly string[];
  /** Propose the SCP role (C-GET storage contexts) and/or SCU role with SCP/SCU Role Selection. */
  readonly role?: { readonly scu: boolean; readonly scp: boolean };
}

/** A presentation context after negotiation. */
export interface NegotiatedContext {
  readonly id: number;
  readonly abstractSyntax: string;
  /** The transfer syntax the acceptor chose (empty when refused). */
  readonly transferSyntax: string;
  /** 0 acceptance; 1 user rejection; 2 no reason; 3 abstract syntax not supported; 4 transfer syntaxes not supported. */
  readonly result: number;
  readonly accepted: boolean;
  /** For a context proposed with roles: whether the acceptor agreed that we act as SCP for it. */
  readonly scpRole?: boolean;
}

/** Options of every SCU call that opens an association. */
export interface AssociateOptions {
  /** Our Calling AE Title; default `DICOMTOOLS`. */
  readonly callingAeTitle?: string;
  /**
   * Largest P-DATA-TF PDU we accept (0 = no limit). Default 1 MiB: incoming data is handed on as views of the
   * socket's reads whatever the PDU size, and larger PDUs spare the sender writes (DCMTK then sends 128 KiB ones).
   */
  readonly maxPduLength?: number;
  readonly timeouts?: Timeouts;
  readonly tls?: TlsOptions;
  readonly signal?: AbortSignal;
}

/** The default Calling AE Title of our SCUs. */
export const DEFAULT_CALLING_AE = 'DICOMTOOLS';
/** The default Called AE Title. */
export const DEFAULT_CALLED_AE = 'ANY-SCP';
/** The default maximum PDU length we accept (1 MiB). */
export const DEFAULT_MAX_PDU = 1024 * 1024;
