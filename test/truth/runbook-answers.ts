/**
 * What the bundled runbooks' steps should answer over a directory of generated CloudTrail logs,
 * computed without any query engine: small JavaScript functions over the raw records. Each engine
 * (local, athena through the emulator, logs through the emulator) is compared with these, not
 * with another engine. SQL steps follow Athena's table (string columns, JSON text payloads,
 * NULL for missing values); Logs Insights steps follow docs/engines.md (missing fields match no
 * comparison, `@timestamp` printed as `YYYY-MM-DD HH:MM:SS.mmm`).
 */
import { readdirSync, readFileSync } from "node:fs";
import { BlockList, isIPv4, isIPv6 } from "node:net";
import path from "node:path";
import zlib from "node:zlib";
import type { JsonValue } from "@run-md/core";
import { type Event, field, text } from "./published-answers.ts";

/** Every record of every `.json.gz` file under `dir` (the generator's S3 layout). */
export function readGenerated(dir: string): Event[] {
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) =>
    f.endsWith(".json.gz"),
  );
  return files.flatMap(
    (f) =>
      (
        JSON.parse(zlib.gunzipSync(readFileSync(path.join(dir, f))).toString("utf8")) as {
          Records: Event[];
        }
      ).Records,
  );
}

type Rows = JsonValue[][];
/** `params`: the values the run bound (the runbook's defaults), as its report records them. */
type Params = Record<string, JsonValue>;
type Step = (events: Event[], params: Params) => Rows;

const str = (e: Event, p: string) => text(field(e, p));
const is = (e: Event, p: string, ...values: string[]) => values.includes(str(e, p) as string);
const noError = (e: Event) => str(e, "errorCode") === null;
/** `json_extract_scalar(<payload>, '$.a.b')`: a scalar's text, NULL for objects and arrays. */
const scalar = (e: Event, p: string) => {
  const v = field(e, p);
  return v !== null && typeof v === "object" ? null : text(v);
};
/** Logs Insights' `@timestamp` text of the event time. */
const stamp = (e: Event) =>
  new Date(str(e, "eventTime") as string).toISOString().replace("T", " ").slice(0, 23);

/** `GROUP BY` the key columns, with one aggregate row per group. */
function groupBy<T>(events: T[], key: (e: T) => JsonValue[], agg: (g: T[]) => JsonValue[]): Rows {
  const groups = new Map<string, { key: JsonValue[]; events: T[] }>();
  for (const e of events) {
    const k = key(e);
    const g = groups.get(JSON.stringify(k)) ?? { key: k, events: [] };
    g.events.push(e);
    groups.set(JSON.stringify(k), g);
  }
  return [...groups.values()].map((g) => [...g.key, ...agg(g.events)]);
}

/** SQL `LIKE` with `%` and `_`, as a test on a value (NULL never matches). */
function like(v: string | null, pattern: JsonValue): boolean {
  const re = String(pattern)
    .split("")
    .map((c) => (c === "%" ? ".*" : c === "_" ? "." : c.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&")))
    .join("");
  return v !== null && new RegExp(`^${re}$`, "s").test(v);
}

/**
 * `regexp_like(coalesce(useridentity.arn, ''), {{automation_pattern}})`, and in Logs Insights
 * `userIdentity.arn like {{automation_pattern}}` (the same regular expression, JavaScript's here).
 */
const automated = (e: Event, p: Params) =>
  new RegExp(String(p.automation_pattern)).test(str(e, "userIdentity.arn") ?? "");

/** The caller's ARN, or for a caller without one (another account's) its principal id or account. */
const caller = (e: Event) =>
  str(e, "userIdentity.arn") ??
  str(e, "userIdentity.principalId") ??
  str(e, "userIdentity.accountId");

/** A total order on rows by the given columns, each ascending or descending. */
function orderBy(rows: Rows, ...keys: Array<[number, "asc" | "desc"]>): Rows {
  const cmp = (a: JsonValue, b: JsonValue) =>
    typeof a === "number" && typeof b === "number"
      ? a - b
      : String(a) < String(b)
        ? -1
        : String(a) > String(b)
          ? 1
          : 0;
  return [...rows].sort((x, y) => {
    for (const [i, dir] of keys) {
      const c = cmp(x[i]!, y[i]!);
      if (c !== 0) return dir === "asc" ? c : -c;
    }
    return 0;
  });
}

/**
 * A key or password call on the caller's own user: never when the caller has no user name (a role
 * session or the root user has no user of its own).
 */
function ownKeyChange(e: Event): boolean {
  if (
    !is(e, "eventName", "CreateAccessKey", "DeleteAccessKey", "UpdateAccessKey", "ChangePassword")
  )
    return false;
  const own = str(e, "userIdentity.userName");
  if (own === null) return false;
  return (scalar(e, "requestParameters.userName") ?? own) === own;
}

const distinct = (events: Event[], p: string) =>
  new Set(events.map((e) => str(e, p)).filter((v) => v !== null)).size;

const SG_EVENTS = [
  "AuthorizeSecurityGroupIngress",
  "AuthorizeSecurityGroupEgress",
  "RevokeSecurityGroupIngress",
  "RevokeSecurityGroupEgress",
  "CreateSecurityGroup",
  "DeleteSecurityGroup",
];
/** The CloudTrail calls that stop, remove or narrow a trail or an event data store. */
const TRAIL_EVENTS = [
  "StopLogging",
  "DeleteTrail",
  "UpdateTrail",
  "PutEventSelectors",
  "PutInsightSelectors",
  "DeleteEventDataStore",
  "StopEventDataStoreIngestion",
];
/** Where ModifySecurityGroupRules records the rule it rewrites. */
const MODIFIED_RULE =
  "requestParameters.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule";
/** The group a security-group call names: `groupId`, or ModifySecurityGroupRules' `GroupId`. */
const groupId = (e: Event) =>
  scalar(e, "requestParameters.groupId") ??
  scalar(e, "requestParameters.ModifySecurityGroupRulesRequest.GroupId");
/**
 * A rule whose IPv4 or IPv6 range has a /0 prefix, in any of the request's shapes. The payload's
 * keys are walked (not its text searched), with their exact spelling: `cidrIp`, `cidrIpv6`, or
 * ModifySecurityGroupRules' `CidrIpv4`, `CidrIpv6`.
 */
function worldOpen(e: Event): boolean {
  const keys = new Set(["cidrIp", "cidrIpv6", "CidrIpv4", "CidrIpv6"]);
  const walk = (v: unknown): boolean =>
    Array.isArray(v)
      ? v.some(walk)
      : v !== null && typeof v === "object"
        ? Object.entries(v).some(
            ([k, x]) => (keys.has(k) && typeof x === "string" && x.endsWith("/0")) || walk(x),
          )
        : false;
  return walk(field(e, "requestParameters"));
}
/** The KMS calls that make a key unusable: disabled, deletion scheduled, imported material deleted. */
const keyLoss = (e: Event) =>
  is(e, "eventSource", "kms.amazonaws.com") &&
  is(e, "eventName", "DisableKey", "ScheduleKeyDeletion", "DeleteImportedKeyMaterial") &&
  noError(e);
/** A key policy replaced (`PutKeyPolicy`) that succeeded. */
const keyPolicyChange = (e: Event) =>
  is(e, "eventSource", "kms.amazonaws.com") && is(e, "eventName", "PutKeyPolicy") && noError(e);
/** The account-level S3 Block Public Access settings, under `requestParameters`. */
const BLOCK = "requestParameters.PublicAccessBlockConfiguration";
const BLOCK_SETTINGS = [
  "BlockPublicAcls",
  "IgnorePublicAcls",
  "BlockPublicPolicy",
  "RestrictPublicBuckets",
];
/** A JSON number, or text that is one written plainly ("1", "0.0"); else NaN. */
const numberOf = (v: unknown) =>
  typeof v === "number" ? v : typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
/**
 * A setting that is on / off, in both dialects alike: a JSON boolean, the same as text in any
 * case ("true", "FALSE", as some producers write booleans), or a number 1 / 0 (1.0, "0").
 */
const settingOn = (v: unknown) =>
  v === true || (typeof v === "string" && v.toLowerCase() === "true") || numberOf(v) === 1;
const settingOff = (v: unknown) =>
  v === false || (typeof v === "string" && v.toLowerCase() === "false") || numberOf(v) === 0;
/**
 * The account's S3 Block Public Access deleted, or put with a setting that is not on (false or
 * left out); `on` tells a setting that is on.
 */
function accountBlockOpened(e: Event, on: (v: unknown) => boolean): boolean {
  if (!is(e, "eventSource", "s3.amazonaws.com") || !noError(e)) return false;
  if (is(e, "eventName", "DeleteAccountPublicAccessBlock")) return true;
  return (
    is(e, "eventName", "PutAccountPublicAccessBlock") &&
    !BLOCK_SETTINGS.every((s) => on(field(e, `${BLOCK}.${s}`)))
  );
}
/** GuardDuty calls that blind it without deleting the detector (UpdateDetector is apart). */
const GUARDDUTY_WEAKENED = [
  "DisassociateFromMasterAccount",
  "DisassociateFromAdministratorAccount",
  "DeleteMembers",
  "DisassociateMembers",
  "StopMonitoringMembers",
  "DisableOrganizationAdminAccount",
];
/** UpdateDetector's switches of the whole detector and of the older data sources, in its request. */
const DETECTOR_SWITCHES = [
  "enable",
  "dataSources.s3Logs.enable",
  "dataSources.kubernetes.auditLogs.enable",
  "dataSources.malwareProtection.scanEc2InstanceWithFindings.ebsVolumes",
];
/**
 * An UpdateDetector that suspends the detector, switches an older data source off, or lists a
 * protection plan (any item of `features`) as DISABLED.
 */
function detectorWeakened(e: Event, disabled: (v: unknown) => boolean): boolean {
  const features = field(e, "requestParameters.features");
  return (
    DETECTOR_SWITCHES.some((k) => disabled(field(e, `requestParameters.${k}`))) ||
    (Array.isArray(features) &&
      features.some((f) => f !== null && typeof f === "object" && f.status === "DISABLED"))
  );
}
/**
 * GuardDuty, IAM Access Analyzer or Macie weakened by a call that succeeded; `disabled` tells
 * a setting of UpdateDetector that is off.
 */
function detectionWeakened(e: Event, disabled: (v: unknown) => boolean): boolean {
  if (!noError(e)) return false;
  if (is(e, "eventSource", "guardduty.amazonaws.com"))
    return (
      is(e, "eventName", ...GUARDDUTY_WEAKENED) ||
      (is(e, "eventName", "UpdateDetector") && detectorWeakened(e, disabled))
    );
  if (is(e, "eventSource", "access-analyzer.amazonaws.com"))
    return is(e, "eventName", "DeleteAnalyzer");
  if (!is(e, "eventSource", "macie2.amazonaws.com")) return false;
  return (
    is(e, "eventName", "DisableMacie", "DisableOrganizationAdminAccount") ||
    (is(e, "eventName", "UpdateMacieSession", "UpdateMemberSession") &&
      field(e, "requestParameters.status") === "PAUSED")
  );
}
const DENIED = [
  "AccessDenied",
  "Client.UnauthorizedOperation",
  "UnauthorizedOperation",
  "AccessDeniedException",
  "VpceAccessDenied",
];

/** `runbook-id/step-id` → the step's rows (in no particular order unless its query limits them). */
/** The places a snapshot, image or DB snapshot share names whom it adds (the first one). */
const SHARE_GRANTEES = [
  "createVolumePermission.add.items.0.userId",
  "createVolumePermission.add.items.0.group",
  "launchPermission.add.items.0.userId",
  "launchPermission.add.items.0.group",
  "launchPermission.add.items.0.organizationArn",
  "launchPermission.add.items.0.organizationalUnitArn",
  "valuesToAdd.0",
];

/**
 * Whom a successful snapshot, image or DB snapshot attribute change adds (its first grantee), or
 * null when it adds nobody (it only removes, it was refused, or it is another call).
 */
function sharedWith(e: Event): string | null {
  if (!noError(e)) return null;
  const ec2 =
    is(e, "eventSource", "ec2.amazonaws.com") &&
    is(e, "eventName", "ModifySnapshotAttribute", "ModifyImageAttribute");
  const rds =
    is(e, "eventSource", "rds.amazonaws.com") &&
    is(e, "eventName", "ModifyDBSnapshotAttribute", "ModifyDBClusterSnapshotAttribute") &&
    scalar(e, "requestParameters.attributeName") === "restore";
  if (!ec2 && !rds) return null;
  for (const p of SHARE_GRANTEES) {
    const v = scalar(e, `requestParameters.${p}`);
    if (v !== null) return v;
  }
  return null;
}

/** A successful Lambda permission for the principal `*` that no organization condition narrows. */
const publicFunction = (e: Event) =>
  is(e, "eventSource", "lambda.amazonaws.com") &&
  (str(e, "eventName") ?? "").startsWith("AddPermission") &&
  noError(e) &&
  scalar(e, "requestParameters.principal") === "*" &&
  field(e, "requestParameters.principalOrgID") == null;

const trustAnchor = (e: Event) =>
  is(e, "eventSource", "rolesanywhere.amazonaws.com") &&
  is(e, "eventName", "CreateTrustAnchor", "UpdateTrustAnchor", "EnableTrustAnchor") &&
  noError(e);

const leaveOrganization = (e: Event) =>
  is(e, "eventSource", "organizations.amazonaws.com") && is(e, "eventName", "LeaveOrganization");

/**
 * A read of a secret: a Secrets Manager value, a parameter decrypted (`decrypted` tells the
 * request's `withDecryption` that is true, by dialect), a Windows password or instance user data.
 */
function secretRead(e: Event, decrypted: (v: unknown) => boolean): boolean {
  if (is(e, "eventSource", "secretsmanager.amazonaws.com"))
    return is(e, "eventName", "GetSecretValue", "BatchGetSecretValue");
  if (is(e, "eventSource", "ssm.amazonaws.com"))
    return (
      is(e, "eventName", "GetParameter", "GetParameters", "GetParametersByPath") &&
      decrypted(field(e, "requestParameters.withDecryption"))
    );
  if (!is(e, "eventSource", "ec2.amazonaws.com")) return false;
  return (
    is(e, "eventName", "GetPasswordData") ||
    (is(e, "eventName", "DescribeInstanceAttribute") &&
      scalar(e, "requestParameters.attribute") === "userData")
  );
}
/** SQL: `lower(json_extract_scalar(..., '$.withDecryption')) = 'true'`. */
const decryptedSql = (v: unknown) =>
  v !== null && typeof v !== "object" && text(v)?.toLowerCase() === "true";
/** Logs Insights: `requestParameters.withDecryption = 1` (a JSON true is 1 there). */
const decryptedInsights = (v: unknown) => v === true || numberOf(v) === 1;
/** A regular expression parameter tested on the caller's ARN (`''` without one). */
const arnMatches = (e: Event, pattern: JsonValue) =>
  new RegExp(String(pattern)).test(str(e, "userIdentity.arn") ?? "");
/**
 * What a secret read names, as the bulk_reads step unfolds it: a `names` or `secretIdList` list
 * (each element's text), else the one secret, parameter, path or instance, else the event itself.
 */
function readTargets(e: Event): (string | null)[] {
  for (const list of ["requestParameters.names", "requestParameters.secretIdList"]) {
    const v = field(e, list);
    if (Array.isArray(v)) return v.map((x) => text(x));
  }
  const one = ["secretId", "name", "path", "instanceId"].map((k) =>
    scalar(e, `requestParameters.${k}`),
  );
  return [one.find((x) => x !== null) ?? str(e, "eventID")];
}
/** The calls that put code or a login on an instance (`userData`: the dialect's test of it). */
function instanceAccess(e: Event): boolean {
  if (is(e, "eventSource", "ssm.amazonaws.com"))
    return is(e, "eventName", "SendCommand", "StartSession", "ResumeSession");
  if (is(e, "eventSource", "ec2-instance-connect.amazonaws.com"))
    return is(e, "eventName", "SendSSHPublicKey", "SendSerialConsoleSSHPublicKey");
  if (!is(e, "eventSource", "ec2.amazonaws.com")) return false;
  return (
    is(e, "eventName", "EnableSerialConsoleAccess") ||
    (is(e, "eventName", "ModifyInstanceAttribute") &&
      field(e, "requestParameters.userData") != null)
  );
}
/** A RunInstances whose requested type the `unusual_instance_types` pattern matches. */
const unusualLaunch = (e: Event, p: Params) =>
  is(e, "eventSource", "ec2.amazonaws.com") &&
  is(e, "eventName", "RunInstances") &&
  new RegExp(String(p.unusual_instance_types)).test(
    scalar(e, "requestParameters.instanceType") ?? "",
  );
/** A successful call that creates a function, replaces its code or configuration, or publishes a layer. */
const lambdaChange = (e: Event) =>
  is(e, "eventSource", "lambda.amazonaws.com") &&
  /^(CreateFunction|UpdateFunctionCode|UpdateFunctionConfiguration|PublishLayerVersion)/.test(
    str(e, "eventName") ?? "",
  ) &&
  noError(e);

/** A Bedrock call not made by an AWS service on the account's behalf. */
const bedrockCall = (e: Event) =>
  is(e, "eventSource", "bedrock.amazonaws.com") && str(e, "userIdentity.type") !== "AWSService";
const INVOCATIONS = ["InvokeModel", "InvokeModelWithResponseStream", "Converse", "ConverseStream"];
/** A successful GetFederationToken by an identity outside automation_pattern. */
/** Addresses many callers share by design: private, loopback, link-local, carrier-grade NAT. */
const SHARED_RANGES = new BlockList();
for (const [net, bits] of [
  ["10.0.0.0", 8],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["100.64.0.0", 10],
] as const)
  SHARED_RANGES.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
] as const)
  SHARED_RANGES.addSubnet(net, bits, "ipv6");

/** A public IPv4 or IPv6 address (not an AWS service name, not a private one). */
function publicAddress(v: string | null): v is string {
  if (v === null) return false;
  const family = isIPv4(v) ? "ipv4" : isIPv6(v) ? "ipv6" : undefined;
  return family !== undefined && !SHARED_RANGES.check(v, family);
}

/** A role session named after an EC2 instance: the instance profile's credentials. */
function instanceSession(e: Event): boolean {
  const parts = (str(e, "userIdentity.arn") ?? "").split("/");
  return (
    parts.length === 3 &&
    parts[0]!.endsWith(":assumed-role") &&
    /^i-[0-9a-f]{8,17}$/i.test(parts[2]!)
  );
}

/**
 * credential-access/instance_credentials_elsewhere: an instance session's calls from a public
 * address (the SSM agent's channels and calls a service made for it left out), per session and
 * address, when another kind of identity called from there too (and shared_address_pattern does
 * not match it) or instance_address_pattern does not match it.
 */
