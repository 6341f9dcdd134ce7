/**
 * Maps reaching `=`, `<>`, IS [NOT] DISTINCT FROM and CAST(... AS JSON) through a column the
 * rewrite must follow: a VALUES column, a subquery's or WITH query's column renamed by an alias
 * list, `SELECT *` of one, a set operation's column. Each compares as Trino's maps, key by key
 * whatever the order; DuckDB's `=` compared the entries in their order (false). The truths are
 * worked by hand from Trino's MapType equality: the same keys with equal values is true, a NULL
 * value with the rest equal is NULL, a differing value false.
 */
import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { engineOverEmptyFolder, window } from "./helpers.ts";

const engine = engineOverEmptyFolder();
const w = window("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z");
const athena = (q: string) =>
  engine().query(queryRequest("sql", q, w, { attributes: { optional: false, allowEmpty: true } }));

const A = "MAP(ARRAY[1, 2], ARRAY[10, 20])";
const B = "MAP(ARRAY[2, 1], ARRAY[20, 10])"; // A in another key order: equal
const N = "MAP(ARRAY[2, 1], ARRAY[NULL, 10])"; // a NULL value, the rest equal: NULL
const D = "MAP(ARRAY[2, 1], ARRAY[21, 10])"; // a value differs: false

describe("maps through columns the rewrite follows", () => {
  it("a VALUES column", async () => {
    const r = await athena(
      `SELECT a = b, a <> b, a IS DISTINCT FROM b, a = c, a = d FROM (VALUES (${A}, ${B}, ${N}, ${D})) AS t(a, b, c, d)`,
    );
    expect(r.rows).toEqual([[true, false, false, null, false]]);
  });

  it("a VALUES column whose first row is NULL, another row a map", async () => {
    const r = await athena(
      `SELECT a = ${B} FROM (VALUES (NULL), (${A})) AS t(a) ORDER BY 1 NULLS FIRST`,
    );
    expect(r.rows).toEqual([[null], [true]]);
  });

  it("a subquery's columns renamed by an alias list", async () => {
    const r = await athena(`SELECT x = y, x = z FROM (SELECT ${A}, ${B}, ${D}) AS s(x, y, z)`);
    expect(r.rows).toEqual([[true, false]]);
  });

  it("a WITH query's columns renamed by its alias list, or by the reference's", async () => {
    const r = await athena(
      `WITH c(x, y) AS (SELECT ${A}, ${B}), e AS (SELECT ${A} AS m, ${N} AS n)
       SELECT x = y, (SELECT p = q FROM e AS t(p, q)) FROM c`,
    );
    expect(r.rows).toEqual([[true, null]]);
  });

  it("a WITH query of VALUES", async () => {
    const r = await athena(`WITH v(a, b) AS (VALUES (${A}, ${B})) SELECT a = b, a <> b FROM v`);
    expect(r.rows).toEqual([[true, false]]);
  });

  it("SELECT * of a WITH query, and a set operation's column", async () => {
    const r = await athena(
      `WITH c AS (SELECT ${A} AS x, ${B} AS y)
       SELECT x = y, (SELECT u = ${B} FROM (SELECT x AS u FROM c UNION ALL SELECT ${A}) s LIMIT 1) FROM (SELECT * FROM c) s`,
    );
    expect(r.rows).toEqual([[true, true]]);
  });

  it("CAST of a VALUES map column to JSON sorts its keys", async () => {
    const r = await athena(
      `SELECT CAST(m AS JSON) FROM (VALUES (MAP(ARRAY['b', 'a'], ARRAY[1, 2]))) AS t(m)`,
    );
    expect(r.rows).toEqual([['{"a":2,"b":1}']]);
  });
});
