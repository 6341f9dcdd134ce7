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

/** A small deterministic generator (the same numbers on every run). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.floor(s / 65536);
  };
}

/**
 * Trino's width_bucket(x, bins) (MathFunctions.widthBucket): a binary search that checks the
 * order of each range's ends only and the finiteness of each middle it reads.
 */
function widthBucket(x: number, bins: number[]): number | string {
  if (bins.length === 0) return "Bins cannot be an empty array";
  if (Number.isNaN(x)) return "Operand cannot be NaN";
  let lower = 0;
  let upper = bins.length;
  while (lower < upper) {
    if ((bins[lower] as number) > (bins[upper - 1] as number))
      return "Bin values are not sorted in ascending order";
    const index = Math.floor((lower + upper) / 2);
    const bin = bins[index] as number;
    if (!Number.isFinite(bin)) return `Bin value must be finite, got ${bin}`;
    if (x < bin) upper = index;
    else lower = index + 1;
  }
  return lower;
}

describe("width_bucket over many bins", () => {
  // 50,000 bins 0, 2, 4, ... built in SQL (10,000 is sequence's limit), and the same in JS.
  const bins = Array.from({ length: 50_000 }, (_, i) => i * 2);
  const binsSql =
    "transform(flatten(transform(sequence(0, 4), i -> transform(sequence(0, 9999), j -> i * 10000 + j))), v -> CAST(v AS double) * 2)";

  it("answers as Trino's binary search for 50,000 bins, as an expression and a column", async () => {
    const xs = [-1, 0, 1, 777.5, 99_998, 99_999, 1e9];
    const r = await athena(
      `SELECT ${xs.map((x, k) => `width_bucket(${x}E0, ${binsSql}) AS a${k}`).join(", ")}, (SELECT width_bucket(x, b) FROM (SELECT ${binsSql} AS b, 50001.5E0 AS x)) AS c`,
    );
    expect(r.rows).toEqual([[...xs.map((x) => widthBucket(x, bins)), widthBucket(50001.5, bins)]]);
  }, 60_000);

  it("answers or fails as Trino's search on short bins, sorted or not", async () => {
    const next = lcg(11);
    const cases: [number, number[]][] = [
      [1.5, [1.0, 2.3, 2.0]],
      [3.145, [1.0, 0.3, 0.0, -1.0]],
      [3.14, [0.0, Number.POSITIVE_INFINITY]],
      [1, [0, Number.NEGATIVE_INFINITY, 5]],
      [-3.145, [0.0]],
    ];
    for (let k = 0; k < 40; k++) {
      const n = 1 + (next() % 7);
      cases.push([(next() % 20) - 5, Array.from({ length: n }, () => (next() % 15) - 3)]);
    }
    const lit = (v: number) =>
      Number.isFinite(v) ? `${v}E0` : v > 0 ? "infinity()" : "-infinity()";
    const got: (number | string)[] = [];
    for (const [x, b] of cases) {
      try {
        const r = await athena(`SELECT width_bucket(${lit(x)}, ARRAY[${b.map(lit).join(", ")}])`);
        got.push(r.rows[0]?.[0] as number);
      } catch (e) {
        got.push((e as Error).message.replace(/^INVALID_FUNCTION_ARGUMENT: /, ""));
      }
    }
    const truth = cases.map(([x, b]) => widthBucket(x, b));
    expect(truth).toContain(1);
    expect(truth).toContain("Bin values are not sorted in ascending order");
    expect(got).toEqual(truth);
  }, 60_000);
});

describe("array_except and array_intersect of long arrays", () => {
  it("keep Trino's elements and order for 50,000 elements against 9,000", async () => {
    // a: 0..9999 scrambled, five times over; b: the even numbers 2..18000.
    const a = Array.from({ length: 50_000 }, (_, k) => ((k % 10_000) * 7919) % 10_007);
    const b = Array.from({ length: 9000 }, (_, k) => (k + 1) * 2);
    const aSql =
      "flatten(transform(sequence(1, 5), i -> transform(sequence(0, 9999), j -> (j * 7919) % 10007)))";
    const bSql = "transform(sequence(1, 9000), j -> j * 2)";
    const inB = new Set(b);
    const except = [...new Set(a)].filter((v) => !inB.has(v));
    // Trino walks the longer array (a) and keeps each value of it the shorter holds, once.
    const intersect = [...new Set(a)].filter((v) => inB.has(v));
    expect(except.length).toBeGreaterThan(1000);
    expect(intersect.length).toBeGreaterThan(1000);
    const r = await athena(
      `SELECT array_except(${aSql}, ${bSql}) AS e, array_intersect(${aSql}, ${bSql}) AS i, array_intersect(${bSql}, ${aSql}) AS j`,
    );
    expect(r.rows).toEqual([[except, intersect, intersect]]);
  }, 60_000);

  it("treat NULL as a value and a NULL array as NULL", async () => {
    const r = await athena(
      "SELECT array_except(ARRAY[NULL, 1, NULL, 2, 1], ARRAY[2]) AS a, array_except(ARRAY[NULL, 1, 2], ARRAY[NULL]) AS b, array_except(ARRAY[1], NULL) AS c, array_intersect(ARRAY[1], NULL) AS d, array_intersect(ARRAY['abc', NULL, 'xyz', NULL], ARRAY[NULL, 'abc', NULL, NULL]) AS e",
    );
    expect(r.rows).toEqual([[[null, 1], [1, 2], null, null, ["abc", null]]]);
  });
});

