/**
 * The `chart=` step attribute: which picture the site draws of a step's result.
 * `chart=bar` or `chart=line` picks the mark (the columns are then found: the first time column
 * and the first number column), `chart=bar:hour,calls` names the time and the number columns too,
 * and `chart=none` draws nothing.
 */
import { didYouMean } from "./diagnostics.ts";
import type { ColumnInfo, JsonValue } from "./engine.ts";
import { asNumber } from "./evaluate.ts";
import type { CheckBody } from "./model.ts";

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

/** What a step's chart is drawn from: the result's columns and the rows a report keeps. */
export interface ChartResult {
  columns: readonly ColumnInfo[];
  rows: readonly (readonly JsonValue[])[];
}

const ISO_TIME =
  /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2}| UTC)?$/;
const TIME_TYPE = /^(timestamp|date|time)/i;
const NUMBER_TYPE = /int|double|float|decimal|real|numeric|number/i;

/** An engine's time value as an instant; times without a zone are UTC, as CloudTrail's are. */
export function parseChartTime(v: JsonValue | undefined): Date | undefined {
  if (typeof v !== "string" || !ISO_TIME.test(v.trim())) return undefined;
  let text = v.trim().replace(" UTC", "Z").replace(" ", "T");
  if (text.length === 10) text += "T00:00:00Z";
  else if (!/(Z|[+-]\d{2}:?\d{2})$/.test(text)) text += "Z";
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function values(result: ChartResult, i: number): JsonValue[] {
  return result.rows.map((r) => r[i] ?? null).filter((v) => v !== null);
}

/** A column of times: typed as one or holding text, and every value of it an ISO date or time. */
function isTimeColumn(result: ChartResult, i: number): boolean {
  const vs = values(result, i);
  if (vs.length === 0) return false;
  return (
    (TIME_TYPE.test(result.columns[i]!.type) || typeof vs[0] === "string") &&
    vs.every((v) => parseChartTime(v))
  );
}

function isNumberColumn(result: ChartResult, i: number): boolean {
  const vs = values(result, i);
  if (vs.length === 0) return false;
  return (
    (NUMBER_TYPE.test(result.columns[i]!.type) || typeof vs[0] === "number") &&
    vs.every((v) => asNumber(v) !== undefined)
  );
}

/** The column a `min`/`max` check reads (`max(calls) < 50`: calls), when it is one. */
export function extremeColumn(body: CheckBody | undefined): string | undefined {
  if (body?.kind !== "compare" && body?.kind !== "between") return undefined;
  return body.metric.kind === "min" || body.metric.kind === "max" ? body.metric.column : undefined;
}

/** The index of a `chart=` column among a result's column names (matched without regard to case), or -1. */
export function chartColumnIndex(names: readonly string[], name: string): number {
  const lower = name.toLowerCase();
  return names.findIndex((n) => n.toLowerCase() === lower);
}

/** Why no chart is drawn; `empty` when only for want of rows. */
export interface NoChart {
  reason: string;
  empty?: true;
}

const TIMES = "a timestamp or a date, or text that is all ISO dates and times";

/**
 * The time (`xi`) and number (`yi`) columns of a step's chart, or why there is none: the
 * author's (`chart=bar:hour,calls`, matched without regard to case), else the first time column
 * and the number column a `min`/`max` check reads, else the first number column. One answer for
 * the site, which draws it, and the run, which warns when a `chart=` draws nothing.
 */
export function chartColumns(
  result: ChartResult,
  spec: ChartSpec | undefined,
  checks: readonly (CheckBody | undefined)[],
): { xi: number; yi: number } | NoChart {
  const names = result.columns.map((c) => c.name);
  const find = (name: string) => chartColumnIndex(names, name);
  for (const name of [spec?.x, spec?.y]) {
    if (name !== undefined && find(name) < 0)
      return { reason: `the result has no column "${name}" (its columns: ${names.join(", ")})` };
  }
  if (result.rows.length === 0) return { reason: "the result has no rows", empty: true };
  const all = names.map((_, i) => i);
  const xi = spec?.x !== undefined ? find(spec.x) : all.find((i) => isTimeColumn(result, i));
  if (xi === undefined) return { reason: `the result has no time column (${TIMES})` };
  if (!isTimeColumn(result, xi))
    return { reason: `column "${names[xi]}" does not hold times (${TIMES})` };
  const number = (i: number) => i >= 0 && i !== xi && isNumberColumn(result, i);
  const yi =
    spec?.y !== undefined
      ? find(spec.y)
      : (checks.map((c) => find(extremeColumn(c) ?? "")).find(number) ?? all.find(number));
  if (yi === undefined)
    return { reason: `the result has no number column beside the time column "${names[xi]}"` };
  if (yi === xi) return { reason: `"${names[xi]}" cannot be both the time and the number` };
  if (!isNumberColumn(result, yi)) return { reason: `column "${names[yi]}" does not hold numbers` };
  const drawn = result.rows.some(
    (r) => parseChartTime(r[xi]) !== undefined && asNumber(r[yi]) !== undefined,
  );
  if (!drawn)
    return { reason: `no row has both a time in "${names[xi]}" and a number in "${names[yi]}"` };
  return { xi, yi };
}

/** The attribute as written back (`chart=bar:hour,calls`). */
export function chartText(spec: ChartSpec): string {
  return `chart=${spec.mark}${spec.x === undefined ? "" : `:${spec.x},${spec.y}`}`;
}

/**
 * A step's warning when its `chart=bar` or `chart=line` draws nothing, saying why; none without
 * `chart=` (the chart is then drawn only when the result has what it needs), with `chart=none`,
 * or for a result without rows whose columns hold the named ones (nothing to draw is what the
 * empty result says).
 */
export function chartWarning(
  spec: ChartSpec | undefined,
  result: ChartResult,
  checks: readonly (CheckBody | undefined)[],
): string | undefined {
  if (spec === undefined || spec.mark === "none") return undefined;
  const columns = chartColumns(result, spec, checks);
  if ("xi" in columns || columns.empty) return undefined;
  return `${chartText(spec)} draws no chart: ${columns.reason}`;
}
