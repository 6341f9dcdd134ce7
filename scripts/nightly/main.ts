/**
 * The nightly job's command line: parses the arguments, runs the job (job.ts), prints the summary
 * (and appends it to GITHUB_STEP_SUMMARY on GitHub) and answers the exit code. The entry point
 * (scripts/nightly.ts) adds what only a process of its own has: its signals.
 */
import { appendFile } from "node:fs/promises";
import { printableLines } from "@run-md/core";
import { usageFailure } from "../usage.ts";
import { checkSiteNodeArgs } from "./build-site.ts";
import { runNightly } from "./job.ts";
import { type ParsedArgs, parseNightlyArgs, USAGE } from "./options.ts";
import { markdownSummary, textSummary } from "./summary.ts";

/** `npm run nightly -- <argv>`; `signal` cancels the runs in progress (Ctrl-C, SIGTERM). */
export async function nightlyMain(argv: string[], signal?: AbortSignal): Promise<number> {
  let options: ParsedArgs;
  try {
    options = parseNightlyArgs(argv);
  } catch (e) {
    return usageFailure(e, USAGE);
  }
  if (options === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  if (options.build) {
    try {
      await checkSiteNodeArgs();
    } catch (e) {
      process.stderr.write(`error ${printableLines((e as Error).message)}\n`);
      return 2;
    }
  }
  let result: Awaited<ReturnType<typeof runNightly>>;
  try {
    result = await runNightly({ ...options, ...(signal ? { signal } : {}) });
  } catch (e) {
    // A job that could not run (no runbooks folder, an unreadable runbook) is a setup error,
    // exit 2, never the 1 of an unhandled rejection, which reads as "an expectation failed".
    process.stderr.write(`error ${printableLines((e as Error).message)}\n`);
    return 2;
  }
  process.stdout.write(textSummary(result));
  if (process.env.GITHUB_STEP_SUMMARY) {
    // The night is done and said on stdout: a summary that cannot be written is a warning, never
    // the exit 1 of an uncaught error, which reads as a failed check (red-team).
    await appendFile(
      process.env.GITHUB_STEP_SUMMARY,
      markdownSummary(result, options.siteUrl),
    ).catch((e: Error) =>
      process.stderr.write(
        `warning the GitHub job summary could not be written: ${printableLines(e.message)}\n`,
      ),
    );
  }
  return result.exitCode;
}
