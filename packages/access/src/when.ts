/** Points in time as the access commands take them: a duration from now, or an ISO-8601 instant. */
import { parseDuration, parseInstant, RunMdError } from "@run-md/core";

/**
 * `90d` → `now` + 90 days (`direction` 1, an expiry) or − 90 days (−1, `--since`); otherwise an
 * ISO-8601 date (midnight UTC) or date-time. A RunMdError naming `flag` for anything else.
 */
export function parseWhen(text: string, flag: string, now: Date, direction: 1 | -1): Date {
  const ms = parseDuration(text);
  if (ms !== undefined) return new Date(now.getTime() + direction * ms);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text))
    throw new RunMdError(
      "bad-time",
      `${flag} "${text}" is neither a duration (90d, 12h) nor an ISO-8601 date or time (2027-03-01)`,
    );
  return parseInstant(text, flag);
}
