import { Command, CommanderError, Option } from 'commander';
import type { CliIo, CommandContext } from './context.js';
import { ExitCodes } from './exit-codes.js';
import { errorLine, exitCodeFor } from './_report-error.js';
// Types only: erased at build, so the commands (and @dicom-tools/core) still load only when they run.
import type { DumpOptions } from './commands/dump.js';
import type { InfoOptions } from './commands/info.js';
import type { ListTagsOptions } from './commands/list-tags.js';
import type { ModifyTagOptions } from './commands/modify-tag.js';
import type { ModifyTagsOptions } from './commands/modify-tags.js';
import type { ValidateOptions } from './commands/validate.js';

/** How to build and run the `dicom-tools` program. */
export interface RunOptions {
  /** Printed by `--version`. */
  readonly version: string;
  /** Where output goes; default process.stdout / process.stderr. */
  readonly io?: CliIo;
  /** Aborts long work (bin.ts aborts it on SIGINT). */
  readonly signal?: AbortSignal;
  /** Colour human output; default false. */
  readonly color?: boolean;
  /** Print the stack of internal errors (bin.ts sets it from DEBUG). Default false. */
  readonly debug?: boolean;
}

/** Argument parser of a repeatable option: every occurrence, in order (no default, so help shows none). */
function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function common(command: Command): Command {
  return command
    .option('--json', 'print one JSON document on stdout instead of text')
    .option('-q, --quiet', 'print nothing but errors and what the command exists to show');
}

function editFlags(command: Command): Command {
  return command
    .option('-o, --output <path>', 'write the edited file here (never the input itself)')
    .addOption(new Option('--in-place', 'overwrite the input file (atomically)').conflicts('output'))
    .option('--dry-run', 'print what would change and write nothing');
}

const HELP_AFTER = `
Exit codes:
  0    ok
  1    failed (unreadable file, edit not applied; validate: a file is invalid)
  2    usage error (validate: a file is unreadable)
  70   internal error, please report it
  130  interrupted

Examples:
  dicom-tools info CT.dcm
  dicom-tools dump CT.dcm --json
  dicom-tools validate *.dcm
  dicom-tools modify-tag CT.dcm --tag PatientName --value "Doe^Jane" -o CT-edited.dcm

Run "dicom-tools <command> --help" for a command's options.`;

const MODIFY_TAG_HELP = `
The --tag/--value pairs are applied first, in order, then the --delete flags.
The input is never overwritten unless --in-place is given; without -o or --in-place, only --dry-run runs.

Examples:
  dicom-tools modify-tag in.dcm --tag PatientName --value "Doe^Jane" -o out.dcm
  dicom-tools modify-tag in.dcm --tag ImageType --value 'DERIVED\\SECONDARY' --delete InstitutionName --in-place
  dicom-tools modify-tag in.dcm --tag "ReferencedSeriesSequence[0].SeriesInstanceUID" --value 1.2.3 --dry-run`;

const MODIFY_TAGS_HELP = `
The edits: an object of path: value pairs (null deletes), or an array of {path, op, value, vr}
with op one of set, add, delete.

Examples:
  dicom-tools modify-tags in.dcm -m '{"PatientName": "Doe^Jane", "InstitutionName": null}' -o out.dcm
  dicom-tools modify-tags in.dcm -m @edits.json --in-place
  dicom-tools modify-tags in.dcm -m '[{"path": "(0011,1011)", "op": "add", "value": 3, "vr": "SS"}]' --dry-run`;

/**
 * Builds the commander program. Each command's implementation is imported only when it runs, so that
 * `--help` and `--version` never load @dicom-tools/core. `setExitCode` receives each command's exit code.
 */
