/**
 * What runs on AWS for each EventBridge event: `trigger` (the matching runbooks, with the
 * event's parameters and window), then the reports published to S3 and the escalations sent.
 * The Lambda handler (`run-md/lambda`) and the container's entry point both call `handleEvent`;
 * everything comes from the environment (docs/automation.md):
 *
 * - `RUN_MD_RUNBOOKS_DIR` (default `runbooks`), `RUN_MD_CONFIG` (default: run-md.config.yaml in the working folder or the nearest above)
 * - `RUN_MD_REPORTS_DIR` (default `<tmp>/run-md/reports`: Lambda may only write under /tmp)
 * - `RUN_MD_REPORTS_BUCKET`, `RUN_MD_REPORTS_PREFIX` (default `reports/`), `RUN_MD_S3_ENDPOINT`
 */
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { formatDiagnostic, printable } from "@run-md/core";
import {
  type AlertState,
  deliveryProblems,
  emptyState,
  INVESTIGATION_QUIET_MS,
  investigationDigest,
  notify,
  parseNotifyConfig,
  parseState,
  type RunToNotify,
  STATE_FILE,
} from "@run-md/notify";
import {
  claimState,
  type FetchedState,
  fetchState,
  publishReport,
  type S3Target,
  s3Client,
  storeState,
} from "./publish.ts";
import {
  againAt,
  checkEvent,
  outcomeSummary,
  parseEvent,
  type TriggerOutcome,
  triggerEvent,
} from "./trigger-run.ts";

export interface HandlerResult {
  matched: {
    runbook: string;
    reason: string;
    status?: string;
    reportKeys?: string[];
    /** Why its report could not be written locally (it is still escalated): exit 2. */
    reportError?: string;
    /**
     * Why its report could not be published to the bucket (the site never shows it, and the
     * alert's link leads nowhere; it is still escalated): the container exits 2.
     */
    publishError?: string;
    /** A runbook that does not load: its file and its problems (file:line:column). */
    file?: string;
    problems?: string[];
  }[];
  skipped: { runbook: string; reason: string; file?: string; problems?: string[] }[];
  notifications: {
    target: string;
    ok: boolean;
    attempts: number;
    alerts: number;
    error?: string;
  }[];
  /** Runbooks that do not load, failed notifications and publishing, as sentences (also logged). */
  problems: string[];
  /**
   * When a run's window ends after it ran (the `after` part of a trigger's window, for an event
   * that just happened), the instant after which the same event, handled again, reads every
   * run's window whole (trigger-run.ts `againAt`; a Step Functions `Wait` state's `TimestampPath`,
   * docs/automation.md). Unset when every window was read to its end.
   */
  again?: string;
  /**
   * Mistakes of the configuration's `notify:` section (also in `problems`): each is said, the
   * other targets are still told, and the container exits 2.
   */
  notifyMistakes?: string[];
}

export interface HandlerOptions {
  env?: NodeJS.ProcessEnv;
  /** Log lines (the Lambda's CloudWatch log; the container's stderr). */
  log?: (line: string) => void;
  /**
   * Who claims the alerts (`notify`'s `claimant`): the Lambda's request id, which its retry of
   * an invocation that failed (a timeout, out of memory) keeps, so the retry tells what its dead
   * attempt claimed. Not the event's id: one event is several invocations at once when several
   * runbooks' rules match it (`run-md rules` makes one rule per trigger), and those must not
   * take each other's claims for their own.
   */
  claimant?: string;
}

