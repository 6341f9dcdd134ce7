/**
 * Spec section 4 on both engines: a sql step reads cloudtrail_logs, its configured aliases (the
 * real table's name among them, scoped exactly like cloudtrail_logs) and configured extra tables;
 * any other table reference is refused by `check`, by the local engine and by the Athena engine
 * before anything is sent. Answers are checked against counts computed here from the raw files.
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import type { JsonValue, QueryRequest, TimeWindow } from "@run-md/core";
import { createLocalEngine, type LocalEngine } from "@run-md/engine-local";
import { checkSql, type ExtraTable } from "@run-md/sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import type { AthenaEngine } from "../src/index.ts";
import { cloudTrailDir } from "./cloudtrail-files.ts";
import { emulatedAthena } from "./emulated.ts";
import { DAY, TABLE } from "./scope-fixture.ts";

let dir: string;
let emulator: Emulator;
let athena: AthenaEngine;
let local: LocalEngine;
let extra: ExtraTable;
let findings: ExtraTable;
let findingTimes: string[];
/** Every record of the generated files, read here without any SQL engine. */
let records: Record<string, unknown>[];

function readRecords(root: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(".json.gz")) {
        const doc = JSON.parse(gunzipSync(readFileSync(p)).toString("utf8")) as {
          Records: Record<string, unknown>[];
        };
        out.push(...doc.Records);
      }
    }
  };
  walk(path.join(root, "AWSLogs"));
  return out;
}

function inWindow(r: Record<string, unknown>, w: TimeWindow): boolean {
  const t = Date.parse(String(r.eventTime));
  return t >= w.start.getTime() && t < w.end.getTime();
}

function request(sql: string): QueryRequest {
  return queryRequest("sql", sql, DAY, { stepId: "scope" });
}

beforeAll(async () => {
  dir = cloudTrailDir("table-scope", "2026-11-21", 5, ["us-east-1", "eu-west-1"], 48);
  records = readRecords(dir);
  const csv = path.join(dir, "teams", "known_users.csv");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(path.dirname(csv), { recursive: true });
  writeFileSync(csv, "username,team\nuser0,platform\nuser1,platform\nuser2,security\n");
  extra = { name: "known_users", scope: { kind: "unscoped" }, file: csv };
  // A table scoped by its own time column: one finding every 5 hours over the five days.
  const jsonl = path.join(dir, "teams", "findings.jsonl");
  findingTimes = Array.from({ length: 24 }, (_, i) =>
    new Date(Date.parse("2026-11-21T02:00:00Z") + i * 5 * 3_600_000).toISOString(),
  );
  writeFileSync(
    jsonl,
    findingTimes.map((t, i) => JSON.stringify({ id: i, observed_at: t })).join("\n"),
  );
  findings = {
    name: "findings",
    scope: { kind: "time-column", column: "observed_at" },
    file: jsonl,
  };
  const aliases = [TABLE, "cloudtrail_org"];
  emulator = await startEmulator({
    logDir: dir,
    tableAliases: aliases,
    extraTables: [extra, findings],
  });
  athena = emulatedAthena(emulator.endpoint, {
    table: TABLE,
    tables: { aliases: ["cloudtrail_org"], extra: [extra, findings] },
    partitioning: "projection",
  });
  local = await createLocalEngine({
    logDir: dir,
    tableAliases: aliases,
    extraTables: [extra, findings],
  });
});

afterAll(async () => {
  await athena?.close();
  await emulator?.close();
  await local?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the real table's name and every alias are scoped like cloudtrail_logs on Athena", () => {
  const spellings = [
    TABLE,
    '"security"."cloudtrail_org_pp"',
    "SECURITY.CloudTrail_Org_PP",
    "cloudtrail_org_pp",
    "awsdatacatalog.security.cloudtrail_org_pp",
    "cloudtrail_org",
    '"Cloudtrail_Logs"',
  ];
  const shapes: [string, (t: string) => string, (t: string) => string][] = [
    ["FROM", (t) => `SELECT count(*) AS n FROM ${t}`, () => ""],
    [
      "a subquery",
      (t) => `SELECT count(*) AS n FROM (SELECT eventid FROM ${t} WHERE eventid IS NOT NULL) x`,
      () => "",
    ],
    ["a CTE", (t) => `WITH e AS (SELECT * FROM ${t}) SELECT count(*) AS n FROM e`, () => ""],
    [
      "a JOIN with cloudtrail_logs",
      (t) => `SELECT count(*) AS n FROM ${t} a JOIN cloudtrail_logs b ON a.eventid = b.eventid`,
      () => "",
    ],
  ];

  it("has events outside the window, so an unscoped table would count more", () => {
    const inside = records.filter((r) => inWindow(r, DAY)).length;
    expect(inside).toBeGreaterThan(50);
    expect(records.length).toBeGreaterThan(inside * 3);
  });

  for (const [shape, sql] of shapes) {
    it(`gives cloudtrail_logs's answer and scanned bytes in ${shape}, whatever the spelling`, async () => {
      const truth = records.filter((r) => inWindow(r, DAY)).length;
      const base = await athena.query(request(sql("cloudtrail_logs")));
      expect(base.rows).toEqual([[truth]]);
      const baseBytes = base.stats.dataScannedBytes;
      expect(baseBytes).toBeGreaterThan(0);
      for (const t of spellings) {
        const r = await athena.query(request(sql(t)));
        expect(r.rows, t).toEqual([[truth]]);
        expect(r.stats.dataScannedBytes, t).toBe(baseBytes);
        const l = await local.query(request(sql(t)));
        expect(l.rows, `local ${t}`).toEqual([[truth]]);
      }
    });
  }
});

