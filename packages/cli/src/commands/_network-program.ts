import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
// Types only: the network commands and @dicom-tools/network load when a command runs.
import type { EchoOptions } from './echo.js';
import type { FindCommandOptions } from './find.js';
import type { GetCommandOptions } from './get.js';
import type { MoveCommandOptions } from './move.js';
import type { QrScpCommandOptions } from './qr-scp.js';
import type { StorageScpCommandOptions } from './storage-scp.js';
import type { StoreOptions } from './store.js';
import type { WorklistScpCommandOptions } from './worklist-scp.js';
import type { WorklistCommandOptions } from './worklist.js';

function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function output(command: Command): Command {
  return command
    .option('--json', 'print JSON (one document, or NDJSON for streams) instead of text')
    .option('-q, --quiet', 'print nothing but errors and what the command exists to show');
}

function scu(command: Command): Command {
  return output(command)
    .option('--host <host>', 'peer host (default 127.0.0.1)')
    .option('-p, --port <port>', 'peer port (default 104)')
    .option('--aet <aet>', 'our calling AE title (default DICOMTOOLS)')
    .option('--called-aet <aet>', "the peer's AE title (default ANY-SCP)")
    .option('--connect-timeout <s>', 'TCP connect timeout in seconds (default 10)')
    .option('--association-timeout <s>', 'association negotiation timeout in seconds (default 30)')
    .option('--dimse-timeout <s>', 'timeout for each DIMSE response in seconds (default 60)')
    .option('--idle-timeout <s>', 'abort when nothing arrives for this long (default: off)')
    .option('--max-pdu <bytes>', 'largest PDU we accept (default 1048576; 0 = no limit)')
    .option('--tls', 'connect over TLS')
    .option('--cert <pem>', 'TLS client certificate')
    .option('--key <pem>', 'TLS client private key')
    .option('--ca <pem>', 'TLS CA certificate(s) the server must chain to');
}

function query(command: Command): Command {
  return scu(command)
    .option('--query <json>', 'query keys as a JSON object {"PatientName": "DOE*", "StudyInstanceUID": ""} (or @file.json)')
    .option('-k, --query-key <key=value>', 'a query key: Keyword=Value, or Keyword alone to have it returned (repeatable)', collect);
}

function scp(command: Command): Command {
  return output(command)
    .option('-p, --port <port>', 'port to listen on (0: any free port; default 104)')
    .option('--bind <host>', 'address to listen on (default 127.0.0.1)')
    .option('--aet <aet>', 'our AE title (default DICOMTOOLS)')
    .option('--allow <aet>', 'calling AE title allowed to associate (repeatable; default: any)', collect)
    .option('--max-pdu <bytes>', 'largest PDU we accept (default 1048576; 0 = no limit)')
    .option('--idle-timeout <s>', 'abort an association idle this long (default 60)')
    .option('--cert <pem>', 'TLS: our certificate (with --key)')
    .option('--key <pem>', 'TLS: our private key')
    .option('--ca <pem>', 'TLS: require client certificates signed by this CA');
}

const NETWORK_HELP = `
Statuses: the peer's DIMSE status is printed with its category (success, warning, failure...).
Exit codes: 0 success; 1 failure status or transport error (NET_* codes); 3 store finished with failures.`;

/**
 * Adds echo, store, find, move, get, worklist, storage-scp, qr-scp and worklist-scp to the program: those for
 * which `registers(name, ...aliases)` is true (default all).
 */
