/**
 * Grouping and deduplicating maps (GROUP BY, DISTINCT, count(DISTINCT), UNION, INTERSECT, EXCEPT,
 * a join on maps): Trino's maps are equal key by key whatever the keys' order, DuckDB's compare
 * the entries in their order. Where the rewrite sees a map, the local engine gives Trino's answer
 * or refuses, never DuckDB's. The truths are Trino's answers, worked out by hand: MAP(ARRAY[1,2],
 * ARRAY[1,2]) and MAP(ARRAY[2,1], ARRAY[2,1]) are one map to Trino (1→1, 2→2).
 */
import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { engineOverEmptyFolder, window } from "./helpers.ts";

const engine = engineOverEmptyFolder();
const w = window("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z");
const athena = (q: string) =>
  engine().query(queryRequest("sql", q, w, { attributes: { optional: false, allowEmpty: true } }));

// Two rows holding one map to Trino, its keys in two orders.
const T = "(VALUES (MAP(ARRAY[1,2],ARRAY[1,2])), (MAP(ARRAY[2,1],ARRAY[2,1]))) AS t(m)";
const T1 = "(VALUES (MAP(ARRAY[1,2],ARRAY[1,2]))) AS t(m)";
const U = "(VALUES (MAP(ARRAY[2,1],ARRAY[2,1]))) AS u(m)";

describe("maps differing only in key order, grouped or deduplicated", () => {
  // Each query's Trino answer (one row, one column); a refusal must name the construct.
  const cases: [string, string, number][] = [
    ["GROUP BY", `SELECT count(*) FROM (SELECT m FROM ${T} GROUP BY m)`, 1],
    ["GROUP BY", `SELECT count(*) FROM (SELECT m AS x FROM ${T} GROUP BY x)`, 1],
    ["GROUP BY", `SELECT count(*) FROM (SELECT m, count(*) FROM ${T} GROUP BY 1)`, 1],
    ["GROUP BY", `SELECT count(*) FROM (SELECT 1 FROM ${T} GROUP BY ROW(m, 1))`, 1],
    ["GROUP BY", `SELECT count(*) FROM (SELECT 1 FROM ${T} GROUP BY ARRAY[m])`, 1],
    [
      "GROUP BY",
      `WITH c AS (SELECT m FROM ${T}) SELECT count(*) FROM (SELECT 1 FROM c GROUP BY m)`,
      1,
    ],
    ["SELECT DISTINCT", `SELECT count(*) FROM (SELECT DISTINCT m FROM ${T})`, 1],
    ["SELECT DISTINCT", `SELECT count(*) FROM (SELECT DISTINCT ROW(m) FROM ${T})`, 1],
    ["SELECT DISTINCT", `SELECT count(*) FROM (SELECT DISTINCT * FROM ${T})`, 1],
    ["SELECT DISTINCT", `SELECT count(*) FROM (SELECT DISTINCT t.* FROM ${T})`, 1],
    ["UNION", `SELECT count(*) FROM (SELECT * FROM ${T} UNION SELECT * FROM ${U})`, 1],
    [
      "SELECT DISTINCT",
      "SELECT count(*) FROM (SELECT DISTINCT map_agg(k, v) FROM (VALUES (1, 1, 'a'), (2, 2, 'a'), (2, 2, 'b'), (1, 1, 'b')) AS s(k, v, g) GROUP BY g)",
      1,
    ],
    ["count(DISTINCT", `SELECT count(DISTINCT m) FROM ${T}`, 1],
    [
      "PARTITION BY",
      `SELECT max(n) FROM (SELECT count(*) OVER (PARTITION BY m) AS n FROM ${T})`,
      2,
    ],
    ["UNION", `SELECT count(*) FROM (SELECT m FROM ${T} UNION SELECT m FROM ${U})`, 1],
    ["INTERSECT", `SELECT count(*) FROM (SELECT m FROM ${T1} INTERSECT SELECT m FROM ${U})`, 1],
    ["EXCEPT", `SELECT count(*) FROM (SELECT m FROM ${T} EXCEPT SELECT m FROM ${U})`, 0],
    ["IN (subquery)", `SELECT count(*) FROM ${T1} WHERE m IN (SELECT m FROM ${U})`, 1],
    ["IN (subquery)", `SELECT count(*) FROM ${T1} WHERE m NOT IN (SELECT m FROM ${U})`, 0],
    ["JOIN ... USING", `SELECT count(*) FROM ${T1} JOIN ${U} USING (m)`, 1],
    ["=", `SELECT count(*) FROM ${T1} WHERE m = (SELECT m FROM ${U})`, 1],
    ["=", `SELECT count(*) FROM ${T1} WHERE EXISTS (SELECT 1 FROM ${U} WHERE u.m = t.m)`, 1],
    // The join's = is rewritten key by key (rewriteMapEquality): both rows of t match u's.
    ["JOIN", `SELECT count(*) FROM ${T} JOIN ${U} ON t.m = u.m`, 2],
  ];
  for (const [construct, q, truth] of cases) {
    it(`${q.slice(0, 60)}...: Trino's answer (${truth}) or a refusal naming ${construct}`, async () => {
      let got: unknown;
      try {
        got = (await athena(q)).rows;
      } catch (e) {
        got = e;
      }
      if (got instanceof Error) {
        expect(got.message).toContain(`${construct}`);
        expect(got.message).toMatch(/of a map is not supported locally/);
      } else {
        expect(got).toEqual([[truth]]);
      }
    });
  }

  it("leaves UNION ALL, and grouping by a map's keys, alone", async () => {
    const r = await athena(
      `SELECT (SELECT count(*) FROM (SELECT m FROM ${T} UNION ALL SELECT m FROM ${U})),
        (SELECT count(*) FROM (SELECT array_sort(map_keys(m)) FROM ${T} GROUP BY array_sort(map_keys(m))))`,
    );
    expect(r.rows).toEqual([[3, 1]]);
  });

  it("leaves GROUP BY a source column alone where a map aggregate's alias has its name", async () => {
    // Trino's GROUP BY names the source's g, never the select alias: groups 'a' and 'b'.
    const r = await athena(
      `SELECT count(*) FROM (SELECT histogram(x) AS g FROM (VALUES (1, 'a'), (2, 'a'), (1, 'b')) AS t(x, g) GROUP BY g)`,
    );
    expect(r.rows).toEqual([[2]]);
  });
});
