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
