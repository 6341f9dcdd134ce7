/**
 * Another person's run parameters, for a caller whom masking covers (red-team, 2026-12-07). An
 * investigation's parameters are the values its rows are about (an address, an ARN, an account),
 * which masking hides in the rows; sent as requested in `params`, the report's `params`, the
 * `run-start` event and the query as run, they gave those values away. Which column a parameter
 * is compared with is not known, so every text parameter (string, arn, account_id) of a run the
 * caller did not request is `[redacted]` for them (an `account_id` sent as a JSON number too);
 * numbers of number parameters, booleans, instants and durations are kept. The requester sent the values, and callers without masking see them all.
 */
import { type Caller, maskPlan, REDACTED, samePerson } from "@run-md/access";
import {
  API_PARAMS,
  coerceParam,
  insightsRegexLiteral,
  insightsStringLiteral,
  type ParamType,
  type Runbook,
  resolveParams,
  sqlStringLiteral,
} from "@run-md/core";
import type { ServerContext } from "../context.ts";
import { maskedFieldRead } from "../governance/masking.ts";
import type { RunRecord } from "../runs/record.ts";

const TEXT_TYPES: readonly ParamType[] = ["string", "arn", "account_id"];

/** What a caller sees of a run's parameter values. */
export interface ParamView {
  params(values: unknown): unknown;
  query(text: unknown, values: unknown): unknown;
  /**
   * A step's statistics: Athena's `executionParameters` (the values it bound, as SQL literals)
   * with the hidden values' literals redacted; every text literal when `values` is not known.
   */
  stats(stats: unknown, values: unknown): unknown;
}

const SHOWN: ParamView = { params: (v) => v, query: (q) => q, stats: (s) => s };

/** The view of `rec`'s parameters for `caller`: as they are, or with text values redacted. */
export function paramViewFor(ctx: ServerContext, caller: Caller, rec: RunRecord): ParamView {
  if (samePerson(rec.requester, caller) || maskPlan(ctx.guard.access, caller).size === 0)
    return SHOWN;
  const decls = ctx.catalog.get(rec.runbook)?.runbook.meta.params ?? {};
  /**
   * Whether a value is hidden: every text value but an instant or a duration the parameter is
   * declared as now. The declarations are the runbook's as served now, and the run may be older
   * than them: a parameter once `string`, now `duration` or `integer`, kept the value it was given
   * then (red-team, 2026-12-07), so the value itself must read as the instant or duration. A
   * runbook no longer served, or a parameter it no longer declares: every text value is hidden.
   * A number is hidden unless the parameter is declared a number now: the API takes an
   * `account_id` as a JSON number (`210987654321`), and the record keeps it so.
   */
  const hides = (name: string, v: unknown): v is string | number => {
    const decl = Object.hasOwn(decls, name) ? decls[name] : undefined;
    if (typeof v === "number") return decl?.type !== "integer" && decl?.type !== "number";
    if (typeof v !== "string") return false;
    if (decl === undefined || TEXT_TYPES.includes(decl.type)) return true;
    if (decl.type !== "timestamp" && decl.type !== "duration") return true;
    try {
      coerceParam(decl, v, "a recorded run");
      return false;
    } catch {
      return true;
    }
  };
  const textValues = (values: unknown): string[] =>
    isObject(values)
      ? Object.entries(values).flatMap(([k, v]) => (hides(k, v) ? [String(v)] : []))
      : [];
  const query = (text: unknown, values: unknown): unknown => {
    if (typeof text !== "string") return text;
    let out = text;
    for (const v of textValues(values)) {
      if (v === "") continue;
      out = out
        .replaceAll(sqlStringLiteral(v), sqlStringLiteral(REDACTED))
        .replaceAll(insightsStringLiteral(v), insightsStringLiteral(REDACTED));
      // A Logs Insights `like {{name}}`: the value as a regular expression literal.
      const regex = asRegexLiteral(v);
      if (regex !== undefined) out = out.replaceAll(regex, "/\\[redacted\\]/");
    }
    return out;
  };
  return {
    params: (values) =>
      isObject(values)
        ? Object.fromEntries(
            Object.entries(values).map(([k, v]) => [k, hides(k, v) ? REDACTED : v]),
          )
        : values,
    // The query as the engine ran it holds a value as a literal where the engine cannot bind it
    // (Logs Insights): each value's literal, in either dialect's quoting, is redacted.
    query,
    // Athena binds the values of a WHERE clause's parameters, and its statistics list them
    // (red-team, 2026-12-07: sent as they were beside a query and `params` that hid them).
    stats: (stats, values) => {
      if (!isObject(stats) || typeof stats.executionParameters !== "string") return stats;
      let bound: unknown;
      try {
        bound = JSON.parse(stats.executionParameters);
      } catch {
        bound = undefined;
      }
      if (!Array.isArray(bound)) return { ...stats, executionParameters: REDACTED };
      const hide = (literal: string) =>
        isObject(values)
          ? (query(literal, values) as string)
          : literal.replace(/'(?:[^']|'')*'/g, sqlStringLiteral(REDACTED));
      return {
        ...stats,
        executionParameters: JSON.stringify(
          bound.map((b) => (typeof b === "string" ? hide(b) : b)),
        ),
      };
    },
  };
}

