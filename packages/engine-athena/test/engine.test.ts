/**
 * The athena engine through the real SDK client against the emulated Athena endpoint: paging,
 * states, failures, retries, cancellation, the scan budget, window scoping and parameters.
 */
import { GetQueryExecutionCommand } from "@aws-sdk/client-athena";
import { DEFAULT_AWS_ATTEMPTS, RunMdError } from "@run-md/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { quickRetries } from "../../core/test/quick-retries.ts";
import { athenaCostUsd, MIN_BILLED_BYTES } from "../src/index.ts";
import { EVENTS_PER_DAY, type Harness, request, SCANNED_BYTES, startHarness } from "./fixture.ts";

/** These two send DuckDB's type syntax to the bare DuckDB backend, to test value conversion. */
const DUCKDB_TYPES = { uncheckedDuckdbSql: true };

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.emulator.calls.length = 0;
  for (const k of Object.keys(h.emulator.faults)) delete h.emulator.faults[k];
});

async function rejection(p: Promise<unknown>): Promise<RunMdError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RunMdError);
    return e as RunMdError;
  }
  throw new Error("expected the query to fail");
}

/** The steps' StartQueryExecution requests (not the window's probe, `SELECT 1 AS present`). */
function startBodies() {
  return h.emulator
    .callsOf("StartQueryExecution")
    .map((c) => c.body)
    .filter((b) => !String(b.QueryString).startsWith("SELECT 1 AS present FROM"));
}

