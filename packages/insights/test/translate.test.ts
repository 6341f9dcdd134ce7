import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InsightsUnsupportedError, translateInsights } from "../src/index.ts";
import { type EventsDb, eventsDb } from "./duck.ts";
import { thrown } from "./thrown.ts";

const EVENTS: Record<string, unknown>[] = [
  {
    eventTime: "2026-11-20T10:15:00Z",
    eventName: "ConsoleLogin",
    eventSource: "signin.amazonaws.com",
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.7",
    errorMessage: "Failed authentication",
    readOnly: false,
    userIdentity: {
      type: "IAMUser",
      userName: "alice",
      arn: "arn:aws:iam::111122223333:user/alice",
    },
    additionalEventData: { MFAUsed: "No" },
    responseElements: { ConsoleLogin: "Failure" },
  },
  {
    eventTime: "2026-11-20T10:45:30.250Z",
    eventName: "ConsoleLogin",
    eventSource: "signin.amazonaws.com",
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.7",
    errorMessage: "Failed authentication",
    readOnly: false,
    userIdentity: {
      type: "IAMUser",
      userName: "alice",
      arn: "arn:aws:iam::111122223333:user/alice",
    },
  },
  {
    eventTime: "2026-11-20T11:05:00Z",
    eventName: "ConsoleLogin",
    eventSource: "signin.amazonaws.com",
    awsRegion: "eu-west-1",
    sourceIPAddress: "203.0.113.9",
    readOnly: false,
    userIdentity: { type: "Root", arn: "arn:aws:iam::111122223333:root" },
    additionalEventData: { MFAUsed: "Yes" },
    responseElements: { ConsoleLogin: "Success" },
  },
  {
    eventTime: "2026-11-20T12:00:00Z",
    eventName: "GetObject",
    eventSource: "s3.amazonaws.com",
    awsRegion: "us-east-1",
    sourceIPAddress: "10.1.2.3",
    readOnly: true,
    errorCode: "AccessDenied",
    userIdentity: { type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/app/i-1" },
    requestParameters: { bucketName: "logs-bucket", key: "a'b\"c" },
    resources: [{ ARN: "arn:aws:s3:::logs-bucket", type: "AWS::S3::Bucket" }],
    userAgent: "aws-cli/2.15.0 Python/3.11",
    bytes: 1500,
  },
  {
    eventTime: "2026-11-20T12:30:00Z",
    eventName: "StopLogging",
    eventSource: "cloudtrail.amazonaws.com",
    awsRegion: "us-east-1",
    sourceIPAddress: "10.1.2.3",
    readOnly: false,
    userIdentity: { type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/app/i-1" },
    requestParameters: { name: "main-trail" },
    userAgent: "Boto3/1.34.0 Python/3.12",
    bytes: 200,
    tlsDetails: { tlsVersion: "TLSv1.1" },
  },
];

let db: EventsDb;
beforeAll(async () => {
  db = await eventsDb(EVENTS);
});
afterAll(() => db.close());

const rows = async (q: string, opts?: Parameters<EventsDb["run"]>[1]) =>
  (await db.run(q, opts)).rows;

describe("output shape", () => {
  test("without fields or stats the output is @timestamp and @message, newest first", async () => {
    const r = await db.run("filter eventSource = 's3.amazonaws.com'");
    expect(r.columns).toEqual(["@timestamp", "@message"]);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]!["@timestamp"]).toBe("2026-11-20 12:00:00.000");
    expect(JSON.parse(String(r.rows[0]!["@message"])).eventName).toBe("GetObject");
    const all = await rows("fields eventName");
    expect(all.map((x) => x.eventName)).toEqual([
      "StopLogging",
      "GetObject",
      "ConsoleLogin",
      "ConsoleLogin",
      "ConsoleLogin",
    ]);
  });

  test("@timestamp is rendered as the service does, milliseconds included", async () => {
    expect(await rows("fields @timestamp | sort @timestamp asc | limit 2")).toEqual([
      { "@timestamp": "2026-11-20 10:15:00.000" },
      { "@timestamp": "2026-11-20 10:45:30.250" },
    ]);
  });

  test("missing fields are NULL, dotted paths and array indexes reach into the event", async () => {
    const r = await rows(
      "filter eventName = 'GetObject' or eventName = 'StopLogging' | fields requestParameters.bucketName, resources.0.ARN, tlsDetails.tlsVersion | sort @timestamp asc",
    );
    expect(r).toEqual([
      {
        "requestParameters.bucketName": "logs-bucket",
        "resources.0.ARN": "arn:aws:s3:::logs-bucket",
        "tlsDetails.tlsVersion": null,
      },
      {
        "requestParameters.bucketName": null,
        "resources.0.ARN": null,
        "tlsDetails.tlsVersion": "TLSv1.1",
      },
    ]);
  });

  test("JSON booleans read as 1 and 0, as in Logs Insights", async () => {
    expect(await rows("filter readOnly = 1 | fields eventName, readOnly")).toEqual([
      { eventName: "GetObject", readOnly: "1" },
    ]);
  });

  test("fields accumulate across commands, display replaces them, aliases are usable later", async () => {
    const r = await db.run(
      "fields eventName | fields userIdentity.arn as who | filter who like 'root' | display who, eventName",
    );
    expect(r.columns).toEqual(["who", "eventName"]);
    expect(r.rows).toEqual([{ who: "arn:aws:iam::111122223333:root", eventName: "ConsoleLogin" }]);
    expect((await db.run("fields eventName | fields awsRegion | limit 1")).columns).toEqual([
      "eventName",
      "awsRegion",
    ]);
  });

  test("the default limit is 10,000 and can be set; limit overrides it", async () => {
    expect(translateInsights("fields a", { relation: "t", check: false }).sql).toMatch(
      /LIMIT 10000$/,
    );
    expect(await rows("fields eventName", { defaultLimit: 2 })).toHaveLength(2);
    expect(await rows("fields eventName | limit 3", { defaultLimit: 2 })).toHaveLength(3);
  });

  test("columns list the output names in order", () => {
    expect(
      translateInsights("stats count(*) as n, avg(bytes) by eventSource, bin(1h)", {
        relation: "t",
        check: false,
      }).columns,
    ).toEqual(["eventSource", "bin(1h)", "n", "avg(bytes)"]);
  });
});

