import { Writable } from "node:stream";
import type { Engine, QueryRequest, QueryResult, RunReport } from "@run-md/core";
import { parseRunbook, runRunbook, toJUnit, toMarkdown } from "@run-md/core";
import stringWidth from "string-width";
import { describe, expect, it } from "vitest";
import { truncateToWidth } from "../src/table.ts";
import {
  fitWidths,
  rowsTable,
  statsText,
  summaryLine,
  TerminalReporter,
  totalLine,
} from "../src/terminal.ts";

const RUNBOOK = `---
title: Denied calls
description: Who keeps getting AccessDenied.
escalation: Page the on-call.
---

## Denied, by principal

\`\`\`sql denied
SELECT 1
\`\`\`

\`\`\`expect
max(calls) < 50           # a burst is worth a page
every principal like 'arn:%'
warn: rows < 2
\`\`\`
`;

class Canned implements Engine {
  readonly name = "local";
  readonly dialects = ["sql"] as const;
  async query(req: QueryRequest): Promise<QueryResult> {
    return {
      columns: [
        { name: "principal", type: "varchar" },
        { name: "calls", type: "bigint" },
      ],
      rows: [
        ["arn:aws:iam::111122223333:user/mallory", 80],
        ["arn:aws:iam::111122223333:user/alice", 2],
      ],
      queryAsRun: req.query,
      stats: { bytesRead: 3_500_000 },
      warnings: ["skipped broken.json: malformed JSON"],
    };
  }
  async close(): Promise<void> {}
}

/** The output as a person reads it: colours (on under CI, as picocolors decides) removed. */
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

function sink() {
  let text = "";
  const out = new Writable({
    write(chunk, _enc, cb) {
      text += chunk;
      cb();
    },
  });
  return { out, text: () => plain(text) };
}

describe("a step's statistics", () => {
  it("show what Athena's window check scanned beside the step's query, the cost being of both", () => {
    const step = {
      stats: { dataScannedBytes: 1_310_000, windowProbeBytes: 1_310_000, costUsd: 0.000095 },
    } as unknown as Parameters<typeof statsText>[0];
    expect(statsText(step)).toBe("1.31 MB scanned, 1.31 MB by the window check, $0.000095");
  });
});

describe("the terminal output", () => {
  it("shows the title, each step, its rows, every check with its mark, and the escalation", async () => {
    const { runbook } = parseRunbook(RUNBOOK, "runbooks/denied.md");
    const s = sink();
    const reporter = new TerminalReporter({ out: s.out, live: false, quiet: false });
    const report = await runRunbook(
      runbook!,
      { toolVersion: "t", now: () => new Date("2026-11-24T10:00:00Z") },
      { getEngine: async () => new Canned(), reporter },
    );
    const text = s.text();
    expect(text).toContain("Denied calls  runbooks/denied.md · severity medium");
    expect(text).toContain("Who keeps getting AccessDenied.");
    expect(text).toContain("window 2026-11-23T10:00:00Z → 2026-11-24T10:00:00Z (default 24h)");
    expect(text).toMatch(/✗ Denied, by principal \[denied · local\] \d+ms · 3\.50 MB scanned/);
    expect(text).toContain("! skipped broken.json: malformed JSON");
    expect(text).toContain("│ arn:aws:iam::111122223333:user/mallory │ 80    │");
    expect(text).toContain("2 rows");
    expect(text).toContain(
      "✗ max(calls) < 50 — a burst is worth a page  (max(calls) = 80, expected < 50)",
    );
    expect(text).toContain("✓ every principal like 'arn:%'");
    expect(text).toContain("! warn: rows < 2");
    expect(text).toContain("Escalation: Page the on-call.");
    expect(plain(summaryLine(report))).toMatch(
      /^✗ failed denied: 1 step · 3 checks: 1 passed, 1 warned, 1 failed · \d+ms$/,
    );
    // A run over the bundled sample data says so: its findings are planted, not the account's.
    expect(plain(summaryLine({ ...report, sampleData: true }))).toMatch(
      /^✗ failed denied: 1 step · 3 checks: 1 passed, 1 warned, 1 failed · bundled sample data · \d+ms$/,
    );
  });

  it("escalates only a failed run: an optional step's failed check warns the run, and no one is paged (spec §1, §2)", async () => {
    // The runbook's own checks fail, in an optional step: the run is warned and exits 0, so
    // "what a person does when an expectation fails" is not for this run, in the terminal as in
    // the Markdown summary (JUnit counts no failure for it, the site shows no escalation).
    const optional = RUNBOOK.replace("```sql denied", "```sql denied optional");
    const { runbook } = parseRunbook(optional, "runbooks/denied.md");
    const s = sink();
    const reporter = new TerminalReporter({ out: s.out, live: false, quiet: false });
    const report = await runRunbook(
      runbook!,
      { toolVersion: "t", now: () => new Date("2026-11-24T10:00:00Z") },
      { getEngine: async () => new Canned(), reporter },
    );
    expect(report.status).toBe("warned");
    expect(report.steps[0]!.checks!.map((c) => c.status)).toContain("failed");
    expect(s.text()).not.toContain("Escalation");
    expect(toMarkdown([report])).not.toContain("Escalation");
    // The same run with the step not optional fails, and says what to do.
    const failing = parseRunbook(RUNBOOK, "runbooks/denied.md").runbook!;
    const failed = await runRunbook(
      failing,
      { toolVersion: "t", now: () => new Date("2026-11-24T10:00:00Z") },
      { getEngine: async () => new Canned() },
    );
    expect(failed.status).toBe("failed");
    expect(toMarkdown([failed])).toContain("**Escalation:** Page the on-call.");
  });

  it("after several runbooks, one line counts them by how they ended, worst first, naming those that did not pass", () => {
    const ran = (id: string, status: RunReport["status"]) =>
      ({ runbook: { id }, status }) as unknown as RunReport;
    const reports = [
      ran("a", "passed"),
      ran("b", "failed"),
      ran("c", "passed"),
      ran("d", "errored"),
      ran("e", "warned"),
      ran("f", "failed"),
    ];
    expect(plain(totalLine(reports))).toBe(
      "✗ 6 runbooks: 1 errored (d), 2 failed (b, f), 1 warned (e), 2 passed",
    );
    expect(plain(totalLine([ran("a", "passed"), ran("b", "passed")]))).toBe(
      "✓ 2 runbooks: 2 passed",
    );
  });

  it("--quiet prints nothing but what the command adds", async () => {
    const { runbook } = parseRunbook(RUNBOOK, "runbooks/denied.md");
    const s = sink();
    await runRunbook(
      runbook!,
      { toolVersion: "t" },
      {
        getEngine: async () => new Canned(),
        reporter: new TerminalReporter({ out: s.out, live: false, quiet: true }),
      },
    );
    expect(s.text()).toBe("");
  });
});

