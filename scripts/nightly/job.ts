/**
 * The nightly job: runs every `schedule: nightly` runbook through the real `run-md` command (a
 * few at a time), sends one summary of what changed to each notification target, prunes old
 * reports and builds the site.
 */
import { spawn } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import {
  configParamsFor,
  DELIVERY_LAG_MS,
  displayPath,
  duplicateIdErrors,
  findRunbooks,
  findStoredReport,
  formatDiagnostic,
  holdFileLock,
  isDue,
  isoSeconds,
  JOB_CATCH_UP_MS,
  listReports,
  loadRunbook,
  type MaskOptions,
  mapLimit,
  maskText,
  NAMED_SCHEDULES,
  pruneReports,
  RunMdError,
  type RunReport,
  scheduleProblem,
  timeOfReportName,
  type Weekday,
  type WindowSpec,
  windowNotReadFrom,
} from "@run-md/core";
import type { Delivery, Outcome } from "@run-md/notify";
import { frontMatterMeta } from "../../packages/cli/src/automation/load-each.ts";
import { loadConfig } from "../../packages/cli/src/config.ts";
import { configParamProblems } from "../../packages/cli/src/config-params.ts";
import { runbookIds } from "../../packages/cli/src/runbook-ids.ts";
import { buildSite, repoRoot } from "./build-site.ts";
import { checkCollectStore, collectFirst } from "./collect.ts";
import { storeLostRun } from "./lost-run.ts";
import { notifyNightly, orphanedAlerts } from "./notify.ts";
import type { NightlyOutcome } from "./outcome.ts";
import { clearPending, notePending, untoldRuns } from "./pending.ts";
import { RUNS_RECORD, type RunsRecord, readRunsRecord, recordRuns } from "./record.ts";

export const cliBin = path.join(repoRoot, "packages/cli/bin/run-md.cjs");

