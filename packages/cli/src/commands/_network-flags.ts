import { readFileSync } from 'node:fs';
import { parseQueryLevel, type AssociateOptions, type Peer, type QueryKeys } from '@dicom-tools/network';
import type { CommonOptions } from '../context.js';
import { UsageError } from '../_usage-error.js';

/** Flags every SCU command takes. */
export interface ScuFlags extends CommonOptions {
  readonly host?: string;
  readonly port?: string;
  /** Our calling AE title. */
  readonly aet?: string;
  readonly calledAet?: string;
  /** Seconds. */
  readonly connectTimeout?: string;
  readonly associationTimeout?: string;
  readonly dimseTimeout?: string;
  readonly idleTimeout?: string;
  readonly maxPdu?: string;
  readonly tls?: boolean;
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
}

/** Flags of the query commands (find, move, get, worklist). */
export interface QueryFlags extends ScuFlags {
  readonly query?: string;
  /** `-k Key=Value` (`--query-key`), repeatable. */
  readonly queryKey?: readonly string[];
  readonly level?: string;
  readonly model?: string;
}

function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} takes a number of seconds (0 = no limit), not "${value}"`);
  return Math.round(n * 1000);
}

/** A TCP port (0 allowed where `allowZero`). */
export function portOf(value: string | undefined, flag: string, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65535) throw new UsageError(`${flag} takes a port number, not "${value}"`);
  return n;
}

function readPem(path: string | undefined, flag: string): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${path}: ${(error as Error).message}`);
  }
}

/** The peer and association options the SCU flags describe. */
export function scuSettings(flags: ScuFlags, signal: AbortSignal): { peer: Peer; options: AssociateOptions } {
  const peer: Peer = { host: flags.host ?? '127.0.0.1', port: portOf(flags.port, '--port', 104), aeTitle: flags.calledAet ?? 'ANY-SCP' };
  const timeouts = {
    ...(flags.connectTimeout !== undefined ? { connect: seconds(flags.connectTimeout, '--connect-timeout')! } : {}),
    ...(flags.associationTimeout !== undefined ? { association: seconds(flags.associationTimeout, '--association-timeout')! } : {}),
    ...(flags.dimseTimeout !== undefined ? { dimse: seconds(flags.dimseTimeout, '--dimse-timeout')! } : {}),
    ...(flags.idleTimeout !== undefined ? { idle: seconds(flags.idleTimeout, '--idle-timeout')! } : {}),
  };
  const maxPdu = flags.maxPdu !== undefined ? Number(flags.maxPdu) : undefined;
  if (maxPdu !== undefined && (!Number.isInteger(maxPdu) || maxPdu < 0 || (maxPdu > 0 && maxPdu < 4096))) throw new UsageError(`--max-pdu takes 0 (no limit) or a number of bytes >= 4096, not "${flags.maxPdu}"`);
  const tlsWanted = flags.tls === true || flags.cert !== undefined || flags.ca !== undefined;
  const cert = readPem(flags.cert, '--cert');
  const key = readPem(flags.key, '--key');
  const ca = readPem(flags.ca, '--ca');
  return {
    peer,
    options: {
      callingAeTitle: flags.aet ?? 'DICOMTOOLS',
      timeouts,
      signal,
      ...(maxPdu !== undefined ? { maxPduLength: maxPdu } : {}),
      ...(tlsWanted ? { tls: { ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(ca ? { ca } : {}) } } : {}),
    },
  };
}

/** Query keys from `--query JSON|@file` and `-k Key=Value` (the `-k` keys win). */
export function queryKeys(flags: QueryFlags): Record<string, string> {
  const keys: Record<string, string> = {};
  if (flags.query !== undefined) {
    const text = flags.query.startsWith('@') ? readText(flags.query.slice(1)) : flags.query;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`--query is not JSON: ${(error as Error).message}`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError('--query takes a JSON object of keyword: value (use "" to ask for a value)');
    for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
      if (v !== null && typeof v !== 'string' && typeof v !== 'number') throw new UsageError(`--query: the value of ${k} must be a string or a number`);
      keys[k] = v === null ? '' : String(v);
    }
  }
  for (const entry of flags.queryKey ?? []) {
    const eq = entry.indexOf('=');
    keys[eq < 0 ? entry : entry.slice(0, eq)] = eq < 0 ? '' : entry.slice(eq + 1);
  }
  return keys;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--query: cannot read ${path}: ${(error as Error).message}`);
  }
}

/** Keys as the network library takes them. */
export function asQueryKeys(keys: Record<string, string>): QueryKeys {
  return keys;
}

/** The `--level` flag of a query or retrieve command, required; a usage error when absent or not a level. */
export function queryLevelOf(flags: { readonly level?: string | undefined }): ReturnType<typeof parseQueryLevel> {
  if (flags.level === undefined) throw new UsageError('--level is required (patient, study, series or image)');
  try {
    return parseQueryLevel(flags.level);
  } catch {
    throw new UsageError(`--level takes patient, study, series or image, not "${flags.level}"`);
  }
}
