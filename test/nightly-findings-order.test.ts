/**
 * The nightly summary's "what failed" of a failed run starts with a check that failed it: an
 * optional step's failed check only warns a run (spec §2), and is named after.
 */
import { describe, expect, it } from "vitest";
import type { RunReport } from "../packages/core/src/index.ts";
import { report } from "../packages/notify/test/helpers.ts";
import { findings } from "../scripts/nightly/summary.ts";

describe("the findings of a failed run with an optional step's failure above", () => {
  it("name the check that failed the run first", () => {
    const r: RunReport = report("audit-iam", "failed");
    const failing = r.steps[0]!;
    const optional = {
      ...failing,
      id: "baseline",
      optional: true,
      checks: failing.checks.map((c) => ({ ...c, check: "rows < 5" })),
    };
    r.steps = [optional, failing];
    const outcome = { status: "failed", report: r } as Parameters<typeof findings>[0];
    expect(findings(outcome)).toBe(
      "rows == 0 in changes_outside_automation = 1; rows < 5 in baseline = 1",
    );
  });
});
