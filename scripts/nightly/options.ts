/** The nightly job's command line: options, environment variables and their defaults. */
import path from "node:path";
import { parseArgs } from "node:util";
import { engineChoices, parseDuration, parseInstant, printable, suggest } from "@run-md/core";
import { OUTCOMES, type Outcome } from "@run-md/notify";
import { findConfigFile } from "../../packages/cli/src/config.ts";
import { UsageError } from "../usage.ts";
import { repoRoot, siteDir, siteNodeArgs } from "./build-site.ts";
import type { NightlyOptions } from "./job.ts";

export const USAGE = `Usage: npm run nightly -- [options]

Runs the runbooks due tonight (schedule: nightly; weekly on nightly.weeklyDay of the
configuration, default monday; a cron expression whose time fell in the past 24 hours, UTC),
writes their reports, sends each notification target
one summary of what changed since the previous night, prunes old reports and builds the site. Exit: the worst status,
0 passed or warned, 1 an expectation failed, 2 a run errored (or the site build failed).

Options (environment variable in brackets):
  --runbooks <dir>       runbooks directory (RUN_MD_RUNBOOKS_DIR; default runbooks/)
  --reports-dir <dir>    reports directory (RUN_MD_REPORTS_DIR; default reports/)
  --engine <name>        passed to run-md run (local | athena | logs | aws)
  --config <file>        passed to run-md run (default: RUN_MD_CONFIG, else run-md.config.yaml
                         here or in the nearest folder above)
  --since <duration>     passed to run-md run: one window for every run (24h, 3d)
  --date <iso>           run as if it were then: which runbooks are due, and (a past date)
                         the windows read end then, as investigations (default now)
  --concurrency <n>      runbooks run at once (RUN_MD_NIGHTLY_CONCURRENCY; default 2)
  --time-limit <d>       stop the runs still going this long after the job started, and
                         count them and those not started as errored (RUN_MD_NIGHTLY_TIME_LIMIT;
                         default none): set it below the CI runner's own limit
  --retention <d>        delete reports older than this, 90d, 12w, or "forever"
                         (RUN_MD_RETENTION; default 90d); latest.json and each runbook's
                         newest report are always kept
  --notify <outcomes>    what RUN_MD_WEBHOOK_URL is told about: failed, errored, recovered,
                         reminder (RUN_MD_NOTIFY; default all four)
  --collect <source>     first run-md collect from this folder or s3://bucket[/prefix] into
                         local.store (RUN_MD_COLLECT_SOURCE); every run's window then ends
                         where the collect's does
  --collect-since <d>    the window collected (default 30d; only what is new is fetched)
  --collect-prune <d>    then remove the store's days older than this (RUN_MD_COLLECT_PRUNE;
                         default: keep everything)
  --out-dir <dir>        where the site is built (RUN_MD_SITE_OUT_DIR; default site/dist)
  --no-build             do not build the site
  -h, --help             this help

Notification targets: the configuration's notify: section, and RUN_MD_WEBHOOK_URL (a Slack
incoming webhook, or anything that accepts its JSON). Links in messages point to the
configuration's site.url, else RUN_MD_SITE_URL.
`;

export { UsageError };

function resolveFromCaller(p: string): string {
  return path.resolve(process.env.INIT_CWD || process.cwd(), p);
}

/** `--notify failed,recovered`: outcomes of `@run-md/notify` (alerts are about changes). */
function parseOutcomes(text: string | undefined): Outcome[] {
  if (text === undefined) return [...OUTCOMES];
  const outcomes = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const o of outcomes) {
    if (!(OUTCOMES as readonly string[]).includes(o)) {
      throw new UsageError(
        `--notify: unknown outcome "${o}" (${OUTCOMES.join(", ")}${o === "passed" ? '; a run that passes again is "recovered"' : ""})`,
      );
    }
  }
  return outcomes as Outcome[];
}

export type ParsedArgs = NightlyOptions | "help";

