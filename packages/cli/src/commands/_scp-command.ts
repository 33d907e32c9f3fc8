import { readFileSync } from 'node:fs';
import type { DicomServer, ScpEvents, ServerTlsOptions, Timeouts } from '@dicom-tools/network';
import type { CommandContext, CommonOptions } from '../context.js';
import { ExitCodes } from '../exit-codes.js';
import { UsageError } from '../_usage-error.js';
import { portOf } from './_network-flags.js';
import { statusText } from './_network-output.js';

/** Flags every SCP command takes. */
export interface ScpFlags extends CommonOptions {
  readonly port?: string;
  /** Address to listen on; default 127.0.0.1. */
  readonly bind?: string;
  readonly aet?: string;
  /** Calling AE titles allowed (repeatable); default any. */
  readonly allow?: readonly string[];
  readonly maxPdu?: string;
  /** Seconds. */
  readonly idleTimeout?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
}

function pem(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${path}: ${(error as Error).message}`);
  }
}

/** SCP options shared by the server commands. */
export function scpSettings(flags: ScpFlags): { aeTitle: string; allowedCallingAeTitles?: readonly string[]; maxPduLength?: number; timeouts?: Timeouts; tls?: ServerTlsOptions } {
  if ((flags.cert === undefined) !== (flags.key === undefined)) throw new UsageError('--cert and --key go together (TLS)');
  const idle = flags.idleTimeout !== undefined ? Number(flags.idleTimeout) : undefined;
  if (idle !== undefined && (!Number.isFinite(idle) || idle < 0)) throw new UsageError(`--idle-timeout takes seconds, not "${flags.idleTimeout}"`);
  const max = flags.maxPdu !== undefined ? Number(flags.maxPdu) : undefined;
  if (max !== undefined && (!Number.isInteger(max) || max < 0 || (max > 0 && max < 4096))) throw new UsageError(`--max-pdu takes 0 (no limit) or a number of bytes >= 4096, not "${flags.maxPdu}"`);
  return {
    aeTitle: flags.aet ?? 'DICOMTOOLS',
    ...(flags.allow !== undefined && flags.allow.length > 0 ? { allowedCallingAeTitles: flags.allow.flatMap((a) => a.split(',')) } : {}),
    ...(max !== undefined ? { maxPduLength: max } : {}),
    ...(idle !== undefined ? { timeouts: { idle: Math.round(idle * 1000) } } : {}),
    ...(flags.cert !== undefined && flags.key !== undefined
      ? { tls: { cert: pem(flags.cert, '--cert'), key: pem(flags.key, '--key'), ...(flags.ca !== undefined ? { ca: pem(flags.ca, '--ca'), requestCert: true } : {}) } }
      : {}),
  };
}

/**
 * Runs a server until the command's signal aborts (Ctrl-C; SIGTERM in bin.ts): prints where it listens and,
 * unless --quiet, one line (or NDJSON object) per association and stored instance; then closes listeners and
 * open associations.
 */
export async function serve(server: DicomServer, flags: ScpFlags, context: CommandContext, what: string): Promise<number> {
  const json = flags.json === true;
  const say = (event: object, text: string): void => {
    if (flags.quiet === true) return;
    context.io.stdout(json ? `${JSON.stringify(event)}\n` : `${text}\n`);
  };
  const onStored = (e: ScpEvents['stored']): void => say(
    { event: 'stored', callingAETitle: e.association.callingAeTitle, sopInstanceUID: e.sopInstanceUid, sopClassUID: e.sopClassUid, status: e.status.status, category: e.status.category, path: e.path },
    `${e.association.callingAeTitle}: ${e.path ?? e.sopInstanceUid} ${statusText(e.status)}`,
  );
  server.on('stored', onStored);
  server.on('association', (e) => say({ event: 'association', callingAETitle: e.callingAeTitle, calledAETitle: e.calledAeTitle, remoteAddress: e.remoteAddress }, `association from ${e.callingAeTitle}@${e.remoteAddress}`));
  server.on('rejected', (e) => say({ event: 'rejected', callingAETitle: e.callingAeTitle, reason: e.reason }, `rejected ${e.callingAeTitle}@${e.remoteAddress}: ${e.reason}`));
  let address: { readonly host: string; readonly port: number };
  try {
    address = await server.listen(portOf(flags.port, '--port', 104, true), flags.bind ?? '127.0.0.1');
  } catch (error) {
    // A bad --port or a port that cannot be had: the server (and the thread it may run in) is let go, so the
    // process can exit with the error instead of waiting on it.
    await server.close({ graceMs: 0 }).catch(() => undefined);
    throw error;
  }
  // Always printed (also with --quiet): with --port 0 it is the only way to learn the port.
  context.io.stdout(json ? `${JSON.stringify({ event: 'listening', host: address.host, port: address.port })}\n` : `${what} listening on ${address.host}:${address.port}\n`);
  await new Promise<void>((resolve) => {
    if (context.signal.aborted) resolve();
    else context.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.close({ graceMs: 1000 });
  if (!json && flags.quiet !== true) context.io.stderr(`${what} stopped\n`);
  return ExitCodes.interrupted;
}
