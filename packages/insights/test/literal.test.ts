import { parseRunbook, templateProblems } from "@run-md/core";
import { describe, expect, it, test } from "vitest";
import { parseInsights, renderInsightsLiteral, renderInsightsQuery } from "../src/index.ts";
import { tokenize } from "../src/lexer.ts";

function literalValue(literal: string): unknown {
  const [c] = parseInsights(`filter a = ${literal}`).commands;
  if (c?.kind !== "filter" || c.expr.kind !== "binary") throw new Error("not a comparison");
  const r = c.expr.right;
  return r.kind === "string" || r.kind === "number" ? r.value : r.kind;
}

describe("renderInsightsLiteral", () => {
  test.each([
    "plain",
    'quote " inside',
    "back\\slash",
    "x' OR '1'='1",
    'x" or eventName like "',
    "new\nline\tand tab",
    "# not a comment | not a pipe",
    "{{not_a_param}}",
    "",
  ])("the string %j reads back as itself", (s) => {
    expect(literalValue(renderInsightsLiteral(s, "string"))).toBe(s);
  });

  test("numbers are written plainly, booleans as 1 and 0", () => {
    expect(renderInsightsLiteral(42, "integer")).toBe("42");
    expect(renderInsightsLiteral("2.5", "number")).toBe("2.5");
    expect(renderInsightsLiteral(true, "boolean")).toBe("1");
    expect(renderInsightsLiteral(false, "boolean")).toBe("0");
    expect(() => renderInsightsLiteral("abc", "number")).toThrow(/"value" is not a number: abc/);
  });

  // The copies that core's renderLiteral replaced disagreed on these.
  test("a boolean given as text is still 1 or 0, an integer must be whole", () => {
    expect(renderInsightsLiteral("true", "boolean")).toBe("1");
    expect(renderInsightsLiteral("false", "boolean")).toBe("0");
    expect(() => renderInsightsLiteral("yes", "boolean", "flag")).toThrow(
      /parameter "flag" is not a boolean: yes/,
    );
    expect(() => renderInsightsLiteral(2.5, "integer", "n")).toThrow(
      /parameter "n" is not an integer: 2.5/,
    );
  });

  test("timestamps, ARNs and account ids are strings", () => {
    expect(renderInsightsLiteral("2026-11-23T00:00:00Z", "timestamp")).toBe(
      '"2026-11-23T00:00:00Z"',
    );
    expect(renderInsightsLiteral("111122223333", "account_id")).toBe('"111122223333"');
  });
});

describe("renderInsightsQuery", () => {
  test("replaces every reference and reports unknown ones", () => {
    const r = renderInsightsQuery("filter a = {{x}} and b = {{ y }} and c = {{z}}", {
      x: { type: "string", value: 'say "hi"' },
      y: { type: "integer", value: 3 },
    });
    expect(r.text).toBe('filter a = "say \\"hi\\"" and b = 3 and c = {{z}}');
    expect(r.missing).toEqual(["z"]);
  });

  test("parenthesises a negative number, so `-{{n}}` cannot become `--5`", () => {
    const r = renderInsightsQuery("stats count(*) - {{n}}, x -{{n}}, {{m}}", {
      n: { type: "integer", value: -5 },
      m: { type: "number", value: 2.5 },
    });
    expect(r.text).toBe("stats count(*) - (-5), x -(-5), 2.5");
  });

  // JavaScript writes 1e-7 and 1e+21, which the Logs Insights lexer does not read as numbers:
  // the logs engine's parse of the text it sends failed where the local engine bound the value.
  test.each([
    [0.0000001, "0.0000001"],
    [1e21, "1000000000000000000000"],
    [-1.5e-10, "(-0.00000000015)"],
  ])("the number %s is sent as %s, which reads back as itself", (value, text) => {
    const sent = renderInsightsQuery("filter requestParameters.maxResults > {{n}}", {
      n: { type: "number", value },
    }).text;
    expect(sent).toBe(`filter requestParameters.maxResults > ${text}`);
    const [c] = parseInsights(sent).commands;
    const right = c?.kind === "filter" && c.expr.kind === "binary" ? c.expr.right : undefined;
    const n = right?.kind === "neg" ? right.operand : right;
    expect((right?.kind === "neg" ? -1 : 1) * (n?.kind === "number" ? n.value : Number.NaN)).toBe(
      value,
    );
  });
});

describe("renderInsightsQuery never writes a value into a string or a regex", () => {
  it.each([
    "parse userIdentity.arn /(?<who>{{p}})/",
    "filter eventName like /{{p}}/",
    'filter eventName = "{{p}}"',
  ])("%s is refused", (query) => {
    const p = { type: "string", value: 'x)/ | filter eventName = "DeleteTrail' };
    expect(() => renderInsightsQuery(query, { p })).toThrow(/parameter "p" is inside/);
  });
  // The Insights lexer ends a `quoted` field name at the next backtick, a backslash before it
  // or not; the template check read `\` as an escape there, so after `a\` it took the string
  // below for text outside any quote and let its value become query text.
  const afterBackslash = 'fields `a\\` | filter eventName = "` {{p}}"';
  it("a {{p}} the lexer reads inside a string after `a\\` is inside a quote", () => {
    expect(tokenize(afterBackslash).find((t) => t.kind === "string")?.value).toBe("` {{p}}");
    expect(templateProblems(afterBackslash, "logs-insights").map((p) => p.kind)).toEqual([
      "quoted",
    ]);
    const p = { type: "string", value: " or ispresent(eventName) or eventName = " };
    expect(() => renderInsightsQuery(afterBackslash, { p })).toThrow(/parameter "p" is inside/);
  });
  it("run-md check's parse of the runbook reports it", () => {
    const md = ["---", "title: t", "params:", "  p:", "    type: string", "    default: x", "---"];
    md.push("", "# Step", "", "```logs-insights", afterBackslash, "```", "");
    const { diagnostics } = parseRunbook(md.join("\n"), "t.md") as { diagnostics: unknown[] };
    expect(JSON.stringify(diagnostics)).toMatch(/quoted|inside/);
  });
  it("a value outside them is rendered", () => {
    const p = { type: "string", value: "alice" };
    expect(renderInsightsQuery("filter userIdentity.userName = {{p}}", { p }).text).toBe(
      'filter userIdentity.userName = "alice"',
    );
  });
});
