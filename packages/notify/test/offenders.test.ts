/**
 * What a still-failing runbook's offenders make news (`transition`): one its failure had not
 * named, and never the same findings again, however many a run names.
 */
import { OFFENDERS_KEPT, type RunbookState, transition } from "@run-md/notify";
import { describe, expect, it } from "vitest";

const at = (h: number) => new Date(Date.UTC(2026, 10, 24, h));
const names = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `actor = arn:aws:iam::111122223333:user/u${from + i}`);

function run(before: RunbookState | undefined, offenders: string[], h: number) {
  const report = { status: "failed" as const, startedAt: at(h).toISOString(), offenders };
  return transition(before, report, at(h), undefined);
}

describe("offenders of a failure", () => {
  it("a run naming more than the state keeps is no news when it names them again", () => {
    const many = names(OFFENDERS_KEPT + 100);
    const first = run(undefined, many, 1);
    expect(first.kind).toBe("failing");
    expect(first.next?.offenders).toHaveLength(OFFENDERS_KEPT);
    const second = run(first.next, many, 2);
    expect([second.kind, second.newOffender]).toEqual([undefined, undefined]);
    // One it had not named, first in the run's order: news.
    const third = run(second.next, [...names(1, 10_000), ...many], 3);
    expect([third.kind, third.newOffender]).toEqual([
      "failing",
      "actor = arn:aws:iam::111122223333:user/u10000",
    ]);
  });

  it("keeps the newest named: one named again stays known while older ones leave", () => {
    let state = run(undefined, names(1), 1).next;
    for (let night = 0; night < 5; night++) {
      // The first offender again each night, and OFFENDERS_KEPT / 4 new ones.
      const r = run(
        state,
        [...names(1), ...names(OFFENDERS_KEPT / 4, 1 + night * 1000)],
        2 + night,
      );
      expect(r.kind).toBe("failing");
      state = r.next;
    }
    expect(run(state, names(1), 9).kind).toBeUndefined();
  });
});