/** `--collect <source>` and `--collect-since`: a collect before the runs, or none. */
function collectOption(
  values: { collect?: string; "collect-since"?: string; "collect-prune"?: string },
  env: NodeJS.ProcessEnv,
): NightlyOptions["collect"] {
  const source = values.collect ?? env.RUN_MD_COLLECT_SOURCE;
  const since = values["collect-since"] ?? "30d";
  const prune = values["collect-prune"] ?? (env.RUN_MD_COLLECT_PRUNE || undefined);
  if (source === undefined || source === "") {
    for (const flag of ["collect-since", "collect-prune"] as const)
      if (values[flag] !== undefined) throw new UsageError(`--${flag} needs --collect <source>`);
    return undefined;
  }
  const pruneName = said(values["collect-prune"], "--collect-prune", "RUN_MD_COLLECT_PRUNE");
  for (const [name, text] of [
    ["--collect-since", since],
    [pruneName, prune],
  ] as const) {
    if (text !== undefined && parseDuration(text) === undefined)
      throw new UsageError(`${name} must be a duration such as 30d, got "${text}"`);
  }
  // Shorter, every collect would refuse (it would remove what it brings): nothing collected.
  if (prune !== undefined && parseDuration(prune)! < parseDuration(since)!)
    throw new UsageError(
      `${pruneName} ${prune} is shorter than --collect-since ${since}: keep at least the window collected`,
    );
  return {
    source: source.startsWith("s3://") ? source : resolveFromCaller(source),
    since,
    ...(prune === undefined ? {} : { prune }),
  };
}

const OPTIONS = {
  runbooks: { type: "string" },
  "reports-dir": { type: "string" },
  engine: { type: "string" },
  config: { type: "string" },
  since: { type: "string" },
  date: { type: "string" },
  concurrency: { type: "string" },
  "time-limit": { type: "string" },
  retention: { type: "string" },
  notify: { type: "string" },
  "out-dir": { type: "string" },
  collect: { type: "string" },
  "collect-since": { type: "string" },
  "collect-prune": { type: "string" },
  "no-build": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** The options given; an unknown one is refused naming the nearest known one (`--sinse`). */
function nightlyValues(argv: string[]) {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options: OPTIONS })
      .values;
  } catch (e) {
    const error = e as Error & { code?: string };
    if (error.code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw e;
    const option = /'(-[^']*)'/.exec(error.message)?.[1] ?? "";
    const near = suggest(option.replace(/^--?/, "").replace(/=.*$/, ""), Object.keys(OPTIONS));
    throw new UsageError(
      `unknown option "${option}"${near === undefined ? "" : ` (did you mean --${near}?)`}`,
    );
  }
}

/**
 * How a message names an option: its flag when given, else the environment variable its value
 * came from (a workflow sets RUN_MD_NIGHTLY_TIME_LIMIT, and no --time-limit is written anywhere).
 */
function said(flagValue: string | undefined, flag: string, variable: string): string {
  return flagValue === undefined ? variable : flag;
}

/** `--concurrency`, `--time-limit` and `--retention` (or their variables), checked. */
function nightlyLimits(
  values: ReturnType<typeof nightlyValues>,
  env: NodeJS.ProcessEnv,
): { concurrency: number; timeLimitMs?: number; retentionMs?: number } {
  const concurrencyText = values.concurrency ?? env.RUN_MD_NIGHTLY_CONCURRENCY ?? "2";
  const concurrency = Number(concurrencyText);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new UsageError(
      `${said(values.concurrency, "--concurrency", "RUN_MD_NIGHTLY_CONCURRENCY")} must be a whole number of at least 1, got "${concurrencyText}"`,
    );
  }
  const timeLimitText = values["time-limit"] ?? (env.RUN_MD_NIGHTLY_TIME_LIMIT || undefined);
  const timeLimitMs = timeLimitText === undefined ? undefined : parseDuration(timeLimitText);
  if (timeLimitText !== undefined && (timeLimitMs === undefined || timeLimitMs <= 0))
    throw new UsageError(
      `${said(values["time-limit"], "--time-limit", "RUN_MD_NIGHTLY_TIME_LIMIT")} must be a duration such as 40m or 2h, got "${timeLimitText}"`,
    );
  const retentionText = values.retention ?? env.RUN_MD_RETENTION ?? "90d";
  let retentionMs: number | undefined;
  if (!["forever", "none", "off"].includes(retentionText)) {
    retentionMs = parseDuration(retentionText);
    if (retentionMs === undefined) {
      throw new UsageError(
        `${said(values.retention, "--retention", "RUN_MD_RETENTION")} must be a duration such as 90d or 12w, or "forever", got "${retentionText}"`,
      );
    }
  }
  return {
    concurrency,
    ...(timeLimitMs === undefined ? {} : { timeLimitMs }),
    ...(retentionMs === undefined ? {} : { retentionMs }),
  };
}

