/**
 * Where a log group's events begin (retention.ts), computed by hand: the later of its creation
 * and its retention's start, and the warning for a window that starts before it.
 */
import { describe, expect, test } from "vitest";
import { heldFrom, logGroupName, startNotHeld } from "../src/retention.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-12-05T12:00:00Z");

describe("where a log group's events begin", () => {
  test("the later of its creation and its retention's start", () => {
    expect(heldFrom({ retentionInDays: 30 }, NOW)).toEqual({
      from: NOW - 30 * DAY,
      why: "its retention keeps 30 days",
    });
    const created = Date.parse("2026-12-01T08:00:00Z");
    expect(heldFrom({ retentionInDays: 30, creationTime: created }, NOW)).toEqual({
      from: created,
      why: "it was created at 2026-12-01T08:00:00Z",
    });
    expect(heldFrom({ retentionInDays: 2, creationTime: created }, NOW)?.from).toBe(NOW - 2 * DAY);
    // Never expire (no retentionInDays) and no creation time: nothing bounds it.
    expect(heldFrom({}, NOW)).toBeUndefined();
  });

  test("a window starting before it warns of the part not read; one starting after does not", () => {
    const g = { retentionInDays: 7, creationTime: 0 };
    expect(startNotHeld("CloudTrail/mgmt", g, new Date(NOW - 30 * DAY), NOW)).toBe(
      "CloudTrail/mgmt keeps events from 2026-11-28T12:00:00Z on (its retention keeps 7 days; older ones are deleted within about 72 hours): the window's start, 2026-11-05T12:00:00Z → 2026-11-28T12:00:00Z, may not have been read; shorten window= or keep the logs longer",
    );
    expect(startNotHeld("CloudTrail/mgmt", g, new Date(NOW - 7 * DAY), NOW)).toBeUndefined();
    // Before its creation there is nothing at all.
    const created = { creationTime: NOW - 2 * DAY };
    expect(startNotHeld("CloudTrail/mgmt", created, new Date(NOW - 3 * DAY), NOW)).toBe(
      "CloudTrail/mgmt holds no events before 2026-12-03T12:00:00Z (it was created at 2026-12-03T12:00:00Z): the window's start, 2026-12-02T12:00:00Z → 2026-12-03T12:00:00Z, was not read; shorten window=",
    );
    expect(startNotHeld("CloudTrail/mgmt", g, new Date(NOW - DAY), NOW)).toBeUndefined();
  });

  test("a log group's name from its ARN", () => {
    expect(logGroupName("arn:aws:logs:eu-west-1:123456789012:log-group:aws/cloudtrail/org")).toBe(
      "aws/cloudtrail/org",
    );
    expect(logGroupName("CloudTrail/mgmt")).toBe("CloudTrail/mgmt");
  });
});
