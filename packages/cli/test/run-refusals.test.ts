/**
 * `run-md run` refusals found before anything runs (docs/errors.md): exit 2, the error on
 * standard error, nothing on standard output (with --json too) and no report written.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runMdHere } from "../../../test/in-process.ts";

const dir = mkdtempSync(path.join(tmpdir(), "run-md-refusals-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUNBOOK = [
  "---",
  "title: A required parameter",
  "id: needs-i",
  "params:",
  "  i: { type: integer }",
  "---",
  "",
  "```sql q1",
  "SELECT count(*) AS n FROM cloudtrail_logs WHERE {{i}} > 0",
  "```",
  "",
].join("\n");

describe("a required parameter given no value", () => {
  const file = path.join(dir, "needs-i.md");
  writeFileSync(file, RUNBOOK);

  it.each([
    ["missing", []],
    ["not an integer", ["--param", "i=abc"]],
  ])("%s: exit 2, no report, nothing on stdout with --json", async (_what, extra) => {
    const reports = path.join(dir, `reports-${extra.length}`);
    const res = await runMdHere(
      [
        "run",
        file,
        "--since",
        "1h",
        "--json",
        "--log-dir",
        "sample",
        "--reports-dir",
        reports,
        ...extra,
      ],
      { cwd: dir },
    );
    expect(res.code).toBe(2);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(/parameter "i"/);
    expect(existsSync(reports)).toBe(false);
  });

  it("names the parameter and the --param that gives it", async () => {
    const reports = path.join(dir, "reports-named");
    const args = ["run", file, "--log-dir", "sample", "--reports-dir", reports];
    const res = await runMdHere(args, { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('parameter "i" is required by runbook needs-i and has no value');
    expect(res.stderr).toContain("--param i=<integer>");
    expect(existsSync(reports)).toBe(false);
  });
});
