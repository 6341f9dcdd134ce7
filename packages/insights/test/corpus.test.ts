/**
 * Real-world Logs Insights queries: every Insights query of the shared reference corpus parses
 * (but the one malformed upstream sample), and every CloudTrail one runs over real CloudTrail
 * events from the shared datasets.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InsightsSyntaxError, parseInsights } from "../src/index.ts";
import { type EventsDb, eventsDb } from "./duck.ts";
import { readQueriesTsv } from "./queries-tsv.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const shared = path.resolve(repoRoot, "../shared");
const tsv = path.join(shared, "reference/queries/queries.tsv");
const datasets = ["stratus-red-team-detonation-logs", "otrf-ec2-proxy-s3-exfiltration"].map((d) =>
  path.join(shared, "datasets", d, "events.jsonl"),
);
const available = existsSync(tsv) && datasets.every((d) => existsSync(d));
if (!available) console.log(`skipping the reference corpus tests: ${shared} is not available`);

interface Row {
  source: string;
  target: string;
  line: number;
  query: string;
}

function insightsRows(): Row[] {
  if (!available) return [];
  return readQueriesTsv(tsv)
    .filter((r) => r.kind === "insights")
    .map((r) => ({
      source: r.source_file!,
      target: r.target!,
      line: Number(r.line),
      query: r.query!,
    }));
}

/** CloudTrail queries from the engine notes (AWS samples, CIS patterns, the TLS blog post). */
const NOTES_QUERIES = [
  "stats count(*) by eventSource, eventName, awsRegion",
  'filter (eventName="StartInstances" or eventName="StopInstances") and awsRegion="us-east-2"',
  'filter eventName="CreateUser" | fields awsRegion, requestParameters.userName, responseElements.user.arn',
  'filter eventName="UpdateTrail" and ispresent(errorCode) | stats count(*) by errorCode, errorMessage',
  'filter userIdentity.type = "Root" and not ispresent(userIdentity.invokedBy) and eventType != "AwsServiceEvent" | stats count(*) by eventName, sourceIPAddress',
  "filter errorCode like /UnauthorizedOperation$/ or errorCode like /^AccessDenied/ | stats count(*) as denied by userIdentity.arn, eventSource, eventName | sort denied desc | limit 20",
  'filter eventName = "ConsoleLogin" and additionalEventData.MFAUsed != "Yes" and responseElements.ConsoleLogin = "Success" | fields @timestamp, userIdentity.arn, sourceIPAddress',
  'filter eventName = "ConsoleLogin" and errorMessage = "Failed authentication" | stats count(*) by userIdentity.userName, sourceIPAddress, bin(1h)',
  'filter eventSource = "cloudtrail.amazonaws.com" and eventName in ["StopLogging","DeleteTrail","UpdateTrail","PutEventSelectors"] | fields @timestamp, eventName, userIdentity.arn, requestParameters.name',
  'filter eventName in ["AuthorizeSecurityGroupIngress","AuthorizeSecurityGroupEgress","RevokeSecurityGroupIngress","RevokeSecurityGroupEgress","CreateSecurityGroup","DeleteSecurityGroup"] | fields @timestamp, userIdentity.arn, requestParameters.groupId | sort @timestamp desc',
  'filter tlsDetails.tlsVersion in ["TLSv1","TLSv1.1"] | stats count(*) as calls by eventSource, userAgent | sort calls desc',
  'filter eventSource = "kms.amazonaws.com" and eventName in ["DisableKey","ScheduleKeyDeletion"] | fields @timestamp, userIdentity.arn, requestParameters.keyId',
];

const rows = insightsRows();
let db: EventsDb;
let total = 0;

describe.skipIf(!available)("the reference query corpus", () => {
  beforeAll(async () => {
    const events = datasets.flatMap((f) =>
      readFileSync(f, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    );
    total = events.length;
    db = await eventsDb(events);
  });
  afterAll(() => db?.close());

  test("lists the CloudTrail Insights queries of the CloudWatch Logs guide", () => {
    const ct = rows.filter((r) => r.target === "cloudtrail");
    expect(ct.length).toBeGreaterThanOrEqual(4);
    expect(ct.every((r) => r.source.includes("amazon-cloudwatch-logs-user-guide"))).toBe(true);
  });

  test.each(
    rows.filter((r) => r.target === "cloudtrail").map((r) => [`${r.source}:${r.line}`, r.query]),
  )("%s parses and runs over real CloudTrail events", async (_, query) => {
    parseInsights(query);
    const r = await db.run(query);
    expect(r.columns.length).toBeGreaterThan(0);
    for (const row of r.rows) expect(Object.keys(row)).toEqual(r.columns);
  });

  test("the guide's count by service, API and region adds up to every event", async () => {
    const r = await db.run("stats count(*) by eventSource, eventName, awsRegion");
    expect(r.rows.reduce((s, x) => s + Number(x["count(*)"]), 0)).toBe(total);
  });

  test.each(NOTES_QUERIES)("notes query %s parses and runs", async (query) => {
    const r = await db.run(query);
    expect(r.columns.length).toBeGreaterThan(0);
  });

  test("the denied-calls query finds the stratus access-denied events", async () => {
    const r = await db.run(NOTES_QUERIES[5]!);
    expect(r.rows.length).toBeGreaterThan(0);
    const denied = r.rows.map((x) => Number(x.denied));
    expect(denied).toEqual([...denied].sort((a, b) => b - a));
  });

  test("every Insights query of the corpus for other log sources parses, but the malformed sample", () => {
    const other = rows.filter((r) => r.target !== "cloudtrail");
    expect(other.length).toBeGreaterThan(10);
    const failures = other.flatMap((r) => {
      try {
        parseInsights(r.query);
        return [];
      } catch (e) {
        if (!(e instanceof InsightsSyntaxError)) throw e;
        return [`${r.line}:${e.line}:${e.column} ${e.message}`];
      }
    });
    // `referrer= http://34.250.27.141/` is an unquoted URL: the service rejects it too.
    expect(failures).toEqual(['189:2:41 unexpected character ":"']);
  });
});
