import { parseRunbook, splitFrontMatter } from "@run-md/core";
import { describe, expect, it } from "vitest";

const summary = (source: string) =>
  parseRunbook(source, "x.md").diagnostics.map(
    (d) => `${d.line}:${d.column} ${d.severity} ${d.rule}`,
  );

describe("one pass, every problem", () => {
  it("gives a file with five problems five diagnostics, in file order", () => {
    const source = [
      "---", //                                         1
      "title: Five problems", //                        2
      "severity: urgent", //                            3  bad enum
      "scedule: nightly", //                            4  unknown key
      "---", //                                         5
      "", //                                            6
      "## Step", //                                     7
      "", //                                            8
      "```sql q engien=athena timeout=5minutes", //     9  unknown attribute, bad timeout
      "SELECT {{nope}}", //                             10 undeclared parameter
      "```", //                                         11
      "", //                                            12
    ].join("\n");
    const { runbook, diagnostics } = parseRunbook(source, "five.md");
    expect(runbook).toBeUndefined();
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.rule} ${d.message}`)).toEqual([
      '3:11 invalid-value invalid severity "urgent": expected one of info, low, medium, high, critical',
      '4:1 unknown-key unknown front matter key "scedule" (did you mean "schedule"?)',
      '9:10 unknown-attribute unknown attribute "engien" (did you mean "engine"?)',
      '9:32 invalid-attribute invalid timeout "5minutes": expected a duration such as 30s, 5m or 1h, at most 24h',
      '10:8 undeclared-param undeclared parameter "nope": declare it under params: in the front matter, or use one of start, end, start_date, end_date',
    ]);
  });

  it("reports problems in several expect lines and several steps together", () => {
    const source =
      "---\ntitle: T\n---\n\n```sql a\nSELECT 1\n```\n\n```expect\nrows = 1\nrows == 1\nmax(x <\n```\n\n```sql a\nSELECT 2\n```\n\n```sql b engine=logs\n\n```\n";
    expect(summary(source)).toEqual([
      "10:6 error expect-syntax",
      "12:7 error expect-syntax",
      "15:8 error duplicate-step-id",
      "19:1 error empty-query",
      "19:17 error engine-dialect",
    ]);
  });
});

describe("warnings do not stop a runbook", () => {
  it("warns about an unused parameter, an ignored attribute and an empty expect block", () => {
    const source = [
      "---",
      "title: T",
      "params:",
      "  unused:",
      "    type: string",
      "---",
      "",
      "```insights q max_scan=1GB",
      "stats count(*) as n",
      "```",
      "",
      "```expect",
      "# nothing yet",
      "```",
      "",
    ].join("\n");
    const { runbook, diagnostics } = parseRunbook(source, "x.md");
    expect(
      diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.rule}: ${d.message}`),
    ).toEqual([
      '4:3 warning unused-param: parameter "unused" is declared but no step uses it',
      "8:15 warning attribute-ignored: max_scan= applies to Athena only; it is ignored on a logs-insights step",
      "12:1 warning empty-expect: empty expect block: write one check a line, such as rows == 0",
    ]);
    expect(runbook).toBeDefined();
    expect(runbook!.steps[0]!.attributes.maxScanBytes).toBe(1e9);
  });

  it("warns about a parameter used only in comments: a filter commented out ignores its value (review)", () => {
    const source = [
      "---", //                                                         1
      "title: T", //                                                    2
      "params:", //                                                     3
      "  since: { type: timestamp, default: 2026-11-01T00:00:00Z }", // 4  -- only
      "  who: { type: string, default: x }", //                         5  /* */ and --
      "  kept: { type: string, default: x }", //                        6  used
      "  li: { type: string, default: x }", //                          7  # only
      "  both: { type: string, default: x }", //                        8  # and used
      "---", //                                                         9
      "", //                                                            10
      "```sql q", //                                                    11
      "SELECT count(*) AS n FROM cloudtrail_logs", //                   12
      "WHERE eventname = {{kept}} -- AND eventtime >= {{since}}", //    13
      "/* AND useridentity.arn = {{who}} */ -- {{who}}", //             14
      "  AND eventsource <> '--' AND eventname <> {{kept}}", //         15 -- in a string
      "```", //                                                         16
      "", //                                                            17
      "```logs-insights l", //                                          18
      "# filter eventName = {{li}}", //                                 19
      "filter eventName = {{both}} # {{both}}", //                      20
      "| stats count(*) as n", //                                       21
      "```", //                                                         22
      "",
    ].join("\n");
    const { diagnostics } = parseRunbook(source, "x.md");
    expect(
      diagnostics
        .filter((d) => d.rule === "unused-param")
        .map((d) => `${d.line}:${d.column} ${d.severity} ${d.message}`),
    ).toEqual([
      '4:3 warning parameter "since" is used only in comments, so its value changes no query: uncomment the filter, or remove the parameter',
      '5:3 warning parameter "who" is used only in comments, so its value changes no query: uncomment the filter, or remove the parameter',
      '7:3 warning parameter "li" is used only in comments, so its value changes no query: uncomment the filter, or remove the parameter',
    ]);
  });

  it("needs no expect block: a step without one is fine", () => {
    const { runbook, diagnostics } = parseRunbook(
      "---\ntitle: T\n---\n\n```sql\nSELECT 1\n```\n",
      "x.md",
    );
    expect(diagnostics).toEqual([]);
    expect(runbook!.steps[0]!.checks).toEqual([]);
    expect(runbook!.steps[0]!.expectPosition).toBeUndefined();
  });
});

