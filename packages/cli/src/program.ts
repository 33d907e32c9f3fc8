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
import type { AnonymizeOptions } from './commands/anonymize.js';
import type { NiftiOptions } from './commands/nifti.js';
import type { VolumeOptions } from './commands/volume.js';
import type { CompareOptions } from './commands/compare.js';
import type { HistogramOptions } from './commands/histogram.js';
import type { SplitMultiframeOptions } from './commands/split-multiframe.js';
import type { StatsOptions } from './commands/stats.js';
import type { ToImageOptions } from './commands/to-image.js';
import type { DecompressOptions } from './commands/decompress.js';
import type { TranscodeCommandOptions } from './commands/transcode.js';
import type { BatchOptions } from './commands/batch.js';
import type { OrganizeOptions } from './commands/organize.js';
import type { SearchOptions } from './commands/search.js';
import type { ContractOptions } from './commands/contract.js';
import { registerNetworkCommands } from './commands/_network-program.js';

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

function volumeFlags(command: Command): Command {
  return command
    .option('--series-uid <uid>', 'the series to convert (Series Instance UID, or an id such as UID#2 from the list)')
    .option('--all', 'convert every volume found (outputs numbered -1, -2...) instead of failing when there are several')
    .option('--allow-gaps', 'accept a missing slice with a warning (the spacing variation goes in the sidecar)')
    .option('--correct-tilt', 'resample gantry-tilted slices onto an orthogonal grid (default: the sform carries the shear, qform code 0)')
    .option('--include-phi', 'put patient, visit and site keys (PatientName, StudyDate, InstitutionName...) in the sidecar');
}

function editFlags(command: Command): Command {
  return command
    .option('-o, --output <path>', 'write the edited file here (never the input itself)')
    .addOption(new Option('--in-place', 'overwrite the input file (atomically)').conflicts('output'))
    .option('--dry-run', 'print what would change and write nothing');
}

const ANONYMIZE_HELP = `
A folder is searched recursively; its structure is mirrored in the output folder under names that carry no
PHI (folders by keyed hash, files by their new SOP Instance UID). The same --secret gives the same UIDs,
pseudonyms and date shifts on every run. Pixel data is never changed: files that may show burned-in text
are flagged. Exit 0 ok, 1 the file failed, 2 usage, 3 some files of a folder failed.

Examples:
  dicom-tools anonymize CT.dcm -o CT-anon.dcm --secret-file key.txt
  dicom-tools anonymize study/ -o study-anon/ --secret-file key.txt --option retainLongitudinalModifiedDates --uid-map uids.csv
  dicom-tools anonymize study/ --dry-run --json`;

/** The operations of `batch` (mirrors BATCH_OPERATIONS of _batch-tasks.ts, which loads only when a batch runs). */
const BATCH_OPERATION_NAMES = ['anonymize', 'convert', 'decompress', 'transcode', 'validate'] as const;

const BATCH_HELP = `
Non-DICOM files (by content), DICOMDIRs and unreadable paths are reported as skipped; a file that fails (truncated,
undecodable) is reported failed and the batch goes on. Outputs are written atomically: an interrupted run leaves no
partial file, and --resume then skips what is done. Ctrl-C lets the files in flight finish and writes the report
(files not started listed as cancelled); a second Ctrl-C stops at once. convert writes a PNG per frame (NAME.png,
or NAME_f0001.png... for a multi-frame file). With --jobs above 1, the files run in worker threads. A
progress bar (rate, ETA) shows on stderr when it is a terminal. The seed's names batch_anonymize... work too.
Exit codes: 0 all ok, 2 usage, 3 some files failed (validate: or are invalid), 130 interrupted.

Examples:
  dicom-tools batch anonymize study/ -o anon/ --secret-file key.txt --jobs 4 --report report.json
  dicom-tools batch transcode study/ -o j2k/ --syntax j2k --resume
  dicom-tools batch validate study/ --json`;

