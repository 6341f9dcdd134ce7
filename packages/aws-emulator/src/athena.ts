/**
 * The Athena operations a runner uses, over the awsJson1_1 protocol (`AmazonAthena.<Op>`):
 * StartQueryExecution (idempotency tokens), GetQueryExecution (states, statistics, AthenaError),
 * GetQueryResults (header row, paging, ColumnInfo, Trino text) and StopQueryExecution, with the
 * injectable faults of `FaultConfig.athena`.
 */
import { randomUUID } from "node:crypto";
import { checkSql } from "@run-md/sql";
import { type AthenaBackend, BackendQueryError, type BackendResult } from "./backend.ts";
import type { AthenaFailureFault, EmulatorContext, Handler } from "./context.ts";
import { ServiceError } from "./context.ts";

/** Athena's error code for each problem rule of `@run-md/sql`. */
const ATHENA_CODES: Record<string, string> = {
  "sql-table": "TABLE_NOT_FOUND",
  "sql-column": "COLUMN_NOT_FOUND",
  "sql-function": "FUNCTION_NOT_FOUND",
  "sql-athena": "TYPE_MISMATCH",
};

/**
 * The emulator checks a query as Athena would, with the checker the engines use: a syntax error
 * is refused by StartQueryExecution itself (InvalidRequestException, as Athena does); any other
 * problem makes the query FAILED with Athena's error code, before the backend runs it.
 */
function validationFailure(ctx: EmulatorContext, query: string): BackendQueryError | undefined {
  if (!ctx.validateSql) return undefined;
  const tables = { aliases: ctx.tableAliases, extra: ctx.extraTables };
  const first = checkSql(query, { tables }).find((p) => p.severity === "error");
  if (first === undefined) return undefined;
  const where = `line ${first.line}:${first.column}: ${first.message}`;
  if (first.syntax) {
    throw new ServiceError("InvalidRequestException", where, {
      AthenaErrorCode: "MALFORMED_QUERY",
    });
  }
  return new BackendQueryError(`${ATHENA_CODES[first.rule] ?? "GENERIC_USER_ERROR"}: ${where}`);
}

type State = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";

interface QueryRecord {
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
}

const MAX_QUERY_BYTES = 262_144;

function invalid(message: string): ServiceError {
  return new ServiceError("InvalidRequestException", message, { AthenaErrorCode: "INVALID_INPUT" });
}

function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

function isTerminal(state: State): boolean {
  return state === "SUCCEEDED" || state === "FAILED" || state === "CANCELLED";
}

function encodeToken(id: string, offset: number): string {
  return Buffer.from(`${id}:${offset}`).toString("base64url");
}

function decodeToken(token: string): { id: string; offset: number } | undefined {
  const text = Buffer.from(token, "base64url").toString("utf8");
  const m = /^([0-9a-f-]{36}):(\d+)$/.exec(text);
  return m ? { id: m[1]!, offset: Number(m[2]) } : undefined;
}

