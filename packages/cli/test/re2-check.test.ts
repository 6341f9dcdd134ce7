/**
 * Regular expressions that RE2 (DuckDB's, which the local engine matches with) refuses while
 * JavaScript's reading of them (`@run-md/insights` regexProblem) passes: `run-md check` refuses
 * them at their file:line, `run-md run` before any step, and a parameter's value used as a pattern
 * stops the run before its first step. Before, each failed the step mid-run
 * (`sql-error: Invalid Input Error: invalid escape sequence: \b`). What RE2 says of each form was
 * read by hand from DuckDB (`SELECT regexp_matches('', '[\b]')`).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseRunbook } from "@run-md/core";
import { regexProblem } from "@run-md/insights";
import { afterAll, describe, expect, it } from "vitest";
import { runMdHere } from "../../../test/in-process.ts";
import { lintQueries } from "../src/lint.ts";

/** Each form, as written in a runbook, with RE2's words for it. */
const FORMS: [string, string][] = [
  ["[\\b]", "invalid escape sequence: \\b"],
  ["[a-\\d]", "invalid escape sequence: \\d"],
  ["\\Q\\E*", "no argument for repetition operator: *"],
  // Within RE2's 1,000 repetitions, but past its program size (JavaScript reads \pL as pL).
  ["\\pL{500}", "pattern too large - compile failed"],
];

const HEAD = "---\ntitle: T\nparams:\n  pat: { type: string, default: x }\n---\n\n";
// HEAD is 6 lines; the fence is line 7, the query's first line 8.

async function lint(body: string, engines: { config?: Record<string, string> } = {}) {
  const { runbook } = parseRunbook(`${HEAD}${body}`, "rb.md");
  expect(runbook).toBeDefined();
  return lintQueries(runbook!.path, runbook!.steps, { engines });
}

describe("check: patterns RE2 refuses and JavaScript's reading passes", () => {
  it.each(FORMS)("JavaScript's reading passes %s (the gap RE2 fills)", (form) => {
    expect(regexProblem(form)).toBeUndefined();
  });

  it.each(FORMS)("refuses %s in a SQL step at its line and column", async (form, words) => {
    const d = await lint(
      `\`\`\`sql s\nSELECT eventname FROM cloudtrail_logs\nWHERE regexp_like(eventname, '${form}')\n\`\`\`\n`,
    );
    expect(d).toEqual([
      {
        file: "rb.md",
        line: 9,
        column: 30,
        severity: "error",
        rule: "sql-regex",
        message: `regexp_like's pattern is no regular expression RE2 (DuckDB's) compiles: ${words} (the local engine runs this step)`,
      },
    ]);
  });

  it.each(FORMS)(
    "refuses %s in a Logs Insights step at its line and column",
    async (form, words) => {
      const d = await lint(
        `\`\`\`logs-insights s\nfields eventName\n| filter eventName like /${form}/\n\`\`\`\n`,
      );
      expect(d).toEqual([
        {
          file: "rb.md",
          line: 9,
          column: 25,
          severity: "error",
          rule: "insights-syntax",
          message: `invalid regular expression /${form}/: RE2, the local engine's regular expressions, refuses it: ${words}`,
        },
      ]);
    },
  );

  it("reads a parse pattern, and the pattern of a nested call on a later line", async () => {
    const d = await lint(
      "```logs-insights s\nparse @message /(?<a>[\\b])/\n```\n\n```sql t\nSELECT regexp_replace(\n  regexp_extract(eventname, '(x)', 1),\n  '\\Q\\E*', '') AS v FROM cloudtrail_logs\n```\n",
    );
    expect(d.map((x) => [x.line, x.column, x.rule])).toEqual([
      [8, 16, "insights-syntax"],
      [14, 3, "sql-regex"],
    ]);
  });

  it("checks the pattern the local engine hands DuckDB: Java's (?<name>) as RE2's (?P<name>)", async () => {
    // RE2 itself refuses "(?<n>a)" ("invalid perl operator: (?<"); the engine rewrites it first.
    expect(
      await lint(
        "```sql s\nSELECT regexp_extract(eventname, '(?<n>a)$', 1) AS v FROM cloudtrail_logs\nWHERE regexp_like(eventname, '(?<n>a)$')\n```\n",
      ),
    ).toEqual([]);
  });

  it("warns only, for a SQL step that runs on Athena (Java's regular expressions)", async () => {
    const d = await lint(
      "```sql s\nSELECT eventname FROM cloudtrail_logs WHERE regexp_like(eventname, '[\\b]')\n```\n",
      { config: { sql: "athena" } },
    );
    expect(d.map((x) => [x.line, x.severity, x.rule])).toEqual([[8, "warning", "sql-regex"]]);
  });
});

