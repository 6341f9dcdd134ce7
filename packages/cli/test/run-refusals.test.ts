/**
 * `run-md run` over runbooks one of which needs a parameter nothing gives: the runbook's
 * problem, not the command line's (docs/cli.md). The run reports it (an errored report, exit 2)
 * and the other runbooks still run; a bad `--param` is the command line's: refused before
 * anything runs, no report.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runMdHere } from "../../../test/in-process.ts";

const dir = mkdtempSync(path.join(tmpdir(), "run-md-refusals-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const runbook = (id: string, params: string[]) =>
  [
    "---",
    `title: ${id}`,
    `id: ${id}`,
    ...(params.length > 0 ? ["params:", ...params] : []),
    "---",
    "",
    "```sql q1 allow_empty",
    `SELECT count(*) AS n FROM cloudtrail_logs${params.length > 0 ? " WHERE {{i}} > 0" : ""}`,
    "```",
    "",
  ].join("\n");

const folder = path.join(dir, "runbooks");
mkdirSync(folder);
writeFileSync(path.join(folder, "plain.md"), runbook("plain", []));
writeFileSync(path.join(folder, "needs-i.md"), runbook("needs-i", ["  i: { type: integer }"]));

const run = (reports: string, extra: string[] = []) =>
  runMdHere(
    ["run", ...extra, "--since", "1h", "--json", "--log-dir", "sample", "--reports-dir", reports],
    { cwd: dir },
  );

describe("a required parameter that nothing gives a value", () => {
  it("errors that runbook's run with a report; the folder's other runbooks still run (review)", async () => {
    const reports = path.join(dir, "reports-folder");
    const res = await run(reports, [folder]);
    expect(res.code).toBe(2);
    const byId = Object.fromEntries(
      (
        JSON.parse(res.stdout) as Array<{
          runbook: { id: string };
          status: string;
          error?: { message: string };
        }>
      ).map((r) => [r.runbook.id, r]),
    );
    expect(byId.plain?.status).toBe("passed");
    expect(byId["needs-i"]?.status).toBe("errored");
    expect(byId["needs-i"]?.error?.message).toBe(
      'parameter "i" is required by runbook needs-i and has no value',
    );
    expect(readdirSync(reports).sort()).toEqual(["needs-i", "plain"]);
  });

  it("a --param whose value does not fit is the command line's: refused, no report, no run on stdout", async () => {
    const reports = path.join(dir, "reports-bad");
    const res = await run(reports, [path.join(folder, "needs-i.md"), "--param", "i=abc"]);
    expect(res.code).toBe(2);
    // --json: the stop's one object (docs/cli.md), no run report.
    expect(JSON.parse(res.stdout)).toMatchObject({
      status: "errored",
      error: { code: "bad-param" },
    });
    expect(res.stderr).toMatch(/parameter "i" \(from --param\): expected an integer/);
    expect(existsSync(reports)).toBe(false);
  });
});
