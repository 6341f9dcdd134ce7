import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { engineOverEmptyFolder } from "./helpers.ts";

const engine = engineOverEmptyFolder();

async function step(sql: string, sqlDialect?: "duckdb") {
  const day = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2024-01-02T00:00:00Z") };
  return engine().query(
    queryRequest("sql", sql, day, {
      attributes: { optional: false, ...(sqlDialect ? { sqlDialect } : {}) },
    }),
  );
}

async function one(expr: string) {
  const r = await step(`SELECT ${expr}`);
  return { value: r.rows[0]?.[0], type: r.columns[0]?.type };
}

/** The hex of a text's digest, upper case as Trino's to_hex. */
function digest(algorithm: string, text: string): string {
  return createHash(algorithm).update(text, "utf8").digest("hex").toUpperCase();
}

/** Rows of `values` that share one source. */
function sourced(
  rows: readonly (readonly [string, unknown, string])[],
  source: string,
): [string, unknown, string, string][] {
  return rows.map(([expr, value, type]) => [expr, value, type, source]);
}

/** [expression, Trino's value, Trino's type (when pinned), source] */
const values: [string, unknown, string | undefined, string][] = [
  // CAST(json AS varchar) unquotes a JSON string: the detection's LIKE 'stratus%' finds the bucket.
  [
    `CAST(json_extract('{"bucketName":"stratus-red"}', '$.bucketName') AS varchar)`,
    "stratus-red",
    "varchar",
    "docs json: cast to varchar",
  ],
  [
    `CAST(json_extract('{"n":12}', '$.n') AS varchar)`,
    "12",
    "varchar",
    "docs json: cast to varchar",
  ],
  [
    `CAST(json_extract('{"bucketName":"stratus-red"}', '$.bucketName') AS varchar) LIKE 'stratus%'`,
    true,
    "boolean",
    "issue 11",
  ],
  // Decimal literals are DECIMAL: scale max(s1, s2), rounded half up.
  ["1/3.0", 0.3, "decimal(38,1)", "docs decimal: division"],
  ["40 * 100.0 / 130", 30.8, "decimal(38,1)", "issue 11 (30.7586 with doubles)"],
  ["5.0 / 2", 2.5, "decimal(38,1)", "docs decimal"],
  ["5 / 2", 2, "integer", "corpus integer division"],
  // A product of decimals is decimal(p1 + p2, s1 + s2), exact (DuckDB kept two 18-digit ones in 18
  // digits and failed); the products are 12345678901234567 * 123456789012345670 and so on.
  [
    "DECIMAL '-12345678901234567' * DECIMAL '-123456789012345670'",
    "1524157875323883455265967556774890",
    "decimal(35,0)",
    "corpus trino-71fb959111d0",
  ],
  [
    "DECIMAL '99999999999999999.9' * DECIMAL '9999999999.99'",
    "999999999998999999000000000.001",
    "decimal(30,3)",
    "Trino DecimalOperators: multiply is decimal(p1 + p2, s1 + s2)",
  ],
  // A quotient whose dividend, shifted to the result's scale, passes 128 bits: Trino divides it
  // exactly, rounded half up (values by hand: -0.2 / 0.3, 0.99...9 to one decimal, ...5 up).
  [
    "(DECIMAL '-.20000000000000000000000000000000000000') / (DECIMAL '0.30')",
    "-0.66666666666666666666666666666666666667",
    "decimal(38,38)",
    "corpus trino-7a9c998fceb8",
  ],
  [
    "(DECIMAL '9999999999999999999999999999999999999.8') / (DECIMAL '9999999999999999999999999999999999999.9')",
    1,
    "decimal(38,1)",
    "corpus trino-1434a635d64e",
  ],
  [
    "DECIMAL '-0.50000000000000000000000000000000000001' / DECIMAL '2.0'",
    "-0.25000000000000000000000000000000000001",
    "decimal(38,38)",
    "Trino DecimalOperators: divide rounds half up",
  ],
  ["CAST(NULL AS DECIMAL(38,38)) / DECIMAL '0.30'", null, "decimal(38,38)", "Trino: NULL operand"],
  [
    "2000000000 * DECIMAL '12345678901234567'",
    "24691357802469134000000000",
    "decimal(27,0)",
    "Trino: an integer is decimal(10,0) beside a decimal",
  ],
  ["-5 / 2", -2, "integer", "docs math: integer division truncates"],
  // greatest/least are NULL when an argument is.
  ["greatest(1, NULL, 3)", null, undefined, "docs comparison: greatest"],
  ["least(1, NULL)", null, undefined, "docs comparison: least"],
  ["greatest(1, 5, 3)", 5, "integer", "docs comparison: greatest"],
  // substr corners (corpus trino-a55cb47d0804, trino-c54cc5241b20, trino-d82836386f92).
  // CHAR lengths up to Trino's longest (65,536) stay values (the refusals past it: `errors`).
  ["length(cast('a' as char(65536)))", 65536, "bigint", "Trino CharType.MAX_LENGTH"],
  [
    "length(concat(cast('a' as char(65535)), cast('b' as char(1))))",
    65536,
    "bigint",
    "Trino concat(char(x), char(y)): char(x + y)",
  ],
  ["length(cast('a' as char(65534)) || 'bc')", 65536, "bigint", "corpus trino-97c90333eb90"],
  ["substr('Quadratically', 0)", "", "varchar", "corpus trino-a55cb47d0804"],
  ["substr('Quadratically', 0, 4)", "", "varchar", "corpus trino-c54cc5241b20"],
  ["substr('Quadratically', -50)", "", "varchar", "corpus trino-d82836386f92"],
  ["substr('abc', -5)", "", "varchar", "docs string: substr"],
  ["substr('abc', 2, -1)", "", "varchar", "docs string: substr (length <= 0)"],
  ["substr('Quadratically', -5, 4)", "call", "varchar", "corpus substr"],
  ["SUBSTRING('Quadratically' FROM -50)", "", "varchar", "corpus trino-5bcbef33198b"],
  // split_part past the end is NULL.
  ["split_part('abc-@-def-@-ghi', '-@-', 99)", null, undefined, "corpus trino-c8f2ea14b4d1"],
  ["split_part('a,b', ',', 2)", "b", "varchar", "docs string: split_part"],
  // slice with a negative start counts from the end.
  ["slice(ARRAY[1, 2, 3, 4], -3, 3)", [2, 3, 4], "array(integer)", "corpus slice"],
  ["slice(ARRAY[1, 2, 3, 4], -6, 5)", [], "array(integer)", "corpus slice"],
  // regexp_extract of a group that did not take part is NULL.
  ["regexp_extract('ab', '(x)|(b)', 1)", null, undefined, "docs regexp: regexp_extract"],
  [
    "regexp_extract('1a 2b 14m', '(\\d+)([a-z]+)', 2)",
    "a",
    "varchar",
    "docs regexp: regexp_extract",
  ],
  // replace with an empty search string.
  ["replace('abc', '', 'xx')", "xxaxxbxxcxx", "varchar", "corpus trino-24c58c442b10"],
  ["replace('', '', 'xx')", "xx", "varchar", "corpus trino-e3b954e52a9d"],
  // DOUBLE division by zero follows IEEE.
  ["1E0 / 0", "Infinity", "double", "corpus operator /"],
  ["-1E0 / 0E0", "-Infinity", "double", "corpus operator /"],
  ["0E0 / 0E0", "NaN", "double", "corpus operator /"],
  ["try(5 / 0)", null, undefined, "docs conditional: try (the Trino errors above stay catchable)"],
  [
    "(DECIMAL '100.00') / (DECIMAL '-0.30')",
    -333.33,
    "decimal(38,2)",
    "corpus operator / (decimal(7,2) -333.33)",
  ],
  [
    "(DECIMAL '-10') / (DECIMAL '.000000001')",
    -10000000000,
    "decimal(38,9)",
    "corpus operator / (DECIMAL literals keep their scale)",
  ],
  ["abs(-123.0E0)", 123, "double", "corpus trino-ba78b50c3026 (a DOUBLE literal stays DOUBLE)"],
  // JSON.
  ["json_extract_scalar('not json', '$.a')", null, undefined, "docs json: invalid JSON gives NULL"],
  ["json_array_contains('[1, 5]', '5')", false, "boolean", "corpus trino-39eda5aac178"],
  ["json_array_contains('[1, 5]', 5)", true, "boolean", "docs json: json_array_contains"],
  [
    `json_array_contains('[1, "foo", null, "true"]', true)`,
    false,
    "boolean",
    "corpus trino-729a4861a7dc",
  ],
  [
    `CAST(json_array_get('["as", "fgs", "tehgf"]', 1) AS varchar)`,
    "fgs",
    undefined,
    "corpus trino-92b62c5ad5ff",
  ],
  [`json_array_get('["jhfa", null]', 1)`, null, undefined, "corpus trino-e5114836ff75"],
  [
    `CAST(json_array_get('["a", [3, 9], "c"]', -1) AS varchar)`,
    "c",
    undefined,
    "docs json: json_array_get",
  ],
  // Date and time.
  ["format_datetime(TIMESTAMP '2020-01-02 03:04:05.678', 'y')", "2020", "varchar", "docs Joda: y"],
  ["format_datetime(TIMESTAMP '2020-01-02 03:04:05.678', 'E')", "Thu", "varchar", "docs Joda: E"],
  ["format_datetime(TIMESTAMP '2020-02-03 03:04:05.678', 'D')", "34", "varchar", "docs Joda: D"],
  [
    "date_parse('2013-05-17 12:35:10', '%Y-%m-%d %h:%i:%s')",
    "2013-05-17 00:35:10.000",
    "timestamp",
    "corpus trino-44f29ad275b5",
  ],
  [
    "date_parse('1.1', '%s.%f')",
    "1970-01-01 00:00:01.100",
    "timestamp",
    "corpus trino-682536a77372",
  ],
  ["date_trunc('month', DATE '2001-08-22')", "2001-08-01", "date", "corpus trino-6f23ab93162e"],
  ["date_add('day', 3, DATE '2001-08-22')", "2001-08-25", "date", "corpus trino-6233665973b6"],
  [
    "date_add('hour', 3, TIMESTAMP '2001-08-22 03:04:05.321')",
    "2001-08-22 06:04:05.321",
    "timestamp",
    "corpus date_add",
  ],
  [
    "to_iso8601(TIMESTAMP '2020-01-02 03:04:05.123')",
    "2020-01-02T03:04:05.123",
    "varchar",
    "docs datetime: to_iso8601",
  ],
  [
    "to_iso8601(from_iso8601_timestamp('2020-01-02T03:04:05.123Z'))",
    "2020-01-02T03:04:05.123Z",
    "varchar",
    "docs datetime: to_iso8601",
  ],
  [
    "parse_datetime('2024-01-02T03:04:05Z', 'yyyy-MM-dd''T''HH:mm:ssZ')",
    "2024-01-02 03:04:05.000 UTC",
    "timestamp with time zone",
    "issue 11 (eventtime)",
  ],
  [
    "EXTRACT(DOW FROM DATE '2024-03-03')",
    7,
    "bigint",
    "docs datetime: day_of_week is ISO, Sunday = 7",
  ],
  ["day_of_week(DATE '2024-03-03')", 7, "bigint", "docs datetime: day_of_week"],
  [
    "DATE '2001-01-22' - INTERVAL '3' DAY",
    "2001-01-19",
    "date",
    "corpus operator - (a DATE stays a DATE)",
  ],
  // strpos with an instance.
  ["strpos('abc/xyz/foo/bar', '/', -2)", 8, "bigint", "corpus strpos"],
  ["strpos('foobarfoo', 'oo', 1)", 2, "bigint", "corpus strpos"],
  ["strpos('highhigh', 'ig', 2)", 6, "bigint", "docs string: strpos"],
  // NaN takes no part in greatest/least/array_max (DuckDB orders it above everything).
  ["greatest(5, 4, 3, NaN())", 5, "double", "corpus trino-7c52d8e7af40"],
  [
    "greatest(ARRAY[5], ARRAY[4], ARRAY[NaN()], ARRAY[3])",
    [5],
    "array(double)",
    "corpus trino-8e839c045865 (greatest)",
  ],
  ["array_max(ARRAY[1.0, NaN(), 3])", 3, "double", "corpus trino-4cdaadf5df95 (array_max)"],
  [
    "array_max(ARRAY[ARRAY[2], ARRAY[NaN()], ARRAY[3]])",
    [3],
    "array(double)",
    "corpus trino-2a07f105d136 (array_max)",
  ],
  ["array_min(ARRAY[NaN(), 2E0])", 2, "double", "docs array: array_min"],
  // NaN and Infinity cast to JSON are JSON strings; a real keeps its short text.
  ["CAST(nan() AS JSON)", '"NaN"', "json", "corpus trino-a7795a25e24d"],
  ["CAST(CAST(-infinity() AS REAL) AS JSON)", '"-Infinity"', "json", "corpus trino-0a8a46291d90"],
  ["CAST(REAL '3.14' AS JSON)", "3.14", "json", "docs json: cast from real"],
  // A cast of varchar to JSON makes a JSON string; the literal JSON '...' (and json_parse) reads it.
  ["CAST('abc' AS JSON)", '"abc"', "json", "docs json: cast from varchar"],
  [`TRY_CAST('[1, 2]' AS JSON)`, '"[1, 2]"', "json", "docs json: cast from varchar"],
  [`json_extract(CAST('{"a":1}' AS JSON), '$.a')`, null, "json", "docs json: cast from varchar"],
  [`json_extract(JSON '{"a":1}', '$.a')`, "1", "json", "docs json: JSON literal"],
  ["json_array_length(CAST('[1, 2]' AS JSON))", null, "bigint", "docs json: cast from varchar"],
  // A REAL prints as Java's Float.toString (Athena's text): 0.1, not the double 0.10000000149011612.
  ["abs(REAL '-754.1985')", 754.1985, "real", "corpus trino-1023fb574f93"],
  ["CAST(0.1 AS REAL)", 0.1, "real", "docs numeric: real"],
  ["ARRAY[REAL '0.7', NULL]", [0.7, null], "array(real)", "docs numeric: real"],
  ["CAST(ROW(REAL '3.3') AS ROW(a REAL))", { a: 3.3 }, "row(a real)", "docs numeric: real"],
  ["MAP(ARRAY['k'], ARRAY[REAL '2.2'])", { k: 2.2 }, "map(varchar, real)", "docs numeric: real"],
  // Array and map corners.
  [
    "array_intersect(ARRAY[8.3E0, 1.6E0, 4.1E0, 5.2E0], ARRAY[4.0E0, 5.2E0, 8.3E0, 9.7E0, 3.5E0])",
    [5.2, 8.3],
    "array(double)",
    "corpus trino-84978c269f6c (array_intersect (order of the longer array))",
  ],
  [
    "map_from_entries(ARRAY[(ARRAY[1, 2], 'x'), (ARRAY[3, 4], 'y')])",
    { "[1, 2]": "x", "[3, 4]": "y" },
    "map(array(integer), varchar)",
    "corpus trino-d93747d87c0f (map_from_entries (array keys))",
  ],
  // A DOUBLE or REAL map key prints as Java prints it (Athena's `{1.0=...}` text), also in arrays.
  [
    "map(ARRAY[1.0E0, 2.0E0], ARRAY[ARRAY[BIGINT '1', BIGINT '2'], ARRAY[BIGINT '3']])",
    { "1.0": [1, 2], "2.0": [3] },
    "map(double, array(bigint))",
    "corpus trino-bb331a3c71e9 (map (double keys))",
  ],
  [
    "map_concat(map(ARRAY[ARRAY[1.0E0], ARRAY[2.0E0]], ARRAY['1', '2']), map(ARRAY[ARRAY[2.0E0]], ARRAY['20']))",
    { "[1.0]": "1", "[2.0]": "20" },
    "map(array(double), varchar)",
    "corpus trino-bda5628f29ab (map_concat (array(double) keys))",
  ],
  [
    "ARRAY[map(ARRAY[1e7, 1e-4], ARRAY[1, 2])]",
    [{ "1.0E7": 1, "1.0E-4": 2 }],
    "array(map(double, integer))",
    "docs numeric: double (Java's Double.toString from 10^7 on)",
  ],
  ["map(ARRAY[REAL '0.1'], ARRAY[1])", { "0.1": 1 }, "map(real, integer)", "docs numeric: real"],
  [
    "contains(ARRAY[ARRAY[1, NULL]], ARRAY[2, 3])",
    false,
    "boolean",
    "docs array: contains (a known mismatch decides)",
  ],
  // Durations: parse_duration as Airlift's Duration reads it, to_milliseconds of an interval.
  ["to_milliseconds(parse_duration('1ns'))", 0, "bigint", "corpus trino-d8c0b0216c20"],
  ["to_milliseconds(parse_duration('1ms'))", 1, "bigint", "corpus trino-28f055e33492"],
  [
    "parse_duration(' 2.5 d ')",
    "2 12:00:00.000",
    "interval day to second",
    "docs datetime: parse_duration",
  ],
  [
    "to_milliseconds(parse_duration('0.0005s'))",
    1,
    "bigint",
    "Airlift Duration.toMillis rounds half up",
  ],
  [
    "to_milliseconds(INTERVAL '2' DAY + INTERVAL '-1.5' SECOND)",
    172798500,
    "bigint",
    "docs datetime: to_milliseconds",
  ],
  // Array and map functions DuckDB lacks (examples of Trino's documentation).
  [
    "zip(ARRAY[1, 2], ARRAY['1b', null, '3b'])",
    [
      { field0: 1, field1: "1b" },
      { field0: 2, field1: null },
      { field0: null, field1: "3b" },
    ],
    "array(row(field0 integer, field1 varchar))",
    "docs array: zip",
  ],
  ["zip(ARRAY[1], NULL)", null, undefined, "docs array: zip (a NULL array)"],
  [
    "zip_with(ARRAY[1, 3, 5], ARRAY['a', 'b', 'c'], (x, y) -> (y, x))",
    [
      { field0: "a", field1: 1 },
      { field0: "b", field1: 3 },
      { field0: "c", field1: 5 },
    ],
    undefined,
    "docs array: zip_with",
  ],
  [
    "zip_with(ARRAY[1, 2], ARRAY[3, 4, 5], (x, y) -> x + y)",
    [4, 6, null],
    "array(integer)",
    "docs array: zip_with (padded with NULL)",
  ],
  [
    "ngrams(ARRAY['foo', 'bar', 'baz', 'foo'], 2)",
    [
      ["foo", "bar"],
      ["bar", "baz"],
      ["baz", "foo"],
    ],
    "array(array(varchar))",
    "docs array: ngrams",
  ],
  [
    "ngrams(ARRAY['foo', 'bar'], 3)",
    [["foo", "bar"]],
    undefined,
    "docs array: ngrams (n over the length)",
  ],
  ["trim_array(ARRAY[1, 2, 3, 4], 2)", [1, 2], "array(integer)", "docs array: trim_array"],
  // An inner lambda's parameter hides the outer one of the same name; a row parameter's field.
  [
    "zip_with(ARRAY[1, 2], ARRAY[3, 4], (x, y) -> transform(ARRAY[10], x -> x + y))",
    [[13], [14]],
    "array(array(integer))",
    "Trino: lambda scoping (the inner x is the array's element)",
  ],
  [
    "zip_with(ARRAY[CAST(ROW(1) AS ROW(a integer))], ARRAY[2], (x, y) -> x.a + y)",
    [3],
    "array(integer)",
    "Trino: a row parameter's field",
  ],
  [
    "transform_values(MAP(ARRAY['a'], ARRAY[CAST(ROW(1, 'z') AS ROW(n integer, s varchar))]), (k, v) -> v.s || k)",
    { a: "za" },
    "map(varchar, varchar)",
    "Trino: a row parameter's field",
  ],
  [
    "map_filter(MAP(ARRAY[1, 7], ARRAY[6, 3]), (k, v) -> any_match(ARRAY[5], k -> k > v))",
    { 7: 3 },
    "map(integer, integer)",
    "Trino: lambda scoping (the inner k is the array's element)",
  ],
  // ngrams by n, computed here: every run of n consecutive elements (the array itself when n is
  // its length or more). n of 2 to 5 zip the array with itself shifted; others slice.
  ...[1, 2, 3, 4, 5, 6, 40, 41].map((n): [string, unknown, string, string] => {
    const a = Array.from({ length: 40 }, (_, i) => (i % 7 === 3 ? null : i * 3));
    const grams =
      n >= a.length ? [a] : a.slice(0, a.length - n + 1).map((_, i) => a.slice(i, i + n));
    return [
      `ngrams(ARRAY[${a.map((x) => x ?? "NULL")}], ${n})`,
      grams,
      "array(array(integer))",
      "Trino ArrayNgramsFunction",
    ];
  }),
  // A two-parameter lambda inside another: each reads its own parameters (lexical scope).
  [
    "transform_values(MAP(ARRAY['a'], ARRAY[MAP(ARRAY['b'], ARRAY['c'])]), (k, v) -> transform_values(v, (k2, v2) -> k || k2 || v2))",
    { a: { b: "abc" } },
    "map(varchar, map(varchar, varchar))",
    "Trino: lambdas are lexically scoped",
  ],
  [
    "zip_with(ARRAY[1, 2], ARRAY[10, 20], (x, y) -> zip_with(ARRAY[100], ARRAY[1000], (p, q) -> x + p + q))",
    [[1101], [1102]],
    "array(array(integer))",
    "Trino: lambdas are lexically scoped",
  ],
  [
    "reduce(ARRAY[1, 2], '', (s, x) -> s || reduce(ARRAY[x], '', (s2, y) -> s2 || CAST(y AS varchar) || s, z -> z), s -> s)",
    "121",
    "varchar",
    "Trino: lambdas are lexically scoped",
  ],
  [
    "transform(ARRAY[ARRAY[3, 1, 2]], y -> array_sort(y, (x, y) -> IF(x < y, 1, IF(x = y, 0, -1))))",
    [[3, 2, 1]],
    "array(array(integer))",
    "Trino: the comparator's y hides the outer y",
  ],
  // reduce with a state of another type than the elements (DuckDB's list_reduce wants one type).
  [
    "reduce(ARRAY[5, 6, 10, 20], CAST(ROW(0.0, 0) AS ROW(sum DOUBLE, count INTEGER)), (s, x) -> CAST(ROW(x + s.sum, s.count + 1) AS ROW(sum DOUBLE, count INTEGER)), s -> IF(s.count = 0, NULL, s.sum / s.count))",
    10.25,
    "double",
    "docs array: reduce (a row state)",
  ],
  [
    "reduce(ARRAY[1, 2, 3], '', (s, x) -> s || CAST(x AS varchar), s -> s)",
    "123",
    "varchar",
    "Trino ReduceFunction (a text state)",
  ],
  [
    "reduce(ARRAY[ARRAY[1], ARRAY[2, 3]], ARRAY[0], (s, x) -> s || x, s -> s)",
    [0, 1, 2, 3],
    "array(integer)",
    "Trino ReduceFunction",
  ],
  ["reduce(ARRAY[5, 20, 50], 0, (s, x) -> s + x, s -> s)", 75, "integer", "docs array: reduce"],
  // A number state is typed as Trino's S, the common type of the initial value and the step's
  // result (it took the elements' type: 2 and 1 for the first two, and text elements failed).
  [
    "reduce(ARRAY[1, 2], 0, (s, x) -> s + x / 2E0, s -> s)",
    1.5,
    "double",
    "Trino SignatureBinder: S widened by the lambda's result (double)",
  ],
  [
    "reduce(split('1,2,3', ','), 0, (s, x) -> s + CAST(x AS integer), s -> s)",
    6,
    "integer",
    "Trino ReduceFunction: a number state over text elements",
  ],
  [
    "reduce(ARRAY['a', 'bb'], 0, (s, x) -> s + length(x), s -> s)",
    3,
    "bigint",
    "Trino ReduceFunction: length is bigint, so S is",
  ],
  // chr takes a bigint (DuckDB's chr an integer).
  ["chr(CAST(98 AS bigint))", "b", "varchar", "Trino StringFunctions.chr(bigint)"],
  // Not @SqlNullable: a NULL array is NULL before the count is checked.
  ["ngrams(CAST(NULL AS array(integer)), 0)", null, undefined, "Trino ArrayNgramsFunction"],
  ["trim_array(CAST(NULL AS array(integer)), -1)", null, undefined, "Trino ArrayTrimFunction"],
  // zip's rows are anonymous: read by position.
  [
    "transform(zip(ARRAY[1, 2], ARRAY['a']), r -> r[2])",
    ["a", null],
    "array(varchar)",
    "Trino ZipFunction (RowType.anonymous)",
  ],
  ["zip(ARRAY[7], ARRAY['a'])[1][1]", 7, "integer", "Trino ZipFunction (RowType.anonymous)"],
  ["index('abc', 'c')", 3, "bigint", "docs string: index (strpos)"],
  [
    "split_to_multimap('a=1,b=2,a=3,', ',', '=')",
    { a: ["1", "3"], b: ["2"] },
    "map(varchar, array(varchar))",
    "docs string: split_to_multimap (a trailing delimiter ends the last entry)",
  ],
  [
    "(SELECT map_agg(k, v) FROM (VALUES ('a', 1), (NULL, 2), ('b', 3)) t(k, v))",
    { a: 1, b: 3 },
    "map(varchar, integer)",
    "docs aggregate: map_agg (NULL keys skipped)",
  ],
  [
    "(SELECT multimap_agg(k, v) FROM (VALUES ('a', 1), ('b', 3), ('a', 4), (NULL, 5)) t(k, v))",
    { a: [1, 4], b: [3] },
    "map(varchar, array(integer))",
    "docs aggregate: multimap_agg",
  ],
  [
    "(SELECT multimap_agg(b % 3, b) FROM UNNEST(sequence(1, 4)) t(b))",
    { "0": [3], "1": [1, 4], "2": [2] },
    undefined,
    "docs aggregate: multimap_agg (a key computed by another function)",
  ],
  [
    "(SELECT map_agg(k, v) FROM (VALUES ('a', 1)) t(k, v) WHERE k = 'x')",
    null,
    undefined,
    "docs aggregate: map_agg of no rows",
  ],
  [
    "multimap_from_entries(ARRAY[(1, 'x'), (2, 'y'), (1, 'a'), (3, 'b'), (2, 'c'), (3, null)])",
    { "1": ["x", "a"], "2": ["y", "c"], "3": ["b", null] },
    undefined,
    "corpus trino-158025dfcb13 (multimap_from_entries)",
  ],
  [
    "multimap_from_entries(CAST(ARRAY[] AS ARRAY(ROW(DOUBLE, BIGINT))))",
    {},
    "map(double, array(bigint))",
    "corpus trino-e62cd89a1101 (multimap_from_entries of no entries, an anonymous ROW type)",
  ],
  [
    "map_from_entries(CAST(ARRAY[] AS ARRAY(ROW(DOUBLE, BIGINT))))",
    {},
    "map(double, bigint)",
    "corpus trino-db8a60c68f2d (map_from_entries, an anonymous ROW type)",
  ],
  ["multimap_from_entries(null)", null, undefined, "corpus trino-f19b536c534c"],
  // || and two-argument concat between an array and an element append or prepend it.
  ["ARRAY[2, 8] || 5", [2, 8, 5], "array(integer)", "docs array: || (an element)"],
  ["5 || ARRAY[2, 8]", [5, 2, 8], "array(integer)", "docs array: || (an element first)"],
  ["(ARRAY[2.0, 3.11]) || (1.0)", [2, 3.11, 1], undefined, "corpus trino-0246b2ca1cd6"],
  [
    "(ARRAY[2, 8]) || (ARRAY[ARRAY[3, 6], ARRAY[4]])",
    [[2, 8], [3, 6], [4]],
    "array(array(integer))",
    "corpus trino-84f337faad55",
  ],
  [
    "(ARRAY[ARRAY[1], ARRAY[2, 8]]) || (ARRAY[3, 6])",
    [[1], [2, 8], [3, 6]],
    "array(array(integer))",
    "corpus trino-79c72ed5e728",
  ],
  [
    "(DATE '2024-01-02') || (ARRAY[DATE '2024-01-01'])",
    ["2024-01-02", "2024-01-01"],
    "array(date)",
    "docs array: || (a typed literal)",
  ],
  ["concat(ARRAY[1], 2)", [1, 2], "array(integer)", "docs array: concat (an element)"],
  // A lambda's parameter is an element of the array (or a key or value of the map) it is given,
  // where the tree shows that one's depth; an inner lambda's parameter of the same name hides it.
  [
    "transform((ARRAY[2, 3, 4, NULL, 5]), x -> concat(ARRAY[1], x))",
    [[1, 2], [1, 3], [1, 4], null, [1, 5]],
    "array(array(integer))",
    "corpus trino-c34283f87002",
  ],
  [
    "transform_values((map(ARRAY[ARRAY[1, 2], ARRAY[3, 4]], ARRAY[25.5E0, 26.5E0])), (k, v) -> CAST(k AS ARRAY(DOUBLE)) || v)",
    { "[1, 2]": [1, 2, 25.5], "[3, 4]": [3, 4, 26.5] },
    undefined,
    "corpus trino-8aa98e38ea75",
  ],
  [
    "transform_keys((map(ARRAY[ARRAY[1, 2], ARRAY[3, 4]], ARRAY['abc', 'xyz'])), (k, v) -> transform(k, x -> CAST(x AS VARCHAR)) || v)",
    { '["1", "2", "abc"]': "abc", '["3", "4", "xyz"]': "xyz" },
    undefined,
    "corpus trino-ce4c6f44eb6d",
  ],
  [
    "transform(ARRAY[ARRAY[1], ARRAY[2]], x -> transform(x, y -> ARRAY[0] || y))",
    [[[0, 1]], [[0, 2]]],
    "array(array(array(integer)))",
    "Trino: || of an array and an element (y, an element of x)",
  ],
  [
    "transform(ARRAY[ARRAY[1], ARRAY[2]], x -> ARRAY[ARRAY[0]] || x)",
    [
      [[0], [1]],
      [[0], [2]],
    ],
    "array(array(array(integer)))",
    "Trino: || of an array of arrays and an array",
  ],
  // A value whose type the tree does not show (a VALUES column, a parameter over one): DuckDB's
  // binding chooses (a scalar appended or prepended, an array joined).
  [
    "(SELECT transform((t.c), x -> concat(ARRAY[1], x)) FROM (VALUES (ARRAY[2, 3, 4, NULL, 5])) t(c))",
    [[1, 2], [1, 3], [1, 4], null, [1, 5]],
    "array(array(integer))",
    "corpus trino-c34283f87002 with a column",
  ],
  ["(SELECT ARRAY['a'] || c FROM (VALUES 'b') t(c))", ["a", "b"], "array(varchar)", "Trino: ||"],
  ["(SELECT c || ARRAY['a'] FROM (VALUES 'b') t(c))", ["b", "a"], "array(varchar)", "Trino: ||"],
  ["(SELECT ARRAY[1] || c FROM (VALUES (ARRAY[2])) t(c))", [1, 2], "array(integer)", "Trino: ||"],
  // An aggregate's type is known only inside a lambda (the macro's overload is chosen there).
  [
    "(SELECT max(c) || ARRAY[3] FROM (VALUES (ARRAY[1, 2])) t(c))",
    [1, 2, 3],
    "array(integer)",
    "Trino: ||",
  ],
  [
    "(SELECT ARRAY['x'] || max(c) FROM (VALUES 'b') t(c))",
    ["x", "b"],
    "array(varchar)",
    "Trino: ||",
  ],
  [
    "(SELECT ARRAY[1] || c FROM (VALUES CAST(NULL AS integer)) t(c))",
    null,
    "array(integer)",
    "Trino ArrayConcatUtils: a NULL element gives NULL",
  ],
  [
    "transform(ARRAY[2], x -> transform(ARRAY[ARRAY[5]], x -> ARRAY[1] || x))",
    [[[1, 5]]],
    "array(array(array(integer)))",
    "Trino: the inner x is an array (two arrays joined)",
  ],
  // A separator that is not a constant (DuckDB's array_to_string refuses one).
  [
    "(SELECT array_join(ARRAY[1, NULL, 2], s) || '|' || array_join(ARRAY[1, NULL], s, 'x') || '|' || concat_ws(s, ARRAY['a', NULL, 'b']) FROM (VALUES '-') t(s))",
    "1-2|1-x|a-b",
    "varchar",
    "Trino ArrayJoin / concat_ws: NULLs skipped or replaced",
  ],
  [
    "(SELECT ARRAY[x, 8] || ARRAY[ARRAY[3], ARRAY[4]] FROM (VALUES 2) t(x))",
    [[2, 8], [3], [4]],
    "array(array(integer))",
    "docs array: || (a constructor whose first element is a column)",
  ],
  ["split('a,b', ',') || 'c'", ["a", "b", "c"], "array(varchar)", "docs array: || (an element)"],
  // A NULL argument is NULL before the delimiter and the limit are judged (Trino calls no
  // function of a NULL argument).
  ["split(CAST(NULL AS varchar), '')", null, "array(varchar)", "Trino: NULL argument"],
  ["split(CAST(NULL AS varchar), '.', 0)", null, "array(varchar)", "Trino: NULL argument"],
  ["ARRAY[1] || CAST(NULL AS integer)", null, undefined, "Trino ArrayConcatUtils: NULL element"],
  ["CAST(NULL AS ARRAY(integer)) || 1", null, "array(integer)", "Trino: NULL array"],
  // sign keeps its argument's type (Trino MathFunctions.sign): DuckDB's was always a TINYINT.
  ["sign(DECIMAL '-123.000000000000000')", -1, "decimal(1,0)", "corpus trino-b8c4a0cd84a2"],
  ["sign(DECIMAL '0.4')", 1, "decimal(1,0)", "Trino MathFunctions.signDecimal"],
  ["sign(BIGINT '-5')", -1, "bigint", "Trino MathFunctions.sign(bigint)"],
  ["sign(-1.5E0)", -1, "double", "Trino MathFunctions.sign(double): Math.signum"],
  ["sign(nan())", "NaN", "double", "Trino MathFunctions.sign(double): Math.signum(NaN) is NaN"],
  ["sign(REAL '2.5')", 1, "real", "Trino MathFunctions.signFloat"],
  // map_concat: the maps' types meet; a NULL map makes the result NULL (Trino's MapConcatFunction
  // takes no NULL argument; DuckDB's skipped it). A decimal key keeps its scale in the key's text.
  [
    "map_concat(map(ARRAY[1.0], ARRAY[2.2]), map(ARRAY[55.1], ARRAY[33.2]))",
    { "1.0": 2.2, "55.1": 33.2 },
    "map(decimal(3,1), decimal(3,1))",
    "corpus trino-e4a3946ece7a",
  ],
  [
    "map_concat(map(ARRAY[1.0], ARRAY[2.2]), map(ARRAY[5.1], ARRAY[33.22]))",
    { "1.0": 2.2, "5.1": 33.22 },
    "map(decimal(2,1), decimal(4,2))",
    "corpus trino-6bf26333f909",
  ],
  [
    "map_concat(NULL, map(ARRAY[1], ARRAY[2]))",
    null,
    undefined,
    "Trino MapConcatFunction: NEVER_NULL",
  ],
  [
    "map_concat(map(ARRAY[1], ARRAY[-1]), map(ARRAY[1], ARRAY[-2]), MAP(ARRAY[1], ARRAY[-3]))",
    { "1": -3 },
    "map(integer, integer)",
    "corpus: the last map's value wins",
  ],
  [
    "map(ARRAY[1.0, 2.50], ARRAY['a', 'b'])",
    { "1.00": "a", "2.50": "b" },
    undefined,
    "Trino: decimal text",
  ],
  // normalize to NFD, NFKD and NFKC (DuckDB has NFC only).
  ["normalize(('sch\u00f6n'), NFD)", "scho\u0308n", "varchar", "corpus trino-210828b32d43"],
  ["normalize(('sch\u00f6n'), NFKD)", "scho\u0308n", "varchar", "corpus trino-5f254770502a"],
  ["normalize(('sch\u00f6n'), NFKC)", "sch\u00f6n", "varchar", "corpus trino-8ecb210b8421"],
  [
    "normalize(('\u3231\u3327\u3326\u2162'), NFKC)",
    "(\u682a)\u30c8\u30f3\u30c9\u30eb" + "III",
    "varchar",
    "corpus trino-27e915bf93eb",
  ],
  // Text that is not JSON: json_extract is NULL (Trino's JsonExtract returns NULL on a parse error).
  ["json_extract('Access Denied', '$.a')", null, "json", "Trino JsonExtract: parse error"],
  [
    "(SELECT count(json_extract(m, '$.code')) FROM (VALUES 'Access Denied', '{\"code\": 7}', NULL) t(m))",
    1,
    "bigint",
    "Trino JsonExtract: a malformed row among valid ones",
  ],
  // Wilson score bounds: Trino's formula (MathFunctions.wilsonInterval), its order of operations.
  [
    "wilson_interval_lower(1250, 1310, 1.96e0)",
    0.9414883725395894,
    "double",
    "corpus trino-eecb7940e1fb",
  ],
  // Java's (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n) evaluated in doubles:
  ["wilson_interval_lower(2, 10, 1)", 0.10362299537513231, "double", "Trino MathFunctions"],
  ["wilson_interval_lower(7, 14, 1.6e0)", 0.3034107251268038, "double", "Trino MathFunctions"],
  [
    "wilson_interval_upper(1250, 1310, 1.96e0)",
    0.9642524717143908,
    "double",
    "Trino MathFunctions",
  ],
  // cosine_similarity: Java's loops (MathFunctions.cosineSimilarity) run here in doubles.
  ...[
    [
      { a: 1, b: 2 },
      { c: 1, b: 3 },
    ],
    [
      { x: 0.1, y: 0.7, z: -3 },
      { z: 2.5, x: 1e-3, w: 9 },
    ],
    [{ a: 0 }, { a: 1 }],
  ].map(([l, r]): [string, unknown, string, string] => {
    const lit = (m: Record<string, number>) =>
      `map(ARRAY[${Object.keys(m).map((k) => `'${k}'`)}], ARRAY[${Object.values(m).map((v) => `${v}E0`)}])`;
    const norm = (m: Record<string, number>) => {
      let n = 0;
      for (const v of Object.values(m)) n += v * v;
      return Math.sqrt(n);
    };
    let dot = 0;
    for (const [k, v] of Object.entries(l as Record<string, number>)) {
      const w = (r as Record<string, number>)[k];
      if (w !== undefined) dot += v * w;
    }
    const want = dot / (norm(l as Record<string, number>) * norm(r as Record<string, number>));
    return [
      `cosine_similarity(${lit(l as Record<string, number>)}, ${lit(r as Record<string, number>)})`,
      Number.isNaN(want) ? "NaN" : want,
      "double",
      "Trino MathFunctions.cosineSimilarity",
    ];
  }),
  // The length of a varbinary is its byte count.
  ["length(CAST('abc' AS VARBINARY))", 3, "bigint", "corpus trino-866584ed27bf (length)"],
  ["length(to_utf8('été'))", 5, "bigint", "docs binary: length"],
  // Strings.
  [
    "ltrim('\u2028信念 爱 希望')",
    "信念 爱 希望",
    "varchar",
    "corpus trino-b29f45cd848d (Java white space U+2028)",
  ],
  [
    "levenshtein_distance('休念,爱,希望', '信念,爱,希望')",
    1,
    "bigint",
    "corpus trino-303135638d16 (levenshtein_distance (characters, not bytes))",
  ],
  [
    "levenshtein_distance('hello naïve world', 'hello na:ive world')",
    2,
    "bigint",
    "corpus trino-b1db48b6e284 (levenshtein_distance)",
  ],
  [
    "regexp_split('abc', '')",
    ["", "a", "b", "c", ""],
    "array(varchar)",
    "corpus trino-3a265bfc3b7a (empty pattern)",
  ],
  ["to_hex(X'2312')", "2312", "varchar", "docs binary: X'..' is a varbinary literal"],
  // regexp_replace's replacement as Java's Matcher.appendReplacement reads it (Trino docs regexp:
  // "escaping it with a backslash (\$)"): a backslash keeps the next character.
  ["regexp_replace('a1', '(\\d)', '\\$1')", "a$1", "varchar", "docs regexp: \\$ is a dollar"],
  ["regexp_replace('price 5', '(\\d)', 'USD\\$')", "price USD$", "varchar", "docs regexp"],
  ["regexp_replace('cost 5', '(\\d)', '\\$$1')", "cost $5", "varchar", "docs regexp"],
  ["regexp_replace('a1', '1', 'x\\y')", "axy", "varchar", "Java appendReplacement: \\y is y"],
  ["regexp_replace('a1', '1', '\\\\')", "a\\", "varchar", "Java appendReplacement: \\\\"],
  ["regexp_replace('a1b2', '(\\d)', '<$1>')", "a<1>b<2>", "varchar", "docs regexp: $1"],
  // URLs: java.net.URI's getters decode, url_extract_parameter's value goes through URLDecoder,
  // url_encode is Guava's form parameter escaper (Trino UrlFunctions.java; docs url).
  ["url_extract_parameter('http://x.com/p?q=a+b%21&r=1', 'q')", "a b!", "varchar", "UrlFunctions"],
  ["url_extract_path('http://x.com/a%20b')", "/a b", "varchar", "UrlFunctions: URI.getPath"],
  ["url_extract_query('http://x.com/p?q=a%26b')", "q=a&b", "varchar", "UrlFunctions: getQuery"],
  ["url_extract_fragment('http://x.com/p#a%20b')", "a b", "varchar", "UrlFunctions"],
  ["url_encode('a b/c~*')", "a+b%2Fc%7E*", "varchar", "docs url: url_encode"],
  ["url_encode('𩸽')", "%F0%A9%B8%BD", "varchar", "corpus trino-191711d7bd56"],
  ["url_decode('a+b%20c%2B')", "a b c+", "varchar", "docs url: url_decode (URLDecoder)"],
  // Aggregates that do not skip NULLs (docs aggregate), and arbitrary's non-NULL value.
  [
    "(SELECT max_by(x, y) FROM (VALUES (NULL, 2), ('b', 1), ('c', NULL)) AS t(x, y))",
    null,
    "varchar",
    "docs aggregate: max_by keeps nulls",
  ],
  [
    "(SELECT min_by(x, y) FROM (VALUES ('a', 2), (NULL, 1)) AS t(x, y))",
    null,
    "varchar",
    "docs aggregate: min_by keeps nulls",
  ],
  [
    "(SELECT min_by(x, y) FROM (VALUES ('a', 2), ('b', NULL)) AS t(x, y))",
    "a",
    "varchar",
    "docs aggregate: a NULL y is skipped",
  ],
  [
    "(SELECT arbitrary(x) FROM (VALUES (NULL), ('b'), (NULL)) AS t(x))",
    "b",
    "varchar",
    "docs aggregate: arbitrary non-null",
  ],
  [
    "(SELECT max_by(x, y, 2) FROM (VALUES (NULL, 3), ('p', 2), ('q', NULL), ('r', 1)) AS t(x, y))",
    [null, "p"],
    undefined,
    "Trino MinByNAggregationFunction: a NULL value is kept, a NULL key skipped",
  ],
  [
    "(SELECT arbitrary(x) FILTER (WHERE y = 2) FROM (VALUES (NULL, 3), ('p', 2)) AS t(x, y))",
    "p",
    "varchar",
    "docs aggregate: FILTER applies to every aggregate",
  ],
  [
    "(SELECT max_by(x, y) FILTER (WHERE y < 3) FROM (VALUES (NULL, 3), ('p', 2)) AS t(x, y))",
    "p",
    "varchar",
    "docs aggregate: FILTER",
  ],
  [
    "(SELECT bool_and(w IS NULL) FROM (SELECT max_by(x, y) OVER () AS w FROM (VALUES (NULL, 3), ('p', 2)) AS t(x, y)))",
    true,
    "boolean",
    "docs aggregate: max_by as a window function keeps the NULL value",
  ],
  ["split('arn:aws:iam::1:user/alice', '/')[2]", "alice", "varchar", "docs array: subscript"],
  ["element_at(ARRAY[1, 2], 5)", null, "integer", "docs array: element_at past the end is NULL"],
  // A NULL argument is a NULL answer (Trino calls no function of one): DuckDB's string_split,
  // string_split_regex and list_concat read a NULL delimiter, pattern or array as none or empty,
  // and width_bucket's bounds compared with a NULL fell through to a bucket.
  ...sourced(
    [
      ["split('a,b', CAST(NULL AS varchar))", null, "array(varchar)"],
      ["regexp_split('abc', CAST(NULL AS varchar))", null, "array(varchar)"],
      ["array_union(CAST(NULL AS array(varchar)), ARRAY['a'])", null, "array(varchar)"],
      ["array_union(ARRAY['a'], CAST(NULL AS array(varchar)))", null, "array(varchar)"],
      ["width_bucket(1.5E0, CAST(NULL AS double), 3, 3)", null, "bigint"],
      ["strpos(CAST(NULL AS varchar), 'a', 1)", null, "bigint"],
    ],
    "Trino functions: NULL on a NULL argument (no @SqlNullable parameter)",
  ),
  // format() is Java's String.format (Trino FormatFunction): a NULL argument prints as null, %b
  // as true or false, %% and %n, widths and flags.
  ["format('%s|%s', 'a', NULL)", "a|null", "varchar", "Java Formatter: null prints null"],
  ["format('%b/%b/%B', true, NULL, 5)", "true/false/TRUE", "varchar", "Java Formatter: %b"],
  ["format('%d%% of %s%n', 5, 'x')", "5% of x\n", "varchar", "Java Formatter: %% and %n"],
  ["format('%5s|%-3d|%.2f', 'ab', 7, 3.14159)", "   ab|7  |3.14", "varchar", "Java Formatter"],
  ["format('%1$s-%1$s', 'x')", "x-x", "varchar", "Java Formatter: an argument index"],
  // %s is String.valueOf of Trino's Java value: a Long's digits, Double.toString, BigDecimal's text.
  ...sourced(
    [
      ["format('%s calls from %s', 42, 'x')", "42 calls from x", "varchar"],
      [
        "format('%s|%s|%s|%s', 25.5E0, 1E0, 100E0, -0.00123E0)",
        "25.5|1.0|100.0|-0.00123",
        "varchar",
      ],
      ["format('%s|%s|%s', 1E7, 1.2345E-4, 0E0)", "1.0E7|1.2345E-4|0.0", "varchar"],
      ["format('%s|%5s|', 1.50, -3)", "1.50|   -3|", "varchar"],
      ["format('%s', IPADDRESS '2001:DB8::1')", "2001:db8::1", "varchar"],
    ],
    "Java Formatter %s: String.valueOf (Double.toString, BigDecimal.toString)",
  ),
  // Digests are varbinary in Trino: to_hex gives their bytes (upper case), computed here by Node.
  ["to_hex(md5(to_utf8('abc')))", digest("md5", "abc"), "varchar", "docs binary: md5"],
  ["to_hex(sha1(to_utf8('héllo')))", digest("sha1", "héllo"), "varchar", "docs binary: sha1"],
  ["to_hex(sha256(to_utf8('héllo')))", digest("sha256", "héllo"), "varchar", "docs binary: sha256"],
  [
    "md5(to_utf8('abc'))",
    // As Athena's results write varbinary (Trino's text form): hex pairs, spaces between.
    digest("md5", "abc").toLowerCase().match(/../g)!.join(" "),
    "varbinary",
    "docs binary: md5 returns varbinary",
  ],
  ["soundex('johannes')", "J520", "varchar", "corpus trino-14a138a16cb3"],
  ["soundex('Ashcraft')", "A261", "varchar", "commons-codec Soundex (H and W ignored)"],
  ["soundex('Pfister')", "P236", "varchar", "commons-codec Soundex (the first letter's code)"],
  [
    "regexp_replace('a有朋💰', '.', '1$02')",
    "1a21有21朋21💰2",
    "varchar",
    "corpus trino-8862e12cbfd3 ($0 then 2)",
  ],
  [
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Java's ${name} replacement syntax
    "regexp_replace('wxyz', '(?<xyz>[xyz])', '${xyz}${xyz}')",
    "wxxyyzz",
    "varchar",
    "corpus trino-bcd13c544e10 (named group)",
  ],
  [`json_extract('{"fuu": 1}', '$[fuu]')`, "1", "json", "corpus trino-57ce81643748"],
  [`json_extract_scalar('[0, 1, 2]', '$["1"]')`, "1", "varchar", "corpus trino-3b100e1aab15"],
  ...(
    [
      [`'{"items":[{"instanceId":"i-1"}]}', '$.items.0.instanceId'`, "i-1"],
      [`'{"a":["x","y"]}', '$.a.1'`, "y"],
      [`'{"a":["x","y"]}', '$.a["1"]'`, "y"],
      [`'{"a":{"1":"one"}}', '$.a[1]'`, "one"],
      [`'{"a":{"0":"zero"}}', '$.a.0'`, "zero"],
      [`'{"a":["x"]}', '$.a.5'`, null],
      [`'{"a":["x"]}', '$.a["-1"]'`, null],
      [`'{"a":"x"}', '$.a.0'`, null],
      [`'{"x-amz-acl":"private"}', '$["x-amz-acl"]'`, "private"],
      [`'{"*":1,"a":2}', '$["*"]'`, "1"],
      [`'{"":5}', '$[""]'`, "5"],
      [`'{"a":["x","y"]}', '$.a["01"]'`, "y"],
      [`'{"a":{"01":"k"}}', '$.a["01"]'`, "k"],
      [`'{"a/b":{"c~d":3}}', '$["a/b"]["c~d"]'`, "3"],
      [`'{"a:b":1}', '$.a:b'`, "1"],
      [`'{"a\\"b":1}', '$["a\\"b"]'`, "1"],
    ] as const
  ).map(
    ([args, value]) =>
      [
        `json_extract_scalar(${args})`,
        value,
        "varchar",
        "Trino JsonExtract: each step a member of an object, or an index into an array at any depth",
      ] as [string, unknown, string, string],
  ),
  [
    "ROW('a', 1, ROW('n', 2))",
    { field0: "a", field1: 1, field2: { field0: "n", field1: 2 } },
    "row(field0 varchar, field1 integer, field2 row(field0 varchar, field1 integer))",
    "Athena's text of an anonymous row names its fields: {field0=a, field1=1, ...}",
  ],
  [
    "(SELECT array_agg((x, y) ORDER BY x) FROM (VALUES ('b', 2), ('a', 1)) t(x, y))",
    [
      { field0: "a", field1: 1 },
      { field0: "b", field1: 2 },
    ],
    undefined,
    "Athena's text of an anonymous row names its fields: {field0=a, field1=1}",
  ],
  [
    "(SELECT avg(c * 1.0) FROM (SELECT k, count(*) AS c FROM unnest(ARRAY['a', 'a', 'b', 'c', 'c']) AS t(k) GROUP BY k))",
    1.7,
    "decimal(38,1)",
    "Trino DecimalAverageAggregation: a decimal of the argument's scale, rounded half up (5/3 = 1.7)",
  ],
  [
    "(SELECT avg(CAST(x AS DECIMAL(10, 2))) FROM (VALUES 0.05, 0.10) t(x))",
    0.08,
    "decimal(38,2)",
    "Trino DecimalAverageAggregation: 0.075 rounds half up to 0.08",
  ],
  [
    "(SELECT avg(c * 1.0) FROM (SELECT count(*) AS c FROM unnest(ARRAY['a']) AS t(k) WHERE k = 'z' GROUP BY k))",
    null,
    "decimal(38,1)",
    "Trino: avg over no rows is NULL",
  ],
  ...sourced(
    [
      [`CAST(json_extract('{"a":2.5}', '$.a') AS bigint)`, 3, "bigint"],
      [`CAST(json_extract('{"a":-2.5}', '$.a') AS integer)`, -3, "integer"],
      [
        `CAST(json_parse('[0.5, 2.5, null, 3]') AS array(integer))`,
        [1, 3, null, 3],
        "array(integer)",
      ],
      [`CAST(json_parse('{"k":2.5}') AS map(varchar, bigint))`, { k: 3 }, "map(varchar, bigint)"],
      [`CAST(json_extract('{"b":500.0}', '$.b') AS varchar)`, "5.0E2", "varchar"],
      [`CAST(json_extract('{"b":12}', '$.b') AS varchar)`, "12", "varchar"],
      [
        `CAST(json_parse('{"in":0.0,"x":1.5,"n":3,"s":"t","z":true,"q":null}') AS map(varchar, varchar))`,
        { in: "0E0", x: "1.5E0", n: "3", s: "t", z: "true", q: null },
        "map(varchar, varchar)",
      ],
      [
        `CAST(json_parse('[1.5, 2, "a", false]') AS array(varchar))`,
        ["1.5E0", "2", "a", "false"],
        "array(varchar)",
      ],
    ] as const,
    "Trino JsonUtil: a JSON float is a double (castToLong rounds half up, castToVarchar writes the double's text), an integer keeps its text",
  ),
  ...sourced(
    [
      [
        `CAST(json_parse('123456789012345678901234567890') AS varchar)`,
        "123456789012345678901234567890",
        "varchar",
      ],
      [
        `CAST(json_parse('[-99999999999999999999, 7]') AS array(varchar))`,
        ["-99999999999999999999", "7"],
        "array(varchar)",
      ],
      [`TRY_CAST(json_parse('[2.5]') AS array(bigint))`, [3], "array(bigint)"],
      [`TRY_CAST(json_parse('500.0') AS varchar)`, "5.0E2", "varchar"],
      [`TRY_CAST(json_parse('{"a":1}') AS varchar)`, null, "varchar"],
      [`TRY_CAST(json_parse('[1, "abc"]') AS array(bigint))`, null, "array(bigint)"],
      [
        `TRY_CAST(json_parse('{"k":2.5,"z":null}') AS map(varchar, bigint))`,
        { k: 3, z: null },
        "map(varchar, bigint)",
      ],
    ] as const,
    "Trino JsonUtil (review): an integer keeps its digits; TRY_CAST is NULL where CAST fails",
  ),
  [
    `json_size('{"a":[[1,2]]}', '$.b')`,
    null,
    "bigint",
    "Trino JsonExtract: a path that matches nothing is NULL",
  ],
  [
    "(SELECT avg(CASE WHEN x > 1 THEN 1.0 ELSE 0 END) FROM (VALUES 1, 2, 3) t(x))",
    0.7,
    "decimal(38,1)",
    "Trino: CASE of decimal(2,1) and integer is a decimal of scale 1, averaged as a decimal (2/3 = 0.7)",
  ],
  [
    "(SELECT sum(x) FROM (VALUES ((SELECT max(y) FROM (VALUES 1, 5) t(y))), 7 + 1) t(x))",
    13,
    undefined,
    "Trino: a VALUES list inside another's row (review: the edits of both lists are kept)",
  ],
  [`json_size('{"a":[[1,2]]}', '$.a.0')`, 2, "bigint", "Trino JsonExtract: json_size's path"],
  [
    `json_extract_scalar('{"1": "one"}', '$[1]')`,
    "one",
    "varchar",
    "Trino JSON path: a number names a member of an object",
  ],
  [
    `(JSON '{ "a": 1 , "b": 2 , "c": { "d": 3 }}') IS DISTINCT FROM (JSON '{ "b": 2 , "a": 1 , "c": { "d": 3 }}')`,
    false,
    "boolean",
    "corpus trino-9943c37f07f1 (canonical JSON)",
  ],
  // Math functions the corpus asks for (were missing or typed differently).
  [
    "truncate(DECIMAL '1234.56', -1)",
    1230,
    undefined,
    "corpus truncate (Trino: decimal(6,2) 1230.00; the value compares as a number)",
  ],
  ["is_nan(REAL 'NaN')", true, "boolean", "corpus is_nan"],
  ["floor(TINYINT '-123')", -123, "tinyint", "corpus floor (keeps the integer type)"],
  ["least(TINYINT '-1')", -1, "tinyint", "corpus least (one argument)"],
  ["from_base('-7fffffff', 16)", -2147483647, "bigint", "corpus from_base"],
  ["width_bucket(-1, 3.2E0, 0, 4)", 5, "bigint", "corpus width_bucket (descending bounds)"],
  ["cardinality(MAP(ARRAY['1','3'], ARRAY[2,4]))", 2, "bigint", "corpus cardinality of a map"],
  // Map functions with a (k, v) lambda; doubles as varchar in Trino's text.
  [
    "map_filter(map(ARRAY[5, 6, 7, 8], ARRAY[5, 6, 6, 5]), (x, y) -> x <= 6 OR y = 5)",
    { "5": 5, "6": 6, "8": 5 },
    "map(integer, integer)",
    "corpus trino-ef355cc5afac",
  ],
  [
    "transform_keys(map(ARRAY['a', 'b'], ARRAY[1, 2]), (k, v) -> k || CAST(v AS VARCHAR))",
    { a1: 1, b2: 2 },
    "map(varchar, integer)",
    "corpus transform_keys",
  ],
  [
    "transform_values(map(ARRAY[25, 26, 27], ARRAY[25, 26, 27]), (k, v) -> k + v)",
    { "25": 50, "26": 52, "27": 54 },
    "map(integer, integer)",
    "corpus trino-bf75c8146fd3",
  ],
  [
    "transform_keys(map(ARRAY[25, 26], ARRAY[ARRAY['a'], ARRAY['b']]), (k, v) -> ARRAY[CAST(k AS VARCHAR)] || v)",
    { '["25", "a"]': ["a"], '["26", "b"]': ["b"] },
    "map(array(varchar), array(varchar))",
    "corpus trino-68ffca93c610 (array keys print as JSON)",
  ],
  [
    "CAST(25.5E0 AS VARCHAR)",
    "2.55E1",
    "varchar",
    "corpus trino-457f777de111 (Trino's double text)",
  ],
  ["CAST(0.001E0 AS VARCHAR)", "1.0E-3", "varchar", "Trino: CAST(double AS varchar)"],
  [
    "array_join(ARRAY[1.0, DOUBLE '002.100', 3.3], 'x')",
    "1.0E0x2.1E0x3.3E0",
    "varchar",
    "corpus trino-4bcc203170cf",
  ],
  ["array_join(ARRAY[sqrt(-1), infinity()], ',')", "NaN,Infinity", "varchar", "corpus array_join"],
  // URLs as java.net.URI reads them.
  [
    "url_extract_host('foo')",
    "",
    "varchar",
    "corpus trino-ffa04db1b336 (a relative URI has an empty host)",
  ],
  [
    "url_extract_port('http://example.com:8080/path1/p.php?k1=v1&k2=v2#Ref1')",
    8080,
    "bigint",
    "corpus url_extract_port",
  ],
  [
    "url_extract_query('mailto:test@example.com')",
    "",
    "varchar",
    "corpus url_extract_query (opaque URI)",
  ],
  [
    "url_extract_protocol('http://example.com/^')",
    null,
    undefined,
    "corpus url_extract_protocol (not a URI)",
  ],
  [
    "url_extract_parameter('http://example.com/path1/p.php?k1=v1&k1=v2&k1&k1#Ref1', 'k1')",
    "v1",
    "varchar",
    "corpus url_extract_parameter",
  ],
  [
    "url_extract_parameter('http://example.com/path1/p.php?k1=v1&k2=v2&k3&k4#Ref1', 'k3')",
    "",
    "varchar",
    "corpus url_extract_parameter",
  ],
  // Bitwise functions keep the argument's width.
  ["bitwise_right_shift(TINYINT '-7', 2)", 62, "tinyint", "corpus bitwise_right_shift"],
  ["bitwise_left_shift(SMALLINT '-32768', 1)", 0, "smallint", "corpus bitwise_left_shift"],
  [
    "bitwise_right_shift_arithmetic(INTEGER '-7', 64)",
    -1,
    "integer",
    "corpus bitwise_right_shift_arithmetic",
  ],
  ["bit_count(-8, 64)", 61, "bigint", "corpus bit_count"],
  [
    "least(5, 4, 3, 2, 1, 2, 3, 4, 1, 5)",
    1,
    "integer",
    "corpus trino-a47e95d980fb (ten arguments)",
  ],
  [
    "(17.1E0) BETWEEN (17.1E0) AND (DOUBLE 'NaN')",
    false,
    "boolean",
    "corpus trino-a016ddddc5af (a comparison with NaN is false)",
  ],
  [
    "array_sort(ARRAY[2, null, BIGINT '3', 4, null, 1], (x, y) -> CASE WHEN x IS NULL THEN -1 WHEN y IS NULL THEN 1 WHEN x < y THEN 1 WHEN x = y THEN 0 ELSE -1 END)",
    [null, null, 4, 3, 2, 1],
    "array(bigint)",
    "corpus trino-ac9fd5fdbae0 (comparator lambda)",
  ],
  [
    "array_sort(ARRAY['a', 'bb', 'c'], (x, y) -> CASE WHEN length(x) < length(y) THEN 1 WHEN length(x) = length(y) THEN 0 ELSE -1 END)",
    ["bb", "a", "c"],
    "array(varchar)",
    "docs array: array_sort with a comparator (stable)",
  ],
  [
    "(MAP(ARRAY[1.0, 2.1], ARRAY[null, null])) != (MAP(ARRAY[1.0, 2.1], ARRAY[null, null]))",
    null,
    undefined,
    "corpus trino-0ad0a0d6368e (a NULL value makes map equality NULL)",
  ],
  [
    "MAP(ARRAY[1, 2], ARRAY[NULL, 3]) = MAP(ARRAY[1, 2], ARRAY[NULL, 4])",
    false,
    "boolean",
    "docs map: a known value that differs decides",
  ],
  // Intervals split into fields; sub-millisecond and two-digit-year corners of date and time.
  ["hour(INTERVAL '90061.234' SECOND)", 1, "bigint", "corpus trino-397ef06f1daa (hour)"],
  ["extract(day FROM INTERVAL '55' HOUR)", 2, "bigint", "corpus trino-48d07e19c697 (extract)"],
  ["millisecond(INTERVAL '90061.234' SECOND)", 234, "bigint", "docs datetime: millisecond"],
  [
    "date_parse('31-MAY-69 04.59.59.999000 AM', '%d-%b-%y %l.%i.%s.%f %p')",
    "2069-05-31 04:59:59.999",
    "timestamp",
    "corpus trino-0da2d1422bff (date_parse (%y pivot))",
  ],
  [
    "date_format(TIMESTAMP '2020-05-10 12:34:56.5555', '%Y-%m-%d %H:%i:%s.%f')",
    "2020-05-10 12:34:56.556000",
    "varchar",
    "corpus trino-494a17d4d2d3 (date_format (rounded to milliseconds))",
  ],
  [
    "CAST(TIMESTAMP '2020-05-10 12:34:56.11111' AS TIMESTAMP(1))",
    "2020-05-10 12:34:56.1",
    "timestamp",
    "corpus trino-01e054ec7d45 (CAST to TIMESTAMP(1))",
  ],
  [
    "to_iso8601(TIMESTAMP '2020-05-01 12:34:56')",
    "2020-05-01T12:34:56",
    "varchar",
    "corpus trino-4eb04fac5ee4 (to_iso8601 (precision 0))",
  ],
  [
    "to_iso8601(TIMESTAMP '2020-05-01 12:34:56.12345')",
    "2020-05-01T12:34:56.12345",
    "varchar",
    "corpus trino-45a889819b03 (to_iso8601 (precision 5))",
  ],
  [
    "format('%s', TIMESTAMP '123001-05-10 12:34:56.111')",
    "+123001-05-10T12:34:56.111",
    "varchar",
    "corpus trino-cf8b61f80939 (format (Java's year sign))",
  ],
  // IF(c, x) is IF(c, x, NULL) (docs conditional: "returns null" when false; DuckDB's parser refuses it).
  [
    "coalesce(IF(1 = 0, 'a'), 'none')",
    "none",
    "varchar",
    "docs conditional: if(condition, true_value)",
  ],
  [
    "IF(1 = 1, 'a,)') || 'IF(x, y)'",
    "a,)IF(x, y)",
    "varchar",
    "docs conditional: strings untouched",
  ],
  [
    "IF(1 = 1, IF(1 = 0, 1), 2)",
    null,
    "integer",
    "docs conditional: nested, the inner one two-argument",
  ],
  ["IF(true, IF(true, 1) + 100)", 101, "integer", "review: a nested IF(c, x) inside another"],
  ["IF(true, 1 + IF(true, 1))", 2, "integer", "review: nested, the outer one two-argument"],
  ["cardinality(IF(1 = 1, ARRAY[1, 2]))", 2, "bigint", "review: a comma inside brackets"],
  [
    "(SELECT listagg(ARRAY[x, 'z'][1]) WITHIN GROUP (ORDER BY x) FROM (VALUES ('a'), ('b')) t(x))",
    "ab",
    "varchar",
    "review: the separator defaults to '' even with a comma inside brackets",
  ],
  [
    "(SELECT listagg(DISTINCT x, ',') WITHIN GROUP (ORDER BY x) FROM (VALUES ('a'), ('a'), ('b')) t(x))",
    "a,b",
    "varchar",
    "Trino: listagg(DISTINCT ...)",
  ],
  [
    "CAST(INTERVAL '1' SECOND * -0.0004 AS varchar)",
    "0 00:00:00.000",
    "varchar",
    "Trino: (long) of -0.4 ms is 0, no sign",
  ],
  [
    "DATE '2024-01-31' + INTERVAL '1' MONTH * 2",
    "2024-03-31",
    "date",
    "Trino: date + interval year to month is a date",
  ],
  [
    "DATE '2024-01-31' - 2 * INTERVAL '1' DAY",
    "2024-01-29",
    "date",
    "Trino: date - interval day to second is a date",
  ],
  [
    "try_cast(INTERVAL '1' DAY AS varchar)",
    "1 00:00:00.000",
    "varchar",
    "review: TRY_CAST prints as CAST",
  ],
  [
    "try_cast(CAST(25.5 AS double) AS varchar)",
    "2.55E1",
    "varchar",
    "Trino: a double's text, also through TRY_CAST",
  ],
  [
    "CAST(INTERVAL '2' HOUR TO HOUR AS varchar)",
    "0 02:00:00.000",
    "varchar",
    "Trino: equal start and end fields",
  ],
  [
    "hour(CAST(from_iso8601_timestamp('2024-01-01T23:59:58Z') AS time))",
    23,
    "bigint",
    "Trino: CAST(timestamp with time zone AS time)",
  ],
  // listagg (Athena engine 3's added functions: listagg(value, ',') WITHIN GROUP (ORDER BY value)).
  [
    "(SELECT listagg(x, ',') WITHIN GROUP (ORDER BY x) FROM (VALUES ('a'), ('c'), (NULL), ('b')) t(x))",
    "a,b,c",
    "varchar",
    "Athena engine 3 docs: listagg, NULLs skipped",
  ],
  [
    "(SELECT listagg(x) WITHIN GROUP (ORDER BY x DESC) FROM (VALUES ('a'), ('c'), ('b')) t(x))",
    "cba",
    "varchar",
    "Trino: the separator defaults to ''",
  ],
  [
    "(SELECT listagg(x, ',') WITHIN GROUP (ORDER BY x) FROM (VALUES ('a')) t(x) WHERE false)",
    null,
    "varchar",
    "Trino: no rows is NULL",
  ],
  // Intervals print as Trino prints them (IntervalDayTime.formatMillis, IntervalYearMonth.formatMonths).
  [
    "TIMESTAMP '2024-01-08 00:00:00' - TIMESTAMP '2024-01-01 00:02:05'",
    "6 23:57:55.000",
    "interval day to second",
    "Trino: timestamp - timestamp is an interval day to second, D HH:MM:SS.mmm",
  ],
  [
    "CAST(TIMESTAMP '2024-01-01 00:00:00' - TIMESTAMP '2024-01-08 00:02:05.5' AS varchar)",
    "-7 00:02:05.500",
    "varchar",
    "Trino: the sign before the days",
  ],
  [
    "parse_datetime('2024-01-01T10:00:00Z', 'yyyy-MM-dd''T''HH:mm:ss''Z''')",
    "2024-01-01 10:00:00.000 UTC",
    "timestamp with time zone",
    "docs datetime: parse_datetime → timestamp with time zone (Athena's session zone UTC)",
  ],
  [
    "parse_datetime('2024-01-01 10:00 +00:00', 'yyyy-MM-dd HH:mm ZZ')",
    "2024-01-01 10:00:00.000 UTC",
    "timestamp with time zone",
    "Joda: a zero offset is the zone UTC",
  ],
  [
    "INTERVAL '14' MONTH",
    "1-2",
    "interval year to month",
    "Trino: a year-to-month interval's type",
  ],
  [
    "INTERVAL '3' DAY",
    "3 00:00:00.000",
    "interval day to second",
    "Trino: a day-to-second interval's type",
  ],
  ["CAST(INTERVAL '-14' MONTH AS varchar)", "-1-2", "varchar", "Trino: year to month Y-M"],
  ["CAST(INTERVAL '-2' MONTH AS varchar)", "-0-2", "varchar", "Trino: the sign of -2 months kept"],
  [
    "CAST(INTERVAL '12' DAY TO SECOND AS varchar)",
    "12 00:00:00.000",
    "varchar",
    "corpus trino-0a8eceb469cd",
  ],
  [
    "CAST(INTERVAL '12 10' DAY TO MINUTE AS varchar)",
    "12 10:00:00.000",
    "varchar",
    "corpus trino-1280953bc460",
  ],
  [
    "TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '-1 02:03:04.5' DAY TO SECOND",
    "2023-12-30 21:56:55.500",
    "timestamp",
    "Trino: a day-to-second literal with every field",
  ],
];

