/**
 * `parse f /regex/`: a named group that took no part in the match (the other side of a `|`, an
 * optional group) gives the event no field, as "If a log event doesn't match the specified
 * pattern, you still see it in the results, but without the extracted fields" (CWL_QuerySyntax-
 * Parse). DuckDB's regexp_extract gives '' for such a group, so `ispresent` and `count` counted
 * it: the truth here is JavaScript's own regular expressions over the same values.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { insightsRefusal } from "../src/index.ts";
import { type EventsDb, eventsDb } from "./duck.ts";

const AGENTS = [
  "aws-cli/2.15.0 Python/3.11",
  "Boto3/1.34.0 Python/3.12",
  "console.amazonaws.com",
  "aws-cli/1.29.0 botocore/1.31",
  "Boto3/1.26.0 md/Botocore#1.29",
  "id=; user=alice",
  "id=7; user=bob-admin",
];
const EVENTS = AGENTS.map((userAgent, i) => ({
  eventTime: `2026-11-20T10:0${i}:00Z`,
  eventName: `e${i}`,
  userAgent,
}));

/** How many values give group `name` of `re` a value (JavaScript: undefined when it took no part). */
function countGroup(re: RegExp, name: string): number {
  return AGENTS.filter((a) => re.exec(a)?.groups?.[name] !== undefined).length;
}

let db: EventsDb;
beforeAll(async () => {
  db = await eventsDb(EVENTS);
});
afterAll(() => db.close());

describe("parse: a named group that took no part in the match", () => {
  test("the other side of a | gives no field (count and ispresent skip it)", async () => {
    const re = /(?<cli>aws-cli)|(?<sdk>Boto3)/;
    const truth = { cli: countGroup(re, "cli"), sdk: countGroup(re, "sdk") };
    expect(truth).toEqual({ cli: 2, sdk: 2 });
    const r = await db.run(
      "parse userAgent /(?<cli>aws-cli)|(?<sdk>Boto3)/ | stats count(cli) as c, count(sdk) as s, sum(ispresent(sdk)) as present",
    );
    const row = r.rows[0]!;
    expect([row.c, row.s, row.present].map(Number)).toEqual([truth.cli, truth.sdk, truth.sdk]);
  });

  test("an optional group that did not match gives no field; one that matched keeps its value", async () => {
    const re = /user=(?<user>[a-z]+)(?<admin>-admin)?/;
    const r = await db.run(
      "parse userAgent /user=(?<user>[a-z]+)(?<admin>-admin)?/ | filter ispresent(user) | fields user, admin, ispresent(admin) as p | sort user",
    );
    const truth = AGENTS.map((a) => re.exec(a)?.groups)
      .filter((g) => g !== undefined)
      .map((g) => ({ user: g.user!, admin: g.admin ?? null, p: g.admin === undefined ? 0 : 1 }))
      .sort((a, b) => (a.user < b.user ? -1 : 1));
    expect(truth).toHaveLength(2);
    expect(r.rows).toEqual(truth);
  });

  test("a group that always takes part keeps an empty match as a value", async () => {
    // `\d*` matched nothing in "id=; ...": the group took part, its value is "".
    const r = await db.run(
      "parse userAgent /id=(?<n>\\d*);/ | filter ispresent(n) | fields n, strlen(n) as len | sort len",
    );
    expect(r.rows).toEqual([
      { n: "", len: "0" },
      { n: "7", len: "1" },
    ]);
  });

  test("a group that may be skipped and may match nothing fails the step at the parse: the two cannot be told apart", async () => {
    const query =
      "fields eventName\n| parse userAgent /id=(?<n>\\d*);|(?<m>console)/ | fields n, m";
    const error = await db.run(query).then(
      () => undefined,
      (e: unknown) => e,
    );
    const refusal = insightsRefusal(query, error);
    expect(refusal?.code).toBe("insights-unsupported");
    expect([refusal?.line, refusal?.column]).toEqual([2, 3]);
    expect(refusal?.message).toContain("(?<n>");
  });
});