function asRegexLiteral(v: string): string | undefined {
  try {
    return insightsRegexLiteral("value", v);
  } catch {
    return undefined; // a value no regular expression literal holds was never written as one
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Parameters whose value can ask a question of a masked field: text (string, arn, account_id)
 * and numbers (`try_cast(split_part(sourceipaddress, '.', 1) AS integer) = {{octet}}` run with 1,
 * 2, ... told the first octets from the counts: second review, 2026-12-08). A boolean, an instant
 * or a duration chooses between the runbook's own questions or the time read.
 */
const STEERING_TYPES: readonly ParamType[] = [...TEXT_TYPES, "integer", "number"];

/**
 * The text and number parameters (STEERING_TYPES) a masked caller's request gives another value
 * than the runbook's as written, where a step that reads a field masked for them references it
 * (`maskedFieldRead`: every part of the field's path a word of the step's query, or `@message`).
 * Such a value is a question about the masked values: `sourceipaddress LIKE {{p}}` run with
 * `52.%`, `52.9%`, ... spelt the addresses out from the counts, one character a run (red-team,
 * 2026-12-07), the very filter `query` is refused to such a caller for. Empty for a caller whom
 * no masking rule covers. `params` are the request's, already checked (`checkRunRequest`).
 */
export function steeredMaskedParams(
  ctx: ServerContext,
  caller: Caller,
  runbook: Runbook,
  params: Record<string, unknown>,
): string[] {
  const plan = maskPlan(ctx.guard.access, caller);
  if (plan.size === 0) return [];
  const configured = ctx.runs.configParams(runbook.meta.id);
  const given = resolveParams(runbook, { ...configured, ...params }, {}, undefined, API_PARAMS);
  const written = writtenValues(runbook, configured, params);
  const decls = runbook.meta.params;
  return Object.keys(params).filter(
    (name) =>
      STEERING_TYPES.includes(decls[name]!.type) &&
      (!Object.hasOwn(written, name) ||
        JSON.stringify(given[name]) !== JSON.stringify(written[name])) &&
      runbook.steps.some(
        (s) =>
          s.paramRefs.some((r) => r.name === name) && maskedFieldRead(plan, s.query) !== undefined,
      ),
  );
}

/**
 * The runbook's values as written (its defaults, the configuration's `params.<id>`), by name; a
 * parameter with neither is left out (every value of it is the caller's). The request's values
 * stand in for those while resolving only: a required parameter made the whole runbook as written
 * unresolvable, and a value given as written was taken for the caller's.
 */
function writtenValues(
  runbook: Runbook,
  configured: Record<string, unknown>,
  params: Record<string, unknown>,
): Record<string, unknown> {
  const decls = runbook.meta.params;
  const unwritten = Object.keys(decls).filter(
    (n) => decls[n]!.default === undefined && !Object.hasOwn(configured, n),
  );
  const fill = Object.fromEntries(unwritten.map((n) => [n, params[n]]));
  const out: Record<string, unknown> = resolveParams(
    runbook,
    { ...fill, ...configured },
    {},
    undefined,
    API_PARAMS,
  );
  for (const n of unwritten) delete out[n];
  return out;
}
