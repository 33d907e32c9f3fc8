import { readdir, readFile, unlink } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import type { BatchInput } from '@dicom-tools/batch';
import {
  createCodecRegistry, decodeFrame, encodePng, frameCount, getString, isDicomError, readDicom, readDicomFileSync, renderFrame, validate, writeDicom, writeFileAtomic,
  type CodecRegistry, type DicomFile,
} from '@dicom-tools/core';
import { createTranscodeCodecs, resolveTransferSyntax, transcode } from '@dicom-tools/transcode';
import { prepareBatchAnonymize } from './_anonymize-batch.js';
import type { AnonymizeFlags } from './_anonymize-settings.js';
import { UsageError } from './_usage-error.js';
import { makeFolder } from './_paths.js';

/** The operations of `dicom-tools batch`. */
export const BATCH_OPERATIONS = ['anonymize', 'convert', 'decompress', 'transcode', 'validate'] as const;
/** One of {@link BATCH_OPERATIONS}. */
export type BatchOperation = (typeof BATCH_OPERATIONS)[number];

/** What one file's task did. */
export interface BatchOutcome {
  /** The file written (or that would be written, with --dry-run; or that exists and verified, with --resume). */
  readonly output?: string;
  /** `written`, `dry-run` (nothing written), `resumed` (the output existed and verified: not rewritten), `checked` (validate). */
  readonly action: 'written' | 'dry-run' | 'resumed' | 'checked';
  /** convert of a multi-frame file: every frame's PNG, in frame order (`output` is the first). */
  readonly outputs?: readonly string[];
  /** validate: whether the file has no errors, and how many errors and warnings it has. */
  readonly valid?: boolean;
  readonly errors?: number;
  readonly warnings?: number;
}

/** Flags the tasks use. */
export interface BatchTaskFlags extends AnonymizeFlags {
  readonly output?: string;
  readonly dryRun?: boolean;
  readonly resume?: boolean;
  readonly syntax?: string;
  /** anonymize: write the original,replacement UID pairs as CSV here. */
  readonly uidMap?: string;
  /** anonymize: worker threads (1: this thread). */
  readonly threads?: number;
}

/** A task over one input, and whether the operation writes outputs. */
export interface PreparedTask {
  readonly run: (input: BatchInput) => Promise<BatchOutcome>;
  readonly writes: boolean;
  /** How many inputs to keep in flight, when the task knows better than --jobs (anonymize: its worker threads' queue). */
  readonly concurrency?: number;
  /** Ends what the task started (anonymize: its worker threads; writes its UID map), after the last input. */
  readonly close?: () => Promise<void>;
}

/** Reads an input: a file, or an archive member's bytes. */
export function loadInput(input: BatchInput, options: { readonly stopBeforePixelData?: boolean } = {}): DicomFile {
  return input.bytes !== undefined ? readDicom(input.bytes, { ...options, fileName: input.path }) : readDicomFileSync(input.path, options);
}

/** True when `path` holds a complete DICOM file (it parses to the end). */
function verifiesAsDicom(path: string): boolean {
  try {
    readDicomFileSync(path);
    return true;
  } catch {
    return false;
  }
}

/** True when `path` holds a PNG that ends with its IEND chunk. */
async function verifiesAsPng(path: string): Promise<boolean> {
  try {
    const bytes = await readFile(path);
    const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
    return bytes.length > 20 && signature.every((b, i) => bytes[i] === b) && bytes.subarray(bytes.length - 8, bytes.length - 4).toString('latin1') === 'IEND';
  } catch {
    return false;
  }
}

/**
 * Removes the temporary files a killed run left in `folder` (core writeFileAtomic's `.NAME.PID.RANDOM.tmp`): their
 * writer is gone, and they are never outputs. Only for --resume, which assumes no other run writes to OUT.
 */
async function removeStaleTemporaries(folder: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return;
  }
  await Promise.all(names.filter((n) => /^\..+\.[0-9]+\.[0-9a-f]{12}\.tmp$/.test(n)).map((n) => unlink(join(folder, n)).catch(() => undefined)));
}

/** The mirrored output path of `input` under `outputRoot`, with `extension` (replacing `.dcm`, else appended) when given. */
export function mirroredPath(input: BatchInput, outputRoot: string, prefix: string | undefined, extension?: string): string {
  let rel = input.relativePath;
  if (extension !== undefined) rel = extname(rel).toLowerCase() === '.dcm' ? `${rel.slice(0, -4)}${extension}` : `${rel}${extension}`;
  return join(outputRoot, ...(prefix !== undefined ? [prefix] : []), ...rel.split('/'));
}

