/**
 * `serviceOnlyUses`: the places of a query that only CloudWatch Logs runs (functions of
 * CWL_QuerySyntax-operations-functions the local engine does not translate, a map's or list's
 * access), which `run-md check` reports as `insights-service-only`.
 */
import { describe, expect, test } from "vitest";
import { serviceOnlyUses, translateInsights } from "../src/index.ts";

describe("serviceOnlyUses", () => {
  const q = [
    "fields jsonParse(@message) as j",
    '| filter j.users[1].action = "PutData" and isPrivateIP(sourceIPAddress)',
    '| filter startsWith(eventName, "Get")',
  ].join("\n");

  test("serviceOnlyUses lists every such place, and nothing the local engine translates", () => {
    expect(serviceOnlyUses(q).map((u) => [u.line, u.column, u.message.split(" ")[0]])).toEqual([
      [1, 8, "jsonParse()"],
      [2, 10, "j.users[1].action:"],
      [2, 44, "isPrivateIP()"],
    ]);
    expect(serviceOnlyUses('filter strcontains(eventName, "x", true) | fields round(1)')).toEqual(
      [],
    );
  });

  test("the hashing and time-series functions and a stats offset are the service's", () => {
    // CWL_QuerySyntax-hash-functions gives md5 and sha256 a string result, not its form (hex in
    // which case, base64); CWL_QuerySyntax-timeseries-functions does not define rate's window,
    // histogram's map or which events a shifted bin holds.
    const lines = [
      "fields md5(eventName) as m, sha256(eventName) as s",
      "| stats rate(n, 5m) as r, count_over_time(m) as c, histogram(n, 10) as h by bin(5m) offset 1h",
    ];
    /** The 1-based line and column where `text` is written. */
    const at = (text: string) => {
      const line = lines.findIndex((l) => l.includes(text));
      return [line + 1, lines[line]!.indexOf(text) + 1];
    };
    expect(
      serviceOnlyUses(lines.join("\n")).map((u) => [u.line, u.column, u.message.split(" ")[0]]),
    ).toEqual([
      [...at("md5("), "md5()"],
      [...at("sha256("), "sha256()"],
      [...at("rate("), "rate()"],
      [...at("count_over_time("), "count_over_time()"],
      [...at("histogram("), "histogram()"],
      [...at("1h"), "offset"],
    ]);
    expect(serviceOnlyUses("stats sum_over_time(n) as t by bin(1h)")).toHaveLength(1);
  });

  test("the fields of the event's delivery the files do not hold are the service's", () => {
    // @log, @logStream (CloudTrail's account_ID_CloudTrail_trail_region, _number added when it
    // delivers to several) and @ingestionTime: the translation refuses each at its place, and
    // check reports the same place; a name the query gives itself is its own.
    const query =
      "fields @logStream, @timestamp\n| stats count(*) by @log, bin(1h)\n| filter @ingestionTime > 0";
    expect(serviceOnlyUses(query).map((u) => [u.line, u.column, u.message.split(" ")[0]])).toEqual([
      [1, 8, "@logStream"],
      [2, 21, "@log"],
      [3, 10, "@ingestionTime"],
    ]);
    for (const u of serviceOnlyUses(query)) {
      const alone = query.slice(u.offset, u.offset + u.length);
      expect(() => translateInsights(`fields ${alone}`, { relation: "cwl_events" })).toThrow(
        u.message,
      );
    }
    expect(serviceOnlyUses('parse @message "*" as @logStream | fields @logStream')).toEqual([]);
  });
});
