/**
 * `sample` is the bundled sample data wherever a log directory is given: `local.logDir`,
 * `RUN_MD_LOG_DIR` and `--log-dir` (docs/configuration.md); any other value is a folder.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { runMdHere } from "../../../test/in-process.ts";
import { loadConfig } from "../src/config.ts";
import { engineFlags } from "../src/engines.ts";

const dir = mkdtempSync(path.join(tmpdir(), "run-md-logdir-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// The configuration files of the first tests live apart from the run of the last one.
const cfgDir = path.join(dir, "cfg");
mkdirSync(cfgDir);
const saved = process.env.RUN_MD_LOG_DIR;
afterEach(() => {
  if (saved === undefined) delete process.env.RUN_MD_LOG_DIR;
  else process.env.RUN_MD_LOG_DIR = saved;
});

describe("a log directory of sample", () => {
  it("is the sample data in the file, the variable and the flag alike", () => {
    const file = path.join(cfgDir, "run-md.config.yaml");
    writeFileSync(file, "local:\n  logDir: sample\n");
    expect(loadConfig(file).local.logDir).toBe("sample");
    process.env.RUN_MD_LOG_DIR = "sample";
    expect(loadConfig(file).local.logDir).toBe("sample");
    expect(engineFlags({ "log-dir": "sample" }).logDir).toBe("sample");
  });

  it("any other value is a folder, resolved from where it was given", () => {
    const file = path.join(cfgDir, "run-md.config.yaml");
    writeFileSync(file, "local:\n  logDir: logs\n");
    expect(loadConfig(file).local.logDir).toBe(path.join(cfgDir, "logs"));
    process.env.RUN_MD_LOG_DIR = "trail";
    expect(loadConfig(file).local.logDir).toBe(path.resolve("trail"));
    expect(engineFlags({ "log-dir": "trail" }).logDir).toBe(path.resolve("trail"));
  });

  it("RUN_MD_LOG_DIR=sample runs on the sample data, as --log-dir sample does", async () => {
    const runbook = path.join(dir, "count.md");
    writeFileSync(
      runbook,
      "---\ntitle: Count\n---\n\n```sql n\nSELECT count(*) AS n FROM cloudtrail_logs\n```\n",
    );
    const res = await runMdHere(["run", runbook, "--no-report", "--quiet"], {
      cwd: dir,
      env: { RUN_MD_LOG_DIR: "sample", RUN_MD_SAMPLE_DIR: path.join(dir, "sample-data") },
    });
    expect(res.stderr).not.toContain("does not exist");
    expect(res.code).toBe(0);
  }, 60_000);
});