export function parseNightlyArgs(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): NightlyOptions | "help" {
  const values = nightlyValues(argv);
  if (values.help) return "help";
  const { concurrency, timeLimitMs, retentionMs } = nightlyLimits(values, env);
  const notify = parseOutcomes(values.notify ?? env.RUN_MD_NOTIFY);
  // Checked before any runbook runs, not when the site is built at the end.
  if (!values["no-build"]) {
    try {
      siteNodeArgs(env);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const options: NightlyOptions = {
    runbooksDir: resolveFromCaller(
      values.runbooks ?? env.RUN_MD_RUNBOOKS_DIR ?? path.join(repoRoot, "runbooks"),
    ),
    reportsDir: resolveFromCaller(
      values["reports-dir"] ?? env.RUN_MD_REPORTS_DIR ?? path.join(repoRoot, "reports"),
    ),
    concurrency,
    build: !values["no-build"],
    outDir: resolveFromCaller(
      values["out-dir"] ?? env.RUN_MD_SITE_OUT_DIR ?? path.join(siteDir, "dist"),
    ),
    notify,
    // One line each, whatever a message quotes (a value with a line break or an escape sequence
    // cannot forge a line, or a workflow command in a CI log).
    log: (line) => process.stdout.write(`${printable(line)}\n`),
  };
  if (retentionMs !== undefined) options.retentionMs = retentionMs;
  if (timeLimitMs !== undefined) options.timeLimitMs = timeLimitMs;
  // Checked before any runbook runs: each run would error on it, and every runbook's alert
  // would go out (and their recoveries the next night).
  if (values.engine !== undefined && !engineChoices().includes(values.engine)) {
    throw new UsageError(
      `--engine "${values.engine}" is not an engine: one of ${engineChoices().join(", ")}`,
    );
  }
  if (values.since !== undefined && parseDuration(values.since) === undefined) {
    throw new UsageError(`--since must be a duration such as 24h or 7d, got "${values.since}"`);
  }
  if (values.engine) options.engine = values.engine;
  // Without --config, the caller's configuration (found from their folder up, as run-md finds
  // it): each run's process works in the repository's folder, and would find the repository's.
  // RUN_MD_CONFIG, as run-md itself reads it, before a file found from the caller's folder.
  const named = values.config ?? env.RUN_MD_CONFIG;
  const config = named ? resolveFromCaller(named) : findConfigFile(resolveFromCaller("."));
  if (config) options.config = config;
  if (values.since) options.since = values.since;
  if (values.date) {
    // As --from reads it: `0`, `Dec 1` or `12/02/2026` are no dates (JavaScript would read them
    // as a night of 2000, of 2001, or in the host's zone).
    try {
      options.now = parseInstant(values.date, "--date");
    } catch {
      throw new UsageError(
        `--date must be an ISO-8601 date or time with its zone (2026-11-23, 2026-11-23T02:00:00Z), got "${values.date}"`,
      );
    }
  }
  const collect = collectOption(values, env);
  if (collect) options.collect = collect;
  if (env.RUN_MD_WEBHOOK_URL) options.webhookUrl = env.RUN_MD_WEBHOOK_URL;
  if (env.RUN_MD_SITE_URL) options.siteUrl = env.RUN_MD_SITE_URL;
  return options;
}
