import { readFileSync } from "node:fs";
import path from "node:path";
import { matchPattern, validatePattern } from "@run-md/core";
import { describe, expect, it } from "vitest";

type Case = [name: string, pattern: Record<string, unknown>, event: unknown, matches: boolean];

/** The EC2 state-change event of the EventBridge user guide ("Events", "Exists matching"). */
const EC2 = {
  version: "0",
  id: "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "123456789012",
  time: "2015-11-11T21:29:54Z",
  region: "us-east-1",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  detail: { "instance-id": "i-abcd1111", state: "pending" },
};
const detail = (d: Record<string, unknown>) => ({ ...EC2, detail: d });
const COMPLEX = {
  time: [{ prefix: "2017-10-02" }],
  detail: {
    state: [{ "anything-but": "initializing" }],
    "c-count": [{ numeric: [">", 0, "<=", 5] }],
    "d-count": [{ numeric: ["<", 10] }],
    "x-limit": [{ "anything-but": [100, 200, 300] }],
  },
};
const NUMERIC = {
  detail: {
    "c-count": [{ numeric: [">", 0, "<=", 5] }],
    "d-count": [{ numeric: ["<", 10] }],
    "x-limit": [{ numeric: ["=", 3.018e2] }],
  },
};

/**
 * (pattern, event, matches?) from the EventBridge user guide: "Event patterns" (matching
 * values, arrays, null and empty strings), "Content filtering" (prefix, suffix, anything-but,
 * numeric, IP address, exists, equals-ignore-case, wildcard, $or) and "Comparison operators".
 */