export interface NightlyOptions {
  runbooksDir: string;
  reportsDir: string;
  engine?: string;
  config?: string;
  /** `--since` for every run; default: each runbook's own window. */
  since?: string;
  /** Runbooks run at once. */
  concurrency: number;
  /** When the job runs, for which runbooks are due (`--date`; default now). */
  now?: Date;
  /** `--collect`: `run-md collect` from this source into local.store before the runs. */
  collect?: { source: string; since: string; prune?: string };
  /** Reports older than this are deleted; undefined keeps everything. */
  retentionMs?: number;
  /**
   * `--time-limit`: this long after the job started, the runs still going are stopped, and they
   * and the runbooks not started count as errored (`overTime`); undefined: no limit.
   */
  timeLimitMs?: number;
  /** Build the site after the runs. */
  build: boolean;
  outDir: string;
  /** RUN_MD_WEBHOOK_URL: a Slack target besides the configuration's `notify:` targets. */
  webhookUrl?: string;
  siteUrl?: string;
  /** `--notify`: the outcomes RUN_MD_WEBHOOK_URL is told about. */
  notify: readonly Outcome[];
  /** Called with each line of progress. */
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface NightlyRunbook {
  file: string;
  id: string;
  /** Its `schedule:` (unset for a runbook the parser rejects). */
  schedule?: string;
  title: string;
  severity: string;
  owner?: string;
  escalation?: string;
  /** Why it is not run (its id is another runbook's): reported as its error, exit 2. */
  refused?: string;
}

export interface NightlyResult {
  outcomes: NightlyOutcome[];
  /** One per notification target told something tonight. */
  notifications: Delivery[];
  /** Why someone may not have been told (a mistake in `notify:`, a notifier that crashed): exit 2. */
  notifyProblem?: string;
  /** No notification target is configured: a failure of the night was told to nobody. */
  noTarget?: true;
  pruned: string[];
  build?: { ok: true; durationMs: number; outDir: string } | { ok: false; error: string };
  /** `--date` to come: the runbooks it would run (none ran). */
  tried?: string[];
  /** `--collect`'s exit code when it failed (the runs went on, over what the store held). */
  collectFailed?: number;
  /** Runbooks whose windows had days without logs: the record stops there (`recordNight`). */
  heldBack?: string[];
  /** Open alerts of runbooks the job no longer runs (`orphanedAlerts`): said each night. */
  orphaned?: string[];
  interrupted: boolean;
  exitCode: number;
}

/** When a selection runs: its time, and the configured day of `schedule: weekly`. */
export interface DueAt {
  now: Date;
  weeklyDay?: Weekday;
  /** When a runbook last ran (`lastRunIn`), for cron and weekly schedules. */
  lastRun?: (id: string) => Promise<LastRun | undefined>;
}

/** When a runbook last ran, and whether the nightly job's own record says so. */
export interface LastRun {
  at: Date;
  /** From `.nightly-runs.json` (the job ran it then), not from the newest report. */
  byJob: boolean;
}

/** Whether a schedule is a cron expression (not `manual`, `nightly` or `weekly`). */
const isCron = (schedule: string) => !(NAMED_SCHEDULES as readonly string[]).includes(schedule);

const DAY_MS = 86_400_000;

/**
 * When each runbook last ran: the nightly job's record (`record.ts`); for a runbook it has no
 * record of (a job from before the record, a runbook new tonight), the newest report in its
 * folder of a run that read the logs (its name has the time; any kind: a job that always runs
 * with `--since` writes investigations only; review; an errored run is tried again). A
 * time after `now` (a clock ahead) is passed over; none: the 24 hours before the job.
 */
export function lastRunIn(
  reportsDir: string,
  now: Date = new Date(),
): (id: string) => Promise<LastRun | undefined> {
  let record: Promise<RunsRecord> | undefined;
  return async (id) => {
    record ??= readRunsRecord(reportsDir);
    const recorded = (await record).ranAt.get(id);
    if (recorded && recorded.getTime() <= now.getTime()) return { at: recorded, byJob: true };
    const runs = (await listReports(reportsDir, id))
      .map((file) => ({ file, at: timeOfReportName(path.basename(file)) }))
      .filter((r) => r.at <= now.getTime())
      .sort((a, b) => b.at - a.at);
    // A run that read nothing (errored: a runner that died, whose report the job stored, a
    // missing log folder) took no time of its schedule: the next night tries it again, as the
    // record does (review: a new cron runbook whose first run errored was not due for a week).
    // Never read at all: from the 24 hours before its first try, the period that try was for.
    let firstTry: number | undefined;
    for (const run of runs) {
      if (await readTheLogs(run.file)) return { at: new Date(run.at), byJob: false };
      firstTry = run.at;
    }
    return firstTry === undefined ? undefined : { at: new Date(firstTry - DAY_MS), byJob: false };
  };
}

/** Whether a stored report is of a run that read the logs (passed, warned or failed). */
async function readTheLogs(file: string): Promise<boolean> {
  try {
    const { status } = JSON.parse(await readFile(file, "utf8")) as { status?: unknown };
    return status === "passed" || status === "warned" || status === "failed";
  } catch {
    return false;
  }
}

/**
 * A runbook's id as the job names it: the parser's, or for one it rejects, the id its front
 * matter gives, else its file name's (`trigger`'s `frontMatterMeta`).
 */
function idOfLoaded(file: string, loaded: Awaited<ReturnType<typeof loadRunbook>>): string {
  return loaded.runbook?.meta.id ?? frontMatterMeta(file, loaded.frontMatter).id;
}

/**
 * The folder's runbooks by id, as the job names them (`idOfLoaded`): whether the job runs them
 * (a schedule other than `manual`, or one it cannot read, which it runs to report).
 */
async function nightlyIds(runbooksDir: string): Promise<Map<string, boolean>> {
  const ids = new Map<string, boolean>();
  for (const file of await findRunbooks([runbooksDir])) {
    const loaded = await loadRunbook(file);
    const fm = loaded.frontMatter;
    const schedule = loaded.runbook?.meta.schedule ?? (fm.scheduleUnread ? "" : fm.schedule);
    const id = idOfLoaded(file, loaded);
    ids.set(id, ids.get(id) === true || (schedule !== undefined && schedule !== "manual"));
  }
  return ids;
}

/**
 * The runbooks of a directory due tonight: `nightly` ones, `weekly` ones on the configured day,
 * those whose cron expression fell in the past day (core `isDue`). A runbook the parser rejects
 * is still taken when its front matter's schedule is due: the runner then reports its errors,
 * and the run counts as errored (it is exactly what a nightly job should tell someone about).
 */
export async function selectNightly(runbooksDir: string, at: DueAt): Promise<NightlyRunbook[]> {
  const due = async (schedule: string, id: string) => {
    const last = isCron(schedule) || schedule === "weekly" ? await at.lastRun?.(id) : undefined;
    // A weekly runbook catches up only from the job's own record: a run by hand on its day,
    // before the job, must not take the job's run away.
    const lastRun = schedule === "weekly" && !last?.byJob ? undefined : last?.at;
    return isDue(schedule, at.now, {
      ...(at.weeklyDay === undefined ? {} : { weeklyDay: at.weeklyDay }),
      ...(lastRun ? { lastRun } : {}),
    });
  };
  const files = await findRunbooks([runbooksDir]);
  // A night that checked nothing is no green night (a wrong folder, runbooks moved): as trigger.
  if (files.length === 0)
    throw new RunMdError("no-runbooks", `no runbook in ${runbooksDir}: nothing was checked`, {
      hint: "Point --runbooks (RUN_MD_RUNBOOKS_DIR) at the folder that holds the runbooks.",
    });
  const selected: NightlyRunbook[] = [];
  const ids: { file: string; id: string }[] = [];
  for (const file of files) {
    const loaded = await loadRunbook(file);
    const { runbook, frontMatter } = loaded;
    if (runbook) {
      ids.push({ file, id: idOfLoaded(file, loaded) });
      const { schedule } = runbook.meta;
      if (!(await due(schedule, runbook.meta.id)) && scheduleProblem(schedule) === undefined)
        continue;
      const m = runbook.meta;
      selected.push({
        file,
        id: m.id,
        schedule,
        title: m.title,
        severity: m.severity,
        ...(m.owner !== undefined ? { owner: m.owner } : {}),
        ...(m.escalation !== undefined ? { escalation: m.escalation } : {}),
      });
      continue;
    }
    // Its front matter as the parser read it (a byte-order mark, quoted keys: a regex of the
    // job's own left such a nightly runbook out, in silence), with trigger's defaults.
    const m = frontMatterMeta(file, frontMatter);
    ids.push({ file, id: m.id });
    // A schedule that cannot be read (`nighty`) cannot be said not to be due: the run is refused
    // with the parser's errors and escalated, never left out in silence (review).
    // So can a schedule the parser could not read at all (front matter not closed, `scedule:`).
    const { schedule } = frontMatter;
    if (
      frontMatter.scheduleUnread !== true &&
      (schedule === undefined || !(await due(schedule, m.id)))
    )
      continue;
    selected.push({
      file,
      id: m.id,
      title: m.title,
      severity: m.severity,
      ...(m.owner !== undefined ? { owner: m.owner } : {}),
      ...(m.escalation !== undefined ? { escalation: m.escalation } : {}),
    });
  }
  const clashes = duplicateIdErrors(ids);
  return selected.map((rb) => {
    const clash = clashes.get(rb.file);
    return clash ? { ...rb, refused: formatDiagnostic(clash) } : rb;
  });
}

/**
 * A run's status from its exit code and the report it printed. Exit 1 is a failed expectation
 * only with its report: a runner that died (an uncaught error also exits 1) errored.
 */
export function statusOf(
  exitCode: number | null,
  report: RunReport | undefined,
): NightlyOutcome["status"] {
  switch (exitCode) {
    case 0:
      // A run that printed no report passed nothing that can be shown.
      if (report === undefined) return "errored";
      return report.status === "warned" ? "warned" : "passed";
    case 1:
      return report ? "failed" : "errored";
    case 130:
      return "cancelled";
    default:
      return "errored";
  }
}

/**
 * The `run-md` arguments of one runbook's run. The runner works in the repository's folder, so a
 * runbook in it is named from there (`runbooks/audit-iam.md`), as `run-md run` names it: its
 * report's path and the messages its errors send (Slack, PagerDuty, an issue) do not carry the
 * machine's folders (`/home/runner/work/...`).
 */
export function runArgs(
  file: string,
  options: Pick<NightlyOptions, "reportsDir" | "engine" | "config" | "since" | "now">,
): string[] {
  const args = ["run", displayPath(file, repoRoot), "--reports-dir", options.reportsDir, "--json"];
  if (options.engine) args.push("--engine", options.engine);
  if (options.config) args.push("--config", options.config);
  if (options.since) args.push("--since", options.since);
  const to = catchUpEnd(options.now);
  if (to) args.push("--to", to);
  return args;
}

/**
 * `--date` in the past catches up a missed night: the runs read the windows that night's job
 * would have, ending then (review: they read the last 24 hours, and the missed night was never
 * read). An old night's run is an investigation: recorded and alerted, never the runbook's
 * status. A date to come only tries which runbooks a schedule takes.
 */
function catchUpEnd(date: Date | undefined): string | undefined {
  return date !== undefined && date.getTime() < Date.now() ? date.toISOString() : undefined;
}

/** The window flags `runArgs` gives a run (`--since`, a catch-up's `--to`). */
function windowAsked(options: Pick<NightlyOptions, "since" | "now">): WindowSpec {
  const to = catchUpEnd(options.now);
  return { ...(options.since ? { since: options.since } : {}), ...(to ? { to } : {}) };
}

/** Where the job puts a run's window (`RUN_MD_WINDOW_END`, `RUN_MD_WINDOW_START`). */
interface RunBounds {
  end?: string;
  start?: string;
}

/**
 * `bounds`: where the run's window ends and, when earlier, starts (`nightWindows`). What the
 * runner printed is kept masked as the configuration says (`mask:`), for the summary and the
 * GitHub job summary as for the notifications (red-team: an access key id in a runner's error).
 */
async function runOne(
  rb: NightlyRunbook,
  options: NightlyOptions,
  bounds: RunBounds,
  mask: MaskOptions,
): Promise<NightlyOutcome> {
  if (rb.refused !== undefined) return refusedOutcome(rb, rb.refused);
  const args = [cliBin, ...runArgs(rb.file, options)];
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const exitCode = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...(bounds.end ? { RUN_MD_WINDOW_END: bounds.end } : {}),
        ...(bounds.start ? { RUN_MD_WINDOW_START: bounds.start } : {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
      // Ctrl-C of the job cancels the runs the way Ctrl-C of `run-md` does.
      killSignal: "SIGINT",
      ...(options.signal ? { signal: options.signal } : {}),
    });
    child.stdout.on("data", (b: Buffer) => stdout.push(b));
    child.stderr.on("data", (b: Buffer) => stderr.push(b));
    child.on("error", (e) => {
      if ((e as Error).name !== "AbortError") stderr.push(Buffer.from(`${(e as Error).message}\n`));
    });
    child.on("close", (code, signal) => resolve(code ?? (signal === "SIGINT" ? 130 : null)));
  });
  const report = printedReport(stdout);
  const printed = Buffer.concat(stderr).toString("utf8");
  // A runner that left no report (killed, crashed) gets an errored one, unless cancelled.
  const lost =
    report === undefined && exitCode !== 130 && options.signal?.aborted !== true
      ? await storeLostRun(rb.file, options.reportsDir, {
          exitCode,
          stderr: printed,
          startedAt,
          mask,
          window: windowAsked(options),
          configParams: configuredParams(options, rb.id),
        })
      : undefined;
  const reportFile = report ? await findStoredReport(options.reportsDir, report) : lost?.reportFile;
  return {
    runbookId: report?.runbook.id ?? rb.id,
    title: report?.runbook.title ?? rb.title,
    severity: report?.runbook.severity ?? rb.severity,
    ...((report?.runbook.owner ?? rb.owner) !== undefined
      ? { owner: (report?.runbook.owner ?? rb.owner) as string }
      : {}),
    ...((report?.runbook.escalation ?? rb.escalation) !== undefined
      ? { escalation: (report?.runbook.escalation ?? rb.escalation) as string }
      : {}),
    status: statusOf(exitCode, report),
    exitCode,
    durationMs: performance.now() - started,
    startedAt: report?.startedAt ?? startedAt,
    ...(report ? { report } : {}),
    ...(lost ? { lostReport: lost.report } : {}),
    ...(reportFile ? { reportFile } : {}),
    stderr: maskText(printed, mask),
  };
}

