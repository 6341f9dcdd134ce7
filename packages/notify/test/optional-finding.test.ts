/**
 * An alert's headline names the check that failed the run: an optional step's failed check only
 * warns a run (spec §2), so when a run failed, it is not the finding, even when its step comes
 * first.
 */
import { findingOf } from "@run-md/notify";
import { describe, expect, it } from "vitest";
import { report } from "./helpers.ts";

describe("the finding of a failed run with an optional step's failure above", () => {
  it("is the check that failed the run, not the optional step's", () => {
    const r = report("audit-iam", "failed");
    const failing = r.steps[0]!;
    const optional = {
      ...failing,
      id: "baseline",
      optional: true,
      checks: failing.checks.map((c) => ({ ...c, check: "rows < 5", label: "a quiet week" })),
    };
    r.steps = [optional, failing];
    const finding = findingOf(r);
    expect([finding?.step, finding?.check]).toEqual(["changes_outside_automation", "rows == 0"]);
    // Both failed checks are still counted and named: the optional one is reported, not hidden.
    expect(finding?.failedChecks).toBe(2);
  });
});
