/** A mistake in how the command was called (flags that conflict, a missing `-o`, edits that are not JSON): exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The DicomError code behind it, when a library call rejected the user's input (printed as `[CODE]`). */
  readonly code: string | undefined;

  constructor(message: string, options: { readonly code?: string; readonly cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = options.code;
  }
}

/** True when `error` is a {@link UsageError}. */
export function isUsageError(error: unknown): error is UsageError {
  return error instanceof UsageError;
}