/** The report a runner printed (`--json`: an array of run reports, one here), if it did. */
function printedReport(stdout: Buffer[]): RunReport | undefined {
  try {
    const parsed = JSON.parse(Buffer.concat(stdout).toString("utf8")) as unknown;
    const first = Array.isArray(parsed) ? (parsed[0] as RunReport | undefined) : undefined;
    if (first && typeof first === "object" && typeof first.runId === "string") return first;
  } catch {
    // No report: the runbook could not be parsed, or the runner died. stderr says why.
  }
  return undefined;
}

/** The outcome of a runbook not run: errored, exit 2, the reason where a runner prints it. */
function refusedOutcome(rb: NightlyRunbook, reason: string): NightlyOutcome {
  return {
    runbookId: rb.id,
    title: rb.title,
    severity: rb.severity,
    ...(rb.owner !== undefined ? { owner: rb.owner } : {}),
    ...(rb.escalation !== undefined ? { escalation: rb.escalation } : {}),
    status: "errored",
    exitCode: 2,
    durationMs: 0,
    startedAt: new Date().toISOString(),
    stderr: `${reason}\n`,
  };
}

export function exitCodeOf(outcomes: NightlyOutcome[]): number {
  if (outcomes.some((o) => o.status === "errored" || o.status === "cancelled")) return 2;
  if (outcomes.some((o) => o.status === "failed")) return 1;
  return 0;
}

