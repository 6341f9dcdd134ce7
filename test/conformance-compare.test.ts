/**
 * The conformance runner's comparison (scripts/conformance/compare.ts), per the corpus README:
 * numbers numerically, timestamps to milliseconds, zoned timestamps by local time and zone, arrays
 * element-wise, JSON by structure, and the type family.
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { familyOf, readCases } from "../scripts/conformance/cases.ts";
import { fromColumn } from "../scripts/conformance/columns.ts";
import { judge, sameValue, typeFamily } from "../scripts/conformance/compare.ts";
import { expressTestOnlyApply } from "../scripts/conformance/test-only.ts";

const row = (kind: "value" | "null" | "error", type: string, value: string) => ({
  id: "t",
  sourceFile: "TestX.java",
  sourceLine: 1,
  sql: "x",
  kind,
  type,
  value,
  fn: "f",
  family: "string",
});

describe("conformance comparison", () => {
  it("compares numbers numerically and exactly beyond 2^53", () => {
    expect(sameValue("double", "1.0", 1)).toBe(true);
    expect(sameValue("double", "1.0E-5", 0.00001)).toBe(true);
    expect(sameValue("double", "NaN", "NaN")).toBe(true);
    expect(sameValue("double", "Infinity", "-Infinity")).toBe(false);
    expect(sameValue("bigint", "9223372036854775807", "9223372036854775807")).toBe(true);
    expect(sameValue("bigint", "9223372036854775807", "9223372036854775806")).toBe(false);
    expect(sameValue("decimal(3,1)", "30.8", 30.7586)).toBe(false);
    expect(sameValue("decimal(38,30)", "12345677.999999999999999999999999999999", 12345678)).toBe(
      false,
    );
    expect(sameValue("real", "3.4028235E38", 3.4028234663852886e38)).toBe(true);
  });

  it("compares timestamps to milliseconds and zoned ones by local time and zone", () => {
    expect(sameValue("timestamp(6)", "2020-05-01 12:34:56.123456", "2020-05-01 12:34:56.123")).toBe(
      true,
    );
    expect(sameValue("timestamp(0)", "2020-05-01 12:34:56", "2020-05-01 12:34:56.000")).toBe(true);
    expect(sameValue("timestamp(3)", "2020-05-01 12:34:56.124", "2020-05-01 12:34:56.123")).toBe(
      false,
    );
    const zoned = "timestamp(3) with time zone";
    expect(sameValue(zoned, "2020-05-01 12:34:56.000 UTC", "2020-05-01 12:34:56.000 UTC")).toBe(
      true,
    );
    // The same instant in another zone is not Trino's answer.
    expect(
      sameValue(zoned, "2020-05-01 18:19:56.000 Asia/Kathmandu", "2020-05-01 12:34:56.000 UTC"),
    ).toBe(false);
    expect(sameValue("date", "2019-8-31", "2019-08-31")).toBe(true);
  });

  it("compares arrays element-wise, maps as key sets, JSON by structure", () => {
    expect(
      sameValue("array(bigint)", "[9223372036854775807, -1]", ["9223372036854775807", -1]),
    ).toBe(true);
    expect(sameValue("array(integer)", "[1, null]", [1, null])).toBe(true);
    expect(sameValue("array(integer)", "[1, 2]", [2, 1])).toBe(false);
    expect(sameValue("map(varchar,integer)", '{"a": 1, "b": 2}', { b: 2, a: 1 })).toBe(true);
    expect(sameValue("json", '{"a":1,"b":[2]}', '{"b": [2], "a": 1}')).toBe(true);
    expect(sameValue("json", '"fgs"', "fgs")).toBe(false);
  });

  it("classifies silent wrong answers apart from errors", () => {
    expect(
      judge(row("error", "", "DIVISION_BY_ZERO"), { ok: true, value: null, type: "integer" }),
    ).toBe("value-where-error");
    expect(judge(row("null", "varchar", ""), { ok: true, value: "", type: "varchar" })).toBe(
      "wrong-null",
    );
    expect(
      judge(row("value", "varchar", "a"), {
        ok: false,
        code: "sql-error",
        message: "Catalog Error: Scalar Function with name f does not exist!",
      }),
    ).toBe("unsupported");
    expect(
      judge(row("value", "double", "0.5"), { ok: true, value: 0.5, type: "decimal(38,1)" }),
    ).toBe("wrong-type");
    expect(
      judge(row("value", "varchar(3)", "abc"), { ok: true, value: "abc", type: "varchar" }),
    ).toBe("pass");
    expect(typeFamily("timestamp(3) with time zone")).toBe("timestamp with time zone");
  });

  it("puts date/time rows with a zone other than UTC in their own family", () => {
    const file =
      "core/trino-main/src/test/java/io/trino/operator/scalar/timestamp/TestExtract.java";
    expect(
      familyOf({ sourceFile: file, sql: "hour(TIMESTAMP '2020-05-10 12:34:56')", value: "12" }),
    ).toBe("datetime");
    expect(
      familyOf({
        sourceFile: file,
        sql: "hour(TIMESTAMP '2020-05-10 12:34:56 Asia/Kathmandu')",
        value: "12",
      }),
    ).toBe("datetime-zoned");
    expect(
      familyOf({ sourceFile: file, sql: "TIMESTAMP '2020-05-10 12:34:56 +07:09'", value: "" }),
    ).toBe("datetime-zoned");
  });

  it("judges a corrected row by the Trino test it cites, and says so; other rows as the corpus has them", async () => {
    const header =
      "id\tsource_file\tsource_line\tsql_expression\texpected_kind\texpected_type\texpected_value\tfunction";
    const file = join(mkdtempSync(join(tmpdir(), "corpus-")), "cases.tsv");
    const line = (id: string) =>
      `${id}\tcore/TestArrayOperators.java\t1050\tx\tvalue\tarray(decimal(2,1))\t[1.0, 2.0, 123456789123456.78]\tconcat`;
    writeFileSync(file, [header, line("trino-9fc64b592fb1"), line("trino-other")].join("\n"));
    const [fixed, plain] = await readCases(file);
    expect(fixed?.value).toBe("[1.000, 2.000, 123456789123456.789]");
    expect(fixed?.corrected).toMatch(/TestArrayOperators\.java/);
    expect(plain?.value).toBe("[1.0, 2.0, 123456789123456.78]");
    expect(plain?.corrected).toBeUndefined();
  });

  it("reads a row's first free literal of a kind from a column, not a typed literal's text or a type's parameter", () => {
    expect(fromColumn("contains(ARRAY['a', 'b'], 'b')", "array")).toBe(
      "contains(t.c, 'b')\nFROM (VALUES (ARRAY['a', 'b'])) t(c)",
    );
    expect(fromColumn("date_format(TIMESTAMP '2001-01-09', '%Y')", "string")).toBe(
      "date_format(TIMESTAMP '2001-01-09', t.c)\nFROM (VALUES ('%Y')) t(c)",
    );
    expect(fromColumn("round(CAST(x AS DECIMAL(3,2)), 1)", "number")).toBe(
      "round(CAST(x AS DECIMAL(3,2)), t.c)\nFROM (VALUES (1)) t(c)",
    );
    expect(fromColumn("upper('it''s')", "string")).toBe("upper(t.c)\nFROM (VALUES ('it''s')) t(c)");
    expect(fromColumn("DATE '2001-01-09'", "string")).toBeUndefined();
  });

  it("writes Trino's test-only apply(v, f) as element_at(transform(ARRAY[v], f), 1), nested too", () => {
    expect(expressTestOnlyApply("apply((5), x -> x + 1)")).toBe(
      "element_at(transform(ARRAY[(5)], x -> x + 1), 1)",
    );
    expect(expressTestOnlyApply("apply(11, x -> apply(x + 7, y -> y * 3) * 2)")).toBe(
      "element_at(transform(ARRAY[11], x -> element_at(transform(ARRAY[x + 7], y -> y * 3), 1) * 2), 1)",
    );
    // A comma or parenthesis inside a string is not an argument boundary; other names are left alone.
    expect(expressTestOnlyApply("apply(('a,)'), s -> length(s)) + x_apply(1, 2)")).toBe(
      "element_at(transform(ARRAY[('a,)')], s -> length(s)), 1) + x_apply(1, 2)",
    );
    expect(expressTestOnlyApply("apply(('it''s, (ok'), s -> length(s))")).toBe(
      "element_at(transform(ARRAY[('it''s, (ok')], s -> length(s)), 1)",
    );
    expect(expressTestOnlyApply("invoke(() -> 42)")).toBe("invoke(() -> 42)");
  });
});
