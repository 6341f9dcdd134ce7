/**
 * Trino's text forms as the emulator renders them, from the local engine's typed JSON values and
 * from Java's Double.toString rules.
 */
import {
  DECIMAL,
  DuckDBIntervalValue,
  DuckDBTimestampValue,
  LIST,
  STRUCT,
  VARCHAR,
} from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import {
  athenaColumn,
  athenaColumnFromTypeName,
  athenaTypeName,
  javaDouble,
  jsonToTrinoText,
  parseLiteral,
  parseTrinoType,
  timestampText,
  trinoText,
} from "../src/index.ts";

describe("Trino text", () => {
  it("prints doubles as Java does", () => {
    expect([0, 1, 1.5, -2, 1234567.5, 1e7, 1.5e-4, 0.001, Number.NaN].map(javaDouble)).toEqual([
      "0.0",
      "1.0",
      "1.5",
      "-2.0",
      "1234567.5",
      "1.0E7",
      "1.5E-4",
      "0.001",
      "NaN",
    ]);
  });

  it("parses nested Trino type names", () => {
    const t = parseTrinoType('array(row(arn varchar, accountid varchar, "type" varchar))');
    expect(t.base).toBe("array");
    expect(t.args[0]!.fields.map((f) => f.name)).toEqual(["arn", "accountid", "type"]);
    expect(parseTrinoType("map(varchar, bigint)").args.map((a) => a.base)).toEqual([
      "varchar",
      "bigint",
    ]);
    expect(parseTrinoType("decimal(10,2)").numbers).toEqual([10, 2]);
    expect(athenaColumnFromTypeName("Dec", "decimal(10,2)")).toEqual({
      name: "dec",
      type: "decimal",
      precision: 10,
      scale: 2,
    });
    expect(athenaColumnFromTypeName("r", "row(a integer)").type).toBe("row");
  });

  it("describes DuckDB columns by the base of the local engine's type names", () => {
    expect(athenaTypeName(LIST(STRUCT({ Arn: VARCHAR })))).toBe("array");
    expect(athenaColumn("Amount", DECIMAL(10, 2))).toEqual({
      name: "amount",
      type: "decimal",
      precision: 10,
      scale: 2,
    });
    expect(athenaColumn("who", VARCHAR)).toEqual({
      name: "who",
      type: "varchar",
      precision: 2147483647,
      scale: 0,
    });
  });

  it("cuts timestamps to milliseconds downwards, also before 1970", () => {
    expect(timestampText(1_700_000_000_123_999n)).toBe("2023-11-14 22:13:20.123");
    expect(timestampText(-1_500n)).toBe("1969-12-31 23:59:59.998");
    expect(trinoText(new DuckDBTimestampValue(-1_500n))).toBe("1969-12-31 23:59:59.998");
  });

  it("prints intervals as Trino does: Y-M with the sign of the whole, D HH:MM:SS.mmm", () => {
    expect(trinoText(new DuckDBIntervalValue(-2, 0, 0n))).toBe("-0-2");
    expect(trinoText(new DuckDBIntervalValue(14, 0, 0n))).toBe("1-2");
    expect(trinoText(new DuckDBIntervalValue(0, 6, 86_275_000_000n))).toBe("6 23:57:55.000");
    expect(trinoText(new DuckDBIntervalValue(0, -7, -125_500_000n))).toBe("-7 00:02:05.500");
  });

  it("renders typed JSON values the way Athena prints them", () => {
    const row = parseTrinoType(
      "row(type varchar, n bigint, inner row(k varchar), tags array(varchar))",
    );
    expect(
      jsonToTrinoText({ type: "IAMUser", n: 2, inner: { k: "v" }, tags: ["a", null] }, row),
    ).toBe("{type=IAMUser, n=2, inner={k=v}, tags=[a, null]}");
    expect(jsonToTrinoText(2, parseTrinoType("double"))).toBe("2.0");
    expect(jsonToTrinoText(12.5, parseTrinoType("decimal(10,2)"))).toBe("12.50");
    // The decimal's own digits at any scale, never the double's binary tail (review).
    expect(jsonToTrinoText(0.1, parseTrinoType("decimal(38,20)"))).toBe("0.10000000000000000000");
    expect(jsonToTrinoText(1e-7, parseTrinoType("decimal(10,8)"))).toBe("0.00000010");
    expect(jsonToTrinoText(-1234567.1, parseTrinoType("decimal(38,18)"))).toBe(
      "-1234567.100000000000000000",
    );
    expect(jsonToTrinoText(12, parseTrinoType("decimal(10,0)"))).toBe("12");
    expect(jsonToTrinoText(0, parseTrinoType("decimal(3,2)"))).toBe("0.00");
    expect(jsonToTrinoText(1e20, parseTrinoType("decimal(38,1)"))).toBe("100000000000000000000.0");
    expect(jsonToTrinoText({ k: 1 }, parseTrinoType("map(varchar, integer)"))).toBe("{k=1}");
    expect(jsonToTrinoText(null, parseTrinoType("varchar"))).toBeNull();
    // The local engine gives varbinary as Trino's text already (`68 69`), at any depth.
    expect(jsonToTrinoText("68 69", parseTrinoType("varbinary"))).toBe("68 69");
    expect(jsonToTrinoText(["68 69"], parseTrinoType("array(varbinary)"))).toBe("[68 69]");
  });
});

describe("execution parameter literals", () => {
  it("accepts one literal and refuses anything else", () => {
    expect(parseLiteral("'it''s'")).toEqual({ kind: "varchar", value: "it's" });
    expect(parseLiteral("-42")).toEqual({ kind: "bigint", value: -42n });
    expect(parseLiteral("1.5")).toEqual({ kind: "double", value: 1.5 });
    expect(parseLiteral("TRUE")).toEqual({ kind: "boolean", value: true });
    expect(parseLiteral("TIMESTAMP '2026-11-23 00:00:00'")).toEqual({
      kind: "timestamp",
      value: "2026-11-23 00:00:00",
    });
    for (const bad of ["'a' OR '1'='1'", "'x' OR 1=1", "1; DROP TABLE t", "'open", "f(1)"]) {
      expect(() => parseLiteral(bad), bad).toThrow(/not a literal/);
    }
  });
});
