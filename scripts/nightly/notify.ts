/**
 * The nightly job's escalations through `@run-md/notify`: after every runbook has run, one call
 * for all their outcomes, so each target gets one summary message (PagerDuty and GitHub: one
 * event or issue per runbook), and only about what changed since the previous night (the
 * alert state file lives with the reports). The targets are the configuration's `notify:`
 * section and, when RUN_MD_WEBHOOK_URL is set, a Slack target at that address.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  type MaskOptions,
  type RunReport,
  reportFilePath,
  reportKind,
  SEVERITIES,
  type Severity,
} from "@run-md/core";
import {
  DEFAULT_RETRY,
  type Delivery,
  deliveryProblems,
  investigationDigest,
  type NotifyConfig,
  notify,
  type Outcome,
  parseNotifyConfig,
  type RunToNotify,
  readStateText,
  STATE_FILE,
  targetIdOf,
} from "@run-md/notify";
import { loadConfig } from "../../packages/cli/src/config.ts";
import type { NightlyOutcome } from "./outcome.ts";

/** Who claims the nightly job's alerts (`notify`'s `claimant`): every nightly job over the reports. */
export const NIGHTLY_CLAIMANT = "run-md nightly";

/** The name RUN_MD_WEBHOOK_URL's target goes by in the job's messages. */
export const WEBHOOK_TARGET = "RUN_MD_WEBHOOK_URL";

export interface NightlyNotifyOptions {
  /** `--config` (default ./run-md.config.yaml). */
  config?: string;
  reportsDir: string;
  /** RUN_MD_SITE_URL, when the configuration names no site.url. */
  siteUrl?: string;
  /** RUN_MD_WEBHOOK_URL: a Slack incoming webhook (or anything that accepts its JSON). */
  webhookUrl?: string;
  /** `--notify`: the outcomes RUN_MD_WEBHOOK_URL is told about (default: all). */
  webhookOn?: readonly Outcome[];
  log: (line: string) => void;
  now?: Date;
  /** `--date` in the past: the night caught up, which keeps its investigations apart. */
  catchUp?: Date;
  /** `--since`: the window asked, which keeps its investigations apart too. */
  since?: string;
  /**
   * The full runs of a job that ended before it told them (`pending.ts`): told with the night's,
   * whose own run of a runbook wins when as bad.
   */
  earlier?: NightlyOutcome[];
}

/**
 * The configuration's targets plus RUN_MD_WEBHOOK_URL's; undefined when there are none. Each
 * mistake of the configuration is logged and added to `mistakes`.
 */
function targetsOf(
  options: NightlyNotifyOptions,
  mistakes: string[],
): (NotifyConfig & { mask: MaskOptions }) | undefined {
  let notifyConfig: NotifyConfig = { targets: [], retry: { ...DEFAULT_RETRY } };
  // What a run that left no report printed is masked as the configuration says.
  let mask: MaskOptions = {};
  try {
    const config = loadConfig(options.config);
    mask = config.mask;
    if (config.notify) {
      // A wrong key or target is said and skipped: the other targets are still told.
      notifyConfig = parseNotifyConfig(config.notify, config.located, process.env, (e) => {
        mistakes.push(e.message);
        options.log(`error notify: ${e.message} (the other targets are still told)`);
      });
    }
    if (config.site.url) notifyConfig.siteUrl = config.site.url;
  } catch (e) {
    // The runs are done and their reports written: a configuration that does not load is
    // said, and RUN_MD_WEBHOOK_URL is still told.
    mistakes.push((e as Error).message);
    options.log(`error notify: ${(e as Error).message}`);
  }
  if (options.webhookUrl) {
    notifyConfig.targets.push({
      type: "slack",
      id: targetIdOf({ type: "slack", name: WEBHOOK_TARGET, urlEnv: "RUN_MD_WEBHOOK_URL" }),
      name: WEBHOOK_TARGET,
      url: options.webhookUrl,
      minSeverity: "info",
      on: [...(options.webhookOn ?? ["failed", "errored", "recovered", "reminder"])],
    });
  }
  if (notifyConfig.targets.length === 0) return undefined;
  notifyConfig.siteUrl ??= options.siteUrl;
  return { ...notifyConfig, mask };
}

