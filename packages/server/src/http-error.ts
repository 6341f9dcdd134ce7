import { isRunMdError } from "@run-md/core";

/** An answer other than success: status, a message for people, and the field at fault if any. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** `field`, `hint`, `code`, and figures a client may use (a budget's, spec §8). */
    readonly extra: { field?: string; hint?: string; code?: string; [k: string]: unknown } = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { error: this.message, ...this.extra };
  }
}

/** A core `RunMdError` (bad parameter, bad window) as a 400 that keeps its message and hint. */
export function badRequest(e: unknown, field?: string): HttpError {
  if (isRunMdError(e)) {
    return new HttpError(400, e.message, {
      code: e.code,
      ...(field === undefined ? {} : { field }),
      ...(e.hint === undefined ? {} : { hint: e.hint }),
    });
  }
  throw e;
}
