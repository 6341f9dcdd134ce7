import { describe, expect, it } from "vitest";
import { anchorRaises } from "../src/raise-anchors.ts";

describe("anchorRaises", () => {
  it("widens each raise's anchor to its own overload's parameters, typed ones too", () => {
    const sql =
      "CREATE MACRO m(a, b) AS CASE WHEN b = 0 THEN trino_raise('x, (y)', b) ELSE a END, (a DECIMAL(38, 0), c STRUCT(k INTEGER, v VARCHAR)) AS trino_raise('z', a)";
    expect(anchorRaises(sql)).toBe(
      "CREATE MACRO m(a, b) AS CASE WHEN b = 0 THEN trino_raise('x, (y)', row( b, a, b)) ELSE a END, (a DECIMAL(38, 0), c STRUCT(k INTEGER, v VARCHAR)) AS trino_raise('z', row( a, a, c))",
    );
  });

  it("reads the statement as macros.ts creates it (IF NOT EXISTS)", () => {
    expect(anchorRaises("CREATE MACRO IF NOT EXISTS m(a) AS trino_raise('z', 1)")).toBe(
      "CREATE MACRO IF NOT EXISTS m(a) AS trino_raise('z', row( 1, a))",
    );
  });

  it("leaves a raise inside a lambda as it is (a captured list is copied per element)", () => {
    const sql =
      "CREATE MACRO m(l, i) AS list_transform(l, lambda e: CASE WHEN e < 0 THEN trino_raise('neg', e) ELSE e END)";
    expect(anchorRaises(sql)).toBe(sql);
  });
});
