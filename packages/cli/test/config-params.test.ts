/**
 * A configured parameter value (`params.<runbook id>.<name>` in run-md.config.yaml) that does not
 * fit its runbook is named at its file:line and key path, as the configuration's other mistakes.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runMdHere } from "../../../test/in-process.ts";

const dir = mkdtempSync(path.join(tmpdir(), "run-md-config-params-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
  path.join(dir, "lim.md"),
  [
    "---",
    "title: A limit",
    "params:",
    "  lim: { type: integer, default: 5 }",
    "---",
    "",
    "```sql q1",
    "SELECT count(*) AS n FROM cloudtrail_logs WHERE {{lim}} > 0",
    "```",
    "",
  ].join("\n"),
);

async function runWith(params: string) {
  const config = path.join(dir, "run-md.config.yaml");
  writeFileSync(config, `local:\n  logDir: sample\nparams:\n  lim:\n${params}`);
  const res = await runMdHere(["run", "lim.md", "--no-report", "--config", config], {
    cwd: dir,
    env: { RUN_MD_SAMPLE_DIR: path.join(dir, "sample-data") },
  });
  return { ...res, config };
}

describe("a configured parameter its runbook refuses", () => {
  it("of the wrong type names the file, line and key path", async () => {
    const res = await runWith("    lim: abc\n");
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      `${res.config}:5:5 parameter "lim" (from configuration, params.lim.lim): expected an integer such as 10, got "abc"`,
    );
  }, 60_000);

  it("under a name the runbook does not declare names the file and line", async () => {
    const res = await runWith("    limit: 3\n");
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      `${res.config}:5:5 the configuration sets params.lim.limit, but runbook lim`,
    );
  }, 60_000);
});

/** `run-md check lim.md` with `params.lim` set so: what it prints, and its exit code. */
async function checkWith(params: string) {
  const config = path.join(dir, "run-md.config.yaml");
  writeFileSync(config, `local:\n  logDir: sample\nparams:\n  lim:\n${params}`);
  const res = await runMdHere(["check", "lim.md", "--config", config], { cwd: dir });
  return { ...res, config };
}

describe("run-md check, the gate CI runs, finds what the runs would refuse", () => {
  it("a configured name the runbook does not declare, at its line", async () => {
    const res = await checkWith("    limit: 3\n");
    expect(res.code).toBe(2);
    expect(res.stdout).toContain(
      `run-md.config.yaml:5:5 error the configuration sets params.lim.limit, but runbook lim (lim.md) declares no parameter "limit" (This runbook declares: lim) [config-params]`,
    );
  });

  it("a configured value of the wrong type, at its line", async () => {
    const res = await checkWith("    lim: abc\n");
    expect(res.code).toBe(2);
    expect(res.stdout).toContain(
      `run-md.config.yaml:5:5 error parameter "lim" (from configuration, params.lim.lim): expected an integer such as 10, got "abc"`,
    );
  });

  it("a value that fits says nothing", async () => {
    const res = await checkWith("    lim: 3\n");
    expect([res.code, res.stdout]).toEqual([0, "✓ 1 runbook checked, no problems\n"]);
  });
});
