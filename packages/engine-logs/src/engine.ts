/**
 * The `logs` engine: runs `logs-insights` steps on CloudWatch Logs Insights through the AWS SDK v3
 * client. StartQuery with the step's window, poll GetQueryResults with backoff (partial results
 * while Running are reported as progress), read every page, StopQuery on timeout or Ctrl-C.
 */
import {
  CloudWatchLogsClient,
  type CloudWatchLogsClientConfig,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  type QueryStatistics,
  type ResultField,
  StartQueryCommand,
  StopQueryCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  type AwsClientOptions,
  type AwsErrorService,
  type AwsQueryKind,
  awsClientConfig,
  awsError,
  awsPreflight,
  builtinEngine,
  type ColumnInfo,
  type Engine,
  holdsWholeSecond,
  isoInstant,
  isoSeconds,
  type JsonValue,
  pollDelays,
  type QueryRequest,
  type QueryResult,
  queryCancelled,
  RunMdError,
  sleep,
  stopQuery,
  type TimeWindow,
  windowTail,
} from "@run-md/core";
import {
  assertInsights,
  type InsightsQuery,
  numericColumns,
  parseInsights,
  positionAt,
  renderInsightsQuery,
  translateInsights,
} from "@run-md/insights";
import { retentionWarnings } from "./retention.ts";

export { numericColumns };

export interface LogsEngineOptions extends AwsClientOptions {
  /** Log groups (names or ARNs) read by steps without `log_groups=`. */
  logGroups: string[];
  /** First wait between GetQueryResults calls (default 1 s)... */
  pollIntervalMs?: number;
  /** ...growing by half each time up to this (default 5 s). */
  maxPollIntervalMs?: number;
  /**
   * Explicit credentials. Without them the SDK's default chain is used (environment, profile,
   * SSO, instance role); for a loopback endpoint, placeholder credentials (the emulator does not
   * check signatures, and real keys are never sent to a local process).
   */
  credentials?: CloudWatchLogsClientConfig["credentials"];
  /** Extra SDK client settings (retry strategy, request handler, ...), applied last. */
  clientConfig?: CloudWatchLogsClientConfig;
  /** Logs Insights price per GB scanned, for the report's cost estimate (default 0.005, us-east-1). */
  pricePerGbUsd?: number;
}

/** The rows Logs Insights returns for a query without `limit`. */
const SERVICE_LIMIT = 10_000;
/** The estimated cost of a query: Logs Insights bills the bytes it scans. */
export function logsInsightsCostUsd(bytesScanned: number, pricePerGbUsd = 0.005): number {
  return (bytesScanned / 2 ** 30) * pricePerGbUsd;
}

export interface LogsEngine extends Engine {
  readonly name: "logs";
}

/** Statuses after which GetQueryResults will not change any more. */
const FINAL = new Set(["Complete", "Failed", "Cancelled", "Timeout", "Unknown"]);

export function createLogsEngine(opts: LogsEngineOptions): LogsEngine {
  return new CloudWatchLogsEngine(opts);
}

/**
 * The request window is half-open, [start, end); StartQuery takes whole epoch seconds, both ends
 * inclusive. CloudTrail's events have whole-second times (as core's `eventTimeBounds` has them):
 * startTime is the first whole second at or after `start` (`ceil(start)`), endTime the last one
 * before `end` (`ceil(end) - 1`), the same events as the other engines select (a window that
 * holds no whole second is refused when it is read: core's window.ts).
 */
export function windowSeconds(window: { start: Date; end: Date }): {
  startTime: number;
  endTime: number;
} {
  const startTime = Math.ceil(window.start.getTime() / 1000);
  const endTime = Math.ceil(window.end.getTime() / 1000) - 1;
  // No range of whole seconds is empty: the one second once sent in its place held the events
  // of the second after the window (a window core should have refused; a caller of the engine).
  if (!holdsWholeSecond(window)) {
    throw new RunMdError(
      "bad-window",
      `the window ${isoInstant(window.start)} → ${isoInstant(window.end)} holds no whole second: CloudTrail's event times are whole seconds, and StartQuery takes whole seconds`,
      { hint: "Widen the window to hold at least one second." },
    );
  }
  return { startTime, endTime };
}