describe("placement of steps and expect blocks", () => {
  it("attaches an expect block to the step above across prose and headings", () => {
    const source =
      "---\ntitle: T\n---\n\n```sql s\nSELECT 1\n```\n\n## Expected\n\nProse.\n\n```expect\nrows == 1\n```\n";
    const { runbook, diagnostics } = parseRunbook(source, "x.md");
    expect(diagnostics).toEqual([]);
    expect(runbook!.steps[0]!.checks).toHaveLength(1);
    expect(runbook!.segments.map((s) => s.kind)).toEqual(["step", "markdown", "expect"]);
  });

  it("gives an expect block after a later step to that later step", () => {
    const source =
      "---\ntitle: T\n---\n\n```sql a\nSELECT 1\n```\n\n```sql b\nSELECT 2\n```\n\n```expect\nrows == 2\n```\n";
    const { runbook } = parseRunbook(source, "x.md");
    expect(runbook!.steps.map((s) => s.checks.length)).toEqual([0, 1]);
  });

  it("treats other fences as documentation and ignores indented code", () => {
    const source =
      "---\ntitle: T\n---\n\n```bash\nrun-md x\n```\n\n    SELECT 1\n\n```\nplain\n```\n";
    const { runbook, diagnostics } = parseRunbook(source, "x.md");
    expect(diagnostics).toEqual([]);
    expect(runbook!.steps).toEqual([]);
    expect(runbook!.segments).toHaveLength(1);
  });

  it("names a documentation block whose language looks like a step's: it would never run (round-two red-team)", () => {
    const block = (lang: string) =>
      `---\ntitle: T\n---\n\n\`\`\`${lang} denied\nSELECT 1\n\`\`\`\n`;
    const cases: [string, string][] = [
      ["sq1", "sql"],
      ["SQL-athena", "sql"],
      ["athena-sql", "sql"],
      ["insight", "insights"],
      ["logs-insight", "logs-insights"],
      // A letter typed twice (review: sqll was documentation without a word, sq1 was not).
      ["sqll", "sql"],
      ["ssql", "sql"],
      ["Sqql", "sql"],
    ];
    for (const [lang, meant] of cases) {
      const { runbook, diagnostics } = parseRunbook(block(lang), "x.md");
      expect(runbook!.steps, lang).toEqual([]);
      expect(diagnostics, lang).toEqual([
        expect.objectContaining({
          severity: "warning",
          rule: "step-language",
          line: 5,
          message: `"${lang}" is not a step language, so this block is documentation and never runs (did you mean "${meant}"?)`,
        }),
      ]);
    }
    // Other languages of SQL, and prose languages, are documentation without a word.
    // So are query languages one letter from sql: a KQL or Splunk version shown beside a step.
    for (const lang of [
      "mysql",
      "psql",
      "tsql",
      "sqlx",
      "postgresql",
      "sqlite",
      "bash",
      "json",
      "text",
      "yaml",
      "kql",
      "spl",
      "hql",
    ]) {
      expect(parseRunbook(block(lang), "x.md").diagnostics, lang).toEqual([]);
    }
  });

  it("names a documentation block whose language looks like expect: its checks would be dropped (review)", () => {
    const after = (lang: string) =>
      `---\ntitle: T\n---\n\n\`\`\`sql a\nSELECT 1 AS n\n\`\`\`\n\n\`\`\`${lang}\nrows == 0\n\`\`\`\n`;
    for (const word of ["expected", "Expected", "expected-output", "export", "except", "exec"]) {
      expect(parseRunbook(after(word), "x.md").diagnostics, word).toEqual([]);
    }
    for (const lang of ["expects", "Expectations", "expcet", "expect-", "expect_x", "expec"]) {
      const { runbook, diagnostics } = parseRunbook(after(lang), "x.md");
      expect(runbook!.steps[0]!.checks, lang).toEqual([]);
      expect(diagnostics, lang).toEqual([
        {
          file: "x.md",
          line: 9,
          column: 1,
          severity: "warning",
          rule: "expect-language",
          message: `"${lang}" is not "expect", so this block is documentation and its checks are not checks of the step on line 5 (did you mean "expect"?)`,
        },
      ]);
    }
    const alone = "---\ntitle: T\n---\n\n```expects\nrows == 0\n```\n\n```sql a\nSELECT 1\n```\n";
    expect(
      parseRunbook(alone, "x.md").diagnostics.map(
        (d) => `${d.line}:${d.column} ${d.severity} ${d.message}`,
      ),
    ).toEqual([
      '5:1 warning "expects" is not "expect", so this block is documentation and its lines are never checked (did you mean "expect"?)',
    ]);
    // Languages far from expect stay documentation without a word.
    for (const lang of ["text", "exp", "bash", "output", "expression"]) {
      expect(parseRunbook(after(lang), "x.md").diagnostics, lang).toEqual([]);
    }
  });

  it("reports an unclosed fence inside a list at its opening line", () => {
    const source = "---\ntitle: T\n---\n\n- item\n\n  ```bash\n  echo\n\nAfter the list.\n";
    expect(summary(source)).toEqual(["7:3 error unclosed-fence"]);
  });

  it("reports a step inside a quote", () => {
    const source = "---\ntitle: T\n---\n\n> ```sql\n> SELECT 1\n> ```\n";
    expect(parseRunbook(source, "x.md").diagnostics[0]).toMatchObject({
      line: 5,
      column: 3,
      rule: "nested-step",
      message:
        "this sql block is inside a quote and would not run: steps and expect blocks must be at the top level of the document",
    });
  });

  it("refuses an expect block after indented code, a code block too (review: it checked the step above)", () => {
    const source =
      "---\ntitle: T\n---\n\n```sql a\nSELECT 1\n```\n\nOutput:\n\n    n\n    1\n\n```expect\nrows == 0\n```\n";
    const { runbook, diagnostics } = parseRunbook(source, "x.md");
    expect(runbook).toBeUndefined();
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.rule} ${d.message}`)).toEqual([
      "14:1 expect-without-step expect block after the indented code block on line 11, which is not a step: an expect block goes right after the sql or logs-insights block it checks",
    ]);
    const plain =
      "---\ntitle: T\n---\n\n```sql a\nSELECT 1\n```\n\n```\nn\n```\n\n```expect\nrows == 0\n```\n";
    expect(parseRunbook(plain, "x.md").diagnostics[0]?.message).toBe(
      "expect block after the plain code block on line 9, which is not a step: an expect block goes right after the sql or logs-insights block it checks",
    );
  });

  it("refuses an expect block after code in a quote or a list (review: it checked the step above)", () => {
    const step = "---\ntitle: T\n---\n\n```sql a\nSELECT 1\n```\n\n";
    const expectBlock = "\n```expect\nrows == 0\n```\n";
    expect(
      parseRunbook(`${step}> \`\`\`text\n> n\n> \`\`\`\n${expectBlock}`, "x.md").diagnostics.map(
        (d) => `${d.line}:${d.column} ${d.rule} ${d.message}`,
      ),
    ).toEqual([
      '13:1 expect-without-step expect block after the "text" code block in a quote on line 9, which is not a step: an expect block goes right after the sql or logs-insights block it checks',
    ]);
    expect(summary(`${step}- see:\n\n      n\n${expectBlock}`)).toEqual([
      "13:1 error expect-without-step",
    ]);
    // A quote or a list without code may stand between them, as prose may.
    expect(summary(`${step}> Note.\n\n- one\n${expectBlock}`)).toEqual([]);
  });

  it("reports a step or expect fence inside an HTML block, which shows as text and never runs", () => {
    const step = "---\ntitle: T\n---\n\n```sql a\nSELECT 1\n```\n\n";
    const details = `${step}<details><summary>Checks</summary>\n\`\`\`expect\nrows == 0\n\`\`\`\n</details>\n`;
    expect(parseRunbook(details, "x.md").diagnostics).toMatchObject([
      {
        line: 10,
        column: 1,
        rule: "nested-step",
        message:
          "this expect block is inside the HTML block of line 9, which Markdown shows as text and which never runs: leave a blank line between the HTML line and the fence",
      },
    ]);
    const div = `${step}<div>\n  ~~~SQL b\n  SELECT 2\n  ~~~\n</div>\n`;
    expect(summary(div)).toEqual(["10:3 error nested-step"]);
    // A blank line after the tag makes the fence a block of its own; a comment or <pre> hides
    // or quotes its text on purpose.
    for (const html of [
      "<details>\n\n```expect\nrows == 0\n```\n\n</details>\n",
      "<!--\n```expect\nrows == 0\n```\n-->\n",
      "<pre>\n```sql b\nSELECT 2\n```\n</PRE>\n",
    ]) {
      expect(summary(step + html), html).toEqual([]);
    }
  });

  it("reports the steps an HTML comment or <pre> that is never closed hides to the end of the file", () => {
    const step = "---\ntitle: T\n---\n\n```sql a\nSELECT 1\n```\n\n";
    const rest = "\n## Next\n\n```sql b\nSELECT 2\n```\n\n```expect\nrows == 0\n```\n";
    expect(
      parseRunbook(`${step}<!-- a note ->${rest}`, "x.md").diagnostics.map(
        (d) => `${d.line}:${d.column} ${d.rule} ${d.message}`,
      ),
    ).toEqual([
      "12:1 nested-step this sql block is inside the HTML comment opened on line 9, which is never closed (-->), so it hides the rest of the file and this never runs: close it",
      "16:1 nested-step this expect block is inside the HTML comment opened on line 9, which is never closed (-->), so it hides the rest of the file and this never runs: close it",
    ]);
    expect(summary(`${step}<pre>${rest}`)).toEqual([
      "12:1 error nested-step",
      "16:1 error nested-step",
    ]);
    expect(summary(`${step}<!-- a note -->${rest}`)).toEqual([]);
  });

  it("accepts a longer fence and a tilde fence, and a step id that repeats a derived one gets a suffix", () => {
    const source =
      "---\ntitle: T\n---\n\n## Top\n\n````sql\nSELECT '```'\n````\n\n~~~sql top\nSELECT 1\n~~~\n";
    const { runbook, diagnostics } = parseRunbook(source, "x.md");
    expect(diagnostics).toEqual([]);
    expect(runbook!.steps.map((s) => s.id)).toEqual(["top-2", "top"]);
  });

  it("refuses a ``` step or expect line whose info string holds a backtick: it is text, and the step never ran", () => {
    const source = [
      "---", //                                                   1
      "title: T", //                                              2
      "---", //                                                   3
      "", //                                                      4
      "## Lost", //                                               5
      "```sql lost `note`", //                                    6  text, not a fence
      "SELECT count(*) AS n FROM cloudtrail_logs", //             7
      "```", //                                                   8  opens a block ...
      "", //                                                      9
      "```expect", //                                             10 ... that swallows this
      "rows == 5", //                                             11
      "```", //                                                   12 ... and closes here
      "", //                                                      13
      "~~~text `a tilde fence may`", //                           14 a fence
      "SELECT 1", //                                              15
      "~~~", //                                                   16
      "", //                                                      17
      "```text `shown`", //                                       18 documentation either way
      "", //                                                      19
      "Prose right above", //                                     20
      "```expect `x`", //                                         21 text in the paragraph
      "", //                                                      22
    ].join("\n");
    const { runbook, diagnostics } = parseRunbook(source, "x.md");
    const message = (lang: string) =>
      `this line opens no ${lang} block: the info string of a \`\`\` fence may not hold a backtick, so Markdown reads the line as text and the block never runs; remove the backtick, or fence the block with ~~~`;
    expect(
      diagnostics
        .filter((d) => d.severity === "error")
        .map((d) => `${d.line}:${d.column} ${d.rule} ${d.message}`),
    ).toEqual([`6:1 invalid-fence ${message("sql")}`, `21:1 invalid-fence ${message("expect")}`]);
    expect(runbook).toBeUndefined();
  });

  it("points parameter references at their column in an indented fence", () => {
    const source = "---\ntitle: T\n---\n\n  ```sql\n  SELECT {{start}},\n    {{end}}\n  ```\n";
    const { runbook } = parseRunbook(source, "x.md");
    expect(runbook!.steps[0]!.paramRefs).toEqual([
      { name: "start", position: { line: 6, column: 10 } },
      { name: "end", position: { line: 7, column: 5 } },
    ]);
  });

  it("takes CRLF line endings", () => {
    const source =
      "---\r\ntitle: T\r\n---\r\n\r\n```sql a\r\nSELECT 1\r\n```\r\n\r\n```expect\r\nrows = 1\r\n```\r\n";
    expect(summary(source)).toEqual(["10:6 error expect-syntax"]);
  });

  it("slugs headings with accents and punctuation", () => {
    const source =
      "---\ntitle: T\n---\n\n## Qui a créé l'accès ? (IAM)\n\n```sql\nSELECT 1\n```\n\n## ***\n\n```sql\nSELECT 2\n```\n";
    const { runbook } = parseRunbook(source, "x.md");
    expect(runbook!.steps.map((s) => [s.id, s.title])).toEqual([
      ["qui-a-cree-l-acces-iam", "Qui a créé l'accès ? (IAM)"],
      ["step-2", "***"],
    ]);
  });
});