function instanceCredentialsElsewhere(ev: Event[], p: Params): Rows {
  const compared = ev.filter(
    (e) =>
      publicAddress(str(e, "sourceIPAddress")) &&
      str(e, "userIdentity.invokedBy") === null &&
      !is(e, "eventSource", "ssmmessages.amazonaws.com", "ec2messages.amazonaws.com"),
  );
  const people = new Map<string, Set<string | null>>();
  // Workloads on Lambda or ECS (the SDK's exec-env/AWS_... user agent) share the instances' NAT.
  const awsRuntime = (e: Event) => (str(e, "userAgent") ?? "").includes("exec-env/AWS_");
  const others = compared.filter(
    (x) => !instanceSession(x) && !awsRuntime(x) && caller(x) !== null,
  );
  for (const e of others) {
    const address = str(e, "sourceIPAddress") as string;
    people.set(address, (people.get(address) ?? new Set()).add(caller(e)));
  }
  const listed = (address: string) =>
    !new RegExp(String(p.instance_address_pattern)).test(address) ||
    (people.has(address) && !new RegExp(String(p.shared_address_pattern)).test(address));
  return groupBy(
    compared.filter((e) => instanceSession(e) && listed(str(e, "sourceIPAddress") as string)),
    (e) => [caller(e), str(e, "sourceIPAddress")],
    (g) => {
      const t = g.map((e) => str(e, "eventTime") as string).sort();
      const address = str(g[0]!, "sourceIPAddress") as string;
      const others = people.get(address)?.size ?? 0;
      return [g.length, g.filter((e) => !noError(e)).length, others, t[0]!, t[t.length - 1]!];
    },
  );
}

const federationToken = (e: Event, p: Params) =>
  is(e, "eventSource", "sts.amazonaws.com") &&
  is(e, "eventName", "GetFederationToken") &&
  noError(e) &&
  !automated(e, p);

/** S3 writes that may carry a customer-provided key (SSE-C). */
const SSE_C_WRITES = [
  "PutObject",
  "CopyObject",
  "CreateMultipartUpload",
  "UploadPart",
  "UploadPartCopy",
  "CompleteMultipartUpload",
];
const s3 = (e: Event, ...names: string[]) =>
  is(e, "eventSource", "s3.amazonaws.com") && is(e, "eventName", ...names);
/** A write whose request names the SSE-C algorithm (the key itself is never recorded). */
const customerKeyWrite = (e: Event, p: Params) => {
  if (!s3(e, ...SSE_C_WRITES)) return false;
  if (scalar(e, "requestParameters.x-amz-server-side-encryption-customer-algorithm") === null)
    return false;
  // a caller without an ARN never matches the pattern
  const arn = str(e, "userIdentity.arn");
  return arn === null || !new RegExp(String(p.customer_key_writer_pattern)).test(arn);
};
const objectDeletion = (e: Event) =>
  s3(e, "DeleteObject", "DeleteObjects") && str(e, "userIdentity.type") !== "AWSService";
/** A lifecycle request's rules, one or a list (CloudTrail writes a single rule as an object). */
function lifecycleRules(e: Event): Record<string, unknown>[] {
  const rules = field(e, "requestParameters.LifecycleConfiguration.Rule");
  if (Array.isArray(rules)) return rules as Record<string, unknown>[];
  return rules !== null && typeof rules === "object" ? [rules as Record<string, unknown>] : [];
}
const EXPIRING: [string, string][] = [
  ["Expiration", "Days"],
  ["NoncurrentVersionExpiration", "NoncurrentDays"],
];
/**
 * Whether a rule expires objects: enabled ("Disabled" rules are not applied), with an Expiration
 * by days or date, or a NoncurrentVersionExpiration (an Expiration holding only
 * ExpiredObjectDeleteMarker removes delete markers, no object).
 */
const expiresObjects = (rule: Record<string, unknown>) => {
  const at = (k: string, d: string) =>
    rule[k] !== null &&
    typeof rule[k] === "object" &&
    (rule[k] as Record<string, unknown>)[d] != null;
  return (
    rule.Status === "Enabled" &&
    (at("Expiration", "Days") ||
      at("Expiration", "Date") ||
      at("NoncurrentVersionExpiration", "NoncurrentDays"))
  );
};
/** The days after which a lifecycle request's enabled rules expire objects. */
function expirations(e: Event): { expires: boolean; days: number[] } {
  const rules = lifecycleRules(e).filter(expiresObjects);
  const found = rules.flatMap((rule) =>
    EXPIRING.filter(([k]) => rule[k] != null && typeof rule[k] === "object").map(([k, d]) =>
      Number((rule[k] as Record<string, unknown>)[d] ?? Number.NaN),
    ),
  );
  return { expires: rules.length > 0, days: found.filter((d) => Number.isInteger(d)) };
}
/**
 * The Logs Insights step's reading: one rule (recorded as an object) counts when it expires
 * objects; a list of rules when any holds an Expiration or NoncurrentVersionExpiration by days or
 * date, enabled or not (a list's members are no fields the query can name).
 */
function insightsExpires(e: Event): boolean {
  const rules = field(e, "requestParameters.LifecycleConfiguration.Rule");
  if (!Array.isArray(rules)) return lifecycleRules(e).some(expiresObjects);
  return (rules as Record<string, unknown>[]).some((r) =>
    expiresObjects({ ...r, Status: "Enabled" }),
  );
}
const versioning = (e: Event, k: string) =>
  scalar(e, `requestParameters.VersioningConfiguration.${k}`);
/** A successful call that sets objects to expire, suspends versioning or turns MFA delete off. */
const protectionRemoved = (e: Event, p: Params, expires = (x: Event) => expirations(x).expires) =>
  noError(e) &&
  !automated(e, p) &&
  ((s3(e, "PutBucketLifecycle", "PutBucketLifecycleConfiguration") && expires(e)) ||
    (s3(e, "PutBucketVersioning") &&
      (versioning(e, "Status") === "Suspended" || versioning(e, "MfaDelete") === "Disabled")));

const rds = (e: Event, ...names: string[]) =>
  is(e, "eventSource", "rds.amazonaws.com") && is(e, "eventName", ...names);
/** AWS Backup's own work through its service role: anything but a restore someone asked for. */
const backupsOwn = (e: Event) =>
  str(e, "userIdentity.invokedBy") === "backup.amazonaws.com" && !rds(e, ...RDS_RESTORES);
/** A successful call by a caller that is not an AWS service (nor AWS Backup), nor the automation. */
const rdsByHand = (e: Event, p: Params) =>
  noError(e) && str(e, "userIdentity.type") !== "AWSService" && !backupsOwn(e) && !automated(e, p);
/** `coalesce(json_extract_scalar(requestparameters, '$.k1'), ...)`. */
const firstParam = (e: Event, ...keys: string[]) =>
  keys.map((k) => scalar(e, `requestParameters.${k}`)).find((v) => v !== null) ?? null;
/** SQL: `lower(<text>) = 'true'` / `'false'`. */
const sqlIs = (v: string | null, b: "true" | "false") => v?.toLowerCase() === b;
/** Logs Insights: `f = 1` / `f = 0` (a JSON true is 1 there, false 0). */
const insightsOne = (v: unknown) => v === true || numberOf(v) === 1;
const insightsZero = (v: unknown) => v === false || numberOf(v) === 0;
const present = (e: Event, p: string) => field(e, p) != null;
const RDS_EXPORTS = [
  "StartExportTask",
  "AddRoleToDBInstance",
  "AddRoleToDBCluster",
  "DownloadDBLogFilePortion",
  "DownloadCompleteDBLogFile",
];
const RDS_SNAPSHOTS = ["CreateDBSnapshot", "CreateDBClusterSnapshot"];
const RDS_COPIES = ["CopyDBSnapshot", "CopyDBClusterSnapshot"];
const RDS_RESTORES = [
  "RestoreDBInstanceFromDBSnapshot",
  "RestoreDBClusterFromSnapshot",
  "RestoreDBInstanceToPointInTime",
  "RestoreDBClusterToPointInTime",
];
/** A read replica: of an instance, or an Aurora cluster replicating another database. */
const rdsReplica = (e: Event) =>
  rds(e, "CreateDBInstanceReadReplica") ||
  (rds(e, "CreateDBCluster") &&
    scalar(e, "requestParameters.replicationSourceIdentifier") !== null);
/** What data_copied_out reads, restores, copies or downloads, and where to. */
function rdsSourceAndDestination(e: Event): [string | null, string | null] {
  if (rds(e, ...RDS_RESTORES, "CreateDBInstanceReadReplica", "CreateDBCluster"))
    return [
      firstParam(
        e,
        "dBSnapshotIdentifier",
        "snapshotIdentifier",
        "sourceDBInstanceIdentifier",
        "sourceDBClusterIdentifier",
        "sourceDBInstanceAutomatedBackupsArn",
        "sourceDbiResourceId",
        "sourceDbClusterResourceId",
        "replicationSourceIdentifier",
      ),
      firstParam(e, "dBInstanceIdentifier", "targetDBInstanceIdentifier", "dBClusterIdentifier"),
    ];
  return [
    firstParam(
      e,
      "sourceArn",
      "sourceDBSnapshotIdentifier",
      "sourceDBClusterSnapshotIdentifier",
      "dBInstanceIdentifier",
      "dBClusterIdentifier",
    ),
    firstParam(
      e,
      "s3BucketName",
      "targetDBSnapshotIdentifier",
      "targetDBClusterSnapshotIdentifier",
      "dBSnapshotIdentifier",
      "dBClusterSnapshotIdentifier",
      "roleArn",
      "logFileName",
    ),
  ];
}
/** Into another region: by sourceRegion, or the region of the source's ARN. */
function otherRegion(e: Event): boolean {
  const region = str(e, "awsRegion");
  const arnRegion = /^arn:aws[a-z-]*:rds:([^:]+):/.exec(rdsSourceAndDestination(e)[0] ?? "")?.[1];
  return (
    (scalar(e, "requestParameters.sourceRegion") ?? region) !== region ||
    (arnRegion ?? region) !== region
  );
}
/** A copy under a key it names, or into another region. */
const copiedAway = (e: Event) => scalar(e, "requestParameters.kmsKeyId") !== null || otherRegion(e);
/** SQL: `publiclyAccessible` of the request, or of the response when the request has none. */
const sqlPublic = (e: Event) =>
  sqlIs(
    scalar(e, "requestParameters.publiclyAccessible") ??
      scalar(e, "responseElements.publiclyAccessible"),
    "true",
  );
/** A snapshot RDS's automated backups or AWS Backup did not take (no type: a manual one). */
const manualSnapshot = (e: Event) =>
  !["automated", "awsbackup"].includes(scalar(e, "responseElements.snapshotType") ?? "manual");
/** data_copied_out's calls (SQL). */
const dataCopiedOut = (e: Event, p: Params) =>
  rdsByHand(e, p) &&
  (rds(e, ...RDS_EXPORTS) ||
    (rds(e, ...RDS_SNAPSHOTS) && manualSnapshot(e)) ||
    (rds(e, ...RDS_COPIES) && copiedAway(e)) ||
    (rds(e, ...RDS_RESTORES) && sqlPublic(e)) ||
    (rdsReplica(e) && (otherRegion(e) || sqlPublic(e))));
/** Logs Insights: `publiclyAccessible = 1` in the request, or in the response when it is not. */
const publicInsights = (e: Event) =>
  insightsOne(field(e, "requestParameters.publiclyAccessible")) ||
  (!present(e, "requestParameters.publiclyAccessible") &&
    insightsOne(field(e, "responseElements.publiclyAccessible")));
/**
 * data_copied_out_insights' calls: any copy naming a key, a sourceRegion other than the call's
 * or a source ARN (the region in an ARN is not compared there).
 */
const dataCopiedOutInsights = (e: Event, p: Params) =>
  rdsByHand(e, p) &&
  (rds(e, ...RDS_EXPORTS) ||
    (rds(e, ...RDS_SNAPSHOTS) &&
      !["automated", "awsbackup"].includes(str(e, "responseElements.snapshotType") as string)) ||
    (rds(e, ...RDS_COPIES) &&
      (present(e, "requestParameters.kmsKeyId") ||
        (present(e, "requestParameters.sourceRegion") &&
          str(e, "requestParameters.sourceRegion") !== str(e, "awsRegion")) ||
        /^arn:/.test(str(e, "requestParameters.sourceDBSnapshotIdentifier") ?? "") ||
        /^arn:/.test(str(e, "requestParameters.sourceDBClusterSnapshotIdentifier") ?? ""))) ||
    (rds(e, ...RDS_RESTORES) && publicInsights(e)) ||
    (rdsReplica(e) &&
      ((present(e, "requestParameters.sourceRegion") &&
        str(e, "requestParameters.sourceRegion") !== str(e, "awsRegion")) ||
        /^arn:/.test(str(e, "requestParameters.sourceDBInstanceIdentifier") ?? "") ||
        /^arn:/.test(str(e, "requestParameters.replicationSourceIdentifier") ?? "") ||
        publicInsights(e))));
const RDS_MODIFY = ["ModifyDBInstance", "ModifyDBCluster"];
/** Calls that make a database: created, replicated or restored (any restore, S3's included). */
const RDS_CREATE = ["CreateDBInstance", "CreateDBCluster", "CreateDBInstanceReadReplica"];
const rdsCreate = (e: Event) =>
  rds(e, ...RDS_CREATE) ||
  (is(e, "eventSource", "rds.amazonaws.com") && (str(e, "eventName") ?? "").startsWith("Restore"));
const WORLD = ["0.0.0.0/0", "::/0"];
/** opened_to_internet's calls, in SQL (`insights` false) or Logs Insights' reading. */
function openedToInternet(e: Event, insights: boolean): boolean {
  if (!noError(e) || str(e, "userIdentity.type") === "AWSService") return false;
  const req = scalar(e, "requestParameters.publiclyAccessible");
  const sqlPublic = (v: string | null) => sqlIs(v, "true");
  if (rds(e, ...RDS_MODIFY))
    return insights
      ? insightsOne(field(e, "requestParameters.publiclyAccessible"))
      : sqlPublic(req);
  if (rdsCreate(e))
    return insights
      ? publicInsights(e)
      : sqlPublic(req ?? scalar(e, "responseElements.publiclyAccessible"));
  return (
    rds(e, "AuthorizeDBSecurityGroupIngress") &&
    WORLD.includes(scalar(e, "requestParameters.cIDRIP") as string)
  );
}
/** What protection_removed says a call did, in SQL's reading. */
function rdsProtectionChanges(e: Event): string[] {
  const what: string[] = [];
  const modify = rds(e, ...RDS_MODIFY);
  if (modify && sqlIs(scalar(e, "requestParameters.deletionProtection"), "false"))
    what.push("deletion protection off");
  if (modify && scalar(e, "requestParameters.backupRetentionPeriod") === "0")
    what.push("backup retention 0");
  if (
    modify &&
    (scalar(e, "requestParameters.masterUserPassword") !== null ||
      sqlIs(scalar(e, "requestParameters.manageMasterUserPassword"), "true") ||
      sqlIs(scalar(e, "requestParameters.rotateMasterUserPassword"), "true"))
  )
    what.push("master password reset");
  if (
    rds(e, "DeleteDBInstance", "DeleteDBCluster") &&
    sqlIs(scalar(e, "requestParameters.skipFinalSnapshot"), "true")
  )
    what.push("deleted without a final snapshot");
  if (rds(e, "DeleteDBInstanceAutomatedBackup", "DeleteDBClusterAutomatedBackup"))
    what.push("automated backups deleted");
  if (rds(e, "DeleteDBSnapshot", "DeleteDBClusterSnapshot")) what.push("snapshot deleted");
  if (rds(e, "StopActivityStream")) what.push("activity stream stopped");
  return what;
}
/** protection_removed_insights' calls. */
const protectionRemovedInsights = (e: Event) =>
  (rds(e, ...RDS_MODIFY) &&
    (insightsZero(field(e, "requestParameters.deletionProtection")) ||
      insightsZero(field(e, "requestParameters.backupRetentionPeriod")) ||
      present(e, "requestParameters.masterUserPassword") ||
      insightsOne(field(e, "requestParameters.manageMasterUserPassword")) ||
      insightsOne(field(e, "requestParameters.rotateMasterUserPassword")))) ||
  (rds(e, "DeleteDBInstance", "DeleteDBCluster") &&
    insightsOne(field(e, "requestParameters.skipFinalSnapshot"))) ||
  rds(
    e,
    "DeleteDBInstanceAutomatedBackup",
    "DeleteDBClusterAutomatedBackup",
    "DeleteDBSnapshot",
    "DeleteDBClusterSnapshot",
    "StopActivityStream",
  );

/**
 * A regular expression parameter as RE2 (Athena, DuckDB, Logs Insights) reads it: a leading `(?i)`
 * is JavaScript's `i` flag.
 */
const re2 = (pattern: JsonValue) => {
  const p = String(pattern);
  return p.startsWith("(?i)") ? new RegExp(p.slice(4), "i") : new RegExp(p);
};
/** reconnaissance: a call whose name reads (refused or not). */
const READ_NAME = /^(Get|List|Describe|Head|Search|Lookup|BatchGet|Check|View)/;
/**
 * A call AWS made: a service caller, a call through a service (but the console's sign-in, which
 * marks a person's own console call), or from a service's address.
 */
const byAws = (e: Event) =>
  str(e, "userIdentity.type") === "AWSService" ||
  (str(e, "userIdentity.invokedBy") ?? "signin.amazonaws.com") !== "signin.amazonaws.com" ||
  /(^|[.])amazonaws[.]com$|^AWS Internal$/.test(str(e, "sourceIPAddress") ?? "");
/** The console's calls on a person's behalf, by their user agent. */
const byConsole = (e: Event) =>
  /^(aws-internal\/|AWS Internal$|console[.]amazonaws[.]com)/.test(str(e, "userAgent") ?? "");
/** SQL: `regexp_like(coalesce(<field>, ''), pattern)`. */
const sqlMatches = (e: Event, p: string, pattern: JsonValue) => re2(pattern).test(str(e, p) ?? "");
/** Logs Insights: `<field> like pattern`, false for an event without the field. */
const insightsMatches = (e: Event, p: string, pattern: JsonValue) => {
  const v = str(e, p);
  return v !== null && re2(pattern).test(v);
};
const toolCall = (e: Event, p: Params, matches: typeof sqlMatches) =>
  matches(e, "userAgent", p.tool_agent_pattern!) ||
  matches(e, "userIdentity.arn", p.tool_session_pattern!);
/** A read outside the automation, AWS and the console; `automated` by the dialect's reading. */
const enumerationRead = (e: Event, automated: boolean) =>
  READ_NAME.test(str(e, "eventName") ?? "") && !byAws(e) && !byConsole(e) && !automated;
