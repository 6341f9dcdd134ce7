/**
 * Writes the fixture reports under site/test/fixtures/reports (run once by hand; the output is
 * committed). Typed against `RunReport`, so the fixtures have exactly the runner's shape.
 * Usage: npx tsx site/test/make-fixture-reports.ts
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type {
  CheckOutcome,
  RunReport,
  RunStatus,
  Status,
  StepReport,
  StepStatus,
} from "@run-md/core";

const out = path.resolve(import.meta.dirname, "fixtures/reports");

function count<T extends string>(keys: readonly T[], values: T[]): Record<T, number> {
  const r = Object.fromEntries(keys.map((k) => [k, 0])) as Record<T, number>;
  for (const v of values) r[v]++;
  return r;
}

function worst(statuses: Status[]): Status {
  const order: Status[] = ["passed", "warned", "failed", "errored"];
  return statuses.reduce<Status>((w, s) => (order.indexOf(s) > order.indexOf(w) ? s : w), "passed");
}

interface RunbookInfo {
  id: string;
  title: string;
  description?: string;
  severity: string;
  owner?: string;
  tags: string[];
  escalation?: string;
}

function report(
  rb: RunbookInfo,
  startedAt: string,
  steps: StepReport[],
  error?: RunReport["error"],
): RunReport {
  const durationMs = steps.reduce((s, x) => s + x.durationMs, 0) + 40;
  const checks = steps.flatMap((s) => s.checks.map((c) => c.status));
  const stepStatuses: StepStatus[] = steps.map((s) => s.status);
  const status: RunStatus = error
    ? "errored"
    : worst(
        steps.map((s) =>
          s.status === "skipped" || s.status === "cancelled" ? "passed" : s.status,
        ),
      );
  const start = new Date(startedAt);
  const end = new Date(start.getTime() - 0);
  const windowStart = new Date(start.getTime() - 24 * 3600_000);
  return {
    reportVersion: 1,
    tool: { name: "run-md", version: "0.1.0" },
    runId: `${rb.id}-${startedAt.replace(/[:.]/g, "")}`,
    runbook: {
      id: rb.id,
      path: `runbooks/${rb.id}.md`,
      title: rb.title,
      ...(rb.description ? { description: rb.description } : {}),
      severity: rb.severity,
      ...(rb.owner ? { owner: rb.owner } : {}),
      tags: rb.tags,
      sourceHash: createHash("sha256")
        .update(readFileSync(path.resolve(out, `../runbooks/${rb.id}.md`)))
        .digest("hex"),
      ...(rb.escalation ? { escalation: rb.escalation } : {}),
    },
    status,
    startedAt,
    endedAt: new Date(start.getTime() + durationMs).toISOString(),
    durationMs,
    engine: "default", // the run's --engine choice; each step says where it ran
    params: {},
    window: {
      start: windowStart.toISOString(),
      end: end.toISOString(),
      source: "front matter window 24h",
    },
    steps: steps.map((s) =>
      s.window === RUN_WINDOW
        ? { ...s, window: { start: windowStart.toISOString(), end: end.toISOString() } }
        : s,
    ),
    summary: {
      checks: count(["passed", "warned", "failed", "errored"] as const, checks),
      steps: count(
        ["passed", "warned", "failed", "errored", "skipped", "cancelled"] as const,
        stepStatuses,
      ),
    },
    ...(error ? { error } : {}),
  };
}

/** A step's window when it has none of its own: the run's (report() puts it in). */
const RUN_WINDOW = { start: "(the run's)", end: "(the run's)" };

function step(
  id: string,
  title: string,
  query: string,
  columns: [string, string][],
  rows: (string | number | null)[][],
  checks: CheckOutcome[],
  extra: Partial<StepReport> = {},
): StepReport {
  const status: StepStatus = extra.status ?? worst(checks.map((c) => c.status));
  return {
    id,
    title,
    dialect: "sql",
    engine: "local",
    optional: false,
    status,
    startedAt: "2026-11-23T02:00:00.000Z",
    durationMs: 180,
    query,
    window: RUN_WINDOW,
    stats: { filesRead: 24, bytesScanned: 18_342_112 },
    columns: columns.map(([name, type]) => ({ name, type })),
    rows,
    rowCount: rows.length,
    truncated: false,
    warnings: [],
    checks,
    ...extra,
  };
}

function write(rb: RunbookInfo, r: RunReport): void {
  const dir = path.join(out, rb.id);
  mkdirSync(dir, { recursive: true });
  const name = `${r.startedAt.replaceAll(":", "-")}.json`;
  writeFileSync(path.join(dir, name), `${JSON.stringify(r, null, 2)}\n`);
}