const ORGANIZE_HELP = `
Layouts: patient = {PatientID}/{StudyInstanceUID}/{SeriesInstanceUID}/{SOPInstanceUID}.dcm; study, series and
modality drop or replace the first levels. In a template, {Keyword} is the element's first value and {Keyword:0N}
zero-pads a number. Every value is made a safe name: no / \\ : * ? " < > |, control characters, leading or
trailing dots, device names (CON, NUL...), at most 64 bytes; an empty value is UNKNOWN. A name taken by the same
bytes is skipped; by a different file, the new one gets -2, -3... and is reported. Nothing is ever overwritten.
The seed's names organize_by_patient, organize_by_study... work too. Exit 0 ok, 2 usage, 3 some files failed.

Examples:
  dicom-tools organize incoming/ -o archive/ --by study
  dicom-tools organize incoming/ -o sorted/ --template '{PatientID}/{StudyDate}/{SeriesNumber:03}_{Modality}/{InstanceNumber:04}.dcm' --move`;

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

const TRANSCODE_HELP = `
Aliases: explicit implicit big-endian deflated rle jpegls jpegls-near j2k j2k-lossy jpeg
(decode only: jpeg-extended (8-bit), jpeg-lossless); the seed's names j2k_lossy, jpeg2000-lossless work too.
Lossy syntaxes (jpegls-near, j2k-lossy, jpeg) write a new SOP Instance UID and set Lossy Image Compression.
Exit codes: 0 ok, 1 the file failed (or its output exists without --force), 3 some files of a folder failed.

Examples:
  dicom-tools transcode CT.dcm --syntax jpegls              (writes CT_jpegls.dcm)
  dicom-tools transcode series/ --syntax j2k -o compressed/
  dicom-tools transcode US.dcm --syntax jpeg --quality 85 -o US_small.dcm --force`;

const NIFTI_HELP = `
Slices are sorted along the slice normal (never by InstanceNumber or file name); spacing comes from the
positions. Rows are not flipped (dcm2niix flips them): row 0 of the NIfTI is the first DICOM row.

Examples:
  dicom-tools nifti study/ -o t1.nii.gz
  dicom-tools nifti study/ --series-uid 1.2.840.113619.2.5.1 -o ct.nii --no-compress
  dicom-tools nifti study/ --all -o out/scan.nii.gz --json`;

const VOLUME_HELP = `
The .npy array is C order, shape (slices, rows, columns) ((volumes, slices, rows, columns) for 4-D):
array[k][j][i] is voxel (i column, j row, k slice) of the sidecar's AffineLPS and AffineRAS.

Examples:
  dicom-tools volume series/ -o ct.npy --preview
  dicom-tools volume series/ -o ct.nii --format nii`;

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
 * With `only`, just the command of that name or alias is registered (none when there is no such command).
 */
