/**
 * The conformance runner's batches (scripts/conformance/run.ts): rows expected to fail, and the
 * rows listed in test/conformance-alone.json, run alone; a row's outcome is the same whether it
 * ran alone from the start or was found in its batch.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { failedRows, readAlone } from "../scripts/conformance/alone.ts";
import { type ConformanceCase, readCases } from "../scripts/conformance/cases.ts";
import { batches, runCases } from "../scripts/conformance/run.ts";
import { SHARED } from "./helpers.ts";

const row = (id: string, kind: ConformanceCase["kind"] = "value"): ConformanceCase => ({
  id,
  sourceFile: "TestX.java",
  sourceLine: 1,
  sql: "1",
  kind,
  type: "integer",
  value: "1",
  fn: "f",
  family: "operators",
});

describe("conformance batches", () => {
  it("keeps corpus order, and runs error rows and the listed rows alone", () => {
    const cases = ["a", "b", "c", "d", "e", "f", "g"].map((id) =>
      row(id, id === "c" ? "error" : "value"),
    );
    expect(batches(cases, 2)).toEqual([[0, 1], [2], [3, 4], [5, 6]]);
    expect(batches(cases, 2, new Set(["b", "e"]))).toEqual([[1], [2], [0, 3], [4], [5, 6]]);
  });

  const corpus = path.join(SHARED, "reference/trino-conformance/cases.tsv");
  it.skipIf(!existsSync(corpus))(
    "gives every row the same outcome whether the failing rows run alone or are found in their batches",
    async () => {
      const all = await readCases(corpus);
      const listed = readAlone();
      // Three listed rows among the rows around them: a batch of 16 with three failures.
      const at = all.findIndex((c) => listed.has(c.id));
      expect(at).toBeGreaterThanOrEqual(0);
      const failing = all.filter((c) => listed.has(c.id)).slice(0, 3);
      const passing = all
        .slice(at)
        .filter((c) => c.kind !== "error" && !listed.has(c.id))
        .slice(0, 13);
      const cases = [...failing, ...passing].sort((a, b) => all.indexOf(a) - all.indexOf(b));
      const found = await runCases(cases, { concurrency: 2 });
      const alone = await runCases(cases, { concurrency: 2, alone: listed });
      expect(failedRows(found).sort()).toEqual(failing.map((c) => c.id).sort());
      expect(alone.map((r) => r.outcome)).toEqual(found.map((r) => r.outcome));
    },
  );
});
