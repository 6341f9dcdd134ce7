/**
 * The `chart=` step attribute: which picture the site draws of a step's result.
 * `chart=bar` or `chart=line` picks the mark (the columns are then found: the first time column
 * and the first number column), `chart=bar:hour,calls` names the time and the number columns too,
 * and `chart=none` draws nothing.
 */
import { didYouMean } from "./diagnostics.ts";

export const CHART_MARKS = ["bar", "line", "none"] as const;
export type ChartMark = (typeof CHART_MARKS)[number];

export interface ChartSpec {
  mark: ChartMark;
  /** The time column (the horizontal axis); found from the result when absent. */
  x?: string;
  /** The number column (the height); found from the result when absent. */
  y?: string;
}

const COLUMN = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/** Reads a `chart=` value; an error message says what is wrong and what is expected. */
export function parseChartSpec(value: string): { spec: ChartSpec } | { error: string } {
  const colon = value.indexOf(":");
  const mark = (colon < 0 ? value : value.slice(0, colon)).toLowerCase();
  if (!(CHART_MARKS as readonly string[]).includes(mark)) {
    return {
      error: `invalid chart "${value}": expected ${CHART_MARKS.join(", ")}, optionally with the time and number columns (chart=bar:hour,calls)${didYouMean(mark, CHART_MARKS)}`,
    };
  }
  const spec: ChartSpec = { mark: mark as ChartMark };
  if (colon < 0) return { spec };
  const columns = value.slice(colon + 1).split(",");
  if (mark === "none" || columns.length !== 2 || !columns.every((c) => COLUMN.test(c))) {
    return {
      error: `invalid chart "${value}": after "${mark}:" write the time column and the number column, such as chart=${mark === "none" ? "bar" : mark}:hour,calls`,
    };
  }
  // Matched without regard to case: Athena lower-cases labels, Logs Insights keeps them.
  spec.x = columns[0]!;
  spec.y = columns[1]!;
  return { spec };
}
