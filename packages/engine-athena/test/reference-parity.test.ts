/**
 * The published CloudTrail queries of ../shared/reference/queries/queries.tsv over the real data
 * sets of ../shared/datasets (all four, read in place), on the local engine and on the athena
 * engine against the emulated Athena backed by it: the same outcome (rows, or an error on both),
 * the same columns and the same rows.
 */
import { existsSync, promises as fsp, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Emulator } from "@run-md/aws-emulator";
import type { Engine, JsonValue, QueryRequest, QueryResult } from "@run-md/core";
import { createLocalEngine } from "@run-md/engine-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ANSWERS,
  canonical,
  DATASETS,
  type Event,
  publishedQuery,
  readEvents,
} from "../../../test/truth/published-answers.ts";
import { queryRequest } from "../../core/test/query-request.ts";
import { type AthenaEngine, isSignificant, tokenize } from "../src/index.ts";
import { athenaOver } from "./emulated.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const shared = path.resolve(repoRoot, "../shared");
const TSV = path.join(shared, "reference/queries/queries.tsv");
const DATA = path.join(shared, "datasets");
const present = existsSync(TSV) && existsSync(DATA);
if (!present) console.log(`reference parity test skipped: ${TSV} or ${DATA} is absent`);

function queries(): { where: string; sql: string }[] {
  const [header, ...lines] = readFileSync(TSV, "utf8")
    .split("\n")
    .filter((l) => l !== "");
  const cols = header!.split("\t");
  const out: { where: string; sql: string }[] = [];
  for (const l of lines) {
    const f = l.split("\t");
    const get = (n: string) => f[cols.indexOf(n)] ?? "";
    if (
      get("kind") !== "athena" ||
      get("target") !== "cloudtrail" ||
      get("statement") !== "select"
    ) {
      continue;
    }
    const sql = get("query").replace(/\\([\\ntr])/g, (_, c: string) =>
      c === "n" ? "\n" : c === "t" ? "\t" : c === "r" ? "\r" : "\\",
    );
    // The query's own table name (the first FROM) becomes the runbooks' cloudtrail_logs.
    const t = tokenize(sql).filter(isSignificant);
    const from = t.findIndex((x) => x.kind === "ident" && x.value === "from");
    const parts: string[] = [];
    for (
      let j = from + 1;
      from >= 0 && t[j] && (t[j]!.kind === "ident" || t[j]!.kind === "qident");
      j += 2
    ) {
      parts.push(t[j]!.text);
      if (t[j + 1]?.text !== ".") break;
    }
    if (parts.length === 0) continue;
    out.push({
      where: `${get("source_file")}:${get("line")}`,
      sql: sql.split(parts.join(".")).join("cloudtrail_logs"),
    });
  }
  return out;
}

/** The data sets as one table, scoped by event time only (no partition values). */
const ALL_TABLE = { table: "security.cloudtrail_all", partitioning: "none" } as const;

let emulator: Emulator;
let local: Engine;
let athena: AthenaEngine;

beforeAll(async () => {
  if (!present) return;
  local = await createLocalEngine({ logDir: DATA });
  // The raw files are not in the S3 layout: no partition values, so scope by event time only.
  ({ emulator, engine: athena } = await athenaOver(DATA, ALL_TABLE));
});

afterAll(async () => {
  await athena?.close();
  await emulator?.close();
  await local?.close();
});

/** Wide enough for every record of the reference data. */
const ALL_YEARS = {
  start: new Date("2015-01-01T00:00:00Z"),
  end: new Date("2030-01-01T00:00:00Z"),
};
const request = (sql: string): QueryRequest => queryRequest("sql", sql, ALL_YEARS);

async function outcome(engine: Engine, sql: string): Promise<QueryResult | Error> {
  try {
    return await engine.query(request(sql));
  } catch (e) {
    return e as Error;
  }
}

/** Rows as sorted JSON texts (ties may come back in any order). */
function rowSet(rows: JsonValue[][]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}

/** Whether a column holds arrays, rows or maps, whose elements Athena returns as text. */
function nested(result: QueryResult, i: number): boolean {
  return result.rows.some((r) => r[i] !== null && typeof r[i] === "object");
}

describe.skipIf(!present)("published CloudTrail queries on a real data set", () => {
  it("give the same outcome, columns and rows on athena (emulated) as on local", {
    timeout: 240_000,
  }, async () => {
    const all = queries();
    let same = 0;
    let bothFailed = 0;
    let withRows = 0;
    for (const q of all) {
      const a = await outcome(athena, q.sql);
      const l = await outcome(local, q.sql);
      if (l instanceof Error || a instanceof Error) {
        expect(
          a instanceof Error,
          `${q.where}: local ${String(l instanceof Error ? l.message : "ok")}, athena ${String(a instanceof Error ? a.message : "ok")}`,
        ).toBe(l instanceof Error);
        bothFailed++;
        continue;
      }
      expect(
        a.columns.map((c) => c.name),
        q.where,
      ).toEqual(l.columns.map((c) => c.name));
      // Nested values: Athena's text keeps their leaves as strings; compare those as text.
      const flat = (r: QueryResult) =>
        r.rows.map((row) =>
          row.map((v, i) =>
            nested(l, i)
              ? JSON.stringify(v, (_k, x) =>
                  typeof x === "number" || typeof x === "boolean" ? String(x) : x,
                )
              : v,
          ),
        );
      expect(rowSet(flat(a)), q.where).toEqual(rowSet(flat(l)));
      same++;
      if (l.rows.length > 0) withRows++;
    }
    console.log(
      `reference parity: ${all.length} queries, ${same} identical (${withRows} with rows), ${bothFailed} failing on both engines`,
    );
    expect(same).toBeGreaterThanOrEqual(all.length * 0.75);
    expect(withRows).toBeGreaterThan(10);
  });
});

/**
 * The athena engine through the emulated Athena, checked against answers computed from the raw
 * records without any SQL engine (test/truth/published-answers.ts), not against the local engine.
 */
describe.skipIf(!present)("answers of published queries through emulated Athena", () => {
  let dir: string;
  let events: Event[];
  let emu: Emulator;
  let engine: AthenaEngine;
  beforeAll(async () => {
    dir = await fsp.mkdtemp(path.join(tmpdir(), "run-md-athena-answers-"));
    for (const d of DATASETS) {
      // Copies: the engine skips links that lead outside its log directory.
      await fsp.copyFile(path.join(DATA, d, "events.jsonl"), path.join(dir, `${d}.jsonl`));
    }
    events = readEvents(DATA);
    ({ emulator: emu, engine } = await athenaOver(dir, ALL_TABLE));
  });
  afterAll(async () => {
    await engine?.close();
    await emu?.close();
    if (dir) await fsp.rm(dir, { recursive: true, force: true });
  });

  const sql = ANSWERS.filter((a) => (a.dialect ?? "sql") === "sql");
  it.each(sql.map((a) => [`${a.sha} ${a.question}`, a] as const))("%s", async (_, answer) => {
    const expected = answer.truth(events);
    const { rows } = await engine.query(request(publishedQuery(TSV, answer.sha, answer.values)));
    expect(expected.length).toBeGreaterThan(0);
    expect(canonical(rows)).toEqual(canonical(expected));
  });
});
