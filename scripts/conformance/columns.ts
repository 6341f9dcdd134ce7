/**
 * The corpus's rows are constant expressions, and DuckDB folds constants while planning: a row
 * can pass as a constant and fail when a runbook gives the same function a column (a Trino error
 * folded in a branch no row reaches, a macro overload chosen before an aggregate's type is
 * known). The same rows, with their first free literal of a kind read from the column of a
 * one-row VALUES list (which DuckDB does not fold), test that path.
 */
import type { ConformanceCase } from "./cases.ts";

export type LiteralKind = "array" | "string" | "number";

export const LITERAL_KINDS: readonly LiteralKind[] = ["array", "string", "number"];

interface Span {
  start: number;
  end: number;
}

/** Where a literal may be replaced: after nothing, `(`, `,`, `=` or `[` (not `DATE '...'`). */
function free(sql: string, at: number): boolean {
  const before = sql.slice(0, at).trimEnd();
  return before === "" || /[(,=[]$/.test(before);
}

/** Where the string literal opened at `open` ends (just past its closing quote). */
function stringEnd(sql: string, open: number): number {
  let j = open + 1;
  while (j < sql.length && !(sql[j] === "'" && sql[j + 1] !== "'")) j += sql[j] === "'" ? 2 : 1;
  return j + 1;
}

function firstString(sql: string): Span | undefined {
  for (let i = 0; i < sql.length; i++) {
    if (sql[i] !== "'") continue;
    const end = stringEnd(sql, i);
    if (free(sql, i)) return { start: i, end };
    i = end - 1;
  }
  return undefined;
}

/** Type parameters (`DECIMAL(3,2)`, `CHAR(10)`) are not values. */
const TYPE_WITH_PARAMETERS = /\b(decimal|numeric|char|varchar|timestamp|time|row|array|map)\s*$/i;

function insideTypeParameters(sql: string, at: number): boolean {
  let depth = 0;
  for (let i = at - 1; i >= 0; i--) {
    if (sql[i] === ")") depth++;
    else if (sql[i] === "(" && depth-- === 0) return TYPE_WITH_PARAMETERS.test(sql.slice(0, i));
  }
  return false;
}

function firstNumber(sql: string): Span | undefined {
  for (let i = 0; i < sql.length; i++) {
    if (sql[i] === "'") {
      i = stringEnd(sql, i) - 1;
      continue;
    }
    const m = /^-?\d+(\.\d+)?(E[+-]?\d+)?/i.exec(sql.slice(i));
    if (!m || /[\w.]/.test(sql[i - 1] ?? "")) continue;
    if (free(sql, i) && !insideTypeParameters(sql, i)) return { start: i, end: i + m[0].length };
    i += m[0].length - 1;
  }
  return undefined;
}

function firstArray(sql: string): Span | undefined {
  const m = /\bARRAY\s*\[/i.exec(sql);
  if (!m) return undefined;
  let depth = 0;
  for (let i = m.index + m[0].length - 1; i < sql.length; i++) {
    if (sql[i] === "'") i = stringEnd(sql, i) - 1;
    else if (sql[i] === "[") depth++;
    else if (sql[i] === "]" && --depth === 0) return { start: m.index, end: i + 1 };
  }
  return undefined;
}

const FIND: Record<LiteralKind, (sql: string) => Span | undefined> = {
  array: firstArray,
  string: firstString,
  number: firstNumber,
};

/**
 * The row as `<expression> FROM (VALUES (<literal>)) t(c)`, its first free literal of `kind`
 * replaced by `t.c`; undefined if it has none. (Not a scalar subquery in its place: a macro that
 * puts its argument in a lambda refuses a subquery, which no runbook's column meets.) Such a row
 * runs alone: its FROM cannot share a batch.
 */
export function fromColumn(sql: string, kind: LiteralKind): string | undefined {
  const span = FIND[kind](sql);
  if (!span) return undefined;
  const literal = sql.slice(span.start, span.end);
  return `${sql.slice(0, span.start)}t.c${sql.slice(span.end)}\nFROM (VALUES (${literal})) t(c)`;
}

/**
 * The rows of `kind` that passed as constants (not in `failing`), each read from a column, or
 * with `aggregate` from `max(t.c)` of it (the one row's value: a typed macro bound before the
 * aggregate's type is known picked no overload, or silently the wrong one).
 */
export function columnCases(
  cases: readonly ConformanceCase[],
  kind: LiteralKind,
  failing: ReadonlySet<string>,
  aggregate = false,
): ConformanceCase[] {
  const out: ConformanceCase[] = [];
  for (const c of cases) {
    if (failing.has(c.id)) continue;
    const sql = fromColumn(c.sql, kind);
    if (sql !== undefined)
      out.push({ ...c, sql: aggregate ? sql.replace(/\bt\.c\b/, "max(t.c)") : sql });
  }
  return out;
}
