/**
 * A run the server was asked for: who asked, what, its status and its event log (spec §4, §5).
 * One record is one file `<runsDir>/<id>.json`, rewritten atomically as it changes.
 */
import type { RunKind, RunStatus, WindowSpec } from "@run-md/core";

/**
 * `queued` → `running` → a report status (passed, warned, failed, errored, cancelled);
 * `pending-approval` waits for an approver (spec §6); `interrupted`: the server stopped during it.
 */
export type RunRecordStatus =
  | "queued"
  | "pending-approval"
  | "running"
  | RunStatus
  | "interrupted"
  // Spec §6: an approver said no, or nobody approved in time.
  | "denied"
  | "expired";

/** A run's approval (spec §6), while it waits and after. */
export interface ApprovalState {
  approvers: string[];
  expiresAt: string;
  state: "requested" | "approved" | "denied" | "expired";
  by?: string;
  comment?: string;
  at?: string;
}

/** Every status a run record may have (the `status` filter of GET /api/runs takes these). */
export const RUN_STATUSES: readonly RunRecordStatus[] = [
  "queued",
  "pending-approval",
  "running",
  "passed",
  "warned",
  "failed",
  "errored",
  "cancelled",
  "interrupted",
  "denied",
  "expired",
];

export const ACTIVE_STATUSES: readonly RunRecordStatus[] = [
  "queued",
  "pending-approval",
  "running",
];

/** Event names of spec §5. */
export type RunEventName =
  | "queued"
  | "approval"
  | "run-start"
  | "step-start"
  | "step-progress"
  | "step-end"
  | "run-end";

export interface RunEvent {
  /** 1, 2, 3... within the run: the SSE `id:`, so `Last-Event-ID` resumes after it. */
  id: number;
  event: RunEventName;
  time: string;
  data: Record<string, unknown>;
}

export interface RunRecord {
  id: string;
  runbook: string;
  /** Who asked; `token`: the name of the token they asked with. */
  requester: { user: string; groups: string[]; via: string; token?: string };
  requestedAt: string;
  startedAt?: string;
  endedAt?: string;
  status: RunRecordStatus;
  /**
   * The parameters the request gave (the run's full set is in its report). Absent from the
   * record the server keeps of an ended run when they are larger than `PARAMS_KEPT` (store.ts):
   * `RunStore.params` reads them from the record's file.
   */
  params?: Record<string, unknown>;
  window: WindowSpec;
  engine?: string;
  /** The stored report, relative to the reports folder, once the run ended. */
  report?: string;
  /** Its kind: an investigation (`--step`, another window, other parameters) has no site page. */
  reportKind?: RunKind;
  /**
   * How many warnings its steps gave (a day of the window without logs, files not read), when it
   * ended with a report: a list of runs shows a pass over logs not all read as such. A count,
   * not the texts: they can quote values the caller's view masks (the run's page shows them).
   */
  warnings?: number;
  /**
   * Its report says it read the bundled sample data (RunReport.sampleData): its `run-end` event
   * says so, and the live view with it (its findings are about generated events).
   */
  sampleData?: true;
  /** Why it ended without a report (interrupted, or an error before the first step). */
  error?: string;
  cancelledBy?: string;
  approval?: ApprovalState;
  /**
   * The event log, in memory while the run is active. Once it ended and its log is on disk
   * (`RunStore.release`), the record the server keeps has none: `RunStore.events` reads it back
   * for a replay (an ended run costs its summary only, however long the server lives).
   */
  events?: RunEvent[];
}

export function isActive(status: RunRecordStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}