/** [expression, what the error must say, source] */
const errors: [string, RegExp, string][] = [
  [
    "split_to_multimap('key==value', ',', '=')",
    /Key-value delimiter must appear exactly once in each entry\. Bad input: key==value/,
    "corpus trino-ae56bfe2ff9b (split_to_multimap)",
  ],
  [
    "split_to_multimap('a=123,b=.4,c=', '=', '=')",
    /entryDelimiter and keyValueDelimiter must not be the same/,
    "corpus trino-b50e2be9ec1e (split_to_multimap)",
  ],
  ["ngrams(ARRAY[1], 0)", /N must be positive/, "Trino ArrayNgramsFunction"],
  ["chr(-1)", /Not a valid Unicode code point: -1/, "corpus (chr)"],
  // DuckDB keeps microseconds: it cut a digit past the sixth, which Trino rounds or keeps.
  [
    "CAST('2020-01-01 00:00:00.1234567' AS timestamp(9))",
    /a timestamp with a digit past the sixth is not supported locally/,
    "Trino VarcharToTimestamp: timestamp(9) keeps .123456700",
  ],
  [
    "TIMESTAMP '2020-01-01 00:00:00.1234567'",
    /a timestamp with a digit past the sixth is not supported locally/,
    "Trino: a timestamp(7) literal",
  ],
  // Reviewed against Trino's SignatureBinder: a decimal state the step widens grows a digit each
  // round; it was 2 (the elements' type), then 1.5.
  [
    "reduce(ARRAY[1, 2], 0, (s, x) -> s + x * 0.5, s -> s)",
    /reduce whose step widens a decimal state .* is not supported locally/,
    "Trino SignatureBinder: a decimal state that does not settle",
  ],
  [
    "(SELECT CAST(max(c) AS timestamp) FROM (VALUES '2020-01-01T00:00:00Z') t(c))",
    /Value cannot be cast to timestamp: 2020-01-01T00:00:00Z/,
    "Trino VarcharToTimestamp: an aggregate's text as strictly as a column's",
  ],
  [
    "cosine_similarity(map(ARRAY[1], ARRAY[1.0E0]), map(ARRAY[1], ARRAY[1.0E0]))",
    /Unexpected parameters \(map\(integer, double\), map\(integer, double\)\) for function cosine_similarity/,
    "Trino MathFunctions.cosineSimilarity(map(varchar,double), map(varchar,double))",
  ],
  ["chr(55296)", /Not a valid Unicode code point: 55296/, "Trino: a surrogate is not a code point"],
  // The entries are found left to right: 'a=1' then ';', not 'a=1;' with the text's last ';;' cut.
  [
    "split_to_multimap('a=1;;;', ';;', '=')",
    /exactly once in each entry\. Bad input: ;$/,
    "Trino SplitToMultimapFunction (indexOf scan)",
  ],
  ["split_to_multimap('a=1aaa', 'aa', '=')", /Bad input: a$/, "Trino SplitToMultimapFunction"],
  [
    "to_milliseconds(5)",
    /Unexpected parameters \(integer\) for function to_milliseconds/,
    "Trino: no to_milliseconds(integer)",
  ],
  [
    "wilson_interval_lower(10, 5, 2.575)",
    /number of successes must not be larger than number of trials/,
    "corpus (wilson_interval_lower)",
  ],
  ["wilson_interval_upper(0, 0, 2.575)", /number of trials must be positive/, "corpus"],
  ["wilson_interval_upper(0, 100, -1)", /z-score must not be negative/, "corpus"],
  [
    "map_concat(map(ARRAY[1], ARRAY[2]))",
    /There must be two or more concatenation arguments to map_concat/,
    "Trino MapConcatFunction",
  ],
  [
    "multimap_from_entries(ARRAY[(1, 'a'), (null, 'b')])",
    /map key cannot be null/,
    "Trino MultimapFromEntriesFunction",
  ],
  [
    "multimap_from_entries(ARRAY[(1, 'a'), null])",
    /map entry cannot be null/,
    "Trino MultimapFromEntriesFunction",
  ],
  [
    "trim_array(ARRAY[1], 2)",
    /size must not exceed array cardinality 1: 2/,
    "Trino ArrayTrimFunction",
  ],
  ["parse_duration('1f')", /Unknown time unit: f/, "corpus trino-7f8bae1afbea (parse_duration)"],
  [
    "parse_duration('abc')",
    /duration is not a valid data duration string: abc/,
    "corpus trino-97cc72827ddb (parse_duration)",
  ],
  [
    "to_milliseconds(INTERVAL '1' MONTH)",
    /Unexpected parameters \(interval year to month\) for function to_milliseconds/,
    "Trino has no to_milliseconds of a year-to-month interval",
  ],
  [
    "(SELECT avg(x) FROM (VALUES (DECIMAL '0.05'), (DECIMAL '0.10')) t(x))",
    /avg of a decimal whose scale the query does not show is not supported locally/,
    "Trino averages a decimal as a decimal (0.08); refused rather than answered as a double (0.075)",
  ],
  ...["$.x-amz-acl", "$.a[*]", "$.a[-1]", "$.a b", "$[''a'']", " $.a", "$.", '$["a\\n"]'].map(
    (p) =>
      [
        `json_extract_scalar('{"a":1}', '${p}')`,
        /Invalid JSON path/,
        'Trino JsonPathTokenizer: letters, digits, _ and : after a dot; [name] or ["quoted"]',
      ] as [string, RegExp, string],
  ),
  // DuckDB's type names (INTEGER) are not Trino's (integer, varchar(3)): refused, never wrong.
  ["typeof(1)", /typeof is not supported locally/, "docs: typeof"],
  [
    "INTERVAL '1 2 3' DAY TO SECOND",
    /Invalid INTERVAL DAY TO SECOND value/,
    "Trino: a day-time literal",
  ],
  [
    "parse_datetime('2024-01-01 10:00:00 +05', 'yyyy-MM-dd HH:mm:ss Z')",
    /offset other than Z/,
    "review: an hour-only offset",
  ],
  [
    "parse_datetime('2024-01-01 10:00:00 -08:00:00', 'yyyy-MM-dd HH:mm:ss ZZ')",
    /offset other than Z/,
    "review: an offset with seconds",
  ],
  [
    "parse_datetime('Mon Jan 01 10:00:00 +0530 2024', 'EEE MMM dd HH:mm:ss Z yyyy')",
    /offset other than Z/,
    "review: the offset not last",
  ],
  [
    "INTERVAL '1' MONTH / 2",
    /year-to-month interval divided/,
    "Trino: IntervalYearMonthOperators.divideByDouble keeps whole months",
  ],
  [
    "INTERVAL '1' MONTH * 1.5",
    /year-to-month interval divided/,
    "Trino: multiplyByDouble keeps whole months",
  ],
  [
    "(SELECT listagg(n, ',') WITHIN GROUP (ORDER BY n) FROM (VALUES (2), (10)) t(n))",
    /listagg of a INTEGER value/,
    "Trino: listagg(varchar, varchar)",
  ],
  [
    "parse_datetime('2024-01-01 10:00 +02:00', 'yyyy-MM-dd HH:mm ZZ')",
    /offset other than Z or \+00:00 is not supported locally/,
    "Trino keeps the parsed offset as the zone; the local engine keeps UTC instants",
  ],
  ["url_decode('%zz')", /INVALID_FUNCTION_ARGUMENT: URLDecoder/, "UrlFunctions: URLDecoder throws"],
  // The subscript operator fails out of range (docs array: "element_at ... returns NULL, whereas
  // the subscript operator would fail"); DuckDB answers NULL or counts from the end.
  [
    "split('arn:aws:iam::1:user/alice', '/')[3]",
    /Array subscript must be less than or equal to array length: 3 > 2/,
    "docs array: subscript operator",
  ],
  ["ARRAY[1, 2][0]", /SQL array indices start at 1/, "docs array: subscript operator"],
  ["ARRAY[1, 2][-1]", /Array subscript is negative: -1/, "docs array: subscript operator"],
  [
    "(WITH t AS (SELECT ARRAY[1] AS resources) SELECT resources[2] FROM t)",
    /Array subscript must be less than or equal to array length: 2 > 1/,
    "docs array: subscript operator, on the resources column's name",
  ],
  // SQL/JSON path functions: DuckDB's read another path syntax (false or NULL for Trino's).
  ["json_exists('{\"a\":1}', 'lax $.a')", /json_exists is not supported locally/, "docs json"],
  ["json_value('{\"a\":1}', 'lax $.a')", /json_value is not supported locally/, "docs json"],
  ["regexp_replace('a', 'a', 'b', 'c')", /takes two or three arguments/, "docs regexp: 2 or 3"],
  // '' from a group that may be skipped but can also match '': ambiguous locally, so an error.
  ["regexp_extract('ab', '(x*)|(b)', 1)", /not supported locally/, "docs regexp: regexp_extract"],
  // Athena rejects the ISO text of eventtime in a CAST (issue 11); DuckDB would take it.
  [
    "CAST('2020-05-10T12:34:56Z' AS TIMESTAMP)",
    /INVALID_CAST_ARGUMENT/,
    "corpus CAST (Value cannot be cast to timestamp)",
  ],
  [
    "DATE '2001-01-22' + INTERVAL '3' HOUR",
    /Cannot add hour, minutes or seconds to a date/,
    "corpus operator +",
  ],
  ["element_at(ARRAY[1, 2], 0)", /SQL array indices start at 1/, "docs array: element_at"],
  ["5 / 0", /Division by zero/, "corpus operator / (DIVISION_BY_ZERO)"],
  ["5 % 0", /Division by zero/, "corpus operator % (DIVISION_BY_ZERO)"],
  ["DECIMAL '5.0' % 0", /Division by zero/, "corpus mod (DIVISION_BY_ZERO)"],
  ["DECIMAL '5.0' / 0", /Division by zero/, "corpus operator / (DIVISION_BY_ZERO)"],
  [
    "date_add('fortnight', 1, DATE '2020-01-01')",
    /not a valid DATE field/,
    "docs datetime: date_add units",
  ],
  [
    "date_add('fortnight', 1, TIMESTAMP '2020-01-01 00:00:00')",
    /not a valid TIMESTAMP field/,
    "docs datetime: date_add units",
  ],
  [
    "round(SMALLINT '32767', -3)",
    /out of range|NUMERIC_VALUE_OUT_OF_RANGE/i,
    "corpus round (NUMERIC_VALUE_OUT_OF_RANGE)",
  ],
  [
    "date_format(TIMESTAMP '2020-01-02 03:04:05', '%U')",
    /%U not supported/,
    "corpus date_format (%U not supported)",
  ],
  ["date_format(DATE '2001-01-09', '%D')", /%D not supported/, "corpus trino-3ba475898cc0"],
  [
    "format_datetime(TIMESTAMP '2020-01-02 03:04:05.678', 'S')",
    /not supported locally/,
    "Joda S: one fraction digit",
  ],
  ["split_part('abc', '', 0)", /Index must be greater than zero/, "corpus trino-51d00ce9024f"],
  // StringFunctions.split checks the delimiter (the two-argument form calls it with a limit of
  // the length + 1); it split into characters, or with a limit of 1 answered ['a.b.c'].
  [
    "split('a.b.c', '', 1)",
    /The delimiter may not be the empty string/,
    "TestStringFunctions.testSplit",
  ],
  ["split('abc', '')", /The delimiter may not be the empty string/, "StringFunctions.split"],
  ["split('a.b.c', '.', 2147483648)", /Limit is too large/, "TestStringFunctions.testSplit"],
  ["slice(ARRAY[1, 2], 0, 1)", /SQL array indices start at 1/, "docs array: slice"],
  ["strpos('abc/xyz/foo/bar', '/', 0)", /instance/, "corpus trino-659bf52810bb (strpos)"],
  [
    "CAST(json_extract('{\"a\":[1]}', '$.a') AS varchar)",
    /Cannot cast/,
    "docs json: only scalars cast to varchar",
  ],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Java's ${name} replacement syntax
  ["regexp_replace('xxx', '(?<name>x)', '${nam}')", /no group named/, "corpus trino-81c27e910523"],
  ["soundex('jąmes')", /not mapped/, "corpus trino-ae89ca33614f"],
  [
    "map(ARRAY[ARRAY[NULL]], ARRAY[2])",
    /map key cannot be indeterminate/,
    "corpus trino-30dfb503e0a8",
  ],
  [
    // A constant keeps its zone (the zoned rows below); text the rewrite cannot see is refused.
    "from_iso8601_timestamp(s) FROM (VALUES ('2001-08-22T03:04:05.321+07:09')) AS t(s)",
    /not supported locally/,
    "corpus trino-11470cf3c204 (Trino keeps the +07:09 zone)",
  ],
  [
    "array_sort(ARRAY[1, 2], (x, y) -> -1)",
    /not consistent/,
    "docs array: the comparator must be consistent",
  ],
  ["bit_count(33554132, 25)", /cannot be represented with 25 bits/, "corpus bit_count"],
  ["from_base('9223372036854775808', 10)", /Not a valid base-10 number/, "corpus from_base"],
  ["width_bucket(3.14E0, -1, nan(), 3)", /second bound must be finite/, "corpus width_bucket"],
  [
    "contains(ARRAY[ARRAY[1.1, NULL]], ARRAY[1.1, NULL])",
    /NOT_SUPPORTED/,
    "corpus trino-d8e641c97f87",
  ],
  ["array_position(ARRAY[ARRAY[NULL]], ARRAY[1])", /NOT_SUPPORTED/, "corpus trino-276be4544de6"],
  [
    "array_remove(ARRAY[ARRAY[CAST(1 AS BIGINT)]], ARRAY[CAST(NULL AS BIGINT)])",
    /NOT_SUPPORTED/,
    "corpus trino-f13ddf7e9447",
  ],
  [
    "array_join(ARRAY[ARRAY[1], ARRAY[2]], '-')",
    /OPERATOR_NOT_FOUND/,
    "corpus trino-06b42d054e12 (array_join)",
  ],
  [
    "repeat(array[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 9999)",
    /1000000 bytes/,
    "corpus trino-d24879c909eb (repeat)",
  ],
  [
    'json_array_get(\'["as", "fgs"]\', 1)',
    /not supported locally/,
    "corpus trino-92b62c5ad5ff (Trino: JSON fgs, unquoted)",
  ],
  [
    "json_size('{\"\":\"\"}', CHAR ' ')",
    /Invalid JSON path/,
    "corpus trino-193eb0b9e421 (json_size)",
  ],
  [
    "from_iso8601_timestamp('115023-03-21T10:45:30.00Z')",
    /Millis overflow/,
    "corpus trino-1b85da3f10af (from_iso8601_timestamp)",
  ],
  [
    "CAST('2020-05-10T12:34:56' AS TIMESTAMP(0))",
    /INVALID_CAST_ARGUMENT/,
    "corpus trino-134b2dc38d4c (CAST (TIMESTAMP(0)))",
  ],
  [
    "CAST(ARRAY[nan()] AS JSON)",
    /not supported locally/,
    'corpus trino-7942ab30bdd9 (Trino: [3.14,"NaN",...])',
  ],
  // A decimal (or double) element whose type the tree does not show: refused, not made a double.
  [
    "(SELECT ARRAY[1.5] || c FROM (VALUES 2.5) t(c))",
    /Cannot concatenate types DECIMAL\(2,1\)\[\] and DECIMAL\(2,1\)/,
    "Trino: [1.5, 2.5] as decimal(2,1) (not supported locally)",
  ],
  // Trino's CHAR is at most 65,536 long (CharType.MAX_LENGTH) and concat(char(x), char(y)) is
  // char(x + y): past that the type does not exist and the query fails (DuckDB padded 80,000).
  [
    "concat(cast('ab ' as char(40000)), cast('' as char(40000)))",
    /TYPE_NOT_FOUND: Unknown type: char\(80000\)/,
    "corpus trino-7e758f6aa790 (concat)",
  ],
  [
    "cast('a' as char(65537))",
    /TYPE_NOT_FOUND: Unknown type: char\(65537\)/,
    "Trino CharType: CHAR length must be in range [0, 65536]",
  ],
  // A literal beside a CHAR is char(its length) (varchar(3) to char(3), corpus trino-97c90333eb90);
  // `a || b || c` is concat(concat(a, b), c): 65,535 + 2 (the literal) + 0.
  [
    "cast('a' as char(65535)) || 'bc' || cast('' as char(0))",
    /TYPE_NOT_FOUND: Unknown type: char\(65537\)/,
    "Trino StringFunctions.concat(char(x), char(y)): char(x + y)",
  ],
  [
    "cast('a' as char(40000)) || (cast('b' as char(20000)) || cast('c' as char(6000)))",
    /TYPE_NOT_FOUND: Unknown type: char\(66000\)/,
    "Trino StringFunctions.concat(char(x), char(y)): char(x + y)",
  ],
];

