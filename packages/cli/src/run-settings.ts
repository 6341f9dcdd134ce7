/**
 * What `run` and `query` read the same way from their flags and the configuration before
 * anything runs: the engine name, the default timeout, the scan budget, Ctrl-C. A bad value is a
 * `RunMdError` (exit 2, nothing runs).
 */
import {
  engineNames,
  JOB_CATCH_UP_MS,
  parseBytes,
  parseInstant,
  parseTimeout,
  RunMdError,
  timeoutProblem,
} from "@run-md/core";
import pc from "picocolors";
import type { Config } from "./config.ts";
import { checkEngineChoice } from "./engines.ts";

function fail(message: string, hint: string): never {
  throw new RunMdError("usage", message, { hint });
}

/**
 * How old `RUN_MD_WINDOW_END` may be: the longest a GitHub-hosted job runs (6 hours) after the
 * hour before its start where the nightly job ends its windows.
 */
const WINDOW_END_MAX_AGE_MS = 7 * 3_600_000;

/**
 * `RUN_MD_WINDOW_END`: where windows given as durations end instead of now. A job sets it to the
 * end of what it collected, so that no run asks the store for a second the collect did not see
 * (docs/collect.md). The runs stay full runs, whose status the site shows: an instant in the
 * future (a window nothing covers) or more than 7 hours old (a value left over in a shell would
 * make old answers the runbook's status) is refused.
 */
export function windowEndOf(env: NodeJS.ProcessEnv, now: Date): Date | undefined {
  const text = env.RUN_MD_WINDOW_END;
  if (text === undefined || text === "") return undefined;
  const end = parseInstant(text, "RUN_MD_WINDOW_END");
  if (end.getTime() > now.getTime()) {
    fail(
      `RUN_MD_WINDOW_END ${text} is in the future`,
      "Set it to the instant a collect ended (the past), or unset it.",
    );
  }
  if (now.getTime() - end.getTime() > WINDOW_END_MAX_AGE_MS) {
    fail(
      `RUN_MD_WINDOW_END ${text} is more than 7 hours old: the runbook's status would come from old events`,
      "Unset it (a value left over?), or look at that period with --to (an investigation; RUN_MD_WINDOW_END is not read then).",
    );
  }
  return end;
}

/** Where a job puts the windows given as durations (`RUN_MD_WINDOW_END`, `RUN_MD_WINDOW_START`). */
export interface JobBounds {
  windowEnd?: Date;
  windowStart?: Date;
}

/**
 * `RUN_MD_WINDOW_END` (`windowEndOf`) and `RUN_MD_WINDOW_START`: a window given as a duration
 * starts there when that is earlier, so that the nightly job's windows of a runbook leave no time
 * between them (its previous run's end; docs/nightly.md). It must come before the window's end.
 * Only what the run's window takes is read and checked: `--to` ends the window itself (neither
 * is read), `--from` starts it (`RUN_MD_WINDOW_START` is not read), so a value left over in a
 * shell never refuses the investigation its own hint points to.
 */
export function jobBoundsOf(
  env: NodeJS.ProcessEnv,
  now: Date,
  flags: { from?: string | undefined; to?: string | undefined } = {},
): JobBounds {
  if (flags.to !== undefined) return {};
  const windowEnd = windowEndOf(env, now);
  const text = env.RUN_MD_WINDOW_START;
  if (flags.from !== undefined || text === undefined || text === "") {
    return windowEnd ? { windowEnd } : {};
  }
  const windowStart = parseInstant(text, "RUN_MD_WINDOW_START");
  const end = (windowEnd ?? now).getTime();
  if (windowStart.getTime() >= end) {
    fail(
      `RUN_MD_WINDOW_START ${text} is not before the window's end`,
      "Set it to where the previous run's window ended, or unset it.",
    );
  }
  if (end - windowStart.getTime() > JOB_CATCH_UP_MS) {
    fail(
      `RUN_MD_WINDOW_START ${text} is more than 7 days before the window's end: every window given as a duration would reach back to it`,
      "Unset it (a value left over?), or read that period with --from (an investigation; RUN_MD_WINDOW_START is not read then).",
    );
  }
  return { ...(windowEnd ? { windowEnd } : {}), windowStart };
}

/** `--engine` (an engine or an alias such as `aws`) and the configuration's engine per dialect. */
export function checkEngines(flag: string | undefined, config: Config): void {
  checkEngineChoice(flag);
  const known = engineNames();
  for (const [dialect, engine] of Object.entries(config.engines)) {
    if (engine !== undefined && !known.includes(engine)) {
      throw new RunMdError(
        "bad-config",
        `${config.source}: unknown engine "${engine}" for ${dialect}`,
      );
    }
  }
}

/**
 * A setting's text, `--<key>` over the configuration's `key`, and how its error names it:
 * `--timeout "x"`, or `timeout "x" in <file>`.
 */
function setting(
  flag: string | undefined,
  key: "timeout" | "maxScan",
  config: Config,
): { text: string | undefined; origin: string } {
  if (flag !== undefined) {
    return { text: flag, origin: `--${key === "maxScan" ? "max-scan" : key} "${flag}"` };
  }
  return { text: config[key], origin: `${key} "${config[key]}" in ${config.source}` };
}

/** The timeout of steps without `timeout=`: `--timeout`, the configuration's, else 10m. */
export function defaultTimeoutMs(flag: string | undefined, config: Config): number {
  const { text, origin } = setting(flag, "timeout", config);
  const ms = parseTimeout(text ?? "10m");
  if (ms === undefined)
    fail(`${origin} ${timeoutProblem(text ?? "")}`, "Use 30s, 5m or 1h (at most 24h).");
  return ms;
}

/**
 * The Athena engine's run-wide scan budget (steps without `max_scan=`): `--max-scan`, else the
 * configuration's `maxScan`; undefined without either. The CLI creates the Athena engine with it.
 */
export function maxScanBytes(flag: string | undefined, config: Config): number | undefined {
  const { text, origin } = setting(flag, "maxScan", config);
  if (text === undefined) return undefined;
  const bytes = parseBytes(text);
  if (bytes === undefined) fail(`${origin} is not a size`, "Use 500MB, 10GB or 1TB.");
  return bytes;
}

/**
 * Ctrl-C (and SIGTERM) cancel the run through `controller`; a second one quits at once (exit
 * 130). Returns the function that stops listening.
 */
export function cancelOnInterrupt(controller: AbortController): () => void {
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(`\n${pc.yellow("cancelling")} (Ctrl-C again to quit at once)\n`);
    controller.abort(new Error("cancelled"));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