/**
 * Builds the task of `operation`. `prefixOf` gives the sub-folder of OUT an input root is mirrored into (none
 * for a single input). Outputs are written atomically (temporary file, then rename), so an interrupted run
 * leaves no partial file.
 */
export async function prepareTask(operation: BatchOperation, flags: BatchTaskFlags, prefixOf: (root: string) => string | undefined): Promise<PreparedTask> {
  const out = flags.output;
  const dryRun = flags.dryRun === true;
  const resume = flags.resume === true;
  if (operation !== 'validate' && out === undefined && !dryRun) throw new UsageError(`batch ${operation}: give -o OUT, or --dry-run`);
  let codecs: CodecRegistry | undefined;
  const codecsOnce = (): CodecRegistry => (codecs ??= createCodecRegistry(createTranscodeCodecs()));

  const swept = new Map<string, Promise<void>>();
  const finish = async (output: string, verify: (path: string) => Promise<boolean>, produce: () => Promise<readonly Uint8Array[]>): Promise<BatchOutcome> => {
    if (resume) {
      const folder = dirname(output);
      let sweep = swept.get(folder);
      if (sweep === undefined) swept.set(folder, (sweep = removeStaleTemporaries(folder)));
      await sweep;
      if (await verify(output)) return { output, action: 'resumed' };
    }
    const chunks = await produce();
    if (dryRun) return { output, action: 'dry-run' };
    await makeFolder(dirname(output));
    await writeFileAtomic(output, chunks);
    return { output, action: 'written' };
  };

  switch (operation) {
    case 'validate':
      return {
        writes: false,
        run: (input) => {
          const report = validate(loadInput(input));
          const errors = report.findings.filter((f) => f.severity === 'error').length;
          return Promise.resolve({ action: 'checked', valid: errors === 0, errors, warnings: report.findings.length - errors });
        },
      };
    case 'convert':
      // One PNG per frame: NAME.png for a single frame, NAME_f0001.png, NAME_f0002.png... for a multi-frame file.
      return {
        writes: true,
        run: async (input) => {
          let file: DicomFile | undefined;
          const loaded = (): DicomFile => (file ??= loadInput(input));
          // --resume: the header gives the frame count; the pixels are read only if some frame must be written.
          const frames = resume
            ? Math.max(1, Number.parseInt(getString(loadInput(input, { stopBeforePixelData: true }).dataset, 0x00280008) ?? '1', 10) || 1) // Number of Frames
            : Math.max(1, frameCount(loaded().dataset));
          const outputs: string[] = [];
          let action: BatchOutcome['action'] = 'resumed';
          // A frame that fails fails the file: the frames this run wrote for it are removed (no partial output).
          const wrote: string[] = [];
          try {
            for (let k = 0; k < frames; k++) {
              const suffix = frames === 1 ? '.png' : `_f${String(k + 1).padStart(4, '0')}.png`;
              const done = await finish(mirroredPath(input, out ?? '', prefixOf(input.root), suffix), verifiesAsPng, async () => {
                const whole = loaded();
                const frame = await decodeFrame(whole, k, 'encapsulated' in (whole.dataset.elements.get(0x7fe00010) ?? {}) ? { codecs: codecsOnce() } : {});
                return [await encodePng(renderFrame(frame, whole.dataset))];
              });
              outputs.push(done.output ?? '');
              if (done.action === 'written' && done.output !== undefined) wrote.push(done.output);
              if (done.action !== 'resumed') action = done.action;
            }
          } catch (error) {
            await Promise.all(wrote.map((path) => unlink(path).catch(() => undefined)));
            throw error;
          }
          return { output: outputs[0] ?? '', action, ...(frames > 1 ? { outputs } : {}) };
        },
      };
    case 'decompress':
    case 'transcode': {
      if (operation === 'transcode' && flags.syntax === undefined) throw new UsageError('batch transcode: give --syntax ALIAS');
      let target: string;
      try {
        target = resolveTransferSyntax(operation === 'decompress' ? 'explicit' : flags.syntax!).uid;
      } catch (error) {
        throw new UsageError(isDicomError(error) ? error.message : String(error), { cause: error });
      }
      return {
        writes: true,
        run: async (input) => finish(mirroredPath(input, out ?? '', prefixOf(input.root)), (p) => Promise.resolve(verifiesAsDicom(p)), async () => {
          const file: DicomFile = loadInput(input);
          return [writeDicom(await transcode(file, target, { codecs: codecsOnce() }))];
        }),
      };
    }
    case 'anonymize':
      return prepareBatchAnonymize(flags, prefixOf, { verify: verifiesAsDicom, sweep: removeStaleTemporaries });
  }
}