/**
 * TIMESTAMP WITH TIME ZONE in a zone other than UTC: local time and zone kept, printed as Trino
 * prints them; fields of the local time; comparison and day-to-second arithmetic by instant.
 */
const zoned: [string, unknown, string | undefined, string][] = [
  [
    "from_unixtime(7200, 'America/New_York')",
    "1969-12-31 21:00:00.000 America/New_York",
    "timestamp with time zone",
    "corpus trino-fd39dedb0839",
  ],
  [
    "from_unixtime(980172245, 1, 10)",
    "2001-01-22 15:14:05.000 +01:10",
    "timestamp with time zone",
    "corpus trino-9563ca44a722",
  ],
  [
    "with_timezone(TIMESTAMP '2020-05-01 12:34:56.1', 'America/Los_Angeles')",
    "2020-05-01 12:34:56.1 America/Los_Angeles",
    "timestamp with time zone",
    "corpus trino-eac09362d3ff (precision 1 prints one digit)",
  ],
  [
    "at_timezone(TIMESTAMP '2020-05-01 12:34:56 +07:09', INTERVAL '03:04' HOUR TO MINUTE)",
    "2020-05-01 08:29:56 +03:04",
    "timestamp with time zone",
    "corpus trino-2c5b7f57f5aa",
  ],
  [
    "from_iso8601_timestamp('2001-08-22T03:04:05.321+07:09')",
    "2001-08-22 03:04:05.321 +07:09",
    "timestamp with time zone",
    "corpus trino-11470cf3c204",
  ],
  [
    "to_iso8601(TIMESTAMP '2020-11-01 07:00:00.12 UTC' AT TIME ZONE 'America/Chicago')",
    "2020-11-01T01:00:00.12-06:00",
    "varchar",
    "corpus trino-59e7af56f970",
  ],
  [
    "CAST(TIMESTAMP '1500-05-01 12:34:56.12 Asia/Kathmandu' AS VARCHAR)",
    "1500-05-01 12:34:56.12 Asia/Kathmandu",
    "varchar",
    "corpus trino-17f651538e6e",
  ],
  [
    "hour(TIMESTAMP '2020-05-10 12:34:56.1 Asia/Kathmandu')",
    12,
    "bigint",
    "corpus trino-992a04daadaf",
  ],
  [
    "timezone_minute(TIMESTAMP '2020-05-10 12:34:56 -08:35')",
    -35,
    "bigint",
    "corpus trino-b1f81cb80dfd",
  ],
  [
    "TIMESTAMP '2020-05-01 11:33:56.1 +04:44' = TIMESTAMP '2020-05-01 12:34:56.1 Asia/Kathmandu'",
    true,
    "boolean",
    "corpus trino-0232e525ee77 (equal instants in two zones)",
  ],
  [
    "least(TIMESTAMP '2001-01-02 03:04:05.321 +07:09', TIMESTAMP '2001-01-02 01:04:05.321 +02:09')",
    "2001-01-02 03:04:05.321 +07:09",
    "timestamp with time zone",
    "corpus trino-cdca7dabe75d (by instant)",
  ],
  [
    "date_trunc('week', TIMESTAMP '2020-05-10 12:34:56 Asia/Kathmandu')",
    "2020-05-04 00:00:00 Asia/Kathmandu",
    "timestamp with time zone",
    "corpus trino-2f5ad5209a60",
  ],
  [
    "date_add('millisecond', 1, TIMESTAMP '2020-05-10 12:34:56.10 Asia/Kathmandu')",
    "2020-05-10 12:34:56.10 Asia/Kathmandu",
    "timestamp with time zone",
    "corpus trino-26a25a928063 (the precision keeps two digits)",
  ],
  [
    "date_diff('day', TIMESTAMP '2001-01-31 19:34:55 Europe/Warsaw', TIMESTAMP '2005-09-10 13:31:00 Europe/Warsaw')",
    1682,
    "bigint",
    "corpus trino-832bc053495c",
  ],
  [
    "TIMESTAMP '2020-05-01 12:34:56 Asia/Kathmandu' - INTERVAL '1.123' SECOND",
    "2020-05-01 12:34:54.877 Asia/Kathmandu",
    "timestamp with time zone",
    "corpus trino-2458bc8b5941 (precision 3 after a day-to-second interval)",
  ],
  [
    "(INTERVAL '3' year) + (TIMESTAMP '2001-1-22 03:04:05.321 +05:09')",
    "2004-01-22 03:04:05.321 +05:09",
    "timestamp with time zone",
    "corpus trino-48bb61514462",
  ],
  [
    "format_datetime(TIMESTAMP '2020-05-10 12:34:56.55555 Asia/Kathmandu', 'yyyy-MM-dd HH:mm:ss.SSS Z')",
    "2020-05-10 12:34:56.556 +0545",
    "varchar",
    "corpus trino-68bef2bcbc51",
  ],
  [
    "format('%s', TIMESTAMP '-12001-05-10 12:34:56.5 Asia/Kathmandu')",
    "-12001-05-10T12:34:56.500+05:41:16[Asia/Kathmandu]",
    "varchar",
    "corpus trino-264426165269 (local mean time before 1920)",
  ],
  [
    "to_unixtime(TIMESTAMP '2020-05-10 12:34:56.123 Asia/Kathmandu')",
    1589093396.123,
    "double",
    "corpus trino-0f237dcd3e28",
  ],
  // A login at 14:30 UTC in January is 09:30 in New York (UTC-5): business hours in local time.
  [
    "hour(from_iso8601_timestamp('2024-01-15T14:30:00Z') AT TIME ZONE 'America/New_York')",
    9,
    "bigint",
    "docs datetime: AT TIME ZONE",
  ],
  ["current_timezone()", "UTC", "varchar", "docs datetime: current_timezone (Athena: UTC)"],
  // A zone-less timestamp(2) keeps its precision too.
  [
    "date_add('millisecond', 1, TIMESTAMP '2020-05-10 12:34:56.55')",
    "2020-05-10 12:34:56.550",
    "timestamp",
    "corpus trino-2b29fc6212c1",
  ],
  // CAST(x AS timestamp) is timestamp(3) whatever the text's digits (only a literal's are its own).
  [
    "date_add('millisecond', 500, CAST('2024-01-01 00:00:00' AS timestamp))",
    "2024-01-01 00:00:00.500",
    "timestamp",
    "Trino: timestamp means timestamp(3)",
  ],
  [
    "CAST('2020-05-10 12:34:56.1236' AS timestamp) = TIMESTAMP '2020-05-10 12:34:56.124'",
    true,
    "boolean",
    "Trino: timestamp means timestamp(3), rounded half up",
  ],
  [
    "(SELECT array_agg(try(CAST(c AS timestamp)) ORDER BY c) FROM (VALUES '2020-01-01 00:00:00.1236', 'bad') t(c))",
    ["2020-01-01 00:00:00.124", null],
    "array(timestamp)",
    "Trino: try of a bad cast is NULL",
  ],
  [
    "to_iso8601(CAST('2024-01-01 00:00:00' AS timestamp))",
    "2024-01-01T00:00:00.000",
    "varchar",
    "Trino: timestamp means timestamp(3)",
  ],
  // Trino's Timestamps.round: floorDiv(micros + 500, 1000), exact in whole microseconds (a double
  // division rounded .000499 up after about 2255, and 23:59:59.9995 before 1970 is the next day).
  [
    "ARRAY[CAST('2300-01-01 00:00:00.000499' AS timestamp), CAST('2300-01-01 00:00:00.0005' AS timestamp), CAST('1969-12-31 23:59:59.9995' AS timestamp), CAST('1969-12-31 23:59:59.999499' AS timestamp)]",
    [
      "2300-01-01 00:00:00.000",
      "2300-01-01 00:00:00.001",
      "1970-01-01 00:00:00.000",
      "1969-12-31 23:59:59.999",
    ],
    "array(timestamp)",
    "Trino Timestamps.round: half up in whole microseconds",
  ],
  [
    "(SELECT array_agg(TRY_CAST(c AS timestamp) ORDER BY c) FROM (VALUES '2020-01-01 00:00:00.1236', '2020-01-01T00:00:00Z', 'bad') t(c))",
    ["2020-01-01 00:00:00.124", null, null],
    "array(timestamp)",
    "Trino: try_cast is timestamp(3), NULL for text its CAST refuses",
  ],
  [
    "(SELECT CAST(max(c) AS timestamp) FROM (VALUES '2020-01-01 00:00:00.1236') t(c))",
    "2020-01-01 00:00:00.124",
    "timestamp",
    "Trino: timestamp means timestamp(3), an aggregate's too",
  ],
  // VarcharToTimestamp: the zone is checked, the local time kept, rounded to milliseconds.
  [
    "CAST('2024-01-01 00:00:00.1236 Asia/Tokyo' AS timestamp)",
    "2024-01-01 00:00:00.124",
    "timestamp",
    "Trino VarcharToTimestamp: a zone in the text leaves the local time",
  ],
];

