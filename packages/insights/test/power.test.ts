/**
 * `a ^ b`: the functions page gives `2 ^ 3` returns 8 and nothing on a chain (`2 ^ 3 ^ 2`: 64 or
 * 512?) or a minus sign before it (`-2 ^ 2`: 4 or -4?). The local engine read them as
 * mathematics does (512, -4), a guess that changes the answer: they are refused at the
 * expression, and `run-md check` reports them; with parentheses they run.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { InsightsSyntaxError, serviceOnlyUses, translateInsights } from "../src/index.ts";
import { type EventsDb, eventsDb } from "./duck.ts";
import { thrown } from "./thrown.ts";

let db: EventsDb;
beforeAll(async () => {
  db = await eventsDb([{ eventTime: "2026-11-20T10:00:00Z", n: 2 }]);
});
afterAll(() => db.close());

test("the page's examples, and powers with their parentheses written", async () => {
  const r = await db.run(
    "fields 2 ^ 3 as a, 10 % 3 as b, (2 ^ 3) ^ 2 as c, 2 ^ (3 ^ 2) as d, (-2) ^ 2 as e, -(n ^ 2) as f, 2 * n ^ 2 as g, 2 ^ -1 as h",
  );
  expect(r.rows).toEqual([
    {
      a: 2 ** 3,
      b: 10 % 3,
      c: (2 ** 3) ** 2,
      d: 2 ** (3 ** 2),
      e: (-2) ** 2,
      f: -(2 ** 2),
      g: 8,
      h: 0.5,
    },
  ]);
});

test("a chain of powers and a minus sign before a power are refused where they are written", () => {
  for (const [query, text] of [
    ["fields 2 ^ 3 ^ 2 as x", "2 ^ 3 ^ 2"],
    ["fields eventName\n| filter -n ^ 2 < 0", "-n ^ 2"],
    ["fields (n) ^ (n) ^ 2 as x", "(n) ^ (n) ^ 2"],
  ] as const) {
    const e = thrown(InsightsSyntaxError, () =>
      translateInsights(query, { relation: "cwl_events" }),
    );
    expect(e.code).toBe("insights-unsupported");
    expect(query.slice(e.offset, e.offset + e.length)).toBe(text);
    const uses = serviceOnlyUses(query);
    expect(uses.map((u) => [u.offset, u.length, u.message])).toEqual([
      [e.offset, e.length, e.message],
    ]);
  }
});
