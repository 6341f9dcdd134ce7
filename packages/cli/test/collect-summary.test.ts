/** What `run-md collect` says of a collect whose objects held nothing new (commands/collect.ts). */
import type { CollectResult } from "@run-md/collect";
import { describe, expect, it } from "vitest";
import { emptyCollect } from "../src/commands/collect.ts";

const result = (r: Partial<CollectResult>): CollectResult => ({
  objectsSeen: 0,
  objectsNew: 0,
  objectsSkipped: 0,
  objectsUnread: 0,
  objectsHeld: 0,
  eventsAdded: 0,
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
  });
});