describe("filter", () => {
  test("comparisons with numbers are numeric", async () => {
    expect(await rows("filter bytes > 300 | fields eventName")).toEqual([
      { eventName: "GetObject" },
    ]);
    expect(await rows("filter bytes < 1000 | fields eventName")).toEqual([
      { eventName: "StopLogging" },
    ]);
    expect(await rows("filter bytes * 2 >= 3000 and bytes % 7 = 2 | fields bytes")).toEqual([
      { bytes: "1500" },
    ]);
  });

  test("like and =~ take a substring or a regex; not like needs the field, not (...) does not", async () => {
    expect(await rows("filter userAgent like 'Boto3' | fields eventName")).toEqual([
      { eventName: "StopLogging" },
    ]);
    expect(await rows("filter userAgent like /^aws-cli\\/2\\./ | fields eventName")).toEqual([
      { eventName: "GetObject" },
    ]);
    expect(await rows("filter errorCode =~ /(?i)accessdenied/ | fields eventName")).toEqual([
      { eventName: "GetObject" },
    ]);
    // A string after =~ is a substring, as after like (not a pattern: "." is a dot).
    expect(await rows("filter userAgent =~ 'Boto3' | fields eventName")).toEqual([
      { eventName: "StopLogging" },
    ]);
    expect(await rows("filter userAgent =~ 'aws.cli' | fields eventName")).toEqual([]);
    // Comparisons are true or false and a missing field satisfies none of them (docs/engines.md):
    // of the four events without Boto3, three have no userAgent at all.
    expect(await rows("filter userAgent not like 'Boto3' | fields eventName")).toEqual([
      { eventName: "GetObject" },
    ]);
    expect((await rows("filter not (userAgent like 'Boto3') | fields eventName")).length).toBe(4);
    expect(await rows("filter @message like 'main-trail' | fields eventName")).toEqual([
      { eventName: "StopLogging" },
    ]);
  });

  test("a key of the event that starts with @ is a field with one more @ (@@version)", async () => {
    const db = await eventsDb([{ eventTime: "2026-11-20T10:00:00Z", "@version": "1", x: "y" }]);
    try {
      const run = async (q: string) => (await db.run(q)).rows;
      expect(await run("fields @@version, x")).toEqual([{ "@@version": "1", x: "y" }]);
      // With one @, a field only the service makes: none here.
      expect(await run("fields @version, x")).toEqual([{ "@version": null, x: "y" }]);
      expect(await run("filter ispresent(@version) | fields x")).toEqual([]);
    } finally {
      db.close();
    }
  });

  test("in and not in", async () => {
    expect(
      await rows("filter eventName in ['StopLogging', 'DeleteTrail'] | fields eventName"),
    ).toEqual([{ eventName: "StopLogging" }]);
    expect(
      await rows(
        "filter eventSource not in ['signin.amazonaws.com'] | fields eventName | sort eventName",
      ),
    ).toEqual([{ eventName: "GetObject" }, { eventName: "StopLogging" }]);
    expect(await rows("filter bytes in [200, 300] | fields eventName")).toEqual([
      { eventName: "StopLogging" },
    ]);
  });

  test("and, or, not, and != leaves out events without the field", async () => {
    expect(
      (
        await rows(
          "filter eventName = 'ConsoleLogin' and (awsRegion = 'eu-west-1' or not ispresent(errorMessage))",
        )
      ).length,
    ).toBe(1);
    expect(
      (await rows("filter additionalEventData.MFAUsed != 'Yes' | fields eventName")).length,
    ).toBe(1);
  });

  test("ispresent, isempty, isblank, coalesce", async () => {
    expect((await rows("filter ispresent(errorCode)")).length).toBe(1);
    expect((await rows("filter isempty(errorCode)")).length).toBe(4);
    expect((await rows("filter isblank(userAgent)")).length).toBe(3);
    expect(
      await rows(
        "filter eventSource = 'signin.amazonaws.com' | fields coalesce(userIdentity.userName, 'root') as u | sort u",
      ),
    ).toEqual([{ u: "alice" }, { u: "alice" }, { u: "root" }]);
  });

  test("string and numeric functions", async () => {
    const r = await rows(
      `filter eventName = 'GetObject' | fields strlen(eventName) as len, toupper(awsRegion) as up, tolower(eventName) as low,
        concat(eventName, '@', awsRegion) as both, substr(eventName, 3) as tail, substr(eventName, 0, 3) as head,
        trim('  x  ') as t, replace(eventSource, '.amazonaws.com', '') as svc, strcontains(userAgent, 'cli') as cli,
        abs(0 - bytes) as a, ceil(bytes / 1000) as c, floor(bytes / 1000) as f, greatest(bytes, 2000) as g, least(bytes, 2000) as l`,
    );
    expect(r).toEqual([
      {
        len: "9",
        up: "US-EAST-1",
        low: "getobject",
        both: "GetObject@us-east-1",
        tail: "Object",
        head: "Get",
        t: "x",
        svc: "s3",
        cli: 1,
        a: 1500,
        c: 2,
        f: 1,
        g: 2000,
        l: 1500,
      },
    ]);
  });

  test("date functions", async () => {
    const r = await rows(
      "sort @timestamp asc | limit 2 | fields datefloor(@timestamp, 1h) as fl, dateceil(@timestamp, 1h) as ce, toMillis(@timestamp) as ms, fromMillis(toMillis(@timestamp)) as back",
    );
    expect(r).toEqual([
      {
        fl: "2026-11-20 10:00:00.000",
        ce: "2026-11-20 11:00:00.000",
        ms: String(Date.parse("2026-11-20T10:15:00Z")),
        back: "2026-11-20 10:15:00.000",
      },
      {
        fl: "2026-11-20 10:00:00.000",
        ce: "2026-11-20 11:00:00.000",
        ms: String(Date.parse("2026-11-20T10:45:30.250Z")),
        back: "2026-11-20 10:45:30.250",
      },
    ]);
  });

  test("IP functions", async () => {
    expect(
      await rows("filter isIpv4InSubnet(sourceIPAddress, '10.0.0.0/8') | stats count(*) as n"),
    ).toEqual([{ n: "2" }]);
    expect(await rows("filter isValidIp(sourceIPAddress) | stats count(*) as n")).toEqual([
      { n: "5" },
    ]);
  });
});

