import { readFileSync } from "node:fs";
import path from "node:path";
import {
  formatDiagnostic,
  frontMatterSchema,
  incidentOf,
  parseJsonPath,
  parseRunbook,
  planTrigger,
  type Runbook,
  triggerWindow,
  valueAtPath,
} from "@run-md/core";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";

const BODY = "\n```sql keys\nSELECT {{access_key_id}} AS k, {{min_severity}} AS s\n```\n";
const FRONT = `---
title: Access key activity
params:
  access_key_id: { type: string, pattern: "(AKIA|ASIA)[A-Z0-9]{16}" }
  min_severity: { type: number, default: 5 }
triggers:
  - pattern:
      source: [aws.guardduty]
      detail-type: [GuardDuty Finding]
      detail:
        type: [{ prefix: "UnauthorizedAccess:IAMUser/" }, { prefix: "CredentialAccess:" }]
        severity: [{ numeric: [">=", 5] }]
    params:
      access_key_id: $.detail.resource.accessKeyDetails.accessKeyId
      min_severity: $.detail.severity
    window: { before: 7d, after: 1h }
  - pattern:
      detail-type: [AWS API Call via CloudTrail]
      detail: { eventName: [CreateAccessKey] }
    params:
      access_key_id: $.detail.responseElements.accessKey.accessKeyId
---
`;

function parse(source: string) {
  return parseRunbook(source, "runbooks/x.md");
}

function runbook(): Runbook {
  const { runbook, diagnostics } = parse(FRONT + BODY);
  expect(diagnostics).toEqual([]);
  return runbook!;
}

const events = path.join(import.meta.dirname, "fixtures", "events");
const guardDuty = JSON.parse(readFileSync(path.join(events, "guardduty-iam-finding.json"), "utf8"));
const withKey = (key: string, time = "2026-11-24T10:00:00Z") => ({
  ...guardDuty,
  time,
  detail: {
    ...guardDuty.detail,
    resource: { ...guardDuty.detail.resource, accessKeyDetails: { accessKeyId: key } },
  },
});