function s3Target(env: NodeJS.ProcessEnv): S3Target | undefined {
  const bucket = env.RUN_MD_REPORTS_BUCKET;
  if (!bucket) return undefined;
  // A folder, as the site reads it: `team-a` is `team-a/` (red-team: `team-aaudit-iam/...` keys,
  // and an alert state beside the prefix, that no site read).
  const prefix = env.RUN_MD_REPORTS_PREFIX ?? "reports/";
  return {
    bucket,
    prefix: prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`,
    ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
    ...(env.RUN_MD_S3_ENDPOINT ? { endpoint: env.RUN_MD_S3_ENDPOINT } : {}),
  };
}

/** A stream that hands each complete line to `log`. */
function lineWriter(log: (line: string) => void): Writable {
  let pending = "";
  return new Writable({
    write(chunk, _encoding, done) {
      const lines = (pending + String(chunk)).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line) log(line);
      done();
    },
  });
}

/** Runs the runbooks an event starts, publishes their reports, sends the escalations. */
export async function handleEvent(
  event: unknown,
  options: HandlerOptions = {},
): Promise<HandlerResult> {
  const env = options.env ?? process.env;
  // CloudWatch keeps each line, and `aws logs tail` prints it on a terminal: escaped (printable).
  const log = options.log ?? ((line: string) => console.log(printable(line)));
  const parsed =
    typeof event === "string"
      ? parseEvent(event, "the event")
      : checkEvent(event ?? null, "the event");
  const reportsDir = path.resolve(
    env.RUN_MD_REPORTS_DIR ?? path.join(tmpdir(), "run-md", "reports"),
  );
  await mkdir(reportsDir, { recursive: true });
  const result = await triggerEvent(parsed, {
    runbooks: [env.RUN_MD_RUNBOOKS_DIR ?? "runbooks"],
    ...(env.RUN_MD_CONFIG ? { configFile: env.RUN_MD_CONFIG } : {}),
    reportsDir,
    out: lineWriter(log),
    quiet: true,
  });
  const problems: string[] = [];
  const target = s3Target(env);
  const client = target ? s3Client(target) : undefined;
  const keys = new Map<TriggerOutcome, string[]>();
  const unpublished = new Map<TriggerOutcome, string>();
  // A runbook whose pattern matched but whose parameters the event lacks should have run; one
  // that does not load is said too, whether the event was for it (then escalated) or not.
  for (const o of result.outcomes) {
    if (o.reportError)
      problems.push(`${o.runbook.meta.id}'s report could not be stored: ${o.reportError}`);
    if (o.broken) problems.push(brokenProblem(o));
    else if (!o.plan.matched && o.plan.unresolved)
      problems.push(`${o.runbook.meta.id} did not run: ${o.plan.reason}`);
  }
  try {
    for (const o of result.outcomes) {
      if (!client || !target || !o.reportFile) continue;
      try {
        keys.set(o, await publishReport(client, target, o.reportFile));
      } catch (e) {
        unpublished.set(o, (e as Error).message);
        problems.push(
          `publishing ${o.runbook.meta.id}'s report to s3://${target.bucket} failed: ${(e as Error).message}`,
        );
      }
    }
    const mistakes: string[] = [];
    const notifications = await escalate(
      result,
      reportsDir,
      { client, target, claimant: options.claimant },
      {
        problems,
        mistakes,
      },
    );
    for (const p of problems) log(`warning ${p}`);
    const again = againAt(result.outcomes);
    return {
      ...outcomeSummary(result.outcomes, (o) => ({
        ...(keys.has(o) ? { reportKeys: keys.get(o)! } : {}),
        ...(unpublished.has(o) ? { publishError: unpublished.get(o)! } : {}),
      })),
      notifications,
      problems,
      ...(mistakes.length > 0 ? { notifyMistakes: mistakes } : {}),
      ...(again === undefined ? {} : { again }),
    };
  } finally {
    client?.destroy();
  }
}

/**
 * `notify`'s `claim` over the state object in S3, from the version `fetched`; `now` hears the
 * version stored (or another invocation's, to plan again from), for the state stored at the end.
 */
function claimIn(
  client: ReturnType<typeof s3Client>,
  target: S3Target,
  key: string,
  fetched: FetchedState,
  now: (f: FetchedState) => void,
): (planned: AlertState) => Promise<AlertState | undefined> {
  let version = fetched;
  return async (planned) => {
    const r = await claimState(client, target, key, planned, version);
    version = "stored" in r ? r.stored : r.theirs;
    now(version);
    if ("stored" in r) return undefined;
    const where = `s3://${target.bucket}/${key}`;
    return r.theirs.text === null ? emptyState() : parseState(r.theirs.text, where);
  };
}