/** References a step may not make, and the name each message names. */
const REFUSED: [string, string][] = [
  ["SELECT * FROM other_db.customers", "other_db.customers"],
  ["SELECT * FROM information_schema.tables", "information_schema.tables"],
  ["SELECT * FROM information_schema.columns", "information_schema.columns"],
  ['SELECT * FROM "information_schema"."schemata"', "information_schema.schemata"],
  ["SELECT * FROM system.runtime.queries", "system.runtime.queries"],
  ["SELECT * FROM awsdatacatalog.other_db.accounts", "awsdatacatalog.other_db.accounts"],
  ["SELECT count(*) FROM hive.default.cloudtrail_logs", "hive.default.cloudtrail_logs"],
  [
    "SELECT count(*) FROM other_catalog.security.cloudtrail_org_pp",
    "other_catalog.security.cloudtrail_org_pp",
  ],
  ["SELECT count(*) FROM other_db.cloudtrail_logs", "other_db.cloudtrail_logs"],
  ["SELECT count(*) FROM security.cloudtrail_org", "security.cloudtrail_org"],
  ["SELECT count(*) FROM security.customers", "security.customers"],
  ['SELECT count(*) FROM "cloudtrail_org_pp$partitions"', "cloudtrail_org_pp$partitions"],
  [
    "SELECT c.eventname FROM cloudtrail_logs c JOIN crm.customers k ON c.useridentity.accountid = k.account_id",
    "crm.customers",
  ],
  ["SELECT count(*) FROM (SELECT * FROM finance.invoices) t", "finance.invoices"],
  ["WITH x AS (SELECT * FROM hr.employees) SELECT count(*) FROM x", "hr.employees"],
  [
    "SELECT eventname FROM cloudtrail_logs WHERE useridentity.username IN (SELECT name FROM iam_db.users)",
    "iam_db.users",
  ],
  ["SELECT count(*) FROM other_db.known_users", "other_db.known_users"],
];

describe("any other table reference is refused by check, the local engine and the Athena engine", () => {
  it(`refuses each of ${REFUSED.length} references with a message naming it`, async () => {
    expect(REFUSED.length).toBeGreaterThanOrEqual(15);
    const tables = { aliases: [TABLE, "cloudtrail_org"], extra: [extra] };
    for (const [sql, name] of REFUSED) {
      const problems = await checkSql(sql, { tables });
      expect(
        problems.map((p) => p.rule),
        sql,
      ).toEqual(["sql-table"]);
      expect(problems[0]!.message, sql).toContain(`table "${name}" is not readable`);
      expect(problems[0]!.column, sql).toBe(
        sql.indexOf(sql.includes('"') ? '"' : name.split(".")[0]!) + 1,
      );

      const started = emulator.callsOf("StartQueryExecution").length;
      const a = await athena.query(request(sql)).catch((e: unknown) => e);
      expect(a, sql).toMatchObject({ code: "sql-refused" });
      expect((a as Error).message, sql).toContain(`table "${name}" is not readable`);
      expect(emulator.callsOf("StartQueryExecution").length, `${sql}: nothing sent`).toBe(started);

      const l = await local.query(request(sql)).catch((e: unknown) => e);
      expect(l, sql).toMatchObject({ code: "sql-refused" });
      expect((l as Error).message, sql).toBe((a as Error).message);
    }
  });
});

describe("a configured extra table", () => {
  it("joins with cloudtrail_logs on both engines, giving the answer computed from the files", async () => {
    const teams: Record<string, string> = {
      user0: "platform",
      user1: "platform",
      user2: "security",
    };
    const truth = new Map<string, number>();
    for (const r of records) {
      const user = (r.userIdentity as { userName?: string }).userName;
      const team = user === undefined ? undefined : teams[user];
      if (team !== undefined && inWindow(r, DAY)) truth.set(team, (truth.get(team) ?? 0) + 1);
    }
    const expected: JsonValue[][] = [...truth.entries()].sort().map(([t, n]) => [t, n]);
    expect(expected.length).toBe(2);
    const sql = `SELECT k.team, count(*) AS n
      FROM cloudtrail_logs c JOIN known_users k ON c.useridentity.username = k.username
      GROUP BY k.team ORDER BY k.team`;
    expect(await checkSql(sql, { tables: { aliases: [], extra: [extra] } })).toEqual([]);
    const a = await athena.query(request(sql));
    expect(a.rows).toEqual(expected);
    const l = await local.query(request(sql));
    expect(l.rows).toEqual(expected);
  });
});

