/**
 * A payload's numbers read as written, whichever reader takes the file: the lenient reader
 * (exports, lookup-events output) parsed them with JavaScript's JSON and wrote `500.0` as `500`
 * and 12345678901234567890 as 12345678901234567000, while DuckDB's typed reader (the delivery
 * layout, a store) and Athena keep the text. The truth is the text of the input itself.
 */
import { promises as fsp, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { normalizeRecord, parseEvents } from "../src/files.ts";
import { createLocalEngine } from "../src/index.ts";
import { isNumberText, jsonText, numbersChanged, parseJson } from "../src/json-text.ts";
import { datasetDir, datasetsDir, hasShared } from "./helpers.ts";
import { numberSources, PAYLOAD, NUMBERS_WINDOW as WINDOW } from "./number-text-fixture.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
});

const QUERY = `SELECT requestparameters, errorcode, errormessage,
  useridentity.sessioncontext.webidfederationdata.attributes['o'] FROM cloudtrail_logs`;

/** The answer of one SQL step over `dir`. */
async function sql(dir: string, query: string) {
  const engine = await createLocalEngine({ logDir: dir, threads: 1 });
  try {
    return await engine.query(queryRequest("sql", query, WINDOW));
  } finally {
    await engine.close();
  }
}

describe("a payload's numbers", () => {
  it("read as written from an export, lookup-events output and the delivery layout alike", async () => {
    const sources = await numberSources(dirs);
    const rows: Record<string, unknown> = {};
    for (const [name, dir] of Object.entries(sources)) {
      const r = await sql(dir, QUERY);
      rows[name] = r.rows;
    }
    // DuckDB's typed reader keeps 500.0 and an integer beyond 2^53 as the input writes them; it
    // writes 1E2 as 100.0, -0 as 0 and 1.50 as 1.5 (see docs/engines.md), and so does a store.
    const [payload, errorCode, message, attribute] = (rows.layout as string[][])[0] ?? [];
    expect(payload).toContain('"size":500.0,"big":12345678901234567890,');
    expect(errorCode).toBe("1.5");
    // An object where a string belongs, and in a string map: its JSON text, DuckDB's numbers.
    expect(JSON.parse(message ?? "")).toEqual({ a: 100, b: 0, c: 1.5, d: 500 });
    expect(message).toContain('"d":500.0');
    expect(JSON.parse(attribute ?? "")).toEqual({ p: 500 });
    expect(rows.export).toEqual(rows.layout);
    expect(rows.lookup).toEqual(rows.layout);
  });

  it("read as the real export writes them: bytesTransferredOut 500.0 (otrf)", async ({ skip }) => {
    if (!hasShared) skip();
    const name = "otrf-ec2-proxy-s3-exfiltration";
    // The truth from the raw lines' text: each event id with `"bytesTransferredOut":500.0`.
    const lines = readFileSync(path.join(datasetsDir, name, "events.jsonl"), "utf8").split("\n");
    const ids = lines
      .filter((l) => l.includes('"bytesTransferredOut":500.0'))
      .map((l) => /"eventID":"([^"]+)"/.exec(l)?.[1]);
    expect(ids.length).toBeGreaterThan(0);
    const dir = await datasetDir(name);
    dirs.push(dir);
    const engine = await createLocalEngine({ logDir: dir, threads: 1 });
    try {
      const r = await engine.runAthenaSql(
        `SELECT DISTINCT eventid FROM cloudtrail_logs WHERE additionaleventdata LIKE '%"bytesTransferredOut":500.0%' ORDER BY eventid`,
        [],
      );
      expect(r.rows.map((row) => row[0])).toEqual([...new Set(ids)].sort());
    } finally {
      await engine.close();
    }
  });
});

