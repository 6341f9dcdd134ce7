import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import type { QueryRequest } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine, type LocalEngine } from "../src/index.ts";
import { tempDir, window } from "./helpers.ts";

const ACCT = "111122223333";
let root: string;
let logDir: string;
let engine: LocalEngine;

function ev(time: string | undefined, name: string, extra: Record<string, unknown> = {}) {
  return {
    eventVersion: "1.09",
    userIdentity: {
      type: "IAMUser",
      arn: `arn:aws:iam::${ACCT}:user/alice`,
      userName: "alice",
      accountId: ACCT,
    },
    ...(time ? { eventTime: time } : {}),
    eventSource: "iam.amazonaws.com",
    eventName: name,
    awsRegion: "us-east-1",
    sourceIPAddress: "10.0.0.1",
    requestParameters: { userName: "bob" },
    responseElements: null,
    readOnly: false,
    recipientAccountId: ACCT,
    eventID: `${name}-${time}`,
    ...extra,
  };
}

async function layoutFile(day: string, name: string, content: string | object, gz = true) {
  const dir = path.join(logDir, "AWSLogs", ACCT, "CloudTrail", "us-east-1", day);
  await fsp.mkdir(dir, { recursive: true });
  const text = typeof content === "string" ? content : JSON.stringify(content);
  const file = path.join(dir, `${ACCT}_CloudTrail_us-east-1_${name}.json${gz ? ".gz" : ""}`);
  await fsp.writeFile(file, gz ? zlib.gzipSync(text) : text);
  return file;
}

/** The layout folder of one delivery day (us-east-1, 2024-03-01) under `dir`, created. */
async function dayFolder(dir: string): Promise<string> {
  const day = path.join(dir, "AWSLogs", ACCT, "CloudTrail", "us-east-1", "2024", "03", "01");
  await fsp.mkdir(day, { recursive: true });
  return day;
}

/** Runs `use` on a one-thread engine over `dir`, then closes the engine and removes `dir`. */
async function withEngineOver(dir: string, use: (e: LocalEngine) => Promise<void>) {
  const e = await createLocalEngine({ logDir: dir, threads: 1 });
  try {
    await use(e);
  } finally {
    await e.close();
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  root = await tempDir();
  logDir = path.join(root, "logs");
  for (const d of ["01", "02", "03"]) {
    await layoutFile(`2024/03/${d}`, `a${d}`, {
      Records: [
        ev(`2024-03-${d}T00:00:00Z`, "CreateUser"),
        ev(`2024-03-${d}T12:00:00Z`, "ListUsers", { readOnly: true }),
        ev(`2024-03-${d}T23:59:59Z`, "DeleteUser"),
      ],
    });
  }
  // A file that starts like a delivery but is malformed further on, in a day outside the window.
  await layoutFile(
    "2024/03/04",
    "bad",
    '{"Records":[{"eventName":"X" "eventTime":"2024-03-04T00:00:00Z"}]}',
  );
  // Flat exports: JSON lines (.jsonl and a .json holding JSON lines), a bare array, one event.
  const flat = path.join(logDir, "exports");
  await fsp.mkdir(flat, { recursive: true });
  await fsp.writeFile(
    path.join(flat, "a.jsonl"),
    [ev("2024-03-02T01:00:00Z", "GetUser"), ev("2024-03-05T01:00:00Z", "GetUser")]
      .map((e) => JSON.stringify(e))
      .join("\n"),
  );
  await fsp.writeFile(
    path.join(flat, "lines.json"),
    `${JSON.stringify(ev("2024-03-02T02:00:00Z", "TagUser"))}\n\n${JSON.stringify(ev("2024-03-02T03:00:00Z", "TagUser"))}\n`,
  );
  // A line that does not parse may have held events: the whole file is named, not read in part.
  await fsp.writeFile(
    path.join(flat, "cut-lines.json"),
    `${JSON.stringify(ev("2024-03-02T02:30:00Z", "UntagUser"))}\nnot json\n${JSON.stringify(ev("2024-03-02T03:30:00Z", "UntagUser"))}\n`,
  );
  await fsp.writeFile(
    path.join(flat, "array.json"),
    JSON.stringify([ev("2024-03-02T04:00:00Z", "GetRole")]),
  );
  await fsp.writeFile(
    path.join(flat, "one.json.gz"),
    zlib.gzipSync(JSON.stringify(ev("2024-03-02T05:00:00Z", "GetPolicy"))),
  );
  // Lower-case keys, missing fields, a mistyped field.
  await fsp.writeFile(
    path.join(flat, "messy.ndjson"),
    [
      {
        eventname: "PutObject",
        eventtime: "2024-03-02 06:00:00.000000000",
        useridentity: { username: "carol", ARN: "arn:c" },
        awsregion: "eu-west-1",
      },
      { eventName: "NoTime", eventSource: "s3.amazonaws.com" },
      { eventTime: "2024-03-02T07:00:00Z", eventSource: "s3.amazonaws.com" },
      {
        eventName: "WeirdTls",
        eventTime: "2024-03-02T08:00:00Z",
        tlsDetails: "weird",
        userIdentity: "nobody",
      },
    ]
      .map((e) => JSON.stringify(e))
      .join("\n"),
  );
  // Not events at all.
  await fsp.writeFile(path.join(flat, "notes.json"), JSON.stringify({ hello: "world" }));
  await fsp.mkdir(path.join(logDir, "AWSLogs", ACCT, "CloudTrail-Digest"), { recursive: true });
  await fsp.writeFile(
    path.join(logDir, "AWSLogs", ACCT, "CloudTrail-Digest", "d.json.gz"),
    zlib.gzipSync("{}"),
  );
  engine = await createLocalEngine({
    logDir,
    threads: 2,
    tableAliases: ["security.cloudtrail_org_pp"],
  });
});
afterAll(async () => {
  await engine?.close();
  await fsp.rm(root, { recursive: true, force: true });
});

