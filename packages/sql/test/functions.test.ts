/**
 * The function list is one file (`functions.ts`) derived from Trino's documentation. Facts from
 * elsewhere check it: every function Trino's own unit tests call (the shared conformance corpus)
 * is in it, no DuckDB-only name is, and every Athena replacement it suggests exists.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ATHENA_FUNCTIONS, checkSql, DUCKDB_ONLY } from "../src/index.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const CASES = path.resolve(root, "../shared/reference/trino-conformance/cases.tsv");
const present = existsSync(CASES);
if (!present) console.log(`conformance function check skipped: ${CASES} is absent`);

/** Corpus labels that name an operator or a syntax form, not a function. */
const NOT_FUNCTIONS = new Set([
  "apply",
  "array constructor",
  "between",
  "case",
  "comparison",
  "in",
  "invoke",
  "is distinct from",
  "like",
  "literal",
  "null_function",
  "unchecked_to_json",
  "vl",
]);

describe("Athena engine v3's functions", () => {
  it.skipIf(!present)("include every function Trino's unit tests call", () => {
    const [header, ...rows] = readFileSync(CASES, "utf8").split("\n").filter(Boolean);
    const col = header!.split("\t").indexOf("function");
    const names = new Set(rows.map((r) => (r.split("\t")[col] ?? "").toLowerCase()));
    const missing = [...names]
      .filter((n) => n !== "" && !n.startsWith("operator") && n !== "||" && !NOT_FUNCTIONS.has(n))
      .filter((n) => !ATHENA_FUNCTIONS.has(n));
    expect(names.size).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });

  it("has no DuckDB-only name, and suggests only functions Athena has", () => {
    for (const [name, instead] of Object.entries(DUCKDB_ONLY)) {
      expect(ATHENA_FUNCTIONS.has(name), name).toBe(false);
      // Calls in the suggestion (not `AS t(x)`, a relation alias with its columns).
      for (const call of instead.matchAll(/(?<!AS )\b([a-z_][a-z_0-9]*)\(/g)) {
        expect(ATHENA_FUNCTIONS.has(call[1]!), `${name} → ${instead}`).toBe(true);
      }
    }
  });

  it("accepts a call to each listed scalar function name and refuses one letter off", async () => {
    expect(
      await checkSql("SELECT json_extract_scalar(eventname, '$.a') FROM cloudtrail_logs"),
    ).toEqual([]);
    expect(
      await checkSql("SELECT JSON_EXTRACT_SCALAR(eventname, '$.a') FROM cloudtrail_logs"),
    ).toEqual([]);
    expect(
      await checkSql("SELECT json_extract_scalars(eventname, '$.a') FROM cloudtrail_logs"),
    ).toEqual([
      {
        line: 1,
        column: 8,
        severity: "error",
        rule: "sql-function",
        message:
          'unknown function json_extract_scalars(): Athena engine v3 has no such function (did you mean "json_extract_scalar"?)',
      },
    ]);
  });
});
