import {
  chartWarning,
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

describe("a chart= whose result cannot be drawn", () => {
  const columns = (...spec: string[]) =>
    spec.map((c) => {
      const [name, type] = c.split(":");
      return { name: name!, type: type! };
    });
  const result = {
    columns: columns("hour:timestamp", "who:varchar", "calls:bigint", "note:varchar"),
    rows: [
      ["2026-11-24 10:00:00", "alice", 3, "x"],
      ["2026-11-24 11:00:00", "bob", 5, null],
    ],
  };
  it.each([
    // The result has a time and a number column: drawn, nothing said.
    ["bar", undefined],
    ["line:HOUR,Calls", undefined],
    ["bar:who,calls", 'chart=bar:who,calls draws no chart: column "who" does not hold times'],
    ["bar:hour,note", 'chart=bar:hour,note draws no chart: column "note" does not hold numbers'],
    ["bar:hour,hour", 'chart=bar:hour,hour draws no chart: "hour" cannot be both the time and'],
    ["bar:hour,nope", 'chart=bar:hour,nope draws no chart: the result has no column "nope"'],
    ["none", undefined],
  ])("chart=%s: %s", (value, warning) => {
    const spec = parseChartSpec(value);
    if (!("spec" in spec)) throw new Error(spec.error);
    const said = chartWarning(spec.spec, result, []);
    if (warning === undefined) expect(said).toBeUndefined();
    else expect(said).toContain(warning);
  });

  it("says nothing without chart= (drawn when it can be), nor of an empty result", () => {
    const noTime = { columns: columns("who:varchar", "calls:bigint"), rows: [["alice", 3]] };
    expect(chartWarning(undefined, noTime, [])).toBeUndefined();
    expect(chartWarning({ mark: "bar" }, noTime, [])).toMatch(/has no time column/);
    expect(chartWarning({ mark: "bar" }, { ...result, rows: [] }, [])).toBeUndefined();
    // A number column apart from the time: none here.
    const onlyTime = { columns: columns("hour:timestamp"), rows: [["2026-11-24 10:00:00"]] };
    expect(chartWarning({ mark: "line" }, onlyTime, [])).toBe(
      'chart=line draws no chart: the result has no number column beside the time column "hour"',
    );
  });
});
