import { describe, expect, it } from "vitest";
import { abortReason, sleep } from "../src/index.ts";

describe("sleep", () => {
  it("waits the given time when nothing aborts", async () => {
    const started = Date.now();
    await sleep(30, new AbortController().signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it("ends as soon as the signal aborts, and at once when it already has", async () => {
    const c = new AbortController();
    const started = Date.now();
    setTimeout(() => c.abort(), 10);
    await sleep(60_000, c.signal);
    await sleep(60_000, c.signal);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("abortReason", () => {
  it("names why a signal aborted: an error's message, a text, else cancelled", () => {
    const reasonOf = (reason?: unknown) => {
      const c = new AbortController();
      c.abort(reason);
      return abortReason(c.signal);
    };
    expect(reasonOf(new Error("timeout"))).toBe("timeout");
    expect(reasonOf("user")).toBe("user");
    expect(reasonOf(42)).toBe("cancelled");
    expect(reasonOf()).toBe("This operation was aborted");
  });
});