const dir = mkdtempSync(path.join(tmpdir(), "run-md-re2-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A runbook whose first step counts events, then `step` (lines 12 on). */
function runbookFile(name: string, step: string): string {
  const file = path.join(dir, `${name}.md`);
  writeFileSync(
    file,
    `---\ntitle: ${name}\nparams:\n  pat: { type: string, default: x }\n---\n\n\`\`\`sql first allow_empty\nSELECT count(*) AS n FROM cloudtrail_logs\n\`\`\`\n\n${step}`,
  );
  return file;
}

describe("check and run of a runbook with such a pattern", () => {
  it("check names each pattern at file:line and fails", async () => {
    const file = runbookFile(
      "literals",
      `\`\`\`sql s1\nSELECT eventname FROM cloudtrail_logs\nWHERE regexp_like(eventname, '[a-\\d]')\n\`\`\`\n\n\`\`\`logs-insights s2\nfilter eventName like /\\Q\\E*/\n| fields eventName\n\`\`\`\n`,
    );
    const res = await runMdHere(["check", file], { cwd: dir });
    expect(res.code).toBe(2);
    const lines = `${res.stdout}${res.stderr}`.split("\n").filter((l) => l.includes(" error "));
    expect(lines.map((l) => l.split(" error ")[0])).toEqual([`${file}:13:30`, `${file}:17:23`]);
  });

  it("run refuses it before any step: no report, nothing run", async () => {
    const file = runbookFile(
      "literal-run",
      "```sql s1\nSELECT eventname FROM cloudtrail_logs WHERE regexp_like(eventname, '[\\b]')\n```\n",
    );
    const reports = path.join(dir, "reports-literal");
    const res = await runMdHere(
      ["run", file, "--since", "1h", "--log-dir", "sample", "--reports-dir", reports],
      { cwd: dir },
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`${file}:12:68 error regexp_like's pattern`);
    expect(res.stderr).toContain("nothing was run");
    expect(() => readdirSync(reports)).toThrow();
  });
});

describe("a parameter's value used as a pattern", () => {
  const steps =
    "```sql s1\nSELECT eventname FROM cloudtrail_logs\nWHERE regexp_like(eventname, {{pat}})\n```\n\n```logs-insights s2\nfilter eventName like {{pat}}\n```\n";
  const file = runbookFile("values", steps);
  // The sample data ends at the hour (generator ensureSampleData): a window ending "now" late in
  // the hour holds a few minutes of it, maybe no event at all (no-data; CI at 05:55 errored s1
  // and s2). One ending at the hour holds a whole hour of it.
  const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
  const RUN = ["--since", "1h", "--to", hour, "--json", "--log-dir", "sample"];
  RUN.push("--reports-dir", path.join(dir, "reports-values"));

  it.each(FORMS)(
    "%s stops the run before its first step, naming the parameter",
    async (form, words) => {
      const res = await runMdHere(["run", file, ...RUN, "--param", `pat=${form}`], { cwd: dir });
      expect(res.code).toBe(2);
      const [report] = JSON.parse(res.stdout) as {
        status: string;
        steps: unknown[];
        error: { code: string; message: string };
      }[];
      expect(report!.status).toBe("errored");
      expect(report!.steps).toEqual([]); // "first", a query that would pass, did not run either
      expect(report!.error.code).toBe("bad-param");
      expect(report!.error.message).toBe(
        `parameter "pat" (from --param) is a regular expression in step "s1" (${file}:13) that the local engine refuses: ${words}`,
      );
    },
  );

  it("a value RE2 compiles runs every step", async () => {
    const res = await runMdHere(["run", file, ...RUN, "--param", "pat=^Get"], { cwd: dir });
    const [report] = JSON.parse(res.stdout) as { steps: { status: string }[] }[];
    expect(report!.steps.map((s) => s.status)).toEqual(["passed", "passed", "passed"]);
  });
});

describe("check: a parameter's default or enum entry used as a pattern", () => {
  // Line 4 the default, line 5 the enum; the SQL step's reference is on line 10, the Logs
  // Insights step's on line 14 (its fence indented by two spaces: the column is the file's).
  const lines = [
    "---",
    "title: given",
    "params:",
    "  pat: { type: string, default: '[\\b]' }",
    "  lpat: { type: string, default: x, enum: [x, '\\Q\\E*'] }",
    "---",
    "",
    "```sql s1",
    "SELECT eventname FROM cloudtrail_logs",
    "WHERE regexp_like(eventname, {{pat}})",
    "```",
    "",
    "  ```logs-insights s2",
    "  filter eventName like {{lpat}}",
    "  ```",
    "",
  ];
  const text = lines.join("\n");
  /** `file:line:column` of the `{{name}}` on a (1-based) line, counted on the text above. */
  const at = (file: string, line: number, ref: string) =>
    `${file}:${line}:${lines[line - 1]!.indexOf(ref) + 1}`;
  const DEFAULT = `parameter "pat" is a regular expression here, and its default "[\\\\b]" is one RE2 (DuckDB's) refuses: invalid escape sequence: \\b`;
  const ENUM = `parameter "lpat" is a regular expression here, and its enum entry "\\\\Q\\\\E*" is one RE2 (DuckDB's) refuses: no argument for repetition operator: *`;

  /** The param-regex lines `check` prints for `text` in a folder with `config`, and its exit. */
  async function check(name: string, body: string, config?: string) {
    const folder = path.join(dir, name);
    mkdirSync(folder);
    const file = path.join(folder, "given.md");
    writeFileSync(file, body);
    if (config) writeFileSync(path.join(folder, "run-md.config.yaml"), config);
    const res = await runMdHere(["check", file], { cwd: folder });
    const found = `${res.stdout}${res.stderr}`
      .split("\n")
      .filter((l) => l.endsWith("[param-regex]"));
    return { file, code: res.code, found };
  }

  it("is an error at each reference where the step runs on the local engine", async () => {
    const { file, code, found } = await check("given-local", text);
    expect(found).toEqual([
      `${at(file, 10, "{{pat}}")} error ${DEFAULT} (the local engine runs this step) [param-regex]`,
      `${at(file, 14, "{{lpat}}")} error ${ENUM} (the local engine runs this step) [param-regex]`,
    ]);
    expect(code).toBe(2);
  });

  it("is a warning where the steps run on Athena and CloudWatch Logs", async () => {
    const config = "engines:\n  sql: athena\n  logs-insights: logs\nlogs:\n  logGroups: [trail]\n";
    const { file, code, found } = await check("given-aws", text, config);
    expect(found.map((l) => l.split(" parameter ")[0])).toEqual([
      `${at(file, 10, "{{pat}}")} warning`,
      `${at(file, 14, "{{lpat}}")} warning`,
    ]);
    expect(found[0]).toContain("(Athena reads Java's regular expressions, but the step fails");
    expect(code).toBe(0);
  });

  it("says nothing of values RE2 compiles", async () => {
    const fine = text.replace("'[\\b]'", "'^Get'").replace("'\\Q\\E*'", "'Describe.*'");
    const { code, found } = await check("given-fine", fine);
    expect(found).toEqual([]);
    expect(code).toBe(0);
  });
});
