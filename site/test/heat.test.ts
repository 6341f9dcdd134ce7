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
  it("says the days before the oldest run read were not read, never that they had no run", async () => {
    const runDays = await daysWithRuns();
    expect(runDays.length).toBe(3);
    const index = await readReportIndex(dir, { limit: 2 });
    const h = index.histories.get("unauthorized-access")!;
    expect(h.entries).toHaveLength(2);
    const days = stripDays("2026-11-23", 5);
    const oldestRead = h.entries.at(-1)!.startedAt.slice(0, 10);
    const cells = dayCells(
      h.entries,
      days,
      h.olderUnread ? h.entries.at(-1)!.startedAt : undefined,
    );
    for (const c of cells) {
      if (c.day < oldestRead) expect(c.status, c.day).toBe("unread");
      else if (runDays.includes(c.day)) expect(c.entry, c.day).toBeDefined();
      else expect(c.status, c.day).toBe("none");
    }
    // The day of a run the site did not read is among them: it said "no run".
    expect(runDays.some((d) => d < oldestRead)).toBe(true);
  });

  it("says no run of a day without one when it read every run", async () => {
    const index = await readReportIndex(dir, { limit: 30 });
    const h = index.histories.get("unauthorized-access")!;
    expect(h.olderUnread).toBeFalsy();
    const runDays = await daysWithRuns();
    const cells = dayCells(h.entries, stripDays("2026-11-23", 5), undefined);
    for (const c of cells) expect(c.status === "none", c.day).toBe(!runDays.includes(c.day));
  });
});
