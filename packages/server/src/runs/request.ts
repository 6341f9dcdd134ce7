/**
 * `POST /api/runs` bodies, checked completely before anything is queued: the fields, the
 * parameters (core's `coerceParam`/`resolveParams`, so messages read as the CLI's) and the window
 * (core's `resolveWindow`, plus: not in the future).
 */
import {
  API_PARAMS,
  checkInsightsRegexValues,
  coerceParam,
  engineChoices,
  isRunMdError,
  paramSourceOf,
  type Runbook,
  readInstant,
  resolveParams,
  resolveWindow,
  type WindowSpec,
} from "@run-md/core";
import { badRequest, clipped, HttpError } from "../http-error.ts";

export interface RunRequest {
  runbook: string;
  params: Record<string, unknown>;
  window: WindowSpec;
  engine?: string;
}

const FIELDS = ["runbook", "params", "since", "from", "to", "engine"];

/**
 * A request body as an object with only the `fields` it may have: 400 otherwise (`example` shows
 * the shape expected).
 */
export function bodyFields(
  body: unknown,
  fields: readonly string[],
  example: string,
): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new HttpError(400, `the body must be a JSON object such as ${example}`);
  }
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).find((k) => !fields.includes(k));
  if (unknown !== undefined) {
    throw new HttpError(400, `unknown field "${unknown}" (expected ${fields.join(", ")})`, {
      field: unknown,
    });
  }
  return b;
}

/**
 * The runbook a run request names, read first: the caller's right to it is known before the rest
 * of the body is read, so a request refused for the rest is audited (spec §9).
 */
export function requestedRunbook(body: unknown): string {
  const b = bodyFields(body, FIELDS, '{"runbook": "audit-iam"}');
  if (typeof b.runbook !== "string" || b.runbook === "") {
    throw new HttpError(400, 'field "runbook" is required: the id of a runbook', {
      field: "runbook",
    });
  }
  return b.runbook;
}

/** The body's shape: runbook, params, window and engine (not yet checked against the runbook). */
export function parseRunBody(body: unknown): RunRequest {
  requestedRunbook(body);
  const b = body as Record<string, unknown>;
  const params = b.params ?? {};
  if (params === null || typeof params !== "object" || Array.isArray(params)) {
    throw new HttpError(400, 'field "params" must be an object of parameter values', {
      field: "params",
    });
  }
  const { window, engine } = windowAndEngine(b);
  return {
    runbook: b.runbook as string,
    params: params as Record<string, unknown>,
    window,
    ...(engine === undefined ? {} : { engine }),
  };
}

/**
 * Checks the request against the runbook: every parameter value, the full parameter set, the
 * window. Returns whether it departs from the runbook as written (then it needs `run:params`):
 * other parameter values, another window, or an `engine` named at all (as written, the runbook
 * runs on the engines the configuration and its steps choose, as `run-md run` without --engine).
 */
