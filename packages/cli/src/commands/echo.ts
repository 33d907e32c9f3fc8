import { echo } from '@dicom-tools/network';
import type { CommandContext } from '../context.js';
import { ExitCodes } from '../exit-codes.js';
import { printJson } from '../_print-json.js';
import { scuSettings, type ScuFlags } from './_network-flags.js';
import { statusText } from './_network-output.js';

/** Flags of `dicom-tools echo`. */
export type EchoOptions = ScuFlags;

/** `dicom-tools echo`: C-ECHO; exit 0 when the peer answers success, 1 otherwise. */
export async function runEcho(flags: EchoOptions, context: CommandContext): Promise<number> {
  const { peer, options } = scuSettings(flags, context.signal);
  const result = await echo(peer, options);
  if (flags.json === true) printJson(context.io, result);
  else if (flags.quiet !== true) {
    context.io.stdout(`${peer.aeTitle}@${peer.host}:${peer.port}: ${statusText(result)}, round trip ${result.roundTripMs.toFixed(1)} ms (total ${result.totalMs.toFixed(1)} ms)\n`);
  }
  return result.category === 'success' ? ExitCodes.ok : ExitCodes.failed;
}
