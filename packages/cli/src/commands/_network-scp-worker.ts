// The worker-thread entry of `dicom-tools storage-scp` (see _network-scp-thread.ts): runs the storage SCP in a
// thread started with a small young generation and relays the server's events to the main thread, which prints
// them. Loaded only as a worker (it does nothing unless started with the workerData below).
import { parentPort, workerData } from 'node:worker_threads';
import { isDicomError } from '@dicom-tools/core';
import { createStorageScp, type DicomServer, type ScpEvents, type StorageScpOptions } from '@dicom-tools/network';

/** What the main thread sends: start listening, or close. */
export type ScpThreadRequest =
  | { readonly type: 'listen'; readonly port: number; readonly host: string }
  | { readonly type: 'close'; readonly graceMs: number };

/** What the worker sends back. */
export type ScpThreadReply =
  | { readonly type: 'listening'; readonly host: string; readonly port: number }
  | { readonly type: 'failed'; readonly code: string | undefined; readonly message: string }
  | { readonly type: 'event'; readonly event: keyof ScpEvents; readonly payload: unknown }
  | { readonly type: 'closed' };

/** The workerData of a storage SCP thread. */
export interface ScpThreadData {
  readonly kind: 'dicom-tools-storage-scp';
  readonly options: StorageScpOptions;
}

const EVENTS: ReadonlyArray<keyof ScpEvents> = ['association', 'rejected', 'closed', 'stored'];

function relay(server: DicomServer, port: NonNullable<typeof parentPort>): void {
  const send = (reply: ScpThreadReply): void => port.postMessage(reply);
  for (const event of EVENTS) {
    server.on(event, (payload: ScpEvents[typeof event]) => {
      // An Error does not cross threads with its code: send its code and message.
      const error = (payload as { error?: unknown }).error;
      const plain = error instanceof Error ? { ...payload, error: { code: isDicomError(error) ? error.code : undefined, message: error.message } } : payload;
      send({ type: 'event', event, payload: plain });
    });
  }
  port.on('message', (request: ScpThreadRequest) => {
    if (request.type === 'listen') {
      server.listen(request.port, request.host).then(
        (address) => send({ type: 'listening', host: address.host, port: address.port }),
        (error: unknown) => send({ type: 'failed', code: isDicomError(error) ? error.code : undefined, message: error instanceof Error ? error.message : String(error) }),
      );
      return;
    }
    void server.close({ graceMs: request.graceMs }).finally(() => {
      send({ type: 'closed' });
      port.close();
    });
  });
}

const data = workerData as Partial<ScpThreadData> | undefined;
if (parentPort && data?.kind === 'dicom-tools-storage-scp' && data.options) relay(createStorageScp(data.options), parentPort);
