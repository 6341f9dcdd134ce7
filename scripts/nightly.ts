/**
 * `npm run nightly`: runs every `schedule: nightly` runbook, sends each notification target one
 * summary of what changed, prunes old reports, builds the site and exits with the worst status. See docs/nightly.md.
 */
import { appendFile } from "node:fs/promises";
import { runNightly } from "./nightly/job.ts";
import { type ParsedArgs, parseNightlyArgs, USAGE } from "./nightly/options.ts";
import { markdownSummary, textSummary } from "./nightly/summary.ts";

async function main(): Promise<number> {
  let options: ParsedArgs;
  try {
    options = parseNightlyArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`error ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const controller = new AbortController();
  // SIGTERM (a CI job cancelled, a container stopped, a cron timeout) is Ctrl-C: the runs in
  // progress are cancelled and waited for, so no `run-md` child goes on querying (and, on
  // Athena, costing money) after the job is gone.
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\ninterrupted (${signal}): cancelling the runs in progress\n`);
    controller.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const result = await runNightly({ ...options, signal: controller.signal });
  process.stdout.write(textSummary(result));
  if (process.env.GITHUB_STEP_SUMMARY) {
    await appendFile(process.env.GITHUB_STEP_SUMMARY, markdownSummary(result, options.siteUrl));
  }
  return result.exitCode;
}

process.exitCode = await main();