describe("results", () => {
  it("reads a 2,880-row result through three pages without the header row", async () => {
    const r = await h
      .engine()
      .query(request("SELECT eventtime, eventname FROM cloudtrail_logs ORDER BY eventtime"));
    expect(r.rows).toHaveLength(EVENTS_PER_DAY);
    expect(r.columns).toEqual([
      { name: "eventtime", type: "varchar" },
      { name: "eventname", type: "varchar" },
    ]);
    expect(r.rows[0]).toEqual(["2026-11-23T00:00:00Z", "ConsoleLogin"]);
    expect(r.rows.at(-1)).toEqual(["2026-11-23T23:59:30Z", "CreateUser"]);
    // The step's own pages (the window's probe, SELECT 1, reads one page of its own).
    const step = String(r.stats.queryExecutionId);
    const pages = h.emulator
      .callsOf("GetQueryResults")
      .filter((c) => c.body.QueryExecutionId === step);
    expect(pages).toHaveLength(3);
    expect(pages[0]!.body.MaxResults).toBe(1000);
  });

  it("returns only the header-free empty result when nothing matches", async () => {
    const r = await h
      .engine()
      .query(request("SELECT eventname FROM cloudtrail_logs WHERE eventname = 'Nothing'"));
    expect(r.rows).toEqual([]);
    expect(r.columns).toEqual([{ name: "eventname", type: "varchar" }]);
  });

  it("keeps a first data row equal to the header, and tells '' from NULL", async () => {
    // Two rows of the text 'eventname' under the column eventname: only the header row is dropped.
    const r = await h
      .engine()
      .query(
        request(
          "SELECT 'eventname' AS eventname, '' AS empty, CAST(NULL AS varchar) AS nothing FROM cloudtrail_logs LIMIT 2",
        ),
      );
    expect(r.rows).toEqual([
      ["eventname", "", null],
      ["eventname", "", null],
    ]);
  });

  it("drops the header row of a query described without a StatementType: an empty window stays empty (review)", async () => {
    h.emulator.faults.athena = { omitStatementType: true };
    const empty = {
      start: new Date("2026-12-01T00:00:00Z"),
      end: new Date("2026-12-02T00:00:00Z"),
    };
    const r = await h
      .engine()
      .query(request("SELECT eventname FROM cloudtrail_logs LIMIT 5", { window: empty }));
    expect(r.rows).toEqual([]);
    // The window's probe read no row either: the step is no data, never a pass.
    expect(r.noEvents).toMatch(/^no event of security.cloudtrail_org_pp lies in the window/);
  });

  it("turns a NULL of every type into null", async () => {
    const r = await h.engine(DUCKDB_TYPES).query(
      request(`SELECT CAST(NULL AS VARCHAR) AS v, CAST(NULL AS BIGINT) AS b, CAST(NULL AS INTEGER) AS i,
        CAST(NULL AS SMALLINT) AS s, CAST(NULL AS TINYINT) AS t, CAST(NULL AS DOUBLE) AS d,
        CAST(NULL AS REAL) AS r, CAST(NULL AS DECIMAL(10,2)) AS dec, CAST(NULL AS BOOLEAN) AS bo,
        CAST(NULL AS DATE) AS da, CAST(NULL AS TIMESTAMP) AS ts, CAST(NULL AS TIMESTAMPTZ) AS tz,
        CAST(NULL AS INTEGER[]) AS arr, CAST(NULL AS STRUCT(a INTEGER)) AS ro,
        CAST(NULL AS MAP(VARCHAR, VARCHAR)) AS ma, CAST(NULL AS JSON) AS js`),
    );
    expect(r.columns.map((c) => c.type)).toEqual([
      "varchar",
      "bigint",
      "integer",
      "smallint",
      "tinyint",
      "double",
      "real",
      "decimal",
      "boolean",
      "date",
      "timestamp",
      "timestamp with time zone",
      "array",
      "row",
      "map",
      "json",
    ]);
    expect(r.rows).toEqual([Array(16).fill(null)]);
  });

  it("converts every type from Athena's text", async () => {
    const r = await h.engine(DUCKDB_TYPES).query(
      request(`SELECT 'x' AS v, CAST(9007199254740993 AS BIGINT) AS big, CAST(42 AS BIGINT) AS b,
        CAST(7 AS INTEGER) AS i, CAST(3 AS SMALLINT) AS s, CAST(1 AS TINYINT) AS t,
        CAST(2.5 AS DOUBLE) AS d, CAST(12345678.0 AS DOUBLE) AS dbig, CAST(0.25 AS REAL) AS r,
        CAST(0.1 AS REAL) AS r1, [CAST(0.1 AS REAL)] AS ra,
        CAST(12.50 AS DECIMAL(10,2)) AS dec, true AS bo, DATE '2026-11-23' AS da,
        TIMESTAMP '2026-11-23 01:02:03.456' AS ts, TIMESTAMPTZ '2026-11-23 01:02:03+00' AS tz,
        [1, 2, NULL] AS arr, {'type': 'IAMUser', 'n': NULL, 'inner': {'k': 'v'}} AS ro,
        MAP {'a': 'b'} AS ma, CAST('{"a": [1, 2]}' AS JSON) AS js,
        [{'arn': 'arn:aws:s3:::b', 'type': 'AWS::S3::Bucket'}] AS resources`),
    );
    expect(r.rows[0]).toEqual([
      "x",
      "9007199254740993",
      42,
      7,
      3,
      1,
      2.5,
      12345678,
      0.25,
      // Trino prints REAL 0.1 as Java's Float.toString does: `0.1` (review).
      0.1,
      ["0.1"],
      12.5,
      true,
      "2026-11-23",
      "2026-11-23 01:02:03.456",
      "2026-11-23 01:02:03.000 UTC",
      ["1", "2", null],
      { type: "IAMUser", n: null, inner: { k: "v" } },
      { a: "b" },
      '{"a": [1, 2]}',
      [{ arn: "arn:aws:s3:::b", type: "AWS::S3::Bucket" }],
    ]);
  });

  it("fills in the statistics and the cost with the 10 MB minimum", async () => {
    const r = await h.engine({ pricePerTbUsd: 5 }).query(request("SELECT 1 AS one"));
    const start = await h
      .engine()
      .client.send(
        new GetQueryExecutionCommand({ QueryExecutionId: String(r.stats.queryExecutionId) }),
      );
    expect(r.stats.queryExecutionId).toBe(start.QueryExecution?.QueryExecutionId);
    expect(r.stats.dataScannedBytes).toBe(SCANNED_BYTES);
    // The step's query and the window's probe, each billed at least 10 MB.
    expect(r.stats.costUsd).toBeCloseTo(2 * (MIN_BILLED_BYTES / 1024 ** 4) * 5, 12);
    expect(typeof r.stats.engineExecutionMs).toBe("number");
    expect(typeof r.stats.queueMs).toBe("number");
    expect(typeof r.stats.totalExecutionMs).toBe("number");
    expect(athenaCostUsd(0)).toBe(0);
    expect(athenaCostUsd(1024 ** 4)).toBe(5);
  });

  it("bills the window's two probes (its end, then the whole) 10 MB each, as two queries (review)", async () => {
    // The data ends on 2026-11-25: this window's last day holds none, so the engine asks its
    // end, then the whole window. Each of the three queries scans SCANNED_BYTES (under 10 MB).
    const window = {
      start: new Date("2026-11-24T00:00:00Z"),
      end: new Date("2026-11-27T00:00:00Z"),
    };
    const r = await h
      .engine({ pricePerTbUsd: 5 })
      .query(request("SELECT count(*) AS n FROM cloudtrail_logs", { window }));
    expect(r.staleEnd).toMatch(/^no event of security.cloudtrail_org_pp lies in the window's end/);
    expect(r.stats.windowProbeBytes).toBe(2 * SCANNED_BYTES);
    expect(r.stats.costUsd).toBeCloseTo(3 * (MIN_BILLED_BYTES / 1024 ** 4) * 5, 12);
  });
});

describe("the window's probe", () => {
  it("is one for steps running at once over one window, and not paid again by the others", async () => {
    h.emulator.faults.athena = { runningPolls: 3 };
    const engine = h.engine();
    const results = await Promise.all(
      ["SELECT count(*) FROM cloudtrail_logs", "SELECT max(eventtime) FROM cloudtrail_logs"].map(
        (q) => engine.query(request(q)),
      ),
    );
    expect(results.map((r) => r.noEvents)).toEqual([undefined, undefined]);
    const probes = h.emulator
      .callsOf("StartQueryExecution")
      .filter((c) => String(c.body.QueryString).startsWith("SELECT 1 AS present FROM"));
    expect(probes).toHaveLength(1);
    expect(results.filter((r) => r.stats.windowProbeBytes !== undefined)).toHaveLength(1);
  });
});

describe("states and faults", () => {
  it("keeps polling through QUEUED and RUNNING until SUCCEEDED", async () => {
    h.emulator.faults.athena = { queuedPolls: 2, runningPolls: 3 };
    const states: string[] = [];
    const r = await h.engine().query(
      request("SELECT count(*) AS n FROM cloudtrail_logs", {
        onProgress: (p) => states.push(String(p.stats?.state)),
      }),
    );
    expect(r.rows).toEqual([[EVENTS_PER_DAY]]);
    expect(states).toEqual(["QUEUED", "QUEUED", "RUNNING", "RUNNING", "RUNNING", "SUCCEEDED"]);
  });

  it("fails a FAILED query with Athena's reason, category and a hint", async () => {
    h.emulator.faults.athena = {
      failures: [
        {
          reason: "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.security.x' does not exist",
          category: 2,
          type: 1006,
        },
      ],
    };
    const e = await rejection(h.engine().query(request("SELECT 1 AS one")));
    expect(e.code).toBe("athena-query-failed");
    expect(e.message).toContain("TABLE_NOT_FOUND: line 1:15");
    expect(e.hint).toContain("athena.table");
    expect(e.details).toMatchObject({ errorCategory: "user", errorType: 1006, retryable: false });
    expect(startBodies()).toHaveLength(1);
  });

  it("reports a query the backend cannot run as FAILED with a column hint", async () => {
    // A column of Athena's CloudTrail table (so the SQL check passes) that this backend's table
    // lacks: the failure comes from the service.
    const e = await rejection(h.engine().query(request("SELECT useragent FROM cloudtrail_logs")));
    expect(e.code).toBe("athena-query-failed");
    expect(e.message).toContain("COLUMN_NOT_FOUND");
    expect(e.hint).toContain("partitioning");
  });

  it("resubmits a retryable FAILED query with a new token", async () => {
    h.emulator.faults.athena = {
      failures: [
        {
          reason: "HIVE_CURSOR_ERROR: Please reduce your request rate. SlowDown",
          category: 1,
          retryable: true,
        },
      ],
    };
    const r = await h.engine().query(request("SELECT 1 AS one"));
    expect(r.rows).toEqual([[1]]);
    expect(r.stats.attempts).toBe(2);
    const tokens = startBodies().map((b) => b.ClientRequestToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it("retries throttled calls with the SDK's strategy", async () => {
    h.emulator.faults.throttle = {
      StartQueryExecution: 2,
      GetQueryExecution: 2,
      GetQueryResults: 1,
    };
    const r = await h.engine({ clientConfig: quickRetries() }).query(request("SELECT 2 AS two"));
    expect(r.rows).toEqual([[2]]);
    const starts = startBodies();
    expect(starts).toHaveLength(3);
    // The same submission: the same idempotency token each time.
    expect(new Set(starts.map((b) => b.ClientRequestToken)).size).toBe(1);
    expect(h.emulator.faults.throttle).toEqual({
      StartQueryExecution: 0,
      GetQueryExecution: 0,
      GetQueryResults: 0,
    });
  });

  it("sends a throttled call at most maxAttempts times: the SDK's retries, nothing on top", async () => {
    h.emulator.faults.throttle = { StartQueryExecution: 100 };
    const e = await rejection(
      h.engine({ maxAttempts: 3, clientConfig: quickRetries(3) }).query(request("SELECT 1 AS one")),
    );
    expect(e.code).toBe("athena-throttled");
    expect(e.retryable).toBe(true);
    expect(startBodies()).toHaveLength(3);
    // The SDK sends the same request again: one submission, one idempotency token.
    expect(new Set(startBodies().map((b) => b.ClientRequestToken)).size).toBe(1);
    expect(h.emulator.faults.throttle).toEqual({ StartQueryExecution: 97 });
  });

  it("sends a throttled call 5 times by default (DEFAULT_AWS_ATTEMPTS), then says so", async () => {
    h.emulator.faults.throttle = { GetQueryExecution: 100 };
    // The SDK client is given the default number of attempts; the sends below are what it does
    // with them (its own strategy, 1 ms apart instead of seconds).
    expect(await h.engine().client.config.maxAttempts()).toBe(DEFAULT_AWS_ATTEMPTS);
    const e = await rejection(
      h.engine({ clientConfig: quickRetries() }).query(request("SELECT 1 AS one")),
    );
    expect(DEFAULT_AWS_ATTEMPTS).toBe(5);
    expect(e.code).toBe("athena-throttled");
    expect(h.emulator.callsOf("GetQueryExecution")).toHaveLength(DEFAULT_AWS_ATTEMPTS);
    // A query it lost track of is stopped rather than left running unseen.
    expect(h.emulator.callsOf("StopQueryExecution")).toHaveLength(1);
  });

  it("a throttled start cancelled by Ctrl-C ends after the SDK's attempts, with nothing to stop", async () => {
    h.emulator.faults.throttle = { StartQueryExecution: 1000 };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    // Ctrl-C comes during the first backoff (150 ms), as it would during the SDK's seconds.
    const e = await rejection(
      h
        .engine({ maxAttempts: 3, clientConfig: quickRetries(3, 150) })
        .query(request("SELECT 1 AS one", { signal: controller.signal })),
    );
    expect(e.code).toBe("cancelled");
    expect(h.emulator.callsOf("StartQueryExecution")).toHaveLength(3);
    expect(h.emulator.callsOf("StopQueryExecution")).toHaveLength(0);
  });

  it("says which credentials are missing when the SDK's chain has none", async () => {
    const e = await rejection(
      h
        .engine({
          clientConfig: {
            credentials: async () => {
              throw Object.assign(new Error("Could not load credentials from any providers"), {
                name: "CredentialsProviderError",
              });
            },
          },
        })
        .query(request("SELECT 1 AS one")),
    );
    expect(e.code).toBe("athena-credentials");
    expect(e.hint).toContain("--profile");
    expect(h.emulator.calls).toHaveLength(0);
  });

  it("stops the query on Athena when the step times out", async () => {
    h.emulator.faults.athena = { runningPolls: 100_000 };
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("timeout")), 150);
    const e = await rejection(
      h.engine().query(request("SELECT 1 AS one", { signal: controller.signal })),
    );
    expect(e.code).toBe("cancelled");
    expect(e.message).toContain("timeout");
    const id = h.emulator.callsOf("StartQueryExecution").length && e.details?.queryExecutionId;
    expect(h.emulator.callsOf("StopQueryExecution").map((c) => c.body.QueryExecutionId)).toEqual([
      id,
    ]);
    const after = await h
      .engine()
      .client.send(new GetQueryExecutionCommand({ QueryExecutionId: String(id) }));
    expect(after.QueryExecution?.Status?.State).toBe("CANCELLED");
  });

  it("stops the query on Athena on Ctrl-C while it is still queued", async () => {
    h.emulator.faults.athena = { queuedPolls: 100_000 };
    const controller = new AbortController();
    const p = h.engine().query(
      request("SELECT 1 AS one", {
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }),
    );
    const e = await rejection(p);
    expect(e.code).toBe("cancelled");
    const stops = h.emulator.callsOf("StopQueryExecution");
    expect(stops).toHaveLength(1);
    expect(stops[0]!.body.QueryExecutionId).toBe(e.details?.queryExecutionId);
  });

  it("sends nothing when the step is cancelled before it starts", async () => {
    const controller = new AbortController();
    controller.abort();
    const e = await rejection(
      h.engine().query(request("SELECT 1 AS one", { signal: controller.signal })),
    );
    expect(e.code).toBe("cancelled");
    expect(h.emulator.calls).toHaveLength(0);
  });

  describe("the scan budget", () => {
    const GB = 1e9; // decimal, as --max-scan 2.5GB reads it
    /** A step's `max_scan=` as the parser gives it to the engine. */
    const maxScan = (bytes: number) => ({ attributes: { optional: false, maxScanBytes: bytes } });
    beforeEach(() => {
      // Every poll of a running query adds 1 GB to what it has scanned.
      h.emulator.faults.athena = { runningPolls: 100_000, scannedBytesPerRunningPoll: GB };
    });

    it("stops a query whose scanned bytes pass the step's max_scan=", async () => {
      const e = await rejection(h.engine().query(request("SELECT 1 AS one", maxScan(2.5 * GB))));
      expect(e.code).toBe("scan-budget-exceeded");
      expect(e.message).toContain("3.00 GB");
      expect(e.message).toContain("2.50 GB");
      expect(e.details?.maxScanBytes).toBe(2.5 * GB);
      expect(h.emulator.callsOf("StopQueryExecution")).toHaveLength(1);
      expect(h.emulator.callsOf("GetQueryExecution")).toHaveLength(3);
    });

    it("applies the engine's run-wide budget to a step without max_scan=", async () => {
      const e = await rejection(
        h.engine({ maxScanBytes: 1.5 * GB }).query(request("SELECT 1 AS one")),
      );
      expect(e.code).toBe("scan-budget-exceeded");
      expect(e.details).toMatchObject({ maxScanBytes: 1.5 * GB, dataScannedBytes: 2 * GB });
      expect(h.emulator.callsOf("GetQueryExecution")).toHaveLength(2);
    });

    it("warns of a query that finished over the budget before a poll could stop it (review)", async () => {
      h.emulator.faults.athena = {};
      const r = await h.engine().query(request("SELECT 1 AS one", maxScan(1000)));
      expect(r.stats.dataScannedBytes).toBe(SCANNED_BYTES);
      expect(r.warnings).toContain(
        "the query scanned 123.5 KB, over the step's budget of 1.00 KB: it finished before it could be stopped (a workgroup's per-query data limit stops a query on Athena's side)",
      );
      const within = await h.engine().query(request("SELECT 1 AS one", maxScan(SCANNED_BYTES)));
      expect(within.warnings?.some((w) => w.includes("budget"))).toBe(false);
    });

    it("lets a step's max_scan= replace the run-wide budget, above or below it", async () => {
      const engine = h.engine({ maxScanBytes: 1.5 * GB });
      const above = await rejection(engine.query(request("SELECT 1 AS one", maxScan(3.5 * GB))));
      expect(above.details).toMatchObject({ maxScanBytes: 3.5 * GB, dataScannedBytes: 4 * GB });
      const below = await rejection(engine.query(request("SELECT 1 AS one", maxScan(0.5 * GB))));
      expect(below.details).toMatchObject({ maxScanBytes: 0.5 * GB, dataScannedBytes: 1 * GB });
      expect(h.emulator.callsOf("StopQueryExecution")).toHaveLength(2);
    });
  });
});

describe("window scoping and parameters", () => {
  it("sends the window predicate to Athena and reads only the window's events", async () => {
    const r = await h.engine().query(request("SELECT count(*) AS n FROM cloudtrail_logs"));
    expect(r.rows).toEqual([[EVENTS_PER_DAY]]);
    const [body] = startBodies();
    expect(body!.QueryString).toBe(
      `SELECT count(*) AS n FROM (SELECT * FROM security.cloudtrail_org_pp WHERE "timestamp" BETWEEN '2026/11/23' AND '2026/11/24' AND eventtime >= '2026-11-23T00:00:00Z' AND eventtime < '2026-11-24T00:00:00Z') AS cloudtrail_logs`,
    );
    expect(r.queryAsRun).toBe(body!.QueryString);
    expect(body).toMatchObject({
      WorkGroup: "primary",
      QueryExecutionContext: { Catalog: "AwsDataCatalog", Database: "security" },
      ResultConfiguration: { OutputLocation: "s3://results-bucket/run-md/" },
    });
    expect(body!.ExecutionParameters).toBeUndefined();
  });

  it("binds WHERE-clause parameters as execution parameters and renders the rest as literals", async () => {
    const r = await h.engine().query(
      request(
        `SELECT {{label}} AS label, eventname, count(*) AS n
         FROM cloudtrail_logs
         WHERE eventname = {{name}} AND eventtime >= {{start}} AND readonly = {{ro}}
         GROUP BY 1, 2 LIMIT {{limit}}`,
        {
          params: {
            label: { type: "string", value: "it's" },
            name: { type: "string", value: "GetObject" },
            start: { type: "timestamp", value: "2026-11-23T12:00:00Z" },
            ro: { type: "string", value: "true" },
            limit: { type: "integer", value: 5 },
          },
        },
      ),
    );
    expect(r.rows).toEqual([["it's", "GetObject", EVENTS_PER_DAY / 8]]);
    const [body] = startBodies();
    expect(body!.ExecutionParameters).toEqual(["'GetObject'", "'2026-11-23T12:00:00Z'", "'true'"]);
    expect(body!.QueryString).toContain("SELECT 'it''s' AS label");
    expect(body!.QueryString).toContain("WHERE eventname = ? AND eventtime >= ? AND readonly = ?");
    expect(body!.QueryString).toContain("LIMIT 5");
  });

  it("finds nothing with an injection attempt, bound or inline", async () => {
    const attack = "x' OR '1'='1";
    const r = await h.engine().query(
      request(
        "SELECT {{who}} AS who, count(*) AS n FROM cloudtrail_logs WHERE eventname = {{who}}",
        {
          params: { who: { type: "string", value: attack } },
        },
      ),
    );
    expect(r.rows).toEqual([[attack, 0]]);
    const [body] = startBodies();
    expect(body!.ExecutionParameters).toEqual(["'x'' OR ''1''=''1'"]);
    expect(body!.QueryString).toContain("SELECT 'x'' OR ''1''=''1' AS who");
  });

  it("refuses a query over Athena's length limit before sending it", async () => {
    const long = `SELECT count(*) AS n FROM cloudtrail_logs WHERE eventname IN (${Array.from(
      { length: 30_000 },
      (_, i) => `'Event${i}'`,
    ).join(", ")})`;
    const e = await rejection(h.engine().query(request(long)));
    expect(e.code).toBe("athena-query-too-long");
    expect(h.emulator.calls).toHaveLength(0);
  });

  it("refuses a statement that is not a read-only query before sending anything", async () => {
    for (const sql of [
      "DROP TABLE cloudtrail_logs",
      "SELECT 1; DROP TABLE security.cloudtrail_org_pp",
      "INSERT INTO security.x SELECT * FROM cloudtrail_logs",
      "CREATE TABLE x AS SELECT 1",
      "UNLOAD (SELECT 1) TO 's3://b/' WITH (format = 'JSON')",
    ]) {
      const e = await rejection(h.engine().query(request(sql)));
      expect(e.code, sql).toBe("sql-refused");
    }
    expect(h.emulator.calls).toHaveLength(0);
  });
});
