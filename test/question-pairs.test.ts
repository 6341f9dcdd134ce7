/**
 * The same question asked twice, once in Athena SQL and once in Logs Insights, must get the same
 * answer from the local engine over the same generated CloudTrail logs. This pins the Insights
 * translation's semantics (missing fields, booleans as 1/0, numeric comparisons, arithmetic,
 * stats naming, bins, dedup, parse) to what the SQL steps see. The engine is opened the way the
 * CLI opens it (its engine pool and this repository's configuration), so the Trino session
 * settings it runs with, integer division among them, apply to both sides; and the answers are
 * compared as typed values: a count is the number 3 on both sides, not "3".
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Dialect, Engine, JsonValue, QueryRequest } from "@run-md/core";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../packages/cli/src/config.ts";
import { EnginePool } from "../packages/cli/src/engines.ts";

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
  {
    question: "calls per minute of each service (a division: doubles, not integers)",
    sql: "SELECT eventsource, CAST(count(*) AS double) / 60 AS perMin FROM cloudtrail_logs GROUP BY 1",
    insights: "stats count(*) / 60 as perMin by eventSource",
  },
  {
    question: "share of write calls per service, in percent",
    sql: `SELECT eventsource, CAST(count_if(readonly = 'false') AS double) * 100 / count(*) AS pct
FROM cloudtrail_logs GROUP BY 1`,
    insights: "stats sum(1 - readOnly) * 100 / count(*) as pct by eventSource",
  },
  {
    question: "events per 5 minutes",
    sql: `SELECT format_datetime(from_unixtime(floor(to_unixtime(from_iso8601_timestamp(eventtime)) / 300) * 300), 'yyyy-MM-dd HH:mm:ss.SSS') AS b,
  count(*) AS n
FROM cloudtrail_logs GROUP BY 1 ORDER BY 1`,
    insights: "stats count(*) as n by bin(5m) as b | sort b",
    ordered: true,
  },
  {
    question: "events per 7 minutes (bins counted from the epoch)",
    sql: `SELECT format_datetime(from_unixtime(floor(to_unixtime(from_iso8601_timestamp(eventtime)) / 420) * 420), 'yyyy-MM-dd HH:mm:ss.SSS') AS b,
  count(*) AS n
FROM cloudtrail_logs GROUP BY 1 ORDER BY 1`,
    insights: "stats count(*) as n by bin(7m) as b | sort b",
    ordered: true,
  },
  {
    question: "events per day and region",
    sql: `SELECT format_datetime(date_trunc('day', from_iso8601_timestamp(eventtime)), 'yyyy-MM-dd HH:mm:ss.SSS') AS d,
  awsregion, count(*) AS n
FROM cloudtrail_logs GROUP BY 1, 2`,
    insights: "stats count(*) as n by bin(1d) as d, awsRegion",
  },
  {
    question: "which services each API call belongs to (dedup)",
    sql: "SELECT DISTINCT eventname, eventsource FROM cloudtrail_logs",
    insights: "fields eventName, eventSource | dedup eventName",
  },
  {
    question: "user-agent products (parse with a glob; no slash, no product)",
    sql: `SELECT CASE WHEN strpos(useragent, '/') > 0 THEN split_part(useragent, '/', 1) END AS product, count(*) AS n
FROM cloudtrail_logs GROUP BY 1`,
    insights: 'parse userAgent "*/*" as product, rest | stats count(*) as n by product',
  },
  {
    question: "session issuers' account ids (parse with a regular expression)",
    sql: `SELECT regexp_extract(useridentity.arn, '^arn:aws:sts::(\\d+):assumed-role/', 1) AS acct, count(*) AS n
FROM cloudtrail_logs GROUP BY 1`,
    insights: `parse userIdentity.arn /^arn:aws:sts::(?<acct>\\d+):assumed-role\\// | stats count(*) as n by acct`,
  },
  {
    question: "errors among all calls, per service (count of a field counts events that have it)",
    sql: "SELECT eventsource, count(errorcode) AS errors, count(*) AS n FROM cloudtrail_logs GROUP BY 1",
    insights: "stats count(errorCode) as errors, count(*) as n by eventSource",
  },
  {
    question:
      "calls that failed with something other than AccessDenied (missing errorCode excluded)",
    sql: "SELECT eventname, count(*) AS n FROM cloudtrail_logs WHERE errorcode <> 'AccessDenied' GROUP BY 1",
    insights: 'filter errorCode != "AccessDenied" | stats count(*) as n by eventName',
  },
  {
    question: "the same with not like: it agrees with !=",
    sql: "SELECT eventname, count(*) AS n FROM cloudtrail_logs WHERE errorcode NOT LIKE '%AccessDenied%' GROUP BY 1",
    insights: 'filter errorCode not like "AccessDenied" | stats count(*) as n by eventName',
  },
  {
    question: "calls by identities without a user name, by identity type",
    sql: "SELECT useridentity.type, count(*) AS n FROM cloudtrail_logs WHERE useridentity.username IS NULL GROUP BY 1",
    insights:
      "filter not ispresent(userIdentity.userName) | stats count(*) as n by userIdentity.type",
  },
];

let dir: string;
let pool: EnginePool;
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

/** Rows in a stable order for comparing as sets: by their JSON text, values keep their types. */
function sorted(rows: JsonValue[][]): JsonValue[][] {
  return [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
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
  // The CLI's own engine pool over this repository's configuration, pointed at the data.
  pool = new EnginePool(loadConfig(path.resolve(import.meta.dirname, "../run-md.config.yaml")), {
    logDir: dir,
  });
  engine = await pool.get("local");
}, 120_000);

afterAll(async () => {
  await pool?.closeAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("questions asked in Athena SQL and in Logs Insights", () => {
  test("there are at least 25 of them", () => {
    expect(PAIRS.length).toBeGreaterThanOrEqual(25);
  });

  test.each(PAIRS.map((p) => [p.question, p] as const))("%s: same answer", async (_, pair) => {
    const sql = await engine.query(request("sql", pair.sql));
    const cwl = await engine.query(request("logs-insights", pair.insights));
    expect(cwl.columns.length).toBe(sql.columns.length);
    if (pair.ordered) expect(cwl.rows).toEqual(sql.rows);
    else expect(sorted(cwl.rows)).toEqual(sorted(sql.rows));
    // Every question has an answer on the generated data, so agreement means something.
    expect(sql.rows.length).toBeGreaterThan(0);
  });
});