function req(
  query: string,
  from: string,
  to: string,
  extra: Partial<QueryRequest> = {},
): QueryRequest {
  return queryRequest("sql", query, window(from, to), extra);
}

describe("window scoping", () => {
  it("keeps events in the half-open window and reads only the days it covers", async () => {
    const r = await engine.query(
      req(
        "SELECT eventname, eventtime FROM cloudtrail_logs ORDER BY eventtime",
        "2024-03-02T00:00:00Z",
        "2024-03-03T00:00:00Z",
      ),
    );
    expect(r.rows.map((x) => String(x[0])).sort()).toEqual(
      [
        "CreateUser",
        "ListUsers",
        "DeleteUser",
        "GetUser",
        "TagUser",
        "TagUser",
        "GetRole",
        "GetPolicy",
        "PutObject",
        "null",
        "WeirdTls",
      ].sort(),
    );
    // Two layout days (the 3rd's folder is read: the window's last minutes are delivered there)
    // and the malformed file are outside; they were never opened, so no warning.
    expect(r.warnings.filter((w) => /bad/.test(w))).toEqual([]);
    expect(r.stats.filesSkippedByWindow).toBeGreaterThanOrEqual(2);
    expect(r.queryAsRun).toContain("2024-03-02T00:00:00.000Z");
  });

  it("excludes an event exactly at the window's end and includes one exactly at its start", async () => {
    const r = await engine.query(
      req(
        "SELECT eventname FROM cloudtrail_logs WHERE eventsource = 'iam.amazonaws.com' AND eventname IN ('CreateUser', 'DeleteUser') ORDER BY eventtime",
        "2024-03-02T00:00:00Z",
        "2024-03-03T00:00:00Z",
      ),
    );
    expect(r.rows).toEqual([["CreateUser"], ["DeleteUser"]]);
    const edge = await engine.query(
      req("SELECT count(*) FROM cloudtrail_logs", "2024-03-01T12:00:00Z", "2024-03-02T00:00:00Z"),
    );
    expect(edge.rows).toEqual([[2]]); // 12:00:00 and 23:59:59 on the 1st; not 00:00:00 on the 2nd
    // A window ending far from midnight reads its own day's folder only.
    const noon = await engine.query(
      req("SELECT count(*) FROM cloudtrail_logs", "2024-03-01T11:00:00Z", "2024-03-01T12:00:01Z"),
    );
    expect(noon.rows).toEqual([[1]]);
    expect(noon.stats.filesRead).toBe(1);
  });

  it("prunes files through partition predicates when there is no window (Athena SQL)", async () => {
    const r = await engine.runAthenaSql(
      "SELECT count(*) FROM cloudtrail_logs WHERE \"timestamp\" = '2024/03/02' AND region = 'us-east-1' AND account_partition = ?",
      [`'${ACCT}'`],
    );
    // Three delivered events and the five flat-file events of that day (their partitions come from the events).
    expect(r.rows).toEqual([[8]]);
    // The malformed file (2024/03/04) was not read, or it would be reported.
    expect(r.warnings.filter((w) => /bad/.test(w))).toEqual([]);
    // Scanned bytes count only the files the partition filters let through.
    const all = await engine.runAthenaSql("SELECT count(*) FROM cloudtrail_logs", []);
    expect(r.scannedBytes).toBeGreaterThan(0);
    expect(r.scannedBytes).toBeLessThan(all.scannedBytes);
    const projected = await engine.runAthenaSql(
      `SELECT count(*) FROM (SELECT * FROM security.cloudtrail_org_pp WHERE "timestamp" BETWEEN '2024/03/02' AND '2024/03/02' AND region = 'us-east-1' AND account_partition = '${ACCT}' AND eventtime >= '2024-03-02T00:00:00Z') AS c`,
      [],
    );
    expect(projected.rows).toEqual([[8]]);
    expect(projected.scannedBytes).toBe(r.scannedBytes);
  });
});

