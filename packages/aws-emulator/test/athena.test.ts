/**
 * The emulated Athena endpoint through the real SDK client: idempotency tokens, states, result
 * paging and the header row, ColumnInfo, Trino text, error shapes, stop, and injected faults.
 */
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  paginateGetQueryResults,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { duckdbBackend, type Emulator, startEmulator } from "../src/index.ts";
import { athenaClient, pollUntilDone } from "./athena-client.ts";

let instance: DuckDBInstance;
let emu: Emulator;
let client: AthenaClient;

beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:");
  emu = await startEmulator({
    logDir: "/nonexistent",
    athenaBackend: duckdbBackend(instance, { scannedBytes: (sql) => sql.length }),
  });
  client = athenaClient(emu.endpoint);
});
afterAll(async () => {
  client.destroy();
  await emu.close();
  instance.closeSync();
});
beforeEach(() => {
  emu.calls.length = 0;
  for (const k of Object.keys(emu.faults)) delete emu.faults[k];
});

async function start(sql: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await client.send(new StartQueryExecutionCommand({ QueryString: sql, ...extra }));
  return r.QueryExecutionId!;
}

async function waitFor(id: string): Promise<string[]> {
  return (await pollUntilDone(client, id)).states;
}

async function errorOf(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error("expected an error");
}

describe("StartQueryExecution", () => {
  it("returns the same id for a repeated token and refuses the token with another query", async () => {
    const token = "11111111-2222-3333-4444-555555555555";
    const a = await start("SELECT 1 AS x", { ClientRequestToken: token });
    const b = await start("SELECT 1 AS x", { ClientRequestToken: token });
    expect(b).toBe(a);
    const e = await errorOf(start("SELECT 2 AS x", { ClientRequestToken: token }));
    expect(e.name).toBe("InvalidRequestException");
    expect(e.message).toMatch(/Idempotent parameters do not match/);
    expect(e.AthenaErrorCode).toBe("INVALID_INPUT");
  });

  it("records the request as the SDK sent it", async () => {
    await start("SELECT ? AS n", {
      ExecutionParameters: ["42"],
      WorkGroup: "wg",
      QueryExecutionContext: { Database: "security", Catalog: "AwsDataCatalog" },
    });
    const [call] = emu.callsOf("AmazonAthena.StartQueryExecution");
    expect(call!.body).toMatchObject({
      QueryString: "SELECT ? AS n",
      ExecutionParameters: ["42"],
      WorkGroup: "wg",
      QueryExecutionContext: { Database: "security", Catalog: "AwsDataCatalog" },
    });
    expect(typeof call!.body.ClientRequestToken).toBe("string");
  });
});

