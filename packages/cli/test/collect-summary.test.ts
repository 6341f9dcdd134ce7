/** What `run-md collect` says of a collect whose objects held nothing new (commands/collect.ts). */
import type { CollectResult } from "@run-md/collect";
import { describe, expect, it } from "vitest";
import { emptyCollect, eventsChange, repairedEvents } from "../src/commands/collect.ts";

const result = (r: Partial<CollectResult>): CollectResult => ({
  objectsSeen: 0,
  objectsNew: 0,
  objectsSkipped: 0,
  objectsUnread: 0,
  objectsHeld: 0,
  valuesSkipped: 0,
  eventsAdded: 0,
  daysRepaired: 0,
  eventsRepaired: 0,
  bytesRead: 0,
  daysWritten: [],
  warnings: [],
  covered: true,
  ...r,
});

describe("emptyCollect", () => {
  it("says when the objects read held no new event, and nothing otherwise", () => {
    expect(emptyCollect(result({ objectsSeen: 3, objectsNew: 2 }))).toEqual([
      "the 2 object(s) read held no event of the window the store lacked",
    ]);
    // A window without objects: the source says so itself.
    expect(emptyCollect(result({}))).toEqual([]);
    expect(emptyCollect(result({ objectsSeen: 3, objectsNew: 0 }))).toEqual([]);
    expect(emptyCollect(result({ objectsSeen: 3, objectsNew: 2, eventsAdded: 5 }))).toEqual([]);
    // Objects read again into a repaired day held what the store lacked: no warning.
    const repair = { objectsSeen: 3, objectsNew: 2, daysRepaired: 1, eventsRepaired: 4 };
    expect(emptyCollect(result(repair))).toEqual([]);
  });
});

describe("eventsChange", () => {
  it("says fewer events as fewer, never as a negative count of new ones (review)", () => {
    expect([eventsChange(0), eventsChange(1), eventsChange(12)]).toEqual([
      "0 new events",
      "1 new event",
      "12 new events",
    ]);
    expect(eventsChange(-1)).toBe("1 event fewer (objects changed in place hold fewer)");
    expect(eventsChange(-3)).toBe("3 events fewer (objects changed in place hold fewer)");
  });
});

describe("repairedEvents", () => {
  it("says the events of repaired days as read again, and nothing without a repair", () => {
    expect(repairedEvents(result({}))).toBe("");
    expect(repairedEvents(result({ daysRepaired: 2, eventsRepaired: 7 }))).toBe(
      ", 7 read again into 2 repaired day(s)",
    );
  });
});
