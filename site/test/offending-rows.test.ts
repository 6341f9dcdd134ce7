/**
 * A report may hold more offending rows than the runner keeps (core OFFENDING_ROWS_KEPT: 10):
 * another version, another tool, a hand-edited file. The schema does not bound them, so the
 * pages do: the first rows and how many there were, never ten thousand rows on one page.
 */
import { describe, expect, it } from "vitest";
import { OFFENDING_SHOWN, shownRows } from "../src/lib/format.ts";

describe("offending rows shown", () => {
  const rows = Array.from({ length: 10_000 }, (_, i) => ({ actor: `user/${i}`, calls: i }));

  it("are the first ones, with the count the report gives (or the rows it holds)", () => {
    const shown = shownRows(rows, 12_345);
    expect(shown.rows).toEqual(rows.slice(0, OFFENDING_SHOWN));
    expect(shown.total).toBe(12_345);
    expect(shown.note).toBe(` (first ${OFFENDING_SHOWN} of 12345)`);
    // No count in the report: the rows it holds are the count.
    expect(shownRows(rows, undefined).total).toBe(10_000);
    expect(shownRows(rows, 3).total).toBe(10_000);
  });

  it("are all of them when they are few, without a note", () => {
    const few = rows.slice(0, 3);
    expect(shownRows(few, 3)).toEqual({ rows: few, total: 3, note: "" });
    expect(shownRows(few, 40).note).toBe(" (first 3 of 40)");
  });
});
