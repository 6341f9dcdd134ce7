import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDirForFile } from "../../core/test/temp-dir.ts";
import { readLines, readTail } from "../src/lines.ts";

const dir = tempDirForFile("lines");

describe("readTail", () => {
  // [file contents, the last whole line, the torn tail's offset and length]
  const CASES: Array<[string, string | undefined, [number, number] | undefined]> = [
    ["", undefined, undefined],
    ["one\n", "one", undefined],
    ["a\nbb\nccc\n", "ccc", undefined],
    ["a\nbb\nccc\ndd", "ccc", [9, 2]],
    ["no newline", undefined, [0, 10]],
    ["\n", "", undefined],
    ["x\n\n", "", undefined],
    ['é\nœuf\n{"a"', "œuf", [8, 4]], // byte offsets: é and œ take two bytes each
  ];
  it.each(CASES)("%j", async (text, last, torn) => {
    const file = path.join(dir(), "f.txt");
    await writeFile(file, text);
    // Every chunk size, so lines that straddle chunks are read whole.
    for (const chunk of [1, 2, 3, 5, 65_536]) {
      const got = await readTail(file, chunk);
      expect(got.last).toBe(last);
      expect(got.torn && [got.torn.offset, got.torn.bytes]).toEqual(torn);
    }
  });

  it("agrees with reading the file forwards", async () => {
    const file = path.join(dir(), "g.txt");
    const text = `${Array.from({ length: 500 }, (_, i) => "x".repeat(i % 97)).join("\n")}\npartial`;
    await writeFile(file, text);
    const lines = [];
    for await (const l of readLines(file)) lines.push(l);
    const whole = lines.filter((l) => l.terminated).at(-1)!;
    const torn = lines.find((l) => !l.terminated)!;
    expect(await readTail(file, 100)).toEqual({
      last: whole.text,
      torn: { offset: torn.offset, bytes: 7 },
    });
  });

  it("finds nothing in a missing file", async () => {
    expect(await readTail(path.join(dir(), "none"))).toEqual({});
  });

  it("reads 40 MB lines whole, forwards and backwards (their time: npm run bench -- access)", async () => {
    const file = path.join(dir(), "huge.txt");
    const huge = "x".repeat(40_000_000);
    await writeFile(file, `a\n${huge}\n${huge}`);
    const lines = [];
    for await (const l of readLines(file)) lines.push(l.bytes.length);
    expect(lines).toEqual([1, 40_000_000, 40_000_000]);
    const tail = await readTail(file);
    expect(tail.last?.length).toBe(40_000_000);
    expect(tail.torn).toEqual({ offset: 40_000_003, bytes: 40_000_000 });
  });
});
