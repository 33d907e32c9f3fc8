// `dicom-tools storage-scp` runs its server in a worker thread whose young generation is small (2 MiB). Node hands
// every socket read to JavaScript as a fresh 64 KiB buffer, and the server keeps none of them for long; with a
// small young generation they are freed by cheap young collections instead of piling up until full collections
// (measured: the SCP's user CPU about halved, 0.8x -> 0.9x storescp's rate). The main thread keeps the signals
// and the printing; this module gives it a DicomServer that forwards to the thread.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DicomError, ErrorCodes, type ErrorCode } from '@dicom-tools/core';
import type { DicomServer, ScpEvents, StorageScpOptions } from '@dicom-tools/network';
import type { ScpThreadData, ScpThreadReply, ScpThreadRequest } from './_network-scp-worker.js';
import { workerModuleBesideProgram } from '../_worker-module.js';

/** Young generation of the server thread, in MiB. */
const YOUNG_GENERATION_MB = 2;

/** The file URL of the worker entry beside the running program (bin.js, symlinks resolved), if it is there. */
function workerEntry(): Promise<URL | undefined> {
  return workerModuleBesideProgram(join('commands', '_network-scp-worker.js'));
}

function errorOf(code: string | undefined, message: string): DicomError {
  return new DicomError(code !== undefined && code in ErrorCodes ? (code as ErrorCode) : 'NET_LISTEN_FAILED', message);
}

/**
 * A storage SCP running in a worker thread, or undefined when the worker entry is not beside the program (run
 * from sources): the caller then runs the server in this thread.
 */
export async function storageScpInThread(options: StorageScpOptions): Promise<DicomServer | undefined> {
  const entry = await workerEntry();
  if (entry === undefined) return undefined;
  const data: ScpThreadData = { kind: 'dicom-tools-storage-scp', options };
  const worker = new Worker(entry, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
  const events = new EventEmitter();
  let port = 0;
  let open = 0;
  let waiting: ((reply: ScpThreadReply) => void) | undefined;
  let gone = false;
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      gone = true;
      resolve();
    }),
  );
  // A fault inside the thread is a fault of this program: raised here as it would have been in one thread.
  worker.on('error', (error) => {
    throw error;
  });
  worker.on('message', (reply: ScpThreadReply) => {
    if (reply.type !== 'event') {
      const w = waiting;
      waiting = undefined;
      w?.(reply);
      return;
    }
    const payload = reply.payload as { error?: { code?: string; message: string } };
    if (reply.event === 'association') open++;
    if (reply.event === 'closed') open = Math.max(0, open - 1);
    events.emit(reply.event, payload.error ? { ...payload, error: errorOf(payload.error.code, payload.error.message) } : payload);
  });
  const ask = (request: ScpThreadRequest): Promise<ScpThreadReply> =>
    new Promise((resolve) => {
      waiting = resolve;
      worker.postMessage(request);
    });
  const server: DicomServer = {
    get port() {
      return port;
    },
    get openAssociations() {
      return open;
    },
    async listen(requestedPort = 0, host = '127.0.0.1') {
      const reply = await ask({ type: 'listen', port: requestedPort, host });
      if (reply.type === 'failed') {
        await worker.terminate();
        gone = true;
        throw errorOf(reply.code, reply.message);
      }
      if (reply.type !== 'listening') throw new DicomError('NET_LISTEN_FAILED', 'the server thread did not start');
      port = reply.port;
      return { host: reply.host, port: reply.port };
    },
    async close(closeOptions = {}) {
      // A thread already gone (it could not listen) has nothing to close, and would never answer.
      if (!gone) await ask({ type: 'close', graceMs: closeOptions.graceMs ?? 2000 });
      await exited;
    },
    on<E extends keyof ScpEvents>(event: E, listener: (payload: ScpEvents[E]) => void) {
      events.on(event, listener);
      return server;
    },
    off<E extends keyof ScpEvents>(event: E, listener: (payload: ScpEvents[E]) => void) {
      events.off(event, listener);
      return server;
    },
  };
  return server;
}
