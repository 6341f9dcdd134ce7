import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createLocalEngine } from "../src/index.ts";
import { datasetDir, datasetsDir, hasShared } from "./helpers.ts";

const NAME = "stratus-red-team-detonation-logs";
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
});

async function query(sql: string) {
  const dir = await datasetDir(NAME);
  dirs.push(dir);
  const engine = await createLocalEngine({ logDir: dir, threads: 1 });
  try {
    return await engine.runAthenaSql(sql, []);
  } finally {
    await engine.close();
  }
}

interface Raw {
  eventID: string;
  eventSource: string;
  eventName: string;
  userIdentity?: { arn?: string };
}

/** The data set's records, read from its own JSON lines (not through the engine). */
async function records(): Promise<Raw[]> {
  const text = await fsp.readFile(path.join(datasetsDir, NAME, "events.jsonl"), "utf8");
  const rows = text.split("\n").filter((l) => l.trim() !== "");
  return rows.map((l) => JSON.parse(l) as Raw).sort((a, b) => (a.eventID < b.eventID ? -1 : 1));
}

describe.skipIf(!hasShared)("|| of an array and a text column of the CloudTrail table", () => {
  it("appends or prepends the column's value, as Trino (DuckDB refused VARCHAR[] || VARCHAR)", async () => {
    const r = await query(
      "SELECT eventid, split(eventsource, '.') || eventname, eventname || split(eventsource, '.'), concat(ARRAY['by'], t.useridentity.arn) FROM cloudtrail_logs t ORDER BY eventid",
    );
    const want = (await records()).map((e) => [
      e.eventID,
      [...e.eventSource.split("."), e.eventName],
      [e.eventName, ...e.eventSource.split(".")],
      ["by", e.userIdentity?.arn ?? null],
    ]);
    expect(want).toHaveLength(310);
    expect(r.rows).toEqual(want);
  });

  it("appends or prepends a constant to a CTE's or subquery's array column, as Trino (DuckDB refused VARCHAR[] || VARCHAR)", async () => {
    const parts = ((await records())[0] as Raw).eventSource.split(".");
    // Trino: array(varchar) || varchar appends, varchar || array(varchar) prepends.
    const ok = await query(
      "WITH c AS (SELECT eventid, split(eventsource, '.') AS parts FROM cloudtrail_logs) SELECT parts || 'x', 'y' || parts FROM c ORDER BY eventid LIMIT 1",
    );
    expect(ok.rows).toEqual([
      [
        [...parts, "x"],
        ["y", ...parts],
      ],
    ]);
    const ints = await query("SELECT a || 3, 0 || a FROM (SELECT ARRAY[1, 2] AS a) t");
    expect(ints.rows).toEqual([
      [
        [1, 2, 3],
        [0, 1, 2],
      ],
    ]);
  });

  it("joins a CTE's column of the same name that is an array", async () => {
    const r = await query(
      "WITH c AS (SELECT eventid, split(eventsource, '.') AS eventname FROM cloudtrail_logs) SELECT ARRAY['x'] || eventname FROM c ORDER BY eventid LIMIT 1",
    );
    const first = (await records())[0] as Raw;
    expect(r.rows).toEqual([[["x", ...first.eventSource.split(".")]]]);
  });
});
