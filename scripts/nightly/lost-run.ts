/**
 * A runbook whose runner ended without a report (killed for memory, a crash of the engine, a
 * runner that printed no report): the job stores an errored report for it, so its folder's
 * `latest.json`, and the site beside the runbook, say it errored tonight. Before, the site kept
 * showing the last night's pass until the mark of a stale run came two days later (red-team).
 */
import {
  errorReport,
  loadRunbook,
  type MaskOptions,
  type ParamValue,
  type RunReport,
  resolveParams,
  runKind,
  storeReport,
  type WindowSpec,
} from "@run-md/core";
import { version } from "../../packages/cli/src/package-files.ts";

/**
 * The parameters a runner of `runbook` had, as its report says them: the configuration's values
 * over the defaults. Values that do not resolve (the runner refused them: its report would have
 * none) are none.
 */
function paramsOf(
  runbook: Parameters<typeof resolveParams>[0],
  configParams: Record<string, unknown> | undefined,
): Record<string, ParamValue> {
  try {
    const bound = resolveParams(runbook, configParams ?? {});
    return Object.fromEntries(Object.entries(bound).map(([k, p]) => [k, p.value]));
  } catch {
    return {};
  }
}

/** How the runner ended, as the report's error says it. */
function ending(exitCode: number | null): string {
  return exitCode === null ? "killed by a signal" : `exit code ${exitCode}`;
}

/**
 * The errored report stored for a runner that left none, and its file; undefined when the
 * runbook cannot be parsed (the job's summary and notification say why; the site shows the
 * runbook's own problems) or the report cannot be stored.
 */
export async function storeLostRun(
  file: string,
  reportsDir: string,
  run: {
    exitCode: number | null;
    stderr: string;
    startedAt: string;
    mask: MaskOptions;
    /**
     * The window its runner was given (`--since`, a `--date` catch-up's `--to`): a run over
     * another window is an investigation, as the runner's report would have been, and never the
     * runbook's status (review: a replay of last week that crashed became its latest.json).
     */
    window?: WindowSpec;
    /**
     * The configuration's `params:` of this runbook: with its defaults, the parameters its runner
     * had. A catch-up's investigation is told apart by them (`investigationDigest`): without them
     * the catch-up run again that passes was another investigation, and the crash's alert never
     * recovered (review).
     */
    configParams?: Record<string, unknown>;
    /** Why it has no report, when the job knows (its time limit): said in place of the runner's words. */
    reason?: string;
  },
): Promise<{ report: RunReport; reportFile: string } | undefined> {
  const { runbook } = await loadRunbook(file);
  if (!runbook) return undefined;
  const said = run.stderr.trim().split("\n").at(-1)?.trim();
  const error = new Error(
    run.reason ??
      `the runner ended without a report (${ending(run.exitCode)})${said ? `: ${said}` : ""}`,
  );
  const report = errorReport(
    runbook,
    error,
    {
      toolVersion: version(),
      kind: runKind(runbook, { window: run.window ?? {} }),
      mask: run.mask,
      params: paramsOf(runbook, run.configParams),
    },
    new Date(run.startedAt),
  );
  try {
    return { report, reportFile: await storeReport(reportsDir, report) };
  } catch {
    return undefined;
  }
}