describe("unclosed fences", () => {
  it("reports an unclosed expect block once, not the prose it swallowed", () => {
    const source =
      "---\ntitle: T\n---\n\n```sql a\nSELECT 1\n```\n\n```expect\nrows == 0\n\nSome prose that is not a check.\n";
    expect(summary(source)).toEqual(["9:1 error unclosed-fence"]);
  });

  it("reports an unclosed step once, not the references in the prose it swallowed", () => {
    const source = "---\ntitle: T\n---\n\n```sql a\nSELECT 1\n\nProse with '{{x}}' in it.\n";
    expect(summary(source)).toEqual(["5:1 error unclosed-fence"]);
  });

  it("names a step without an id by its line when it gets a second expect block", () => {
    const source =
      "---\ntitle: T\n---\n\n```sql\nSELECT 1\n```\n\n```expect\nrows == 1\n```\n\n```expect\nrows == 2\n```\n";
    expect(parseRunbook(source, "x.md").diagnostics.map((d) => d.message)).toEqual([
      "the step on line 5 already has an expect block (line 9): put all its checks in one block",
    ]);
  });
});

describe("fence languages", () => {
  it("treats a language named like an object property as documentation", () => {
    const source = "---\ntitle: T\n---\n\n```constructor\nx\n```\n\n```toString\ny\n```\n";
    const { runbook, diagnostics } = parseRunbook(source, "x.md");
    expect(diagnostics).toEqual([]);
    expect(runbook!.steps).toEqual([]);
  });
});

