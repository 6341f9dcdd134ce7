/**
 * The commands only CloudWatch Logs runs (`unnest`, `pattern`, `anomaly`, `diff`, `fillmissing`,
 * `filldown`, `accum`): they parse as their CWL_QuerySyntax-* pages write them (so the `logs`
 * engine sends them), the local translation refuses each at its place, `serviceOnlyUses` lists
 * it, and a malformed form is a syntax error naming the command. The commands that read other
 * log groups or a lookup table stay refused on every engine, saying why.
 */
import { describe, expect, test } from "vitest";
import {
  checkInsights,
  InsightsSyntaxError,
  InsightsUnsupportedError,
  parseInsights,
  serviceOnlyUses,
  translateInsights,
} from "../src/index.ts";
import { thrown } from "./thrown.ts";

/** Each page's examples, as written there (line breaks as the pages' code blocks have them). */
const PAGE_EXAMPLES: Array<[page: string, kind: string, query: string]> = [
  [
    "CWL_QuerySyntax-Unnest",
    "unnest",
    "fields jsonParse(@message) as json_message | unnest json_message.events into event | display event.name",
  ],
  [
    "CWL_QuerySyntax-Unnest",
    "unnest",
    'fields jsonParse(@message) as js | unnest js.accounts into account | filter account.type = "internal"',
  ],
  [
    "CWL_QuerySyntax-Unnest",
    "unnest",
    "fields jsonParse(trimmedData) as accounts | unnest accounts into account | stats sum(account.droppedSpans) as n by account.accountId | sort n desc | limit 10",
  ],
  [
    "CWL_QuerySyntax-Anomaly",
    "anomaly",
    "fields @timestamp, @message\n| pattern @message\n| anomaly",
  ],
  [
    "CWL_QuerySyntax-Anomaly",
    "anomaly",
    'fields @timestamp, @message\n| filter @type = "REPORT"\n| pattern @message\n| anomaly',
  ],
  [
    "CWL_QuerySyntax-Anomaly",
    "anomaly",
    'fields @timestamp, @message\n| filter @type = "ERROR"\n| pattern @message\n| anomaly\n| sort @timestamp desc',
  ],
  ["CWL_QuerySyntax-Diff", "diff", "diff"],
  ["CWL_QuerySyntax-Diff", "diff", "diff previousDay"],
  ["CWL_QuerySyntax-Diff", "diff", "diff previousWeek"],
  ["CWL_QuerySyntax-Diff", "diff", "diff previousMonth"],
  [
    "CWL_QuerySyntax-Fillmissing",
    "fillmissing",
    "fields @timestamp, latency\n| stats avg(latency) as avg_latency by bin(1m)\n| fillmissing with 0 for avg_latency",
  ],
  [
    "CWL_QuerySyntax-Filldown",
    "filldown",
    "fields @timestamp, host, cpu_user, cpu_system\n| filldown host cpu*",
  ],
  ["CWL_QuerySyntax-Accum", "accum", "fields @timestamp, bytes\n| accum bytes AS totalBytes"],
];

