/**
 * Trino (Athena engine v3) semantics on the local engine, traps included: each case is what Athena
 * returns for the expression (values as the engine hands them over: timestamps as Athena prints
 * them, integers as numbers).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalEngine, type LocalEngine } from "../src/index.ts";
import { tempDir } from "./helpers.ts";

let root: string;
let engine: LocalEngine;

beforeAll(async () => {
  root = await tempDir();
  await generateLogs({
    outDir: path.join(root, "logs"),
    start: new Date("2024-03-01T00:00:00Z"),
    end: new Date("2024-03-01T06:00:00Z"),
    eventsPerDay: 2000,
    seed: "trino",
  });
  engine = await createLocalEngine({ logDir: path.join(root, "logs"), threads: 2 });
});
afterAll(async () => {
  await engine?.close();
  await fsp.rm(root, { recursive: true, force: true });
});

async function one(expr: string) {
  const r = await engine.runAthenaSql(`SELECT ${expr}`, []);
  return { value: r.rows[0]?.[0], type: r.columns[0]?.type, name: r.columns[0]?.name };
}

const cases: [string, unknown, string?][] = [
  // JSON
  [`json_extract_scalar('{"a":{"b":"x"}}', '$.a.b')`, "x", "varchar"],
  [`json_extract_scalar('{"a":{"b":"x"}}', '$.a')`, null], // non-scalar: NULL in Trino
  [`json_extract_scalar('{"a":[1,2]}', '$.a[1]')`, "2"],
  [`json_extract_scalar('{"a.b":"dotted"}', '$["a.b"]')`, "dotted"],
  [`json_extract_scalar('{"a":null}', '$.a')`, null],
  [`json_extract_scalar('{"a":1}', '$.missing')`, null],
  [`json_extract_scalar('{"n":true}', '$.n')`, "true"],
  [`json_format(json_extract('{"a":{"b":1}}', '$.a'))`, '{"b":1}'],
  [`json_array_length(json_parse('[1,2,3]'))`, 3],
  [`json_size('{"a":{"b":1,"c":2}}', '$.a')`, 2],
  [`CAST(json_parse('["a","b"]') AS ARRAY(VARCHAR))`, ["a", "b"], "array(varchar)"],
  // Time
  [
    `from_iso8601_timestamp('2024-03-01T12:00:00Z')`,
    "2024-03-01 12:00:00.000 UTC",
    "timestamp with time zone",
  ],
  // Another offset is refused (Trino keeps +02:00, the local engine only UTC): trino-fidelity.test.ts.
  [`from_iso8601_timestamp('2024-03-01T12:00:00.123+00:00')`, "2024-03-01 12:00:00.123 UTC"],
  [
    `date_parse('2024-03-01 12:34:56', '%Y-%m-%d %H:%i:%s')`,
    "2024-03-01 12:34:56.000",
    "timestamp",
  ],
  [`date_parse('01/03/2024', '%d/%m/%Y')`, "2024-03-01 00:00:00.000"],
  // Trino docs: parse_datetime(string, format) → timestamp with time zone (the session zone, UTC).
  [`parse_datetime('2024-03-01T12:34', 'yyyy-MM-dd''T''HH:mm')`, "2024-03-01 12:34:00.000 UTC"],
  [`date_format(TIMESTAMP '2024-03-01 12:34:56', '%Y-%m-%d %H:%i:%s')`, "2024-03-01 12:34:56"],
  [`format_datetime(TIMESTAMP '2024-03-01 12:34:56', 'yyyy/MM/dd HH:mm')`, "2024/03/01 12:34"],
  [`date_add('hour', 2, TIMESTAMP '2024-03-01 23:00:00')`, "2024-03-02 01:00:00.000"],
  [`date_add('day', -1, TIMESTAMP '2024-03-01 00:00:00')`, "2024-02-29 00:00:00.000"],
  [
    `date_add('minute', 90, from_iso8601_timestamp('2024-03-01T00:00:00Z'))`,
    "2024-03-01 01:30:00.000 UTC",
  ],
  // The trap: Trino counts complete units, DuckDB's date_diff counts boundaries.
  [
    `date_diff('day', TIMESTAMP '2024-03-01 23:00:00', TIMESTAMP '2024-03-02 01:00:00')`,
    0,
    "bigint",
  ],
  [`date_diff('hour', TIMESTAMP '2024-03-01 23:00:00', TIMESTAMP '2024-03-02 01:00:00')`, 2],
  [`date_diff('day', TIMESTAMP '2024-03-01 00:00:00', TIMESTAMP '2024-03-03 00:00:00')`, 2],
  [
    `date_diff('minute', from_iso8601_timestamp('2024-03-01T00:00:59Z'), from_iso8601_timestamp('2024-03-01T00:01:58Z'))`,
    0,
  ],
  [`from_unixtime(86400)`, "1970-01-02 00:00:00.000 UTC"],
  [`to_unixtime(from_iso8601_timestamp('1970-01-02T00:00:00Z'))`, 86400],
  [`day_of_week(DATE '2024-03-03')`, 7], // Sunday is 7 in Trino
  [`current_timestamp - INTERVAL '1' DAY < current_timestamp`, true],
  // Regular expressions
  [`regexp_like('arn:aws:iam::1:user/bob', 'user/')`, true, "boolean"], // a search, not a full match
  [`regexp_extract('abc', 'x')`, null], // the trap: DuckDB returns ''
  [`regexp_extract('user/bob', 'user/(\\w+)', 1)`, "bob"],
  [`regexp_extract('a1b22', '\\d+')`, "1"],
  [`regexp_replace('a-b-c', '-', '+')`, "a+b+c"], // the trap: every match, not the first
  [`regexp_replace('alice@example.com', '(\\w+)@(.*)', '$2:$1')`, "example.com:alice"],
  [`regexp_replace('a1b2', '\\d')`, "ab"],
  [`regexp_count('a1b2c3', '\\d')`, 3],
  // Strings
  [`concat('a', NULL)`, null], // the trap: Trino returns NULL, DuckDB skips NULLs
  [`concat('a', 'b', 'c')`, "abc"],
  [`'a' || NULL`, null],
  [`replace('arn:aws:s3:::bucket', 'arn:aws:s3:::')`, "bucket"],
  [`split_part('a:b:c', ':', 2)`, "b"],
  [`strpos('hello', 'l')`, 3],
  [`url_extract_host('https://console.aws.amazon.com/iam/home')`, "console.aws.amazon.com"],
  [`format('%s-%d %.2f', 'a', 1, 2.5)`, "a-1 2.50"],
  [`from_utf8(to_utf8('héllo'))`, "héllo"],
  [`date('2024-03-01')`, "2024-03-01", "date"],
  [`if(1 > 0, 'a', 'b')`, "a"],
  [`try(CAST('x' AS integer))`, null],
  // Numbers: integer division
  [`5 / 2`, 2, "integer"],
  [`5 / 2.0`, 2.5],
  [`-7 / 2`, -3],
  // Arrays and maps
  [`cardinality(ARRAY[1, 2, 3])`, 3, "bigint"],
  [`element_at(ARRAY['a', 'b'], 2)`, "b"],
  [`element_at(ARRAY['a', 'b'], -1)`, "b"],
  [`element_at(MAP(ARRAY['k'], ARRAY['v']), 'k')`, "v"],
  [`ARRAY[10, 20][1]`, 10],
  [`contains(ARRAY['a', 'b'], 'b')`, true],
  [`array_join(ARRAY['a', 'b'], ',')`, "a,b"],
  [`array_join(ARRAY['a', NULL], ',', 'x')`, "a,x"],
  [`array_distinct(ARRAY[2, 1, 2])`, [2, 1]],
  [`slice(ARRAY[1, 2, 3, 4], 2, 2)`, [2, 3]],
  [`transform(ARRAY[1, 2], x -> x * 2)`, [2, 4]],
  [`filter(ARRAY[1, 2, 3], x -> x > 1)`, [2, 3]],
  [`any_match(ARRAY[1, 2], x -> x > 1)`, true],
  [`all_match(ARRAY[1, 2], x -> x > 1)`, false],
  [`none_match(ARRAY[1, 2], x -> x > 5)`, true],
  [`CAST(ROW(1, 'a') AS ROW(n integer, s varchar))`, { n: 1, s: "a" }, "row(n integer, s varchar)"],
  // Container types in casts, nested, in both of Trino's spellings; an anonymous ROW type's
  // fields are field0, field1, ... as Athena shows them
  [`CAST(json_parse('[{"a": 1}]') AS ARRAY(ROW(a bigint)))`, [{ a: 1 }], "array(row(a bigint))"],
  [
    `CAST(ROW(1.5, 2) AS ROW(double, bigint))`,
    { field0: 1.5, field1: 2 },
    "row(field0 double, field1 bigint)",
  ],
  [
    `TRY_CAST(json_parse('{"k": [1, 2]}') AS MAP<varchar, ARRAY<bigint>>)`,
    { k: [1, 2] },
    "map(varchar, array(bigint))",
  ],
  [
    `CAST(ROW(1, ROW('x', 2)) AS ROW(a bigint, b ROW(varchar, double)))`,
    { a: 1, b: { field0: "x", field1: 2 } },
    "row(a bigint, b row(field0 varchar, field1 double))",
  ],
];

describe("Trino functions on the local engine", () => {
  it.each(cases)("%s is what Athena returns", async (expr, expected, type) => {
    const got = await one(expr);
    expect(got.value).toEqual(expected);
    if (type) expect(got.type).toBe(type);
  });

  it("names unaliased expressions _colN and keeps column names, lower-cased", async () => {
    const r = await engine.runAthenaSql(
      "SELECT count(*), eventName, userIdentity.userName, max(eventtime) AS Latest FROM cloudtrail_logs GROUP BY 2, 3 LIMIT 1",
      [],
    );
    expect(r.columns.map((c) => c.name)).toEqual(["_col0", "eventname", "username", "latest"]);
  });

  it("names a VALUES list's columns _colN as Trino does, unless the query names them", async () => {
    const names = async (sql: string) =>
      (await engine.runAthenaSql(sql, [])).columns.map((c) => c.name);
    expect(await names("SELECT * FROM (VALUES (1, 'a'), (2, 'b'))")).toEqual(["_col0", "_col1"]);
    expect(await names("SELECT t.* FROM (VALUES 1) AS t")).toEqual(["_col0"]);
    expect(await names("VALUES (1, 2, 3)")).toEqual(["_col0", "_col1", "_col2"]);
    expect(await names("SELECT * FROM (VALUES (1, 'a')) AS t(n, s)")).toEqual(["n", "s"]);
  });

  it("numbers columns without a name by their place in the output, after * expands (Trino's LogicalPlanner)", async () => {
    const names = async (sql: string) =>
      (await engine.runAthenaSql(sql, [])).columns.map((c) => c.name);
    expect(await names("SELECT 5, a.* FROM (VALUES (1, 2)) a")).toEqual([
      "_col0",
      "_col1",
      "_col2",
    ]);
    expect(await names("SELECT * FROM (VALUES 1) a, (VALUES 2) b")).toEqual(["_col0", "_col1"]);
    expect(await names("SELECT *, 1 + 1 FROM (VALUES (1, 2)) t(a, b)")).toEqual([
      "a",
      "b",
      "_col2",
    ]);
    expect(await names("SELECT * FROM (SELECT 1 + 1, 'x' AS x)")).toEqual(["_col0", "x"]);
  });

  it("aggregates with approx_distinct, count_if, arbitrary, max_by", async () => {
    const r = await engine.runAthenaSql(
      "SELECT approx_distinct(eventname) >= 5, count_if(readonly = 'true') > 0, arbitrary(awsregion) IS NOT NULL, max_by(eventname, eventtime) IS NOT NULL, count(DISTINCT eventname) = approx_distinct(eventname) FROM cloudtrail_logs",
      [],
    );
    expect(r.rows[0]).toEqual([true, true, true, true, true]);
  });

  it("approx_distinct counts a small set exactly, as Trino's sparse HyperLogLog does", async () => {
    // Trino: exact while sparse (a few thousand values), 2.3% standard error above. DuckDB's own
    // approx_count_distinct said 11 for 10 values and 30 for 36.
    const r = await engine.runAthenaSql(
      "SELECT approx_distinct(x) FILTER (WHERE x <= 10), approx_distinct(x) FILTER (WHERE x <= 36), approx_distinct(x, 0.01), approx_distinct(CAST(NULL AS varchar)) FROM UNNEST(sequence(1, 1000)) AS t(x)",
      [],
    );
    expect(r.rows[0]).toEqual([10, 36, 1000, 0]);
  });

  it("json_array_length is NULL for JSON that is not an array, or not JSON (Trino's JsonFunctions)", async () => {
    // Trino: jsonArrayLength returns null unless the first token starts an array, and on a
    // parse error; DuckDB's json_array_length said 0 (and failed on text that is not JSON).
    const r = await engine.runAthenaSql(
      `SELECT json_array_length('{"a": 1}'), json_array_length('"abc"'), json_array_length('5'), json_array_length('not json'), json_array_length('[1, "foo", null]'), json_array_length(JSON '[]')`,
      [],
    );
    expect(r.rows[0]).toEqual([null, null, null, null, 3, 0]);
  });

  it("CAST(varchar AS JSON) is a JSON string, not the text parsed (Trino's TestJsonOperators)", async () => {
    // Trino: cast('abc' AS JSON) is "abc"; json_parse parses. So a path finds nothing in it.
    const r = await engine.runAthenaSql(
      `SELECT json_format(CAST(s AS JSON)), json_extract_scalar(CAST(s AS JSON), '$.a'), json_extract_scalar(json_parse(s), '$.a') FROM (VALUES ('{"a":1}')) AS t(s)`,
      [],
    );
    expect(r.rows[0]).toEqual(['"{\\"a\\":1}"', null, "1"]);
  });

  it("expands the fields of an UNNESTed array of rows into columns, as Trino does", async () => {
    const expanded = await engine.runAthenaSql(
      "SELECT r.type, count(*) AS n FROM cloudtrail_logs CROSS JOIN UNNEST(resources) AS r(arn, accountid, type) GROUP BY 1 ORDER BY 1",
      [],
    );
    const single = await engine.runAthenaSql(
      "SELECT u.res.type, count(*) AS n FROM cloudtrail_logs CROSS JOIN UNNEST(resources) AS u(res) GROUP BY 1 ORDER BY 1",
      [],
    );
    expect(expanded.rows.length).toBeGreaterThan(0);
    expect(expanded.rows).toEqual(single.rows);
    expect(expanded.columns.map((c) => c.name)).toEqual(["type", "n"]);
  });

  it("UNNEST(resources) with another count of names than 1 or its 3 fields is refused, as Trino refuses it", async () => {
    // Trino: "Column alias list has 2 entries but 'r' has 3 columns available"; DuckDB named the
    // first two fields (arn, accountid) and answered.
    for (const [list, given, available] of [
      ["r(a, b)", 2, 3],
      ["r(a, b, c, d)", 4, 3],
      ["r(a, b, c)", 3, 4],
    ] as const) {
      const ordinality = available === 4 ? " WITH ORDINALITY" : "";
      await expect(
        engine.runAthenaSql(
          `SELECT count(*) FROM cloudtrail_logs CROSS JOIN UNNEST(resources)${ordinality} AS ${list}`,
          [],
        ),
      ).rejects.toThrow(
        `Column alias list has ${given} entries but 'r' has ${available} columns available`,
      );
    }
  });

  it("UNNEST(resources) without a column list has the rows' fields as columns; other values are _colN", async () => {
    const named = await engine.runAthenaSql(
      "SELECT r.type, count(arn) AS n FROM cloudtrail_logs CROSS JOIN UNNEST(resources) AS r GROUP BY 1 ORDER BY 1",
      [],
    );
    const listed = await engine.runAthenaSql(
      "SELECT r.type, count(arn) AS n FROM cloudtrail_logs CROSS JOIN UNNEST(resources) AS r(arn, accountid, type) GROUP BY 1 ORDER BY 1",
      [],
    );
    expect(named.rows.length).toBeGreaterThan(0);
    expect(named.rows).toEqual(listed.rows);
    const names = async (sql: string) =>
      (await engine.runAthenaSql(sql, [])).columns.map((c) => c.name);
    expect(await names("SELECT * FROM UNNEST(ARRAY[1, 2]) WITH ORDINALITY")).toEqual([
      "_col0",
      "_col1",
    ]);
    expect(await names("SELECT * FROM (VALUES 1) t CROSS JOIN UNNEST(ARRAY[5])")).toEqual([
      "_col0",
      "_col1",
    ]);
  });

  it("UNNEST(resources) WITH ORDINALITY numbers each event's resources, as the records list them", async () => {
    // Records written here, so the truth is their own lists (the generator gives one resource).
    const dir = await tempDir();
    const day = path.join(dir, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01");
    await fsp.mkdir(day, { recursive: true });
    const resource = (arn: string) => ({ ARN: arn, accountId: "111122223333", type: "T" });
    const records = [
      ["e1", ["arn:a", "arn:b", "arn:c"]],
      ["e2", ["arn:d"]],
      ["e3", []],
    ].map(([id, arns], i) => ({
      eventVersion: "1.08",
      eventTime: `2024-03-01T0${i}:00:00Z`,
      eventSource: "s3.amazonaws.com",
      eventName: "GetObject",
      awsRegion: "us-east-1",
      eventID: id,
      resources: (arns as string[]).map(resource),
    }));
    await fsp.writeFile(
      path.join(day, "a.json.gz"),
      zlib.gzipSync(JSON.stringify({ Records: records })),
    );
    const own = await createLocalEngine({ logDir: dir, threads: 1 });
    try {
      const listed = await own.runAthenaSql(
        "SELECT eventid, a, n FROM cloudtrail_logs t CROSS JOIN UNNEST(t.resources) WITH ORDINALITY AS r(a, b, c, n) ORDER BY 1, 3",
        [],
      );
      expect(listed.rows).toEqual([
        ["e1", "arn:a", 1],
        ["e1", "arn:b", 2],
        ["e1", "arn:c", 3],
        ["e2", "arn:d", 1],
      ]);
      // Without a column list: the fields by name, the ordinal without one.
      const named = await own.runAthenaSql(
        "SELECT r.* FROM cloudtrail_logs t CROSS JOIN UNNEST(t.resources) WITH ORDINALITY AS r WHERE eventid = 'e2'",
        [],
      );
      expect(named.columns.map((c) => c.name)).toEqual(["arn", "accountid", "type", "_col3"]);
      expect(named.rows).toEqual([["arn:d", "111122223333", "T", 1]]);
      // The runbook idioms: resources passed on by a CTE, and "does any resource match" (EXISTS),
      // each answer read off the records above.
      const cte = await own.runAthenaSql(
        "WITH ev AS (SELECT eventid, resources FROM cloudtrail_logs) SELECT eventid, r.arn FROM ev CROSS JOIN UNNEST(resources) AS r ORDER BY 2",
        [],
      );
      expect(cte.rows).toEqual([
        ["e1", "arn:a"],
        ["e1", "arn:b"],
        ["e1", "arn:c"],
        ["e2", "arn:d"],
      ]);
      const exists = await own.runAthenaSql(
        "SELECT eventid FROM cloudtrail_logs WHERE EXISTS (SELECT 1 FROM UNNEST(resources) r WHERE r.arn IN ('arn:b', 'arn:d')) ORDER BY 1",
        [],
      );
      expect(exists.rows).toEqual([["e1"], ["e2"]]);
      const counted = await own.runAthenaSql(
        "SELECT eventid, (SELECT count(*) FROM UNNEST(resources) AS r WHERE r.type = 'T') FROM cloudtrail_logs ORDER BY 1",
        [],
      );
      expect(counted.rows).toEqual([
        ["e1", 3],
        ["e2", 1],
        ["e3", 0],
      ]);
    } finally {
      await own.close();
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it("another array named resources is refused without a column list, and answers with one", async () => {
    // UNNEST(resources) AS r is read by the name (a CTE or a subquery passes the table's column
    // on); an array of another shape fails loudly and says what to write.
    await expect(
      engine.runAthenaSql(
        "WITH c AS (SELECT ARRAY[10, 20] AS resources) SELECT * FROM c CROSS JOIN UNNEST(resources) AS r",
        [],
      ),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/read as the CloudTrail table's/),
      hint: expect.stringMatching(/name its columns: UNNEST\(resources\) AS r\(x\)/),
    });
    const r = await engine.runAthenaSql(
      "WITH c AS (SELECT ARRAY[10, 20] AS resources) SELECT x FROM c CROSS JOIN UNNEST(resources) AS r(x) ORDER BY x",
      [],
    );
    expect(r.rows).toEqual([[10], [20]]);
  });

  it("unnests a row's fields one level deep (a row inside the row stays whole)", async () => {
    // recursive := true expanded the inner row too, and the ordinal's name fell on its field.
    const r = await engine.runAthenaSql(
      "SELECT a, b.x, n FROM UNNEST(ARRAY[CAST(ROW(1, ROW(5, 6)) AS ROW(a integer, b ROW(x integer, y integer)))]) WITH ORDINALITY AS t(a, b, n)",
      [],
    );
    expect(r.rows).toEqual([[1, 5, 1]]);
  });

  it("numbers zipped arrays WITH ORDINALITY to the longest's length (DuckDB refused two arrays)", async () => {
    const r = await engine.runAthenaSql(
      "SELECT * FROM UNNEST(ARRAY[1, 2, 3], ARRAY['a']) WITH ORDINALITY AS u(x, y, n) ORDER BY n",
      [],
    );
    expect(r.rows).toEqual([
      [1, "a", 1],
      [2, null, 2],
      [3, null, 3],
    ]);
  });

  it("UNNEST of a map gives its keys and values (Trino's two columns; DuckDB unnests no map)", async () => {
    const rows = async (sql: string) => (await engine.runAthenaSql(sql, [])).rows;
    expect(
      await rows(
        "SELECT k, v FROM UNNEST(MAP(ARRAY['a', 'b'], ARRAY[1, 2])) AS t(k, v) ORDER BY k",
      ),
    ).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
    // The payload pattern: a JSON object's keys, as a map.
    expect(
      await rows(
        `SELECT k, CAST(v AS varchar) FROM UNNEST(CAST(json_parse('{"x": 1, "y": [2]}') AS map(varchar, json))) AS t(k, v) ORDER BY k`,
      ),
    ).toEqual([
      ["x", "1"],
      ["y", "[2]"],
    ]);
    expect(
      await rows(
        "SELECT * FROM UNNEST(split_to_map('a=1,b=2', ',', '='), ARRAY[7]) WITH ORDINALITY AS t(k, v, x, n) ORDER BY n",
      ),
    ).toEqual([
      ["a", "1", 7, 1],
      ["b", "2", null, 2],
    ]);
    const names = await engine.runAthenaSql("SELECT * FROM UNNEST(MAP(ARRAY['a'], ARRAY[1]))", []);
    expect(names.columns.map((c) => c.name)).toEqual(["_col0", "_col1"]);
    // A CTE's column whose expression is a map is shown to be one (trino-scope.ts).
    expect(
      await rows(
        "WITH c AS (SELECT MAP(ARRAY['a'], ARRAY[1]) AS m) SELECT k, v FROM c CROSS JOIN UNNEST(m) AS t(k, v)",
      ),
    ).toEqual([["a", 1]]);
    // A VALUES column is shown to be one too.
    expect(
      await rows(
        "SELECT k FROM (VALUES MAP(ARRAY['a'], ARRAY[1])) AS c(m) CROSS JOIN UNNEST(m) AS t(k, v)",
      ),
    ).toEqual([["a"]]);
    // A map the query does not show is one (an UNNEST's column): refused with a way to show it.
    await expect(
      rows(
        "SELECT k FROM UNNEST(ARRAY[MAP(ARRAY['a'], ARRAY[1])]) AS c(m) CROSS JOIN UNNEST(m) AS t(k, v)",
      ),
    ).rejects.toThrow(/UNNEST of a map the query does not show is one .* is not supported locally/);
  });

  it("zips several arrays in one UNNEST", async () => {
    const r = await engine.runAthenaSql(
      "SELECT x, y FROM UNNEST(ARRAY[1, 2], ARRAY['a', 'b']) AS t(x, y) ORDER BY x",
      [],
    );
    expect(r.rows).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
  });

  it("keeps DuckDB's own functions unshadowed for SQL that is not Athena's (the Insights translation)", async () => {
    // The Trino macros are called through the rewrite, never by shadowing: the view's partition
    // pruning and the Insights translator keep DuckDB semantics.
    const r = await engine.runAthenaSql("SELECT system.main.regexp_extract('abc', 'x')", []);
    expect(r.rows[0]?.[0]).toBe("");
  });
});
