import { parseRunbook } from "@run-md/core";
import { describe, expect, it } from "vitest";
import { type LintOptions, lintQueries } from "../src/lint.ts";

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

async function lintWith(params: string, body: string) {
  const { runbook } = parseRunbook(`---\ntitle: T\nparams:\n${params}---\n\n${body}`, "rb.md");
  expect(runbook).toBeDefined();
  return lintQueries(runbook!.path, runbook!.steps, { params: runbook!.meta.params });
}

const line = (d: {
  line: number;
  column: number;
  severity: string;
  rule: string;
  message: string;
}) => `${d.line}:${d.column} ${d.severity} ${d.message} [${d.rule}]`;

describe("Logs Insights fields and parameters in runbooks (review F7, F9, F10)", () => {
  it("reports a field CloudTrail records do not have, case-sensitively, with its spelling", async () => {
    // The review's lif.md: `rows == 0` passed over both typos.
    const d = await lintWith(
      "  who: { type: string, default: x }\n",
      [
        "```insights correct",
        'filter eventName = "ConsoleLogin" and errorCode = "Failed authentication"',
        "| stats count(*) as failures by userIdentity.userName",
        "```",
        "```insights typo",
        'filter eventNmae = "ConsoleLogin" and errorCode = "Failed authentication"',
        "| stats count(*) as failures by userIdentity.userName",
        "```",
        "```insights lowercase",
        'filter eventname = "ConsoleLogin" and errorcode = {{who}}',
        "| stats count(*) as failures by useridentity.username",
        "```",
        "",
      ].join("\n"),
    );
    expect(d.map(line)).toEqual([
      '12:8 error CloudTrail records have no field "eventNmae" (did you mean "eventName"?) [insights-field]',
      '16:8 error CloudTrail records have no field "eventname" (did you mean "eventName"? field names are case-sensitive) [insights-field]',
      '16:39 error CloudTrail records have no field "errorcode" (did you mean "errorCode"? field names are case-sensitive) [insights-field]',
      '17:33 error CloudTrail records have no field "useridentity.username" (did you mean "userIdentity.userName"? field names are case-sensitive) [insights-field]',
    ]);
  });

  it("takes limit {{n}} with an integer parameter, and names {{n}} otherwise", async () => {
    // The review's lim3.md: "found the string \"xxx\"".
    const ok = await lintWith(
      "  n: {type: integer, default: 2}\n",
      "```insights li2\nfields eventName | sort eventName | limit {{n}}\n```\n",
    );
    expect(ok).toEqual([]);
    const d = await lintWith(
      "  n: {type: string, default: '2'}\n",
      "```insights li2\nfields eventName | sort eventName | limit {{n}}\n```\n",
    );
    expect(d.map(line)).toEqual([
      "8:43 error limit takes a whole number: {{n}} is a string parameter (declare it type: integer) [insights-param]",
    ]);
    const bad = await lintWith(
      "  n: {type: integer, default: 2}\n",
      "```insights li2\nfields eventName | limit {{n}} {{n}}\n```\n",
    );
    expect(bad.map(line)).toEqual([
      '8:32 error expected "|" or the end of the query, found the parameter {{n}} [insights-syntax]',
    ]);
  });

  it("refuses a boolean parameter as a condition and says what to write", async () => {
    // The review's bp2.md: `filter {{flag}}` kept every event when flag was false.
    const d = await lintWith(
      "  flag: {type: boolean, default: false}\n",
      [
        "```insights a",
        "filter {{flag}} | stats count(*) as c",
        "```",
        "```insights b",
        'filter {{flag}} or userIdentity.type != "AWSService" | stats count(*) as c',
        "```",
        "```insights c",
        "filter {{flag}} = 1 | stats count(*) as c",
        "```",
        "",
      ].join("\n"),
    );
    expect(d.map(line)).toEqual([
      "8:8 error {{flag}} is a boolean parameter, which Logs Insights gets as 1 or 0, a value and not a condition: write {{flag}} = 1 [insights-param]",
      "11:8 error {{flag}} is a boolean parameter, which Logs Insights gets as 1 or 0, a value and not a condition: write {{flag}} = 1 [insights-param]",
    ]);
  });
});

describe("a parameter where a condition goes", () => {
  it("is reported at each place, as the local engine refuses it: a boolean one in filter once, by insights-param", async () => {
    // `filter {{who}}` passed `run-md check` and failed every local run at 10:8 ("{{who}} is a
    // value, not a condition"), as did a parameter as the condition of if() or case().
    const d = await lintWith(
      "  who: {type: string, default: x}\n  n: {type: number, default: 1}\n  flag: {type: boolean, default: false}\n",
      [
        "```insights a",
        "filter {{who}} | stats count(*) as c",
        "```",
        "```insights b",
        'fields if({{flag}}, "on", "off") as k, case({{n}}, "one", "other") as m',
        "```",
        "```insights c",
        "filter {{flag}} | stats count(*) as c",
        "```",
        "",
      ].join("\n"),
    );
    expect(d.map((x) => `${x.line}:${x.column} ${x.rule} ${x.message.split(",")[0]}`)).toEqual([
      "10:8 insights-service-only {{who}} is a value",
      "13:11 insights-service-only {{flag}} is a value",
      "13:45 insights-service-only {{n}} is a value",
      "16:8 insights-param {{flag}} is a boolean parameter",
    ]);
  });
});

describe("Logs Insights that only CloudWatch Logs runs (insights-service-only)", () => {
  // Documented on CWL_QuerySyntax-operations-functions ("Structure types", "IP address string
  // functions"): the logs engine sends them; the local engine has no exact answer for them.
  const body = [
    "```logs-insights a",
    "fields jsonParse(requestParameters.policyDocument) as doc",
    '| filter doc.Statement[0].Effect = "Allow" and not isPrivateIP(sourceIPAddress)',
    '| filter startsWith(eventName, "Put")',
    "```",
    "",
  ].join("\n");
  // The front matter takes lines 1-3, a blank line 4 and the fence 5: the query starts at line 6.
  async function lintWith(engines: LintOptions["engines"]) {
    const { runbook } = parseRunbook(`---\ntitle: T\n---\n\n${body}`, "rb.md");
    const d = await lintQueries(runbook!.path, runbook!.steps, { engines });
    return d.map((x) => `${x.line}:${x.column} ${x.severity} ${x.rule} ${x.message.split(":")[0]}`);
  }

  it("is an error at each place where the step runs on the local engine", async () => {
    expect(await lintWith({})).toEqual([
      "6:8 error insights-service-only jsonParse() is not supported by the local engine (CloudWatch Logs runs it",
      "7:10 error insights-service-only doc.Statement[0].Effect",
      "7:52 error insights-service-only isPrivateIP() is not supported by the local engine (CloudWatch Logs runs it",
    ]);
  });

  it("is a warning where it runs on CloudWatch Logs, which accepts it", async () => {
    const d = await lintWith({ config: { "logs-insights": "logs" } });
    expect(d.map((x) => x.split(" ").slice(0, 3).join(" "))).toEqual([
      "6:8 warning insights-service-only",
      "7:10 warning insights-service-only",
      "7:52 warning insights-service-only",
    ]);
  });
});