describe("triggers: in the front matter", () => {
  it("parses patterns, parameter paths and windows", () => {
    const triggers = runbook().meta.triggers!;
    expect(triggers).toHaveLength(2);
    expect(triggers[0]).toMatchObject({
      pattern: { source: ["aws.guardduty"], detail: { severity: [{ numeric: [">=", 5] }] } },
      params: { access_key_id: "$.detail.resource.accessKeyDetails.accessKeyId" },
      window: { before: "7d", after: "1h" },
      position: { line: 7, column: 5 },
    });
    expect(triggers[1]!.window).toBeUndefined();
  });

  it("a runbook without triggers has none", () => {
    const { runbook } = parse("---\ntitle: T\n---\n");
    expect(runbook!.meta.triggers).toBeUndefined();
  });

  it.each<[string, string, string[]]>([
    [
      "an unknown matcher, at the matcher",
      `triggers:\n  - pattern:\n      source: [{ prefx: "aws." }]`,
      [
        'runbooks/x.md:5:25 error invalid event pattern: unknown matcher "prefx" (did you mean "prefix"?): expected one of prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, exists, cidr [invalid-pattern]',
      ],
    ],
    [
      "a bare value where EventBridge wants a list",
      "triggers:\n  - pattern:\n      source: aws.guardduty",
      [
        'runbooks/x.md:5:15 error invalid event pattern: "source" must be a list of values to match, such as ["aws.guardduty"], or a mapping of fields; found the string "aws.guardduty" [invalid-pattern]',
      ],
    ],
    [
      "a bad JSON path",
      "params:\n  k: { type: string }\ntriggers:\n  - pattern: { source: [aws.guardduty] }\n    params: { k: detail.id }",
      [
        'runbooks/x.md:7:18 error parameter "k": a JSON path starts with "$", such as $.detail.id [invalid-json-path]',
      ],
    ],
    [
      "an undeclared parameter",
      "params:\n  access_key: { type: string }\ntriggers:\n  - pattern: { source: [aws.guardduty] }\n    params: { access_key_id: $.detail.id }",
      [
        'runbooks/x.md:7:15 error trigger parameter "access_key_id" is not declared (did you mean "access_key"?): declare it under params: in the front matter [undeclared-param]',
      ],
    ],
    [
      "a trigger without a pattern",
      "triggers:\n  - params: {}",
      [
        'runbooks/x.md:4:5 error a trigger needs a "pattern:" (an EventBridge event pattern) [missing-key]',
      ],
    ],
    [
      "an unknown key and a bad window",
      "triggers:\n  - pattern: { source: [x] }\n    windw: 1h\n    window: { before: 7 }",
      [
        'runbooks/x.md:5:5 error unknown key "windw" in a trigger (did you mean "window"?) [unknown-key]',
        'runbooks/x.md:6:23 error the window\'s "before" must be a duration such as 1h or 7d [invalid-value]',
      ],
    ],
  ])("reports %s with file:line:col", (_name, yaml, expected) => {
    const { runbook, diagnostics } = parse(`---\ntitle: T\n${yaml}\n---\n`);
    expect(runbook).toBeUndefined();
    const errors = diagnostics.filter((d) => d.severity === "error");
    expect(errors.map(formatDiagnostic)).toEqual(expected);
  });

  it("the JSON Schema agrees on a valid and an invalid trigger", () => {
    const validate = new Ajv({ strict: false }).compile(frontMatterSchema);
    const front = (yaml: string) => parseYaml(yaml) as unknown;
    expect(validate(front(FRONT.replace(/^---\n|---\n$/g, "")))).toBe(true);
    expect(validate(front("title: T\ntriggers:\n  - params: { k: $.a }"))).toBe(false);
    expect(
      validate(front("title: T\ntriggers:\n  - pattern: { a: [b] }\n    params: { k: a.b }")),
    ).toBe(false);
  });
});

describe("JSON paths", () => {
  it.each<[string, unknown]>([
    [
      "$.detail.resource.accessKeyDetails.accessKeyId",
      ["detail", "resource", "accessKeyDetails", "accessKeyId"],
    ],
    ["$['detail-type']", ["detail-type"]],
    ["$.resources[0]", ["resources", 0]],
    ['$.detail["findings"][0].Id', ["detail", "findings", 0, "Id"]],
  ])("parses %s", (text, segments) => {
    expect(parseJsonPath(text)).toEqual(segments);
  });

  it.each(["detail.id", "$", "$.detail..id", "$.detail[x]"])("rejects %s", (text) => {
    expect(typeof parseJsonPath(text)).toBe("string");
  });

  it("reads a value from the documented Security Hub event", () => {
    const event = JSON.parse(
      readFileSync(path.join(events, "securityhub-findings-imported.json"), "utf8"),
    );
    const segments = parseJsonPath("$.detail.findings[0].Resources[0].Id") as (string | number)[];
    expect(valueAtPath(event, segments)).toBe("arn:aws:s3:::test-bucket-12");
  });
});

