/**
 * Every Athena CloudTrail query of the shared corpus (../shared/reference/queries/queries.tsv) runs
 * on the local engine against a real data set, table names mapped to cloudtrail_logs and the
 * corpus's placeholders ('START_TIME', ...) given values. The pass rate must be at least 85%, and
 * every failure must be listed below with the reason it fails on Athena too (or is not a query).
 */
import { existsSync, promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ANSWERS,
  canonical,
  DATASETS,
  digest,
  type Event,
  publishedQuery,
  readEvents,
} from "../../../test/truth/published-answers.ts";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine, type LocalEngine } from "../src/index.ts";
import { datasetDir, datasetsDir, hasShared, sharedDir, tempDir } from "./helpers.ts";

const TSV = path.join(sharedDir, "reference/queries/queries.tsv");

/** sha1 prefix → why the upstream query cannot run (on Athena either). */
const VPC_FLOW = "joins a VPC Flow Logs table (irworkshopgluetablevpcflow): not a CloudTrail query";
const TWO_STATEMENTS =
  "a whole demo file: several statements without ';' between them (a syntax error on Athena too)";
const HAVING_ALIAS =
  "HAVING call_count > n names a select alias: Trino rejects it as SQL specifies (Column 'call_count' cannot be resolved, trinodb/trino#8582)";
const DASHED_PATH =
  "json_extract_scalar(..., '$.x-amz-copy-source'): Trino's JSON path takes letters, digits, _ and : after a dot (JsonPathTokenizer), so Athena fails with Invalid JSON path; $[\"x-amz-copy-source\"] is the form it reads";
const EXPECTED_FAILURES: Record<string, string> = {
  "8ec4a6d8b3": DASHED_PATH,
  a79a83099e: HAVING_ALIAS,
  "0ec4a3e22e": HAVING_ALIAS,
  e909ecf11c: VPC_FLOW,
  "2f0408008a": VPC_FLOW,
  aae8a47f21: VPC_FLOW,
  "953c3c91e9": VPC_FLOW,
  b0931353d2: VPC_FLOW,
  "939b1382f4": TWO_STATEMENTS,
  "336c7687e9": TWO_STATEMENTS,
};

function unescapeField(s: string): string {
  return s.replace(/\\(\\|n|t|r)/g, (_m, c: string) =>
    c === "n" ? "\n" : c === "t" ? "\t" : c === "r" ? "\r" : "\\",
  );
}

const PLACEHOLDERS: [RegExp, string][] = [
  [/'START_TIME'/g, "'2020-01-01T00:00:00Z'"],
  [/'END_TIME'/g, "'2030-01-01T00:00:00Z'"],
  [/'SUSPECT_PRINCIPAL'/g, "'arn:aws:iam::123456789012:user/suspect'"],
];

let engine: LocalEngine;
let dir: string;

beforeAll(async () => {
  if (!hasShared || !existsSync(TSV)) return;
  dir = await datasetDir("stratus-red-team-detonation-logs");
  engine = await createLocalEngine({
    logDir: dir,
    threads: 2,
    tableAliases: [
      "cloudtrail",
      "irworkshopgluedatabase.irworkshopgluetablecloudtrail",
      "cloudtrail_logs_pp",
    ],
  });
});
afterAll(async () => {
  await engine?.close();
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

describe.skipIf(!hasShared || !existsSync(TSV))("the Athena CloudTrail query corpus", () => {
  it("runs at least 85% of the queries, and every failure is a known upstream problem", async () => {
    const lines = (await fsp.readFile(TSV, "utf8")).trim().split("\n");
    const header = (lines[0] as string).split("\t");
    const col = (name: string) => header.indexOf(name);
    const rows = lines
      .slice(1)
      .map((l) => l.split("\t"))
      .filter((r) => r[col("kind")] === "athena" && r[col("target")] === "cloudtrail");
    const failures: { sha: string; source: string; error: string }[] = [];
    for (const r of rows) {
      let sql = unescapeField(r[col("query")] as string);
      for (const [re, v] of PLACEHOLDERS) sql = sql.replace(re, v);
      const isSelect = r[col("statement")] === "select";
      try {
        await engine.runAthenaSql(sql, []);
        if (!isSelect) {
          failures.push({
            sha: (r[col("sha1")] as string).slice(0, 10),
            source: `${r[col("source_file")]}:${r[col("line")]}`,
            error: "a non-SELECT statement ran",
          });
        }
      } catch (e) {
        // DDL in the corpus (CREATE EXTERNAL TABLE, ALTER TABLE ADD PARTITION) must be refused.
        if (!isSelect && (e as { code?: string }).code === "sql-refused") continue;
        failures.push({
          sha: (r[col("sha1")] as string).slice(0, 10),
          source: `${r[col("source_file")]}:${r[col("line")]}`,
          error: (e as Error).message.split("\n")[0] as string,
        });
      }
    }
    const passed = rows.length - failures.length;
    const rate = passed / rows.length;
    console.log(`query corpus: ${passed}/${rows.length} ran (${(rate * 100).toFixed(1)}%)`);
    for (const f of failures) {
      console.log(
        `  ${f.sha} ${f.source}\n    ${f.error}\n    expected: ${EXPECTED_FAILURES[f.sha] ?? "NOT LISTED"}`,
      );
    }
    expect(rate).toBeGreaterThanOrEqual(0.85);
    expect(failures.filter((f) => !(f.sha in EXPECTED_FAILURES))).toEqual([]);
  });
});

/**
 * Answers, not just "it ran": published queries that find something in the real data sets,
 * each result compared with the answer a small JavaScript function computes from the raw records
 * (test/truth/published-answers.ts), row for row, with its count and digest printed.
 */
describe.skipIf(!hasShared || !existsSync(TSV))("answers of published queries", () => {
  let all: LocalEngine;
  let allDir: string;
  let events: Event[];
  beforeAll(async () => {
    allDir = await tempDir("run-md-answers-");
    for (const d of DATASETS) {
      // Copies: the engine skips links that lead outside its log directory.
      await fsp.copyFile(
        path.join(datasetsDir, d, "events.jsonl"),
        path.join(allDir, `${d}.jsonl`),
      );
    }
    events = readEvents(datasetsDir);
    all = await createLocalEngine({ logDir: allDir, threads: 2 });
  });
  afterAll(async () => {
    await all?.close();
    if (allDir) await fsp.rm(allDir, { recursive: true, force: true });
  });

  it.each(ANSWERS.map((a) => [`${a.sha} ${a.question}`, a] as const))("%s", async (_, answer) => {
    const expected = answer.truth(events);
    const { rows } = await all.query(
      queryRequest(answer.dialect ?? "sql", publishedQuery(TSV, answer.sha, answer.values), {
        start: new Date("2000-01-01T00:00:00Z"),
        end: new Date("2100-01-01T00:00:00Z"),
      }),
    );
    console.log(`${answer.sha}: ${rows.length} rows, digest ${digest(rows)}`);
    expect(expected.length).toBeGreaterThan(0);
    expect(canonical(rows)).toEqual(canonical(expected));
    expect(digest(rows)).toBe(digest(expected));
    if (answer.orderedBy !== undefined) {
      const keys = rows.map((r) => r[answer.orderedBy!] as string | number);
      const order = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(keys).toEqual(answer.descending ? order.reverse() : order);
    }
  });
});
