import { describe, expect, it, test } from "vitest";
import { parseInsights, renderInsightsLiteral, renderInsightsQuery } from "../src/index.ts";

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
  it("a value outside them is rendered", () => {
    const p = { type: "string", value: "alice" };
    expect(renderInsightsQuery("filter userIdentity.userName = {{p}}", { p }).text).toBe(
      'filter userIdentity.userName = "alice"',
    );
  });
});
