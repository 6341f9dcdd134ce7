/**
 * The index's heat strip never says "no run" of a day the site did not read: it reads each
 * runbook's last RUN_MD_SITE_HISTORY runs, so the days before the oldest of them may hold runs.
 * The truth is the report files' own times, listed here.
 */
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dayCells, stripDays } from "../src/lib/heat.ts";
import { readReportIndex } from "../src/lib/reports.ts";

const fixture = path.join(import.meta.dirname, "fixtures/reports/unauthorized-access");
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-heat-"));
  await cp(fixture, path.join(dir, "unauthorized-access"), { recursive: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The days (UTC) that hold a report file, from the files' names. */
async function daysWithRuns(): Promise<string[]> {
  const names = await readdir(path.join(dir, "unauthorized-access"));
  return names.filter((n) => /^\d{4}-\d{2}-\d{2}T/.test(n)).map((n) => n.slice(0, 10));
}

describe("the heat strip of a runbook with more runs than the site reads", () => {
  it("says a day of report files it did not read was not read, never that it had no run", async () => {
    const runDays = await daysWithRuns();
    expect(runDays.length).toBe(3);
    const index = await readReportIndex(dir, { limit: 2 });
    const h = index.histories.get("unauthorized-access")!;
    expect(h.entries).toHaveLength(2);
    const days = stripDays("2026-11-23", 5);
    const readDays = h.entries.map((e) => e.startedAt.slice(0, 10));
    const cells = dayCells(h.entries, days, h.unreadDays);
    for (const c of cells) {
      if (readDays.includes(c.day)) expect(c.entry, c.day).toBeDefined();
      else if (runDays.includes(c.day)) expect(c.status, c.day).toBe("unread");
      else expect(c.status, c.day).toBe("none");
    }
    // The day of a run the site did not read is among them: it said "no run".
    expect(runDays.some((d) => !readDays.includes(d) && days.includes(d))).toBe(true);
  });

  it("says no run of a day without one when it read every run", async () => {
    const index = await readReportIndex(dir, { limit: 30 });
    const h = index.histories.get("unauthorized-access")!;
    expect(h.unreadDays).toBeUndefined();
    const runDays = await daysWithRuns();
    const cells = dayCells(h.entries, stripDays("2026-11-23", 5), h.unreadDays);
    for (const c of cells) expect(c.status === "none", c.day).toBe(!runDays.includes(c.day));
  });
});
