/**
 * CloudWatch Logs Insights operations (`Logs_20140328.*`): StartQuery, GetQueryResults, StopQuery
 * (and DescribeLogGroups, for where the log groups' events begin),
 * backed by the local engine's Logs Insights translation over the log directory.
 *
 * A query runs asynchronously from StartQuery on. GetQueryResults reports Scheduled, then Running
 * (with a growing prefix of the results as partial results, as the service does), then Complete,
 * or the status a fault asks for. Results are `{field, value}` arrays without missing fields and
 * with `@ptr` for non-stats queries, 10,000 rows a page with a `nextToken`. Every log group holds
 * every event of the directory unless the `groupAccounts` fault gives each its own accounts'; a
 * query that reads `@log` (`account-id:log-group-name`) runs once per group (`runPrefixes`).
 */
import type { Engine, QueryResult } from "@run-md/core";
import {
  type InsightsQuery,
  InsightsSyntaxError,
  parseInsights,
  translateInsights,
} from "@run-md/insights";
import { type EmulatorContext, type Handler, ServiceError } from "./context.ts";
import { pageToken, readPageToken } from "./page-token.ts";

/** Faults for the Logs service, under `faults.logs`. Tests change them between calls. */
export interface LogsFaults {
  /** New queries answer Scheduled for this many GetQueryResults calls... */
  scheduledPolls?: number;
  /** ...then Running, with partial results, for this many (and as long as the engine works). */
  runningPolls?: number;
  /**
   * Each new query takes the first status off this list and ends with it (a `Complete` lets one
   * query through, to fail a later one: an engine's probe after the step's query).
   */
  outcomes?: Array<"Complete" | "Failed" | "Timeout" | "Cancelled" | "Unknown">;
  /** New queries stay Running until StopQuery. */
  hang?: boolean;
  /** When set, log groups outside this list are ResourceNotFoundException. */
  logGroups?: string[];
  /**
   * Epoch seconds before which the log groups hold no events (their creation, or the start of
   * their retention): a StartQuery whose endTime is earlier fails with the service's
   * MalformedQueryException, and a window that starts earlier reads only what follows.
   */
  retainedFrom?: number;
  /**
   * The log groups' retention, in days: they hold no events older than that (with
   * `retainedFrom`, the later of the two bounds), and DescribeLogGroups reports it.
   */
  retentionInDays?: number;
  /** DescribeLogGroups is AccessDeniedException (credentials without logs:DescribeLogGroups). */
  describeDenied?: boolean;
  /**
   * Each log group's own events: a group named here holds the events of these accounts only (an
   * event's account is its `recipientAccountId`), a group not named here none, an empty list
   * none (a trail whose group never got events). Without it every group holds every event of
   * the directory. Groups are keyed by name; a query may name them by ARN. Events of an account
   * two queried groups hold count once (the directory is read once), except in a query that
   * reads `@log` (below).
   */
  groupAccounts?: Record<string, string[]>;
  /**
   * The account `@log` names (the service's `account-id:log-group-name`): by default the
   * account of the ARN the query named the group by, else the emulator's own, 111122223333.
   * Tests set it to answer a `@log` of another account or shape.
   */
  logAccount?: string;
  /**
   * Log groups (by name) that also hold this many log events of another source in any window (a
   * VPC flow log's, a Lambda's: none of CloudTrail's fields), as a log group named by mistake
   * does: counted in `recordsScanned` and `bytesScanned` (300 bytes each) only. No query finds
   * them, a filter on a CloudTrail field as on the service; a bare `stats count(*)` does not
   * count them here (give such a group no accounts in `groupAccounts`).
   */
  otherEvents?: Record<string, number>;
}

type Status = "Scheduled" | "Running" | "Complete" | "Failed" | "Cancelled" | "Timeout" | "Unknown";

interface Field {
  field: string;
  value: string;
}

interface QueryRecord {
  id: string;
  status: Status;
  polls: number;
  /** Polls answered since the engine finished. */
  finishedPolls: number;
  outcome: Status;
  hang: boolean;
  scheduledPolls: number;
  runningPolls: number;
  aggregated: boolean;
  controller: AbortController;
  /** Set when the engine has finished (rows or error). */
  finished: boolean;
  rows: Field[][];
  error?: string;
  recordsScanned: number;
  recordsMatched: number;
  bytesScanned: number;
  ast: InsightsQuery;
  logGroups: number;
}

