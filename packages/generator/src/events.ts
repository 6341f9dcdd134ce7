/**
 * Realistic CloudTrail event shapes for the generator: who (principals), what (API calls with
 * their request and response payloads) and the planted incidents.
 */
import type { Random } from "./random.ts";

export const ACCOUNT = "111122223333";
export type Ev = Record<string, unknown>;

export interface Principal {
  key: string;
  identity: (r: Random, t: Date) => Ev;
  ip: (r: Random) => string;
  userAgent: (r: Random) => string;
}

const iso = (t: Date) => `${t.toISOString().slice(0, 19)}Z`;

function role(
  name: string,
  session: string,
  roleId: string,
  ips: string[],
  agents: string[],
): Principal {
  return {
    key: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/${session}`,
    identity: (r, t) => ({
      type: "AssumedRole",
      principalId: `${roleId}:${session}`,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/${session}`,
      accountId: ACCOUNT,
      accessKeyId: `ASIA${r.upper(16)}`,
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: roleId,
          arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
          accountId: ACCOUNT,
          userName: name,
        },
        webIdFederationData: {},
        attributes: {
          creationDate: iso(new Date(t.getTime() - 60_000 * (1 + r.int(50)))),
          mfaAuthenticated: "false",
        },
      },
    }),
    ip: (r) => r.pick(ips),
    userAgent: (r) => r.pick(agents),
  };
}

function user(name: string, userId: string, ips: string[], console = true): Principal {
  return {
    key: `arn:aws:iam::${ACCOUNT}:user/${name}`,
    identity: (r, t) => ({
      type: "IAMUser",
      principalId: userId,
      arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
      accountId: ACCOUNT,
      accessKeyId: console ? `ASIA${r.upper(16)}` : `AKIA${r.upper(16)}`,
      userName: name,
      ...(console
        ? {
            sessionContext: {
              sessionIssuer: {},
              webIdFederationData: {},
              attributes: {
                creationDate: iso(new Date(t.getTime() - 60_000 * (5 + r.int(120)))),
                mfaAuthenticated: "true",
              },
            },
          }
        : {}),
    }),
    ip: (r) => r.pick(ips),
    userAgent: () =>
      console
        ? "AWS Internal"
        : "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/iam.list-users",
  };
}

const GH_IPS = ["140.82.112.10", "140.82.113.21", "185.199.108.44", "192.30.252.87"];
const TF_IPS = ["10.20.1.15", "10.20.1.16"];
const OFFICE_IPS = ["52.94.133.10", "52.94.133.11", "52.94.133.12", "34.228.4.201"];

export const CI = role("ci-deployer", "gh-actions", "AROAEXAMPLECIDEPLOY1", GH_IPS, [
  "aws-sdk-js/3.540.0 ua/2.1 os/linux#6.5.0 lang/js md/nodejs#20.11.1 api/cloudformation#3.540.0",
]);
export const TF = role("terraform-automation", "tf-run", "AROAEXAMPLETERRAFORM", TF_IPS, [
  "APN/1.0 HashiCorp/1.0 Terraform/1.7.4 (+https://www.terraform.io) terraform-provider-aws/5.40.0",
]);
export const APP = role(
  "app-backend",
  "i-0a1b2c3d4e5f60718",
  "AROAEXAMPLEAPPBACKND",
  ["10.20.3.41", "10.20.3.42"],
  ["aws-sdk-java/2.25.10 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.10"],
);
export const USERS = ["alice", "bob", "carol", "dave"];
export const USER_PRINCIPALS = USERS.map((u, i) => user(u, `AIDAEXAMPLEUSER0000${i}`, OFFICE_IPS));

export const MALLORY: Principal = {
  key: `arn:aws:iam::${ACCOUNT}:user/mallory`,
  identity: (r) => ({
    type: "IAMUser",
    principalId: "AIDAEXAMPLEMALLORY01",
    arn: `arn:aws:iam::${ACCOUNT}:user/mallory`,
    accountId: ACCOUNT,
    accessKeyId: "AKIAEXAMPLEMALLORY01",
    userName: "mallory",
    ...(r.chance(0) ? {} : {}),
  }),
  ip: () => "203.0.113.66",
  userAgent: () =>
    "aws-cli/2.13.0 Python/3.11.4 Linux/6.1.0-kali9-amd64 exe/x86_64.kali.2023 prompt/off",
};

export const EVE: Principal = role(
  "dev-sandbox",
  "eve",
  "AROAEXAMPLEDEVSANDBX",
  ["198.51.100.42"],
  ["aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off"],
);

