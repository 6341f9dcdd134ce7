/**
 * The job's record of how far each nightly runbook's window was read (`.nightly-runs.json`) when
 * it is there but is no record: cut (a full disk, a copy stopped part way), a merge's conflict
 * markers (the reports branch), a directory in its place. Where the reading stopped is then not
 * known (red-team: it read as no record at all, every window started 24 hours back, and the
 * nights the record held back, or the job missed, were read by no run, without a word). The real
 * nightly job (test/in-process.ts) over generated logs; the truth is counted from the records the
 * generator wrote.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { JOB_CATCH_UP_MS, type RunReport } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUNS_RECORD, recordRuns } from "../scripts/nightly/record.ts";
import { nightlyHere } from "./in-process.ts";
import { countingRunbook, quietLogs } from "./nightly-fixture.ts";
import { inWindow, readGenerated } from "./truth/runbook-answers.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let work: string;
let logs: string;
let written: ReturnType<typeof readGenerated>;

const RUNBOOK = countingRunbook();

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-md-nightly-record-"));
  logs = path.join(work, "logs");
  await quietLogs(logs, { hours: 9 * 24, events: 1500, seed: "nightly-record" });
  written = readGenerated(logs);
  await mkdir(path.join(work, "runbooks"));
  await writeFile(path.join(work, "runbooks", "night.md"), RUNBOOK);
  await writeFile(path.join(work, "raw.yaml"), "local:\n  logDir: ./logs\n");
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const nightly = (reports: string) =>
  nightlyHere(
    [
      "--runbooks",
      path.join(work, "runbooks"),
      "--reports-dir",
      reports,
      "--config",
      path.join(work, "raw.yaml"),
      "--engine",
      "local",
      "--no-build",
    ],
    { env: { RUN_MD_WEBHOOK_URL: "" } },
  );

/** Ways a record that was written whole ends up no record. */
const SPOILED: [string, (whole: string) => string][] = [
  ["cut part way", (whole) => whole.slice(0, Math.floor(whole.length / 2))],
  [
    "holding a merge's conflict markers",
    (whole) => `<<<<<<< HEAD\n${whole}=======\n${whole}>>>>>>> origin/run-md-reports\n`,
  ],
  ["of another shape", () => "[]\n"],
];

describe("nightly: a record of runs that is no record", () => {
  it.each(SPOILED)(
    "reads every nightly window from the catch-up's week back and says why: %s",
    async (what, spoil) => {
      const reports = path.join(work, `reports-${what.replaceAll(" ", "-").replaceAll("'", "")}`);
      // The previous nights read up to 3 days ago (a night missed, or a day held back).
      const readTo = new Date(Math.floor((Date.now() - 3 * DAY) / 1000) * 1000);
      await recordRuns(reports, ["night"], readTo, readTo);
      const file = path.join(reports, RUNS_RECORD);
      await writeFile(file, spoil(await readFile(file, "utf8")));

      const night = await nightly(reports);
      expect(night.code, night.stdout + night.stderr).toBe(0);
      const report = JSON.parse(
        await readFile(path.join(reports, "night", "latest.json"), "utf8"),
      ) as RunReport;
      const start = Date.parse(report.window.start);
      const end = Date.parse(report.window.end);
      // Where the reading stopped is not known: as far back as the job catches up, which holds
      // the 3 days the record said were not read yet.
      expect(start).toBeLessThanOrEqual(readTo.getTime());
      expect(start).toBe(end - JOB_CATCH_UP_MS);
      const n = Number(report.steps[0]?.rows[0]?.[0]);
      expect(n).toBe(inWindow(written, new Date(start), new Date(end)).length);
      expect(n).toBeGreaterThan(inWindow(written, new Date(end - DAY), new Date(end)).length);
      expect(night.stdout + night.stderr).toContain(
        `the job's record ${file} is not a record of runs`,
      );
      // The record is written afresh: the next night starts where this one ended.
      const record = JSON.parse(await readFile(file, "utf8"));
      expect(Date.parse(record.readTo.night)).toBe(end);
    },
    180_000,
  );
});

describe("nightly: a record of runs that is no record, on a night a runbook errors", () => {
  it("keeps the catch-up's start for the next night: the days the damaged record held back are read (red-team: another runbook's pass wrote the record afresh without it, and they were read by no night)", async () => {
    const reports = path.join(work, "reports-errored-night");
    const runbooks = path.join(work, "runbooks-errored-night");
    await mkdir(runbooks, { recursive: true });
    await writeFile(path.join(runbooks, "other.md"), countingRunbook("rows == 1", "Other"));
    // That night `night` errors: a parameter without a value (it reads nothing).
    const needsValue = RUNBOOK.replace(
      "window: 24h\n",
      "window: 24h\nparams:\n  who: { type: string }\n",
    ).replace("FROM cloudtrail_logs", "FROM cloudtrail_logs WHERE eventname <> {{who}}");
    await writeFile(path.join(runbooks, "night.md"), needsValue);
    // The previous nights read up to 3 days ago; then the record was cut part way.
    const readTo = new Date(Math.floor((Date.now() - 3 * DAY) / 1000) * 1000);
    await recordRuns(reports, ["night", "other"], readTo, readTo);
    const file = path.join(reports, RUNS_RECORD);
    const whole = await readFile(file, "utf8");
    await writeFile(file, whole.slice(0, Math.floor(whole.length / 2)));
    const night = () =>
      nightlyHere(
        [
          ...["--runbooks", runbooks, "--reports-dir", reports],
          ...["--config", path.join(work, "raw.yaml"), "--engine", "local", "--no-build"],
        ],
        { env: { RUN_MD_WEBHOOK_URL: "" } },
      );
    const first = await night();
    expect(first.code, first.stdout + first.stderr).toBe(2);
    expect(first.stdout).toMatch(/errored\s+night/);
    expect(first.stdout).toMatch(/passed\s+other/);

    // Fixed, the next night reads from where the reading is known to have stopped, or before:
    // the three days after `readTo` too, every event of its window counted.
    await writeFile(path.join(runbooks, "night.md"), RUNBOOK);
    const second = await night();
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const report = JSON.parse(
      await readFile(path.join(reports, "night", "latest.json"), "utf8"),
    ) as RunReport;
    const start = Date.parse(report.window.start);
    const end = Date.parse(report.window.end);
    expect(start).toBeLessThanOrEqual(readTo.getTime());
    const n = Number(report.steps[0]?.rows[0]?.[0]);
    expect(n).toBe(inWindow(written, new Date(start), new Date(end)).length);
  }, 240_000);
});
