import { isRunMdError } from "@run-md/core";

/** Of a text a caller chose (a path, a header), what an audit entry keeps (a line may be 16 KB). */
const KEPT = 256;

export function clipped(text: string): string {
  return text.length <= KEPT ? text : `${text.slice(0, KEPT)}… (${text.length} characters)`;
}

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

/**
 * A core `RunMdError` (bad parameter, bad window) as a 400 that keeps its message and hint, in
 * the API's words: core names the CLI's flags (`--since "x" is not a duration`), a request has
 * the fields `since`, `from` and `to` (found by review).
 */
export function badRequest(e: unknown, field?: string): HttpError {
  if (isRunMdError(e)) {
    const fields = (text: string) => text.replace(/--(since|from|to)\b/g, "$1");
    return new HttpError(400, fields(e.message), {
      code: e.code,
      ...(field === undefined ? {} : { field }),
      ...(e.hint === undefined ? {} : { hint: fields(e.hint) }),
    });
  }
  throw e;
}

/**
 * Why a request was refused, for its audit entry: the answer's status, code and message, clipped
 * (a message repeats the bad value: a 60 KB parameter made its entry twice that; found by review).
 */
export function refusalOf(e: unknown): { status: number; code: string; error: string } {
  if (e instanceof HttpError)
    return {
      status: e.status,
      code: e.extra.code ?? e.extra.field ?? "bad-request",
      error: clipped(e.message),
    };
  if (isRunMdError(e)) return { status: 400, code: e.code, error: clipped(e.message) };
  return { status: 500, code: "internal", error: clipped(String(e)) };
}
