/** The nightly job's pieces: options, runbook selection, the summary, retention. */
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadRunbook, pruneReports, type RunReport, timeOfReportName } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildSite,
  checkSiteNodeArgs,
  publishedFolder,
  putInPlace,
  SiteBuildError,
  siteNodeArgs,
} from "../scripts/nightly/build-site.ts";
import {
  exitCodeOf,
  lastRunIn,
  type NightlyResult,
  runArgs,
  selectNightly,
  statusOf,
} from "../scripts/nightly/job.ts";
import { parseNightlyArgs } from "../scripts/nightly/options.ts";
import { RUNS_RECORD, recordRuns } from "../scripts/nightly/record.ts";
import { markdownSummary, textSummary } from "../scripts/nightly/summary.ts";
import { nightlyHere } from "./in-process.ts";

const repoRoot = path.resolve(import.meta.dirname, "..");
const DAY = 86_400_000;

async function fixtureReport(id: string): Promise<RunReport> {
  return JSON.parse(
    await readFile(path.join(repoRoot, "site/test/fixtures/reports", id, "latest.json"), "utf8"),
  ) as RunReport;
}

describe("a run's status", () => {
  it("is failed on exit 1 with its report, errored on exit 1 without one (the runner died)", async () => {
    const failed = await fixtureReport("unauthorized-access");
    expect(failed.status).toBe("failed");
    expect(statusOf(1, failed)).toBe("failed");
    expect(statusOf(1, undefined)).toBe("errored");
    expect(statusOf(0, { ...failed, status: "warned" })).toBe("warned");
    expect(statusOf(0, { ...failed, status: "passed" })).toBe("passed");
    // A run that printed no report passed nothing that can be shown.
    expect(statusOf(0, undefined)).toBe("errored");
    expect(statusOf(2, failed)).toBe("errored");
    expect(statusOf(130, undefined)).toBe("cancelled");
    expect(statusOf(null, undefined)).toBe("errored");
  });
});

describe("a nightly run's arguments", () => {
  it("name a runbook of the repository from its folder (no machine path in its report or messages)", () => {
    const inRepo = runArgs(path.join(repoRoot, "runbooks", "audit-iam.md"), { reportsDir: "r" });
    expect(inRepo.slice(0, 2)).toEqual(["run", path.join("runbooks", "audit-iam.md")]);
    // A runbook elsewhere keeps its path (the runner's folder is the repository's).
    const elsewhere = path.join(path.dirname(repoRoot), "other", "x.md");
    expect(runArgs(elsewhere, { reportsDir: "r", engine: "aws" })).toEqual([
      "run",
      elsewhere,
      "--reports-dir",
      "r",
      "--json",
      "--engine",
      "aws",
    ]);
  });
});

