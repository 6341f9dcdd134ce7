/**
 * `serviceOnlyUses`: the places of a query that only CloudWatch Logs runs (functions of
 * CWL_QuerySyntax-operations-functions the local engine does not translate, a map's or list's
 * access), which `run-md check` reports as `insights-service-only`.
 */
import { describe, expect, test } from "vitest";
import { serviceOnlyUses } from "../src/index.ts";

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
});
