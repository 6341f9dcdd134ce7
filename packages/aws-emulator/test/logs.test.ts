/**
 * The emulator's CloudWatch Logs protocol, driven by the real SDK v3 client, directly and through
 * the `logs` engine: runs, partial results while Running, Failed and Timeout, StopQuery on
 * timeout, and more than 10,000 rows over several pages.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  StartQueryCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import type { QueryRequest } from "@run-md/core";
import { createLocalEngine } from "@run-md/engine-local";
import { createLogsEngine, type LogsEngine } from "@run-md/engine-logs";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { inWindow, readGenerated } from "../../../test/truth/runbook-answers.ts";
import { queryRequest } from "../../core/test/query-request.ts";
import { quickRetries } from "../../core/test/quick-retries.ts";
import { type Emulator, startEmulator } from "../src/index.ts";
import type { LogsFaults } from "../src/logs.ts";

const START = new Date("2026-11-20T00:00:00Z");
const END = new Date("2026-11-21T00:00:00Z");
const EVENTS = 12_500;

let dir: string;
let emulator: Emulator;
let engine: LogsEngine;
let client: CloudWatchLogsClient;

function request(query: string, extra: Partial<QueryRequest> = {}): QueryRequest {
  return queryRequest("logs-insights", query, { start: START, end: END }, extra);
}

function setFaults(f: LogsFaults): void {
  emulator.faults.logs = f;
}

async function poll(queryId: string): Promise<GetQueryResultsCommandOutput> {
  for (;;) {
    const out = await client.send(new GetQueryResultsCommand({ queryId }));
    if (out.status !== "Running" && out.status !== "Scheduled") return out;
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "run-md-logs-"));
  await generateLogs({
    outDir: dir,
    start: START,
    end: END,
    totalEvents: EVENTS,
    incidents: false,
    seed: "logs",
  });
  emulator = await startEmulator({ logDir: dir });
  engine = createLogsEngine({
    endpoint: emulator.endpoint,
    logGroups: ["CloudTrail/management"],
    pollIntervalMs: 10,
    maxPollIntervalMs: 40,
  });
  client = new CloudWatchLogsClient({
    region: "us-east-1",
    endpoint: emulator.endpoint,
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
}, 120_000);

afterAll(async () => {
  client?.destroy();
  await engine?.close();
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => setFaults({}));

describe("through the SDK directly", () => {
  test("a query runs to Complete with the service's result shape", async () => {
    const { queryId } = await client.send(
      new StartQueryCommand({
        logGroupNames: ["CloudTrail/management"],
        startTime: START.getTime() / 1000,
        endTime: END.getTime() / 1000 - 1,
        queryString: "fields @timestamp, eventName, errorCode | limit 50",
      }),
    );
    const out = await poll(queryId!);
    expect(out.status).toBe("Complete");
    expect(out.results).toHaveLength(50);
    for (const row of out.results!) {
      const fields = row.map((f) => f.field);
      expect(fields[0]).toBe("@timestamp");
      expect(fields).toContain("@ptr");
      // Missing fields are left out of the row, never sent as empty values.
      expect(row.every((f) => typeof f.value === "string")).toBe(true);
      expect(row[0]!.value).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    }
    expect(out.results!.some((r) => !r.some((f) => f.field === "errorCode"))).toBe(true);
    expect(out.statistics?.recordsScanned).toBe(EVENTS);
  });

  test("stats results have no @ptr", async () => {
    const { queryId } = await client.send(
      new StartQueryCommand({
        logGroupName: "CloudTrail/management",
        startTime: START.getTime() / 1000,
        endTime: END.getTime() / 1000 - 1,
        queryString: "stats count(*) by eventSource",
      }),
    );
    const out = await poll(queryId!);
    expect(out.results!.length).toBeGreaterThan(1);
    expect(out.results!.flat().some((f) => f.field === "@ptr")).toBe(false);
  });

  test("a field no event has is no error: the query completes and matches nothing", async () => {
    const run = async (queryString: string) => {
      const { queryId } = await client.send(
        new StartQueryCommand({
          logGroupName: "CloudTrail/management",
          startTime: START.getTime() / 1000,
          endTime: END.getTime() / 1000 - 1,
          queryString,
        }),
      );
      return poll(queryId!);
    };
    // `eventname`: CloudTrail spells it eventName, and field names are case-sensitive.
    const misspelt = await run('filter eventname = "ConsoleLogin" | fields eventName');
    expect(misspelt.status).toBe("Complete");
    expect(misspelt.results).toEqual([]);
    const spelt = await run('filter eventName = "ConsoleLogin" | fields eventName');
    expect(spelt.status).toBe("Complete");
    expect(spelt.results!.length).toBeGreaterThan(0);
  });

  test("a malformed query is a MalformedQueryException with the offending location", async () => {
    const err = await client
      .send(
        new StartQueryCommand({
          logGroupNames: ["g"],
          startTime: 0,
          endTime: 10,
          queryString: "filter eventName == 'x'",
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: "MalformedQueryException",
      queryCompileError: { location: { startCharOffset: 17, endCharOffset: 19 } },
    });
  });

  test("a bad request names the problem", async () => {
    const err = await client
      .send(new StartQueryCommand({ startTime: 0, endTime: 10, queryString: "fields a" }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "InvalidParameterException" });
    expect((err as Error).message).toContain("logGroupNames");
  });
});

describe("the logs engine against the emulator", () => {
  test("runs the spec's failed console logins query like the local engine does", async () => {
    const query = `filter eventName = "ConsoleLogin" and errorMessage = "Failed authentication"
| stats count(*) as failures by userIdentity.userName, sourceIPAddress`;
    const remote = await engine.query(request(query));
    const local = await createLocalEngine({ logDir: dir });
    try {
      const here = await local.query(request(query));
      expect(remote.columns.map((c) => c.name)).toEqual([
        "userIdentity.userName",
        "sourceIPAddress",
        "failures",
      ]);
      const sortRows = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
      expect(sortRows(remote.rows)).toEqual(sortRows(here.rows));
      expect(remote.rows.length).toBeGreaterThan(0);
      expect(typeof remote.rows[0]![2]).toBe("number");
    } finally {
      await local.close();
    }
    expect(remote.stats).toMatchObject({
      recordsScanned: EVENTS,
      startTime: START.getTime() / 1000,
    });
    expect(typeof remote.stats.queryId).toBe("string");
    expect(remote.stats.bytesScanned).toBeGreaterThan(0);
  });

  test("the engine's own checks are billed with the step: their bytes beside its own, in its cost", async () => {
    const fresh = createLogsEngine({
      endpoint: emulator.endpoint,
      logGroups: ["CloudTrail/management"],
      pollIntervalMs: 10,
      maxPollIntervalMs: 40,
    });
    const query = 'filter eventName = "NoSuchEvent" | stats count(*) as n';
    const first = await fresh.query(request(query));
    // The day's one check (are these CloudTrail events?) reads the same day of the same group:
    // the service bills the bytes of the window's events, whatever the query keeps.
    const step = Number(first.stats.bytesScanned);
    expect(step).toBeGreaterThan(0);
    expect(first.stats.windowProbeBytes).toBe(step);
    expect(first.stats.costUsd).toBeCloseTo((2 * step * 0.005) / 2 ** 30, 12);
    // Asked once per window: the next step pays for itself only.
    const second = await fresh.query(request(query));
    expect(second.stats.windowProbeBytes).toBeUndefined();
    expect(second.stats.costUsd).toBeCloseTo((step * 0.005) / 2 ** 30, 12);
    await fresh.close();
  });

  test("statistics count the window's events and those the filters keep", async () => {
    const query = 'filter eventName = "ConsoleLogin" | stats count(*) as n by sourceIPAddress';
    const r = await engine.query(request(query));
    const total = r.rows.reduce((s, row) => s + Number(row[1]), 0);
    expect(total).toBeGreaterThan(0);
    expect(r.stats).toMatchObject({ recordsScanned: EVENTS, recordsMatched: total });
  });

  test("a window with no log events is reported as such (the runner's no-data), one with events is not", async () => {
    const query = 'filter eventName = "NoSuchEvent" | stats count(*) as n';
    const withEvents = await engine.query(request(query));
    expect(withEvents.noEvents).toBeUndefined();
    // A day after the generated one: the log group holds nothing there.
    const later = {
      start: new Date("2026-11-22T00:00:00Z"),
      end: new Date("2026-11-23T00:00:00Z"),
    };
    const empty = await engine.query(request(query, { window: later }));
    expect(empty.stats).toMatchObject({ recordsScanned: 0 });
    expect(empty.noEvents).toBe(
      "CloudWatch Logs scanned no log events in CloudTrail/management between 2026-11-22T00:00:00.000Z and 2026-11-23T00:00:00.000Z",
    );
  });

  test("a window whose end holds no log event while its earlier days do is a stale end; one whose end holds some asks once (red-team)", async () => {
    const starts = () => emulator.calls.filter((c) => c.op === "StartQuery");
    const query = "stats count(*) as n";
    // The generated day is the 20th: a window to the 22nd ends with a whole day without events.
    const stopped = {
      start: new Date("2026-11-19T00:00:00Z"),
      end: new Date("2026-11-22T00:00:00Z"),
    };
    const before = starts().length;
    const r = await engine.query(request(query, { window: stopped }));
    expect(r.rows).toEqual([[EVENTS]]);
    expect(r.noEvents).toBeUndefined();
    expect(r.staleEnd).toBe(
      "CloudWatch Logs holds no log event in CloudTrail/management at the window's end, 2026-11-21T00:00:00Z → 2026-11-22T00:00:00Z, while its earlier days hold events (a trail that stopped delivering, or its logs not delivered since)",
    );
    // The step, then whether the end holds a CloudTrail event (none), then the whole window
    // (some): the end's answer for its one log group, not asked again.
    const probe = "filter ispresent(eventVersion) | fields @timestamp | limit 1";
    expect(
      starts()
        .slice(before)
        .map((c) => [c.body.queryString, c.body.startTime]),
    ).toEqual([
      [query, Date.parse("2026-11-19T00:00:00Z") / 1000],
      [probe, Date.parse("2026-11-21T00:00:00Z") / 1000],
      [probe, Date.parse("2026-11-19T00:00:00Z") / 1000],
    ]);
    // Its last day holds events: told by one probe, remembered for the next step.
    const active = {
      start: new Date("2026-11-19T00:00:00Z"),
      end: new Date("2026-11-21T00:00:00Z"),
    };
    const ok = await engine.query(request(query, { window: active }));
    expect([ok.staleEnd, ok.noEvents]).toEqual([undefined, undefined]);
    expect(starts().length).toBe(before + 5);
    await engine.query(request(query, { window: active }));
    expect(starts().length).toBe(before + 6);
  });

  test("parameters are rendered as Insights literals", async () => {
    const r = await engine.query(
      request("filter eventSource = {{svc}} | stats count(*) as n", {
        params: { svc: { type: "string", value: 's3.amazonaws.com" or eventSource like "' } },
      }),
    );
    expect(r.queryAsRun).toContain('\\"');
    expect(r.rows).toEqual([[0]]);
  });

  test("a like {{param}} pattern is sent as a /regular expression/ literal, its / escaped, and matches as one", async () => {
    const starts = () => emulator.calls.filter((c) => c.op === "StartQuery");
    const query = "filter userIdentity.arn like {{p}} | stats count(*) as n";
    const arn = (e: Record<string, unknown>) =>
      (e.userIdentity as { arn?: unknown } | undefined)?.arn;
    /** The window's records whose caller ARN the regular expression matches, by hand. */
    const truth = (re: RegExp) =>
      inWindow(readGenerated(dir), START, END).filter((e) => {
        const a = arn(e);
        return typeof a === "string" && re.test(a);
      }).length;
    const cases: [string, string, RegExp][] = [
      [
        ":assumed-role/(ci-deployer|terraform-automation)/",
        "/:assumed-role\\/(ci-deployer|terraform-automation)\\//",
        /:assumed-role\/(ci-deployer|terraform-automation)\//,
      ],
      // A value that would end the literal and add a condition stays one regular expression
      ["a/ or 1=1", "/a\\/ or 1=1/", /a\/ or 1=1/],
      // An escaped slash and another escape (\\w) are copied as they are
      [":user\\/\\w+$", "/:user\\/\\w+$/", /:user\/\w+$/],
    ];
    for (const [value, literal, re] of cases) {
      const r = await engine.query(request(query, { params: { p: { type: "string", value } } }));
      expect(starts().at(-1)?.body.queryString).toBe(
        `filter userIdentity.arn like ${literal} | stats count(*) as n`,
      );
      expect(r.rows, value).toEqual([[truth(re)]]);
    }
    expect(truth(/:assumed-role\/(ci-deployer|terraform-automation)\//)).toBeGreaterThan(0);
    expect(truth(/:user\/\w+$/)).toBeGreaterThan(0);
    // A value no literal can hold is refused, naming the parameter, before any request
    for (const value of ["x\\", "a\nb", "(unclosed"]) {
      const before = starts().length;
      await expect(
        engine.query(request(query, { params: { p: { type: "string", value } } })),
      ).rejects.toMatchObject({
        code: "insights-param",
        message: expect.stringContaining("{{p}} is a regular expression here"),
      });
      expect(starts().length).toBe(before);
    }
  });

  test("bin({{h}}h): bins of the parameter's hours, named as the service names them, as the local engine does", async () => {
    const query = "stats count(*) as n by bin({{h}}h)";
    const params = { h: { type: "integer" as const, value: 6 } };
    const remote = await engine.query(request(query, { params }));
    const local = await createLocalEngine({ logDir: dir });
    try {
      const here = await local.query(request(query, { params }));
      for (const r of [remote, here])
        expect(r.columns.map((c) => c.name)).toEqual(["bin(6h)", "n"]);
      const bins = (rows: unknown[][]) => rows.map((r) => [String(r[0]), Number(r[1])]).sort();
      expect(bins(remote.rows)).toEqual(bins(here.rows));
      // A day of events in bins of six hours from midnight: four bins holding every event.
      expect(remote.rows).toHaveLength(4);
      expect(remote.rows.reduce((s, r) => s + Number(r[1]), 0)).toBe(EVENTS);
    } finally {
      await local.close();
    }
    const later = {
      start: new Date("2026-11-22T00:00:00Z"),
      end: new Date("2026-11-23T00:00:00Z"),
    };
    const empty = await engine.query(request(query, { params, window: later }));
    expect(empty.columns.map((c) => c.name)).toEqual(["bin(6h)", "n"]);
  });

  test("partial results while Running are reported as progress", async () => {
    setFaults({ scheduledPolls: 1, runningPolls: 3 });
    const progress: Array<{ message: string; stats?: Record<string, number | string> }> = [];
    const r = await engine.query(
      request("fields eventName | limit 100", { onProgress: (p) => progress.push(p) }),
    );
    expect(r.rows).toHaveLength(100);
    expect(progress[0]!.stats?.status).toBe("Scheduled");
    const running = progress.filter((p) => p.stats?.status === "Running");
    expect(running.length).toBeGreaterThanOrEqual(3);
    expect(running.some((p) => Number(p.stats?.partialRows) > 0)).toBe(true);
    expect(running.at(-1)!.message).toMatch(/^Running: \d+ partial result\(s\)/);
  });

  test("a probe of the engine's own that ends Timeout after the step's query completed says it was the probe", async () => {
    // The step's query completes; the engine's CloudTrail probe of a window not seen yet times out.
    setFaults({ outcomes: ["Complete", "Timeout"] });
    const w = { start: new Date("2026-11-20T06:00:00Z"), end: new Date("2026-11-20T18:00:00Z") };
    await expect(engine.query(request("fields eventName", { window: w }))).rejects.toMatchObject({
      code: "logs-query-failed",
      message: expect.stringMatching(
        /^the check that the step's log groups hold CloudTrail events \(filter ispresent\(eventVersion\) \| fields @timestamp \| limit 1\) failed, after the step's own query succeeded: Logs Insights query .+ ended Timeout$/,
      ),
    });
  });

  test("a Failed query is an error with the status and a hint", async () => {
    setFaults({ outcomes: ["Failed"] });
    await expect(engine.query(request("fields eventName"))).rejects.toMatchObject({
      code: "logs-query-failed",
      message: expect.stringContaining("ended Failed"),
      hint: expect.any(String),
    });
  });

  test("a Timeout status is an error that suggests a narrower query", async () => {
    setFaults({ outcomes: ["Timeout"] });
    await expect(engine.query(request("fields eventName"))).rejects.toMatchObject({
      code: "logs-query-failed",
      message: expect.stringContaining("ended Timeout"),
      hint: expect.stringContaining("60 minutes"),
    });
  });

  test("a step timeout stops the query on the service", async () => {
    setFaults({ hang: true });
    const before = emulator.callsOf("StopQuery").length;
    const err = await engine
      .query(request("fields eventName", { signal: AbortSignal.timeout(300) }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "cancelled",
      message: expect.stringContaining("StopQuery sent"),
    });
    const stops = emulator.callsOf("StopQuery");
    expect(stops.length).toBe(before + 1);
    const queryId = String(stops.at(-1)!.body.queryId);
    const after = await client.send(new GetQueryResultsCommand({ queryId }));
    expect(after.status).toBe("Cancelled");
  });

  test("more than 10,000 rows come back over several pages", async () => {
    const r = await engine.query(request("fields @timestamp, eventName | limit 12000"));
    expect(r.rows).toHaveLength(12_000);
    const tokens = emulator
      .callsOf("GetQueryResults")
      .filter((c) => c.body.nextToken !== undefined);
    expect(tokens.length).toBeGreaterThanOrEqual(1);
    // Newest first, as without a sort command.
    const times = r.rows.map((row) => String(row[0]));
    expect(times).toEqual([...times].sort().reverse());
  });

  test("a result of the service's 10,000 rows without a limit command says it may be cut", async () => {
    const cut = await engine.query(request("fields @timestamp, eventName"));
    expect(cut.rows).toHaveLength(10_000);
    expect(cut.capped).toBe(10_000);
    expect(cut.warnings.join(" ")).toContain("its default limit");
    // A limit the query sets is the author's choice: nothing is cut behind their back.
    const chosen = await engine.query(request("fields @timestamp, eventName | limit 10000"));
    expect(chosen.rows).toHaveLength(10_000);
    expect(chosen.capped).toBeUndefined();
  });

  test("a syntax error is reported at its line and column before any AWS call", async () => {
    const before = emulator.callsOf("StartQuery").length;
    await expect(
      engine.query(request('filter eventName = "x"\n| stats count(*) by')),
    ).rejects.toMatchObject({
      code: "insights-syntax",
      line: 2,
      column: 20,
    });
    expect(emulator.callsOf("StartQuery").length).toBe(before);
  });

  test("functions and structure types AWS documents today are sent, not refused before the call", async () => {
    // CWL_QuerySyntax-operations-functions: jsonParse with list[index] and map.`key` access
    // ("Structure types"), strcontains' case-insensitive third argument, round. The local engine
    // behind this emulator refuses jsonParse, and says so as the service's rejection: what
    // matters here is that the logs engine sent the query, as written, to StartQuery.
    const query = [
      "fields jsonParse(requestParameters.policyDocument) as doc, round(2.4) as r",
      '| filter doc.Statement[0].Effect = "Allow" and doc.`aws:SourceIp` = "x"',
      '| filter strcontains(eventName, "put", true)',
    ].join("\n");
    const before = emulator.callsOf("StartQuery").length;
    const err = await engine.query(request(query)).catch((e: unknown) => e);
    const sent = emulator.callsOf("StartQuery").slice(before);
    expect(sent.map((c) => c.body.queryString)).toEqual([query]);
    expect(err).toMatchObject({
      message: expect.stringMatching(
        /^Logs Insights rejected the query at line 1, column 8: jsonParse\(\)/,
      ),
    });
  });

  test("the commands only the service runs are sent, and the emulator's refusal is reported at its place", async () => {
    // CWL_QuerySyntax-Pattern, -Anomaly, -Accum: the logs engine sends them as written; the
    // emulator answers with the local translation, which refuses them: its MalformedQueryException
    // comes back as the engine's error at the command's line and column, not as a crash.
    for (const [text, kind] of [
      ["pattern @message\n| anomaly", "pattern"],
      ["accum readOnly as r", "accum"],
      ["filldown userAgent", "filldown"],
    ]) {
      const query = `filter eventName = "x"\n| ${text}`;
      const before = emulator.callsOf("StartQuery").length;
      const err = await engine.query(request(query)).catch((e: unknown) => e);
      const sent = emulator.callsOf("StartQuery").slice(before);
      expect(sent.map((c) => c.body.queryString)).toEqual([query]);
      expect(err).toMatchObject({
        code: "insights-syntax",
        message: expect.stringMatching(
          new RegExp(
            `^Logs Insights rejected the query at line 2, column 3: the ${kind} command is not supported by the local engine: .+ \\(CloudWatch Logs runs it: use --engine logs\\)`,
          ),
        ),
      });
    }
  });

  test("a query the service rejects is reported with its message and position", async () => {
    const err = await engine
      .query(
        request(
          'filter eventName = "x"\n| fields isIpv6InSubnet(sourceIPAddress, "2001:db8::/32")',
        ),
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "insights-syntax",
      message: expect.stringMatching(
        /^Logs Insights rejected the query at line 2, column 10: isIpv6InSubnet/,
      ),
      details: { line: 2, column: 10 },
    });
  });

  test("throttled calls are retried", async () => {
    emulator.faults.throttle = { StartQuery: 2, GetQueryResults: 2 };
    const patient = createLogsEngine({
      endpoint: emulator.endpoint,
      logGroups: ["CloudTrail/management"],
      pollIntervalMs: 10,
      clientConfig: quickRetries(),
    });
    try {
      const r = await patient.query(request("stats count(*) as n"));
      expect(r.rows).toEqual([[EVENTS]]);
      expect(emulator.faults.throttle).toEqual({ StartQuery: 0, GetQueryResults: 0 });
    } finally {
      await patient.close();
    }
  });

  test("throttling that does not stop is a retryable error after maxAttempts sends", async () => {
    emulator.faults.throttle = { StartQuery: 10 };
    const impatient = createLogsEngine({
      endpoint: emulator.endpoint,
      logGroups: ["g"],
      maxAttempts: 2,
    });
    const before = emulator.callsOf("StartQuery").length;
    try {
      await expect(impatient.query(request("fields eventName"))).rejects.toMatchObject({
        code: "logs-throttled",
        retryable: true,
        message: expect.stringContaining("CloudWatch Logs kept throttling"),
      });
      // The SDK's retry strategy sends it twice, and nothing retries on top of it.
      expect(emulator.callsOf("StartQuery").length - before).toBe(2);
      expect(emulator.faults.throttle).toEqual({ StartQuery: 8 });
    } finally {
      emulator.faults.throttle = {};
      await impatient.close();
    }
  });

  test("a window the log groups hold nothing of (before their creation or retention) is no events, not a rejected query (red-team)", async () => {
    const noon = new Date("2026-11-20T12:00:00Z");
    setFaults({ retainedFrom: END.getTime() / 1000 });
    // The service refuses such a window with MalformedQueryException; that is no syntax error.
    const refused = await engine.query(request("stats count(*) as n by eventName"));
    expect(refused.rows).toEqual([]);
    expect(refused.columns.map((c) => c.name)).toEqual(["eventName", "n"]);
    expect(refused.noEvents).toBe(
      "CloudWatch Logs holds no log events in CloudTrail/management up to 2026-11-21T00:00:00.000Z: the window ends before the log groups were created or before the events their retention keeps",
    );
    // With several log groups the service does not say which one: no pass on the others.
    const several = { optional: false, logGroups: ["CloudTrail/management", "CloudTrail/data"] };
    await expect(
      engine.query(request("fields eventName", { attributes: several })),
    ).rejects.toMatchObject({
      code: "logs-request-failed",
      message: expect.stringContaining("before the log groups creation time"),
    });
    // A window that starts before them reads what they hold, as the service does.
    setFaults({ retainedFrom: noon.getTime() / 1000 });
    const part = await engine.query(request("stats count(*) as n"));
    expect(part.rows).toEqual([[inWindow(readGenerated(dir), noon, END).length]]);
    expect(part.noEvents).toBeUndefined();
    // ...and the report says which part of the window it did not read (DescribeLogGroups).
    expect(part.warnings).toEqual([
      "CloudTrail/management holds no events before 2026-11-20T12:00:00Z (it was created at 2026-11-20T12:00:00Z): the window's start, 2026-11-20T00:00:00Z → 2026-11-20T12:00:00Z, was not read; shorten window=",
    ]);
  });

  test("a window starting before what the retention keeps is read in part, and the report says so (red-team)", async () => {
    // The fewest days from now that reach back into the window: not to its start.
    const days = Math.ceil((Date.now() - END.getTime()) / 86_400_000);
    setFaults({ retentionInDays: days });
    const heldFrom = Date.now() - days * 86_400_000;
    const part = await engine.query(request("stats count(*) as n"));
    const truth = inWindow(readGenerated(dir), new Date(heldFrom), END).length;
    // The emulator's clock is read a moment later: a few events of that moment may be left out.
    expect(part.rows[0]![0]).toBeGreaterThanOrEqual(truth - 5);
    expect(part.rows[0]![0]).toBeLessThanOrEqual(truth);
    expect(part.warnings).toHaveLength(1);
    expect(part.warnings[0]).toMatch(
      new RegExp(
        `^CloudTrail/management keeps events from \\S+ on \\(its retention keeps ${days} days; older ones are deleted within about 72 hours\\): the window's start, 2026-11-20T00:00:00Z → \\S+, may not have been read`,
      ),
    );
    // A retention the window is within warns of nothing.
    setFaults({ retentionInDays: days + 2 });
    expect((await engine.query(request("stats count(*) as n"))).warnings).toEqual([]);
  });

  test("a window's start that cannot be checked is said, not passed over (red-team)", async () => {
    setFaults({ describeDenied: true });
    const denied = await engine.query(request("stats count(*) as n"));
    expect(denied.rows).toEqual([[inWindow(readGenerated(dir), START, END).length]]);
    expect(denied.warnings).toEqual([
      expect.stringMatching(
        /^whether CloudTrail\/management hold events back to the window's start was not checked: DescribeLogGroups failed \(User is not authorized .*\); the credentials need logs:DescribeLogGroups$/,
      ),
    ]);
    // A group the call does not list (another account's, say) is said too.
    const arn = "arn:aws:logs:us-east-1:999999999999:log-group:CloudTrail/management";
    setFaults({});
    const other = await engine.query(
      request("stats count(*) as n", { attributes: { optional: false, logGroups: [arn] } }),
    );
    expect(other.warnings).toEqual([
      `whether ${arn} holds events back to the window's start was not checked: DescribeLogGroups did not list it`,
    ]);
  });

  test("a step without log groups is a configuration error", async () => {
    const bare = createLogsEngine({ endpoint: emulator.endpoint, logGroups: [] });
    await expect(bare.query(request("fields a"))).rejects.toMatchObject({ code: "logs-config" });
    await bare.close();
  });

  test("an unknown log group is reported with the service's message", async () => {
    setFaults({ logGroups: ["CloudTrail/management"] });
    await expect(
      engine.query(
        request("fields eventName", { attributes: { optional: false, logGroups: ["nope"] } }),
      ),
    ).rejects.toMatchObject({
      code: "logs-request-failed",
      message: expect.stringContaining("Log group nope does not exist"),
      hint: expect.stringContaining("log group"),
    });
  });
});
