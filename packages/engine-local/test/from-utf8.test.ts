import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { fixInvalidUtf8 } from "../src/udfs.ts";
import { engineOverEmptyFolder } from "./helpers.ts";

const engine = engineOverEmptyFolder();

async function one(expr: string) {
  const day = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2024-01-02T00:00:00Z") };
  const r = await engine().query(queryRequest("sql", `SELECT ${expr}`, day));
  return r.rows[0]?.[0];
}

const R = "\uFFFD";

describe("from_utf8 of bytes that are not all valid UTF-8, as Trino (Airlift's fixInvalidUtf8)", () => {
  it.each([
    // Trino's conformance corpus (TestStringFunctions).
    ["from_utf8(from_hex('58DF'))", `X${R}`],
    ["from_utf8(from_hex('58DF'), 35)", "X#"],
    ["from_utf8(from_hex('58BF'), '')", "X"],
    ["from_utf8(from_hex('58DF'), '#')", "X#"],
    ["from_utf8(to_utf8('h\u00e9llo \u{1F600}'))", "h\u00e9llo \u{1F600}"],
    ["from_utf8(CAST(NULL AS varbinary))", null],
  ])("%s", async (expr, want) => {
    expect(await one(expr)).toBe(want);
  });

  it("decodes values the query computes (an UNNEST column through a cast), and keeps a BOM", async () => {
    // DuckDB refuses try() around a volatile function, and the cast's macro is one: a try()-based
    // from_utf8 or json_extract failed here to bind.
    const day = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2024-01-02T00:00:00Z") };
    const sql =
      "SELECT from_utf8(from_hex('41FF' || CAST(i AS varchar))), json_extract(CAST(i AS varchar), '$.a'), length(from_utf8(from_hex('EFBBBF41'))) FROM UNNEST(sequence(41, 42)) t(i) ORDER BY i";
    const r = await engine().query(queryRequest("sql", sql, day));
    expect(r.rows).toEqual([
      [`A${R}A`, null, 2],
      [`A${R}B`, null, 2],
    ]);
  });

  it.each([
    [
      "from_utf8(to_utf8('hello'), 'foo')",
      /Replacement character string must empty or a single character/,
    ],
    ["from_utf8(to_utf8('hello'), 55296)", /Invalid replacement character/],
    ["from_utf8(to_utf8('hello'), 1114112)", /Invalid replacement character/],
  ])("%s fails as in Trino", async (expr, message) => {
    await expect(one(expr)).rejects.toThrow(message);
  });

  it("replaces one invalid sequence once, however long its lead byte says it is", () => {
    const fix = (hex: string, r = 0xfffd) => fixInvalidUtf8(Buffer.from(hex, "hex"), r);
    // Worked by hand from Airlift's SliceUtf8.tryGetCodePointAt:
    expect(fix("80")).toBe(R); // a continuation byte cannot lead
    expect(fix("C080")).toBe(R); // overlong 2-byte: one sequence of 2
    expect(fix("E08080")).toBe(R); // overlong 3-byte
    expect(fix("EDA080")).toBe(R); // a surrogate
    expect(fix("F4908080")).toBe(R); // past U+10FFFF
    expect(fix("F888808080")).toBe(R); // 5 bytes: illegal, one sequence
    expect(fix("E28241")).toBe(`${R}A`); // truncated: the two bytes read, then A
    expect(fix("C3")).toBe(R); // truncated at the end
    expect(fix("FF41FE")).toBe(`${R}A${R}`);
    expect(fix("C080", -1)).toBe("");
    expect(fix("41C3A9", 0x23)).toBe("A\u00e9");
  });

  it("decodes valid UTF-8 as Node's decoder does (random code points)", () => {
    let seed = 42;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    for (let i = 0; i < 200; i++) {
      const cps = Array.from({ length: 20 }, () => {
        const cp = next() % 0x110000;
        return cp >= 0xd800 && cp <= 0xdfff ? 0x41 : cp;
      });
      const text = String.fromCodePoint(...cps);
      const bytes = new TextEncoder().encode(text);
      expect(fixInvalidUtf8(bytes, 0xfffd)).toBe(new TextDecoder().decode(bytes));
    }
  });
});