describe("a quote inside a quoted front matter value", () => {
  it("says that the quote ended the value, and how to write one inside it (review: unexpected scalar at node end)", () => {
    const at = (front: string) =>
      parseRunbook(`---\n${front}\n---\n\n\`\`\`sql q\nSELECT 1\n\`\`\`\n`, "x.md").diagnostics.map(
        (d) => `${d.line}:${d.column} ${d.rule} ${d.message}`,
      );
    expect(at("title: A\ndescription: 'it's broken")).toEqual([
      "3:18 yaml-syntax invalid YAML: unexpected scalar at node end: the ' before it ended the quoted value; write a ' inside '...' as '', or quote the value with \"...\"",
    ]);
    expect(at('title: "say "hi" now"')).toEqual([
      `2:14 yaml-syntax invalid YAML: unexpected scalar at node end: the " before it ended the quoted value; write a " inside "..." as \\", or quote the value with '...'`,
    ]);
  });
});

describe("front matter delimiters", () => {
  it.each([
    [
      "----\ntitle: x\n",
      '1:1 missing-key missing front matter: start the file with "---", a line "title: ...", and "---"',
    ],
    [
      "\n---\ntitle: T\n---\n",
      '1:1 missing-key missing front matter: start the file with "---", a line "title: ...", and "---"',
    ],
    ["---\n---\n", '1:1 missing-key missing required front matter key "title"'],
    [
      "\uFEFF---\ntitle: T\nowner: 1\n---\n",
      '3:8 invalid-type "owner" must be a string, found an integer',
    ],
    ["---toml\ntitle = 'x'\n---\n", '1:4 front-matter front matter must be YAML, found "toml"'],
    [
      "---\ntitle: T\n----------\n",
      '1:1 front-matter front matter is not closed: add a line "---" after it',
    ],
    [
      "---\ntitle: T\nowner: 1\n---  \n",
      '3:8 invalid-type "owner" must be a string, found an integer',
    ],
  ])("%j", (source, expected) => {
    expect(
      parseRunbook(source, "x.md").diagnostics.map(
        (d) => `${d.line}:${d.column} ${d.rule} ${d.message}`,
      ),
    ).toEqual([expected]);
  });
});