/** CloudWatch Logs as its request errors describe it (core's `awsError` maps them). */
const LOGS: Omit<AwsErrorService, "endpoint"> = {
  code: "logs",
  name: "CloudWatch Logs",
  configSection: "logs",
  hints: {
    ResourceNotFoundException:
      "Check the log group names (logs.logGroups or log_groups=) and the region.",
    AccessDeniedException:
      "The credentials need logs:StartQuery, logs:GetQueryResults and logs:StopQuery on these log groups.",
    InvalidParameterException:
      "Check the log groups and the window (at most 50 groups; start before end).",
    ServiceUnavailableException: "CloudWatch Logs is unavailable: try again later.",
  },
  defaultHint: "See the message from CloudWatch Logs above.",
  throttledHint:
    "Too many Logs Insights queries are running in this account: try again later, or ask for a higher concurrent query quota.",
};

const LOGS_QUERY: AwsQueryKind = {
  noun: "Logs Insights query",
  stopOperation: "StopQuery",
  stopCommand: "aws logs stop-query --query-id",
  idKey: "queryId",
};

/** How long a window's end found without events in some groups is told without asking again. */
const STALE_KEPT_MS = 60_000;

/**
 * What the window's end says: no group holds an event there (the step's error), or some of
 * them hold none while the others deliver (a warning, and from when the window is not read).
 */
type EndFound = { staleEnd: string } | { warning: string; notReadFrom: string };

/** The query that asks whether a window's end holds a log event. */
const TAIL_PROBE = "fields @timestamp | limit 1";

/**
 * The query that asks whether log groups hold a CloudTrail event, not only log events of another
 * source (a VPC flow log's, a Lambda's): every CloudTrail event has `eventVersion`.
 */
const CLOUDTRAIL_PROBE = "filter ispresent(eventVersion) | fields @timestamp | limit 1";

/** How many windows' answers an engine remembers (its maps are cleared past it). */
const REMEMBERED = 1000;

/** The key of a window's end for one set of log groups (`CloudWatchLogsEngine.ends`). */
const endKey = (logGroups: string[], tail: TimeWindow) =>
  `${logGroups.join(",")}|${tail.start.toISOString()}/${tail.end.toISOString()}`;

/**
 * The query that asks which of several log groups hold events in a window: `@log` is the log
 * group of an event, "in the form of account-id:log-group-name"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html).
 */
const GROUPS_PROBE = "stats count(*) as n by @log";

/** A step's query ready to send: its text, parsed form, window in seconds and log groups. */
interface PreparedInsights {
  ast: InsightsQuery;
  queryString: string;
  logGroups: string[];
  startTime: number;
  endTime: number;
}

class CloudWatchLogsEngine implements LogsEngine {
  readonly name = "logs" as const;
  readonly dialects = builtinEngine("logs").dialects;
  private readonly client: CloudWatchLogsClient;
  private readonly service: AwsErrorService;
  private readonly pollMs: number;
  private readonly maxPollMs: number;
  /**
   * What `endWithoutEvents` found of windows' ends, by log groups and end: an end with events in
   * every group (`stale` unset) is kept; the groups without events at an end, and when found,
   * STALE_KEPT_MS (events delivered late end it), so the steps of a run over one window ask
   * once: each asking scans the silent groups' earlier window again.
   */
  private readonly ends = new Map<string, { at: number; stale?: string[] }>();
  /** The bytes each query's own checks (`probe`) scanned, by its request. */
  private readonly probed = new WeakMap<QueryRequest, number>();
  /** The windows (by log groups and seconds) found to hold a CloudTrail event: asked once. */
  private readonly withCloudTrail = new Set<string>();