describe("a timestamp column prints its precision's fraction digits, as Athena does", () => {
  it("prints a literal's digits and CAST(... AS timestamp(p))'s, three otherwise", async () => {
    const r = await engine().runAthenaSql(
      "SELECT TIMESTAMP '2024-01-01 00:00:00.1236', CAST('2024-01-01 00:00:00.123456' AS timestamp(6)), CAST('1969-12-31 23:59:59.5' AS timestamp(1)), TIMESTAMP '2024-01-01 00:00:01', CAST('2024-01-01 00:00:00.1236' AS timestamp)",
      [],
    );
    // Trino's text of each (timestamp(4), (6), (1), (0) and (3)); they printed three digits.
    expect(r.rows[0]).toEqual([
      "2024-01-01 00:00:00.1236",
      "2024-01-01 00:00:00.123456",
      "1969-12-31 23:59:59.5",
      "2024-01-01 00:00:01",
      "2024-01-01 00:00:00.124",
    ]);
    // Below six digits, the microseconds DuckDB keeps round as Trino rounds the whole text.
    const rounded = await engine().runAthenaSql(
      "SELECT CAST('2020-01-01 00:00:00.1234567' AS timestamp(5))",
      [],
    );
    expect(rounded.rows[0]).toEqual(["2020-01-01 00:00:00.12346"]);
    // To six, the seventh digit rounds half up (DuckDB cut it).
    const six = await engine().runAthenaSql(
      "SELECT CAST('2020-01-01 00:00:00.1234567' AS timestamp(6)), CAST('2020-01-01 00:00:00.1234564' AS timestamp(6))",
      [],
    );
    expect(six.rows[0]).toEqual(["2020-01-01 00:00:00.123457", "2020-01-01 00:00:00.123456"]);
    // A Trino timestamp(3) expression holds microseconds here: its digits past the third are not
    // Trino's (.123000), so they are not printed; nor is a seventh digit DuckDB did not keep.
    const kept = await engine().runAthenaSql(
      "SELECT CAST(from_iso8601_timestamp('2020-01-01T00:00:00.123456Z') AS timestamp(6))",
      [],
    );
    expect(String(kept.rows[0]?.[0])).not.toMatch(/456/);
  });
});

