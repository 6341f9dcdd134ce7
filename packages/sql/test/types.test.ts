/**
 * Comparisons and concatenations of types Trino does not convert into one another: Athena fails
 * ("Cannot apply operator", "Unexpected parameters (varchar, integer) for function concat") where
 * the local engine's DuckDB converts and answers. Only types the syntax shows are judged, and the
 * project's runbooks and the published queries check clean.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseRunbook } from "@run-md/core";
import { describe, expect, it } from "vitest";
import { checkSql, type SqlProblem } from "../src/index.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const TSV = path.resolve(root, "../shared/reference/queries/queries.tsv");

const FROM = "SELECT eventname FROM cloudtrail_logs WHERE ";
const TS = "from_iso8601_timestamp(eventtime)";
const NEITHER =
  "Athena refuses to compare them (it converts neither to the other's type, where DuckDB does)";

function at(problems: SqlProblem[]) {
  return problems.map((p) => [p.line, p.column, p.rule, p.message]);
}

/** The new rule's problems only (the type mismatches), of any rule's problems. */
function typeProblems(problems: SqlProblem[]) {
  return problems.filter((p) =>
    /refuses to compare them|has no concat\(|^Unexpected parameters/.test(p.message),
  );
}

describe("comparisons Athena refuses between types it does not convert", () => {
  it.each([
    [
      `${FROM}${TS} > '2024-08-01 00:00:00'`,
      [
        1,
        81,
        `${TS} is a timestamp with time zone and '2024-08-01 00:00:00' is a varchar: ${NEITHER}; write TIMESTAMP '2024-08-01 00:00:00', or from_iso8601_timestamp('2024-08-01T00:00:00Z')`,
      ],
    ],
    [
      `${FROM}${TS} = eventtime`,
      [
        1,
        81,
        `${TS} is a timestamp with time zone and eventtime is a varchar: ${NEITHER}; write from_iso8601_timestamp(eventtime)`,
      ],
    ],
    [
      `${FROM}date(${TS}) = '2024-08-01'`,
      [
        1,
        87,
        `date(${TS}) is a date and '2024-08-01' is a varchar: ${NEITHER}; write DATE '2024-08-01'`,
      ],
    ],
    [
      `${FROM}json_extract_scalar(requestparameters, '$.durationSeconds') = 900`,
      [
        1,
        107,
        `json_extract_scalar(requestparameters, '$.durationSeconds') is a varchar and 900 is an integer: ${NEITHER}; write CAST(json_extract_scalar(requestparameters, '$.durationSeconds') AS bigint)`,
      ],
    ],
    [
      "SELECT concat(eventname, 1) AS x FROM cloudtrail_logs",
      [
        1,
        26,
        "concat() of eventname, a varchar, and 1, an integer: Athena has no concat(varchar, integer) (it converts no integer to text, where DuckDB does); write CAST(1 AS varchar) in its place",
      ],
    ],
    [
      "SELECT eventname || 1 AS x FROM cloudtrail_logs",
      [
        1,
        21,
        "|| of eventname, a varchar, and 1, an integer: Athena has no concat(varchar, integer) (it converts no integer to text, where DuckDB does); write CAST(1 AS varchar) in its place",
      ],
    ],
  ])("%s", async (sql, [line, column, message]) => {
    expect(at(await checkSql(sql))).toEqual([[line, column, "sql-athena", message]]);
  });

  it("in BETWEEN, IN lists, IS DISTINCT FROM and simple CASE, at each value, on its line", async () => {
    const lines = [
      "SELECT CASE date(from_iso8601_timestamp(eventtime)) WHEN '2024-08-01' THEN 1 END AS d",
      "FROM cloudtrail_logs",
      "WHERE from_iso8601_timestamp(eventtime) BETWEEN '2024-08-01' AND '2024-08-02'",
      "  AND count(*) IN (1, '2')",
      "  AND current_timestamp IS DISTINCT FROM eventtime",
      "  AND (length(eventname) + 1) * 2 <> '7' AND regexp_like(eventname, 'x') = 'true'",
      "  AND to_iso8601(now()) || date_add('day', -1, current_date) <> ''",
    ];
    /** The 1-based line and column of `text` in the query. */
    const place = (line: number, text: string) => [line, lines[line - 1]!.indexOf(text) + 1];
    const found = await checkSql(lines.join("\n"));
    expect(found.map((p) => [p.line, p.column])).toEqual([
      place(1, "'2024-08-01'"),
      place(3, "'2024-08-01'"),
      place(3, "'2024-08-02'"),
      place(4, "'2'"),
      place(5, "eventtime"),
      place(6, "'7'"),
      place(6, "'true'"),
      place(7, "date_add"),
    ]);
    expect(found.every((p) => p.rule === "sql-athena" && p.severity === "error")).toBe(true);
    expect(found.map((p) => p.message.replace(/: Athena .*; write/, ": ... write"))).toEqual([
      "date(from_iso8601_timestamp(eventtime)) is a date and '2024-08-01' is a varchar: ... write DATE '2024-08-01'",
      "from_iso8601_timestamp(eventtime) is a timestamp with time zone and '2024-08-01' is a varchar: ... write TIMESTAMP '2024-08-01', or from_iso8601_timestamp('2024-08-01T00:00:00Z')",
      "from_iso8601_timestamp(eventtime) is a timestamp with time zone and '2024-08-02' is a varchar: ... write TIMESTAMP '2024-08-02', or from_iso8601_timestamp('2024-08-02T00:00:00Z')",
      "count(*) is a bigint and '2' is a varchar: ... write the number 2",
      "current_timestamp is a timestamp with time zone and eventtime is a varchar: ... write from_iso8601_timestamp(eventtime)",
      "(length(eventname) + 1) * 2 is a bigint and '7' is a varchar: ... write the number 7",
      "regexp_like(eventname, 'x') is a boolean and 'true' is a varchar: ... write the boolean true",
      "|| of to_iso8601(now()), a varchar, and date_add('day', -1, current_date), a date: ... write to_iso8601(date_add('day', -1, current_date)) in its place",
    ]);
  });

  it("with a parameter bound as text: a declared string or timestamp, or the window's", async () => {
    const sql = `${FROM}${TS} >= {{start}} AND ${TS} < {{ until }} AND eventtime < {{end}}\n  AND json_extract_scalar(requestparameters, '$.n') = {{n}} AND ${TS} > {{other}}`;
    const params = { until: "timestamp", n: "integer" } as const;
    expect(at(typeProblems(await checkSql(sql, { params })))).toEqual([
      [
        1,
        sql.indexOf("{{start}}") + 1,
        "sql-athena",
        `${TS} is a timestamp with time zone and {{start}} is a varchar (a parameter other than a boolean or a number is bound as text): ${NEITHER}; write from_iso8601_timestamp({{start}})`,
      ],
      [
        1,
        sql.indexOf("{{ until }}") + 1,
        "sql-athena",
        `${TS} is a timestamp with time zone and {{until}} is a varchar (a parameter other than a boolean or a number is bound as text): ${NEITHER}; write from_iso8601_timestamp({{until}})`,
      ],
      [
        2,
        sql.split("\n")[1]!.indexOf("{{n}}") + 1,
        "sql-athena",
        `json_extract_scalar(requestparameters, '$.n') is a varchar and {{n}} is an integer: ${NEITHER}; write CAST(json_extract_scalar(requestparameters, '$.n') AS bigint)`,
      ],
    ]);
    // An undeclared parameter ({{other}} here, every one without declarations) has no known type.
    expect(at(typeProblems(await checkSql(sql)))).toHaveLength(1);
    expect(await checkSql(sql, { params: { ...params, until: "string" } })).toHaveLength(3);
  });
});

describe("says nothing where Athena converts or where a type is not known", () => {
  it.each([
    // Typed literals and times of each kind: date, timestamp and timestamp with time zone convert.
    `${FROM}${TS} > TIMESTAMP '2024-08-01 00:00:00' AND ${TS} BETWEEN from_iso8601_timestamp('2024-08-01T00:00:00Z') AND now()`,
    `${FROM}date(${TS}) = DATE '2024-08-01' AND ${TS} >= current_date AND CAST(eventtime AS varchar) = eventtime`,
    `${FROM}${TS} > current_timestamp - INTERVAL '7' DAY AND date_trunc('hour', ${TS}) < localtimestamp`,
    `${FROM}date_parse(year || month || day, '%Y%m%d') > date_add('day', -30, current_date)`,
    `${FROM}${TS} IN (TIMESTAMP '2024-08-01 00:00:00', from_unixtime(0)) AND from_iso8601_date('2024-08-01') < ${TS}`,
    // Numbers convert among themselves; text compared with text.
    `${FROM}count(*) > 1.5 AND length(eventname) + 0.5 < 1e3 AND CAST(json_extract_scalar(requestparameters, '$.n') AS bigint) = 900`,
    `${FROM}eventtime >= {{start}} AND eventtime < {{end}} AND "timestamp" >= {{start_date}} AND substr(eventtime, 1, 10) = '2024-08-01'`,
    `${FROM}json_extract_scalar(requestparameters, '$.durationSeconds') = '900' AND lower(eventname) = upper(eventsource)`,
    `${FROM}${TS} >= from_iso8601_timestamp({{start}}) AND to_iso8601(${TS}) > {{start}}`,
    "SELECT concat(eventname, '-', eventsource) AS a, eventname || CAST(1 AS varchar) AS b, concat(array_agg(eventname), ARRAY['x']) AS c, array_agg(eventname) || 'x' AS d FROM cloudtrail_logs GROUP BY eventname, eventsource",
    // Names the query defines and values of unknown type: no judgement.
    `WITH t AS (SELECT ${TS} AS eventtime, count(*) AS n FROM cloudtrail_logs GROUP BY 1) SELECT * FROM t WHERE eventtime > TIMESTAMP '2024-08-01 00:00:00' AND n > 5`,
    `SELECT e.eventtime FROM cloudtrail_logs e WHERE e.eventtime = coalesce(NULL, '2024') AND e.eventname = CASE WHEN true THEN 1 END`,
    `${FROM}${TS} > {{since}} AND json_extract(requestparameters, '$.a') = 1 AND max(eventtime) > '2024'`,
  ])("%s", async (sql) => {
    expect(await checkSql(sql)).toEqual([]);
  });
});

describe("the project's real queries check clean", () => {
  it("every step of every runbook under runbooks/", async () => {
    const dir = path.join(root, "runbooks");
    const files = readdirSync(dir).filter((f) => f.endsWith(".md"));
    expect(files.length).toBeGreaterThan(5);
    let steps = 0;
    for (const f of files) {
      const parsed = parseRunbook(readFileSync(path.join(dir, f), "utf8"), f);
      const params = parsed.runbook?.meta.params ?? {};
      for (const step of parsed.steps) {
        if (step.dialect !== "sql" || step.attributes.sqlDialect === "duckdb") continue;
        steps++;
        expect(await checkSql(step.query, { params }), `${f} ${step.id}`).toEqual([]);
      }
    }
    expect(steps).toBeGreaterThan(10);
  });

  it.skipIf(!existsSync(TSV))(
    "every published Athena query (../shared/reference/queries)",
    async () => {
      const [header, ...rows] = readFileSync(TSV, "utf8").split("\n").filter(Boolean);
      const cols = header!.split("\t");
      const unescapeTsv = (s: string) =>
        s.replace(/\\([\\ntr])/g, (_, c: string) =>
          c === "n" ? "\n" : c === "t" ? "\t" : c === "r" ? "\r" : "\\",
        );
      let queries = 0;
      for (const row of rows) {
        const f = row.split("\t");
        const get = (n: string) => f[cols.indexOf(n)] ?? "";
        if (get("kind") !== "athena") continue;
        queries++;
        const found = await checkSql(unescapeTsv(get("query")), {
          tables: { aliases: ["cloudtrail", "cloudtrail_logs_pp"], extra: [] },
        });
        expect(typeProblems(found), `${get("source_file")}:${get("line")}`).toEqual([]);
      }
      expect(queries).toBeGreaterThan(100);
    },
  );
});

describe("a number parameter as a whole ORDER BY or GROUP BY item (review)", () => {
  const params = { col: "integer", name: "string" } as const;
  it.each([
    [
      "SELECT eventname, count(*) AS c FROM cloudtrail_logs GROUP BY 1 ORDER BY {{col}} DESC",
      "ORDER BY",
    ],
    ["SELECT eventname FROM cloudtrail_logs GROUP BY {{col}}", "GROUP BY"],
    ["SELECT eventname FROM cloudtrail_logs GROUP BY ROLLUP ({{ col }})", "GROUP BY"],
  ])("is refused: %s", async (sql, clause) => {
    const at = sql.search(/\{\{ ?col ?\}\}/);
    expect((await checkSql(sql, { params })).map((p) => [p.column, p.rule, p.message])).toEqual([
      [
        at + 1,
        "sql-athena",
        `{{col}} as a whole ${clause} item is a column's position on Athena (2 is the second column) and a value on the local engine, so the engines would answer differently: write the column, or its position, in the query`,
      ],
    ]);
  });

  it.each([
    "SELECT eventname FROM cloudtrail_logs ORDER BY {{col}} + length(eventname)",
    "SELECT eventname FROM cloudtrail_logs ORDER BY {{name}}",
    "SELECT eventname FROM cloudtrail_logs ORDER BY 1 LIMIT {{col}}",
    "SELECT eventname FROM cloudtrail_logs GROUP BY 1 ORDER BY 1",
    "SELECT eventname, row_number() OVER (ORDER BY {{col}}) AS n FROM cloudtrail_logs",
    "SELECT array_agg(eventname ORDER BY {{col}}) AS a FROM cloudtrail_logs",
  ])(
    "is not a part of an item, a text, a literal written, or a window's or aggregate's order: %s",
    async (sql) => {
      expect(await checkSql(sql, { params })).toEqual([]);
    },
  );
});