describe("an extra table scoped by its time column", () => {
  it("holds only the window's rows on both engines", async () => {
    const truth = findingTimes.filter((t) => {
      const ms = Date.parse(t);
      return ms >= DAY.start.getTime() && ms < DAY.end.getTime();
    }).length;
    expect(truth).toBeGreaterThan(0);
    expect(truth).toBeLessThan(findingTimes.length);
    const sql = "SELECT count(*) AS n FROM findings";
    expect((await athena.query(request(sql))).rows).toEqual([[truth]]);
    expect((await local.query(request(sql))).rows).toEqual([[truth]]);
  });
});

describe("what Athena rejects is rejected locally too; dialect=duckdb opts a step out", () => {
  const rejected = [
    "SELECT count(*) AS n FROM cloudtrail_logs WHERE eventname ILIKE 'get%'",
    "SELECT eventtime::timestamp AS t FROM cloudtrail_logs",
    "SELECT list_filter(array_agg(eventname), x -> x LIKE 'Get%') AS gets FROM cloudtrail_logs",
    "SELECT max(CAST(eventtime AS timestamp)) AS last FROM cloudtrail_logs",
    "SELECT json_extract_scalar(requestparameters, '$.bucketName') AS a, requestparameters.bucketname AS b FROM cloudtrail_logs",
    "SELECT count(*) AS n FROM cloudtrail_logs WHERE eventname IN ('GetObject'\n'AssumeRole')",
  ];

  it("refuses each on both engines with the checker's message, sending nothing", async () => {
    for (const sql of rejected) {
      const [first] = await checkSql(sql);
      expect(first, sql).toBeDefined();
      const started = emulator.callsOf("StartQueryExecution").length;
      const a = await athena.query(request(sql)).catch((e: unknown) => e);
      const l = await local.query(request(sql)).catch((e: unknown) => e);
      expect(a, sql).toMatchObject({ code: "sql-invalid" });
      expect((a as Error).message, sql).toBe(
        `line ${first!.line}:${first!.column}: ${first!.message}`,
      );
      expect((l as Error).message, sql).toBe((a as Error).message);
      expect(emulator.callsOf("StartQueryExecution").length, sql).toBe(started);
    }
  });

  it("refuses a string column compared with a boolean or number parameter, as the literal Athena gets", async () => {
    const params = {
      ro: { type: "boolean" as const, value: true },
      v: { type: "number" as const, value: 1.08 },
      name: { type: "string" as const, value: "GetObject" },
    };
    const cases: [string, string][] = [
      [
        "SELECT count(*) AS n FROM cloudtrail_logs WHERE readonly = {{ro}}",
        "boolean parameter {{ro}}",
      ],
      [
        "SELECT count(*) AS n FROM cloudtrail_logs WHERE eventversion > {{ v }}",
        "number parameter {{v}}",
      ],
    ];
    for (const [sql, what] of cases) {
      const started = emulator.callsOf("StartQueryExecution").length;
      const req = { ...request(sql), params };
      const a = await athena.query(req).catch((e: unknown) => e);
      const l = await local.query(req).catch((e: unknown) => e);
      expect(a, sql).toMatchObject({ code: "sql-invalid" });
      expect((a as Error).message, sql).toContain(`Athena refuses to compare it with the ${what}`);
      expect((l as Error).message, sql).toBe((a as Error).message);
      expect(emulator.callsOf("StartQueryExecution").length, sql).toBe(started);
    }
    // A string parameter is a string literal on Athena: compared as text, and answered.
    const sql = "SELECT count(*) AS n FROM cloudtrail_logs WHERE eventname = {{name}}";
    const truth = records.filter((r) => inWindow(r, DAY) && r.eventName === "GetObject").length;
    expect(truth).toBeGreaterThan(0);
    expect((await local.query({ ...request(sql), params })).rows).toEqual([[truth]]);
  });

  it("runs a dialect=duckdb step on the local engine only", async () => {
    const sql = `SELECT list_sort(list_distinct(list_filter(array_agg(eventname), x -> x LIKE '%Object'))) AS names
      FROM cloudtrail_logs`;
    const duck = {
      ...request(sql),
      attributes: { optional: false, sqlDialect: "duckdb" as const },
    };
    const names = new Set(records.filter((r) => inWindow(r, DAY)).map((r) => String(r.eventName)));
    const expected = [...names].filter((n) => n.endsWith("Object")).sort();
    expect(expected.length).toBeGreaterThan(0);
    const l = await local.query(duck);
    expect(l.rows).toEqual([[expected]]);
    const started = emulator.callsOf("StartQueryExecution").length;
    await expect(athena.query(duck)).rejects.toMatchObject({
      code: "local-only",
      message: 'step "scope" is dialect=duckdb: it runs on the local engine only',
    });
    expect(emulator.callsOf("StartQueryExecution").length).toBe(started);
    // Without the attribute, the same query is refused locally as on Athena.
    await expect(local.query(request(sql))).rejects.toMatchObject({ code: "sql-invalid" });
  });
});