describe("Trino's answers for the wrong answers found on real data (issue 11)", () => {
  it.each([...values, ...zoned])("%s = %j", async (expr, expected, type) => {
    const got = await one(expr);
    expect(got.value).toEqual(expected);
    if (type) expect(got.type).toBe(type);
  });

  it.each(errors)("%s fails as in Trino", async (expr, message) => {
    await expect(one(expr)).rejects.toThrow(message);
  });

  it("rejects two string literals on consecutive lines (a missing comma), as Trino does", async () => {
    const sql = "SELECT 'GetBucketAcl' IN ('GetBucketPolicy'\n'GetBucketAcl')";
    // Refused by the Athena check (@run-md/sql) that every sql step passes before it runs.
    await expect(step(sql)).rejects.toThrow(/line 2:1: two adjacent string literals/);
    // With the comma the list has two elements and matches.
    const ok = await step("SELECT 'GetBucketAcl' IN ('GetBucketPolicy',\n'GetBucketAcl')");
    expect(ok.rows[0]?.[0]).toBe(true);
  });

  it.each([
    ["SELECT x FROM (VALUES 1, 2, 3) t(x)", [[1], [2], [3]]],
    ["WITH s(ip) AS (VALUES '1.2.3.4', 'a,b' /* c */) SELECT ip FROM s", [["1.2.3.4"], ["a,b"]]],
    ["SELECT y FROM (VALUES ROW(1, 'a'), ROW(2, 'b')) t(x, y)", [["a"], ["b"]]],
    ["SELECT y FROM (VALUES (1, 'a'), (2, 'b')) t(x, y)", [["a"], ["b"]]],
    ["SELECT x FROM (VALUES (1) + 2, ARRAY[4][1]) t(x)", [[3], [4]]],
    ["SELECT x FROM (VALUES 3, 1, 2 ORDER BY 1 LIMIT 2) t(x)", [[1], [2]]],
    [
      "SELECT n, s FROM (VALUES ((1, 'a')), (ROW(2, 'b')), (((3, 'c')))) t(n, s)",
      [
        [1, "a"],
        [2, "b"],
        [3, "c"],
      ],
    ],
    ["SELECT x FROM (VALUES (1), ((2)), ((1) + 2)) t(x)", [[1], [2], [3]]],
  ])(
    "takes VALUES rows written as single expressions (docs: VALUES 1, 2, 3): %s",
    async (sql, rows) => {
      expect((await step(sql)).rows).toEqual(rows);
    },
  );

  it("lists a multimap's keys in the order they first came, as Trino's MultimapFromEntriesFunction", async () => {
    const r = await step(
      "SELECT multimap_from_entries(ARRAY[('z', 1), ('b', 2), ('z', 3), ('m', 4), ('b', 5)])",
    );
    const map = r.rows[0]?.[0] as Record<string, number[]>;
    expect(Object.keys(map)).toEqual(["z", "b", "m"]);
    expect(map).toEqual({ z: [1, 3], b: [2, 5], m: [4] });
  });

  it("writes a zero in a year-to-month column as 0-0, as Trino's type says", async () => {
    const r = await step(
      "SELECT x FROM (VALUES (INTERVAL '1' MONTH), (INTERVAL '0' MONTH), (INTERVAL '-13' MONTH)) t(x)",
    );
    expect(r.columns[0]?.type).toBe("interval year to month");
    expect(r.rows).toEqual([["0-1"], ["0-0"], ["-1-1"]]);
  });

  it("keeps aggregates working inside the type-dependent functions and operators", async () => {
    // DuckDB binds a typed macro's arguments before aggregates: these take the untyped forms.
    const r = await step(
      `SELECT avg(x) / 2, sum(x) / count(*), to_iso8601(max(t)), date_trunc('day', max(t)), round(max(x), -1), hour(max(t)), millisecond(max(t + INTERVAL '0.25' SECOND))
       FROM (SELECT x, TIMESTAMP '2020-01-01 00:00:00' + x * INTERVAL '1' HOUR AS t FROM unnest(ARRAY[1, 2, 15]) AS u(x))`,
    );
    // Trino: avg is a double (6.0 / 2), bigint / bigint divides as integers (18 / 3), round keeps the type.
    expect(r.rows[0]).toEqual([
      3,
      6,
      "2020-01-01T15:00:00.000",
      "2020-01-01 00:00:00.000",
      20,
      15,
      250,
    ]);
    expect(r.columns.map((c) => c.type)).toEqual([
      "double",
      "bigint",
      "varchar",
      "timestamp",
      "integer",
      "bigint",
      "bigint",
    ]);
    // format's %s of an aggregate: Java's text of the Long, the Double and the LocalDateTime.
    const f = await step(
      `SELECT format('%s of %s, avg %s, last %s', count(*), 3, avg(x), max(TIMESTAMP '2020-05-10 12:34:56.1' + x * INTERVAL '1' SECOND))
       FROM unnest(ARRAY[1, 2]) AS u(x)`,
    );
    expect(f.rows).toEqual([["2 of 3, avg 1.5, last 2020-05-10T12:34:58.100"]]);
  });

  it("runs a dialect=duckdb step as DuckDB SQL, without the Trino rewrite, still sandboxed", async () => {
    // Trino: repeat('x', 3) is an array and 5 / 2 = 2; DuckDB: a string and 2.5.
    const athena = await step("SELECT repeat('x', 3), 5 / 2");
    expect(athena.rows[0]).toEqual([["x", "x", "x"], 2]);
    const duck = await step(
      "SELECT repeat('x', 3), 5 / 2, CAST('ab' AS VARCHAR(1)), count(*) FROM cloudtrail_logs",
      "duckdb",
    );
    expect(duck.rows[0]).toEqual(["xxx", 2.5, "ab", 0]);
    expect(duck.columns.map((c) => c.type)).toEqual(["varchar", "double", "varchar", "bigint"]);
    // DuckDB's regexp_replace: its options argument, and \1 for a group (Java's syntax is Trino's).
    const replaced = await step(
      "SELECT regexp_replace('abcb', 'b', 'X', 'g'), regexp_replace('abc', '(b)', '<\\1>')",
      "duckdb",
    );
    expect(replaced.rows[0]).toEqual(["aXcX", "a<b>c"]);
    // The sandbox still holds: no file reads, whatever the dialect.
    await expect(step("SELECT * FROM read_csv('/etc/passwd')", "duckdb")).rejects.toThrow(
      /read_csv/,
    );
  });

  it("percentages over a window keep Trino's decimal arithmetic", async () => {
    // count(*) * 100.0 / sum(count(*)) OVER (): 4 of 13 rows is 30.8 in Trino (decimal, scale 1).
    const r = await step(
      "SELECT k, count(*) * 100.0 / sum(count(*)) OVER () AS pct FROM (SELECT CASE WHEN x < 4 THEN 'a' ELSE 'b' END AS k FROM unnest(sequence(0, 12)) AS t(x)) GROUP BY k ORDER BY k",
    );
    expect(r.rows).toEqual([
      ["a", 30.8],
      ["b", 69.2],
    ]);
  });
});

