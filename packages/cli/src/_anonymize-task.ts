// The per-file work of `anonymize` and `batch anonymize`, the one implementation both run, in the main thread and in
// worker threads (_anonymize-worker.ts): read the file into a pooled buffer, anonymize its header (Pixel Data passed
// through as a view of that buffer, never decoded or copied), write header and Pixel Data with one writev into a
// temporary file in the output folder; reads and writes on libuv's thread pool, overlapping the next file's work. The
// final, collision-free name is given by the main thread (_anonymize-runner.ts), which renames the temporary file in
// input order.
import { randomInt } from 'node:crypto';
import { closeSync, mkdirSync, open, read, unlinkSync, writev } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { anonymizeBytes, createAnonymizeCache, type AnonymizeCache, type AnonymizeReport, type BurnedInReason, type ProfileOptionName } from '@dicom-tools/anonymize';
import { classifyDicomBytes, fileSystemError, openRegularFileSync } from '@dicom-tools/core';

/** The settings every file of a run is anonymized with (structured-cloned once into each worker). */
export interface AnonymizeSetup {
  readonly secret: string | Uint8Array;
  readonly profile: 'basic' | 'seed';
  readonly options: readonly ProfileOptionName[];
  readonly patientPrefix?: string;
  readonly dateShiftRange?: readonly [number, number];
  /** Send back the UIDs each file replaced for the first time in its thread (for --uid-map). */
  readonly collectUids: boolean;
  /** Send back each file's whole report (for --json); otherwise only its {@link AnonymizeSummary}. */
  readonly fullReports: boolean;
  /** Anonymize but write nothing. */
  readonly dryRun: boolean;
}

/** One file to anonymize. */
export interface AnonymizeJob {
  /** The input file (read unless `bytes` is given), also named in errors. */
  readonly path: string;
  /** The file's bytes, when they are not on disk (an archive member). */
  readonly bytes?: Uint8Array;
  /** The output folder (created when missing); without it nothing is written. */
  readonly folder?: string;
  /**
   * The file was listed without looking into it (core's walkFiles): tell DICOM from the rest here, from the bytes
   * read anyway, and skip the rest (the result's `skipped`) as findDicomFiles would.
   */
  readonly sniff?: boolean;
}

/** What the human output needs of a file's report. */
export interface AnonymizeSummary {
  readonly removed: number;
  readonly emptiedOrReplaced: number;
  readonly cleaned: number;
  readonly uidsReplaced: number;
  readonly burnedInRisk: readonly BurnedInReason[];
  readonly warnings: readonly string[];
}

/** What one file's work gives back to the main thread. */
export interface AnonymizeJobResult {
  /** The new SOP Instance UID when it can name the file (digits and dots, at most 64), else undefined. */
  readonly stem: string | undefined;
  /** The temporary file holding the output, for the main thread to rename (absent when nothing was written). */
  readonly temp?: string;
  readonly summary: AnonymizeSummary;
  /** The whole report, with `fullReports`. */
  readonly report?: AnonymizeReport;
  /** UIDs replaced for the first time in this thread (original, replacement), with `collectUids`. */
  readonly uids?: readonly (readonly [string, string])[];
  /** With `sniff`: why the file was passed over (not DICOM, DICOMDIR...), as findDicomFiles says it; nothing else is set. */
  readonly skipped?: string;
}

const NOTHING: AnonymizeSummary = { removed: 0, emptiedOrReplaced: 0, cleaned: 0, uidsReplaced: 0, burnedInRisk: [], warnings: [] };

/** A UID map that also lists the pairs added since it was last emptied, so each file sends only its new ones. */
class RecordingMap extends Map<string, string> {
  added: [string, string][] = [];

  override set(key: string, value: string): this {
    if (!this.has(key)) this.added.push([key, value]);
    return super.set(key, value);
  }
}

/** One file's result as it crosses threads: its value, or the parts of its error. */
export type AnonymizeJobOutcome =
  | { readonly ok: true; readonly value: AnonymizeJobResult }
  | { readonly ok: false; readonly error: { readonly code?: string; readonly message: string; readonly file?: string } };

/** What one thread keeps between files: the UID cache, anonymize's cache, the folders it made. */
export interface AnonymizeTaskState {
  readonly setup: AnonymizeSetup;
  readonly uidMap: RecordingMap;
  /** What the files of a series share (compiled free-text scrubber, pseudonyms, markers); identifying values, in memory only. */
  readonly cache: AnonymizeCache;
  readonly madeFolders: Set<string>;
  /** The RANDOM part of the next temporary file's name: random once per thread, then counted up (48 bits, 12 hex digits). */
  tempSerial: number;
}

/** A fresh state for one thread. */
export function createAnonymizeTaskState(setup: AnonymizeSetup): AnonymizeTaskState {
  return { setup, uidMap: new RecordingMap(), cache: createAnonymizeCache(), madeFolders: new Set(), tempSerial: randomInt(2 ** 47) };
}

