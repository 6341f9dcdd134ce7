/**
 * Deterministic CloudTrail log files in the S3 delivery layout
 * (`AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/*.json.gz`) for tests that run the same
 * query on the local engine and on the emulated Athena backed by it.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";

const ACCOUNT = "123456789012";
const NAMES = [
  ["signin.amazonaws.com", "ConsoleLogin"],
  ["sts.amazonaws.com", "AssumeRole"],
  ["s3.amazonaws.com", "GetObject"],
  ["iam.amazonaws.com", "CreateUser"],
  ["ec2.amazonaws.com", "DescribeInstances"],
] as const;

function event(i: number, time: Date, region: string): Record<string, unknown> {
  const [source, name] = NAMES[i % NAMES.length]!;
  const user = `user${i % 4}`;
  const assumed = i % 3 === 0;
  return {
    eventVersion: "1.09",
    userIdentity: assumed
      ? {
          type: "AssumedRole",
          principalId: `AROAEXAMPLE:${user}`,
          arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/${user}`,
          accountId: ACCOUNT,
          accessKeyId: `ASIA${String(i).padStart(12, "0")}`,
          sessionContext: {
            sessionIssuer: {
              type: "Role",
              principalId: "AROAEXAMPLE",
              arn: `arn:aws:iam::${ACCOUNT}:role/Admin`,
              accountId: ACCOUNT,
              userName: "Admin",
            },
            attributes: { creationDate: time.toISOString(), mfaAuthenticated: "false" },
          },
        }
      : {
          type: "IAMUser",
          principalId: `AIDAEXAMPLE${i % 4}`,
          arn: `arn:aws:iam::${ACCOUNT}:user/${user}`,
          accountId: ACCOUNT,
          userName: user,
        },
    eventTime: time.toISOString().replace(/\.\d{3}Z$/, "Z"),
    eventSource: source,
    eventName: name,
    awsRegion: region,
    sourceIPAddress: `198.51.100.${i % 20}`,
    userAgent:
      i % 2 ? "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 botocore/2.0" : "console.amazonaws.com",
    ...(i % 7 === 0
      ? { errorCode: "AccessDenied", errorMessage: `User: ${user} is not authorized` }
      : {}),
    requestParameters:
      name === "GetObject"
        ? { bucketName: `bucket-${i % 3}`, key: `data/${i}.csv` }
        : name === "CreateUser"
          ? { userName: `new-${i}` }
          : null,
    responseElements: null,
    requestID: `req-${i}`,
    eventID: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    readOnly: name === "GetObject" || name === "DescribeInstances",
    ...(name === "GetObject"
      ? {
          resources: [
            { ARN: `arn:aws:s3:::bucket-${i % 3}/data/${i}.csv`, type: "AWS::S3::Object" },
            { accountId: ACCOUNT, ARN: `arn:aws:s3:::bucket-${i % 3}`, type: "AWS::S3::Bucket" },
          ],
        }
      : {}),
    eventType: "AwsApiCall",
    managementEvent: name !== "GetObject",
    recipientAccountId: ACCOUNT,
    eventCategory: name === "GetObject" ? "Data" : "Management",
    tlsDetails: {
      tlsVersion: "TLSv1.3",
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      clientProvidedHostHeader: `${source}`,
    },
  };
}

/**
 * Writes `perDay` events an hour apart-ish for each day and region, starting at `firstDay`.
 * Returns the number of events written per (day, region).
 */
export function writeCloudTrailFiles(
  root: string,
  opts: { firstDay: string; days: number; regions: string[]; perDay: number },
): void {
  let i = 0;
  for (let d = 0; d < opts.days; d++) {
    const day = new Date(Date.parse(`${opts.firstDay}T00:00:00Z`) + d * 86_400_000);
    const [y, m, dd] = day.toISOString().slice(0, 10).split("-");
    for (const region of opts.regions) {
      const records = [];
      for (let k = 0; k < opts.perDay; k++) {
        const time = new Date(
          day.getTime() + Math.floor((k * 86_400_000) / opts.perDay) + (i % 60) * 1000,
        );
        records.push(event(i++, time, region));
      }
      const dir = path.join(root, "AWSLogs", ACCOUNT, "CloudTrail", region, y!, m!, dd!);
      mkdirSync(dir, { recursive: true });
      const file = `${ACCOUNT}_CloudTrail_${region}_${y}${m}${dd}T0000Z_test.json.gz`;
      writeFileSync(path.join(dir, file), gzipSync(JSON.stringify({ Records: records })));
    }
  }
}

/**
 * A new temporary folder (`run-md-<name>-…`) holding `writeCloudTrailFiles`' events: `perDay` a
 * day in each region for `days` days from `firstDay`. The caller removes it.
 */
export function cloudTrailDir(
  name: string,
  firstDay: string,
  days: number,
  regions: string[],
  perDay: number,
): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `run-md-${name}-`));
  writeCloudTrailFiles(dir, { firstDay, days, regions, perDay });
  return dir;
}