export function checkRunRequest(
  runbook: Runbook,
  req: RunRequest,
  configParams: Record<string, unknown>,
  now: Date,
): { changesDefaults: boolean } {
  const decls = runbook.meta.params;
  for (const [name, value] of Object.entries(req.params)) {
    if (!Object.hasOwn(decls, name)) {
      const known = Object.keys(decls);
      throw new HttpError(400, `unknown parameter "${name}" for runbook ${runbook.meta.id}`, {
        field: `params.${name}`,
        hint: known.length
          ? `This runbook declares: ${known.join(", ")}.`
          : "This runbook declares no parameters.",
      });
    }
    try {
      coerceParam(decls[name]!, value, API_PARAMS);
    } catch (e) {
      throw badRequest(e, `params.${name}`);
    }
  }
  let asRequested: string;
  try {
    // The request's values are typed JSON, taken as configured ones; API_PARAMS names the
    // request as the place a missing value goes.
    const resolved = resolveParams(
      runbook,
      { ...configParams, ...req.params },
      {},
      undefined,
      API_PARAMS,
    );
    // A value a Logs Insights step cannot write as its regular expression: refused here, not as
    // an errored run that blamed the configuration.
    checkInsightsRegexValues(runbook, resolved, (name) =>
      paramSourceOf(name, [
        ["configuration", configParams],
        [API_PARAMS, req.params],
      ]),
    );
    asRequested = JSON.stringify(resolved);
  } catch (e) {
    throw badRequest(e, "params");
  }
  checkWindow(runbook, req.window, now);
  let asWritten: string | undefined;
  try {
    asWritten = JSON.stringify(resolveParams(runbook, configParams));
  } catch {
    asWritten = undefined; // a required parameter without a value: the request supplies it
  }
  const windowChanged =
    Object.keys(req.window).length > 0 &&
    !(
      req.window.since !== undefined &&
      req.window.since === runbook.meta.window &&
      req.window.from === undefined &&
      req.window.to === undefined
    );
  return {
    changesDefaults: asWritten !== asRequested || windowChanged || req.engine !== undefined,
  };
}

/** The window as core resolves it (a window in the future is refused with the fields). */
function checkWindow(runbook: Runbook, spec: WindowSpec, now: Date): void {
  try {
    resolveWindow(spec, runbook.meta.window, now);
  } catch (e) {
    const field = isRunMdError(e) ? e.details?.field : undefined;
    throw badRequest(e, typeof field === "string" ? field : "from");
  }
}

/** A 400 for a window that ends in the future (runs and ad-hoc queries alike). */
function notInFuture(spec: WindowSpec, now: Date): void {
  for (const k of ["from", "to"] as const) {
    // Read as the window reads it (core's readInstant): every offset form it takes (+05 too).
    const at = spec[k] === undefined ? undefined : readInstant(spec[k]!, true).date;
    if (at !== undefined && at.getTime() > now.getTime()) {
      throw new HttpError(
        400,
        `the window may not end in the future: ${k} "${spec[k]}" is after now`,
        { field: k, code: "bad-window" },
      );
    }
  }
}

/**
 * The window (`since`, or `from`/`to`) and `engine` fields of a run or query request, checked:
 * a 400 naming the field otherwise.
 */
export function windowAndEngine(b: Record<string, unknown>): {
  window: WindowSpec;
  engine?: string;
} {
  const window: WindowSpec = {};
  for (const k of ["since", "from", "to"] as const) {
    if (b[k] === undefined) continue;
    if (typeof b[k] !== "string")
      throw new HttpError(400, `field "${k}" must be a string`, { field: k });
    window[k] = b[k] as string;
  }
  notInFuture(window, new Date());
  if (
    b.engine !== undefined &&
    (typeof b.engine !== "string" || !engineChoices().includes(b.engine))
  ) {
    throw new HttpError(400, `field "engine" must be one of ${engineChoices().join(", ")}`, {
      field: "engine",
    });
  }
  return { window, ...(b.engine === undefined ? {} : { engine: b.engine as string }) };
}

/**
 * A refused request's parameters as its audit entry keeps them: an object's values as text, each
 * clipped; anything else named by its kind (review: a string, an array or a long value went in
 * as sent). Every refusal of a run request keeps them so (red-team: one refused for `run:params`
 * or past the queue's limit kept 60 KB of them, synced, a request).
 */
export function refusedParams(params: unknown): Record<string, string> | string | undefined {
  if (params === undefined) return undefined;
  if (params === null || typeof params !== "object" || Array.isArray(params))
    return `(not an object: ${params === null ? "null" : Array.isArray(params) ? "an array" : typeof params})`;
  return Object.fromEntries(
    Object.entries(params as Record<string, unknown>).map(([k, v]) => [
      clipped(k),
      clipped(typeof v === "string" ? v : (JSON.stringify(v) ?? String(v))),
    ]),
  );
}
