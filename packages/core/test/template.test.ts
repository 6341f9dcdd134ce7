import { renderTemplate, scanTemplate, templateProblems } from "@run-md/core";
import { describe, expect, it } from "vitest";

describe("{{param}} templates", () => {
  it("splits a query into text and references with their offsets", () => {
    expect(scanTemplate("a = {{x}} AND b = {{ y_2 }}")).toEqual([
      { kind: "text", text: "a = " },
      { kind: "param", name: "x", offset: 4 },
      { kind: "text", text: " AND b = " },
      { kind: "param", name: "y_2", offset: 18 },
    ]);
    expect(scanTemplate("{{x}}")).toEqual([{ kind: "param", name: "x", offset: 0 }]);
    expect(scanTemplate("no refs {{ 1x }}")).toEqual([{ kind: "text", text: "no refs {{ 1x }}" }]);
    expect(scanTemplate("")).toEqual([]);
  });

  it("renders every reference and keeps the rest as it is", () => {
    expect(renderTemplate("x IN ({{a}}, {{ b }}) -- {c}", (n) => `<${n}>`)).toBe(
      "x IN (<a>, <b>) -- {c}",
    );
  });

  it.each([
    ["sql", "WHERE a = '{{x}}'", [{ kind: "quoted", name: "x", offset: 11, quote: "'" }]],
    ["sql", "WHERE a LIKE '%' || {{x}} || '%'", []],
    ["sql", "WHERE a = 'it''s {{x}}'", [{ kind: "quoted", name: "x", offset: 17, quote: "'" }]],
    ["sql", 'SELECT "{{x}}" FROM t', [{ kind: "quoted", name: "x", offset: 8, quote: '"' }]],
    ["sql", "-- don't\nWHERE a = {{x}}", []],
    ["sql", "/* it's */ WHERE a = {{x}}", []],
    [
      "logs-insights",
      'filter a = "{{x}}"',
      [{ kind: "quoted", name: "x", offset: 12, quote: '"' }],
    ],
    [
      "logs-insights",
      "filter a = '{{x}}'",
      [{ kind: "quoted", name: "x", offset: 12, quote: "'" }],
    ],
    [
      "logs-insights",
      'filter a = "say \\"{{x}}\\""',
      [{ kind: "quoted", name: "x", offset: 18, quote: '"' }],
    ],
    [
      "logs-insights",
      "filter a like /{{x}}/",
      [{ kind: "quoted", name: "x", offset: 15, quote: "/" }],
    ],
    ["logs-insights", "fields bytes / {{x}} as kb", []],
    ["logs-insights", "# don't\nfilter a = {{x}}", []],
    ["sql", "WHERE a = {{ x-y }}", [{ kind: "malformed", text: "{{ x-y }}", offset: 10 }]],
    ["sql", "WHERE a = {{x", [{ kind: "malformed", text: "{{x", offset: 10 }]],
  ] as const)("%s: %s", (dialect, query, problems) => {
    expect(templateProblems(query, dialect)).toEqual(problems);
  });
});