/**
 * The configuration's `params:` of runbook `id`, as `run-md run` gives them its runner (none when
 * the configuration does not load: its runner errored then, without any).
 */
function configuredParams(options: NightlyOptions, id: string): Record<string, unknown> {
  try {
    return configParamsFor(loadConfig(options.config).params, id);
  } catch {
    return {};
  }
}

/**
 * A `params.<id>` naming no runbook of the configuration's folder nor of the night's (`run-md
 * check`'s error): a warning in the night's log, as `run-md run` gives it, since every night
 * then runs that runbook with its defaults.
 */
async function warnConfigParams(options: NightlyOptions): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(options.config);
  } catch {
    return; // said by configuredWeeklyDay
  }
  const ids = [...(await runbookIds(options.runbooksDir)).keys()];
  for (const d of await configParamProblems(config, ids)) {
    options.log(`warning ${d.file}:${d.line}:${d.column} ${d.message}`);
  }
}

/** The configuration's `mask:` (its error is said by configuredWeeklyDay). */
function configuredMask(options: NightlyOptions): MaskOptions {
  try {
    return loadConfig(options.config).mask;
  } catch {
    return {};
  }
}

/**
 * `nightly.weeklyDay` of the configuration. A configuration that does not load is said here and
 * the default day used: each run then reports the problem as its error, as before.
 */
function configuredWeeklyDay(options: NightlyOptions): Weekday {
  try {
    return loadConfig(options.config).nightly.weeklyDay;
  } catch (e) {
    options.log(`error ${(e as Error).message} (weekly runbooks run on mondays)`);
    return "monday";
  }
}

/**
 * The night's job, alone over its reports directory: two jobs at once (cron beside a manual run)
 * both paged and both wrote reports (review). A second one is refused before it runs anything.
 */
export async function runNightly(options: NightlyOptions): Promise<NightlyResult> {
  // What refuses the job refuses it before anything is written, its lock too.
  if (options.collect) checkCollectStore(options.config);
  await mkdir(options.reportsDir, { recursive: true });
  const release = await holdFileLock(
    path.join(options.reportsDir, ".nightly.lock"),
    (pid) =>
      new RunMdError(
        "nightly-busy",
        `another nightly job (process ${pid}) is running over ${options.reportsDir}`,
        {
          hint: "Let it finish: it runs, notifies and publishes what is due. A lock on another machine counts until a minute after that job stopped renewing it.",
        },
      ),
  );
  try {
    return await nightlyUnlocked(options);
  } finally {
    await release();
  }
}

/** `notifyProblem` when the notifier threw: nobody was told. */
const NOTIFY_FAILED = "notify FAILED";

