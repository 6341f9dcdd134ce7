/**
 * The site's pictures, drawn at build time as SVG with Observable Plot on a server-side DOM
 * (linkedom): they need no JavaScript in the browser and stay crisp at any zoom. Colours are the
 * site's CSS variables, so the charts follow the light and dark themes; a failure is never told
 * by colour alone (a ✗ above the bar, a cross instead of a dot).
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { formatBytes, formatDuration, formatTime, STATUS_LABEL } from "./format.ts";
import type { Bucket, TimeSeries } from "./series.ts";

const { document } = parseHTML("<!doctype html><html><body></body></html>");

const COLOR = {
  bar: "var(--rm-chart-bar)",
  bad: "var(--rm-chart-bad)",
  rule: "var(--rm-chart-rule)",
  text: "currentColor",
};
const FONT = 12;

/**
 * Removes the `aria-label` of every element under `el`. A walk rather than
 * `querySelectorAll("[aria-label]")`, whose selector linkedom compiles anew on every call (a
 * site draws thousands of charts).
 */
function dropLabels(el: Element): void {
  for (const child of el.children) {
    child.removeAttribute("aria-label");
    dropLabels(child);
  }
}

/** Renders a Plot figure as an SVG string with an accessible name. */
function render(options: Plot.PlotOptions, label: string): string {
  const svg = Plot.plot({
    ...options,
    document: document as unknown as Document,
    style: { fontSize: `${FONT}px`, background: "transparent" },
  }) as unknown as Element;
  // The picture is one image with one name: Plot's labels of its parts (`aria-label="rule"`)
  // are not allowed on plain groups, and say nothing a reader needs.
  dropLabels(svg);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("class", `${svg.getAttribute("class") ?? ""} rm-chart__svg`);
  return svg.outerHTML;
}

// One formatter for every label: `toLocaleString` with options builds a new one per call, which
// showed up in the profile of a site of thousands of charts.
const NUMBER = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
const num = (v: number) => NUMBER.format(v);

/**
 * Where a value is drawn on a scale from `low` to `high`: an infinite one (Athena prints
 * `Infinity` for a double divided by zero, and a check compares it) at the edge it goes past.
 * Plot leaves non-finite values out: the offending bar, its ✗ and the axis were gone, and the
 * scale with them (the limit was drawn under a bar of 4).
 */
function drawnAt(value: number, low: number, high: number): number {
  if (value === Number.POSITIVE_INFINITY) return high;
  if (value === Number.NEGATIVE_INFINITY) return low;
  return value;
}

/** The finite ones of `values` (what a scale is made of). */
const finite = (values: number[]) => values.filter(Number.isFinite);

/** A step's result over the window: one bar (or point) per time, offending ones marked. */
export function timeSeriesSvg(series: TimeSeries, options: { width?: number } = {}): string {
  const { buckets, x, y } = series;
  const title = (b: (typeof buckets)[number]) =>
    `${formatTime(b.start.toISOString())}: ${y} ${num(b.value)}${b.rows > 1 ? ` (${b.rows} rows)` : ""}${b.offending ? " ✗ offending" : ""}`;
  const bad = buckets.filter((b) => b.offending);
  const top = Math.max(...finite(buckets.map((b) => b.value)), ...series.thresholds, 0);
  const ceiling = top * 1.12 || 1;
  const value = (b: Bucket) => drawnAt(b.value, 0, ceiling);
  const marks: Plot.Markish[] = [];
  if (series.mark === "bar") {
    marks.push(
      Plot.rectY(buckets, {
        x1: "start",
        x2: "end",
        y: value,
        insetLeft: 0.5,
        insetRight: 0.5,
        fill: (b) => (b.offending ? COLOR.bad : COLOR.bar),
        title,
        className: "rm-bars",
      }),
    );
  } else {
    const mid = (b: (typeof buckets)[number]) =>
      new Date((b.start.getTime() + b.end.getTime()) / 2);
    marks.push(
      Plot.lineY(buckets, { x: mid, y: value, stroke: COLOR.bar, strokeWidth: 2 }),
      Plot.dot(buckets, {
        x: mid,
        y: value,
        r: 3.5,
        symbol: (b: Bucket) => (b.offending ? "times" : "circle"),
        stroke: (b) => (b.offending ? COLOR.bad : COLOR.bar),
        fill: (b) => (b.offending ? COLOR.bad : COLOR.bar),
        strokeWidth: 2,
        title,
        className: "rm-points",
      }),
    );
  }
  marks.push(
    Plot.text(bad, {
      x: (b) => new Date((b.start.getTime() + b.end.getTime()) / 2),
      y: value,
      text: () => "✗",
      dy: -8,
      fill: COLOR.bad,
      fontWeight: "bold",
      className: "rm-offending-marks",
    }),
    Plot.ruleY([0]),
  );
  for (const t of series.thresholds) {
    marks.push(
      Plot.ruleY([t], {
        stroke: COLOR.rule,
        strokeDasharray: "5 4",
        strokeWidth: 1.5,
        className: "rm-threshold",
      }),
      Plot.text([t], {
        y: (d) => d,
        frameAnchor: "right",
        dy: -7,
        text: (d) => `limit ${num(d)}`,
        fill: COLOR.text,
      }),
    );
  }
  return render(
    {
      width: options.width ?? 720,
      height: 220,
      marginLeft: 50,
      marginTop: 24,
      // The hours are UTC's, as every time of the site: said on the axis, not left to be read
      // as the reader's own.
      x: { type: "utc", domain: [series.window.start, series.window.end], label: "UTC" },
      y: { domain: [0, ceiling], label: y, grid: true, nice: true },
      marks,
    },
    `${series.mark === "bar" ? "Bar" : "Line"} chart of ${y} by ${x} over the window, ${buckets.length} time${buckets.length === 1 ? "" : "s"}${bad.length > 0 ? `, ${bad.length} with offending rows` : ""}`,
  );
}