const CASES: Case[] = [
  // Event patterns: exact values, AND across fields, OR inside a list.
  ["exact source", { source: ["aws.ec2"] }, EC2, true],
  ["exact source, other service", { source: ["aws.s3"] }, EC2, false],
  ["source is one of two", { source: ["aws.ec2", "aws.fargate"] }, EC2, true],
  [
    "three fields ANDed",
    {
      source: ["aws.ec2"],
      "detail-type": ["EC2 Instance State-change Notification"],
      detail: { state: ["pending"] },
    },
    EC2,
    true,
  ],
  [
    "three fields, one differs",
    {
      source: ["aws.ec2"],
      "detail-type": ["EC2 Instance State-change Notification"],
      detail: { state: ["terminated"] },
    },
    EC2,
    false,
  ],
  ["a field the event lacks", { detail: { "c-count": [5] } }, EC2, false],
  ["values are case-sensitive", { source: ["AWS.EC2"] }, EC2, false],
  // Arrays: the event's list matches when any element matches.
  [
    "event array contains the value",
    { resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"] },
    EC2,
    true,
  ],
  [
    "pattern and event arrays intersect",
    {
      resources: [
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111",
      ],
    },
    EC2,
    true,
  ],
  [
    "pattern and event arrays are disjoint",
    { resources: ["arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f"] },
    EC2,
    false,
  ],
  [
    "array of objects, any element",
    { detail: { items: { name: ["b"] } } },
    detail({ items: [{ name: "a" }, { name: "b" }] }),
    true,
  ],
  // Null values and empty strings.
  [
    "null matches null",
    { detail: { responseElements: [null] } },
    detail({ responseElements: null }),
    true,
  ],
  [
    "null does not match a missing field",
    { detail: { responseElements: [null] } },
    detail({}),
    false,
  ],
  [
    "empty string matches empty string",
    { detail: { eventVersion: [""] } },
    detail({ eventVersion: "" }),
    true,
  ],
  [
    "empty string does not match null",
    { detail: { eventVersion: [""] } },
    detail({ eventVersion: null }),
    false,
  ],
  // Numbers and booleans are JSON values, not strings.
  ["number matches number", { detail: { "x-limit": [301.8] } }, detail({ "x-limit": 301.8 }), true],
  [
    "number does not match a numeric string",
    { detail: { "x-limit": [301.8] } },
    detail({ "x-limit": "301.8" }),
    false,
  ],
  ["boolean", { detail: { "is-valid": [true] } }, detail({ "is-valid": true }), true],
  // Prefix.
  ["prefix of time", { time: [{ prefix: "2017-10-02" }] }, { time: "2017-10-02T18:43:48Z" }, true],
  [
    "prefix of time, other day",
    { time: [{ prefix: "2017-10-02" }] },
    { time: "2017-10-03T18:43:48Z" },
    false,
  ],
  [
    "prefix, European regions",
    { source: ["aws.autoscaling"], region: [{ prefix: "eu-" }] },
    { source: "aws.autoscaling", region: "eu-west-1" },
    true,
  ],
  [
    "prefix, US region",
    { source: ["aws.autoscaling"], region: [{ prefix: "eu-" }] },
    { source: "aws.autoscaling", region: "us-east-1" },
    false,
  ],
  [
    "prefix ignoring case",
    { detail: { service: [{ prefix: { "equals-ignore-case": "EventB" } }] } },
    detail({ service: "eventbridge" }),
    true,
  ],
  [
    "prefix is case-sensitive by default",
    { detail: { service: [{ prefix: "EventB" }] } },
    detail({ service: "eventbridge" }),
    false,
  ],
  ["prefix only on strings", { detail: { n: [{ prefix: "1" }] } }, detail({ n: 12 }), false],
  // Suffix.
  ["suffix .png", { FileName: [{ suffix: ".png" }] }, { FileName: "image.png" }, true],
  ["suffix .png, a jpg", { FileName: [{ suffix: ".png" }] }, { FileName: "image.jpg" }, false],
  [
    "suffix ignoring case",
    { detail: { FileName: [{ suffix: { "equals-ignore-case": ".png" } }] } },
    detail({ FileName: "IMAGE.PNG" }),
    true,
  ],
  // Anything-but.
  ["anything-but a string", { detail: { state: [{ "anything-but": "initializing" }] } }, EC2, true],
  [
    "anything-but the same string",
    { detail: { state: [{ "anything-but": "pending" }] } },
    EC2,
    false,
  ],
  [
    "anything-but a number",
    { detail: { "x-limit": [{ "anything-but": 123 }] } },
    detail({ "x-limit": 124 }),
    true,
  ],
  [
    "anything-but that number",
    { detail: { "x-limit": [{ "anything-but": 123 }] } },
    detail({ "x-limit": 123 }),
    false,
  ],
  [
    "anything-but a list of strings",
    { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } },
    detail({ state: "stopped" }),
    false,
  ],
  [
    "anything-but a list of numbers",
    { detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } },
    detail({ "x-limit": 150 }),
    true,
  ],
  [
    "anything-but a prefix",
    { detail: { state: [{ "anything-but": { prefix: "init" } }] } },
    detail({ state: "initializing" }),
    false,
  ],
  [
    "anything-but a prefix, other value",
    { detail: { state: [{ "anything-but": { prefix: "init" } }] } },
    EC2,
    true,
  ],
  [
    "anything-but CloudTrail API calls",
    { "detail-type": [{ "anything-but": "AWS API Call via CloudTrail" }] },
    EC2,
    true,
  ],
  [
    "anything-but aws.ec2 and aws.s3",
    { source: [{ "anything-but": ["aws.ec2", "aws.s3"] }] },
    EC2,
    false,
  ],
  [
    "anything-but prefix aws.",
    { source: [{ "anything-but": { prefix: "aws." } }] },
    { source: "com.mycompany.app" },
    true,
  ],
  [
    "anything-but a suffix",
    { FileName: [{ "anything-but": { suffix: ".png" } }] },
    { FileName: "a.txt" },
    true,
  ],
  [
    "anything-but ignoring case",
    { state: [{ "anything-but": { "equals-ignore-case": "initializing" } }] },
    { state: "INITIALIZING" },
    false,
  ],
  [
    "anything-but a wildcard",
    { FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] },
    { FilePath: "/usr/lib/x.so" },
    false,
  ],
  [
    "anything-but a wildcard, other path",
    { FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] },
    { FilePath: "/usr/bin/x" },
    true,
  ],
  [
    "anything-but on an absent field",
    { detail: { state: [{ "anything-but": "initializing" }] } },
    detail({}),
    false,
  ],
  // Numeric.
  [
    "numeric: all three hold",
    NUMERIC,
    detail({ "c-count": 5, "d-count": 9, "x-limit": 301.8 }),
    true,
  ],
  [
    "numeric: c-count above the range",
    NUMERIC,
    detail({ "c-count": 6, "d-count": 9, "x-limit": 301.8 }),
    false,
  ],
  [
    "numeric: c-count at the open lower bound",
    NUMERIC,
    detail({ "c-count": 0, "d-count": 9, "x-limit": 301.8 }),
    false,
  ],
  [
    "numeric: equality with 3.018e2",
    NUMERIC,
    detail({ "c-count": 1, "d-count": 9, "x-limit": 301.9 }),
    false,
  ],
  [
    "numeric does not match a numeric string",
    { detail: { "c-count": [{ numeric: [">", 0] }] } },
    detail({ "c-count": "3" }),
    false,
  ],
  [
    "numeric on GuardDuty severity",
    { detail: { severity: [{ numeric: [">=", 4] }] } },
    detail({ severity: 8 }),
    true,
  ],
  // IP address.
  [
    "cidr 10.0.0.0/24, inside",
    { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } },
    detail({ sourceIPAddress: "10.0.0.255" }),
    true,
  ],
  [
    "cidr 10.0.0.0/24, outside",
    { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } },
    detail({ sourceIPAddress: "10.0.1.1" }),
    false,
  ],
  [
    "cidr IPv6",
    { detail: { sourceIPAddress: [{ cidr: "2001:db8::/32" }] } },
    detail({ sourceIPAddress: "2001:db8:85a3::8a2e:370:7334" }),
    true,
  ],
  [
    "cidr IPv6, outside",
    { detail: { sourceIPAddress: [{ cidr: "2001:db8::/32" }] } },
    detail({ sourceIPAddress: "2001:db9::1" }),
    false,
  ],
  [
    "cidr on a service name",
    { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } },
    detail({ sourceIPAddress: "ec2.amazonaws.com" }),
    false,
  ],
  // Exists.
  ["exists true", { detail: { state: [{ exists: true }] } }, EC2, true],
  [
    "exists true, field absent",
    { detail: { state: [{ exists: true }] } },
    detail({ "c-count": { c1: 100 } }),
    false,
  ],
  ["exists false, field absent", { detail: { "c-count": [{ exists: false }] } }, EC2, true],
  ["exists false, field present", { detail: { state: [{ exists: false }] } }, EC2, false],
  [
    "exists true on an intermediate node",
    { detail: { "c-count": [{ exists: true }] } },
    detail({ "c-count": { c1: 100 } }),
    false,
  ],
  [
    "exists false on an intermediate node",
    { detail: { "c-count": [{ exists: false }] } },
    detail({ "c-count": { c1: 100 } }),
    true,
  ],
  // Equals-ignore-case.
  ["equals-ignore-case", { Name: [{ "equals-ignore-case": "alice" }] }, { Name: "ALICE" }, true],
  [
    "equals-ignore-case, other name",
    { Name: [{ "equals-ignore-case": "alice" }] },
    { Name: "alicia" },
    false,
  ],
  // Wildcard.
  [
    "wildcard in a path",
    { EventBusArn: [{ wildcard: "arn:aws:events:us-east-1:*:event-bus/*" }] },
    { EventBusArn: "arn:aws:events:us-east-1:123456789012:event-bus/default" },
    true,
  ],
  [
    "wildcard in a path, other region",
    { EventBusArn: [{ wildcard: "arn:aws:events:us-east-1:*:event-bus/*" }] },
    { EventBusArn: "arn:aws:events:us-west-2:123456789012:event-bus/default" },
    false,
  ],
  [
    "wildcard with an escaped star",
    { Key: [{ wildcard: "dir/\\*.png" }] },
    { Key: "dir/*.png" },
    true,
  ],
  ["escaped star is literal", { Key: [{ wildcard: "dir/\\*.png" }] }, { Key: "dir/a.png" }, false],
  // $or.
  [
    "$or, second alternative",
    {
      detail: {
        $or: [
          { "c-count": [{ numeric: [">", 0, "<=", 5] }] },
          { "d-count": [{ numeric: ["<", 10] }] },
        ],
      },
    },
    detail({ "c-count": 10, "d-count": 3 }),
    true,
  ],
  [
    "$or, neither",
    {
      detail: {
        $or: [
          { "c-count": [{ numeric: [">", 0, "<=", 5] }] },
          { "d-count": [{ numeric: ["<", 10] }] },
        ],
      },
    },
    detail({ "c-count": 10, "d-count": 30 }),
    false,
  ],
  [
    "$or at the top level",
    { source: ["aws.ec2"], $or: [{ region: ["eu-west-1"] }, { account: ["123456789012"] }] },
    EC2,
    true,
  ],
  // The complex example of the content-filtering page.
  [
    "complex example, all hold",
    COMPLEX,
    {
      time: "2017-10-02T18:43:48Z",
      detail: { state: "running", "c-count": 3, "d-count": 9, "x-limit": 99 },
    },
    true,
  ],
  [
    "complex example, x-limit excluded",
    COMPLEX,
    {
      time: "2017-10-02T18:43:48Z",
      detail: { state: "running", "c-count": 3, "d-count": 9, "x-limit": 200 },
    },
    false,
  ],
];