const REFUSALS = [
  "AccessDenied",
  "AccessDeniedException",
  "Client.UnauthorizedOperation",
  "UnauthorizedOperation",
  "VpceAccessDenied",
];
const SES_CALLS = [
  "GetSendQuota",
  "GetAccount",
  "GetAccountSendingEnabled",
  "ListIdentities",
  "ListEmailIdentities",
  "GetIdentityVerificationAttributes",
  "GetEmailIdentity",
  "UpdateAccountSendingEnabled",
  "PutAccountSendingAttributes",
  "PutAccountDetails",
  "VerifyEmailIdentity",
  "VerifyEmailAddress",
  "VerifyDomainIdentity",
  "CreateEmailIdentity",
];
const sesCall = (e: Event) =>
  is(e, "eventSource", "ses.amazonaws.com") && is(e, "eventName", ...SES_CALLS) && !byAws(e);
/** Services whose calls CloudTrail records in us-east-1 wherever they were made. */
const GLOBAL_SERVICES = ["iam", "sts", "cloudfront", "route53", "organizations", "account"].map(
  (s) => `${s}.amazonaws.com`,
);
/**
 * An EnableRegion, or a change (not marked read-only, no read's name, no sign-in, no global
 * service's change recorded in us-east-1) in a region
 * `account_regions` does not match, by the dialect's readings of the region and of read-only.
 */
function regionUse(e: Event, outside: boolean, readOnly: boolean): boolean {
  if (str(e, "eventName") === "EnableRegion") return true;
  const name = str(e, "eventName");
  return (
    outside &&
    str(e, "eventSource") !== "signin.amazonaws.com" &&
    !(is(e, "awsRegion", "us-east-1") && is(e, "eventSource", ...GLOBAL_SERVICES)) &&
    !readOnly &&
    name !== null &&
    !READ_NAME.test(name)
  );
}
/** First and last event time of a group (text, as SQL's min and max compare it). */
const span = (g: Event[]) => {
  const t = g.map((e) => str(e, "eventTime") as string).sort();
  return [t[0]!, t.at(-1)!];
};
const refusedCount = (g: Event[]) => g.filter((e) => !noError(e)).length;

const ec2Call = (e: Event, ...names: string[]) =>
  is(e, "eventSource", "ec2.amazonaws.com") && is(e, "eventName", ...names);
/** `coalesce(json_extract_scalar(<payload>, '$.a.b'), ...)` over whole record paths. */
const firstScalar = (e: Event, ...paths: string[]) =>
  paths.map((p) => scalar(e, p)).find((v) => v !== null) ?? null;
/**
 * Not a call by an AWS service or a service-linked role, nor by the automation (SQL and Logs
 * Insights alike here).
 */
const networkByHand = (e: Event, p: Params) =>
  str(e, "userIdentity.type") !== "AWSService" &&
  !(str(e, "userIdentity.arn") ?? "").includes(":assumed-role/AWSServiceRoleFor") &&
  !automated(e, p);
const MIRROR_CALLS = [
  "CreateTrafficMirrorTarget",
  "CreateTrafficMirrorFilter",
  "CreateTrafficMirrorFilterRule",
  "CreateTrafficMirrorSession",
  "ModifyTrafficMirrorSession",
  "ModifyTrafficMirrorFilterRule",
  "ModifyTrafficMirrorFilterNetworkServices",
  "DeleteTrafficMirrorTarget",
  "DeleteTrafficMirrorFilter",
  "DeleteTrafficMirrorFilterRule",
  "DeleteTrafficMirrorSession",
];
/** traffic_mirrored's calls: every mirroring call by hand, refused ones too. */
const mirrorCall = (e: Event, p: Params) => ec2Call(e, ...MIRROR_CALLS) && networkByHand(e, p);
/** traffic_mirrored's row: the interface copied, the target, another account named in its ARN. */
function mirrorRow(e: Event): JsonValue[] {
  const target = firstScalar(
    e,
    "requestParameters.CreateTrafficMirrorTargetRequest.NetworkLoadBalancerArn",
    "requestParameters.CreateTrafficMirrorTargetRequest.GatewayLoadBalancerEndpointId",
    "requestParameters.CreateTrafficMirrorTargetRequest.NetworkInterfaceId",
    "requestParameters.CreateTrafficMirrorSessionRequest.TrafficMirrorTargetId",
    "requestParameters.ModifyTrafficMirrorSessionRequest.TrafficMirrorTargetId",
    "requestParameters.DeleteTrafficMirrorTargetRequest.TrafficMirrorTargetId",
  );
  const account = /^arn:aws[a-z-]*:[^:]*:[^:]*:([0-9]{12}):/.exec(target ?? "")?.[1] ?? null;
  const recipient = str(e, "recipientAccountId");
  return [
    str(e, "eventTime"),
    caller(e),
    str(e, "eventName"),
    str(e, "awsRegion"),
    firstScalar(
      e,
      "requestParameters.CreateTrafficMirrorSessionRequest.NetworkInterfaceId",
      "responseElements.ModifyTrafficMirrorSessionResponse.trafficMirrorSession.networkInterfaceId",
    ),
    target,
    account !== null && recipient !== null && account !== recipient ? account : null,
    str(e, "errorCode"),
    str(e, "sourceIPAddress"),
  ];
}
/** paths_opened's calls listed whatever their parameters, with what they did. */
const WAYS_IN: Record<string, string> = {
  CreateVpnConnection: "VPN connection",
  CreateClientVpnEndpoint: "Client VPN endpoint",
  CreateInstanceConnectEndpoint: "Instance Connect endpoint",
  ModifyVpcEndpointServicePermissions: "endpoint service permissions changed",
  CreateTransitGatewayPeeringAttachment: "transit gateway peering",
  AcceptTransitGatewayPeeringAttachment: "transit gateway peering",
  ReplaceNetworkAclAssociation: "network ACL association",
  DeleteNetworkAclEntry: "network ACL entry deleted",
};
const PATH_CALLS = [
  ...Object.keys(WAYS_IN),
  "CreateInternetGateway",
  "AttachInternetGateway",
  "CreateCustomerGateway",
  "CreateRoute",
  "ReplaceRoute",
  "ReplaceRouteTableAssociation",
  "AssociateRouteTable",
  "CreateTransitGatewayVpcAttachment",
  "CreateVpcPeeringConnection",
  "AcceptVpcPeeringConnection",
  "AcceptTransitGatewayVpcAttachment",
  "CreateVpcEndpoint",
  "ModifyVpcEndpoint",
];
const REQUESTER_OWNER = "responseElements.vpcPeeringConnection.requesterVpcInfo.ownerId";
const ATTACHMENT_OWNER =
  "responseElements.AcceptTransitGatewayVpcAttachmentResponse.transitGatewayVpcAttachment.vpcOwnerId";
/** The other account of a peering or an acceptance, as paths_opened reads it. */
function peerAccount(e: Event): string | null {
  if (ec2Call(e, "CreateVpcPeeringConnection"))
    return scalar(e, "requestParameters.peerOwnerId") ?? str(e, "recipientAccountId");
  if (ec2Call(e, "AcceptVpcPeeringConnection")) return scalar(e, REQUESTER_OWNER);
  if (ec2Call(e, "AcceptTransitGatewayVpcAttachment")) return scalar(e, ATTACHMENT_OWNER);
  return null;
}
/**
 * A policy document's statements (one or a list; `Statement` spelt as JSON paths read it, case
 * and all), none when there is no document or it is not JSON.
 */
function statementsOf(document: string | null): unknown[] {
  try {
    const body = (JSON.parse(document ?? "null") ?? {}) as { Statement?: unknown };
    return Array.isArray(body.Statement) ? body.Statement : [body.Statement];
  } catch {
    return [];
  }
}
/** A value or a list holding "*". */
const star = (v: unknown) => v === "*" || (Array.isArray(v) && v.includes("*"));
/** A statement's principal is anyone: "*", {"AWS": "*"} or {"AWS": ["*"]}. */
const anyPrincipal = (s: unknown) => star(field(s, "Principal")) || star(field(s, "Principal.AWS"));
/** A statement covers every resource: "*", a list holding it, or a NotResource. */
const everyResource = (s: unknown) =>
  star(field(s, "Resource")) || field(s, "NotResource") !== undefined;
/**
 * An endpoint policy with an Allow statement for any principal and no condition, and no Deny
 * fenced on the account or organization (SQL).
 */
function openPolicy(policy: string | null): boolean {
  const list = statementsOf(policy);
  const fenced = list.some(
    (s) =>
      scalar(s as Event, "Effect") === "Deny" &&
      /aws:(principal|resource)(account|orgid|orgpaths)/.test(
        JSON.stringify(field(s, "Condition") ?? "").toLowerCase(),
      ),
  );
  return (
    !fenced &&
    list.some(
      (s) =>
        scalar(s as Event, "Effect") === "Allow" &&
        anyPrincipal(s) &&
        everyResource(s) &&
        field(s, "Condition") === undefined,
    )
  );
}
const endpointPolicy = (e: Event) =>
  firstScalar(
    e,
    "requestParameters.CreateVpcEndpointRequest.PolicyDocument",
    "requestParameters.ModifyVpcEndpointRequest.PolicyDocument",
  );
/** A route wider than any private network: IPv4 /0 to /7, IPv6 /0 to /6 (0.0.0.0/1, 2000::/3). */
const wideRoute = (e: Event) =>
  /\/[0-7]$/.test(scalar(e, "requestParameters.destinationCidrBlock") ?? "") ||
  /\/[0-6]$/.test(scalar(e, "requestParameters.destinationIpv6CidrBlock") ?? "");
/** What paths_opened says a call did (its CASE, in order), or null. */
function pathOpened(e: Event, p: Params): string | null {
  if (!ec2Call(e, ...PATH_CALLS) || !noError(e) || !networkByHand(e, p)) return null;
  const route = ec2Call(e, "CreateRoute", "ReplaceRoute");
  const peer = peerAccount(e);
  const recipient = str(e, "recipientAccountId");
  if (ec2Call(e, "CreateInternetGateway", "AttachInternetGateway")) return "internet gateway";
  if (ec2Call(e, "CreateCustomerGateway")) return "VPN customer gateway";
  const wayIn = WAYS_IN[str(e, "eventName") as string];
  if (wayIn !== undefined) return wayIn;
  if (
    route &&
    (scalar(e, "requestParameters.destinationCidrBlock") === "0.0.0.0/0" ||
      scalar(e, "requestParameters.destinationIpv6CidrBlock") === "::/0")
  )
    return "route to every address";
  if (route && wideRoute(e)) return "route to a wide range";
  if (route && scalar(e, "requestParameters.destinationPrefixListId") !== null)
    return "route to a prefix list";
  if (route && scalar(e, "requestParameters.vpcPeeringConnectionId") !== null)
    return "route through a peering";
  if (ec2Call(e, "ReplaceRouteTableAssociation", "AssociateRouteTable"))
    return "route table association";
  if (ec2Call(e, "CreateTransitGatewayVpcAttachment")) return "transit gateway attachment";
  if (
    ec2Call(e, "CreateVpcPeeringConnection", "AcceptVpcPeeringConnection") ||
    ec2Call(e, "AcceptTransitGatewayVpcAttachment")
  ) {
    const outside =
      peer === null ||
      (recipient !== null &&
        peer !== recipient &&
        !new RegExp(String(p.partner_accounts)).test(peer));
    if (outside) return "another account's network";
  }
  if (ec2Call(e, "CreateVpcEndpoint")) {
    const service = scalar(e, "requestParameters.CreateVpcEndpointRequest.ServiceName") ?? "";
    if (service.includes("vpce-svc-")) return "endpoint to a PrivateLink service";
    if (endpointPolicy(e) === null) return "endpoint with the default policy (full access)";
  }
  const reset = scalar(e, "requestParameters.ModifyVpcEndpointRequest.ResetPolicy");
  if (reset?.toLowerCase() === "true") return "endpoint policy reset to full access";
  if (openPolicy(endpointPolicy(e))) return "endpoint policy open to any principal";
  return null;
}
/** paths_opened's row. */
const pathRow = (e: Event, p: Params): JsonValue[] => [
  str(e, "eventTime"),
  caller(e),
  str(e, "eventName"),
  str(e, "awsRegion"),
  pathOpened(e, p),
  firstScalar(
    e,
    ...[
      "routeTableId",
      "networkAclId",
      "vpcId",
      "vpcPeeringConnectionId",
      "CreateTransitGatewayVpcAttachmentRequest.VpcId",
      "AcceptTransitGatewayVpcAttachmentRequest.TransitGatewayAttachmentId",
      "CreateVpcEndpointRequest.VpcId",
      "ModifyVpcEndpointRequest.VpcEndpointId",
    ].map((k) => `requestParameters.${k}`),
    "responseElements.internetGateway.internetGatewayId",
    "responseElements.customerGateway.customerGatewayId",
  ),
  firstScalar(
    e,
    ...[
      "gatewayId",
      "internetGatewayId",
      "natGatewayId",
      "instanceId",
      "networkInterfaceId",
      "transitGatewayId",
      "egressOnlyInternetGatewayId",
      "vpcEndpointId",
      "carrierGatewayId",
      "localGatewayId",
      "coreNetworkArn",
      "peerVpcId",
    ].map((k) => `requestParameters.${k}`),
    "responseElements.vpcPeeringConnection.requesterVpcInfo.vpcId",
    ...[
      "vpcPeeringConnectionId",
      "subnetId",
      "ipAddress",
      "CreateTransitGatewayVpcAttachmentRequest.TransitGatewayId",
      "CreateVpcEndpointRequest.ServiceName",
    ].map((k) => `requestParameters.${k}`),
  ),
  peerAccount(e),
  str(e, "sourceIPAddress"),
  firstScalar(
    e,
    ...["destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId"].map(
      (k) => `requestParameters.${k}`,
    ),
  ),
];
/** Logs Insights: `x != y and x not like /p/` (a missing x matches neither). */
const insightsOutside = (v: string | null, e: Event, p: Params) =>
  v !== null &&
  v !== str(e, "recipientAccountId") &&
  !new RegExp(String(p.partner_accounts)).test(v);
