/**
 * Map `=` and `<>` (trino_map_eq) as Trino's MapType equal operator: another size or a key the
 * other map lacks is false, so is a value pair known to differ; else NULL when a value is NULL on
 * either side (or its own comparison is NULL), else true, whatever the keys' order. The answers
 * are checked against a small JavaScript computation of those rules, not against the engine, and
 * the last group against Trino's own answers (TestMapOperators in the conformance corpus).
 */
import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { engineOverEmptyFolder, window } from "./helpers.ts";

const engine = engineOverEmptyFolder();
const w = window("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z");
const athena = (q: string) =>
  engine().query(queryRequest("sql", q, w, { attributes: { optional: false, allowEmpty: true } }));

type Value = number | string | null | Value[] | { entries: [Value, Value][] };

/** Trino's = of two values of one type: NULL (unknown) when a NULL decides, as ArrayType's and MapType's. */
function equal(a: Value, b: Value): boolean | null {
  if (a === null || b === null) return null;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    let unknown = false;
    for (let i = 0; i < a.length; i++) {
      const e = equal(a[i] as Value, b[i] as Value);
      if (e === false) return false;
      if (e === null) unknown = true;
    }
    return unknown ? null : true;
  }
  if (typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    return mapEqual(a.entries, b.entries);
  }

  return a === b; // NaN is not equal to itself, as Trino's double =
}

function mapEqual(a: [Value, Value][], b: [Value, Value][]): boolean | null {
  if (a.length !== b.length) return false;
  // Keys by their JSON text: the keys here are numbers and strings, equal when their texts are.
  const byKey = new Map(b.map(([k, v]) => [JSON.stringify(k), v]));
  let unknown = false;
  for (const [k, v] of a) {
    const key = JSON.stringify(k);
    if (!byKey.has(key)) return false;
    const e = equal(v, byKey.get(key) as Value);
    if (e === false) return false;
    if (e === null) unknown = true;
  }
  return unknown ? null : true;
}

/** Trino's IS NOT DISTINCT FROM: NULL identical to NULL, maps key by key. */
function identical(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => identical(x, b[i] as Value));
  }
  if (typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const byKey = new Map(b.entries.map(([k, v]) => [JSON.stringify(k), v]));
    return (
      a.entries.length === b.entries.length &&
      a.entries.every(
        ([k, v]) =>
          byKey.has(JSON.stringify(k)) && identical(v, byKey.get(JSON.stringify(k)) as Value),
      )
    );
  }
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** Trino's map_concat (MapConcatFunction): the last map's entries, then each earlier map's new keys. */
function mapConcat(...maps: [Value, Value][][]): [Value, Value][] {
  const seen = new Set<string>();
  const out: [Value, Value][] = [];
  for (const entries of [...maps].reverse()) {
    for (const [k, v] of entries) {
      if (seen.has(JSON.stringify(k))) continue;
      seen.add(JSON.stringify(k));
      out.push([k, v]);
    }
  }
  return out;
}

/** A value as Trino SQL text. */
function sql(v: Value): string {
  if (v === null) return "NULL";
  if (typeof v === "number") return Number.isNaN(v) ? "nan()" : String(v);
  if (typeof v === "string") return `'${v}'`;
  if (Array.isArray(v)) return `ARRAY[${v.map(sql).join(", ")}]`;
  return mapSql(v.entries);
}

function mapSql(m: [Value, Value][]): string {
  return `MAP(ARRAY[${m.map(([k]) => sql(k)).join(", ")}], ARRAY[${m.map(([, v]) => sql(v)).join(", ")}])`;
}

const m = (...entries: [Value, Value][]) => entries;

const PAIRS: [string, [Value, Value][], [Value, Value][]][] = [
  ["equal, other key order", m([1, 10], [2, 20], [3, 30]), m([3, 30], [1, 10], [2, 20])],
  ["a value differs", m([1, 10], [2, 20]), m([2, 20], [1, 11])],
  ["a NULL value, the rest equal", m([1, 10], [2, null]), m([2, null], [1, 10])],
  ["a NULL value and another differs", m([1, null], [2, 20]), m([2, 21], [1, 5])],
  ["a NULL value on one side only", m([1, 10], [2, 20]), m([1, 10], [2, null])],
  ["a key missing, same size", m([1, 10], [2, 20]), m([1, 10], [3, 20])],
  ["a key missing, beside a NULL value", m([1, null], [2, 20]), m([1, null], [3, 20])],
  ["another size", m([1, 10], [2, 20]), m([1, 10])],
  ["varchar keys, other order", m(["b", "x"], ["a", "y"]), m(["a", "y"], ["b", "x"])],
  ["array values equal", m([1, [1, 2]], [2, [3]]), m([2, [3]], [1, [1, 2]])],
  ["array values differ", m([1, [1, 2]], [2, [3]]), m([2, [3]], [1, [1, 3]])],
  [
    "array value with a NULL beside a pair that differs",
    m([1, [1, null]], [2, [3]]),
    m([1, [1, null]], [2, [4]]),
  ],
  ["array values of other lengths", m([1, [1, 2]]), m([1, [1, 2, 3]])],
  [
    "map values in the same order",
    m([1, { entries: m([1, 2], [3, 4]) }]),
    m([1, { entries: m([1, 2], [3, 4]) }]),
  ],
  ["NaN values", m([1, Number.NaN]), m([1, Number.NaN])],
  ["empty maps", m(), m()],
];