describe("EventBridge pattern matching, from the documentation's examples", () => {
  it("has at least 40 cases, both ways", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(CASES.filter((c) => c[3]).length).toBeGreaterThanOrEqual(20);
    expect(CASES.filter((c) => !c[3]).length).toBeGreaterThanOrEqual(20);
  });

  it.each(CASES)("%s", (_name, pattern, event, matches) => {
    expect(validatePattern(pattern)).toEqual([]);
    expect(matchPattern(pattern, event).matched).toBe(matches);
  });

  it("says why an event did not match", () => {
    expect(matchPattern({ detail: { state: ["terminated"] } }, EC2)).toEqual({
      matched: false,
      reason: 'detail.state is "pending", which does not match ["terminated"]',
    });
    expect(matchPattern({ detail: { "c-count": [1] } }, EC2).reason).toBe(
      "detail.c-count is absent",
    );
  });
});

const events = path.join(import.meta.dirname, "fixtures", "events");
const sample = (file: string) =>
  JSON.parse(readFileSync(path.join(events, file), "utf8")) as unknown;

describe("patterns against the sample events AWS documents", () => {
  const guardDuty = sample("guardduty-iam-finding.json");
  const securityHub = sample("securityhub-findings-imported.json");
  const cloudTrail = sample("cloudtrail-api-call.json");
  const IAM_FINDING = {
    source: ["aws.guardduty"],
    "detail-type": ["GuardDuty Finding"],
    detail: {
      type: [{ prefix: "UnauthorizedAccess:IAMUser/" }, { prefix: "CredentialAccess:" }],
      severity: [{ numeric: [">=", 5] }],
      resource: { resourceType: ["AccessKey"] },
    },
  };

  it.each<[string, Record<string, unknown>, unknown, boolean]>([
    ["GuardDuty IAM finding, severity >= 5", IAM_FINDING, guardDuty, true],
    ["GuardDuty pattern on the Security Hub event", IAM_FINDING, securityHub, false],
    ["GuardDuty pattern on the CloudTrail event", IAM_FINDING, cloudTrail, false],
    [
      "GuardDuty severity >= 7 only",
      { source: ["aws.guardduty"], detail: { severity: [{ numeric: [">=", 7] }] } },
      guardDuty,
      false,
    ],
    [
      "GuardDuty finding from a public IP",
      {
        detail: {
          service: {
            action: {
              awsApiCallAction: { remoteIpDetails: { ipAddressV4: [{ cidr: "198.51.100.0/24" }] } },
            },
          },
        },
      },
      guardDuty,
      true,
    ],
    [
      "Security Hub finding, any element of findings",
      {
        source: ["aws.securityhub"],
        "detail-type": ["Security Hub Findings - Imported"],
        detail: {
          findings: {
            Workflow: { Status: ["NEW"] },
            ProductFields: { "aws/securityhub/ProductName": ["Macie"] },
          },
        },
      },
      securityHub,
      true,
    ],
    [
      "Security Hub HIGH or CRITICAL only",
      {
        source: ["aws.securityhub"],
        detail: { findings: { Severity: { Label: ["HIGH", "CRITICAL"] } } },
      },
      securityHub,
      false,
    ],
    [
      "Security Hub finding on an S3 bucket",
      {
        detail: {
          findings: { Resources: { Type: ["AwsS3Bucket"], Id: [{ prefix: "arn:aws:s3:::" }] } },
        },
      },
      securityHub,
      true,
    ],
    [
      "CloudTrail API call by root",
      {
        "detail-type": ["AWS API Call via CloudTrail"],
        detail: { userIdentity: { type: ["Root"] }, eventName: ["CreateBucket"] },
      },
      cloudTrail,
      true,
    ],
    [
      "CloudTrail call with an error only",
      { "detail-type": ["AWS API Call via CloudTrail"], detail: { errorCode: [{ exists: true }] } },
      cloudTrail,
      false,
    ],
    [
      "CloudTrail: responseElements is null",
      { detail: { responseElements: [null], sourceIPAddress: [{ cidr: "100.100.0.0/16" }] } },
      cloudTrail,
      true,
    ],
  ])("%s", (_name, pattern, event, matches) => {
    expect(validatePattern(pattern)).toEqual([]);
    expect(matchPattern(pattern, event).matched).toBe(matches);
  });
});

