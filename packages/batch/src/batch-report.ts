import type { BatchResult } from './run-batch.js';

/** One line of a {@link BatchReport}. */
export type BatchReportEntry =
  | { readonly input: string; readonly status: 'ok'; readonly durationMs: number; readonly output?: string; readonly detail?: unknown }
  | { readonly input: string; readonly status: 'failed'; readonly durationMs: number; readonly error: { readonly code: string; readonly message: string } }
  | { readonly input: string; readonly status: 'skipped'; readonly reason: string }
  | { readonly input: string; readonly status: 'cancelled'; readonly reason: string };

/** The JSON report of a batch (what `--report FILE` writes). */
export interface BatchReport {
  readonly operation: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /** True when the batch was cancelled: the entries are what was done before it stopped. */
  readonly cancelled: boolean;
  readonly counts: {
    readonly processed: number; readonly ok: number; readonly failed: number; readonly skipped: number;
    /** Inputs not started because the batch was cancelled (present only in a cancelled batch's report). */
    readonly cancelled?: number;
  };
  /** Every input, sorted by path: processed files, then nothing else is hidden (skipped files are listed too). */
  readonly files: readonly BatchReportEntry[];
}

/** Collects results into a {@link BatchReport}; owned by the caller (one per batch). */
export interface BatchReportBuilder {
  /** Records a task result; `describe` picks the output path and any detail from the value. */
  add<I extends { readonly path: string }, V>(result: BatchResult<I, V>, describe?: (value: V) => { output?: string; detail?: unknown }): void;
  /** Records an input that was not processed. */
  skip(path: string, reason: string): void;
  /** Records an input that was not started because the batch was cancelled (status `cancelled`: not done). */
  cancel(path: string, reason?: string): void;
  /** The report so far; `cancelled` marks a batch stopped early. */
  build(options?: { readonly cancelled?: boolean }): BatchReport;
}

/** A new, empty report for `operation` (a name such as `anonymize`), started now. */
export function createBatchReport(operation: string): BatchReportBuilder {
  const started = new Date();
  const t0 = performance.now();
  const entries: BatchReportEntry[] = [];
  return {
    add(result, describe) {
      if (result.ok) {
        const extra = describe?.(result.value) ?? {};
        entries.push({
          input: result.input.path, status: 'ok', durationMs: round(result.durationMs),
          ...(extra.output !== undefined ? { output: extra.output } : {}),
          ...(extra.detail !== undefined ? { detail: extra.detail } : {}),
        });
      } else {
        entries.push({ input: result.input.path, status: 'failed', durationMs: round(result.durationMs), error: { code: result.error.code, message: result.error.message } });
      }
    },
    skip(path, reason) {
      entries.push({ input: path, status: 'skipped', reason });
    },
    cancel(path, reason = 'not done: the batch was interrupted before this file started') {
      entries.push({ input: path, status: 'cancelled', reason });
    },
    build(options = {}) {
      const files = [...entries].sort((a, b) => (a.input < b.input ? -1 : a.input > b.input ? 1 : 0));
      const ok = files.filter((e) => e.status === 'ok').length;
      const failed = files.filter((e) => e.status === 'failed').length;
      const cancelled = files.filter((e) => e.status === 'cancelled').length;
      return {
        operation,
        startedAt: started.toISOString(),
        finishedAt: new Date().toISOString(),
        durationMs: round(performance.now() - t0),
        cancelled: options.cancelled === true,
        counts: {
          processed: ok + failed, ok, failed, skipped: files.length - ok - failed - cancelled,
          ...(options.cancelled === true || cancelled > 0 ? { cancelled } : {}),
        },
        files,
      };
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
