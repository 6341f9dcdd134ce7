import { parseInfo, stepFromInfo } from "@run-md/core";
import { describe, expect, it } from "vitest";

describe("fence info strings", () => {
  it.each([
    ["sql", { lang: "sql", words: [] }],
    ["", { lang: "", words: [] }],
    ["sql  step_one", { lang: "sql", words: [{ text: "step_one", offset: 5 }] }],
    [
      "sql a engine=athena",
      {
        lang: "sql",
        words: [
          { text: "a", offset: 4 },
          { text: "engine=athena", offset: 6, key: "engine", value: "athena", valueOffset: 13 },
        ],
      },
    ],
    [
      'logs-insights log_groups="a, b" optional',
      {
        lang: "logs-insights",
        words: [
          {
            text: 'log_groups="a, b"',
            offset: 14,
            key: "log_groups",
            value: "a, b",
            valueOffset: 26,
          },
          { text: "optional", offset: 32 },
        ],
      },
    ],
    [
      "sql timeout=",
      {
        lang: "sql",
        words: [{ text: "timeout=", offset: 4, key: "timeout", value: "", valueOffset: 12 }],
      },
    ],
    [
      "sql a=b=c",
      {
        lang: "sql",
        words: [{ text: "a=b=c", offset: 4, key: "a", value: "b=c", valueOffset: 6 }],
      },
    ],
    [
      'sql x="open',
      {
        lang: "sql",
        words: [{ text: 'x="open', offset: 4, key: "x", value: "open", valueOffset: 6 }],
        unterminatedQuote: 6,
      },
    ],
    [" \tsql\t id ", { lang: "sql", words: [{ text: "id", offset: 7 }] }],
  ])("%j", (info, expected) => {
    expect(parseInfo(info)).toEqual(expected);
  });
});

