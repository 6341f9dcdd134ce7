import { formatBytes, parseBytes, parseDuration } from "@run-md/core";
import { describe, expect, it } from "vitest";

describe("durations", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["5m", 300_000],
    ["24h", 86_400_000],
    ["7d", 604_800_000],
    ["2w", 1_209_600_000],
    ["1.5h", 5_400_000],
    [" 10m ", 600_000],
  ])("%s is %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "5", "0s", "5 m", "5min", "7days", "-1h", "1h30m", "h", "1M"])(
    "%j is not a duration",
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe("byte sizes", () => {
  it.each([
    ["500MB", 500e6],
    ["10GB", 10e9],
    ["1TB", 1e12],
    ["1.5GB", 1.5e9],
    ["10gb", 10e9],
    ["1KB", 1000],
    ["100B", 100],
    ["1GiB", 2 ** 30],
    ["10MiB", 10 * 2 ** 20],
    ["2TiB", 2 * 2 ** 40],
    ["10 GB", 10e9],
  ])("%s is %i bytes", (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });

  it.each(["", "10", "10XB", "0GB", "GB", "-1GB", "10G"])("%j is not a size", (text) => {
    expect(parseBytes(text)).toBeUndefined();
  });
});

describe("printing byte sizes", () => {
  it("uses the decimal units parseBytes reads, so a budget prints as it was written", () => {
    expect(formatBytes(parseBytes("10GB")!)).toBe("10.0 GB");
    expect(formatBytes(parseBytes("2.5GB")!)).toBe("2.50 GB");
    expect([formatBytes(999), formatBytes(1200), formatBytes(18_342_112)]).toEqual([
      "999 B",
      "1.20 KB",
      "18.3 MB",
    ]);
  });
});
