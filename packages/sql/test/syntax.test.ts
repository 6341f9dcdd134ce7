import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkSql } from "../src/index.ts";

const INDEX = fileURLToPath(new URL("../src/index.ts", import.meta.url));

describe("FROM inside a call is an operand separator, not a FROM clause", () => {
  it.each([
    "SELECT EXTRACT(hour FROM max(from_iso8601_timestamp(eventtime))) AS h FROM cloudtrail_logs",
    "SELECT substring(eventname FROM length(eventsource)) AS s FROM cloudtrail_logs",
    "SELECT trim(BOTH FROM lower(eventname)) AS t FROM cloudtrail_logs",
  ])("accepts %s", async (sql) => {
    expect(await checkSql(sql)).toEqual([]);
  });

  it("still refuses a table function in a FROM clause, also inside a subquery of such a call", async () => {
    const [problem] = await checkSql("SELECT * FROM read_csv('/etc/passwd')");
    expect(problem).toMatchObject({ rule: "sql-table", line: 1, column: 15 });
    const nested = await checkSql(
      "SELECT EXTRACT(hour FROM (SELECT max(t) FROM read_csv('x'))) AS h FROM cloudtrail_logs",
    );
    expect(nested.map((p) => p.rule)).toContain("sql-table");
  });
});

/*
 * Trino's grammar (SqlBase.g4): `comparisonOperator comparisonQuantifier '(' query ')'` and
 * `LATERAL '(' query ')'`. dt-sql-parser read ALL and LATERAL as names and the subquery as a
 * second statement ("nothing else").
 */
describe("quantified comparisons and LATERAL are one statement, as in Trino's grammar", () => {
  it.each([
    "SELECT eventname FROM cloudtrail_logs WHERE eventname <> ALL (SELECT eventname FROM cloudtrail_logs WHERE errorcode IS NOT NULL)",
    "SELECT eventname FROM cloudtrail_logs WHERE eventtime > ANY (SELECT eventtime FROM cloudtrail_logs)",
    "SELECT eventname FROM cloudtrail_logs WHERE eventtime >= SOME ((SELECT eventtime FROM cloudtrail_logs))",
    "SELECT x FROM (VALUES 1, 2) t(x) WHERE x = ANY (VALUES 1)",
    "SELECT eventname, n FROM cloudtrail_logs c, LATERAL (SELECT length(c.eventname) AS n)",
  ])("accepts %s", async (sql) => {
    expect(await checkSql(sql)).toEqual([]);
  });

  it("still checks the names inside, and refuses = ANY of an array, as Trino does", async () => {
    const [typo] = await checkSql(
      "SELECT eventname FROM cloudtrail_logs WHERE eventname <> ALL (SELECT eventnme FROM cloudtrail_logs)",
    );
    expect(typo).toMatchObject({ rule: "sql-column", line: 1, column: 70 });
    const array = await checkSql("SELECT x FROM (VALUES 1) t(x) WHERE x = ANY (ARRAY[1, 2])");
    expect(array.length).toBeGreaterThan(0);
  });
});

describe("NATURAL JOIN is refused, as Trino's analyzer refuses it", () => {
  // TestAnalyzer.testNaturalJoinNotSupported: NOT_SUPPORTED. DuckDB joined on the shared names.
  it.each([
    ["SELECT x FROM (VALUES 1, 2) t(x) NATURAL JOIN (VALUES 1) s(x)", 34],
    ["SELECT eventname FROM cloudtrail_logs a NATURAL LEFT JOIN cloudtrail_logs b", 41],
  ])("%s", async (sql, column) => {
    const problems = await checkSql(sql);
    expect(problems.map((p) => [p.rule, p.column])).toEqual([["sql-athena", column]]);
    expect(problems[0]?.message).toContain("USING (column)");
  });

  it("a join with USING or ON is not NATURAL", async () => {
    expect(
      await checkSql("SELECT x FROM (VALUES 1, 2) t(x) JOIN (VALUES 1) s(x) USING (x)"),
    ).toEqual([]);
  });
});

