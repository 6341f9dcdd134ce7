/**
 * Seeded random filters (comparisons, like, in, ispresent under and/or/not) and a stats/dedup
 * over events whose fields are sometimes missing, text or numbers, each checked against a count
 * computed here from the raw events with the documented rules (docs/engines.md: a comparison
 * with a missing field is false, `not` negates it; `dedup` keeps events without the field).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { type EventsDb, eventsDb } from "./duck.ts";

type Event = Record<string, unknown>;
type Cond = { text: string; holds: (e: Event) => boolean };

let seed = 7;
function rnd(n: number): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
}

const VALUES: unknown[] = ["a", "b", "ab", "A", "", 5, 10, "10", "x y", undefined];
const EVENTS: Event[] = Array.from({ length: 60 }, (_, i) => {
  const e: Event = { eventTime: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() };
  for (const f of ["f", "g"]) {
    const v = VALUES[rnd(VALUES.length)];
    if (v !== undefined) e[f] = v;
  }
  return e;
});

function numberOf(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  return typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
}

function pick<T>(xs: T[]): T {
  return xs[rnd(xs.length)]!;
}

function atom(): Cond {
  const f = pick(["f", "g"]);
  const has = (e: Event) => e[f] !== undefined;
  const text = (e: Event) => String(e[f]);
  const l = pick(["a", "b", "ab", "A", "", "y"]);
  const n = pick([5, 6, 10]);
  return pick<Cond>([
    { text: `${f} = "${l}"`, holds: (e) => has(e) && text(e) === l },
    { text: `${f} != "${l}"`, holds: (e) => has(e) && text(e) !== l },
    { text: `${f} like "${l}"`, holds: (e) => has(e) && text(e).includes(l) },
    { text: `${f} not like "${l}"`, holds: (e) => has(e) && !text(e).includes(l) },
    { text: `ispresent(${f})`, holds: has },
    { text: `${f} > ${n}`, holds: (e) => (numberOf(e[f]) ?? Number.NaN) > n },
    { text: `${f} in ["a", "b"]`, holds: (e) => e[f] === "a" || e[f] === "b" },
    { text: `${f} not in ["a", "b"]`, holds: (e) => has(e) && e[f] !== "a" && e[f] !== "b" },
  ]);
}

function condition(depth: number): Cond {
  if (depth === 0 || rnd(3) === 0) return atom();
  const a = condition(depth - 1);
  const k = rnd(3);
  if (k === 0) return { text: `not (${a.text})`, holds: (e) => !a.holds(e) };
  const b = condition(depth - 1);
  return k === 1
    ? { text: `(${a.text}) and (${b.text})`, holds: (e) => a.holds(e) && b.holds(e) }
    : { text: `(${a.text}) or (${b.text})`, holds: (e) => a.holds(e) || b.holds(e) };
}

let db: EventsDb;
beforeAll(async () => {
  db = await eventsDb(EVENTS);
});
afterAll(() => db.close());

test("400 random filters count what the raw events say", async () => {
  const wrong: string[] = [];
  for (let i = 0; i < 400; i++) {
    const c = condition(3);
    const { rows } = await db.run(`filter ${c.text} | stats count(*) as n`);
    const want = EVENTS.filter(c.holds).length;
    if (Number(rows[0]!.n) !== want) wrong.push(`${c.text}: ${String(rows[0]!.n)}, not ${want}`);
  }
  expect(wrong).toEqual([]);
});

test("stats by a sometimes missing field, and dedup, count what the raw events say", async () => {
  const { rows } = await db.run("stats count(*) as n, count(f) as c, count_distinct(f) as d by g");
  const groups = new Map<string | null, Event[]>();
  for (const e of EVENTS) {
    const g = e.g === undefined ? null : String(e.g);
    groups.set(g, [...(groups.get(g) ?? []), e]);
  }
  const want = [...groups].map(([g, es]) => {
    const fs = es.filter((e) => e.f !== undefined).map((e) => String(e.f));
    return { g, n: es.length, c: fs.length, d: new Set(fs).size };
  });
  const got = rows.map((r) => ({
    g: r.g === null ? null : String(r.g),
    n: Number(r.n),
    c: Number(r.c),
    d: Number(r.d),
  }));
  const key = (x: { g: string | null }) => x.g ?? "";
  expect(got.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
    want.sort((a, b) => key(a).localeCompare(key(b))),
  );
  // dedup keeps the newest event of each value and every event without the field.
  const kept = EVENTS.filter((e, i) => {
    if (e.g === undefined) return true;
    return !EVENTS.slice(i + 1).some(
      (later) => String(later.g) === String(e.g) && later.g !== undefined,
    );
  });
  const deduped = await db.run("fields f, g | dedup g");
  expect(deduped.rows).toHaveLength(kept.length);
});