/** A runbook of one step, `denied`, that expects two rows. */
const oneStep = (title: string) => `---
title: ${title}
---

\`\`\`sql denied
SELECT 1
\`\`\`

\`\`\`expect
rows == 2
\`\`\`
`;

describe("the summary line of a run that passed over warnings", () => {
  // The step's checks pass, but its engine said a day of the window had no log file: the line
  // --quiet prints (and a folder's count line) must not read as a plain green.
  const unread =
    "the window's day 2026-11-23 (UTC) has no log file with events: logs not synced, collected or delivered read as a quiet day";
  class Unread extends Canned {
    override async query(req: QueryRequest): Promise<QueryResult> {
      return { ...(await super.query(req)), warnings: [unread, "a second warning"] };
    }
  }

  it("names the first warning of its steps and how many more, as the report holds them", async () => {
    const { runbook } = parseRunbook(oneStep("Quiet"), "runbooks/quiet.md");
    const report = await runRunbook(
      runbook!,
      { toolVersion: "t", now: () => new Date("2026-11-24T10:00:00Z") },
      { getEngine: async () => new Unread() },
    );
    expect(report.status).toBe("passed");
    expect(report.steps[0]?.warnings).toEqual([unread, "a second warning"]);
    expect(plain(summaryLine(report))).toMatch(
      new RegExp(
        `^✓ passed quiet: 1 step · 1 check: 1 passed · ⚠ warning in denied: ${unread.replace(/[()]/g, "\\$&")} \\(and 1 more\\) · \\d+ms$`,
      ),
    );
    const clean = { ...report, steps: report.steps.map((s) => ({ ...s, warnings: [] })) };
    expect(plain(summaryLine(clean))).toMatch(
      /^✓ passed quiet: 1 step · 1 check: 1 passed · \d+ms$/,
    );
    // The folder's count line says which passed runbooks warned.
    expect(plain(totalLine([report, clean]))).toBe(
      "✓ 2 runbooks: 2 passed (1 with step warnings: quiet)",
    );
  });
});

