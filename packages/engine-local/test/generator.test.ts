import { createHash } from "node:crypto";
import { existsSync, promises as fsp } from "node:fs";
import path from "node:path";
import { ensureSampleData, generateLogs, SAMPLE_MANIFEST } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine, type LocalEngine } from "../src/index.ts";
import { tempDir } from "./helpers.ts";

const START = new Date("2024-03-01T00:00:00Z");
const END = new Date("2024-03-03T00:00:00Z");
let root: string;
let withIncidents: LocalEngine;
let ordinary: LocalEngine;

async function digest(dir: string): Promise<string> {
  const h = createHash("sha256");
  const files = (await fsp.readdir(dir, { recursive: true })).map(String).sort();
  for (const f of files) {
    const full = path.join(dir, f);
    if ((await fsp.stat(full)).isFile()) h.update(f).update(await fsp.readFile(full));
  }
  return h.digest("hex");
}

beforeAll(async () => {
  root = await tempDir();
  const opts = { start: START, end: END, eventsPerDay: 3000, seed: 42 };
  await generateLogs({ ...opts, outDir: path.join(root, "a"), incidents: true });
  await generateLogs({ ...opts, outDir: path.join(root, "b"), incidents: false });
  withIncidents = await createLocalEngine({ logDir: path.join(root, "a"), threads: 2 });
  ordinary = await createLocalEngine({ logDir: path.join(root, "b"), threads: 2 });
});
afterAll(async () => {
  await withIncidents?.close();
  await ordinary?.close();
  await fsp.rm(root, { recursive: true, force: true });
});

