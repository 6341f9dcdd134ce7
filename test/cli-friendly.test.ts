/**
 * The CLI for a person in the middle of an investigation, through the real binary: runbooks by
 * id, did-you-mean for commands and options, usage errors that write no report, honest status
 * (an investigation never changes what the site calls the runbook's status), errored runs that
 * say why, `run-md new`, the ` #` warning of `check`, and shell completion.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { RunReport } from "../packages/core/src/report.ts";
import { readReportIndex } from "../site/src/lib/reports.ts";
import { BIN, REPO } from "./helpers.ts";
import { runMdHere as runMd } from "./in-process.ts";
import { inWindow, readGenerated } from "./truth/runbook-answers.ts";

const { incidents } = inject("sampleData");
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-friendly-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("commands and options: did you mean", () => {
  it("a mistyped command is named, with the command it looks like", async () => {
    const res = await runMd(["chekc"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("unknown command chekc (did you mean check?)");
  });

  it("version typed as a command is told the --version option, not looked up as a runbook", async () => {
    const res = await runMd(["version"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^error unknown command version \(did you mean --version\?\)\n/);
  });

  it("a mistyped runbook id is named, with the id it looks like and the folder looked in", async () => {
    const res = await runMd(["audit-im", "--no-report"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      "error no runbook with the id audit-im in runbooks/, and no file or folder of that name (did you mean audit-iam?)",
    );
    // Another configuration's folder is the one named.
    const cfg = path.join(dir, "elsewhere");
    await mkdir(path.join(cfg, "books"), { recursive: true });
    await writeFile(path.join(cfg, "run-md.config.yaml"), "runbooksDir: books\n");
    const other = await runMd(["audit-iam", "--config", path.join(cfg, "run-md.config.yaml")]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(
      `no runbook with the id audit-iam in ${path.join(cfg, "books")}`,
    );
  });

  it.each([
    [["run", "runbooks/audit-iam.md", "--sinse", "7d"], "run-md run", "--since"],
    [["runbooks/audit-iam.md", "--profle", "x"], "run-md run", "--profile"],
    [["list", "--jsn"], "run-md list", "--json"],
    [["check", "--formt", "json"], "run-md check", "--format"],
    [["trigger", "--dry-runn"], "run-md trigger", "--dry-run"],
    [["new", "x", "--dri", "d"], "run-md new", "--dir"],
  ])("%j suggests the option of %s", async (args, command, meant) => {
    const res = await runMd(args);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`for ${command} (did you mean ${meant}?)`);
  });
});

describe("usage errors write no report", () => {
  it.each([
    [["--since", "7days"], '--since "7days" is not a duration'],
    [["--step", "nope"], 'runbook audit-iam has no step "nope"'],
    [["--param", "nope=1"], 'unknown parameter "nope"'],
    [["--param", "actor_pattern"], "is not name=value"],
    [
      ["--param", "actor_pattern=%a%", "--param", "actor_pattern=%b%"],
      '--param actor_pattern is given twice ("%a%" and "%b%")',
    ],
    [["--sinse", "7d"], "did you mean --since?"],
  ])("%j", async (args, message) => {
    const reports = path.join(dir, `usage-${args.join("")}`.replace(/[^\w-]/g, "_"));
    const res = await runMd(["audit-iam", "--reports-dir", reports, ...args]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
    expect(existsSync(reports)).toBe(false);
  });
});

describe("runbooks by id, and honest status", () => {
  it("run-md audit-iam runs the runbook; --step is an investigation that never turns the site's failed into passed", async () => {
    const reports = path.join(dir, "honest");
    const full = await runMd(["audit-iam", "--log-dir", incidents, "--reports-dir", reports]);
    expect(full.stderr).toBe("");
    expect(full.code).toBe(1); // the planted IAM change outside automation
    expect(full.stdout).toContain("✗ failed audit-iam");
    const step = await runMd([
      "audit-iam",
      "--step",
      "iam_change_volume",
      "--log-dir",
      incidents,
      "--reports-dir",
      reports,
    ]);
    expect(step.code).toBe(0);
    expect(step.stdout).toContain("✓ passed audit-iam: 1 step");

    const latest = JSON.parse(
      await readFile(path.join(reports, "audit-iam", "latest.json"), "utf8"),
    ) as RunReport;
    expect([latest.status, latest.kind]).toEqual(["failed", "full"]);

    // What the site reads: the status and history from full runs, investigations apart.
    const index = await readReportIndex(reports, { limit: 30 });
    const history = index.histories.get("audit-iam")!;
    expect(history.entries.map((e) => [e.status, e.kind])).toEqual([["failed", "full"]]);
    expect(history.investigations.map((e) => [e.status, e.kind, e.stepIds])).toEqual([
      ["passed", "investigation", ["iam_change_volume"]],
    ]);
  }, 120_000);

  it("an errored run says why, and prints no escalation (the tool failed, not a check)", async () => {
    const book = path.join(dir, "broken-column.md");
    await writeFile(
      book,
      "---\ntitle: Broken column\nescalation: Page the on-call.\n---\n\n```sql bad\nSELECT no_such_column FROM cloudtrail_logs\n```\n\n```expect\nrows == 0\n```\n",
    );
    const reports = path.join(dir, "errored");
    const res = await runMd([book, "--log-dir", incidents, "--reports-dir", reports]);
    expect(res.code).toBe(2);
    const summary = res.stdout.split("\n").find((l) => l.includes("errored broken-column"))!;
    expect(summary).toMatch(/step bad: .*no_such_column/);
    expect(summary).not.toContain("no expectations");
    expect(res.stdout).not.toContain("Escalation");
    const report = JSON.parse(
      await readFile(path.join(reports, "broken-column", "latest.json"), "utf8"),
    ) as RunReport;
    expect(report.status).toBe("errored");
    expect(report.steps[0]?.error?.message).toMatch(/no_such_column/);
  }, 60_000);

  it("a log directory that does not exist is said once, before the first step, with no report", async () => {
    const reports = path.join(dir, "nolog");
    const res = await runMd([
      "runbooks/audit-iam.md",
      "--log-dir",
      path.join(dir, "missing"),
      "--reports-dir",
      reports,
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr.split("does not exist").length - 1).toBe(1);
    expect(existsSync(reports)).toBe(false);
  });
});

describe("run-md new", () => {
  it("writes a skeleton into the configured runbooks folder that passes check, runs by id, and is never overwritten", async () => {
    const project = path.join(dir, "project");
    await mkdir(project);
    await writeFile(
      path.join(project, "run-md.config.yaml"),
      `runbooksDir: books\nlocal:\n  logDir: ${incidents}\n`,
    );
    const made = await runMd(["new", "vpc-watch"], { cwd: project });
    expect(made.code).toBe(0);
    const file = path.join(project, "books", "vpc-watch.md");
    const text = await readFile(file, "utf8");
    for (const key of ["title", "id", "description", "owner", "severity", "tags", "schedule"]) {
      expect(text).toMatch(new RegExp(`^(# )?${key}:`, "m"));
    }
    for (const key of ["window", "params", "escalation", "triggers"]) {
      expect(text).toMatch(new RegExp(`^(# )?${key}:`, "m"));
    }
    expect(text).toContain("```sql ");
    expect(text).toContain("```logs-insights ");
    expect(text).toContain("```expect");

    const check = await runMd(["check", file], { cwd: project });
    expect(check.stderr).toBe("");
    expect(check.code).toBe(0);
    expect(check.stdout).toContain("no problems");

    const run = await runMd(["vpc-watch", "--no-report", "--json"], { cwd: project });
    expect(run.code).toBe(0);
    const [report] = JSON.parse(run.stdout) as RunReport[];
    expect(report!.steps.map((s) => [s.id, s.status])).toEqual([
      ["calls_by_principal", "passed"],
      ["failed_calls", "passed"],
    ]);
    // Its LIMIT 20 keeps the same rows on every engine: the order is complete (a tie-breaker
    // after the count, as writing-runbooks.md asks), and the rows are the top 20 computed from
    // the raw records.
    expect(text).toContain("ORDER BY calls DESC, principal\n");
    expect(text).toContain("| sort failures desc, eventSource asc\n");
    const events = inWindow(
      readGenerated(incidents),
      new Date(report!.window.start),
      new Date(report!.window.end),
    );
    const top = (keys: (string | undefined)[]) => {
      const n = new Map<string, number>();
      for (const k of keys) if (k !== undefined) n.set(k, (n.get(k) ?? 0) + 1);
      return [...n]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .slice(0, 20);
    };
    const arn = (e: Record<string, unknown>) =>
      (e.userIdentity as { arn?: string } | undefined)?.arn;
    expect(report!.steps[0]!.rows).toEqual(top(events.map(arn)));
    const failed = events.filter((e) => e.errorCode !== undefined && e.errorCode !== null);
    expect(report!.steps[1]!.rows.map((r) => [r[0], Number(r[1])])).toEqual(
      top(failed.map((e) => e.eventSource as string)),
    );

    await writeFile(file, `${text}\nedited\n`);
    const again = await runMd(["new", "vpc-watch"], { cwd: project });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already exists");
    expect(await readFile(file, "utf8")).toBe(`${text}\nedited\n`);

    // An id another file's `id:` already has (in another case too): refused, nothing written.
    await writeFile(
      path.join(path.dirname(file), "elsewhere.md"),
      "---\ntitle: Elsewhere\nid: Taken-Name\n---\n\n```sql s\nSELECT 1 AS one\n```\n",
    );
    const taken = await runMd(["new", "taken-name"], { cwd: project });
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain('the runbook id "Taken-Name" is taken');
    expect(existsSync(path.join(path.dirname(file), "taken-name.md"))).toBe(false);
    // Also by a runbook that does not load (an unknown severity), whose front matter names it.
    await writeFile(
      path.join(path.dirname(file), "broken.md"),
      "---\ntitle: Broken\nid: also-taken\nseverity: urgent\n---\n\n```sql s\nSELECT 1 AS one\n```\n",
    );
    const alsoTaken = await runMd(["new", "also-taken"], { cwd: project });
    expect(alsoTaken.code).toBe(2);
    expect(alsoTaken.stderr).toContain('the runbook id "also-taken" is taken');
    // And by one whose front matter is no YAML yet (a stray bracket): its id: line still counts.
    await writeFile(
      path.join(path.dirname(file), "yaml-broken.md"),
      "---\ntitle: [x\nid: yaml-broken-id\n---\n\n```sql s\nSELECT 1 AS one\n```\n",
    );
    const yamlTaken = await runMd(["new", "yaml-broken-id"], { cwd: project });
    expect(yamlTaken.code).toBe(2);
    expect(yamlTaken.stderr).toContain('the runbook id "yaml-broken-id" is taken');
  }, 60_000);
});

describe("run-md new --dir", () => {
  it("prints a next step that runs the file it wrote outside runbooksDir", async () => {
    const project = path.join(dir, "project-dir");
    await mkdir(project);
    await writeFile(path.join(project, "run-md.config.yaml"), `local:\n  logDir: ${incidents}\n`);
    const made = await runMd(["new", "fresh", "--dir", "drafts"], { cwd: project });
    expect(made.code).toBe(0);
    const next = /^Next: edit it, then npx run-md check (\S+) && npx run-md (\S+)$/m.exec(
      made.stdout,
    );
    expect(next?.slice(1)).toEqual([
      path.join("drafts", "fresh.md"),
      path.join("drafts", "fresh.md"),
    ]);
    // The printed command runs it (by id it would be looked up in runbooks/, which has none).
    const run = await runMd([next![2]!, "--no-report", "--quiet"], { cwd: project });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  }, 60_000);
});

describe("check: a value YAML cuts at ' #'", () => {
  it("warns with file:line, and leaves deliberate comments alone", async () => {
    const book = path.join(dir, "hash.md");
    await writeFile(
      book,
      "---\ntitle: Hash\nseverity: high   # a deliberate comment\nowner: page #data-security\n---\n\n```sql q\nSELECT 1 AS n FROM cloudtrail_logs\n```\n",
    );
    const res = await runMd(["check", book]);
    expect(res.code).toBe(0);
    const out = res.stdout + res.stderr;
    const warnings = out.split("\n").filter((l) => l.includes("[comment-in-value]"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${book}:4:`);
    expect(warnings[0]).toContain('YAML reads "page"');
    expect(warnings[0]).toContain('"page #data-security"');
  });
});

describe("shell completion", () => {
  let script: string;
  let binDir: string;
  beforeAll(async () => {
    const res = await runMd(["completion", "bash"]);
    expect(res.code).toBe(0);
    script = path.join(dir, "run-md.bash");
    await writeFile(script, res.stdout);
    // `run-md` on the PATH, as an installed one is, for the runbook ids.
    binDir = path.join(dir, "bin");
    await mkdir(binDir, { recursive: true });
    await writeFile(
      path.join(binDir, "run-md"),
      `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`,
    );
    await chmod(path.join(binDir, "run-md"), 0o755);
  });

  /** What bash completes for these words (the last one being typed). */
  function complete(words: string[]): string[] {
    const program = `source '${script}'; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _run_md; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const out = execFileSync("bash", ["-c", program], {
      cwd: REPO,
      env: { ...process.env, PATH: `${binDir}:${process.env.PATH}` },
      encoding: "utf8",
    });
    return out.split("\n").filter(Boolean);
  }

  it("completes commands, each command's options and runbook ids", () => {
    expect(complete(["run-md", "ch"])).toEqual(["check"]);
    expect(complete(["run-md", "run", "x.md", "--sin"])).toEqual(["--since"]);
    expect(complete(["run-md", "list", "--j"])).toEqual(["--json"]);
    expect(complete(["run-md", "audit-i"])).toContain("audit-iam");
    expect(complete(["run-md", "completion", "z"])).toEqual(["zsh"]);
    // Options listed two to a line complete; an example's flags (the AWS CLI's) do not.
    expect(complete(["run-md", "query", "--t"])).toEqual(["--timeout", "--to"]);
    expect(complete(["run-md", "rules", "--"])).toEqual(["--config", "--format", "--help"]);
  });

  it("zsh gets the same function through bashcompinit", async () => {
    const res = await runMd(["completion", "zsh"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("bashcompinit");
    expect(res.stdout).toContain("complete -o filenames -F _run_md run-md");
  });
});
