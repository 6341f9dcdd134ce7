/**
 * The hostile runbook of the escaping test (issue 10): a title that closes `<title>`, raw HTML and
 * `javascript:` links in prose, a log value that is markup, tags with `/` and with `</tr>` (which
 * the list pages write raw in an attribute of the runbook's row), and a report the real
 * `run-md` wrote of it, with access key ids hidden. It is built into the site's one shared Astro
 * build (shared-site.ts), so the escaping test reads that build instead of making one of its own.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { runMd } from "../../test/helpers.ts";

export const HOSTILE_ID = "hostile";
export const TITLE = "x </title><script>alert(1)</script>";
/** Its tags: the last one ends a table row where a filter of the HTML reads it with a pattern. */
export const TAGS = ["ci/cd", "ci-cd", "a<b></tr>"];
export const AGENT = "<img src=x onerror=alert(2)>";
/** After the agent: a right-to-left override, which would show `exe.gpj` as `jpg.exe`. */
export const SPOOF = "\u202egpj.exe";
export const KEY_ID = "AKIAIOSFODNN7EXAMPLE";

const RUNBOOK = `---
title: "${TITLE}"
description: "Objective <script>alert(9)</script>"
tags: [${TAGS.map((t) => JSON.stringify(t)).join(", ")}]
schedule: nightly
---

Some prose <script>alert(3)</script> and <img src=x onerror="alert(4)"> and
[click](javascript:alert(5)) and <a href="javascript:alert(6)">raw link</a> and
[spaced](  JaVaScRiPt:alert(7)) and ![pic](javascript:alert(8)) and **bold** and
[a real link](https://example.com/docs).

<iframe src="https://evil.example"></iframe>

## Who called

\`\`\`sql agents
SELECT useragent, useridentity.accesskeyid AS key_id, count(*) AS calls
FROM cloudtrail_logs GROUP BY 1, 2 ORDER BY 1
\`\`\`

\`\`\`expect
no useragent like '%onerror%'
\`\`\`
`;

/**
 * When the binary runs the hostile runbook (its clock is set to this, clock.mjs): a day before
 * the newest fixture report (2026-11-23), so this run does not move the index's day strip, which
 * ends on the day of the site's newest run (site/src/lib/heat.ts lastRunDay) and which
 * site.test.ts checks against the fixture reports.
 */
export const HOSTILE_RUN_AT = "2026-11-22T12:00:00.000Z";

/** One event an hour before the run, inside the runbook's own window (the last 24 hours). */
function hostileRecord() {
  const at = new Date(Date.parse(HOSTILE_RUN_AT) - 3_600_000);
  return {
    eventVersion: "1.09",
    userIdentity: {
      type: "IAMUser",
      arn: "arn:aws:iam::111122223333:user/eve",
      userName: "eve",
      accessKeyId: KEY_ID,
    },
    eventTime: at.toISOString().replace(".000Z", "Z"),
    eventSource: "sts.amazonaws.com",
    eventName: "GetCallerIdentity",
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.9",
    userAgent: `${AGENT}${SPOOF}`,
    eventID: "00000000-0000-4000-8000-000000000001",
    eventType: "AwsApiCall",
    recipientAccountId: "111122223333",
  };
}

/**
 * Writes the hostile runbook into `runbooksDir` and its report into `reportsDir`: a full run (the
 * site shows a run in the runbook's own window as its result; another window is an investigation),
 * published to a wide audience, so it hides access key ids (mask.accessKeyIds: hide). The real
 * binary, not the in-process CLI: the approval test starts its server (which inherits the
 * worker's environment) while this runs; its clock starts at HOSTILE_RUN_AT.
 */
export async function writeHostile(runbooksDir: string, reportsDir: string, work: string) {
  const logs = path.join(work, "hostile-logs");
  await mkdir(logs, { recursive: true });
  await writeFile(path.join(runbooksDir, `${HOSTILE_ID}.md`), RUNBOOK);
  await writeFile(path.join(logs, "events.json"), JSON.stringify({ Records: [hostileRecord()] }));
  const run = await runMd(
    [path.join(runbooksDir, `${HOSTILE_ID}.md`), "--log-dir", logs, "--reports-dir", reportsDir],
    { env: { RUN_MD_MASK_ACCESS_KEY_IDS: "hide", ...clockAt(HOSTILE_RUN_AT) } },
  );
  // The check finds the hostile agent: exit 1. Anything else fails the shared build, with why.
  if (run.code !== 1)
    throw new Error(`run-md on the hostile runbook: exit ${run.code}\n${run.stderr}`);
}

/** The environment that starts a spawned Node process's clock at `iso` (clock.mjs). */
function clockAt(iso: string): Record<string, string> {
  const hook = `--import=${pathToFileURL(path.join(import.meta.dirname, "clock.mjs")).href}`;
  const inherited = process.env.NODE_OPTIONS;
  return {
    NODE_OPTIONS: inherited ? `${inherited} ${hook}` : hook,
    RUN_MD_TEST_CLOCK_AT: iso,
  };
}