describe("stats", () => {
  test("columns are named by expression text, by fields first", async () => {
    const r = await db.run(
      "filter eventName = 'ConsoleLogin' and errorMessage = 'Failed authentication' | stats count(*) by userIdentity.userName, sourceIPAddress",
    );
    expect(r.columns).toEqual(["userIdentity.userName", "sourceIPAddress", "count(*)"]);
    expect(r.rows).toEqual([
      { "userIdentity.userName": "alice", sourceIPAddress: "198.51.100.7", "count(*)": "2" },
    ]);
  });

  test("bin groups by time buckets", async () => {
    expect(await rows("stats count(*) as n by bin(1h) as hour | sort hour")).toEqual([
      { hour: "2026-11-20 10:00:00.000", n: "2" },
      { hour: "2026-11-20 11:00:00.000", n: "1" },
      { hour: "2026-11-20 12:00:00.000", n: "2" },
    ]);
  });

  test("aggregates", async () => {
    const [r] = await rows(
      `stats count(*) as n, count(errorCode) as errs, count_distinct(sourceIPAddress) as ips, sum(bytes) as total,
        avg(bytes) as mean, min(bytes) as lo, max(bytes) as hi, pct(bytes, 75) as p75, stddev(bytes) as sd,
        earliest(eventName) as first, latest(eventName) as last, sortsFirst(eventName) as a, sortsLast(eventName) as z,
        min(@timestamp) as t0, max(bytes) - min(bytes) as spread, total / n as perEvent`,
    );
    expect(r).toEqual({
      n: "5",
      errs: "1",
      ips: "3",
      total: 1700,
      mean: 850,
      lo: 200,
      hi: 1500,
      p75: 1500,
      sd: expect.closeTo(919.24, 1),
      first: "ConsoleLogin",
      last: "StopLogging",
      a: "ConsoleLogin",
      z: "StopLogging",
      t0: "2026-11-20 10:15:00.000",
      spread: 1300,
      perEvent: 340,
    });
  });

  test("filter, sort and a second stats work on the aggregated rows", async () => {
    expect(
      await rows(
        "stats count(*) as n by eventSource | filter n > 1 | sort n desc | fields eventSource, n",
      ),
    ).toEqual([{ eventSource: "signin.amazonaws.com", n: "3" }]);
    expect(
      await rows("stats count(*) as n by eventSource | stats sum(n) as total, count(*) as groups"),
    ).toEqual([{ total: "5", groups: "3" }]);
  });

  test("sort can name a stats column by its expression text or in backticks", async () => {
    const r = await rows(
      "stats count(*) by eventSource | sort `count(*)` desc, eventSource | limit 2",
    );
    expect(r.map((x) => x.eventSource)).toEqual([
      "signin.amazonaws.com",
      "cloudtrail.amazonaws.com",
    ]);
    const r2 = await rows("stats count(*) by eventSource | sort count(*) desc | limit 1");
    expect(r2.map((x) => x.eventSource)).toEqual(["signin.amazonaws.com"]);
  });
});

