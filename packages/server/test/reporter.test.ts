/** The live events core's reporter hooks become (spec §5). */
import type { StepReport } from "@run-md/core";
import { describe, expect, it } from "vitest";
import type { EventHub } from "../src/runs/events.ts";
import type { RunRecord } from "../src/runs/record.ts";
import { EVENT_ROWS, reporterFor, stepEndData } from "../src/runs/reporter.ts";

describe("a step-end event", () => {
  it("carries the step's result with its first 20 rows and the count of them all", () => {
    const rows = Array.from({ length: 30 }, (_v, i) => [`e${i}`, i]);
    const report = {
      id: "calls",
      title: "Calls",
      status: "failed",
      engine: "local",
      durationMs: 12,
      stats: { rows: 30 },
      columns: [
        { name: "eventname", type: "varchar" },
        { name: "n", type: "bigint" },
      ],
      rows,
      rowCount: 30,
      checks: [{ check: "rows == 0", status: "failed", actual: 30 }],
      warnings: ["w"],
      query: "SELECT 1",
    } as unknown as StepReport;
    const data = stepEndData(report);
    expect(EVENT_ROWS).toBe(20);
    expect(data).toEqual({
      step: "calls",
      title: "Calls",
      status: "failed",
      engine: "local",
      durationMs: 12,
      stats: { rows: 30 },
      columns: report.columns,
      rows: rows.slice(0, 20),
      rowCount: 30,
      checks: report.checks,
      warnings: ["w"],
      // For masking; the events route does not send it.
      query: "SELECT 1",
    });
  });
});

describe("a step-progress event", () => {
  it("carries the engine's state and its figures when it has them (spec §5)", () => {
    const sent: unknown[] = [];
    const hub = {
      emit: async (_rec: RunRecord, event: string, data: Record<string, unknown>) => {
        sent.push([event, data]);
      },
    } as unknown as EventHub;
    const reporter = reporterFor({} as RunRecord, hub);
    const step = { id: "calls" } as Parameters<
      NonNullable<typeof reporter.onStepProgress>
    >[0]["step"];
    const stats = { state: "RUNNING", dataScannedBytes: 1234 };
    reporter.onStepProgress!({ step, message: "RUNNING 1.2 kB scanned", stats });
    reporter.onStepProgress!({ step, message: "reading 3 file(s)" });
    expect(sent).toEqual([
      ["step-progress", { step: "calls", message: "RUNNING 1.2 kB scanned", stats }],
      ["step-progress", { step: "calls", message: "reading 3 file(s)" }],
    ]);
  });
});