describe("pattern validation (what EventBridge rejects)", () => {
  it.each<[string, unknown, string]>([
    ["a pattern that is not a mapping", ["aws.ec2"], "must be a mapping"],
    [
      "a bare value instead of a list",
      { source: "aws.ec2" },
      'must be a list of values to match, such as ["aws.ec2"]',
    ],
    ["an empty list", { source: [] }, "empty list"],
    [
      "an unknown operator",
      { source: [{ prefx: "aws." }] },
      'unknown matcher "prefx" (did you mean "prefix"?)',
    ],
    [
      "two operators in one matcher",
      { source: [{ prefix: "a", suffix: "b" }] },
      "exactly one operator",
    ],
    ["a numeric with a bad operator", { n: [{ numeric: ["=>", 5] }] }, '"numeric" takes'],
    ["a numeric range upside down", { n: [{ numeric: ["<", 5, ">", 1] }] }, "lower bound"],
    ["a numeric empty range", { n: [{ numeric: [">", 5, "<", 1] }] }, "the range is empty"],
    ["a numeric beyond 1e9", { n: [{ numeric: [">", 2e9] }] }, "outside"],
    ["a numeric on a string", { n: [{ numeric: [">", "5"] }] }, "is not a number"],
    ["a cidr that is no block", { ip: [{ cidr: "10.0.0.0/33" }] }, '"cidr" takes'],
    ["exists with a string", { f: [{ exists: "true" }] }, '"exists" takes true or false'],
    [
      "anything-but mixing strings and numbers",
      { f: [{ "anything-but": ["a", 1] }] },
      "only strings or only numbers",
    ],
    [
      "anything-but with a list of prefixes",
      { f: [{ "anything-but": { prefix: ["a", "b"] } }] },
      "takes a string",
    ],
    [
      "anything-but with numeric inside",
      { f: [{ "anything-but": { numeric: [">", 1] } }] },
      "may nest only one of",
    ],
    ["a wildcard with consecutive stars", { f: [{ wildcard: "a**b" }] }, "consecutive"],
    ["$or with one alternative", { $or: [{ a: ["b"] }] }, "at least two patterns"],
    ["an empty nested mapping", { detail: {} }, "empty mapping"],
  ])("rejects %s", (_name, pattern, message) => {
    const problems = validatePattern(pattern);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map((p) => p.message).join("\n")).toContain(message);
  });

  it("names the path of the problem inside the pattern", () => {
    expect(validatePattern({ detail: { severity: [1, { numeric: [">", "x"] }] } })).toEqual([
      {
        path: ["detail", "severity", 1, "numeric"],
        message: expect.stringContaining("not a number"),
      },
    ]);
  });
});