describe("sort, limit, dedup, parse", () => {
  test("sort is the service's natural sort: text before numbers, digit runs by value", async () => {
    const values = ["a10", "0", "a9", "B", "10", "2", "#x", "a2b"];
    const local = await eventsDb(
      values.map((v, i) => ({ eventTime: `2026-11-20T10:0${i}:00Z`, v })),
    );
    try {
      const asc = await local.run("sort v asc | fields v");
      expect(asc.rows.map((r) => r.v)).toEqual(["#x", "B", "a2b", "a9", "a10", "0", "2", "10"]);
      const desc = await local.run("sort v desc | fields v");
      expect(desc.rows.map((r) => r.v)).toEqual(["10", "2", "0", "a10", "a9", "a2b", "B", "#x"]);
    } finally {
      local.close();
    }
  });

  test("text fields that hold numbers sort numerically", async () => {
    expect(await rows("filter ispresent(bytes) | sort bytes desc | fields bytes")).toEqual([
      { bytes: "1500" },
      { bytes: "200" },
    ]);
  });

  test("head is limit and tail takes the last rows in order", async () => {
    expect(await rows("sort @timestamp asc | head 1 | fields eventName")).toEqual([
      { eventName: "ConsoleLogin" },
    ]);
    expect(await rows("sort @timestamp asc | tail 2 | fields eventName")).toEqual([
      { eventName: "GetObject" },
      { eventName: "StopLogging" },
    ]);
  });

  test("dedup keeps the first event per value in the current order, and events without the field", async () => {
    expect(
      await rows(
        "fields sourceIPAddress, @timestamp | sort @timestamp asc | dedup sourceIPAddress",
      ),
    ).toEqual([
      { sourceIPAddress: "198.51.100.7", "@timestamp": "2026-11-20 10:15:00.000" },
      { sourceIPAddress: "203.0.113.9", "@timestamp": "2026-11-20 11:05:00.000" },
      { sourceIPAddress: "10.1.2.3", "@timestamp": "2026-11-20 12:00:00.000" },
    ]);
    expect((await rows("dedup userAgent")).length).toBe(5);
  });

  test("parse with a glob and with a regex", async () => {
    expect(
      await rows(
        "parse userAgent '*/* *' as agent, version, rest | filter ispresent(agent) | fields agent, version | sort agent",
      ),
    ).toEqual([
      { agent: "Boto3", version: "1.34.0" },
      { agent: "aws-cli", version: "2.15.0" },
    ]);
    expect(
      await rows(
        'parse @message /"userName":"(?<user>[^"]+)"/ | filter ispresent(user) | stats count(*) as n by user',
      ),
    ).toEqual([{ user: "alice", n: "2" }]);
  });
});

