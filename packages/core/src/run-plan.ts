/**
 * What a run is, decided before its first query: its kind (the runbook as written, or an
 * investigation), and the mistakes on the command line that stop it with no report written.
 */
import { isRunMdError, RunMdError } from "./errors.ts";
import type { Runbook } from "./model.ts";
import { checkParamNames, coerceParam, resolveParams } from "./params.ts";
import type { RunKind } from "./report.ts";
import { parseDuration } from "./units.ts";
import { resolveWindow, type WindowSpec } from "./window.ts";

/** The part of a run's options that says what it runs (a subset of `RunOptions`). */
export interface RunInput {
  step?: string;
  window?: WindowSpec;
  /** Where a duration window ends instead of now (`RunOptions.windowEnd`). */
  windowEnd?: Date;
  configParams?: Record<string, unknown>;
  cliParams?: Record<string, string>;
}

/** Whether the window flags give the runbook's own window (`--since 7d` for `window: 7d`). */
function defaultWindow(runbook: Runbook, window: WindowSpec): boolean {
  if (window.from !== undefined || window.to !== undefined) return false;
  if (window.since === undefined) return true;
  return parseDuration(window.since) === parseDuration(runbook.meta.window ?? "24h");
}

/** Whether `--param` values change any parameter from its default (or configured) value. */
function defaultParams(runbook: Runbook, input: RunInput): boolean {
  const given = input.cliParams ?? {};
  if (Object.keys(given).length === 0) return true;
  let base: ReturnType<typeof resolveParams>;
  try {
    base = resolveParams(runbook, input.configParams, {});
  } catch {
    return false; // a required parameter has no value of its own: the run supplies one
  }
  let run: ReturnType<typeof resolveParams>;
  try {
    run = resolveParams(runbook, input.configParams, given);
  } catch {
    return false; // a value that does not fit is no default one
  }
  return Object.keys(given).every(
    (name) => JSON.stringify(run[name]?.value) === JSON.stringify(base[name]?.value),
  );
}

/**
 * `full` for the runbook as written (every step, its parameters' default or configured values,
 * its own window); `investigation` for `--step`, a changed `--param` or another window.
 */
export function runKind(runbook: Runbook, input: RunInput): RunKind {
  const full =
    input.step === undefined &&
    defaultWindow(runbook, input.window ?? {}) &&
    defaultParams(runbook, input);
  return full ? "full" : "investigation";
}

/**
 * The command line's mistake for this runbook, if any: a window flag that does not parse, a
 * `--step` it does not have, a `--param` it does not declare or whose value does not fit. Such a
 * run is a usage error (exit 2, no report). Problems of the runbook or the configuration (a
 * required parameter without a value) are not the command line's: the run reports them.
 */
export function checkRunInput(
  runbook: Runbook,
  input: RunInput,
  now: Date,
): RunMdError | undefined {
  try {
    resolveWindow(input.window ?? {}, runbook.meta.window, input.windowEnd ?? now);
  } catch (e) {
    if (isRunMdError(e) && Object.keys(input.window ?? {}).length > 0) return e;
  }
  if (input.step !== undefined && !runbook.steps.some((s) => s.id === input.step)) {
    return unknownStep(runbook, input.step);
  }
  if (Object.keys(input.cliParams ?? {}).length === 0) return undefined;
  try {
    resolveParams(runbook, input.configParams, {});
  } catch {
    // The runbook or the configuration is at fault (the run reports it), or a required value
    // comes from the command line: its own values are checked alone.
    return cliParamProblem(runbook, input.cliParams ?? {});
  }
  try {
    resolveParams(runbook, input.configParams, input.cliParams);
  } catch (e) {
    if (isRunMdError(e)) return e;
    throw e;
  }
  return undefined;
}

/** The first --param that names no parameter of the runbook or whose value does not fit. */
function cliParamProblem(runbook: Runbook, cli: Record<string, string>): RunMdError | undefined {
  try {
    checkParamNames(runbook, cli);
    for (const [name, value] of Object.entries(cli))
      coerceParam(runbook.meta.params[name]!, value, "--param");
  } catch (e) {
    if (isRunMdError(e)) return e;
    throw e;
  }
  return undefined;
}

/** `runbook audit-iam has no step "nope"`, listing the steps it has. */
export function unknownStep(runbook: Runbook, step: string): RunMdError {
  return new RunMdError("unknown-step", `runbook ${runbook.meta.id} has no step "${step}"`, {
    hint: `Steps: ${runbook.steps.map((s) => s.id).join(", ")}.`,
  });
}