/** One query per planted incident: the count it must find (and 0 in ordinary traffic). */
const INCIDENTS: [string, string, number][] = [
  [
    "1. root console sign-in without MFA",
    "SELECT count(*) FROM cloudtrail_logs WHERE eventname = 'ConsoleLogin' AND useridentity.type = 'Root' AND useridentity.arn = 'arn:aws:iam::111122223333:root' AND sourceipaddress = '203.0.113.50' AND json_extract_scalar(additionaleventdata, '$.MFAUsed') = 'No' AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success'",
    1,
  ],
  [
    "1b. root API calls",
    "SELECT count(*) FROM cloudtrail_logs WHERE useridentity.type = 'Root' AND eventname <> 'ConsoleLogin'",
    3,
  ],
  [
    "2. access-denied burst from mallory within 10 minutes",
    "SELECT max(n) FROM (SELECT count(*) AS n FROM cloudtrail_logs WHERE useridentity.arn = 'arn:aws:iam::111122223333:user/mallory' AND errorcode IN ('AccessDenied', 'Client.UnauthorizedOperation') GROUP BY date_trunc('hour', from_iso8601_timestamp(eventtime)) HAVING date_diff('second', min(from_iso8601_timestamp(eventtime)), max(from_iso8601_timestamp(eventtime))) <= 600)",
    80,
  ],
  [
    "2b. some of them Client.UnauthorizedOperation on EC2",
    "SELECT count(*) > 0 FROM cloudtrail_logs WHERE errorcode = 'Client.UnauthorizedOperation' AND eventsource = 'ec2.amazonaws.com' AND useridentity.username = 'mallory'",
    1,
  ],
  [
    "3. access key created for another user",
    "SELECT count(*) FROM cloudtrail_logs WHERE eventname = 'CreateAccessKey' AND useridentity.type = 'IAMUser' AND json_extract_scalar(requestparameters, '$.userName') <> useridentity.username",
    1,
  ],
  [
    "4. security group opened to the world",
    "SELECT count(*) FROM cloudtrail_logs WHERE eventname = 'AuthorizeSecurityGroupIngress' AND requestparameters LIKE '%0.0.0.0/0%' AND json_extract_scalar(requestparameters, '$.groupId') = 'sg-0badc0ffee0123456' AND useridentity.arn = 'arn:aws:sts::111122223333:assumed-role/dev-sandbox/eve'",
    1,
  ],
  [
    "5. CloudTrail logging stopped",
    "SELECT count(*) FROM cloudtrail_logs WHERE eventname IN ('StopLogging', 'PutEventSelectors') AND eventsource = 'cloudtrail.amazonaws.com'",
    2,
  ],
  [
    "6. console sign-in without MFA by carol",
    "SELECT count(*) FROM cloudtrail_logs WHERE eventname = 'ConsoleLogin' AND useridentity.type = 'IAMUser' AND json_extract_scalar(additionaleventdata, '$.MFAUsed') = 'No' AND errormessage IS NULL AND useridentity.username = 'carol' AND sourceipaddress = '198.51.100.77'",
    1,
  ],
  [
    "7. policies changed by unexpected principals",
    "SELECT count(*) FROM cloudtrail_logs WHERE eventname IN ('AttachUserPolicy', 'PutBucketPolicy', 'UpdateAssumeRolePolicy') AND useridentity.arn NOT LIKE '%assumed-role/ci-deployer/%' AND useridentity.arn NOT LIKE '%assumed-role/terraform-automation/%'",
    3,
  ],
  [
    "7b. AdministratorAccess attached",
    "SELECT count(*) FROM cloudtrail_logs WHERE json_extract_scalar(requestparameters, '$.policyArn') = 'arn:aws:iam::aws:policy/AdministratorAccess' AND json_extract_scalar(requestparameters, '$.userName') = 'mallory'",
    1,
  ],
  [
    "8. twelve failed sign-ins for admin within 20 minutes",
    "SELECT count(*) FROM cloudtrail_logs WHERE eventname = 'ConsoleLogin' AND errormessage = 'Failed authentication' AND useridentity.username = 'admin' AND sourceipaddress = '198.51.100.23'",
    12,
  ],
  [
    "9. reconnaissance: 600 reads in one hour",
    "SELECT count(*) FROM cloudtrail_logs WHERE useridentity.username = 'mallory' AND errorcode IS NULL AND regexp_like(eventname, '^(List|Describe|Get)') AND eventname <> 'GetFederationToken'",
    600,
  ],
  [
    "10. KMS key scheduled for deletion",
    "SELECT count(*) FROM cloudtrail_logs WHERE eventname = 'ScheduleKeyDeletion'",
    1,
  ],
  [
    "12. 14 secrets, 8 decrypted parameters and a password read by eve",
    "SELECT count(*) + sum(coalesce(json_array_length(json_extract(requestparameters, '$.names')), 1)) FROM cloudtrail_logs WHERE useridentity.arn LIKE '%dev-sandbox/eve' AND eventname IN ('GetSecretValue', 'GetParameters', 'GetPasswordData')",
    16 + 23,
  ],
  [
    "13. a shell command and an SSH key pushed onto an instance by mallory",
    "SELECT count(*) FROM cloudtrail_logs WHERE useridentity.username = 'mallory' AND eventname IN ('SendCommand', 'SendSSHPublicKey') AND requestparameters LIKE '%i-0a1b2c3d4e5f60718%'",
    2,
  ],
  [
    "14. a layer from another account added to a Lambda function by eve",
    "SELECT count(*) FROM cloudtrail_logs WHERE useridentity.arn LIKE '%dev-sandbox/eve' AND eventname LIKE 'UpdateFunctionConfiguration%' AND json_extract_scalar(requestparameters, '$.layers[0]') LIKE '%:444455556666:layer:%'",
    1,
  ],
  [
    "15. a federation token minted by mallory, whose federated session uses Bedrock models",
    "SELECT count(*) FROM cloudtrail_logs WHERE (useridentity.username = 'mallory' AND eventname = 'GetFederationToken') OR (useridentity.arn LIKE '%:federated-user/backup-sync' AND eventsource = 'bedrock.amazonaws.com' AND useridentity.sessioncontext.sessionissuer.username = 'mallory')",
    12,
  ],
  [
    "17. S3 ransomware: versioning suspended, six SSE-C rewrites (one refused), a 7-day expiry, two batch deletions",
    "SELECT count(*) FROM cloudtrail_logs WHERE useridentity.username = 'mallory' AND eventsource = 's3.amazonaws.com' AND ((eventname = 'CopyObject' AND json_extract_scalar(requestparameters, '$[\"x-amz-server-side-encryption-customer-algorithm\"]') = 'AES256') OR (eventname = 'PutBucketVersioning' AND requestparameters LIKE '%Suspended%') OR (eventname = 'PutBucketLifecycle' AND requestparameters LIKE '%\"Days\":7%') OR eventname = 'DeleteObjects')",
    1 + 6 + 1 + 2,
  ],
  [
    "18. RDS theft: a snapshot, a copy under another account's key, an export, a restore made public with its password reset, protection off, the database and the snapshot deleted, one refused",
    "SELECT count(*) FROM cloudtrail_logs WHERE useridentity.arn LIKE '%dev-sandbox/eve' AND eventsource = 'rds.amazonaws.com' AND ((eventname = 'CopyDBSnapshot' AND requestparameters LIKE '%:444455556666:key/%') OR eventname IN ('CreateDBSnapshot', 'StartExportTask', 'RestoreDBInstanceFromDBSnapshot', 'DeleteDBInstance', 'DeleteDBSnapshot') OR (eventname = 'ModifyDBInstance' AND (requestparameters LIKE '%masterUserPassword%' OR requestparameters LIKE '%\"deletionProtection\":false%')) OR (eventname = 'DeleteDBClusterSnapshot' AND errorcode = 'AccessDenied'))",
    1 + 1 + 1 + 1 + 2 + 1 + 1 + 1,
  ],
  [
    "19. a leaked key checked, sweeping 36 reads, probing SES and switching a region on",
    "SELECT count(*) FROM cloudtrail_logs WHERE useridentity.username = 'reporting-svc'",
    1 + 36 + 5 + 2,
  ],
  [
    "19b. the check by TruffleHog, the sender verified, production access refused, the region's key pair",
    "SELECT count(*) FROM cloudtrail_logs WHERE useridentity.username = 'reporting-svc' AND (useragent = 'TruffleHog' OR eventname = 'VerifyEmailIdentity' OR (eventname = 'PutAccountDetails' AND errorcode = 'AccessDenied') OR (eventname = 'EnableRegion' AND json_extract_scalar(requestparameters, '$.RegionName') = 'ap-southeast-3') OR (eventname = 'ImportKeyPair' AND awsregion = 'ap-southeast-3'))",
    5,
  ],
  [
    "20. Network paths: a mirror target on another account's load balancer, a filter, a rule and a session, an internet gateway attached with a default route, a peering with another account, an open endpoint policy, an all-traffic ACL entry",
    "SELECT count(*) FROM cloudtrail_logs WHERE useridentity.arn LIKE '%dev-sandbox/eve' AND eventsource = 'ec2.amazonaws.com' AND ((eventname = 'CreateTrafficMirrorTarget' AND requestparameters LIKE '%:444455556666:loadbalancer/%') OR eventname IN ('CreateTrafficMirrorFilter', 'CreateTrafficMirrorFilterRule', 'CreateTrafficMirrorSession', 'CreateInternetGateway', 'AttachInternetGateway') OR (eventname = 'CreateRoute' AND requestparameters LIKE '%0.0.0.0/0%') OR (eventname = 'CreateVpcPeeringConnection' AND requestparameters LIKE '%444455556666%') OR (eventname = 'ModifyVpcEndpoint' AND requestparameters NOT LIKE '%Condition%') OR (eventname = 'CreateNetworkAclEntry' AND requestparameters LIKE '%\"aclProtocol\":\"-1\"%'))",
    1 + 3 + 2 + 1 + 1 + 1 + 1,
  ],
  [
    "21. New ways to sign in: a SAML provider, a permission set with AdministratorAccess assigned to the account, dave given a password and carol's MFA deactivated by mallory, and the federated session opening a console",
    "SELECT count(*) FROM cloudtrail_logs WHERE (useridentity.username = 'mallory' AND (eventname IN ('CreateSAMLProvider', 'CreatePermissionSet', 'CreateAccountAssignment') OR (eventname = 'AttachManagedPolicyToPermissionSet' AND requestparameters LIKE '%AdministratorAccess%') OR (eventname = 'CreateLoginProfile' AND json_extract_scalar(requestparameters, '$.userName') = 'dave') OR (eventname = 'DeactivateMFADevice' AND json_extract_scalar(requestparameters, '$.userName') = 'carol'))) OR (eventname = 'GetSigninToken' AND useridentity.arn LIKE '%:federated-user/backup-sync')",
    1 + 3 + 1 + 1 + 1,
  ],
  [
    "22. A registry, a cluster and a build project hijacked: eve's role lets another account pull payments-api, makes its tags mutable, turns scan on push off, pushes latest, opens prod's endpoint to the world, makes itself cluster admin, makes the project public and starts a build with its own buildspec",
    "SELECT count(*) FROM cloudtrail_logs WHERE useridentity.arn LIKE '%dev-sandbox/eve' AND ((eventsource = 'ecr.amazonaws.com' AND json_extract_scalar(requestparameters, '$.repositoryName') = 'payments-api' AND (eventname IN ('PutImageTagMutability', 'PutImageScanningConfiguration', 'PutImage') OR (eventname = 'SetRepositoryPolicy' AND requestparameters LIKE '%444455556666%'))) OR (eventsource = 'eks.amazonaws.com' AND eventname IN ('UpdateClusterConfig', 'CreateAccessEntry', 'AssociateAccessPolicy')) OR (eventsource = 'codebuild.amazonaws.com' AND (eventname = 'UpdateProjectVisibility' OR (eventname = 'StartBuild' AND json_extract_scalar(requestparameters, '$.buildspecOverride') IS NOT NULL))))",
    4 + 3 + 2,
  ],
  [
    "23. Privilege escalation: eve's session makes every action its policy's default, changes its own role, puts mallory in Admins and hands prod-admin to an instance, a dev endpoint, a notebook and a stack",
    "SELECT count(*) FROM cloudtrail_logs WHERE useridentity.arn LIKE '%dev-sandbox/eve' AND ((eventname = 'CreatePolicyVersion' AND json_extract_scalar(requestparameters, '$.policyDocument') LIKE '%\"Action\":\"*\"%') OR (eventname IN ('PutRolePolicy', 'DeleteRolePermissionsBoundary') AND json_extract_scalar(requestparameters, '$.roleName') = 'dev-sandbox') OR (eventname = 'AddUserToGroup' AND json_extract_scalar(requestparameters, '$.groupName') = 'Admins') OR (eventname IN ('AssociateIamInstanceProfile', 'CreateDevEndpoint', 'CreateNotebookInstance', 'CreateStack') AND requestparameters LIKE '%prod-admin%') OR eventname = 'CreatePresignedNotebookInstanceUrl')",
    1 + 2 + 1 + 4 + 1,
  ],
  [
    "24. Guardrails weakened: mallory detaches the guardrail SCP from the root, asks for an account (and Organizations records it created), sets a 6-character password policy, points the security contact outside and turns EBS encryption by default off",
    "SELECT count(*) FROM cloudtrail_logs WHERE (useridentity.username = 'mallory' AND ((eventname = 'DetachPolicy' AND json_extract_scalar(requestparameters, '$.targetId') = 'r-a1b2') OR (eventname = 'CreateAccount' AND json_extract_scalar(requestparameters, '$.accountName') = 'backup-vault') OR (eventname = 'UpdateAccountPasswordPolicy' AND json_extract_scalar(requestparameters, '$.minimumPasswordLength') = '6') OR (eventname = 'PutAlternateContact' AND json_extract_scalar(requestparameters, '$.alternateContactType') = 'SECURITY') OR eventname = 'DisableEbsEncryptionByDefault')) OR (eventname = 'CreateAccountResult' AND json_extract_scalar(serviceeventdetails, '$.createAccountStatus.id') = 'car-5e1f0a77c3d2')",
    5 + 1,
  ],
  [
    "25. Roles assumed from outside: 444455556666 assumes prod-admin, another repository's GitHub Actions workflow assumes ci-deployer, the okta-backup provider's user federates into federated-admin, and the prod-admin session chains into break-glass",
    "SELECT count(*) FROM cloudtrail_logs WHERE (eventname = 'AssumeRole' AND useridentity.type = 'AWSAccount' AND useridentity.accountid = '444455556666' AND json_extract_scalar(requestparameters, '$.roleArn') LIKE '%:role/prod-admin') OR (eventname = 'AssumeRoleWithWebIdentity' AND json_extract_scalar(responseelements, '$.subjectFromWebIdentityToken') LIKE 'repo:octo-intruder/%') OR (eventname = 'AssumeRoleWithSAML' AND json_extract_scalar(requestparameters, '$.principalArn') LIKE '%:saml-provider/okta-backup') OR (eventname = 'AssumeRole' AND useridentity.sessioncontext.sessionissuer.arn LIKE '%:role/prod-admin' AND json_extract_scalar(requestparameters, '$.roleArn') LIKE '%:role/break-glass')",
    1 + 1 + 1 + 1,
  ],
];