describe("a block whose language looks like a step's", () => {
  it("is a warning a run shows too, with the step above it, else the first step (review: check alone said it)", () => {
    const source =
      "---\ntitle: T\n---\n\n```SQL-athena\nSELECT 1\n```\n\n```sql a\nSELECT 1\n```\n\n```sq1\nSELECT 2\n```\n";
    const { runbook, diagnostics } = parseRunbook(source, "x.md");
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.rule}`)).toEqual([
      "5:1 warning step-language",
      "13:1 warning step-language",
    ]);
    expect(runbook?.steps[0]?.warnings).toEqual([
      'x.md:5:1 "SQL-athena" is not a step language, so this block is documentation and never runs (did you mean "sql"?)',
      'x.md:13:1 "sq1" is not a step language, so this block is documentation and never runs (did you mean "sql"?)',
    ]);
  });
});

describe("a step language with invisible or compatibility characters", () => {
  it("is a step-language warning naming the language it reads as", () => {
    for (const lang of ["s\u200Bql", "\uFF53\uFF51\uFF4C", "logs\u2060-insights"]) {
      const source = `---\ntitle: T\n---\n\n\`\`\`sql a\nSELECT 1\n\`\`\`\n\n\`\`\`${lang} b\nSELECT 2\n\`\`\`\n`;
      const { diagnostics } = parseRunbook(source, "x.md");
      expect(
        diagnostics.map((d) => `${d.line}:${d.rule}`),
        lang,
      ).toEqual(["9:step-language"]);
      expect(diagnostics[0]?.message).toMatch(/\(did you mean "(sql|logs-insights)"\?\)$/);
    }
  });
});