export const ROOT: Principal = {
  key: `arn:aws:iam::${ACCOUNT}:root`,
  identity: () => ({
    type: "Root",
    principalId: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:root`,
    accountId: ACCOUNT,
    accessKeyId: "ASIAEXAMPLEROOTSESS1",
    sessionContext: {
      sessionIssuer: {},
      webIdFederationData: {},
      attributes: { creationDate: "", mfaAuthenticated: "false" },
    },
  }),
  ip: () => "203.0.113.50",
  userAgent: () =>
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
};

export interface Call {
  source: string;
  name: string;
  /** Region override (global services log in us-east-1). */
  global?: boolean;
  readOnly: boolean;
  params: (r: Random) => unknown;
  response?: (r: Random) => unknown;
  resources?: (r: Random) => { ARN: string; accountId: string; type: string }[];
  category?: "Management" | "Data";
}

/**
 * A call with fixed request parameters (and response, when given); IAM's calls are global. The
 * incidents' and the quiet traffic's hand-made calls.
 */
export function fixedCall(
  source: string,
  name: string,
  params: unknown,
  { readOnly = false, response }: { readOnly?: boolean; response?: unknown } = {},
): Call {
  return {
    source,
    name,
    readOnly,
    params: () => params,
    global: source === "iam.amazonaws.com",
    ...(response === undefined ? {} : { response: () => response }),
  };
}

const BUCKETS = [
  "app-artifacts",
  "app-logs-111122223333",
  "static-site-assets",
  "terraform-state-111122223333",
];
const ROLES = [
  "app-backend",
  "ci-deployer",
  "terraform-automation",
  "lambda-exec-orders",
  "ecs-task-web",
];
const INSTANCES = ["i-0a1b2c3d4e5f60718", "i-0b2c3d4e5f6071829", "i-0c3d4e5f607182930"];
const SGS = ["sg-0a11b22c33d44e55f", "sg-0b22c33d44e55f66a", "sg-0c33d44e55f66a77b"];

export const READS: Call[] = [
  {
    source: "ec2.amazonaws.com",
    name: "DescribeInstances",
    readOnly: true,
    params: (r) => ({
      instancesSet: r.chance(0.5) ? { items: [{ instanceId: r.pick(INSTANCES) }] } : {},
      filterSet: {},
    }),
  },
  {
    source: "ec2.amazonaws.com",
    name: "DescribeSecurityGroups",
    readOnly: true,
    params: (r) => ({ securityGroupSet: { items: [{ groupId: r.pick(SGS) }] }, filterSet: {} }),
  },
  {
    source: "ec2.amazonaws.com",
    name: "DescribeVpcs",
    readOnly: true,
    params: () => ({ vpcSet: {}, filterSet: {} }),
  },
  {
    source: "ec2.amazonaws.com",
    name: "DescribeSubnets",
    readOnly: true,
    params: () => ({ subnetSet: {}, filterSet: {} }),
  },
  {
    source: "ec2.amazonaws.com",
    name: "DescribeVolumes",
    readOnly: true,
    params: () => ({ volumeSet: {}, filterSet: {} }),
  },
  {
    source: "s3.amazonaws.com",
    name: "ListBuckets",
    global: true,
    readOnly: true,
    params: () => ({ Host: "s3.amazonaws.com" }),
  },
  {
    source: "s3.amazonaws.com",
    name: "GetBucketAcl",
    readOnly: true,
    params: (r) => ({ bucketName: r.pick(BUCKETS), Host: "s3.amazonaws.com", acl: "" }),
    resources: (r) => [
      { ARN: `arn:aws:s3:::${r.pick(BUCKETS)}`, accountId: ACCOUNT, type: "AWS::S3::Bucket" },
    ],
  },
  {
    source: "s3.amazonaws.com",
    name: "GetBucketLocation",
    readOnly: true,
    params: (r) => ({ bucketName: r.pick(BUCKETS), Host: "s3.amazonaws.com", location: "" }),
  },
  {
    source: "s3.amazonaws.com",
    name: "GetBucketPolicy",
    readOnly: true,
    params: (r) => ({ bucketName: r.pick(BUCKETS), Host: "s3.amazonaws.com", policy: "" }),
  },
  {
    source: "iam.amazonaws.com",
    name: "ListRoles",
    global: true,
    readOnly: true,
    params: () => null,
  },
  {
    source: "iam.amazonaws.com",
    name: "ListUsers",
    global: true,
    readOnly: true,
    params: () => null,
  },
  {
    source: "iam.amazonaws.com",
    name: "GetRole",
    global: true,
    readOnly: true,
    params: (r) => ({ roleName: r.pick(ROLES) }),
  },
  {
    source: "iam.amazonaws.com",
    name: "ListPolicies",
    global: true,
    readOnly: true,
    params: () => ({ scope: "Local" }),
  },
  { source: "sts.amazonaws.com", name: "GetCallerIdentity", readOnly: true, params: () => null },
  { source: "kms.amazonaws.com", name: "ListKeys", readOnly: true, params: () => null },
  {
    source: "kms.amazonaws.com",
    name: "DescribeKey",
    readOnly: true,
    params: (r) => ({ keyId: `alias/${r.pick(["app-data", "terraform-state", "backups"])}` }),
  },
  {
    source: "cloudtrail.amazonaws.com",
    name: "DescribeTrails",
    readOnly: true,
    params: () => ({ includeShadowTrails: true }),
  },
  {
    source: "cloudtrail.amazonaws.com",
    name: "GetTrailStatus",
    readOnly: true,
    params: () => ({ name: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/management-trail` }),
  },
  {
    source: "lambda.amazonaws.com",
    name: "ListFunctions20150331",
    readOnly: true,
    params: () => null,
  },
  {
    source: "logs.amazonaws.com",
    name: "DescribeLogGroups",
    readOnly: true,
    params: () => ({ limit: 50 }),
  },
  {
    source: "secretsmanager.amazonaws.com",
    name: "DescribeSecret",
    readOnly: true,
    params: (r) => ({ secretId: r.pick(["prod/app/db", "prod/app/api-key"]) }),
  },
];