/** Creates `folder` once per thread (and says which folder it could not create). */
function ensureFolder(folder: string, state: AnonymizeTaskState): void {
  if (state.madeFolders.has(folder)) return;
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw fileSystemError(error, folder, 'cannot create the folder');
  }
  state.madeFolders.add(folder);
}

/** The next temporary file's path in `folder`: `.NAME.PID.RANDOM.tmp`, the pattern `batch --resume` sweeps after a killed run. */
function temporaryPath(folder: string, stem: string, state: AnonymizeTaskState): string {
  const serial = state.tempSerial;
  state.tempSerial = (serial + 1) % 2 ** 48;
  return join(folder, `.${basename(stem)}.dcm.${process.pid}.${serial.toString(16).padStart(12, '0')}.tmp`);
}

/** What is left of `chunks` after the first `written` bytes (writev may write less than asked). */
function unwritten(chunks: readonly Uint8Array[], written: number): Uint8Array[] {
  let skip = written;
  const rest: Uint8Array[] = [];
  for (const chunk of chunks) {
    if (skip >= chunk.length) skip -= chunk.length;
    else {
      rest.push(skip === 0 ? chunk : chunk.subarray(skip));
      skip = 0;
    }
  }
  return rest;
}

/** Closes `fd` if open and removes the temporary file `temp`, after a failed write. */
function discard(fd: number | undefined, temp: string): void {
  if (fd !== undefined) {
    try {
      closeSync(fd);
    } catch {
      // the write error is the one to report
    }
  }
  try {
    unlinkSync(temp);
  } catch {
    // it was never created
  }
}

/** The counts and flags the human output prints for a file. */
export function summarize(report: AnonymizeReport): AnonymizeSummary {
  const { counts } = report;
  return {
    removed: counts.X, emptiedOrReplaced: counts.Z + counts.D, cleaned: counts.C, uidsReplaced: report.uidsReplaced, burnedInRisk: report.burnedInRisk,
    warnings: report.warnings,
  };
}

/** A file anonymized but not yet written: its result, and what to write where (absent when nothing is written). */
interface PreparedJob {
  readonly result: AnonymizeJobResult;
  readonly write?: { readonly folder: string; readonly stem: string; readonly chunks: readonly Uint8Array[] };
}

/** The work between reading a file and writing it: tell DICOM from the rest (with `sniff`), anonymize, name. */
function prepareJob(job: AnonymizeJob, bytes: Uint8Array, state: AnonymizeTaskState): PreparedJob {
  const { setup } = state;
  if (job.sniff === true) {
    const found = classifyDicomBytes(job.path, bytes);
    if (found.skipped) return { result: { stem: undefined, summary: NOTHING, skipped: found.reason } };
  }
  state.uidMap.added = [];
  const anonymized = anonymizeBytes(bytes, {
    secret: setup.secret, profile: setup.profile, options: setup.options, uidMap: state.uidMap, cache: state.cache, fileName: job.path,
    // The list of actions only when the whole report goes out (--json); the human output needs the counts alone.
    listActions: setup.fullReports,
    ...(setup.patientPrefix !== undefined ? { patientPrefix: setup.patientPrefix } : {}),
    ...(setup.dateShiftRange !== undefined ? { dateShiftRange: setup.dateShiftRange } : {}),
  });
  const sop = anonymized.file.dataset.elements.get(0x00080018);
  const first = sop !== undefined && Array.isArray(sop.value) ? (sop.value as readonly unknown[])[0] : undefined;
  const stem = typeof first === 'string' && /^[0-9.]{1,64}$/.test(first) ? first : undefined;
  const uids = setup.collectUids && state.uidMap.added.length > 0 ? state.uidMap.added : undefined;
  const result: AnonymizeJobResult = {
    stem,
    summary: summarize(anonymized.report),
    ...(setup.fullReports ? { report: anonymized.report } : {}),
    ...(uids !== undefined ? { uids } : {}),
  };
  if (job.folder === undefined || setup.dryRun) return { result };
  return { result, write: { folder: job.folder, stem: stem ?? 'anonymized', chunks: anonymized.chunks } };
}

// The callback forms, as promises (fs/promises' FileHandle objects cost more per call than these).
const readAt = promisify(read);
const openFile = promisify(open);
const writeAll = promisify(writev);

/** A file's bytes, and the pooled buffer holding them when they were read here. */
interface ReadBytes {
  readonly bytes: Uint8Array;
  readonly buffer?: Buffer;
}

/** Read buffers up to this size go back to the pool for the next files; larger ones are left to the GC. */
const POOLED_BUFFER_BYTES = 16 * 1024 * 1024;
/** Bytes of files read ahead and not yet written that one thread holds at most (one file larger than this alone). */
const READ_BUDGET_BYTES = 256 * 1024 * 1024;

