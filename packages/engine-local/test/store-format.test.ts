import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { emptyManifest, planStore, readManifest, storeSelectSql } from "../src/store.ts";

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

describe("the day files a window reads from a store", () => {
  // The store covers the 2nd (a collect listed its folder, and the 3rd's, after the 2nd ended).
  const m = {
    ...emptyManifest(),
    covered: [{ from: "2024-03-02T00:00:00Z", to: "2024-03-03T00:00:00Z" }],
  };
  const plan = (from: string, to: string) =>
    planStore(m, { start: new Date(from), end: new Date(to) });

  it("reads the next day's file for a window ending in a day's last hour (late deliveries)", () => {
    expect(plan("2024-03-02T00:00:00Z", "2024-03-03T00:00:00Z")).toEqual({
      storeDays: ["2024/03/02", "2024/03/03"],
      missing: [],
      rawDays: [],
    });
    expect(plan("2024-03-02T00:00:00Z", "2024-03-02T12:00:00Z")).toEqual({
      storeDays: ["2024/03/02"],
      missing: [],
      rawDays: [],
    });
  });

  it("reads from the raw files the folders of the days it does not cover, and the day after them", () => {
    // The 1st is missing: its own folder from the raw files; its late events lie in the 2nd's
    // folder, which the store holds whole. The 3rd is missing: its folder and the 4th's, raw.
    expect(plan("2024-03-01T00:00:00Z", "2024-03-04T00:00:00Z")).toEqual({
      storeDays: ["2024/03/02"],
      missing: ["2024/03/01", "2024/03/03"],
      rawDays: ["2024/03/01", "2024/03/03", "2024/03/04"],
    });
    // A window from noon of the 1st to the 2nd's end: the 1st raw, the 2nd and the 3rd stored.
    expect(plan("2024-03-01T12:00:00Z", "2024-03-03T00:00:00Z")).toEqual({
      storeDays: ["2024/03/02", "2024/03/03"],
      missing: ["2024/03/01"],
      rawDays: ["2024/03/01"],
    });
  });
});
