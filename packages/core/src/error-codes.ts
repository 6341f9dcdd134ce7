/**
 * The error catalogue: every code a `RunMdError` can carry, with a title and the hint a user gets
 * when the error itself has none more precise. Codes are permanent (scripts and alerts match
 * them): a code is never renamed; when two codes meant the same mistake, the survivor lists the
 * retired one under `replaces`. `docs/errors.md` is generated from this file
 * (`npm run docs:errors`), and a test fails on a code used in packages/*\/src that is not here.
 */
export interface ErrorCodeInfo {
  /** What went wrong, in a few words. */
  title: string;
  /** What to do about it, when the error gives no more precise hint. */
  hint: string;
  /** Codes merged into this one, and since when they are no longer raised. */
  replaces?: string[];
}

export type ErrorArea =
  | "command line and configuration"
  | "runbooks and parameters"
  | "queries"
  | "local engine and store"
  | "Athena"
  | "CloudWatch Logs"
  | "output"
  | "access and serving";

interface Entry extends ErrorCodeInfo {
  area: ErrorArea;
}

/** The entry maker of one area: `(title, hint, replaces?)`. */
function inArea(area: ErrorArea) {
  return (title: string, hint: string, replaces?: string[]): Entry => ({
    area,
    title,
    hint,
    ...(replaces ? { replaces } : {}),
  });
}

const cli = inArea("command line and configuration");
const runbook = inArea("runbooks and parameters");
const query = inArea("queries");
const local = inArea("local engine and store");
const athena = inArea("Athena");
const logs = inArea("CloudWatch Logs");
const output = inArea("output");
const access = inArea("access and serving");