/** Every target gets one summary of the night, about changes only; never loses a report. */
async function notifyTheNight(
  outcomes: NightlyOutcome[],
  options: NightlyOptions,
  earlier: NightlyOutcome[] = [],
): Promise<{ notifications: Delivery[]; notifyProblem?: string; noTarget?: true }> {
  try {
    const { deliveries, mistakes, noTarget, stateLost } = await notifyNightly(outcomes, {
      ...(earlier.length > 0 ? { earlier } : {}),
      ...(options.config ? { config: options.config } : {}),
      reportsDir: options.reportsDir,
      ...(options.siteUrl ? { siteUrl: options.siteUrl } : {}),
      ...(options.webhookUrl ? { webhookUrl: options.webhookUrl } : {}),
      webhookOn: options.notify,
      // A `--date` catch-up (a date to come notifies nothing).
      ...(options.now ? { catchUp: options.now } : {}),
      ...(options.since ? { since: options.since } : {}),
      log: options.log,
    });
    // A mistake in notify: may have kept someone from being told: the job's failure says so. So
    // does an alert state lost (damaged without a good copy, or not written): a recovery or an
    // alert a target missed may never be told (red-team: a warning line was all).
    const n = mistakes.length;
    const problems = [
      ...(n > 0 ? [`${n} mistake${n === 1 ? "" : "s"} in notify:`] : []),
      ...(stateLost ? ["alert state lost (see the warning)"] : []),
    ];
    return {
      notifications: deliveries,
      ...(noTarget ? { noTarget } : {}),
      ...(problems.length > 0 ? { notifyProblem: problems.join(", ") } : {}),
    };
  } catch (e) {
    // Nobody was told: the job still prunes, builds and prints its summary, and exits 2 so
    // the job's own failure tells someone.
    options.log(`error notifying: ${(e as Error).message}`);
    return { notifications: [], notifyProblem: NOTIFY_FAILED };
  }
}

/** How far back a nightly runbook's window reaches for the time since its previous run. */

/**
 * Each run's window bounds: every window ends at `end`; a `nightly` runbook's starts where its
 * previous night's ended when that is earlier than its own window allows (a job that started
 * later than the night before, a night the job did not run: red-team, that time was read by no
 * run), at most a week back. Other schedules keep their windows: a Monday runbook over 24 hours
 * reads Monday.
 */
async function nightWindows(
  options: NightlyOptions,
  end: Date | string | undefined,
): Promise<(rb: NightlyRunbook) => RunBounds> {
  if (end === undefined) return () => ({});
  const endAt = new Date(end);
  // `--since` asks for that period: an investigation, its window as given.
  const record =
    options.now || options.since ? undefined : await readRunsRecord(options.reportsDir);
  const readTo = record?.readTo ?? new Map<string, Date>();
  const floor = endAt.getTime() - JOB_CATCH_UP_MS;
  // A record that is there but is no record (cut, a merge's conflict markers): where each window's
  // reading stopped is not known, so every nightly window reads as far back as the job catches up
  // (red-team: it read as no record, and the nights it held back were read by no run, unsaid).
  if (record?.problem)
    options.log(
      `warning the job's record ${path.join(options.reportsDir, RUNS_RECORD)} is not a record of runs (${record.problem}): where each nightly runbook's reading stopped is not known, so each reads from ${isoSeconds(new Date(floor))} (${JOB_CATCH_UP_MS / 86_400_000} days back); tonight's runs write it afresh`,
    );
  return (rb) => {
    const previous =
      rb.schedule !== "nightly" ? undefined : record?.problem ? new Date(floor) : readTo.get(rb.id);
    const from = previous && Math.max(previous.getTime(), floor);
    if (previous && previous.getTime() < floor)
      options.log(
        `warning ${rb.id}: read from ${isoSeconds(new Date(floor))}, not from ${isoSeconds(previous)} where the job's record says its reading stopped (more than ${JOB_CATCH_UP_MS / 86_400_000} days back): logs of before then delivered since are read by no night`,
      );
    return {
      end: isoSeconds(endAt),
      ...(from && from < endAt.getTime() ? { start: isoSeconds(new Date(from)) } : {}),
    };
  };
}

/**
 * Records the runs of the night that read the logs, their windows read up to `readTo`, or, for a
 * `nightly` runbook (the one schedule whose window starts at the record), up to where its run
 * found days of its window without logs (`windowNotReadFrom`: red-team, logs of those
 * days delivered late were read by no later night), so the next night reads again from there; as
 * far back as the job catches up (`JOB_CATCH_UP_MS`), so a day that never gets logs holds no
 * runbook back for good.
 */
async function recordNight(
  options: NightlyOptions,
  runbooks: readonly NightlyRunbook[],
  outcomes: NightlyOutcome[],
  now: Date,
  readTo: Date | undefined,
  windows: ReadonlyMap<string, RunBounds>,
): Promise<string[]> {
  const ran = outcomes.filter((o) => ["passed", "warned", "failed"].includes(o.status));
  // Only a `nightly` runbook's window starts where the record says (`nightWindows`): weekly and
  // cron runbooks keep their own, which no hold-back moves (review: they were said to be read
  // again the next night, and were not).
  const nightly = new Set(runbooks.filter((rb) => rb.schedule === "nightly").map((rb) => rb.id));
  const held = new Map<string, Date>();
  for (const o of ran) {
    const from = nightly.has(o.runbookId) ? windowNotReadFrom(o.report) : undefined;
    if (readTo === undefined || from === undefined || Date.parse(from) >= readTo.getTime())
      continue;
    held.set(o.runbookId, new Date(from));
    options.log(
      `  held back ${o.runbookId}: its window is not known to be read from ${isoSeconds(new Date(from))} (days without logs): the next night reads again from there (${JOB_CATCH_UP_MS / 86_400_000} days back at most)`,
    );
  }
  await recordRuns(
    options.reportsDir,
    ran.map((o) => o.runbookId),
    now,
    readTo ? (id) => held.get(id) ?? readTo : await unreadStarts(options, ran, nightly),
    notReadStarts(nightly, ran, windows),
  ).catch((e: Error) => options.log(`warning the nightly's record of runs: ${e.message}`));
  return [...held.keys()];
}

