/**
 * Randomly combined (seeded, so reproducible) commands, operators, functions and fields: every
 * query that parses must translate to SQL that DuckDB runs. A failure prints the query.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { InsightsSyntaxError } from "../src/index.ts";
import { type EventsDb, eventsDb } from "./duck.ts";

const FIELDS = [
  "eventName",
  "userIdentity.arn",
  "bytes",
  "readOnly",
  "@timestamp",
  "@message",
  "resources.0.ARN",
  "missing.field",
  "@ptr",
];
const CONDITIONS = [
  (f: string) => `${f} = "x"`,
  (f: string) => `${f} != 5`,
  (f: string) => `${f} like /a/`,
  (f: string) => `${f} not like "b"`,
  (f: string) => `ispresent(${f})`,
  (f: string) => `${f} in ["a", 1]`,
  (f: string) => `strlen(${f}) > 3`,
  (f: string) => `not isempty(${f})`,
  (f: string) => `${f} + 1 > 2`,
  (f: string) => `tolower(${f}) =~ /x/`,
  (f: string) => `coalesce(${f}, "z") = "z"`,
];
const AGGREGATES = [
  "count(*)",
  "count($)",
  "count_distinct($)",
  "sum($)",
  "avg($)",
  "min($)",
  "max($)",
  "pct($, 90)",
  "stddev($)",
  "earliest($)",
  "latest($)",
  "sortsFirst($)",
  "sortsLast($)",
];

let seed = 42;
function rnd(n: number): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
}
const pick = <T>(a: T[]): T => a[rnd(a.length)]!;

function randomQuery(): string {
  const commands: string[] = [];
  let stats = false;
  let dedup = false;
  const n = 1 + rnd(4);
  for (let j = 0; j < n; j++) {
    const f = pick(FIELDS);
    const k = dedup ? 4 : rnd(10);
    if (k === 0) commands.push(`filter ${pick(CONDITIONS)(f)}`);
    else if (k === 1) commands.push(`fields ${f}, ${pick(FIELDS)} as al${j}`);
    else if (k === 2 && !stats) {
      stats = true;
      const agg = pick(AGGREGATES).replace("$", f);
      commands.push(
        `stats ${agg} as a${j}, count(*) by ${pick(FIELDS)}${rnd(2) ? ", bin(1h)" : ""}`,
      );
    } else if (k === 3)
      commands.push(`sort ${stats ? "`count(*)`" : f} ${rnd(2) ? "desc" : "asc"}`);
    else if (k === 4) commands.push(`limit ${1 + rnd(5)}`);
    else if (k === 5) commands.push(`parse ${f} "*A*" as p${j}, q${j}`);
    else if (k === 6) commands.push(`display ${f}`);
    else if (k === 7) {
      commands.push(
        `fields concat(${f}, "-") as c${j}, datefloor(@timestamp, 1d) as d${j}, abs(${f}) as ab${j}`,
      );
    } else if (k === 8 && !stats) {
      dedup = true;
      commands.push(`dedup ${f}`);
    } else commands.push(`filter ${pick(CONDITIONS)(f)} or ${pick(CONDITIONS)(pick(FIELDS))}`);
  }
  return commands.join(" | ");
}

let db: EventsDb;
beforeAll(async () => {
  db = await eventsDb([
    {
      eventTime: "2026-11-20T10:00:00Z",
      eventName: "A",
      bytes: 5,
      readOnly: true,
      userIdentity: { arn: "x" },
      resources: [{ ARN: "r" }],
    },
    { eventTime: "2026-11-20T11:00:00Z", eventName: "b10", bytes: "7", readOnly: false },
    { eventTime: "2026-11-20T12:00:00Z" },
  ]);
});
afterAll(() => db.close());

test("400 random queries that parse all run on DuckDB", async () => {
  const failures: string[] = [];
  let ran = 0;
  for (let i = 0; i < 400; i++) {
    const q = randomQuery();
    try {
      await db.run(q);
      ran++;
    } catch (e) {
      // Aggregates of numbers over text refuse at run time, by design (calls.ts numbersOnly):
      // DuckDB ran that SQL, the refusal is raised while it runs.
      // So does a pct whose two places hold different values (calls.ts pctOfPage).
      const refused = /\(\) of text (are|is) not supported|percentile's place are/.test(
        (e as Error).message,
      );
      if (refused) ran++;
      else if (!(e instanceof InsightsSyntaxError))
        failures.push(`${q}\n  ${(e as Error).message.split("\n")[0]}`);
    }
  }
  expect(failures).toEqual([]);
  expect(ran).toBeGreaterThan(380);
});
