/**
 * An option that takes one value, given twice (`--step a --step b`, `--since 1h --since 7d`):
 * node's parser keeps the last and drops the first without a word, so a run asked for two steps
 * ran one and could pass while the other fails. It is a usage error, naming both values, in
 * every command (docs/cli.md, "Mistakes"), as `--param x` given twice already was. And `serve`,
 * which parses its own options, names a mistyped one as every other command does.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runMdHere } from "./in-process.ts";

const dir = mkdtempSync(path.join(tmpdir(), "run-md-repeated-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Step `fails` fails on any window with events (rows >= 1 there), step `passes` passes.
const file = path.join(dir, "two.md");
writeFileSync(
  file,
  [
    "---",
    "title: Two steps",
    "---",
    "",
    "```sql fails",
    "SELECT count(*) AS n FROM cloudtrail_logs",
    "```",
    "",
    "```expect",
    "max(n) == 0",
    "```",
    "",
    "```sql passes",
    "SELECT count(*) AS n FROM cloudtrail_logs",
    "```",
    "",
    "```expect",
    "max(n) >= 0",
    "```",
    "",
  ].join("\n"),
);
const reports = path.join(dir, "reports");
const base = ["--log-dir", "sample", "--since", "7d", "--reports-dir", reports];

describe("an option that takes one value, given twice", () => {
  it("the step alone fails (the truth the silent pass hid)", async () => {
    const res = await runMdHere(["run", file, ...base, "--step", "fails", "--no-report"], {
      cwd: dir,
    });
    expect(res.code).toBe(1);
  });

  it("run --step a --step b is refused, naming both, before anything runs", async () => {
    const res = await runMdHere(["run", file, ...base, "--step", "fails", "--step", "passes"], {
      cwd: dir,
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      'error --step is given twice ("fails" and "passes"): run-md run takes one --step',
    );
    expect(existsSync(reports)).toBe(false);
  });

  it("run --json says so on standard output too", async () => {
    const res = await runMdHere(["run", file, ...base, "--json", "--since", "1h"], { cwd: dir });
    expect(res.code).toBe(2);
    expect(JSON.parse(res.stdout)).toMatchObject({
      status: "errored",
      error: { code: "usage", message: expect.stringContaining('--since is given twice ("7d"') },
    });
  });

  it("query and collect refuse it too; a repeatable --param and a flag given twice do not", async () => {
    for (const args of [
      ["query", "--since", "1h", "--since", "7d", "SELECT 1"],
      ["collect", "--store", "a", "--store", "b", "--since", "1d"],
      ["check", file, "--config", "a.yaml", "--config", "b.yaml"],
    ]) {
      const res = await runMdHere(args, { cwd: dir });
      expect(res.code, args.join(" ")).toBe(2);
      expect(res.stderr, args.join(" ")).toMatch(/error --\w+ is given twice \("/);
    }
    const res = await runMdHere(["list", file, "--json", "--json"], { cwd: dir });
    expect(res.code).toBe(0);
  });

  it("serve refuses it, and names a mistyped option as the other commands do", async () => {
    const twice = await runMdHere(["serve", "--port", "0", "--port", "4600"], { cwd: dir });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('error --port is given twice ("0" and "4600")');
    const typo = await runMdHere(["serve", "--prot", "4600"], { cwd: dir });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(
      'error unknown option "--prot" for run-md serve (did you mean --port?)',
    );
  });
});