describe("expect with invisible or compatibility characters", () => {
  it("is an expect-language warning, shown with the step above", () => {
    for (const lang of ["ex\u200Bpe\u200Bct", "\uFF45\uFF58\uFF50\uFF45\uFF43\uFF54"]) {
      const source = `---\ntitle: T\n---\n\n\`\`\`sql a\nSELECT 1\n\`\`\`\n\n\`\`\`${lang}\nrows == 0\n\`\`\`\n`;
      const { runbook, diagnostics } = parseRunbook(source, "x.md");
      expect(
        diagnostics.map((d) => `${d.line}:${d.rule}`),
        lang,
      ).toEqual(["9:expect-language"]);
      expect(runbook?.steps[0]?.warnings).toHaveLength(1);
    }
  });
});

describe("schedule: a name with more words", () => {
  it("suggests the name its first word is", () => {
    const source = '---\ntitle: T\nschedule: "nightly "\n---\n\n```sql a\nSELECT 1\n```\n';
    expect(parseRunbook(source, "x.md").diagnostics.map((d) => d.message)).toEqual([
      'invalid schedule "nightly ": expected one of manual, nightly, weekly or a cron expression such as "0 6 * * 1-5" (did you mean "nightly"?)',
    ]);
  });

  it("reads other tools' words (daily, cron's @-macros) as the schedule they mean", () => {
    const hints: [string, string][] = [
      ["daily", '"nightly"'],
      ["@daily", '"nightly"'],
      ["Daily", '"nightly"'],
      ["@weekly", '"weekly"'],
      ["@monthly", '"0 6 1 * *"'],
      ["never", '"manual"'],
      ["nigthly", '"nightly"'],
    ];
    for (const [written, meant] of hints) {
      const source = `---\ntitle: T\nschedule: "${written}"\n---\n\n\`\`\`sql a\nSELECT 1\n\`\`\`\n`;
      const [message] = parseRunbook(source, "x.md").diagnostics.map((d) => d.message);
      expect(message, written).toMatch(
        new RegExp(
          `^invalid schedule "${written}": .*\\(did you mean ${meant.replace(/\*/g, "\\*")}\\?\\)$`,
        ),
      );
    }
  });

  it("hourly is told the nightly job runs a runbook once a night at most (a cron of every hour runs nightly too)", () => {
    const source = '---\ntitle: T\nschedule: "hourly"\n---\n\n```sql a\nSELECT 1\n```\n';
    const [message] = parseRunbook(source, "x.md").diagnostics.map((d) => d.message);
    expect(message).toBe(
      'invalid schedule "hourly": expected one of manual, nightly, weekly or a cron expression such as "0 6 * * 1-5" (did you mean "nightly"? the nightly job runs a runbook once a night at most)',
    );
  });

  it("a word that names a property of every object is an invalid schedule at its line, not a crash", () => {
    // `constructor` and `__proto__` were looked up in the words' table through its prototype: a
    // function or an object, not a schedule, and check stopped on a TypeError (review, 2026-12-07).
    for (const written of ["constructor", "__proto__", "toString", "@constructor"]) {
      const source = `---\ntitle: T\nschedule: "${written}"\n---\n\n\`\`\`sql a\nSELECT 1\n\`\`\`\n`;
      const found = parseRunbook(source, "x.md").diagnostics.map((d) => [d.line, d.message]);
      expect(found, written).toEqual([
        [
          3,
          `invalid schedule "${written}": expected one of manual, nightly, weekly or a cron expression such as "0 6 * * 1-5"`,
        ],
      ]);
    }
  });

  it("suggests nothing for a word no schedule is near", () => {
    const source = '---\ntitle: T\nschedule: "@reboot"\n---\n\n```sql a\nSELECT 1\n```\n';
    const [message] = parseRunbook(source, "x.md").diagnostics.map((d) => d.message);
    expect(message).not.toContain("did you mean");
  });
});