  constructor(private readonly opts: LogsEngineOptions) {
    this.client = new CloudWatchLogsClient({
      ...awsClientConfig(opts),
      ...(opts.credentials === undefined ? {} : { credentials: opts.credentials }),
      ...opts.clientConfig,
    });
    this.service = { ...LOGS, ...(opts.endpoint === undefined ? {} : { endpoint: opts.endpoint }) };
    this.pollMs = opts.pollIntervalMs ?? 1000;
    this.maxPollMs = Math.max(this.pollMs, opts.maxPollIntervalMs ?? 5000);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /** Resolves the credentials and the region once (their problem then stops the run once). */
  async preflight(): Promise<void> {
    await awsPreflight(this.client.config, this.service);
  }

  async query(req: QueryRequest): Promise<QueryResult> {
    this.probed.set(req, 0);
    const result = await this.answer(req);
    // The engine's own checks are billed too: their bytes beside the step's, in its cost.
    const probeBytes = this.probed.get(req) ?? 0;
    if (probeBytes === 0) return result;
    const cost = Number(result.stats.costUsd ?? 0);
    return {
      ...result,
      stats: {
        ...result.stats,
        windowProbeBytes: probeBytes,
        costUsd: cost + logsInsightsCostUsd(probeBytes, this.opts.pricePerGbUsd),
      },
    };
  }

  private async answer(req: QueryRequest): Promise<QueryResult> {
    const prepared = this.prepare(req);
    const { signal } = req;
    if (signal.aborted) throw queryCancelled(LOGS_QUERY, undefined, signal);
    // Never rejects: asked beside the query, read once it has rows.
    const retention = retentionWarnings(this.client, prepared.logGroups, req.window.start, signal);
    const queryId = await this.start(prepared, signal).catch((e: unknown) => {
      if (!(e instanceof RunMdError) || !outsideLogGroups(e.cause)) throw e;
      // With several groups, the service does not say which one: the others may hold events.
      if (prepared.logGroups.length > 1) throw outsideSomeLogGroup(e, prepared.logGroups);
      return undefined;
    });
    if (queryId === undefined) return this.outsideResult(prepared);
    const out = await this.waitForEnd(queryId, req, prepared.queryString);
    const status = out.status ?? "Unknown";
    if (status !== "Complete") throw this.queryFailed(queryId, status);
    const results = await this.allPages(queryId, out, signal, prepared.queryString);
    const found = this.result(queryId, prepared, results, out.statistics ?? {});
    const result = { ...found, warnings: [...found.warnings, ...(await retention)] };
    if (result.noEvents !== undefined) return result;
    const scanned = Number(result.stats.recordsScanned ?? 0);
    const foreign = await this.withoutCloudTrail(req, prepared, scanned);
    if (foreign !== undefined) return { ...result, noEvents: foreign };
    const end = await this.endWithoutEvents(req, prepared.logGroups);
    if (end === undefined) return result;
    if ("staleEnd" in end) return { ...result, staleEnd: end.staleEnd };
    const from = [result.notReadFrom, end.notReadFrom].filter((f) => f !== undefined).sort()[0];
    return { ...result, warnings: [...result.warnings, end.warning], notReadFrom: from };
  }

  /**
   * Whether the window's end (core `windowTail`: its last 24 hours) holds no log event while
   * the window does (a trail that stopped delivering): the sentence for the step's error, or
   * undefined. One group: one more query, `fields @timestamp | limit 1` over that end only.
   * Several: which of them stopped (`stoppedGroups`). A window found to hold events there is
   * remembered.
   */
  private async endWithoutEvents(
    req: QueryRequest,
    logGroups: string[],
  ): Promise<EndFound | undefined> {
    const tail = windowTail(req.window, Date.now());
    if (!tail) return undefined;
    const key = endKey(logGroups, tail);
    const known = this.ends.get(key);
    if (known !== undefined && known.stale === undefined) return undefined;
    let stale: string[] | undefined;
    if (known !== undefined && Date.now() - known.at < STALE_KEPT_MS) {
      stale = known.stale;
    } else if (logGroups.length > 1) {
      stale = await this.stoppedGroups(req, logGroups, tail);
    } else {
      const out = await this.probe(req, TAIL_PROBE, logGroups, tail);
      stale = endHoldsEvents(out, logGroups, tail) ? undefined : logGroups;
    }
    if (known === undefined || known.stale !== stale) {
      if (this.ends.size >= REMEMBERED) this.ends.clear();
      this.ends.set(key, stale === undefined ? { at: Date.now() } : { at: Date.now(), stale });
    }
    if (stale === undefined) return undefined;
    const where = `CloudWatch Logs holds no log event in ${stale.join(", ")} at the window's end, ${isoSeconds(tail.start)} → ${isoSeconds(tail.end)}, while its earlier days hold events`;
    if (stale.length === logGroups.length) {
      return {
        staleEnd: `${where} (a trail that stopped delivering, or its logs not delivered since)`,
      };
    }
    // Some groups deliver: as the other engines name one region or account that stopped while
    // the others went on, a warning, and the nightly job reads the window's end again.
    return {
      warning: `${where} and the step's other log groups deliver: a trail that stopped delivering, or its logs not delivered since, read as quiet; check the source before trusting an empty answer`,
      notReadFrom: tail.start.toISOString(),
    };
  }

  /**
   * Whether the step's log groups hold no CloudTrail event in its window, though they hold log
   * events (`scanned`, the step's `recordsScanned`): log groups of another source, named by
   * mistake, where a `rows == 0` check passed over a trail's logs never read (the local engine
   * names a file without CloudTrail events, and a window of nothing else is its no data). The
   * sentence for the step's no data, or undefined. One `CLOUDTRAIL_PROBE` over the window's end
   * (core `windowTail`: a trail in use answers there, and the probe reads a day), else over the
   * whole window; a window found to hold one is remembered. For one log group, what the end
   * holds is also the end's answer (`endWithoutEvents`), which is not asked again.
   */
  private async withoutCloudTrail(
    req: QueryRequest,
    p: PreparedInsights,
    scanned: number,
  ): Promise<string | undefined> {
    const key = `${p.logGroups.join(",")}|${p.startTime}/${p.endTime}`;
    if (this.withCloudTrail.has(key)) return undefined;
    const tail = windowTail(req.window, Date.now());
    let endHeld: boolean | undefined;
    for (const w of tail === undefined ? [req.window] : [tail, req.window]) {
      const out = await this.probe(req, CLOUDTRAIL_PROBE, p.logGroups, w);
      const held = (out.results?.length ?? 0) > 0;
      if (w === tail) endHeld = held;
      if (!held) continue;
      if (this.withCloudTrail.size >= REMEMBERED) this.withCloudTrail.clear();
      this.withCloudTrail.add(key);
      if (tail !== undefined && endHeld !== undefined && p.logGroups.length === 1) {
        if (this.ends.size >= REMEMBERED) this.ends.clear();
        this.ends.set(
          endKey(p.logGroups, tail),
          endHeld ? { at: Date.now() } : { at: Date.now(), stale: p.logGroups },
        );
      }
      return undefined;
    }
    const from = new Date(p.startTime * 1000).toISOString();
    const to = new Date((p.endTime + 1) * 1000).toISOString();
    return `CloudWatch Logs scanned ${scanned} log events in ${p.logGroups.join(", ")} between ${from} and ${to}, none of them a CloudTrail event (filter ispresent(eventVersion) found none): log groups of another source than a trail`;
  }

  /**
   * Of several log groups, those that hold no event at the window's end but did before it (one
   * account's trail stopped while the others deliver), or undefined when none did. Which groups
   * hold events at the end: `GROUPS_PROBE` over all of them; which of the others held events
   * before: `GROUPS_PROBE` over those only, over the window before its end. A group quiet the
   * whole window did not stop. When an answer's `@log` names no group of the step for sure
   * (`groupOfLog`), or the service refuses the earlier window, the whole set is judged as one
   * group is: stale when none of them holds an event at the end.
   */
  private async stoppedGroups(
    req: QueryRequest,
    logGroups: string[],
    tail: TimeWindow,
  ): Promise<string[] | undefined> {
    const atEnd = await this.probe(req, GROUPS_PROBE, logGroups, tail);
    const whole = endHoldsEvents(atEnd, logGroups, tail) ? undefined : logGroups;
    const present = groupsOfAnswer(atEnd.results ?? [], logGroups);
    if (present === undefined) return whole;
    const absent = logGroups.filter((g) => !present.has(g));
    if (absent.length === 0) return undefined;
    const before = { start: req.window.start, end: tail.start };
    // Less than a second before the end (a start at 10:00:59.5, the end's at 10:01): no event
    // lies there, so no group absent at the end held any; no range of seconds asks for nothing.
    if (!holdsWholeSecond(before)) {
      return present.size > 0 ? undefined : whole;
    }
    const earlier = await this.probe(req, GROUPS_PROBE, absent, before).catch((e: unknown) => {
      if (e instanceof RunMdError && outsideLogGroups(e.cause)) return undefined;
      throw e;
    });
    const held = earlier && groupsOfAnswer(earlier.results ?? [], absent);
    if (held === undefined) return whole;
    const stopped = absent.filter((g) => held.has(g));
    if (stopped.length > 0) return stopped;
    return present.size > 0 ? undefined : whole;
  }

  /** A query of the engine's own (not the step's), run to Complete without progress reports. */
  private async probe(
    req: QueryRequest,
    queryString: string,
    logGroups: string[],
    window: TimeWindow,
  ): Promise<GetQueryResultsCommandOutput> {
    const probe: PreparedInsights = {
      ast: parseInsights(queryString),
      queryString,
      logGroups,
      ...windowSeconds(window),
    };
    // The probe's states are not the step's progress.
    const quiet: QueryRequest = { ...req };
    delete quiet.onProgress;
    try {
      const queryId = await this.start(probe, req.signal);
      const out = await this.waitForEnd(queryId, quiet, queryString);
      const bytes = Number(out.statistics?.bytesScanned ?? 0);
      this.probed.set(req, (this.probed.get(req) ?? 0) + bytes);
      if (out.status !== "Complete") throw this.queryFailed(queryId, out.status ?? "Unknown");
      return out;
    } catch (e) {
      throw probeFailed(e, queryString);
    }
  }

  /** The step's query as it will be sent, or the error that stops it before any request. */
  private prepare(req: QueryRequest): PreparedInsights {
    if (req.dialect !== "logs-insights") {
      throw new RunMdError(
        "wrong-dialect",
        `the logs engine runs Logs Insights steps, not ${req.dialect}`,
        { hint: "Run SQL steps on the local or athena engine." },
      );
    }
    const logGroups = this.logGroups(req);
    // Parse first: a syntax error is reported at its place in the step, before any AWS call.
    const ast = parseInsights(req.query);
    // What every engine refuses (a field CloudTrail records do not have, a boolean parameter as a
    // condition, a limit that is no count), before any request.
    assertInsights(ast, {
      types: Object.fromEntries(Object.entries(req.params).map(([k, p]) => [k, p.type])),
      values: Object.fromEntries(Object.entries(req.params).map(([k, p]) => [k, p.value])),
    });
    const params = Object.fromEntries(
      Object.entries(req.params).map(([k, p]) => [k, { type: p.type, value: p.value }]),
    );
    const rendered = renderInsightsQuery(req.query, params);
    if (rendered.missing.length > 0) {
      throw new RunMdError(
        "unknown-param",
        `unknown parameter {{${rendered.missing[0]}}} in step "${req.stepId}"`,
        {
          hint: "Declare it under params: in the front matter, or use a built-in: start, end, start_date, end_date.",
        },
      );
    }
    // The service names computed columns from the text it gets: the rendered query's names.
    const sent = parseInsights(rendered.text);
    return { ast: sent, queryString: rendered.text, logGroups, ...windowSeconds(req.window) };
  }

  /** The step's log groups (`log_groups=`, else the configuration's), checked. */
  private logGroups(req: QueryRequest): string[] {
    const logGroups = req.attributes.logGroups?.length
      ? req.attributes.logGroups
      : this.opts.logGroups;
    if (logGroups.length === 0) {
      throw new RunMdError("logs-config", `step "${req.stepId}" has no log groups to query`, {
        hint: "Set logs.logGroups in run-md.config.yaml (or RUN_MD_LOG_GROUPS), or log_groups= on the step.",
      });
    }
    if (logGroups.length > 50) {
      throw new RunMdError(
        "logs-config",
        `step "${req.stepId}" names ${logGroups.length} log groups; Logs Insights takes at most 50`,
      );
    }
    const starred = logGroups.find((g) => g.startsWith("arn:") && g.endsWith("*"));
    if (starred) {
      throw new RunMdError("logs-config", `log group ARN ${starred} ends with "*"`, {
        hint: "Logs Insights takes log group ARNs without the trailing :* that IAM policies use.",
      });
    }
    return logGroups;
  }

  /** StartQuery (sent at most `maxAttempts` times by the SDK when throttled); the query's id. */
  private async start(p: PreparedInsights, signal: AbortSignal): Promise<string> {
    const useIdentifiers = p.logGroups.some((g) => g.startsWith("arn:"));
    try {
      const started = await this.client.send(
        new StartQueryCommand({
          ...(useIdentifiers
            ? { logGroupIdentifiers: p.logGroups }
            : { logGroupNames: p.logGroups }),
          startTime: p.startTime,
          endTime: p.endTime,
          queryString: p.queryString,
        }),
        { abortSignal: signal },
      );
      if (!started.queryId)
        throw new RunMdError("logs-request-failed", "StartQuery returned no queryId");
      return started.queryId;
    } catch (e) {
      if (signal.aborted) throw queryCancelled(LOGS_QUERY, undefined, signal);
      throw this.error(e, p.queryString);
    }
  }

  /** Polls GetQueryResults until the query ends, reporting partial results as progress. */
  private async waitForEnd(
    queryId: string,
    req: QueryRequest,
    queryString: string,
  ): Promise<GetQueryResultsCommandOutput> {
    const { signal } = req;
    const next = pollDelays(this.pollMs, this.maxPollMs);
    for (;;) {
      await sleep(next(), signal);
      if (signal.aborted) throw await this.stopAndCancel(queryId, signal);
      let out: GetQueryResultsCommandOutput;
      try {
        out = await this.client.send(new GetQueryResultsCommand({ queryId }), {
          abortSignal: signal,
        });
      } catch (e) {
        if (signal.aborted) throw await this.stopAndCancel(queryId, signal);
        throw this.error(e, queryString);
      }
      const status = out.status ?? "Unknown";
      if (FINAL.has(status)) return out;
      const s = out.statistics;
      req.onProgress?.({
        message: `${status}: ${out.results?.length ?? 0} partial result(s), ${s?.recordsMatched ?? 0} matched of ${s?.recordsScanned ?? 0} scanned`,
        stats: {
          queryId,
          status,
          partialRows: out.results?.length ?? 0,
          recordsScanned: s?.recordsScanned ?? 0,
          recordsMatched: s?.recordsMatched ?? 0,
          bytesScanned: s?.bytesScanned ?? 0,
        },
      });
    }
  }

  /** Every page of a complete query's results: above 10,000 rows they come with a nextToken. */
  private async allPages(
    queryId: string,
    out: GetQueryResultsCommandOutput,
    signal: AbortSignal,
    queryString: string,
  ): Promise<ResultField[][]> {
    const results: ResultField[][] = [...(out.results ?? [])];
    let nextToken = out.nextToken;
    while (nextToken) {
      if (signal.aborted) throw queryCancelled(LOGS_QUERY, queryId, signal);
      try {
        const page = await this.client.send(new GetQueryResultsCommand({ queryId, nextToken }), {
          abortSignal: signal,
        });
        results.push(...(page.results ?? []));
        nextToken = page.nextToken;
      } catch (e) {
        if (signal.aborted) throw queryCancelled(LOGS_QUERY, queryId, signal);
        throw this.error(e, queryString);
      }
    }
    return results;
  }

  /** The step's result: rows aligned with the query's columns, statistics, warnings. */
  private result(
    queryId: string,
    p: PreparedInsights,
    results: ResultField[][],
    s: QueryStatistics,
  ): QueryResult {
    const { columns, rows } = toRows(results, numericColumns(p.ast), expectedColumns(p.ast));
    const warnings: string[] = [];
    const hasLimit = p.ast.commands.some((c) => c.kind === "limit");
    const capped = !hasLimit && rows.length === SERVICE_LIMIT;
    if (capped) {
      warnings.push(
        "Logs Insights returned 10,000 rows, its default limit: there may be more. Add a limit command or narrow the query.",
      );
    }
    const noEvents = windowWithoutEvents(s, p.logGroups, p.startTime, p.endTime);
    return {
      columns,
      rows,
      queryAsRun: p.queryString,
      ...(noEvents === undefined ? {} : { noEvents }),
      ...(capped ? { capped: SERVICE_LIMIT } : {}),
      stats: {
        queryId,
        logGroups: p.logGroups.join(","),
        startTime: p.startTime,
        endTime: p.endTime,
        recordsScanned: s.recordsScanned ?? 0,
        recordsMatched: s.recordsMatched ?? 0,
        bytesScanned: s.bytesScanned ?? 0,
        costUsd: logsInsightsCostUsd(s.bytesScanned ?? 0, this.opts.pricePerGbUsd),
        ...(s.logGroupsScanned === undefined ? {} : { logGroupsScanned: s.logGroupsScanned }),
      },
      warnings,
    };
  }

  /**
   * The result of a window the log groups hold nothing of (it ends before they were created, or
   * before their retention keeps events), which the service refuses rather than runs: no rows,
   * and the window without events, for the runner's `no-data` (never a pass; `allow_empty` warns).
   */
  private outsideResult(p: PreparedInsights): QueryResult {
    const { columns } = toRows([], numericColumns(p.ast), expectedColumns(p.ast));
    const to = new Date((p.endTime + 1) * 1000).toISOString();
    return {
      columns,
      rows: [],
      queryAsRun: p.queryString,
      noEvents: `CloudWatch Logs holds no log events in ${p.logGroups.join(", ")} up to ${to}: the window ends before the log groups were created or before the events their retention keeps`,
      stats: { logGroups: p.logGroups.join(","), startTime: p.startTime, endTime: p.endTime },
      warnings: [],
    };
  }

  /** StopQuery, then the `cancelled` error (a query that finished meanwhile needs no stop). */
  private async stopAndCancel(queryId: string, signal: AbortSignal): Promise<RunMdError> {
    const stopError = await stopQuery(
      () => this.client.send(new StopQueryCommand({ queryId })),
      (e) => errorName(e) === "InvalidParameterException",
    );
    return queryCancelled(LOGS_QUERY, queryId, signal, stopError);
  }

  private queryFailed(queryId: string, status: string): RunMdError {
    const hints: Record<string, string> = {
      Failed:
        "The service gave no reason; open the query in the CloudWatch console (Logs Insights > History) to see it.",
      Timeout:
        "Logs Insights stops queries after 60 minutes: narrow the window (window=) or the log groups, or filter earlier in the query.",
      Cancelled: "Someone stopped the query (StopQuery or the console).",
      Unknown: "The service lost track of the query: run it again.",
    };
    return new RunMdError("logs-query-failed", `Logs Insights query ${queryId} ended ${status}`, {
      hint: hints[status] ?? hints.Unknown!,
      retryable: status === "Unknown" || status === "Timeout",
      details: { queryId, status },
    });
  }

  /** A rejected query at its place in the query; any other error through core's `awsError`. */
  private error(e: unknown, queryString: string): RunMdError {
    if (errorName(e) !== "MalformedQueryException") return awsError(e, this.service);
    const message = e instanceof Error ? e.message : String(e);
    const compile = (
      e as {
        queryCompileError?: {
          location?: { startCharOffset?: number; endCharOffset?: number };
          message?: string;
        };
      }
    ).queryCompileError;
    const offset = compile?.location?.startCharOffset;
    const detail =
      compile?.message && !message.includes(compile.message) ? `: ${compile.message}` : "";
    if (offset === undefined) {
      return new RunMdError(
        "insights-syntax",
        `Logs Insights rejected the query: ${message}${detail}`,
        { cause: e },
      );
    }
    const { line, column } = positionAt(queryString, offset);
    return new RunMdError(
      "insights-syntax",
      `Logs Insights rejected the query at line ${line}, column ${column}: ${message}${detail}`,
      {
        hint: "Positions count in the query as sent, after {{parameters}} were filled in.",
        // In the query as sent (`sent`): not placed in the runbook's file by the runner.
        details: { line, column, offset, endOffset: compile?.location?.endCharOffset, sent: true },
        cause: e,
      },
    );
  }
}

/**
 * Whether StartQuery was refused for a window the log groups hold nothing of: the service answers
 * MalformedQueryException "Query's end date and time is either before the log groups creation
 * time or exceeds the log groups log retention settings", which is no fault of the query.
 */
function outsideLogGroups(e: unknown): boolean {
  if (errorName(e) !== "MalformedQueryException") return false;
  const message = e instanceof Error ? e.message : String(e);
  return /before the log groups creation time|exceeds the log groups log retention/i.test(message);
}

/** The refusal of a window that one of several log groups holds nothing of: which is not said. */
function outsideSomeLogGroup(e: RunMdError, logGroups: string[]): RunMdError {
  const reason = e.cause instanceof Error ? e.cause.message : e.message;
  return new RunMdError(
    "logs-request-failed",
    `CloudWatch Logs refused the window for ${logGroups.join(", ")}: ${reason}`,
    {
      hint: "One of the log groups was created after the window ends, or keeps no events that old: query the groups separately (log_groups=) or move the window.",
      cause: e.cause,
    },
  );
}

/**
 * The step's error when a query of the engine's own (`probe`) failed after the step's query
 * succeeded: without its answer the step cannot tell a window of CloudTrail events from log
 * groups of another source or a trail that stopped, so it does not pass; the message says it was
 * the probe, not the step's query (as Athena's window probe says). A refused window (the log
 * groups hold nothing there) is left to the caller, which reads it.
 */
function probeFailed(e: unknown, queryString: string): unknown {
  if (!(e instanceof RunMdError) || e.code === "cancelled" || outsideLogGroups(e.cause)) return e;
  const what =
    queryString === CLOUDTRAIL_PROBE
      ? "the check that the step's log groups hold CloudTrail events"
      : "the check of the step's window's end";
  e.message = `${what} (${queryString}) failed, after the step's own query succeeded: ${e.message}`;
  return e;
}

function errorName(e: unknown): string {
  return (e as { name?: string } | undefined)?.name ?? "";
}

/**
 * The output fields the query asks for, in order (`fields`, `display`, `stats`...), as the local
 * translation names them; empty when it cannot tell. The service leaves out fields that no row
 * has, so without this an empty or sparse result would lack columns the local engine has.
 */
export function expectedColumns(ast: InsightsQuery): string[] {
  try {
    return translateInsights(ast, { relation: "cwl_events", check: false }).columns;
  } catch {
    return [];
  }
}

/**
 * Rows aligned with columns: the expected ones first, then any other field in order of first
 * appearance; `@ptr` dropped; a field missing from a row is null. Numeric aggregate columns
 * become numbers; everything else stays the service's text.
 */
export function toRows(
  results: ResultField[][],
  numeric: Set<string> = new Set(),
  expected: string[] = [],
): { columns: ColumnInfo[]; rows: JsonValue[][] } {
  const order: string[] = [];
  const index = new Map<string, number>();
  for (const name of expected) {
    if (name === "@ptr" || index.has(name)) continue;
    index.set(name, order.length);
    order.push(name);
  }
  for (const row of results) {
    for (const f of row) {
      const name = f.field;
      if (name === undefined || name === "@ptr" || index.has(name)) continue;
      index.set(name, order.length);
      order.push(name);
    }
  }
  const rows = results.map((row) => {
    const out: JsonValue[] = order.map(() => null);
    for (const f of row) {
      const i = f.field === undefined ? undefined : index.get(f.field);
      if (i === undefined) continue;
      const v = f.value ?? null;
      const n = v !== null && numeric.has(f.field!) && v.trim() !== "" ? Number(v) : Number.NaN;
      out[i] = Number.isFinite(n) ? n : v;
    }
    return out;
  });
  const columns = order.map((name) => ({ name, type: numeric.has(name) ? "double" : "varchar" }));
  return { columns, rows };
}

/**
 * Whether the window held no log events at all: CloudWatch Logs scanned none and skipped none
 * (field indexes can skip events a filter cannot match; skipped events are events, so their
 * window was not empty). The runner turns this into the step's `no-data` error, never a pass.
 */
export function windowWithoutEvents(
  s: QueryStatistics,
  logGroups: string[],
  startTime: number,
  endTime: number,
): string | undefined {
  const skipped = (s.estimatedRecordsSkipped ?? 0) + (s.estimatedBytesSkipped ?? 0);
  if ((s.recordsScanned ?? 0) > 0 || skipped > 0) return undefined;
  const from = new Date(startTime * 1000).toISOString();
  const to = new Date((endTime + 1) * 1000).toISOString();
  return `CloudWatch Logs scanned no log events in ${logGroups.join(", ")} between ${from} and ${to}`;
}

/** Whether a tail probe's answer shows events at the window's end (any row, or any scanned). */
function endHoldsEvents(
  out: GetQueryResultsCommandOutput,
  logGroups: string[],
  tail: TimeWindow,
): boolean {
  const { startTime, endTime } = windowSeconds(tail);
  const none = windowWithoutEvents(out.statistics ?? {}, logGroups, startTime, endTime);
  return none === undefined || (out.results?.length ?? 0) > 0;
}

/**
 * The log groups of the step a `GROUPS_PROBE` answer names (its rows' `@log`), or undefined when
 * a row names none of them for sure: the answer is then not read as naming groups.
 */
function groupsOfAnswer(results: ResultField[][], logGroups: string[]): Set<string> | undefined {
  const found = new Set<string>();
  for (const row of results) {
    const log = row.find((f) => f.field === "@log")?.value;
    const group = log === undefined ? undefined : groupOfLog(log, logGroups);
    if (group === undefined) return undefined;
    found.add(group);
  }
  return found;
}

/**
 * The one log group of `logGroups` (names, or ARNs `arn:partition:logs:region:account:log-group:name`)
 * a `@log` value (`account-id:log-group-name`) is, or undefined when it has another form, or
 * names none of them or more than one (a name and an ARN of the same name and account). A
 * group given by name is the caller's own, of an account not known here: any account fits it.
 */
export function groupOfLog(log: string, logGroups: string[]): string | undefined {
  const m = /^(\d{12}):([^:]+)$/.exec(log);
  if (!m) return undefined;
  const [, account, name] = m;
  const fits = logGroups.filter((g) => {
    const arn = /^arn:[^:]+:logs:[^:]*:(\d{12}):log-group:([^:]+)$/.exec(g);
    if (arn) return arn[1] === account && arn[2] === name;
    return !g.startsWith("arn:") && g === name;
  });
  return fits.length === 1 ? fits[0] : undefined;
}