const OPEN_POLICY_TEXT = /"Principal"\s*:\s*(\{\s*"AWS"\s*:\s*)?(\[\s*)?"\*"/;
/** Logs Insights: the policy text gives any principal and holds no "Condition". */
const openPolicyText = (v: string | null) =>
  v !== null &&
  OPEN_POLICY_TEXT.test(v) &&
  /"Resource"\s*:\s*(\[[^\]]*)?"\*"|"NotResource"/.test(v) &&
  !/"Condition"/.test(v);
/** paths_opened_insights' calls. */
function pathOpenedInsights(e: Event, p: Params): boolean {
  if (!is(e, "eventSource", "ec2.amazonaws.com") || !noError(e) || !networkByHand(e, p))
    return false;
  const rp = (k: string) => str(e, `requestParameters.${k}`);
  return (
    ec2Call(
      e,
      ...Object.keys(WAYS_IN),
      "CreateInternetGateway",
      "AttachInternetGateway",
      "CreateCustomerGateway",
      "ReplaceRouteTableAssociation",
      "AssociateRouteTable",
      "CreateTransitGatewayVpcAttachment",
    ) ||
    (ec2Call(e, "CreateRoute", "ReplaceRoute") &&
      (rp("destinationCidrBlock") === "0.0.0.0/0" ||
        rp("destinationIpv6CidrBlock") === "::/0" ||
        /\/[0-7]$/.test(rp("destinationCidrBlock") ?? "") ||
        /\/[0-6]$/.test(rp("destinationIpv6CidrBlock") ?? "") ||
        present(e, "requestParameters.destinationPrefixListId") ||
        present(e, "requestParameters.vpcPeeringConnectionId"))) ||
    (ec2Call(e, "CreateVpcPeeringConnection") && insightsOutside(rp("peerOwnerId"), e, p)) ||
    (ec2Call(e, "AcceptVpcPeeringConnection") &&
      (!present(e, REQUESTER_OWNER) || insightsOutside(str(e, REQUESTER_OWNER), e, p))) ||
    (ec2Call(e, "AcceptTransitGatewayVpcAttachment") &&
      (!present(e, ATTACHMENT_OWNER) || insightsOutside(str(e, ATTACHMENT_OWNER), e, p))) ||
    (ec2Call(e, "CreateVpcEndpoint") &&
      ((rp("CreateVpcEndpointRequest.ServiceName") ?? "").includes("vpce-svc-") ||
        !present(e, "requestParameters.CreateVpcEndpointRequest.PolicyDocument"))) ||
    (ec2Call(e, "ModifyVpcEndpoint") &&
      insightsOne(field(e, "requestParameters.ModifyVpcEndpointRequest.ResetPolicy"))) ||
    (ec2Call(e, "CreateVpcEndpoint") &&
      openPolicyText(rp("CreateVpcEndpointRequest.PolicyDocument"))) ||
    (ec2Call(e, "ModifyVpcEndpoint") &&
      openPolicyText(rp("ModifyVpcEndpointRequest.PolicyDocument")))
  );
}
/** `try_cast(json_extract_scalar(...) AS bigint)`: whole numbers only, else NULL. */
const bigint = (v: string | null) => (v !== null && /^-?\d+$/.test(v) ? Number(v) : null);
/** From or to a range wider than any private network: IPv4 /0 to /7, IPv6 /0 to /6. */
const wideCidr = (v4: unknown, v6: unknown) =>
  (typeof v4 === "string" && /\/[0-7]$/.test(v4)) ||
  (typeof v6 === "string" && /\/[0-6]$/.test(v6));
/** nacl_open_to_world's entries: allow, from or to every address, every protocol or wide. */
function naclOpen(e: Event, p: Params): boolean {
  const rp = (k: string) => scalar(e, `requestParameters.${k}`);
  if (!ec2Call(e, "CreateNetworkAclEntry", "ReplaceNetworkAclEntry") || !noError(e)) return false;
  if (rp("ruleAction") !== "allow") return false;
  if (!wideCidr(rp("cidrBlock"), rp("ipv6CidrBlock"))) return false;
  const [from, to] = [bigint(rp("portRange.from")), bigint(rp("portRange.to"))];
  return (
    ["-1", "all"].includes(rp("aclProtocol") as string) ||
    (from !== null && to !== null && to - from + 1 >= Number(p.wide_port_count))
  );
}
/** nacl_open_to_world_insights' entries (numbers compared as numbers, strings as strings). */
function naclOpenInsights(e: Event, p: Params): boolean {
  const rp = (k: string) => field(e, `requestParameters.${k}`);
  if (!ec2Call(e, "CreateNetworkAclEntry", "ReplaceNetworkAclEntry") || !noError(e)) return false;
  if (rp("ruleAction") !== "allow") return false;
  if (!wideCidr(rp("cidrBlock"), rp("ipv6CidrBlock"))) return false;
  const span = numberOf(rp("portRange.to")) - numberOf(rp("portRange.from")) + 1;
  return ["-1", "all"].includes(rp("aclProtocol") as string) || span >= Number(p.wide_port_count);
}

/** sign-in-persistence/identity_providers_changed's calls, by event source. */
const IDENTITY_PROVIDER_CALLS: Record<string, string[]> = {
  "iam.amazonaws.com": [
    "CreateSAMLProvider",
    "UpdateSAMLProvider",
    "DeleteSAMLProvider",
    "CreateOpenIDConnectProvider",
    "AddClientIDToOpenIDConnectProvider",
    "UpdateOpenIDConnectProviderThumbprint",
    "DeleteOpenIDConnectProvider",
  ],
  "sso.amazonaws.com": [
    "AssociateDirectory",
    "DisassociateDirectory",
    "UpdateDirectoryAssociation",
    "CreatePermissionSet",
    "UpdatePermissionSet",
    "PutInlinePolicyToPermissionSet",
    "AttachManagedPolicyToPermissionSet",
    "AttachCustomerManagedPolicyReferenceToPermissionSet",
    "PutPermissionsBoundaryToPermissionSet",
    "ProvisionPermissionSet",
    "CreateAccountAssignment",
    "CreateTrustedTokenIssuer",
    "UpdateTrustedTokenIssuer",
  ],
  "sso-directory.amazonaws.com": [
    "CreateExternalIdPConfigurationForDirectory",
    "UpdateExternalIdPConfigurationForDirectory",
    "EnableExternalIdPConfigurationForDirectory",
    "DisableExternalIdPConfigurationForDirectory",
    "DeleteExternalIdPConfigurationForDirectory",
    "CreateBearerToken",
    "CreateUser",
    "UpdatePassword",
    "AddMemberToGroup",
    "DeleteMfaDeviceForUser",
    "PutMfaDeviceManagementForDirectory",
  ],
  "identitystore.amazonaws.com": ["CreateUser", "UpdateUser", "CreateGroupMembership"],
};
/** `arn IS NULL OR NOT regexp_like(arn, pattern)`; Logs Insights' `not ispresent(arn) or arn not like pattern` alike. */
const arnOutside = (e: Event, pattern: JsonValue) => {
  const arn = str(e, "userIdentity.arn");
  return arn === null || !re2(pattern).test(arn);
};
/** A call identity_providers_changed lists (both dialects read the same fields the same way). */
const providerChanged = (e: Event, p: Params) =>
  (IDENTITY_PROVIDER_CALLS[str(e, "eventSource") ?? ""] ?? []).includes(str(e, "eventName")!) &&
  str(e, "userIdentity.type") !== "AWSService" &&
  str(e, "userIdentity.invokedBy") !== "sso.amazonaws.com" &&
  arnOutside(e, p.automation_pattern!);
/**
 * sign_in_given_to_others, both dialects alike: a password or MFA call outside the help desk,
 * unless an IAM user makes it for their own user (no userName, or their own) in the console.
 */
function givenToOther(e: Event, p: Params): boolean {
  const calls = ["CreateLoginProfile", "UpdateLoginProfile", "DeactivateMFADevice"];
  if (!is(e, "eventSource", "iam.amazonaws.com")) return false;
  if (!is(e, "eventName", ...calls, "DeleteVirtualMFADevice")) return false;
  if (str(e, "userIdentity.type") === "AWSService") return false;
  const own = str(e, "userIdentity.userName");
  const target = scalar(e, "requestParameters.userName");
  const ownConsole =
    own !== null &&
    str(e, "userIdentity.invokedBy") === "signin.amazonaws.com" &&
    (target === null || target === own);
  return !ownConsole && arnOutside(e, p.helpdesk_pattern!);
}
/** console_from_keys: a GetSigninToken by a session that is not Identity Center's, outside the brokers. */
const consoleFromKeys = (e: Event, p: Params) =>
  is(e, "eventSource", "signin.amazonaws.com") &&
  is(e, "eventName", "GetSigninToken") &&
  !/:assumed-role\/AWSReservedSSO_/.test(str(e, "userIdentity.arn") ?? "") &&
  arnOutside(e, p.console_broker_pattern!);

/** build-and-registry: a successful call by anyone `automation_pattern` does not match. */
const byHand = (e: Event, p: Params) => noError(e) && !automated(e, p);

/** A `Principal` of `"*"` or `{"AWS": "*"}` (alone or in a list), as the runbook's pattern. */
const WORLD_PRINCIPAL = /"Principal"\s*:\s*(\{\s*"AWS"\s*:\s*)?(\[[^\]]*)?"\*"/;

/**
 * The 12-digit numbers of a repository policy's text (else of the whole request), first
 * occurrence first, that are neither the recipient account nor a partner.
 */
function outsideAccounts(e: Event, p: Params): string[] {
  const doc = scalar(e, "requestParameters.policyText") ?? str(e, "requestParameters") ?? "";
  const partner = new RegExp(String(p.partner_accounts));
  const own = str(e, "recipientAccountId") ?? "";
  return [...new Set(doc.match(/[0-9]{12}/g) ?? [])].filter((a) => a !== own && !partner.test(a));
}

const SCANS = ["SCAN_ON_PUSH", "CONTINUOUS_SCAN"];

/** Condition keys that name who may call: a "*" fenced by one of them is not anyone. */
const WHO_KEYS =
  /aws:(principal(orgid|orgpaths|account|arn)|source(account|arn|orgid|orgpaths|owner|vpce?|ip))/;

/**
 * A repository or registry policy with an Allow statement for any principal whose own
 * Condition (if any) names no key saying who may call (registries_opened).
 */
function openToAnyone(policy: string | null): boolean {
  const list = statementsOf(policy);
  return list.some(
    (s) =>
      scalar(s as Event, "Effect") === "Allow" &&
      anyPrincipal(s) &&
      !WHO_KEYS.test(JSON.stringify(field(s, "Condition") ?? "").toLowerCase()),
  );
}

/** build-and-registry/registries_opened's change of one call, null when none. */
function registryChange(e: Event, p: Params): string | null {
  if (!byHand(e, p)) return null;
  const name = str(e, "eventName");
  const pub = is(e, "eventSource", "ecr-public.amazonaws.com");
  if (pub && name === "CreateRepository") return "public repository created";
  if (!pub && !is(e, "eventSource", "ecr.amazonaws.com")) return null;
  const policy = scalar(e, "requestParameters.policyText");
  const policyCall = name === "SetRepositoryPolicy" || name === "PutRegistryPolicy";
  if (policyCall && openToAnyone(policy)) return "opened to anyone";
  const outside = outsideAccounts(e, p).length > 0;
  if (policyCall && outside) return "opened to another account";
  if (name === "PutReplicationConfiguration" && outside) return "replicated to another account";
  if (name === "PutImage") return "image pushed";
  if (name === "PutImageTagMutability") {
    const m = scalar(e, "requestParameters.imageTagMutability");
    return /^(MUTABLE|IMMUTABLE_WITH_EXCLUSION)/.test(m ?? "") ? "tags made mutable" : null;
  }
  if (name === "PutImageScanningConfiguration")
    return scalar(e, "requestParameters.imageScanningConfiguration.scanOnPush")?.toLowerCase() ===
      "false"
      ? "scan on push off"
      : null;
  if (name === "PutRegistryScanningConfiguration")
    return [0, 1].some((i) =>
      SCANS.includes(scalar(e, `requestParameters.rules.${i}.scanFrequency`) ?? ""),
    )
      ? null
      : "registry scanning off";
  if (name === "BatchDeleteImage") return "images deleted";
  if (name === "DeleteRepository") return "repository deleted";
  return null;
}

/** build-and-registry/registries_opened's detail of a listed call. */
function registryDetail(e: Event, p: Params, change: string): string | null {
  const name = str(e, "eventName");
  const rp = (k: string) => scalar(e, `requestParameters.${k}`);
  if (change === "opened to anyone") return "*";
  if (change === "opened to another account" || change === "replicated to another account")
    return outsideAccounts(e, p).join(" ");
  if (name === "PutImage") return rp("imageTag") ?? rp("imageDigest");
  if (name === "PutImageTagMutability") {
    const filter = rp("imageTagMutabilityExclusionFilters.0.filter");
    return `${rp("imageTagMutability")}${filter === null ? "" : ` ${filter}`}`;
  }
  if (name === "PutRegistryScanningConfiguration") return rp("scanType");
  if (name === "BatchDeleteImage") return rp("imageIds.0.imageTag") ?? rp("imageIds.0.imageDigest");
  return null;
}

/** build-and-registry/registries_opened_insights: what the Logs Insights twin can compare. */
function registryOpenedInsights(e: Event, p: Params): boolean {
  if (!noError(e)) return false;
  const arn = str(e, "userIdentity.arn");
  if (arn !== null && new RegExp(String(p.automation_pattern)).test(arn)) return false;
  const pub = is(e, "eventSource", "ecr-public.amazonaws.com");
  if (pub && is(e, "eventName", "CreateRepository")) return true;
  if (!pub && !is(e, "eventSource", "ecr.amazonaws.com")) return false;
  const name = str(e, "eventName") as string;
  const policy = str(e, "requestParameters.policyText");
  const dest = str(
    e,
    "requestParameters.replicationConfiguration.rules.0.destinations.0.registryId",
  );
  const freq = (i: number) => str(e, `requestParameters.rules.${i}.scanFrequency`) ?? "";
  return (
    (["SetRepositoryPolicy", "PutRegistryPolicy"].includes(name) &&
      policy !== null &&
      WORLD_PRINCIPAL.test(policy) &&
      !/"Condition"/.test(policy)) ||
    (name === "PutReplicationConfiguration" &&
      dest !== null &&
      dest !== str(e, "recipientAccountId") &&
      !new RegExp(String(p.partner_accounts)).test(dest)) ||
    ["PutImage", "BatchDeleteImage", "DeleteRepository"].includes(name) ||
    (name === "PutImageTagMutability" &&
      /^(MUTABLE|IMMUTABLE_WITH_EXCLUSION)/.test(
        str(e, "requestParameters.imageTagMutability") ?? "",
      )) ||
    (name === "PutImageScanningConfiguration" &&
      field(e, "requestParameters.imageScanningConfiguration.scanOnPush") === false) ||
    (name === "PutRegistryScanningConfiguration" &&
      !SCANS.includes(freq(0)) &&
      !SCANS.includes(freq(1)))
  );
}

const EKS_ADMIN = /\/(AmazonEKSClusterAdminPolicy|AmazonEKSAdminPolicy)$/;

/** A boolean request member as `lower(json_extract_scalar(...))`. */
const lowered = (e: Event, path: string) => scalar(e, path)?.toLowerCase() ?? null;

/** build-and-registry/clusters_opened's change of one call, null when none. */
function clusterChange(e: Event, p: Params): string | null {
  if (!byHand(e, p) || !is(e, "eventSource", "eks.amazonaws.com")) return null;
  const name = str(e, "eventName");
  const cidrs = field(e, "requestParameters.resourcesVpcConfig.publicAccessCidrs");
  const list = Array.isArray(cidrs) ? cidrs.map(String) : null;
  const vpc = field(e, "requestParameters.resourcesVpcConfig");
  const pub =
    lowered(e, "requestParameters.resourcesVpcConfig.endpointPublicAccess") ??
    (name === "CreateCluster" || list !== null ? "true" : null);
  const cluster = name === "CreateCluster" || name === "UpdateClusterConfig";
  if (
    cluster &&
    vpc !== undefined &&
    vpc !== null &&
    pub === "true" &&
    (list?.includes("0.0.0.0/0") ?? true)
  )
    return "endpoint open to the internet";
  if (name === "UpdateClusterConfig") {
    if (
      [0, 1].some(
        (i) => lowered(e, `requestParameters.logging.clusterLogging.${i}.enabled`) === "false",
      )
    )
      return "control-plane logging off";
    if (scalar(e, "requestParameters.accessConfig.authenticationMode") !== null)
      return "authentication mode changed";
  }
  if (name === "CreateAccessEntry") return "access entry created";
  if (name === "UpdateAccessEntry" && scalar(e, "requestParameters.kubernetesGroups.0") !== null)
    return "access entry groups changed";
  if (
    name === "AssociateAccessPolicy" &&
    EKS_ADMIN.test(scalar(e, "requestParameters.policyArn") ?? "")
  )
    return "cluster admin granted";
  if (name === "AssociateIdentityProviderConfig") return "identity provider associated";
  return null;
}

/** build-and-registry/clusters_opened's detail of a listed call. */
function clusterDetail(e: Event, change: string): string | null {
  const rp = (k: string) => scalar(e, `requestParameters.${k}`);
  if (change === "endpoint open to the internet") {
    const cidrs = field(e, "requestParameters.resourcesVpcConfig.publicAccessCidrs");
    return Array.isArray(cidrs) ? cidrs.map(String).join(" ") : "0.0.0.0/0";
  }
  if (change === "control-plane logging off")
    return lowered(e, "requestParameters.logging.clusterLogging.0.enabled") === "false"
      ? rp("logging.clusterLogging.0.types.0")
      : rp("logging.clusterLogging.1.types.0");
  if (change === "authentication mode changed") return rp("accessConfig.authenticationMode");
  if (change === "identity provider associated") return rp("oidc.issuerUrl");
  return rp("principalArn");
}

/** build-and-registry/clusters_opened_insights: the twin, comparing the first CIDR only. */
function clusterOpenedInsights(e: Event, p: Params): boolean {
  if (!noError(e) || !is(e, "eventSource", "eks.amazonaws.com")) return false;
  const arn = str(e, "userIdentity.arn");
  if (arn !== null && new RegExp(String(p.automation_pattern)).test(arn)) return false;
  const name = str(e, "eventName") as string;
  const pub = field(e, "requestParameters.resourcesVpcConfig.endpointPublicAccess");
  const cidr0 = field(e, "requestParameters.resourcesVpcConfig.publicAccessCidrs.0");
  const logOff = [0, 1].some(
    (i) => field(e, `requestParameters.logging.clusterLogging.${i}.enabled`) === false,
  );
  return (
    (["CreateCluster", "UpdateClusterConfig"].includes(name) &&
      // An object is no field in Logs Insights: the config is there when one of its values is.
      ["subnetIds.0", "endpointPublicAccess", "publicAccessCidrs.0"].some(
        (k) => field(e, `requestParameters.resourcesVpcConfig.${k}`) !== undefined,
      ) &&
      (pub === true ||
        (name === "CreateCluster" && pub === undefined) ||
        (pub === undefined && cidr0 !== undefined)) &&
      (cidr0 === undefined || cidr0 === "0.0.0.0/0")) ||
    (name === "UpdateClusterConfig" &&
      (logOff || field(e, "requestParameters.accessConfig.authenticationMode") !== undefined)) ||
    ["CreateAccessEntry", "AssociateIdentityProviderConfig"].includes(name) ||
    (name === "UpdateAccessEntry" &&
      field(e, "requestParameters.kubernetesGroups.0") !== undefined) ||
    (name === "AssociateAccessPolicy" &&
      EKS_ADMIN.test(str(e, "requestParameters.policyArn") ?? ""))
  );
}

const BUILD_CALLS = ["StartBuild", "StartBuildBatch"];

/** A build CodePipeline starts: the pipeline's own run, never listed. */
const pipelineBuild = (e: Event) =>
  BUILD_CALLS.includes(str(e, "eventName") ?? "") &&
  str(e, "userIdentity.invokedBy") === "codepipeline.amazonaws.com";

/** An UpdateProject or CreateProject carrying what every later build runs. */
const projectBuild = (e: Event) =>
  ["source.type", "secondarySources.0.type", "environment.type"].some(
    (k) => scalar(e, `requestParameters.${k}`) !== null,
  );

/** build-and-registry/builds_hijacked's change of one call, null when none. */
function buildChange(e: Event, p: Params): string | null {
  if (!byHand(e, p) || !is(e, "eventSource", "codebuild.amazonaws.com")) return null;
  if (pipelineBuild(e)) return null;
  const name = str(e, "eventName") as string;
  const rp = (k: string) => scalar(e, `requestParameters.${k}`);
  if (name === "UpdateProjectVisibility")
    return rp("projectVisibility") === "PUBLIC_READ" ? "project made public" : null;
  if (name === "ImportSourceCredentials") return "source credentials imported";
  if (BUILD_CALLS.includes(name)) {
    if (rp("serviceRoleOverride") !== null) return "build under another role";
    if (rp("privilegedModeOverride")?.toLowerCase() === "true") return "privileged build";
    if (rp("buildspecOverride") !== null) return "build with its own buildspec";
    if (rp("sourceLocationOverride") !== null) return "build from another source";
    if (rp("imageOverride") !== null) return "build in another image";
    return null;
  }
  if (name === "CreateWebhook" || name === "UpdateWebhook") return "webhook changed";
  const project = name === "CreateProject" || name === "UpdateProject";
  if (project && rp("serviceRole") !== null) return "project role set";
  if (project && projectBuild(e)) return "project build changed";
  return null;
}

/** build-and-registry/builds_hijacked's detail of a listed call. */
function buildDetail(e: Event): string | null {
  const name = str(e, "eventName") as string;
  const rp = (k: string) => scalar(e, `requestParameters.${k}`);
  if (name === "ImportSourceCredentials") return rp("serverType");
  if (BUILD_CALLS.includes(name))
    return (
      rp("serviceRoleOverride") ??
      rp("buildspecOverride") ??
      rp("sourceLocationOverride") ??
      rp("imageOverride")
    );
  if (name === "CreateProject" || name === "UpdateProject")
    return (
      rp("serviceRole") ??
      rp("source.buildspec") ??
      rp("source.location") ??
      rp("environment.image")
    );
  if (name === "UpdateProjectVisibility") return rp("projectVisibility");
  return null;
}

/** build-and-registry/builds_hijacked_insights: the twin (presence for an override). */
function buildHijackedInsights(e: Event, p: Params): boolean {
  if (!noError(e) || !is(e, "eventSource", "codebuild.amazonaws.com")) return false;
  const arn = str(e, "userIdentity.arn");
  if (arn !== null && new RegExp(String(p.automation_pattern)).test(arn)) return false;
  const name = str(e, "eventName") as string;
  const has = (k: string) => field(e, `requestParameters.${k}`) !== undefined;
  if (pipelineBuild(e)) return false;
  return (
    (name === "UpdateProjectVisibility" &&
      str(e, "requestParameters.projectVisibility") === "PUBLIC_READ") ||
    ["ImportSourceCredentials", "CreateWebhook", "UpdateWebhook"].includes(name) ||
    (BUILD_CALLS.includes(name) &&
      (has("serviceRoleOverride") ||
        field(e, "requestParameters.privilegedModeOverride") === true ||
        has("buildspecOverride") ||
        has("sourceLocationOverride") ||
        has("imageOverride"))) ||
    (["CreateProject", "UpdateProject"].includes(name) &&
      ["serviceRole", "source.type", "secondarySources.0.type", "environment.type"].some(has))
  );
}

/** A step's rows: eventtime, actor, eventname, target, change, detail, sourceipaddress. */
function changeRows(
  ev: Event[],
  change: (e: Event) => string | null,
  target: (e: Event) => string | null,
  detail: (e: Event, change: string) => string | null,
): Rows {
  return ev.flatMap((e) => {
    const c = change(e);
    if (c === null) return [];
    return [
      [
        str(e, "eventTime"),
        caller(e),
        str(e, "eventName"),
        target(e),
        c,
        detail(e, c),
        str(e, "sourceIPAddress"),
      ],
    ];
  });
}

/** A service-linked role's session (only its AWS service can take the role). */
const serviceLinked = (e: Event) =>
  (str(e, "userIdentity.arn") ?? "").includes(":assumed-role/AWSServiceRoleFor");
/** privilege-escalation: a call of the given source and name, successful, by hand (SQL). */
const byHandSql = (e: Event, p: Params) =>
  noError(e) &&
  str(e, "userIdentity.type") !== "AWSService" &&
  !serviceLinked(e) &&
  !re2(p.automation_pattern!).test(str(e, "userIdentity.arn") ?? "");
/** The same in Logs Insights (a caller without an ARN is never the automation). */
const byHandInsights = (e: Event, p: Params) =>
  noError(e) &&
  str(e, "userIdentity.type") !== "AWSService" &&
  !serviceLinked(e) &&
  arnOutside(e, p.automation_pattern!);
/** `setAsDefault` true: a JSON true, "true" in any case, or a number (or numeric text) equal to 1. */
function setAsDefault(e: Event): boolean {
  const v = scalar(e, "requestParameters.setAsDefault");
  return v !== null && (v.toLowerCase() === "true" || (v.trim() !== "" && Number(v) === 1));
}
/** SQL: no document in the request, or one of its statements allows (not a deny-only policy). */
function allowsSql(e: Event): boolean {
  const document = scalar(e, "requestParameters.policyDocument");
  if (document === null) return true;
  return statementsOf(document).some(
    (st) =>
      st !== null && typeof st === "object" && (st as { Effect?: unknown }).Effect === "Allow",
  );
}
/** Logs Insights: no document, or its text holds "Effect": "Allow". */
function allowsInsights(e: Event): boolean {
  const document = str(e, "requestParameters.policyDocument");
  return document === null || /"Effect"\s*:\s*"Allow"/.test(document);
}
/** policies_rewritten's calls (the dialects read the same fields alike). */
const policyRewritten = (e: Event) =>
  is(e, "eventSource", "iam.amazonaws.com") &&
  (is(e, "eventName", "SetDefaultPolicyVersion", "PutUserPolicy", "PutGroupPolicy") ||
    (is(e, "eventName", "CreatePolicyVersion") && setAsDefault(e)));
/** An IAM action pattern (`*` any run of characters, `?` one; any case) covers the action. */
function covers(pattern: string, action: string): boolean {
  const body = [...pattern.toLowerCase()]
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`).test(action);
}
/** The widest grant of an Allow statement on "*" in a policy document (JSON text), by hand. */
function widestGrant(document: string | null): string | null {
  const statements = statementsOf(document);
  const ranks: [string, (a: string) => boolean][] = [
    ["all actions", (a) => /^\*+(:\*+)?$/.test(a)],
    ["iam:*", (a) => /^iam:\*+$/.test(a)],
    ["iam:PassRole", (a) => covers(a, "iam:passrole")],
    ["sts:AssumeRole", (a) => covers(a, "sts:assumerole")],
  ];
  const granted = statements.flatMap((s) => {
    const st = (s ?? {}) as { Effect?: unknown; Resource?: unknown; Action?: unknown };
    const everywhere =
      st.Resource === "*" || (Array.isArray(st.Resource) && st.Resource.includes("*"));
    if (st.Effect !== "Allow" || !everywhere) return [];
    const actions = Array.isArray(st.Action) ? st.Action : [st.Action];
    return actions.filter((a) => typeof a === "string").map((a) => a.toLowerCase());
  });
  return ranks.find(([, grants]) => granted.some(grants))?.[0] ?? null;
}
/** The calls identities_moved_into_power judges (the user's, then the role's). */
const USER_POWER_CALLS = [
  "AttachUserPolicy",
  "PutUserPolicy",
  "AddUserToGroup",
  "PutUserPermissionsBoundary",
  "DeleteUserPermissionsBoundary",
];
const ROLE_POWER_CALLS = [
  "AttachRolePolicy",
  "PutRolePolicy",
  "PutRolePermissionsBoundary",
  "DeleteRolePermissionsBoundary",
];
/** Why identities_moved_into_power lists an IAM call, or null (both dialects). */
function movedIntoPower(e: Event, p: Params): string | null {
  if (!is(e, "eventSource", "iam.amazonaws.com")) return null;
  const name = str(e, "eventName") ?? "";
  const [user, role] = [
    scalar(e, "requestParameters.userName"),
    scalar(e, "requestParameters.roleName"),
  ];
  const ownUser =
    USER_POWER_CALLS.includes(name) &&
    str(e, "userIdentity.type") === "IAMUser" &&
    user !== null &&
    user.toLowerCase() === str(e, "userIdentity.userName")?.toLowerCase();
  const ownRole =
    ROLE_POWER_CALLS.includes(name) &&
    str(e, "userIdentity.type") === "AssumedRole" &&
    role !== null &&
    role.toLowerCase() ===
      str(e, "userIdentity.sessionContext.sessionIssuer.userName")?.toLowerCase();
  if (ownUser || ownRole) return "own permissions";
  const group = scalar(e, "requestParameters.groupName");
  if (name === "AddUserToGroup" && group !== null && re2(p.admin_groups_pattern!).test(group))
    return "added to a powerful group";
  if (name === "DeleteUserPermissionsBoundary" || name === "DeleteRolePermissionsBoundary")
    return "permissions boundary removed";
  // a boundary replaced by AdministratorAccess caps nothing
  const boundary = scalar(e, "requestParameters.permissionsBoundary") ?? "";
  if (
    (name === "PutUserPermissionsBoundary" || name === "PutRolePermissionsBoundary") &&
    boundary.endsWith(":policy/AdministratorAccess")
  )
    return "permissions boundary removed";
  return null;
}
/** A request field is there (`IS NOT NULL` of its scalar; Logs Insights' `ispresent`). */
const has = (e: Event, path: string) => scalar(e, `requestParameters.${path}`) !== null;
/** roles_passed_to_compute's calls, by event source (both dialects). */
function roleToCompute(e: Event): boolean {
  const name = str(e, "eventName") ?? "";
  const among = (...names: string[]) => names.includes(name);
  switch (str(e, "eventSource")) {
    case "ec2.amazonaws.com":
      return (
        among("AssociateIamInstanceProfile", "ReplaceIamInstanceProfileAssociation") ||
        (name === "RunInstances" &&
          (has(e, "iamInstanceProfile.arn") || has(e, "iamInstanceProfile.name")))
      );
    case "iam.amazonaws.com":
      return name === "AddRoleToInstanceProfile";
    case "cloudformation.amazonaws.com":
      return (
        (among("CreateStack", "CreateChangeSet") && has(e, "roleARN")) ||
        name === "UpdateStack" ||
        // a change set for an existing stack (UPDATE, the default, or IMPORT) keeps its role
        (name === "CreateChangeSet" &&
          (scalar(e, "requestParameters.changeSetType") ?? "UPDATE") !== "CREATE") ||
        name === "CreateStackSet" ||
        (name === "UpdateStackSet" && has(e, "administrationRoleARN"))
      );
    case "glue.amazonaws.com":
      return (
        among("CreateDevEndpoint", "CreateJob", "UpdateJob") ||
        (name === "UpdateDevEndpoint" && (has(e, "publicKey") || has(e, "addPublicKeys.0")))
      );
    case "sagemaker.amazonaws.com":
      return among("CreateNotebookInstance", "CreatePresignedNotebookInstanceUrl");
    case "datapipeline.amazonaws.com":
      return among("CreatePipeline", "PutPipelineDefinition", "ActivatePipeline");
    default:
      return false;
  }
}

/**
 * account-guardrails: `json_extract_scalar(<column>, '$.path')` of a payload that is an object
 * or JSON text (Panther's records hold some payloads as text): a scalar's text, else NULL.
 */
function payload(e: Event, column: string, path: string): string | null {
  let v = field(e, column);
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      return null;
    }
  }
  const inner = field(v, path);
  return inner !== null && typeof inner === "object" ? null : text(inner);
}

const rq = (e: Event, path: string) => payload(e, "requestParameters", path);

const ORG = "organizations.amazonaws.com";
const LIFTING = ["DetachPolicy", "DeletePolicy", "UpdatePolicy", "DisablePolicyType"];

/** A lifting call, or AWS's FullAWSAccess SCP attached (`p-FullAWSAccess`). */
const lifting = (e: Event) =>
  LIFTING.includes(str(e, "eventName") as string) ||
  (is(e, "eventName", "AttachPolicy") && rq(e, "policyId") === "p-FullAWSAccess");

/** account-guardrails/guardrails_lifted's change of one call, null when none. */
function guardrailChange(e: Event, p: Params): string | null {
  if (!byHand(e, p) || str(e, "eventSource") !== ORG) return null;
  const name = str(e, "eventName") as string;
  if (!lifting(e)) return null;
  if (name === "DetachPolicy") return "policy detached";
  if (name === "AttachPolicy") return "full access attached";
  if (name === "DeletePolicy") return "policy deleted";
  if (name === "DisablePolicyType") return "policy type disabled";
  const content = rq(e, "content");
  if (content === null) return "policy renamed";
  return /"Effect"\s*:\s*"Deny"/.test(content)
    ? "policy rewritten"
    : "policy rewritten, no Deny left";
}

/** account-guardrails/guardrails_lifted's detail of a listed call. */
function guardrailDetail(e: Event): string | null {
  const name = str(e, "eventName");
  if (name === "DetachPolicy" || name === "AttachPolicy") return rq(e, "policyId");
  if (name === "DisablePolicyType") return rq(e, "policyType");
  if (name === "UpdatePolicy") return rq(e, "content");
  return null;
}

const ORG_CALLS = [
  "RemoveAccountFromOrganization",
  "MoveAccount",
  "CloseAccount",
  "CreateAccount",
  "CreateGovCloudAccount",
  "InviteAccountToOrganization",
  "RegisterDelegatedAdministrator",
  "DeregisterDelegatedAdministrator",
  "EnableAWSServiceAccess",
  "DisableAWSServiceAccess",
];

/** An account Organizations finished creating (the CreateAccountResult service event). */
const accountCreated = (e: Event) =>
  is(e, "eventSource", ORG) &&
  is(e, "eventName", "CreateAccountResult") &&
  payload(e, "serviceEventDetails", "createAccountStatus.state") === "SUCCEEDED";

/** account-guardrails/organization_changed's rows, as its SQL reads the records. */
function organizationChanged(ev: Event[], p: Params): Rows {
  const org = ev.filter(
    (e) =>
      noError(e) &&
      is(e, "eventSource", ORG) &&
      (ORG_CALLS.includes(str(e, "eventName") as string) || accountCreated(e)),
  );
  const vended = new Set(
    org
      .filter((e) => automated(e, p))
      .map((e) => payload(e, "responseElements", "createAccountStatus.id"))
      .filter((id) => id !== null),
  );
  const target: Record<string, (e: Event) => string | null> = {
    RemoveAccountFromOrganization: (e) => rq(e, "accountId"),
    MoveAccount: (e) => rq(e, "accountId"),
    CloseAccount: (e) => rq(e, "accountId"),
    CreateAccountResult: (e) => payload(e, "serviceEventDetails", "createAccountStatus.accountId"),
    InviteAccountToOrganization: (e) => rq(e, "target.id"),
    RegisterDelegatedAdministrator: (e) => rq(e, "accountId"),
    DeregisterDelegatedAdministrator: (e) => rq(e, "accountId"),
    EnableAWSServiceAccess: (e) => rq(e, "servicePrincipal"),
    DisableAWSServiceAccess: (e) => rq(e, "servicePrincipal"),
  };
  const change: Record<string, string> = {
    RemoveAccountFromOrganization: "account removed",
    MoveAccount: "account moved",
    CloseAccount: "account closed",
    CreateAccountResult: "account created",
    InviteAccountToOrganization: "account invited",
    RegisterDelegatedAdministrator: "delegated administrator registered",
    DeregisterDelegatedAdministrator: "delegated administrator deregistered",
    EnableAWSServiceAccess: "trusted access enabled",
    DisableAWSServiceAccess: "trusted access disabled",
  };
  const detail: Record<string, (e: Event) => string | null> = {
    CreateAccountResult: (e) =>
      payload(e, "serviceEventDetails", "createAccountStatus.accountName"),
    InviteAccountToOrganization: (e) => rq(e, "target.type"),
    MoveAccount: (e) => {
      const [from, to] = [rq(e, "sourceParentId"), rq(e, "destinationParentId")];
      return from === null || to === null ? null : `from ${from} to ${to}`;
    },
    RegisterDelegatedAdministrator: (e) => rq(e, "servicePrincipal"),
    DeregisterDelegatedAdministrator: (e) => rq(e, "servicePrincipal"),
    CreateAccount: (e) => rq(e, "email"),
    CreateGovCloudAccount: (e) => rq(e, "email"),
  };
  return org
    .filter((e) =>
      is(e, "eventName", "CreateAccountResult")
        ? !vended.has(payload(e, "serviceEventDetails", "createAccountStatus.id") ?? "")
        : !automated(e, p),
    )
    .map((e) => {
      const name = str(e, "eventName") as string;
      return [
        str(e, "eventTime"),
        name === "CreateAccountResult" ? null : caller(e),
        name,
        (target[name] ?? ((x: Event) => rq(x, "accountName")))(e),
        change[name] ?? "account creation requested",
        detail[name]?.(e) ?? null,
        str(e, "sourceIPAddress"),
      ];
    });
}

const CONTACT_CALLS = [
  "PutAlternateContact",
  "DeleteAlternateContact",
  "PutContactInformation",
  "StartPrimaryEmailUpdate",
  "AcceptPrimaryEmailUpdate",
];
const EBS_CALLS = [
  "DisableEbsEncryptionByDefault",
  "ModifyEbsDefaultKmsKeyId",
  "ResetEbsDefaultKmsKeyId",
];

/** Text that is a whole integer as `try_cast(... AS integer)` reads it, else null. */
const integer = (s: string | null) => (s !== null && /^-?\d+$/.test(s) ? Number(s) : null);

/** account-guardrails/settings_weakened's change of one call, null when none. */
function settingChange(e: Event, p: Params): string | null {
  if (!byHand(e, p)) return null;
  const name = str(e, "eventName") as string;
  if (is(e, "eventSource", "iam.amazonaws.com")) {
    if (name === "DeleteAccountPasswordPolicy") return "password policy deleted";
    if (name !== "UpdateAccountPasswordPolicy") return null;
    const length = integer(rq(e, "minimumPasswordLength") ?? "6") ?? 0;
    const remembers = integer(rq(e, "passwordReusePrevention") ?? "0") ?? 0;
    return length < Number(p.min_password_length) || remembers === 0
      ? "password policy weakened"
      : null;
  }
  if (is(e, "eventSource", "account.amazonaws.com") && CONTACT_CALLS.includes(name)) {
    if (name === "PutContactInformation") return "contact information changed";
    return name.includes("Primary") ? "root email changed" : "alternate contact changed";
  }
  if (is(e, "eventSource", "ec2.amazonaws.com") && EBS_CALLS.includes(name))
    return name === "DisableEbsEncryptionByDefault"
      ? "EBS encryption by default off"
      : "EBS default key changed";
  return null;
}

/** account-guardrails/settings_weakened's target: the region, else the account changed. */
function settingTarget(e: Event): string | null {
  if (is(e, "eventSource", "ec2.amazonaws.com")) return str(e, "awsRegion");
  const own = str(e, "recipientAccountId");
  return is(e, "eventSource", "account.amazonaws.com") ? (rq(e, "accountId") ?? own) : own;
}

/** account-guardrails/settings_weakened's detail of a listed call. */
function settingDetail(e: Event): string | null {
  const name = str(e, "eventName") as string;
  if (name === "UpdateAccountPasswordPolicy")
    return `length ${rq(e, "minimumPasswordLength") ?? "6"}, remembers ${rq(e, "passwordReusePrevention") ?? "0"}`;
  if (name.endsWith("AlternateContact")) return rq(e, "alternateContactType");
  if (name.includes("PrimaryEmail")) return rq(e, "primaryEmail");
  if (name === "ModifyEbsDefaultKmsKeyId")
    return rq(e, "ModifyEbsDefaultKmsKeyIdRequest.KmsKeyId") ?? rq(e, "kmsKeyId");
  return null;
}

/** account-guardrails/settings_weakened_insights: the twin (numbers compared as numbers). */
function settingWeakenedInsights(e: Event, p: Params): boolean {
  if (!noError(e)) return false;
  const arn = str(e, "userIdentity.arn");
  if (arn !== null && new RegExp(String(p.automation_pattern)).test(arn)) return false;
  const name = str(e, "eventName") as string;
  const length = field(e, "requestParameters.minimumPasswordLength");
  const reuse = field(e, "requestParameters.passwordReusePrevention");
  return (
    (is(e, "eventSource", "iam.amazonaws.com") &&
      (name === "DeleteAccountPasswordPolicy" ||
        (name === "UpdateAccountPasswordPolicy" &&
          ((length === undefined && 6 < Number(p.min_password_length)) ||
            (typeof length === "number" && length < Number(p.min_password_length)) ||
            reuse === undefined ||
            reuse === 0)))) ||
    (is(e, "eventSource", "account.amazonaws.com") && CONTACT_CALLS.includes(name)) ||
    (is(e, "eventSource", "ec2.amazonaws.com") && EBS_CALLS.includes(name))
  );
}

/** account-guardrails' Logs Insights twins: a successful call by anyone but the automation. */
function orgInsights(e: Event, p: Params, names: string[], also = (_: Event) => false): boolean {
  const arn = str(e, "userIdentity.arn");
  return (
    noError(e) &&
    is(e, "eventSource", ORG) &&
    (names.includes(str(e, "eventName") as string) || also(e)) &&
    !(arn !== null && new RegExp(String(p.automation_pattern)).test(arn))
  );
}

/**
 * outside-role-use: a successful call of STS's `name` (no error code), as both dialects read it.
 */
const assumed = (e: Event, name: string) =>
  is(e, "eventSource", "sts.amazonaws.com") && is(e, "eventName", name) && noError(e);

/**
 * outside_accounts: an AssumeRole by a caller of another account than the role's (the record's
 * recipient), not a service's, in neither the organization's accounts nor the partners'.
 */
function outsideAccount(e: Event, p: Params): boolean {
  const account = str(e, "userIdentity.accountId");
  const recipient = str(e, "recipientAccountId");
  return (
    assumed(e, "AssumeRole") &&
    str(e, "userIdentity.type") !== "AWSService" &&
    str(e, "userIdentity.invokedBy") === null &&
    account !== null &&
    recipient !== null &&
    account !== recipient &&
    !new RegExp(String(p.organization_accounts)).test(account) &&
    !new RegExp(String(p.partner_accounts)).test(account)
  );
}

/**
 * guarded_roles_assumed: an AssumeRole, not a service's, of a role `guarded_roles` matches by a
 * caller neither whose ARN nor whose session issuer's ARN `allowed_assumers` matches (a caller
 * without either is never allowed), leaving out the callers outside_accounts lists: those of an
 * account other than the role's that is neither the organization's nor a partner's.
 */
function guardedAssumption(e: Event, p: Params): boolean {
  const role = scalar(e, "requestParameters.roleArn");
  const allowed = (path: string) => {
    const arn = str(e, path);
    return arn !== null && re2(p.allowed_assumers!).test(arn);
  };
  const account = str(e, "userIdentity.accountId");
  const recipient = str(e, "recipientAccountId");
  const inside =
    account === null ||
    recipient === null ||
    account === recipient ||
    new RegExp(String(p.organization_accounts)).test(account) ||
    new RegExp(String(p.partner_accounts)).test(account);
  return (
    assumed(e, "AssumeRole") &&
    str(e, "userIdentity.type") !== "AWSService" &&
    str(e, "userIdentity.invokedBy") === null &&
    role !== null &&
    re2(p.guarded_roles!).test(role) &&
    !allowed("userIdentity.arn") &&
    !allowed("userIdentity.sessionContext.sessionIssuer.arn") &&
    inside
  );
}

/** GitHub Actions' issuer, alone or under an enterprise's path, at the end of a provider. */
const GITHUB_ISSUER = /(^|\/)token\.actions\.githubusercontent\.com(\/|$)/;

/**
 * web_identities_outside: a web identity's assumption without a provider, from GitHub Actions
 * with a subject outside the allowed repositories (or none), or from another provider not
 * allowed.
 */
function outsideWebIdentity(e: Event, p: Params): boolean {
  if (!assumed(e, "AssumeRoleWithWebIdentity")) return false;
  const provider = scalar(e, "responseElements.provider");
  const subject = scalar(e, "responseElements.subjectFromWebIdentityToken");
  if (provider === null) return true;
  if (GITHUB_ISSUER.test(provider))
    return subject === null || !new RegExp(String(p.github_repositories)).test(subject);
  return !new RegExp(String(p.web_identity_providers)).test(provider);
}

/** saml_outside: a SAML assumption through a provider not allowed (or none named). */
function outsideSaml(e: Event, p: Params): boolean {
  const provider = scalar(e, "requestParameters.principalArn");
  return (
    assumed(e, "AssumeRoleWithSAML") &&
    (provider === null || !new RegExp(String(p.saml_providers)).test(provider))
  );
}

/** A grouped SQL row's count, first and last event time. */
const seen = (g: Event[]): JsonValue[] => {
  const times = g.map((e) => str(e, "eventTime") as string).sort();
  return [g.length, times[0]!, times[times.length - 1]!];
};

export const RUNBOOK_ANSWERS: Record<string, Step> = {
  "api-usage-by-identity/usage_by_identity": (ev, p) =>
    orderBy(
      groupBy(
        ev.filter((e) => like(str(e, "userIdentity.arn"), p.principal_pattern!)),
        (e) => [str(e, "userIdentity.arn"), str(e, "userIdentity.type"), str(e, "eventSource")],
        (g) => [
          g.length,
          distinct(g, "eventName"),
          g.filter((e) => str(e, "errorCode") !== null).length,
        ],
      ),
      [3, "desc"],
      [0, "asc"],
      [2, "asc"],
    ).slice(0, 50),
  "api-usage-by-identity/busiest_hour": (ev, p) =>
    groupBy(
      groupBy(
        ev.filter((e) => like(str(e, "userIdentity.arn"), p.principal_pattern!)),
        (e) => [str(e, "userIdentity.arn"), (str(e, "eventTime") as string).slice(0, 13)],
        (g) => [g.length],
      ),
      (r) => [r[0]!],
      (hours) => [Math.max(...hours.map((h) => h[2] as number))],
    ).filter((r) => (r[1] as number) > Number(p.max_calls_per_hour)),
  "audit-iam/changes_outside_automation": (ev, p) =>
    groupBy(
      ev.filter(
        (e) =>
          is(e, "eventSource", "iam.amazonaws.com") &&
          str(e, "readOnly") === "false" &&
          noError(e) &&
          (str(e, "userIdentity.type") ?? "") !== "AWSService" &&
          !automated(e, p) &&
          !ownKeyChange(e) &&
          like(str(e, "userIdentity.arn"), p.actor_pattern!),
      ),
      (e) => [str(e, "userIdentity.arn"), str(e, "eventName")],
      (g) => {
        const t = g.map((e) => str(e, "eventTime") as string).sort();
        return [g.length, t[0]!, t[t.length - 1]!];
      },
    ),
  "cloudtrail-tampering/trail_changes": (ev, p) =>
    ev
      .filter(
        (e) =>
          is(e, "eventSource", "cloudtrail.amazonaws.com") && is(e, "eventName", ...TRAIL_EVENTS),
      )
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn"),
        automated(e, p),
        str(e, "eventName"),
        scalar(e, "requestParameters.name") ?? scalar(e, "requestParameters.trailName"),
        str(e, "sourceIPAddress"),
        str(e, "errorCode"),
      ]),
  "resource-modifications/modifications": (ev, p) =>
    ev
      .filter(
        (e) =>
          noError(e) &&
          ((is(e, "eventSource", "iam.amazonaws.com") &&
            is(
              e,
              "eventName",
              "CreateRole",
              "DeleteRole",
              "UpdateRole",
              "UpdateAssumeRolePolicy",
              "AttachRolePolicy",
              "DetachRolePolicy",
              "PutRolePolicy",
              "DeleteRolePolicy",
              "PutRolePermissionsBoundary",
            )) ||
            (is(e, "eventSource", "ec2.amazonaws.com") &&
              is(e, "eventName", ...SG_EVENTS, "ModifySecurityGroupRules")) ||
            (is(e, "eventSource", "s3.amazonaws.com") &&
              is(
                e,
                "eventName",
                "PutBucketPolicy",
                "DeleteBucketPolicy",
                "PutBucketAcl",
                "PutBucketPublicAccessBlock",
                "DeleteBucketPublicAccessBlock",
                "PutAccountPublicAccessBlock",
                "DeleteAccountPublicAccessBlock",
              ))),
      )
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn"),
        automated(e, p),
        str(e, "eventSource"),
        str(e, "eventName"),
        scalar(e, "requestParameters.roleName") ??
          groupId(e) ??
          scalar(e, "requestParameters.bucketName"),
      ]),
  "security-group-changes/all_changes": (ev, p) =>
    ev
      .filter(
        (e) =>
          is(e, "eventSource", "ec2.amazonaws.com") &&
          is(e, "eventName", ...SG_EVENTS, "ModifySecurityGroupRules") &&
          noError(e),
      )
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn"),
        automated(e, p),
        str(e, "eventName"),
        groupId(e),
      ]),
  "unauthorized-access-attempts/denied_by_principal": (ev, p) =>
    groupBy(
      ev.filter(
        (e) => is(e, "errorCode", ...DENIED) && like(caller(e) ?? "", p.principal_pattern!),
      ),
      (e) => [caller(e)],
      (g) => {
        const t = g.map((e) => str(e, "eventTime") as string).sort();
        return [
          g.length,
          distinct(g, "eventSource"),
          distinct(g, "eventName"),
          t[0]!,
          t[t.length - 1]!,
        ];
      },
    ),
  "access-key-activity/key_changes": (ev, p) =>
    ev
      .filter(
        (e) =>
          like(str(e, "userIdentity.accessKeyId"), p.access_key_id!) &&
          is(
            e,
            "eventSource",
            "iam.amazonaws.com",
            "cloudtrail.amazonaws.com",
            "sts.amazonaws.com",
          ) &&
          str(e, "readOnly") === "false" &&
          noError(e),
      )
      .map((e) => [
        str(e, "eventTime"),
        str(e, "eventSource"),
        str(e, "eventName"),
        str(e, "userIdentity.arn"),
        str(e, "sourceIPAddress"),
        str(e, "userIdentity.accessKeyId"),
      ]),
  "access-key-activity/key_sources": (ev, p) =>
    groupBy(
      ev.filter((e) => like(str(e, "userIdentity.accessKeyId"), p.access_key_id!)),
      (e) => [str(e, "userIdentity.arn"), str(e, "sourceIPAddress")],
      (g) => {
        const times = g.map((e) => str(e, "eventTime") as string).sort();
        return [g.length, g.filter((e) => !noError(e)).length, times[0]!, times.at(-1)!];
      },
    ),
  "access-key-lifecycle/keys_for_others": (ev, p) =>
    ev
      .filter((e) => {
        const owner = scalar(e, "requestParameters.userName");
        return (
          is(e, "eventSource", "iam.amazonaws.com") &&
          is(e, "eventName", "CreateAccessKey") &&
          noError(e) &&
          owner !== null &&
          owner !== (str(e, "userIdentity.userName") ?? "") &&
          !automated(e, p)
        );
      })
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn"),
        str(e, "userIdentity.userName"),
        scalar(e, "requestParameters.userName"),
        scalar(e, "responseElements.accessKey.accessKeyId"),
        str(e, "sourceIPAddress"),
      ]),
  "access-key-lifecycle/key_events": (ev) =>
    groupBy(
      ev.filter(
        (e) =>
          is(e, "eventSource", "iam.amazonaws.com") &&
          is(e, "eventName", "CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey") &&
          noError(e),
      ),
      (e) => [
        scalar(e, "requestParameters.userName") ?? str(e, "userIdentity.userName"),
        str(e, "eventName"),
      ],
      (g) => [g.length],
    ),
  "access-key-lifecycle/key_creations_insights": (ev) =>
    ev
      .filter(
        (e) =>
          is(e, "eventSource", "iam.amazonaws.com") &&
          is(e, "eventName", "CreateAccessKey") &&
          str(e, "errorCode") === null,
      )
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.userName"),
        str(e, "requestParameters.userName"),
      ]),
  "api-usage-by-identity/top_identities": (ev) =>
    groupBy(
      ev,
      (e) => [str(e, "userIdentity.arn")],
      (g) => [g.length],
    )
      .sort(
        (a, b) => (b[1] as number) - (a[1] as number) || String(a[0]).localeCompare(String(b[0])),
      )
      .slice(0, 10),
  "audit-iam/policy_attachments": (ev, p) =>
    ev
      .filter(
        (e) =>
          is(e, "eventSource", "iam.amazonaws.com") &&
          is(e, "eventName", "AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy") &&
          noError(e),
      )
      .map((e) => [
        str(e, "userIdentity.arn"),
        automated(e, p),
        str(e, "eventName"),
        scalar(e, "requestParameters.userName") ??
          scalar(e, "requestParameters.roleName") ??
          scalar(e, "requestParameters.groupName"),
        scalar(e, "requestParameters.policyArn"),
        str(e, "eventTime"),
      ]),
  "audit-iam/iam_change_volume": (ev) =>
    groupBy(
      ev.filter(
        (e) =>
          is(e, "eventSource", "iam.amazonaws.com") &&
          !/^(Get|List|Generate|Simulate)/.test(str(e, "eventName") ?? "") &&
          str(e, "errorCode") === null,
      ),
      (e) => [str(e, "userIdentity.arn")],
      (g) => [g.length],
    ),
  "cloudtrail-tampering/trail_changes_insights": (ev) =>
    ev
      .filter(
        (e) =>
          is(e, "eventSource", "cloudtrail.amazonaws.com") && is(e, "eventName", ...TRAIL_EVENTS),
      )
      .map((e) => [
        stamp(e),
        str(e, "eventName"),
        str(e, "userIdentity.arn"),
        scalar(e, "requestParameters.name"),
      ]),
  "cloudtrail-tampering/trail_changes_by_hand_insights": (ev, p) =>
    ev
      .filter(
        (e) =>
          is(e, "eventSource", "cloudtrail.amazonaws.com") &&
          is(e, "eventName", ...TRAIL_EVENTS) &&
          !automated(e, p),
      )
      .map((e) => [
        stamp(e),
        str(e, "eventName"),
        str(e, "userIdentity.arn"),
        scalar(e, "requestParameters.name"),
      ]),
  "cloudtrail-tampering/other_logging_removed": (ev) =>
    ev
      .filter(
        (e) =>
          noError(e) &&
          is(
            e,
            "eventName",
            "DeleteFlowLogs",
            "DeleteResolverQueryLogConfig",
            "DisassociateResolverQueryLogConfig",
            "DeleteDetector",
            "DisableSecurityHub",
            "StopConfigurationRecorder",
            "DeleteConfigurationRecorder",
            "DeleteDeliveryChannel",
          ),
      )
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn"),
        str(e, "eventSource"),
        str(e, "eventName"),
      ]),
  "console-signin-without-mfa/signins_without_mfa": (ev) =>
    ev
      .filter(
        (e) =>
          is(e, "eventName", "ConsoleLogin") &&
          scalar(e, "responseElements.ConsoleLogin") === "Success" &&
          (scalar(e, "additionalEventData.MFAUsed") ?? "No") !== "Yes" &&
          is(e, "userIdentity.type", "IAMUser", "Root"),
      )
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.type"),
        str(e, "userIdentity.userName") ?? str(e, "userIdentity.arn"),
        str(e, "sourceIPAddress"),
        str(e, "userAgent"),
        scalar(e, "additionalEventData.MFAUsed"),
      ]),
  "console-signin-without-mfa/signins_without_mfa_insights": (ev) =>
    ev
      .filter(
        (e) =>
          is(e, "eventName", "ConsoleLogin") &&
          scalar(e, "additionalEventData.MFAUsed") !== "Yes" &&
          scalar(e, "responseElements.ConsoleLogin") === "Success" &&
          is(e, "userIdentity.type", "IAMUser", "Root"),
      )
      .map((e) => [stamp(e), str(e, "userIdentity.arn"), str(e, "sourceIPAddress")]),
  "console-signin-without-mfa/signins_by_user": (ev) =>
    groupBy(
      ev.filter(
        (e) =>
          is(e, "eventName", "ConsoleLogin") &&
          scalar(e, "responseElements.ConsoleLogin") === "Success",
      ),
      (e) => [str(e, "userIdentity.userName") ?? str(e, "userIdentity.type")],
      (g) => [g.length, distinct(g, "sourceIPAddress")],
    ),
  "kms-key-deletion/key_deletions": (ev) =>
    ev
      .filter((e) => keyLoss(e))
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        scalar(e, "requestParameters.keyId"),
        scalar(e, "requestParameters.pendingWindowInDays"),
        str(e, "sourceIPAddress"),
      ]),
  "kms-key-deletion/key_deletions_insights": (ev) =>
    ev
      .filter((e) => keyLoss(e))
      .map((e) => [stamp(e), str(e, "userIdentity.arn"), scalar(e, "requestParameters.keyId")]),
  "kms-key-deletion/key_policy_changes": (ev, p) =>
    ev
      .filter(keyPolicyChange)
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn"),
        automated(e, p),
        scalar(e, "requestParameters.keyId"),
        str(e, "sourceIPAddress"),
      ]),
  "kms-key-deletion/key_policy_changes_insights": (ev, p) =>
    ev
      .filter((e) => {
        const arn = str(e, "userIdentity.arn");
        return keyPolicyChange(e) && (arn === null || !automated(e, p));
      })
      .map((e) => [stamp(e), str(e, "userIdentity.arn"), scalar(e, "requestParameters.keyId")]),
  "resource-modifications/account_public_access_opened": (ev) =>
    ev
      .filter((e) => accountBlockOpened(e, settingOn))
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        str(e, "recipientAccountId"),
        ...BLOCK_SETTINGS.map((s) => scalar(e, `${BLOCK}.${s}`)),
      ]),
  "resource-modifications/account_public_access_opened_insights": (ev) =>
    ev
      .filter((e) => accountBlockOpened(e, settingOn))
      .map((e) => [stamp(e), str(e, "userIdentity.arn"), str(e, "eventName")]),
  "cloudtrail-tampering/detection_weakened": (ev) =>
    ev
      .filter((e) => detectionWeakened(e, settingOff))
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn"),
        str(e, "eventSource"),
        str(e, "eventName"),
        scalar(e, "requestParameters.detectorId") ??
          scalar(e, "requestParameters.analyzerName") ??
          scalar(e, "requestParameters.adminAccountId") ??
          scalar(e, "requestParameters.id"),
      ]),
  "cloudtrail-tampering/detection_weakened_insights": (ev) =>
    ev
      .filter((e) => detectionWeakened(e, settingOff))
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "eventSource"),
        str(e, "eventName"),
      ]),
  "resource-modifications/changes_by_service": (ev) =>
    groupBy(
      ev.filter(
        (e) =>
          noError(e) &&
          is(
            e,
            "eventName",
            "UpdateAssumeRolePolicy",
            "AttachRolePolicy",
            "PutRolePolicy",
            "CreateRole",
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "PutBucketPolicy",
            "DeleteBucketPolicy",
            "PutBucketAcl",
          ),
      ),
      (e) => [str(e, "eventSource"), str(e, "eventName")],
      (g) => [g.length],
    ),
  "resource-modifications/trust_policy_changes": (ev, p) =>
    ev
      .filter((e) => {
        const arn = str(e, "userIdentity.arn");
        return (
          is(e, "eventSource", "iam.amazonaws.com") &&
          is(e, "eventName", "UpdateAssumeRolePolicy") &&
          arn !== null &&
          !automated(e, p)
        );
      })
      .map((e) => [stamp(e), str(e, "userIdentity.arn"), scalar(e, "requestParameters.roleName")]),
  "root-account-usage/root_activity": (ev) =>
    ev
      .filter(
        (e) =>
          is(e, "userIdentity.type", "Root") &&
          (str(e, "userIdentity.invokedBy") ?? "signin.amazonaws.com") === "signin.amazonaws.com" &&
          (str(e, "eventType") ?? "") !== "AwsServiceEvent",
      )
      .map((e) => [
        str(e, "eventTime"),
        str(e, "eventName"),
        str(e, "eventSource"),
        str(e, "sourceIPAddress"),
        str(e, "userAgent"),
        scalar(e, "additionalEventData.MFAUsed"),
        str(e, "errorCode"),
      ]),
  "root-account-usage/root_activity_insights": (ev) =>
    groupBy(
      ev.filter(
        (e) =>
          is(e, "userIdentity.type", "Root") &&
          (str(e, "userIdentity.invokedBy") ?? "signin.amazonaws.com") === "signin.amazonaws.com" &&
          str(e, "eventType") !== null &&
          str(e, "eventType") !== "AwsServiceEvent",
      ),
      (e) => [str(e, "eventName"), str(e, "sourceIPAddress")],
      (g) => [g.length],
    ),
  "security-group-changes/world_open_rules": (ev) =>
    ev
      .filter(
        (e) =>
          is(e, "eventSource", "ec2.amazonaws.com") &&
          is(e, "eventName", "AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules") &&
          noError(e) &&
          worldOpen(e),
      )
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        groupId(e),
        scalar(e, "requestParameters.ipPermissions.items.0.ipProtocol") ??
          scalar(e, "requestParameters.ipProtocol") ??
          scalar(e, `${MODIFIED_RULE}.IpProtocol`),
        scalar(e, "requestParameters.ipPermissions.items.0.fromPort") ??
          scalar(e, "requestParameters.fromPort") ??
          scalar(e, `${MODIFIED_RULE}.FromPort`),
        scalar(e, "requestParameters.ipPermissions.items.0.toPort") ??
          scalar(e, "requestParameters.toPort") ??
          scalar(e, `${MODIFIED_RULE}.ToPort`),
        str(e, "sourceIPAddress"),
      ]),
  "security-group-changes/sg_changes_insights": (ev, p) =>
    ev
      .filter(
        (e) =>
          is(e, "eventSource", "ec2.amazonaws.com") &&
          is(e, "eventName", ...SG_EVENTS, "ModifySecurityGroupRules") &&
          noError(e) &&
          !automated(e, p),
      )
      .map((e) => [stamp(e), str(e, "userIdentity.arn"), str(e, "eventName"), groupId(e)]),
  "unauthorized-access-attempts/failed_console_logins": (ev) =>
    groupBy(
      ev.filter(
        (e) =>
          is(e, "eventName", "ConsoleLogin") &&
          scalar(e, "responseElements.ConsoleLogin") === "Failure",
      ),
      (e) => [str(e, "userIdentity.userName"), str(e, "sourceIPAddress")],
      (g) => [g.length],
    ),
  "unauthorized-access-attempts/failed_console_logins_by_source": (ev) =>
    groupBy(
      ev.filter(
        (e) =>
          is(e, "eventName", "ConsoleLogin") &&
          scalar(e, "responseElements.ConsoleLogin") === "Failure",
      ),
      (e) => [str(e, "sourceIPAddress")],
      (g) => [g.length, distinct(g, "userIdentity.userName")],
    ),
  "unauthorized-access-attempts/denied_by_source": (ev) =>
    groupBy(
      ev.filter((e) => is(e, "errorCode", ...DENIED)),
      (e) => [str(e, "sourceIPAddress")],
      (g) => [g.length, distinct(g, "userIdentity.arn")],
    )
      .sort((a, b) => (b[1] as number) - (a[1] as number) || (String(a[0]) < String(b[0]) ? -1 : 1))
      .slice(0, 20),
  "data-exposure/shared_outside": (ev) =>
    ev
      .filter((e) => sharedWith(e) !== null)
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        scalar(e, "requestParameters.snapshotId") ??
          scalar(e, "requestParameters.imageId") ??
          scalar(e, "requestParameters.dBSnapshotIdentifier") ??
          scalar(e, "requestParameters.dBClusterSnapshotIdentifier"),
        sharedWith(e),
      ]),
  "data-exposure/shared_outside_insights": (ev) =>
    ev
      .filter((e) => sharedWith(e) !== null)
      .map((e) => [stamp(e), str(e, "userIdentity.arn"), str(e, "eventName")]),
  "data-exposure/public_functions": (ev) =>
    ev
      .filter(publicFunction)
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn"),
        scalar(e, "requestParameters.functionName"),
        scalar(e, "requestParameters.action"),
      ]),
  "data-exposure/public_functions_insights": (ev) =>
    ev
      .filter(publicFunction)
      .map((e) => [stamp(e), str(e, "userIdentity.arn"), str(e, "requestParameters.functionName")]),
  "data-exposure/trust_anchors": (ev) =>
    ev
      .filter(trustAnchor)
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        scalar(e, "requestParameters.name") ?? scalar(e, "requestParameters.trustAnchorId"),
      ]),
  "data-exposure/trust_anchors_insights": (ev) =>
    ev.filter(trustAnchor).map((e) => [stamp(e), str(e, "userIdentity.arn"), str(e, "eventName")]),
  "data-exposure/organization_left": (ev) =>
    ev
      .filter(leaveOrganization)
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn"),
        str(e, "recipientAccountId"),
        str(e, "errorCode"),
      ]),
  "data-exposure/organization_left_insights": (ev) =>
    ev
      .filter(leaveOrganization)
      .map((e) => [stamp(e), str(e, "userIdentity.arn"), str(e, "errorCode")]),
  "credential-access/reads_outside_workloads": (ev, p) =>
    groupBy(
      ev.filter(
        (e) =>
          secretRead(e, decryptedSql) &&
          (str(e, "userIdentity.type") ?? "") !== "AWSService" &&
          !arnMatches(e, p.reader_pattern!),
      ),
      (e) => [caller(e), str(e, "eventName")],
      (g) => {
        const t = g.map((e) => str(e, "eventTime") as string).sort();
        return [g.length, g.filter((e) => !noError(e)).length, t[0]!, t[t.length - 1]!];
      },
    ),
  "credential-access/reads_outside_workloads_insights": (ev, p) =>
    groupBy(
      ev.filter(
        (e) =>
          secretRead(e, decryptedInsights) &&
          str(e, "userIdentity.type") !== "AWSService" &&
          !arnMatches(e, p.reader_pattern!),
      ),
      (e) => [str(e, "userIdentity.arn"), str(e, "eventName")],
      (g) => [g.length],
    ),
  "credential-access/bulk_reads": (ev, p) =>
    groupBy(
      ev
        .filter(
          (e) =>
            secretRead(e, decryptedSql) && (str(e, "userIdentity.type") ?? "") !== "AWSService",
        )
        .map((e) => ({ e, targets: readTargets(e) }))
        .filter((r) => r.targets.length > 0),
      (r) => [caller(r.e), (str(r.e, "eventTime") as string).slice(0, 13)],
      (g) => {
        const ids = (rs: typeof g) =>
          new Set(rs.map((r) => str(r.e, "eventID")).filter((x) => x !== null)).size;
        const targets = new Set(g.flatMap((r) => r.targets).filter((x) => x !== null));
        return [ids(g), ids(g.filter((r) => !noError(r.e))), targets.size];
      },
    ).filter((r) => (r[4] as number) > Number(p.max_secrets_per_hour)),
  "credential-access/instance_credentials_elsewhere": instanceCredentialsElsewhere,
  "remote-execution/instance_access": (ev, p) =>
    ev
      .filter(instanceAccess)
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn"),
        arnMatches(e, p.operator_pattern!),
        str(e, "eventName"),
        scalar(e, "requestParameters.instanceId") ??
          scalar(e, "requestParameters.target") ??
          scalar(e, "requestParameters.instanceIds.0"),
        scalar(e, "requestParameters.documentName") ??
          scalar(e, "requestParameters.instanceOSUser"),
        str(e, "sourceIPAddress"),
        str(e, "errorCode"),
      ]),
  "remote-execution/instance_access_insights": (ev, p) =>
    ev
      .filter((e) => instanceAccess(e) && !arnMatches(e, p.operator_pattern!))
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "eventSource"),
        str(e, "eventName"),
        str(e, "errorCode"),
      ]),
  "remote-execution/unusual_instances": (ev, p) =>
    ev
      .filter((e) => unusualLaunch(e, p))
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn"),
        scalar(e, "requestParameters.instanceType"),
        scalar(e, "requestParameters.instancesSet.items.0.maxCount"),
        str(e, "awsRegion"),
        str(e, "errorCode"),
      ]),
  "remote-execution/unusual_instances_insights": (ev, p) =>
    ev
      .filter((e) => unusualLaunch(e, p))
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "requestParameters.instanceType"),
        str(e, "errorCode"),
      ]),
  "lambda-changes/function_changes": (ev, p) =>
    ev
      .filter(lambdaChange)
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn"),
        automated(e, p),
        str(e, "eventName"),
        scalar(e, "requestParameters.functionName") ?? scalar(e, "requestParameters.layerName"),
        scalar(e, "requestParameters.layers.0"),
        scalar(e, "requestParameters.role"),
        str(e, "sourceIPAddress"),
      ]),
  "lambda-changes/function_changes_insights": (ev, p) =>
    ev
      .filter((e) => lambdaChange(e) && !automated(e, p))
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        str(e, "requestParameters.functionName"),
      ]),
  "bedrock-model-use/model_use": (ev, p) =>
    groupBy(
      ev.filter((e) => bedrockCall(e) && !arnMatches(e, p.model_user_pattern!)),
      (e) => [caller(e), str(e, "eventName"), scalar(e, "requestParameters.modelId")],
      (g) => {
        const t = g.map((e) => str(e, "eventTime") as string).sort();
        return [g.length, g.filter((e) => !noError(e)).length, t[0]!, t[t.length - 1]!];
      },
    ),
  "bedrock-model-use/model_use_insights": (ev, p) =>
    groupBy(
      ev.filter((e) => bedrockCall(e) && !arnMatches(e, p.model_user_pattern!)),
      (e) => [str(e, "userIdentity.arn"), str(e, "eventName")],
      (g) => [g.length],
    ),
  "bedrock-model-use/invocation_volume": (ev, p) =>
    groupBy(
      ev.filter((e) => bedrockCall(e) && is(e, "eventName", ...INVOCATIONS)),
      (e) => [caller(e), (str(e, "eventTime") as string).slice(0, 13)],
      (g) => {
        const models = new Set(g.map((e) => scalar(e, "requestParameters.modelId")));
        models.delete(null);
        return [g.length, g.filter((e) => !noError(e)).length, models.size];
      },
    ).filter(
      (r) =>
        (r[2] as number) > Number(p.max_invocations_per_hour) ||
        (r[4] as number) > Number(p.max_models_per_hour),
    ),
  // bin(1h): the hour's start in @timestamp's form; a missing ARN is a group of its own (null)
  "bedrock-model-use/invocation_volume_insights": (ev, p) =>
    groupBy(
      ev.filter((e) => bedrockCall(e) && is(e, "eventName", ...INVOCATIONS)),
      (e) => [str(e, "userIdentity.arn"), `${stamp(e).slice(0, 13)}:00:00.000`],
      (g) => {
        const models = new Set(g.map((e) => str(e, "requestParameters.modelId")));
        models.delete(null);
        return [g.length, models.size];
      },
    ).filter(
      (r) =>
        (r[2] as number) > Number(p.max_invocations_per_hour) ||
        (r[3] as number) > Number(p.max_models_per_hour),
    ),
  "access-key-lifecycle/federation_tokens": (ev, p) =>
    ev
      .filter((e) => federationToken(e, p))
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn"),
        str(e, "userIdentity.accessKeyId"),
        scalar(e, "requestParameters.name"),
        scalar(e, "responseElements.credentials.accessKeyId"),
        scalar(e, "responseElements.credentials.expiration"),
        str(e, "sourceIPAddress"),
      ]),
  "access-key-lifecycle/federation_tokens_insights": (ev, p) =>
    ev
      .filter((e) => federationToken(e, p))
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "requestParameters.name"),
        str(e, "responseElements.credentials.accessKeyId"),
      ]),
  "s3-ransomware/customer_key_writes": (ev, p) =>
    groupBy(
      ev.filter((e) => customerKeyWrite(e, p)),
      (e) => [caller(e), str(e, "eventName"), scalar(e, "requestParameters.bucketName")],
      (g) => {
        const t = g.map((e) => str(e, "eventTime") as string).sort();
        const keys = new Set(g.map((e) => scalar(e, "requestParameters.key")));
        keys.delete(null);
        return [g.length, keys.size, g.filter((e) => !noError(e)).length, t[0]!, t.at(-1)!];
      },
    ),
  "s3-ransomware/customer_key_writes_insights": (ev, p) =>
    groupBy(
      ev.filter((e) => customerKeyWrite(e, p)),
      (e) => [str(e, "userIdentity.arn"), str(e, "eventName")],
      (g) => [g.length],
    ),
  "s3-ransomware/bulk_deletions": (ev, p) =>
    groupBy(
      ev.filter(objectDeletion),
      (e) => [caller(e), (str(e, "eventTime") as string).slice(0, 13)],
      (g) => {
        const buckets = new Set(g.map((e) => scalar(e, "requestParameters.bucketName")));
        buckets.delete(null);
        return [
          g.filter((e) => is(e, "eventName", "DeleteObject")).length,
          g.filter((e) => is(e, "eventName", "DeleteObjects")).length,
          g.filter((e) => !noError(e)).length,
          buckets.size,
        ];
      },
    ).filter(
      (r) =>
        (r[2] as number) > Number(p.max_deletions_per_hour) ||
        (r[3] as number) > Number(p.max_batch_deletions_per_hour),
    ),
  "s3-ransomware/bulk_deletions_insights": (ev, p) =>
    groupBy(
      ev.filter(objectDeletion),
      (e) => [
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        `${stamp(e).slice(0, 13)}:00:00.000`,
      ],
      (g) => [g.length],
    ).filter((r) =>
      r[1] === "DeleteObject"
        ? (r[3] as number) > Number(p.max_deletions_per_hour)
        : (r[3] as number) > Number(p.max_batch_deletions_per_hour),
    ),
  "s3-ransomware/protection_removed": (ev, p) =>
    ev
      .filter((e) => protectionRemoved(e, p))
      .map((e) => {
        const days = expirations(e).days;
        return [
          str(e, "eventTime"),
          caller(e),
          str(e, "eventName"),
          scalar(e, "requestParameters.bucketName"),
          versioning(e, "Status"),
          versioning(e, "MfaDelete"),
          days.length > 0 ? Math.min(...days) : null,
          str(e, "sourceIPAddress"),
        ];
      }),
  "s3-ransomware/protection_removed_insights": (ev, p) =>
    ev
      .filter((e) => protectionRemoved(e, p, insightsExpires))
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        str(e, "requestParameters.bucketName"),
      ]),
  "rds-data-protection/data_copied_out": (ev, p) =>
    groupBy(
      ev.filter((e) => dataCopiedOut(e, p)),
      (e) => [
        caller(e),
        str(e, "eventName"),
        str(e, "awsRegion"),
        ...rdsSourceAndDestination(e),
        scalar(e, "requestParameters.kmsKeyId"),
      ],
      (g) => {
        const t = g.map((e) => str(e, "eventTime") as string).sort();
        return [g.length, t[0]!, t.at(-1)!];
      },
    ),
  "rds-data-protection/data_copied_out_insights": (ev, p) =>
    groupBy(
      ev.filter((e) => dataCopiedOutInsights(e, p)),
      (e) => [str(e, "userIdentity.arn"), str(e, "eventName")],
      (g) => [g.length],
    ),
  "rds-data-protection/opened_to_internet": (ev) =>
    ev
      .filter((e) => openedToInternet(e, false))
      .map((e) => [
        str(e, "eventTime"),
        caller(e),
        str(e, "eventName"),
        firstParam(
          e,
          "dBInstanceIdentifier",
          "targetDBInstanceIdentifier",
          "dBClusterIdentifier",
          "dBSecurityGroupName",
        ),
        scalar(e, "requestParameters.cIDRIP"),
        str(e, "sourceIPAddress"),
      ]),
  "rds-data-protection/opened_to_internet_insights": (ev) =>
    ev
      .filter((e) => openedToInternet(e, true))
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        str(e, "requestParameters.cIDRIP"),
      ]),
  "rds-data-protection/protection_removed": (ev, p) =>
    ev
      .filter((e) => rdsByHand(e, p) && rdsProtectionChanges(e).length > 0)
      .map((e) => [
        str(e, "eventTime"),
        caller(e),
        str(e, "eventName"),
        firstParam(
          e,
          "dBInstanceIdentifier",
          "dBClusterIdentifier",
          "dBSnapshotIdentifier",
          "dBClusterSnapshotIdentifier",
          "dbiResourceId",
          "dbClusterResourceId",
          "dBInstanceAutomatedBackupsArn",
          "dBClusterAutomatedBackupsArn",
          "resourceArn",
        ),
        rdsProtectionChanges(e).join(", "),
        str(e, "sourceIPAddress"),
      ]),
  "rds-data-protection/protection_removed_insights": (ev, p) =>
    ev
      .filter((e) => rdsByHand(e, p) && protectionRemovedInsights(e))
      .map((e) => [stamp(e), str(e, "userIdentity.arn"), str(e, "eventName")]),
  "reconnaissance/tool_activity": (ev, p) =>
    groupBy(
      ev.filter((e) => toolCall(e, p, sqlMatches)),
      (e) => [
        caller(e),
        str(e, "userIdentity.accessKeyId"),
        str(e, "userAgent"),
        str(e, "eventName"),
      ],
      (g) => [g.length, refusedCount(g), ...span(g)],
    ),
  "reconnaissance/tool_activity_insights": (ev, p) =>
    groupBy(
      ev.filter((e) => toolCall(e, p, insightsMatches)),
      (e) => [str(e, "userIdentity.arn"), str(e, "userAgent"), str(e, "eventName")],
      (g) => [g.length],
    ),
  "reconnaissance/enumeration_bursts": (ev, p) =>
    groupBy(
      ev.filter((e) =>
        enumerationRead(e, sqlMatches(e, "userIdentity.arn", p.automation_pattern!)),
      ),
      (e) => [caller(e), (str(e, "eventTime") as string).slice(0, 13)],
      (g) => {
        const actions = new Set(g.map((e) => `${str(e, "eventSource")} ${str(e, "eventName")}`));
        const services = [
          ...new Set(g.map((e) => (str(e, "eventSource") as string).replace(".amazonaws.com", ""))),
        ].sort();
        const refused = g.filter((e) => REFUSALS.includes(str(e, "errorCode") as string)).length;
        return [actions.size, services.join(" "), g.length, Math.floor((refused * 100) / g.length)];
      },
    ).filter((r) => (r[2] as number) > Number(p.max_read_actions_per_hour)),
  "reconnaissance/enumeration_bursts_insights": (ev, p) =>
    groupBy(
      ev.filter((e) =>
        enumerationRead(e, insightsMatches(e, "userIdentity.arn", p.automation_pattern!)),
      ),
      (e) => [str(e, "userIdentity.arn"), `${stamp(e).slice(0, 13)}:00:00.000`],
      (g) => [distinct(g, "eventName"), distinct(g, "eventSource"), g.length],
    ).filter((r) => (r[2] as number) > Number(p.max_read_actions_per_hour)),
  "reconnaissance/email_sending": (ev, p) =>
    groupBy(
      ev.filter((e) => sesCall(e) && !sqlMatches(e, "userIdentity.arn", p.sender_pattern!)),
      (e) => [
        caller(e),
        str(e, "eventName"),
        str(e, "awsRegion"),
        scalar(e, "requestParameters.emailAddress") ??
          scalar(e, "requestParameters.emailIdentity") ??
          scalar(e, "requestParameters.domain"),
      ],
      (g) => [g.length, refusedCount(g), ...span(g)],
    ),
  "reconnaissance/email_sending_insights": (ev, p) =>
    groupBy(
      ev.filter((e) => sesCall(e) && !insightsMatches(e, "userIdentity.arn", p.sender_pattern!)),
      (e) => [str(e, "userIdentity.arn"), str(e, "eventName"), str(e, "awsRegion")],
      (g) => [g.length],
    ),
  "reconnaissance/region_use": (ev, p) =>
    groupBy(
      ev.filter(
        (e) =>
          regionUse(
            e,
            !sqlMatches(e, "awsRegion", p.account_regions!),
            str(e, "readOnly") === "true",
          ) &&
          !byAws(e) &&
          !sqlMatches(e, "userIdentity.arn", p.automation_pattern!),
      ),
      (e) => [
        caller(e),
        str(e, "eventName") === "EnableRegion"
          ? (scalar(e, "requestParameters.RegionName") ?? str(e, "awsRegion"))
          : str(e, "awsRegion"),
        str(e, "eventName"),
      ],
      (g) => [g.length, refusedCount(g), ...span(g)],
    ),
  // awsRegion not like: false without a region; readOnly = 1: a JSON true (or the number 1)
  "reconnaissance/region_use_insights": (ev, p) =>
    groupBy(
      ev.filter(
        (e) =>
          regionUse(
            e,
            str(e, "awsRegion") !== null && !insightsMatches(e, "awsRegion", p.account_regions!),
            field(e, "readOnly") === true || numberOf(field(e, "readOnly")) === 1,
          ) &&
          !byAws(e) &&
          !insightsMatches(e, "userIdentity.arn", p.automation_pattern!),
      ),
      (e) => [
        str(e, "userIdentity.arn"),
        str(e, "awsRegion"),
        str(e, "eventName"),
        str(e, "requestParameters.RegionName"),
      ],
      (g) => [g.length],
    ),
  "network-paths/traffic_mirrored": (ev, p) =>
    ev.filter((e) => mirrorCall(e, p)).map((e) => mirrorRow(e)),
  "network-paths/traffic_mirrored_insights": (ev, p) =>
    groupBy(
      ev.filter((e) => mirrorCall(e, p)),
      (e) => [str(e, "userIdentity.arn"), str(e, "eventName")],
      (g) => [g.length],
    ),
  "network-paths/paths_opened": (ev, p) =>
    ev.filter((e) => pathOpened(e, p) !== null).map((e) => pathRow(e, p)),
  "network-paths/paths_opened_insights": (ev, p) =>
    groupBy(
      ev.filter((e) => pathOpenedInsights(e, p)),
      (e) => [str(e, "userIdentity.arn"), str(e, "eventName")],
      (g) => [g.length],
    ),
  "network-paths/nacl_open_to_world": (ev, p) =>
    ev
      .filter((e) => naclOpen(e, p))
      .map((e) => {
        const rp = (k: string) => scalar(e, `requestParameters.${k}`);
        return [
          str(e, "eventTime"),
          caller(e),
          str(e, "eventName"),
          str(e, "awsRegion"),
          rp("networkAclId"),
          rp("ruleNumber"),
          rp("egress")?.toLowerCase() === "true" ? "egress" : "ingress",
          rp("cidrBlock") ?? rp("ipv6CidrBlock"),
          rp("aclProtocol"),
          bigint(rp("portRange.from")),
          bigint(rp("portRange.to")),
          str(e, "sourceIPAddress"),
        ];
      }),
  "network-paths/nacl_open_to_world_insights": (ev, p) =>
    ev
      .filter((e) => naclOpenInsights(e, p))
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        str(e, "requestParameters.networkAclId"),
      ]),
  "sign-in-persistence/identity_providers_changed": (ev, p) =>
    ev
      .filter((e) => providerChanged(e, p))
      .map((e) => [
        str(e, "eventTime"),
        caller(e),
        str(e, "eventSource"),
        str(e, "eventName"),
        firstScalar(
          e,
          "requestParameters.name",
          "requestParameters.sAMLProviderArn",
          "requestParameters.url",
          "requestParameters.openIDConnectProviderArn",
          "requestParameters.permissionSetArn",
          "requestParameters.groupId",
          "requestParameters.userName",
          "requestParameters.trustedTokenIssuerArn",
          "requestParameters.identityStoreId",
          "requestParameters.instanceArn",
        ),
        firstScalar(
          e,
          "requestParameters.managedPolicyArn",
          "requestParameters.customerManagedPolicyReference.name",
          "requestParameters.clientID",
          "requestParameters.principalId",
          "requestParameters.memberId.userId",
          "requestParameters.trustedTokenIssuerConfiguration.oidcJwtConfiguration.issuerUrl",
        ),
        str(e, "errorCode"),
        str(e, "sourceIPAddress"),
      ]),
  "sign-in-persistence/identity_providers_changed_insights": (ev, p) =>
    groupBy(
      ev.filter((e) => providerChanged(e, p)),
      (e) => [str(e, "userIdentity.arn"), str(e, "eventSource"), str(e, "eventName")],
      (g) => [g.length],
    ),
  "sign-in-persistence/sign_in_given_to_others": (ev, p) =>
    ev
      .filter((e) => givenToOther(e, p))
      .map((e) => [
        str(e, "eventTime"),
        caller(e),
        str(e, "eventName"),
        scalar(e, "requestParameters.userName"),
        scalar(e, "requestParameters.passwordResetRequired"),
        scalar(e, "requestParameters.serialNumber"),
        str(e, "errorCode"),
        str(e, "sourceIPAddress"),
      ]),
  "sign-in-persistence/sign_in_given_to_others_insights": (ev, p) =>
    ev
      .filter((e) => givenToOther(e, p))
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        str(e, "requestParameters.userName"),
        str(e, "errorCode"),
      ]),
  "sign-in-persistence/console_from_keys": (ev, p) =>
    ev
      .filter((e) => consoleFromKeys(e, p))
      .map((e) => [
        str(e, "eventTime"),
        caller(e),
        str(e, "userIdentity.type"),
        str(e, "userIdentity.sessionContext.sessionIssuer.arn"),
        str(e, "userIdentity.accessKeyId"),
        str(e, "userAgent"),
        str(e, "errorCode"),
        str(e, "sourceIPAddress"),
      ]),
  "sign-in-persistence/console_from_keys_insights": (ev, p) =>
    ev
      .filter((e) => consoleFromKeys(e, p))
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "userIdentity.type"),
        str(e, "userAgent"),
        str(e, "sourceIPAddress"),
      ]),
  "build-and-registry/registries_opened": (ev, p) =>
    changeRows(
      ev,
      (e) => registryChange(e, p),
      (e) => scalar(e, "requestParameters.repositoryName"),
      (e, c) => registryDetail(e, p, c),
    ),
  "build-and-registry/registries_opened_insights": (ev, p) =>
    ev
      .filter((e) => registryOpenedInsights(e, p))
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        str(e, "requestParameters.repositoryName"),
        str(e, "sourceIPAddress"),
      ]),
  "build-and-registry/clusters_opened": (ev, p) =>
    changeRows(
      ev,
      (e) => clusterChange(e, p),
      (e) => scalar(e, "requestParameters.name") ?? scalar(e, "requestParameters.clusterName"),
      clusterDetail,
    ),
  "build-and-registry/clusters_opened_insights": (ev, p) =>
    ev
      .filter((e) => clusterOpenedInsights(e, p))
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        str(e, "requestParameters.name"),
        str(e, "requestParameters.clusterName"),
        str(e, "sourceIPAddress"),
      ]),
  "build-and-registry/builds_hijacked": (ev, p) =>
    changeRows(
      ev,
      (e) => buildChange(e, p),
      (e) =>
        scalar(e, "requestParameters.projectName") ??
        scalar(e, "requestParameters.name") ??
        scalar(e, "requestParameters.projectArn"),
      buildDetail,
    ),
  "build-and-registry/builds_hijacked_insights": (ev, p) =>
    ev
      .filter((e) => buildHijackedInsights(e, p))
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        str(e, "requestParameters.projectName"),
        str(e, "requestParameters.name"),
        str(e, "requestParameters.projectArn"),
        str(e, "sourceIPAddress"),
      ]),
  "privilege-escalation/policies_rewritten": (ev, p) =>
    ev
      .filter((e) => policyRewritten(e) && byHandSql(e, p) && allowsSql(e))
      .map((e) => [
        str(e, "eventTime"),
        caller(e),
        str(e, "eventName"),
        firstScalar(
          e,
          "requestParameters.policyArn",
          "requestParameters.userName",
          "requestParameters.groupName",
        ),
        firstScalar(
          e,
          "requestParameters.versionId",
          "requestParameters.policyName",
          "responseElements.policyVersion.versionId",
        ),
        widestGrant(scalar(e, "requestParameters.policyDocument")),
        str(e, "sourceIPAddress"),
      ]),
  "privilege-escalation/policies_rewritten_insights": (ev, p) =>
    ev
      .filter((e) => policyRewritten(e) && byHandInsights(e, p) && allowsInsights(e))
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        str(e, "requestParameters.policyArn"),
        str(e, "requestParameters.userName"),
        str(e, "requestParameters.groupName"),
      ]),
  "privilege-escalation/identities_moved_into_power": (ev, p) =>
    ev
      .filter((e) => byHandSql(e, p) && allowsSql(e) && movedIntoPower(e, p) !== null)
      .map((e) => [
        str(e, "eventTime"),
        caller(e),
        str(e, "eventName"),
        movedIntoPower(e, p),
        firstScalar(e, "requestParameters.userName", "requestParameters.roleName"),
        firstScalar(
          e,
          "requestParameters.groupName",
          "requestParameters.policyArn",
          "requestParameters.policyName",
          "requestParameters.permissionsBoundary",
        ),
        str(e, "sourceIPAddress"),
      ]),
  "privilege-escalation/identities_moved_into_power_insights": (ev, p) =>
    ev
      .filter((e) => byHandInsights(e, p) && allowsInsights(e) && movedIntoPower(e, p) !== null)
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        str(e, "requestParameters.userName"),
        str(e, "requestParameters.roleName"),
        str(e, "requestParameters.groupName"),
      ]),
  "privilege-escalation/roles_passed_to_compute": (ev, p) =>
    ev
      .filter((e) => byHandSql(e, p) && roleToCompute(e))
      .map((e) => [
        str(e, "eventTime"),
        caller(e),
        str(e, "eventSource"),
        str(e, "eventName"),
        firstScalar(
          e,
          "requestParameters.AssociateIamInstanceProfileRequest.InstanceId",
          "requestParameters.ReplaceIamInstanceProfileAssociationRequest.AssociationId",
          "requestParameters.instanceProfileName",
          "requestParameters.stackName",
          "requestParameters.stackSetName",
          "requestParameters.endpointName",
          "requestParameters.jobName",
          "requestParameters.notebookInstanceName",
          "requestParameters.pipelineId",
          "requestParameters.name",
          "responseElements.instancesSet.items.0.instanceId",
        ),
        firstScalar(
          e,
          "requestParameters.iamInstanceProfile.arn",
          "requestParameters.iamInstanceProfile.name",
          "requestParameters.AssociateIamInstanceProfileRequest.IamInstanceProfile.Arn",
          "requestParameters.AssociateIamInstanceProfileRequest.IamInstanceProfile.Name",
          "requestParameters.ReplaceIamInstanceProfileAssociationRequest.IamInstanceProfile.Arn",
          "requestParameters.ReplaceIamInstanceProfileAssociationRequest.IamInstanceProfile.Name",
          "requestParameters.roleName",
          "requestParameters.roleARN",
          "requestParameters.roleArn",
          "requestParameters.administrationRoleARN",
          "requestParameters.role",
          "requestParameters.jobUpdate.role",
        ),
        str(e, "sourceIPAddress"),
      ]),
  "privilege-escalation/roles_passed_to_compute_insights": (ev, p) =>
    groupBy(
      ev.filter((e) => byHandInsights(e, p) && roleToCompute(e)),
      (e) => [str(e, "userIdentity.arn"), str(e, "eventSource"), str(e, "eventName")],
      (g) => [g.length],
    ),
  "account-guardrails/guardrails_lifted": (ev, p) =>
    changeRows(
      ev,
      (e) => guardrailChange(e, p),
      (e) => rq(e, "targetId") ?? rq(e, "rootId") ?? rq(e, "policyId"),
      guardrailDetail,
    ),
  "account-guardrails/guardrails_lifted_insights": (ev, p) =>
    ev
      .filter((e) =>
        orgInsights(
          e,
          p,
          LIFTING,
          (x) =>
            is(x, "eventName", "AttachPolicy") &&
            is(x, "requestParameters.policyId", "p-FullAWSAccess"),
        ),
      )
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        str(e, "requestParameters.targetId"),
        str(e, "requestParameters.policyId"),
        str(e, "requestParameters.policyType"),
        str(e, "sourceIPAddress"),
      ]),
  "account-guardrails/organization_changed": organizationChanged,
  "account-guardrails/organization_changed_insights": (ev, p) =>
    ev
      .filter((e) => orgInsights(e, p, ORG_CALLS))
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        str(e, "requestParameters.accountId"),
        str(e, "requestParameters.accountName"),
        str(e, "requestParameters.target.id"),
        str(e, "requestParameters.servicePrincipal"),
        str(e, "requestParameters.destinationParentId"),
        str(e, "sourceIPAddress"),
      ]),
  "account-guardrails/settings_weakened": (ev, p) =>
    changeRows(ev, (e) => settingChange(e, p), settingTarget, settingDetail),
  "account-guardrails/settings_weakened_insights": (ev, p) =>
    ev
      .filter((e) => settingWeakenedInsights(e, p))
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "eventName"),
        str(e, "awsRegion"),
        str(e, "requestParameters.alternateContactType"),
        str(e, "requestParameters.primaryEmail"),
        str(e, "sourceIPAddress"),
      ]),
  "outside-role-use/outside_accounts": (ev, p) =>
    groupBy(
      ev.filter((e) => outsideAccount(e, p)),
      (e) => [
        scalar(e, "requestParameters.roleArn"),
        str(e, "userIdentity.accountId"),
        str(e, "userIdentity.arn") ?? str(e, "userIdentity.principalId"),
        str(e, "userIdentity.type"),
        scalar(e, "requestParameters.roleSessionName"),
        scalar(e, "requestParameters.sourceIdentity"),
        str(e, "sourceIPAddress"),
      ],
      seen,
    ),
  "outside-role-use/outside_accounts_insights": (ev, p) =>
    ev
      .filter((e) => outsideAccount(e, p))
      .map((e) => [
        stamp(e),
        str(e, "requestParameters.roleArn"),
        str(e, "userIdentity.accountId"),
        str(e, "userIdentity.principalId"),
        str(e, "requestParameters.roleSessionName"),
        str(e, "requestParameters.sourceIdentity"),
        str(e, "sourceIPAddress"),
      ]),
  "outside-role-use/web_identities_outside": (ev, p) =>
    groupBy(
      ev.filter((e) => outsideWebIdentity(e, p)),
      (e) => [
        scalar(e, "requestParameters.roleArn"),
        scalar(e, "responseElements.provider"),
        scalar(e, "responseElements.subjectFromWebIdentityToken"),
        scalar(e, "responseElements.audience"),
        scalar(e, "requestParameters.roleSessionName"),
        str(e, "sourceIPAddress"),
      ],
      seen,
    ),
  "outside-role-use/web_identities_outside_insights": (ev, p) =>
    ev
      .filter((e) => outsideWebIdentity(e, p))
      .map((e) => [
        stamp(e),
        str(e, "requestParameters.roleArn"),
        str(e, "responseElements.provider"),
        str(e, "responseElements.subjectFromWebIdentityToken"),
        str(e, "responseElements.audience"),
        str(e, "sourceIPAddress"),
      ]),
  "outside-role-use/saml_outside": (ev, p) =>
    groupBy(
      ev.filter((e) => outsideSaml(e, p)),
      (e) => [
        scalar(e, "requestParameters.roleArn"),
        scalar(e, "requestParameters.principalArn"),
        scalar(e, "responseElements.issuer"),
        scalar(e, "responseElements.subject"),
        str(e, "sourceIPAddress"),
      ],
      seen,
    ),
  "outside-role-use/saml_outside_insights": (ev, p) =>
    ev
      .filter((e) => outsideSaml(e, p))
      .map((e) => [
        stamp(e),
        str(e, "requestParameters.roleArn"),
        str(e, "requestParameters.principalArn"),
        str(e, "responseElements.issuer"),
        str(e, "responseElements.subject"),
        str(e, "sourceIPAddress"),
      ]),
  "outside-role-use/guarded_roles_assumed": (ev, p) =>
    ev
      .filter((e) => guardedAssumption(e, p))
      .map((e) => [
        str(e, "eventTime"),
        str(e, "userIdentity.arn") ?? str(e, "userIdentity.principalId"),
        str(e, "userIdentity.sessionContext.sessionIssuer.arn"),
        scalar(e, "requestParameters.roleArn"),
        scalar(e, "requestParameters.roleSessionName"),
        scalar(e, "requestParameters.sourceIdentity"),
        str(e, "sourceIPAddress"),
      ]),
  "outside-role-use/guarded_roles_assumed_insights": (ev, p) =>
    ev
      .filter((e) => guardedAssumption(e, p))
      .map((e) => [
        stamp(e),
        str(e, "userIdentity.arn"),
        str(e, "userIdentity.principalId"),
        str(e, "userIdentity.sessionContext.sessionIssuer.arn"),
        str(e, "requestParameters.roleArn"),
        str(e, "requestParameters.roleSessionName"),
        str(e, "requestParameters.sourceIdentity"),
        str(e, "sourceIPAddress"),
      ]),
};

/** The events of a run's window, `[from, to)`. */
export function inWindow(events: Event[], from: Date, to: Date): Event[] {
  return events.filter((e) => {
    const t = Date.parse(str(e, "eventTime") ?? "");
    return t >= from.getTime() && t < to.getTime();
  });
}
