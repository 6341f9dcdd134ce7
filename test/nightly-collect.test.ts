/**
 * `npm run nightly -- --collect <source>` (issue 14): the job first collects the window into the
 * configured store, then its runs read the store, their windows ending where the collect's did
 * (a run that started seconds later would otherwise ask for seconds the store never saw). The
 * job in this process (test/in-process.ts), its `run-md collect` and `run-md run` real
 * processes; the truth is counted from the records the generator wrote.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { holdFileLock, type RunReport } from "@run-md/core";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nightlyHere, runMdHere } from "./in-process.ts";
import { countingRunbook, quietLogs } from "./nightly-fixture.ts";
import { inWindow, readGenerated } from "./truth/runbook-answers.ts";

const HOUR = 3_600_000;
let work: string;
let logs: string;
let config: string;

const RUNBOOK = countingRunbook("rows == 1", "Every event of the day");

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-md-nightly-collect-"));
  logs = path.join(work, "logs");
  await quietLogs(logs, { hours: 30, events: 600, seed: "nightly-collect" });
  await mkdir(path.join(work, "runbooks"));
  await writeFile(path.join(work, "runbooks", "day.md"), RUNBOOK);
  config = path.join(work, "run-md.config.yaml");
  await writeFile(config, "local:\n  store: ./store\n");
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function nightly(extra: string[]) {
  return nightlyHere(
    [
      "--runbooks",
      path.join(work, "runbooks"),
      "--reports-dir",
      path.join(work, "reports"),
      "--config",
      config,
      "--no-build",
      ...extra,
    ],
    { env: { RUN_MD_WEBHOOK_URL: "" } },
  );
}

describe("npm run nightly -- --collect", () => {
  it("collects the window into local.store first, then the runs read the store", async () => {
    const res = await nightly([
      "--collect",
      logs,
      "--collect-since",
      "3d",
      "--collect-prune",
      "10d",
    ]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const to = /collecting .* \(--since 3d --to (\S+)\) into local\.store/.exec(res.stdout)?.[1];
    expect(to, res.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // The retention passed on: nothing older than 10 days to remove from a fresh store.
    expect(res.stdout).toMatch(/ {2}pruned 0 day\(s\) before \d{4}-\d\d-\d\d/);
    const manifest = JSON.parse(await readFile(path.join(work, "store", "manifest.json"), "utf8"));
    // The store covers the window up to the collect's listing, which began after `to`.
    expect(Date.parse(manifest.covered.at(-1).to)).toBeGreaterThanOrEqual(Date.parse(to!));
    const latest = JSON.parse(
      await readFile(path.join(work, "reports", "day", "latest.json"), "utf8"),
    ) as RunReport;
    // A full run of the runbook as written: the status of the runbook.
    expect(latest.status).toBe("passed");
    expect(latest.kind).toBe("full");
    // Its own 24 hours, ending where the collect's window did.
    expect(latest.window.end).toBe(to);
    expect(Date.parse(to!) - Date.parse(latest.window.start)).toBe(24 * HOUR);
    const step = latest.steps[0]!;
    // Read from the store, not from files (there is no log directory configured).
    expect(String(step.stats?.storeDays)).toMatch(/^\d{4}\/\d\d\/\d\d/);
    // Exactly the events the generator wrote in that window.
    const truth = inWindow(readGenerated(logs), new Date(latest.window.start), new Date(to!));
    expect(truth.length).toBeGreaterThan(100);
    expect(Number(step.rows[0]?.[0])).toBe(truth.length);
  }, 120_000);

  it("exits 2 when the collect fails, and still runs the runbooks", async () => {
    const empty = path.join(work, "no-logs-here");
    await mkdir(empty);
    const record = async () =>
      JSON.parse(await readFile(path.join(work, "reports", ".nightly-runs.json"), "utf8"));
    const before = await record();
    const res = await nightly(["--collect", empty]);
    expect(res.code).toBe(2);
    expect(res.stdout).toContain("error run-md collect exited 2");
    expect(res.stdout).toMatch(/1 runbook/);
    // Its run passed over what the store held, which the failed collect may have left short
    // (an object not read): the record does not say its window was read, so the next night
    // reads it again from where the last good night ended (red-team: that time was never read).
    expect(res.stdout).toMatch(/ {2}passed {4}day /);
    const after = await record();
    expect(after.readTo.day).toBe(before.readTo.day);
    expect(Date.parse(after.ranAt.day)).toBeGreaterThan(Date.parse(before.ranAt.day));
    // The summary's last line (a job summary's) says why the night exits 2.
    expect(res.stdout).toMatch(/1 runbook: .* · collect FAILED \(exit 2\) · .* · exit 2/);
  }, 120_000);

  it("a runbook's first night whose collect fails: the record keeps where its window started, and the next good night reads from there (red-team)", async () => {
    const reports = path.join(work, "reports-first-night");
    const empty = path.join(work, "no-logs-either");
    await mkdir(empty, { recursive: true });
    const night = (source: string) =>
      nightlyHere(
        [
          ...["--runbooks", path.join(work, "runbooks"), "--reports-dir", reports],
          ...["--config", config, "--no-build", "--collect", source, "--collect-since", "3d"],
        ],
        { env: { RUN_MD_WEBHOOK_URL: "" } },
      );
    const latest = async () =>
      JSON.parse(await readFile(path.join(reports, "day", "latest.json"), "utf8")) as RunReport;
    // Night 1: the runbook is new (no record of it), and the collect fails: its run passes over
    // what the store held, which may lack part of the window.
    const first = await night(empty);
    expect(first.code, first.stdout + first.stderr).toBe(2);
    const start1 = (await latest()).window.start;
    const record = JSON.parse(await readFile(path.join(reports, ".nightly-runs.json"), "utf8"));
    // Nothing of its window is known to be read: the record says so by keeping its start.
    expect(Date.parse(record.readTo.day)).toBe(Date.parse(start1));
    // Night 2, a good collect: reads again from night 1's start.
    const second = await night(logs);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const report = await latest();
    expect(Date.parse(report.window.start)).toBe(Date.parse(start1));
    const truth = inWindow(
      readGenerated(logs),
      new Date(report.window.start),
      new Date(report.window.end),
    );
    expect(Number(report.steps[0]?.rows[0]?.[0])).toBe(truth.length);
  }, 120_000);

  it("waits for another collect writing the store instead of failing the night (red-team: every runbook errored)", async () => {
    const store = path.join(work, "store");
    await mkdir(store, { recursive: true });
    // Another collect (an hourly one) holds the store for two more seconds.
    const release = await holdFileLock(path.join(store, "collect.lock"), () => new Error("busy"));
    const freed = new Promise<void>((r) => setTimeout(() => release().then(r), 2_000));
    const res = await nightly(["--collect", logs, "--collect-since", "3d"]);
    await freed;
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).not.toContain("collect FAILED");
    expect(res.stdout).toMatch(/1 runbook: 1 passed/);
  }, 120_000);

  it("refuses --collect without a store for the runs to read: exit 2, nothing run", async () => {
    // The runs would otherwise answer from the bundled sample data, as if nothing were wrong.
    const noStore = path.join(work, "no-store.yaml");
    await writeFile(noStore, "runbooksDir: runbooks\n");
    const reports = path.join(work, "reports-no-store");
    const res = await nightlyHere([
      "--runbooks",
      path.join(work, "runbooks"),
      "--reports-dir",
      reports,
      "--config",
      noStore,
      "--no-build",
      "--collect",
      logs,
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("--collect needs a store for the runs to read");
    expect(existsSync(reports)).toBe(false);
  });

  it("refuses --collect-since without --collect, and a bad duration", async () => {
    expect((await nightly(["--collect-since", "3d"])).stderr).toContain(
      "--collect-since needs --collect <source>",
    );
    expect((await nightly(["--collect", logs, "--collect-since", "soon"])).stderr).toContain(
      '--collect-since must be a duration such as 30d, got "soon"',
    );
  });
});

describe("RUN_MD_WINDOW_END and --to: a run's window ending at a given instant", () => {
  // Two to three hours ago, on the hour: within the 7 hours RUN_MD_WINDOW_END may reach back.
  const at = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
  const T = at(Math.floor((Date.now() - 2 * HOUR) / HOUR) * HOUR);
  let rawConfig: string;
  let logs2: string;

  beforeAll(async () => {
    logs2 = path.join(work, "logs-past");
    await generateLogs({
      outDir: logs2,
      start: new Date(Date.parse(T) - 30 * HOUR),
      end: new Date(Date.parse(T) + 6 * HOUR),
      totalEvents: 400,
      incidents: false,
      seed: "window-end",
      regions: ["us-east-1"],
    });
    rawConfig = path.join(work, "raw.yaml");
    await writeFile(rawConfig, "local:\n  logDir: ./logs-past\n");
  }, 120_000);

  const run = (extra: string[], env: Record<string, string> = {}) =>
    runMdHere(
      [
        "run",
        path.join(work, "runbooks", "day.md"),
        "--config",
        rawConfig,
        "--no-report",
        "--json",
        ...extra,
      ],
      { env },
    );
  const truthUntil = (end: string, hours: number) =>
    inWindow(readGenerated(logs2), new Date(Date.parse(end) - hours * HOUR), new Date(end)).length;

  it("RUN_MD_WINDOW_END ends the runbook's own window there, and the run stays a full run", async () => {
    const res = await run([], { RUN_MD_WINDOW_END: T });
    expect(res.code, res.stderr).toBe(0);
    const [report] = JSON.parse(res.stdout) as RunReport[];
    expect(report!.window.end).toBe(T);
    expect(report!.window.start).toBe(at(Date.parse(T) - 24 * HOUR));
    // The report says where the window ended, and why.
    expect(report!.window.source).toBe(`window: 24h, ending at RUN_MD_WINDOW_END ${T}`);
    expect(report!.kind).toBe("full");
    expect(Number(report!.steps[0]!.rows[0]![0])).toBe(truthUntil(T, 24));
  });

  it("RUN_MD_WINDOW_START reaches back to where the previous run ended when that is earlier; a later one changes nothing", async () => {
    const start = at(Date.parse(T) - 30 * HOUR);
    const res = await run([], { RUN_MD_WINDOW_END: T, RUN_MD_WINDOW_START: start });
    expect(res.code, res.stderr).toBe(0);
    const [report] = JSON.parse(res.stdout) as RunReport[];
    expect([report!.window.start, report!.window.end]).toEqual([start, T]);
    expect(report!.window.source).toBe(
      `window: 24h, ending at RUN_MD_WINDOW_END ${T}, from RUN_MD_WINDOW_START ${start} (where the previous run ended)`,
    );
    expect(report!.kind).toBe("full");
    expect(Number(report!.steps[0]!.rows[0]![0])).toBe(truthUntil(T, 30));
    // Within the runbook's own 24 hours: its window as written.
    const later = at(Date.parse(T) - 20 * HOUR);
    const res2 = await run([], { RUN_MD_WINDOW_END: T, RUN_MD_WINDOW_START: later });
    const [same] = JSON.parse(res2.stdout) as RunReport[];
    expect(same!.window.start).toBe(at(Date.parse(T) - 24 * HOUR));
    // After the window's end: refused, nothing run.
    const bad = await run([], {
      RUN_MD_WINDOW_END: T,
      RUN_MD_WINDOW_START: at(Date.parse(T) + HOUR),
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("is not before the window's end");
    // More than a week before it (a value left over in a shell): refused, nothing run.
    const old = at(Date.parse(T) - 7 * 24 * HOUR - 1000);
    const stale = await run([], { RUN_MD_WINDOW_END: T, RUN_MD_WINDOW_START: old });
    expect(stale.code).toBe(2);
    expect(JSON.parse(stale.stdout)).toMatchObject({ status: "errored", error: { code: "usage" } });
    expect(stale.stderr).toContain(
      `RUN_MD_WINDOW_START ${old} is more than 7 days before the window's end`,
    );
  });

  it("--to without --from ends the window there: an investigation of that period", async () => {
    const res = await run(["--to", T, "--since", "6h"]);
    expect(res.code, res.stderr).toBe(0);
    const [report] = JSON.parse(res.stdout) as RunReport[];
    expect([report!.window.start, report!.window.end]).toEqual([at(Date.parse(T) - 6 * HOUR), T]);
    expect(report!.kind).toBe("investigation");
    expect(Number(report!.steps[0]!.rows[0]![0])).toBe(truthUntil(T, 6));
  });

  it("a left-over value the window does not take is not read: --to skips both, --from skips RUN_MD_WINDOW_START", async () => {
    const oldEnd = "2026-01-01T00:00:00Z";
    const oldStart = at(Date.parse(T) - 8 * 24 * HOUR);
    // Refused for a run of the runbook's own window, as the hints say ...
    const refused = await run([], { RUN_MD_WINDOW_END: T, RUN_MD_WINDOW_START: oldStart });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("or read that period with --from");
    // ... but the investigation they point to runs, over its own window only.
    const from = at(Date.parse(T) - 3 * HOUR);
    const res = await run(["--from", from], {
      RUN_MD_WINDOW_END: T,
      RUN_MD_WINDOW_START: oldStart,
    });
    expect(res.code, res.stderr).toBe(0);
    const [report] = JSON.parse(res.stdout) as RunReport[];
    expect([report!.window.start, report!.window.end]).toEqual([from, T]);
    expect(Number(report!.steps[0]!.rows[0]![0])).toBe(truthUntil(T, 3));
    const res2 = await run(["--to", T, "--since", "2h"], {
      RUN_MD_WINDOW_END: oldEnd,
      RUN_MD_WINDOW_START: oldStart,
    });
    expect(res2.code, res2.stderr).toBe(0);
    const [report2] = JSON.parse(res2.stdout) as RunReport[];
    expect([report2!.window.start, report2!.window.end]).toEqual([at(Date.parse(T) - 2 * HOUR), T]);
    expect(Number(report2!.steps[0]!.rows[0]![0])).toBe(truthUntil(T, 2));
  });

  it.each([
    ["yesterday", 'RUN_MD_WINDOW_END "yesterday" is not an ISO-8601 instant'],
    ["2099-01-01T00:00:00Z", "RUN_MD_WINDOW_END 2099-01-01T00:00:00Z is in the future"],
    // A value left over in a shell: a full run would make old answers the runbook's status.
    ["2026-01-01T00:00:00Z", "RUN_MD_WINDOW_END 2026-01-01T00:00:00Z is more than 7 hours old"],
  ])("refuses RUN_MD_WINDOW_END=%s: exit 2, nothing run", async (value, message) => {
    const res = await run([], { RUN_MD_WINDOW_END: value });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
    // --json: no run report, the stop's one object saying why (docs/cli.md).
    expect(JSON.parse(res.stdout)).toMatchObject({
      status: "errored",
      error: { message: expect.stringContaining(message) },
    });
  });
});
