/**
 * `run-md check` catches what Athena would reject, before anything runs: a corpus of constructs
 * (DuckDB habits, typos, tables a step may not read, columns and struct fields that do not
 * exist, functions Athena engine v3 lacks, casts its column types make fail), each placed in a
 * runbook and reported with its exact message at its line and column in the FILE.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseRunbook } from "@run-md/core";
import { afterAll, describe, expect, it } from "vitest";
import { lintQueries } from "../src/lint.ts";
import { runMd } from "./check-helpers.ts";

/** [query, line in the query, column, rule, message]. */
type Case = [string, number, number, string, string];

const CASES: Case[] = [
  [
    "SELEC eventname FROM cloudtrail_logs",
    1,
    1,
    "sql-syntax",
    'syntax error at "SELEC" (did you mean "SELECT"?)',
  ],
  [
    "SELECT eventname FROM cloudtrail_logs WHER errorcode = 'AccessDenied'",
    1,
    39,
    "sql-syntax",
    'syntax error at "WHER" (did you mean "WHERE"?)',
  ],
  [
    "SELECT eventname FROM cloudtrail_logs WHERE eventname = {a}",
    1,
    57,
    "sql-syntax",
    'syntax error at "{": a parameter is written with two braces, {{name}}',
  ],
  [
    "SELECT {'n': 1} AS s FROM cloudtrail_logs",
    1,
    8,
    "sql-syntax",
    `syntax error at "{": Athena has no {...} literal (a DuckDB struct or map): write ROW(...) or MAP(ARRAY[...], ARRAY[...])`,
  ],
  [
    "SELECT eventname FROM cloudtrail_logs WHERE eventname = 'a' }",
    1,
    61,
    "sql-syntax",
    "syntax error at \"}\": '}' is not valid at this position",
  ],
  [
    "SELECT count(*) AS n FROM cloudtrail_log",
    1,
    27,
    "sql-table",
    'table "cloudtrail_log" is not readable (did you mean "cloudtrail_logs"?): a sql step reads cloudtrail_logs (configure more under tables: in run-md.config.yaml)',
  ],
  [
    "SELECT count(*) AS n FROM cloudtrail_logz",
    1,
    27,
    "sql-table",
    'table "cloudtrail_logz" is not readable (did you mean "cloudtrail_logs"?): a sql step reads cloudtrail_logs (configure more under tables: in run-md.config.yaml)',
  ],
  [
    "SELECT useridentity.usernam FROM cloudtrail_logs",
    1,
    21,
    "sql-column",
    'useridentity has no field "usernam" (did you mean "username"?)',
  ],
  [
    "SELECT useridentity.sessioncontext.sessionissuer.usrname FROM cloudtrail_logs",
    1,
    50,
    "sql-column",
    'useridentity.sessioncontext.sessionissuer has no field "usrname" (did you mean "username"?)',
  ],
  [
    "SELECT eventnme, count(*) AS n FROM cloudtrail_logs GROUP BY 1",
    1,
    8,
    "sql-column",
    'unknown column "eventnme" (did you mean "eventname"?)',
  ],
  [
    "SELECT sourceipaddres FROM cloudtrail_logs",
    1,
    8,
    "sql-column",
    'unknown column "sourceipaddres" (did you mean "sourceipaddress"?)',
  ],
  [
    "SELECT eventname FROM cloudtrail_logs WHERE eventname ILIKE '%user%'",
    1,
    55,
    "sql-athena",
    "ILIKE is DuckDB syntax that Athena rejects: write lower(x) LIKE lower('pattern')",
  ],
  [
    "SELECT eventtime::timestamp AS t FROM cloudtrail_logs",
    1,
    17,
    "sql-athena",
    '"::" casts are DuckDB syntax that Athena rejects: write CAST(x AS type)',
  ],
  [
    "SELECT count(*)::varchar AS n FROM cloudtrail_logs",
    1,
    16,
    "sql-athena",
    '"::" casts are DuckDB syntax that Athena rejects: write CAST(x AS type)',
  ],
  [
    "SELECT list_filter(array_agg(eventname), x -> x LIKE 'Get%') AS gets FROM cloudtrail_logs",
    1,
    8,
    "sql-function",
    "list_filter() is a DuckDB function that Athena does not have: write filter(array, x -> condition)",
  ],
  [
    "SELECT list_contains(array_agg(eventname), 'GetObject') AS any_get FROM cloudtrail_logs",
    1,
    8,
    "sql-function",
    "list_contains() is a DuckDB function that Athena does not have: write contains(array, value)",
  ],
  [
    "SELECT list_transform(array_agg(eventname), x -> lower(x)) AS names FROM cloudtrail_logs",
    1,
    8,
    "sql-function",
    "list_transform() is a DuckDB function that Athena does not have: write transform(array, x -> expression)",
  ],
  [
    "SELECT strftime(from_iso8601_timestamp(eventtime), '%Y-%m-%d') AS day FROM cloudtrail_logs",
    1,
    8,
    "sql-function",
    "strftime() is a DuckDB function that Athena does not have: write date_format(timestamp, '%Y-%m-%d')",
  ],
  [
    "SELECT string_agg(eventname, ',') AS names FROM cloudtrail_logs",
    1,
    8,
    "sql-function",
    "string_agg() is a DuckDB function that Athena does not have: write array_join(array_agg(x), ',')",
  ],
  [
    "SELECT eventname FROM cloudtrail_logs WHERE regexp_matches(eventname, '^Get')",
    1,
    45,
    "sql-function",
    "regexp_matches() is a DuckDB function that Athena does not have: write regexp_like(string, pattern)",
  ],
  [
    "SELECT epoch_ms(from_iso8601_timestamp(eventtime)) AS ms FROM cloudtrail_logs",
    1,
    8,
    "sql-function",
    "epoch_ms() is a DuckDB function that Athena does not have: write from_unixtime(ms / 1000.0) or to_unixtime(timestamp) * 1000",
  ],
  [
    "SELECT array_length(resources) AS n FROM cloudtrail_logs",
    1,
    8,
    "sql-function",
    "array_length() is a DuckDB function that Athena does not have: write cardinality(array)",
  ],
  [
    "SELECT len(eventname) AS n FROM cloudtrail_logs",
    1,
    8,
    "sql-function",
    "len() is a DuckDB function that Athena does not have: write length(string) or cardinality(array)",
  ],
  [
    "SELECT ifnull(errorcode, 'none') AS e FROM cloudtrail_logs",
    1,
    8,
    "sql-function",
    "ifnull() is a DuckDB function that Athena does not have: write coalesce(a, b)",
  ],
  [
    "SELECT json_extract_string(requestparameters, '$.bucketName') AS b FROM cloudtrail_logs",
    1,
    8,
    "sql-function",
    "json_extract_string() is a DuckDB function that Athena does not have: write json_extract_scalar(json, '$.path')",
  ],
  [
    // The key as written: JSON keys are case-sensitive ('$.bucketname' finds no bucketName).
    "SELECT requestParameters.bucketName AS b FROM cloudtrail_logs",
    1,
    26,
    "sql-athena",
    "requestparameters is a STRING of JSON text in Athena's table, not a struct: write json_extract_scalar(requestparameters, '$.bucketName')",
  ],
  [
    "SELECT eventname FROM cloudtrail_logs WHERE responseelements.assumedroleuser IS NOT NULL",
    1,
    62,
    "sql-athena",
    "responseelements is a STRING of JSON text in Athena's table, not a struct: write json_extract_scalar(responseelements, '$.assumedroleuser')",
  ],
  [
    'SELECT sum(CAST(additionalEventData."bytesTransferredOut" AS bigint)) AS bytes FROM cloudtrail_logs',
    1,
    37,
    "sql-athena",
    "additionaleventdata is a STRING of JSON text in Athena's table, not a struct: write json_extract_scalar(additionaleventdata, '$.bytesTransferredOut')",
  ],
  [
    "SELECT CAST(eventtime AS timestamp) AS t FROM cloudtrail_logs",
    1,
    8,
    "sql-athena",
    "eventtime is ISO-8601 text ('2026-11-23T10:00:00Z') that CAST(... AS timestamp) rejects on Athena: write from_iso8601_timestamp(eventtime)",
  ],
  [
    "SELECT CAST(eventtime AS date) AS d, count(*) AS n FROM cloudtrail_logs GROUP BY 1",
    1,
    8,
    "sql-athena",
    "eventtime is ISO-8601 text ('2026-11-23T10:00:00Z') that CAST(... AS date) rejects on Athena: write date(from_iso8601_timestamp(eventtime))",
  ],
  [
    "SELECT max(CAST(l.eventtime AS timestamp)) AS last FROM cloudtrail_logs l",
    1,
    12,
    "sql-athena",
    "eventtime is ISO-8601 text ('2026-11-23T10:00:00Z') that CAST(... AS timestamp) rejects on Athena: write from_iso8601_timestamp(l.eventtime)",
  ],
  [
    "SELECT count(*) AS n FROM cloudtrail_logs\nWHERE eventname IN ('GetBucketPolicy'\n'GetBucketAcl')",
    3,
    1,
    "sql-athena",
    "two adjacent string literals: Athena rejects them (DuckDB joins them into one): put a comma between list items, or write one literal",
  ],
  [
    "SELECT 'Get' 'Object' AS name FROM cloudtrail_logs",
    1,
    14,
    "sql-athena",
    "two adjacent string literals: Athena rejects them (DuckDB joins them into one): put a comma between list items, or write one literal",
  ],
  [
    "SELECT count(*) AS n FROM cloudtrail_logs WHERE errorcode == 'AccessDenied'",
    1,
    59,
    "sql-athena",
    '"==" is DuckDB syntax that Athena rejects: write "="',
  ],
  [
    "SELECT requestparameters->>'$.bucketName' AS b FROM cloudtrail_logs",
    1,
    25,
    "sql-athena",
    "\"->>\" is DuckDB's JSON operator, which Athena rejects: write json_extract_scalar(x, '$.path')",
  ],
  [
    "SELECT `eventname` FROM cloudtrail_logs",
    1,
    8,
    "sql-athena",
    'backquoted identifiers are Hive DDL syntax that Athena queries reject: write "eventname"',
  ],
  [
    'SELECT count(*) AS n FROM cloudtrail_logs WHERE errorcode = "AccessDenied"',
    1,
    61,
    "sql-column",
    "\"AccessDenied\" is a quoted identifier (a column name) in Athena: write a string with single quotes, 'AccessDenied'",
  ],
  [
    "SELECT * FROM other_db.customers",
    1,
    15,
    "sql-table",
    'table "other_db.customers" is not readable: a sql step reads cloudtrail_logs (configure more under tables: in run-md.config.yaml)',
  ],
  [
    "SELECT table_name FROM information_schema.tables",
    1,
    24,
    "sql-table",
    'table "information_schema.tables" is not readable: a sql step reads cloudtrail_logs (configure more under tables: in run-md.config.yaml)',
  ],
  [
    "SELECT json_extract_scaler(requestparameters, '$.bucketName') AS b FROM cloudtrail_logs",
    1,
    8,
    "sql-function",
    'unknown function json_extract_scaler(): Athena engine v3 has no such function (did you mean "json_extract_scalar"?)',
  ],
  [
    "SELECT regexp_extrct(useragent, '^[^/]+') AS tool FROM cloudtrail_logs",
    1,
    8,
    "sql-function",
    'unknown function regexp_extrct(): Athena engine v3 has no such function (did you mean "regexp_extract"?)',
  ],
  [
    "SELECT date_trnc('day', from_iso8601_timestamp(eventtime)) AS d FROM cloudtrail_logs",
    1,
    8,
    "sql-function",
    'unknown function date_trnc(): Athena engine v3 has no such function (did you mean "date_trunc"?)',
  ],
  [
    "SELECT eventname FROM cloudtrail_logs WHERE",
    1,
    44,
    "sql-syntax",
    "syntax error: the query ends too early",
  ],
  [
    // Review: check passed it, and every engine refused the step in its own words.
    "SELECT count(*) AS n FROM cloudtrail_logs\nWHERE eventname = ? AND eventsource = '?'",
    2,
    19,
    "sql-placeholder",
    "a bare ? is a placeholder nothing binds: refer to a parameter as {{name}} (declared under params:), which the runner binds",
  ],
  [
    "SELECT 1 AS a; SELECT 2 AS b",
    1,
    16,
    "sql-statement",
    "a sql step is one SELECT (or WITH ... SELECT) query, nothing else",
  ],
  [
    "DROP TABLE cloudtrail_logs",
    1,
    1,
    "sql-statement",
    "a sql step is one SELECT (or WITH ... SELECT) query, nothing else",
  ],
  [
    "SELECT arg_max(eventname, eventtime) AS last_call FROM cloudtrail_logs",
    1,
    8,
    "sql-function",
    "arg_max() is a DuckDB function that Athena does not have: write max_by(x, y)",
  ],
  [
    "SELECT median(length(eventname)) AS m FROM cloudtrail_logs",
    1,
    8,
    "sql-function",
    "median() is a DuckDB function that Athena does not have: write approx_percentile(x, 0.5)",
  ],
  [
    "SELECT tlsdetails.tlsversio AS v FROM cloudtrail_logs",
    1,
    19,
    "sql-column",
    'tlsdetails has no field "tlsversio" (did you mean "tlsversion"?)',
  ],
  [
    "SELECT datediff('day', from_iso8601_timestamp(min(eventtime)), current_timestamp) AS age FROM cloudtrail_logs",
    1,
    8,
    "sql-function",
    "datediff() is a DuckDB function that Athena does not have: write date_diff('unit', start, end)",
  ],
  [
    "SELECT group_concat(eventname) AS names FROM cloudtrail_logs",
    1,
    8,
    "sql-function",
    "group_concat() is a DuckDB function that Athena does not have: write array_join(array_agg(x), ',')",
  ],
  [
    "SELECT eventname FROM cloudtrail_logs WHERE from_iso8601_timestamp(eventtime) > today()",
    1,
    81,
    "sql-function",
    "today() is a DuckDB function that Athena does not have: write current_date",
  ],
  [
    "SELECT e.eventname FROM cloudtrail_logs c JOIN cloudtrail_logs_typo e ON c.eventid = e.eventid",
    1,
    48,
    "sql-table",
    'table "cloudtrail_logs_typo" is not readable (did you mean "cloudtrail_logs"?): a sql step reads cloudtrail_logs (configure more under tables: in run-md.config.yaml)',
  ],
  // Athena's DDL types every CloudTrail column STRING (../shared/reference/athena-cloudtrail-ddl.sql:
  // readonly holds 'true'/'false', the partitions '2026'), and Trino converts no varchar to a
  // boolean or a number implicitly: Athena refuses these comparisons, which DuckDB would answer.
  [
    "SELECT count(*) AS n FROM cloudtrail_logs WHERE readonly = true",
    1,
    60,
    "sql-athena",
    "readonly is a STRING (varchar) in Athena's table: Athena refuses to compare it with the boolean true; write the text 'true'",
  ],
  [
    "SELECT eventname FROM cloudtrail_logs l WHERE l.useridentity.type IN ('Root', 1)",
    1,
    79,
    "sql-athena",
    "useridentity.type is a STRING (varchar) in Athena's table: Athena refuses to compare it with the number 1; write the text '1', or CAST(useridentity.type AS bigint) to compare numbers",
  ],
  [
    "SELECT count(*) AS n FROM cloudtrail_logs WHERE year >= '2024' AND 1.08 < eventversion",
    1,
    68,
    "sql-athena",
    "eventversion is a STRING (varchar) in Athena's table: Athena refuses to compare it with the number 1.08; write the text '1.08', or CAST(eventversion AS double) to compare numbers",
  ],
  [
    "SELECT eventname FROM cloudtrail_logs WHERE day BETWEEN '01' AND 7",
    1,
    66,
    "sql-athena",
    "day is a STRING (varchar) in Athena's table: Athena refuses to compare it with the number 7; write the text '7', or CAST(day AS bigint) to compare numbers",
  ],
  [
    "SELECT count(*) AS n FROM cloudtrail_logs WHERE (readonly) = (false)",
    1,
    63,
    "sql-athena",
    "readonly is a STRING (varchar) in Athena's table: Athena refuses to compare it with the boolean false; write the text 'false'",
  ],
  [
    "SELECT count(*) AS n FROM cloudtrail_logs WHERE readonly IS DISTINCT FROM true",
    1,
    75,
    "sql-athena",
    "readonly is a STRING (varchar) in Athena's table: Athena refuses to compare it with the boolean true; write the text 'true'",
  ],
  [
    "SELECT CASE year WHEN '2025' THEN 'old' WHEN 2026 THEN 'new' END AS age FROM cloudtrail_logs",
    1,
    46,
    "sql-athena",
    "year is a STRING (varchar) in Athena's table: Athena refuses to compare it with the number 2026; write the text '2026', or CAST(year AS bigint) to compare numbers",
  ],
  [
    "WITH recent AS (SELECT eventname FROM cloudtrail_logs) SELECT eventname FROM recnt",
    1,
    78,
    "sql-table",
    'table "recnt" is not readable (did you mean "recent"?): a sql step reads cloudtrail_logs (configure more under tables: in run-md.config.yaml)',
  ],
  [
    // Trino resolves HAVING against the FROM clause only (TestAnalyzer.testHavingReferencesOutputAlias).
    "SELECT eventname, count(*) AS calls\nFROM cloudtrail_logs\nGROUP BY eventname\nHAVING calls > 5",
    4,
    8,
    "sql-column",
    "Column 'calls' cannot be resolved: on Athena (Trino) HAVING sees the table's columns, not the select list's aliases; repeat the expression, count(*), in HAVING, or compute it in a subquery",
  ],
  [
    // A one-name chain before .* is a relation only (TestAnalyzer.testAsteriskedIdentifierChainResolution).
    "SELECT useridentity.* FROM cloudtrail_logs",
    1,
    8,
    "sql-column",
    "Unable to resolve reference useridentity: on Athena (Trino) a single name before .* is a table's; qualify the row with the table's alias, c.useridentity.* (FROM cloudtrail_logs c), or its name, cloudtrail_logs.useridentity.*",
  ],
];