describe("reading every file shape", () => {
  it("reads everything, names the malformed and non-event files, and counts coerced fields", async () => {
    const r = await engine.runAthenaSql("SELECT count(*) FROM cloudtrail_logs", []);
    // 9 layout events + 2 + 2 + 1 + 1 + 4 flat events; the malformed delivery is skipped.
    expect(r.rows).toEqual([[19]]);
    const w = r.warnings.join("\n");
    expect(w).toMatch(
      /skipped AWSLogs\/111122223333\/CloudTrail\/us-east-1\/2024\/03\/04\/[^:]*bad\.json\.gz: malformed JSON/,
    );
    expect(w).toContain(
      "skipped exports/cut-lines.json: malformed JSON on 1 of its 3 lines (the first: line 2)",
    );
    expect(w).not.toMatch(/exports\/lines\.json/);
    expect(w).toMatch(/skipped exports\/notes\.json: no CloudTrail events in it/);
    expect(w).toMatch(
      /exports\/messy\.ndjson: fields of an unexpected type set to null: .*userIdentity in 1 record/,
    );
    expect(w).toMatch(
      /exports\/messy\.ndjson: fields of an unexpected type set to null: .*tlsDetails in 1 record/,
    );
    expect(w).not.toMatch(/Digest/);
  });

  it("maps lower-case keys and derives partitions of flat files from the event", async () => {
    const r = await engine.runAthenaSql(
      "SELECT eventname, eventtime, useridentity.username, useridentity.arn, awsregion, region, \"timestamp\", year, month, day, account_partition FROM cloudtrail_logs WHERE eventname = 'PutObject'",
      [],
    );
    expect(r.rows).toEqual([
      [
        "PutObject",
        "2024-03-02 06:00:00.000000000",
        "carol",
        "arn:c",
        "eu-west-1",
        "eu-west-1",
        "2024/03/02",
        "2024",
        "03",
        "02",
        "unknown",
      ],
    ]);
  });

  it("keeps records without eventName, eventTime or userIdentity", async () => {
    const r = await engine.runAthenaSql(
      "SELECT count(*) FILTER (WHERE eventname IS NULL), count(*) FILTER (WHERE eventtime IS NULL), count(*) FILTER (WHERE useridentity IS NULL) FROM cloudtrail_logs WHERE eventsource = 's3.amazonaws.com'",
      [],
    );
    expect(r.rows).toEqual([[1, 1, 2]]);
  });

  it("nulls a mistyped field in the layout file's records and keeps the rest", async () => {
    const dir = await tempDir();
    const file = path.join(await dayFolder(dir), "x.json.gz");
    await fsp.writeFile(
      file,
      zlib.gzipSync(
        JSON.stringify({
          Records: [
            ev("2024-03-01T01:00:00Z", "A", { tlsDetails: "weird" }),
            ev("2024-03-01T02:00:00Z", "B", { tlsDetails: { tlsVersion: "TLSv1.3" } }),
          ],
        }),
      ),
    );
    await withEngineOver(dir, async (e) => {
      const r = await e.runAthenaSql(
        "SELECT eventname, tlsdetails.tlsversion, useridentity.username FROM cloudtrail_logs ORDER BY 1",
        [],
      );
      expect(r.rows).toEqual([
        ["A", null, "alice"],
        ["B", "TLSv1.3", "alice"],
      ]);
      expect(r.warnings.join("\n")).toMatch(
        /x\.json\.gz: fields of an unexpected type set to null: tlsDetails in 1 record/,
      );
    });
  });

  it("skips broken files by name: truncated or fake gzip, empty, binary", async () => {
    const dir = await tempDir();
    const day = await dayFolder(dir);
    const good = zlib.gzipSync(JSON.stringify({ Records: [ev("2024-03-01T00:00:00Z", "Ok")] }));
    const big = zlib.gzipSync(
      JSON.stringify({ Records: [ev("2024-03-01T00:00:00Z", "T", { x: "y".repeat(100_000) })] }),
    );
    await fsp.writeFile(path.join(day, "ok.json.gz"), good);
    await fsp.writeFile(path.join(day, "trunc.json.gz"), big.subarray(0, big.length / 2));
    await fsp.writeFile(path.join(day, "notgz.json.gz"), '{"Records":[]}');
    await fsp.writeFile(path.join(day, "empty.json.gz"), "");
    await fsp.writeFile(path.join(dir, "empty.json"), "");
    await fsp.writeFile(
      path.join(dir, "garbage.json"),
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    );
    await withEngineOver(dir, async (e) => {
      const r = await e.runAthenaSql("SELECT eventname FROM cloudtrail_logs", []);
      expect(r.rows).toEqual([["Ok"]]);
      const skipped = r.warnings
        .map((w) => /^skipped (\S+):/.exec(w)?.[1]?.split("/").pop())
        .sort();
      expect(skipped).toEqual([
        "empty.json",
        "empty.json.gz",
        "garbage.json",
        "notgz.json.gz",
        "trunc.json.gz",
      ]);
    });
  });

  it("reads a delivery file larger than 16 MiB", async () => {
    const dir = await tempDir();
    const big = "x".repeat(1024 * 1024);
    const records = Array.from({ length: 20 }, (_, i) =>
      ev(`2024-03-01T00:00:${String(i).padStart(2, "0")}Z`, "PutBucketPolicy", {
        requestParameters: { policy: big },
      }),
    );
    const file = path.join(await dayFolder(dir), "big.json.gz");
    const json = JSON.stringify({ Records: records });
    expect(json.length).toBeGreaterThan(16 * 1024 * 1024);
    await fsp.writeFile(file, zlib.gzipSync(json, { level: 1 }));
    await withEngineOver(dir, async (e) => {
      const r = await e.runAthenaSql(
        "SELECT count(*), max(length(requestparameters)) FROM cloudtrail_logs",
        [],
      );
      expect(r.rows[0]?.[0]).toBe(20);
      expect(r.rows[0]?.[1]).toBeGreaterThan(1024 * 1024);
      expect(r.warnings).toEqual([]);
    });
  });

  it("sees a file that changed since the last query", async () => {
    const file = path.join(logDir, "exports", "late.jsonl");
    await fsp.writeFile(file, JSON.stringify(ev("2024-03-06T00:00:00Z", "Late1")));
    const a = await engine.runAthenaSql(
      "SELECT count(*) FROM cloudtrail_logs WHERE eventname LIKE 'Late%'",
      [],
    );
    await fsp.writeFile(
      file,
      [ev("2024-03-06T00:00:00Z", "Late1"), ev("2024-03-06T00:00:01Z", "Late2")]
        .map((x) => JSON.stringify(x))
        .join("\n"),
    );
    const b = await engine.runAthenaSql(
      "SELECT count(*) FROM cloudtrail_logs WHERE eventname LIKE 'Late%'",
      [],
    );
    await fsp.rm(file);
    expect([a.rows[0]?.[0], b.rows[0]?.[0]]).toEqual([1, 2]);
  });
});