describe("the log generator", () => {
  it("writes the same bytes for the same options and seed", async () => {
    const opts = {
      start: START,
      end: new Date("2024-03-01T06:00:00Z"),
      eventsPerDay: 2000,
      seed: "same",
      incidents: true,
    };
    await generateLogs({ ...opts, outDir: path.join(root, "d1") });
    await generateLogs({ ...opts, outDir: path.join(root, "d2") });
    await generateLogs({ ...opts, seed: "other", outDir: path.join(root, "d3") });
    const [d1, d2, d3] = await Promise.all(
      ["d1", "d2", "d3"].map((d) => digest(path.join(root, d))),
    );
    expect(d1).toBe(d2);
    expect(d1).not.toBe(d3);
  });

  it("lays files out as CloudTrail delivers them to S3", async () => {
    const files = (await fsp.readdir(path.join(root, "a"), { recursive: true }))
      .map(String)
      .filter((f) => f.endsWith(".gz"));
    // each hour of each region, and the hour of incident 18's key pair in the region it switched on
    expect(files.length).toBe(2 * 24 * 3 + 1);
    for (const f of files) {
      expect(f).toMatch(
        /^AWSLogs\/111122223333\/CloudTrail\/(us-east-1|eu-west-1|us-west-2|ap-southeast-3)\/2024\/03\/0[12]\/111122223333_CloudTrail_\1_202403\d\dT\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/,
      );
    }
  });

  it.each(INCIDENTS)(
    "plants incident %s, and ordinary traffic has none of it",
    async (_name, sql, expected) => {
      const a = await withIncidents.runAthenaSql(sql, []);
      const b = await ordinary.runAthenaSql(sql, []);
      expect(Number(a.rows[0]?.[0])).toBe(expected);
      expect(Number(b.rows[0]?.[0] ?? 0)).toBe(0);
    },
  );

  it("plants the incidents in the last 12 hours before the end", async () => {
    const r = await withIncidents.runAthenaSql(
      "SELECT min(eventtime), max(eventtime) FROM cloudtrail_logs WHERE useridentity.username IN ('mallory', 'admin') OR useridentity.type = 'Root' OR useridentity.arn LIKE '%dev-sandbox/eve'",
      [],
    );
    expect(String(r.rows[0]?.[0]) >= "2024-03-02T12:00:00Z").toBe(true);
    expect(String(r.rows[0]?.[1]) < "2024-03-03T00:00:00Z").toBe(true);
  });

  it("keeps ordinary traffic within its limits", async () => {
    const checks = [
      // at most 3 access-denied calls per principal per day
      "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM cloudtrail_logs WHERE errorcode IS NOT NULL AND eventname <> 'ConsoleLogin' GROUP BY useridentity.arn, substr(eventtime, 1, 10))",
      // at most 2 failed console sign-ins per user per day
      "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM cloudtrail_logs WHERE errormessage = 'Failed authentication' GROUP BY useridentity.username, substr(eventtime, 1, 10))",
    ];
    const [denied, failed] = await Promise.all(checks.map((c) => ordinary.runAthenaSql(c, [])));
    expect(Number(denied?.rows[0]?.[0])).toBeLessThanOrEqual(3);
    expect(Number(failed?.rows[0]?.[0])).toBeLessThanOrEqual(2);
    const writers = await ordinary.runAthenaSql(
      "SELECT DISTINCT useridentity.arn FROM cloudtrail_logs WHERE readonly = 'false' AND eventcategory = 'Management' AND eventname NOT IN ('ConsoleLogin', 'CreateAccessKey') AND useridentity.type <> 'AWSService' ORDER BY 1",
      [],
    );
    expect(writers.rows).toEqual([
      // AWS Backup's service role, snapshotting, copying and expiring database snapshots
      [
        "arn:aws:sts::111122223333:assumed-role/AWSBackupDefaultServiceRole/AWSBackup-AWSBackupDefaultServiceRole",
      ],
      ["arn:aws:sts::111122223333:assumed-role/ci-deployer/gh-actions"],
      ["arn:aws:sts::111122223333:assumed-role/terraform-automation/tf-run"],
    ]);
    // the data events: the application deleting an object now and then, a few an hour at most
    const objects = await ordinary.runAthenaSql(
      "SELECT useridentity.arn, eventname, eventcategory, max(n) FROM (SELECT useridentity, eventname, eventcategory, count(*) AS n FROM cloudtrail_logs WHERE eventcategory = 'Data' GROUP BY 1, 2, 3, substr(eventtime, 1, 13)) GROUP BY 1, 2, 3",
      [],
    );
    expect(objects.rows.map((r) => r.slice(0, 3))).toEqual([
      [
        "arn:aws:sts::111122223333:assumed-role/app-backend/i-0a1b2c3d4e5f60718",
        "DeleteObject",
        "Data",
      ],
    ]);
    expect(Number(objects.rows[0]?.[3])).toBeLessThanOrEqual(5);
    // database work only by the automation and AWS Backup's service role, invoked by the service
    // (rds-data-protection lists none of it)
    const BACKUP =
      "arn:aws:sts::111122223333:assumed-role/AWSBackupDefaultServiceRole/AWSBackup-AWSBackupDefaultServiceRole backup.amazonaws.com backup.amazonaws.com";
    const databases = await ordinary.runAthenaSql(
      "SELECT DISTINCT concat_ws(' ', useridentity.arn, useridentity.invokedby, CASE WHEN useridentity.invokedby IS NOT NULL THEN sourceipaddress END), eventname FROM cloudtrail_logs WHERE eventsource = 'rds.amazonaws.com' ORDER BY 1, 2",
      [],
    );
    // a small sample: some of these, none other
    const allowed = [
      [BACKUP, "CopyDBSnapshot"],
      [BACKUP, "CreateDBSnapshot"],
      [BACKUP, "DeleteDBSnapshot"],
      ["arn:aws:sts::111122223333:assumed-role/ci-deployer/gh-actions", "ModifyDBInstance"],
      ["arn:aws:sts::111122223333:assumed-role/terraform-automation/tf-run", "CopyDBSnapshot"],
      ["arn:aws:sts::111122223333:assumed-role/terraform-automation/tf-run", "CreateDBSnapshot"],
    ];
    expect(databases.rows.length).toBeGreaterThan(0);
    for (const row of databases.rows) expect(allowed).toContainEqual(row);
    // network work only by the automation, and no ACL entry for every protocol from anywhere
    // (network-paths lists none of it)
    const network = await ordinary.runAthenaSql(
      "SELECT DISTINCT useridentity.arn, eventname FROM cloudtrail_logs WHERE eventname IN ('CreateTrafficMirrorSession', 'CreateRoute', 'CreateNetworkAclEntry', 'ModifyVpcEndpoint') ORDER BY 1, 2",
      [],
    );
    expect(network.rows).toEqual([
      ["arn:aws:sts::111122223333:assumed-role/ci-deployer/gh-actions", "CreateNetworkAclEntry"],
      [
        "arn:aws:sts::111122223333:assumed-role/terraform-automation/tf-run",
        "CreateNetworkAclEntry",
      ],
      ["arn:aws:sts::111122223333:assumed-role/terraform-automation/tf-run", "CreateRoute"],
      [
        "arn:aws:sts::111122223333:assumed-role/terraform-automation/tf-run",
        "CreateTrafficMirrorSession",
      ],
      ["arn:aws:sts::111122223333:assumed-role/terraform-automation/tf-run", "ModifyVpcEndpoint"],
    ]);
    // secrets read only by the workloads, a few distinct ones an hour; commands run only by CI
    const secrets = await ordinary.runAthenaSql(
      "SELECT eventname, actor, max(n) FROM (SELECT eventname, useridentity.arn AS actor, count(DISTINCT requestparameters) AS n FROM cloudtrail_logs WHERE eventname IN ('GetSecretValue', 'GetParameter', 'SendCommand') GROUP BY 1, 2, substr(eventtime, 1, 13)) GROUP BY 1, 2 ORDER BY 1",
      [],
    );
    expect(secrets.rows.map((r) => r.slice(0, 2))).toEqual([
      ["GetParameter", "arn:aws:sts::111122223333:assumed-role/terraform-automation/tf-run"],
      ["GetSecretValue", "arn:aws:sts::111122223333:assumed-role/app-backend/i-0a1b2c3d4e5f60718"],
      ["SendCommand", "arn:aws:sts::111122223333:assumed-role/ci-deployer/gh-actions"],
    ]);
    expect(Math.max(...secrets.rows.slice(0, 2).map((r) => Number(r[2])))).toBeLessThanOrEqual(2);
    const logins = await ordinary.runAthenaSql(
      "SELECT DISTINCT json_extract_scalar(additionaleventdata, '$.MFAUsed') FROM cloudtrail_logs WHERE eventname = 'ConsoleLogin' AND errormessage IS NULL",
      [],
    );
    expect(logins.rows).toEqual([["Yes"]]);
    const kinds = await ordinary.runAthenaSql(
      "SELECT count(DISTINCT useridentity.type), count(DISTINCT eventname), count(*) FROM cloudtrail_logs",
      [],
    );
    expect(kinds.rows[0]?.[0]).toBe(3); // IAMUser, AssumedRole, AWSService
    expect(Number(kinds.rows[0]?.[1])).toBeGreaterThan(25);
    expect(kinds.rows[0]?.[2]).toBe(6000);
  });
});

