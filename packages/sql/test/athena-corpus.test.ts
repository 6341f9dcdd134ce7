/**
 * False refusals: every rule of the check must let through what Athena (Trino, engine v3) runs. A
 * corpus of published Athena queries over the CloudTrail table, written by others, goes through
 * checkSql: the public ones in corpus/athena-cloudtrail-queries.sql (each with where it is
 * published) and the shared reference corpus (../shared/reference/queries/queries.tsv, read in
 * place). None may be refused except the refusals listed below, each with why Athena refuses the
 * query too; a new refusal, or a listed one that no longer happens, fails the test.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkSql } from "../src/index.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const CORPUS = path.join(here, "corpus/athena-cloudtrail-queries.sql");
const TSV = path.resolve(here, "../../..", "../shared/reference/queries/queries.tsv");
/** The other names the published queries give the CloudTrail table (spec section 4 aliases). */
const TABLES = {
  aliases: [
    "cloudtrail",
    "cloudtrail_logs_pp",
    "irworkshopgluedatabase.irworkshopgluetablecloudtrail",
  ],
  extra: [],
};

// Why Athena refuses them too. The documented table (../shared/reference/athena-cloudtrail-ddl.sql)
// types requestparameters, responseelements and additionaleventdata STRING, and Trino dereferences
// only a row ("Expression ... is not of type ROW"); every column and partition is a STRING, and
// Trino converts no text to a number or a time (TypeCoercion), so the comparisons fail to analyze.
const JSON_DOT = "dot access into a JSON text column (STRING in Athena's table), not a struct";
const NO_COLUMN = "a column Athena's documented table does not have";
const UPSTREAM_SYNTAX = "upstream typo: a syntax error on Athena too";
const OTHER_TABLE = "reads a VPC Flow Logs table: not a CloudTrail query";
// Trino resolves HAVING against the FROM clause only (TestAnalyzer.testHavingReferencesOutputAlias:
// "Column 'x' cannot be resolved"), so Athena refuses these two as run-md does.
const HAVING_ALIAS =
  "a select alias in HAVING (HAVING call_count > 10): Column 'call_count' cannot be resolved";
const TRUE_REFUSALS: Record<string, [rules: string[], why: string]> = {
  // ../shared/reference/queries/queries.tsv (sha1 prefixes)
  ba819a820d: [["sql-athena"], JSON_DOT],
  "43a1877fa3": [["sql-athena"], JSON_DOT],
  "635beeb0a9": [["sql-athena"], JSON_DOT],
  "7c4b719444": [["sql-athena"], JSON_DOT],
  f447bd2e35: [["sql-athena"], JSON_DOT],
  "6702482b73": [["sql-athena"], JSON_DOT],
  "294c6ff16e": [["sql-athena"], JSON_DOT],
  b5dfdac850: [["sql-athena"], JSON_DOT],
  "6128134094": [["sql-athena"], JSON_DOT],
  ba7512166b: [["sql-athena"], JSON_DOT],
  e909ecf11c: [["sql-table"], OTHER_TABLE],
  "2f0408008a": [["sql-table"], OTHER_TABLE],
  aae8a47f21: [["sql-table"], OTHER_TABLE],
  "953c3c91e9": [["sql-table"], OTHER_TABLE],
  b0931353d2: [["sql-table"], OTHER_TABLE],
  "939b1382f4": [["sql-syntax"], "a whole demo file: statements without ';' between them"],
  "336c7687e9": [["sql-statement"], "a whole demo file: several statements"],
  a79a83099e: [["sql-column"], HAVING_ALIAS],
  "0ec4a3e22e": [["sql-column"], HAVING_ALIAS],
  // corpus/athena-cloudtrail-queries.sql (sha1 prefixes of the query text)
  "5eaf2209c8": [["sql-syntax"], `${UPSTREAM_SYNTAX} (FROM t AND ..., no WHERE)`],
  "742bc9d9c5": [["sql-syntax"], `${UPSTREAM_SYNTAX} (FROM t AND ..., no WHERE)`],
  "5ee2483cf1": [["sql-syntax"], `${UPSTREAM_SYNTAX} (FROM t AND ..., no WHERE)`],
  f9c446cf3c: [
    ["sql-athena"],
    "a comma missing in an IN list: two adjacent string literals, which Trino's grammar does not join",
  ],
  "3e82c128ad": [["sql-column"], `${NO_COLUMN}: aws_region (awsregion)`],
  fb4f987e4b: [["sql-athena"], JSON_DOT],
  "508ba7b34e": [["sql-athena"], `${JSON_DOT}; and day BETWEEN 10 AND 18, day being a STRING`],
  "20c4981ec1": [["sql-athena"], JSON_DOT],
  b4a526e989: [["sql-athena"], "day BETWEEN DATE '...' AND DATE '...': a STRING against dates"],
  "8fcc60b745": [["sql-athena", "sql-column"], `${JSON_DOT}; and ${NO_COLUMN}: accountid`],
  c467098833: [
    ["sql-column"],
    'a quoted name the published view breaks across a line: "userid\nentity"',
  ],
  "232a84ee22": [["sql-athena"], "element_at(requestParameters, 'bucketName'): a STRING, no map"],
  "523ddd69e8": [["sql-athena"], "eventtime (a STRING) > current_timestamp - interval '24' hour"],
};

interface Entry {
  id: string;
  source: string;
  sql: string;
}

