/**
 * json_parse's text as Trino writes it: JsonFunctions.jsonParse reads the document into Java
 * maps and lists and writes it with SORTED_MAPPER (ORDER_MAP_ENTRIES_BY_KEYS): keys sorted, a
 * duplicate key's last value (a map's put), integers as digits, other numbers as Java doubles,
 * whose text is Double.toString's (the JDK's documentation: plain from 10^-3 to 10^7, otherwise
 * "computerized scientific notation", 1.0E7). DuckDB's json() kept the key order and duplicates
 * and printed 1e7 as 10000000.0, so json_parse(a) = json_parse(b) of one object written in two
 * key orders was false.
 */
import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { canonicalJson, javaDouble } from "../src/json-canonical.ts";
import { engineOverEmptyFolder } from "./helpers.ts";

const engine = engineOverEmptyFolder();
const day = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2024-01-02T00:00:00Z") };

async function one(expr: string) {
  return (await engine().query(queryRequest("sql", `SELECT ${expr}`, day))).rows[0]?.[0];
}

describe("Java's Double.toString", () => {
  it.each([
    [1e7, "1.0E7"],
    [9999999, "9999999.0"],
    [0.001, "0.001"],
    [0.0001, "1.0E-4"],
    [1.5e-5, "1.5E-5"],
    [100, "100.0"],
    [123456789, "1.23456789E8"],
    [0.1 + 0.2, "0.30000000000000004"],
    [-1.5, "-1.5"],
    [1e21, "1.0E21"],
    [-0, "-0.0"],
  ])("%s is %s", (d, text) => {
    expect(javaDouble(d)).toBe(text);
  });
});

describe("json_parse writes the document as Trino's Jackson does", () => {
  it.each([
    [`json_format(json_parse('{"b": 2, "a": 1}'))`, `{"a":1,"b":2}`],
    [`json_format(json_parse('{"a": 1, "a": 2}'))`, `{"a":2}`],
    [
      `json_format(json_parse('{"z": {"y": [1, {"b": 0, "a": 0}]}, "m": null}'))`,
      `{"m":null,"z":{"y":[1,{"a":0,"b":0}]}}`,
    ],
    [
      `json_format(json_parse('[1e7, 1.5e-5, 0.001, 1e2, 1.50, -0, 12345678901234567890]'))`,
      "[1.0E7,1.5E-5,0.001,100.0,1.5,0,12345678901234567890]",
    ],
    [`json_format(json_parse('["\\u00e9\\t\\u0001\\/"]'))`, `["é\\t\\u0001/"]`],
  ])("%s is %s", async (expr, text) => {
    expect(await one(expr)).toBe(text);
  });

  it("one object in two key orders is one JSON value", async () => {
    expect(await one(`json_parse('{"b": 2, "a": 1}') = json_parse('{"a":1,"b":2}')`)).toBe(true);
  });

  it("json_extract keeps the document's key order (Jackson copies the structure)", async () => {
    expect(await one(`json_format(json_extract('{"x": {"d": 1, "c": 2}}', '$.x'))`)).toBe(
      `{"d":1,"c":2}`,
    );
  });
});

// Jackson, as Trino configures it, reads strict JSON only: no NaN or Infinity
// (ALLOW_NON_NUMERIC_NUMBERS is off by default), no trailing comma (ALLOW_TRAILING_COMMA is off),
// no leading zero; json_parse of such text is Trino's error. DuckDB's json() accepts all of them
// (it wrote '[1,]' as [1] and kept NaN), and the canonical writer then looped over the end of
// '[inf]' until the process ran out of memory.
describe("json_parse refuses what Trino's parser refuses", () => {
  it.each([
    "[NaN]",
    "[inf]",
    '{"a": Infinity}',
    "[-Infinity]",
    "[1,]",
    '{"a": 1,}',
    "[01]",
    "[1.]",
    "[.5]",
    "[+1]",
    '"open',
    "[1",
    "{}{",
    "[1] x",
    "[tru]",
  ])("%s is an error, never a value", (text) => {
    expect(() => canonicalJson(text, true)).toThrow(/Cannot convert value to JSON/);
  });

  it("the query fails with Trino's message", async () => {
    await expect(one(`json_parse('[NaN]')`)).rejects.toThrow(/Cannot convert value to JSON/);
    await expect(one(`json_parse('[1,]')`)).rejects.toThrow(/Cannot convert value to JSON/);
  });

  it("a NULL is NULL, and try() of bad text is NULL", async () => {
    expect(await one(`json_parse(CAST(NULL AS VARCHAR))`)).toBe(null);
    expect(await one(`try(json_parse('[1,]'))`)).toBe(null);
  });

  // A double past Double.MAX_VALUE reads as Infinity, which Jackson writes as a JSON string
  // (JsonWriteFeature.WRITE_NAN_AS_STRINGS, on by default), as CAST(double AS JSON) does.
  it("a number past a double's range is the JSON string Infinity", async () => {
    expect(await one(`json_format(json_parse('[1e400, -1e400]'))`)).toBe(
      '["Infinity","-Infinity"]',
    );
  });
});