/** One runbook with every case as a step under its own heading; where each query starts. */
function corpusRunbook(): { text: string; starts: number[] } {
  const lines = ["---", "title: Constructs Athena rejects", "---", ""];
  const starts: number[] = [];
  CASES.forEach(([query], i) => {
    lines.push(`## Case ${i + 1}`, "", `\`\`\`sql case_${i + 1}`);
    starts.push(lines.length + 1); // 1-based line of the query's first line
    lines.push(...query.split("\n"), "```", "");
  });
  return { text: lines.join("\n"), starts };
}

describe("check on sql steps", () => {
  it(`reports each of ${CASES.length} constructs Athena rejects, with its message, line and column in the file`, async () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    const { text, starts } = corpusRunbook();
    const { runbook, steps } = parseRunbook(text, "corpus.md");
    expect(runbook).toBeDefined();
    const diagnostics = await lintQueries("corpus.md", steps);
    const expected = CASES.map(([, line, column, rule, message], i) => ({
      file: "corpus.md",
      line: starts[i]! + line - 1,
      column,
      severity: "error",
      rule,
      message,
    }));
    expect(diagnostics).toEqual(expected);
  });

  it("says nothing about queries Athena accepts: CTEs, aliases, joins, UNNEST, lambdas, parameters", async () => {
    const ok = [
      "WITH x AS (SELECT eventname AS n FROM cloudtrail_logs) SELECT n, count(*) AS c FROM x GROUP BY n ORDER BY c DESC",
      "SELECT l.useridentity.arn, r.arn FROM cloudtrail_logs l CROSS JOIN UNNEST(l.resources) AS t(r) WHERE eventtime >= {{start}}",
      // An unnested row's fields are its columns (no column list needed).
      "SELECT arn, r.type FROM cloudtrail_logs CROSS JOIN UNNEST(resources) AS r",
      "SELECT json_extract_scalar(requestparameters, '$.bucketName') AS b, filter(array_agg(eventname), x -> x LIKE 'Get%') AS g FROM cloudtrail_logs GROUP BY 1",
      'SELECT cloudtrail_logs.eventname, "timestamp", useridentity.sessioncontext.sessionissuer.username FROM cloudtrail_logs WHERE "timestamp" >= {{start_date}}',
      "SELECT a.eventname FROM cloudtrail_logs a JOIN (SELECT eventid FROM cloudtrail_logs WHERE errorcode IS NOT NULL) b ON a.eventid = b.eventid LIMIT {{n}}",
      "SELECT date_trunc('hour', from_iso8601_timestamp(eventtime)) AS h, count(*) AS n, row_number() OVER (ORDER BY count(*) DESC) AS rk FROM cloudtrail_logs GROUP BY 1",
      // Strings compared as strings, numbers made numbers, and names the query defines itself.
      "SELECT count(*) AS n FROM cloudtrail_logs WHERE readonly = 'true' AND CAST(eventversion AS double) > 1.05 AND year IN ('2025', '2026')",
      "WITH t AS (SELECT readonly = 'true' AS readonly, count(*) AS n FROM cloudtrail_logs GROUP BY 1) SELECT * FROM t WHERE readonly = true AND n > 5",
      "WITH c AS (SELECT count(*) AS eventversion FROM cloudtrail_logs) SELECT * FROM c WHERE eventversion > 5",
      // An alias that stands for the table in one place and for a CTE in another.
      "WITH daily AS (SELECT day_of_month(from_iso8601_timestamp(eventtime)) AS day, count(*) AS n FROM cloudtrail_logs t GROUP BY 1) SELECT t.day FROM daily t WHERE t.day > 15",
    ];
    for (const q of ok) {
      const { steps } = parseRunbook(`---\ntitle: T\n---\n\n\`\`\`sql s\n${q}\n\`\`\`\n`, "ok.md");
      expect(await lintQueries("ok.md", steps), q).toEqual([]);
    }
  });

  it("checks a boolean or number parameter as the literal Athena receives, a string one as text", async () => {
    const text = [
      "---",
      "title: T",
      "params:",
      "  ro: { type: boolean, default: true }",
      "  min: { type: integer, default: 2024 }",
      "  name: { type: string, default: GetObject }",
      "  v: { type: number, default: 1.08 }",
      "---",
      "",
      "```sql s",
      "SELECT count(*) AS n FROM cloudtrail_logs",
      "WHERE readonly = {{ro}} AND year >= {{ min }} AND eventname = {{name}} AND {{ro}}",
      "AND eventversion > {{v}} AND month <> -{{min}} LIMIT {{min}}",
      "```",
      "",
    ].join("\n");
    const { runbook, steps } = parseRunbook(text, "typed.md");
    expect(runbook).toBeDefined();
    const found = await lintQueries("typed.md", steps, { params: runbook!.meta.params });
    expect(found.map((d) => [d.line, d.column, d.rule, d.message])).toEqual([
      [
        12,
        18,
        "sql-athena",
        "readonly is a STRING (varchar) in Athena's table: Athena refuses to compare it with the boolean parameter {{ro}}; write CAST({{ro}} AS varchar), or declare the parameter as a string",
      ],
      [
        12,
        37,
        "sql-athena",
        "year is a STRING (varchar) in Athena's table: Athena refuses to compare it with the number parameter {{min}}; write CAST(year AS bigint) to compare numbers",
      ],
      [
        13,
        20,
        "sql-athena",
        "eventversion is a STRING (varchar) in Athena's table: Athena refuses to compare it with the number parameter {{v}}; write CAST(eventversion AS double) to compare numbers",
      ],
      [
        13,
        39,
        "sql-athena",
        "month is a STRING (varchar) in Athena's table: Athena refuses to compare it with the number parameter -{{min}}; write CAST(month AS bigint) to compare numbers",
      ],
    ]);
    // Without the declarations every reference is a `?` of unknown type: nothing to say.
    expect(await lintQueries("typed.md", steps)).toEqual([]);
  });

  it("reports a dialect=duckdb step as local only, and does not check its DuckDB SQL", async () => {
    const text =
      "---\ntitle: T\n---\n\n```sql lists dialect=duckdb\nSELECT list_filter(array_agg(eventname), x -> x LIKE 'Get%') AS g FROM cloudtrail_logs\n```\n";
    const { steps } = parseRunbook(text, "duck.md");
    expect(await lintQueries("duck.md", steps)).toEqual([
      {
        file: "duck.md",
        line: 5,
        column: 1,
        severity: "warning",
        rule: "sql-local-only",
        message:
          'step "lists" is dialect=duckdb: it runs on the local engine only (Athena refuses it), and its SQL is not checked against Athena\'s',
      },
    ]);
  });
});

