/**
 * A value where a condition goes (`filter readOnly`, `not errorCode`, `if(eventName, ...)`): AWS's
 * documentation writes conditions as comparisons and functions that return true or false ("Use
 * Boolean operators only in functions that return TRUE or FALSE", CWL_QuerySyntax-operations-
 * functions) and does not say which values of a field pass. The local engine once read a value as
 * "present", so `filter readOnly` kept the read-write events too (CloudTrail's readOnly is 1 or
 * 0): it now refuses such a query at the value, and `run-md check` reports the same place.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { translatesLocally } from "../src/calls.ts";
import { InsightsSyntaxError, serviceOnlyUses, translateInsights } from "../src/index.ts";
import { type EventsDb, eventsDb } from "./duck.ts";
import { thrown } from "./thrown.ts";

const EVENTS = [
  { eventTime: "2026-11-20T10:00:00Z", eventName: "GetObject", readOnly: true },
  { eventTime: "2026-11-20T10:01:00Z", eventName: "PutObject", readOnly: false },
  { eventTime: "2026-11-20T10:02:00Z", eventName: "DeleteObject", readOnly: false },
];

let db: EventsDb;
beforeAll(async () => {
  db = await eventsDb(EVENTS);
});
afterAll(() => db.close());

/** Where the translation refuses `query`: 1-based line and column, and the text there. */
function refusedAt(query: string): [number, number, string] {
  const e = thrown(InsightsSyntaxError, () => translateInsights(query, { relation: "cwl_events" }));
  expect(e.code).toBe("insights-unsupported");
  return [e.line, e.column, query.slice(e.offset, e.offset + e.length)];
}

