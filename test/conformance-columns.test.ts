/**
 * The corpus's rows that pass as constants, run again with one literal read from a column
 * (scripts/conformance/columns.ts), and from an aggregate of that column: DuckDB folds constants
 * while planning and binds typed macros before aggregates, so a function can pass the corpus and
 * fail on a runbook's column or on count(*). Fails when more rows of a kind fail than the ceiling
 * in test/conformance-floor.json (columnsMax), which only ever goes down.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readAlone } from "../scripts/conformance/alone.ts";
import { readCases } from "../scripts/conformance/cases.ts";
import { columnCases, LITERAL_KINDS, type LiteralKind } from "../scripts/conformance/columns.ts";
import { runCases } from "../scripts/conformance/run.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const corpus = path.resolve(root, "../shared/reference/trino-conformance/cases.tsv");
const floor = JSON.parse(readFileSync(path.join(root, "test/conformance-floor.json"), "utf8")) as {
  columnsMax: Record<string, number>;
};
const present = existsSync(corpus);

describe.skipIf(!present)("Trino conformance with a literal read from a column", () => {
  const variants = LITERAL_KINDS.flatMap((kind) => [
    [kind, false],
    [kind, true],
  ]) as [LiteralKind, boolean][];
  it.each(variants)(
    "%s literals (aggregated: %s): no more failures than the ceiling",
    { timeout: 600_000 },
    async (kind, aggregate) => {
      // Rows that failed as constants last time (test/conformance-alone.json) are not tried.
      const cases = columnCases(await readCases(corpus), kind, readAlone(), aggregate);
      const results = await runCases(cases, { batch: 1 });
      // Any verdict but a pass: an error, and worse, a value that differs from the constant's.
      const failed = results.filter((r) => r.verdict !== "pass");
      const lines = failed.map((r) => `  [${r.verdict}] ${r.case.id} ${r.case.sql.slice(0, 140)}`);
      const key = aggregate ? `${kind} aggregated` : kind;
      console.log(`${key}: ${cases.length} rows, ${failed.length} fail\n${lines.join("\n")}`);
      expect(cases.length).toBeGreaterThan(500);
      expect(failed.length).toBeLessThanOrEqual(floor.columnsMax[key] ?? 0);
    },
  );
});
