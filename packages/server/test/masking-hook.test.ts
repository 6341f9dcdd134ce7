/**
 * The masking hook on a step whose query it is not told (an event logged before step-end events
 * kept their query): taken to read every masked field, so a value read under another name is
 * hidden rather than shown (red-team). Told the query, it hides only what the query may read.
 */
import { parseAccessConfig } from "@run-md/access";
import { describe, expect, it } from "vitest";
import { maskingHook } from "../src/governance/masking.ts";

const cfg = parseAccessConfig(
  { masking: [{ groups: ["c"], columns: ["useridentity.arn"], strategy: "redact" }] },
  "x.yaml",
);
const caller = { user: "u", groups: ["c"], via: "token" as const };
const step = {
  columns: [
    { name: "who", type: "varchar" },
    { name: "n", type: "bigint" },
  ],
  rows: [["arn:aws:iam::123456789012:user/alice", 3]],
};

describe("the masking hook", () => {
  it("hides every text value of a step whose query it does not know", () => {
    const out = maskingHook(cfg, undefined)(caller, "rb", { ...step });
    expect(out.rows).toEqual([["[redacted]", 3]]);
    expect(out.masked).toContain("useridentity.arn under another column name");
    expect(out.warnings).toBeUndefined();
  });

  it("keeps them when the query it is told reads no masked field", () => {
    const query = "SELECT eventname AS who, count(*) AS n FROM cloudtrail_logs GROUP BY 1";
    const out = maskingHook(cfg, undefined)(caller, "rb", { ...step, query });
    expect(out.rows).toEqual(step.rows);
    const renamed = "SELECT useridentity.arn AS who, count(*) AS n FROM cloudtrail_logs GROUP BY 1";
    expect(maskingHook(cfg, undefined)(caller, "rb", { ...step, query: renamed }).rows).toEqual([
      ["[redacted]", 3],
    ]);
  });

  it("hides the bare value Athena's split_to_multimap names (Bad input: ...)", () => {
    const message =
      "INVALID_FUNCTION_ARGUMENT: Key-value delimiter must appear exactly once in each entry. Bad input: alice==bob";
    const out = maskingHook(cfg, undefined)(caller, "rb", {
      error: { code: "sql-error", message },
    });
    // The kind of error only: an engine's sentence may quote a value anywhere in it.
    expect((out.error as { message: string }).message).toBe(
      "INVALID_FUNCTION_ARGUMENT: [redacted]",
    );
  });
});