describe("a day partition filtered with {{end_date}}", () => {
  it("is a warning (review: an event of 23:58 delivered after midnight was left out); {{start_date}} is not", async () => {
    const q = [
      'SELECT count(*) AS n FROM cloudtrail_logs WHERE "timestamp" BETWEEN {{start_date}} AND {{end_date}}',
      'AND {{ end_date }} >= date_partition AND "timestamp" >= {{start_date}} AND eventtime < {{end}}',
      'AND "timestamp" <= ({{end_date}})',
    ].join("\n");
    const { steps } = parseRunbook(`---\ntitle: T\n---\n\n\`\`\`sql s\n${q}\n\`\`\`\n`, "p.md");
    const found = await lintQueries("p.md", steps);
    expect(
      found.map((d) => [d.line, d.column, d.severity, d.rule, d.message.split(" leaves")[0]]),
    ).toEqual([
      [6, 88, "warning", "sql-partition", '"timestamp" compared with {{end_date}}'],
      [7, 5, "warning", "sql-partition", "date_partition compared with {{end_date}}"],
      [8, 21, "warning", "sql-partition", '"timestamp" compared with {{end_date}}'],
    ]);
  });
});

describe("a dialect=duckdb step that reads what the sandbox refuses", () => {
  it("is an error of check, as of the run (spec §4), with the engine's own message", async () => {
    const step = (id: string, sql: string) => `\`\`\`sql ${id} dialect=duckdb\n${sql}\n\`\`\`\n`;
    const text = `---\ntitle: T\n---\n\n${[
      step("csv", "SELECT * FROM read_csv('/etc/passwd', header=false) LIMIT 3"),
      step("file", "SELECT * FROM '/etc/passwd' LIMIT 2"),
      step("catalog", "SELECT table_name FROM information_schema.tables"),
      step("two", "SELECT 1 FROM cloudtrail_logs; SELECT 2"),
      step("ok", "SELECT list_sort(list(eventname)) FROM cloudtrail_logs WHERE eventname = {{x}}"),
    ].join("\n")}`;
    const { steps } = parseRunbook(text, "duck.md");
    const errors = (await lintQueries("duck.md", steps)).filter((d) => d.severity === "error");
    expect(errors.map((d) => [d.line, d.rule, d.message])).toEqual([
      [5, "sql-table", "Refused: the table function read_csv() is not available in a step."],
      [9, "sql-table", "Refused: the table /etc/passwd is not available in a step."],
      [13, "sql-table", "Refused: the table information_schema.tables is not available in a step."],
      [17, "sql-refused", "Refused: a step may hold exactly one statement, this one holds 2."],
    ]);
  });
});