describe("the commands only CloudWatch Logs runs", () => {
  test.each(PAGE_EXAMPLES)("%s: %s parses as the page writes it", (_page, kind, query) => {
    const kinds = parseInsights(query).commands.map((c) => c.kind);
    expect(kinds).toContain(kind);
  });

  test("each command's arguments are read into the syntax tree", () => {
    const [, unnest] = parseInsights(PAGE_EXAMPLES[1]![2]).commands;
    expect(unnest).toMatchObject({
      kind: "unnest",
      field: { name: "js.accounts" },
      into: "account",
    });
    const pattern = parseInsights('pattern replace(@message, "a", "b")').commands[0];
    expect(pattern).toMatchObject({ kind: "pattern", source: { kind: "call", name: "replace" } });
    expect(parseInsights("diff previousWeek").commands[0]).toMatchObject({
      kind: "diff",
      against: "previousWeek",
    });
    expect(parseInsights("diff").commands[0]).toEqual({
      kind: "diff",
      start: 0,
      end: 4,
      text: "diff",
    });
    const fill = parseInsights('fillmissing with 0 for a, "none" for b').commands[0];
    expect(fill).toMatchObject({
      kind: "fillmissing",
      fills: [
        { value: { kind: "number", value: 0 }, field: { name: "a" } },
        { value: { kind: "string", value: "none" }, field: { name: "b" } },
      ],
    });
    expect(parseInsights("fillmissing").commands[0]).toMatchObject({ fills: [] });
    expect(parseInsights(PAGE_EXAMPLES[11]![2]).commands[1]).toMatchObject({
      kind: "filldown",
      fields: ["host", "cpu*"],
    });
    expect(parseInsights("filldown").commands[0]).toMatchObject({ fields: [] });
    expect(parseInsights(PAGE_EXAMPLES[12]![2]).commands[1]).toMatchObject({
      kind: "accum",
      field: { name: "bytes" },
      alias: "totalBytes",
    });
    expect(parseInsights("accum bytes").commands[0]).not.toHaveProperty("alias");
  });

  /** One use of each command after a filter on line 1, so it starts at line 2, column 3. */
  const USES: Array<[kind: string, text: string]> = [
    ["unnest", "unnest resources into r"],
    ["pattern", "pattern @message"],
    ["anomaly", "anomaly"],
    ["diff", "diff previousDay"],
    ["fillmissing", "fillmissing with 0 for n"],
    ["filldown", "filldown userAgent"],
    ["accum", "accum readOnly as r"],
  ];

  test.each(USES)("the local engine refuses %s at its line and column", (kind, text) => {
    const query = `filter eventSource = "s3.amazonaws.com"\n| ${text}`;
    const e = thrown(InsightsUnsupportedError, () =>
      translateInsights(query, { relation: "events" }),
    );
    expect(e.code).toBe("insights-unsupported");
    expect([e.line, e.column]).toEqual([2, 3]);
    expect(e.message).toMatch(
      new RegExp(
        `^the ${kind} command is not supported by the local engine: .+ \\(CloudWatch Logs runs it: use --engine logs\\)$`,
      ),
    );
    const uses = serviceOnlyUses(query);
    expect(uses.map((u) => [u.line, u.column, u.message])).toEqual([[2, 3, e.message]]);
    expect(uses[0]!.length).toBe(text.length);
  });

  test("serviceOnlyUses lists the commands with the functions, in order", () => {
    const query = PAGE_EXAMPLES[0]![2];
    expect(serviceOnlyUses(query).map((u) => [u.column, u.message.split(":")[0]])).toEqual([
      [8, "jsonParse() is not supported by the local engine (CloudWatch Logs runs it"],
      [46, "the unnest command is not supported by the local engine"],
    ]);
  });

  test("the names these commands give are no unknown fields to the check", () => {
    // unnest's `into` name, accum's alias and pattern's outputs (CWL_QuerySyntax-Pattern, "Pattern
    // Command Output": @pattern, @ratio, @sampleCount, @severityLabel).
    const query = [
      "unnest resources into r",
      "| accum readOnly as running",
      '| filter r.ARN = "x" and running > 1',
      "| pattern eventName",
      "| filter @sampleCount > 2 and @ratio < 0.5 | display @pattern, @severityLabel",
    ].join("\n");
    expect(checkInsights(query)).toEqual([]);
    // Without the command, the same names are reported.
    expect(checkInsights("filter @sampleCount > 2").map((p) => p.severity)).toEqual(["error"]);
  });

  test("the fields anomaly adds are no unknown fields after it, and only after it", () => {
    // CWL_QuerySyntax-Anomaly, "Anomaly Command Output": the command "preserves all fields from
    // the input data and adds anomaly detection results", whose names the page does not list.
    const query =
      "fields @timestamp, @message\n| pattern @message\n| anomaly\n| sort @anomalyScore desc";
    expect(checkInsights(query)).toEqual([]);
    const before = checkInsights("filter @anomalyScore > 1 | pattern @message | anomaly");
    expect(before.map((p) => [p.severity, p.message.split(" (")[0]])).toEqual([
      ["error", 'Logs Insights makes no field "@anomalyScore"'],
    ]);
    // A CloudTrail field spelt wrong is still one.
    const typo = checkInsights("pattern @message | anomaly | filter eventNme = 'x'");
    expect(typo.map((p) => p.message)).toEqual([
      'CloudTrail records have no field "eventNme" (did you mean "eventName"?)',
    ]);
  });

  test.each([
    // CWL_QuerySyntax-Filldown: "One or more field names or wildcard patterns", separated by spaces.
    ["filldown host cpu*", ["host", "cpu*"]],
    ["filldown *_user host", ["*_user", "host"]],
    ["filldown cpu_*_system", ["cpu_*_system"]],
    ["filldown userIdentity.* eventName", ["userIdentity.*", "eventName"]],
    ["filldown *", ["*"]],
    ["fields a * 2 as b\n| filldown b* | fields b * 2 as c", ["b*"]],
  ])("%s reads each wildcard pattern as one field", (query, fields) => {
    const fill = parseInsights(query).commands.find((c) => c.kind === "filldown");
    expect(fill).toMatchObject({ kind: "filldown", fields });
  });

  test.each([
    [
      "unnest resources",
      'expected "into" and a name after "unnest resources", found the end of the query',
    ],
    ["unnest into r", 'expected "into" and a name after "unnest into", found "r"'],
    ["unnest resources into", 'expected a field name after "into", found the end of the query'],
    ["pattern", 'expected an expression after "pattern", found the end of the query'],
    [
      "pattern count(*)",
      "the aggregate function count() can only be used in stats, not in pattern",
    ],
    ["anomaly @message", 'anomaly takes no arguments, found "@message"'],
    [
      "diff yesterday",
      'expected the end of diff or one of previousDay, previousWeek, previousMonth after "diff", found "yesterday"',
    ],
    ["fillmissing 0 for n", 'expected "with" or the end of fillmissing, found "0"'],
    [
      "fillmissing with eventName for n",
      'fillmissing fills with a constant value (a number or a "string"), not "eventName"',
    ],
    ["fillmissing with 0 n", 'expected "for" and a field after "with 0" in fillmissing, found "n"'],
    ["filldown 5", 'expected a field name or a wildcard pattern after "filldown", found "5"'],
    ["accum", 'expected a field name after "accum", found the end of the query'],
    ["accum bytes as", 'expected a field name after "accum bytes as", found the end of the query'],
  ])("%s is a syntax error naming the command", (query, message) => {
    const e = thrown(InsightsSyntaxError, () => parseInsights(query));
    expect(e.code).toBe("insights-syntax");
    expect(e.message).toBe(message);
  });

  test("SOURCE, join and lookup stay refused on every engine, saying why", () => {
    for (const word of ["SOURCE", "join", "lookup"]) {
      const e = thrown(InsightsSyntaxError, () => parseInsights(`filter a = 1 | ${word} x`));
      expect(e.message).toBe(
        `the "${word}" command is not supported by run-md: it reads other log groups or a lookup table, and a step reads only its log groups (log_groups= or the configuration's)`,
      );
      expect(e.column).toBe(16);
    }
  });
});