describe("results", () => {
  it("returns Athena types and JSON-safe values", async () => {
    const r = await engine.runAthenaSql(
      `SELECT useridentity, resources, readonly, requestparameters, from_iso8601_timestamp(eventtime) AS t,
              date_parse(eventtime, '%Y-%m-%dT%H:%i:%sZ') AS ts, DATE '2024-03-01' AS d, 9007199254740993 AS big, 1.5 AS dec,
              CAST(1.5 AS DOUBLE) AS dbl, MAP(ARRAY['k'], ARRAY['v']) AS m, ARRAY[1, 2] AS a, true AS b
       FROM cloudtrail_logs WHERE eventname = 'CreateUser' ORDER BY eventtime LIMIT 1`,
      [],
    );
    expect(Object.fromEntries(r.columns.map((c) => [c.name, c.type]))).toMatchObject({
      readonly: "varchar",
      requestparameters: "varchar",
      t: "timestamp with time zone",
      ts: "timestamp",
      d: "date",
      big: "bigint",
      dbl: "double",
      m: "map(varchar, varchar)",
      a: "array(integer)",
      b: "boolean",
      resources: "array(row(arn varchar, accountid varchar, type varchar))",
    });
    const row = r.rows[0] as unknown[];
    expect(row[0]).toMatchObject({ type: "IAMUser", username: "alice", sessioncontext: null });
    expect(row.slice(2)).toEqual([
      "false",
      '{"userName":"bob"}',
      "2024-03-01 00:00:00.000 UTC",
      "2024-03-01 00:00:00.000",
      "2024-03-01",
      "9007199254740993",
      1.5,
      1.5,
      { k: "v" },
      [1, 2],
      true,
    ]);
  });

  it("resolves every spelling of the table and the configured aliases, but not a CTE of the same name", async () => {
    for (const t of [
      "cloudtrail_logs",
      '"default".cloudtrail_logs',
      // Unquoted, as Athena's users write it (DEFAULT is reserved in DuckDB's grammar).
      "default.cloudtrail_logs",
      "DEFAULT . cloudtrail_logs",
      'awsdatacatalog."default".cloudtrail_logs',
      "AwsDataCatalog.default.CloudTrail_Logs",
      "security.cloudtrail_org_pp",
      "cloudtrail_org_pp",
    ]) {
      const r = await engine.runAthenaSql(
        `SELECT count(*) FROM ${t} WHERE eventname = 'CreateUser'`,
        [],
      );
      expect(r.rows, t).toEqual([[3]]);
    }
    const cte = await engine.runAthenaSql(
      "WITH cloudtrail_logs AS (SELECT 1 AS x) SELECT count(*) FROM cloudtrail_logs",
      [],
    );
    expect(cte.rows).toEqual([[1]]);
  });

  it("binds typed parameters and reports the SQL as run", async () => {
    const r = await engine.query(
      req(
        "SELECT count(*) AS n FROM cloudtrail_logs WHERE eventtime >= {{start}} AND eventtime < {{end}} AND readonly = {{ro}} AND length(eventname) > {{len}}",
        "2024-03-01T00:00:00Z",
        "2024-03-04T00:00:00Z",
        {
          params: {
            start: { type: "timestamp", value: "2024-03-02T00:00:00Z" },
            end: { type: "timestamp", value: "2024-03-03T00:00:00Z" },
            ro: { type: "string", value: "true" },
            len: { type: "integer", value: 3 },
          },
        },
      ),
    );
    expect(r.rows).toEqual([[1]]);
    expect(r.queryAsRun).toMatch(/\$1.*\$2.*\$3.*\$4/s);
    expect(r.stats).toMatchObject({
      filesRead: expect.any(Number),
      bytesRead: expect.any(Number),
      engineMs: expect.any(Number),
    });
  });
});

