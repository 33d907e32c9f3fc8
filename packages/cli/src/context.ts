/** Where a command writes: injected so that tests and other hosts can capture output. */
export interface CliIo {
  /** Writes to standard output (text is written as given: callers add newlines). */
  readonly stdout: (text: string) => void;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
}

/** What every command receives besides its own arguments and flags. */
export interface CommandContext {
  readonly io: CliIo;
  /** Aborted on SIGINT; passed to every library call that takes a signal. */
  readonly signal: AbortSignal;
  /** Whether to colour human output (stdout is a TTY and NO_COLOR is unset). */
  readonly color: boolean;
}

/** The flags every command accepts. */
export interface CommonOptions {
  /** Print one JSON document on stdout instead of human text. */
  readonly json?: boolean;
  /** Print nothing but errors (and what the command exists to print, for info/dump/list-tags). */
  readonly quiet?: boolean;
}
