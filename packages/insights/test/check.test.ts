import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  assertInsights,
  checkInsights,
  InsightsSyntaxError,
  parseInsights,
  renderInsightsQuery,
  translateInsights,
} from "../src/index.ts";
import { type EventsDb, eventsDb } from "./duck.ts";
import { thrown } from "./thrown.ts";

const messages = (query: string, opts: Parameters<typeof checkInsights>[1] = {}) =>
  checkInsights(query, opts).map((p) => `${p.rule} ${p.line}:${p.column} ${p.message}`);

describe("fields a CloudTrail record does not have (review F7)", () => {
  test("a misspelt or wrongly cased field is an error with CloudTrail's spelling", () => {
    expect(
      messages(
        'filter eventNmae = "ConsoleLogin" and errorCode = "Failed authentication"\n| stats count(*) as failures by userIdentity.userName',
      ),
    ).toEqual([
      'insights-field 1:8 CloudTrail records have no field "eventNmae" (did you mean "eventName"?)',
    ]);
    expect(
      messages(
        'filter eventname = "ConsoleLogin" and errorcode = "Failed authentication"\n| stats count(*) as failures by useridentity.username',
      ),
    ).toEqual([
      'insights-field 1:8 CloudTrail records have no field "eventname" (did you mean "eventName"? field names are case-sensitive)',
      'insights-field 1:39 CloudTrail records have no field "errorcode" (did you mean "errorCode"? field names are case-sensitive)',
      'insights-field 2:33 CloudTrail records have no field "useridentity.username" (did you mean "userIdentity.userName"? field names are case-sensitive)',
    ]);
  });

  test("a name with one @ must be a field the service makes; a key with @ is @@", () => {
    expect(messages("fields @timestamp, @message, @logStream, @ptr, @@version")).toEqual([]);
    // Families the service makes for some log groups (review).
    expect(messages("fields @entity.KeyAttributes.Type, @aws.tag.team")).toEqual([]);
    expect(messages("fields @version")).toEqual([
      'insights-field 1:8 Logs Insights makes no field "@version" (it makes @timestamp, @message, @logStream, @log, @ptr, @ingestionTime); a key "@version" of the event is the field "@@version"',
    ]);
  });

  test("the fixed structures are checked below the top level; payloads are not", () => {
    expect(
      messages(
        "fields userIdentity.username, userIdentity.sessionContext.attributes.mfaauthenticated, resources.0.arn",
      ),
    ).toEqual([
      'insights-field 1:8 CloudTrail records have no field "userIdentity.username" (did you mean "userIdentity.userName"? field names are case-sensitive)',
      'insights-field 1:31 CloudTrail records have no field "userIdentity.sessionContext.attributes.mfaauthenticated" (did you mean "userIdentity.sessionContext.attributes.mfaAuthenticated"? field names are case-sensitive)',
      'insights-field 1:88 CloudTrail records have no field "resources.0.arn" (did you mean "resources.0.ARN"? field names are case-sensitive)',
    ]);
    expect(
      messages(
        [
          "filter requestParameters.anyKey.nested = 1 and responseElements.x = 2",
          "  and additionalEventData.MFAUsed = 'Yes' and userIdentity.sessionContext.sessionIssuer.userName = 'r'",
          "  and userIdentity.sessionContext.webIdFederationData.attributes.anything = 1",
          "  and userIdentity.onBehalfOf.userId = 1 and managementEvent = 1 and tlsDetails.tlsVersion = 'TLSv1'",
          "| fields `userIdentity.arn`, readOnly, eventCategory, resources.0.ARN",
        ].join("\n"),
      ),
    ).toEqual([]);
  });

  test("a field near no CloudTrail field is check's warning only: CloudTrail adds keys", () => {
    const [problem, ...rest] = checkInsights("filter eventContext.tags = 'x' | stats count(*)");
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ rule: "insights-field", severity: "warning" });
    expect(problem?.message).toMatch(/"eventContext.tags" is not a CloudTrail field run-md knows/);
    // The engines run it (a typo, an error, is refused by them).
    expect(() => assertInsights("filter eventContext.tags = 'x'")).not.toThrow();
    expect(() => assertInsights("filter eventNmae = 'x'")).toThrow(/did you mean "eventName"/);
  });

  test("names the query defines itself and @-fields are not CloudTrail's", () => {
    expect(
      messages(
        [
          'parse @message "user=* ip=*" as user, ip',
          "| parse eventName /(?<verb>[A-Z][a-z]+)/",
          "| fields concat(user, ip) as who, strlen(verb) as n",
          "| filter n > 3 and ispresent(who) and @timestamp > 0 and @logStream like 'x'",
          "| stats count(*), sum(n) as calls, calls * 2 as twice by who, bin(1h) as hour",
          "| sort twice desc, hour | display calls, `count(*)`",
        ].join("\n"),
      ),
    ).toEqual([]);
  });

  test("translateInsights refuses such a field, as the local engine runs it", () => {
    const err = thrown(InsightsSyntaxError, () =>
      translateInsights('filter eventNmae = "ConsoleLogin"', { relation: "cwl_events" }),
    );
    expect(err.code).toBe("insights-field");
    expect(err.message).toContain('did you mean "eventName"?');
    // A CloudWatch Logs double (the emulator) reads any field.
    expect(() =>
      translateInsights('filter eventNmae = "x"', { relation: "cwl_events", check: false }),
    ).not.toThrow();
  });
});