describe("ensureSampleData", () => {
  it("plants its incidents in the 12 hours before its last hour, which the nightly job's windows hold", async () => {
    // The nightly job's windows end an hour before it (core DELIVERY_LAG_MS): with incidents in
    // the data's last hour, a job at 00:05 missed s3-ransomware's, bedrock-model-use's and
    // lambda-changes' (they passed).
    const dir = path.join(root, "incidents-week");
    const s = await ensureSampleData(dir, { now: new Date("2026-11-24T10:02:00Z") });
    const e = await createLocalEngine({ logDir: dir, threads: 2 });
    try {
      const r = await e.query(
        queryRequest(
          "sql",
          "SELECT min(eventtime), max(eventtime) FROM cloudtrail_logs WHERE useridentity.username IN ('mallory', 'admin') OR useridentity.type = 'Root' OR useridentity.arn LIKE '%dev-sandbox/eve'",
          { start: s.start, end: s.end },
        ),
      );
      expect(String(r.rows[0]?.[0]) >= "2026-11-23T21:00:00Z").toBe(true);
      // s3-ransomware's, the last, 7 minutes before the hour before the end
      expect(String(r.rows[0]?.[1]) >= "2026-11-24T08:50:00Z").toBe(true);
      expect(String(r.rows[0]?.[1]) < "2026-11-24T09:00:00Z").toBe(true);
    } finally {
      await e.close();
    }
  });

  it("generates a week ending at the current hour, reuses it within the hour and regenerates after", async () => {
    const dir = path.join(root, "sample");
    const now = new Date("2026-11-24T10:37:00Z");
    const t0 = performance.now();
    const a = await ensureSampleData(dir, { now });
    const firstMs = performance.now() - t0;
    expect(a.end.toISOString()).toBe("2026-11-24T10:00:00.000Z");
    expect(a.start.toISOString()).toBe("2026-11-17T10:00:00.000Z");
    const manifest = JSON.parse(await fsp.readFile(path.join(dir, SAMPLE_MANIFEST), "utf8"));
    expect(manifest).toMatchObject({ end: a.end.toISOString(), incidents: true });
    // A thousand events a day for a week, and the planted incidents.
    expect(manifest.events).toBeGreaterThanOrEqual(7_000);
    expect(manifest.events).toBeLessThanOrEqual(9_000);
    console.log(
      `sample data: ${manifest.events} events in ${manifest.files} files, ${Math.round(firstMs)} ms`,
    );
    const stamp = (await fsp.stat(path.join(dir, SAMPLE_MANIFEST))).mtimeMs;
    await ensureSampleData(dir, { now: new Date("2026-11-24T10:59:00Z") });
    expect((await fsp.stat(path.join(dir, SAMPLE_MANIFEST))).mtimeMs).toBe(stamp);
    const b = await ensureSampleData(dir, { now: new Date("2026-11-24T11:01:00Z") });
    expect(b.end.toISOString()).toBe("2026-11-24T11:00:00.000Z");
    const again = JSON.parse(await fsp.readFile(path.join(dir, SAMPLE_MANIFEST), "utf8"));
    expect(again.end).toBe(b.end.toISOString());
    // No temporary or old directories left beside it.
    expect((await fsp.readdir(root)).filter((f) => f.includes("sample"))).toEqual(["sample"]);
    const e = await createLocalEngine({ logDir: dir, threads: 2 });
    try {
      const r = await e.query(
        queryRequest(
          "sql",
          "SELECT count(*) FROM cloudtrail_logs WHERE eventname = 'StopLogging'",
          {
            start: new Date(b.end.getTime() - 24 * 3600_000),
            end: b.end,
          },
        ),
      );
      expect(r.rows).toEqual([[1]]);
      expect(r.warnings).toEqual([]);
      // the ordinary sign-in work sign-in-persistence must not page on, each day: Terraform's
      // Identity Center assignment and group member, the access portal's two console sign-ins
      const signIn = await e.query(
        queryRequest(
          "sql",
          "SELECT eventname, useridentity.arn, count(*) FROM cloudtrail_logs WHERE eventname IN ('CreateAccountAssignment', 'CreateGroupMembership', 'GetSigninToken') AND useridentity.arn NOT LIKE '%user/mallory' AND useridentity.arn NOT LIKE '%federated-user/%' GROUP BY 1, 2 ORDER BY 1",
          { start: b.start, end: b.end },
        ),
      );
      const tf = "arn:aws:sts::111122223333:assumed-role/terraform-automation/tf-run";
      expect(signIn.rows).toEqual([
        ["CreateAccountAssignment", tf, 7],
        ["CreateGroupMembership", tf, 7],
        [
          "GetSigninToken",
          "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_ReadOnly_0a1b2c3d4e5f6a7b/ann@example.com",
          14,
        ],
      ]);
      // the ordinary build work build-and-registry must not page on, each day: the pipeline's
      // push, Terraform's cluster logging kept on, bob's build re-run without overrides
      const build = await e.query(
        queryRequest(
          "sql",
          "SELECT eventname, useridentity.arn, count(*) FROM cloudtrail_logs WHERE eventsource IN ('ecr.amazonaws.com', 'eks.amazonaws.com', 'codebuild.amazonaws.com') AND useridentity.arn NOT LIKE '%dev-sandbox/eve' GROUP BY 1, 2 ORDER BY 1, 2",
          { start: b.start, end: b.end },
        ),
      );
      expect(build.rows).toEqual([
        ["PutImage", "arn:aws:sts::111122223333:assumed-role/ci-deployer/gh-actions", 7],
        ["StartBuild", "arn:aws:iam::111122223333:user/bob", 7],
        ["UpdateClusterConfig", tf, 7],
      ]);
      // the ordinary work privilege-escalation must not page on, each day: Terraform's policy
      // version and Admins member, the pipeline's stack update with its service role
      const privilege = await e.query(
        queryRequest(
          "sql",
          "SELECT eventname, useridentity.arn, count(*) FROM cloudtrail_logs WHERE eventname IN ('CreatePolicyVersion', 'AddUserToGroup', 'UpdateStack') AND useridentity.arn NOT LIKE '%dev-sandbox/eve' GROUP BY 1, 2 ORDER BY 1, 2",
          { start: b.start, end: b.end },
        ),
      );
      expect(privilege.rows).toEqual([
        ["AddUserToGroup", tf, 7],
        ["CreatePolicyVersion", tf, 7],
        ["UpdateStack", "arn:aws:sts::111122223333:assumed-role/ci-deployer/gh-actions", 7],
      ]);
      // the ordinary organization work account-guardrails must not page on, each whole day:
      // Terraform vending a sandbox account (and the CreateAccountResult Organizations records
      // for it, with the request's id), Terraform re-applying a strict password policy
      const guardrails = await e.query(
        queryRequest(
          "sql",
          "SELECT eventname, coalesce(useridentity.arn, useridentity.invokedby), count(*), count(DISTINCT coalesce(json_extract_scalar(responseelements, '$.createAccountStatus.id'), json_extract_scalar(serviceeventdetails, '$.createAccountStatus.id'))) FROM cloudtrail_logs WHERE eventname IN ('CreateAccount', 'CreateAccountResult', 'UpdateAccountPasswordPolicy') AND coalesce(useridentity.username, '') <> 'mallory' AND coalesce(json_extract_scalar(serviceeventdetails, '$.createAccountStatus.id'), '') <> 'car-5e1f0a77c3d2' GROUP BY 1, 2 ORDER BY 1",
          { start: b.start, end: b.end },
        ),
      );
      // a partial first day is left out: six or seven whole days, by the hour the week ends
      const days = Number(guardrails.rows[0]?.[2]);
      expect([6, 7]).toContain(days);
      expect(guardrails.rows).toEqual([
        ["CreateAccount", tf, days, days],
        ["CreateAccountResult", "AWS Internal", days, days],
        ["UpdateAccountPasswordPolicy", tf, days, 0],
      ]);
      // the assumptions from outside the account outside-role-use must not page on, each day:
      // the organization's audit account, the company's workflow twice, the EKS service account
      // twice, a person through Identity Center's SAML provider (incident 25's left out)
      const outside = await e.query(
        queryRequest(
          "sql",
          "SELECT eventname, coalesce(useridentity.arn, json_extract_scalar(responseelements, '$.subjectFromWebIdentityToken'), json_extract_scalar(responseelements, '$.subject')), count(*) FROM cloudtrail_logs WHERE (eventname IN ('AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML') OR (eventname = 'AssumeRole' AND useridentity.accountid = '222233334444')) AND coalesce(json_extract_scalar(responseelements, '$.subjectFromWebIdentityToken'), '') NOT LIKE 'repo:octo-intruder/%' AND coalesce(json_extract_scalar(requestparameters, '$.principalArn'), '') NOT LIKE '%/okta-backup' GROUP BY 1, 2 ORDER BY 1, 2",
          { start: b.start, end: b.end },
        ),
      );
      expect(outside.rows).toEqual([
        ["AssumeRole", "arn:aws:sts::222233334444:assumed-role/org-audit/audit-run", 7],
        ["AssumeRoleWithSAML", "ann@example.com", 7],
        ["AssumeRoleWithWebIdentity", "repo:example-corp/payments-api:ref:refs/heads/main", 14],
        ["AssumeRoleWithWebIdentity", "system:serviceaccount:orders:orders-api", 14],
      ]);
    } finally {
      await e.close();
    }
    expect(existsSync(path.join(dir, "AWSLogs"))).toBe(true);
  });
});
