// One file of `dicom-tools transcode`: read, transcode (lossless encodes verified), write. Runs in the command's
// thread, or as the task module of @dicom-tools/batch's worker pool (loaded by file URL, found beside bin.js), where
// each worker thread builds its codecs (and so loads each WASM module) once.
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createCodecRegistry, isDicomError, readDicomFile, writeDicom, writeFileAtomic, type CodecRegistry, type DicomFile } from '@dicom-tools/core';
import { createTranscodeCodecs, transcode, type TranscodeOptions } from '@dicom-tools/transcode';
import { looksLikeDicomError, oneLine } from './_report-error.js';
import { UsageError } from './_usage-error.js';
import { makeFolder, overwritesInput } from './_paths.js';

/** What every file of one run shares: the target and the encode settings (plain data: it crosses threads). */
export interface TranscodeSetup {
  readonly uid: string;
  readonly quality?: number;
  readonly ratio?: number;
  readonly near?: number;
  readonly verify: boolean;
  readonly force: boolean;
}

/** One input and where its output goes. */
export interface TranscodeJob {
  readonly input: string;
  readonly output: string;
}

/** One input's outcome, as `--json` prints it. */
export type TranscodeFileResult =
  | { readonly input: string; readonly ok: true; readonly output: string; readonly transferSyntaxUID: string; readonly bytesIn: number; readonly bytesOut: number; readonly lossy: boolean; readonly sopInstanceUID: string | undefined }
  | { readonly input: string; readonly ok: false; readonly output?: string; readonly error: { readonly code: string; readonly message: string } };

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/**
 * Transcodes `job.input` to `job.output` with `codecs`. Failures of the file (unreadable, a syntax its pixels do not
 * fit, an output that exists without `force`) come back as `ok: false`; CORE_ABORTED and non-DICOM errors throw.
 */
export async function transcodeFile(job: TranscodeJob, setup: TranscodeSetup, codecs: CodecRegistry, signal?: AbortSignal): Promise<TranscodeFileResult> {
  const { input, output } = job;
  try {
    if (await overwritesInput(output, input)) throw new UsageError(`${input}: the output would overwrite the input; choose another -o`);
    if (!setup.force && (await exists(output))) throw new UsageError(`${output} exists: pass --force to overwrite it`);
    const settings: TranscodeOptions = {
      codecs, verify: setup.verify,
      ...(signal !== undefined ? { signal } : {}),
      ...(setup.quality !== undefined ? { quality: setup.quality } : {}),
      ...(setup.ratio !== undefined ? { ratio: setup.ratio } : {}),
      ...(setup.near !== undefined ? { near: setup.near } : {}),
    };
    const file = await readDicomFile(input, signal !== undefined ? { signal } : {});
    const out = await transcode(file, setup.uid, settings);
    const bytes = writeDicom(out);
    // Everything the result reports is worked out before the output is written: a failure leaves no output behind.
    const bytesIn = (await stat(input)).size;
    const uidAfter = sopInstanceUid(out);
    // A lossy encode is a new instance (transcode gives it a new SOP Instance UID); nothing else changes the UID.
    const lossy = uidAfter !== sopInstanceUid(file);
    await makeFolder(dirname(output));
    await writeFileAtomic(output, bytes, signal);
    return { input, ok: true, output, transferSyntaxUID: setup.uid, bytesIn, bytesOut: bytes.length, lossy, sopInstanceUID: uidAfter };
  } catch (error) {
    if (isDicomError(error, 'CORE_ABORTED')) throw error;
    if (error instanceof UsageError) return { input, ok: false, output, error: { code: 'USAGE', message: error.message } };
    if (!looksLikeDicomError(error)) throw error;
    return { input, ok: false, output, error: { code: error.code, message: oneLine(error.file !== undefined ? error.message : `${input}: ${error.message}`) } };
  }
}

/** The SOP Instance UID of `file`, or undefined when it has none readable as text (a UID written with VR UN). */
function sopInstanceUid(file: DicomFile): string | undefined {
  const element = file.dataset.elements.get(0x00080018);
  const value = element !== undefined && Array.isArray(element.value) ? (element.value as readonly unknown[])[0] : undefined;
  return typeof value === 'string' ? value.trim() : undefined;
}

// One codec registry per setup object, i.e. per worker thread (the pool clones the setup once per worker). Keyed
// weakly, so this holds nothing once the setup is gone.
const registries = new WeakMap<TranscodeSetup, CodecRegistry>();

/** The worker pool's task: {@link transcodeFile} with this thread's codecs, made on its first file. */
export function transcodeTask(job: TranscodeJob, setup: TranscodeSetup): Promise<TranscodeFileResult> {
  let codecs = registries.get(setup);
  if (codecs === undefined) registries.set(setup, (codecs = createCodecRegistry(createTranscodeCodecs())));
  return transcodeFile(job, setup, codecs);
}
