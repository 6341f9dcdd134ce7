/** A latest run older than its schedule allows is marked stale, against the reader's clock. */
import { parseHTML } from "linkedom";
import { describe, expect, it } from "vitest";
import { isStale, markStale } from "../src/lib/stale.ts";

const HOUR = 3_600_000;
const now = Date.parse("2026-12-02T06:00:00Z");
const ago = (h: number) => new Date(now - h * HOUR).toISOString();

describe("stale latest runs", () => {
  it("a nightly run older than two days, a weekly one older than eight and a half; never manual", () => {
    expect(isStale(ago(30), "nightly", now)).toBe(false);
    expect(isStale(ago(49), "nightly", now)).toBe(true);
    expect(isStale(ago(7 * 24), "weekly", now)).toBe(false);
    expect(isStale(ago(9 * 24), "weekly", now)).toBe(true);
    expect(isStale(ago(90 * 24), "manual", now)).toBe(false);
    expect(isStale(ago(90 * 24), "0 6 * * 1-5", now)).toBe(false);
    expect(isStale("not a time", "nightly", now)).toBe(false);
  });

  it("shows the index's hidden marks of stale runs, with their age, and only those", () => {
    const { document } = parseHTML(
      `<table><tr><td><div data-rm-stale data-rm-run-time="${ago(5 * 24)}" data-rm-schedule="nightly" hidden></div></td></tr>` +
        `<tr><td><div data-rm-stale data-rm-run-time="${ago(3)}" data-rm-schedule="nightly" hidden></div></td></tr></table>`,
    );
    markStale(document, now);
    const [old, fresh] = [...document.querySelectorAll<HTMLElement>("[data-rm-stale]")];
    expect(old!.hidden).toBe(false);
    expect(old!.textContent).toBe("⚠ stale: the last run is 5 days old (schedule: nightly)");
    expect(fresh!.hidden).toBe(true);
    expect(fresh!.textContent).toBe("");
  });
});
