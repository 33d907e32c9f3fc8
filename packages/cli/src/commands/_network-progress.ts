// The progress line of `dicom-tools store` on stderr: shown by default when stderr is a terminal (redrawn in place at
// most 10 times a second), with --progress also into a pipe or log (a line at most once a second), never with
// --no-progress, --quiet or --json.

/** Where and how the progress goes. */
export interface StoreProgressOptions {
  /** Writes to stderr. */
  readonly write: (text: string) => void;
  /** True when stderr is a terminal: the line is redrawn in place. */
  readonly tty: boolean;
  /** The clock in milliseconds (tests pass their own). Default `performance.now`. */
  readonly now?: () => number;
}

/** Shows progress: `update` after each instance, `interrupt` before another line goes to stderr, `end` once. */
export interface StoreProgress {
  update(done: number, total: number, failed: number): void;
  interrupt(): void;
  end(): void;
}

const BAR_WIDTH = 24;

/** One progress line (no line ending): `[######------] 250/1000 25%, 1 failed, 480.2 files/s, ETA 0:02`. */
export function storeProgressText(done: number, total: number, failed: number, elapsedMs: number): string {
  const filled = total > 0 ? Math.round((done / total) * BAR_WIDTH) : 0;
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const left = rate > 0 ? Math.ceil((total - done) / rate) : undefined;
  const eta = left === undefined ? '?' : `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  const percent = total > 0 ? Math.floor((done * 100) / total) : 100;
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${done}/${total} ${percent}%, ${failed} failed, ${rate.toFixed(1)} files/s, ETA ${eta}`;
}

/** Whether to show progress: --progress / --no-progress decide; otherwise only on a terminal, and never with --quiet or --json. */
export function wantsProgress(flag: boolean | undefined, stderrIsTty: boolean, quiet: boolean, json: boolean): boolean {
  return flag ?? (stderrIsTty && !quiet && !json);
}

/** A progress printer writing through `options.write`. */
export function createStoreProgress(options: StoreProgressOptions): StoreProgress {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const interval = options.tty ? 100 : 1000;
  let shownAt = -Infinity;
  let last: { done: number; total: number; failed: number } | undefined;
  let onScreen = false;
  const show = (s: { done: number; total: number; failed: number }): void => {
    shownAt = now();
    const text = storeProgressText(s.done, s.total, s.failed, shownAt - started);
    if (options.tty) {
      options.write(`\r${text}\x1b[K`);
      onScreen = true;
    } else options.write(`${text}\n`);
  };
  return {
    update(done, total, failed) {
      last = { done, total, failed };
      if (now() - shownAt >= interval) show(last);
    },
    interrupt() {
      if (onScreen) options.write('\r\x1b[K');
      onScreen = false;
      // Redrawn at the next update.
      shownAt = -Infinity;
    },
    end() {
      if (last) show(last);
      if (onScreen) options.write('\n');
      onScreen = false;
    },
  };
}
