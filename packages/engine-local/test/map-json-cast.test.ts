/**
 * CAST(map AS JSON) and json_format of it as Trino's MapToJsonCast: the entries written in the
 * order of their keys' text (a TreeMap of Java strings: UTF-16 order, so 'B' before 'a' and '10'
 * before '9'), whatever the map's own order. The truths are worked by hand from that rule; a map
 * the local engine cannot write in that order is refused, never written in another.
 */
import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { engineOverEmptyFolder, window } from "./helpers.ts";

const engine = engineOverEmptyFolder();
const w = window("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z");
const athena = (q: string) =>
  engine().query(queryRequest("sql", q, w, { attributes: { optional: false, allowEmpty: true } }));

describe("CAST(map AS JSON) as Trino's", () => {
  it("writes the keys sorted by their text", async () => {
    const r = await athena(
      `SELECT CAST(MAP(ARRAY['b', 'a', 'c'], ARRAY[1, 2, 3]) AS JSON),
         json_format(CAST(MAP(ARRAY['b', 'a'], ARRAY[1, NULL]) AS JSON)),
         CAST(MAP(ARRAY[10, 9, 100], ARRAY['x', 'y', 'z']) AS JSON),
         CAST(MAP(ARRAY['a', 'B', 'é', 'Z'], ARRAY[1, 2, 3, 4]) AS JSON),
         CAST(split_to_map('z=1,a=2', ',', '=') AS JSON),
         CAST(map_concat(MAP(ARRAY['y'], ARRAY[1]), MAP(ARRAY['x'], ARRAY[2])) AS JSON),
         CAST(CAST(MAP() AS MAP(VARCHAR, INTEGER)) AS JSON),
         CAST(CAST(NULL AS MAP(VARCHAR, INTEGER)) AS JSON)`,
    );
    expect(r.rows).toEqual([
      [
        '{"a":2,"b":1,"c":3}',
        '{"a":null,"b":1}',
        '{"10":"x","100":"z","9":"y"}',
        '{"B":2,"Z":4,"a":1,"é":3}',
        '{"a":"2","z":"1"}',
        '{"x":2,"y":1}',
        "{}",
        null,
      ],
    ]);
  });

  it("sorts a WITH query's or subquery's map column", async () => {
    const r = await athena(
      `WITH t AS (SELECT MAP(ARRAY['b', 'a'], ARRAY[1, 2]) AS m)
       SELECT CAST(m AS JSON), (SELECT json_format(CAST(n AS JSON)) FROM (SELECT m AS n FROM t) s) FROM t`,
    );
    expect(r.rows).toEqual([['{"a":2,"b":1}', '{"a":2,"b":1}']]);
  });

  it("sorts a map aggregate's keys (map_agg, multimap_agg), TRY_CAST too, and leaves other aggregates' casts as they were", async () => {
    const r = await athena(
      `SELECT CAST(map_agg(k, v) AS JSON), json_format(CAST(map_agg(k, v) AS JSON)),
         TRY_CAST(map_agg(k, v) AS JSON), CAST(multimap_agg(k, v) AS JSON),
         CAST(count(*) AS JSON), TRY_CAST(count(*) AS JSON), CAST(array_agg(k) AS JSON)
       FROM (VALUES ('b', 1), ('a', 2)) AS t(k, v)`,
    );
    expect(r.rows).toEqual([
      [
        '{"a":2,"b":1}',
        '{"a":2,"b":1}',
        '{"a":2,"b":1}',
        '{"a":[2],"b":[1]}',
        "2",
        "2",
        '["b","a"]',
      ],
    ]);
  });

  it("refuses an aggregate of maps it cannot see as one, not written in the map's order", async () => {
    for (const q of [
      "SELECT CAST(arbitrary(m) AS JSON) FROM (SELECT MAP(ARRAY['b', 'a'], ARRAY[1, 2]) AS m)",
      "SELECT CAST(array_agg(m) AS JSON) FROM (SELECT MAP(ARRAY['b', 'a'], ARRAY[1, 2]) AS m)",
    ]) {
      await expect(athena(q), q).rejects.toThrow(/not supported locally/);
    }
  });

  it("refuses a map it cannot write in Trino's order", async () => {
    for (const q of [
      // a map inside another value
      "SELECT CAST(ARRAY[MAP(ARRAY['b', 'a'], ARRAY[1, 2])] AS JSON)",
      "SELECT CAST(MAP(ARRAY['k'], ARRAY[MAP(ARRAY['b', 'a'], ARRAY[1, 2])]) AS JSON)",
      // keys whose text DuckDB writes otherwise than Java (1.0E7)
      "SELECT CAST(MAP(ARRAY[1e7, 2e0], ARRAY[1, 2]) AS JSON)",
    ]) {
      await expect(athena(q), q).rejects.toThrow(/not supported locally/);
    }
  });
});

describe("CAST of a map, array or row to varchar", () => {
  it("fails, as Trino has no such cast (DuckDB printed {b=1}, [1, 2], (1, 2))", async () => {
    for (const q of [
      "SELECT CAST(MAP(ARRAY['b'], ARRAY[1]) AS VARCHAR)",
      "SELECT CAST(ARRAY[1, 2] AS VARCHAR)",
      "SELECT CAST(ROW(1, 2) AS VARCHAR)",
      "SELECT try(CAST(x AS VARCHAR)) FROM (VALUES (ARRAY[1])) AS t(x)",
    ]) {
      await expect(athena(q), q).rejects.toThrow(/Cannot cast \.\.\. to varchar/);
    }
  });
});
