import { parseRunbook } from "@run-md/core";
import { describe, expect, it } from "vitest";
import { lintQueries } from "../src/lint.ts";

async function lint(body: string) {
  const { runbook } = parseRunbook(
    `---\ntitle: T\nparams:\n  who: { type: string, default: x }\n---\n\n${body}`,
    "rb.md",
  );
  expect(runbook).toBeDefined();
  return lintQueries(runbook!.path, runbook!.steps);
}

describe("Logs Insights syntax in runbooks", () => {
  it("places a syntax error at its line and column in the file", async () => {
    const d = await lint(
      '```logs-insights bad\nfilter eventName = "A"\n| stats count(*) by\n```\n',
    );
    expect(d).toEqual([
      {
        file: "rb.md",
        line: 9,
        column: 20,
        severity: "error",
        rule: "insights-syntax",
        message: 'expected an expression after "by", found the end of the query',
      },
    ]);
  });

  it("keeps columns right after a {{param}} on the same line", async () => {
    const d = await lint(
      "```logs-insights bad\nfilter userIdentity.userName = {{who}} and = 3\n```\n",
    );
    expect(d).toHaveLength(1);
    expect(d[0]!.line).toBe(8);
    expect(d[0]!.column).toBe(44);
  });

  it("reports an SQL-style -- comment line, which Logs Insights does not accept", async () => {
    const d = await lint(
      "```logs-insights bad\n# a comment is fine\n  -- this is not\n| stats count(*)\n```\n",
    );
    expect(d).toEqual([
      {
        file: "rb.md",
        line: 9,
        column: 3,
        severity: "error",
        rule: "insights-syntax",
        message: '"--" does not start a comment in Logs Insights: comments start with #',
      },
    ]);
  });

  it("says nothing about valid Insights and SQL queries", async () => {
    expect(
      await lint(
        "```logs-insights ok\nfilter eventName = {{who}}\n| stats count(*) as n by sourceIPAddress\n```\n\n```sql s\nSELECT 1\n```\n",
      ),
    ).toEqual([]);
  });
});