function writeLatest(rb: RunbookInfo, r: RunReport): void {
  writeFileSync(path.join(out, rb.id, "latest.json"), `${JSON.stringify(r, null, 2)}\n`);
}

rmSync(out, { recursive: true, force: true });

// unauthorized-access: passed, then failed twice; the latest adds a new root principal.
const ua: RunbookInfo = {
  id: "unauthorized-access",
  title: "Detect unauthorized access attempts",
  description: "Failed sign-ins and access-denied calls, by who and from where.",
  severity: "high",
  owner: "security-oncall",
  tags: ["access", "security", "incident response"],
  escalation: "Page the security on-call, open an incident and attach this run's report.\n",
};
const uaQuery =
  "SELECT useridentity.arn AS principal, eventsource, count(*) AS calls\nFROM cloudtrail_logs\nWHERE errorcode IN ('AccessDenied', 'Client.UnauthorizedOperation')\n  AND useridentity.arn LIKE '%'\nGROUP BY 1, 2\nORDER BY calls DESC";
const insightsQuery =
  'filter eventName = "ConsoleLogin" and errorMessage = "Failed authentication"\n| stats count(*) as failures by userIdentity.userName, sourceIPAddress';
const rootRow = {
  principal: "arn:aws:iam::123456789012:root",
  eventsource: "s3.amazonaws.com",
  calls: 7,
};
const rootRow2 = {
  principal: "arn:aws:iam::210987654321:root",
  eventsource: "kms.amazonaws.com",
  calls: 3,
};
/**
 * Access denied per hour over the 24 h window ending at `end`: `calls[h]` in the hour starting h
 * hours after the window's start (hours with no call have no row, as a GROUP BY returns them).
 */
const HOURLY_LATEST = [3, 2, 0, 1, 0, 0, 4, 6, 5, 7, 9, 8, 6, 5, 0, 4, 3, 2, 7, 45, 58, 12, 6, 3];
const hourlyStep = (end: string, calls: number[]) => {
  const start = Date.parse(end) - 24 * 3600_000;
  const rows = calls.flatMap((n, h) =>
    n === 0
      ? []
      : [[`${new Date(start + h * 3600_000).toISOString().replace("T", " ").slice(0, 23)} UTC`, n]],
  );
  const max = Math.max(...calls);
  return step(
    "denied_per_hour",
    "Access denied, hour by hour",
    "SELECT date_trunc('hour', eventtime) AS hour, count(*) AS calls\nFROM cloudtrail_logs\nWHERE errorcode IN ('AccessDenied', 'Client.UnauthorizedOperation')\nGROUP BY 1\nORDER BY 1",
    [
      ["hour", "timestamp(3) with time zone"],
      ["calls", "bigint"],
    ],
    rows,
    [
      {
        check: "warn: max(calls) < 40",
        label: "more than 40 denials in an hour is a burst",
        line: 50,
        warn: true,
        status: max < 40 ? "passed" : "warned",
        actual: max,
        message: max < 40 ? `max(calls) = ${max}` : `max(calls) = ${max}, expected < 40`,
      },
    ],
    {
      durationMs: 420,
      window: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
    },
  );
};
const loginStep = (failures: number) =>
  step(
    "failed_console_logins",
    "Failed console sign-ins",
    insightsQuery,
    [
      ["userIdentity.userName", "varchar"],
      ["sourceIPAddress", "varchar"],
      ["failures", "bigint"],
    ],
    failures === 0 ? [] : [["alice", "203.0.113.7", failures]],
    [
      {
        check: "rows == 0",
        line: 49,
        warn: false,
        status: failures === 0 ? "passed" : "failed",
        actual: failures === 0 ? 0 : 1,
        message: failures === 0 ? "rows = 0" : "rows = 1, expected == 0",
      },
    ],
    {
      dialect: "logs-insights",
      durationMs: 1250,
      stats: { recordsScanned: 48_211, recordsMatched: 3 },
    },
  );