/**
 * Java's Double.toString (JDK 19 on: the shortest digits that read back as the same double, as
 * JavaScript's): plain between 10^-3 and 10^7 with at least one fraction digit, else d.dddEn.
 */
function javaDouble(v: number): string {
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const [mantissa = "", exp = "0"] = Math.abs(v).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const e = Number(exp);
  const sign = v < 0 ? "-" : "";
  if (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e7) {
    if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
    const whole = digits.slice(0, e + 1).padEnd(e + 1, "0");
    return `${sign}${whole}.${digits.slice(e + 1) || "0"}`;
  }
  return `${sign}${digits[0]}.${digits.slice(1) || "0"}E${e}`;
}

describe("format('%s') of a value of each type (typed overloads, and the double's two paths)", () => {
  it("prints a double as Java's Double.toString at every magnitude and at the edges of plain text", async () => {
    // A fixed pseudo-random spread over the exponents, and the values beside 10^-3 and 10^7.
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const values = [
      0.001,
      0.0009999999999999998,
      9999999.999999998,
      1e7,
      9999999,
      -0.001,
      25.5,
      100,
      1 / 3,
    ];
    for (let i = 0; i < 300; i++)
      values.push((random() - 0.5) * 10 ** Math.floor(random() * 40 - 20));
    const list = values.map((v) => `${v.toExponential()}`).join(", ");
    const r = await step(
      `SELECT format('%s', x) FROM unnest(ARRAY[${list}]) WITH ORDINALITY AS u(x, i) ORDER BY i`,
    );
    expect(r.rows.map((row) => row[0])).toEqual(values.map(javaDouble));
  });

  it("chooses the overload by type in a lambda, a window, a correlated subquery and beside an aggregate", async () => {
    const r = await step(
      `SELECT array_join(transform(ARRAY[2.5E0, 1E8], v -> format('%s', v)), ','),
              format('%s/%s', x, sum(x) OVER ()),
              (SELECT format('%s|%s', y.x, max(z)) FROM unnest(ARRAY[CAST(4 AS bigint)]) AS w(z)),
              format('%s %s', y.s, count(*) OVER ())
       FROM (VALUES (CAST(1 AS integer), 'a'), (CAST(2 AS integer), 'b')) AS y(x, s) ORDER BY x`,
    );
    expect(r.rows).toEqual([
      ["2.5,1.0E8", "1/3", "1|4", "a 2"],
      ["2.5,1.0E8", "2/3", "2|4", "b 2"],
    ]);
  });
});

