/**
 * The columns of a Logs Insights result that hold numbers. CloudWatch Logs' GetQueryResults gives
 * every value as text; the `logs` engine reads the numeric aggregates' columns back as numbers,
 * and the local engine gives every other column as text, so one step's values are the same on
 * both (a computed `strlen(eventName)` was 9 locally and "9" on the service).
 */
import type { InsightsQuery } from "./ast.ts";

/** Aggregates whose values are numbers. */
const NUMERIC_AGGREGATES = new Set([
  "count",
  "count_distinct",
  "sum",
  "avg",
  "min",
  "max",
  "pct",
  "stddev",
]);

/** Output names of numeric aggregates (count, sum, avg..., and arithmetic on them) in the query's stats commands. */
export function numericColumns(ast: InsightsQuery): Set<string> {
  const names = new Set<string>();
  for (const c of ast.commands) {
    if (c.kind !== "stats") continue;
    for (const item of c.items) {
      const e = item.expr;
      if (e.kind === "call" ? NUMERIC_AGGREGATES.has(e.name) : e.kind === "binary")
        names.add(item.name);
    }
  }
  return names;
}
