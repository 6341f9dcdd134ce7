/**
 * The shared sample data's folder is named by a digest of the generator's sources, so data an
 * older generator made within the hour is not taken for the current generator's.
 */
import { cpSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./ci-prerequisites.ts";
import { generatorDigest } from "./sample-data.ts";

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
