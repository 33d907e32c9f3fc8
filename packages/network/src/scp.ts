import { EventEmitter } from 'node:events';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { createServer as createTlsServer } from 'node:tls';
import { DicomError } from '@dicom-tools/core';
import { ScpAssociation, type ScpContext } from './_scp-association.js';
import type { DicomServer, ScpEvents, ScpOptions } from './scp-types.js';

/**
 * Creates a DIMSE server (SCP) with one handler per service: C-ECHO, C-STORE (instances arrive streamed to a
 * file), C-FIND, C-MOVE, C-GET. Services without a handler are refused at negotiation. Nothing listens until
 * `listen()`, which binds 127.0.0.1 unless told otherwise. Sockets have Nagle off (TCP_NODELAY).
 */
export function createScp(options: ScpOptions): DicomServer {
  const emitter = new EventEmitter();
  const open = new Set<ScpAssociation>();
  const aeTitle = options.aeTitle ?? 'DICOMTOOLS';
  const max = options.maxAssociations ?? 64;
  const ctx: ScpContext = {
    options,
    aeTitle,
    incomingDir: options.incomingDir ?? tmpdir(),
    emit: (event, payload) => void emitter.emit(event, payload),
    admit: () => [...open].filter((a) => a.isOpen).length < max,
  };
  const onSocket = (socket: Socket): void => {
    socket.setNoDelay(true);
    const association = new ScpAssociation(socket, ctx);
    open.add(association);
    void association.closed.then(() => open.delete(association));
  };
  const tls = options.tls;
  const server: Server = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key, ...(tls.ca !== undefined ? { ca: tls.ca } : {}), requestCert: tls.requestCert === true, rejectUnauthorized: tls.requestCert === true }, onSocket)
    : createNetServer(onSocket);
  let port = 0;
  const api: DicomServer = {
    get port() {
      return port;
    },
    get openAssociations() {
      return open.size;
    },
    listen(requestedPort = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        const onError = (error: Error): void => {
          reject(new DicomError('NET_LISTEN_FAILED', `cannot listen on ${host}:${requestedPort}: ${error.message}`, { cause: error }));
        };
        server.once('error', onError);
        server.listen(requestedPort, host, () => {
          server.off('error', onError);
          const address = server.address();
          port = typeof address === 'object' && address !== null ? address.port : requestedPort;
          resolve({ host, port });
        });
      });
    },
    async close(closeOptions = {}) {
      const closing = new Promise<void>((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
      });
      const grace = closeOptions.graceMs ?? 2000;
      const all = Promise.all([...open].map((a) => a.closed));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise<void>((resolve) => {
        timer = setTimeout(resolve, grace);
      })]);
      clearTimeout(timer);
      for (const a of open) a.abort();
      await Promise.all([...open].map((a) => a.closed));
      await closing;
    },
    on<E extends keyof ScpEvents>(event: E, listener: (payload: ScpEvents[E]) => void) {
      emitter.on(event, listener);
      return api;
    },
    off<E extends keyof ScpEvents>(event: E, listener: (payload: ScpEvents[E]) => void) {
      emitter.off(event, listener);
      return api;
    },
  };
  return api;
}
