/**
 * One emulated Athena query execution: its record, how each GetQueryExecution poll moves it along
 * (QUEUED, RUNNING, then its outcome or an injected failure), and how GetQueryExecution
 * describes it (states, statistics, AthenaError).
 */
import type { BackendQueryError, BackendResult } from "./backend.ts";
import type { AthenaFailureFault } from "./context.ts";

export type State = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";

export interface QueryRecord {
  id: string;
  token: string | undefined;
  query: string;
  executionParameters: string[] | undefined;
  context: Record<string, unknown> | undefined;
  workGroup: string;
  resultConfiguration: Record<string, unknown> | undefined;
  state: State;
  submittedAt: number;
  runningAt: number | undefined;
  completedAt: number | undefined;
  queuedPollsLeft: number;
  runningPollsLeft: number;
  runningPolls: number;
  scannedBytesPerRunningPoll: number;
  scannedBytesFigure: number | undefined;
  failure: AthenaFailureFault | undefined;
  controller: AbortController;
  outcome: { result: BackendResult } | { error: BackendQueryError } | undefined;
  stateChangeReason: string | undefined;
  athenaError: AthenaFailureFault | undefined;
  scannedBytes: number;
  /** GetQueryExecution leaves out StatementType and SubstatementType (a fault). */
  omitStatementType?: boolean;
  /** A DDL statement (SHOW PARTITIONS): described as DDL, its results without a header row. */
  ddl?: boolean;
}

export function isTerminal(state: State): boolean {
  return state === "SUCCEEDED" || state === "FAILED" || state === "CANCELLED";
}

function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

/** The final state: an injected failure first, else the backend's error or result. */
function finish(q: QueryRecord, now: number): void {
  q.completedAt = now;
  q.runningAt ??= now;
  if (q.failure) {
    q.state = "FAILED";
    q.stateChangeReason = q.failure.reason;
    q.athenaError = q.failure;
    q.scannedBytes = q.scannedBytesFigure ?? 0;
  } else if (q.outcome && "error" in q.outcome) {
    const e = q.outcome.error;
    q.state = "FAILED";
    q.stateChangeReason = e.reason;
    q.athenaError = {
      reason: e.reason,
      category: e.category,
      type: e.errorType,
      retryable: e.retryable,
    };
    q.scannedBytes = 0;
  } else if (q.outcome) {
    q.state = "SUCCEEDED";
    q.scannedBytes = q.scannedBytesFigure ?? q.outcome.result.scannedBytes;
  }
}

/** One poll moves the query along: QUEUED for N polls, RUNNING for M, then its outcome. */
export function advance(q: QueryRecord): void {
  if (isTerminal(q.state)) return;
  const now = Date.now();
  if (q.queuedPollsLeft > 0) {
    q.queuedPollsLeft--;
    q.state = "QUEUED";
    return;
  }
  if (q.runningPollsLeft > 0 || q.outcome === undefined) {
    if (q.runningPollsLeft > 0) q.runningPollsLeft--;
    q.runningAt ??= now;
    q.state = "RUNNING";
    q.runningPolls++;
    q.scannedBytes = q.scannedBytesPerRunningPoll * q.runningPolls;
    return;
  }
  finish(q, now);
}

function status(q: QueryRecord) {
  return {
    State: q.state,
    ...(q.stateChangeReason ? { StateChangeReason: q.stateChangeReason } : {}),
    SubmissionDateTime: seconds(q.submittedAt),
    ...(q.completedAt === undefined ? {} : { CompletionDateTime: seconds(q.completedAt) }),
    ...(q.athenaError
      ? {
          AthenaError: {
            ErrorCategory: q.athenaError.category ?? 2,
            ErrorType: q.athenaError.type ?? 1006,
            Retryable: q.athenaError.retryable ?? false,
            ErrorMessage: q.athenaError.reason,
          },
        }
      : {}),
  };
}

function statistics(q: QueryRecord) {
  const end = q.completedAt ?? Date.now();
  return {
    EngineExecutionTimeInMillis: q.runningAt === undefined ? 0 : end - q.runningAt,
    DataScannedInBytes: q.scannedBytes,
    TotalExecutionTimeInMillis: end - q.submittedAt,
    QueryQueueTimeInMillis: (q.runningAt ?? end) - q.submittedAt,
    ServicePreProcessingTimeInMillis: 0,
    QueryPlanningTimeInMillis: 0,
    ServiceProcessingTimeInMillis: 0,
    ResultReuseInformation: { ReusedPreviousResult: false },
  };
}

/** The `QueryExecution` of a GetQueryExecution answer. */
export function describeExecution(q: QueryRecord) {
  const output = String(q.resultConfiguration?.OutputLocation ?? "s3://emulator-results/");
  return {
    QueryExecutionId: q.id,
    Query: q.query,
    ...(q.omitStatementType
      ? {}
      : q.ddl
        ? { StatementType: "DDL" }
        : { StatementType: "DML", SubstatementType: "SELECT" }),
    ResultConfiguration: { OutputLocation: `${output.replace(/\/?$/, "/")}${q.id}.csv` },
    ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: false } },
    QueryExecutionContext: q.context ?? {},
    WorkGroup: q.workGroup,
    ...(q.executionParameters ? { ExecutionParameters: q.executionParameters } : {}),
    EngineVersion: {
      SelectedEngineVersion: "AUTO",
      EffectiveEngineVersion: "Athena engine version 3",
    },
    Status: status(q),
    Statistics: statistics(q),
  };
}
