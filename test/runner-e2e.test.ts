import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, inject, it } from "vitest";
import schema from "../packages/core/schema/run-report.schema.json" with { type: "json" };
import type { RunReport } from "../packages/core/src/report.ts";
import { expectNoRows, REPO, runMd } from "./helpers.ts";
import { runMdHere } from "./in-process.ts";
import { sampleWindow } from "./sample-data.ts";

/** The planted incident each bundled runbook must find: the check that fails, and a value of its rows. */
const INCIDENTS: Record<string, { step: string; check: string; marker: string }> = {
  "audit-iam": { step: "changes_outside_automation", check: "rows == 0", marker: "user/mallory" },
  "unauthorized-access-attempts": {
    step: "denied_by_principal",
    check: "max(calls) < 50",
    marker: "user/mallory",
  },
  "resource-modifications": {
    step: "modifications",
    check: "every automation == true",
    marker: "finance-reports",
  },
  "api-usage-by-identity": { step: "busiest_hour", check: "rows == 0", marker: "user/mallory" },
  "root-account-usage": { step: "root_activity", check: "rows == 0", marker: "203.0.113.50" },
  "cloudtrail-tampering": {
    step: "trail_changes",
    check:
      "no eventname in ('StopLogging', 'DeleteTrail', 'DeleteEventDataStore', 'StopEventDataStoreIngestion')",
    marker: "StopLogging",
  },
  "security-group-changes": {
    step: "world_open_rules",
    check: "rows == 0",
    marker: "sg-0badc0ffee0123456",
  },
  "console-signin-without-mfa": {
    step: "signins_without_mfa",
    check: "rows == 0",
    marker: "198.51.100.77",
  },
  "access-key-lifecycle": { step: "keys_for_others", check: "rows == 0", marker: "bob" },
  "access-key-activity": { step: "key_changes", check: "rows == 0", marker: "user/mallory" },
  "data-exposure": { step: "shared_outside", check: "rows == 0", marker: "444455556666" },
  "kms-key-deletion": {
    step: "key_deletions",
    check: "no eventname == 'ScheduleKeyDeletion'",
    marker: "user/mallory",
  },
  "credential-access": {
    step: "bulk_reads",
    check: "rows == 0",
    marker: "assumed-role/dev-sandbox/eve",
  },
  "remote-execution": {
    step: "instance_access",
    check: "every operator == true",
    marker: "SendSSHPublicKey",
  },
  "lambda-changes": {
    step: "function_changes",
    check: "every automation == true",
    marker: ":444455556666:layer:telemetry-ext:3",
  },
  "bedrock-model-use": {
    step: "model_use",
    check: "rows == 0",
    marker: "federated-user/backup-sync",
  },
  "s3-ransomware": {
    step: "customer_key_writes",
    check: "rows == 0",
    marker: "app-artifacts",
  },
  "rds-data-protection": {
    step: "data_copied_out",
    check: "rows == 0",
    marker: "eve-exports-7731",
  },
  reconnaissance: {
    step: "enumeration_bursts",
    check: "rows == 0",
    marker: "user/reporting-svc",
  },
  "network-paths": {
    step: "traffic_mirrored",
    check: "rows == 0",
    marker: "444455556666",
  },
  "sign-in-persistence": {
    step: "identity_providers_changed",
    check: "rows == 0",
    marker: "okta-backup",
  },
  "build-and-registry": {
    step: "registries_opened",
    check: "rows == 0",
    marker: "payments-api",
  },
  "privilege-escalation": {
    step: "policies_rewritten",
    check: "rows == 0",
    marker: "dev-sandbox-access",
  },
  "account-guardrails": {
    step: "guardrails_lifted",
    check: "rows == 0",
    marker: "p-guardrails0001",
  },
  "outside-role-use": {
    step: "web_identities_outside",
    check: "rows == 0",
    marker: "repo:octo-intruder/scratch",
  },
};

// A week of generated logs with and without the planted incidents (made once by the global setup).
const { incidents, clean } = inject("sampleData");

/**
 * The clean data's whole week, read without a report: the week the data covers, not `--since 7d`
 * from the moment the test runs, which later in the hour cut the first day's events (its drift
 * check at 02:10 left out of a run at 02:25: six bursts where the data holds seven). The week
 * starts and ends on the same hour, and no daily event of the quiet traffic crosses an hour's
 * turn (events.ts `eachDay`: its hour of the day plus up to 29 minutes): the week holds each
 * exactly seven times, whatever the hour the data was generated at (the generator run for 14
 * hours over a month, 00:00, 23:00 and a year's end among them: seven each time).
 */
function cleanWeek(): string[] {
  const { start, end } = sampleWindow(clean);
  const window = ["--from", start.toISOString(), "--to", end.toISOString()];
  return ["--log-dir", clean, ...window, "--no-report", "--json"];
}