export const ERROR_CODES = {
  // Command line and configuration
  usage: cli(
    "Wrong command-line arguments",
    "Run run-md --help, or run-md <command> --help, for the arguments a command takes.",
    ["collect-args (2026-11: an unexpected argument to run-md collect)"],
  ),
  "bad-config": cli(
    "Invalid configuration",
    "Fix the named key in run-md.config.yaml or the named RUN_MD_* variable; docs/configuration.md lists them.",
  ),
  "aws-profile": cli(
    "AWS profile not usable",
    "Check the profile name in ~/.aws/config, or unset AWS_PROFILE.",
  ),
  "unknown-engine": cli(
    "No such engine",
    "Use one of the engines run-md knows: local, athena, logs.",
  ),
  "mixed-sample": cli(
    "Sample data mixed with AWS",
    "Run the runbook either entirely on the bundled sample data or entirely against AWS.",
  ),
  "bad-window": cli(
    "Invalid time window",
    "Give --since as a duration (7d, 12h) or --from/--to as ISO-8601 times, with the start before the end.",
  ),
  "bad-time": cli(
    "Invalid time",
    "Give a duration (90d, 12h) or an ISO-8601 date or time (2027-03-01).",
  ),
  "no-runbooks": cli(
    "No runbooks",
    "Give the folder or files of the runbooks (trigger: --runbooks; the Lambda: RUN_MD_RUNBOOKS_DIR).",
  ),
  "bad-event": cli(
    "Invalid EventBridge event",
    "Give the event as one JSON object, as an EventBridge rule's target receives it.",
  ),
  "collect-no-source": cli(
    "Nothing to collect from",
    "Give run-md collect a --source (a folder or s3://bucket/prefix); without one it collects from local.logDir.",
  ),
  "store-busy": local(
    "Another collect is writing the store",
    "Let the other collect (or prune) finish, then collect again: it takes only what is new.",
  ),
  "collect-no-store": cli(
    "No store to collect into",
    "Give run-md collect a --store folder, or set local.store in run-md.config.yaml.",
  ),
  "collect-no-region": cli(
    "No AWS region for an S3 source",
    "Give --region (the trail bucket's region), or set AWS_REGION.",
  ),
  "bad-source": cli(
    "Collect source not readable",
    "Give --source a directory of CloudTrail files or an s3://bucket/prefix.",
  ),
  "collect-credentials": cli(
    "No AWS credentials for an S3 source",
    "Sign in (aws sso login, or AWS_PROFILE), or collect from a local folder of CloudTrail files.",
  ),
  "athena-credentials": cli(
    "No AWS credentials for Athena",
    "Sign in (aws sso login, or AWS_PROFILE), or run the runbook with --engine local.",
  ),
  "logs-credentials": cli(
    "No AWS credentials for CloudWatch Logs",
    "Sign in (aws sso login, or AWS_PROFILE), or run the step on the local engine.",
  ),

  // Runbooks and parameters
  "not-found": runbook(
    "File or runbook not found",
    "Check the path or the runbook id; run-md list shows the runbooks it finds.",
  ),
  "unreadable-runbooks": runbook(
    "Runbooks that cannot be read",
    "Give the user run-md runs as read and search permission on the folder or file named, or name only the folders it may read; rename a file named *.MD to *.md; nothing was checked or run.",
  ),
  "bad-runbook": runbook(
    "Problems in the runbooks",
    "Run run-md check to see every problem with its file and line; nothing was run.",
  ),
  "bad-runbook-id": runbook(
    "Invalid runbook id",
    'A runbook id is letters, digits, "_" and "-", as in its front matter id: (a file name gives its id when it has none).',
  ),
  "no-steps": runbook(
    "The runbook has no steps",
    "A step is a fenced sql or logs-insights block at the top level of the file; check the blocks' languages (run-md check warns about a language that looks like a step's).",
  ),
  "unknown-step": runbook(
    "No such step",
    "Name a step id that the runbook declares: the error lists them (each step's id follows its fence's language, sql <id>).",
  ),
  "bad-param": runbook(
    "Invalid parameter value",
    "Give a value of the declared type (integer, number, boolean, string, timestamp, ...) with --param name=value.",
  ),
  "missing-param": runbook(
    "Required parameter not given",
    "Pass it with --param name=value, or give it a default in the front matter.",
  ),
  "unknown-param": runbook(
    "The query refers to a parameter the run does not have",
    "Declare it under params: in the front matter, or use a built-in: start, end, start_date, end_date.",
    ["param-missing (2026-11: raised by the local engine for the same mistake)"],
  ),
  "param-in-string": runbook(
    "A {{name}} reference is inside quotes",
    "Write {{name}} where a whole value goes, without quotes: the runner supplies the quoting.",
  ),
  "bare-placeholder": runbook(
    "A bare ? placeholder in the query",
    "Refer to parameters as {{name}}; the runner binds them.",
  ),
  "wrong-dialect": runbook(
    "Step dialect does not fit the engine",
    "Run sql steps on local or athena and logs-insights steps on local or logs.",
  ),
  "unsupported-dialect": runbook(
    "The engine cannot run this dialect",
    "Run the step on an engine that speaks its dialect (docs/engines.md).",
  ),
  "local-only": runbook(
    "A dialect=duckdb step runs on the local engine only",
    "Run the runbook with --engine local, or write the step in Trino SQL.",
  ),

  // Queries
  "sql-syntax": query(
    "SQL syntax error",
    "Fix the query at the position given; run-md check reports the same problem without running.",
  ),
  "sql-invalid": query(
    "The query does not check",
    "Fix the query at the position given (an unknown column or function, a type mismatch).",
  ),
  "sql-refused": query(
    "The query is not one read-only SELECT",
    "A step runs exactly one read-only query (SELECT or WITH ... SELECT) over the CloudTrail tables.",
    ["not-read-only (2026-11: raised by the Athena engine's read-only gate)"],
  ),
  "value-too-large": query(
    "The query would build one value larger than the local engine's bound",
    "A function (lpad, repeat, replace, regexp_replace, printf/format, range) would make a value of more than 1,000,000 bytes; the local engine refuses it before it runs (docs/engines.md, Safety). Make the value smaller.",
  ),
  "row-too-large": query(
    "A row of the result is larger than 32 MB",
    "Athena refuses a row over 32 MB, and so does the local engine in a process of its own (run-md serve): its rows cross to the server in messages of bounded size. Select fewer or smaller values (an aggregate, a shorter list), or split the row.",
  ),
  "sql-error": query(
    "The engine could not run the query",
    "Read the engine's message; docs/engines.md lists the functions and types each engine supports.",
  ),
  "sql-parameters": query(
    "Placeholders and parameters do not match",
    "Each ? placeholder needs exactly one execution parameter.",
  ),
  "insights-syntax": query(
    "Logs Insights syntax error",
    "Fix the query at the position given; docs/engines.md lists the supported commands.",
  ),
  "insights-field": query(
    "A field CloudTrail records do not have, or one of their objects or lists (`userIdentity`), which Logs Insights makes no field of",
    "Write the field as CloudTrail spells it (field names are case-sensitive: eventName, userIdentity.userName); run-md check lists every such field.",
  ),
  "insights-param": query(
    "A parameter where its type or value does not fit the Logs Insights query",
    "Compare a boolean parameter to make a condition ({{flag}} = 1); give limit an integer parameter with a value of 1 or more; remove a carriage return from a string value.",
  ),
  "insights-invalid": query(
    "A Logs Insights query CloudWatch Logs would refuse, or run otherwise than written",
    "Follow the service's rules: two stats commands at most, sort and limit after the second, only the first stats' names after it; a period within its unit's cap (60s, 60m, 24h, 1000ms: write 5m, not 300s); limit up to 100000; compare @timestamp with toMillis() and a number, not with readable time text.",
  ),
  "insights-unsupported": query(
    "Logs Insights the local engine does not translate",
    "Run this step with --engine logs, or rewrite it in the subset docs/engines.md lists.",
  ),
  timeout: query(
    "The step did not finish in time",
    "Narrow the window or the query, or raise timeout= on the step (or --timeout).",
  ),
  "unread-files": query(
    "Files of the step's window could not be read",
    "The result does not cover their events: repair or remove the files named (a truncated download, a corrupt object) and run again; in a store, collect again once the source object is whole.",
  ),
  "result-capped": query(
    "The result was cut at the engine's row limit",
    "Aggregate with stats, narrow the filter, or add | limit N to say the first N rows are enough.",
  ),
  "no-data": query(
    "No CloudTrail event in the step's window",
    "Check the log directory or the configured table and the window; if an empty window is expected, mark the step allow_empty.",
  ),
  internal: query(
    "An unexpected error in run-md",
    "This is a bug: report it with the command line and the runbook.",
  ),
  cancelled: query(
    "Run cancelled",
    "The run was stopped (Ctrl-C or its timeout); the engine was asked to stop the query.",
  ),
  "engine-unresponsive": query(
    "The engine did not stop the query",
    "The query may still run on the engine's side; stop it there (Athena console, Logs Insights).",
  ),

  // Local engine and store
  "bad-log-dir": local(
    "Log directory not found",
    "Point local.logDir (run-md.config.yaml), RUN_MD_LOG_DIR or --log-dir at a folder of CloudTrail files, or use logDir: sample.",
    ["local-log-dir (2026-11: raised by the CLI before the engine started)"],
  ),
  "no-logs": local(
    "No CloudTrail logs in the collect's source",
    "Check --source: a folder of CloudTrail files, or s3://bucket[/prefix] above AWSLogs/; nothing was recorded as collected.",
  ),
  "bad-store": local(
    "Store not readable",
    "Point local.store at a folder written by run-md collect.",
  ),
  "engine-memory": local(
    "The local engine's process passed its memory limit",
    "The query built more than local.processMemoryLimit allows (values a lambda or a string function makes are outside DuckDB's memoryLimit); the process was stopped and the next query starts a new one. Narrow the query, or raise local.processMemoryLimit.",
  ),
  "engine-crashed": local(
    "The local engine's process ended unexpectedly",
    "The process running DuckDB ended (a crash, the system's out-of-memory killer) or was stopped because a cancelled query did not stop; the next query starts a new one. Run the step again; report it if it repeats.",
  ),
  "store-not-collected": local(
    "The store lacks days of the window",
    "Run run-md collect for those days, or narrow the window.",
  ),

  // Athena
  "athena-config": athena(
    "Athena settings missing",
    "Set athena.region, athena.workgroup and athena.outputLocation (or the RUN_MD_ATHENA_* variables).",
  ),
  "athena-request-failed": athena(
    "An Athena request failed",
    "Read the service's message; check the workgroup, the region and the credentials' permissions.",
  ),
  "athena-throttled": athena(
    "Athena kept throttling",
    "Run fewer runbooks at once, or ask for a higher Athena quota.",
  ),
  "athena-query-failed": athena(
    "The Athena query failed",
    "Read Athena's reason; the query id is in the message for the Athena console.",
  ),
  "athena-query-cancelled": athena(
    "The Athena query was cancelled outside run-md",
    "Someone or something (a workgroup limit?) stopped the query; run the step again.",
  ),
  "athena-query-too-long": athena(
    "The query is longer than Athena accepts",
    "Shorten the query (Athena takes at most 262,144 bytes).",
  ),
  "scan-budget-exceeded": athena(
    "The query would scan more than its budget",
    "Narrow the window, or raise the budget: the step's max_scan=, --max-scan or maxScan in the configuration.",
  ),

  // CloudWatch Logs
  "logs-config": logs(
    "Logs Insights settings invalid",
    "Name the step's log groups (logGroups= or logs.logGroups) and an AWS region.",
  ),
  "logs-request-failed": logs(
    "A CloudWatch Logs request failed",
    "Read the service's message; check the log group names, the region and the permissions.",
  ),
  "logs-throttled": logs(
    "CloudWatch Logs kept throttling",
    "Run fewer runbooks at once, or ask for a higher Logs Insights concurrent query quota.",
  ),
  "logs-query-failed": logs(
    "The Logs Insights query failed",
    "Read the service's reason; the query id is in the message.",
  ),

  // Output
  "output-closed": output(
    "Standard output closed early",
    "The reader of run-md's output (a pipe) stopped; write to a file with --output.",
  ),
  "output-failed": output(
    "The result could not be written",
    "Check the --output path: its folder must exist and be writable.",
  ),
  "output-restart": output(
    "The engine restarted after rows were printed",
    "Write the result to a file with --output, which starts over in that case.",
  ),
  "bad-report": output(
    "A stored report is not a run-md report",
    "The file breaks run-report.schema.json at the path named (edited by hand, cut short or written by another tool): remove it, or run the runbook again.",
  ),

  // Access and serving
  "config-invalid": access(
    "Invalid access configuration",
    "Fix the named key of the access configuration file (docs/serve.md).",
  ),
  "tokens-invalid": access(
    "Invalid tokens file",
    "Fix the tokens file at the named key, or recreate it with run-md token.",
  ),
  "tokens-unreadable": access(
    "The tokens file cannot be read",
    "Make the named file (server.tokens) one the server's user may read; a server refuses to start without it, and a running one answers 503 to every request with a token until it can read it again.",
  ),
  "token-exists": access(
    "Token name already used",
    "Choose another name, or revoke the existing token first.",
  ),
  "token-unknown": access("No such token", "run-md token list shows the existing tokens."),
  "bad-token-name": access(
    "Invalid token name",
    "A token name is letters, digits, dashes and underscores.",
  ),
  "bad-token-groups": access(
    "Invalid token groups",
    "Give the groups as a comma-separated list of group names.",
  ),
  "bad-token-expiry": access(
    "Invalid token expiry",
    "Give the expiry as a duration (90d) or an ISO-8601 date in the future.",
  ),
  "budgets-invalid": access(
    "Invalid budgets",
    "Fix the named key of the budgets configuration (docs/serve.md).",
  ),
  budget: access(
    "The run would pass its group's daily scan budget",
    "Lower max_scan= or narrow the window, or wait for the next UTC day (access.budgets, docs/serve.md).",
  ),
  "token-revoked": access(
    "The token that asked for the run was revoked before it started, or while it ran",
    "The run did not start, or was stopped (cancelled) at the revocation: ask again with a token that stands, or as yourself (run-md token list).",
  ),
  "budget-reached": access(
    "The group's daily scan budget was reached while the run was scanning",
    "The budget starts again at midnight UTC; the run's steps after the stop did not run.",
  ),
  "audit-invalid": access(
    "Invalid audit log",
    "The audit log has a line that is not an audit record; restore it from a backup.",
  ),
  "audit-failed": access(
    "The audit log could not be written",
    "Check the audit log's folder: it must exist and be writable.",
  ),
  "audit-closed": access(
    "The audit log is closed",
    "The server is shutting down; retry the request.",
  ),
  "audit-missing": access(
    "No audit log",
    "Give run-md audit the audit log of a server (server.auditLog).",
  ),
  "server-running": access(
    "Another run-md serve uses this state",
    "Stop the other server first, or give this one its own server.runsDir (its run records).",
  ),
  "cannot-listen": access(
    "The server cannot listen on its address",
    "Stop what listens on that port, or choose another with --port (server.port); a port under 1024 needs privileges, and server.host must be an address of this machine.",
  ),
  "lock-timeout": access(
    "A lock file is held too long",
    "If no run-md process holds it, remove the lock file named in the message.",
  ),
  "mask-key": access(
    "Masking key missing or too short",
    "Set the named variable to a random secret, e.g. openssl rand -hex 32.",
  ),
  "oidc-discovery": access(
    "OpenID configuration not readable",
    "Check server.oidc.issuer and that the server can reach it.",
  ),
} as const satisfies Record<string, Entry>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The catalogue entry of a code, or undefined for a code that is not in it. */
export function errorCodeInfo(code: string): (ErrorCodeInfo & { area: ErrorArea }) | undefined {
  return Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as ErrorCode] : undefined;
}
