import { describe, expect, it } from "vitest";
import { progressLine, progressReporter } from "../src/collect-progress.ts";

function stream(isTTY: boolean) {
  const out: string[] = [];
  return { out, s: { isTTY, write: (t: string) => out.push(t) } as unknown as NodeJS.WriteStream };
}

const p = {
  phase: "write" as const,
  objects: 50,
  objectsTotal: 200,
  bytes: 2_500_000,
  events: 1234,
  day: "2024/03/01",
};

describe("collect progress", () => {
  it("says objects, bytes, events, rate and ETA", () => {
    // 50 objects in 10 s: 5 objects/s, 150 left: 30 s.
    expect(progressLine(p, 10_000)).toBe(
      "50/200 objects, 2.50 MB, 1234 events, 5.0 objects/s, ETA 30s 2024/03/01",
    );
  });

  it("redraws a bar in place on a terminal, and ends the line", () => {
    const { out, s } = stream(true);
    const r = progressReporter(s);
    r.onProgress(p);
    r.end();
    expect(out[0]).toMatch(/^\r\x1b\[2Kcollect \[#{6}-{18}\] 50\/200 objects/);
    expect(out[1]).toBe("\n");
  });

  it("writes plain lines otherwise", () => {
    const { out, s } = stream(false);
    const r = progressReporter(s);
    r.onProgress({ ...p, phase: "list" });
    r.onProgress(p);
    r.end();
    expect(out).toHaveLength(2);
    expect(out[0]).toBe("collect: listing the source\n");
    expect(out[1]).toMatch(/^collect: 50\/200 objects, 2\.50 MB, 1234 events, .* 2024\/03\/01\n$/);
  });

  it("writes a fetch from S3 as a line per tenth of its objects, not one per object", () => {
    const { out, s } = stream(false);
    const r = progressReporter(s);
    for (let i = 1; i <= 504; i++) {
      r.onProgress({ phase: "fetch", objects: i, objectsTotal: 504, bytes: i * 100, events: 0 });
    }
    r.end();
    // 504 objects: a line as the count passes 51, 101, 152, ... 454, and at 504 (10 lines).
    const counts = out.map((l) => Number(/^collect: (\d+)\/504 objects/.exec(l)?.[1]));
    expect(counts).toEqual([51, 101, 152, 202, 252, 303, 353, 404, 454, 504]);
  });
});
