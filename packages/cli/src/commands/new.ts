/**
 * `run-md new <id>`: writes a runbook skeleton (every front matter key, the optional ones
 * commented out; one SQL step, one Logs Insights step, an expect block each) that `run-md check`
 * accepts as written.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import pc from "picocolors";
import { parseCommandArgs } from "../args.ts";
import { loadConfig } from "../config.ts";
import { runbookIds, sameIds } from "../runbook-ids.ts";
import { docRefs } from "../package-files.ts";

export const NEW_USAGE = `Usage: run-md new <id> [options]

Writes runbooks/<id>.md (in runbooksDir of run-md.config.yaml, default runbooks/): front matter
with every key (the optional ones commented out), one SQL step, one Logs Insights step and an
expect block for each. Never overwrites a file.

Options:
  --dir <dir>   write into this folder instead of runbooksDir
  -h, --help    this help
`;

/** The skeleton of a runbook with this id: it passes `run-md check` unchanged. */
export function skeleton(id: string): string {
  const title = id.replace(/[-_]+/g, " ").replace(/^./, (c) => c.toUpperCase());
  return `---
title: ${title}
# id: ${id}                  # default: the file name without .md
description: >
  What this runbook looks for, and why it matters.
# owner: security-oncall
severity: medium             # info | low | medium | high | critical
tags: []
schedule: manual             # manual | nightly | weekly | a cron expression ("0 6 * * 1-5")
window: 24h                  # the default window of a run (--since overrides it)
params:
  actor_pattern:
    type: string
    default: "%"
    description: LIKE pattern of the principal ARN to look at (e.g. %user/alice)
# escalation: >
#   Who to call when an expectation fails, and what to do first.
# triggers:                  # EventBridge events that start this runbook (docs/automation.md)
#   - pattern: { source: [aws.iam] }
---

# ${title}

Say what the steps below look for and what to do with what they find.

## Calls by principal

\`\`\`sql calls_by_principal
SELECT useridentity.arn AS principal,
       count(*) AS calls
FROM cloudtrail_logs
WHERE useridentity.arn LIKE {{actor_pattern}}
GROUP BY 1
ORDER BY calls DESC, principal
LIMIT 20
\`\`\`

\`\`\`expect
rows >= 0            # replace with what should hold, e.g. max(calls) < 1000
\`\`\`

## Failed calls (Logs Insights)

\`\`\`logs-insights failed_calls
filter ispresent(errorCode)
| stats count(*) as failures by eventSource
| sort failures desc, eventSource asc
| limit 20
\`\`\`

\`\`\`expect
rows >= 0            # e.g. no failures > 100
\`\`\`
`;
}

/**
 * What to type instead of an id that is none: a file name (`x.md`) or a path (`books/x`), as
 * typed after `run-md runbooks/x.md`, or words (`VPC Watch`).
 */
function idHint(id: string): string {
  const base = path.basename(id).replace(/\.md$/i, "");
  const dir = path.dirname(id);
  if (/^[A-Za-z0-9_-]+$/.test(base)) {
    return dir === "."
      ? `give the id without .md: run-md new ${base}`
      : `give the id, and the folder with --dir: run-md new ${base} --dir ${dir}`;
  }
  const words = id
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "");
  return `an id such as ${words.length > 0 ? words.join("-") : "vpc-watch"} ("_" and "-" between words)`;
}

export async function newCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, "run-md new", NEW_USAGE, { dir: { type: "string" } });
  if (typeof args === "number") return args;
  const { values, positionals } = args;
  const id = positionals[0];
  if (id === undefined || positionals.length > 1) {
    process.stderr.write(`error run-md new takes one runbook id\n\n${docRefs(NEW_USAGE)}`);
    return 2;
  }
  if (!/^[A-Za-z0-9_-]+$/.test(id)) {
    process.stderr.write(
      `error runbook id "${id}" may hold only letters, digits, "_" and "-" (it names the file and the reports folder)\nhint: ${idHint(id)}\n`,
    );
    return 2;
  }
  let dir: string;
  try {
    dir = values.dir === undefined ? loadConfig(undefined).runbooksDir : path.resolve(values.dir);
  } catch (e) {
    process.stderr.write(`error ${(e as Error).message}\n`);
    return 2;
  }
  const file = path.join(dir, `${id}.md`);
  const shown = path.relative(process.cwd(), file) || file;
  if (existsSync(file)) {
    process.stderr.write(`error ${shown} already exists; nothing was written\n`);
    return 2;
  }
  // Another file's `id:` may be it already: two runbooks with one id would neither run.
  const [clash] = sameIds(await runbookIds(dir), id);
  if (clash) {
    const [other, files] = clash;
    const where = files.map((f) => path.relative(process.cwd(), f) || f).join(", ");
    process.stderr.write(
      `error the runbook id "${other}" is taken (${where}); choose another name. Nothing was written\n`,
    );
    return 2;
  }
  await mkdir(dir, { recursive: true });
  await writeFile(file, skeleton(id), { flag: "wx" });
  // By id only in runbooksDir, where `run-md <id>` looks; a file written with --dir runs by path.
  const run = values.dir === undefined ? id : shown;
  process.stdout.write(
    `${pc.green("created")} ${shown}\nNext: edit it, then npx run-md check ${shown} && npx run-md ${run}\n`,
  );
  return 0;
}
