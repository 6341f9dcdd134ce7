/**
 * SQL text scanned by its brackets: `(`, `[` and `{` counted, `'...'` strings skipped (a doubled
 * quote inside one reads as two strings back to back, which gives the same answer). Used where a
 * rewrite works on text: macro bodies (raise-anchors.ts), the syntax DuckDB's parser rejects
 * (trino-syntax.ts), and the conformance runner's test-only functions.
 */
export const OPEN = "([{";
export const CLOSE = ")]}";

/**
 * From `from` up to `to`: the commas at depth 0, and where the depth first falls below 0 (the
 * bracket closing an enclosing one), `to` when it does not, -1 in an unterminated string.
 */
function walk(sql: string, from: number, to: number): { end: number; commas: number[] } {
  const commas: number[] = [];
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = sql[i] as string;
    if (c === "'") {
      i = sql.indexOf("'", i + 1);
      if (i < 0) return { end: -1, commas };
    } else if (OPEN.includes(c)) depth++;
    else if (CLOSE.includes(c) && --depth < 0) return { end: i, commas };
    else if (c === "," && depth === 0) commas.push(i);
  }
  return { end: to, commas };
}

/** The bracket that closes the one at `open`, and the commas directly inside; undefined if none. */
export function bracketed(
  sql: string,
  open: number,
): { close: number; commas: number[] } | undefined {
  const { end, commas } = walk(sql, open + 1, sql.length);
  return end < 0 || end === sql.length ? undefined : { close: end, commas };
}

/** Where the bracket at `open` closes, or -1. */
export function closing(sql: string, open: number): number {
  return bracketed(sql, open)?.close ?? -1;
}

/** The commas at depth 0 between `from` and `to` (those after a bracket closing an enclosing one are not). */
export function topCommas(sql: string, from: number, to: number): number[] {
  return walk(sql, from, to).commas;
}
