import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { anonymizeBytes, parseProfileOption, type ProfileOptionName } from '@dicom-tools/anonymize';
import type { BatchInput } from '@dicom-tools/batch';
import {
  createCodecRegistry, decodeFrame, encodePng, getString, isDicomError, readDicom, readDicomFileSync, renderFrame, validate, writeDicom,
  type CodecRegistry, type DicomFile,
} from '@dicom-tools/core';
import { createTranscodeCodecs, resolveTransferSyntax, transcode } from '@dicom-tools/transcode';
import { createOutputNamer, writeChunksAtomic } from './_anonymize-output.js';
import { UsageError } from './_usage-error.js';

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
  /** validate: whether the file has no errors, and how many errors and warnings it has. */
  readonly valid?: boolean;
  readonly errors?: number;
  readonly warnings?: number;
}

/** Flags the tasks use. */
export interface BatchTaskFlags {
  readonly output?: string;
  readonly dryRun?: boolean;
  readonly resume?: boolean;
  readonly syntax?: string;
  readonly secret?: string;
  readonly secretFile?: string;
  readonly profile?: string;
  readonly option?: readonly string[];
}

/** A task over one input, and whether the operation writes outputs. */
export interface PreparedTask {
  readonly run: (input: BatchInput) => Promise<BatchOutcome>;
  readonly writes: boolean;
}

async function secretOf(flags: BatchTaskFlags): Promise<string | Uint8Array> {
  if (flags.secret !== undefined && flags.secretFile !== undefined) throw new UsageError('give either --secret or --secret-file, not both');
  if (flags.secretFile !== undefined) {
    try {
      return (await readFile(flags.secretFile, 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      throw new UsageError(`${flags.secretFile}: cannot read the secret file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
    }
  }
  if (flags.secret !== undefined) return flags.secret;
  if (flags.resume === true) throw new UsageError('--resume with anonymize needs --secret or --secret-file (a random secret gives other names on every run)');
  return randomBytes(32);
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
 * Removes the temporary files a killed run left in `folder` (writeChunksAtomic's `.NAME.PID.RANDOM.tmp`): their
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
    await mkdir(dirname(output), { recursive: true });
    await writeChunksAtomic(output, chunks, new AbortController().signal);
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
      return {
        writes: true,
        run: async (input) => finish(mirroredPath(input, out ?? '', prefixOf(input.root), '.png'), verifiesAsPng, async () => {
          const file = loadInput(input);
          const frame = await decodeFrame(file, 0, 'encapsulated' in (file.dataset.elements.get(0x7fe00010) ?? {}) ? { codecs: codecsOnce() } : {});
          return [await encodePng(renderFrame(frame, file.dataset))];
        }),
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
    case 'anonymize': {
      const secret = await secretOf(flags);
      const profile = flags.profile ?? 'basic';
      if (profile !== 'basic' && profile !== 'seed') throw new UsageError(`unknown profile "${profile}": use basic or seed`);
      const options: ProfileOptionName[] = [];
      for (const entry of flags.option ?? []) {
        for (const name of entry.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
          try {
            options.push(parseProfileOption(name));
          } catch (error) {
            throw new UsageError(isDicomError(error) ? error.message : String(error), { cause: error });
          }
        }
      }
      const namers = new Map<string, ReturnType<typeof createOutputNamer>>();
      const nameOf = (input: BatchInput, sopInstanceUid: string | undefined): string => {
        const prefix = prefixOf(input.root);
        let namer = namers.get(input.root);
        if (namer === undefined) namers.set(input.root, (namer = createOutputNamer(input.root, join(out ?? '', ...(prefix !== undefined ? [prefix] : [])), secret)));
        return namer(input.path, sopInstanceUid);
      };
      return {
        writes: true,
        run: async (input) => {
          const bytes = input.bytes ?? (await readFile(input.path));
          const result = anonymizeBytes(bytes, { secret, profile, options, fileName: input.path });
          const output = nameOf(input, getString(result.file.dataset, 0x00080018));
          return finish(output, (p) => Promise.resolve(verifiesAsDicom(p)), () => Promise.resolve(result.chunks));
        },
      };
    }
  }
}