/**
 * Trino's strpos(s, x, n) (StringFunctions.stringPosition): instance 0 fails, an empty x is at 1,
 * else the n-th of the occurrences an indexOf loop finds one character on from the last (so they
 * may overlap), from the end when n < 0; 0 past them. Positions in code points.
 */
function strposN(s: string, x: string, n: number): number {
  if (n === 0) throw new Error("instance 0");
  if (x === "") return 1;
  const cs = [...s];
  const xs = [...x];
  const at: number[] = [];
  for (let p = 0; p + xs.length <= cs.length; p++) {
    if (xs.every((c, k) => cs[p + k] === c)) at.push(p + 1);
  }
  const k = n > 0 ? n : at.length + n + 1;
  return k >= 1 && k <= at.length ? (at[k - 1] as number) : 0;
}

describe("strpos with an instance over a long text", () => {
  it("finds the n-th overlapping occurrence in 60,000 characters, as a literal and an expression", async () => {
    const next = lcg(5);
    // Letters of two kinds and a few characters beyond the BMP, so that patterns overlap often.
    const alphabet = ["a", "b", "a", "b", "😀"];
    const text = Array.from({ length: 60_000 }, () => alphabet[next() % alphabet.length]).join("");
    const probes: [string, number][] = [
      ["a", 1],
      ["a", -1],
      ["aa", 5000],
      ["aa", -5000],
      ["aba", 3000],
      ["abab", -700],
      ["😀a😀", 20],
      ["a😀", -1],
      ["bbbbbbbbbbbbbbbbbbbbbb", 1],
      ["aa", 60_000],
      ["", -3],
    ];
    const truth = probes.map(([x, n]) => strposN(text, x, n));
    expect(truth.filter((t) => t > 1000).length).toBeGreaterThan(4);
    expect(truth).toContain(0);
    // A column and an expression of it for each probe (the text ends with "0" there, which no
    // pattern holds); a literal for one (the query stays under Athena's 262,144 bytes).
    const r = await athena(
      `SELECT strpos('${text}', 'aba', 3000) AS l, ${probes.map(([x, n], k) => `strpos(s, '${x}', ${n}) AS c${k}, strpos(s || CAST(z AS varchar), '${x}', ${n}) AS e${k}`).join(", ")} FROM (VALUES ('${text}', 0)) t(s, z)`,
    );
    expect(r.rows).toEqual([[strposN(text, "aba", 3000), ...truth.flatMap((t) => [t, t])]]);
  }, 60_000);

  it("is NULL for a NULL argument and 1 for an empty substring, as Trino", async () => {
    const r = await athena(
      "SELECT strpos(NULL, 'a', 1) AS a, strpos('a', NULL, 1) AS b, strpos('a', 'a', NULL) AS c, strpos('abc', '', -1) AS d, strpos('abc', '', 3) AS e, strpos('aaaa', 'aa', -1) AS f, strpos('aaaa', 'aa', 3) AS g",
    );
    expect(r.rows).toEqual([
      [null, null, null, 1, 1, strposN("aaaa", "aa", -1), strposN("aaaa", "aa", 3)],
    ]);
    await expect(athena("SELECT strpos('abc', 'b', 0)")).rejects.toThrow(
      "'instance' must be a positive or negative number.",
    );
  });
});

/**
 * Trino's split_to_map (SplitToMapFunction): the entries of an indexOf scan in order, the text's
 * end not an entry; an entry without exactly one kd, or a key seen before, fails there.
 */