describe("errors and cancellation", () => {
  it("gives a hint listing the columns when a column does not exist", async () => {
    const err = await engine
      .runAthenaSql("SELECT evenname FROM cloudtrail_logs", [])
      .catch((e) => e);
    expect(err).toMatchObject({ code: "sql-error" });
    expect(err.hint).toContain("eventname");
    expect(err.hint).toContain("json_extract_scalar");
  });

  it("gives a hint when a table does not exist", async () => {
    // Refused before it runs (sandbox.ts: only the engine's own table), with the same hint.
    await expect(engine.runAthenaSql("SELECT * FROM vpc_flow_logs", [])).rejects.toMatchObject({
      code: "sql-refused",
      hint: expect.stringContaining("tableAliases"),
    });
  });

  it("reports syntax errors as such", async () => {
    await expect(engine.runAthenaSql("SELEC 1", [])).rejects.toMatchObject({ code: "sql-syntax" });
  });

  it("refuses a log directory that does not exist", async () => {
    const nope = path.join(root, "nope");
    await expect(createLocalEngine({ logDir: nope })).rejects.toMatchObject({
      code: "bad-log-dir",
      message: `The log directory ${nope} does not exist.`,
    });
  });

  it("names the folder to give when the log directory is a file", async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "run-md-file-"));
    const file = path.join(dir, "one.json");
    await fsp.writeFile(file, '{"Records":[]}');
    await expect(createLocalEngine({ logDir: file })).rejects.toMatchObject({
      code: "bad-log-dir",
      message: `The log directory ${file} is a file, not a directory: give the directory that holds it (${dir}), whose CloudTrail files are all read.`,
    });
    await fsp.rm(dir, { recursive: true });
  });

  it("says a log directory that cannot be looked at is unreadable, not missing", async () => {
    // A loop of symbolic links: stat fails with ELOOP (a folder above without search permission
    // fails with EACCES, which root never meets). Before, every failure read "does not exist".
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "run-md-loop-"));
    await fsp.symlink(path.join(dir, "b"), path.join(dir, "a"));
    await fsp.symlink(path.join(dir, "a"), path.join(dir, "b"));
    await expect(createLocalEngine({ logDir: path.join(dir, "a") })).rejects.toMatchObject({
      code: "bad-log-dir",
      message: `The log directory ${path.join(dir, "a")} cannot be read (ELOOP).`,
    });
    await fsp.rm(dir, { recursive: true });
  });

  it("stops a running query when the signal aborts", async () => {
    const ac = new AbortController();
    const p = engine.query(
      req(
        "SELECT sum(i * i) FROM range(100000000000) t(i)",
        "2024-03-01T00:00:00Z",
        "2024-03-02T00:00:00Z",
        {
          signal: ac.signal,
          // range() is DuckDB's: a step that uses it says so, and runs on the local engine only.
          attributes: { optional: false, sqlDialect: "duckdb" },
        },
      ),
    );
    setTimeout(() => ac.abort(), 200);
    const t0 = Date.now();
    await expect(p).rejects.toMatchObject({ code: "cancelled" });
    expect(Date.now() - t0).toBeLessThan(10_000);
    // The engine still works afterwards.
    const r = await engine.runAthenaSql("SELECT 1", []);
    expect(r.rows).toEqual([[1]]);
  });

  it("a DuckDB-dialect step may name DuckDB's own column names below the top (count_star(), col0)", async () => {
    const duck = (sql: string) =>
      engine.query(
        req(sql, "2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z", {
          attributes: { optional: false, sqlDialect: "duckdb" },
        }),
      );
    const r = await duck(
      'SELECT "count_star()", c.col0 FROM (SELECT count(*) FROM range(3)) , (VALUES (7)) c',
    );
    expect(r.rows).toEqual([[3, 7]]);
    expect((await duck("SELECT count(*) FROM range(2)")).columns.map((c) => c.name)).toEqual([
      "_col0",
    ]);
  });

  it("fails a query that fails after its first rows were streamed, instead of returning part of them", async () => {
    // DuckDB's client ends such a stream as if it were complete (a cast failing at row 150,000
    // of 300,000 gave the rows before it, and no error).
    const q = (sql: string) => {
      let streamed = 0;
      const r = engine.query(
        req(sql, "2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z", {
          attributes: { optional: false, sqlDialect: "duckdb" },
          onRows: (chunk) => {
            streamed += chunk.length;
          },
        }),
      );
      return { r, streamed: () => streamed };
    };
    const failing = q(
      "SELECT CASE WHEN i < 150000 THEN i ELSE CAST(CAST(i AS VARCHAR) || 'x' AS INTEGER) END AS v FROM range(300000) t(i)",
    );
    await expect(failing.r).rejects.toThrow(
      /result ended early: \d+ of its 300000 rows|Could not convert/,
    );
    // One chunk of wide rows (1,000 of 2 KB, more than DuckDB's streaming buffer) and the failure
    // in the next: a result of one chunk is not counted, so DuckDB itself must say it (it does:
    // measured with rows of 2 KB to 200 KB). This guards that assumption of stream.ts.
    const wide = q(
      "SELECT repeat('x', 2000) || CAST(CASE WHEN i < 1000 THEN i ELSE CAST(CAST(i AS VARCHAR) || 'x' AS INTEGER) END AS VARCHAR) AS v FROM range(3000) t(i) WHERE i < 1000 OR i >= 2048",
    );
    await expect(wide.r).rejects.toThrow(/Could not convert|result ended early/);
    // The same query without the failing cast: every row, and no error.
    const whole = q("SELECT i AS v FROM range(300000) t(i)");
    expect((await whole.r).rowCount).toBe(300000);
    expect(whole.streamed()).toBe(300000);
  });

  it("stops a query cancelled before its first statement (while its files are resolved)", async () => {
    // Aborted when the engine reports the files it is about to read: no DuckDB statement of the
    // step runs yet. The query must be cancelled all the same, not run (it would take hours: a
    // five-way cross join).
    const ac = new AbortController();
    const p = engine.query(
      req(
        "SELECT count(*) AS n FROM cloudtrail_logs a, cloudtrail_logs b, cloudtrail_logs c, cloudtrail_logs d, cloudtrail_logs e WHERE a.eventname <> b.eventname OR b.eventid <> c.eventid OR d.eventid <> e.eventid",
        "2024-03-01T00:00:00Z",
        "2024-03-02T00:00:00Z",
        {
          signal: ac.signal,
          onProgress: (progress) => {
            if (progress.message.startsWith("reading")) ac.abort();
          },
        },
      ),
    );
    await expect(p).rejects.toMatchObject({ code: "cancelled" });
    expect(ac.signal.aborted).toBe(true);
  });
});