describe("nightly options", () => {
  it("takes defaults from the environment and flags over them", () => {
    const o = parseNightlyArgs(["--concurrency", "3", "--no-build"], {
      RUN_MD_NIGHTLY_CONCURRENCY: "5",
      RUN_MD_RETENTION: "30d",
      RUN_MD_WEBHOOK_URL: "http://127.0.0.1:1/hook",
      INIT_CWD: "/somewhere",
    });
    if (o === "help") throw new Error("unexpected help");
    expect(o.concurrency).toBe(3);
    expect(o.retentionMs).toBe(30 * DAY);
    expect(o.build).toBe(false);
    expect(o.webhookUrl).toBe("http://127.0.0.1:1/hook");
    expect(o.notify).toEqual(["failed", "errored", "recovered", "reminder"]);
    const only = parseNightlyArgs([], { RUN_MD_NOTIFY: "failed, recovered" });
    expect(only !== "help" && only.notify).toEqual(["failed", "recovered"]);
    expect(o.runbooksDir).toBe(path.join(repoRoot, "runbooks"));
  });

  it("refuses an engine or a window no run would take, before any runbook runs (each run's error would page)", () => {
    expect(() => parseNightlyArgs(["--engine", "nope", "--no-build"], {})).toThrow(
      '--engine "nope" is not an engine: one of local, athena, logs, aws',
    );
    expect(() => parseNightlyArgs(["--since", "a week", "--no-build"], {})).toThrow(
      '--since must be a duration such as 24h or 7d, got "a week"',
    );
    expect(() => parseNightlyArgs(["--sinse", "7d"], {})).toThrow(
      'unknown option "--sinse" (did you mean --since?)',
    );
    expect(() => parseNightlyArgs(["--zzzz"], {})).toThrow(/^unknown option "--zzzz"$/);
    const ok = parseNightlyArgs(["--engine", "aws", "--since", "7d", "--no-build"], {});
    expect(ok !== "help" && [ok.engine, ok.since]).toEqual(["aws", "7d"]);
  });

  it("refuses a --date that is no ISO-8601 instant (JavaScript reads `0` as a night of 2000)", () => {
    for (const date of ["0", "Dec 1", "12/02/2026", "2026-02-30", "2026-11-23T02:00:00"]) {
      expect(() => parseNightlyArgs(["--date", date, "--no-build"], {}), date).toThrow(
        `--date must be an ISO-8601 date or time with its zone (2026-11-23, 2026-11-23T02:00:00Z), got "${date}"`,
      );
    }
    const ok = parseNightlyArgs(["--date", "2026-11-23", "--no-build"], {});
    expect(ok !== "help" && ok.now?.toISOString()).toBe("2026-11-23T00:00:00.000Z");
  });

  it("without --config, takes the caller's configuration, not the repository's", async () => {
    const caller = await mkdtemp(path.join(tmpdir(), "run-md-caller-"));
    const below = path.join(caller, "team", "runbooks");
    await mkdir(below, { recursive: true });
    await writeFile(path.join(caller, "run-md.config.yaml"), "params: {}\n");
    const before = process.env.INIT_CWD;
    process.env.INIT_CWD = below;
    try {
      const o = parseNightlyArgs(["--no-build"], {});
      expect(o !== "help" && o.config).toBe(path.join(caller, "run-md.config.yaml"));
      expect(o !== "help" && runArgs("runbooks/x.md", o)).toContain(
        path.join(caller, "run-md.config.yaml"),
      );
      // RUN_MD_CONFIG, run-md's own way to name it, comes first.
      const named = parseNightlyArgs(["--no-build"], { RUN_MD_CONFIG: "/etc/run-md/prod.yaml" });
      expect(named !== "help" && named.config).toBe("/etc/run-md/prod.yaml");
    } finally {
      if (before === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = before;
      await rm(caller, { recursive: true, force: true });
    }
  });

  it("collects first from --collect or RUN_MD_COLLECT_SOURCE (a workflow's variable), 30 days by default", () => {
    const fromEnv = parseNightlyArgs([], { RUN_MD_COLLECT_SOURCE: "s3://trail/org" });
    expect(fromEnv !== "help" && fromEnv.collect).toEqual({
      source: "s3://trail/org",
      since: "30d",
    });
    // An empty variable (an unset repository variable in a workflow) is no collect.
    const unset = parseNightlyArgs([], { RUN_MD_COLLECT_SOURCE: "" });
    expect(unset !== "help" && unset.collect).toBeUndefined();
    const flag = parseNightlyArgs(["--collect", "/logs", "--collect-since", "7d"], {
      RUN_MD_COLLECT_SOURCE: "s3://trail",
      RUN_MD_COLLECT_PRUNE: "90d",
    });
    expect(flag !== "help" && flag.collect).toEqual({ source: "/logs", since: "7d", prune: "90d" });
    expect(() => parseNightlyArgs(["--collect-prune", "90d"], {})).toThrow(
      "--collect-prune needs --collect <source>",
    );
    expect(() => parseNightlyArgs(["--collect", "/logs", "--collect-prune", "a year"], {})).toThrow(
      '--collect-prune must be a duration such as 30d, got "a year"',
    );
    // A retention shorter than the window: every night's collect would refuse, collect nothing.
    // Named as it was given: the workflow's variable, or the flag.
    expect(() => parseNightlyArgs(["--collect", "/logs"], { RUN_MD_COLLECT_PRUNE: "7d" })).toThrow(
      "RUN_MD_COLLECT_PRUNE 7d is shorter than --collect-since 30d",
    );
    expect(() => parseNightlyArgs(["--collect", "/logs", "--collect-prune", "7d"], {})).toThrow(
      "--collect-prune 7d is shorter than --collect-since 30d",
    );
    expect(() =>
      parseNightlyArgs(["--collect", "/logs"], { RUN_MD_COLLECT_PRUNE: "a year" }),
    ).toThrow('RUN_MD_COLLECT_PRUNE must be a duration such as 30d, got "a year"');
  });

  it("keeps every report with --retention forever and rejects what it cannot read", () => {
    const o = parseNightlyArgs(["--retention", "forever"], {});
    expect(o !== "help" && o.retentionMs).toBeUndefined();
    expect(() => parseNightlyArgs(["--retention", "90 days"], {})).toThrow(
      /--retention must be a duration/,
    );
    expect(() => parseNightlyArgs(["--concurrency", "0"], {})).toThrow(/--concurrency/);
    expect(() => parseNightlyArgs(["--notify", "failed,exploded"], {})).toThrow(
      /unknown outcome "exploded" \(failed, errored, recovered, reminder\)/,
    );
    expect(() => parseNightlyArgs(["--notify", "passed"], {})).toThrow(
      /a run that passes again is "recovered"/,
    );
    expect(() => parseNightlyArgs(["--bogus"], {})).toThrow(/bogus/);
  });

  it("takes Node options for the site's build from RUN_MD_SITE_NODE_ARGS and refuses anything else", () => {
    expect(
      siteNodeArgs({ RUN_MD_SITE_NODE_ARGS: " --single-threaded  --max_old_space_size=4096 " }),
    ).toEqual(["--single-threaded", "--max_old_space_size=4096"]);
    expect(siteNodeArgs({})).toEqual([]);
    for (const bad of ["-e", "evil.js", "--require ./x.js"]) {
      expect(() => parseNightlyArgs([], { RUN_MD_SITE_NODE_ARGS: bad })).toThrow(
        /^RUN_MD_SITE_NODE_ARGS: ".+" is not a Node option/,
      );
    }
    // Options that have Node print, check or evaluate instead of building.
    for (const stop of ["--version", "--check", "--eval=1", "--v8_options", "--print=1"]) {
      expect(() => parseNightlyArgs([], { RUN_MD_SITE_NODE_ARGS: stop })).toThrow(
        `RUN_MD_SITE_NODE_ARGS: ${stop} would stop Node from running the site's build`,
      );
    }
    // Not building, the site's arguments are not read.
    expect(parseNightlyArgs(["--no-build"], { RUN_MD_SITE_NODE_ARGS: "x" })).not.toBe("help");
  });

  it("asks Node itself whether it takes RUN_MD_SITE_NODE_ARGS, before anything runs", async () => {
    await expect(checkSiteNodeArgs({ RUN_MD_SITE_NODE_ARGS: "--single-thread" })).rejects.toThrow(
      /^RUN_MD_SITE_NODE_ARGS: Node refuses --single-thread: .*bad option/,
    );
    await expect(
      checkSiteNodeArgs({ RUN_MD_SITE_NODE_ARGS: "--single-threaded" }),
    ).resolves.toBeUndefined();
    // Refused without a word on stderr: the exit code is the reason.
    const silent = await mkdtemp(path.join(tmpdir(), "run-md-site-args-"));
    try {
      await writeFile(path.join(silent, "fails.cjs"), "process.exit(3);\n");
      const args = `--require=${path.join(silent, "fails.cjs")}`;
      await expect(checkSiteNodeArgs({ RUN_MD_SITE_NODE_ARGS: args })).rejects.toThrow(
        `RUN_MD_SITE_NODE_ARGS: Node refuses ${args}: exit 3`,
      );
    } finally {
      await rm(silent, { recursive: true, force: true });
    }
    // The job stops there: exit 2, no runbook run, no report written.
    const reports = await mkdtemp(path.join(tmpdir(), "run-md-site-args-"));
    try {
      const res = await nightlyHere(["--reports-dir", reports], {
        env: { RUN_MD_SITE_NODE_ARGS: "--single-thread" },
      });
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/^error RUN_MD_SITE_NODE_ARGS: Node refuses --single-thread/);
      expect(await readdir(reports)).toEqual([]);
    } finally {
      await rm(reports, { recursive: true, force: true });
    }
  });

  it("puts a finished build in the published folder's place, through a link to it too (review)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-site-swap-"));
    try {
      const served = path.join(dir, "served");
      await mkdir(served);
      await writeFile(path.join(served, "index.html"), "old");
      const link = path.join(dir, "dist");
      await symlink(served, link);
      const target = await publishedFolder(link);
      expect(target).toBe(await realpath(served));
      const next = `${target}.next-1`;
      await mkdir(next);
      await writeFile(path.join(next, "index.html"), "new");
      await putInPlace(next, target);
      expect((await lstat(link)).isSymbolicLink()).toBe(true);
      expect(await readFile(path.join(link, "index.html"), "utf8")).toBe("new");
      expect((await readdir(dir)).sort()).toEqual(["dist", "served"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("does not take an exit 0 for a site: a build that wrote no index.html fails", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-site-args-"));
    const quits = path.join(dir, "quits.cjs");
    await writeFile(quits, "process.exit(0);\n");
    const before = process.env.RUN_MD_SITE_NODE_ARGS;
    process.env.RUN_MD_SITE_NODE_ARGS = `--require=${quits}`;
    // The site published before: a failed build leaves it whole (review: Astro empties its
    // output folder first, so the build now goes beside it and takes its place when done).
    await mkdir(path.join(dir, "out"));
    await writeFile(path.join(dir, "out", "index.html"), "the previous site");
    try {
      await expect(
        buildSite({ runbooksDir: dir, reportsDir: dir, outDir: path.join(dir, "out") }),
      ).rejects.toThrow(/the site build ended without writing .*out\.next-\d+\/index\.html/);
      expect(await readFile(path.join(dir, "out", "index.html"), "utf8")).toBe("the previous site");
      expect((await readdir(dir)).sort()).toEqual(["out", "quits.cjs"]);
    } finally {
      if (before === undefined) delete process.env.RUN_MD_SITE_NODE_ARGS;
      else process.env.RUN_MD_SITE_NODE_ARGS = before;
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("buildSite's inputs", () => {
  it("refuses a reports or runbooks folder that does not exist, naming it (a typo built a site of 'no run yet' everywhere)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-site-inputs-"));
    const missing = path.join(dir, "reprots");
    try {
      for (const [inputs, variable] of [
        [{ runbooksDir: dir, reportsDir: missing }, "RUN_MD_REPORTS_DIR"],
        [{ runbooksDir: missing, reportsDir: dir }, "RUN_MD_RUNBOOKS_DIR"],
      ] as const) {
        const built = buildSite({ ...inputs, outDir: path.join(dir, "out") });
        await expect(built).rejects.toThrow(SiteBuildError);
        const log = await built.catch((e: SiteBuildError) => e.log);
        expect(log).toContain(`${variable} names ${missing}, which is not a folder`);
      }
      expect((await readdir(dir)).sort()).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("selectNightly", () => {
  // 2026-11-24 is a Tuesday, 2026-11-30 a Monday (UTC).
  const tuesday = new Date("2026-11-24T05:17:00Z");
  const monday = new Date("2026-11-30T05:17:00Z");

  it("refuses a runbooks folder that holds no runbook: a night that checked nothing is no green night (review)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-select-"));
    try {
      await writeFile(path.join(dir, "README.md"), "# Our runbooks\n");
      await expect(selectNightly(dir, { now: tuesday })).rejects.toMatchObject({
        code: "no-runbooks",
        message: `no runbook in ${dir}: nothing was checked`,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("takes nightly runbooks, and those the parser rejects whose front matter says nightly", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-select-"));
    try {
      const write = (name: string, front: string) =>
        writeFile(path.join(dir, name), `---\n${front}\n---\n\n\`\`\`sql q\nSELECT 1\n\`\`\`\n`);
      await write("a-nightly.md", "title: A\nschedule: nightly\nseverity: high");
      await write("b-manual.md", "title: B\nschedule: manual");
      await write("c-broken-nightly.md", "title: C broken\nschedule: nightly\nseverity: urgent");
      await write("d-broken-default.md", "title: D\nseverity: urgent");
      await write("e-weekly.md", "title: E\nschedule: weekly");
      // A schedule that cannot be read is no "not due": taken, to be refused and escalated.
      await write("f-typo.md", "title: F\nschedule: nighty\nowner: sec@example.com");
      // So is a key misspelt (`scedule:`) and front matter left open: the schedule was not read.
      await write("g-key-typo.md", "title: G\nscedule: nightly");
      await writeFile(
        path.join(dir, "h-open.md"),
        "---\ntitle: H\nschedule: nightly\n```sql q\nSELECT 1\n```\n",
      );
      // A broken runbook that says nothing of a schedule was not meant for the night.
      await write("i-broken-manual.md", "title: I\nseverity: urgent\nschedule: manual");
      const selected = await selectNightly(dir, { now: tuesday });
      expect(selected.map((r) => [r.id, r.title, r.severity, r.owner])).toEqual([
        ["a-nightly", "A", "high", undefined],
        // A severity that is no severity, or front matter that cannot be read, is critical (as
        // trigger's errored report): a pager's minSeverity must not drop it.
        ["c-broken-nightly", "C broken", "critical", undefined],
        ["f-typo", "F", "medium", "sec@example.com"],
        ["g-key-typo", "G", "medium", undefined],
        ["h-open", "h-open", "critical", undefined],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reads a rejected runbook's front matter as the parser does: a byte-order mark or a quoted key leaves no due runbook out (its own regex did, in silence)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-select-"));
    try {
      // Each is rejected by the parser (an expect block that does not parse) and says nightly.
      const broken = (front: string) =>
        `---\n${front}\n---\n\n\`\`\`sql q\nSELECT 1\n\`\`\`\n\n\`\`\`expect\nrows ==\n\`\`\`\n`;
      // Saved by an editor that writes a UTF-8 byte-order mark (the parser drops it).
      await writeFile(
        path.join(dir, "bom.md"),
        `\uFEFF${broken("id: bom-one\ntitle: With a BOM\nschedule: nightly\nseverity: high")}`,
      );
      await writeFile(
        path.join(dir, "quoted.md"),
        broken(
          '"id": quoted-one\n"title": Quoted keys\n"schedule": nightly\n"owner": sec@example.com',
        ),
      );
      // A schedule that is no text was meant and not read: taken, to be refused and escalated.
      await writeFile(path.join(dir, "listed.md"), broken("title: Listed\nschedule: [nightly]"));
      // The truth, from the parser itself: each is rejected, and its front matter says nightly.
      for (const f of ["bom.md", "quoted.md"]) {
        const { runbook, frontMatter } = await loadRunbook(path.join(dir, f));
        expect([f, runbook, frontMatter.schedule]).toEqual([f, undefined, "nightly"]);
      }
      const selected = await selectNightly(dir, { now: tuesday });
      expect(selected.map((r) => [r.id, r.title, r.severity, r.owner])).toEqual([
        ["bom-one", "With a BOM", "high", undefined],
        ["listed", "Listed", "medium", undefined],
        ["quoted-one", "Quoted keys", "medium", "sec@example.com"],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses, with the reason, a due runbook whose id another runbook has (due or not, loading or not)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-select-"));
    try {
      const write = (name: string, front: string) =>
        writeFile(path.join(dir, name), `---\n${front}\n---\n\n\`\`\`sql q\nSELECT 1\n\`\`\`\n`);
      await write("a.md", "title: A\nid: same\nschedule: nightly");
      await write("b.md", "title: B\nid: same\nschedule: manual");
      await write("c.md", "title: C\nid: other\nschedule: nightly\nseverity: urgent");
      await write("d.md", "title: D\nid: other\nschedule: manual\nseverity: urgent");
      await write("e.md", "title: E\nschedule: nightly");
      const selected = await selectNightly(dir, { now: tuesday });
      expect(selected.map((r) => [r.id, r.refused ?? "runs"])).toEqual([
        [
          "same",
          `${dir}/a.md:1:1 error duplicate runbook id "same" (also ${dir}/b.md): set another id: in one of them, or rename its file [duplicate-runbook-id]`,
        ],
        [
          "other",
          `${dir}/c.md:1:1 error duplicate runbook id "other" (also ${dir}/d.md): set another id: in one of them, or rename its file [duplicate-runbook-id]`,
        ],
        ["e", "runs"],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("counts a cron runbook's times from its last full run: a late job skips none, an early one runs none twice (review)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-select-"));
    const reports = await mkdtemp(path.join(tmpdir(), "run-md-select-reports-"));
    try {
      await writeFile(
        path.join(dir, "mondays.md"),
        '---\ntitle: M\nschedule: "0 6 * * 1"\n---\n\n```sql q\nSELECT 1\n```\n',
      );
      // A report named by its start, as storeReport names them (a full run or an investigation).
      const ranAt = async (iso: string) => {
        await mkdir(path.join(reports, "mondays"), { recursive: true });
        const name = `${new Date(iso).toISOString().replaceAll(":", "-")}.json`;
        await writeFile(path.join(reports, "mondays", name), '{"status":"passed"}');
      };
      const due = async (iso: string) => {
        const now = new Date(iso);
        return (await selectNightly(dir, { now, lastRun: lastRunIn(reports, now) })).length === 1;
      };
      // Last run Monday 2026-11-23; this Monday's job came at 05:20 (06:00 not yet), Tuesday's
      // at 06:10 (the past day began Monday 06:10): the 24-hour rule skipped this Monday's time.
      await ranAt("2026-11-23T06:10:00Z");
      expect(await due("2026-11-30T05:20:00Z")).toBe(false);
      expect(await due("2026-12-01T06:10:00Z")).toBe(true);
      // Run on Monday 2026-12-07 at 06:10: Tuesday's 05:20 job does not run it again.
      await ranAt("2026-12-07T06:10:00Z");
      expect(await due("2026-12-08T05:20:00Z")).toBe(false);
      // An errored run read nothing: a report of one (a runner that died) is no run.
      await writeFile(
        path.join(reports, "mondays", "2026-12-07T06-10-00.000Z.json"),
        '{"status":"errored"}',
      );
      expect(await due("2026-12-08T05:20:00Z")).toBe(true);
      await ranAt("2026-12-07T06:10:00Z");
      // A report after the job's own time (a clock ahead) is passed over: Nov 23's counts.
      expect(await due("2026-12-01T06:10:00Z")).toBe(true);
      // Never run: the 24 hours before the job, as before.
      await rm(path.join(reports, "mondays"), { recursive: true });
      expect(await due("2026-12-08T05:20:00Z")).toBe(true);
      expect(await due("2026-12-09T05:20:00Z")).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(reports, { recursive: true, force: true });
    }
  });

  it("counts from the job's own record of runs: a run by hand or a --date replay takes no night's run away (red-team)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-select-"));
    const reports = await mkdtemp(path.join(tmpdir(), "run-md-select-reports-"));
    try {
      await writeFile(
        path.join(dir, "workdays.md"),
        '---\ntitle: W\nschedule: "0 6 * * 1-5"\n---\n\n```sql q\nSELECT 1\n```\n',
      );
      const due = async (iso: string) => {
        const now = new Date(iso);
        return (await selectNightly(dir, { now, lastRun: lastRunIn(reports, now) })).length === 1;
      };
      // Tuesday's job ran it (for Monday 06:00); a run by hand at 10:00 wrote a report after.
      await recordRuns(reports, ["workdays"], new Date("2026-12-01T05:17:00Z"));
      await mkdir(path.join(reports, "workdays"), { recursive: true });
      await writeFile(
        path.join(reports, "workdays", "2026-12-01T10-00-00.000Z.json"),
        '{"status":"passed"}',
      );
      // Wednesday's job still runs it for Tuesday 06:00 (the report alone said: ran at 10:00).
      expect(await due("2026-12-02T05:17:00Z")).toBe(true);
      expect(await lastRunIn(reports, new Date("2026-12-02T05:17:00Z"))("workdays")).toEqual({
        at: new Date("2026-12-01T05:17:00Z"),
        byJob: true,
      });
      // A record that is no record: the reports count, as before there was one.
      await writeFile(path.join(reports, RUNS_RECORD), "[]");
      expect(await due("2026-12-02T05:17:00Z")).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(reports, { recursive: true, force: true });
    }
  });

  it("a weekly runbook the job has not run since its day began is due the days after it (a job that crossed midnight UTC; red-team)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-select-"));
    const reports = await mkdtemp(path.join(tmpdir(), "run-md-select-reports-"));
    try {
      await writeFile(
        path.join(dir, "weekly.md"),
        "---\ntitle: W\nschedule: weekly\n---\n\n```sql q\nSELECT 1\n```\n",
      );
      const due = async (iso: string) => {
        const now = new Date(iso);
        return (await selectNightly(dir, { now, lastRun: lastRunIn(reports, now) })).length === 1;
      };
      // Ran by the job on Monday 2026-11-23; Monday 30's job came after midnight (Tuesday).
      await recordRuns(reports, ["weekly"], new Date("2026-11-23T05:17:00Z"));
      expect(await due("2026-12-01T00:05:00Z")).toBe(true);
      // Once it ran on Tuesday, Wednesday's job does not run it again.
      await recordRuns(reports, ["weekly"], new Date("2026-12-01T00:05:00Z"));
      expect(await due("2026-12-02T05:17:00Z")).toBe(false);
      expect(await due("2026-12-07T05:17:00Z")).toBe(true);
      // A report alone (a run by hand on Monday before the job) neither adds nor takes a run.
      await rm(path.join(reports, RUNS_RECORD));
      await mkdir(path.join(reports, "weekly"), { recursive: true });
      await writeFile(path.join(reports, "weekly", "2026-11-23T03-00-00.000Z.json"), "{}");
      expect(await due("2026-11-23T05:17:00Z")).toBe(true);
      expect(await due("2026-11-24T05:17:00Z")).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(reports, { recursive: true, force: true });
    }
  });

  it("takes weekly runbooks on the configured day, and cron schedules whose time fell in the past day", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-select-"));
    try {
      const write = (name: string, front: string) =>
        writeFile(path.join(dir, name), `---\n${front}\n---\n\n\`\`\`sql q\nSELECT 1\n\`\`\`\n`);
      await write("weekly.md", "title: W\nschedule: weekly");
      // Weekdays at 06:00 UTC: the 05:17 job on Tuesday runs it (Monday 06:00 was in its past
      // day); Monday's 05:17 job looks back to Sunday 05:17, and finds no time.
      await write("workdays.md", 'title: Workdays\nschedule: "0 6 * * 1-5"');
      // The first of the month at 04:00: due in the job of 2026-12-01 only.
      await write("monthly.md", 'title: Monthly\nschedule: "0 4 1 * *"');
      const ids = async (at: { now: Date; weeklyDay?: "monday" | "tuesday" }) =>
        (await selectNightly(dir, at)).map((r) => r.id);
      expect(await ids({ now: monday })).toEqual(["weekly"]);
      expect(await ids({ now: tuesday })).toEqual(["workdays"]);
      expect(await ids({ now: tuesday, weeklyDay: "tuesday" })).toEqual(["weekly", "workdays"]);
      expect(await ids({ now: new Date("2026-12-01T05:17:00Z") })).toEqual(["monthly", "workdays"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the summary", () => {
  it("lists each runbook with its findings, and totals that match the exit status", async () => {
    const failed = await fixtureReport("unauthorized-access");
    const errored = await fixtureReport("kms-key-deletion");
    const outcomes: NightlyResult["outcomes"] = [
      {
        runbookId: "unauthorized-access",
        title: "UA",
        severity: "high",
        status: "failed",
        exitCode: 1,
        durationMs: 1234,
        startedAt: failed.startedAt,
        report: failed,
        stderr: "",
      },
      {
        runbookId: "kms-key-deletion",
        title: "KMS",
        severity: "low",
        status: "errored",
        exitCode: 2,
        durationMs: 500,
        startedAt: errored.startedAt,
        report: errored,
        stderr: "",
      },
      {
        runbookId: "quiet",
        title: "Q",
        severity: "low",
        status: "passed",
        exitCode: 0,
        durationMs: 100,
        startedAt: "2026-11-23T02:00:00.000Z",
        stderr: "",
      },
      {
        runbookId: "gappy",
        title: "G",
        severity: "low",
        status: "passed",
        exitCode: 0,
        durationMs: 100,
        startedAt: "2026-11-23T02:00:00.000Z",
        // Passed over a window two of whose days had no logs: said, not a quiet line.
        report: {
          ...failed,
          status: "passed",
          steps: failed.steps.map((s, i) => ({
            ...s,
            checks: [],
            warnings:
              i === 0
                ? [
                    "the window's days 2026-11-20..2026-11-21 (UTC) have no log file with events",
                    "x",
                  ]
                : [],
          })),
        },
        stderr: "",
      },
    ];
    const result: NightlyResult = {
      outcomes,
      notifications: [{ target: "RUN_MD_WEBHOOK_URL", ok: true, attempts: 1, alerts: 2 }],
      pruned: ["x"],
      build: { ok: true, durationMs: 12_000, outDir: "site/dist" },
      interrupted: false,
      exitCode: exitCodeOf(outcomes),
    };
    expect(result.exitCode).toBe(2);
    const text = textSummary(result);
    expect(text).toContain(
      "max(calls) < 50 in denied_by_principal = 62; no principal like '%:root' in denied_by_principal = 1; rows == 0 in failed_console_logins = 1",
    );
    expect(text).toMatch(/errored\s+kms-key-deletion\s+0\.5 s\s+TABLE_NOT_FOUND/);
    expect(text).toContain(
      `warning in ${failed.steps[0]!.id}: the window's days 2026-11-20..2026-11-21 (UTC) have no log file with events (and 1 more)`,
    );
    expect(text).toMatch(/passed\s+quiet\s+0\.1 s\n/);
    expect(text).toContain(
      "4 runbooks: 1 failed, 1 errored, 2 passed · 1 notification target told · 1 old report pruned · site built in 12.0 s · exit 2",
    );
    const md = markdownSummary(result, "https://runbooks.example.test");
    expect(md).toContain(
      "| failed | [unauthorized-access](https://runbooks.example.test/runbooks/unauthorized-access/) | 1.2 s |",
    );
    expect(exitCodeOf(outcomes.slice(0, 1))).toBe(1);
    expect(exitCodeOf(outcomes.slice(2))).toBe(0);
  });
});

describe("the summary of a night over the bundled sample data (s61 left-out)", () => {
  it("says how many runbooks read it, in the totals of both summaries, and nothing otherwise", async () => {
    const report = { ...(await fixtureReport("unauthorized-access")), status: "passed" as const };
    const outcome = (id: string, sampleData: boolean): NightlyResult["outcomes"][number] => ({
      runbookId: id,
      title: id,
      severity: "low",
      status: "passed",
      exitCode: 0,
      durationMs: 100,
      startedAt: report.startedAt,
      report: sampleData ? { ...report, sampleData: true } : report,
      stderr: "",
    });
    const night = (outcomes: NightlyResult["outcomes"]): NightlyResult => ({
      outcomes,
      notifications: [],
      pruned: [],
      interrupted: false,
      exitCode: 0,
    });
    const said =
      "2 of them read the bundled sample data (local.logDir: sample), not your CloudTrail logs";
    const sample = night([outcome("a", true), outcome("b", false), outcome("c", true)]);
    expect(textSummary(sample)).toContain(`3 runbooks: 3 passed · ${said} · `);
    expect(markdownSummary(sample)).toContain(said);
    expect(textSummary(night([outcome("b", false)]))).not.toContain("sample data");
  });
});

describe("pruneReports", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "run-md-prune-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads the runner's file names as times", () => {
    expect(timeOfReportName("2026-11-24T01-23-45.123Z.json")).toBe(
      Date.parse("2026-11-24T01:23:45.123Z"),
    );
    expect(timeOfReportName("2026-11-24T01-23-45.123Z-1a2b3c4d.json")).toBe(
      Date.parse("2026-11-24T01:23:45.123Z"),
    );
    expect(timeOfReportName("notes.json")).toBeNaN();
  });

  it("deletes old reports, keeps latest.json, the newest report and every file not named as a report", async () => {
    const now = new Date("2026-11-24T03:00:00Z");
    const name = (daysAgo: number) =>
      `${new Date(now.getTime() - daysAgo * DAY).toISOString().replaceAll(":", "-")}.json`;
    const a = path.join(dir, "a");
    const b = path.join(dir, "b");
    await mkdir(a, { recursive: true });
    await mkdir(b, { recursive: true });
    for (const d of [1, 89, 91, 365]) await writeFile(path.join(a, name(d)), "{}");
    await writeFile(path.join(a, "latest.json"), "{}");
    await writeFile(
      path.join(a, "hand-written.json"),
      JSON.stringify({ startedAt: "2020-01-01T00:00:00Z" }),
    );
    await writeFile(path.join(a, "mystery.json"), "not json");
    for (const d of [200, 300]) await writeFile(path.join(b, name(d)), "{}");
    await writeFile(path.join(dir, "stray-file.json"), "{}");

    const result = await pruneReports(dir, 90 * DAY, now);
    // A file not named as run-md names reports (a note, a copy) is none, whatever it holds:
    // never deleted, however old the time inside it.
    expect(result.pruned.map((f) => path.relative(dir, f))).toEqual(
      [path.join("a", name(365)), path.join("a", name(91)), path.join("b", name(300))].sort(),
    );
    expect((await readdir(a)).sort()).toEqual(
      [name(89), name(1), "latest.json", "mystery.json", "hand-written.json"].sort(),
    );
    expect(await readdir(b)).toEqual([name(200)]);
  });

  it("keeps a runbook's newest full run when investigations came after it", async () => {
    const now = new Date("2026-11-24T03:00:00Z");
    const name = (daysAgo: number) =>
      `${new Date(now.getTime() - daysAgo * DAY).toISOString().replaceAll(":", "-")}.json`;
    const c = path.join(dir, "c");
    await mkdir(c, { recursive: true });
    const investigation = JSON.stringify({ kind: "investigation" });
    await writeFile(path.join(c, name(300)), JSON.stringify({ kind: "full" }));
    await writeFile(path.join(c, name(200)), "{}"); // an older report: a full run
    await writeFile(path.join(c, name(150)), investigation);
    await writeFile(path.join(c, name(120)), investigation);
    await pruneReports(dir, 90 * DAY, now);
    // The newest report (an investigation) and the newest full run stay; the rest goes.
    expect((await readdir(c)).sort()).toEqual([name(200), name(120)].sort());
  });
});
