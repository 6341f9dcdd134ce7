/**
 * A catch-up's runner that died is that night's investigation (`investigationDigest` of the
 * runbook id, its parameters and the night): its stored report must carry the parameters the
 * runner's own report would have (the runbook's defaults, the configuration's `params:`), or the
 * catch-up run again that passes is another investigation, and the crash's alert never recovers.
 * Truth: the defaults as the runbook file writes them, by hand.
 */
import { copyFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { storeLostRun } from "../scripts/nightly/lost-run.ts";

const PATTERN =
  ":assumed-role/(ci-deployer|terraform-automation|AWSControlTowerAdmin|AWSControlTowerExecution|AWSAFTExecution)/";

async function lost(configParams?: Record<string, unknown>) {
  const work = await mkdtemp(path.join(tmpdir(), "run-md-lost-params-"));
  const file = path.join(work, "account-guardrails.md");
  await copyFile(path.join(import.meta.dirname, "..", "runbooks", "account-guardrails.md"), file);
  const stored = await storeLostRun(file, path.join(work, "reports"), {
    exitCode: 1,
    stderr: "FATAL ERROR: Reached heap limit\n",
    startedAt: "2026-11-24T02:00:00.000Z",
    mask: {},
    window: { to: "2026-11-18T05:17:00Z" },
    ...(configParams ? { configParams } : {}),
  });
  return stored?.report;
}

describe("a catch-up's runner that died", () => {
  it("stores the runbook's default parameters, as its runner's report would", async () => {
    const report = await lost();
    expect(report?.kind).toBe("investigation");
    expect(report?.params).toEqual({ automation_pattern: PATTERN, min_password_length: 14 });
  });

  it("stores the configuration's parameters over the defaults", async () => {
    const report = await lost({ min_password_length: 10 });
    expect(report?.params).toEqual({ automation_pattern: PATTERN, min_password_length: 10 });
  });
});