describe("Logs Insights steps", () => {
  it("run over cwl_events in the window, keeping Insights field names", async () => {
    const r = await engine.query(
      req(
        'filter eventSource = "iam.amazonaws.com" | stats count(*) as n by eventName | sort eventName',
        "2024-03-02T00:00:00Z",
        "2024-03-03T00:00:00Z",
        { dialect: "logs-insights" },
      ),
    );
    expect(r.columns.map((c) => c.name)).toEqual(["eventName", "n"]);
    expect(r.rows).toEqual([
      ["CreateUser", 1],
      ["DeleteUser", 1],
      ["GetPolicy", 1],
      ["GetRole", 1],
      ["GetUser", 1],
      ["ListUsers", 1],
      ["TagUser", 2],
    ]);
  });

  it("expose the original message; @log and @logStream, which the files do not hold, are refused", async () => {
    // CloudTrail names a stream account_ID_CloudTrail_trail_region, and adds _number when it
    // delivers to several (cloudwatch-log-group-log-stream-naming-for-cloudtrail): the stream an
    // event went to is not in the files, and <account>_CloudTrail_<region> was a guess.
    for (const query of ["fields @log", "fields @logStream", 'filter @logStream = "x"']) {
      await expect(
        engine.query(
          req(query, "2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z", {
            dialect: "logs-insights",
          }),
        ),
      ).rejects.toMatchObject({ code: "insights-unsupported" });
    }
    const r = await engine.query(
      req(
        "fields @timestamp, @message | filter eventName = {{name}}",
        "2024-03-01T00:00:00Z",
        "2024-03-02T00:00:00Z",
        { dialect: "logs-insights", params: { name: { type: "string", value: "CreateUser" } } },
      ),
    );
    expect(r.rows.length).toBe(1);
    const [ts, message] = r.rows[0] as string[];
    expect(ts).toBe("2024-03-01 00:00:00.000");
    expect(JSON.parse(message as string)).toMatchObject({
      eventName: "CreateUser",
      sourceIPAddress: "10.0.0.1",
    });
  });
});

