/**
 * The pictures, checked on their SVG: one mark per time bucket, heights proportional to the
 * values computed here from the report's raw rows, offending buckets marked, thresholds drawn.
 * The fixture reports are validated against the published report schema first.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { RunReport, StepReport } from "@run-md/core";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { Element, Root } from "hast";
import { fromHtml } from "hast-util-from-html";
import { selectAll } from "hast-util-select";
import { describe, expect, it } from "vitest";
import schema from "../../packages/core/schema/run-report.schema.json" with { type: "json" };
import { metricHistorySvg, stepCostSvg, timeSeriesSvg } from "../src/lib/charts.ts";
import { timeSeries } from "../src/lib/series.ts";

const reportsDir = path.join(import.meta.dirname, "fixtures/reports");
const read = (id: string, name = "latest.json"): RunReport =>
  JSON.parse(readFileSync(path.join(reportsDir, id, name), "utf8"));
const svgOf = (html: string): Root => fromHtml(html, { fragment: true });
const num = (e: Element, attr: string) => Number(e.properties[attr]);

describe("the fixture reports", () => {
  it("are valid against packages/core/schema/run-report.schema.json", () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    let n = 0;
    for (const id of readdirSync(reportsDir)) {
      for (const name of readdirSync(path.join(reportsDir, id))) {
        const ok = validate(read(id, name));
        expect(ok, `${id}/${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
        n++;
      }
    }
    expect(n).toBeGreaterThanOrEqual(12);
  });
});

/** Truth from the raw rows: calls per hour, summed, keyed by the hour's instant. */
function callsPerHour(step: StepReport): Map<number, number> {
  const sums = new Map<number, number>();
  for (const [hour, calls] of step.rows) {
    const t = Date.parse(String(hour).replace(" UTC", "Z").replace(" ", "T"));
    sums.set(t, (sums.get(t) ?? 0) + Number(calls));
  }
  return sums;
}

