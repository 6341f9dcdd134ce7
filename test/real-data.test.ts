import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RunReport } from "../packages/core/src/index.ts";
import { HAS_SHARED, SHARED } from "./helpers.ts";
import { runMdHere as runMd } from "./in-process.ts";

/*
 * The bundled runbooks on third-party data nobody on this project wrote: CloudTrail recorded
 * while Stratus Red Team detonated real attack techniques (anonymised accounts and addresses).
 * Each runbook that covers a technique must find it.
 */
const STRATUS = path.join(SHARED, "datasets/stratus-red-team-detonation-logs/raw");

if (!HAS_SHARED) console.warn(`skipping real-data tests: ${SHARED} is absent`);

describe.skipIf(!HAS_SHARED)("the bundled runbooks on Stratus Red Team detonation logs", () => {
  it("find the techniques they cover", { timeout: 180_000 }, async () => {
    const res = await runMd([
      "runbooks/",
      "--log-dir",
      STRATUS,
      "--from",
      "2020-01-01",
      "--no-report",
      "--json",
    ]);
    expect(res.stderr).toBe("");
    const reports = JSON.parse(res.stdout) as RunReport[];
    const found = (runbook: string, step: string) => {
      const r = reports.find((x) => x.runbook.id === runbook)!;
      const s = r.steps.find((x) => x.id === step)!;
      expect(s.error, `${runbook}/${step}`).toBeUndefined();
      const failed = s.checks.filter((c) => c.status === "failed");
      expect(failed.length, `${runbook}/${step} fails`).toBeGreaterThan(0);
      return JSON.stringify([s.rows, failed.map((c) => c.offendingRows ?? [])]);
    };
    // defense-evasion.cloudtrail-stop / cloudtrail-delete
    expect(found("cloudtrail-tampering", "trail_changes")).toContain("StopLogging");
    expect(found("cloudtrail-tampering", "trail_changes")).toContain("DeleteTrail");
    // defense-evasion.vpc-remove-flow-logs / dns-delete-logs
    expect(found("cloudtrail-tampering", "other_logging_removed")).toContain("DeleteFlowLogs");
    expect(found("cloudtrail-tampering", "other_logging_removed")).toContain(
      "DeleteResolverQueryLogConfig",
    );
    // exfiltration.ec2-security-group-open-port-22-ingress (a /0 rule on port 22)
    expect(found("security-group-changes", "world_open_rules")).toContain("sg-003dc7f1f1c686164");
    // initial-access.console-login-without-mfa
    expect(found("console-signin-without-mfa", "signins_without_mfa")).toContain(
      "stratus-red-team-nmfalu",
    );
    // persistence.iam-create-admin-user: a key and AdministratorAccess for a new user
    expect(found("access-key-lifecycle", "keys_for_others")).toContain("malicious-iam-user");
    expect(found("audit-iam", "policy_attachments")).toContain("AdministratorAccess");
    // And no runbook breaks on the real records' shapes.
    for (const r of reports) {
      for (const s of r.steps) expect(s.error, `${r.runbook.id}/${s.id}`).toBeUndefined();
    }
    expect(reports.find((r) => r.runbook.id === "root-account-usage")?.status).toBe("passed");
  });
});