describe("Logs Insights refusals the data brings out", () => {
  it("are reported at their call in the query, as those found before the step runs", async () => {
    // sum() of eventName (text: CreateUser...) refuses only once a value is read; it was an
    // sql-error without a place, so the report named no line of the runbook.
    const query =
      'filter eventSource = "iam.amazonaws.com"\n| stats count(*) as n,\n    sum(eventName) as s';
    const refused = engine.query(
      req(query, "2024-03-02T00:00:00Z", "2024-03-03T00:00:00Z", { dialect: "logs-insights" }),
    );
    // Third line of the query, fifth column: counted by hand from the text above.
    await expect(refused).rejects.toMatchObject({
      code: "insights-unsupported",
      details: {
        line: 3,
        column: 5,
        offset: query.indexOf("sum("),
        length: "sum(eventName)".length,
      },
    });
    await expect(refused).rejects.toThrow(
      /^sum\(eventName\): a value that is not a number; sum\(\) of text is not supported by the local engine/,
    );
  });
});

describe("reading only what a query uses", () => {
  it("gives the same answers and the same table shape whatever columns the query names", async () => {
    const narrow = await engine.runAthenaSql(
      "SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY 1 ORDER BY 1",
      [],
    );
    const wide = await engine.runAthenaSql(
      "SELECT eventname, count(*) AS n FROM (SELECT * FROM cloudtrail_logs) GROUP BY 1 ORDER BY 1",
      [],
    );
    expect(narrow.rows).toEqual(wide.rows);
    const shape = await engine.runAthenaSql(
      "SELECT column_name, column_type FROM (DESCRIBE cloudtrail_logs)",
      [],
    );
    expect(shape.rows.length).toBe(29 + 8);
    expect(shape.rows.find((r) => r[0] === "useridentity")?.[1]).toMatch(
      /^STRUCT\("type" VARCHAR, principalid/,
    );
    expect(shape.rows.find((r) => r[0] === "requestparameters")?.[1]).toBe("VARCHAR");
    // Struct fields used one by one, and the whole row through the table's alias.
    const fields = await engine.runAthenaSql(
      "SELECT useridentity.username, userIdentity.ARN, tlsdetails.tlsversion FROM cloudtrail_logs WHERE eventname = 'CreateUser' ORDER BY eventtime LIMIT 1",
      [],
    );
    expect(fields.rows).toEqual([["alice", `arn:aws:iam::${ACCT}:user/alice`, null]]);
    const whole = await engine.runAthenaSql(
      "SELECT t FROM cloudtrail_logs t WHERE eventname = 'CreateUser' ORDER BY eventtime LIMIT 1",
      [],
    );
    expect(whole.rows[0]?.[0]).toMatchObject({
      eventname: "CreateUser",
      useridentity: { username: "alice", type: "IAMUser" },
    });
  });
});