describe("a number parameter as limit's count (review F9)", () => {
  const query = "fields eventName | sort eventName | limit {{n}}";

  test("parses, checks with an integer parameter, and renders as the number", () => {
    expect(() => parseInsights(query)).not.toThrow();
    expect(checkInsights(query, { types: { n: "integer" } })).toEqual([]);
    expect(renderInsightsQuery(query, { n: { type: "integer", value: 2 } }).text).toBe(
      "fields eventName | sort eventName | limit 2",
    );
  });

  test("a parameter of another type, or a value that is no count, is named in the message", () => {
    expect(messages(query, { types: { n: "string" } })).toEqual([
      "insights-param 1:43 limit takes a whole number: {{n}} is a string parameter (declare it type: integer)",
    ]);
    expect(messages(query, { types: { n: "integer" }, values: { n: 0 } })).toEqual([
      "insights-param 1:43 limit takes a positive whole number: {{n}} is 0",
    ]);
    for (const m of messages(query, { types: { n: "string" } })) expect(m).not.toMatch(/xx/);
  });
});

describe("a boolean parameter as a condition (review F10)", () => {
  test("a bare boolean parameter is refused, with the condition to write", () => {
    expect(
      messages("filter {{flag}} or userIdentity.type != 'AWSService'", {
        types: { flag: "boolean" },
      }),
    ).toEqual([
      "insights-param 1:8 {{flag}} is a boolean parameter, which Logs Insights gets as 1 or 0, a value and not a condition: write {{flag}} = 1",
    ]);
    expect(
      messages("filter not ({{flag}}) | fields eventName", { types: { flag: "boolean" } }),
    ).toHaveLength(1);
    expect(messages("filter {{flag}} = 1", { types: { flag: "boolean" } })).toEqual([]);
    expect(() =>
      assertInsights("filter {{flag}}", { types: { flag: "boolean" }, values: { flag: false } }),
    ).toThrow(expect.objectContaining({ code: "insights-param" }));
  });
});

