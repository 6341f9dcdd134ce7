/**
 * `--config FILE` names the configuration (docs/configuration.md). `collect` and `rules` read
 * it (local.store and local.logDir; runbooksDir) but refused the flag, so a setup kept in
 * another file (`run-md run --config prod.yaml`) could not collect or list rules with it. The
 * commands that still take none say how to name another configuration (RUN_MD_CONFIG).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMdHere } from "./in-process.ts";

const dir = mkdtempSync(path.join(tmpdir(), "run-md-config-option-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const setup = path.join(dir, "setup");
const elsewhere = path.join(dir, "elsewhere");

/** The CloudTrail records of every file under `root`, counted from the files themselves. */
function recordsUnder(root: string): number {
  let n = 0;
  for (const f of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!f.isFile() || !f.name.endsWith(".json.gz")) continue;
    const text = gunzipSync(readFileSync(path.join(f.parentPath, f.name))).toString("utf8");
    n += (JSON.parse(text) as { Records: unknown[] }).Records.length;
  }
  return n;
}

beforeAll(async () => {
  mkdirSync(path.join(setup, "rb"), { recursive: true });
  mkdirSync(elsewhere);
  await generateLogs({
    outDir: path.join(setup, "logs"),
    start: new Date("2026-11-01T00:00:00Z"),
    end: new Date("2026-11-03T00:00:00Z"),
    eventsPerDay: 30,
    seed: 3,
    regions: ["us-east-1"],
  });
  writeFileSync(
    path.join(setup, "prod.yaml"),
    "runbooksDir: rb\nlocal:\n  logDir: logs\n  store: st\n",
  );
  writeFileSync(
    path.join(setup, "rb", "key-triage.md"),
    [
      "---",
      "title: Key triage",
      "triggers:",
      "  - pattern: { source: [aws.guardduty] }",
      "---",
      "",
      "```sql q",
      "SELECT count(*) AS n FROM cloudtrail_logs",
      "```",
      "",
    ].join("\n"),
  );
});

describe("--config on the commands that read the configuration", () => {
  it("collect --config: that file's local.logDir into its local.store", async () => {
    const config = path.join(setup, "prod.yaml");
    const res = await runMdHere(
      ["collect", "--config", config, "--from", "2026-11-01", "--to", "2026-11-03"],
      { cwd: elsewhere },
    );
    expect(res.stderr).not.toMatch(/error/);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`, ${recordsUnder(path.join(setup, "logs"))} new events, `);
    expect(readdirSync(path.join(setup, "st"))).toContain("manifest.json");
    const verify = await runMdHere(["collect", "--verify", "--config", config], {
      cwd: elsewhere,
    });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain(path.join(setup, "st"));
  });

  it("rules --config: the runbooks of that file's runbooksDir", async () => {
    const res = await runMdHere(
      ["rules", "--format", "cloudformation", "--config", path.join(setup, "prod.yaml")],
      { cwd: elsewhere },
    );
    expect(res.code).toBe(0);
    expect(Object.keys(JSON.parse(res.stdout).Resources)).toContain("KeyTriageTrigger1Rule");
  });

  it("a command that takes no --config says how to name another configuration", async () => {
    const res = await runMdHere(["token", "list", "--config", "prod.yaml"], { cwd: elsewhere });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      'unknown option "--config" for run-md token: it takes no --config; name another configuration with RUN_MD_CONFIG=FILE',
    );
  });
});