/**
 * The `nightly` runbooks that read nothing tonight (errored, cancelled, not started) whose window
 * was given a start (`nightWindows`): where the next night is to read from again, should the
 * record have no entry of theirs (one that was no record, written afresh tonight).
 */
function notReadStarts(
  nightly: Set<string>,
  ran: NightlyOutcome[],
  windows: ReadonlyMap<string, RunBounds>,
): Map<string, Date> {
  const read = new Set(ran.map((o) => o.runbookId));
  const out = new Map<string, Date>();
  for (const id of nightly) {
    const start = windows.get(id)?.start;
    if (!read.has(id) && start !== undefined) out.set(id, new Date(start));
  }
  return out;
}

/**
 * After a failed collect no window counts as read, and a `nightly` runbook the record keeps no
 * reading of (its first night, a record written afresh) keeps where its window started: the next
 * good night reads from there (red-team: nothing was recorded, and that night read its own 24
 * hours, the failed night's never again). The others keep their entries.
 */
async function unreadStarts(
  options: NightlyOptions,
  ran: NightlyOutcome[],
  nightly: Set<string>,
): Promise<(id: string) => Date | undefined> {
  const known = (await readRunsRecord(options.reportsDir)).readTo;
  const starts = new Map(ran.map((o) => [o.runbookId, o.report?.window.start]));
  return (id) => {
    const start = starts.get(id);
    return nightly.has(id) && !known.has(id) && start ? new Date(start) : undefined;
  };
}

/**
 * The open alerts whose runbook is gone (removed, or its id changed while it failed) or made
 * `manual`, each said in the log: nothing will remind of them or resolve them (red-team: said
 * nowhere, night after night, while their PagerDuty incident or GitHub issue stayed open).
 */
async function warnOrphaned(options: NightlyOptions): Promise<string[]> {
  let ids: Map<string, boolean>;
  try {
    ids = await nightlyIds(options.runbooksDir);
  } catch (e) {
    // The runs are done and told: a folder changed since is said, never the job's end.
    options.log(`warning the open alerts were not checked: ${(e as Error).message}`);
    return [];
  }
  const run = new Set([...ids].filter(([, runs]) => runs).map(([id]) => id));
  const orphaned = await orphanedAlerts(options.reportsDir, run);
  for (const o of orphaned) {
    const why = ids.has(o.id)
      ? `its runbook in ${options.runbooksDir} is schedule: manual: the job no longer runs it`
      : `no runbook in ${options.runbooksDir} has that id (removed, or its id changed)`;
    options.log(
      `warning the alert of ${o.id} is open (failing since ${o.since}), and ${why}: no run will remind of it or resolve it; resolve it where it was told, then remove its entry from ${o.file}`,
    );
  }
  return orphaned.map((o) => o.id);
}

/** The runbooks due at `now`, said in the log. */
async function selectDue(options: NightlyOptions, now: Date): Promise<NightlyRunbook[]> {
  const weeklyDay = configuredWeeklyDay(options);
  // A cron runbook's times count from its last run (a job late or early skips none and runs
  // none twice); `--date` tries a schedule as if then, from the 24 hours before.
  const lastRun = options.now ? undefined : lastRunIn(options.reportsDir, now);
  const runbooks = await selectNightly(options.runbooksDir, {
    now,
    weeklyDay,
    ...(lastRun ? { lastRun } : {}),
  });
  options.log(
    `run-md nightly: ${runbooks.length} runbook${runbooks.length === 1 ? "" : "s"} due on ${now.toISOString().slice(0, 10)} (${weeklyDay}s for weekly ones) in ${options.runbooksDir}, ${options.concurrency} at a time`,
  );
  await warnConfigParams(options);
  return runbooks;
}

/**
 * `--date` to come tries a schedule: which runbooks it would take, run none (red-team: they ran
 * for real, became the runbooks' status and paged someone).
 */
async function trySchedule(options: NightlyOptions, now: Date): Promise<NightlyResult> {
  const runbooks = await selectDue(options, now);
  for (const rb of runbooks) options.log(`  due       ${rb.id}`);
  options.log(`${now.toISOString()} is to come: nothing is run, collected or told`);
  return {
    outcomes: [],
    notifications: [],
    pruned: [],
    tried: runbooks.map((rb) => rb.id),
    interrupted: false,
    exitCode: 0,
  };
}

