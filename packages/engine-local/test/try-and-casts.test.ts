import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { engineOverEmptyFolder } from "./helpers.ts";

const engine = engineOverEmptyFolder();

async function rows(sql: string) {
  const day = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2024-01-02T00:00:00Z") };
  return (await engine().query(queryRequest("sql", sql, day))).rows;
}

describe("try() around functions whose unsupported case raises (DuckDB's TRY refuses volatile children)", () => {
  it("try(from_iso8601_timestamp(x)) answers, NULL for text Trino cannot read", async () => {
    expect(
      await rows(
        "SELECT try(from_iso8601_timestamp(x)) FROM (VALUES '2020-01-01T00:00:00Z', 'not a time', '2020-01-01T01:00:00+00:00') t(x)",
      ),
    ).toEqual([["2020-01-01 00:00:00.000 UTC"], [null], ["2020-01-01 01:00:00.000 UTC"]]);
  });

  it("try of a call given a failing call is NULL (DuckDB moved the twice-named inner call out of the TRY)", async () => {
    expect(
      await rows(
        "SELECT try(chr(CAST(c AS bigint))), try(json_array_length(json_parse(c))), try(CAST(c AS timestamp)) FROM (VALUES 'bad', '98', '[1, 2]') t(c)",
      ),
    ).toEqual([
      [null, null, null],
      ["b", null, null],
      [null, 2, null],
    ]);
  });

  it("still refuses inside try what the local engine cannot answer, when the argument is a call", async () => {
    await expect(
      rows(
        "SELECT try(from_iso8601_timestamp(concat(c, '+05:00'))) FROM (VALUES '2020-01-01T00:00:00') t(c)",
      ),
    ).rejects.toThrow(/offset other than Z or \+00:00 is not supported locally/);
    await expect(
      rows("SELECT try(CAST(ARRAY[x] AS json)) FROM (VALUES nan()) t(x)"),
    ).rejects.toThrow(/NaN\/Infinity inside an array or map to JSON is not supported locally/);
    // A refusing macro given a call is not bound into a lambda, where TRY would swallow error().
    await expect(
      rows(`SELECT try(json_array_get(json_parse(c), 0)) FROM (VALUES '["a"]') v(c)`),
    ).rejects.toThrow();
    // What it can answer, try answers: a varchar cast to JSON is a JSON string.
    expect(await rows("SELECT try(CAST(c AS json)) FROM (VALUES 'bad') t(c)")).toEqual([['"bad"']]);
  });

  it("still refuses an offset other than UTC inside try (try must not turn it into NULL)", async () => {
    await expect(
      rows(
        "SELECT try(from_iso8601_timestamp(x)) FROM (VALUES '2020-01-01T00:00:00Z', '2020-01-01T00:00:00+05:00') t(x)",
      ),
    ).rejects.toThrow(/offset other than Z or \+00:00 is not supported locally/);
  });

  it("still refuses, inside try, the text of a zoned timestamp the rewrite cannot see", async () => {
    await expect(
      rows(
        "SELECT try(CAST(x AS varchar)) FROM (SELECT TIMESTAMP '2020-05-01 12:34:56.123 Asia/Kathmandu' AS x)",
      ),
    ).rejects.toThrow(/cannot see in the query to varchar is not supported locally/);
  });

  it("try(CAST(x AS varchar)) of a computed column binds", async () => {
    expect(await rows("SELECT try(CAST(x AS varchar)) FROM UNNEST(ARRAY[1, 2]) t(x)")).toEqual([
      ["1"],
      ["2"],
    ]);
  });
});

describe("CAST of an aggregate to varchar (the typed overloads are chosen after the aggregate binds)", () => {
  it("casts count(*), a double's max and a window's value as Trino writes them", async () => {
    expect(
      await rows(
        "SELECT CAST(count(*) AS varchar), 'n=' || CAST(count(*) AS varchar), CAST(max(x) AS varchar) FROM (VALUES 1.5E0, 2.5E0) t(x)",
      ),
    ).toEqual([["2", "n=2", "2.5E0"]]);
    expect(await rows("SELECT CAST(sum(x) OVER () AS varchar) FROM (VALUES 1.5E0) t(x)")).toEqual([
      ["1.5E0"],
    ]);
  });
});

describe("a Trino error raised only where a row needs it (DuckDB folded constant raises while planning)", () => {
  it("contains, array_position and array_remove of a column's array and a constant element", async () => {
    expect(
      await rows(
        "SELECT contains(split(x, ','), 'b'), array_position(split(x, ','), 'b'), array_remove(split(x, ','), 'b') FROM (VALUES 'a,b', 'c') t(x)",
      ),
    ).toEqual([
      [true, 2, ["a"]],
      [false, 0, ["c"]],
    ]);
    expect(
      await rows(
        "SELECT contains(a, 'X') FROM (SELECT array_agg(x) AS a FROM (VALUES 'X', 'Y') t(x))",
      ),
    ).toEqual([[true]]);
  });

  it("still raises where a row does need it", async () => {
    await expect(
      rows("SELECT contains(a, ARRAY[1, NULL]) FROM (SELECT ARRAY[ARRAY[1, NULL]] AS a)"),
    ).rejects.toThrow(/contains does not support arrays with elements that are null/);
  });
});

describe("a format that is not a constant", () => {
  it.each(["date_format", "date_parse"])(
    "%s names itself and says to write the format as a literal",
    async (fn) => {
      const arg = fn === "date_format" ? "TIMESTAMP '2020-01-01 00:00:00'" : "'2020'";
      await expect(rows(`SELECT ${fn}(${arg}, f) FROM (VALUES '%Y') t(f)`)).rejects.toThrow(
        new RegExp(`${fn} with a format that is not a constant is not supported locally`),
      );
    },
  );
});

describe("typed functions of aggregates (bound through lambdas once the aggregate's type is known)", () => {
  it("reverse and concat_ws of array_agg work on the array, not its text", async () => {
    expect(
      await rows(
        "SELECT reverse(array_agg(x ORDER BY x)), concat_ws(',', array_agg(x ORDER BY x)), length(max(x)) FROM (VALUES 'a', 'b', 'c') t(x)",
      ),
    ).toEqual([[["c", "b", "a"], "a,b,c", 1]]);
  });

  it("divides aggregates in HAVING (DuckDB's HAVING cannot bind a lambda's struct field)", async () => {
    expect(
      await rows(
        "SELECT x, count(*) * 100 / sum(y) AS pct FROM (VALUES ('a', 1), ('a', 3), ('b', 2)) t(x, y) GROUP BY x HAVING count(*) * 100 / sum(y) >= 50 ORDER BY x",
      ),
    ).toEqual([
      ["a", 50],
      ["b", 50],
    ]);
    expect(
      await rows(
        "SELECT x FROM (VALUES ('a', 1), ('b', 2)) t(x, y) GROUP BY x HAVING date_diff('day', min(DATE '2024-01-01'), max(DATE '2024-01-03')) = 2 ORDER BY x",
      ),
    ).toEqual([["a"], ["b"]]);
  });
});
