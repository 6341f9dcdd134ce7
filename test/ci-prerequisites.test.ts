import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isCI, missingPrerequisites, SHARED_PARTS, skipOrFail } from "./ci-prerequisites.ts";

describe("what CI demands instead of skipping", () => {
  it("reads CI as CI services set it", () => {
    expect(isCI({ CI: "true" })).toBe(true);
    expect(isCI({ CI: "1" })).toBe(true);
    for (const off of [undefined, "", "0", "false", "FALSE"]) expect(isCI({ CI: off })).toBe(false);
  });

  it("names each missing part of ../shared and a missing Chromium", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "run-md-ci-"));
    const shared = path.join(root, "shared");
    const browser = path.join(root, "chromium");
    expect(missingPrerequisites(shared, browser)).toEqual([
      ...SHARED_PARTS.map(
        (p) =>
          `${path.join(shared, p)} is missing: the tests of the reference data and queries need it`,
      ),
      `${browser} is missing: run scripts/install-chromium.sh (npm test's pretest)`,
    ]);
    for (const p of SHARED_PARTS) await mkdir(path.join(shared, p), { recursive: true });
    await writeFile(browser, "");
    expect(missingPrerequisites(shared, browser)).toEqual([]);
  });

  it("fails a test under CI where a laptop skips it", () => {
    const saved = process.env.CI;
    let skipped = 0;
    const ctx = { skip: () => void skipped++ };
    try {
      process.env.CI = "true";
      expect(() => skipOrFail(ctx, "no browser")).toThrow("CI=true: no browser");
      expect(skipped).toBe(0);
      process.env.CI = "";
      skipOrFail(ctx, "no browser");
      expect(skipped).toBe(1);
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});