/** Builds the site of the night's reports; a failure is the result's, not thrown. */
async function buildNightSite(
  options: NightlyOptions,
): Promise<NonNullable<NightlyResult["build"]>> {
  options.log(`building the site into ${options.outDir}`);
  try {
    const r = await buildSite({
      runbooksDir: options.runbooksDir,
      reportsDir: options.reportsDir,
      outDir: options.outDir,
      ...(options.siteUrl ? { siteUrl: options.siteUrl } : {}),
      ...(process.env.RUN_MD_SITE_BASE ? { base: process.env.RUN_MD_SITE_BASE } : {}),
      // Stopped with the job (SIGTERM): the previous site stays as it was.
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { ok: true, durationMs: r.durationMs, outDir: r.outDir };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** `40m`, `2h`, `15s`: a time limit as it would be written. */
function limitText(ms: number): string {
  for (const [unit, size] of [
    ["h", 3_600_000],
    ["m", 60_000],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${Number((ms / 1000).toFixed(1))}s`;
}

/** The longest delay a timer holds (Node fires a longer one after 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The runs' signal with the job's time limit (`--time-limit`, counted from `started`): aborted by
 * the job's own signal (Ctrl-C, SIGTERM) or when the limit is reached. Undefined without a limit.
 */
function timeLimit(
  options: NightlyOptions,
  started: number,
): { signal: AbortSignal; clear: () => void } | undefined {
  if (options.timeLimitMs === undefined) return undefined;
  const controller = new AbortController();
  const deadline = started + options.timeLimitMs;
  // A timer holds at most 2^31-1 ms (24.8 days): Node fires a longer one at once, which stopped
  // every run of a job given `--time-limit 30d` (review, 2026-12-07). Armed again until the end.
  let timer: ReturnType<typeof setTimeout>;
  const arm = () => {
    const left = Math.max(0, deadline - Date.now());
    timer = setTimeout(
      left > MAX_TIMER_MS ? arm : () => controller.abort(),
      Math.min(left, MAX_TIMER_MS),
    );
  };
  arm();
  const stop = () => controller.abort();
  options.signal?.addEventListener("abort", stop, { once: true });
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", stop);
    },
  };
}

/**
 * The night's outcomes once its time limit stopped it: a run stopped then, and a runbook not
 * started, is errored, with an errored report stored for it (its `latest.json` and its page say
 * so) and told as any errored run. A runbook that hangs must not go unsaid night after night, as
 * it did when the CI runner's limit killed the whole job (red-team).
 */
async function overTime(
  runbooks: readonly NightlyRunbook[],
  outcomes: NightlyOutcome[],
  options: NightlyOptions,
  mask: MaskOptions,
): Promise<NightlyOutcome[]> {
  const limit = limitText(options.timeLimitMs ?? 0);
  const byId = new Map(outcomes.map((o) => [o.runbookId, o]));
  let stopped = 0;
  let notStarted = 0;
  const out: NightlyOutcome[] = [];
  for (const rb of runbooks) {
    const ran = byId.get(rb.id);
    if (ran && ran.status !== "cancelled") {
      out.push(ran);
      continue;
    }
    const reason = ran
      ? `the job's time limit (${limit}) was reached: the run was stopped before it ended`
      : `the job's time limit (${limit}) was reached before it started`;
    if (ran) stopped++;
    else notStarted++;
    const startedAt = ran?.startedAt ?? new Date().toISOString();
    const lost = await storeLostRun(rb.file, options.reportsDir, {
      exitCode: ran?.exitCode ?? null,
      stderr: "",
      startedAt,
      mask,
      window: windowAsked(options),
      configParams: configuredParams(options, rb.id),
      reason,
    });
    const { report: _, reportFile: __, lostReport: ___, ...base } = ran ?? refusedOutcome(rb, "");
    out.push({
      ...base,
      status: "errored",
      exitCode: ran?.exitCode ?? null,
      startedAt,
      stderr: `${reason}\n`,
      ...(lost ? { lostReport: lost.report, reportFile: lost.reportFile } : {}),
    });
    options.log(`  ${"errored".padEnd(9)} ${rb.id} (${reason})`);
  }
  options.log(
    `time limit ${limit} reached: ${stopped} run${stopped === 1 ? "" : "s"} stopped, ${notStarted} not started: each counts as errored`,
  );
  return out;
}

async function nightlyUnlocked(options: NightlyOptions): Promise<NightlyResult> {
  // A collect that fails still lets the runs go on: a day the store lacks is an error of the
  // steps that need it, never a pass.
  // The job's time is when it started: a collect that ends after midnight UTC does not move
  // the night to the next day's schedules.
  const started = Date.now();
  const now = options.now ?? new Date();
  if (now.getTime() > Date.now()) return trySchedule(options, now);
  // The night's windows end CloudTrail's delivery lag before the job: what happened in the hour
  // before it may not be delivered yet, and the next night's windows start where these end.
  const windowEnd = options.now
    ? undefined
    : new Date(Math.floor((now.getTime() - DELIVERY_LAG_MS) / 1000) * 1000);
  const collected = options.collect
    ? await collectFirst(options, options.collect, cliBin, windowEnd)
    : undefined;
  const runbooks = await selectDue(options, now);
  const untold = await noteUntold(options, runbooks, started);
  const bounds = await nightWindows(options, collected?.to ?? windowEnd);
  // Each runbook's window, once: the record keeps a start for those that read nothing.
  const windows = new Map(runbooks.map((rb) => [rb.id, bounds(rb)]));
  const outcomes = await runDue(options, runbooks, windows, started);
  const interrupted = options.signal?.aborted ?? false;
  // The runs that finished are escalated even when the job is stopped (cancelled runs change
  // nothing): a failure it found must not wait for the next night that gets to its end.
  const { notifications, notifyProblem, noTarget } = await notifyTheNight(
    outcomes,
    options,
    untold?.outcomes,
  );
  // Told (a notify that threw told nothing: its runs stay for the next job).
  if (notifyProblem !== NOTIFY_FAILED)
    await clearPending(options.reportsDir).catch((e: Error) =>
      options.log(`warning the note of the runs not yet told could not be removed: ${e.message}`),
    );
  // Recorded once told: a job killed before (SIGKILL at a CI limit, the OOM killer) leaves the
  // night's windows unread and its runs not taken, so the next night runs them again over the
  // same time (red-team: recorded first, a killed job's findings were in no message, and the next
  // night read on from where they were).
  const heldBack =
    options.now || options.since
      ? []
      : await recordNight(options, runbooks, outcomes, now, readTo(collected, windowEnd), windows);
  const orphaned = await warnOrphaned(options);
  let pruned: string[] = [];
  if (options.retentionMs !== undefined && !interrupted) {
    pruned = (await pruneReports(options.reportsDir, options.retentionMs)).pruned;
  }

  const build = options.build && !interrupted ? await buildNightSite(options) : undefined;
  const collectFailed = collected && collected.code !== 0 ? collected.code : undefined;
  // Stopped before the runs were done, or during the build.
  const stopped = interrupted || (options.signal?.aborted ?? false);
  return {
    outcomes,
    notifications,
    ...(notifyProblem ? { notifyProblem } : {}),
    ...(noTarget ? { noTarget } : {}),
    pruned,
    ...(build ? { build } : {}),
    ...(collectFailed !== undefined ? { collectFailed } : {}),
    ...(heldBack.length > 0 ? { heldBack } : {}),
    ...(orphaned.length > 0 ? { orphaned } : {}),
    interrupted: stopped,
    exitCode: stopped
      ? 130
      : (build && !build.ok) || notifyProblem || collectFailed !== undefined
        ? 2
        : exitCodeOf(outcomes),
  };
}

/**
 * Where the night's runs are known to have read to. Schedules count from the nights the job ran
 * a runbook and read its logs (an errored run read nothing: tried again the next night); a
 * `--date` catch-up or a `--since` run is an investigation, not the night. After a collect that
 * failed (an object not read), the store may lack part of the window while its runs pass: the
 * window is not recorded as read, so the next night reads it again from where the last good
 * night ended (red-team: that time was never read by any run).
 */
function readTo(
  collected: { code: number; to: string | number | Date } | undefined,
  windowEnd: Date | undefined,
): Date | undefined {
  if (collected === undefined) return windowEnd;
  return collected.code === 0 ? new Date(collected.to) : undefined;
}

/**
 * Says the runs the job before this one did not tell (their reports are told tonight), and notes
 * tonight's and theirs as untold until the night is: a job that ends before leaves them to the
 * next one (pending.ts).
 */
async function noteUntold(
  options: NightlyOptions,
  runbooks: readonly { id: string }[],
  started: number,
): Promise<Awaited<ReturnType<typeof untoldRuns>>> {
  const untold = await untoldRuns(options.reportsDir);
  if (untold)
    options.log(
      `warning the previous job over ${options.reportsDir} (started ${untold.startedAt}) ended before it told its runs: ${untold.outcomes.length} of their reports ${untold.outcomes.length === 1 ? "is" : "are"} told now`,
    );
  await notePending(options.reportsDir, untold ? new Date(untold.startedAt) : new Date(started), [
    ...new Set([...(untold?.runbooks ?? []), ...runbooks.map((rb) => rb.id)]),
  ]).catch((e: Error) =>
    options.log(`warning the note of the runs not yet told could not be written: ${e.message}`),
  );
  return untold;
}

/**
 * Runs the night's runbooks, each over its window, within the job's time limit: those the limit
 * stopped are reported as such (`overTime`).
 */
async function runDue(
  options: NightlyOptions,
  runbooks: Parameters<typeof overTime>[0],
  windows: Map<string, Parameters<typeof runOne>[2]>,
  started: number,
): Promise<NightlyOutcome[]> {
  const mask = configuredMask(options);
  const limit = timeLimit(options, started);
  const runOptions = limit ? { ...options, signal: limit.signal } : options;
  const outcomes = await mapLimit(
    runbooks,
    options.concurrency,
    async (rb) => {
      const outcome = await runOne(rb, runOptions, windows.get(rb.id) ?? {}, mask);
      options.log(
        `  ${outcome.status.padEnd(9)} ${outcome.runbookId} (${(outcome.durationMs / 1000).toFixed(1)} s)`,
      );
      return outcome;
    },
    runOptions.signal,
  );
  limit?.clear();
  const interrupted = options.signal?.aborted ?? false;
  return limit?.signal.aborted && !interrupted
    ? overTime(runbooks, outcomes, options, mask)
    : outcomes;
}
