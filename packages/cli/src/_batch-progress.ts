// The progress bar of `dicom-tools batch`: done/total, a bar once the total is known, failures, rate and ETA, on
// stderr. On a terminal it redraws one line (at most 10 times a second); elsewhere (--progress into a log) it
// prints a line at most once a second, so a log is not flooded.
import type { BatchProgress } from '@dicom-tools/batch';

/** Where and how the progress goes. */
export interface ProgressOptions {
  /** Writes to stderr. */
  readonly write: (text: string) => void;
  /** True when stderr is a terminal: redraw in place. */
  readonly tty: boolean;
  /** The clock in milliseconds (tests pass their own). Default `performance.now`. */
  readonly now?: () => number;
}

/** Shows progress: `update` after each item, `interrupt` before printing a line of its own, `end` once. */
export interface ProgressPrinter {
  /** `total`: the number of inputs, when known. */
  update(progress: BatchProgress, total?: number): void;
  interrupt(): void;
  /** Shows the final figures (`total`: the number of inputs, known by now) and ends the line. */
  end(total?: number): void;
}

const BAR_WIDTH = 24;

function duration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/**
 * One progress line (no line ending): `[####----] 120/1000 12%, 2 failed, 45.3 files/s, ETA 0:19`. `total` is the
 * number of inputs when known (else the inputs' end, once runBatch has reached it).
 */
export function progressText(p: BatchProgress, total = p.inputsExhausted ? p.started : undefined): string {
  const rate = p.elapsedMs > 0 ? (p.done * 1000) / p.elapsedMs : 0;
  let head: string;
  if (total !== undefined && total > 0) {
    const filled = Math.round((p.done / total) * BAR_WIDTH);
    head = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${p.done}/${total} ${Math.floor((p.done * 100) / total)}%`;
  } else {
    head = `${p.done}/${p.started}+ files`;
  }
  const eta = total !== undefined && rate > 0 ? duration((total - p.done) / rate) : '?';
  return `${head}, ${p.failed} failed, ${rate.toFixed(1)} files/s, ETA ${eta}`;
}

/** A progress printer writing through `options.write`. */
export function createProgressPrinter(options: ProgressOptions): ProgressPrinter {
  const now = options.now ?? (() => performance.now());
  const interval = options.tty ? 100 : 1000;
  let last: { p: BatchProgress; total: number | undefined } | undefined;
  let shownAt = -Infinity;
  let onScreen = false;
  const show = (shown: NonNullable<typeof last>): void => {
    shownAt = now();
    const text = progressText(shown.p, shown.total ?? (shown.p.inputsExhausted ? shown.p.started : undefined));
    if (options.tty) {
      options.write(`\r${text}\x1b[K`);
      onScreen = true;
    } else {
      options.write(`${text}\n`);
    }
  };
  return {
    update(p, total) {
      last = { p, total };
      if (now() - shownAt >= interval) show(last);
    },
    interrupt() {
      if (onScreen) options.write('\r\x1b[K');
      onScreen = false;
      shownAt = -Infinity; // redraw at the next update
    },
    end(total) {
      if (last !== undefined) show({ p: last.p, total: total ?? last.total }); // the final figures
      if (onScreen) options.write('\n');
      onScreen = false;
    },
  };
}
