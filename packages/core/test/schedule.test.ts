/** How old a scheduled runbook's latest run may be: a missed run and a margin (the site's stale mark). */
import { describe, expect, it } from "vitest";
import { scheduleProblem, staleAfterMs } from "../src/schedule.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("staleAfterMs", () => {
  it("nightly two days, weekly eight and a half; none for manual or what is no schedule", () => {
    expect(staleAfterMs("nightly")).toBe(48 * HOUR);
    expect(staleAfterMs("weekly")).toBe(8 * DAY + 12 * HOUR);
    expect(staleAfterMs("manual")).toBeUndefined();
    expect(staleAfterMs(undefined)).toBeUndefined();
    expect(staleAfterMs("every day")).toBeUndefined();
  });

  it("a cron expression: the longest gap between days with a time, the nightly job's day, 12 hours", () => {
    const limit = (days: number) => days * DAY + DAY + 12 * HOUR;
    // Friday to Monday.
    expect(staleAfterMs("0 6 * * 1-5")).toBe(limit(3));
    // January the 1st to February the 1st.
    expect(staleAfterMs("0 4 1 * *")).toBe(limit(31));
    expect(staleAfterMs("30 2 * * *")).toBe(limit(1));
    // The nightly job runs a runbook once a night at most: every six hours is every day.
    expect(staleAfterMs("0 */6 * * *")).toBe(limit(1));
    // Many times on Mondays only: the week between them counts, not the five minutes.
    expect(staleAfterMs("*/5 * * * 1")).toBe(limit(7));
    expect(staleAfterMs("0 * * * 1-5")).toBe(limit(3));
    // Once a year (2024 was a leap year), and once every leap year.
    expect(staleAfterMs("0 0 1 1 *")).toBe(limit(366));
    expect(staleAfterMs("0 0 29 2 *")).toBe(limit(4 * 365 + 1));
  });

  it("a cron expression whose time never comes is no schedule (run-md check says so)", () => {
    expect(scheduleProblem("0 0 30 2 *")).toBe("a cron expression whose time never comes");
    expect(staleAfterMs("0 0 30 2 *")).toBeUndefined();
  });

  it("five fields or six (seconds first), as the JSON Schema says; a seventh, a year, is refused", () => {
    expect(scheduleProblem("0 6 * * 1-5")).toBeUndefined();
    expect(scheduleProblem("0 0 6 * * 1-5")).toBeUndefined();
    expect(scheduleProblem(" 0 6 * * 1-5 ")).toBeUndefined();
    // A year that has passed made the runbook never due again, without a word (review).
    for (const s of ["0 0 0 1 1 * 2020", "0 0 6 * * * 2030"]) {
      expect(scheduleProblem(s)).toBe(
        "a cron expression has 5 fields (minute hour day month weekday), or 6 with seconds first; this one has 7 (a year field is not taken)",
      );
      expect(staleAfterMs(s)).toBeUndefined();
    }
    // Fewer fields are said so, and words are a name meant (review: croner's "exactly five, six,
    // or seven space separated parts are required" offered the seventh the format refuses).
    expect(scheduleProblem("0 6 * *")).toBe(
      "a cron expression has 5 fields (minute hour day month weekday), or 6 with seconds first; this one has 4",
    );
    for (const s of ["weekly monday", "nightly "]) {
      expect(scheduleProblem(s), s).toBe(
        'expected one of manual, nightly, weekly or a cron expression such as "0 6 * * 1-5"',
      );
    }
  });
});