describe("map = and <> as Trino's", () => {
  it("answers each pair as Trino's rules, both ways round, and <> as its negation", async () => {
    const cols = PAIRS.flatMap(([, a, b]) => [
      `${mapSql(a)} = ${mapSql(b)}`,
      `${mapSql(b)} = ${mapSql(a)}`,
      `${mapSql(a)} <> ${mapSql(b)}`,
    ]);
    const truth = PAIRS.flatMap(([, a, b]) => {
      const e = mapEqual(a, b);
      return [e, mapEqual(b, a), e === null ? null : !e];
    });
    // Truths worked by hand for some: the JavaScript above is what the rest rest on.
    expect(truth.slice(0, 12)).toEqual(
      [true, true, false, false, false, true, null, null, null].concat([false, false, true]),
    );
    const r = await athena(`SELECT ${cols.join(", ")}`);
    const got = (r.rows[0] as unknown[]).map((x, i) => [PAIRS[Math.floor(i / 3)]?.[0], x]);
    expect(got).toEqual(truth.map((x, i) => [PAIRS[Math.floor(i / 3)]?.[0], x]));
  }, 60_000);

  it("is NULL when either map is NULL", async () => {
    const r = await athena(
      "SELECT CAST(NULL AS MAP(INTEGER, INTEGER)) = MAP(ARRAY[1], ARRAY[1]), MAP(ARRAY[1], ARRAY[1]) <> CAST(NULL AS MAP(INTEGER, INTEGER))",
    );
    expect(r.rows).toEqual([[null, null]]);
  });

  it("refuses where a value holding a NULL inside, or a map in another key order, would decide", async () => {
    const pairs: [[Value, Value][], [Value, Value][]][] = [
      [m([1, [1, null]]), m([1, [1, null]])],
      [m([1, { entries: m([1, 2], [3, 4]) }]), m([1, { entries: m([3, 4], [1, 2]) }])],
    ];
    for (const [a, b] of pairs) {
      await expect(athena(`SELECT ${mapSql(a)} = ${mapSql(b)}`)).rejects.toThrow(
        /maps whose values hold a NULL or a map inside is not supported locally/,
      );
    }
  });

  it("compares maps of 20,000 keys in reverse order by key, with a NULL, a changed value, a changed key", async () => {
    const n = 20_000;
    const keys = Array.from(
      { length: n },
      (_, i) => Math.floor(i / 10_000) * 10_000 + (i % 10_000) + 1,
    );
    const entries = (f: (k: number) => Value, g: (k: number) => number = (k) => k) =>
      keys.map((k) => [g(k), f(k)] as [Value, Value]);
    const same = entries((k) => k * 3);
    const reversed = [...same].reverse();
    const withNull = entries((k) => (k === 777 ? null : k * 3)).reverse();
    const changed = entries((k) => (k === 19_999 ? 0 : k * 3)).reverse();
    const withNullAndKey = entries(
      (k) => (k === 777 ? null : k * 3),
      (k) => (k === 5 ? -5 : k),
    );
    const truth = [
      mapEqual(same, reversed),
      mapEqual(same, withNull),
      mapEqual(same, changed),
      mapEqual(withNull, withNullAndKey),
    ];
    expect(truth).toEqual([true, null, false, false]);
    const r = await athena(
      `SELECT MAP(k, transform(k, x -> x * 3)) = MAP(reverse(k), reverse(transform(k, x -> x * 3))),
         MAP(k, transform(k, x -> x * 3)) = MAP(reverse(k), reverse(transform(k, x -> IF(x = 777, NULL, x * 3)))),
         MAP(k, transform(k, x -> x * 3)) = MAP(reverse(k), reverse(transform(k, x -> IF(x = 19999, 0, x * 3)))),
         MAP(reverse(k), reverse(transform(k, x -> IF(x = 777, NULL, x * 3)))) = MAP(transform(k, x -> IF(x = 5, -5, x)), transform(k, x -> IF(x = 777, NULL, x * 3)))
       FROM (SELECT flatten(transform(sequence(0, 1), i -> transform(sequence(1, 10000), j -> i * 10000 + j))) AS k)`,
    );
    expect(r.rows).toEqual([truth]);
  }, 60_000);

  it("answers TestMapOperators' cases as Trino", async () => {
    const r = await athena(
      `SELECT (MAP(ARRAY[3], ARRAY[1])) = (MAP(ARRAY[2], ARRAY[1])),
         (MAP(ARRAY[2.2], ARRAY[3.1])) = (MAP(ARRAY[2.2], ARRAY[3.0])),
         (MAP(ARRAY[1.0E0, 3.0E0], ARRAY[TRUE, FALSE])) = (MAP(ARRAY[3.0E0, 1.0E0], ARRAY[TRUE, FALSE])),
         (MAP(ARRAY[1.0, 383838383838383.12324234234234], ARRAY[2.2, null])) = (MAP(ARRAY[1.0, 383838383838383.12324234234234], ARRAY[2.2, null])),
         (MAP(ARRAY[1.0, 2.1], ARRAY[null, null])) != (MAP(ARRAY[1.0, 2.1], ARRAY[null, null]))`,
    );
    expect(r.rows).toEqual([[false, false, false, null, null]]);
  });

  it("compares maps the query shows by any expression: a subquery's or CTE's column, a map function's value", async () => {
    const a = m([1, 3], [2, null]);
    const b = m([2, null], [1, 3]);
    const c = m([2, 4], [1, 3]);
    const r = await athena(
      `WITH t AS (SELECT ${mapSql(a)} AS x, ${mapSql(c)} AS y)
       SELECT x = ${mapSql(b)}, y = ${mapSql(m([1, 3], [2, 4]))}, x <> y,
         transform_values(y, (k, v) -> v) = ${mapSql(m([1, 3], [2, 4]))},
         map_filter(y, (k, v) -> k = 1) = ${mapSql(m([1, 3]))} FROM t`,
    );
    expect(r.rows).toEqual([
      [
        mapEqual(a, b),
        mapEqual(c, m([1, 3], [2, 4])),
        mapEqual(a, c) === null ? null : !mapEqual(a, c),
        true,
        true,
      ],
    ]);
    expect(r.rows).toEqual([[null, true, null, true, true]]);
  });

  it("answers IS [NOT] DISTINCT FROM, IN, NOT IN and nullif of maps key by key", async () => {
    const pairs: [[Value, Value][], [Value, Value][]][] = [
      [m([1, 10], [2, 20]), m([2, 20], [1, 10])],
      [m([1, 10], [2, null]), m([2, null], [1, 10])],
      [m([1, 10], [2, null]), m([2, 5], [1, 10])],
      [m([1, [1, null]]), m([1, [1, null]])],
      [m([1, Number.NaN]), m([1, Number.NaN])],
      [m([1, 10]), m([1, 10], [2, 20])],
    ];
    const cols = pairs.flatMap(([a, b]) => [
      `${mapSql(a)} IS NOT DISTINCT FROM ${mapSql(b)}`,
      `${mapSql(a)} IS DISTINCT FROM ${mapSql(b)}`,
    ]);
    const truth = pairs.flatMap(([a, b]) => [
      identical({ entries: a }, { entries: b }),
      !identical({ entries: a }, { entries: b }),
    ]);
    expect(truth.slice(0, 4)).toEqual([true, false, true, false]);
    const r = await athena(`SELECT ${cols.join(", ")}`);
    expect(r.rows).toEqual([truth]);
    const x = m([1, 3], [2, 4]);
    const y = m([2, 4], [1, 3]);
    const z = m([5, 4]);
    const n = m([1, 3], [2, null]);
    const listed = await athena(
      `SELECT ${mapSql(x)} IN (${mapSql(z)}, ${mapSql(y)}), ${mapSql(x)} NOT IN (${mapSql(z)}),
         ${mapSql(n)} IN (${mapSql(y)}), ${mapSql(n)} IN (${mapSql(z)}, ${mapSql(n)}),
         nullif(${mapSql(x)}, ${mapSql(y)}) IS NULL`,
    );
    // IN as Trino's OR of = over the items: true, else NULL when one is NULL, else false.
    const anyOf = (v: [Value, Value][], items: [Value, Value][][]) => {
      const es = items.map((i) => mapEqual(v, i));
      return es.includes(true) ? true : es.includes(null) ? null : false;
    };
    expect(listed.rows).toEqual([
      [anyOf(x, [z, y]), !anyOf(x, [z]), anyOf(n, [y]), anyOf(n, [z, n]), mapEqual(x, y) === true],
    ]);
  });

  it("refuses = of arrays of maps DuckDB finds unequal, and answers those it finds equal", async () => {
    const r = await athena(
      `SELECT ARRAY[${mapSql(m([1, 2], [3, 4]))}] = ARRAY[${mapSql(m([1, 2], [3, 4]))}]`,
    );
    expect(r.rows).toEqual([[true]]);
    await expect(
      athena(`SELECT ARRAY[${mapSql(m([1, 2], [3, 4]))}] = ARRAY[${mapSql(m([3, 4], [1, 2]))}]`),
    ).rejects.toThrow(/arrays or rows holding maps DuckDB finds unequal is not supported locally/);
  });
});