export function createProgram(options: RunOptions, context: CommandContext, setExitCode: (code: number) => void): Command {
  const program = new Command('dicom-tools');
  program
    .description('Inspect, validate and edit DICOM files.')
    .version(options.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => context.io.stdout(text),
      writeErr: (text) => context.io.stderr(text),
      outputError: (text, write) => write(`dicom-tools: ${text.replace(/^error: /, '')}`),
    })
    .addHelpText('after', HELP_AFTER);

  const info = program.command('info').argument('<file>', 'a DICOM file')
    .description('summarize a file: patient, study, series, image, equipment, transfer syntax');
  common(info).action(async (file: string, flags: InfoOptions) => {
    const { runInfo } = await import('./commands/info.js');
    setExitCode(await runInfo(file, flags, context));
  });

  const dump = program.command('dump').argument('<file>', 'a DICOM file')
    .description('print every element like dcmdump (--json: DICOM JSON, PS3.18 F)')
    .option('--full', 'print long values in full instead of cutting them after 64 characters')
    .option('--with-meta', 'with --json: put the file meta elements (0002,xxxx) in the JSON object too')
    .option('--bulk-data-threshold <bytes>', 'with --json: binary values longer than this become a BulkDataURI (file URL#path) instead of inline base64');
  common(dump).action(async (file: string, flags: DumpOptions) => {
    const { runDump } = await import('./commands/dump.js');
    setExitCode(await runDump(file, flags, context));
  });

  const listTags = program.command('list-tags').alias('list_tags').argument('<file>', 'a DICOM file')
    .description('list the elements: tag, VR, VM, value length, keyword')
    .option('-r, --recursive', 'also list the elements inside sequence items, by path');
  common(listTags).action(async (file: string, flags: ListTagsOptions) => {
    const { runListTags } = await import('./commands/list-tags.js');
    setExitCode(await runListTags(file, flags, context));
  });

  const validate = program.command('validate').argument('<files...>', 'DICOM files')
    .description('check files against the standard (exit 0 valid, 1 invalid, 2 unreadable)')
    .option('--ignore-rules <ids>', 'rule ids or prefixes to leave out, comma-separated (repeatable), e.g. type2-missing,vr-format', collect)
    .option('--header-only', 'read only up to Pixel Data (faster; Pixel Data is not checked)');
  common(validate).action(async (files: string[], flags: ValidateOptions) => {
    const { runValidate } = await import('./commands/validate.js');
    setExitCode(await runValidate(files, flags, context));
  });

  const modifyTag = program.command('modify-tag').alias('modify_tag').argument('<file>', 'a DICOM file')
    .description('set tags (--tag T --value V) or delete them (--delete T)')
    .option('-t, --tag <tag>', 'tag to set: keyword, (gggg,eeee), ggggeeee or a path such as Seq[0].Keyword (repeatable)', collect)
    .option('--value <value>', 'the value for the --tag in the same position; several values are separated by \\ (repeatable)', collect)
    .option('-d, --delete <tag>', 'tag or path to delete (repeatable)', collect)
    .addHelpText('after', MODIFY_TAG_HELP);
  common(editFlags(modifyTag)).action(async (file: string, flags: ModifyTagOptions) => {
    const { runModifyTag } = await import('./commands/modify-tag.js');
    setExitCode(await runModifyTag(file, flags, context));
  });

  const modifyTags = program.command('modify-tags').alias('modify_tags_batch').argument('<file>', 'a DICOM file')
    .description('apply edits given as JSON (--modifications JSON|@file)')
    .requiredOption('-m, --modifications <json>', 'the edits as JSON text, or @path of a JSON file')
    .addHelpText('after', MODIFY_TAGS_HELP);
  common(editFlags(modifyTags)).action(async (file: string, flags: ModifyTagsOptions) => {
    const { runModifyTags } = await import('./commands/modify-tags.js');
    setExitCode(await runModifyTags(file, flags, context));
  });

  return program;
}

function defaultIo(): CliIo {
  return { stdout: (text) => void process.stdout.write(text), stderr: (text) => void process.stderr.write(text) };
}

/** Exit code for commander's own exits: help and version are 0, every parse error is a usage error (2). */
function commanderExitCode(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCodes.ok;
  if (error.code === 'commander.help') return error.exitCode === 0 ? ExitCodes.ok : ExitCodes.usage;
  return ExitCodes.usage;
}

/**
 * Runs `dicom-tools` with `argv` (the arguments after the program name) and resolves to the exit code.
 * Never rejects: expected errors become one line on stderr, unexpected ones exit code 70.
 */
export async function run(argv: readonly string[], options: RunOptions): Promise<number> {
  const signal = options.signal ?? new AbortController().signal;
  const context: CommandContext = { io: options.io ?? defaultIo(), signal, color: options.color === true };
  let exitCode: number = ExitCodes.ok;
  const program = createProgram(options, context, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    if (signal.aborted) {
      context.io.stderr('dicom-tools: interrupted\n');
      return ExitCodes.interrupted;
    }
    exitCode = exitCodeFor(error);
    if (exitCode === ExitCodes.internal) {
      context.io.stderr(`${errorLine(error)}\ndicom-tools: internal error, please report it at https://github.com/dicom-tools/dicom-tools/issues${options.debug === true ? '' : ' (set DEBUG=1 for the stack)'}\n`);
      if (options.debug === true && error instanceof Error && error.stack !== undefined) context.io.stderr(`${error.stack}\n`);
    } else {
      context.io.stderr(`${errorLine(error)}\n`);
    }
  }
  return signal.aborted ? ExitCodes.interrupted : exitCode;
}
