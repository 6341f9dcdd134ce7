import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runMd } from "./check-helpers.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "run-md-list-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const valid = "packages/core/test/fixtures/valid";

describe("run-md list", () => {
  it("prints a table of id, title, severity, schedule, owner and steps", async () => {
    const { code, stdout, stderr } = await runMd(["list", valid]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    // Cut each line at the header's column starts.
    const lines = stdout.trimEnd().split("\n");
    const starts = [...lines[0]!.matchAll(/\S+/g)].map((m) => m.index);
    const rows = lines.map((l) => starts.map((s, i) => l.slice(s, starts[i + 1]).trim()));
    expect(rows).toEqual([
      ["ID", "TITLE", "SEVERITY", "SCHEDULE", "OWNER", "STEPS"],
      ["audit-iam", "Audit IAM changes", "critical", "weekly", "security-oncall", "5"],
      ["minimal", "Minimal", "medium", "manual", "", "1"],
      ["spec-example", "Detect unauthorized access attempts", "high", "nightly", "", "2"],
    ]);
  });

  it("prints JSON with --json", async () => {
    const { code, stdout } = await runMd([
      "list",
      "--json",
      `${valid}/spec-example.md`,
      `${valid}/full.md`,
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      {
        id: "audit-iam",
        title: "Audit IAM changes",
        path: `${valid}/full.md`,
        severity: "critical",
        schedule: "weekly",
        owner: "security-oncall",
        tags: ["iam", "audit", "compliance"],
        window: "7d",
        steps: 5,
        description:
          "Who created, changed or deleted IAM users, roles, policies and access keys, and whether any of it came from an identity outside the approved automation roles.",
      },
      {
        id: "spec-example",
        title: "Detect unauthorized access attempts",
        path: `${valid}/spec-example.md`,
        severity: "high",
        schedule: "nightly",
        owner: null,
        tags: [],
        window: "24h",
        steps: 2,
        description: "Failed sign-ins and access-denied calls, by who and from where.",
      },
    ]);
  });

  it("leaves out a runbook with errors, names it on stderr and exits 2", async () => {
    const bad = path.join(tmp, "bad.md");
    writeFileSync(bad, "---\ntitle: Bad\nseverity: urgent\n---\n");
    const { code, stdout, stderr } = await runMd(["list", "--json", bad, `${valid}/minimal.md`]);
    expect(JSON.parse(stdout).map((e: { id: string }) => e.id)).toEqual(["minimal"]);
    expect(stderr).toBe(
      `error not listed, the runbook has errors: ${bad} (1 error); run-md check shows them\n`,
    );
    expect(code).toBe(2);
  });

  it("lists runbooks that share an id, names each on stderr (run refuses them) and exits 2", async () => {
    const twin = path.join(tmp, "twin.md");
    writeFileSync(twin, "---\ntitle: Twin\nid: minimal\n---\n\n```sql s\nSELECT 1\n```\n");
    const mine = `${valid}/minimal.md`;
    const { code, stdout, stderr } = await runMd(["list", "--json", mine, twin]);
    expect(
      JSON.parse(stdout)
        .map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual([mine, twin].sort());
    expect(stderr.split("\n").sort()).toEqual(
      [
        "",
        `error ${mine}: duplicate runbook id "minimal" (also ${twin}): set another id: in one of them, or rename its file`,
        `error ${twin}: duplicate runbook id "minimal" (also ${mine}): set another id: in one of them, or rename its file`,
      ].sort(),
    );
    expect(code).toBe(2);
  });

  it("exits 2 on an unknown flag", async () => {
    const { code, stderr } = await runMd(["list", "--yaml"]);
    expect(code).toBe(2);
    expect(stderr.split("\n")[0]).toBe(
      'error unknown option "--yaml" for run-md list (see run-md list --help)',
    );
  });
});

describe("run-md", () => {
  it("takes a first argument that is not a command as a runbook to run", async () => {
    const { code, stderr } = await runMd(["no/such/runbook.md"]);
    expect(stderr).toContain("no such file or directory: no/such/runbook.md");
    expect(code).toBe(2);
  });

  it("prints usage and exits 2 without a command, and rejects help on an unknown one", async () => {
    const bare = await runMd([]);
    expect(bare.stdout).toMatch(/^Usage: run-md <command>/);
    expect(bare.code).toBe(2);
    const nope = await runMd(["help", "nope"]);
    expect(nope.stderr.split("\n")[0]).toBe("error unknown command nope");
    expect(nope.code).toBe(2);
  });

  it("help about help (help help, help --help, help -h) prints the usage, not an unknown command", async () => {
    for (const topic of ["help", "--help", "-h"]) {
      const r = await runMd(["help", topic]);
      expect(r.stderr, topic).toBe("");
      expect(r.stdout, topic).toMatch(/^Usage: run-md <command>/);
      expect(r.code, topic).toBe(0);
    }
  });

  it("every command's help fits 100 columns, and each option's lines stay under it", async () => {
    const commands = ["run", "check", "list", "serve", "query", "init", "trigger", "rules"];
    for (const c of [...commands, "collect", "token", "audit", "new", "completion"]) {
      const help = await runMd(["help", c]);
      expect(help.code, c).toBe(0);
      for (const line of help.stdout.split("\n"))
        expect(line.length, `${c}: ${line}`).toBeLessThanOrEqual(100);
    }
    // run's note on --output follows --output's line, not --wide's.
    const lines = (await runMd(["help", "run"])).stdout.split("\n");
    const at = lines.findIndex((l) => l.startsWith("  --output, -o <file>"));
    expect(lines[at + 1]).toMatch(/^\s+\(one step's: give --step/);
    expect(lines[at + 3]).toMatch(/^ {2}--wide /);
    const top = (await runMd(["--help"])).stdout;
    expect(top).toContain("130 cancelled (Ctrl-C)");
  });

  it("prints its version and its help", async () => {
    const version = await runMd(["--version"]);
    expect(version).toEqual({ code: 0, stdout: "0.1.0\n", stderr: "" });
    const help = await runMd(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: run-md <command>/);
    expect(help.stdout).toContain("check [file|dir]...");
    const checkHelp = await runMd(["help", "check"]);
    expect(checkHelp.stdout).toMatch(/^Usage: run-md check/);
    expect(checkHelp.code).toBe(0);
  });
});
