// The per-file work of `anonymize DIR` and `batch anonymize`, the one implementation both run, in this thread
// (--jobs 1) or in worker threads (_anonymize-worker.ts): read the file with blocking calls into a reused buffer,
// anonymize its header (Pixel Data passed through as a view of that buffer, never decoded or copied), write header
// and Pixel Data with one writev into a temporary file in the output folder. The final, collision-free name is
// given by the main thread (_anonymize-runner.ts), which renames the temporary file in input order.
import { randomInt } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, unlinkSync, writevSync } from 'node:fs';
import { basename, join } from 'node:path';
import { anonymizeBytes, type AnonymizeReport, type BurnedInReason, type ProfileOptionName } from '@dicom-tools/anonymize';
import { classifyDicomBytes, fileSystemError } from '@dicom-tools/core';

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

/** What one thread keeps between files: the read buffer, the UID cache, the folders it made. */
export interface AnonymizeTaskState {
  readonly setup: AnonymizeSetup;
  buffer: Buffer;
  readonly uidMap: RecordingMap;
  readonly madeFolders: Set<string>;
  /** The free-text patterns anonymize builds, reused by the next files of one patient. */
  /** The RANDOM part of the next temporary file's name: random once per thread, then counted up (48 bits, 12 hex digits). */
  tempSerial: number;
}

/** A fresh state for one thread. */
export function createAnonymizeTaskState(setup: AnonymizeSetup): AnonymizeTaskState {
  return { setup, buffer: Buffer.allocUnsafeSlow(1 << 20), uidMap: new RecordingMap(), madeFolders: new Set(), tempSerial: randomInt(2 ** 47) };
}

/** The whole file at `path`, read into the state's buffer (grown when needed): a view valid until the next read. */
function readWhole(path: string, state: AnonymizeTaskState): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    if (size > state.buffer.length) state.buffer = Buffer.allocUnsafeSlow(Math.max(size, state.buffer.length * 2));
    let got = 0;
    while (got < size) {
      const n = readSync(fd, state.buffer, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return state.buffer.subarray(0, got);
  } catch (error) {
    throw fileSystemError(error, path, 'cannot read');
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes `chunks` one after the other into a new temporary file in `folder` and returns its path. */
function writeTemporary(folder: string, stem: string, chunks: readonly Uint8Array[], state: AnonymizeTaskState): string {
  if (!state.madeFolders.has(folder)) {
    try {
      mkdirSync(folder, { recursive: true });
    } catch (error) {
      throw fileSystemError(error, folder, 'cannot create the folder');
    }
    state.madeFolders.add(folder);
  }
  // `.NAME.PID.RANDOM.tmp`, the pattern `batch --resume` sweeps after a killed run.
  const serial = state.tempSerial;
  state.tempSerial = (serial + 1) % 2 ** 48;
  const temp = join(folder, `.${basename(stem)}.dcm.${process.pid}.${serial.toString(16).padStart(12, '0')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx');
    const total = chunks.reduce((n, c) => n + c.length, 0);
    let written = writevSync(fd, chunks as Uint8Array[]);
    // writev may write less than asked: go on from where it stopped.
    while (written < total) {
      let skip = written;
      const rest: Uint8Array[] = [];
      for (const chunk of chunks) {
        if (skip >= chunk.length) skip -= chunk.length;
        else {
          rest.push(chunk.subarray(skip));
          skip = 0;
        }
      }
      written += writevSync(fd, rest);
    }
    closeSync(fd);
    fd = undefined;
    return temp;
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // it was never created
    }
    throw fileSystemError(error, join(folder, `${stem}.dcm`), 'cannot write');
  }
}

/** The counts and flags the human output prints for a file. */
export function summarize(report: AnonymizeReport): AnonymizeSummary {
  let removed = 0;
  let emptiedOrReplaced = 0;
  let cleaned = 0;
  for (const action of report.actions) {
    if (action.action === 'X') removed++;
    else if (action.action === 'Z' || action.action === 'D') emptiedOrReplaced++;
    else if (action.action === 'C') cleaned++;
  }
  return { removed, emptiedOrReplaced, cleaned, uidsReplaced: report.uidsReplaced, burnedInRisk: report.burnedInRisk, warnings: report.warnings };
}

/**
 * Anonymizes one file: reads it, anonymizes it, and (with a folder, unless a dry run) writes it to a temporary file
 * there. Throws a DicomError naming the file when it cannot be read, is not DICOM, or cannot be written.
 */
export function runAnonymizeJob(job: AnonymizeJob, state: AnonymizeTaskState): AnonymizeJobResult {
  const { setup } = state;
  const bytes = job.bytes ?? readWhole(job.path, state);
  if (job.sniff === true) {
    const found = classifyDicomBytes(job.path, bytes);
    if (found.skipped) return { stem: undefined, summary: NOTHING, skipped: found.reason };
  }
  state.uidMap.added = [];
  const result = anonymizeBytes(bytes, {
    secret: setup.secret, profile: setup.profile, options: setup.options, uidMap: state.uidMap, fileName: job.path,
    ...(setup.patientPrefix !== undefined ? { patientPrefix: setup.patientPrefix } : {}),
    ...(setup.dateShiftRange !== undefined ? { dateShiftRange: setup.dateShiftRange } : {}),
  });
  const sop = result.file.dataset.elements.get(0x00080018);
  const first = sop !== undefined && Array.isArray(sop.value) ? (sop.value as readonly unknown[])[0] : undefined;
  const stem = typeof first === 'string' && /^[0-9.]{1,64}$/.test(first) ? first : undefined;
  const temp = job.folder !== undefined && !setup.dryRun ? writeTemporary(job.folder, stem ?? 'anonymized', result.chunks, state) : undefined;
  const uids = setup.collectUids && state.uidMap.added.length > 0 ? state.uidMap.added : undefined;
  return {
    stem,
    ...(temp !== undefined ? { temp } : {}),
    summary: summarize(result.report),
    ...(setup.fullReports ? { report: result.report } : {}),
    ...(uids !== undefined ? { uids } : {}),
  };
}