describe("which runbooks an event starts", () => {
  it("maps the key from the GuardDuty finding and puts the window around its time", () => {
    const plan = planTrigger(
      runbook(),
      withKey("AKIAEXAMPLEMALLORY01", "2026-11-24T10:00:00.750Z"),
    );
    expect(plan).toEqual({
      matched: true,
      trigger: 0,
      params: { access_key_id: "AKIAEXAMPLEMALLORY01", min_severity: 5 },
      window: { start: new Date("2026-11-17T10:00:00Z"), end: new Date("2026-11-24T11:00:00Z") },
      reason: "trigger 1 matched",
    });
  });

  it("uses the default window of 24h before and 1h after", () => {
    const event = {
      "detail-type": "AWS API Call via CloudTrail",
      time: "2026-11-24T10:00:00Z",
      detail: {
        eventName: "CreateAccessKey",
        responseElements: { accessKey: { accessKeyId: "AKIAIOSFODNN7EXAMPLE" } },
      },
    };
    const plan = planTrigger(runbook(), event);
    expect(plan).toMatchObject({
      matched: true,
      trigger: 1,
      window: { start: new Date("2026-11-23T10:00:00Z"), end: new Date("2026-11-24T11:00:00Z") },
    });
  });

  it("does not run when the mapped value does not fit the parameter's type, and says why", () => {
    // The documented sample's placeholder is not an access key id.
    const plan = planTrigger(runbook(), withKey("GeneratedFindingAccessKeyId"));
    expect(plan.matched).toBe(false);
    expect(plan.reason).toContain(
      'trigger 1: the pattern matched but parameter "access_key_id" (from the event\'s $.detail.resource.accessKeyDetails.accessKeyId): expected a value matching the pattern',
    );
    // The first trigger whose pattern matched decides: the others are not tried.
    expect(plan).toMatchObject({ matched: false, unresolved: true });
    expect(plan.reason).not.toContain("trigger 2");
  });

  it("does not run a later, broader trigger when the first that matched cannot (spec §8)", () => {
    const { runbook: rb } = parse(`---
title: Keys made for others
params:
  user_name: { type: string, pattern: "[A-Za-z0-9+=,.@_-]{1,64}|%", default: "%" }
triggers:
  - pattern: { detail-type: [AWS API Call via CloudTrail], detail: { eventName: [CreateAccessKey] } }
    params: { user_name: $.detail.requestParameters.userName }
  - pattern: { detail-type: [AWS API Call via CloudTrail] }
    window: { before: 5m, after: 5m }
---
\`\`\`sql keys
SELECT 1 AS x FROM cloudtrail_logs WHERE useridentity.username LIKE {{user_name}}
\`\`\`
`);
    const event = (requestParameters: object) => ({
      "detail-type": "AWS API Call via CloudTrail",
      time: "2026-11-23T10:00:00Z",
      detail: { eventName: "CreateAccessKey", requestParameters },
    });
    // A user name the declaration refuses, and none (a key the caller made for itself): the
    // second trigger would have run with user_name % (every user) over ten minutes.
    for (const [params, why] of [
      [{ userName: "evil user" }, "expected a value matching the pattern"],
      [{}, 'the event has no $.detail.requestParameters.userName for "user_name"'],
    ] as const) {
      const plan = planTrigger(rb!, event(params));
      expect(plan, why).toMatchObject({ matched: false, unresolved: true });
      expect(plan.reason).toContain(`trigger 1: the pattern matched but`);
      expect(plan.reason).toContain(why);
    }
    expect(planTrigger(rb!, event({ userName: "alice" }))).toMatchObject({
      matched: true,
      trigger: 0,
      params: { user_name: "alice" },
    });
    const other = { ...event({}), detail: { eventName: "ListUsers" } };
    expect(planTrigger(rb!, other)).toMatchObject({ matched: true, trigger: 1, params: {} });
  });

  it("does not run when the event lacks the path", () => {
    const event = {
      ...guardDuty,
      time: "2026-11-24T10:00:00Z",
      detail: { ...guardDuty.detail, resource: { resourceType: "AccessKey" } },
    };
    expect(planTrigger(runbook(), event).reason).toContain(
      'the event has no $.detail.resource.accessKeyDetails.accessKeyId for "access_key_id"',
    );
  });

  it("does not run without a valid time: ISO-8601 with a zone, nothing Date would guess", () => {
    // "0" read as the year 2000, "2" as February 2001, a zoneless time in the host's zone.
    for (const time of ["yesterday", "0", "2", "12/02/2026", "2026-12-02T10:00:00", 5]) {
      const event = { ...withKey("AKIAEXAMPLEMALLORY01"), time };
      expect(planTrigger(runbook(), event).reason, String(time)).toContain(
        'the event has no valid "time"',
      );
    }
    const zoned = { ...withKey("AKIAEXAMPLEMALLORY01"), time: "2026-11-24T12:00:00+02:00" };
    expect(planTrigger(runbook(), zoned)).toMatchObject({
      matched: true,
      window: { end: new Date("2026-11-24T11:00:00Z") },
    });
  });

  it("does not run, and says why, when the window lies beyond the dates run-md reads", () => {
    const far = { ...withKey("AKIAEXAMPLEMALLORY01"), time: "+275760-09-13T00:00:00Z" };
    expect(planTrigger(runbook(), far).reason).toContain('the event has no valid "time"');
    const edge = { ...withKey("AKIAEXAMPLEMALLORY01"), time: "2026-11-24T10:00:00Z" };
    const last = { ...withKey("AKIAEXAMPLEMALLORY01"), time: "9999-12-31T23:30:00Z" };
    expect(triggerWindow({}, last)).toBe(
      'the window around the event\'s time "9999-12-31T23:30:00Z" (24h before, 1h after) lies beyond the dates run-md can read',
    );
    expect(planTrigger(runbook(), { ...last, time: "2026-02-30T10:00:00Z" }).reason).toContain(
      'the event has no valid "time"',
    );
    const wide = { window: { before: "99999999999w", after: "1h" } };
    expect(triggerWindow(wide, edge)).toBe(
      'the window around the event\'s time "2026-11-24T10:00:00Z" (99999999999w before, 1h after) lies beyond the dates run-md can read',
    );
  });

  it("a runbook without triggers is never started", () => {
    const { runbook } = parse("---\ntitle: T\n---\n");
    expect(planTrigger(runbook!, guardDuty)).toEqual({
      matched: false,
      reason: "it has no triggers",
    });
  });
});

