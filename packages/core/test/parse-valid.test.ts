import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadRunbook, parseRunbook, type Runbook } from "@run-md/core";
import { describe, expect, it } from "vitest";

const dir = path.join(import.meta.dirname, "fixtures", "valid");
const VALID = ["spec-example.md", "full.md", "minimal.md"];

function parseFixture(name: string): Runbook {
  const source = readFileSync(path.join(dir, name), "utf8");
  const { runbook, diagnostics } = parseRunbook(source, `valid/${name}`);
  expect(diagnostics).toEqual([]);
  expect(runbook).toBeDefined();
  return runbook!;
}

describe("valid runbooks", () => {
  it.each(VALID)("%s parses to the model in its file snapshot", async (name) => {
    const runbook = parseFixture(name);
    await expect(`${JSON.stringify(runbook, null, 2)}\n`).toMatchFileSnapshot(
      `__snapshots__/valid/${name.replace(/\.md$/, ".model.snap")}`,
    );
  });

  it("reads the spec's own example: front matter, two steps, their checks and titles", () => {
    const runbook = parseFixture("spec-example.md");
    expect(runbook.meta).toMatchObject({
      title: "Detect unauthorized access attempts",
      id: "spec-example",
      severity: "high",
      schedule: "nightly",
      window: "24h",
      tags: [],
    });
    expect(runbook.meta.params.principal_pattern).toMatchObject({ type: "string", default: "%" });
    expect(runbook.steps.map((s) => [s.id, s.dialect, s.title])).toEqual([
      ["denied_by_principal", "sql", "Access denied, by principal"],
      ["failed_console_logins", "logs-insights", "Failed console sign-ins"],
    ]);
    expect(runbook.steps[0]!.paramRefs).toEqual([
      { name: "principal_pattern", position: { line: 25, column: 29 } },
    ]);
    expect(runbook.steps[0]!.checks[0]).toMatchObject({
      source: "max(calls) < 50",
      label: "a burst of denials from one principal is worth a page",
    });
  });

  it("hashes the source with sha256", () => {
    const source = readFileSync(path.join(dir, "minimal.md"), "utf8");
    const { runbook } = parseRunbook(source, "minimal.md");
    expect(runbook!.sourceHash).toBe(createHash("sha256").update(source).digest("hex"));
  });

  it("applies the documented defaults when the front matter gives only a title", () => {
    const runbook = parseFixture("minimal.md");
    expect(runbook.meta).toEqual({
      title: "Minimal",
      id: "minimal",
      severity: "medium",
      tags: [],
      schedule: "manual",
      params: {},
    });
    expect(runbook.steps[0]).toMatchObject({
      id: "step-1",
      checks: [],
      attributes: { optional: false },
    });
    expect(runbook.steps[0]!.title).toBeUndefined();
  });

  it("derives step ids from headings, made unique, and keeps explicit ids", () => {
    const runbook = parseFixture("full.md");
    expect(runbook.steps.map((s) => s.id)).toEqual([
      "step-1",
      "iam_changes",
      "who-changed-what",
      "who-changed-what-2",
      "sign_ins",
    ]);
  });

  it("reads every attribute with its unit converted", () => {
    const runbook = parseFixture("full.md");
    expect(runbook.steps[1]!.attributes).toEqual({
      optional: true,
      engine: "athena",
      timeoutMs: 300_000,
      window: "30d",
      maxScanBytes: 10_000_000_000,
    });
    expect(runbook.steps[4]!.attributes).toEqual({
      optional: false,
      engine: "logs",
      logGroups: ["trail-a", "trail-b"],
      timeoutMs: 30_000,
    });
    expect(runbook.steps.map((s) => [s.lang, s.dialect])).toEqual([
      ["sql", "sql"],
      ["SQL", "sql"],
      ["athena", "sql"],
      ["sql", "sql"],
      ["insights", "logs-insights"],
    ]);
  });

  it("keeps the prose between steps as Markdown sliced from the file, in document order", () => {
    const source = readFileSync(path.join(dir, "full.md"), "utf8");
    const runbook = parseFixture("full.md");
    expect(
      runbook.segments.map((s) => (s.kind === "markdown" ? "md" : `${s.kind}:${s.stepId}`)),
    ).toEqual([
      "step:step-1",
      "md",
      "step:iam_changes",
      "md",
      "expect:iam_changes",
      "md",
      "step:who-changed-what",
      "step:who-changed-what-2",
      "md",
      "step:sign_ins",
      "md",
    ]);
    const first = runbook.segments[1]!;
    expect(first.kind === "markdown" && first.markdown).toBe(
      [
        "# Audit IAM changes",
        "",
        "Read this first. A `bash` block is documentation:",
        "",
        "```bash",
        "npx run-md runbooks/audit-iam.md --param role=arn:aws:iam::123456789012:role/x",
        "```",
        "",
        "## Who changed what?",
      ].join("\n"),
    );
    // Every Markdown segment is exactly the file's text at its position.
    const lines = source.split("\n");
    for (const s of runbook.segments) {
      if (s.kind !== "markdown") continue;
      expect(lines[s.position.start.line - 1]!.slice(s.position.start.column - 1)).toBe(
        s.markdown.split("\n")[0],
      );
    }
  });

  it("coerces defaults to their declared types and keeps a parameter without default required", () => {
    const { params } = parseFixture("full.md").meta;
    expect(params.since_ts!.default).toBe("2026-10-31T22:00:00Z");
    expect(params.min_calls).toMatchObject({ default: 5, min: 1, max: 1000 });
    expect(params.include_denied!.default).toBe(false);
    expect(params.role).toEqual({ name: "role", type: "arn", position: { line: 38, column: 3 } });
  });

  it("loads a runbook from disk with its path as given", async () => {
    const file = path.join(dir, "minimal.md");
    const { runbook, diagnostics } = await loadRunbook(file);
    expect(diagnostics).toEqual([]);
    expect(runbook!.path).toBe(file);
  });

  it("rejects a missing file with a not-found error", async () => {
    await expect(loadRunbook(path.join(dir, "nope.md"))).rejects.toMatchObject({
      code: "not-found",
    });
  });
});
