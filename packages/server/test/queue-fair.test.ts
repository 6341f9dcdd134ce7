/**
 * The run queue's slots (`server.concurrency`): one person's runs queued ahead of everyone hold
 * the slots only until one frees; the next slot goes to the person with the fewest running.
 * The truth is the order in which jobs the test releases by hand start.
 */
import { describe, expect, it } from "vitest";
import { RunQueue } from "../src/runs/queue.ts";

/** A job that records its start and ends when the test says. */
function jobs() {
  const started: string[] = [];
  const ends = new Map<string, () => void>();
  const job = (id: string) => () =>
    new Promise<void>((resolve) => {
      started.push(id);
      ends.set(id, resolve);
    });
  const end = async (id: string) => {
    ends.get(id)?.();
    // The queue starts the next job once the ended one's promise settles (microtasks, all run
    // before the next turn of the event loop).
    await new Promise((r) => setImmediate(r));
  };
  return { started, job, end };
}

describe("the run queue", () => {
  it("gives a freed slot to the person with the fewest running, not to the next of one person's many", async () => {
    const q = new RunQueue(2);
    const { started, job, end } = jobs();
    for (const n of [1, 2, 3, 4]) q.push(`alice-${n}`, job(`alice-${n}`), "alice");
    q.push("bob-1", job("bob-1"), "bob");
    q.push("bob-2", job("bob-2"), "bob");
    expect(started).toEqual(["alice-1", "alice-2"]);
    await end("alice-1");
    // Alice runs one, Bob none: Bob's first, though Alice's third waited longer.
    expect(started).toEqual(["alice-1", "alice-2", "bob-1"]);
    await end("alice-2");
    // One each: first in, first out between them.
    expect(started.at(-1)).toBe("alice-3");
    await end("bob-1");
    expect(started.at(-1)).toBe("bob-2");
    expect(q.size).toEqual({ waiting: 1, running: 2 });
  });

  it("is first in, first out for one person, and for jobs of no owner", async () => {
    const q = new RunQueue(1);
    const { started, job, end } = jobs();
    for (const id of ["a", "b", "c"]) q.push(id, job(id));
    await end("a");
    await end("b");
    expect(started).toEqual(["a", "b", "c"]);
  });
});