describe("parameters and safety", () => {
  test("parameters are bound as literals of their type", async () => {
    expect(
      await rows(
        "filter userIdentity.userName = {{user}} and bytes > {{min}} or readOnly = {{ro}} | fields eventName",
        {
          params: { user: "nobody", min: 100, ro: true },
        },
      ),
    ).toEqual([{ eventName: "GetObject" }]);
  });

  test("a hostile string finds nothing and changes nothing", async () => {
    const hostile = "x' OR '1'='1";
    expect(await rows("filter eventName = {{p}}", { params: { p: hostile } })).toEqual([]);
    expect(await rows(`filter eventName = "${hostile.replace(/'/g, "\\'")}"`)).toEqual([]);
    expect(await rows('filter requestParameters.key = "a\'b\\"c" | fields eventName')).toEqual([
      { eventName: "GetObject" },
    ]);
  });

  test("field names with quotes are data, not SQL", async () => {
    const r = await db.run("fields `a\"; DROP TABLE cwl_events; --`, `it's` | limit 1");
    expect(r.columns).toEqual(['a"; DROP TABLE cwl_events; --', "it's"]);
    expect(r.rows).toEqual([{ 'a"; DROP TABLE cwl_events; --': null, "it's": null }]);
    expect((await rows("stats count(*) as n"))[0]).toEqual({ n: "5" });
  });

  test("an unknown parameter is reported at its position", () => {
    expect(() =>
      translateInsights("filter a = 1\n  and b = {{nope}}", { relation: "t", check: false }),
    ).toThrow(expect.objectContaining({ code: "unknown-param", line: 2, column: 11 }));
  });

  test("things the local translation cannot run are reported at their position", () => {
    for (const [q, col] of [
      ["fields isIpv6InSubnet(a, 'x')", 8],
      ["fields 5m", 8],
      ["stats count(*) by x | stats earliest(x)", 29],
    ] as const) {
      const err = thrown(InsightsUnsupportedError, () =>
        translateInsights(q, { relation: "t", check: false }),
      );
      expect(err.column, q).toBe(col);
    }
  });
});

