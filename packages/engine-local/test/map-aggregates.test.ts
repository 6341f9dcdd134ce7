import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { engineOverEmptyFolder } from "./helpers.ts";

const engine = engineOverEmptyFolder();

async function rows(sql: string) {
  const day = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2024-01-02T00:00:00Z") };
  return (await engine().query(queryRequest("sql", sql, day))).rows;
}

// Rows (group, key, value): a key's value depends on the key only, so map_agg's answer does not
// depend on which row arrives first. Some keys are NULL (skipped), some values too (kept).
let seed = 7;
const next = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed >> 16; // the low bits of this generator repeat with short periods
};
const data = Array.from({ length: 300 }, () => {
  const g = next() % 4;
  const k = next() % 9 === 0 ? null : `k${next() % 12}`;
  const v = k === "k3" ? null : k === null ? next() % 5 : Number(k.slice(1)) * 10;
  return { g, k, v };
});
const VALUES = data
  .map(
    ({ g, k, v }) =>
      `(${g}, ${k === null ? "NULL" : `'${k}'`}, ${v === null ? "CAST(NULL AS integer)" : v})`,
  )
  .join(", ");

/** The map of each group, computed here from the rows: a key's value, NULL keys left out. */
function expectedMaps(keep: (r: (typeof data)[number]) => boolean) {
  const out = new Map<number, Record<string, number | null>>();
  for (const r of data) {
    if (r.k === null || !keep(r)) continue;
    const m = out.get(r.g) ?? {};
    m[r.k] = r.v;
    out.set(r.g, m);
  }
  return out;
}

const sortKeys = (m: unknown) =>
  Object.fromEntries(
    Object.entries(m as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
  );

describe("map_agg and multimap_agg keep what the query writes around them", () => {
  it("map_agg per group matches the rows", async () => {
    const got = await rows(
      `SELECT g, map_agg(k, v) FROM (VALUES ${VALUES}) t(g, k, v) GROUP BY g ORDER BY g`,
    );
    const want = expectedMaps(() => true);
    expect(got.map(([g, m]) => [g, sortKeys(m)])).toEqual(
      [...want].sort(([a], [b]) => a - b).map(([g, m]) => [g, sortKeys(m)]),
    );
  });

  it("FILTER (WHERE ...) leaves rows out (it failed: 'is a Macro Function')", async () => {
    const got = await rows(
      `SELECT g, map_agg(k, v) FILTER (WHERE v >= 50) FROM (VALUES ${VALUES}) t(g, k, v) GROUP BY g ORDER BY g`,
    );
    const want = expectedMaps((r) => r.v !== null && r.v >= 50);
    expect(got.map(([g, m]) => [g, m === null ? null : sortKeys(m)])).toEqual(
      [...new Set(data.map((r) => r.g))]
        .sort((a, b) => a - b)
        .map((g) => [g, want.has(g) ? sortKeys(want.get(g)) : null]),
    );
  });

  it("map_agg in HAVING (it failed to bind)", async () => {
    const want = [...expectedMaps(() => true)]
      .filter(([, m]) => Object.keys(m).length >= 10)
      .map(([g]) => [g])
      .sort(([a], [b]) => (a as number) - (b as number));
    expect(
      await rows(
        `SELECT g FROM (VALUES ${VALUES}) t(g, k, v) GROUP BY g HAVING cardinality(map_agg(k, v)) >= 10 ORDER BY g`,
      ),
    ).toEqual(want);
  });

  it("map_agg OVER (PARTITION BY ...) gives each row its partition's map", async () => {
    const want = expectedMaps(() => true);
    const got = await rows(
      `SELECT g, map_agg(k, v) OVER (PARTITION BY g) FROM (VALUES ${VALUES}) t(g, k, v)`,
    );
    expect(got).toHaveLength(data.length);
    for (const [g, m] of got) expect(sortKeys(m)).toEqual(sortKeys(want.get(g as number)));
  });

  it("multimap_agg(DISTINCT k, v) keeps each pair once; multimap_agg FILTER and HAVING work", async () => {
    const got = await rows(
      `SELECT g, multimap_agg(DISTINCT k, v), multimap_agg(k, v) FILTER (WHERE k = 'k1') FROM (VALUES ${VALUES}) t(g, k, v) GROUP BY g HAVING cardinality(multimap_agg(k, v)) > 0 ORDER BY g`,
    );
    for (const [g, distinct, filtered] of got) {
      const mine = data.filter((r) => r.g === g && r.k !== null);
      const want: Record<string, (number | null)[]> = {};
      for (const r of mine) want[r.k as string] = [r.v];
      expect(sortKeys(distinct)).toEqual(sortKeys(want));
      const ones = mine.filter((r) => r.k === "k1").map(() => 10);
      expect(filtered).toEqual(ones.length === 0 ? null : { k1: ones });
    }
  });

  it("refuses multimap_agg OVER with a message that says so", async () => {
    await expect(
      rows("SELECT multimap_agg(k, v) OVER () FROM (VALUES (1, 2)) t(k, v)"),
    ).rejects.toThrow(/multimap_agg as a window function \(OVER\) is not supported locally/);
  });
});
