/** The Athena table and day the table-scoping tests query (through the emulator). */
import type { TimeWindow } from "@run-md/core";

export const TABLE = "security.cloudtrail_org_pp";
export const DAY: TimeWindow = {
  start: new Date("2026-11-23T00:00:00Z"),
  end: new Date("2026-11-24T00:00:00Z"),
};