describe("a passed check of a step that errored (a file not read)", () => {
  class Partial extends Canned {
    override async query(req: QueryRequest): Promise<QueryResult> {
      return { ...(await super.query(req)), warnings: [], unread: ["broken.json.gz"] };
    }
  }

  it("is not judged, never ✓ / ✅ / a passing case, in the terminal, the summary line, Markdown and JUnit", async () => {
    const { runbook } = parseRunbook(oneStep("Partial"), "runbooks/partial.md");
    const s = sink();
    const report = await runRunbook(
      runbook!,
      { toolVersion: "t" },
      {
        getEngine: async () => new Partial(),
        reporter: new TerminalReporter({ out: s.out, live: false, quiet: false }),
      },
    );
    // What the report holds: the step errored (a file not read), its check evaluated to passed
    // on the rows that were read.
    const step = report.steps[0]!;
    expect(step.error?.code).toBe("unread-files");
    expect(step.checks.map((c) => c.status)).toEqual(["passed"]);
    const text = s.text();
    expect(text).not.toMatch(/✓ rows == 2/);
    expect(text).toContain("? rows == 2  (not judged: the step errored; rows = 2, expected == 2)");
    expect(plain(summaryLine(report))).toMatch(
      /^✗ errored partial: 1 step · 1 check: 0 passed, 1 not judged · 1 step errored · step denied: /,
    );
    const md = toMarkdown([report]);
    expect(md).not.toContain("✅");
    expect(md).toContain(
      "- ❔ `rows == 2`: not judged (the step errored): rows = 2, expected == 2",
    );
    const junit = toJUnit([report]);
    expect(junit).toContain('skipped="1"');
    expect(junit).toMatch(
      /<testcase classname="partial.denied" name="rows == 2" time="[\d.]+"><skipped message="not judged: the step errored \(unread-files\)"\/><\/testcase>/,
    );
  });
});

describe("fitting tables to the terminal", () => {
  it("keeps natural widths when they fit, and shrinks the widest column first", () => {
    expect(fitWidths([5, 10, 3], 120)).toEqual([5, 10, 3]);
    expect(fitWidths([10, 80, 20], 80)).toEqual([10, 40, 20]);
    expect(fitWidths([100], 1000)).toEqual([100]); // as wide as the terminal allows
    expect(fitWidths([100, 10], 80)).toEqual([63, 10]);
    expect(fitWidths([300, 10], 80, true)).toEqual([300, 10]); // --wide: never cut
    expect(fitWidths([30, 30, 30, 30, 30], 10).every((w) => w === 8)).toBe(true); // never below 8
  });

  it("measures and cuts by display width (CJK and emoji take two columns)", () => {
    expect(truncateToWidth("漢字テスト", 5)).toBe("漢字…");
    expect(truncateToWidth("🔥🔥🔥", 4)).toBe("🔥…");
    expect(truncateToWidth("abc", 3)).toBe("abc");
    const table = rowsTable(
      ["name", "n"],
      [
        ["漢字", 1],
        ["abcd", 2],
      ],
      80,
    );
    const widths = table.split("\n").map((l) => stringWidth(l));
    expect(new Set(widths).size).toBe(1);
  });

  it("truncates long cells with an ellipsis and never exceeds the width", () => {
    const table = rowsTable(["arn", "n"], [["x".repeat(200), 1]], 60);
    // Display width (string-width skips colour codes, which CI=true turns on in picocolors).
    for (const line of table.split("\n")) expect(stringWidth(line)).toBeLessThanOrEqual(60);
    expect(table).toContain("…");
  });
});

describe("a step errored only by a check", () => {
  it("names the check that errored a step, with its line and its error, on the step and in the summary", async () => {
    // Line 9 of the file is the check on a column the result does not have (Canned gives
    // principal and calls): the check errors, and only it errors the step.
    const source = [
      "---", //                      1
      "title: Denied calls", //      2
      "---", //                      3
      "", //                         4
      "```sql denied", //            5
      "SELECT 1", //                 6
      "```", //                      7
      "```expect", //                8
      "max(nosuch) < 5", //          9
      "rows > 0", //                 10
      "```", //                      11
      "",
    ].join("\n");
    const { runbook } = parseRunbook(source, "runbooks/denied.md");
    const s = sink();
    const report = await runRunbook(
      runbook!,
      { toolVersion: "t" },
      {
        getEngine: async () => new Canned(),
        reporter: new TerminalReporter({ out: s.out, live: false, quiet: false }),
      },
    );
    expect(report.status).toBe("errored");
    expect(report.steps[0]?.error).toBeUndefined();
    const error = 'column "nosuch" is not in the result; available columns: principal, calls';
    expect(s.text()).toContain(`✗ max(nosuch) < 5  (errored at line 9: ${error})`);
    expect(plain(summaryLine(report))).toMatch(
      new RegExp(
        `^✗ errored denied: 1 step · 2 checks: 1 passed, 1 errored · 1 step errored · step denied: check max\\(nosuch\\) < 5 \\(runbooks/denied\\.md:9\\): ${error.replace(/[()]/g, "\\$&")} · \\d+ms$`,
      ),
    );
    // The Markdown summary and the JUnit file name the check and its error too.
    expect(toMarkdown([report])).toContain(`- 💥 \`max(nosuch) < 5\`: ${error}`);
    const junit = toJUnit([report]);
    expect(junit).toMatch(/name="max\(nosuch\) &lt; 5" time="[\d.]+"><error type="check"/);
    expect(junit).toContain(
      `message="column &quot;nosuch&quot; is not in the result; available columns: principal, calls"`,
    );
  });
});