describe("step ids and attributes from the info string", () => {
  it.each([
    ["sql", "sql", { attributes: { optional: false }, problems: [] }],
    ["sql q1", "sql", { id: "q1", attributes: { optional: false }, problems: [] }],
    ["sql optional", "sql", { attributes: { optional: true }, problems: [] }],
    ["sql optional q-1", "sql", { id: "q-1", attributes: { optional: true }, problems: [] }],
    [
      "sql q engine=local timeout=90s window=7d max_scan=500MB",
      "sql",
      {
        id: "q",
        attributes: {
          optional: false,
          engine: "local",
          timeoutMs: 90_000,
          window: "7d",
          maxScanBytes: 500_000_000,
        },
        problems: [],
      },
    ],
    [
      "insights q engine=logs log_groups=a,arn:aws:logs:us-east-1:123456789012:log-group:b",
      "logs-insights",
      {
        id: "q",
        attributes: {
          optional: false,
          engine: "logs",
          logGroups: ["a", "arn:aws:logs:us-east-1:123456789012:log-group:b"],
        },
        problems: [],
      },
    ],
    [
      // Every character CloudWatch Logs allows in a name: . - _ / # letters and digits.
      'insights q log_groups="/aws/cloudtrail/Org-Trail_1, a.b#2"',
      "logs-insights",
      {
        id: "q",
        attributes: { optional: false, logGroups: ["/aws/cloudtrail/Org-Trail_1", "a.b#2"] },
        problems: [],
      },
    ],
  ] as const)("%s", (info, dialect, expected) => {
    expect(stepFromInfo(parseInfo(info), dialect)).toEqual(expected);
  });

  it.each([
    [
      "sql a b",
      6,
      "unknown-attribute",
      'unexpected word "b": a step has one id ("a") and key=value attributes',
    ],
    [
      "sql a engine=athena engine=local",
      20,
      "duplicate-attribute",
      'attribute "engine" is given twice',
    ],
    ["sql a optional optional", 15, "duplicate-attribute", 'attribute "optional" is given twice'],
    // Spaces around "=" (review: 'unknown attribute ""' and an unexpected word).
    [
      "sql a engine = local",
      6,
      "invalid-attribute",
      'write engine=local without spaces around "="',
    ],
    ["sql a timeout =5m", 6, "invalid-attribute", 'write timeout=5m without spaces around "="'],
    ["sql a window= 7d", 6, "invalid-attribute", 'write window=7d without spaces around "="'],
    ["sql a engine =", 6, "invalid-attribute", 'write engine=<value> without spaces around "="'],
    [
      "sql a optional=true",
      6,
      "invalid-attribute",
      'attribute "optional" takes no value: write optional, without "=true"',
    ],
    [
      "sql a allow_empty=yes",
      6,
      "invalid-attribute",
      'attribute "allow_empty" takes no value: write allow_empty, without "=yes"',
    ],
    [
      "sql a tiemout=5m",
      6,
      "unknown-attribute",
      'unknown attribute "tiemout" (did you mean "timeout"?)',
    ],
    // The id as an attribute, a first guess: the message says how an id is written.
    [
      "sql id=calls",
      4,
      "unknown-attribute",
      'unknown attribute "id": a step\'s id is the first word after the language, without "id=" (```sql calls)',
    ],
    [
      "sql a engine=logs",
      13,
      "engine-dialect",
      'engine "logs" does not run sql steps (it runs logs-insights)',
    ],
    [
      "sql a engine=athens",
      13,
      "unknown-engine",
      'unknown engine "athens": expected one of local, athena, logs (did you mean "athena"?)',
    ],
    [
      "sql a timeout=0s",
      14,
      "invalid-attribute",
      'invalid timeout "0s": expected a duration such as 30s, 5m or 1h, at most 24h',
    ],
    [
      "sql a max_scan=10",
      15,
      "invalid-attribute",
      'invalid max_scan "10": expected a size such as 500MB, 10GB or 1TB',
    ],
    [
      "sql a log_groups=a,,b",
      17,
      "invalid-attribute",
      'invalid log_groups "a,,b": expected comma-separated log group names or ARNs',
    ],
    [
      "logs-insights a log_groups=a,arn:aws:logs:us-east-1:111122223333:log-group:trail:*",
      29,
      "invalid-attribute",
      'invalid log_groups: the ARN arn:aws:logs:us-east-1:111122223333:log-group:trail:* ends with "*", which Logs Insights refuses: write arn:aws:logs:us-east-1:111122223333:log-group:trail',
    ],
    [
      'sql a "log_groups=a"',
      6,
      "invalid-attribute",
      'attribute "log_groups" is written in quotes: attributes are not quoted (only a value with spaces is: log_groups="a, b"); write log_groups=a without quotes',
    ],
    [
      'sql a "optional"',
      6,
      "invalid-attribute",
      '"optional" is written in quotes: attributes are not quoted; write optional without quotes',
    ],
    [
      'sql a log_groups="a b"',
      18,
      "invalid-attribute",
      'invalid log_groups: "a b" is not a log group name (1 to 512 letters, digits and "." "-" "_" "/" "#")',
    ],
    [
      "sql a log_groups=ok,a$b",
      20,
      "invalid-attribute",
      'invalid log_groups: "a$b" is not a log group name (1 to 512 letters, digits and "." "-" "_" "/" "#")',
    ],
    [
      `sql a log_groups=${"a".repeat(513)}`,
      17,
      "invalid-attribute",
      `invalid log_groups: "${"a".repeat(513)}" is not a log group name (1 to 512 letters, digits and "." "-" "_" "/" "#")`,
    ],
    [
      "sql a log_groups=arn:aws:logs:us-east-1:111122223333:log-group:a$b",
      17,
      "invalid-attribute",
      'invalid log_groups: "arn:aws:logs:us-east-1:111122223333:log-group:a$b" names the log group "a$b", which is not a log group name (1 to 512 letters, digits and "." "-" "_" "/" "#")',
    ],
    [
      "sql a log_groups=arn:aws:s3:::bucket",
      17,
      "invalid-attribute",
      'invalid log_groups: "arn:aws:s3:::bucket" is not a log group ARN: expected arn:aws:logs:<region>:<account id>:log-group:<name>',
    ],
    ['sql a timeout="5m', 14, "invalid-attribute", 'unterminated " in the fence info string'],
    ["sql a/b", 4, "invalid-step-id", 'invalid step id "a/b": use letters, digits, "_" and "-"'],
    [
      "sql a dialect=duckbd",
      14,
      "invalid-attribute",
      'invalid dialect "duckbd": expected duckdb (did you mean "duckdb"?)',
    ],
    [
      "sql a engine=athena dialect=duckdb",
      28,
      "engine-dialect",
      'engine "athena" does not run dialect=duckdb steps: only the local engine does',
    ],
    [
      "sql a dialect=duckdb engine=athena",
      14,
      "engine-dialect",
      'engine "athena" does not run dialect=duckdb steps: only the local engine does',
    ],
  ])("%s is an error at offset %i", (info, offset, rule, message) => {
    const { problems } = stepFromInfo(parseInfo(info), "sql");
    expect(problems).toEqual([{ offset, rule, message, severity: "error" }]);
  });

  it("says how an id is written to an id given as an attribute, in the step's dialect", () => {
    const info = parseInfo("insights name=by_key timeout=5m");
    expect(stepFromInfo(info, "logs-insights").problems).toEqual([
      {
        offset: 9,
        rule: "unknown-attribute",
        severity: "error",
        message:
          'unknown attribute "name": a step\'s id is the first word after the language, without "name=" (```logs-insights by_key)',
      },
    ]);
    // Once the step has an id, "id=" is only an unknown attribute.
    expect(stepFromInfo(parseInfo("sql a id=b"), "sql").problems[0]?.message).toBe(
      'unknown attribute "id"',
    );
  });

  it("reads dialect=duckdb on a sql step, alone or with engine=local", () => {
    for (const info of ["sql a dialect=duckdb", "sql a engine=local dialect=duckdb"]) {
      const r = stepFromInfo(parseInfo(info), "sql");
      expect(r.problems, info).toEqual([]);
      expect(r.attributes.sqlDialect, info).toBe("duckdb");
    }
    expect(stepFromInfo(parseInfo("insights a dialect=duckdb"), "logs-insights")).toMatchObject({
      attributes: { optional: false },
      problems: [{ offset: 11, rule: "attribute-ignored", severity: "warning" }],
    });
  });

  it("warns about attributes the step's engine family ignores", () => {
    expect(stepFromInfo(parseInfo("insights a max_scan=1GB"), "logs-insights").problems).toEqual([
      {
        offset: 11,
        rule: "attribute-ignored",
        severity: "warning",
        message: "max_scan= applies to Athena only; it is ignored on a logs-insights step",
      },
    ]);
    expect(stepFromInfo(parseInfo("sql a log_groups=x"), "sql").problems[0]).toMatchObject({
      rule: "attribute-ignored",
      severity: "warning",
    });
  });
});