describe("a second block of front matter keys", () => {
  const step = "\n```sql a\nSELECT 1\n```\n";
  it("is an error at its opening line, and its schedule counts as unread (review)", () => {
    const source = `---\ntitle: T\n---\n\n---\nschedule: nightly\nowner: me\n---\n${step}`;
    const { runbook, diagnostics, frontMatter } = parseRunbook(source, "x.md");
    expect(runbook).toBeUndefined();
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.rule} ${d.message}`)).toEqual([
      "5:1 front-matter a second block of front matter keys (schedule, owner): only the block at the top of the file is front matter, this one is Markdown and none of its keys is read; move them into the front matter above",
    ]);
    expect(frontMatter.scheduleUnread).toBe(true);
  });

  it("is not a rule followed by prose", () => {
    for (const body of [
      "---\n\nNote: read this first.\n",
      "---\nNote: x\n---\n",
      "***\nowner: x\n",
    ]) {
      expect(summary(`---\ntitle: T\n---\n${body}${step}`), body).toEqual([]);
    }
  });
});

describe("front matter cut off once", () => {
  it("places a front matter error and the blocks after it on the file's lines (CRLF, ---yaml)", () => {
    const source = [
      "---yaml", //                               1
      "title: T", //                              2
      "# a comment", //                           3
      "severity: urgent", //                      4  bad enum
      "---", //                                   5
      "", //                                      6
      "Prose that mentions {{x}}.", //            7
      "", //                                      8
      "  ```sql", //                              9
      "  SELECT {{nope}}", //                     10 undeclared parameter
      "  ```", //                                 11
      "",
    ].join("\r\n");
    const { diagnostics, steps } = parseRunbook(source, "x.md");
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.rule}`)).toEqual([
      "4:11 invalid-value",
      "10:10 undeclared-param",
    ]);
    expect(steps.map((s) => [s.position.start.line, s.queryLine])).toEqual([[9, 10]]);
  });

  it("tells a file with a byte-order mark and no front matter from one with front matter", () => {
    expect(splitFrontMatter("\uFEFF# Notes\n").present).toBe(false);
    expect(splitFrontMatter("\uFEFF---\ntitle: T\n---\n# Notes\n")).toEqual({
      yaml: "\ntitle: T",
      present: true,
      closed: true,
      body: "   \n        \n   \n# Notes\n",
    });
  });

  it("keeps the Markdown after the front matter as written, without the front matter", () => {
    const source = "---\ntitle: T\n---\nIntro right under it.\n\n```sql\nSELECT 1\n```\n";
    const { runbook } = parseRunbook(source, "x.md");
    expect(runbook!.segments[0]).toEqual({
      kind: "markdown",
      markdown: "Intro right under it.",
      position: { start: { line: 4, column: 1 }, end: { line: 4, column: 22 } },
    });
  });

  it("never runs front matter written in another language (---js would be eval'd)", () => {
    const probe = "__runMdFrontMatterProbe";
    const source = `---js\n{ title: (globalThis.${probe} = "ran") }\n---\n\n\`\`\`sql\nSELECT 1\n\`\`\`\n`;
    const { diagnostics, steps } = parseRunbook(source, "x.md");
    expect((globalThis as Record<string, unknown>)[probe]).toBeUndefined();
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.rule} ${d.message}`)).toEqual([
      '1:4 front-matter front matter must be YAML, found "js"',
    ]);
    expect(steps.map((s) => s.queryLine)).toEqual([6]);
  });
});

describe("bidirectional control characters in a query or expect block (Trojan Source)", () => {
  const at = (source: string) =>
    parseRunbook(source, "x.md").diagnostics.map(
      (d) => `${d.line}:${d.column} ${d.rule} ${d.message}`,
    );

  it("are errors at each one, in SQL, Logs Insights and expect blocks", () => {
    // Shown by an editor as `... = 'DeleteUser' -- x`, read by the engine as written.
    const sql = "SELECT 1 AS n FROM t WHERE e = 'Delete\u202E -- \u202CUser'";
    const insights = "fields @timestamp | filter eventName = 'A\u2067B\u2069'";
    const source = `---\ntitle: T\n---\n\n\`\`\`sql a\n${sql}\n\`\`\`\n\n\`\`\`expect\nrows == 1 # a\u2066\n\`\`\`\n\n  \`\`\`logs-insights b\n  ${insights}\n  \`\`\`\n`;
    expect(at(source)).toEqual([
      `6:39 bidi-control a bidirectional control character (U+202E RIGHT-TO-LEFT OVERRIDE) in the query: the text around it shows in another order than it runs (Trojan Source); remove it (to match one in the data, chr(8238) writes it)`,
      `6:44 bidi-control a bidirectional control character (U+202C POP DIRECTIONAL FORMATTING) in the query: the text around it shows in another order than it runs (Trojan Source); remove it (to match one in the data, chr(8236) writes it)`,
      `10:14 bidi-control a bidirectional control character (U+2066 LEFT-TO-RIGHT ISOLATE) in the expect block: the text around it shows in another order than it runs (Trojan Source); remove it`,
      `14:44 bidi-control a bidirectional control character (U+2067 RIGHT-TO-LEFT ISOLATE) in the query: the text around it shows in another order than it runs (Trojan Source); remove it`,
      `14:46 bidi-control a bidirectional control character (U+2069 POP DIRECTIONAL ISOLATE) in the query: the text around it shows in another order than it runs (Trojan Source); remove it`,
    ]);
    // The columns point at the characters themselves.
    const lines = source.split("\n");
    expect(lines[5]![38]).toBe("\u202E");
    expect(lines[9]![13]).toBe("\u2066");
    expect(lines[13]![43]).toBe("\u2067");
    expect(parseRunbook(source, "x.md").runbook).toBeUndefined();
  });

  it("leave the marks and joiners right-to-left and emoji text needs alone, and prose", () => {
    const q = "SELECT 'שלום\u200F' AS a, '👩\u200D💻' AS b, 'x\u200Ey' AS c";
    const source = `---\ntitle: T\n---\n\nProse \u202E may hold one.\n\n\`\`\`sql a\n${q}\n\`\`\`\n`;
    expect(at(source)).toEqual([]);
  });

  it("are warnings in front matter values, at the character, and the runbook still runs", () => {
    const source =
      '---\ntitle: Audit IAM\u202E (disabled)\ntags: [iam, "x\u2066y\u2069"]\n---\n\n```sql a\nSELECT 1\n```\n';
    const { runbook, diagnostics } = parseRunbook(source, "x.md");
    expect(runbook).toBeDefined();
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.rule}`)).toEqual([
      "2:17 warning bidi-control",
      "3:15 warning bidi-control",
      "3:17 warning bidi-control",
    ]);
    expect(diagnostics[0]!.message).toBe(
      "a bidirectional control character (U+202E RIGHT-TO-LEFT OVERRIDE) in a front matter value: the site shows the text around it in another order than it is written; remove it unless right-to-left text needs it",
    );
    expect(source.split("\n")[1]![16]).toBe("\u202E");
    expect(source.split("\n")[2]![14]).toBe("\u2066");
  });

  it("are warnings where a double-quoted value writes one as an escape, which the site shows as the character", () => {
    // YAML reads "\u202E" as U+202E itself: the title the site shows is reordered as with the
    // character written out (second review, 2026-12-07: only the written character was seen).
    const source =
      '---\ntitle: "Audit IAM\\u202E (disabled)"\nowner: "a \\U00002066b"\n---\n\n```sql a\nSELECT 1\n```\n';
    const { runbook, diagnostics } = parseRunbook(source, "x.md");
    expect(runbook?.meta.title).toBe("Audit IAM\u202E (disabled)");
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.message}`)).toEqual([
      "2:18 warning a bidirectional control character (U+202E RIGHT-TO-LEFT OVERRIDE) in a front matter value: the site shows the text around it in another order than it is written; remove it unless right-to-left text needs it",
      "3:11 warning a bidirectional control character (U+2066 LEFT-TO-RIGHT ISOLATE) in a front matter value: the site shows the text around it in another order than it is written; remove it unless right-to-left text needs it",
    ]);
    expect(source.split("\n")[1]!.slice(17, 23)).toBe("\\u202E");
    expect(source.split("\n")[2]!.slice(10, 20)).toBe("\\U00002066");
  });
});