function splitToMap(s: string, ed: string, kd: string): Record<string, string> | string {
  const map: Record<string, string> = {};
  let start = 0;
  while (start < s.length) {
    const end = s.indexOf(ed, start);
    const pair = end >= 0 ? s.slice(start, end) : s.slice(start);
    const keyEnd = pair.indexOf(kd);
    if (keyEnd < 0 || pair.indexOf(kd, keyEnd + kd.length) >= 0)
      return `Key-value delimiter must appear exactly once in each entry. Bad input: '${pair}'`;
    const key = pair.slice(0, keyEnd);
    if (Object.hasOwn(map, key)) return `Duplicate keys (${key}) are not allowed`;
    map[key] = pair.slice(keyEnd + kd.length);
    if (end < 0) break;
    start = end + ed.length;
  }
  return map;
}

describe("split_to_map", () => {
  it("answers or fails as Trino's scan, in Trino's words", async () => {
    const next = lcg(3);
    const texts = ["a=1,b=2,a=3", "亠仿亡一亠仿亱", "a=1,,b=2", "a=1,a=2,b", "a=1,b,a=2", "a=1,"];
    for (let k = 0; k < 40; k++) {
      texts.push(Array.from({ length: 1 + (next() % 9) }, () => "ab=,"[next() % 4]).join(""));
    }
    const delims = (t: string): [string, string] => (t.includes("一") ? ["一", "仿"] : [",", "="]);
    const got: (Record<string, string> | string)[] = [];
    for (const t of texts) {
      const [ed, kd] = delims(t);
      try {
        const r = await athena(`SELECT split_to_map('${t}', '${ed}', '${kd}')`);
        got.push(r.rows[0]?.[0] as Record<string, string>);
      } catch (e) {
        got.push((e as Error).message.replace(/^INVALID_FUNCTION_ARGUMENT: /, ""));
      }
    }
    const truth = texts.map((t) => splitToMap(t, ...delims(t)));
    expect(truth).toContain("Duplicate keys (a) are not allowed");
    expect(truth).toContain(
      "Key-value delimiter must appear exactly once in each entry. Bad input: ''",
    );
    expect(got).toEqual(truth);
  }, 60_000);
});

describe("<, > of long arrays (whether the comparison reaches a NULL element)", () => {
  it("compares 10,000 elements as Trino, and refuses one that reaches a NULL", async () => {
    // Decimal texts of 1..k (the last one NULL in `holed`): compared as Java compares strings.
    const texts = (k: number) => Array.from({ length: k }, (_, i) => String(i + 1));
    const less = (a: string[], b: string[]) => {
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        if (a[i] !== b[i]) return (a[i] as string) < (b[i] as string);
      }
      return a.length < b.length;
    };
    const sql = (k: number, holed = false) =>
      `transform(sequence(1, ${k}), j -> ${holed ? `IF(j = ${k}, NULL, CAST(j AS varchar))` : "CAST(j AS varchar)"})`;
    const r = await athena(
      `SELECT ${sql(10_000)} < ${sql(9999)} AS a, ${sql(9999)} < ${sql(10_000)} AS b, transform(${sql(10_000)}, v -> IF(v = '5000', 'x', v)) > ${sql(10_000)} AS c`,
    );
    const x = texts(10_000).map((v) => (v === "5000" ? "x" : v));
    expect(r.rows).toEqual([
      [less(texts(10_000), texts(9999)), less(texts(9999), texts(10_000)), less(texts(10_000), x)],
    ]);
    await expect(athena(`SELECT ${sql(10_000)} < ${sql(10_000, true)}`)).rejects.toThrow(
      "reaching a NULL element",
    );
  }, 60_000);
});

describe("ngrams of more than 5 elements over a long array", () => {
  it("answers Trino's grams for 7 of 10,000 elements of an expression, and refuses past its bound", async () => {
    const texts = Array.from({ length: 10_000 }, (_, i) => String(i + 1));
    const grams = (a: unknown[], n: number) =>
      n >= a.length ? [a] : Array.from({ length: a.length - n + 1 }, (_, i) => a.slice(i, i + n));
    const sql = "transform(sequence(1, 10000), j -> CAST(j AS varchar))";
    const r = await athena(
      `SELECT ngrams(${sql}, 7) AS a, ngrams(ARRAY[1, NULL, 3, 4, 5, 6, 7, 8, 9], 6) AS b, ngrams(ARRAY[1, 2, 3], 6) AS c, ngrams(sequence(1, 40), 30) AS d`,
    );
    const seq = (k: number) => Array.from({ length: k }, (_, i) => i + 1);
    expect(r.rows).toEqual([
      [grams(texts, 7), grams([1, null, 3, 4, 5, 6, 7, 8, 9], 6), [[1, 2, 3]], grams(seq(40), 30)],
    ]);
    await expect(athena(`SELECT ngrams(${sql}, 50)`)).rejects.toThrow("not supported locally");
  }, 60_000);
});