describe("generated SQL", () => {
  test("the spec's failed console logins query", () => {
    expect(
      translateInsights(
        `filter eventName = "ConsoleLogin" and errorMessage = "Failed authentication"
| stats count(*) as failures by userIdentity.userName, sourceIPAddress`,
        { relation: "cwl_events" },
      ).sql,
    ).toMatchInlineSnapshot(`
      "WITH e0 AS (SELECT timezone('UTC', "@timestamp") AS ts, "@message" AS msg, "@logStream" AS lstream, "@log" AS lgroup, "@ptr" AS ptr, json_extract("@message", ['/eventName', '/errorMessage', '/userIdentity/userName', '/sourceIPAddress']) AS jl FROM "cwl_events"),
      e1 AS (SELECT *, (CASE json_type(jl[1]) WHEN 'BOOLEAN' THEN (CASE WHEN CAST(jl[1] AS VARCHAR) = 'true' THEN '1' ELSE '0' END) WHEN 'OBJECT' THEN NULL WHEN 'ARRAY' THEN NULL ELSE json_extract_string(jl[1], '$') END) AS j1, (CASE json_type(jl[2]) WHEN 'BOOLEAN' THEN (CASE WHEN CAST(jl[2] AS VARCHAR) = 'true' THEN '1' ELSE '0' END) WHEN 'OBJECT' THEN NULL WHEN 'ARRAY' THEN NULL ELSE json_extract_string(jl[2], '$') END) AS j2, (CASE json_type(jl[3]) WHEN 'BOOLEAN' THEN (CASE WHEN CAST(jl[3] AS VARCHAR) = 'true' THEN '1' ELSE '0' END) WHEN 'OBJECT' THEN NULL WHEN 'ARRAY' THEN NULL ELSE json_extract_string(jl[3], '$') END) AS j3, (CASE json_type(jl[4]) WHEN 'BOOLEAN' THEN (CASE WHEN CAST(jl[4] AS VARCHAR) = 'true' THEN '1' ELSE '0' END) WHEN 'OBJECT' THEN NULL WHEN 'ARRAY' THEN NULL ELSE json_extract_string(jl[4], '$') END) AS j4 FROM e0),
      c1 AS (SELECT * FROM e1 WHERE (coalesce((j1 = 'ConsoleLogin'), false) AND coalesce((j2 = 'Failed authentication'), false))),
      c5 AS (SELECT j3 AS s2, j4 AS s3, count(*) AS s4 FROM c1 GROUP BY 1, 2)
      SELECT s2 AS "userIdentity.userName", s3 AS "sourceIPAddress", s4 AS "failures" FROM c5 ORDER BY (s2 IS NULL) ASC, {'num': regexp_full_match(s2, '-?[0-9]+([.][0-9]+)?'), 'n': (CASE WHEN regexp_full_match(s2, '-?[0-9]+([.][0-9]+)?') THEN TRY_CAST(s2 AS DOUBLE) END), 't': (CASE WHEN regexp_full_match(s2, '-?[0-9]+([.][0-9]+)?') THEN s2 END), 'chunks': list_transform(regexp_extract_all(s2, '[0-9]+|[^0-9]+'), lambda ch: CASE WHEN ch[1] BETWEEN '0' AND '9' THEN lpad(CAST(length(ch) AS VARCHAR), 6, '0') || ch ELSE ch END)} ASC, (s3 IS NULL) ASC, {'num': regexp_full_match(s3, '-?[0-9]+([.][0-9]+)?'), 'n': (CASE WHEN regexp_full_match(s3, '-?[0-9]+([.][0-9]+)?') THEN TRY_CAST(s3 AS DOUBLE) END), 't': (CASE WHEN regexp_full_match(s3, '-?[0-9]+([.][0-9]+)?') THEN s3 END), 'chunks': list_transform(regexp_extract_all(s3, '[0-9]+|[^0-9]+'), lambda ch: CASE WHEN ch[1] BETWEEN '0' AND '9' THEN lpad(CAST(length(ch) AS VARCHAR), 6, '0') || ch ELSE ch END)} ASC LIMIT 10000"
    `);
  });

  test("a field list with the default sort", () => {
    expect(
      translateInsights("fields @timestamp, eventName", { relation: "main.ev" }).sql,
    ).toMatchInlineSnapshot(`
      "WITH e0 AS (SELECT timezone('UTC', "@timestamp") AS ts, "@message" AS msg, "@logStream" AS lstream, "@log" AS lgroup, "@ptr" AS ptr, json_extract("@message", ['/eventName']) AS jl FROM "main"."ev"),
      e1 AS (SELECT *, (CASE json_type(jl[1]) WHEN 'BOOLEAN' THEN (CASE WHEN CAST(jl[1] AS VARCHAR) = 'true' THEN '1' ELSE '0' END) WHEN 'OBJECT' THEN NULL WHEN 'ARRAY' THEN NULL ELSE json_extract_string(jl[1], '$') END) AS j1 FROM e0)
      SELECT strftime(ts, '%Y-%m-%d %H:%M:%S.%g') AS "@timestamp", j1 AS "eventName" FROM e1 ORDER BY ts DESC NULLS LAST, ptr ASC NULLS LAST LIMIT 10000"
    `);
  });
});