describe("a step's chart over the window", () => {
  const report = read("unauthorized-access");
  const step = report.steps.find((s) => s.id === "denied_per_hour")!;

  it("has one bar per hour, with heights proportional to the calls in that hour", () => {
    const truth = callsPerHour(step);
    const series = timeSeries(step, { mark: "bar", x: "hour", y: "calls" })!;
    const svg = svgOf(timeSeriesSvg(series));
    const bars = selectAll("g.rm-bars rect", svg);
    expect(bars).toHaveLength(truth.size);
    expect(truth.size).toBe(20);
    // Left to right is earliest to latest; each bar's height is its hour's sum times one scale.
    const hours = [...truth.keys()].sort((a, b) => a - b);
    const xs = bars.map((b) => num(b, "x"));
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    const k = num(bars[0]!, "height") / truth.get(hours[0]!)!;
    expect(k).toBeGreaterThan(0);
    bars.forEach((bar, i) => {
      expect(num(bar, "height")).toBeCloseTo(truth.get(hours[i]!)! * k, 6);
      // Every bar stands on the same baseline.
      expect(num(bar, "y") + num(bar, "height")).toBeCloseTo(
        num(bars[0]!, "y") + num(bars[0]!, "height"),
        6,
      );
    });
    // The hours are placed on a time axis: the gap between bars is proportional to the time between them.
    const px = (xs[1]! - xs[0]!) / (hours[1]! - hours[0]!);
    for (const [i, h] of hours.entries()) {
      expect(xs[i]! - xs[0]!).toBeCloseTo((h - hours[0]!) * px, 3);
    }
    // The hours over the warn: max(calls) < 40 limit are the offending ones: coloured and marked ✗.
    const offending = hours.map((h, i) => [h, i] as const).filter(([h]) => truth.get(h)! >= 40);
    expect(offending).toHaveLength(2);
    const bad = bars.filter((b) => b.properties.fill === "var(--rm-chart-bad)");
    expect(bad.map((b) => num(b, "x"))).toEqual(offending.map(([, i]) => xs[i]));
    expect(selectAll("g.rm-offending-marks text", svg).map((t) => t.children[0])).toHaveLength(2);
    // The limit is a dashed line at the height a bar of 40 calls would have.
    const rule = selectAll("g.rm-threshold line", svg);
    expect(rule).toHaveLength(1);
    const base = num(bars[0]!, "y") + num(bars[0]!, "height");
    expect(num(rule[0]!, "y1")).toBeCloseTo(base - 40 * k, 6);
    // The hours are UTC's, and the axis says so: "9 AM" read as the reader's own hour misleads.
    const ticks = selectAll("text", svg).map((t) => JSON.stringify(t));
    expect(ticks.some((t) => t.includes("UTC"))).toBe(true);
    // Each bar says what it is in words (a tooltip, and for screen readers).
    expect(JSON.stringify(bad[0])).toContain("calls 45");
    expect(JSON.stringify(bad[0])).toContain("offending");
  });

  it("adds up rows that share a time into one bar, and spans the whole window", () => {
    const two: StepReport = {
      ...step,
      columns: [
        { name: "hour", type: "timestamp" },
        { name: "principal", type: "varchar" },
        { name: "calls", type: "bigint" },
      ],
      rows: [
        ["2026-11-22 05:00:00.000 UTC", "a", 4],
        ["2026-11-22 05:00:00.000 UTC", "b", 6],
        ["2026-11-22 07:00:00.000 UTC", "a", 5],
      ],
      checks: [],
    };
    const series = timeSeries(two, undefined)!;
    expect(series.x).toBe("hour");
    expect(series.y).toBe("calls");
    expect(series.buckets.map((b) => [b.start.toISOString(), b.value, b.rows])).toEqual([
      ["2026-11-22T05:00:00.000Z", 10, 2],
      ["2026-11-22T07:00:00.000Z", 5, 1],
    ]);
    expect(series.window.start.toISOString()).toBe(step.window.start);
    expect(series.window.end.toISOString()).toBe(step.window.end);
    const bars = selectAll("g.rm-bars rect", svgOf(timeSeriesSvg(series)));
    expect(bars).toHaveLength(2);
    expect(num(bars[0]!, "height") / num(bars[1]!, "height")).toBeCloseTo(10 / 5, 6);
  });

  it("draws an infinite value (Athena's Infinity, a double divided by zero) as the tallest bar, marked, never as nothing", () => {
    const inf: StepReport = {
      ...step,
      columns: [
        { name: "hour", type: "timestamp" },
        { name: "principal", type: "varchar" },
        { name: "calls", type: "double" },
      ],
      rows: [
        ["2026-11-22 05:00:00.000 UTC", "a", 4],
        ["2026-11-22 07:00:00.000 UTC", "b", "Infinity"],
      ],
      checks: [
        {
          check: "max(calls) < 40",
          line: 1,
          warn: false,
          status: "failed",
          actual: "Infinity",
          message: "max(calls) = Infinity, expected < 40",
        },
      ],
    };
    const svg = svgOf(timeSeriesSvg(timeSeries(inf, undefined)!));
    const bars = selectAll("g.rm-bars rect", svg);
    // Before: the infinite bar, the ✗ and the axis were gone, and the limit lay under the 4.
    expect(bars).toHaveLength(2);
    const [four, infinite] = bars as [Element, Element];
    expect(infinite.properties.fill).toBe("var(--rm-chart-bad)");
    expect(num(infinite, "height")).toBeGreaterThan(num(four, "height"));
    expect(JSON.stringify(infinite)).toContain("calls ∞");
    expect(selectAll("g.rm-offending-marks text", svg)).toHaveLength(1);
    const rule = selectAll("g.rm-threshold line", svg)[0]!;
    expect(num(rule, "y1")).toBeLessThan(num(four, "y"));
    expect(num(rule, "y1")).toBeGreaterThan(num(infinite, "y"));
  });

  it("draws nothing without a time and a number column, or with chart=none", () => {
    const byPrincipal = report.steps.find((s) => s.id === "denied_by_principal")!;
    expect(timeSeries(byPrincipal, undefined)).toBeUndefined();
    expect(timeSeries(step, { mark: "none" })).toBeUndefined();
    expect(timeSeries(step, { mark: "bar", x: "hour", y: "nope" })).toBeUndefined();
    expect(timeSeries(step, { mark: "line" })?.mark).toBe("line");
  });

  it("as a line, has one point per hour and marks the offending ones with a cross", () => {
    const series = timeSeries(step, { mark: "line" })!;
    const svg = svgOf(timeSeriesSvg(series));
    const points = selectAll("g.rm-points path", svg);
    expect(points).toHaveLength(callsPerHour(step).size);
    expect(points.filter((p) => p.properties.fill === "var(--rm-chart-bad)")).toHaveLength(2);
  });
});

