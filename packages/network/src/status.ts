/** What a DIMSE status code means, by PS3.7 Annex C: the one thing a caller branches on. */
export type StatusCategory = 'success' | 'pending' | 'cancel' | 'warning' | 'failure';

/** A DIMSE status as data: the code, its category, and the peer's comment when it sent one. */
export interface DimseStatus {
  /** The Status (0000,0900) value, e.g. 0x0000, 0xFF00, 0xA700. */
  readonly status: number;
  readonly category: StatusCategory;
  /** Error Comment (0000,0902), if the peer sent one. */
  readonly comment?: string;
}

/** Status codes this package sends or checks for by name (PS3.4 and PS3.7 Annex C). */
export const Status = {
  Success: 0x0000,
  Pending: 0xff00,
  PendingWarning: 0xff01,
  Cancel: 0xfe00,
  /** Storage: coercion of data elements. */
  CoercionOfDataElements: 0xb000,
  /** Retrieve: one or more sub-operations failed or had warnings. */
  SubOperationsCompleteWithFailures: 0xb000,
  /** Storage: refused, out of resources. */
  OutOfResources: 0xa700,
  /** Q/R: refused, out of resources (unable to calculate number of matches). */
  OutOfResourcesMatches: 0xa701,
  /** Q/R: refused, out of resources (unable to perform sub-operations). */
  OutOfResourcesSubOperations: 0xa702,
  /** Move: destination unknown. */
  MoveDestinationUnknown: 0xa801,
  /** Data set does not match SOP class. */
  DataSetDoesNotMatchSopClass: 0xa900,
  /** Identifier does not match SOP class. */
  IdentifierDoesNotMatchSopClass: 0xa900,
  /** Cannot understand / unable to process. */
  UnableToProcess: 0xc000,
  /** Refused: SOP class not supported. */
  SopClassNotSupported: 0x0122,
  /** Refused: not authorized. */
  NotAuthorized: 0x0124,
  /** Duplicate SOP instance (a warning for storage, per PS3.7 C.4.4). */
  DuplicateSopInstance: 0x0111,
  /** Invalid argument value. */
  InvalidArgumentValue: 0x0115,
  /** Processing failure. */
  ProcessingFailure: 0x0110,
} as const;

/** The category of a DIMSE status code (PS3.7 C). */
export function statusCategory(status: number): StatusCategory {
  if (status === 0x0000) return 'success';
  if (status === 0xff00 || status === 0xff01) return 'pending';
  if (status === 0xfe00) return 'cancel';
  if (status === 0x0001 || status === 0x0107 || status === 0x0116 || (status >= 0xb000 && status <= 0xbfff)) return 'warning';
  return 'failure';
}

/** A status as data: `{ status, category }`, with the comment when there is one. */
export function dimseStatus(status: number, comment?: string): DimseStatus {
  return comment !== undefined && comment !== '' ? { status, category: statusCategory(status), comment } : { status, category: statusCategory(status) };
}
