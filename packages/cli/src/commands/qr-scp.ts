import { readFileSync } from 'node:fs';
import { createQueryRetrieveScp } from '@dicom-tools/network';
import type { CommandContext } from '../context.js';
import { UsageError } from '../_usage-error.js';
import { scpSettings, serve, type ScpFlags } from './_scp-command.js';

/** Flags of `dicom-tools qr-scp`. */
export interface QrScpCommandOptions extends ScpFlags {
  readonly storage?: string;
  /** `AET=host:port`, repeatable: C-MOVE destinations. */
  readonly moveDest?: readonly string[];
  /** JSON file `{ "AET": { "host": ..., "port": ... } }`. */
  readonly aeTable?: string;
}

/** The C-MOVE destinations from --ae-table and --move-dest. */
function aeTable(flags: QrScpCommandOptions): Record<string, { host: string; port: number }> {
  const table: Record<string, { host: string; port: number }> = {};
  if (flags.aeTable !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(flags.aeTable, 'utf8'));
    } catch (error) {
      throw new UsageError(`--ae-table: cannot read ${flags.aeTable}: ${(error as Error).message}`);
    }
    for (const [aet, entry] of Object.entries(json as Record<string, { host?: unknown; port?: unknown }>)) {
      if (typeof entry?.host !== 'string' || typeof entry.port !== 'number') throw new UsageError(`--ae-table: ${aet} needs "host" and "port"`);
      table[aet] = { host: entry.host, port: entry.port };
    }
  }
  for (const entry of flags.moveDest ?? []) {
    const match = /^([^=]+)=(.+):(\d+)$/.exec(entry);
    if (!match) throw new UsageError(`--move-dest takes AET=host:port, not "${entry}"`);
    table[match[1]!] = { host: match[2]!, port: Number(match[3]) };
  }
  return table;
}

/** `dicom-tools qr-scp --port P --storage DIR`: a Query/Retrieve SCP over a folder, until Ctrl-C / SIGTERM. */
export async function runQrScp(flags: QrScpCommandOptions, context: CommandContext): Promise<number> {
  if (flags.storage === undefined) throw new UsageError('--storage DIR is required');
  const server = createQueryRetrieveScp({ ...scpSettings(flags), storageDir: flags.storage, aeTable: aeTable(flags) });
  return serve(server, flags, context, 'Q/R SCP');
}