describe("a check's value over the last runs", () => {
  it("has one point per run, failed runs crossed, against the threshold line", () => {
    const points = [4, 7, 62].map((value, i) => ({
      at: new Date(Date.UTC(2026, 10, 21 + i, 2)),
      value,
      status: value < 50 ? "passed" : "failed",
    }));
    const svg = svgOf(metricHistorySvg("max(calls)", points, [50]));
    const dots = selectAll("g.rm-runs path", svg);
    expect(dots).toHaveLength(3);
    expect(dots.map((d) => d.properties.fill)).toEqual([
      "var(--rm-chart-bar)",
      "var(--rm-chart-bar)",
      "var(--rm-chart-bad)",
    ]);
    // Heights: the vertical position is linear in the value, and the rule sits at 50.
    const ys = dots.map((d) =>
      Number(/translate\([\d.]+,([\d.]+)\)/.exec(String(d.properties.transform))![1]),
    );
    const k = (ys[0]! - ys[1]!) / (7 - 4);
    expect(ys[0]! - ys[2]!).toBeCloseTo((62 - 4) * k, 6);
    const rule = selectAll("g.rm-threshold line", svg)[0]!;
    expect(ys[0]! - num(rule, "y1")).toBeCloseTo((50 - 4) * k, 6);
  });
  it("draws an infinite value as the highest point, crossed, above the limit", () => {
    const points = [4, Number.POSITIVE_INFINITY, 7].map((value, i) => ({
      at: new Date(Date.UTC(2026, 10, 21 + i, 2)),
      value,
      status: value < 50 ? "passed" : "failed",
    }));
    const svg = svgOf(metricHistorySvg("max(calls)", points, [50]));
    const dots = selectAll("g.rm-runs path", svg);
    expect(dots).toHaveLength(3);
    const ys = dots.map((d) =>
      Number(/translate\([\d.]+,([\d.]+)\)/.exec(String(d.properties.transform))![1]),
    );
    expect(dots[1]!.properties.fill).toBe("var(--rm-chart-bad)");
    expect(JSON.stringify(dots[1])).toContain("max(calls) = ∞");
    const rule = num(selectAll("g.rm-threshold line", svg)[0]!, "y1");
    expect(ys[1]!).toBeLessThan(rule);
    expect(rule).toBeLessThan(ys[2]!);
    expect(ys[2]!).toBeLessThan(ys[0]!);
  });
});

describe("the time each step took", () => {
  it("has one bar per step, its length proportional to the duration, with the data scanned", () => {
    const steps = [
      { step: "denied_by_principal", durationMs: 180, scannedBytes: 18_342_112 },
      { step: "failed_console_logins", durationMs: 720 },
    ];
    const html = stepCostSvg(steps);
    const bars = selectAll("g.rm-step-bars rect", svgOf(html));
    expect(bars).toHaveLength(2);
    expect(num(bars[1]!, "width") / num(bars[0]!, "width")).toBeCloseTo(720 / 180, 6);
    expect(html).toContain("180 ms · 18.3 MB scanned");
    expect(html).toContain("720 ms");
  });
});