describe("run-md check reports every problem in one pass", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "run-md-sqlcheck-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("front matter, attributes, Insights syntax and SQL problems of one file together", async () => {
    const file = path.join(dir, "broken.md");
    writeFileSync(
      file,
      [
        "---",
        "title: Broken",
        "severty: high",
        "---",
        "",
        "```sql one engien=athena",
        "SELECT useridentity.usernam FROM cloudtrail_logs",
        "```",
        "",
        "```logs-insights two",
        "filter eventName = 'x' | stats count(*) by",
        "```",
        "",
        "```sql three",
        "SELECT eventname",
        "FROM cloudtrail_log",
        "```",
        "",
      ].join("\n"),
    );
    const { code, stdout } = await runMd(["check", file]);
    expect(code).toBe(2);
    const problems = stdout
      .split("\n")
      .filter((l) => l.startsWith(file))
      .map((l) => l.slice(file.length + 1).replace(/ \(did you mean[^)]*\)/, ""));
    expect(problems).toEqual([
      expect.stringMatching(/^3:1 error unknown front matter key "severty".*\[unknown-key\]$/),
      expect.stringMatching(/^6:12 error unknown attribute "engien".*\[unknown-attribute\]$/),
      '7:21 error useridentity has no field "usernam" [sql-column]',
      expect.stringMatching(/^11:\d+ error .*\[insights-syntax\]$/),
      expect.stringMatching(/^16:6 error table "cloudtrail_log" is not readable: .*\[sql-table\]$/),
    ]);
  });
});