write(
  ua,
  report(ua, "2026-11-21T02:00:05.000Z", [
    step(
      "denied_by_principal",
      "Access denied, by principal",
      uaQuery,
      [
        ["principal", "varchar"],
        ["eventsource", "varchar"],
        ["calls", "bigint"],
      ],
      [["arn:aws:iam::123456789012:user/ci", "ec2.amazonaws.com", 4]],
      [
        {
          check: "max(calls) < 50",
          label: "a burst of denials from one principal is worth a page",
          line: 34,
          warn: false,
          status: "passed",
          actual: 4,
          message: "max(calls) = 4",
        },
        {
          check: "no principal like '%:root'",
          label: "the root user never gets denied in normal operation",
          line: 35,
          warn: false,
          status: "passed",
          actual: 0,
          message: "no offending rows",
        },
      ],
    ),
    hourlyStep(
      "2026-11-21T02:00:00.000Z",
      [1, 0, 2, 3, 0, 1, 2, 4, 3, 5, 2, 1, 0, 3, 2, 4, 1, 0, 2, 3, 1, 2, 0, 1],
    ),
    loginStep(0),
  ]),
);
write(
  ua,
  report(ua, "2026-11-22T02:00:04.000Z", [
    step(
      "denied_by_principal",
      "Access denied, by principal",
      uaQuery,
      [
        ["principal", "varchar"],
        ["eventsource", "varchar"],
        ["calls", "bigint"],
      ],
      [
        [rootRow.principal, rootRow.eventsource, rootRow.calls],
        ["arn:aws:iam::123456789012:user/ci", "ec2.amazonaws.com", 4],
      ],
      [
        {
          check: "max(calls) < 50",
          label: "a burst of denials from one principal is worth a page",
          line: 34,
          warn: false,
          status: "passed",
          actual: 7,
          message: "max(calls) = 7",
        },
        {
          check: "no principal like '%:root'",
          label: "the root user never gets denied in normal operation",
          line: 35,
          warn: false,
          status: "failed",
          actual: 1,
          message: "1 row has principal like '%:root'",
          offendingRows: [rootRow],
          offendingCount: 1,
        },
      ],
    ),
    hourlyStep(
      "2026-11-22T02:00:00.000Z",
      [2, 1, 0, 3, 4, 2, 6, 5, 12, 8, 7, 3, 2, 1, 0, 4, 5, 18, 9, 4, 3, 2, 1, 0],
    ),
    loginStep(0),
  ]),
);
const uaLatest = report(ua, "2026-11-23T02:00:03.000Z", [
  step(
    "denied_by_principal",
    "Access denied, by principal",
    uaQuery,
    [
      ["principal", "varchar"],
      ["eventsource", "varchar"],
      ["calls", "bigint"],
    ],
    [
      ["arn:aws:iam::123456789012:user/intruder", "iam.amazonaws.com", 62],
      [rootRow2.principal, rootRow2.eventsource, rootRow2.calls],
      ["arn:aws:iam::123456789012:user/ci", "ec2.amazonaws.com", 2],
    ],
    [
      {
        check: "max(calls) < 50",
        label: "a burst of denials from one principal is worth a page",
        line: 34,
        warn: false,
        status: "failed",
        actual: 62,
        message: "max(calls) = 62, expected < 50",
      },
      {
        check: "no principal like '%:root'",
        label: "the root user never gets denied in normal operation",
        line: 35,
        warn: false,
        status: "failed",
        actual: 1,
        message: "1 row has principal like '%:root'",
        offendingRows: [rootRow2],
        offendingCount: 1,
      },
    ],
  ),
  hourlyStep("2026-11-23T02:00:00.000Z", HOURLY_LATEST),
  loginStep(5),
]);
write(ua, uaLatest);
writeLatest(ua, uaLatest);

// audit-iam: failed, then passed.
const iam: RunbookInfo = {
  id: "audit-iam",
  title: "Audit IAM changes",
  description:
    "Who created, changed or deleted IAM users, roles, policies and access keys, and whether any of it came from an identity outside the approved automation roles.\n",
  severity: "high",
  owner: "platform-team",
  tags: ["iam", "audit", "compliance"],
  escalation: "Page the security on-call; open an incident; attach this run's report.\n",
};
/** The local engine's warning of a day without logs (engine-local `gapWarning`). */
const IAM_GAP =
  "the window's day 2026-11-21 (UTC) has no log file with events: logs not synced, collected or delivered read as a quiet day; check the source before trusting an empty answer";
const iamSteps = (outside: number): StepReport[] => [
  step(
    "iam_changes_outside_automation",
    "Changes outside automation",
    "SELECT useridentity.arn AS actor, eventname, count(*) AS calls\nFROM cloudtrail_logs\nWHERE eventsource = 'iam.amazonaws.com'",
    [
      ["actor", "varchar"],
      ["eventname", "varchar"],
      ["calls", "bigint"],
    ],
    outside === 0 ? [] : [["arn:aws:iam::123456789012:user/bob", "AttachUserPolicy", outside]],
    [
      {
        check: "rows == 0",
        label: "nobody outside automation changed IAM",
        line: 37,
        warn: false,
        status: outside === 0 ? "passed" : "failed",
        actual: outside === 0 ? 0 : 1,
        message: outside === 0 ? "rows = 0" : "rows = 1, expected == 0",
      },
    ],
  ),
  step(
    "new_access_keys",
    "New access keys",
    "SELECT useridentity.arn AS actor, eventtime\nFROM cloudtrail_logs\nWHERE eventname = 'CreateAccessKey'",
    [
      ["actor", "varchar"],
      ["eventtime", "varchar"],
    ],
    [["arn:aws:iam::123456789012:assumed-role/deploy-prod/ci", "2026-11-22T13:04:11Z"]],
    [
      {
        check: "rows <= 5",
        line: 49,
        warn: false,
        status: "passed",
        actual: 1,
        message: "rows = 1",
      },
    ],
    // The passed run read a window with a day without logs: the index says so beside its green.
    outside === 0 ? { warnings: [IAM_GAP] } : {},
  ),
];
write(iam, report(iam, "2026-11-22T02:00:01.000Z", iamSteps(2)));
const iamLatest = report(iam, "2026-11-23T02:00:01.000Z", iamSteps(0));
write(iam, iamLatest);
writeLatest(iam, iamLatest);

