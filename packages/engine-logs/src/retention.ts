/**
 * Where the log groups' events begin. Logs Insights runs a window that starts before a log group
 * was created, or before the oldest events its retention keeps, over what the group still holds
 * and says nothing of the rest: a `rows == 0` check over 90 days of a 30-day group would pass
 * having read 30. One DescribeLogGroups call per step tells the step's first time each group
 * can hold events, and a window starting earlier is a warning naming the part not read.
 */
import {
  type CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  type LogGroup,
} from "@aws-sdk/client-cloudwatch-logs";
import { isoSeconds } from "@run-md/core";

const DAY_MS = 86_400_000;

/** A log group's name from its ARN (`arn:aws:logs:<region>:<account>:log-group:<name>`), or the name. */
export function logGroupName(identifier: string): string {
  const m = /^arn:[^:]*:logs:[^:]*:[^:]*:log-group:(.+)$/.exec(identifier);
  return m ? m[1]! : identifier;
}

/** Whether a listed group is the one `identifier` names (an ARN must match the listed ARN too). */
function isGroup(identifier: string, g: LogGroup): boolean {
  if (g.logGroupName !== logGroupName(identifier)) return false;
  if (!identifier.startsWith("arn:")) return true;
  const arn = g.logGroupArn ?? g.arn?.replace(/:\*$/, "");
  return arn === undefined || arn === identifier;
}

/**
 * The first time (epoch ms) a log group can hold events at `nowMs`, and why: its creation, or
 * the start of what its retention keeps, whichever is later; undefined when nothing bounds it.
 */
export function heldFrom(
  g: Pick<LogGroup, "creationTime" | "retentionInDays">,
  nowMs: number,
): { from: number; why: string } | undefined {
  const retained = g.retentionInDays ? nowMs - g.retentionInDays * DAY_MS : undefined;
  const created = g.creationTime;
  if (retained !== undefined && (created === undefined || retained >= created)) {
    return { from: retained, why: `its retention keeps ${g.retentionInDays} days` };
  }
  if (created === undefined) return undefined;
  return { from: created, why: `it was created at ${isoSeconds(new Date(created))}` };
}

/** The warning for a group whose events begin after the window's start, or undefined. */
export function startNotHeld(
  identifier: string,
  g: Pick<LogGroup, "creationTime" | "retentionInDays">,
  start: Date,
  nowMs: number,
): string | undefined {
  const held = heldFrom(g, nowMs);
  if (held === undefined || held.from <= start.getTime()) return undefined;
  const from = isoSeconds(new Date(held.from));
  const part = `the window's start, ${isoSeconds(start)} → ${from}`;
  // Expired events are deleted some time later (up to 72 hours, AWS says): they may be there.
  if (held.why.startsWith("its retention")) {
    return `${identifier} keeps events from ${from} on (${held.why}; older ones are deleted within about 72 hours): ${part}, may not have been read; shorten window= or keep the logs longer`;
  }
  return `${identifier} holds no events before ${from} (${held.why}): ${part}, was not read; shorten window=`;
}

/**
 * The warnings for the step's log groups whose events begin after `start` (one DescribeLogGroups
 * call). Never throws: a call that fails (no `logs:DescribeLogGroups` permission, say) or a group
 * it does not list is itself a warning, as the window's start was then not checked.
 */
export async function retentionWarnings(
  client: CloudWatchLogsClient,
  logGroups: string[],
  start: Date,
  signal: AbortSignal,
): Promise<string[]> {
  let listed: LogGroup[];
  try {
    const out = await client.send(
      new DescribeLogGroupsCommand({ logGroupIdentifiers: logGroups.map(logGroupName) }),
      { abortSignal: signal },
    );
    listed = out.logGroups ?? [];
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return [
      `whether ${logGroups.join(", ")} hold events back to the window's start was not checked: DescribeLogGroups failed (${why}); the credentials need logs:DescribeLogGroups`,
    ];
  }
  const now = Date.now();
  return logGroups.flatMap((id) => {
    const g = listed.find((l) => isGroup(id, l));
    if (g === undefined) {
      return [
        `whether ${id} holds events back to the window's start was not checked: DescribeLogGroups did not list it`,
      ];
    }
    const warning = startNotHeld(id, g, start, now);
    return warning === undefined ? [] : [warning];
  });
}
