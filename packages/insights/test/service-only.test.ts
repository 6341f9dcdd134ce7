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
});