describe("map_concat as Trino's", () => {
  it("keeps the last value of each key, in Trino's order (the last map's entries first)", async () => {
    const a = m(["a", 1], ["b", 2], ["d", null]);
    const b = m(["c", 3], ["a", 10]);
    const c = m(["d", 4], ["e", 5]);
    const r = await athena(
      `SELECT map_keys(map_concat(${mapSql(a)}, ${mapSql(b)})), map_values(map_concat(${mapSql(a)}, ${mapSql(b)})),
         map_keys(map_concat(${mapSql(a)}, ${mapSql(b)}, ${mapSql(c)})), map_values(map_concat(${mapSql(a)}, ${mapSql(b)}, ${mapSql(c)})),
         map_concat(${mapSql(a)}, CAST(NULL AS MAP(VARCHAR, INTEGER))), cardinality(map_concat(map(), map()))`,
    );
    const ab = mapConcat(a, b);
    const abc = mapConcat(a, b, c);
    expect(ab.map(([k]) => k)).toEqual(["c", "a", "b", "d"]);
    expect(r.rows).toEqual([
      [
        ab.map(([k]) => k),
        ab.map(([, v]) => v),
        abc.map(([k]) => k),
        abc.map(([, v]) => v),
        null,
        0,
      ],
    ]);
  });

  it("concatenates maps of 50,000 keys", async () => {
    const keys = Array.from(
      { length: 50_000 },
      (_, i) => Math.floor(i / 10_000) * 10_000 + (i % 10_000) + 1,
    );
    const a = keys.map((k) => [k, k] as [Value, Value]);
    const b = keys.map((k) => [k + 5, -k] as [Value, Value]);
    const truth = mapConcat(a, b);
    const r = await athena(
      `SELECT cardinality(c), element_at(c, 1), element_at(c, 7), element_at(c, 50005), map_keys(c)[1], map_keys(c)[50001]
       FROM (SELECT map_concat(MAP(k, k), MAP(transform(k, x -> x + 5), transform(k, x -> -x))) AS c
         FROM (SELECT flatten(transform(sequence(0, 4), i -> transform(sequence(1, 10000), j -> i * 10000 + j))) AS k))`,
    );
    const get = (k: number) => truth.find(([x]) => x === k)?.[1];
    expect(r.rows).toEqual([
      [truth.length, get(1), get(7), get(50_005), truth[0]?.[0], truth[50_000]?.[0]],
    ]);
  }, 60_000);
});

describe("m[k] of a map the query shows", () => {
  it("is the key's value, NULL for a NULL key, and Trino's error for a key the map lacks", async () => {
    const a = m(["a", 1], ["b", null]);
    const get = (k: string) => a.find(([x]) => x === k)?.[1];
    const r = await athena(
      `WITH t AS (SELECT ${mapSql(a)} AS x) SELECT x['a'], x['b'], x[NULL], transform_values(x, (k, v) -> v)['a'], element_at(x, 'z') FROM t`,
    );
    expect(r.rows).toEqual([[get("a"), get("b"), null, get("a"), null]]);
    for (const q of [
      `SELECT ${mapSql(a)}['z']`,
      `WITH t AS (SELECT ${mapSql(a)} AS x) SELECT x['z'] FROM t`,
      `SELECT map_filter(${mapSql(a)}, (k, v) -> k <> 'a')['a']`,
    ]) {
      await expect(athena(q)).rejects.toThrow(/Key not present in map: (z|a)/);
    }
  });
});
