/**
 * A day of a night's window without logs (a CloudTrail delivery outage, a bucket replication
 * lag) is not counted as read by the job's record (red-team: the record moved to the window's
 * end, and logs of that day delivered late were read by no later night). The real nightly job
 * (test/in-process.ts) over generated logs in the delivery layout, read raw or collected first
 * into a store (`--collect`), with one day's folder held back on night 1 and delivered before
 * night 2; the truth is counted from the records written.
 */
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RunReport, reportSchemaProblem } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordRuns } from "../scripts/nightly/record.ts";
import { nightlyHere } from "./in-process.ts";
import { countingRunbook, quietLogs } from "./nightly-fixture.ts";
import { inWindow, readGenerated } from "./truth/runbook-answers.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let work: string;
let logs: string;
/** The day without logs on night 1: ends well before the night's own 24 hours. */
let gapDay: Date;
let dayFolder: string;
/** Every record the generator wrote, the held back day's included. */
let written: ReturnType<typeof readGenerated>;

const RUNBOOK = countingRunbook();

/** The folder of a day in the delivery layout (`…/CloudTrail/<region>/yyyy/mm/dd`). */
async function folderOf(day: Date): Promise<string> {
  const rel = day.toISOString().slice(0, 10).replaceAll("-", "/");
  const all = await readdir(logs, { recursive: true, encoding: "utf8" });
  const found = all.find((f) => f.split(path.sep).join("/").endsWith(rel));
  if (found === undefined) throw new Error(`no folder ${rel} in ${logs}`);
  return path.join(logs, found);
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-md-nightly-late-"));
  logs = path.join(work, "logs");
  await quietLogs(logs, { hours: 100, events: 1200, seed: "nightly-late-logs" });
  written = readGenerated(logs);
  gapDay = new Date(Math.floor((Date.now() - 60 * HOUR) / DAY) * DAY);
  dayFolder = await folderOf(gapDay);
  await mkdir(path.join(work, "runbooks"));
  await writeFile(path.join(work, "runbooks", "night.md"), RUNBOOK);
  // A cron runbook over its own window, the day without logs in it: the record does not set its
  // window, so no night reads that day again for it, and the job must not say one will.
  await writeFile(
    path.join(work, "runbooks", "hourly.md"),
    RUNBOOK.replace("schedule: nightly", 'schedule: "* * * * *"').replace("24h", "96h"),
  );
  await writeFile(path.join(work, "raw.yaml"), "local:\n  logDir: ./logs\n");
  await writeFile(path.join(work, "store.yaml"), "local:\n  store: ./store\n");
  // The previous night read up to 96 hours ago: tonight's window starts there (the catch-up).
  const readTo = new Date(Math.floor((Date.now() - 96 * HOUR) / 1000) * 1000);
  for (const reports of ["raw", "store"].map((v) => path.join(work, `reports-${v}`)))
    await recordRuns(reports, ["night"], readTo, readTo);
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The job over the raw log directory, or collecting it first into a store (`--collect`). */
type Variant = "raw" | "store";

const nightly = (v: Variant) =>
  nightlyHere(
    [
      "--runbooks",
      path.join(work, "runbooks"),
      "--reports-dir",
      path.join(work, `reports-${v}`),
      "--config",
      path.join(work, `${v}.yaml`),
      "--engine",
      "local",
      "--no-build",
      ...(v === "store" ? ["--collect", logs, "--collect-since", "5d"] : []),
    ],
    { env: { RUN_MD_WEBHOOK_URL: "" } },
  );

const latest = async (v: Variant) =>
  JSON.parse(
    await readFile(path.join(work, `reports-${v}`, "night", "latest.json"), "utf8"),
  ) as RunReport;
const recordedReadTo = async (v: Variant) =>
  JSON.parse(await readFile(path.join(work, `reports-${v}`, ".nightly-runs.json"), "utf8")).readTo
    .night as string;
const count = (r: RunReport) => Number(r.steps[0]?.rows[0]?.[0]);
const truth = (from: string, to: string) => inWindow(written, new Date(from), new Date(to)).length;

describe("nightly: a day of the window without logs, delivered late", () => {
  it.each<Variant>(["raw", "store"])(
    "is read by the next night, from the hour before that day (the record stops there): %s",
    async (v) => {
      // Held back outside the log directory (a folder beside the day's would still be read).
      const outage = path.join(work, "late-day");
      await rename(dayFolder, outage);
      const night1 = await nightly(v);
      expect(night1.code, night1.stdout + night1.stderr).toBe(0);
      const first = await latest(v);
      // A warning, not an error: the checks decide the status.
      expect(first.status).toBe("passed");
      // The report with the field is one the store reads back (its published schema).
      expect.soft(await reportSchemaProblem(first)).toBeUndefined();
      const dayIso = gapDay.toISOString().slice(0, 10);
      expect(first.steps[0]?.warnings.join("\n")).toContain(`day ${dayIso} (UTC) has no log file`);
      // The step says from when its window was not read: the hour before the day (its folder
      // holds the events of 23:00 onwards the day before, delivered after midnight).
      const from = new Date(gapDay.getTime() - HOUR).toISOString();
      // (Soft: with them unmet, the test goes on to show what night 2 then misses.)
      expect.soft(first.steps[0]?.notReadFrom).toBe(from);
      // Night 1 read fewer events than its window holds: the day's were not there.
      expect(count(first)).toBeLessThan(truth(first.window.start, first.window.end));
      // The record stops where the window was not read, and the job says so.
      expect.soft(Date.parse(await recordedReadTo(v))).toBe(Date.parse(from));
      expect
        .soft(night1.stdout)
        .toContain(`held back night: its window is not known to be read from`);
      expect
        .soft(night1.stdout)
        .toContain("1 runbook not read to the end (days without logs: read again the next night");
      // The cron runbook found the same day without logs; its window is its own.
      const hourly = JSON.parse(
        await readFile(path.join(work, `reports-${v}`, "hourly", "latest.json"), "utf8"),
      ) as RunReport;
      expect(hourly.steps[0]?.notReadFrom).toBe(from);
      expect(night1.stdout).not.toContain("held back hourly");

      // The day's logs are delivered late, before night 2.
      await rename(outage, dayFolder);
      const night2 = await nightly(v);
      expect(night2.code, night2.stdout + night2.stderr).toBe(0);
      const second = await latest(v);
      expect(second.runId).not.toBe(first.runId);
      // Every event the generator wrote from there to the window's end, the late day's included.
      const dayEvents = truth(from, new Date(gapDay.getTime() + DAY).toISOString());
      expect(dayEvents).toBeGreaterThan(50);
      expect(count(second)).toBe(truth(from, second.window.end));
      expect(Date.parse(second.window.start)).toBe(Date.parse(from));
      expect(second.status).toBe("passed");
      expect(second.steps[0]?.warnings).toEqual([]);
      expect(second.steps[0]?.notReadFrom).toBeUndefined();
      // With --collect, read from the store, which the night's collect brought the late day into.
      if (v === "store") expect(String(second.steps[0]?.stats.storeDays)).toMatch(/^\d{4}\/\d\d/);
      // Read to the end now: the record moves to the window's end.
      expect(Date.parse(await recordedReadTo(v))).toBe(Date.parse(second.window.end));
    },
    180_000,
  );
});