describe("array_join of a varchar array (joined outside the lambda)", () => {
  it("skips NULL elements, keeps empty ones, gives NULL for a NULL array or separator, also of array_agg", async () => {
    // Trino's ArrayJoin: a NULL element is skipped without nullReplacement; '' stays an element.
    const r = await step(
      `SELECT array_join(ARRAY['a', NULL, '', 'b'], ','), array_join(CAST(ARRAY[] AS array(varchar)), ','),
              array_join(CAST(NULL AS array(varchar)), ','), array_join(ARRAY['a'], CAST(NULL AS varchar)),
              (SELECT array_join(array_agg(s ORDER BY s), '/') FROM (VALUES 'y', NULL, 'x') t(s))`,
    );
    expect(r.rows).toEqual([["a,,b", "", null, null, "x/y"]]);
  });
});

describe("timestamps with a time zone other than UTC (issue 11)", () => {
  // The rows of `zoned` run with the values above.
  it("refuses what Trino refuses", async () => {
    // corpus trino-01b64e2efd2f: WEEK_OF_YEAR is a function, not an EXTRACT field.
    await expect(
      one("EXTRACT(WEEK_OF_YEAR FROM TIMESTAMP '2020-05-10 12:34:56 Asia/Kathmandu')"),
    ).rejects.toThrow(/Invalid EXTRACT field: WEEK_OF_YEAR/);
    // corpus trino-d83c7a9dbc4e: beyond Trino's range of zoned timestamps.
    await expect(one("TIMESTAMP '-123001-01-02 03:04:05.321 Europe/Berlin'")).rejects.toThrow(
      /not a valid TIMESTAMP literal/,
    );
  });

  it("orders zoned values by instant, and refuses to print one it cannot see as text", async () => {
    // Tokyo 09:00 is 00:00 UTC, Paris 04:30 (summer time, UTC+2) is 02:30 UTC: by local time
    // Paris would come first.
    const r = await step(
      "SELECT z FROM (VALUES (TIMESTAMP '2020-05-01 04:30:00 Europe/Paris'), (TIMESTAMP '2020-05-01 09:00:00 Asia/Tokyo')) AS t(z) ORDER BY z",
    );
    expect(r.rows.map((x) => x[0])).toEqual([
      "2020-05-01 09:00:00 Asia/Tokyo",
      "2020-05-01 04:30:00 Europe/Paris",
    ]);
    await expect(
      step(
        "WITH t AS (SELECT from_unixtime(0, 'Asia/Tokyo') AS z) SELECT CAST(z AS VARCHAR) FROM t",
      ),
    ).rejects.toThrow(/not supported locally/);
  });
});

