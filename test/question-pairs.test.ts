/**
 * The same question asked twice, once in Athena SQL and once in Logs Insights, must get the same
 * answer from the local engine over the same generated CloudTrail logs. This pins the Insights
 * translation's semantics (missing fields, booleans as 1/0, numeric comparisons, stats naming,
 * bins) to what the SQL steps see.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Dialect, Engine, JsonValue, QueryRequest } from "@run-md/core";
import { createLocalEngine } from "@run-md/engine-local";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateLogs } from "@run-md/generator";

const START = new Date("2026-11-20T00:00:00Z");
const END = new Date("2026-11-21T00:00:00Z");

interface Pair {
  question: string;
  sql: string;
  insights: string;
  /** Compare in order (the question has an order) rather than as sets of rows. */
  ordered?: boolean;
}

const PAIRS: Pair[] = [
  {
    question: "failed console sign-ins, by user and source IP (the spec's example)",
    sql: `SELECT useridentity.username, sourceipaddress, count(*) AS failures
FROM cloudtrail_logs
WHERE eventname = 'ConsoleLogin' AND errormessage = 'Failed authentication'
GROUP BY 1, 2`,
    insights: `filter eventName = "ConsoleLogin" and errorMessage = "Failed authentication"
| stats count(*) as failures by userIdentity.userName, sourceIPAddress`,
  },
  {
    question: "events per service",
    sql: "SELECT eventsource, count(*) FROM cloudtrail_logs GROUP BY eventsource",
    insights: "stats count(*) by eventSource",
  },
  {
    question: "access-denied calls by principal, most first",
    sql: `SELECT useridentity.arn AS principal, count(*) AS calls FROM cloudtrail_logs
WHERE errorcode IN ('AccessDenied', 'Client.UnauthorizedOperation')
GROUP BY 1 ORDER BY calls DESC, principal`,
    insights: `filter errorCode in ["AccessDenied", "Client.UnauthorizedOperation"]
| stats count(*) as calls by userIdentity.arn as principal
| sort calls desc, principal`,
    ordered: true,
  },
  {
    question: "what the root user did",
    sql: "SELECT eventname, count(*) AS n FROM cloudtrail_logs WHERE useridentity.type = 'Root' GROUP BY 1",
    insights: 'filter userIdentity.type = "Root" | stats count(*) as n by eventName',
  },
  {
    question: "successful console sign-ins without MFA",
    sql: `SELECT eventtime, useridentity.arn, sourceipaddress FROM cloudtrail_logs
WHERE eventname = 'ConsoleLogin'
  AND json_extract_scalar(additionaleventdata, '$.MFAUsed') <> 'Yes'
  AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success'`,
    insights: `filter eventName = "ConsoleLogin" and additionalEventData.MFAUsed != "Yes"
  and responseElements.ConsoleLogin = "Success"
| fields eventTime, userIdentity.arn, sourceIPAddress`,
  },
  {
    question: "CloudTrail tampering",
    sql: `SELECT eventtime, eventname, useridentity.arn FROM cloudtrail_logs
WHERE eventsource = 'cloudtrail.amazonaws.com'
  AND eventname IN ('StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors')`,
    insights: `filter eventSource = "cloudtrail.amazonaws.com"
  and eventName in ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"]
| fields eventTime, eventName, userIdentity.arn`,
  },
  {
    question: "security-group changes and the groups they touched",
    sql: `SELECT eventname, json_extract_scalar(requestparameters, '$.groupId') AS groupid, count(*) AS n
FROM cloudtrail_logs
WHERE eventname IN ('AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress',
  'RevokeSecurityGroupEgress', 'CreateSecurityGroup', 'DeleteSecurityGroup')
GROUP BY 1, 2`,
    insights: `filter eventName in ["AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
  "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup"]
| stats count(*) as n by eventName, requestParameters.groupId`,
  },
  {
    question: "access keys created, by whom and for whom",
    sql: `SELECT useridentity.arn, json_extract_scalar(requestparameters, '$.userName') AS target, count(*) AS n
FROM cloudtrail_logs WHERE eventname = 'CreateAccessKey' GROUP BY 1, 2`,
    insights: `filter eventName = "CreateAccessKey"
| stats count(*) as n by userIdentity.arn, requestParameters.userName`,
  },
  {
    question: "distinct source IPs per principal",
    sql: `SELECT useridentity.arn, count(DISTINCT sourceipaddress) AS ips FROM cloudtrail_logs GROUP BY 1`,
    insights: "stats count_distinct(sourceIPAddress) as ips by userIdentity.arn",
  },
  {
    question: "errors by code",
    sql: "SELECT errorcode, count(*) AS n FROM cloudtrail_logs WHERE errorcode IS NOT NULL GROUP BY 1",
    insights: "filter ispresent(errorCode) | stats count(*) as n by errorCode",
  },
  {
    question: "events per hour",
    sql: `SELECT format_datetime(date_trunc('hour', from_iso8601_timestamp(eventtime)), 'yyyy-MM-dd HH:mm:ss.SSS') AS hour,
  count(*) AS n
FROM cloudtrail_logs GROUP BY 1 ORDER BY 1`,
    insights: "stats count(*) as n by bin(1h) as hour | sort hour",
    ordered: true,
  },
  {
    question: "write calls per region (readOnly is 0 in Logs Insights, 'false' in Athena)",
    sql: "SELECT awsregion, count(*) AS writes FROM cloudtrail_logs WHERE readonly = 'false' GROUP BY 1",
    insights: "filter readOnly = 0 | stats count(*) as writes by awsRegion",
  },
  {
    question: "the five most frequent API calls",
    sql: `SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY 1 ORDER BY n DESC, eventname LIMIT 5`,
    insights: "stats count(*) as n by eventName | sort n desc, eventName | limit 5",
    ordered: true,
  },
  {
    question: "calls per TLS version",
    sql: "SELECT tlsdetails.tlsversion, count(*) AS n FROM cloudtrail_logs GROUP BY 1",
    insights: "stats count(*) as n by tlsDetails.tlsVersion",
  },
  {
    question: "S3 buckets read, and how often",
    sql: `SELECT json_extract_scalar(requestparameters, '$.bucketName') AS bucket, count(*) AS n
FROM cloudtrail_logs WHERE eventsource = 's3.amazonaws.com' GROUP BY 1`,
    insights:
      'filter eventSource = "s3.amazonaws.com" | stats count(*) as n by requestParameters.bucketName',
  },
  {
    question: "principals with at least 3 failed sign-ins",
    sql: `SELECT useridentity.username, count(*) AS failures FROM cloudtrail_logs
WHERE eventname = 'ConsoleLogin' AND errormessage = 'Failed authentication'
GROUP BY 1 HAVING count(*) >= 3`,
    insights: `filter eventName = "ConsoleLogin" and errorMessage = "Failed authentication"
| stats count(*) as failures by userIdentity.userName
| filter failures >= 3`,
  },
  {
    question: "IAM changes by principal and action",
    sql: `SELECT useridentity.arn, eventname, count(*) AS n FROM cloudtrail_logs
WHERE eventsource = 'iam.amazonaws.com' AND readonly = 'false' GROUP BY 1, 2`,
    insights: `filter eventSource = "iam.amazonaws.com" and readOnly = 0
| stats count(*) as n by userIdentity.arn, eventName`,
  },
  {
    question: "the first and last sign-in time of each user",
    sql: `SELECT useridentity.arn,
  format_datetime(min(from_iso8601_timestamp(eventtime)), 'yyyy-MM-dd HH:mm:ss.SSS') AS first,
  format_datetime(max(from_iso8601_timestamp(eventtime)), 'yyyy-MM-dd HH:mm:ss.SSS') AS last
FROM cloudtrail_logs WHERE eventname = 'ConsoleLogin' GROUP BY 1`,
    insights: `filter eventName = "ConsoleLogin"
| stats min(@timestamp) as first, max(@timestamp) as last by userIdentity.arn`,
  },
];

