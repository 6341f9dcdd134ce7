/**
 * Macros over a long text whose work must stay linear in it: DuckDB interrupts neither planning
 * nor a call in progress, so a macro quadratic in its text outlived its step's timeout (red-team,
 * 2026-12-07: soundex of 60,000 letters, array_distinct of a 60,000-character text split, did not
 * end in a minute). The answers here are checked against small JavaScript computations (a
 * Soundex as commons-codec's, Trino's; a Set's first occurrences), not against the engine.
 */
import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { engineOverEmptyFolder, window } from "./helpers.ts";

const engine = engineOverEmptyFolder();
const w = window("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z");
const athena = (q: string) =>
  engine().query(queryRequest("sql", q, w, { attributes: { optional: false, allowEmpty: true } }));

/** Soundex as commons-codec computes it: letters only, H and W skipped, vowels separate. */
function soundex(s: string): string {
  const letters = s.toUpperCase().replace(/[^A-Z]/g, "");
  if (letters === "") return "";
  const code = (c: string) => "01230120022455012623010202".charAt(c.charCodeAt(0) - 65);
  const first = letters.charAt(0);
  let out = first;
  let last = code(first);
  for (const c of letters.slice(1)) {
    if (c === "H" || c === "W") continue;
    const d = code(c);
    if (d !== "0" && d !== last) out += d;
    last = d;
    if (out.length === 4) break;
  }
  return out.padEnd(4, "0");
}

// 60,000 letters whose code's digits come only at the end: vowels, then letters of one code
// (each a repeat of the one before), W between two of them (no separation), a vowel (one).
const long = `S${"A".repeat(20_000)}${"PBF".repeat(13_330)}WPEPHT${"o".repeat(7)}`;

describe("soundex of a long text", () => {
  it("answers as Soundex does for a long literal and a long column value", async () => {
    expect(long.length).toBeGreaterThan(60_000);
    const truth = soundex(long);
    expect(truth).toBe("S113");
    const r = await athena(
      `SELECT soundex('${long}') AS a, soundex(s || CAST(k AS varchar)) AS b FROM (VALUES ('${long}', 7)) t(s, k)`,
    );
    expect(r.rows).toEqual([[truth, truth]]);
  }, 60_000);

  it("answers as Soundex does on short names", async () => {
    const names = ["Ashcraft", "Pfister", "Tymczak", "Robert", "A", "Lloyd", "o'Hara", "Honeyman"];
    const r = await athena(
      `SELECT ${names.map((n) => `soundex('${n.replace("'", "''")}')`).join(", ")}`,
    );
    expect(r.rows).toEqual([names.map(soundex)]);
  });
});

describe("array_distinct of a long text split", () => {
  it("keeps each value's first occurrence, in order, for a literal and a column value", async () => {
    let seed = 7;
    const words: string[] = [];
    while (words.join(",").length < 60_000) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      words.push(`w${Math.floor(seed / 65536) % 4000}`);
    }
    const text = words.join(",");
    const truth = [...new Set(words)];
    expect(truth.length).toBeGreaterThan(3000);
    expect(truth.length).toBeLessThan(words.length);
    const r = await athena(
      `SELECT array_distinct(split('${text}', ',')) AS a, array_distinct(split(s || CAST(k AS varchar), ',')) AS b FROM (VALUES ('${text},', 0)) t(s, k)`,
    );
    const b = [...new Set([...words, "0"])];
    expect(r.rows).toEqual([[truth, b]]);
  }, 60_000);
});
