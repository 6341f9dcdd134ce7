/**
 * The engine keeps checked plans of recent statements (`LocalEngine.checkedPlan`): a statement
 * run again must still bind its own values and window, and a refused one must stay refused.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalEngine, type LocalEngine } from "../src/engine.ts";
import { tempDir, window } from "./helpers.ts";

let root: string;
let engine: LocalEngine;
/** eventName → count per hour of the day, from the raw files in plain JavaScript. */
const truth = new Map<string, number[]>();

beforeAll(async () => {
  root = await tempDir("run-md-plan-cache-");
  await generateLogs({
    outDir: root,
    start: new Date("2024-03-01T00:00:00Z"),
    end: new Date("2024-03-02T00:00:00Z"),
    eventsPerDay: 500,
    seed: 5,
    regions: ["us-east-1"],
  });
  for (const n of (await fsp.readdir(root, { recursive: true })).map(String)) {
    if (!n.endsWith(".json.gz")) continue;
    const text = zlib.gunzipSync(await fsp.readFile(path.join(root, n))).toString("utf8");
    for (const r of JSON.parse(text).Records as { eventName: string; eventTime: string }[]) {
      const hours = truth.get(r.eventName) ?? Array.from({ length: 24 }, () => 0);
      truth.set(r.eventName, hours);
      hours[new Date(r.eventTime).getUTCHours()] =
        (hours[new Date(r.eventTime).getUTCHours()] ?? 0) + 1;
    }
  }
  engine = await createLocalEngine({ logDir: root, threads: 1 });
});

afterAll(async () => {
  await engine?.close();
  if (root) await fsp.rm(root, { recursive: true, force: true });
});

const COUNT = "SELECT count(*) AS n FROM cloudtrail_logs WHERE eventname = {{name}}";

async function count(name: string, hours: [number, number]): Promise<number> {
  const r = await engine.query({
    stepId: "s",
    dialect: "sql",
    query: COUNT,
    params: { name: { type: "string", value: name } },
    window: window(
      `2024-03-01T${String(hours[0]).padStart(2, "0")}:00:00Z`,
      hours[1] === 24
        ? "2024-03-02T00:00:00Z"
        : `2024-03-01T${String(hours[1]).padStart(2, "0")}:00:00Z`,
    ),
    attributes: { optional: false },
    signal: new AbortController().signal,
  });
  return Number(r.rows[0]?.[0]);
}

describe("a statement run again on one engine", () => {
  it("binds each run's own values and window", async () => {
    const names = [...truth.entries()].sort((a, b) => b[1][0]! - a[1][0]!).slice(0, 3);
    expect(names.length).toBe(3);
    const sum = (hours: number[], [from, to]: [number, number]) =>
      hours.slice(from, to).reduce((a, b) => a + b, 0);
    for (const span of [
      [0, 24],
      [0, 12],
      [12, 24],
    ] as [number, number][]) {
      for (const [name, hours] of names) expect(await count(name, span)).toBe(sum(hours, span));
    }
  });

  it("stays refused when it is refused", async () => {
    for (let i = 0; i < 2; i++) {
      await expect(
        engine.query({
          stepId: "s",
          dialect: "sql",
          attributes: { optional: false, sqlDialect: "duckdb" },
          query: "SELECT * FROM read_text('/etc/passwd')",
          params: {},
          window: window("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z"),
          signal: new AbortController().signal,
        }),
      ).rejects.toMatchObject({ code: "sql-refused" });
    }
  });
});