/** Ordinary changes, only ever made by the automation roles. */
export const AUTOMATION_WRITES: Call[] = [
  {
    source: "iam.amazonaws.com",
    name: "CreateRole",
    global: true,
    readOnly: false,
    params: (r) => ({
      roleName: `svc-${r.pick(["orders", "billing", "search"])}-${r.hex(4)}`,
      assumeRolePolicyDocument:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    }),
    response: (r) => ({ role: { roleId: `AROA${r.upper(16)}`, path: "/" } }),
  },
  {
    source: "iam.amazonaws.com",
    name: "AttachRolePolicy",
    global: true,
    readOnly: false,
    params: (r) => ({
      roleName: r.pick(ROLES),
      policyArn: r.pick([
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        `arn:aws:iam::${ACCOUNT}:policy/app-read-only`,
      ]),
    }),
  },
  {
    source: "iam.amazonaws.com",
    name: "PutRolePolicy",
    global: true,
    readOnly: false,
    params: (r) => ({
      roleName: r.pick(ROLES),
      policyName: "inline-s3-read",
      policyDocument:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::app-artifacts/*"}]}',
    }),
  },
  {
    source: "ec2.amazonaws.com",
    name: "AuthorizeSecurityGroupIngress",
    readOnly: false,
    params: (r) => ({
      groupId: r.pick(SGS),
      ipPermissions: {
        items: [
          {
            ipProtocol: "tcp",
            fromPort: r.pick([443, 5432, 6379]),
            toPort: 443,
            ipRanges: {
              items: [{ cidrIp: r.pick(["10.0.0.0/8", "10.20.0.0/16", "172.16.0.0/12"]) }],
            },
          },
        ],
      },
    }),
    response: (r) => ({
      _return: true,
      securityGroupRuleSet: { items: [{ securityGroupRuleId: `sgr-${r.hex(17)}` }] },
    }),
  },
  {
    source: "s3.amazonaws.com",
    name: "PutBucketPolicy",
    readOnly: false,
    params: (r) => ({
      bucketName: r.pick(BUCKETS),
      Host: "s3.amazonaws.com",
      policy: "",
      bucketPolicy: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      },
    }),
  },
  {
    // the application's logs expire after 90 days, and their earlier versions after 30
    source: "s3.amazonaws.com",
    name: "PutBucketLifecycle",
    readOnly: false,
    params: () => ({
      bucketName: "app-logs-111122223333",
      Host: "app-logs-111122223333.s3.us-east-1.amazonaws.com",
      lifecycle: "",
      LifecycleConfiguration: {
        Rule: {
          ID: "expire-logs",
          Status: "Enabled",
          Filter: { Prefix: "" },
          Expiration: { Days: 90 },
          NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        },
        xmlns: "http://s3.amazonaws.com/doc/2006-03-01/",
      },
    }),
  },
  {
    source: "cloudtrail.amazonaws.com",
    name: "UpdateTrail",
    readOnly: false,
    params: () => ({
      name: "management-trail",
      isMultiRegionTrail: true,
      enableLogFileValidation: true,
    }),
  },
  {
    source: "lambda.amazonaws.com",
    name: "UpdateFunctionCode20150331v2",
    readOnly: false,
    params: (r) => ({ functionName: r.pick(["orders-api", "billing-worker"]), publish: true }),
  },
];

/**
 * Secrets the workloads read in ordinary traffic: the application its two secrets, Terraform its
 * database password (a SecureString, decrypted). A few distinct ones an identity, well under
 * credential-access's bulk threshold, and only by the roles its reader_pattern names.
 */
export const SECRET_READS: { principal: Principal; call: Call }[] = [
  {
    principal: APP,
    call: {
      source: "secretsmanager.amazonaws.com",
      name: "GetSecretValue",
      readOnly: true,
      params: (r) => ({ secretId: r.pick(["prod/app/db", "prod/app/api-key"]) }),
    },
  },
  {
    principal: TF,
    call: {
      source: "ssm.amazonaws.com",
      name: "GetParameter",
      readOnly: true,
      params: () => ({ name: "/terraform/db-password", withDecryption: true }),
    },
  },
];

/**
 * AWS Backup, as its RDS calls appear in CloudTrail: the session of its service role, invoked by
 * backup.amazonaws.com, which is also the calls' address and agent.
 */
const BACKUP_ROLE = role(
  "AWSBackupDefaultServiceRole",
  "AWSBackup-AWSBackupDefaultServiceRole",
  "AROAEXAMPLEAWSBACKUP",
  ["backup.amazonaws.com"],
  ["backup.amazonaws.com"],
);
export const BACKUP: Principal = {
  ...BACKUP_ROLE,
  identity: (r, t) => ({ ...BACKUP_ROLE.identity(r, t), invokedBy: "backup.amazonaws.com" }),
};

/**
 * The database work ordinary traffic holds, none of which rds-data-protection may list:
 * Terraform's nightly manual snapshot of the orders database and its copy into us-west-2 for
 * disaster recovery, the pipeline keeping deletion protection on with 7 days of backups, and AWS
 * Backup's plan: its snapshot, its copy job under another region's key and the deletion of a
 * recovery point it expires.
 */
export const DATABASE_CALLS: { principal: Principal; calls: Call[] }[] = [
  {
    principal: TF,
    calls: [
      {
        source: "rds.amazonaws.com",
        name: "CreateDBSnapshot",
        readOnly: false,
        params: (r) => ({
          dBInstanceIdentifier: "orders-db",
          dBSnapshotIdentifier: `orders-db-${r.hex(6)}`,
        }),
        response: () => ({
          dBInstanceIdentifier: "orders-db",
          snapshotType: "manual",
          status: "creating",
        }),
      },
    ],
  },
  {
    principal: TF,
    calls: [
      {
        source: "rds.amazonaws.com",
        name: "CopyDBSnapshot",
        readOnly: false,
        params: (r) => ({
          sourceDBSnapshotIdentifier: `arn:aws:rds:us-east-1:${ACCOUNT}:snapshot:orders-db-${r.hex(6)}`,
          targetDBSnapshotIdentifier: "orders-db-dr",
          sourceRegion: "us-east-1",
        }),
        response: () => ({
          dBSnapshotIdentifier: "orders-db-dr",
          snapshotType: "manual",
          status: "pending",
        }),
      },
    ],
  },
  {
    principal: CI,
    calls: [
      {
        source: "rds.amazonaws.com",
        name: "ModifyDBInstance",
        readOnly: false,
        params: () => ({
          dBInstanceIdentifier: "orders-db",
          deletionProtection: true,
          backupRetentionPeriod: 7,
          applyImmediately: false,
        }),
      },
    ],
  },
  {
    principal: BACKUP,
    calls: [
      {
        source: "rds.amazonaws.com",
        name: "CreateDBSnapshot",
        readOnly: false,
        params: (r) => ({
          dBInstanceIdentifier: "orders-db",
          dBSnapshotIdentifier: `awsbackup:job-${r.hex(8)}`,
        }),
        response: () => ({
          dBInstanceIdentifier: "orders-db",
          snapshotType: "awsbackup",
          status: "creating",
        }),
      },
      {
        source: "rds.amazonaws.com",
        name: "CopyDBSnapshot",
        readOnly: false,
        params: (r) => ({
          sourceDBSnapshotIdentifier: `arn:aws:rds:us-east-1:${ACCOUNT}:snapshot:awsbackup:job-${r.hex(8)}`,
          targetDBSnapshotIdentifier: `awsbackup:copyjob-${r.hex(8)}`,
          kmsKeyId: `arn:aws:kms:us-west-2:${ACCOUNT}:key/backup-vault-dr`,
          copyTags: true,
        }),
        response: () => ({ snapshotType: "awsbackup", status: "pending" }),
      },
      {
        source: "rds.amazonaws.com",
        name: "DeleteDBSnapshot",
        readOnly: false,
        params: (r) => ({ dBSnapshotIdentifier: `awsbackup:job-${r.hex(8)}` }),
        response: () => ({ snapshotType: "awsbackup", status: "deleted" }),
      },
    ],
  },
];

/** An EC2 network call of the ordinary traffic. */
const net = (name: string, params: (r: Random) => unknown): Call => ({
  source: "ec2.amazonaws.com",
  name,
  readOnly: false,
  params,
});
/**
 * The network work ordinary traffic holds, only ever by the automation, none of which
 * network-paths may list: the security team's inspection sessions (Terraform mirrors the web
 * tier to its own IDS target), private subnets' default routes through the NAT gateway, the
 * public subnets' ACL entries (HTTPS and the ephemeral ports back in from anywhere, all traffic
 * out to the company's network) and the S3 endpoint's policy kept to the organization.
 */
export const NETWORK_CALLS: { principal: Principal; call: Call }[] = [
  {
    principal: TF,
    call: net("CreateTrafficMirrorSession", (r) => ({
      CreateTrafficMirrorSessionRequest: {
        NetworkInterfaceId: `eni-0web${r.hex(12)}`,
        TrafficMirrorTargetId: "tmt-0ids000000000001",
        TrafficMirrorFilterId: "tmf-0ids000000000001",
        SessionNumber: 1,
      },
    })),
  },
  {
    principal: TF,
    call: net("CreateRoute", (r) => ({
      routeTableId: `rtb-0priv${r.hex(8)}`,
      destinationCidrBlock: "0.0.0.0/0",
      natGatewayId: "nat-0a1b2c3d4e5f60718",
    })),
  },
  ...[
    { ruleNumber: 100, aclProtocol: "6", portRange: { from: 443, to: 443 } },
    { ruleNumber: 110, aclProtocol: "6", portRange: { from: 1024, to: 65535 } },
  ].map((entry) => ({
    principal: TF,
    call: net("CreateNetworkAclEntry", (r) => ({
      networkAclId: `acl-0pub${r.hex(8)}`,
      egress: false,
      ruleAction: "allow",
      cidrBlock: "0.0.0.0/0",
      icmpTypeCode: {},
      ...entry,
    })),
  })),
  {
    principal: CI,
    call: net("CreateNetworkAclEntry", (r) => ({
      networkAclId: `acl-0pub${r.hex(8)}`,
      ruleNumber: 100,
      egress: true,
      ruleAction: "allow",
      aclProtocol: "-1",
      cidrBlock: "10.0.0.0/8",
      icmpTypeCode: {},
      portRange: {},
    })),
  },
  {
    principal: TF,
    call: net("ModifyVpcEndpoint", () => ({
      ModifyVpcEndpointRequest: {
        VpcEndpointId: "vpce-0s3data0000c011",
        PolicyDocument: JSON.stringify({
          Version: "2008-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: "*",
              Action: "s3:*",
              Resource: "*",
              Condition: { StringEquals: { "aws:ResourceOrgID": "o-a1b2c3d4e5" } },
            },
          ],
        }),
      },
    })),
  },
];

/** An S3 object call (a data event), as CloudTrail records it, on `bucket`/`key`. */
export function objectCall(
  name: string,
  bucket: string,
  key: string,
  params: Record<string, unknown> = {},
): Call {
  return {
    source: "s3.amazonaws.com",
    name,
    readOnly: false,
    category: "Data",
    params: () => ({
      bucketName: bucket,
      Host: `${bucket}.s3.amazonaws.com`,
      key,
      "x-id": name,
      ...params,
    }),
    resources: () => [
      { ARN: `arn:aws:s3:::${bucket}/${key}`, accountId: ACCOUNT, type: "AWS::S3::Object" },
      { ARN: `arn:aws:s3:::${bucket}`, accountId: ACCOUNT, type: "AWS::S3::Bucket" },
    ],
  };
}

/**
 * The application removing one of its temporary exports (a DeleteObject data event): a few a
 * day, far below s3-ransomware's bulk threshold.
 */
export const OBJECT_DELETE = (r: Random): Call =>
  objectCall("DeleteObject", "app-artifacts", `exports/tmp-${r.hex(8)}.csv`);

/** The pipeline's deploy step: a shell script run on an application instance (Run Command). */
export const DEPLOY_COMMAND: Call = {
  source: "ssm.amazonaws.com",
  name: "SendCommand",
  readOnly: false,
  params: (r) => ({
    documentName: "AWS-RunShellScript",
    instanceIds: [r.pick(INSTANCES)],
    interactive: false,
    parameters: "HIDDEN_DUE_TO_SECURITY_REASONS",
  }),
  response: (r) => ({
    command: { commandId: r.uuid(), documentName: "AWS-RunShellScript", status: "Pending" },
  }),
};

export const SERVICE_CALLS: { invokedBy: string; call: Call }[] = [
  {
    invokedBy: "ec2.amazonaws.com",
    call: {
      source: "sts.amazonaws.com",
      name: "AssumeRole",
      readOnly: true,
      params: (r) => ({
        roleArn: `arn:aws:iam::${ACCOUNT}:role/app-backend`,
        roleSessionName: r.pick(INSTANCES),
      }),
      resources: () => [
        {
          ARN: `arn:aws:iam::${ACCOUNT}:role/app-backend`,
          accountId: ACCOUNT,
          type: "AWS::IAM::Role",
        },
      ],
    },
  },
  {
    invokedBy: "lambda.amazonaws.com",
    call: {
      source: "sts.amazonaws.com",
      name: "AssumeRole",
      readOnly: true,
      params: (r) => ({
        roleArn: `arn:aws:iam::${ACCOUNT}:role/lambda-exec-orders`,
        roleSessionName: `orders-api-${r.hex(6)}`,
      }),
    },
  },
  {
    invokedBy: "cloudtrail.amazonaws.com",
    call: {
      source: "kms.amazonaws.com",
      name: "GenerateDataKey",
      readOnly: true,
      params: () => ({
        keySpec: "AES_256",
        encryptionContext: { "aws:cloudtrail:arn": "management-trail" },
      }),
    },
  },
];

export interface Ctx {
  r: Random;
  t: Date;
  region: string;
}

export function baseEvent(
  c: Ctx,
  p: Principal | null,
  call: Call,
  extra: { errorCode?: string; errorMessage?: string; invokedBy?: string } = {},
): Ev {
  const { r, t } = c;
  const region = call.global ? "us-east-1" : c.region;
  const host = `${call.source.replace(".amazonaws.com", "")}.${region}.amazonaws.com`;
  const ev: Ev = {
    eventVersion: "1.09",
    userIdentity: p
      ? p.identity(r, t)
      : { type: "AWSService", invokedBy: extra.invokedBy ?? "ec2.amazonaws.com" },
    eventTime: iso(t),
    eventSource: call.source,
    eventName: call.name,
    awsRegion: region,
    sourceIPAddress: p ? p.ip(r) : (extra.invokedBy ?? "ec2.amazonaws.com"),
    userAgent: p ? p.userAgent(r) : (extra.invokedBy ?? "ec2.amazonaws.com"),
  };
  if (extra.errorCode) {
    ev.errorCode = extra.errorCode;
    ev.errorMessage = extra.errorMessage ?? "Access Denied";
  }
  ev.requestParameters = call.params(r);
  ev.responseElements = extra.errorCode ? null : (call.response?.(r) ?? null);
  ev.requestID = r.uuid();
  ev.eventID = r.uuid();
  ev.readOnly = call.readOnly;
  if (call.resources) ev.resources = call.resources(r);
  ev.eventType = "AwsApiCall";
  ev.managementEvent = call.category !== "Data";
  ev.recipientAccountId = ACCOUNT;
  ev.eventCategory = call.category ?? "Management";
  if (p) {
    ev.tlsDetails = {
      tlsVersion: r.chance(0.8) ? "TLSv1.3" : "TLSv1.2",
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      clientProvidedHostHeader: host,
    };
  }
  return ev;
}

export function consoleLogin(
  c: Ctx,
  p: Principal,
  opts: { success: boolean; mfa: boolean; ip?: string; userName?: string },
): Ev {
  const { r, t } = c;
  const identity = p.identity(r, t);
  delete identity.accessKeyId;
  delete identity.sessionContext;
  if (opts.userName) identity.userName = opts.userName;
  const ev: Ev = {
    eventVersion: "1.09",
    userIdentity: identity,
    eventTime: iso(t),
    eventSource: "signin.amazonaws.com",
    eventName: "ConsoleLogin",
    awsRegion: "us-east-1",
    sourceIPAddress: opts.ip ?? p.ip(r),
    userAgent:
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15",
  };
  if (!opts.success) ev.errorMessage = "Failed authentication";
  ev.requestParameters = null;
  ev.responseElements = { ConsoleLogin: opts.success ? "Success" : "Failure" };
  ev.additionalEventData = {
    LoginTo: "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
    MobileVersion: "No",
    MFAUsed: opts.mfa ? "Yes" : "No",
  };
  ev.eventID = r.uuid();
  ev.readOnly = false;
  ev.eventType = "AwsConsoleSignIn";
  ev.managementEvent = true;
  ev.recipientAccountId = ACCOUNT;
  ev.eventCategory = "Management";
  ev.tlsDetails = {
    tlsVersion: "TLSv1.3",
    cipherSuite: "TLS_AES_128_GCM_SHA256",
    clientProvidedHostHeader: "signin.aws.amazon.com",
  };
  return ev;
}

export function createAccessKey(c: Ctx, p: Principal, forUser: string): Ev {
  const call: Call = {
    source: "iam.amazonaws.com",
    name: "CreateAccessKey",
    global: true,
    readOnly: false,
    params: () => ({ userName: forUser }),
    response: (r) => ({
      accessKey: {
        accessKeyId: `AKIA${r.upper(16)}`,
        status: "Active",
        userName: forUser,
        createDate: `${c.t.toUTCString().slice(5, 16)} ${c.t.toISOString().slice(11, 19)} PM`,
      },
    }),
  };
  return baseEvent(c, p, call);
}

export function accessDenied(c: Ctx, p: Principal, call: Call, ec2 = false): Ev {
  const action = `${call.source.split(".")[0]}:${call.name.replace(/\d{8}(v\d)?$/, "")}`;
  return baseEvent(c, p, call, {
    errorCode: ec2 ? "Client.UnauthorizedOperation" : "AccessDenied",
    errorMessage: ec2
      ? "You are not authorized to perform this operation."
      : `User: ${p.key} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
  });
}

/**
 * reconnaissance: an enumeration sweep's reads, 36 actions of 15 services (what enumerate-iam or
 * Pacu's enumeration modules call first). The leaked key of incident 19 calls them, and
 * terraform-automation's nightly drift check reads as widely (automation: it must not page).
 */
export const SWEEP_READS: Call[] = (
  [
    ["iam", "ListUsers"],
    ["iam", "ListRoles"],
    ["iam", "ListGroups"],
    ["iam", "ListPolicies"],
    ["iam", "GetAccountSummary"],
    ["iam", "GetAccountPasswordPolicy"],
    ["iam", "ListAccessKeys"],
    ["iam", "GetUser"],
    ["ec2", "DescribeInstances"],
    ["ec2", "DescribeVpcs"],
    ["ec2", "DescribeSubnets"],
    ["ec2", "DescribeSecurityGroups"],
    ["ec2", "DescribeSnapshots"],
    ["ec2", "DescribeImages"],
    ["ec2", "DescribeKeyPairs"],
    ["ec2", "DescribeRegions"],
    ["s3", "ListBuckets"],
    ["s3", "GetBucketPolicy"],
    ["s3", "GetBucketAcl"],
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
  ] as const
).map(([service, name]) => ({
  source: `${service}.amazonaws.com`,
  name,
  readOnly: true,
  global: service === "iam" || service === "organizations",
  params: (r: Random) =>
    service === "s3" && name !== "ListBuckets"
      ? { bucketName: r.pick(BUCKETS), Host: "s3.amazonaws.com" }
      : null,
}));

const SES_QUOTA: Call = {
  source: "ses.amazonaws.com",
  name: "GetSendQuota",
  readOnly: true,
  params: () => null,
};
const TRUSTED_ADVISOR = role(
  "AWSServiceRoleForTrustedAdvisor",
  `TrustedAdvisor_${ACCOUNT}_3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b`,
  "AROAEXAMPLETRUSTADVS",
  ["trustedadvisor.amazonaws.com"],
  ["trustedadvisor.amazonaws.com"],
);

/**
 * The quiet traffic of each day of [start, end), from the first whole day with `wholeDays`:
 * `fill` gives a day's events, `at(hours)` a time that many hours into day `d` plus a random
 * minute (0-29); events outside the window are dropped.
 */
function eachDay(
  r: Random,
  start: Date,
  end: Date,
  fill: (at: (hours: number) => Date, d: number) => Ev[],
  wholeDays = false,
): Ev[] {
  const day = 24 * 3600_000;
  const out: Ev[] = [];
  const first = (wholeDays ? Math.ceil : Math.floor)(start.getTime() / day) * day;
  for (let d = first; d < end.getTime(); d += day) {
    out.push(...fill((hours) => new Date(d + hours * 3600_000 + r.int(30) * 60_000), d));
  }
  return out.filter((e) => {
    const t = Date.parse(String(e.eventTime));
    return t >= start.getTime() && t < end.getTime();
  });
}

/**
 * What reconnaissance must not page on, each day of [start, end): terraform-automation's drift
 * check reading SWEEP_READS's 36 actions in six minutes (automation), the application checking
 * its SES sending quota twice (a sender) and Trusted Advisor checking it (AWS's own), in `region`
 * (us-east-1 when generated). It draws from a random stream of its own, so the rest of the
 * traffic stays as it was.
 */
export function quietReconTraffic(r: Random, start: Date, end: Date, region: string): Ev[] {
  return eachDay(r, start, end, (at) => {
    const out: Ev[] = [];
    const drift = at(2);
    SWEEP_READS.forEach((call, i) => {
      out.push(baseEvent({ r, t: new Date(drift.getTime() + i * 10_000), region }, TF, call));
    });
    for (const h of [9, 17]) out.push(baseEvent({ r, t: at(h), region }, APP, SES_QUOTA));
    out.push(baseEvent({ r, t: at(4), region }, TRUSTED_ADVISOR, SES_QUOTA));
    return out;
  });
}

/** An Identity Center permission set's role session, as the access portal signs a person in. */
const PORTAL_SESSION = role(
  "AWSReservedSSO_ReadOnly_0a1b2c3d4e5f6a7b",
  "ann@example.com",
  "AROAEXAMPLEPORTALRO1",
  ["52.94.133.10", "52.94.133.11"],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the access portal's agent, as it sends it
  ["Jersey/${project.version}"],
);

/**
 * sign-in-persistence: the ordinary sign-in work it must not page on. Each day Terraform assigns
 * the read-only permission set to a group of the account (IAM Identity Center, in code) and
 * adds a member to that group, and people open the console from Identity Center's access
 * portal twice (GetSigninToken by the permission set's AWSReservedSSO_ role session).
 */
export function signInTraffic(r: Random, start: Date, end: Date, region: string): Ev[] {
  const instance = "arn:aws:sso:::instance/ssoins-72230000c0110021";
  const assign: Call = {
    source: "sso.amazonaws.com",
    name: "CreateAccountAssignment",
    readOnly: false,
    params: (r) => ({
      instanceArn: instance,
      targetId: ACCOUNT,
      targetType: "AWS_ACCOUNT",
      permissionSetArn: "arn:aws:sso:::permissionSet/ssoins-72230000c0110021/ps-0read000000000001",
      principalType: "GROUP",
      principalId: `9067${r.hex(4)}-0000-4000-8000-readers00001`,
    }),
  };
  const member: Call = {
    source: "identitystore.amazonaws.com",
    name: "CreateGroupMembership",
    readOnly: false,
    params: (r) => ({
      identityStoreId: "d-9067c01121",
      groupId: "9067c011-0000-4000-8000-readers00001",
      memberId: { userId: `9067${r.hex(4)}-0000-4000-8000-${r.hex(12)}` },
    }),
  };
  const portal: Call = {
    source: "signin.amazonaws.com",
    name: "GetSigninToken",
    readOnly: false,
    params: () => null,
  };
  return eachDay(r, start, end, (at) => {
    const out: Ev[] = [];
    out.push(baseEvent({ r, t: at(3), region }, TF, assign));
    out.push(baseEvent({ r, t: at(3.5), region }, TF, member));
    for (const h of [8, 14]) out.push(baseEvent({ r, t: at(h), region }, PORTAL_SESSION, portal));
    return out;
  });
}

/**
 * The build and registry work build-and-registry must not page on, each day: the pipeline's
 * build pushing the payments-api image under the commit's tag, Terraform keeping the prod
 * cluster's control-plane logs on, and bob re-running the project's build by hand without
 * overriding anything.
 */
export function buildTraffic(r: Random, start: Date, end: Date, region: string): Ev[] {
  const push: Call = {
    source: "ecr.amazonaws.com",
    name: "PutImage",
    readOnly: false,
    params: (r) => ({
      repositoryName: "payments-api",
      imageTag: r.hex(7),
      imageManifestMediaType: "application/vnd.docker.distribution.manifest.v2+json",
    }),
  };
  const logging: Call = {
    source: "eks.amazonaws.com",
    name: "UpdateClusterConfig",
    readOnly: false,
    params: () => ({
      name: "prod",
      logging: { clusterLogging: [{ types: ["api", "audit", "authenticator"], enabled: true }] },
    }),
  };
  const rerun: Call = {
    source: "codebuild.amazonaws.com",
    name: "StartBuild",
    readOnly: false,
    params: () => ({ projectName: "payments-api" }),
  };
  const bob = USER_PRINCIPALS[1] as Principal;
  return eachDay(r, start, end, (at) => {
    const out: Ev[] = [];
    out.push(baseEvent({ r, t: at(10), region }, CI, push));
    out.push(baseEvent({ r, t: at(4), region }, TF, logging));
    out.push(baseEvent({ r, t: at(15), region }, bob, rerun));
    return out;
  });
}

/**
 * privilege-escalation: the ordinary IAM and stack work it must not page on. Each day Terraform
 * makes a new default version of a managed policy and adds a user to the Admins group (access
 * in code), and the pipeline updates a CloudFormation stack with its service role (ordinary
 * builds are `buildTraffic`'s: CodeBuild is build-and-registry's).
 */
export function privilegeTraffic(r: Random, start: Date, end: Date, region: string): Ev[] {
  const version = fixedCall("iam.amazonaws.com", "CreatePolicyVersion", {
    policyArn: `arn:aws:iam::${ACCOUNT}:policy/app-backend-access`,
    policyDocument:
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:GetSecretValue"],"Resource":"arn:aws:secretsmanager:us-east-1:111122223333:secret:app/*"}]}',
    setAsDefault: true,
  });
  const member = fixedCall("iam.amazonaws.com", "AddUserToGroup", {
    groupName: "Admins",
    userName: "alice",
  });
  const stack = fixedCall("cloudformation.amazonaws.com", "UpdateStack", {
    stackName: "web-app",
    roleARN: `arn:aws:iam::${ACCOUNT}:role/cfn-deployer`,
  });
  return eachDay(r, start, end, (at) => {
    const out: Ev[] = [];
    out.push(baseEvent({ r, t: at(3.2), region }, TF, version));
    out.push(baseEvent({ r, t: at(3.4), region }, TF, member));
    out.push(baseEvent({ r, t: at(11), region }, CI, stack));
    return out;
  });
}

/**
 * The CreateAccountResult service event Organizations records when an account it was asked for
 * is created (no caller: AWS Internal), carrying the request's `createAccountStatus.id`.
 */
export function accountCreatedEvent(
  c: Ctx,
  status: { id: string; accountId: string; accountName: string },
): Ev {
  const call: Call = {
    source: "organizations.amazonaws.com",
    name: "CreateAccountResult",
    readOnly: false,
    params: () => null,
  };
  return {
    ...baseEvent({ ...c, region: "us-east-1" }, null, call, { invokedBy: "AWS Internal" }),
    userIdentity: { accountId: ACCOUNT, invokedBy: "AWS Internal" },
    eventType: "AwsServiceEvent",
    serviceEventDetails: { createAccountStatus: { ...status, state: "SUCCEEDED" } },
  };
}

/**
 * The organization and account work account-guardrails must not page on, each whole day of the
 * window: Terraform's account vending (`CreateAccount` for a sandbox account, then the
 * `CreateAccountResult` Organizations records for it seconds later, which names no caller and is matched to
 * Terraform's request by its id), and Terraform re-applying a password policy at least as strict
 * as the runbook asks (16 characters, 24 remembered: not listed even with no automation named). A partial first day is left out,
 * so a window starting within it never holds a result without its request.
 */
export function guardrailTraffic(r: Random, start: Date, end: Date): Ev[] {
  const day = 24 * 3600_000;
  return eachDay(
    r,
    start,
    end,
    (at, d) => {
      const out: Ev[] = [];
      const t = at(11);
      const n = (d - Math.ceil(start.getTime() / day) * day) / day + 1;
      const accountName = `sandbox-${n}`;
      const status = { id: `car-${r.hex(12)}`, accountName };
      const vend: Call = {
        source: "organizations.amazonaws.com",
        name: "CreateAccount",
        readOnly: false,
        params: () => ({ email: `aws+${accountName}@example.com`, accountName }),
        response: () => ({ createAccountStatus: { ...status, state: "IN_PROGRESS" } }),
      };
      const policy: Call = {
        source: "iam.amazonaws.com",
        name: "UpdateAccountPasswordPolicy",
        readOnly: false,
        global: true,
        params: () => ({
          minimumPasswordLength: 16,
          passwordReusePrevention: 24,
          requireSymbols: true,
          requireNumbers: true,
          allowUsersToChangePassword: true,
        }),
      };
      const accountId = `9${String(r.int(1e11)).padStart(11, "0")}`;
      out.push(baseEvent({ r, t, region: "us-east-1" }, TF, vend));
      out.push(
        accountCreatedEvent(
          { r, t: new Date(t.getTime() + 3_000), region: "us-east-1" },
          {
            ...status,
            accountId,
          },
        ),
      );
      out.push(baseEvent({ r, t: at(14), region: "us-east-1" }, TF, policy));
      return out;
    },
    true,
  );
}

/**
 * A caller outside this account's own principals, as CloudTrail records it in the role's
 * account (the IAM User Guide's AWS STS examples): another account's principal (`AWSAccount`:
 * its account and principal id only), a web identity (`WebIdentityUser`) or a SAML user
 * (`SAMLUser`) named by its provider.
 */
export function outsider(identity: Ev, ips: string[], agent: string): Principal {
  return {
    key: String(identity.arn ?? identity.principalId),
    identity: () => ({ ...identity }),
    ip: (r) => r.pick(ips),
    userAgent: () => agent,
  };
}

/** A web identity of `provider` whose token's subject and audience are these. */
export const webIdentity = (provider: string, subject: string, audience: string, ips: string[]) =>
  outsider(
    {
      type: "WebIdentityUser",
      principalId: `${provider}:${audience}:${subject}`,
      userName: subject,
      identityProvider: provider,
    },
    ips,
    "aws-sdk-js/3.540.0 ua/2.1 os/linux#6.5.0 lang/js md/nodejs#20.11.1 api/sts#3.540.0",
  );

/** A SAML user of the provider whose signing key hashes to `qualifier`. */
export const samlUser = (qualifier: string, subject: string, ips: string[]) =>
  outsider(
    {
      type: "SAMLUser",
      principalId: `${qualifier}:${subject}`,
      userName: subject,
      identityProvider: qualifier,
    },
    ips,
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
  );

/** The GitHub Actions OpenID Connect provider of the account. */
export const GITHUB_OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

/**
 * An assumption of this account's role `role` (`AssumeRole`, `AssumeRoleWithWebIdentity` or
 * `AssumeRoleWithSAML`) with the session `session`; `request` and `response` add what the call
 * records beyond the role and the credentials.
 */
export function assumeRoleCall(
  name: "AssumeRole" | "AssumeRoleWithWebIdentity" | "AssumeRoleWithSAML",
  role: string,
  session: string,
  request: Record<string, unknown> = {},
  response: Record<string, unknown> = {},
): Call {
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/${role}`;
  return {
    source: "sts.amazonaws.com",
    name,
    readOnly: true,
    params: () => ({ roleArn, roleSessionName: session, durationSeconds: 3600, ...request }),
    response: (r) => ({
      credentials: {
        accessKeyId: `ASIA${r.upper(16)}`,
        sessionToken: "<encoded session token blob>",
        expiration: "in one hour",
      },
      assumedRoleUser: {
        assumedRoleId: `AROA${r.upper(16)}:${session}`,
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role.split("/").pop()}/${session}`,
      },
      ...response,
    }),
    resources: () => [{ ARN: roleArn, accountId: ACCOUNT, type: "AWS::IAM::Role" }],
  };
}

/**
 * outside-role-use: the assumptions from outside this account it must not page on, each day:
 * the organization's audit account's role assuming security-audit, the payments-api
 * repository's GitHub Actions workflow assuming ci-deployer twice, the orders service account
 * of the EKS cluster assuming its role (IRSA) twice, and a person of the access portal
 * federating into the read-only permission set's role through Identity Center's SAML provider.
 */
export function outsideRoleTraffic(r: Random, start: Date, end: Date, region: string): Ev[] {
  const audit = outsider(
    {
      type: "AssumedRole",
      principalId: "AROAEXAMPLEORGAUDIT1:audit-run",
      arn: "arn:aws:sts::222233334444:assumed-role/org-audit/audit-run",
      accountId: "222233334444",
    },
    ["54.240.196.12"],
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10 lang/python#3.12.2 exec-env/AWS_Lambda_python3.12",
  );
  const repository = "repo:example-corp/payments-api:ref:refs/heads/main";
  const workflow = webIdentity(GITHUB_OIDC, repository, "sts.amazonaws.com", GH_IPS);
  const eks = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${region}.amazonaws.com/id/5E1F0A77C3D2C0110025`;
  const serviceAccount = "system:serviceaccount:orders:orders-api";
  const pod = webIdentity(eks, serviceAccount, "sts.amazonaws.com", ["10.0.12.34"]);
  const person = samlUser("Zp0RtAlS1gnInGkEyHaSh0001=", "ann@example.com", ["52.94.133.10"]);
  const web = (role: string, session: string, provider: string, subject: string) =>
    assumeRoleCall(
      "AssumeRoleWithWebIdentity",
      role,
      session,
      {},
      {
        provider,
        subjectFromWebIdentityToken: subject,
        audience: "sts.amazonaws.com",
      },
    );
  return eachDay(r, start, end, (at) => {
    const out: Ev[] = [];
    out.push(
      baseEvent(
        { r, t: at(2), region },
        audit,
        assumeRoleCall("AssumeRole", "security-audit", "audit-run"),
      ),
    );
    for (const h of [9, 15])
      out.push(
        baseEvent(
          { r, t: at(h), region },
          workflow,
          web("ci-deployer", "GitHubActions", GITHUB_OIDC, repository),
        ),
      );
    for (const h of [6, 18])
      out.push(
        baseEvent(
          { r, t: at(h), region },
          pod,
          web("orders-api-irsa", `botocore-session-${r.int(1e10)}`, eks, serviceAccount),
        ),
      );
    const sso = `arn:aws:iam::${ACCOUNT}:saml-provider/AWSSSO_5e1f0a77c3d2c011_DO_NOT_DELETE`;
    const federate = assumeRoleCall(
      "AssumeRoleWithSAML",
      "aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly_0a1b2c3d4e5f6a7b",
      "ann@example.com",
      { principalArn: sso },
      {
        subjectType: "persistent",
        issuer: "https://portal.sso.us-east-1.amazonaws.com/saml/assertion/MTExMTIyMjIzMzMz",
        subject: "ann@example.com",
        audience: "https://signin.aws.amazon.com/saml",
        nameQualifier: "Zp0RtAlS1gnInGkEyHaSh0001=",
      },
    );
    out.push(baseEvent({ r, t: at(7.9), region }, person, federate));
    return out;
  });
}