let dir: string;
let engine: Engine;

function request(dialect: Dialect, query: string): QueryRequest {
  return {
    stepId: "pair",
    dialect,
    query,
    params: {},
    window: { start: START, end: END },
    attributes: { optional: false },
    signal: new AbortController().signal,
  };
}

/** Values as text, so a count that one side returns as a number and the other as text compare. */
function normalise(rows: JsonValue[][]): string[] {
  return rows.map((r) =>
    JSON.stringify(
      r.map((v) => (v === null ? null : typeof v === "object" ? JSON.stringify(v) : String(v))),
    ),
  );
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "run-md-pairs-"));
  await generateLogs({
    outDir: dir,
    start: START,
    end: END,
    totalEvents: 6000,
    incidents: true,
    seed: "pairs",
    regions: ["us-east-1", "eu-west-1"],
  });
  engine = await createLocalEngine({ logDir: dir });
}, 120_000);

afterAll(async () => {
  await engine?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("questions asked in Athena SQL and in Logs Insights", () => {
  test("there are at least 15 of them", () => {
    expect(PAIRS.length).toBeGreaterThanOrEqual(15);
  });

  test.each(PAIRS.map((p) => [p.question, p] as const))("%s: same answer", async (_, pair) => {
    const sql = await engine.query(request("sql", pair.sql));
    const cwl = await engine.query(request("logs-insights", pair.insights));
    expect(cwl.columns.length).toBe(sql.columns.length);
    const a = normalise(sql.rows);
    const b = normalise(cwl.rows);
    if (pair.ordered) expect(b).toEqual(a);
    else expect([...b].sort()).toEqual([...a].sort());
    // Every question has an answer on the generated data, so agreement means something.
    expect(a.length).toBeGreaterThan(0);
  });
});