describe("GetQueryExecution and GetQueryResults", () => {
  it("moves through QUEUED and RUNNING as injected, then reports statistics", async () => {
    emu.faults.athena = { queuedPolls: 1, runningPolls: 2, scannedBytes: 5_000_000 };
    const id = await start("SELECT 1 AS x");
    // The injected polls, then RUNNING for as long as the backend is still running the query
    // (on a loaded machine even SELECT 1 can outlast two polls).
    const states = await waitFor(id);
    expect(states.slice(0, 3)).toEqual(["QUEUED", "RUNNING", "RUNNING"]);
    expect(states.slice(3)).toEqual([...states.slice(3, -1).map(() => "RUNNING"), "SUCCEEDED"]);
    const r = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    const q = r.QueryExecution!;
    expect(q.StatementType).toBe("DML");
    expect(q.Statistics?.DataScannedInBytes).toBe(5_000_000);
    expect(q.Status?.SubmissionDateTime).toBeInstanceOf(Date);
    expect(q.Status?.CompletionDateTime).toBeInstanceOf(Date);
  });

  it("refuses results before the query has finished", async () => {
    emu.faults.athena = { runningPolls: 5 };
    const id = await start("SELECT 1 AS x");
    await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    const e = await errorOf(client.send(new GetQueryResultsCommand({ QueryExecutionId: id })));
    expect(e.name).toBe("InvalidRequestException");
    expect(e.message).toBe("Query has not yet finished. Current state: RUNNING");
  });

  it("pages 2,500 rows as 1000/1000/501 with the header row first", async () => {
    const id = await start("SELECT i AS n FROM range(2500) t(i) ORDER BY i");
    await waitFor(id);
    const sizes: number[] = [];
    const values: (string | undefined)[] = [];
    for await (const page of paginateGetQueryResults(
      { client, pageSize: 1000 },
      { QueryExecutionId: id },
    )) {
      sizes.push(page.ResultSet!.Rows!.length);
      for (const row of page.ResultSet!.Rows!) values.push(row.Data![0]!.VarCharValue);
    }
    expect(sizes).toEqual([1000, 1000, 501]);
    expect(values[0]).toBe("n");
    expect(values.slice(1)).toEqual(Array.from({ length: 2500 }, (_, i) => String(i)));
  });

  it("refuses MaxResults outside 1..1000 and a forged NextToken", async () => {
    const id = await start("SELECT 1 AS x");
    await waitFor(id);
    for (const MaxResults of [0, 1001]) {
      const e = await errorOf(
        client.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults })),
      );
      expect(e.name).toBe("InvalidRequestException");
    }
    const e = await errorOf(
      client.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: "bm9wZQ" })),
    );
    expect(e.message).toBe("The NextToken is not valid");
  });

  it("describes columns with Athena type names and formats values as Trino text", async () => {
    const id =
      await start(`SELECT 'a' AS "MixedCase", 7::BIGINT AS b, 1.5::DOUBLE AS d, 1e20::DOUBLE AS big,
      12.5::DECIMAL(10,2) AS dec, true AS bo, DATE '2026-11-23' AS da,
      TIMESTAMP '2026-11-23 01:02:03' AS ts, TIMESTAMPTZ '2026-11-23 01:02:03+00' AS tz,
      ['x', NULL] AS arr, {'type': 'IAMUser', 'n': 1} AS ro, MAP {'k': 2} AS ma, NULL::VARCHAR AS nul`);
    await waitFor(id);
    const r = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    const info = r.ResultSet!.ResultSetMetadata!.ColumnInfo!;
    expect(info.map((c) => [c.Name, c.Type, c.Precision, c.Scale])).toEqual([
      ["mixedcase", "varchar", 2147483647, 0],
      ["b", "bigint", 19, 0],
      ["d", "double", 17, 0],
      ["big", "double", 17, 0],
      ["dec", "decimal", 10, 2],
      ["bo", "boolean", 0, 0],
      ["da", "date", 0, 0],
      ["ts", "timestamp", 3, 0],
      ["tz", "timestamp with time zone", 3, 0],
      ["arr", "array", 0, 0],
      ["ro", "row", 0, 0],
      ["ma", "map", 0, 0],
      ["nul", "varchar", 2147483647, 0],
    ]);
    expect(info[0]).toMatchObject({
      CatalogName: "hive",
      Nullable: "UNKNOWN",
      CaseSensitive: true,
    });
    const [header, row] = r.ResultSet!.Rows!;
    expect(header!.Data!.map((d) => d.VarCharValue)).toEqual(info.map((c) => c.Name));
    expect(row!.Data).toEqual([
      { VarCharValue: "a" },
      { VarCharValue: "7" },
      { VarCharValue: "1.5" },
      { VarCharValue: "1.0E20" },
      { VarCharValue: "12.50" },
      { VarCharValue: "true" },
      { VarCharValue: "2026-11-23" },
      { VarCharValue: "2026-11-23 01:02:03.000" },
      { VarCharValue: "2026-11-23 01:02:03.000 UTC" },
      { VarCharValue: "[x, null]" },
      { VarCharValue: "{type=IAMUser, n=1}" },
      { VarCharValue: "{k=2}" },
      {},
    ]);
  });

  it("ends a query the backend cannot run FAILED with a reason and AthenaError", async () => {
    const id = await start("SELEC 1");
    expect((await waitFor(id)).at(-1)).toBe("FAILED");
    const r = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    expect(r.QueryExecution!.Status!.StateChangeReason).toMatch(/^SYNTAX_ERROR: /);
    expect(r.QueryExecution!.Status!.AthenaError).toMatchObject({
      ErrorCategory: 2,
      Retryable: false,
    });
    const e = await errorOf(client.send(new GetQueryResultsCommand({ QueryExecutionId: id })));
    expect(e.message).toBe("Query did not finish successfully. Final query state: FAILED");
  });

  it("refuses an execution parameter that is not a literal", async () => {
    const id = await start("SELECT 1 AS x WHERE 'a' = ?", { ExecutionParameters: ["'a' OR 1=1"] });
    await waitFor(id);
    const r = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    expect(r.QueryExecution!.Status!.StateChangeReason).toMatch(
      /^INVALID_INPUT: execution parameter is not a literal/,
    );
  });

  it("answers an unknown id with InvalidRequestException", async () => {
    const e = await errorOf(
      client.send(
        new GetQueryExecutionCommand({ QueryExecutionId: "00000000-0000-4000-8000-000000000000" }),
      ),
    );
    expect(e.name).toBe("InvalidRequestException");
    expect((e.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(400);
  });
});