/** `runbooks/x.md does not load (...): runbooks/x.md:12:1 error ... [rule]; ...`. */
function brokenProblem(o: TriggerOutcome): string {
  const { file, problems, escalated } = o.broken!;
  const why = escalated
    ? `${o.plan.reason}, so ${o.runbook.meta.id} did not run and is reported as errored`
    : `the event was not for it (${o.plan.reason})`;
  return `${file} does not load (${why}): ${problems.map(formatDiagnostic).join("; ")}`;
}

/**
 * The runs to notify of. Each matched runbook's run investigates the event's incident: alerted
 * apart from the runs for other keys (its digest is of the parameters as the event gave them,
 * before masking).
 */
function investigations(result: Awaited<ReturnType<typeof triggerEvent>>): RunToNotify[] {
  return result.outcomes.flatMap((o) =>
    o.report
      ? [
          {
            report: o.report,
            ...(o.reportFile ? { reportFile: o.reportFile } : {}),
            ...(o.plan.matched
              ? {
                  investigation: investigationDigest(
                    o.runbook.meta.id,
                    o.plan.params,
                    o.plan.incident,
                  ),
                  // The event's parameters, not the runbook's defaults (a default regular
                  // expression filled the alert's subject, which SNS then cut).
                  about: Object.keys(o.plan.params),
                }
              : o.plan.unresolved
                ? // An event it could not run on: that event's investigation (core TriggerMiss).
                  { investigation: investigationDigest(o.runbook.meta.id, {}, o.plan.incident) }
                : {}),
          },
        ]
      : [],
  );
}

/** Notifies (when the configuration has `notify:`), with the state file kept in S3 if there is a bucket. */
async function escalate(
  result: Awaited<ReturnType<typeof triggerEvent>>,
  reportsDir: string,
  {
    client,
    target,
    claimant,
  }: { client?: ReturnType<typeof s3Client>; target?: S3Target; claimant?: string | undefined },
  { problems, mistakes }: { problems: string[]; mistakes: string[] },
): Promise<HandlerResult["notifications"]> {
  const runs = investigations(result);
  if (!result.config.notify || runs.length === 0) return [];
  // The runs are done: a wrong target or key is said, and the other targets are still told
  // (a throw here would have Lambda run the investigation again: red-team).
  const config = parseNotifyConfig(
    result.config.notify,
    result.config.located,
    process.env,
    (e) => {
      mistakes.push(e.message);
      problems.push(`notify: ${e.message} (the other targets are still told)`);
    },
  );
  if (result.config.site.url) config.siteUrl = result.config.site.url;
  const stateFile = path.join(reportsDir, STATE_FILE);
  const stateKey = `${target?.prefix ?? ""}${STATE_FILE}`;
  // A state that cannot be fetched (S3 down, or 403 for a key not yet written when the role may
  // not s3:ListBucket) must not silence the escalations: they go out as if nothing had been
  // told yet, from an empty state, and that state is not stored over the one we could not read.
  let fetched: FetchedState | undefined;
  if (client && target) {
    try {
      fetched = await fetchState(client, target, stateKey, stateFile);
    } catch (e) {
      problems.push(
        `the alert state could not be fetched from s3://${target.bucket}/${stateKey} (${(e as Error).message}): escalating as if nothing had been told, and not storing it`,
      );
      await rm(stateFile, { force: true });
    }
  }
  // Two events at once (findings about one key, each its own invocation): the alerts are
  // claimed in the stored state before they go out, so one invocation tells them, not each.
  const claim =
    client && target && fetched
      ? claimIn(client, target, stateKey, fetched, (f) => {
          fetched = f;
        })
      : undefined;
  const { deliveries, problems: stateProblems } = await notify(runs, config, {
    reportsDir,
    stateFile,
    ...(claim ? { claim } : {}),
    ...(claimant ? { claimant } : {}),
    // An event's investigation with no event for a day is over: the next failure is news.
    investigationQuietMs: INVESTIGATION_QUIET_MS,
  });
  problems.push(...(stateProblems ?? []));
  if (client && target && fetched) {
    const problem = (m: string) => problems.push(m);
    await storeState(client, target, stateKey, stateFile, fetched, problem).catch((e: Error) =>
      problems.push(
        `storing the alert state in s3://${target.bucket}/${stateKey} failed: ${e.message}`,
      ),
    );
  }
  problems.push(...deliveryProblems(deliveries));
  return deliveries;
}
