/**
 * The exit codes of `dicom-tools` (STYLE.md): 0 ok, 1 the operation failed (a file could not be read or an
 * edit could not be applied; `validate`: a file is invalid), 2 usage (bad flags; `validate`: a file is
 * unreadable), 3 a batch finished with failures, 70 an internal bug, 130 interrupted.
 */
export const ExitCodes = {
  ok: 0,
  failed: 1,
  usage: 2,
  batchFailures: 3,
  internal: 70,
  interrupted: 130,
} as const;

/** One of the values of {@link ExitCodes}. */
export type ExitCode = (typeof ExitCodes)[keyof typeof ExitCodes];