// s3-public-access: warned.
const s3: RunbookInfo = {
  id: "s3-public-access",
  title: "S3 buckets opened to the public",
  description: "Bucket policy and ACL changes that may expose data.",
  severity: "medium",
  owner: "data-platform",
  tags: ["s3", "data"],
};
const s3Latest = report(s3, "2026-11-22T03:10:00.000Z", [
  step(
    "bucket_policy_changes",
    "Policy and ACL changes",
    "SELECT requestparameters AS request, useridentity.arn AS actor, eventname\nFROM cloudtrail_logs",
    [
      ["request", "varchar"],
      ["actor", "varchar"],
      ["eventname", "varchar"],
    ],
    [
      ['{"bucketName":"logs-archive"}', "arn:aws:iam::123456789012:user/carol", "PutBucketPolicy"],
      ['{"bucketName":"web-assets"}', "arn:aws:iam::123456789012:user/carol", "PutBucketAcl"],
      ['{"bucketName":"exports"}', "arn:aws:iam::123456789012:user/dan", "DeletePublicAccessBlock"],
    ],
    [
      {
        check: "warn: rows < 3",
        label: "a busy week, worth a look",
        line: 24,
        warn: true,
        status: "warned",
        actual: 3,
        message: "rows = 3, expected < 3",
      },
    ],
    {
      stats: { DataScannedInBytes: 734_003_200, EngineExecutionTimeInMillis: 2310 },
      engine: "athena",
      // The step's own window=30d, ending with the run's.
      window: { start: "2026-10-23T03:10:00.000Z", end: "2026-11-22T03:10:00.000Z" },
    },
  ),
]);
write(s3, s3Latest);
writeLatest(s3, s3Latest);

// kms-key-deletion: passed, then errored with a hint.
const kms: RunbookInfo = {
  id: "kms-key-deletion",
  title: "KMS keys scheduled for deletion",
  description: "Keys someone scheduled for deletion or disabled.",
  severity: "low",
  tags: ["kms", "incident"],
};
const kmsQuery =
  "SELECT useridentity.arn AS actor, requestparameters\nFROM cloudtrail_logs\nWHERE eventsource = 'kms.amazonaws.com' AND eventname IN ('ScheduleKeyDeletion', 'DisableKey')";
write(
  kms,
  report(kms, "2026-11-22T02:00:02.000Z", [
    step(
      "kms_deletions",
      "KMS keys scheduled for deletion",
      kmsQuery,
      [
        ["actor", "varchar"],
        ["requestparameters", "varchar"],
      ],
      [],
      [
        {
          check: "rows == 0",
          line: 17,
          warn: false,
          status: "passed",
          actual: 0,
          message: "rows = 0",
        },
      ],
    ),
  ]),
);
const kmsError = {
  code: "ATHENA_QUERY_FAILED",
  message:
    "TABLE_NOT_FOUND: line 2:6: Table 'awsdatacatalog.default.cloudtrail_logs' does not exist",
  hint: "Create the CloudTrail table in the workgroup's database, or set athena.database in run-md.config.yaml.",
};
const kmsLatest = report(
  kms,
  "2026-11-23T02:00:02.000Z",
  [
    step(
      "kms_deletions",
      "KMS keys scheduled for deletion",
      kmsQuery,
      [],
      [],
      // The runner reports no outcome for the checks of a step that errored.
      [],
      { status: "errored", error: kmsError, engine: "athena", stats: {} },
    ),
    // A step the runbook has no longer (removed since this run).
    step("kms_old", "Keys disabled", kmsQuery, [], [], [], {
      status: "errored",
      error: kmsError,
      engine: "athena",
      stats: {},
    }),
  ],
  kmsError,
);
write(kms, kmsLatest);
writeLatest(kms, kmsLatest);

console.log(`wrote fixture reports to ${out}`);
