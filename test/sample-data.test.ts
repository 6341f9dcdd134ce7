/**
 * The shared sample data's folder is named by a digest of the generator's sources, so data an
 * older generator made within the hour is not taken for the current generator's.
 */
import { cpSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./ci-prerequisites.ts";
import { generatorDigest, sampleFolderName } from "./sample-data.ts";

describe("generatorDigest", () => {
  const copy = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "gen-src-"));
    cpSync(path.join(REPO, "packages", "generator", "src"), dir, { recursive: true });
    return dir;
  };

  it("is the same for the same sources and changes with a file's content or name", () => {
    const a = copy();
    const b = copy();
    expect(generatorDigest(a)).toBe(generatorDigest(b));
    const file = path.join(b, "random.ts");
    writeFileSync(file, `${readFileSync(file, "utf8")}\n`);
    expect(generatorDigest(b)).not.toBe(generatorDigest(a));
    const c = copy();
    renameSync(path.join(c, "random.ts"), path.join(c, "random2.ts"));
    expect(generatorDigest(c)).not.toBe(generatorDigest(a));
    expect(generatorDigest(a)).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe("sampleFolderName", () => {
  // A run started after the hour turned regenerated the week in the folder a running run read.
  it("is one folder per hour: a run of the next hour never writes the one a run reads", () => {
    const at = (iso: string) => sampleFolderName("0123456789ab", new Date(iso));
    expect(at("2026-12-06T20:53:10Z")).toBe("0123456789ab-2026-12-06T20");
    expect(at("2026-12-06T20:00:00Z")).toBe(at("2026-12-06T20:59:59.999Z"));
    expect(at("2026-12-06T21:00:00Z")).toBe("0123456789ab-2026-12-06T21");
    expect(at("2026-12-31T23:30:00Z")).toBe("0123456789ab-2026-12-31T23");
  });
});