describe("select aliases outside ORDER BY (Trino: Column 'x' cannot be resolved, trinodb/trino#8582)", () => {
  it.each([
    ["WHERE", "SELECT eventname AS n FROM cloudtrail_logs WHERE n = 'x'", "n"],
    ["GROUP BY", "SELECT eventname AS n, count(*) AS c FROM cloudtrail_logs GROUP BY n", "n"],
    [
      "HAVING",
      "SELECT eventname, count(*) AS c FROM cloudtrail_logs t GROUP BY eventname HAVING c > 1",
      "c",
    ],
    [
      "HAVING",
      "SELECT eventname, count(*) AS c FROM (SELECT * FROM cloudtrail_logs WHERE eventtime >= '2024') t GROUP BY eventname HAVING c > 1",
      "c",
    ],
  ])("refuses one in %s, as Athena does", async (clause, sql, name) => {
    await expect(step(sql)).rejects.toThrow(
      `Column '${name}' cannot be resolved: on Athena (Trino) ${clause} sees the table's columns`,
    );
  });

  it.each([
    "SELECT eventname AS n, count(*) AS c FROM cloudtrail_logs GROUP BY 1 HAVING count(*) > 1 ORDER BY c",
    "SELECT lower(eventname) AS eventname FROM cloudtrail_logs WHERE eventname = 'x'",
    "WITH a AS (SELECT eventname AS n FROM cloudtrail_logs) SELECT n FROM a WHERE n = 'x'",
    "SELECT n, count(*) AS c FROM (SELECT eventname AS n FROM cloudtrail_logs) t GROUP BY n HAVING count(*) > 1",
    "SELECT eventname AS x FROM cloudtrail_logs WHERE any_match(resources, x -> x.type = 'AWS::S3::Bucket')",
    "SELECT eventname AS n FROM cloudtrail_logs WHERE eventname IN (SELECT n FROM (SELECT 'x' AS n) s)",
  ])("accepts what Trino accepts: %s", async (sql) => {
    const outcome = await step(sql).then(
      (r) => `${r.rows.length} rows`,
      (e: Error) => e.message,
    );
    expect(outcome).toBe("0 rows");
  });
});