describe("DISTINCT in a window function is refused, as Trino refuses it", () => {
  // StatementAnalyzer: "DISTINCT in window function parameters not yet supported"
  // (trinodb/trino#7885); DuckDB counted, so the step answered locally only.
  it("count(DISTINCT x) OVER (...), with what to write instead", async () => {
    const sql =
      "SELECT count(DISTINCT sourceipaddress) OVER (PARTITION BY useridentity.arn) AS ips FROM cloudtrail_logs";
    const problems = await checkSql(sql);
    expect(problems.map((p) => [p.rule, p.column])).toEqual([["sql-athena", 14]]);
    expect(problems[0]?.message).toContain("array_distinct(filter(array_agg(x) OVER (...)");
  });

  it("accepts DISTINCT in a plain aggregate and the suggested form", async () => {
    for (const sql of [
      "SELECT count(DISTINCT sourceipaddress) AS ips FROM cloudtrail_logs",
      "SELECT cardinality(array_distinct(filter(array_agg(sourceipaddress) OVER (PARTITION BY useridentity.arn), v -> v IS NOT NULL))) AS ips FROM cloudtrail_logs",
    ])
      expect(await checkSql(sql), sql).toEqual([]);
  });
});

describe("parameters are checked as the literals of their declared types", () => {
  const sql = "SELECT count(*) AS n FROM cloudtrail_logs WHERE readonly = {{__proto__}}";

  it("whatever the parameter's name, and with the declarations in the cache key", async () => {
    expect(await checkSql(sql)).toEqual([]);
    const params = JSON.parse('{"__proto__": "boolean"}') as Record<string, "boolean">;
    expect((await checkSql(sql, { params })).map((p) => [p.rule, p.column])).toEqual([
      ["sql-athena", 60],
    ]);
    expect(await checkSql(sql, { params: { other: "boolean" } })).toEqual([]);
  });
});