/** A run as `@run-md/notify` takes it: its stored report, or what the runner said instead. */
function runOf(
  o: NightlyOutcome,
  reportsDir: string,
  mask: MaskOptions,
  asked: Pick<NightlyNotifyOptions, "catchUp" | "since"> = {},
): RunToNotify[] {
  if (o.report) {
    // Where `run-md run` stored it (core's storeReport names it after its start).
    const stored = reportFilePath(reportsDir, o.report);
    const run = { report: o.report, reportFile: o.reportFile ?? stored };
    // A run over another window (`--since`) is an investigation: alerted and recovered apart,
    // as a triggered run is; it never opens or resolves the runbook's own alert (review).
    // A caught-up night, or a --since window, is an incident of its own: Wednesday's quiet
    // catch-up must not resolve what Tuesday's found, nor a quiet hour what 7 days found
    // (red-team); the same --since every night is one investigation.
    if (reportKind(o.report) !== "investigation") return [run];
    return [{ ...run, investigation: investigationOf(o.runbookId, o.report, asked) }];
  }
  if (o.status !== "errored") return [];
  // A runner that died over another window (a --date catch-up, a --since) is that window's
  // investigation, as its report would have been: under the runbook's own key it was told as
  // the runbook erroring, and its next night "recovered" (noise, then a false recovery).
  const lost =
    o.lostReport && reportKind(o.lostReport) === "investigation" ? o.lostReport : undefined;
  return [
    {
      ...(lost ? { investigation: investigationOf(o.runbookId, lost, asked) } : {}),
      crashed: {
        runbook: {
          id: o.runbookId,
          title: o.title,
          // A runbook the parser rejected may name no valid severity (`urgent`, `Critical`): it
          // is told as critical, never medium, which a pager's minSeverity would have dropped
          // (red-team). A runbook that names none has the default (job.ts: medium).
          severity: SEVERITIES.includes(o.severity as Severity)
            ? (o.severity as Severity)
            : "critical",
          ...(o.owner ? { owner: o.owner } : {}),
          ...(o.escalation ? { escalation: o.escalation } : {}),
        },
        startedAt: o.startedAt,
        stderr: o.stderr,
        exitCode: o.exitCode,
        mask,
      },
    },
  ];
}

/** The investigation a run over another window is (`investigationDigest`): each night, each --since apart. */
function investigationOf(
  runbookId: string,
  report: RunReport,
  asked: Pick<NightlyNotifyOptions, "catchUp" | "since">,
): string {
  const { catchUp, since } = asked;
  const what = [catchUp && `night:${catchUp.toISOString()}`, since && `since:${since}`];
  const incident = what.filter((w) => w !== undefined).join(" ") || undefined;
  return investigationDigest(runbookId, report.params, incident);
}

export interface NightlyNotified {
  /** One per target told (none when no target is configured). */
  deliveries: Delivery[];
  /** The configuration's mistakes (a wrong key or target of `notify:`): the job exits 2. */
  mistakes: string[];
  /** No notification target at all (no `notify:` target, RUN_MD_WEBHOOK_URL unset or empty). */
  noTarget?: true;
  /**
   * The alert state was damaged with no good copy, or not written (`NotifyResult.stateLost`): a
   * recovery or a missed alert may never be told, a failure told again. The job exits 2.
   */
  stateLost?: true;
}

/** Sends the night's alerts. */
export async function notifyNightly(
  outcomes: NightlyOutcome[],
  options: NightlyNotifyOptions,
): Promise<NightlyNotified> {
  const mistakes: string[] = [];
  const notifyConfig = targetsOf(options, mistakes);
  if (!notifyConfig) return { deliveries: [], mistakes, noTarget: true };
  const runs = [...outcomes, ...(options.earlier ?? [])].flatMap((o) =>
    runOf(o, options.reportsDir, notifyConfig.mask, options),
  );
  const { alerts, deliveries, problems, stateLost } = await notify(runs, notifyConfig, {
    reportsDir: options.reportsDir,
    // Each alert is stored as not yet told (`untold`, `pending`) before any message goes out,
    // then settled: a job killed while it tells (a webhook that hangs, SIGKILL at a CI limit)
    // leaves them for the next notify, a cron or weekly runbook's too, which the next night does
    // not run (red-team: its failure was told to nobody). The reports directory's lock keeps
    // nightly jobs one at a time, so a claim of the job's is a dead job's: the next one tells it.
    claim: async () => undefined,
    claimant: NIGHTLY_CLAIMANT,
    ...(options.now ? { now: options.now } : {}),
  });
  for (const p of problems ?? []) options.log(`warning ${p}`);
  if (alerts.length > 0) {
    const sent = deliveries.filter((d) => d.ok).length;
    const n = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
    options.log(
      `notified ${sent} of ${n(deliveries.length, "target")} about ${n(alerts.length, "change")}`,
    );
  }
  for (const line of deliveryProblems(deliveries)) options.log(`  ${line}`);
  return { deliveries, mistakes, ...(stateLost ? { stateLost: true as const } : {}) };
}

/**
 * The runbooks' own alerts still open in the alert state (failing, not an investigation) whose id
 * is none of `ids`, the runbooks the job runs: removed, its id changed, or made `manual` while it
 * failed. No nightly run of that id comes again to remind of it or resolve it (a run by hand tells
 * no one); the job says so each night. None when the state cannot be read (its problems are said
 * by the notifier).
 */
export async function orphanedAlerts(
  reportsDir: string,
  ids: ReadonlySet<string>,
): Promise<{ id: string; since: string; file: string }[]> {
  const file = path.join(reportsDir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return [];
  }
  const read = readStateText(text);
  if (!("state" in read)) return [];
  return Object.entries(read.state.runbooks)
    .filter(([key, entry]) => entry.failing && !key.includes("#") && !ids.has(key))
    .map(([id, entry]) => ({ id, since: entry.since, file }));
}