describe("run-md run stops before its first query on a step that cannot be parsed", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "run-md-sqlrun-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("names the step's file line and column, runs nothing and writes no report", async () => {
    const file = path.join(dir, "syntax.md");
    writeFileSync(
      file,
      [
        "---",
        "title: One good step, one that does not parse",
        "---",
        "",
        "```sql fine",
        "SELECT count(*) AS n FROM cloudtrail_logs",
        "```",
        "",
        "```sql broken",
        "SELECT eventname",
        "FROM cloudtrail_logs WHER errorcode = 'x'",
        "```",
        "",
      ].join("\n"),
    );
    const reports = path.join(dir, "reports");
    const args = ["run", file, "--engine", "local", "--log-dir", "sample"];
    const { code, stderr, stdout } = await runMd([...args, "--reports-dir", reports]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${file}:11:22 error syntax error at "WHER"`);
    expect(stderr).toMatch(/1 problem in the runbook; nothing was run/);
    expect(stdout).not.toContain("fine");
    expect(existsSync(reports)).toBe(false);
  });
});

describe("run-md check and a runbook without steps", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "run-md-nosteps-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is an error in check, as run refuses it", async () => {
    const file = path.join(dir, "docs-only.md");
    writeFileSync(file, "---\ntitle: Only prose\n---\n\n```SQL-athena\nSELECT 1\n```\n");
    const { code, stdout } = await runMd(["check", file]);
    expect(code).toBe(2);
    expect(stdout).toContain(
      `${file}:1:1 error no steps: a runbook needs a sql or logs-insights block`,
    );
    const run = await runMd([
      "run",
      file,
      "--engine",
      "local",
      "--log-dir",
      "sample",
      "--no-report",
    ]);
    expect(run.code).toBe(2);
  });
});
