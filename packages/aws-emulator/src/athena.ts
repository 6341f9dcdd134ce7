/**
 * The Athena operations a runner uses, over the awsJson1_1 protocol (`AmazonAthena.<Op>`):
 * StartQueryExecution (idempotency tokens), GetQueryExecution (states, statistics, AthenaError:
 * athena-execution.ts), GetQueryResults (header row, paging, ColumnInfo, Trino text) and
 * StopQueryExecution, with the injectable faults of `FaultConfig.athena`. Each operation is one
 * function over the emulator's `AthenaState`.
 */
import { randomUUID } from "node:crypto";
import { checkSql } from "@run-md/sql";
import { advance, describeExecution, isTerminal, type QueryRecord } from "./athena-execution.ts";
import { type AthenaBackend, BackendQueryError, type BackendResult } from "./backend.ts";
import { type EmulatorContext, type Handler, ServiceError } from "./context.ts";
import { pageToken, readPageToken } from "./page-token.ts";
import { showPartitions, showPartitionsOf } from "./partitions.ts";

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
async function validationFailure(
  ctx: EmulatorContext,
  query: string,
  boundPlaceholders: number,
): Promise<BackendQueryError | undefined> {
  if (!ctx.validateSql) return undefined;
  const tables = { aliases: ctx.tableAliases, extra: ctx.extraTables };
  const first = (await checkSql(query, { tables, boundPlaceholders })).find(
    (p) => p.severity === "error",
  );
  if (first === undefined) return undefined;
  const where = `line ${first.line}:${first.column}: ${first.message}`;
  if (first.syntax) {
    throw new ServiceError("InvalidRequestException", where, {
      AthenaErrorCode: "MALFORMED_QUERY",
    });
  }
  return new BackendQueryError(`${ATHENA_CODES[first.rule] ?? "GENERIC_USER_ERROR"}: ${where}`);
}

/** What the handlers share: the emulator, its backend, and the queries by id and by token. */
interface AthenaState {
  ctx: EmulatorContext;
  backend: () => Promise<AthenaBackend>;
  queries: Map<string, QueryRecord>;
  byToken: Map<string, string>;
}

const MAX_QUERY_BYTES = 262_144;
const MAX_RESULTS = 1000;

function invalid(message: string): ServiceError {
  return new ServiceError("InvalidRequestException", message, { AthenaErrorCode: "INVALID_INPUT" });
}

export function athenaHandlers(
  ctx: EmulatorContext,
  backend: () => Promise<AthenaBackend>,
): Record<string, Handler> {
  const state: AthenaState = { ctx, backend, queries: new Map(), byToken: new Map() };
  return {
    StartQueryExecution: (body) => startQueryExecution(state, body),
    GetQueryExecution: (body) => getQueryExecution(state, body),
    GetQueryResults: (body) => getQueryResults(state, body),
    StopQueryExecution: (body) => stopQueryExecution(state, body),
    GetTableMetadata: async (body) => {
      const delay = state.ctx.faults.athena?.tableMetadataDelayMs;
      if (delay !== undefined) await new Promise((r) => setTimeout(r, delay));
      return getTableMetadata(state.ctx, body);
    },
  };
}

/** The execution a request names by `QueryExecutionId`. */
function execution(state: AthenaState, body: Record<string, unknown>): QueryRecord {
  const id = body.QueryExecutionId;
  if (typeof id !== "string" || id.length === 0) {
    throw invalid("QueryExecutionId is required");
  }
  const q = state.queries.get(id);
  if (!q) throw invalid(`QueryExecution ${id} was not found`);
  return q;
}

/** StartQueryExecution's own fields, checked as Athena checks them. */
function startRequest(body: Record<string, unknown>) {
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
  const token = typeof body.ClientRequestToken === "string" ? body.ClientRequestToken : undefined;
  return { query, params: params as string[] | undefined, token };
}

