import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { JsonValue, RowChunk } from "@run-md/core";
import { printableJson } from "@run-md/core";
import { describe, expect, it } from "vitest";
import { csvField, encoderFor, formatOfFile } from "../src/output/formats.ts";
import { outputChoice } from "../src/output/options.ts";
import { ResultOutput } from "../src/output/result-output.ts";

const COLUMNS = [
  { name: "id", type: "integer" },
  { name: "v", type: "varchar" },
];

function chunk(rows: JsonValue[][], restart = false): RowChunk {
  return {
    columns: COLUMNS,
    length: rows.length,
    rows: () => rows,
    ...(restart ? { restart } : {}),
  };
}

describe("result files", () => {
  it("starts the file over when the engine restarts the query", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-output-"));
    const file = path.join(dir, "r.ndjson");
    const out = await ResultOutput.toFile(file, "ndjson");
    await out.sink(
      chunk([
        [1, "stale"],
        [2, "stale"],
      ]),
    );
    await out.sink(chunk([[1, "a"]], true));
    await out.sink(chunk([[2, "b"]]));
    await out.commit(["id", "v"]);
    expect(await readFile(file, "utf8")).toBe('{"id":1,"v":"a"}\n{"id":2,"v":"b"}\n');
    expect(await readdir(dir)).toEqual(["r.ndjson"]);
  });

  it("writes a header (CSV) or an empty array (JSON) for a result without rows", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-output-"));
    for (const [name, format, text] of [
      ["e.csv", "csv", "id,v\r\n"],
      ["e.json", "json", "[]\n"],
    ] as const) {
      const out = await ResultOutput.toFile(path.join(dir, name), format);
      await out.commit(["id", "v"]);
      expect(await readFile(path.join(dir, name), "utf8")).toBe(text);
    }
  });

  it("leaves FILE as it was when discarded, and removes its temporary file", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-output-"));
    const file = path.join(dir, "keep.csv");
    await writeFile(file, "before\n");
    const out = await ResultOutput.toFile(file, "csv");
    await out.sink(chunk([[1, "x"]]));
    expect((await readdir(dir)).length).toBe(2); // FILE and the temporary file
    await out.discard();
    expect(await readFile(file, "utf8")).toBe("before\n");
    expect(await readdir(dir)).toEqual(["keep.csv"]);
  });

  it("refuses a folder that does not exist, naming --output", async () => {
    await expect(ResultOutput.toFile("/nonexistent-dir/x.csv", "csv")).rejects.toThrow(
      /--output \/nonexistent-dir\/x\.csv: cannot write/,
    );
  });
});

describe("formats", () => {
  it("quotes CSV fields only when RFC 4180 needs it", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("l1\r\nl2")).toBe('"l1\r\nl2"');
    expect(csvField(null)).toBe("");
    expect(csvField({ k: [1, "x"] })).toBe('"{""k"":[1,""x""]}"');
    expect(csvField(3.5)).toBe("3.5");
  });

  // What a caller can put in a CloudTrail field (a userAgent): a screen clear, a C1 CSI, DEL, a
  // right-to-left override, a line separator.
  const HOSTILE = "\u001b[2J \u009b31m \u007f \u202egpj.exe \u2028 end";

  it("writes a value's control characters as \\uXXXX in CSV for a terminal, and as they are otherwise", () => {
    expect(csvField(HOSTILE, true)).toBe(
      "\\u001b[2J \\u009b31m \\u007f \\u202egpj.exe \\u2028 end",
    );
    expect(csvField("a\r\nb", true)).toBe("a\\u000d\\u000ab");
    expect(csvField(HOSTILE)).toBe(HOSTILE);
    const rows = [[1, HOSTILE]];
    expect(encoderFor("csv", true).rows(["id", "v"], rows, true)).not.toMatch(
      /[\u001b\u009b\u202e]/,
    );
    expect(encoderFor("csv").rows(["id", "v"], rows, true)).toContain(HOSTILE);
  });

  it("writes JSON whose strings are the values, without a character that drives a terminal", () => {
    const value = { v: HOSTILE, nested: [HOSTILE, { k: "\u0085\u2069" }] };
    for (const text of [printableJson(value), printableJson(value, 2)]) {
      expect(text).not.toMatch(
        /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/,
      );
      expect(JSON.parse(text)).toEqual(value);
    }
    for (const format of ["json", "ndjson"] as const) {
      const text = encoderFor(format).rows(["id", "v"], [[1, HOSTILE]], true);
      expect(text, format).not.toMatch(/[\u001b\u007f\u009b\u202e\u2028]/);
      expect(JSON.parse(text.replace(/^\n/, "")).v, format).toBe(HOSTILE);
    }
  });

  it("takes the format from the extension unless --format says it", () => {
    expect(formatOfFile("x.CSV")).toBe("csv");
    expect(formatOfFile("x.jsonl")).toBe("ndjson");
    expect(formatOfFile("x.txt")).toBeUndefined();
    expect(outputChoice({ output: "x.json" })).toEqual({ format: "json", file: "x.json" });
    expect(outputChoice({ output: "x.txt", format: "csv" })).toEqual({
      format: "csv",
      file: "x.txt",
    });
    expect(outputChoice({})).toEqual({ format: "table" });
    expect(() => outputChoice({ output: "x.txt" })).toThrow(/extension does not say/);
    // the hint names every extension formatOfFile reads, .jsonl included
    const hint = (() => {
      try {
        outputChoice({ output: "x.txt" });
      } catch (e) {
        return (e as { hint?: string }).hint;
      }
    })();
    expect(hint).toContain("name the file .csv, .json, .ndjson or .jsonl.");
    expect(formatOfFile("x.toString")).toBeUndefined();
    expect(() => outputChoice({ format: "xml" })).toThrow(/"xml" is not a format/);
    expect(() => outputChoice({ format: "table", output: "x.csv" })).toThrow(/for the terminal/);
  });
});