/** The fixture's entries: `-- source: <url>` and the query below it; id: its text's sha1 prefix. */
function publicQueries(): Entry[] {
  const parts = readFileSync(CORPUS, "utf8")
    .split(/^-- source: /m)
    .slice(1);
  return parts.map((p) => {
    const nl = p.indexOf("\n");
    const sql = p.slice(nl + 1).trim();
    const id = createHash("sha1").update(sql).digest("hex").slice(0, 10);
    return { id, source: p.slice(0, nl), sql };
  });
}

/** The reference corpus's Athena SELECTs over CloudTrail, by their sha1 prefix. */
function referenceQueries(): Entry[] {
  const [header, ...rows] = readFileSync(TSV, "utf8").split("\n").filter(Boolean);
  const cols = header!.split("\t");
  const unescapeTsv = (s: string) =>
    s.replace(/\\(.)/g, (_, c: string) => ({ n: "\n", t: "\t", r: "\r" })[c] ?? c);
  return rows
    .map((row) => {
      const f = row.split("\t");
      const get = (n: string) => f[cols.indexOf(n)] ?? "";
      return { get, entry: { id: get("sha1").slice(0, 10), source: get("source_file"), sql: "" } };
    })
    .filter(({ get }) => get("kind") === "athena" && get("target") === "cloudtrail")
    .filter(({ get }) => get("statement") === "select")
    .map(({ get, entry }) => ({ ...entry, sql: unescapeTsv(get("query")) }));
}

describe("published Athena CloudTrail queries pass the check", () => {
  it.skipIf(!existsSync(TSV))(
    "none is refused but the listed true refusals, each with its rule",
    async () => {
      const corpus = [...publicQueries(), ...referenceQueries()];
      expect(corpus.length).toBeGreaterThanOrEqual(200);
      const refused: Record<string, string[]> = {};
      for (const q of corpus) {
        const errors = (await checkSql(q.sql, { tables: TABLES })).filter(
          (p) => p.severity === "error",
        );
        if (errors.length > 0) refused[q.id] = [...new Set(errors.map((e) => e.rule))];
      }
      const unlisted = Object.keys(refused).filter((id) => !(id in TRUE_REFUSALS));
      expect(
        unlisted.map((id) => [id, corpus.find((q) => q.id === id)?.source, refused[id]]),
      ).toEqual([]);
      const expected = Object.fromEntries(
        Object.entries(TRUE_REFUSALS).map(([id, [rules]]) => [id, rules]),
      );
      expect(refused).toEqual(expected);
    },
  );
});

describe("what the hunt found", () => {
  // False refusal: `l.*` is every column of the relation `l` (Trino's selectItem
  // `primaryExpression '.' ASTERISK`); the check took `l` for a column and refused it. DuckDB
  // gives the same 37 columns as `SELECT *` (the local engine was run on it).
  it.each([
    "SELECT c.* FROM cloudtrail_logs c WHERE c.eventname = 'ConsoleLogin'",
    "SELECT cloudtrail_logs.* FROM cloudtrail_logs",
    "SELECT a.*, b.eventname AS next_event FROM cloudtrail_logs a JOIN cloudtrail_logs b ON a.eventid = b.eventid",
    "SELECT c.*, count(*) OVER () AS total FROM cloudtrail AS c",
  ])("%s is not refused", async (sql) => {
    expect(await checkSql(sql, { tables: TABLES })).toEqual([]);
  });

  it("x.* of no relation of the query stays refused", async () => {
    const problems = await checkSql("SELECT x.* FROM cloudtrail_logs c");
    expect(problems.map((p) => [p.rule, p.column, p.message])).toEqual([
      ["sql-column", 8, 'unknown column "x"'],
    ]);
  });

  // True refusals whose words led astray.
  it.each([
    [
      // The hint named the first field only: json_extract_scalar of an object is NULL.
      "SELECT responseElements.assumedRoleUser.arn AS session FROM cloudtrail_logs",
      25,
      "responseelements is a STRING of JSON text in Athena's table, not a struct: write json_extract_scalar(responseelements, '$.assumedRoleUser.arn')",
    ],
    [
      // A key Trino's JSON path does not take after a dot.
      'SELECT requestParameters."x-amz-copy-source" AS src FROM cloudtrail_logs',
      26,
      `requestparameters is a STRING of JSON text in Athena's table, not a struct: write json_extract_scalar(requestparameters, '$["x-amz-copy-source"]')`,
    ],
    [
      // It said to write a string, '$path'; Athena has the column, run-md's tables do not.
      'SELECT "$path" AS file, count(*) AS n FROM cloudtrail_logs GROUP BY 1',
      8,
      `"$path" is a hidden column of Athena's Hive tables (the S3 object a row was read from, its size or time, its partition), which the local engine's cloudtrail_logs does not have, so a step that reads it could not run on every engine: leave it out of the step (query Athena directly to find the files)`,
    ],
    [
      // The published view's name broken across a line: it said to write a string.
      'SELECT "userid\nentity"."arn" AS a FROM cloudtrail_logs',
      8,
      '"userid\\nentity" is no column: a quoted name is read as written, its line break or space included: write useridentity',
    ],
  ])("%s", async (sql, column, message) => {
    const problems = await checkSql(sql);
    expect(problems.map((p) => [p.column, p.message])).toEqual([[column, message]]);
  });

  it("element_at of a JSON text column says to read the key with json_extract_scalar", async () => {
    const sql = "SELECT element_at(requestParameters, 'bucketName') AS b FROM cloudtrail_logs";
    const [p, ...rest] = await checkSql(sql);
    expect(rest).toEqual([]);
    expect(p?.message).toMatch(
      /; to read a key of JSON text, write json_extract_scalar\(requestParameters, '\$\.bucketName'\)$/,
    );
  });
});