/** The execution a `ClientRequestToken` already started (idempotency), if any. */
function sameRequest(state: AthenaState, token: string | undefined, query: string) {
  const existing = token === undefined ? undefined : state.byToken.get(token);
  if (existing === undefined) return undefined;
  const q = state.queries.get(existing)!;
  if (q.query !== query) {
    throw invalid(
      "Idempotent parameters do not match: the ClientRequestToken was used with a different QueryString",
    );
  }
  return q;
}

function newExecution(
  ctx: EmulatorContext,
  body: Record<string, unknown>,
  request: ReturnType<typeof startRequest>,
): QueryRecord {
  const faults = ctx.faults.athena ?? {};
  return {
    id: randomUUID(),
    token: request.token,
    query: request.query,
    executionParameters: request.params,
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
    scannedBytesFigure:
      typeof faults.scannedBytes === "function"
        ? faults.scannedBytes(request.query)
        : faults.scannedBytes,
    failure: faults.failures?.shift(),
    controller: new AbortController(),
    outcome: undefined,
    stateChangeReason: undefined,
    athenaError: undefined,
    scannedBytes: 0,
    ...(faults.omitStatementType ? { omitStatementType: true } : {}),
  };
}

/** Runs the query on the backend in the background; polls see the outcome once it is set. */
async function execute(state: AthenaState, q: QueryRecord): Promise<void> {
  try {
    const b = await state.backend();
    const result = await b.run(q.query, q.executionParameters ?? [], {
      signal: q.controller.signal,
    });
    q.outcome = { result };
  } catch (e) {
    const error =
      e instanceof BackendQueryError
        ? e
        : new BackendQueryError(
            `GENERIC_INTERNAL_ERROR: ${e instanceof Error ? e.message : String(e)}`,
            1,
            401,
          );
    q.outcome = { error };
  }
}

/** SHOW PARTITIONS (a DDL statement): listed at once, or the injected refusal. */
async function startShowPartitions(
  state: AthenaState,
  body: Record<string, unknown>,
  request: ReturnType<typeof startRequest>,
  name: string[],
) {
  const same = sameRequest(state, request.token, request.query);
  if (same) return { QueryExecutionId: same.id };
  const q: QueryRecord = { ...newExecution(state.ctx, body, request), ddl: true };
  q.failure = state.ctx.faults.athena?.showPartitionsFailure;
  state.queries.set(q.id, q);
  if (request.token !== undefined) state.byToken.set(request.token, q.id);
  const database = (body.QueryExecutionContext as { Database?: unknown } | undefined)?.Database;
  try {
    q.outcome = {
      result: await showPartitions(
        state.ctx,
        name,
        typeof database === "string" ? database : undefined,
      ),
    };
  } catch (e) {
    q.outcome = {
      error: e instanceof BackendQueryError ? e : new BackendQueryError(String(e), 1, 401),
    };
  }
  return { QueryExecutionId: q.id };
}

async function startQueryExecution(state: AthenaState, body: Record<string, unknown>) {
  const request = startRequest(body);
  const shown = showPartitionsOf(request.query);
  if (shown !== undefined) return startShowPartitions(state, body, request, shown);
  // Checked first: from the token lookup to the new execution's registration nothing awaits, so
  // two requests with one token never make two executions.
  const refused = await validationFailure(state.ctx, request.query, request.params?.length ?? 0);
  const same = sameRequest(state, request.token, request.query);
  if (same) return { QueryExecutionId: same.id };
  const q = newExecution(state.ctx, body, request);
  state.queries.set(q.id, q);
  if (request.token !== undefined) state.byToken.set(request.token, q.id);
  if (refused) q.outcome = { error: refused };
  else void execute(state, q);
  return { QueryExecutionId: q.id };
}

function getQueryExecution(state: AthenaState, body: Record<string, unknown>) {
  const q = execution(state, body);
  advance(q);
  return { QueryExecution: describeExecution(q) };
}

/** Where a GetQueryResults page starts and how many rows it has at most. */
function page(q: QueryRecord, body: Record<string, unknown>): { offset: number; size: number } {
  const size = body.MaxResults === undefined ? MAX_RESULTS : Number(body.MaxResults);
  if (!Number.isInteger(size) || size < 1 || size > MAX_RESULTS) {
    throw invalid(
      `1 validation error detected: Value '${String(body.MaxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${MAX_RESULTS}`,
    );
  }
  if (body.NextToken === undefined) return { offset: 0, size };
  const decoded = readPageToken(body.NextToken);
  if (!decoded || decoded.id !== q.id) throw invalid("The NextToken is not valid");
  return { offset: decoded.offset, size };
}

