import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  firstReference,
  insightsStringLiteral,
  maskReferences,
  RunMdError,
  referenceAt,
  renderLiteral,
  renderTemplate,
  scanTemplate,
  sqlStringLiteral,
  templateProblems,
} from "@run-md/core";
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
    // `parse` takes a regular expression too, of a field or of @message (red-team: a value
    // there went into the regex's text on the service, and was matched as "{{x}}" locally).
    [
      "logs-insights",
      "parse userIdentity.arn /user\\/(?<who>{{x}})/",
      [{ kind: "quoted", name: "x", offset: 37, quote: "/" }],
    ],
    ["logs-insights", "parse /a={{x}}/", [{ kind: "quoted", name: "x", offset: 9, quote: "/" }]],
    [
      "logs-insights",
      "parse `odd name` /{{x}}/",
      [{ kind: "quoted", name: "x", offset: 18, quote: "/" }],
    ],
    ["logs-insights", 'parse @message "a=*" as a | fields a / {{x}} as kb', []],
    ["logs-insights", "filter bytes / {{x}} > 1", []],
    // A regex is wherever the Insights lexer reads one: after anything but an operand (review:
    // a value in a function's regex argument reached the service's query text).
    [
      "logs-insights",
      "filter strcontains(@message, /{{x}}/)",
      [{ kind: "quoted", name: "x", offset: 30, quote: "/" }],
    ],
    [
      "logs-insights",
      "filter a = /{{x}}/",
      [{ kind: "quoted", name: "x", offset: 12, quote: "/" }],
    ],
    [
      "logs-insights",
      "filter a in [/{{x}}/]",
      [{ kind: "quoted", name: "x", offset: 14, quote: "/" }],
    ],
    ["logs-insights", "fields (a) / {{x}}, 10 / {{x}}, `b` / {{x}}, 'c' / {{x}}", []],
    ["logs-insights", "fields bytes / {{x}} as kb", []],
    ["logs-insights", "# don't\nfilter a = {{x}}", []],
    // A SQL line comment ends at a carriage return (Trino's grammar): the quote after it opens a
    // string, and a reference in that string is quoted (a red-team review found it unreported).
    ["sql", "WHERE a = 1 -- c\r'\n{{x}}'", [{ kind: "quoted", name: "x", offset: 19, quote: "'" }]],
    ["sql", "WHERE a = 1 -- don't\r\nAND b = {{x}}", []],
    ["sql", "WHERE a = {{ x-y }}", [{ kind: "malformed", text: "{{ x-y }}", offset: 10 }]],
    ["sql", "WHERE a = {{x", [{ kind: "malformed", text: "{{x", offset: 10 }]],
  ] as const)("%s: %s", (dialect, query, problems) => {
    expect(templateProblems(query, dialect)).toEqual(problems);
  });
});

describe("one template front end", () => {
  it("finds a reference at an offset with its length, or none", () => {
    expect(referenceAt("x = {{ a_1 }} y", 4)).toEqual({ name: "a_1", length: 9 });
    expect(referenceAt("x = {{ a_1 }} y", 3)).toBeUndefined();
    expect(referenceAt("{{1a}}", 0)).toBeUndefined();
    expect(firstReference("'a {{b}} {{c}}'")).toBe("b");
    expect(firstReference("'{{ 1b }}'")).toBeUndefined();
  });

  it("masks references, malformed ones too, keeping the length", () => {
    const query = "a = {{x}} AND b = {{ 1bad }} AND c = {y}";
    const masked = maskReferences(query, (n) => "#".repeat(n));
    expect(masked).toBe("a = ##### AND b = ########## AND c = {y}");
    expect(masked.length).toBe(query.length);
  });

  it("writes string literals that read back as the value", () => {
    expect(sqlStringLiteral("it's")).toBe("'it''s'");
    expect(sqlStringLiteral("")).toBe("''");
    expect(insightsStringLiteral('a "b" \\ c\nd\te')).toBe('"a \\"b\\" \\\\ c\\nd\\te"');
  });

  it.each([
    [{ type: "integer", value: 5 }, "sql", "5"],
    [{ type: "integer", value: "-5" }, "sql", "-5"],
    [{ type: "number", value: "2.5" }, "logs-insights", "2.5"],
    [{ type: "boolean", value: true }, "sql", "true"],
    [{ type: "boolean", value: "false" }, "sql", "false"],
    // The dead engine-local copy wrote true/false here; Logs Insights compares JSON booleans as 1/0.
    [{ type: "boolean", value: true }, "logs-insights", "1"],
    [{ type: "boolean", value: "false" }, "logs-insights", "0"],
    [{ type: "string", value: "o'k" }, "sql", "'o''k'"],
    [{ type: "string", value: 'o"k' }, "logs-insights", '"o\\"k"'],
    [{ type: "timestamp", value: "2026-11-23T00:00:00Z" }, "sql", "'2026-11-23T00:00:00Z'"],
    [{ type: "account_id", value: "111122223333" }, "logs-insights", '"111122223333"'],
  ] as const)("renders %j in %s as %s", (param, dialect, text) => {
    expect(renderLiteral("p", param, dialect)).toBe(text);
  });

  it("parenthesises a negative number inline, so `x -{{n}}` is not a comment", () => {
    expect(renderLiteral("n", { type: "integer", value: -3 }, "sql", { inline: true })).toBe(
      "(-3)",
    );
    expect(renderLiteral("n", { type: "integer", value: 3 }, "sql", { inline: true })).toBe("3");
  });

  it.each([
    [{ type: "integer", value: 2.5 }, 'parameter "p" is not an integer: 2.5'],
    [{ type: "number", value: "abc" }, 'parameter "p" is not a number: abc'],
    [{ type: "number", value: "" }, 'parameter "p" is not a number: '],
    [{ type: "boolean", value: "yes" }, 'parameter "p" is not a boolean: yes'],
  ] as const)("refuses %j with bad-param in both dialects", (param, message) => {
    for (const dialect of ["sql", "logs-insights"] as const) {
      let caught: unknown;
      try {
        renderLiteral("p", param, dialect);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(RunMdError);
      expect((caught as RunMdError).code).toBe("bad-param");
      expect((caught as RunMdError).message).toBe(message);
    }
  });
});

describe("the template front end is the only one", () => {
  it("no other source in packages/*/src writes its own {{name}} pattern", () => {
    const root = fileURLToPath(new URL("../../../", import.meta.url));
    const copies: string[] = [];
    for (const pkg of readdirSync(path.join(root, "packages"))) {
      const src = path.join(root, "packages", pkg, "src");
      if (!existsSync(src)) continue;
      for (const f of readdirSync(src, { recursive: true, encoding: "utf8" })) {
        const file = path.join(src, f);
        if (!f.endsWith(".ts") || file.endsWith(path.join("core", "src", "template.ts"))) continue;
        // A regular expression that matches `{{`: written `\{\{` in a literal or a string.
        if (readFileSync(file, "utf8").includes("\\{\\{")) copies.push(path.relative(root, file));
      }
    }
    expect(copies).toEqual([]);
  });
});
