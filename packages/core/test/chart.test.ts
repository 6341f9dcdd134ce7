import {
  formatDiagnostic,
  parseChartSpec,
  parseInfo,
  parseRunbook,
  stepFromInfo,
} from "@run-md/core";
import { describe, expect, it } from "vitest";

describe("the chart= step attribute", () => {
  it.each([
    ["bar", { mark: "bar" }],
    ["line", { mark: "line" }],
    ["none", { mark: "none" }],
    ["BAR", { mark: "bar" }],
    ["bar:hour,calls", { mark: "bar", x: "hour", y: "calls" }],
    ["line:Hour,eventCount", { mark: "line", x: "Hour", y: "eventCount" }],
  ])("reads chart=%s", (value, spec) => {
    expect(parseChartSpec(value)).toEqual({ spec });
    expect(stepFromInfo(parseInfo(`sql q chart=${value}`), "sql")).toEqual({
      id: "q",
      attributes: { optional: false, chart: spec },
      problems: [],
    });
  });

  it.each([
    [
      "pie",
      'invalid chart "pie": expected bar, line, none, optionally with the time and number columns (chart=bar:hour,calls)',
    ],
    [
      "lines",
      'invalid chart "lines": expected bar, line, none, optionally with the time and number columns (chart=bar:hour,calls) (did you mean "line"?)',
    ],
    [
      "bar:hour",
      'invalid chart "bar:hour": after "bar:" write the time column and the number column, such as chart=bar:hour,calls',
    ],
    [
      "line:hour,calls,extra",
      'invalid chart "line:hour,calls,extra": after "line:" write the time column and the number column, such as chart=line:hour,calls',
    ],
    [
      "none:hour,calls",
      'invalid chart "none:hour,calls": after "none:" write the time column and the number column, such as chart=bar:hour,calls',
    ],
  ])("rejects chart=%s with a message at the value", (value, message) => {
    expect(parseChartSpec(value)).toEqual({ error: message });
    expect(stepFromInfo(parseInfo(`sql q chart=${value}`), "sql").problems).toEqual([
      { offset: 12, rule: "invalid-attribute", severity: "error", message },
    ]);
  });

  it("is reported by the parser (and so by run-md check) with the file, line and column", () => {
    const source = [
      "---",
      "title: Charts",
      "---",
      "",
      "```sql per_hour chart=bar:hour,calls",
      "SELECT 1 AS calls",
      "```",
      "",
      "```sql other chart=pie",
      "SELECT 1",
      "```",
      "",
    ].join("\n");
    const { runbook, diagnostics } = parseRunbook(source, "charts.md");
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'charts.md:9:20 error invalid chart "pie": expected bar, line, none, optionally with the time and number columns (chart=bar:hour,calls) [invalid-attribute]',
    ]);
    expect(runbook).toBeUndefined();
    const ok = parseRunbook(source.replace(" chart=pie", ""), "charts.md");
    expect(ok.runbook?.steps[0]?.attributes.chart).toEqual({ mark: "bar", x: "hour", y: "calls" });
  });
});