describe("on real rows", () => {
  // Four events: two by a user, two by AWS services.
  const EVENTS = [
    {
      eventTime: "2026-11-20T10:00:00Z",
      eventName: "CreateUser",
      userIdentity: { type: "IAMUser" },
    },
    {
      eventTime: "2026-11-20T11:00:00Z",
      eventName: "DeleteUser",
      userIdentity: { type: "IAMUser" },
    },
    {
      eventTime: "2026-11-20T12:00:00Z",
      eventName: "AssumeRole",
      userIdentity: { type: "AWSService" },
    },
    {
      eventTime: "2026-11-20T13:00:00Z",
      eventName: "Decrypt",
      userIdentity: { type: "AWSService" },
    },
  ];
  let db: EventsDb;
  beforeAll(async () => {
    db = await eventsDb(EVENTS);
  });
  afterAll(() => db.close());

  const count = async (query: string, flag: boolean) => {
    const r = await db.run(`${query} | stats count(*) as c`, {
      params: { flag: { type: "boolean", value: flag } },
      check: true,
    });
    return Number(r.rows[0]!.c);
  };

  test("{{flag}} = 1 filters as the boolean", async () => {
    expect(await count("filter {{flag}} = 1", false)).toBe(0);
    expect(await count("filter {{flag}} = 1", true)).toBe(4);
    const q = 'filter {{flag}} = 1 or userIdentity.type != "AWSService"';
    expect(await count(q, false)).toBe(2);
    expect(await count(q, true)).toBe(4);
  });

  test("a bare {{flag}} is refused rather than keeping every event", async () => {
    await expect(count("filter {{flag}}", false)).rejects.toMatchObject({
      code: "insights-param",
    });
    await expect(
      count('filter {{flag}} or userIdentity.type != "AWSService"', false),
    ).rejects.toMatchObject({ code: "insights-param" });
  });

  test("limit {{n}} returns n rows", async () => {
    const r = await db.run("fields eventName | sort eventName | limit {{n}}", {
      params: { n: { type: "integer", value: 2 } },
      check: true,
    });
    expect(r.rows).toEqual([{ eventName: "AssumeRole" }, { eventName: "CreateUser" }]);
  });

  test("bin({{h}}h) bins by the parameter's hours, its column named as the service names it", async () => {
    const r = await db.run("stats count(*) as c by bin({{h}}h)", {
      params: { h: { type: "integer", value: 2 } },
      check: true,
    });
    // The four events are at 10:00, 11:00, 12:00 and 13:00: two 2-hour bins from the epoch.
    expect(r.columns).toEqual(["bin(2h)", "c"]);
    expect(r.rows.map((x) => [String(x["bin(2h)"]), Number(x.c)])).toEqual([
      ["2026-11-20 10:00:00.000", 2],
      ["2026-11-20 12:00:00.000", 2],
    ]);
  });

  test("a computed column's name has the parameter's value, as the service gets it rendered", async () => {
    const r = await db.run("stats count(*) by eventName | limit {{n}}", {
      params: { n: { type: "integer", value: 1 } },
      check: true,
    });
    expect(r.columns).toEqual(["eventName", "count(*)"]);
    const named = await db.run("stats sum(eventName = {{name}}) by userIdentity.type", {
      params: { name: { type: "string", value: "CreateUser" } },
      check: true,
    });
    expect(named.columns).toEqual(["userIdentity.type", 'sum(eventName = "CreateUser")']);
  });

  test("a {{h}}h period of a parameter that is no positive count is refused", async () => {
    for (const value of [0, "x"]) {
      await expect(
        db.run("stats count(*) by bin({{h}}h)", {
          params: { h: { type: typeof value === "number" ? "integer" : "string", value } },
          check: true,
        }),
      ).rejects.toMatchObject({ code: "insights-param" });
    }
    expect(messages("stats count(*) by bin({{h}}h)", { types: { h: "string" } })).toEqual([
      "insights-param 1:23 the period {{h}}h takes a whole number: {{h}} is a string parameter (declare it type: integer)",
    ]);
    expect(() => parseInsights("stats count(*) by bin({{h}}x)")).toThrow(
      /"\{\{h\}\}x" is neither a parameter nor a time period/,
    );
  });

  test("a misspelt field is refused rather than matching nothing", async () => {
    await expect(
      db.run('filter eventNmae = "CreateUser" | stats count(*) as c', { check: true }),
    ).rejects.toMatchObject({ code: "insights-field" });
  });
});
