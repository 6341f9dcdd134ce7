/**
 * `limit any N` (CWL_QuerySyntax-Limit, "limit any": "stop the query as soon as N matching log
 * events are found ... the results are not guaranteed to be in any particular order"): parsed
 * on every engine and translated locally as N of the matching events. The truth is computed
 * here from the raw records of a shared dataset: which events match, and how many there are.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InsightsSyntaxError, parseInsights, serviceOnlyUses } from "../src/index.ts";
import { type EventsDb, eventsDb } from "./duck.ts";
import { thrown } from "./thrown.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const dataset = path.resolve(
  repoRoot,
  "../shared/datasets/stratus-red-team-detonation-logs/events.jsonl",
);
const available = existsSync(dataset);
if (!available) console.log(`skipping the limit any tests over real events: ${dataset} is missing`);

type Event = Record<string, unknown>;

describe("limit any", () => {
  test("parses as the page writes it, and is no service-only place", () => {
    const q = "fields @message | limit any 1";
    expect(parseInsights(q).commands[1]).toMatchObject({
      kind: "limit",
      from: "limit",
      any: true,
      count: 1,
      text: "limit any 1",
    });
    expect(parseInsights("limit 5").commands[0]).not.toHaveProperty("any");
    expect(serviceOnlyUses(q)).toEqual([]);
  });

  test.each([
    ["limit any", 'expected a positive whole number after "limit any", found the end of the query'],
    ["limit any 0", 'expected a positive whole number after "limit any", found "0"'],
    ["limit any x", 'expected a positive whole number after "limit any", found "x"'],
  ])("%s is a syntax error naming limit any", (query, message) => {
    expect(thrown(InsightsSyntaxError, () => parseInsights(query)).message).toBe(message);
  });
});

describe.skipIf(!available)("limit any over real CloudTrail records", () => {
  let events: Event[] = [];
  let db: EventsDb;
  beforeAll(async () => {
    events = readFileSync(dataset, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Event);
    db = await eventsDb(events);
  });
  afterAll(() => db?.close());

  /** The eventIDs of the raw records with this eventName. */
  const idsOf = (name: string) =>
    new Set(events.filter((e) => e.eventName === name).map((e) => String(e.eventID)));

  test("returns N of the matching events when more match, all of them when fewer do", async () => {
    const counts = new Map<string, number>();
    for (const e of events)
      counts.set(String(e.eventName), (counts.get(String(e.eventName)) ?? 0) + 1);
    const [common, many] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    const [rare, few] = [...counts].find(([, n]) => n >= 2 && n <= 5)!;
    expect(many).toBeGreaterThan(3);

    const some = await db.run(`filter eventName = "${common}" | fields eventID | limit any 3`);
    const got = some.rows.map((r) => String(r.eventID));
    expect(got).toHaveLength(3);
    expect(new Set(got).size).toBe(3);
    const matching = idsOf(common);
    for (const id of got) expect(matching.has(id)).toBe(true);

    const all = await db.run(`filter eventName = "${rare}" | fields eventID | limit any 1000`);
    expect(all.rows.map((r) => String(r.eventID)).sort()).toEqual([...idsOf(rare)].sort());
    expect(all.rows).toHaveLength(few);
  });
});