export function registerNetworkCommands(
  program: Command,
  context: CommandContext,
  setExitCode: (code: number) => void,
  registers: (...names: readonly string[]) => boolean = () => true,
): void {
  if (registers('echo')) {
    scu(program.command('echo').description('verify a DICOM connection (C-ECHO): status and round-trip time').addHelpText('after', NETWORK_HELP))
      .action(async (flags: EchoOptions) => {
        const { runEcho } = await import('./echo.js');
        setExitCode(await runEcho(flags, context));
      });
  }

  if (registers('store')) {
    scu(program.command('store').argument('<inputs...>', 'DICOM files or folders (searched recursively)')
      .description('send instances (C-STORE) over one association or several (--associations N)')
      .option('--associations <n>', 'parallel associations (default 1)')
      .option('--progress', 'show progress on stderr even when it is not a terminal (default: on a terminal)')
      .option('--no-progress', 'no progress on stderr')
      .addHelpText('after', NETWORK_HELP))
      .action(async (inputs: string[], flags: StoreOptions) => {
        const { runStore } = await import('./store.js');
        setExitCode(await runStore(inputs, flags, context));
      });
  }

  if (registers('find')) {
    query(program.command('find').description('query (C-FIND); matches as a table, or NDJSON with --json')
      .option('--level <level>', 'patient, study, series or image')
      .option('--model <model>', 'information model: study (default) or patient')
      .addHelpText('after', `${NETWORK_HELP}\n\nExample:\n  dicom-tools find --port 4242 --called-aet ORTHANC --level study -k PatientName=DOE* -k StudyDate=20240101- -k StudyInstanceUID`))
      .action(async (flags: FindCommandOptions) => {
        const { runFind } = await import('./find.js');
        setExitCode(await runFind(flags, context));
      });
  }

  if (registers('move')) {
    query(program.command('move').description('retrieve to another AE (C-MOVE), counts printed as they arrive')
      .option('--dest <aet>', 'the Move Destination AE title')
      .option('--level <level>', 'patient, study, series or image')
      .option('--model <model>', 'information model: study (default) or patient')
      .addHelpText('after', NETWORK_HELP))
      .action(async (flags: MoveCommandOptions) => {
        const { runMove } = await import('./move.js');
        setExitCode(await runMove(flags, context));
      });
  }

  if (registers('get')) {
    query(program.command('get').description('retrieve instances on the same association (C-GET) into a folder')
      .option('-o, --output <dir>', 'folder for the received instances (<SOPInstanceUID>.dcm)')
      .option('--level <level>', 'patient, study, series or image')
      .option('--model <model>', 'information model: study (default) or patient')
      .addHelpText('after', NETWORK_HELP))
      .action(async (flags: GetCommandOptions) => {
        const { runGet } = await import('./get.js');
        setExitCode(await runGet(flags, context));
      });
  }

  if (registers('worklist')) {
    query(program.command('worklist').description('query a Modality Worklist (C-FIND)').addHelpText('after', NETWORK_HELP))
      .action(async (flags: WorklistCommandOptions) => {
        const { runWorklist } = await import('./worklist.js');
        setExitCode(await runWorklist(flags, context));
      });
  }

  if (registers('storage-scp', 'storescp')) {
    scp(program.command('storage-scp').alias('storescp').description('receive instances (Storage SCP) into a folder until Ctrl-C')
      .option('-o, --output-dir <dir>', 'folder for received instances')
      .option('--layout <pattern>', "path under the folder, e.g. '{StudyInstanceUID}/{SeriesInstanceUID}/{SOPInstanceUID}.dcm'"))
      .action(async (flags: StorageScpCommandOptions) => {
        const { runStorageScp } = await import('./storage-scp.js');
        setExitCode(await runStorageScp(flags, context));
      });
  }

  if (registers('qr-scp')) {
    scp(program.command('qr-scp').description('serve a folder with Query/Retrieve (C-FIND, C-MOVE, C-GET, C-STORE) until Ctrl-C')
      .option('--storage <dir>', 'the folder served (indexed at start, C-STORE adds to it)')
      .option('--move-dest <aet=host:port>', 'a C-MOVE destination (repeatable)', collect)
      .option('--ae-table <json>', 'C-MOVE destinations as a JSON file {"AET": {"host": "...", "port": 104}}'))
      .action(async (flags: QrScpCommandOptions) => {
        const { runQrScp } = await import('./qr-scp.js');
        setExitCode(await runQrScp(flags, context));
      });
  }

  if (registers('worklist-scp')) {
    scp(program.command('worklist-scp').description('serve a Modality Worklist from JSON or DICOM items until Ctrl-C')
      .option('--worklist <path>', 'a folder of items (DICOM JSON .json, DICOM .dcm/.wl) or one file'))
      .action(async (flags: WorklistScpCommandOptions) => {
        const { runWorklistScp } = await import('./worklist-scp.js');
        setExitCode(await runWorklistScp(flags, context));
      });
  }
}
