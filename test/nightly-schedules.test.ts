/**
 * `npm run nightly -- --date`: the job runs what is due on that day (weekly runbooks on the
 * configured day, cron expressions whose time fell in the past day), through the job's command
 * line (in this process) and the real `run-md`.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ensureSampleData } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nightlyHere } from "./in-process.ts";

let work: string;
/**
 * The sample data without incidents for the week of the dates below (ending 2026-12-03T00:00Z),
 * not the shared data (test/sample-data.ts): that week ends at the current hour, and from
 * 2026-12-08T05:00 on it no longer held the 24 hours before 2026-12-02T05:17 (both runs errored:
 * no CloudTrail events in the step's window, exit 2).
 */
let logs: string;

/** The job in this process (test/in-process.ts); its `run-md` runs are real processes. */
function nightly(args: string[]) {
  return nightlyHere(args, { env: { RUN_MD_LOG_DIR: logs, RUN_MD_WEBHOOK_URL: "" } });
}

const book = (title: string, schedule: string) =>
  `---\ntitle: ${title}\nschedule: ${schedule}\n---\n\n\`\`\`sql none\nSELECT eventname FROM cloudtrail_logs WHERE eventname = 'NoSuchEventEver'\n\`\`\`\n\n\`\`\`expect\nrows == 0\n\`\`\`\n`;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-md-schedules-"));
  const runbooks = path.join(work, "runbooks");
  await mkdir(runbooks);
  await writeFile(path.join(runbooks, "weekly.md"), book("Weekly", "weekly"));
  await writeFile(path.join(runbooks, "workdays.md"), book("Workdays", '"0 6 * * 1-5"'));
  await writeFile(path.join(runbooks, "manual.md"), book("Manual", "manual"));
  await writeFile(path.join(work, "run-md.config.yaml"), "nightly:\n  weeklyDay: wednesday\n");
  const week = await ensureSampleData(path.join(work, "logs"), {
    now: new Date("2026-12-03T00:00:00Z"),
    incidents: false,
  });
  logs = week.dir;
}, 120_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("the nightly job runs what is due", () => {
  it.each([
    // 2026-12-02 is a Wednesday: the configured weekly day; Tuesday 06:00 fell in its past day.
    ["2026-12-02T05:17:00Z", ["weekly", "workdays"]],
    // A Sunday: no workday 06:00 in the past day, not the weekly day.
    ["2026-11-29T05:17:00Z", []],
  ])(
    "--date %s runs %j",
    async (date, due) => {
      const reports = path.join(work, `reports-${date.slice(0, 10)}`);
      const res = await nightly([
        "--date",
        date,
        "--runbooks",
        path.join(work, "runbooks"),
        "--reports-dir",
        reports,
        "--config",
        path.join(work, "run-md.config.yaml"),
        "--no-build",
        "--retention",
        "forever",
      ]);
      expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(0);
      expect(res.stdout).toContain(`due on ${date.slice(0, 10)} (wednesdays for weekly ones)`);
      const ran = (await readdir(reports).catch(() => [] as string[]))
        .filter((e) => !e.startsWith("."))
        .sort();
      expect(ran).toEqual(due);
      // A date past catches that night up: each window ends then (review: the runs read the
      // last 24 hours). An old night's run is an investigation: never the runbook's status.
      for (const id of due) {
        const files = (await readdir(path.join(reports, id))).filter((f) => f.endsWith(".json"));
        expect(await readdir(path.join(reports, id))).not.toContain("latest.json");
        const report = JSON.parse(await readFile(path.join(reports, id, files[0]!), "utf8")) as {
          window: { end: string };
          kind?: string;
        };
        expect([id, Date.parse(report.window.end), report.kind]).toEqual([
          id,
          Date.parse(date),
          "investigation",
        ]);
      }
    },
    120_000,
  );
});

describe("two due runbooks with one id", () => {
  it("runs neither: each is errored with the reason, no report is written, exit 2", async () => {
    const dir = path.join(work, "same-id");
    await mkdir(path.join(dir, "runbooks"), { recursive: true });
    const same = (title: string) =>
      book(title, "nightly").replace("---\ntitle:", "---\nid: same\ntitle:");
    await writeFile(path.join(dir, "runbooks", "a.md"), same("A"));
    await writeFile(path.join(dir, "runbooks", "b.md"), same("B"));
    const reports = path.join(dir, "reports");
    const res = await nightly([
      "--runbooks",
      path.join(dir, "runbooks"),
      "--reports-dir",
      reports,
      "--no-build",
      "--retention",
      "forever",
    ]);
    expect(res.code).toBe(2);
    expect(res.stdout.match(/^ {2}errored {3}same \(/gm)).toHaveLength(2);
    expect(res.stdout).toMatch(/errored\s+same\s.*duplicate runbook id "same"/);
    expect(
      (await readdir(reports).catch(() => [] as string[])).filter((e) => e !== ".tmp"),
    ).toEqual([]);
  });
});

describe("--date to come (red-team: it ran, recorded and paged for real)", () => {
  it("says which runbooks the schedule takes and runs, collects and tells nothing", async () => {
    const reports = path.join(work, "reports-future");
    const res = await nightly([
      "--date",
      "2099-12-02T05:17:00Z",
      "--runbooks",
      path.join(work, "runbooks"),
      "--reports-dir",
      reports,
      "--config",
      path.join(work, "run-md.config.yaml"),
      "--no-build",
    ]);
    expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(0);
    expect(res.stdout).not.toContain("names no runbook");
    // 2099-12-02 is a Wednesday: the weekly day, and Tuesday 06:00 fell in its past day.
    expect(res.stdout).toMatch(/ {2}due {7}weekly\n {2}due {7}workdays\n/);
    expect(res.stdout).toContain("2 runbooks due, none run (a date to come) · exit 0");
    expect(
      (await readdir(reports).catch(() => [] as string[])).filter((e) => !e.startsWith(".")),
    ).toEqual([]);
    await expect(readFile(path.join(reports, ".nightly-runs.json"))).rejects.toThrow();
  }, 120_000);
});

describe("a params.<id> naming no runbook", () => {
  it("is a warning of the night's log, naming the configuration's line (each night used the defaults)", async () => {
    const config = path.join(work, "typo.config.yaml");
    await writeFile(
      config,
      "nightly:\n  weeklyDay: wednesday\nparams:\n  weekly:\n    x: 1\n  workdayz:\n    x: 2\n",
    );
    const res = await nightly([
      "--date",
      "2099-12-02T05:17:00Z",
      "--runbooks",
      path.join(work, "runbooks"),
      "--reports-dir",
      path.join(work, "reports-typo"),
      "--config",
      config,
      "--no-build",
    ]);
    expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(0);
    const warnings = res.stdout.split("\n").filter((l) => l.includes("names no runbook"));
    expect(warnings).toEqual([
      `warning ${config}:6:3 params.workdayz names no runbook in ${path.relative(process.cwd(), path.join(work, "runbooks"))} (did you mean workdays?): its values are given to no run`,
    ]);
  });
});
