/**
 * What the nightly job's tests share: a runbook that counts the night's events, and a quiet
 * trail's logs (no incident, one region) ending at the next whole hour.
 */
import { generateLogs } from "@run-md/generator";

export const HOUR = 3_600_000;

/** A nightly runbook counting every event of its 24 hours, judged by `check`. */
export function countingRunbook(check = "rows == 1", title = "Every event of the night"): string {
  return `---
title: ${title}
schedule: nightly
window: 24h
---

\`\`\`sql everything
SELECT count(*) AS n FROM cloudtrail_logs
\`\`\`

\`\`\`expect
${check}
\`\`\`
`;
}

/**
 * `events` events of one region over the `hours` before the next whole hour, in `outDir`
 * (the generator's own record of them lets a test count its truth); the window's end.
 */
export async function quietLogs(
  outDir: string,
  o: { hours: number; events: number; seed: string },
): Promise<Date> {
  const end = new Date(Math.ceil(Date.now() / HOUR) * HOUR);
  await generateLogs({
    outDir,
    start: new Date(end.getTime() - o.hours * HOUR),
    end,
    totalEvents: o.events,
    incidents: false,
    seed: o.seed,
    regions: ["us-east-1"],
  });
  return end;
}
