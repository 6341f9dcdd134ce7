/**
 * An alert left open by a runbook the job no longer runs: its file removed, its id changed (a file
 * renamed without `id:`), or its schedule made `manual`, while it failed. No run of that id comes again, so nothing reminds of
 * it or resolves it (its PagerDuty incident, its GitHub issue) and the job said nothing of it,
 * night after night (red-team). The real nightly job (test/in-process.ts); the truth is the
 * alert state the test writes.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { STATE_FILE } from "@run-md/notify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nightlyHere } from "./in-process.ts";
import { countingRunbook, quietLogs } from "./nightly-fixture.ts";

let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-md-nightly-orphaned-"));
  await quietLogs(path.join(work, "logs"), { hours: 30, events: 300, seed: "nightly-orphaned" });
  await mkdir(path.join(work, "runbooks"));
  await writeFile(path.join(work, "runbooks", "night.md"), countingRunbook("rows == 1"));
  // A runbook made manual while it failed: the job no longer runs it, and a run by hand tells
  // no one: its alert is left open too.
  await writeFile(
    path.join(work, "runbooks", "by-hand.md"),
    countingRunbook("rows == 1").replace("schedule: nightly", "schedule: manual"),
  );
  // A runbook that does not load (its file name is no id), made manual: its errored alert (from
  // when it was nightly) is under the id the job gives it (trigger's: `bad-name`).
  await writeFile(
    path.join(work, "runbooks", "Bad Name.md"),
    countingRunbook("rows == 1").replace("schedule: nightly", "schedule: manual"),
  );
  await writeFile(path.join(work, "raw.yaml"), "local:\n  logDir: ./logs\n");
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const entry = (failing: boolean, since: string) => ({
  failing,
  since,
  lastStatus: failing ? "failed" : "passed",
});

describe("nightly: an open alert whose runbook the job no longer runs", () => {
  it("is said each night, in the log and the totals, naming the id and since when (the exit code stays the night's)", async () => {
    const reports = path.join(work, "reports");
    await mkdir(reports, { recursive: true });
    await writeFile(
      path.join(reports, STATE_FILE),
      JSON.stringify({
        version: 1,
        runbooks: {
          // Failing, and no runbook of the folder has its id: orphaned.
          "old-name": entry(true, "2026-11-20T05:17:00Z"),
          // Passing: nothing open.
          "removed-quiet": entry(false, "2026-11-20T05:17:00Z"),
          // Runbooks of the folder (one of them manual): theirs.
          night: entry(true, "2026-11-21T05:17:00Z"),
          "by-hand": entry(true, "2026-11-22T05:17:00Z"),
          "bad-name": entry(true, "2026-11-22T05:17:00Z"),
          // An investigation (a triggered run, a catch-up): closed by its own rules.
          "gone#0123456789abcdef": entry(true, "2026-11-23T05:17:00Z"),
        },
      }),
    );
    const night = await nightlyHere(
      [
        ...["--runbooks", path.join(work, "runbooks"), "--reports-dir", reports],
        ...["--config", path.join(work, "raw.yaml"), "--engine", "local", "--no-build"],
      ],
      { env: { RUN_MD_WEBHOOK_URL: "" } },
    );
    expect(night.code, night.stdout + night.stderr).toBe(0);
    const warnings = night.stdout.split("\n").filter((l) => l.includes("no run will remind"));
    const runbooks = path.join(work, "runbooks");
    const state = path.join(reports, STATE_FILE);
    expect(warnings.sort()).toEqual([
      // Its runbook is found by the id the job gives it (not taken for one removed).
      `warning the alert of bad-name is open (failing since 2026-11-22T05:17:00Z), and its runbook in ${runbooks} is schedule: manual: the job no longer runs it: no run will remind of it or resolve it; resolve it where it was told, then remove its entry from ${state}`,
      `warning the alert of by-hand is open (failing since 2026-11-22T05:17:00Z), and its runbook in ${runbooks} is schedule: manual: the job no longer runs it: no run will remind of it or resolve it; resolve it where it was told, then remove its entry from ${state}`,
      `warning the alert of old-name is open (failing since 2026-11-20T05:17:00Z), and no runbook in ${runbooks} has that id (removed, or its id changed): no run will remind of it or resolve it; resolve it where it was told, then remove its entry from ${state}`,
    ]);
    const totals = night.stdout.trim().split("\n").at(-1) ?? "";
    expect(totals).toContain(
      "3 alerts open for runbooks the job no longer runs (old-name, by-hand, bad-name): nothing resolves them",
    );
  }, 120_000);
});
