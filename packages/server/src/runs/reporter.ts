/** Core's `RunReporter` hooks turned into a run's live events (spec §5). */
import { isoInstant, type RunReporter, type StepReport } from "@run-md/core";
import type { EventHub } from "./events.ts";
import type { RunRecord } from "./record.ts";

/** Rows a `step-end` event carries (the report keeps core's first 100). */
export const EVENT_ROWS = 20;

/**
 * What a `step-end` event says: the step's result, its first rows, its checks with outcomes; and
 * the step's query, which the event log keeps for masking and the stream leaves out.
 */
export function stepEndData(report: StepReport): Record<string, unknown> {
  return {
    step: report.id,
    ...(report.title === undefined ? {} : { title: report.title }),
    status: report.status,
    engine: report.engine,
    durationMs: report.durationMs,
    stats: report.stats,
    columns: report.columns,
    rows: report.rows.slice(0, EVENT_ROWS),
    rowCount: report.rowCount,
    checks: report.checks,
    warnings: report.warnings,
    ...(report.error === undefined ? {} : { error: report.error }),
    // Kept in the run's event log for masking (a step reading a masked field under another
    // name), never sent: the events route takes it out (routes/events.ts).
    query: report.query,
  };
}

export function reporterFor(rec: RunRecord, hub: EventHub): RunReporter {
  // The hooks are synchronous; the event is in the log at once, its write follows.
  const emit = (name: Parameters<EventHub["emit"]>[1], data: Record<string, unknown>) => {
    hub.emit(rec, name, data).catch(() => {});
  };
  return {
    onRunStart: ({ window, params }) =>
      emit("run-start", {
        window: {
          start: isoInstant(window.start),
          end: isoInstant(window.end),
          source: window.source,
        },
        params,
      }),
    onStepStart: ({ step, engine }) =>
      emit("step-start", {
        step: step.id,
        ...(step.title === undefined ? {} : { title: step.title }),
        engine,
      }),
    // The engine's state and its figures (Athena's state and bytes scanned so far), spec §5.
    onStepProgress: ({ step, message, stats }) =>
      emit("step-progress", { step: step.id, message, ...(stats === undefined ? {} : { stats }) }),
    onStepEnd: ({ report }) => emit("step-end", stepEndData(report)),
  };
}
