/**
 * The nightly job's escalations through `@run-md/notify`: after every runbook has run, one call
 * for all their reports, so each target of the configuration's `notify:` section gets one
 * summary message (PagerDuty and GitHub: one event or issue per runbook), and only about what
 * changed since the previous night (the alert state file lives with the reports).
 */
import path from "node:path";
import { reportFileStem } from "@run-md/core";
import { type Delivery, deliveryProblems, notify, parseNotifyConfig } from "@run-md/notify";
import { loadConfig } from "../../packages/cli/src/config.ts";
import type { NightlyOutcome } from "./webhook.ts";

export interface NightlyNotifyOptions {
  /** `--config` (default ./run-md.config.yaml). */
  config?: string;
  reportsDir: string;
  /** RUN_MD_SITE_URL, when the configuration names no site.url. */
  siteUrl?: string;
  log: (line: string) => void;
  now?: Date;
}

/** Sends the night's alerts; returns the deliveries (none when `notify:` is not configured). */
export async function notifyNightly(
  outcomes: NightlyOutcome[],
  options: NightlyNotifyOptions,
): Promise<Delivery[]> {
  let notifyConfig: ReturnType<typeof parseNotifyConfig>;
  try {
    const config = loadConfig(options.config);
    if (!config.notify) return [];
    notifyConfig = parseNotifyConfig(config.notify, config.source);
    if (config.site.url) notifyConfig.siteUrl = config.site.url;
  } catch (e) {
    // The runs are done and their reports written: a bad notify: section is said, not fatal.
    options.log(`error notify: ${(e as Error).message}`);
    return [];
  }
  notifyConfig.siteUrl ??= options.siteUrl;
  const runs = outcomes.flatMap((o) =>
    o.report
      ? [
          {
            report: o.report,
            // Where `run-md run` stored it (core's storeReport names it after its start).
            reportFile: path.join(
              options.reportsDir,
              o.report.runbook.id,
              `${reportFileStem(o.report.startedAt)}.json`,
            ),
          },
        ]
      : [],
  );
  const { alerts, deliveries } = await notify(runs, notifyConfig, {
    reportsDir: options.reportsDir,
    ...(options.now ? { now: options.now } : {}),
  });
  if (alerts.length > 0) {
    const sent = deliveries.filter((d) => d.ok).length;
    options.log(`notified ${sent} of ${deliveries.length} targets about ${alerts.length} changes`);
  }
  for (const line of deliveryProblems(deliveries)) options.log(`  ${line}`);
  return deliveries;
}
