/**
 * Errors with a stable code, an exit code and an optional hint. Programmer errors are plain
 * `Error`s; everything a user can cause (a bad parameter, an engine failure) is a `RunMdError`.
 */
export class RunMdError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  /** 1 for a failed expectation, 2 for a runbook, parameter, configuration or engine error. */
  readonly exitCode: number;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    options: {
      hint?: string;
      exitCode?: number;
      retryable?: boolean;
      cause?: unknown;
      details?: Record<string, unknown>;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RunMdError";
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 2;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

export function isRunMdError(e: unknown): e is RunMdError {
  return e instanceof RunMdError;
}
