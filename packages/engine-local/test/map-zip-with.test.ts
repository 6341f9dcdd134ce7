/**
 * map_zip_with(m1, m2, (k, v1, v2) -> ...) as Trino's MapZipWithFunction: the union of the keys,
 * the first map's keys in its order, then the keys only the second map has in its order; the
 * lambda called with NULL for the side that lacks the key; NULL when either map is NULL. The
 * truths are Trino's documented examples (functions/map.html) worked by hand and a small
 * JavaScript computation of those rules, not the engine.
 */
import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { engineOverEmptyFolder, window } from "./helpers.ts";

const engine = engineOverEmptyFolder();
const w = window("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z");
const athena = (q: string) =>
  engine().query(queryRequest("sql", q, w, { attributes: { optional: false, allowEmpty: true } }));

type Entries = [number | string, number | string | null][];

/** Trino's order and values: the first map's keys, then the second's new ones; f(k, v1, v2). */
function zipWith<R>(
  a: Entries,
  b: Entries,
  f: (k: number | string, v1: unknown, v2: unknown) => R,
): [number | string, R][] {
  const right = new Map(b);
  const out: [number | string, R][] = a.map(([k, v]) => [k, f(k, v, right.get(k) ?? null)]);
  const left = new Set(a.map(([k]) => k));
  for (const [k, v] of b) if (!left.has(k)) out.push([k, f(k, null, v)]);
  return out;
}

const sql = (v: number | string | null) =>
  v === null ? "NULL" : typeof v === "number" ? String(v) : `'${v}'`;
const mapSql = (m: Entries) =>
  `MAP(ARRAY[${m.map(([k]) => sql(k)).join(", ")}], ARRAY[${m.map(([, v]) => sql(v)).join(", ")}])`;