describe("wildcard matching over values an attacker chooses", () => {
  /** The matcher's truth for short values: a regular expression of the pattern (backtracking). */
  function reference(pattern: string, value: string): boolean {
    let source = "";
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!;
      const literal = c === "\\" && i + 1 < pattern.length ? pattern[++i]! : c;
      source += c === "*" ? ".*" : literal.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    }
    return new RegExp(`^${source}$`, "s").test(value);
  }
  const matches = (wildcard: string, value: string) =>
    matchPattern({ f: [{ wildcard }] }, { f: value }).matched;

  it("agrees with a regular expression of the pattern on every short value", () => {
    // Every pattern and value of up to 5 and 6 characters over a small alphabet (with escapes).
    const patterns = ["*", "a*", "*a", "a*b", "*ab*", "a*a*a", "ab*ba", "*a*b*", "\\**", "a*\\*"];
    const alphabet = ["a", "b", "*", "\n"];
    let values = [""];
    let all = [""];
    for (let n = 0; n < 6; n++) {
      values = values.flatMap((v) => alphabet.map((c) => v + c));
      all = all.concat(values);
    }
    let agreed = 0;
    for (const p of patterns) {
      for (const v of all) {
        expect(matches(p, v), `${p} on ${JSON.stringify(v)}`).toBe(reference(p, v));
        agreed++;
      }
    }
    expect(agreed).toBe(patterns.length * 5461);
  });

  it("answers at once on a long value that sends a backtracking matcher into minutes", () => {
    // Four stars over 6 KB of repeated parts: a regular expression of .* takes about 12 s here
    // (2.5 s at 4 KB, 56 s at 8 KB); a matcher linear in the value takes well under 10 ms.
    const pattern = "*Boto3/*Python/*Linux/*Botocore/*";
    const value = "Boto3/Python/Linux/".repeat(320);
    const started = performance.now();
    expect(matches(pattern, value)).toBe(false);
    expect(matches(pattern, `${value}Botocore/1.0`)).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  }, 120_000);
});
