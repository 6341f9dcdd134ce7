import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readManifest } from "../src/store.ts";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the store's manifest version", () => {
  it("refuses a store of the earlier format (record JSON text) with a message naming the file", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "run-md-store-format-"));
    const file = path.join(dir, "manifest.json");
    await writeFile(file, JSON.stringify({ version: 1, days: {}, covered: [], objects: {} }));
    const err = await readManifest(dir).then(
      () => null,
      (e: Error & { code?: string; hint?: string }) => e,
    );
    expect(err?.code).toBe("bad-store");
    expect(err?.message).toContain(file);
    expect(err?.message).toContain("found 1");
    expect(err?.hint).toMatch(/collect again/);
  });

  it("reads a manifest of the current format", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "run-md-store-format-"));
    const m = { version: 2, days: {}, covered: [], objects: {} };
    await writeFile(path.join(dir, "manifest.json"), JSON.stringify(m));
    expect(await readManifest(dir)).toEqual(m);
  });
});