function columnInfo(result: BackendResult) {
  return result.columns.map((c) => ({
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
  }));
}

function getQueryResults(state: AthenaState, body: Record<string, unknown>) {
  const q = execution(state, body);
  if (!isTerminal(q.state)) {
    throw invalid(`Query has not yet finished. Current state: ${q.state}`);
  }
  if (q.state !== "SUCCEEDED" || !q.outcome || !("result" in q.outcome)) {
    throw invalid(`Query did not finish successfully. Final query state: ${q.state}`);
  }
  const { offset, size } = page(q, body);
  const result = q.outcome.result;
  // Row 0 of a SELECT's whole result is the header row: the column labels again (not of DDL).
  const header = q.ddl ? 0 : 1;
  const total = result.rows.length + header;
  const rows: { Data: { VarCharValue?: string }[] }[] = [];
  for (let i = offset; i < Math.min(total, offset + size); i++) {
    const values = i < header ? result.columns.map((c) => c.name) : result.rows[i - header]!;
    rows.push({ Data: values.map((v) => (v === null ? {} : { VarCharValue: v })) });
  }
  const next = offset + size;
  return {
    UpdateCount: 0,
    ResultSet: { Rows: rows, ResultSetMetadata: { ColumnInfo: columnInfo(result) } },
    ...(next < total ? { NextToken: pageToken(q.id, next) } : {}),
  };
}

function stopQueryExecution(state: AthenaState, body: Record<string, unknown>) {
  const q = execution(state, body);
  if (!isTerminal(q.state)) {
    q.state = "CANCELLED";
    q.completedAt = Date.now();
    q.stateChangeReason = "Query was cancelled by user";
    q.controller.abort();
  }
  return {};
}

/** `db.table` or `table` (any database), lower case and unquoted: a name the table answers to. */
function answersTo(name: string, database: string, table: string): boolean {
  const parts = (name.match(/"[^"]+"|`[^`]+`|[^.]+/g) ?? []).map((p) =>
    p.replace(/^["`]|["`]$/g, "").toLowerCase(),
  );
  if (parts.at(-1) !== table) return false;
  return parts.length < 2 || parts.at(-2) === database;
}

/**
 * GetTableMetadata: the table of the emulator's DDL, when the request names it (its own name or
 * a table alias), else MetadataException; without a DDL, any table, without projection.
 */
function getTableMetadata(ctx: EmulatorContext, body: Record<string, unknown>) {
  const denied = ctx.faults.athena?.tableMetadataError;
  if (denied) throw new ServiceError(denied.type, denied.message);
  const { CatalogName: catalog, DatabaseName: db, TableName: name } = body;
  for (const [field, value] of Object.entries({
    CatalogName: catalog,
    DatabaseName: db,
    TableName: name,
  })) {
    if (typeof value !== "string" || value.length === 0) throw invalid(`${field} is required`);
  }
  const database = (db as string).toLowerCase();
  const table = (name as string).toLowerCase();
  const created = Math.floor(Date.now() / 1000);
  const t = ctx.table;
  if (t === undefined) {
    return {
      TableMetadata: {
        Name: table,
        CreateTime: created,
        TableType: "EXTERNAL_TABLE",
        Columns: [],
        PartitionKeys: [],
        Parameters: { EXTERNAL: "TRUE" },
      },
    };
  }
  const own = t.database === undefined ? t.Name : `${t.database}.${t.Name}`;
  if (![own, ...ctx.tableAliases].some((n) => answersTo(n, database, table))) {
    throw new ServiceError(
      "MetadataException",
      `Table ${table} not found in database ${database} of catalog ${String(catalog)}`,
    );
  }
  const { database: _db, ...described } = t;
  return { TableMetadata: { ...described, Name: table, CreateTime: created } };
}