describe("StopQueryExecution and faults", () => {
  it("cancels a running query, which then has no results", async () => {
    emu.faults.athena = { runningPolls: 100 };
    const id = await start("SELECT 1 AS x");
    await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
    expect(await waitFor(id)).toEqual(["CANCELLED"]);
    const e = await errorOf(client.send(new GetQueryResultsCommand({ QueryExecutionId: id })));
    expect(e.message).toMatch(/CANCELLED/);
  });

  it("throttles the next N calls of an operation with TooManyRequestsException", async () => {
    emu.faults.throttle = { StartQueryExecution: 1 };
    const e = await errorOf(start("SELECT 1 AS x"));
    expect(e.name).toBe("TooManyRequestsException");
    expect(e.Reason).toBe("CONCURRENT_QUERY_LIMIT_EXCEEDED");
    expect(await start("SELECT 1 AS x")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("fails the next query with an injected reason, then runs the one after normally", async () => {
    emu.faults.athena = {
      failures: [
        { reason: "HIVE_CURSOR_ERROR: SlowDown", category: 1, type: 401, retryable: true },
      ],
    };
    const a = await start("SELECT 1 AS x");
    expect((await waitFor(a)).at(-1)).toBe("FAILED");
    const r = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: a }));
    expect(r.QueryExecution!.Status).toMatchObject({
      StateChangeReason: "HIVE_CURSOR_ERROR: SlowDown",
      AthenaError: { ErrorCategory: 1, ErrorType: 401, Retryable: true },
    });
    const b = await start("SELECT 1 AS x");
    expect((await waitFor(b)).at(-1)).toBe("SUCCEEDED");
  });

  it("grows DataScannedInBytes while RUNNING", async () => {
    emu.faults.athena = { runningPolls: 3, scannedBytesPerRunningPoll: 1000 };
    const id = await start("SELECT 1 AS x");
    const scanned: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      scanned.push(r.QueryExecution!.Statistics!.DataScannedInBytes!);
    }
    expect(scanned).toEqual([1000, 2000, 3000]);
  });

  it("answers an unknown operation with UnknownOperationException", async () => {
    const res = await fetch(emu.endpoint, {
      method: "POST",
      headers: {
        "x-amz-target": "AmazonAthena.DeleteWorkGroup",
        "content-type": "application/x-amz-json-1.1",
      },
      body: "{}",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: "UnknownOperationException" });
  });
});
