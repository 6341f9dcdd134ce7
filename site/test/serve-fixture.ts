/**
 * What the served site's browser test runs against: a log directory generated here (denied
 * calls by three principals over the last hours), a runbook whose check fails when its
 * threshold is lowered, and the truth about both computed from the records in plain JavaScript.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";

export const ACCOUNT = "111122223333";
const arn = (user: string) => `arn:aws:iam::${ACCOUNT}:user/${user}`;

/** Denied calls per user; alice also makes calls that succeed, which must not count. */
export const DENIED: Record<string, number> = { alice: 3, bob: 11, mallory: 14 };
const ALLOWED_ALICE = 5;

export interface CloudTrailRecord {
  eventVersion: string;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userIdentity: { type: string; arn: string; accountId: string; userName: string };
  errorCode?: string;
  eventID: string;
  recipientAccountId: string;
}

/** The records, all in the hour before `now` (inside the runbook's 24h window). */
export function makeRecords(now: Date): CloudTrailRecord[] {
  const records: CloudTrailRecord[] = [];
  let i = 0;
  const add = (user: string, errorCode?: string) => {
    i++;
    records.push({
      eventVersion: "1.08",
      eventTime: new Date(now.getTime() - (10 + i) * 20_000).toISOString().replace(/\.\d+Z$/, "Z"),
      eventSource: "s3.amazonaws.com",
      eventName: "GetObject",
      awsRegion: "us-east-1",
      sourceIPAddress: "198.51.100.7",
      userIdentity: { type: "IAMUser", arn: arn(user), accountId: ACCOUNT, userName: user },
      ...(errorCode ? { errorCode } : {}),
      eventID: `ev-${i}`,
      recipientAccountId: ACCOUNT,
    });
  };
  for (const [user, n] of Object.entries(DENIED)) {
    for (let k = 0; k < n; k++) add(user, "AccessDenied");
  }
  for (let k = 0; k < ALLOWED_ALICE; k++) add("alice");
  return records;
}

/** The records in CloudTrail's S3 layout, one gzipped file per delivery day. */
export async function writeLogDir(dir: string, records: CloudTrailRecord[]): Promise<void> {
  const byDay = new Map<string, CloudTrailRecord[]>();
  for (const r of records) {
    const day = r.eventTime.slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), r]);
  }
  for (const [day, recs] of byDay) {
    const folder = path.join(dir, "AWSLogs", ACCOUNT, "CloudTrail", "us-east-1", ...day.split("-"));
    await mkdir(folder, { recursive: true });
    const file = `${ACCOUNT}_CloudTrail_us-east-1_${day.replaceAll("-", "")}T0000Z_test.json.gz`;
    await writeFile(path.join(folder, file), gzipSync(JSON.stringify({ Records: recs })));
  }
}

/**
 * The principals the check `no burst == true` names at `threshold`: denied calls counted from
 * the raw records, most first (the step's order).
 */
export function offenders(records: CloudTrailRecord[], threshold: number): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of records) {
    if (r.errorCode === "AccessDenied") {
      counts.set(r.userIdentity.arn, (counts.get(r.userIdentity.arn) ?? 0) + 1);
    }
  }
  return [...counts].filter(([, n]) => n >= threshold).sort((a, b) => b[1] - a[1]);
}

export const RUNBOOK_ID = "denied-bursts";

export const RUNBOOK = `---
title: Denied calls in bursts
description: Principals that are denied again and again.
owner: security-oncall
severity: high
tags: [access]
window: 24h
params:
  threshold:
    type: integer
    default: 50
    min: 1
    description: denied calls that make a burst
  principal_pattern:
    type: string
    default: "%"
    description: LIKE pattern of the principal ARNs to look at
  error_code:
    type: string
    enum: [AccessDenied, Client.UnauthorizedOperation]
    default: AccessDenied
---

# Denied calls in bursts

## Denied calls by principal

\`\`\`sql denied_by_principal
SELECT useridentity.arn AS principal, count(*) AS calls, count(*) >= {{threshold}} AS burst
FROM cloudtrail_logs
WHERE errorcode = {{error_code}}
  AND useridentity.arn LIKE {{principal_pattern}}
GROUP BY 1
ORDER BY calls DESC
\`\`\`

\`\`\`expect
no burst == true        # nobody is denied in bursts
\`\`\`

## Calls by source

\`\`\`sql calls_by_source
SELECT eventsource, count(*) AS calls
FROM cloudtrail_logs
GROUP BY 1
ORDER BY calls DESC
\`\`\`

\`\`\`expect
rows >= 1
\`\`\`
`;

export const SLOW_ID = "slow-count";

/** A runbook that runs until it is cancelled: a 7-way cross join of the records (33^7 rows). */
export const SLOW_RUNBOOK = `---
title: A slow count
description: Runs until it is cancelled.
severity: info
tags: [test]
window: 24h
---

# A slow count

\`\`\`sql slow_count
SELECT count(*) AS n
FROM cloudtrail_logs a, cloudtrail_logs b, cloudtrail_logs c, cloudtrail_logs d,
  cloudtrail_logs e, cloudtrail_logs f, cloudtrail_logs g
WHERE a.eventtime <> g.eventtime OR b.eventtime <> f.eventtime
\`\`\`
`;