describe("a query deeper than the grammar's recursion", () => {
  const ors = (n: number) =>
    ` WHERE ${Array.from({ length: n }, (_, i) => `eventname = 'e${i}'`).join(" OR ")}`;

  it.each([
    // Refused before the parse: the check's recursion overflowed one process's stack at 6,000,
    // and another's not (a runbook must not pass check on one machine only).
    ["4,001 ORed conditions", ors(4002)],
    ["6,000 ORed conditions", ors(6000)],
    // The most under Athena's 262,144 bytes (past them the size is refused first: query-size.test.ts).
    ["10,000 ORed conditions", ors(10_000)],
    ["2,000 nested parentheses", ` WHERE ${"(".repeat(2000)}eventname = 'a'${")".repeat(2000)}`],
  ])("%s is one problem at its start, not a crash", async (_name, where) => {
    const problems = await checkSql(`SELECT 1 AS x FROM cloudtrail_logs${where}`);
    expect(problems).toEqual([
      expect.objectContaining({
        line: 1,
        column: 1,
        severity: "error",
        rule: "sql-syntax",
      }),
    ]);
    expect(problems[0]!.message).toContain("too large to be checked");
  });

  // Brackets and CASE expressions nest the grammar's recursion as parentheses do, and were not
  // counted: 600 nested CASEs took the check 12 s and 3,000 nested ARRAY[...] 120 s, the
  // process's event loop blocked all along (a step's timeout, the server's other requests).
  it.each([
    ["600 nested CASE expressions", `${"CASE WHEN true THEN ".repeat(600)}1${" END".repeat(600)}`],
    ["600 nested ARRAY[...]", `${"ARRAY[".repeat(600)}1${"]".repeat(600)}`],
    [
      "300 nested CASE and ARRAY[...] by turns",
      `${"ARRAY[CASE WHEN true THEN ".repeat(150)}1${" END]".repeat(150)}`,
    ],
  ])("%s is refused before the parse", async (_name, item) => {
    const t0 = performance.now();
    const problems = await checkSql(`SELECT ${item} AS x FROM cloudtrail_logs`);
    expect(problems).toEqual([
      expect.objectContaining({
        line: 1,
        column: 1,
        severity: "error",
        rule: "sql-syntax",
      }),
    ]);
    expect(problems[0]!.message).toContain("too large to be checked");
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it("a line comment ended by a carriage return hides no nesting", async () => {
    const item = `${"CASE WHEN true THEN ".repeat(600)}1${" END".repeat(600)}`;
    const t0 = performance.now();
    const problems = await checkSql(`SELECT -- a comment\r${item} AS x FROM cloudtrail_logs`);
    expect(problems[0]?.message).toContain("too large to be checked");
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it("CASE expressions and brackets nested as queries write them are checked as usual", async () => {
    const item = `${"ARRAY[CASE WHEN eventname = 'a' THEN ".repeat(20)}1${" END]".repeat(20)}`;
    expect(await checkSql(`SELECT ${item} AS x, "end" FROM cloudtrail_logs`)).toEqual([
      expect.objectContaining({ message: expect.stringContaining('"end"') }),
    ]);
    expect(await checkSql(`SELECT ${item} AS x FROM cloudtrail_logs`)).toEqual([]);
  });

  it("4,000 conditions are checked as usual", async () => {
    expect(await checkSql(`SELECT 1 AS x FROM cloudtrail_logs${ors(4001)}`)).toEqual([]);
  });

  it("4,000 conditions are checked as usual with 40% of Node's default stack", () => {
    // The check's walks keep stacks of their own: with the call stack, this test failed on one
    // machine and passed on CI (the same commit), and such a process fails at 2,000 conditions.
    const script = `import { checkSql } from ${JSON.stringify(INDEX)};
      const ors = Array.from({ length: 4001 }, (_, i) => "eventname = 'e" + i + "'").join(" OR ");
      console.log(JSON.stringify(await checkSql("SELECT 1 AS x FROM cloudtrail_logs WHERE " + ors)));`;
    const run = spawnSync(
      process.execPath,
      ["--stack-size=400", "--import", "tsx", "--input-type=module", "-e", script],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual([]);
  });

  it("a long list that the grammar can follow is checked as usual", async () => {
    const list = Array.from({ length: 2000 }, (_, i) => `'e${i}'`).join(", ");
    expect(
      await checkSql(`SELECT 1 AS x FROM cloudtrail_logs WHERE eventname IN (${list})`),
    ).toEqual([]);
  });
});

describe("ORDER BY may name the column a select item's field gives", () => {
  // Trino names the output column of `useridentity.arn` after its last field (`arn`), and ORDER
  // BY reads output column names first (the Trino docs' SELECT page: ORDER BY expressions may
  // refer to output columns). check refused "unknown column arn".
  it.each([
    "SELECT useridentity.arn FROM cloudtrail_logs ORDER BY arn",
    'SELECT useridentity."sessionContext".attributes.mfaauthenticated FROM cloudtrail_logs ORDER BY MFAAuthenticated DESC',
  ])("accepts %s", async (sql) => {
    expect(await checkSql(sql)).toEqual([]);
  });

  it("still reports a name no select item gives", async () => {
    const [typo] = await checkSql("SELECT useridentity.arn FROM cloudtrail_logs ORDER BY arnn");
    expect(typo).toMatchObject({ rule: "sql-column", line: 1, column: 55 });
  });
});

/*
 * A parameter reference is masked before Trino's grammar reads the query (a `?`, or a literal of
 * its declared type): a syntax error at one said `syntax error at "?"`, a character the author
 * never wrote (review).
 */
describe("a syntax error at a parameter names the parameter as written", () => {
  it.each([
    ["SELECT count(*) AS n FROM cloudtrail_logs WHERE eventname = {{p}}{{p}}", {}, 1, 66, "{{p}}"],
    ["SELECT {{ p }} {{ p }} FROM cloudtrail_logs", {}, 1, 16, "{{ p }}"],
    [
      "SELECT count(*) AS n FROM cloudtrail_logs LIMIT {{n}} {{n}}",
      { n: { type: "integer" as const } },
      1,
      55,
      "{{n}}",
    ],
    [
      "SELECT count(*) AS n FROM cloudtrail_logs\nWHERE 'é' = '😀' AND eventname = {{p}} {{start}}",
      {},
      2,
      39,
      "{{start}}",
    ],
  ])("%s", async (sql, params, line, column, ref) => {
    expect(await checkSql(sql, { params })).toEqual([
      {
        line,
        column,
        severity: "error",
        rule: "sql-syntax",
        message: `syntax error at ${ref}: a parameter stands for one value, and a value is not valid at this position`,
        syntax: true,
      },
    ]);
  });
});