describe("the incident an event is about (alerts of a trigger that maps no parameter)", () => {
  const read = (name: string) => JSON.parse(readFileSync(path.join(events, name), "utf8"));
  it("is a finding's id, kept across its updates, else the event's id", () => {
    const finding = read("guardduty-iam-finding.json");
    expect(incidentOf(finding)).toBe("guardduty:16afba5c5c43e07c9e3e5e2e544e95df");
    expect(incidentOf({ ...finding, id: "another-event" })).toBe(incidentOf(finding));
    expect(incidentOf(read("securityhub-findings-imported.json"))).toBe(
      'securityhub:["arn:aws:macie:us-west-2:123456789012:integtest/trigger/6214d71b927c41cbab015159a8f316a3/alert/f2893b211841467198cc1201e9031ee4"]',
    );
    const call = { id: "e-1", source: "aws.iam", detail: { eventName: "CreateUser" } };
    // Other events' ids are new at every event (a schedule's tick): the runbook is the incident.
    expect(incidentOf(call)).toBeUndefined();
    expect(incidentOf({ id: "e-2", source: "aws.guardduty", detail: {} })).toBeUndefined();
    // Two findings are not one finding whose id holds a space.
    const hub = (...Id: string[]) => ({
      source: "aws.securityhub",
      detail: { findings: Id.map((i) => ({ Id: i })) },
    });
    expect(incidentOf(hub("A", "B"))).not.toBe(incidentOf(hub("A B")));
    expect(incidentOf({ source: "aws.iam", detail: {} })).toBeUndefined();
  });

  it("is given with a match only when the trigger maps no parameter", () => {
    const finding = { ...withKey("AKIAEXAMPLEMALLORY01"), id: "e-3" };
    expect(planTrigger(runbook(), finding)).not.toHaveProperty("incident");
    const { runbook: bare } = parse(
      "---\ntitle: T\ntriggers:\n  - pattern: { source: [aws.guardduty] }\n---\n",
    );
    expect(planTrigger(bare!, finding)).toMatchObject({
      matched: true,
      incident: `guardduty:${(finding as { detail: { id: string } }).detail.id}`,
    });
  });
});
