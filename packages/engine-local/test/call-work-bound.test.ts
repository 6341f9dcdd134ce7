/**
 * Calls whose work grows with the product of their inputs' lengths (edit distances): an interrupt
 * waits for the call running, so one call of levenshtein over two texts of 250,000 characters
 * outlived a 2 s step timeout by two minutes (red-team, 2026-12-07). Trino bounds its own
 * levenshtein_distance (longer × (shorter − 1) at most 1,000,000 characters, else
 * INVALID_FUNCTION_ARGUMENT); the local engine answers as Trino does in Athena SQL, and refuses
 * DuckDB's levenshtein, damerau_levenshtein and editdist3 past the same bound in DuckDB SQL. The
 * expected values are Trino's own tests' (TestStringFunctions.testLevenshteinDistance).
 */
import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { engineOverEmptyFolder, window } from "./helpers.ts";

const engine = engineOverEmptyFolder();
const w = window("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z");
const athena = (q: string) =>
  engine().query(queryRequest("sql", q, w, { attributes: { optional: false, allowEmpty: true } }));
const duck = (q: string) =>
  engine().query(
    queryRequest("sql", q, w, {
      attributes: { optional: false, allowEmpty: true, sqlDialect: "duckdb" },
    }),
  );
const failure = (run: Promise<unknown>) =>
  run.then(
    () => undefined,
    (e: { code?: string; message?: string }) => e,
  );

describe("levenshtein_distance in Athena SQL, as Trino bounds it", () => {
  const x = (n: number, c = "x") => `lpad('', ${n}, '${c}')`;

  it("answers within the bound", async () => {
    const r = await athena(
      `SELECT levenshtein_distance('hello', ${x(100_000, "e")}) AS a, levenshtein_distance(${x(100_000, "l")}, 'hello') AS b, levenshtein_distance(${x(1000)}, ${x(1001, "y")}) AS c`,
    );
    expect(r.rows).toEqual([[99_999, 99_998, 1001]]);
  });

  it("fails past it as Trino does, before it runs, and try() makes it NULL", async () => {
    for (const [a, b] of [
      [x(1001), x(1001)],
      ["'hello'", x(500_000)],
      [x(500_000), "'hello'"],
      [x(250_000), x(250_000, "y")],
    ]) {
      const started = Date.now();
      const e = await failure(athena(`SELECT levenshtein_distance(${a}, ${b}) AS d`));
      expect(String(e?.message), `${a}, ${b}`).toContain(
        "The combined inputs for Levenshtein distance are too large",
      );
      // Unguarded, the last pair took 150 s (the first query also waits for the checker to load).
      expect(Date.now() - started).toBeLessThan(30_000);
    }
    const r = await athena(
      "SELECT try(levenshtein_distance(lpad('', n, 'x'), lpad('', n, 'y'))) AS d FROM (VALUES (1001)) t(n)",
    );
    expect(r.rows).toEqual([[null]]);
  });
});

describe("levenshtein_distance of a long literal", () => {
  it("answers at once: the text beyond ASCII was recomputed for each character when DuckDB folded the constant", async () => {
    // Red-team: 8,000 characters took 8 s to plan, 100,000 did not end in a minute (the branch
    // for text beyond ASCII is folded too, and it split the whole text again for each character).
    // No clock here (speed is the benchmarks'): before, this did not end within the test's time.
    const r = await athena(`SELECT levenshtein_distance('hello', '${"e".repeat(60_000)}') AS d`);
    expect(r.rows).toEqual([[59_999]]);
    // Text beyond ASCII counts characters (Trino's tests' values).
    const u = await athena(
      "SELECT levenshtein_distance('休念,爱,希望', '信念,爱,希望') AS a, levenshtein_distance('信念,爱,希望', '信念,love,希望') AS b, levenshtein_distance('hello naïve world', 'hello na:ive world') AS c",
    );
    expect(u.rows).toEqual([[1, 4, 2]]);
  });
});

describe("edit distances in DuckDB SQL", () => {
  it("are refused past the bound before they run", async () => {
    for (const fn of ["levenshtein", "damerau_levenshtein", "editdist3", "LEVENSHTEIN"]) {
      const started = Date.now();
      const e = await failure(
        duck(`SELECT ${fn}(lpad('', 250000, 'a'), lpad('', 250000, 'b')) AS d`),
      );
      expect([e?.code, String(e?.message)], fn).toEqual([
        "value-too-large",
        expect.stringContaining(`${fn.toLowerCase()} would compare`),
      ]);
      // Unguarded, levenshtein took 150 s here; damerau_levenshtein longer.
      expect(Date.now() - started, fn).toBeLessThan(30_000);
    }
    await expect(duck("SELECT system.main.levenshtein('a', 'b') AS d")).rejects.toMatchObject({
      code: "sql-refused",
    });
  });

  it("keep their answers within it", async () => {
    const r = await duck(
      `SELECT levenshtein('kitten', 'sitting') AS a, damerau_levenshtein('ab', 'ba') AS b, editdist3('flaw', 'lawn') AS c, levenshtein(NULL, 'x') AS d, levenshtein(lpad('', 1000, 'a'), lpad('', 1001, 'b')) AS e`,
    );
    expect(r.rows).toEqual([[3, 1, 2, null, 1001]]);
  });
});
