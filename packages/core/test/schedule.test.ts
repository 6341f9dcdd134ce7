/** How old a scheduled runbook's latest run may be: a missed run and a margin (the site's stale mark). */
import { describe, expect, it } from "vitest";
import { staleAfterMs } from "../src/schedule.ts";

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

  it("a cron expression: its longest gap, the nightly job's day, and 12 hours", () => {
    // Friday 06:00 to Monday 06:00.
    expect(staleAfterMs("0 6 * * 1-5")).toBe(72 * HOUR + DAY + 12 * HOUR);
    // January the 1st to February the 1st.
    expect(staleAfterMs("0 4 1 * *")).toBe(31 * DAY + DAY + 12 * HOUR);
    expect(staleAfterMs("30 2 * * *")).toBe(DAY + DAY + 12 * HOUR);
    expect(staleAfterMs("0 */6 * * *")).toBe(6 * HOUR + DAY + 12 * HOUR);
  });
});