describe("a value in a condition's place", () => {
  test("readOnly = 1 keeps the read-only events: the truth the refusal protects", async () => {
    const readOnly = EVENTS.filter((e) => e.readOnly).map((e) => ({ eventName: e.eventName }));
    expect((await db.run("filter readOnly = 1 | fields eventName")).rows).toEqual(readOnly);
  });

  test("is refused by the translation at the value, never read as 'present'", () => {
    expect(refusedAt("filter readOnly | fields eventName")).toEqual([1, 8, "readOnly"]);
    expect(refusedAt("fields eventName\n| filter eventName = 'x' or not errorCode")).toEqual([
      2,
      33,
      "errorCode",
    ]);
    expect(refusedAt("filter strlen(eventName) and readOnly = 1")).toEqual([
      1,
      8,
      "strlen(eventName)",
    ]);
    expect(refusedAt("fields if(errorCode, 'failed', 'ok') as outcome")).toEqual([
      1,
      11,
      "errorCode",
    ]);
    expect(refusedAt("fields case(readOnly = 1, 'r', eventName, 'w', 'x') as k")).toEqual([
      1,
      32,
      "eventName",
    ]);
    expect(refusedAt("filter 1")).toEqual([1, 8, "1"]);
  });

  test("conditions still run: comparisons, like, in, not, and the functions that return true or false", async () => {
    for (const q of [
      "filter ispresent(errorCode) or not readOnly = 1",
      "filter isempty(errorCode) and eventName like 'Object'",
      "filter eventName in ['GetObject'] or strcontains(eventName, 'Put')",
      "fields if(readOnly = 1, 'r', 'w') as k, case(isblank(eventName), 'none', 'some') as c",
    ])
      await expect(db.run(q)).resolves.toBeDefined();
  });

  test("run-md check reports each place the translation refuses (serviceOnlyUses)", () => {
    const query = [
      "filter readOnly",
      "| filter eventName = 'x' or not errorCode",
      "| fields if(errorCode, 1, 0) as a, case(readOnly = 1, 'r', eventName, 'w') as b",
      "| filter ispresent(errorCode) and strcontains(eventName, 'x') and not isblank(eventName)",
    ].join("\n");
    const uses = serviceOnlyUses(query).map((u) => [
      u.line,
      u.column,
      query.split("\n")[u.line - 1]!.slice(u.column - 1, u.column - 1 + u.length),
    ]);
    const lines = query.split("\n");
    /** Line and column (1-based) of the `nth` `text` of line `line`. */
    const at = (line: number, text: string, nth = 1): [number, number, string] => {
      let col = -1;
      for (let i = 0; i < nth; i++) col = lines[line - 1]!.indexOf(text, col + 1);
      return [line, col + 1, text];
    };
    expect(uses).toEqual([
      at(1, "readOnly"),
      at(2, "errorCode"),
      at(3, "errorCode"),
      at(3, "eventName"),
    ]);
    // The same message as the translation's, at the first.
    const first = serviceOnlyUses(query)[0]!;
    expect(() => translateInsights(query, { relation: "cwl_events" })).toThrow(first.message);
  });

  test("a name the query gives a value (fields, parse, stats) is refused where a condition goes, by check too", () => {
    // `fields strlen(eventName) as w | filter w` passed `run-md check` and failed every local run.
    for (const [query, refused] of [
      ["fields strlen(eventName) as w | filter w", true],
      ["parse eventName /(?<g>Get)/ | filter g", true],
      ["stats count(*) as n by eventName | filter n", true],
      ["fields readOnly as r | filter not r", true],
      ["fields eventName = 'x' as b | filter b", false],
      ["fields ispresent(errorCode) as p | filter not p", false],
      ["fields if(readOnly = 1, ispresent(errorCode), eventName = 'x') as k | filter k", false],
      ["fields strlen(eventName) as w | fields w > 3 as w | filter w", false],
    ] as const) {
      let translated = true;
      try {
        translateInsights(query, { relation: "cwl_events" });
      } catch (e) {
        expect(e, query).toBeInstanceOf(InsightsSyntaxError);
        translated = false;
      }
      // The translation is the truth check must tell: it refuses at the place check names.
      expect([query, !translated]).toEqual([query, refused]);
      const uses = serviceOnlyUses(query).map((u) => query.slice(u.offset, u.offset + u.length));
      expect([query, uses]).toEqual([query, refused ? [query.split(" ").at(-1)] : []]);
    }
  });

  test("for every function the local engine translates, check and the translation agree on `filter f(x)`", () => {
    const args: Record<string, string> = {
      substr: "eventName, 1",
      replace: "eventName, 'a', 'b'",
      strcontains: "eventName, 'a'",
      startsWith: "eventName, 'a'",
      endsWith: "eventName, 'a'",
      isIpInSubnet: "sourceIPAddress, '10.0.0.0/8'",
      isIpv4InSubnet: "sourceIPAddress, '10.0.0.0/8'",
      round: "readOnly",
      bin: "1h",
      datefloor: "@timestamp, 1h",
      dateceil: "@timestamp, 1h",
      if: "readOnly = 1, readOnly = 1, readOnly = 0",
      case: "readOnly = 1, readOnly = 1, readOnly = 0",
      greatest: "readOnly, 2",
      least: "readOnly, 2",
      coalesce: "eventName, 'x'",
      concat: "eventName, 'x'",
    };
    const scalar = [
      "ispresent",
      "isempty",
      "isblank",
      "coalesce",
      "concat",
      "strlen",
      "toupper",
      "tolower",
      "trim",
      "substr",
      "replace",
      "strcontains",
      "startsWith",
      "endsWith",
      "if",
      "case",
      "round",
      "abs",
      "ceil",
      "floor",
      "sqrt",
      "log",
      "greatest",
      "least",
      "bin",
      "datefloor",
      "dateceil",
      "fromMillis",
      "toMillis",
      "isValidIp",
      "isValidIpV4",
      "isValidIpV6",
      "isIpInSubnet",
      "isIpv4InSubnet",
    ];
    for (const name of scalar) {
      expect(translatesLocally(name), name).toBe(true);
      const query = `filter ${name}(${args[name] ?? "eventName"})`;
      let refused = false;
      try {
        translateInsights(query, { relation: "cwl_events" });
      } catch (e) {
        expect(e, query).toBeInstanceOf(InsightsSyntaxError);
        refused = true;
      }
      expect([query, serviceOnlyUses(query).length > 0]).toEqual([query, refused]);
    }
  });
});