export function createProgram(options: RunOptions, context: CommandContext, setExitCode: (code: number) => void, only?: string): Command {
  const registers = (...names: readonly string[]): boolean => only === undefined || names.includes(only);
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

  if (registers('info')) {
    const info = program.command('info').argument('<file>', 'a DICOM file')
      .description('summarize a file: patient, study, series, image, equipment, transfer syntax');
    common(info).action(async (file: string, flags: InfoOptions) => {
      const { runInfo } = await import('./commands/info.js');
      setExitCode(await runInfo(file, flags, context));
    });
  }

  if (registers('dump')) {
    const dump = program.command('dump').argument('<file>', 'a DICOM file')
      .description('print every element like dcmdump (--json: DICOM JSON, PS3.18 F)')
      .option('--full', 'print long values in full instead of cutting them after 64 characters')
      .option('--with-meta', 'with --json: put the file meta elements (0002,xxxx) in the JSON object too')
      .option('--bulk-data-threshold <bytes>', 'with --json: binary values longer than this become a BulkDataURI (file URL#path) instead of inline base64');
    common(dump).action(async (file: string, flags: DumpOptions) => {
      const { runDump } = await import('./commands/dump.js');
      setExitCode(await runDump(file, flags, context));
    });
  }

  if (registers('list-tags', 'list_tags')) {
    const listTags = program.command('list-tags').alias('list_tags').argument('<file>', 'a DICOM file')
      .description('list the elements: tag, VR, VM, value length, keyword')
      .option('-r, --recursive', 'also list the elements inside sequence items, by path');
    common(listTags).action(async (file: string, flags: ListTagsOptions) => {
      const { runListTags } = await import('./commands/list-tags.js');
      setExitCode(await runListTags(file, flags, context));
    });
  }

  if (registers('validate')) {
    const validate = program.command('validate').argument('<files...>', 'DICOM files')
      .description('check files against the standard (exit 0 valid, 1 invalid, 2 unreadable)')
      .option('--ignore-rules <ids>', 'rule ids or prefixes to leave out, comma-separated (repeatable), e.g. type2-missing,vr-format', collect)
      .option('--header-only', 'read only up to Pixel Data (faster; Pixel Data is not checked)');
    common(validate).action(async (files: string[], flags: ValidateOptions) => {
      const { runValidate } = await import('./commands/validate.js');
      setExitCode(await runValidate(files, flags, context));
    });
  }

  if (registers('modify-tag', 'modify_tag')) {
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
  }

  if (registers('modify-tags', 'modify_tags_batch')) {
    const modifyTags = program.command('modify-tags').alias('modify_tags_batch').argument('<file>', 'a DICOM file')
      .description('apply edits given as JSON (--modifications JSON|@file)')
      .requiredOption('-m, --modifications <json>', 'the edits as JSON text, or @path of a JSON file')
      .addHelpText('after', MODIFY_TAGS_HELP);
    common(editFlags(modifyTags)).action(async (file: string, flags: ModifyTagsOptions) => {
      const { runModifyTags } = await import('./commands/modify-tags.js');
      setExitCode(await runModifyTags(file, flags, context));
    });
  }

  if (registers('transcode')) {
    const transcodeCommand = program.command('transcode').argument('<input>', 'a DICOM file or a folder of them')
      .description('change the transfer syntax (compress, decompress, re-encode); lossless encodes are verified')
      .requiredOption('-s, --syntax <alias>', 'explicit, implicit, big-endian, deflated, rle, jpegls, jpegls-near, j2k, j2k-lossy, jpeg, or a UID')
      .option('-o, --output <path>', 'output file, or folder (default: <stem>_<alias>.dcm beside each input)')
      .option('--quality <q>', 'JPEG quality 1-100 (default 90); JPEG 2000 lossy: ratio 250/q; HTJ2K lossy: quantization step 2^((100-q)/10) LSB')
      .option('--ratio <r>', 'JPEG 2000 lossy compression ratio (default 10; refused for HTJ2K, which has no rate control)')
      .option('--near <n>', 'JPEG-LS near-lossless NEAR (default 2)')
      .option('--no-verify', 'skip decoding each lossless encode to check it')
      .option('-f, --force', 'overwrite existing output files')
      .addHelpText('after', TRANSCODE_HELP);
    common(transcodeCommand).action(async (input: string, flags: TranscodeCommandOptions) => {
      const { runTranscode } = await import('./commands/transcode.js');
      setExitCode(await runTranscode(input, flags, context));
    });
  }

  if (registers('decompress')) {
    const decompressCommand = program.command('decompress').argument('<input>', 'a DICOM file or a folder of them')
      .description('decompress to Explicit VR Little Endian (transcode --syntax explicit)')
      .option('-o, --output <path>', 'output file, or folder (default: <stem>_explicit.dcm beside each input)')
      .option('-f, --force', 'overwrite existing output files');
    common(decompressCommand).action(async (input: string, flags: DecompressOptions) => {
      const { runDecompress } = await import('./commands/decompress.js');
      setExitCode(await runDecompress(input, flags, context));
    });
  }

  if (registers('stats')) {
    const stats = program.command('stats').argument('<file>', 'a DICOM image')
      .description('pixel statistics of one frame (modality units such as HU when the file rescales)')
      .option('--frame <n>', 'frame number, from 1 (default 1)')
      .addOption(new Option('--units <units>', 'stored values or modality values').choices(['stored', 'modality']))
      .option('--include-padding', 'count Pixel Padding Value pixels too');
    common(stats).action(async (file: string, flags: StatsOptions) => {
      const { runStats } = await import('./commands/stats.js');
      setExitCode(await runStats(file, flags, context));
    });
  }

  if (registers('histogram')) {
    const histogramCommand = program.command('histogram').argument('<file>', 'a DICOM image')
      .description('histogram of one frame as text bars (--json: bin edges and counts)')
      .option('--bins <n>', 'number of equal bins (default 32)')
      .option('--range <low,high>', 'the value range the bins cover (default: min to max)')
      .option('--frame <n>', 'frame number, from 1 (default 1)')
      .addOption(new Option('--units <units>', 'stored values or modality values').choices(['stored', 'modality']));
    common(histogramCommand).action(async (file: string, flags: HistogramOptions) => {
      const { runHistogram } = await import('./commands/histogram.js');
      setExitCode(await runHistogram(file, flags, context));
    });
  }

  if (registers('to-image', 'to_image')) {
    const toImage = program.command('to-image').alias('to_image').argument('<file>', 'a DICOM image')
      .description('render frames to PNG or JPEG (rescale, window, MONOCHROME1, colour), beside the input unless -o')
      .option('-o, --output <path>', 'output file, or folder for several frames (default: beside the input)')
      .addOption(new Option('--format <format>', 'image format (default: from -o, else png)').choices(['png', 'jpeg', 'jpg']))
      .option('--frame <n>', 'frame number, from 1 (default 1)')
      .addOption(new Option('--all-frames', 'every frame, one image each').conflicts('frame'))
      .option('--window-center <c>', 'window centre (with --window-width)')
      .option('--window-width <w>', 'window width (with --window-center)')
      .addOption(new Option('--window <mode>', 'file: the file\'s window (else auto); auto: 1st-99th percentile; minmax: full range; none: stored values unchanged').choices(['auto', 'file', 'minmax', 'none']))
      .addOption(new Option('--bit-depth <bits>', 'bits per sample (16: PNG only)').choices(['8', '16']))
      .option('--quality <q>', 'JPEG quality 1-100 (default 90)')
      .option('--force', 'overwrite existing output files');
    common(toImage).action(async (file: string, flags: ToImageOptions) => {
      const { runToImage } = await import('./commands/to-image.js');
      setExitCode(await runToImage(file, flags, context));
    });
  }

  if (registers('split-multiframe', 'split_multiframe')) {
    const split = program.command('split-multiframe').alias('split_multiframe').argument('<file>', 'a multi-frame DICOM image')
      .description('one single-frame instance per frame (new UIDs; compressed frames stay compressed)')
      .option('-o, --output <dir>', 'output folder (default: <name>-frames beside the input)')
      .option('--frames <list>', 'frame numbers from 1, e.g. 1,3,5 or 2-4 (default: all)')
      .option('--force', 'overwrite existing output files');
    common(split).action(async (file: string, flags: SplitMultiframeOptions) => {
      const { runSplitMultiframe } = await import('./commands/split-multiframe.js');
      setExitCode(await runSplitMultiframe(file, flags, context));
    });
  }

  if (registers('compare')) {
    const compare = program.command('compare').argument('<a>', 'a DICOM file').argument('<b>', 'another DICOM file')
      .description('element and pixel differences between two files (exit 0 identical, 1 different)');
    common(compare).action(async (a: string, b: string, flags: CompareOptions) => {
      const { runCompare } = await import('./commands/compare.js');
      setExitCode(await runCompare(a, b, flags, context));
    });
  }


  if (registers('nifti')) {
    const nifti = program.command('nifti').argument('<input>', 'a folder of DICOM files (searched recursively) or one file')
      .description('convert a series to NIfTI (.nii.gz) with a JSON sidecar; affines in RAS, as dcm2niix')
      .option('-o, --output <file>', 'the NIfTI file (default: next to the input, INPUT.nii.gz; never inside it)');
    volumeFlags(nifti)
      .option('--no-compress', 'write .nii instead of .nii.gz')
      .option('--sidecar <file>', 'where the JSON sidecar goes (default: the output with .json)')
      .option('--no-sidecar', 'write no sidecar')
      .addHelpText('after', NIFTI_HELP);
    common(nifti).action(async (input: string, flags: NiftiOptions) => {
      const { runNifti } = await import('./commands/nifti.js');
      setExitCode(await runNifti(input, flags, context));
    });
  }

  if (registers('volume')) {
    const volume = program.command('volume').argument('<input>', 'a folder of DICOM files (searched recursively) or one file')
      .description('write the raw volume for other tools: .npy (slices, rows, columns) + JSON sidecar with the affine')
      .option('-o, --output <file>', 'the output file (default: next to the input, INPUT.npy; never inside it)')
      .option('--format <format>', 'npy or nii', 'npy')
      .option('--preview', 'also write OUT.png: three planes through the middle');
    volumeFlags(volume).addHelpText('after', VOLUME_HELP);
    common(volume).action(async (input: string, flags: VolumeOptions) => {
      const { runVolume } = await import('./commands/volume.js');
      setExitCode(await runVolume(input, flags, context));
    });
  }

  if (registers('anonymize')) {
    const anonymizeCommand = program.command('anonymize').argument('<input>', 'a DICOM file or a folder of them')
      .description('de-identify by PS3.15 Annex E (Basic Profile + options): pseudonyms, 2.25 UIDs, private tags and dates removed')
      .option('-o, --output <path>', 'the anonymized file, or for a folder the output folder (never the input, never inside it)')
      .option('--secret <text>', 'the secret keying UIDs, pseudonyms and date shifts (default: random for this run)')
      .option('--secret-file <file>', 'read the secret from a file')
      .option('--profile <name>', 'basic, or seed (the seed\'s visible values: ANONYMOUS^PATIENT, ANON_...)', 'basic')
      .option('--option <name>', 'a PS3.15 option (repeatable): retainSafePrivate, retainUIDs, retainDeviceIdentity, retainInstitutionIdentity, retainPatientCharacteristics, retainLongitudinalFullDates, retainLongitudinalModifiedDates, cleanDescriptors, cleanStructuredContent, cleanGraphics', collect)
      .option('--patient-prefix <prefix>', 'prefix of the patient pseudonym (default ANON)')
      .option('--date-shift-range <min..max>', 'days of the per-patient shift with retainLongitudinalModifiedDates (default -3650..-365)')
      .option('--uid-map <file>', 'write the original,replacement UID pairs as CSV (holds original UIDs: keep it safe)')
      .option('--dry-run', 'report what would be done and write nothing')
      .option('-j, --jobs <n>', 'for a folder: threads, this one and N-1 workers (default: the number of cores minus one; 1: no worker thread)')
      .addHelpText('after', ANONYMIZE_HELP);
    common(anonymizeCommand).action(async (input: string, flags: AnonymizeOptions) => {
      const { runAnonymize } = await import('./commands/anonymize.js');
      setExitCode(await runAnonymize(input, flags, context));
    });
  }

  const batchFlags = (command: Command): Command => common(command
    .option('-o, --output <dir>', 'output folder: each input tree is mirrored into it (several inputs: one sub-folder each)')
    .option('-j, --jobs <n>', 'files processed at once (default: the number of cores)')
    .option('--report <file>', 'write the JSON report (counts, per-file status and duration, skipped files and why)')
    .option('--dry-run', 'do the work but write no output file')
    .option('--resume', 'skip files whose output exists and verifies (restart a killed run)')
    .option('--workers', 'run the files in --jobs worker threads (the default when --jobs > 1)')
    .option('--no-workers', 'run the files as concurrent tasks in this thread')
    .option('--progress', 'show the progress bar (rate, ETA) on stderr even when it is not a terminal')
    .option('--no-progress', 'never show the progress bar (default: shown when stderr is a terminal)')
    .option('-s, --syntax <alias>', 'transcode: the target syntax (as transcode --syntax)')
    .option('--secret <text>', 'anonymize: the secret keying UIDs, names and date shifts')
    .option('--secret-file <file>', 'anonymize: read the secret from a file')
    .option('--profile <name>', 'anonymize: basic or seed')
    .option('--option <name>', 'anonymize: a PS3.15 option (repeatable)', collect)
    .option('--patient-prefix <prefix>', 'anonymize: prefix of the patient pseudonym (default ANON)')
    .option('--date-shift-range <min..max>', 'anonymize: days of the per-patient shift with retainLongitudinalModifiedDates (default -3650..-365)')
    .option('--uid-map <file>', 'anonymize: write the original,replacement UID pairs as CSV (holds original UIDs: keep it safe)'));
  if (registers('batch')) {
    const batchCommand = program.command('batch').argument('<operation>', BATCH_OPERATION_NAMES.join('|')).argument('<inputs...>', 'DICOM files and folders (searched recursively)')
      .description('run anonymize, convert (PNG), decompress, transcode or validate over many files in parallel (exit 3: some failed)')
      .addHelpText('after', BATCH_HELP);
    batchFlags(batchCommand).action(async (operation: string, inputs: string[], flags: BatchOptions) => {
      const { runBatchCommand } = await import('./commands/batch.js');
      setExitCode(await runBatchCommand(operation, inputs, flags, context));
    });
  }
  for (const operation of BATCH_OPERATION_NAMES) {
    if (!registers(`batch_${operation}`)) continue;
    const alias = program.command(`batch_${operation}`, { hidden: true }).argument('<inputs...>', 'DICOM files and folders');
    batchFlags(alias).action(async (inputs: string[], flags: BatchOptions) => {
      const { runBatchCommand } = await import('./commands/batch.js');
      setExitCode(await runBatchCommand(operation, inputs, flags, context));
    });
  }

  const organizeFlags = (command: Command): Command => common(command
    .requiredOption('-o, --output <dir>', 'the folder to organize into (not inside an input)')
    .option('--copy', 'copy the files (the default)')
    .option('--move', 'move the files: copy, verify, then delete the original')
    .option('--dry-run', 'print where each file would go and touch nothing')
    .option('-j, --jobs <n>', 'files at once (default: the number of cores)')
    .option('--report <file>', 'write the JSON report (per file: where it went, identical, renamed; skipped files)'));
  if (registers('organize')) {
    const organize = program.command('organize').argument('<inputs...>', 'DICOM files and folders (searched recursively)')
      .description('file DICOM files into folders by patient, study, series, modality or a template of tag values')
      .option('--by <level>', 'patient, study, series or modality (default patient)')
      .option('--template <template>', "a path template, e.g. '{PatientID}/{StudyDate}_{StudyDescription}/{SeriesNumber:03}_{Modality}/{InstanceNumber:04}.dcm'")
      .addHelpText('after', ORGANIZE_HELP);
    organizeFlags(organize).action(async (inputs: string[], flags: OrganizeOptions) => {
      const { runOrganize } = await import('./commands/organize.js');
      setExitCode(await runOrganize(inputs, flags, context));
    });
  }
  for (const level of ['patient', 'study', 'series', 'modality'] as const) {
    if (!registers(`organize_by_${level}`)) continue;
    const alias = program.command(`organize_by_${level}`, { hidden: true }).argument('<inputs...>', 'DICOM files and folders');
    organizeFlags(alias).action(async (inputs: string[], flags: OrganizeOptions) => {
      const { runOrganize } = await import('./commands/organize.js');
      setExitCode(await runOrganize(inputs, { ...flags, by: level }, context));
    });
  }

  if (registers('search')) {
    const search = program.command('search').argument('<inputs...>', 'DICOM files and folders (searched recursively)')
      .description('list the files whose header matches Key=Value conditions (DICOM matching: wildcards, date ranges, UID lists)')
      .option('-w, --where <key=value>', 'a condition, e.g. PatientName=Doe*, StudyDate=20240101-20240131, Modality=CT (repeatable; all must match)', collect)
      .option('--date-range <a-b>', 'Study Date range YYYYMMDD-YYYYMMDD (either side may be empty)')
      .addOption(new Option('--format <format>', 'output format (default table; --json: ndjson)').choices(['table', 'csv', 'ndjson']))
      .option('--columns <keywords>', 'columns after the path, comma-separated (default PatientID,StudyDate,Modality,SeriesNumber,InstanceNumber,SOPInstanceUID and the --where keys)')
      .option('-j, --jobs <n>', 'files read at once (default: the number of cores)');
    common(search).action(async (inputs: string[], flags: SearchOptions) => {
      const { runSearch } = await import('./commands/search.js');
      setExitCode(await runSearch(inputs, flags, context));
    });
  }

  if (registers('contract')) {
    program.command('contract')
      .description('run one operation given as JSON {op, input, output, options}; answer {ok, returncode, stdout, stderr, output_files, metadata, backend, operation}')
      .option('--request <file>', 'the request as a JSON file, or - for standard input', '-')
      .action(async (flags: ContractOptions) => {
        const { runContract } = await import('./commands/contract.js');
        setExitCode(await runContract(flags, context, (argv, io) => run(argv, { ...options, io, signal: context.signal })));
      });
  }

  registerNetworkCommands(program, context, setExitCode, registers);

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
  const setExitCode = (code: number): void => {
    exitCode = code;
  };
  // Registering every command with its options costs ~5 ms at each start, so when the first word names a command,
  // only that one is registered: commander parses the same way (what follows a command's name is that command's),
  // and its help is the same. Any other first word (an option, `help`, a typo to suggest a command for) gets them all.
  const first = argv[0];
  let program = first !== undefined && !first.startsWith('-') ? createProgram(options, context, setExitCode, first) : undefined;
  if (program === undefined || program.commands.length === 0) program = createProgram(options, context, setExitCode);
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
