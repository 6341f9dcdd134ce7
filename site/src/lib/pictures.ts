/**
 * The pictures of a page, with their captions: what the pages ask for, drawn by charts.ts from
 * the data series.ts and checks.ts extract.
 */
import type { ChartSpec, StepReport } from "@run-md/core";
import { metricHistorySvg, type StepCost, stepCostSvg, timeSeriesSvg } from "./charts.ts";
import { checkBody, normCheck, thresholds } from "./checks.ts";
import { formatTime, statLines } from "./format.ts";
import type { ReportEntry } from "./reports.ts";
import { checkHistory, timeSeries } from "./series.ts";

export interface Picture {
  svg: string;
  caption: string;
}

/** A step's result over the window, or undefined when it has no time and number column. */
export function stepPicture(
  step: StepReport | undefined,
  spec: ChartSpec | undefined,
): Picture | undefined {
  const series = step ? timeSeries(step, spec) : undefined;
  if (!series) return undefined;
  const marked = series.buckets.some((b) => b.offending);
  return {
    svg: timeSeriesSvg(series),
    caption: `${series.y} by ${series.x}, ${formatTime(series.window.start.toISOString())} → ${formatTime(series.window.end.toISOString())}${marked ? "; ✗ marks the times with offending rows" : ""}${series.thresholds.length > 0 ? "; the dashed line is the check's limit" : ""}. Hover a ${series.mark === "bar" ? "bar" : "point"} for its value.`,
  };
}

/** Each metric check of a step (`max(calls) < 50`, `rows == 0`): its value over the runs, against its limit. */
export function checkPictures(
  entries: ReportEntry[],
  stepId: string,
  checks: { source: string }[],
): (Picture & { check: string })[] {
  return checks.flatMap((c) => {
    const body = checkBody(c.source);
    const limits = thresholds(body);
    if (!body || limits.length === 0 || body.kind === "quantified") return [];
    const points = checkHistory(entries, stepId, c.source);
    if (points.length === 0) return [];
    const metric =
      body.metric.kind === "rows" ? "rows" : `${body.metric.kind}(${body.metric.column})`;
    return [
      {
        check: normCheck(c.source),
        svg: metricHistorySvg(metric, points, limits),
        caption: `${normCheck(c.source)}: the value of the last ${points.length} run${points.length === 1 ? "" : "s"}, oldest on the left (✕ failed); the dashed line is the limit.`,
      },
    ];
  });
}

/** What the step-time picture of a run is drawn from: each step's time and data scanned. */
export function stepCosts(steps: StepReport[]): StepCost[] {
  return steps.map((s) => {
    const bytes = Object.entries(s.stats ?? {}).find(
      ([k, v]) =>
        typeof v === "number" && statLines({ [k]: v }).headline[0]?.label === "data scanned",
    )?.[1] as number | undefined;
    return {
      step: s.id,
      durationMs: s.durationMs ?? 0,
      ...(bytes !== undefined ? { scannedBytes: bytes } : {}),
    };
  });
}

/** The time each step of a run took and the data it scanned. */
export function runCostPicture(costs: StepCost[]): Picture | undefined {
  if (costs.length === 0) return undefined;
  return {
    svg: stepCostSvg(costs),
    caption: "The time each step took, and the data it scanned where the engine says.",
  };
}
