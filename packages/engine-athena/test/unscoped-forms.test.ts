/**
 * Table references the window's scoping does not rewrite (Trino's `TABLE name`, a parenthesised
 * relation, a WITH query named like the table) are refused before anything is sent: on Athena
 * they were sent as written, reading every partition of the table (a count over all of history
 * judged as the window's) or another database (found by a red-team review). The local engine
 * refuses them too, so one runbook behaves the same on both.
 */
import { rmSync } from "node:fs";
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import { createLocalEngine, type LocalEngine } from "@run-md/engine-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { type AthenaEngine, prepareQuery } from "../src/index.ts";
import { cloudTrailDir } from "./cloudtrail-files.ts";
import { emulatedAthena } from "./emulated.ts";
import { DAY, TABLE } from "./scope-fixture.ts";

let dir: string;
let emulator: Emulator;
let athena: AthenaEngine;
let local: LocalEngine;

beforeAll(async () => {
  dir = cloudTrailDir("unscoped-forms", "2026-11-21", 5, ["us-east-1"], 24);
  emulator = await startEmulator({ logDir: dir, tableAliases: [TABLE] });
  athena = emulatedAthena(emulator.endpoint, { table: TABLE, partitioning: "projection" });
  local = await createLocalEngine({ logDir: dir, threads: 1 });
});

afterAll(async () => {
  await athena?.close();
  await local?.close();
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const req = (sql: string) => queryRequest("sql", sql, DAY, { stepId: "s" });

describe("references the window's scoping would not see", () => {
  it("the window's own count, as the scoped table gives it, is not all of history", async () => {
    const window = await athena.query(req(`SELECT count(*) AS n FROM ${TABLE}`));
    const all = await athena.query({
      ...req(`SELECT count(*) AS n FROM ${TABLE}`),
      window: {
        start: new Date("2026-11-01T00:00:00Z"),
        end: new Date("2026-12-01T00:00:00Z"),
      },
    });
    // Five days of events in the files, one in the window: the forms below would read all five.
    expect(Number(all.rows[0]![0])).toBe(5 * Number(window.rows[0]![0]));
  });

  it.each([
    "SELECT count(*) AS n FROM (TABLE other_db.customers)",
    `SELECT count(*) AS n FROM (TABLE ${TABLE})`,
    "SELECT count(*) AS n FROM (TABLE cloudtrail_logs)",
    "SELECT count(*) AS n FROM (cloudtrail_logs)",
    `SELECT count(*) AS n FROM (${TABLE})`,
    "WITH cloudtrail_logs AS (SELECT 'x' AS eventname) SELECT count(*) AS n FROM cloudtrail_logs",
  ])("%s is refused on Athena before anything is sent, and locally", async (sql) => {
    const started = emulator.callsOf("StartQueryExecution").length;
    const a = await athena.query(req(sql)).catch((e: unknown) => e);
    expect(a).toMatchObject({ code: "sql-refused" });
    expect(emulator.callsOf("StartQueryExecution").length).toBe(started);
    const l = await local.query(req(sql)).catch((e: unknown) => e);
    expect(l).toMatchObject({ code: "sql-refused" });
  });
});

describe("the scoping itself, behind the check", () => {
  it.each([
    "SELECT count(*) AS n FROM (TABLE cloudtrail_logs)",
    `SELECT count(*) AS n FROM (${TABLE})`,
    "SELECT eventname FROM cloudtrail_logs UNION ALL TABLE cloudtrail_logs",
    "SELECT count(*) AS n FROM (cloudtrail_logs t)",
    "SELECT count(*) AS n FROM x, (cloudtrail_logs a CROSS JOIN cloudtrail_logs b)",
  ])("%s is refused, not sent unscoped", (sql) => {
    expect(() => prepareQuery(sql, {}, DAY, { table: TABLE, partitioning: "projection" })).toThrow(
      expect.objectContaining({ code: "sql-refused" }),
    );
  });

  it("a parenthesised expression or subquery is no table", () => {
    const r = prepareQuery(
      "SELECT (eventname) AS e FROM cloudtrail_logs WHERE eventname IN (SELECT eventname FROM cloudtrail_logs)",
      {},
      DAY,
      { table: TABLE, partitioning: "projection" },
    );
    expect(r.scopedReferences).toBe(2);
    // A column or alias named like a readable table, in parentheses outside a FROM (review: the
    // first guard refused them).
    const named = prepareQuery(
      "SELECT max(cloudtrail_logs) AS m, count(cloudtrail_logs) AS c FROM (SELECT eventname AS cloudtrail_logs FROM cloudtrail_logs) x",
      {},
      DAY,
      { table: TABLE, partitioning: "projection" },
    );
    expect(named.scopedReferences).toBe(1);
  });
});