describe("parseJson", () => {
  it("keeps JSON.parse's numbers when every number reads back, and the text of those that do not", () => {
    const plain = parseJson('{"a":1,"b":-2.5,"c":[0,1e-7],"s":"1.0 and 1E2 in a string"}');
    expect(plain).toEqual({
      value: { a: 1, b: -2.5, c: [0, 1e-7], s: "1.0 and 1E2 in a string" },
      numbersAsText: false,
    });
    const kept = parseJson(PAYLOAD);
    expect(kept.numbersAsText).toBe(true);
    const v = kept.value as Record<string, unknown>;
    expect(isNumberText(v.size)).toBe(true);
    expect(v.n).toBe(7); // a number that reads back stays a number
    expect(jsonText(kept.value, true)).toBe(PAYLOAD);
  });

  it("scans strings with escaped quotes and backslashes without reading their digits", () => {
    expect(numbersChanged(String.raw`{"a":"x\"1.0\\","b":2}`)).toEqual([]);
    const odd = String.raw`{"a":"x\\","b":2.0}`;
    expect(numbersChanged(odd)).toEqual([[odd.indexOf("2.0"), odd.indexOf("2.0") + 3]]);
    expect(numbersChanged(`{"a":"${'\\"'.repeat(200_000)}","b":3}`)).toEqual([]);
    expect(numbersChanged("[-0,1e5,1.5,-12345678901234567890]")).toEqual([
      [1, 3],
      [4, 7],
      [12, 33],
    ]);
  });

  it("reads a key repeated in one object as JSON.parse does (its last value)", () => {
    expect(parseJson('{"a":1.0,"a":2}')).toEqual({ value: { a: 2 }, numbersAsText: true });
    const last = parseJson('{"a":2,"a":1.0}').value as { a: unknown };
    expect(isNumberText(last.a) && String(last.a)).toBe("1.0");
  });

  it("marks JSON lines as holding kept numbers when only an early line holds one", () => {
    const parsed = parseEvents('{"eventName":"A","n":500.0}\n{"eventName":"B","n":1}\n');
    expect(parsed.numbersAsText).toBe(true);
    expect(jsonText(parsed.objects, true)).toBe(
      '[{"eventName":"A","n":500.0},{"eventName":"B","n":1}]',
    );
  });

  it("restores numbers at any depth JSON.parse reads, and under a key named __proto__", () => {
    // Deeper than JSON.stringify writes: such a file is skipped as nested too deeply by the
    // writer, as it is without a kept number, not as malformed JSON.
    const deep = 20_000;
    const text = `{"a":${"[".repeat(deep)}1.0${"]".repeat(deep)}}`;
    let v = (parseJson(text).value as { a: unknown }).a;
    for (let i = 0; i < deep; i++) v = (v as unknown[])[0];
    expect(isNumberText(v) && String(v)).toBe("1.0");
    expect(parseEvents(`{"eventName":"A","requestParameters":${text}}`).error).toBeUndefined();
    const proto = '{"__proto__":2.50,"b":[{"__proto__":1.0}]}';
    const { value } = parseJson(proto);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(jsonText(value, true)).toBe(proto);
  });

  it("keeps the text of every other number when one object repeats a key", () => {
    const { value } = parseJson('[{"a":500.0},{"x":1,"x":2.50}]');
    expect(jsonText(value, true)).toBe('[{"a":500.0},{"x":2.50}]');
  });

  it("leaves the document's own strings alone, whatever they look like", () => {
    const text = String.raw`{"a":"\u00000","b":"0","c":[1.0,"\u0000"]}`;
    const v = parseJson(text).value as { a: string; b: string; c: unknown[] };
    expect([v.a, v.b, v.c[1]]).toEqual(["\u00000", "0", "\u0000"]);
    expect(jsonText(v, true)).toBe(text);
  });

  it("throws JSON.parse's error for text that is not JSON", () => {
    expect(() => parseJson('{"a":1.0')).toThrow(SyntaxError);
  });
});

describe("normalizeRecord", () => {
  it("keeps keys named as Object's own properties: __proto__, constructor, toString", () => {
    const raw = JSON.parse(
      '{"eventName":"X","constructor":"c","toString":"t","__proto__":{"eventTime":"2026-01-01T00:00:00Z"}}',
    ) as Record<string, unknown>;
    const rec = normalizeRecord(raw, {});
    expect(JSON.parse(JSON.stringify(rec))).toEqual({
      eventName: "X",
      constructor: "c",
      toString: "t",
      ["__proto__"]: { eventTime: "2026-01-01T00:00:00Z" },
    });
    expect(rec.eventTime).toBeUndefined(); // not inherited from a `__proto__` key
  });
});
