export { associate } from './association.js';
export type { Association } from './association.js';
export { echo } from './echo.js';
export type { EchoResult } from './echo.js';
export type { Target } from './_target.js';
export { DEFAULT_CALLED_AE, DEFAULT_CALLING_AE, DEFAULT_MAX_PDU } from './peer.js';
export type { AssociateOptions, ContextRequest, NegotiatedContext, Peer, Timeouts, TlsOptions } from './peer.js';
export { SopClass, NATIVE_TRANSFER_SYNTAXES, COMMON_STORAGE_SOP_CLASSES } from './sop-classes.js';
export { Status, statusCategory, dimseStatus } from './status.js';
export type { DimseStatus, StatusCategory } from './status.js';
export { store, storeOne, storageContexts } from './store.js';
export type { StoreOptions, StoreReport, StoreResult, TranscodeFunction } from './store.js';
export { createScp } from './scp.js';
export type {
  AssociationInfo, DicomServer, EchoRequest, FindAnswer, FindRequest, RetrieveAnswer, RetrieveRequest, ScpEvents, ScpHandlers, ScpOptions,
  ServerTlsOptions, StatusLike, StoreAnswer, StoreRequest,
} from './scp-types.js';
export { createStorageScp, isSafeUid } from './storage-scp.js';
export type { StorageScpOptions } from './storage-scp.js';
export { find } from './find.js';
export type { FindOptions, FindResponse } from './find.js';
export { move, get, getContexts } from './retrieve.js';
export type { GetOptions, GetResult, MoveOptions, ReceivedInstance, RetrieveProgress, RetrieveResult } from './retrieve.js';
export { queryIdentifier, parseQueryLevel, modelSopClasses, identifierOf } from './query.js';
export type { Query, QueryKeys, QueryLevel, QueryModel } from './query.js';
export { createQueryRetrieveScp } from './qr-scp.js';
export type { QueryRetrieveScpOptions, QueryRetrieveServer } from './qr-scp.js';
export { worklist, createWorklistScp, loadWorklist } from './worklist.js';
export type { WorklistScpOptions } from './worklist.js';
