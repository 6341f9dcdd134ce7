import { describe, expect, it } from "vitest";
import { bracketed, closing, topCommas } from "../src/brackets.ts";

describe("SQL text scanned by brackets", () => {
  it("skips strings, brackets and commas inside them included", () => {
    const sql = "f(a, ')(,', [1, 2], {'k': g(x, y)}, 'it''s', z)";
    const span = bracketed(sql, 1);
    expect(span?.close).toBe(sql.length - 1);
    // The commas directly inside f(...), found here by their text's neighbours.
    const parts = span?.commas.map((c) => sql.slice(c + 2, c + 5));
    expect(parts).toEqual(["')(", "[1,", "{'k", "'it", "z)"]);
  });

  it("says when a bracket does not close, or a string does not end", () => {
    expect(closing("f(a, (b)", 1)).toBe(-1);
    expect(closing("f(a, 'b)", 1)).toBe(-1);
  });

  it("stops counting commas at a bracket that closes an enclosing one", () => {
    const sql = "a, b), c";
    expect(topCommas(sql, 0, sql.length)).toEqual([1]);
  });
});