export function athenaHandlers(
  ctx: EmulatorContext,
  backend: () => Promise<AthenaBackend>,
): Record<string, Handler> {
  const queries = new Map<string, QueryRecord>();
  const byToken = new Map<string, string>();

  const get = (body: Record<string, unknown>): QueryRecord => {
    const id = body.QueryExecutionId;
    if (typeof id !== "string" || id.length === 0) {
      throw invalid("QueryExecutionId is required");
    }
    const q = queries.get(id);
    if (!q) throw invalid(`QueryExecution ${id} was not found`);
    return q;
  };

  const finish = (q: QueryRecord, now: number) => {
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
  };

  /** One poll moves the query along: QUEUED for N polls, RUNNING for M, then its outcome. */
  const advance = (q: QueryRecord) => {
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
  };

  const describe = (q: QueryRecord) => {
    const now = Date.now();
    const end = q.completedAt ?? now;
    const queueMs = (q.runningAt ?? end) - q.submittedAt;
    const engineMs = q.runningAt === undefined ? 0 : end - q.runningAt;
    return {
      QueryExecutionId: q.id,
      Query: q.query,
      StatementType: "DML",
      SubstatementType: "SELECT",
      ResultConfiguration: {
        OutputLocation: `${String(q.resultConfiguration?.OutputLocation ?? "s3://emulator-results/").replace(/\/?$/, "/")}${q.id}.csv`,
      },
      ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: false } },
      QueryExecutionContext: q.context ?? {},
      WorkGroup: q.workGroup,
      ...(q.executionParameters ? { ExecutionParameters: q.executionParameters } : {}),
      EngineVersion: {
        SelectedEngineVersion: "AUTO",
        EffectiveEngineVersion: "Athena engine version 3",
      },
      Status: {
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
      },
      Statistics: {
        EngineExecutionTimeInMillis: engineMs,
        DataScannedInBytes: q.scannedBytes,
        TotalExecutionTimeInMillis: end - q.submittedAt,
        QueryQueueTimeInMillis: queueMs,
        ServicePreProcessingTimeInMillis: 0,
        QueryPlanningTimeInMillis: 0,
        ServiceProcessingTimeInMillis: 0,
        ResultReuseInformation: { ReusedPreviousResult: false },
      },
    };
  };

  return {
    async StartQueryExecution(body) {
      const query = body.QueryString;
      if (typeof query !== "string" || query.length === 0) throw invalid("QueryString is required");
      if (Buffer.byteLength(query, "utf8") > MAX_QUERY_BYTES) {
        throw invalid(`QueryString is longer than ${MAX_QUERY_BYTES} bytes`);
      }
      const params = body.ExecutionParameters;
      if (
        params !== undefined &&
        (!Array.isArray(params) || params.some((p) => typeof p !== "string" || p.length === 0))
      ) {
        throw invalid("ExecutionParameters must be non-empty strings");
      }
      const token =
        typeof body.ClientRequestToken === "string" ? body.ClientRequestToken : undefined;
      if (token !== undefined) {
        const existing = byToken.get(token);
        if (existing !== undefined) {
          const q = queries.get(existing)!;
          if (q.query !== query) {
            throw invalid(
              "Idempotent parameters do not match: the ClientRequestToken was used with a different QueryString",
            );
          }
          return { QueryExecutionId: q.id };
        }
      }
      const refused = validationFailure(ctx, query);
      const faults = ctx.faults.athena ?? {};
      const q: QueryRecord = {
        id: randomUUID(),
        token,
        query,
        executionParameters: params as string[] | undefined,
        context: body.QueryExecutionContext as Record<string, unknown> | undefined,
        workGroup: typeof body.WorkGroup === "string" ? body.WorkGroup : "primary",
        resultConfiguration: body.ResultConfiguration as Record<string, unknown> | undefined,
        state: "QUEUED",
        submittedAt: Date.now(),
        runningAt: undefined,
        completedAt: undefined,
        queuedPollsLeft: faults.queuedPolls ?? 0,
        runningPollsLeft: faults.runningPolls ?? 0,
        runningPolls: 0,
        scannedBytesPerRunningPoll: faults.scannedBytesPerRunningPoll ?? 0,
        scannedBytesFigure: faults.scannedBytes,
        failure: faults.failures?.shift(),
        controller: new AbortController(),
        outcome: undefined,
        stateChangeReason: undefined,
        athenaError: undefined,
        scannedBytes: 0,
      };
      queries.set(q.id, q);
      if (token !== undefined) byToken.set(token, q.id);
      const run = async () => {
        if (refused) {
          q.outcome = { error: refused };
          return;
        }
        try {
          const b = await backend();
          const result = await b.run(query, q.executionParameters ?? [], {
            signal: q.controller.signal,
          });
          q.outcome = { result };
        } catch (e) {
          q.outcome = {
            error:
              e instanceof BackendQueryError
                ? e
                : new BackendQueryError(
                    `GENERIC_INTERNAL_ERROR: ${e instanceof Error ? e.message : String(e)}`,
                    1,
                    401,
                  ),
          };
        }
      };
      void run();
      return { QueryExecutionId: q.id };
    },

    async GetQueryExecution(body) {
      const q = get(body);
      advance(q);
      return { QueryExecution: describe(q) };
    },

    async GetQueryResults(body) {
      const q = get(body);
      if (!isTerminal(q.state)) {
        throw invalid(`Query has not yet finished. Current state: ${q.state}`);
      }
      if (q.state !== "SUCCEEDED" || !q.outcome || !("result" in q.outcome)) {
        throw invalid(`Query did not finish successfully. Final query state: ${q.state}`);
      }
      const maxResults = body.MaxResults === undefined ? 1000 : Number(body.MaxResults);
      if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000) {
        throw invalid(
          `1 validation error detected: Value '${String(body.MaxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000`,
        );
      }
      let offset = 0;
      if (body.NextToken !== undefined) {
        const decoded =
          typeof body.NextToken === "string" ? decodeToken(body.NextToken) : undefined;
        if (!decoded || decoded.id !== q.id) throw invalid("The NextToken is not valid");
        offset = decoded.offset;
      }
      const result = q.outcome.result;
      // Row 0 of the whole result is the header row: the column labels again.
      const total = result.rows.length + 1;
      const rows: { Data: { VarCharValue?: string }[] }[] = [];
      for (let i = offset; i < Math.min(total, offset + maxResults); i++) {
        const values = i === 0 ? result.columns.map((c) => c.name) : result.rows[i - 1]!;
        rows.push({ Data: values.map((v) => (v === null ? {} : { VarCharValue: v })) });
      }
      const next = offset + maxResults;
      return {
        UpdateCount: 0,
        ResultSet: {
          Rows: rows,
          ResultSetMetadata: {
            ColumnInfo: result.columns.map((c) => ({
              CatalogName: "hive",
              SchemaName: "",
              TableName: "",
              Name: c.name,
              Label: c.name,
              Type: c.type,
              Precision: c.precision,
              Scale: c.scale,
              Nullable: "UNKNOWN",
              CaseSensitive: c.type === "varchar" || c.type === "json",
            })),
          },
        },
        ...(next < total ? { NextToken: encodeToken(q.id, next) } : {}),
      };
    },

    async StopQueryExecution(body) {
      const q = get(body);
      if (!isTerminal(q.state)) {
        q.state = "CANCELLED";
        q.completedAt = Date.now();
        q.stateChangeReason = "Query was cancelled by user";
        q.controller.abort();
      }
      return {};
    },
  };
}