/**
 * The read buffers of the files in flight: reused (up to {@link POOLED_BUFFER_BYTES} each), and handed out only
 * while the bytes already held leave room for the next file, in the order asked for, so that a folder of large
 * multi-frame files is not read into memory twelve at a time.
 */
class BufferPool {
  private readonly free: Buffer[] = [];
  private readonly queue: { readonly size: number; readonly resolve: (buffer: Buffer) => void }[] = [];
  private held = 0;

  constructor(private readonly budget: number) {}

  /** A buffer of at least `size` bytes, once there is room for it. */
  take(size: number): Promise<Buffer> {
    return new Promise((resolve) => {
      this.queue.push({ size, resolve });
      this.grant();
    });
  }

  give(buffer: Buffer): void {
    this.held -= buffer.length;
    if (buffer.length <= POOLED_BUFFER_BYTES) this.free.push(buffer);
    this.grant();
  }

  private grant(): void {
    for (let next = this.queue[0]; next !== undefined; next = this.queue[0]) {
      if (this.held > 0 && this.held + next.size > this.budget) return;
      this.queue.shift();
      const pooled = this.free.pop();
      const buffer = pooled !== undefined && pooled.length >= next.size ? pooled : Buffer.allocUnsafeSlow(Math.max(next.size, 1 << 20));
      this.held += buffer.length;
      next.resolve(buffer);
    }
  }
}

/**
 * Makes the function that runs one file's job in this thread: reads the file, anonymizes it, and (with a folder,
 * unless a dry run) writes it to a temporary file there. The file's bytes are read, its output file created and
 * written on libuv's thread pool, so with several files in flight the kernel's work runs on another core while this
 * thread anonymizes; only the cheap calls (opening to read, fstat, close, mkdir) block. Files are anonymized one at a
 * time, in the order they were handed in, so the UID pairs each reports as new do not depend on how many are in
 * flight. A job's promise rejects with a DicomError naming the file when it cannot be read, is not DICOM, or cannot be
 * written; `onAnonymized` is called when the job no longer waits to be anonymized (done, skipped or failed), before
 * its output is written. A file is read only while the files read and not yet written leave `readBudgetBytes` room
 * (or none is held).
 */
export function createAnonymizer(
  state: AnonymizeTaskState,
  readBudgetBytes = READ_BUDGET_BYTES,
): (job: AnonymizeJob, onAnonymized?: () => void) => Promise<AnonymizeJobResult> {
  const buffers = new BufferPool(readBudgetBytes);
  let previous: Promise<unknown> = Promise.resolve();
  const readFile = async (path: string): Promise<ReadBytes> => {
    let fd: number | undefined;
    let buffer: Buffer | undefined;
    try {
      const opened = openRegularFileSync(path);
      fd = opened.fd;
      const size = opened.size;
      buffer = await buffers.take(size);
      let got = 0;
      while (got < size) {
        const { bytesRead: n } = await readAt(fd, buffer, got, size - got, got);
        if (n === 0) break;
        got += n;
      }
      return { bytes: buffer.subarray(0, got), buffer };
    } catch (error) {
      if (buffer !== undefined) buffers.give(buffer);
      throw fileSystemError(error, path, 'cannot read');
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };
  const writeFile = async (folder: string, stem: string, chunks: readonly Uint8Array[]): Promise<string> => {
    ensureFolder(folder, state);
    const temp = temporaryPath(folder, stem, state);
    let fd: number | undefined;
    try {
      fd = await openFile(temp, 'wx'); // creating a file costs more than opening one: off this thread too
      const total = chunks.reduce((n, c) => n + c.length, 0);
      // writev may write less than asked: go on from where it stopped.
      let { bytesWritten: written } = await writeAll(fd, chunks as Uint8Array[]);
      while (written < total) written += (await writeAll(fd, unwritten(chunks, written))).bytesWritten;
      closeSync(fd);
      return temp;
    } catch (error) {
      discard(fd, temp);
      throw fileSystemError(error, join(folder, `${stem}.dcm`), 'cannot write');
    }
  };
  return (job, onAnonymized) => {
    const reading: Promise<ReadBytes> = job.bytes !== undefined ? Promise.resolve({ bytes: job.bytes }) : readFile(job.path);
    reading.catch(() => undefined); // its failure is reported through `done`, once the files before it are done
    const prepared = previous.then(() => reading).then(({ bytes }) => prepareJob(job, bytes, state));
    previous = prepared.catch(() => undefined);
    if (onAnonymized !== undefined) void previous.then(onAnonymized);
    const done = prepared.then(({ result, write }) => (write === undefined ? result : writeFile(write.folder, write.stem, write.chunks).then((temp) => ({ ...result, temp }))));
    // The buffer is free once the output no longer needs it (the Pixel Data is a view of it), whatever happened.
    void done.finally(() => reading.then(({ buffer }) => buffer !== undefined && buffers.give(buffer), () => undefined)).catch(() => undefined);
    return done;
  };
}
