/**
 * `npm run nightly`: runs every `schedule: nightly` runbook, sends each notification target one
 * summary of what changed, prunes old reports, builds the site and exits with the worst status. See docs/nightly.md.
 */
import { nightlyMain } from "./nightly/main.ts";

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
process.exitCode = await nightlyMain(process.argv.slice(2), controller.signal);