describe("map_zip_with as Trino's", () => {
  it("gives Trino's documented examples", async () => {
    const r = await athena(
      `SELECT map_zip_with(MAP(ARRAY[1, 2, 3], ARRAY['a', 'b', 'c']), MAP(ARRAY[1, 2, 3], ARRAY['d', 'e', 'f']), (k, v1, v2) -> concat(v1, v2)),
         map_zip_with(MAP(ARRAY['k1', 'k2'], ARRAY[1, 2]), MAP(ARRAY['k2', 'k3'], ARRAY[4, 9]), (k, v1, v2) -> ARRAY[v1, v2]),
         map_zip_with(MAP(ARRAY['a', 'b', 'c'], ARRAY[1, 8, 27]), MAP(ARRAY['a', 'b', 'c'], ARRAY[1, 2, 3]), (k, v1, v2) -> k || CAST(v1 / v2 AS VARCHAR))`,
    );
    // By hand, from the docs: {1 -> ad, 2 -> be, 3 -> cf}; {k1 -> (1, null), k2 -> (2, 4),
    // k3 -> (null, 9)}; {a -> a1, b -> b4, c -> c9}.
    expect(r.rows).toEqual([
      [
        { 1: "ad", 2: "be", 3: "cf" },
        { k1: [1, null], k2: [2, 4], k3: [null, 9] },
        { a: "a1", b: "b4", c: "c9" },
      ],
    ]);
  });

  it("keeps the first map's key order, then the second map's new keys in theirs", async () => {
    const a: Entries = [
      ["z", 1],
      ["b", null],
      ["m", 3],
    ];
    const b: Entries = [
      ["q", 10],
      ["m", 30],
      ["a", 40],
      ["z", 50],
    ];
    const truth = zipWith(a, b, (_k, v1, v2) => [v1, v2]);
    expect(truth.map(([k]) => k)).toEqual(["z", "b", "m", "q", "a"]);
    const r = await athena(
      `SELECT map_keys(z), map_values(z) FROM (SELECT map_zip_with(${mapSql(a)}, ${mapSql(b)}, (k, v1, v2) -> ARRAY[v1, v2]) AS z)`,
    );
    expect(r.rows).toEqual([[truth.map(([k]) => k), truth.map(([, v]) => v)]]);
  });

  it("is NULL when either map is NULL, and an empty map with empty maps", async () => {
    const r = await athena(
      `SELECT map_zip_with(CAST(NULL AS MAP(INTEGER, INTEGER)), MAP(ARRAY[1], ARRAY[1]), (k, v1, v2) -> v1),
         map_zip_with(MAP(ARRAY[1], ARRAY[1]), CAST(NULL AS MAP(INTEGER, INTEGER)), (k, v1, v2) -> v1),
         cardinality(map_zip_with(CAST(MAP() AS MAP(INTEGER, INTEGER)), CAST(MAP() AS MAP(INTEGER, VARCHAR)), (k, v1, v2) -> v2)),
         map_zip_with(MAP(ARRAY[1], ARRAY[5]), CAST(MAP() AS MAP(INTEGER, VARCHAR)), (k, v1, v2) -> v2 IS NULL)`,
    );
    expect(r.rows).toEqual([[null, null, 0, { 1: true }]]);
  });

  it("reads columns outside the lambda, and nests in a lambda and in itself", async () => {
    const r = await athena(
      `SELECT map_zip_with(MAP(ARRAY[1, 2], ARRAY[10, 20]), m, (k, v1, v2) -> coalesce(v1, 0) + coalesce(v2, 0) + n)
       FROM (SELECT MAP(ARRAY[3, 2], ARRAY[300, 200]) AS m, 1000 AS n)`,
    );
    expect(r.rows).toEqual([[{ 1: 1010, 2: 1220, 3: 1300 }]]);
    // By hand: x = 1 gives {1: 11, 2: 12}, x = 2 {1: 21, 2: 22}; the inner zip of key 1 adds
    // 1 and NULL (NULL), of key 2 adds 2 and 5.
    const nested = await athena(
      `SELECT transform(ARRAY[1, 2], x -> map_zip_with(MAP(ARRAY[1], ARRAY[x]), MAP(ARRAY[2], ARRAY[x]), (k, a, b) -> coalesce(a, b) * 10 + k)),
         transform_values(map_zip_with(MAP(ARRAY[1, 2], ARRAY[1, 2]), MAP(ARRAY[2], ARRAY[5]),
           (k, v1, v2) -> map_zip_with(MAP(ARRAY[k], ARRAY[v1]), MAP(ARRAY[k], ARRAY[v2]), (k2, a, b) -> a + b)), (k, v) -> v[k])`,
    );
    expect(nested.rows).toEqual([
      [
        [
          { 1: 11, 2: 12 },
          { 1: 21, 2: 22 },
        ],
        { 1: null, 2: 7 },
      ],
    ]);
  });

  it("zips maps of 20,000 keys, half shared, in about linear time", async () => {
    const n = 20_000;
    const a: Entries = Array.from({ length: n }, (_, i) => [n - i, i]);
    const b: Entries = Array.from({ length: n }, (_, i) => [i + n / 2 + 1, -i]);
    const truth = zipWith(a, b, (_k, v1, v2) => (v1 === null ? 0 : 1) + (v2 === null ? 0 : 2));
    const started = Date.now();
    const r = await athena(
      `SELECT map_keys(z), map_values(z) FROM (SELECT map_zip_with(
         MAP(reverse(k), transform(k, x -> x - 1)),
         MAP(transform(k, x -> x + ${n / 2}), transform(k, x -> 1 - x)),
         (k, v1, v2) -> IF(v1 IS NULL, 0, 1) + IF(v2 IS NULL, 0, 2)) AS z
       FROM (SELECT flatten(transform(sequence(0, 1), i -> transform(sequence(1, 10000), j -> i * 10000 + j))) AS k))`,
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`map_zip_with of ${n} keys a side: ${seconds} s`);
    expect(r.rows).toEqual([[truth.map(([k]) => k), truth.map(([, v]) => v)]]);
    expect(seconds).toBeLessThan(20);
  }, 60_000);
});
