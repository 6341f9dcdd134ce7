/**
 * lpad, rpad and regexp_extract with a number that is NULL, a bigint, or read from a column, as
 * Trino: its functions take a bigint size or group and return NULL for a NULL argument. DuckDB's
 * take an INTEGER (a bigint failed to bind) and want regexp_extract's group constant. Trino's
 * group checks (JoniRegexpFunctions.validateGroup: "Group cannot be negative", "Pattern has n
 * groups. Cannot access group g") run whether or not the pattern matches. The truths are worked
 * by hand from Trino's documented semantics.
 */
import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { engineOverEmptyFolder, window } from "./helpers.ts";

const engine = engineOverEmptyFolder();
const w = window("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z");
const athena = (q: string) =>
  engine().query(queryRequest("sql", q, w, { attributes: { optional: false, allowEmpty: true } }));

describe("lpad and rpad with a bigint or NULL size", () => {
  it("pads to a bigint size, and is NULL for a NULL one", async () => {
    const r = await athena(
      `SELECT lpad('a', CAST(NULL AS BIGINT), 'x'), rpad('a', CAST(NULL AS BIGINT), 'x'),
         lpad('a', CAST(4 AS BIGINT), 'xy'), rpad('a', length('abc'), 'x'), lpad('abc', length('ab'), '0'),
         lpad('a', NULL, 'x')`,
    );
    expect(r.rows).toEqual([[null, null, "xyxa", "axx", "ab", null]]);
  });

  it("reads the size from a column, NULL giving NULL", async () => {
    const r = await athena(
      `SELECT lpad('7', n, '0'), rpad('7', n, '.') FROM (VALUES (CAST(3 AS BIGINT)), (NULL)) AS t(n) ORDER BY 1 NULLS LAST`,
    );
    expect(r.rows).toEqual([
      ["007", "7.."],
      [null, null],
    ]);
  });

  it("fails as Trino past 2147483647 or below 0", async () => {
    for (const q of ["SELECT lpad('a', 2147483648, 'x')", "SELECT rpad('a', -1, 'x')"]) {
      await expect(athena(q), q).rejects.toThrow(
        /Target length must be in the range \[0\.\.2147483647\]/,
      );
    }
  });
});

describe("regexp_extract with a NULL, bigint or column group", () => {
  it("is NULL for a NULL group", async () => {
    const r = await athena(
      `SELECT regexp_extract('abc', '(b)', NULL), regexp_extract('abc', '(b)', CAST(NULL AS BIGINT)),
         regexp_extract('abc', 'x', NULL)`,
    );
    expect(r.rows).toEqual([[null, null, null]]);
  });

  it("takes a bigint group, or one from a column", async () => {
    const r = await athena(
      `SELECT regexp_extract('abcd', '(b)(c)', CAST(2 AS BIGINT)), g, regexp_extract('abcd', '(b)(c)', g),
         regexp_extract('xyz', '(b)(c)', g)
       FROM (VALUES (CAST(0 AS BIGINT)), (1), (2), (NULL)) AS t(g) ORDER BY g NULLS LAST`,
    );
    expect(r.rows).toEqual([
      ["c", 0, "bc", null],
      ["c", 1, "b", null],
      ["c", 2, "c", null],
      ["c", null, null, null],
    ]);
  });

  it("fails as Trino for a group the pattern lacks or a negative one, matched or not", async () => {
    const cases: [string, RegExp][] = [
      ["SELECT regexp_extract('abc', '(b)', 2)", /Pattern has 1 groups\. Cannot access group 2/],
      ["SELECT regexp_extract('xyz', '(b)', 2)", /Pattern has 1 groups\. Cannot access group 2/],
      [
        "SELECT regexp_extract('abc', '(b)', g) FROM (VALUES (CAST(3 AS BIGINT))) AS t(g)",
        /Pattern has 1 groups\. Cannot access group 3/,
      ],
      [
        "SELECT regexp_extract('abc', '(b)', g) FROM (VALUES (CAST(-1 AS BIGINT))) AS t(g)",
        /Group cannot be negative/,
      ],
    ];
    for (const [q, error] of cases) await expect(athena(q), q).rejects.toThrow(error);
  });
});