const PAGE = 10_000;
/** Finished queries kept for GetQueryResults; older ones are forgotten. */
const MAX_KEPT = 200;

function fail(type: string, message: string, extra: Record<string, unknown> = {}): never {
  // CloudWatch Logs error bodies carry a lowercase `message`.
  throw new ServiceError(type, message, { message, ...extra });
}

function logsFaults(ctx: EmulatorContext): LogsFaults {
  return (ctx.faults.logs as LogsFaults | undefined) ?? {};
}

function valueText(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/**
 * One Insights query that counts the window's events and those the query's filters keep (the
 * filters before its first stats, limit or dedup), for `recordsScanned` and `recordsMatched`.
 */
export function countQuery(ast: InsightsQuery): string {
  const conditions: string[] = [];
  const parts: string[] = [];
  for (const c of ast.commands) {
    if (c.kind === "stats" || c.kind === "limit" || c.kind === "dedup") break;
    if (c.kind === "filter") conditions.push(`(${c.expr.text})`);
    else if (c.kind === "fields" || c.kind === "parse") parts.push(c.text);
  }
  parts.push(`fields ${conditions.length ? conditions.join(" and ") : "1 = 1"} as __matched`);
  parts.push("stats count(*) as scanned, sum(__matched) as matched");
  return parts.join("\n| ");
}

/** What the handlers share: the emulator and the queries kept, by id. */
interface LogsState {
  ctx: EmulatorContext;
  queries: Map<string, QueryRecord>;
}

type Window = { start: Date; end: Date };

export function logsHandlers(ctx: EmulatorContext): Record<string, Handler> {
  const state: LogsState = { ctx, queries: new Map() };
  return {
    StartQuery: (body) => startQuery(state, body),
    GetQueryResults: (body) => getQueryResults(state, body),
    StopQuery: (body) => stopQuery(state, body),
    DescribeLogGroups: (body) => describeLogGroups(ctx, body),
  };
}

/**
 * Runs the query and its counts on the local engine in the background, once for each of `runs`
 * (`runPrefixes`: the text put before the query), adding up their rows and counts; sets rows
 * or error.
 */
async function execute(
  ctx: EmulatorContext,
  rec: QueryRecord,
  query: string,
  window: Window,
  runs: string[],
) {
  const base = {
    stepId: `logs-${rec.id}`,
    dialect: "logs-insights" as const,
    params: {},
    window,
    attributes: { optional: false },
    signal: rec.controller.signal,
  };
  try {
    const e = (await ctx.localEngine()) as Engine;
    for (const prefix of runs) {
      const result: QueryResult = await e.query({ ...base, query: prefix + query });
      const counts = await e.query({ ...base, query: prefix + countQuery(rec.ast) });
      rec.recordsScanned += Number(counts.rows[0]?.[0] ?? 0);
      rec.recordsMatched += Number(counts.rows[0]?.[1] ?? 0);
      rec.bytesScanned += Number(result.stats.bytesRead ?? 0);
      rec.rows.push(...resultFields(rec, result, rec.rows.length));
    }
  } catch (e) {
    rec.error = e instanceof Error ? e.message : String(e);
  } finally {
    rec.finished = true;
  }
}

/** The emulator's own account: the owner of the log groups a query names by name. */
const OWN_ACCOUNT = "111122223333";

/** Whether a query reads `@log` (the word, not `@logStream`): it then runs once per log group. */
function readsLog(queryString: string): boolean {
  return /@log(?![\w@])/.test(queryString);
}

/**
 * How a query runs over its log groups: the text put before it in each run, whose answers are
 * added up. One run over the groups' events together (the `groupAccounts` fault's accounts,
 * else the whole directory); for a query that reads `@log`, which the local engine does not
 * have, one run per group over that group's events, with `@log` set to `account:name` (the
 * service's form): exact for `stats ... by @log` and for lists of events, not for other
 * aggregates over several groups (each group answers separately).
 */
export function runPrefixes(f: LogsFaults, groups: string[], queryString: string): string[] {
  if (!readsLog(queryString)) {
    if (f.groupAccounts === undefined) return [""];
    return [scopeFilter(groups.flatMap((g) => heldAccounts(f, g)))];
  }
  return groups.map((g) => {
    const { account, name } = groupIdentity(g);
    const scope = f.groupAccounts === undefined ? "" : scopeFilter(heldAccounts(f, g));
    return `${scope}fields ${JSON.stringify(`${f.logAccount ?? account}:${name}`)} as @log\n| `;
  });
}

/** The accounts whose events a log group holds, under the `groupAccounts` fault. */
function heldAccounts(f: LogsFaults, group: string): string[] {
  return f.groupAccounts?.[groupIdentity(group).name] ?? [];
}

/** A filter that keeps the events of these accounts (none for no account). */
function scopeFilter(accounts: string[]): string {
  const unique = [...new Set(accounts)].map((a) => JSON.stringify(a));
  const keep = unique.length === 0 ? "1 = 2" : `recipientAccountId in [${unique.join(", ")}]`;
  return `filter ${keep}\n| `;
}

/** A log group's name and owner account: from its ARN, else the emulator's own account. */
function groupIdentity(group: string): { account: string; name: string } {
  const arn = /^arn:[^:]+:logs:[^:]*:([^:]*):log-group:([^:]+)(?::\*)?$/.exec(group);
  return arn ? { account: arn[1]!, name: arn[2]! } : { account: OWN_ACCOUNT, name: group };
}

/** Rows as the service gives them: `{field, value}` without missing fields, `@ptr` unless stats. */
function resultFields(rec: QueryRecord, result: QueryResult, first = 0): Field[][] {
  const names = result.columns.map((c) => c.name);
  return result.rows.map((row, i) => {
    const fields: Field[] = [];
    row.forEach((v, j) => {
      if (v !== null && v !== undefined) fields.push({ field: names[j]!, value: valueText(v) });
    });
    if (!rec.aggregated) fields.push({ field: "@ptr", value: pageToken(rec.id, first + i) });
    return fields;
  });
}

function statistics(rec: QueryRecord, fraction: number) {
  return {
    recordsMatched: Math.round(rec.recordsMatched * fraction),
    recordsScanned: Math.round(rec.recordsScanned * fraction),
    estimatedRecordsSkipped: 0,
    bytesScanned: Math.round(rec.bytesScanned * fraction),
    estimatedBytesSkipped: 0,
    logGroupsScanned: rec.logGroups,
  };
}

/** The log groups a StartQuery names (exactly one of its three ways), known to the faults. */
function logGroups(ctx: EmulatorContext, body: Record<string, unknown>): string[] {
  const given = ["logGroupName", "logGroupNames", "logGroupIdentifiers"].filter(
    (k) => body[k] !== undefined,
  );
  if (given.length !== 1) {
    fail(
      "InvalidParameterException",
      "Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be given",
    );
  }
  const groups =
    body.logGroupName !== undefined
      ? [String(body.logGroupName)]
      : ((body[given[0]!] as unknown[]) ?? []).map(String);
  if (groups.length === 0 || groups.length > 50) {
    fail("InvalidParameterException", "Between 1 and 50 log groups must be given");
  }
  const known = logsFaults(ctx).logGroups;
  const missing = known && groups.find((g) => !known.includes(g));
  if (missing) fail("ResourceNotFoundException", `Log group ${missing} does not exist`);
  return groups;
}

/** StartQuery's window, [startTime, endTime] in whole seconds, both inclusive, and its limit. */
function windowAndLimit(body: Record<string, unknown>): { window: Window; limit?: number } {
  const { startTime, endTime, limit } = body;
  if (
    typeof startTime !== "number" ||
    typeof endTime !== "number" ||
    !Number.isInteger(startTime) ||
    !Number.isInteger(endTime)
  ) {
    fail("InvalidParameterException", "startTime and endTime are required epoch seconds");
  }
  if (endTime < startTime)
    fail("InvalidParameterException", "endTime must not be before startTime");
  if (limit !== undefined && (typeof limit !== "number" || limit < 1 || limit > 100_000)) {
    fail("InvalidParameterException", "limit must be between 1 and 100000");
  }
  const window = { start: new Date(startTime * 1000), end: new Date((endTime + 1) * 1000) };
  return limit === undefined ? { window } : { window, limit: limit as number };
}

/**
 * The window as the log groups hold it (`faults.logs.retainedFrom`): a window that ends before
 * they hold events is refused as the service refuses it; one that starts before reads from then.
 */
function retained<W extends { window: Window }>(ctx: EmulatorContext, w: W): W {
  const fromMs = heldFromMs(logsFaults(ctx));
  if (fromMs === undefined) return w;
  if (w.window.end.getTime() <= fromMs) {
    fail(
      "MalformedQueryException",
      "Query's end date and time is either before the log groups creation time or exceeds the log groups log retention settings",
    );
  }
  if (w.window.start.getTime() >= fromMs) return w;
  return { ...w, window: { start: new Date(fromMs), end: w.window.end } };
}

/** Epoch ms before which the log groups hold no events (`retainedFrom`, `retentionInDays`). */
function heldFromMs(f: LogsFaults): number | undefined {
  const bounds = [
    f.retainedFrom === undefined ? undefined : f.retainedFrom * 1000,
    f.retentionInDays === undefined ? undefined : Date.now() - f.retentionInDays * 86_400_000,
  ].filter((b) => b !== undefined);
  return bounds.length === 0 ? undefined : Math.max(...bounds);
}

/**
 * DescribeLogGroups by `logGroupIdentifiers` (names), or by `logGroupNamePrefix` over the
 * `logGroups` fault's list: each group as created at `retainedFrom` (else the epoch), with the
 * `retentionInDays` fault's retention. Without the `logGroups` fault every name named exists.
 */
function describeLogGroups(ctx: EmulatorContext, body: Record<string, unknown>) {
  const f = logsFaults(ctx);
  if (f.describeDenied) {
    fail(
      "AccessDeniedException",
      "User is not authorized to perform: logs:DescribeLogGroups because no identity-based policy allows the logs:DescribeLogGroups action",
    );
  }
  const ids = Array.isArray(body.logGroupIdentifiers) ? body.logGroupIdentifiers.map(String) : [];
  if (ids.length > 50) fail("InvalidParameterException", "At most 50 logGroupIdentifiers");
  const prefix = typeof body.logGroupNamePrefix === "string" ? body.logGroupNamePrefix : undefined;
  const names = (ids.length > 0 ? ids : (f.logGroups ?? [])).filter(
    (n) => (f.logGroups === undefined || f.logGroups.includes(n)) && n.startsWith(prefix ?? ""),
  );
  const logGroups = [...new Set(names)].map((logGroupName) => {
    const arn = `arn:aws:logs:us-east-1:${OWN_ACCOUNT}:log-group:${logGroupName}`;
    return {
      logGroupName,
      creationTime: (f.retainedFrom ?? 0) * 1000,
      ...(f.retentionInDays === undefined ? {} : { retentionInDays: f.retentionInDays }),
      metricFilterCount: 0,
      arn: `${arn}:*`,
      logGroupArn: arn,
      storedBytes: 0,
      logGroupClass: "STANDARD",
    };
  });
  return { logGroups };
}

/**
 * The query parsed and compiled now, as the service does: what cannot run fails StartQuery.
 * Compiled after `prefix` (`runPrefixes`), its places counted in the query itself.
 */
function compile(queryString: string, prefix: string): InsightsQuery {
  let shift = 0;
  try {
    const ast = parseInsights(queryString);
    shift = prefix.length;
    translateInsights(parseInsights(prefix + queryString), {
      relation: "cwl_events",
      check: false,
    });
    return ast;
  } catch (e) {
    if (!(e instanceof InsightsSyntaxError)) throw e;
    const offset = Math.max(0, e.offset - shift);
    return fail("MalformedQueryException", e.message, {
      queryCompileError: {
        location: { startCharOffset: offset, endCharOffset: offset + e.length },
        message: e.message,
      },
    });
  }
}

function newRecord(ctx: EmulatorContext, ast: InsightsQuery, groups: string[]): QueryRecord {
  const f = logsFaults(ctx);
  const other = groups.reduce((n, g) => n + (f.otherEvents?.[groupIdentity(g).name] ?? 0), 0);
  return {
    id: crypto.randomUUID(),
    status: "Scheduled",
    polls: 0,
    finishedPolls: 0,
    outcome: f.outcomes?.shift() ?? "Complete",
    hang: f.hang === true,
    scheduledPolls: f.scheduledPolls ?? 0,
    runningPolls: f.runningPolls ?? 0,
    aggregated: ast.commands.some((c) => c.kind === "stats"),
    controller: new AbortController(),
    finished: false,
    rows: [],
    recordsScanned: other,
    recordsMatched: 0,
    bytesScanned: other * 300,
    ast,
    logGroups: groups.length,
  };
}

function startQuery(state: LogsState, body: Record<string, unknown>) {
  const queryString = body.queryString;
  if (typeof queryString !== "string" || queryString.trim() === "") {
    fail("InvalidParameterException", "queryString is required");
  }
  if (body.queryLanguage !== undefined && body.queryLanguage !== "CWLI") {
    fail(
      "InvalidParameterException",
      `queryLanguage ${String(body.queryLanguage)} is not supported here`,
    );
  }
  const groups = logGroups(state.ctx, body);
  const { window, limit } = retained(state.ctx, windowAndLimit(body));
  const runs = runPrefixes(logsFaults(state.ctx), groups, queryString);
  const ast = compile(queryString, runs[0]!);
  const hasLimit = ast.commands.some((c) => c.kind === "limit");
  const query = limit !== undefined && !hasLimit ? `${queryString}\n| limit ${limit}` : queryString;
  const rec = newRecord(state.ctx, ast, groups);
  state.queries.set(rec.id, rec);
  // Results stay readable, as on the service, but only for the latest queries.
  for (const [old, r] of state.queries) {
    if (state.queries.size <= MAX_KEPT) break;
    if (r.finished) state.queries.delete(old);
  }
  void execute(state.ctx, rec, query, window, runs);
  return { queryId: rec.id };
}

function known(state: LogsState, body: Record<string, unknown>): QueryRecord {
  const id = String(body.queryId ?? "");
  const rec = state.queries.get(id);
  if (!rec) fail("ResourceNotFoundException", `Query ${id} does not exist`);
  return rec;
}

/** Where a GetQueryResults page starts and how many results it has at most. */
function page(rec: QueryRecord, body: Record<string, unknown>): { offset: number; size: number } {
  let offset = 0;
  if (body.nextToken !== undefined) {
    const decoded = readPageToken(String(body.nextToken));
    if (decoded?.id !== rec.id) {
      fail("InvalidParameterException", "The nextToken is not valid for this query");
    }
    offset = decoded.offset;
  }
  const size = body.maxItems === undefined ? PAGE : Number(body.maxItems);
  if (!Number.isInteger(size) || size < 1 || size > PAGE) {
    fail("InvalidParameterException", `maxItems must be between 1 and ${PAGE}`);
  }
  return { offset, size };
}

const ENDED: ReadonlySet<Status> = new Set(["Cancelled", "Failed", "Timeout", "Unknown"]);

/**
 * One poll of a query not yet Complete: Scheduled, then Running with a growing share of the
 * engine's rows, then its outcome. Undefined once it is Complete (the caller pages the rows).
 */
function poll(rec: QueryRecord, size: number) {
  rec.polls++;
  if (rec.polls <= rec.scheduledPolls) {
    return { status: "Scheduled", results: [], statistics: statistics(rec, 0) };
  }
  // Running polls count from when the engine has the results, so partial results show.
  if (rec.finished) rec.finishedPolls++;
  if (!rec.finished || rec.hang || rec.finishedPolls <= rec.runningPolls) {
    rec.status = "Running";
    const fraction =
      rec.finished && !rec.error && !rec.hang ? rec.finishedPolls / (rec.runningPolls + 1) : 0;
    const partial = rec.rows.slice(0, Math.floor(rec.rows.length * Math.min(fraction, 1)));
    return {
      status: "Running",
      results: partial.slice(0, size),
      statistics: statistics(rec, fraction),
    };
  }
  rec.status = rec.error !== undefined ? "Failed" : rec.outcome;
  if (rec.status === "Complete") return undefined;
  return { status: rec.status, results: [], statistics: statistics(rec, 1) };
}

function getQueryResults(state: LogsState, body: Record<string, unknown>) {
  const rec = known(state, body);
  const base = { queryLanguage: "CWLI" };
  if (ENDED.has(rec.status)) {
    return {
      ...base,
      status: rec.status,
      results: [],
      statistics: statistics(rec, rec.finished ? 1 : 0),
    };
  }
  const { offset, size } = page(rec, body);
  const polled = rec.status === "Complete" ? undefined : poll(rec, size);
  if (polled) return { ...base, ...polled };
  const next = offset + size < rec.rows.length ? pageToken(rec.id, offset + size) : undefined;
  return {
    ...base,
    status: "Complete",
    results: rec.rows.slice(offset, offset + size),
    statistics: { ...statistics(rec, 1), resultCount: rec.rows.length },
    ...(next === undefined ? {} : { nextToken: next }),
  };
}

function stopQuery(state: LogsState, body: Record<string, unknown>) {
  const rec = known(state, body);
  if (rec.status === "Scheduled" || rec.status === "Running") {
    rec.controller.abort(new Error("StopQuery"));
    rec.status = "Cancelled";
    return { success: true };
  }
  return { success: false };
}
