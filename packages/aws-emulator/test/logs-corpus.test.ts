/**
 * The CloudTrail Logs Insights queries of the shared reference corpus run on the local engine over
 * a real published dataset (read in place), and give the same rows through the logs engine and
 * the emulator's CloudWatch Logs endpoint; those that find rows give, on both engines, the answer
 * computed from the raw records without any engine (test/truth/published-answers.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Engine, JsonValue, QueryRequest } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ANSWERS, canonical, publishedQuery } from "../../../test/truth/published-answers.ts";
import { queryRequest } from "../../core/test/query-request.ts";
import { readQueriesTsv } from "../../insights/test/queries-tsv.ts";
import { type EnginePair, localAndLogs } from "./engine-pair.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const shared = path.resolve(repoRoot, "../shared");
const tsv = path.join(shared, "reference/queries/queries.tsv");
const raw = path.join(shared, "datasets/stratus-red-team-detonation-logs/raw");
const available = existsSync(tsv) && existsSync(raw);
if (!available) console.log(`skipping the Logs Insights corpus run: ${shared} is not available`);

function cloudtrailInsightsQueries(): Array<[string, string]> {
  if (!available) return [];
  return readQueriesTsv(tsv)
    .filter((r) => r.kind === "insights" && r.target === "cloudtrail")
    .map((r) => [`${r.source_file}:${r.line}`, r.query!]);
}

// The dataset spans 2024; the window covers all of it.
const WINDOW = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2025-01-01T00:00:00Z") };

const request = (query: string): QueryRequest => queryRequest("logs-insights", query, WINDOW);

const text = (rows: JsonValue[][]) =>
  rows.map((r) => JSON.stringify(r.map((v) => (v === null ? null : String(v))))).sort();

let engines: EnginePair;
/** The data set's raw records, one JSON object a line, for the independently computed answers. */
let events: Record<string, unknown>[];
let local: Engine;
let logs: Engine;

describe.skipIf(!available)(
  "the reference corpus's CloudTrail Insights queries on real events",
  () => {
    beforeAll(async () => {
      events = readFileSync(path.join(raw, "../events.jsonl"), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      engines = await localAndLogs(raw, { logGroups: ["cloudtrail"] });
      local = engines.local;
      logs = engines.logs;
    }, 60_000);
    afterAll(async () => engines?.close());

    test("the dataset is read whole", async () => {
      const r = await local.query(request("stats count(*) as n"));
      expect(r.rows).toEqual([[310]]);
    });

    test.each(
      ANSWERS.filter((a) => a.dialect === "logs-insights").map(
        (a) => [`${a.sha} ${a.question}`, a] as const,
      ),
    )("%s: the answer computed from the raw records, on both engines", async (_, answer) => {
      const expected = canonical(answer.truth(events));
      expect(expected.length).toBeGreaterThan(0);
      const query = publishedQuery(tsv, answer.sha);
      expect(canonical((await local.query(request(query))).rows)).toEqual(expected);
      expect(canonical((await logs.query(request(query))).rows)).toEqual(expected);
    });

    test.each(cloudtrailInsightsQueries())(
      "%s runs locally and through the logs endpoint alike",
      async (_, query) => {
        const here = await local.query(request(query));
        const there = await logs.query(request(query));
        expect(here.columns.length).toBeGreaterThan(0);
        expect(text(there.rows)).toEqual(text(here.rows));
      },
    );
  },
);
