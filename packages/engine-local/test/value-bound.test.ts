/**
 * One huge value (bounds.ts): every function that can make a value much larger than its inputs
 * is refused with value-too-large before it runs, in Athena SQL, dialect=duckdb and Logs Insights
 * steps, whatever the spelling (quoted, in a lambda, a CTE, a recursive CTE); a qualified name,
 * which would reach past the guard, is refused. No test runs a call that would allocate much: the
 * error shows the guard ran first. Ordinary uses, and one just under the bound, keep their answers;
 * so do the engine's own macros (which call DuckDB's functions, not the guards), a NULL result, an
 * argument's error inside TRY, and a replacement with few matches in a large text (counted, not
 * estimated). Concatenation is not guarded (bounds.ts says why).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine, type LocalEngine } from "../src/index.ts";
import { tempDir, window } from "./helpers.ts";

let root: string;
let engine: LocalEngine;
const w = window("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z");

beforeAll(async () => {
  root = await tempDir();
  await generateLogs({
    outDir: path.join(root, "logs"),
    start: new Date("2024-03-01T00:00:00Z"),
    end: new Date("2024-03-02T00:00:00Z"),
    eventsPerDay: 50,
    seed: "value-bound",
  });
  engine = await createLocalEngine({ logDir: path.join(root, "logs"), threads: 2 });
});
afterAll(async () => {
  await engine?.close();
  await fsp.rm(root, { recursive: true, force: true });
});

const sql = (q: string) => engine.query(queryRequest("sql", q, w));
const duck = (q: string) =>
  engine.query(
    queryRequest("sql", q, w, { attributes: { optional: false, sqlDialect: "duckdb" } }),
  );
const insights = (q: string) => engine.query(queryRequest("logs-insights", q, w));

async function tooLarge(run: Promise<unknown>, fn: string) {
  const e = await run.then(
    () => undefined,
    (x: unknown) => x as { code?: string; message?: string },
  );
  expect(e?.code, e?.message).toBe("value-too-large");
  expect(e?.message).toContain(`${fn} would build a value of more than 1000000 bytes`);
}

const A100 = "a".repeat(100);

describe("refused before the function runs", () => {
  it.each([
    ["lpad", "SELECT lpad('', 1000000000, 'a')"],
    ["rpad", "SELECT rpad('x', 1000000000, 'a')"],
    ["lpad", "SELECT length(lpad('', 1000001, 'a'))"],
    ["lpad", "WITH t AS (SELECT lpad('', 1000000000, 'a') AS v) SELECT length(v) FROM t"],
    ["lpad", "SELECT transform(ARRAY[1, 2], x -> lpad('', 1000000000, 'a'))"],
    ["lpad", "SELECT try(lpad('', 1000000000, 'a'))"],
    ["replace", `SELECT length(replace(lpad('', 900000, 'a'), 'a', '${"b".repeat(500)}'))`],
    ["replace", `SELECT length(replace(lpad('', 900000, 'a'), '', 'bb'))`],
    ["regexp_replace", "SELECT length(regexp_replace(lpad('', 900000, 'a'), 'a', '$0$0'))"],
    ["printf", "SELECT format('%0900000000d', 1)"],
    ["printf", "SELECT format('%1$0900000000d', 1)"],
  ])("Athena SQL: %s in %s", async (fn, q) => {
    await tooLarge(sql(q), fn);
  });

  it.each([
    ["lpad", "SELECT lpad('', 1000000000, 'a')"],
    ["lpad", `SELECT "LPAD"('', 1000000000, 'a')`],
    ["lpad", "SELECT main.lpad('', 1000000000, 'a')"],
    ["replace", `SELECT "main"."replace"(lpad('', 900000, 'a'), 'a', '${A100}')`],
    ["lpad", "SELECT list_transform([1], lambda i: lpad('', 1000000000, 'a'))"],
    ["repeat", "SELECT repeat('ab', 1000000000)"],
    ["repeat", "SELECT repeat([1, 2], 100000000)"],
    ["printf", "SELECT printf('%0900000000d', 1)"],
    ["printf", "SELECT printf('%*d', 900000000, 1)"],
    ["printf", "SELECT format('%.900000000f', 1.5)"],
    ["printf", `SELECT printf('${"%99999d".repeat(11)}', ${Array(11).fill(1).join(", ")})`],
    ["regexp_replace", `SELECT regexp_replace(lpad('', 900000, 'a'), '', '${A100}', 'g')`],
    ["regexp_replace", `SELECT regexp_replace(lpad('', 500000, 'a'), '(a+)', '\\1\\1\\1')`],
    ["range", "SELECT range(1000000000)"],
    ["generate_series", "SELECT generate_series(1, 1000000000, 1)"],
    ["range", "SELECT range(TIMESTAMP '2000-01-01', TIMESTAMP '2024-01-01', INTERVAL 1 SECOND)"],
    ["list_resize", "SELECT list_resize([1], 1000000000)"],
  ])("dialect=duckdb: %s in %s", async (fn, q) => {
    await tooLarge(duck(q), fn);
  });

  it("Logs Insights: replace growing a message a hundredfold at each call", async () => {
    const r = `replace(replace(replace(@message, "a", "${A100}"), "a", "${A100}"), "a", "${A100}")`;
    await tooLarge(insights(`fields strlen(${r}) as n | limit 1`), "replace");
  });

  it.each([
    "SELECT system.main.lpad('', 1000000000, 'a')",
    "SELECT system.lpad('', 10, 'a')",
    "SELECT pg_catalog.lpad('', 10, 'a')",
    `SELECT "system"."main"."lpad"('', 10, 'a')`,
  ])("a qualified function name is refused: %s", async (q) => {
    await expect(duck(q)).rejects.toMatchObject({
      code: "sql-refused",
      message: expect.stringContaining("qualified function name"),
    });
  });
});

describe("ordinary uses keep their answers", () => {
  it("lpad to 12 digits, and a value just under the bound", async () => {
    const r = await sql(
      "SELECT lpad('7', 12, '0') AS p, length(lpad('', 999999, 'a')) AS n, rpad('ab', 5, 'xy') AS q",
    );
    expect(r.rows).toEqual([["000000000007", 999999, "abxyx"]]);
  });

  it("regexp_replace with $1, replace and format", async () => {
    const r = await sql(
      "SELECT regexp_replace('user=alice', 'user=(\\w+)', 'name=$1') AS a, replace('a,b', ',', ', ') AS b, format('%05d-%s', 42, 'x') AS c",
    );
    expect(r.rows).toEqual([["name=alice", "a, b", "00042-x"]]);
  });

  it("replace on requestparameters gives what JavaScript's replaceAll gives", async () => {
    const r = await sql(
      "SELECT requestparameters, replace(requestparameters, '\"', '''') FROM cloudtrail_logs WHERE requestparameters IS NOT NULL",
    );
    expect(r.rows?.length).toBeGreaterThan(0);
    for (const [raw, replaced] of r.rows ?? [])
      expect(replaced).toBe(String(raw).replaceAll('"', "'"));
  });

  it("dialect=duckdb: printf, format (printf's), range, concat and ||", async () => {
    const r = await duck(
      "SELECT printf('%08.3f', 3.14159) AS a, format('%5s|%d', 'ab', 7) AS b, range(3) AS c, 'x' || 'y' AS d, concat('a', 1, NULL, 'b') AS e, repeat('ab', 3) AS f, regexp_replace('a-b-c', '(\\w)', '<\\1>', 'g') AS g",
    );
    expect(r.rows).toEqual([
      ["0003.142", "   ab|7", [0, 1, 2], "xy", "a1b", "ababab", "<a>-<b>-<c>"],
    ]);
  });
});

describe("a guard changes no answer", () => {
  it("the engine's macros keep DuckDB's functions: url_decode's replace, interval text's lpad", async () => {
    const r = await sql(
      "SELECT url_decode('a+b%20c%2B') AS u, CAST(INTERVAL '3' DAY AS varchar) AS i, soundex('Robert') AS s",
    );
    expect(r.rows).toEqual([["a b c+", "3 00:00:00.000", "R163"]]);
  });

  it("a NULL argument gives NULL, never a refusal, however large the size asked", async () => {
    const r = await duck(
      "SELECT lpad(NULL, 1000000000, 'a') AS a, rpad('x', NULL, 'a') AS b, repeat(NULL, 1000000000) AS c, printf('%0900000000d', NULL) AS d, list_resize(NULL::INT[], 1000000000) AS e, range(NULL::BIGINT) AS f",
    );
    expect(r.rows).toEqual([[null, null, null, null, null, null]]);
  });

  it("an argument's error inside TRY is NULL, as without the guard", async () => {
    const q = (fn: string) => `SELECT TRY(${fn}) FROM (VALUES ('3'), ('bad')) t(c) ORDER BY c`;
    expect((await duck(q("lpad(c, CAST(c AS INT), 'x')"))).rows).toEqual([["xx3"], [null]]);
    expect((await duck(q("printf('%d', CAST(c AS INT))"))).rows).toEqual([["3"], [null]]);
    expect(
      (await duck(q("regexp_replace(c, '3', CAST(CAST(c AS INT) AS VARCHAR), 'g')"))).rows,
    ).toEqual([["3"], [null]]);
  });

  it("a replacement with one match in a 900,001-byte text is counted, not refused", async () => {
    // 900,000 a's and one b; the b becomes 50 c's (replace) or 'cc' (regexp_replace): by hand,
    // 900,000 + 50 and 900,000 + 2 bytes. An estimate from the sizes alone passes the bound.
    const s = "lpad('', 900000, 'a') || 'b'";
    const r = await sql(
      `SELECT length(replace(${s}, 'b', '${"c".repeat(50)}')), length(regexp_replace(${s}, 'b', 'cc'))`,
    );
    expect(r.rows).toEqual([[900050, 900002]]);
    const d = await duck(
      `SELECT length(replace(${s}, 'b', '${"c".repeat(50)}')), length(regexp_replace(${s}, 'b', 'cc', 'g')), length(regexp_replace(${s}, 'b', 'cc'))`,
    );
    expect(d.rows).toEqual([[900050, 900002, 900002]]);
  });
});
