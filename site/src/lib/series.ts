/**
 * The data of a step's chart: which columns are time and number (the `chart=` attribute, else
 * found from the result), one bucket per distinct time with the sum of the number, and which
 * buckets hold an offending row of a failed check.
 */
import {
  asNumber,
  type ChartSpec,
  type CheckBody,
  chartColumns,
  extremeColumn,
  type JsonValue,
  parseChartTime,
  type StepReport,
} from "@run-md/core";
import { breaks, checkBody, normCheck, thresholds } from "./checks.ts";
import { rowKey } from "./reports.ts";

export interface Bucket {
  start: Date;
  end: Date;
  value: number;
  /** Rows of the result summed into this bucket. */
  rows: number;
  offending: boolean;
}

export interface TimeSeries {
  mark: "bar" | "line";
  x: string;
  y: string;
  buckets: Bucket[];
  /** Thresholds of the `min`/`max` checks on the number column. */
  thresholds: number[];
  window: { start: Date; end: Date };
}

/** Rows a failed check points at: its offending rows, and rows breaking a failed min/max check on the number column (`yi`). */
function offendingTest(step: StepReport, yi: number): (row: JsonValue[]) => boolean {
  const yName = step.columns[yi]!.name;
  const keys = new Set<string>();
  const extremes: CheckBody[] = [];
  for (const c of step.checks) {
    if (c.status !== "failed" && c.status !== "warned") continue;
    for (const r of c.offendingRows ?? []) keys.add(rowKey(r));
    const body = checkBody(c.check);
    if (body && extremeColumn(body)?.toLowerCase() === yName.toLowerCase()) extremes.push(body);
  }
  return (row) => {
    const v = asNumber(row[yi]);
    if (v !== undefined && extremes.some((b) => breaks(b, v))) return true;
    if (keys.size === 0) return false;
    const o: Record<string, JsonValue> = {};
    step.columns.forEach((c, i) => {
      o[c.name] = row[i] ?? null;
    });
    return keys.has(rowKey(o));
  };
}

/** The width of a bucket: the smallest gap between two times, else an hour. */
function bucketWidth(times: number[]): number {
  let w = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++) w = Math.min(w, times[i]! - times[i - 1]!);
  return Number.isFinite(w) && w > 0 ? w : 3600_000;
}

/** The chart of a step's result, or undefined when it has no time and number columns (or `chart=none`). */
export function timeSeries(step: StepReport, spec: ChartSpec | undefined): TimeSeries | undefined {
  if (spec?.mark === "none") return undefined;
  // The columns as core chooses them: a run warns with its reason when a chart= draws nothing.
  const cols = chartColumns(
    step,
    spec,
    step.checks.map((c) => checkBody(c.check)),
  );
  if (!("xi" in cols)) return undefined;
  const x = step.columns[cols.xi]!.name;
  const y = step.columns[cols.yi]!.name;
  const isOffending = offendingTest(step, cols.yi);
  const byTime = new Map<number, { value: number; rows: number; offending: boolean }>();
  for (const row of step.rows) {
    const t = parseChartTime(row[cols.xi])?.getTime();
    const v = asNumber(row[cols.yi]);
    if (t === undefined || v === undefined) continue;
    const b = byTime.get(t) ?? { value: 0, rows: 0, offending: false };
    b.value += v;
    b.rows++;
    b.offending ||= isOffending(row);
    byTime.set(t, b);
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  const width = bucketWidth(times);
  const buckets = times.map((t) => ({
    start: new Date(t),
    end: new Date(t + width),
    ...byTime.get(t)!,
  }));
  const limits = step.checks.flatMap((c) => {
    const body = checkBody(c.check);
    return extremeColumn(body)?.toLowerCase() === y.toLowerCase() ? thresholds(body) : [];
  });
  // Over the window, stretched to the data should a row fall outside it.
  const ws = Date.parse(step.window?.start ?? "");
  const we = Date.parse(step.window?.end ?? "");
  const first = times[0]!;
  const last = times.at(-1)! + width;
  const start = new Date(Number.isFinite(ws) ? Math.min(ws, first) : first);
  const end = new Date(Number.isFinite(we) ? Math.max(we, last) : last);
  return {
    mark: spec?.mark === "line" ? "line" : "bar",
    x,
    y,
    buckets,
    thresholds: [...new Set(limits)],
    window: { start, end },
  };
}

/**
 * A check's numeric actual value in each run that has it, oldest first (entries newest first).
 * A pass in a step that errored judged part of the data: it is left out, not drawn as a pass.
 */
export function checkHistory(
  entries: {
    startedAt: string;
    checks: {
      stepId: string;
      check: string;
      status: string;
      actual?: JsonValue;
      stepErrored?: boolean;
    }[];
  }[],
  stepId: string,
  check: string,
): { at: Date; value: number; status: string }[] {
  const key = normCheck(check);
  const points: { at: Date; value: number; status: string }[] = [];
  for (const e of [...entries].reverse()) {
    const c = e.checks.find((x) => x.stepId === stepId && normCheck(x.check) === key);
    const value = asNumber(c?.actual);
    const at = new Date(e.startedAt);
    if (c?.stepErrored && c.status === "passed") continue;
    if (c && value !== undefined && !Number.isNaN(at.getTime()))
      points.push({ at, value, status: c.status });
  }
  return points;
}
