/**
 * One step's checks judged the same on the local engine and on the athena engine (through the
 * SDK, against the emulated Athena backed by the local engine over the same files). The verdicts
 * expected are written by hand from the spec's words and docs/expectations.md, never read from
 * either engine.
 */
import { rmSync } from "node:fs";
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import { type Engine, evaluateChecks, parseExpect, type TimeWindow } from "@run-md/core";
import { createLocalEngine } from "@run-md/engine-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import type { AthenaEngine } from "../src/index.ts";
import { cloudTrailDir } from "./cloudtrail-files.ts";
import { emulatedAthena } from "./emulated.ts";

const WINDOW: TimeWindow = {
  start: new Date("2026-11-23T00:00:00Z"),
  end: new Date("2026-11-24T00:00:00Z"),
};

let dir: string;
let emulator: Emulator;
let local: Engine;
let athena: AthenaEngine;

beforeAll(async () => {
  dir = cloudTrailDir("check-verdicts", "2026-11-23", 1, ["us-east-1"], 4);
  local = await createLocalEngine({ logDir: dir });
  emulator = await startEmulator({ logDir: dir, tableAliases: ["security.cloudtrail_org_pp"] });
  athena = emulatedAthena(emulator.endpoint, {
    table: "security.cloudtrail_org_pp",
    partitioning: "projection",
  });
});

afterAll(async () => {
  await athena?.close();
  await emulator?.close();
  await local?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Each check's status on each engine, for `sql` and the checks' lines. */
async function verdicts(sql: string, checks: string[]): Promise<Record<string, string[]>> {
  const parsed = parseExpect(checks.join("\n"), 1, "t.md");
  expect(parsed.diagnostics).toEqual([]);
  const out: Record<string, string[]> = {};
  for (const [name, engine] of [
    ["local", local],
    ["athena", athena],
  ] as const) {
    const result = await engine.query(queryRequest("sql", sql, WINDOW));
    out[name] = evaluateChecks(parsed.checks, result).map((c) => c.status);
  }
  return out;
}

describe("checks on an array, row or map value", () => {
  it("are errored on both engines when they compare its text (Athena's [a, b] is not the local engine's JSON)", async () => {
    // ARRAY['x, y'] is one element on both engines; Athena's text `[x, y]` reads back as two,
    // the local engine's value is ["x, y"]. ARRAY[1, 2]: Athena's elements are text, the local
    // engine's numbers. Judged on that text, `like '%x, y%'` held locally and not on Athena.
    const sql = `SELECT ARRAY['x, y'] AS sarr, ARRAY[1, 2] AS arr,
        CAST(ROW(1, 'a') AS ROW(x integer, y varchar)) AS r, MAP(ARRAY['k'], ARRAY[1]) AS m
      FROM cloudtrail_logs LIMIT 1`;
    const checks = [
      "every sarr like '%x, y%'",
      "no sarr like '%x, y%'",
      "some arr matches '1'",
      "every arr == '[1, 2]'",
      "every arr != '[1, 2]'",
      "every r in ('{x=1, y=a}')",
      "every m < 'zzz'",
      "every arr is not null",
      "no m == null",
    ];
    const statuses = [
      ...Array(7).fill("errored"),
      // Checks of null compare no text: they hold on both.
      "passed",
      "passed",
    ];
    expect(await verdicts(sql, checks)).toEqual({ local: statuses, athena: statuses });
  });

  it("judge its JSON text or an element alike on both engines", async () => {
    const sql = `SELECT CAST(ARRAY['x, y'] AS JSON) AS j, element_at(ARRAY['x, y'], 1) AS e
      FROM cloudtrail_logs LIMIT 1`;
    const checks = ["every j == '[\"x, y\"]'", "every e like '%x, y%'", "no e == 'x'"];
    const statuses = ["passed", "passed", "passed"];
    expect(await verdicts(sql, checks)).toEqual({ local: statuses, athena: statuses });
  });
});