export interface MetricPoint {
  at: Date;
  value: number;
  status: string;
}

function spanDays(points: MetricPoint[]): number {
  const ts = points.map((p) => p.at.getTime());
  return (Math.max(...ts) - Math.min(...ts)) / 86_400_000;
}

/** A check's actual value over the last runs, against its threshold line(s). */
export function metricHistorySvg(metric: string, points: MetricPoint[], limits: number[]): string {
  const failed = (p: MetricPoint) => p.status === "failed" || p.status === "errored";
  const title = (p: MetricPoint) =>
    `${formatTime(p.at.toISOString())}: ${metric} = ${num(p.value)}, ${STATUS_LABEL[p.status as keyof typeof STATUS_LABEL]?.label ?? p.status}`;
  const values = finite([...points.map((p) => p.value), ...limits]);
  const lo = Math.min(0, ...values);
  const hi = Math.max(lo, ...values);
  const high = hi === lo ? lo + 1 : hi + (hi - lo) * 0.12;
  const value = (p: MetricPoint) => drawnAt(p.value, lo, high);
  const marks: Plot.Markish[] = [
    ...limits.map((t) =>
      Plot.ruleY([t], {
        stroke: COLOR.rule,
        strokeDasharray: "5 4",
        strokeWidth: 1.5,
        className: "rm-threshold",
      }),
    ),
    ...limits.map((t) =>
      Plot.text([t], {
        y: (d) => d,
        frameAnchor: "left",
        dy: -7,
        dx: 4,
        text: (d) => `limit ${num(d)}`,
        fill: COLOR.text,
      }),
    ),
    Plot.lineY(points, { x: "at", y: value, stroke: COLOR.bar, strokeWidth: 1.5 }),
    Plot.dot(points, {
      x: "at",
      y: value,
      r: 4,
      symbol: (p: MetricPoint) => (failed(p) ? "times" : "circle"),
      stroke: (p) => (failed(p) ? COLOR.bad : COLOR.bar),
      fill: (p) => (failed(p) ? COLOR.bad : COLOR.bar),
      strokeWidth: 2,
      title,
      className: "rm-runs",
    }),
  ];
  return render(
    {
      width: 520,
      height: 160,
      marginLeft: 50,
      marginTop: 16,
      // Runs are days apart: dates on the axis, not hours.
      x: {
        type: "utc",
        label: null,
        ticks: spanDays(points) <= 8 ? "day" : 5,
        tickFormat: "%b %-d",
      },
      y: {
        domain: [lo, high],
        label: metric,
        grid: true,
        nice: true,
      },
      marks,
    },
    `${metric} over the last ${points.length} run${points.length === 1 ? "" : "s"}, against the limit ${limits.map(num).join(" and ")}; ${points.filter(failed).length} failed`,
  );
}

export interface StepCost {
  step: string;
  durationMs: number;
  scannedBytes?: number;
}

/**
 * The time each step of a run took, with the data it scanned written at the end of its bar.
 * Drawn without axes (the names and values are written out), so a site with thousands of run
 * pages stays quick to build: Plot's axes cost several times the rest of this chart.
 */
export function stepCostSvg(steps: StepCost[]): string {
  const label = (s: StepCost) =>
    `${formatDuration(s.durationMs)}${s.scannedBytes !== undefined ? ` · ${formatBytes(s.scannedBytes)} scanned` : ""}`;
  const longest = Math.max(...steps.map((s) => s.step.length));
  return render(
    {
      width: 720,
      height: 12 + steps.length * 28,
      marginTop: 6,
      marginBottom: 6,
      marginLeft: Math.min(260, 16 + longest * 7),
      marginRight: 190,
      x: { axis: null, domain: [0, Math.max(1, ...steps.map((s) => s.durationMs))] },
      y: { axis: null, domain: steps.map((s) => s.step), padding: 0.2 },
      marks: [
        Plot.barX(steps, {
          y: "step",
          x: "durationMs",
          fill: COLOR.bar,
          title: (s: StepCost) => `${s.step}: ${label(s)}`,
          className: "rm-step-bars",
        }),
        Plot.text(steps, {
          y: "step",
          x: 0,
          text: "step",
          textAnchor: "end",
          dx: -6,
          fill: COLOR.text,
        }),
        Plot.text(steps, {
          y: "step",
          x: "durationMs",
          text: label,
          textAnchor: "start",
          dx: 5,
          fill: COLOR.text,
        }),
        Plot.ruleX([0]),
      ],
    },
    `Time each step took${steps.some((s) => s.scannedBytes !== undefined) ? " and the data it scanned" : ""}: ${steps.map((s) => `${s.step} ${label(s)}`).join("; ")}`,
  );
}