async function runAll(logDir: string) {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-reports-"));
  const files = {
    reportsDir: path.join(dir, "reports"),
    junit: path.join(dir, "junit.xml"),
    markdown: path.join(dir, "summary.md"),
  };
  const res = await runMdHere([
    "runbooks/",
    "--log-dir",
    logDir,
    "--reports-dir",
    files.reportsDir,
    "--junit",
    files.junit,
    "--markdown",
    files.markdown,
    "--json",
  ]);
  const parsed = JSON.parse(res.stdout) as RunReport[];
  return { ...res, ...files, reports: parsed };
}

/**
 * Every bundled runbook on the data with the incidents, run once for the tests that read it
 * (the first to ask starts it), each output written: reports, JUnit and Markdown.
 */
let incidentsRun: ReturnType<typeof runAll> | undefined;
const onIncidents = () => {
  incidentsRun ??= runAll(incidents);
  return incidentsRun;
};

describe("the bundled runbooks on the sample data", () => {
  // 5 s on a quiet machine; more than 60 s once at load 10 (CI beside three other jobs).
  it("every bundled runbook passes run-md check", { timeout: 180_000 }, async () => {
    const res = await runMdHere(["check", "runbooks/"]);
    expect(res.stderr + res.stdout).not.toMatch(/ error /);
    expect(res.code).toBe(0);
  });

  it("build-and-registry names the planted repository policy, push, cluster admin and build", {
    timeout: 180_000,
  }, async () => {
    const { reports } = await onIncidents();
    const r = reports.find((x) => x.runbook.id === "build-and-registry")!;
    const rows = (id: string) =>
      r.steps.find((s) => s.id === id)!.rows.map((row) => row.slice(2, 6));
    for (const s of r.steps) expect(s.status, s.id).toBe("failed");
    expect(rows("registries_opened")).toEqual([
      ["SetRepositoryPolicy", "payments-api", "opened to another account", "444455556666"],
      ["PutImageTagMutability", "payments-api", "tags made mutable", "MUTABLE"],
      ["PutImageScanningConfiguration", "payments-api", "scan on push off", null],
      ["PutImage", "payments-api", "image pushed", "latest"],
    ]);
    expect(rows("clusters_opened").map((row) => row.slice(0, 3))).toEqual([
      ["UpdateClusterConfig", "prod", "endpoint open to the internet"],
      ["CreateAccessEntry", "prod", "access entry created"],
      ["AssociateAccessPolicy", "prod", "cluster admin granted"],
    ]);
    expect(rows("builds_hijacked").map((row) => row.slice(0, 3))).toEqual([
      [
        "UpdateProjectVisibility",
        "arn:aws:codebuild:us-east-1:111122223333:project/payments-api",
        "project made public",
      ],
      ["StartBuild", "payments-api", "build with its own buildspec"],
    ]);
  });

  it("the data without the incidents holds what build-and-registry must not page on, and it does not", {
    timeout: 180_000,
  }, async () => {
    // With no automation named, the pipeline's daily pushes and Terraform's cluster logging
    // change are no page either (a push is listed; logs turned on are not); bob's build re-run
    // without overrides never is. With the defaults the same data passes (the test below).
    const res = await runMdHere([
      "runbooks/build-and-registry.md",
      ...cleanWeek(),
      ...["--param", "automation_pattern=^$"],
    ]);
    const [r] = JSON.parse(res.stdout) as RunReport[];
    const step = (id: string) => r!.steps.find((s) => s.id === id)!;
    const ci = "arn:aws:sts::111122223333:assumed-role/ci-deployer/gh-actions";
    expect([
      ...new Set(step("registries_opened").rows.map((row) => `${row[1]} ${row[2]}`)),
    ]).toEqual([`${ci} PutImage`]);
    expect(step("registries_opened").rowCount).toBe(7); // a push a day
    expectNoRows(step("clusters_opened"));
    expectNoRows(step("builds_hijacked"));
  });

  it("account-guardrails names the planted SCP detached, account, password policy, contact and EBS change", {
    timeout: 180_000,
  }, async () => {
    const { reports } = await onIncidents();
    const r = reports.find((x) => x.runbook.id === "account-guardrails")!;
    const rows = (id: string) =>
      r.steps.find((s) => s.id === id)!.rows.map((row) => row.slice(2, 6));
    for (const s of r.steps) expect(s.status, s.id).toBe("failed");
    expect(rows("guardrails_lifted")).toEqual([
      ["DetachPolicy", "r-a1b2", "policy detached", "p-guardrails0001"],
    ]);
    // Terraform's daily sandbox accounts are not listed: their results carry its requests' ids
    expect(rows("organization_changed")).toEqual([
      [
        "CreateAccount",
        "backup-vault",
        "account creation requested",
        "ops-backup@mailbox.example.net",
      ],
      ["CreateAccountResult", "777788889999", "account created", "backup-vault"],
    ]);
    expect(rows("settings_weakened")).toEqual([
      [
        "UpdateAccountPasswordPolicy",
        "111122223333",
        "password policy weakened",
        "length 6, remembers 0",
      ],
      ["PutAlternateContact", "111122223333", "alternate contact changed", "SECURITY"],
      ["DisableEbsEncryptionByDefault", "us-east-1", "EBS encryption by default off", null],
    ]);
  });

  it("the data without the incidents holds what account-guardrails must not page on, and it does not", {
    timeout: 180_000,
  }, async () => {
    // Terraform's sandbox accounts and strict password policy are in the clean data each day
    // (packages/engine-local/test/generator.test.ts counts them); with the defaults nothing is
    // listed, and with no automation named only the account requests and their results are
    // (a result is matched to the automation's request; the policy is strict enough either way)
    const run = async (extra: string[]) => {
      const res = await runMdHere(["runbooks/account-guardrails.md", ...cleanWeek(), ...extra]);
      const [r] = JSON.parse(res.stdout) as RunReport[];
      return (id: string) => r!.steps.find((s) => s.id === id)!;
    };
    const step = await run([]);
    for (const id of ["guardrails_lifted", "organization_changed", "settings_weakened"])
      expectNoRows(step(id));
    const none = await run(["--param", "automation_pattern=^$"]);
    const listed = none("organization_changed").rows;
    expect([...new Set(listed.map((row) => `${row[1]} ${row[2]}`))].sort()).toEqual([
      "arn:aws:sts::111122223333:assumed-role/terraform-automation/tf-run CreateAccount",
      "null CreateAccountResult",
    ]);
    expectNoRows(none("settings_weakened"));
  });

  it("outside-role-use names the planted assumptions, and the clean data's once nothing is allowed", {
    timeout: 180_000,
  }, async () => {
    const { reports } = await onIncidents();
    const r = reports.find((x) => x.runbook.id === "outside-role-use")!;
    const rows = (report: RunReport, id: string, cols: number[]) =>
      report.steps.find((s) => s.id === id)!.rows.map((row) => cols.map((c) => row[c]));
    for (const s of r.steps) expect(s.status, s.id).toBe("failed");
    const role = (name: string) => `arn:aws:iam::111122223333:role/${name}`;
    expect(rows(r, "outside_accounts", [0, 1, 2, 3])).toEqual([
      [role("prod-admin"), "444455556666", "AIDAEXAMPLEOUTSIDE01", "AWSAccount"],
    ]);
    expect(rows(r, "web_identities_outside", [0, 2])).toEqual([
      [role("ci-deployer"), "repo:octo-intruder/scratch:ref:refs/heads/main"],
    ]);
    expect(rows(r, "saml_outside", [0, 1, 3])).toEqual([
      [
        role("federated-admin"),
        "arn:aws:iam::111122223333:saml-provider/okta-backup",
        "backup-operator",
      ],
    ]);
    // the stranger's prod-admin session chaining into break-glass, listed here only: its
    // AssumeRole of prod-admin from 444455556666 is outside_accounts'
    expect(rows(r, "guarded_roles_assumed", [1, 2, 3, 4])).toEqual([
      [
        "arn:aws:sts::111122223333:assumed-role/prod-admin/sync",
        role("prod-admin"),
        role("break-glass"),
        "sync",
      ],
    ]);
    expect(r.steps.find((s) => s.id === "guarded_roles_assumed_insights")!.rowCount).toBe(1);
    // The clean data's assumptions (the audit account, the company's workflow, the EKS service
    // account, Identity Center's SAML provider) pass with the defaults (the test below) and are
    // each listed once the organization is this account alone and nothing else is allowed.
    const res = await runMdHere([
      "runbooks/outside-role-use.md",
      ...cleanWeek(),
      ...["--param", "organization_accounts=^111122223333$"],
      ...["--param", "github_repositories=^$"],
      ...["--param", "web_identity_providers=^$"],
      ...["--param", "saml_providers=^$"],
      ...["--param", "guarded_roles=."],
      ...["--param", "allowed_assumers=^$"],
    ]);
    const [none] = JSON.parse(res.stdout) as RunReport[];
    // every role guarded and no caller allowed: the clean data's only AssumeRole calls not made
    // by a service are the audit account's, now outside and the first step's alone
    expectNoRows(none!.steps.find((s) => s.id === "guarded_roles_assumed")!);
    expect(rows(none!, "outside_accounts", [1, 3])).toEqual([["222233334444", "AssumedRole"]]);
    expect(new Set(rows(none!, "web_identities_outside", [2]).flat())).toEqual(
      new Set([
        "repo:example-corp/payments-api:ref:refs/heads/main",
        "system:serviceaccount:orders:orders-api",
      ]),
    );
    expect(new Set(rows(none!, "saml_outside", [1]).flat()).size).toBe(1);
    expect(rows(none!, "saml_outside", [1])[0]![0]).toMatch(/:saml-provider\/AWSSSO_/);
  });

  // All ten runbooks in one process: room for a busy machine.
  it("each runbook detects its planted incident: exit 1 and the report names the rows", {
    timeout: 180_000,
  }, async () => {
    const { code, reports, stderr } = await onIncidents();
    expect(stderr).toBe("");
    expect(code).toBe(1);
    expect(reports.map((r) => r.runbook.id).sort()).toEqual(Object.keys(INCIDENTS).sort());
    for (const r of reports) {
      const want = INCIDENTS[r.runbook.id]!;
      expect(r.status, r.runbook.id).toBe("failed");
      const step = r.steps.find((s) => s.id === want.step);
      expect(step, `${r.runbook.id}/${want.step}`).toBeDefined();
      const check = step!.checks.find((c) => c.check === want.check);
      expect(check?.status, `${r.runbook.id}: ${want.check}`).toBe("failed");
      const evidence = JSON.stringify([check?.offendingRows ?? [], step!.rows]);
      expect(evidence, `${r.runbook.id} names ${want.marker}`).toContain(want.marker);
      for (const s of r.steps) expect(s.error, `${r.runbook.id}/${s.id}`).toBeUndefined();
    }
  });

  it("access-key-lifecycle names the federation token mallory's key minted, in both dialects", {
    timeout: 180_000,
  }, async () => {
    const { reports } = await onIncidents();
    const r = reports.find((x) => x.runbook.id === "access-key-lifecycle")!;
    for (const id of ["federation_tokens", "federation_tokens_insights"]) {
      const s = r.steps.find((x) => x.id === id)!;
      expect(
        s.checks.map((c) => c.status),
        id,
      ).toEqual(["failed"]);
      expect(JSON.stringify(s.rows), id).toContain("ASIAEXAMPLEFEDSESS01");
      expect(JSON.stringify(s.rows), id).toContain("user/mallory");
    }
  });

  it("reconnaissance names the leaked key's check, sweep, SES set-up and region in every step", {
    timeout: 180_000,
  }, async () => {
    const { reports } = await onIncidents();
    const r = reports.find((x) => x.runbook.id === "reconnaissance")!;
    const marks: Record<string, string> = {
      tool_activity: "TruffleHog",
      enumeration_bursts: "ses sns sqs ssm sts",
      email_sending: "billing@example.net",
      region_use: "ap-southeast-3",
    };
    for (const s of r.steps) {
      expect(s.status, s.id).toBe("failed");
      const rows = JSON.stringify(s.rows);
      expect(rows, s.id).toContain("user/reporting-svc");
      const mark = marks[s.id.replace(/_insights$/, "")]!;
      if (!s.id.endsWith("_insights") || mark === "ap-southeast-3")
        expect(rows, s.id).toContain(mark);
    }
  });

  it("the data without the incidents holds what reconnaissance must not page on, and it does not", {
    timeout: 180_000,
  }, async () => {
    // The automation and the senders named by no pattern: Terraform's drift check is a burst of
    // the 36 reads, and the application's SES quota checks are listed; Trusted Advisor's never
    // (AWS's own). With the defaults the same data passes (the test below).
    const res = await runMdHere([
      "runbooks/reconnaissance.md",
      ...cleanWeek(),
      ...["--param", "automation_pattern=^$", "--param", "sender_pattern=^$"],
    ]);
    const [r] = JSON.parse(res.stdout) as RunReport[];
    const rows = (id: string) => r!.steps.find((s) => s.id === id)!.rows;
    const bursts = rows("enumeration_bursts");
    expect(bursts.length).toBe(7); // a drift check a day
    for (const row of bursts) {
      expect(row[0]).toBe("arn:aws:sts::111122223333:assumed-role/terraform-automation/tf-run");
      expect(row[2]).toBeGreaterThanOrEqual(36); // and its ordinary reads of that hour
    }
    expect(rows("email_sending").map((row) => [row[0], row[1]])).toEqual([
      ["arn:aws:sts::111122223333:assumed-role/app-backend/i-0a1b2c3d4e5f60718", "GetSendQuota"],
    ]);
  });

  it("sign-in-persistence names the planted provider, grants, password, MFA and console token", {
    timeout: 180_000,
  }, async () => {
    const { reports } = await onIncidents();
    const r = reports.find((x) => x.runbook.id === "sign-in-persistence")!;
    const rows = (id: string) => JSON.stringify(r.steps.find((s) => s.id === id)!.rows);
    for (const s of r.steps) expect(s.status, s.id).toBe("failed");
    for (const call of [
      "CreateSAMLProvider",
      "CreatePermissionSet",
      "AttachManagedPolicyToPermissionSet",
      "CreateAccountAssignment",
    ])
      expect(rows("identity_providers_changed"), call).toContain(call);
    for (const target of ['"CreateLoginProfile","dave"', '"DeactivateMFADevice","carol"'])
      expect(rows("sign_in_given_to_others"), target).toContain(target);
    expect(rows("console_from_keys")).toContain(
      '"arn:aws:sts::111122223333:federated-user/backup-sync","FederatedUser","arn:aws:iam::111122223333:user/mallory"',
    );
    expect(rows("console_from_keys")).not.toContain("AWSReservedSSO_");
  });

  it("the data without the incidents holds what sign-in-persistence must not page on, and it does not", {
    timeout: 180_000,
  }, async () => {
    // With no automation named, Terraform's Identity Center assignments and group members are
    // listed; the access portal's console sign-ins never are. With the defaults the same data
    // passes (the test below).
    const res = await runMdHere([
      "runbooks/sign-in-persistence.md",
      ...cleanWeek(),
      ...["--param", "automation_pattern=^$"],
    ]);
    const [r] = JSON.parse(res.stdout) as RunReport[];
    const step = (id: string) => r!.steps.find((s) => s.id === id)!;
    const tf = "arn:aws:sts::111122223333:assumed-role/terraform-automation/tf-run";
    expect(
      step("identity_providers_changed_insights")
        .rows.map((row) => row.slice(0, 3))
        .sort(),
    ).toEqual([
      [tf, "identitystore.amazonaws.com", "CreateGroupMembership"],
      [tf, "sso.amazonaws.com", "CreateAccountAssignment"],
    ]);
    expect(step("identity_providers_changed").rowCount).toBe(14); // an assignment and a member a day
    expectNoRows(step("console_from_keys"));
    expectNoRows(step("sign_in_given_to_others"));
  });

  it("privilege-escalation names the planted policy version, own role changes, group member and compute", {
    timeout: 180_000,
  }, async () => {
    const { reports } = await onIncidents();
    const r = reports.find((x) => x.runbook.id === "privilege-escalation")!;
    const rows = (id: string) => JSON.stringify(r.steps.find((s) => s.id === id)!.rows);
    for (const s of r.steps) expect(s.status, s.id).toBe("failed");
    expect(rows("policies_rewritten")).toContain(
      '"CreatePolicyVersion","arn:aws:iam::111122223333:policy/dev-sandbox-access","v4","all actions"',
    );
    for (const row of [
      '"PutRolePolicy","own permissions","dev-sandbox"',
      '"DeleteRolePermissionsBoundary","own permissions","dev-sandbox"',
      '"AddUserToGroup","added to a powerful group","mallory","Admins"',
    ])
      expect(rows("identities_moved_into_power"), row).toContain(row);
    for (const call of [
      "AssociateIamInstanceProfile",
      "CreateDevEndpoint",
      "CreateNotebookInstance",
      "CreatePresignedNotebookInstanceUrl",
      "CreateStack",
    ])
      expect(rows("roles_passed_to_compute"), call).toContain(call);
    // the ordinary work (Terraform's, the pipeline's) is not listed, nor CodeBuild
    // (build-and-registry's)
    for (const absent of ["terraform-automation", "ci-deployer", "codebuild"])
      expect(JSON.stringify(r.steps.map((s) => s.rows)), absent).not.toContain(absent);
  });

  it("the data without the incidents holds what privilege-escalation must not page on, and it does not", {
    timeout: 180_000,
  }, async () => {
    // With no automation named, Terraform's policy versions and Admins member, the automation's
    // policies on its own roles and the pipeline's stack updates with their service role are
    // listed. With the defaults the same data passes (the test below).
    const res = await runMdHere([
      "runbooks/privilege-escalation.md",
      ...cleanWeek(),
      ...["--param", "automation_pattern=^$"],
    ]);
    const [r] = JSON.parse(res.stdout) as RunReport[];
    const step = (id: string) => r!.steps.find((s) => s.id === id)!;
    const distinct = (id: string, cols: number[]) => [
      ...new Set(step(id).rows.map((row) => JSON.stringify(cols.map((c) => row[c])))),
    ];
    const tf = "arn:aws:sts::111122223333:assumed-role/terraform-automation/tf-run";
    const ci = "arn:aws:sts::111122223333:assumed-role/ci-deployer/gh-actions";
    expect(step("policies_rewritten").rowCount).toBe(7); // a policy version a day
    expect(distinct("policies_rewritten", [1, 2, 5])).toEqual([
      JSON.stringify([tf, "CreatePolicyVersion", null]),
    ]);
    // (the ordinary mix has the automation attaching policies to its own roles too: "own
    // permissions" here, the automation's by default)
    expect(distinct("identities_moved_into_power", [1, 3, 4, 5])).toContain(
      JSON.stringify([tf, "added to a powerful group", "alice", "Admins"]),
    );
    expect(distinct("identities_moved_into_power", [1]).sort()).toEqual(
      [ci, tf].map((a) => JSON.stringify([a])),
    );
    expect(distinct("roles_passed_to_compute", [1, 2, 3, 5])).toEqual([
      JSON.stringify([
        ci,
        "cloudformation.amazonaws.com",
        "UpdateStack",
        "arn:aws:iam::111122223333:role/cfn-deployer",
      ]),
    ]);
  });

  // All ten runbooks in one process: room for a busy machine.
  it("on the same data without the incidents every expectation passes: exit 0", {
    timeout: 180_000,
  }, async () => {
    const { code, reports } = await runAll(clean);
    const notPassing = reports.flatMap((r) =>
      r.steps.flatMap((s) =>
        [
          ...s.checks.filter((c) => c.status === "failed" || c.status === "errored"),
          ...(s.error ? [s.error] : []),
        ].map((c) => `${r.runbook.id}/${s.id}: ${JSON.stringify(c)}`),
      ),
    );
    expect(notPassing).toEqual([]);
    expect(code).toBe(0);
  });

  it("reports validate against the published schema; JUnit has one test case per expectation", {
    timeout: 180_000,
  }, async () => {
    const { reportsDir, junit, markdown } = await onIncidents();
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    for (const id of Object.keys(INCIDENTS)) {
      const files = (await readdir(path.join(reportsDir, id))).filter((f) => f.endsWith(".json"));
      expect(files, id).toHaveLength(2); // the report and latest.json
      for (const f of files) {
        const report = JSON.parse(await readFile(path.join(reportsDir, id, f), "utf8"));
        expect(validate(report), `${id}/${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
    const xml = await readFile(junit, "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    const suites = new XMLParser({
      ignoreAttributes: false,
      isArray: (n) => n === "testsuite" || n === "testcase",
    }).parse(xml).testsuites.testsuite as Array<{ "@_name": string; testcase: unknown[] }>;
    expect(suites.map((s) => s["@_name"]).sort()).toEqual(Object.keys(INCIDENTS).sort());
    const auditIam = suites.find((s) => s["@_name"] === "audit-iam")!;
    // audit-iam has 4 checks across 3 steps.
    expect(auditIam.testcase).toHaveLength(4);
    expect(await readFile(markdown, "utf8")).toContain("Escalation:");
  });

  it("shows access key ids by default, and masks them when the configuration says hide", {
    timeout: 180_000,
  }, async () => {
    const args = [
      "runbooks/access-key-lifecycle.md",
      "--log-dir",
      incidents,
      "--no-report",
      "--json",
    ];
    // The run of every runbook on the same data, with the default configuration.
    const { reports: all } = await onIncidents();
    const shown = JSON.stringify(all.filter((r) => r.runbook.id === "access-key-lifecycle"));
    expect(shown).toMatch(/\b(AKIA|ASIA)[A-Z0-9]{16}\b/);
    const res = await runMdHere(args, { env: { RUN_MD_MASK_ACCESS_KEY_IDS: "hide" } });
    // --json prints an array of run reports for one runbook as for many.
    const reports = JSON.parse(res.stdout) as RunReport[];
    expect(Array.isArray(reports)).toBe(true);
    expect(reports.map((r) => r.runbook.id)).toEqual(["access-key-lifecycle"]);
    const text = JSON.stringify(reports);
    expect(text).not.toMatch(/\b(AKIA|ASIA)[A-Z0-9]{16}\b/);
    expect(text).toMatch(/(AKIA|ASIA)\*{16}/);
  });
});

describe("exit 2 for what is wrong before anything runs", () => {
  it("a broken runbook is reported with file, line and column, and nothing runs", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-broken-"));
    const file = path.join(dir, "broken.md");
    await writeFile(file, "---\ntitle: Broken\n---\n\n```sql s1 engien=local\nSELECT 1\n```\n");
    const reports = path.join(dir, "reports");
    const res = await runMdHere([file, "--reports-dir", reports]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`${file}:5:`);
    expect(res.stderr).toContain('unknown attribute "engien"');
    expect(existsSync(reports)).toBe(false);
  });

  it("two runbooks with one id: both named, and nothing runs (their reports and alerts would be one)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-same-id-"));
    const step = "```sql s1\nSELECT 1 AS n\n```\n";
    await writeFile(path.join(dir, "a.md"), `---\ntitle: A\nid: same\n---\n\n${step}`);
    await writeFile(path.join(dir, "b.md"), `---\ntitle: B\nid: same\n---\n\n${step}`);
    await writeFile(path.join(dir, "c.md"), `---\ntitle: C\n---\n\n${step}`);
    const reports = path.join(dir, "reports");
    const res = await runMdHere([dir, "--reports-dir", reports, "--log-dir", clean]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      `${dir}/a.md:1:1 error duplicate runbook id "same" (also ${dir}/b.md)`,
    );
    expect(res.stderr).toContain(
      `${dir}/b.md:1:1 error duplicate runbook id "same" (also ${dir}/a.md)`,
    );
    expect(existsSync(reports)).toBe(false);
    // Named by its id (`run-md same`), from the configured runbooks folder: refused the same way.
    const config = path.join(dir, "run-md.config.yaml");
    await writeFile(config, `runbooksDir: ${dir}\nreportsDir: ${reports}\n`);
    const byId = await runMdHere(["same", "--config", config, "--log-dir", clean]);
    expect(byId.code).toBe(2);
    expect(byId.stderr).toContain('error duplicate runbook id "same"');
    expect(existsSync(reports)).toBe(false);
    // Ids that differ in case only are one id (one reports folder on macOS and Windows).
    await writeFile(path.join(dir, "a.md"), `---\ntitle: A\nid: Same\n---\n\n${step}`);
    const byCase = await runMdHere(["same", "--config", config, "--log-dir", clean]);
    expect(byCase.code).toBe(2);
    expect(byCase.stderr).toContain(`duplicate runbook id "Same" (also ${dir}/b.md, as "same")`);
    expect(existsSync(reports)).toBe(false);
  });

  it("an unknown engine", async () => {
    const res = await runMdHere(["runbooks/audit-iam.md", "--engine", "bigquery", "--no-report"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('unknown engine "bigquery"');
  });

  it("a bad parameter value names the parameter", async () => {
    const res = await runMdHere([
      "runbooks/api-usage-by-identity.md",
      "--param",
      "max_calls_per_hour=lots",
      "--log-dir",
      clean,
      "--no-report",
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('"max_calls_per_hour"');
  });

  it("an unknown parameter names the declared ones", async () => {
    const res = await runMdHere([
      "runbooks/audit-iam.md",
      "--param",
      "actor=x",
      "--log-dir",
      clean,
      "--no-report",
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('unknown parameter "actor"');
    expect(res.stderr).toContain("actor_pattern");
  });
});

describe("interrupted runs", () => {
  const SLOW = `---
title: Slow
id: slow
---

## A query that takes a long time

\`\`\`sql slow_step
SELECT count(*) AS n
FROM cloudtrail_logs a, cloudtrail_logs b, cloudtrail_logs c
WHERE a.eventname <> b.eventname OR b.eventid <> c.eventid
\`\`\`

\`\`\`expect
rows == 1
\`\`\`
`;
  const QUICK = SLOW.replace(/FROM cloudtrail_logs a[\s\S]*?c\.eventid/, "FROM cloudtrail_logs");

  async function setup() {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-kill-"));
    await writeFile(path.join(dir, "quick.md"), QUICK);
    await writeFile(path.join(dir, "slow.md"), SLOW);
    const reports = path.join(dir, "reports");
    const first = await runMdHere([
      path.join(dir, "quick.md"),
      "--log-dir",
      clean,
      "--reports-dir",
      reports,
    ]);
    expect(first.code).toBe(0);
    const earlier = await readdir(path.join(reports, "slow"));
    const earlierText = await readFile(path.join(reports, "slow", "latest.json"), "utf8");
    return { dir, reports, earlier, earlierText };
  }

  /**
   * Until the run has printed its slow step's start (or the test's timeout): a fixed 10 s of
   * polling, then the signal anyway, interrupted a CLI that had not started on a loaded machine
   * (its start is 2 s of CPU), which ended by the signal before its handler was set, not 130.
   */
  async function waitForStep(p: ReturnType<typeof runMd>) {
    let out = "";
    p.child!.stdout!.on("data", (d) => {
      out += d;
    });
    while (!out.includes("slow_step")) {
      if (p.child!.exitCode !== null || p.child!.signalCode !== null)
        throw new Error(`the run ended before its slow step: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
  }

  it("a run killed mid-step leaves no partial file and the earlier report intact", async () => {
    const { dir, reports, earlier, earlierText } = await setup();
    const p = runMd([path.join(dir, "slow.md"), "--log-dir", clean, "--reports-dir", reports]);
    await waitForStep(p);
    p.child!.kill("SIGKILL");
    const res = await p;
    expect(res.signal).toBe("SIGKILL");
    const after = (await readdir(path.join(reports, "slow"))).filter((n) => !n.startsWith("."));
    expect(after.sort()).toEqual(earlier.filter((n) => !n.startsWith(".")).sort());
    expect(await readFile(path.join(reports, "slow", "latest.json"), "utf8")).toBe(earlierText);
    const tmp = path.join(reports, "slow", ".tmp");
    expect(existsSync(tmp) ? await readdir(tmp) : []).toEqual([]);
  });

  it("Ctrl-C cancels the query, writes a report marked cancelled and exits 130", async () => {
    const { dir, reports } = await setup();
    const p = runMd([path.join(dir, "slow.md"), "--log-dir", clean, "--reports-dir", reports]);
    await waitForStep(p);
    const t0 = Date.now();
    p.child!.kill("SIGINT");
    const res = await p;
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(res.code).toBe(130);
    const latest = JSON.parse(
      await readFile(path.join(reports, "slow", "latest.json"), "utf8"),
    ) as RunReport;
    expect(latest.status).toBe("cancelled");
    expect(latest.steps[0]?.status).toBe("cancelled");
    expect(
      (await readdir(path.join(reports, "slow"))).filter((n) => n.endsWith(".json")),
    ).toHaveLength(3);
  });

  it("a reader of the output that goes away (| head -1) costs no report: the run goes on and exits with its own status", async () => {
    const { dir, reports, earlier } = await setup();
    const p = runMd([path.join(dir, "quick.md"), "--log-dir", clean, "--reports-dir", reports]);
    // The first line read, the reader leaves: the run's later writes meet a closed pipe (EPIPE).
    p.child!.stdout!.once("data", () => p.child!.stdout!.destroy());
    const res = await p;
    expect(res.stderr).not.toContain("EPIPE");
    expect(res.code).toBe(0);
    const after = (await readdir(path.join(reports, "slow"))).filter((n) => n.endsWith(".json"));
    expect(after).toHaveLength(earlier.filter((n) => n.endsWith(".json")).length + 1);
    const latest = JSON.parse(
      await readFile(path.join(reports, "slow", "latest.json"), "utf8"),
    ) as RunReport;
    expect(latest.status).toBe("passed");
  });

  /** The arguments of a run of two runbooks: quick.md (id slow), then zz.md (id zz), in path order. */
  async function twoRunbooks(): Promise<string[]> {
    const { dir, reports } = await setup();
    const second = path.join(dir, "zz.md");
    await writeFile(second, QUICK.replace("id: slow", "id: zz"));
    return [path.join(dir, "quick.md"), second, "--log-dir", clean, "--reports-dir", reports];
  }

  it("several runbooks end with one line that counts them", async () => {
    const res = await runMdHere(await twoRunbooks());
    expect(res.code).toBe(0);
    expect(res.stdout.trimEnd().split("\n").at(-1)).toBe("✓ 2 runbooks: 2 passed");
  });

  it("a signal between two runbooks stops the run with 130 and names the runbook not run", async () => {
    const p = runMd(await twoRunbooks());
    let out = "";
    p.child!.stdout!.on("data", (d) => {
      out += d;
      // The first runbook's check is printed: its steps are done, the second has not begun.
      if (out.includes("rows == 1") && !p.child!.killed) p.child!.kill("SIGTERM");
    });
    const res = await p;
    expect(res.code).toBe(130);
    // The second runbook did not pass: it never ran (named), or it was cancelled.
    expect(res.stdout).not.toMatch(/passed\s+zz/);
    expect(`${res.stdout}${res.stderr}`).toMatch(/not run: zz|cancelled\s+zz/);
    // A count of the runbooks (the second one cancelled once started) never says all passed.
    expect(res.stdout).not.toMatch(/\d+ runbooks: \d+ passed$/m);
  });
});

describe("the quick start", () => {
  it("npx run-md runbooks/audit-iam.md works with no AWS credentials and no network", async () => {
    const home = await mkdtemp(path.join(tmpdir(), "run-md-home-"));
    const res = await runMd(["runbooks/audit-iam.md", "--no-report"], {
      env: {
        HOME: home,
        AWS_ACCESS_KEY_ID: "",
        AWS_SECRET_ACCESS_KEY: "",
        AWS_PROFILE: "",
        HTTP_PROXY: "http://127.0.0.1:9",
        HTTPS_PROXY: "http://127.0.0.1:9",
        RUN_MD_SAMPLE_DIR: path.join(home, "sample"),
      },
      cwd: REPO,
    });
    expect(res.stdout).toContain("Audit IAM changes");
    expect(res.stdout).toMatch(/✗ failed audit-iam/);
    // A failed runbook's text output ends with what to do about it.
    expect(res.stdout).toContain("Escalation:");
    expect(res.code).toBe(1);
  });
});
