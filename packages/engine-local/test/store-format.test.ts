import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readManifest, storeSelectSql } from "../src/store.ts";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the store's manifest version", () => {
  it.each([
    [1, "record JSON text"],
    [2, "keys inside the structs lost"],
  ])(
    "refuses a store of the earlier format %i (%s) with a message naming the file",
    async (version) => {
      dir = await mkdtemp(path.join(tmpdir(), "run-md-store-format-"));
      const file = path.join(dir, "manifest.json");
      await writeFile(file, JSON.stringify({ version, days: {}, covered: [], objects: {} }));
      const err = await readManifest(dir).then(
        () => null,
        (e: Error & { code?: string; hint?: string }) => e,
      );
      expect(err?.code).toBe("bad-store");
      expect(err?.message).toContain(file);
      expect(err?.message).toContain(`found ${version}`);
      expect(err?.hint).toMatch(/collect again/);
    },
  );

  it("reads a manifest of the current format", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "run-md-store-format-"));
    const m = { version: 3, days: {}, covered: [], objects: {} };
    await writeFile(path.join(dir, "manifest.json"), JSON.stringify(m));
    expect(await readManifest(dir)).toEqual(m);
  });
});

describe("the store's rows in a window", () => {
  const a = { path: "/s/days/2024/03/01/a.parquet", whole: true };
  const b = { path: "/s/days/2024/03/02/b.parquet", whole: false };
  const where = "\nWHERE _ts >= x AND _ts < y";

  it("filters by time only the files whose events the window does not hold whole", () => {
    const sql = storeSelectSql([a, b], where);
    const [inside, cut] = sql.split("\nUNION ALL\n");
    expect(inside).toContain("2024/03/01/a.parquet");
    expect(inside).not.toContain("WHERE");
    expect(cut).toContain("2024/03/02/b.parquet");
    expect(cut).not.toContain("2024/03/01");
    expect(cut?.endsWith(where)).toBe(true);
  });

  it("reads files held whole without a filter, and filters everything when none is", () => {
    expect(storeSelectSql([a, { ...b, whole: true }], where)).not.toContain("WHERE");
    const sql = storeSelectSql([{ ...a, whole: false }, b], where);
    expect(sql).not.toContain("UNION");
    expect(sql.endsWith(where)).toBe(true);
  });
});
