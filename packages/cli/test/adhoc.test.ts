import { describe, expect, it } from "vitest";
import { adhocParams, adhocRunbook, formatAdhoc } from "../src/adhoc.ts";
import { lintQueries } from "../src/lint.ts";

describe("the ad-hoc query's runbook", () => {
  it("reads --param as name=value or name:type=value", () => {
    expect([...adhocParams(["who=%alice", "n:integer=5", "q=a=b"])]).toEqual([
      ["who", { type: "string", value: "%alice" }],
      ["n", { type: "integer", value: "5" }],
      ["q", { type: "string", value: "a=b" }],
    ]);
    expect(() => adhocParams(["=1"])).toThrow(/not name=value/);
    expect(() => adhocParams(["noequals"])).toThrow(/not name=value/);
    expect(() => adhocParams(["n=1", "n:integer=2"])).toThrow(/--param n is given twice/);
    expect(() => adhocParams(["n:wat=1"])).toThrow(/"wat" is not a parameter type/);
    expect(() => adhocParams(["start=2026-01-01"])).toThrow(/built in/);
  });

  it("keeps the query as written, even with backtick fences inside it", () => {
    const text = "SELECT '```' AS fence,\n  {{who}} AS who\nFROM cloudtrail_logs";
    const { runbook } = adhocRunbook({
      text,
      dialect: "sql",
      source: "<query>",
      params: ["who=x"],
    });
    expect(runbook?.steps).toHaveLength(1);
    expect(runbook?.steps[0]?.query).toBe(text);
    expect(runbook?.meta.params.who?.type).toBe("string");
  });

  it("refuses a typed value that does not parse, with a hint that keeps the type", () => {
    expect(() => adhocParams(["n:integer=abc"])).toThrow(
      expect.objectContaining({
        message: 'parameter "n" (from --param): expected an integer such as 10, got "abc"',
        hint: "pass it as --param n:integer=<integer>",
      }),
    );
    expect(() => adhocParams(["at:timestamp=yesterday"])).toThrow(/an ISO-8601 instant/);
    expect([...adhocParams(["n:integer=7", "ok:boolean=true"])].map(([k]) => k)).toEqual([
      "n",
      "ok",
    ]);
  });

  it("names a --param the query does not use by the flag, without a line and column", () => {
    const q = adhocRunbook({
      text: "SELECT 1 FROM cloudtrail_logs",
      dialect: "sql",
      source: "<query>",
      params: ["who=alice"],
    });
    expect(q.diagnostics.map(q.place).map(formatAdhoc)).toEqual([
      "warning --param who is given but the query does not use {{who}} [unused-param]",
    ]);
  });

  it("a bare ? points at --param, not at a front matter the query does not have (review)", async () => {
    const q = adhocRunbook({
      text: "SELECT 1 FROM cloudtrail_logs WHERE eventname = ?",
      dialect: "sql",
      source: "<query>",
      params: [],
    });
    const [d] = (await lintQueries("<query>", q.steps)).map(q.place);
    expect([d?.line, d?.column, d?.rule]).toEqual([1, 49, "sql-placeholder"]);
    expect(d?.message).toContain("{{name}} (given with --param name=value)");
    expect(d?.message).not.toContain("params:");
  });

  it("places the parser's diagnostics in the query, pointing at --param", () => {
    const q = adhocRunbook({
      text: "SELECT 1\nFROM cloudtrail_logs WHERE x = {{who}}",
      dialect: "sql",
      source: "<stdin>",
      params: [],
    });
    expect(q.runbook).toBeUndefined();
    const [d] = q.diagnostics.map(q.place);
    expect(d).toMatchObject({ file: "<stdin>", line: 2, column: 32, severity: "error" });
    expect(d?.message).toContain("pass --param who=value");
  });
});
