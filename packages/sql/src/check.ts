/**
 * `checkSql`: every problem Athena would report for a step's query, before anything runs. One
 * function for `run-md check`, the local engine, the Athena engine and the emulator, so the four
 * agree on what is valid and say it with the same words.
 */
import { type ParamType, RunMdError, scanTemplate, setNewest } from "@run-md/core";
import type { SqlProblem } from "./problem.ts";
import { EMPTY_TABLES, type TableConfig, TableResolver } from "./tables.ts";

export interface SqlCheckOptions {
  /** Configured aliases of cloudtrail_logs and extra tables (default: none). */
  tables?: TableConfig | TableResolver;
  /**
   * The declared type of each parameter the query may refer to (default: none). A boolean or a
   * number is checked as the literal Athena receives (`readonly = {{flag}}` is `readonly = true`
   * there); any other as text, compared with text only (`{{start}}`, `{{end}}`, `{{start_date}}`
   * and `{{end_date}}` are text too); an undeclared one as a value of unknown type.
   */
  params?: Readonly<Record<string, ParamType | { type: ParamType } | undefined>>;
  /**
   * How many bare `?` the query's sender binds (Athena's `ExecutionParameters`: the emulator).
   * Default 0: in a step, parameters are `{{name}}`, and a `?` is bound by nothing.
   */
  boundPlaceholders?: number;
}

/**
 * The problems of the last CHECKED queries, by query text and table configuration: the answer
 * depends on nothing else, and parsing with Trino's grammar takes 5 to 30 ms a query once the
 * parser is warm (the server, the emulator and a run of many runbooks check the same queries
 * again and again).
 */
const CHECKED = 256;
const checked = new Map<string, readonly SqlProblem[]>();

/**
 * Where the problems of queries checked by earlier processes are kept (the CLI's bundle keeps
 * them in files: packages/cli/src/check-cache.ts). The first parse in a process pays for loading
 * the grammar (about 0.35 s of CPU) and its warm-up (about 0.7 s); a run of runbooks checked
 * before skips both: the grammar is imported only when a query is in no cache (analyze.ts).
 */
export interface CheckCache {
  get(key: string): SqlProblem[] | undefined;
  set(key: string, problems: readonly SqlProblem[]): void;
}

let persisted: CheckCache | undefined;

/** Uses `cache` (undefined: none) for what this process has not checked itself. */
export function useCheckCache(cache: CheckCache | undefined): void {
  persisted = cache;
}

/** The problems of one query, in text order; `{{name}}` references count as parameters. */
export async function checkSql(query: string, opts: SqlCheckOptions = {}): Promise<SqlProblem[]> {
  const tables =
    opts.tables instanceof TableResolver
      ? opts.tables
      : new TableResolver(opts.tables ?? EMPTY_TABLES);
  const types = literalTypes(query, opts.params ?? {});
  const bound = opts.boundPlaceholders ?? 0;
  const key = JSON.stringify([
    query,
    tables.config,
    ...(Object.keys(types).length ? [types] : []),
    ...(bound > 0 ? [{ bound }] : []),
  ]);
  let problems = checked.get(key);
  if (problems === undefined) {
    const bytes = utf8Length(query);
    problems = bytes > MAX_QUERY_BYTES ? [tooLong(bytes)] : persisted?.get(key);
    if (problems === undefined) {
      const { analyzeSql } = await import("./analyze.ts");
      problems = analyzeSql(query, tables, types, bound);
      persisted?.set(key, problems);
    }
    setNewest(checked, key, problems, CHECKED);
  }
  // Copies: a caller may change what it gets without changing what the next one gets.
  return problems.map((p) => ({ ...p }));
}

/**
 * Athena's limit on a query string (StartQueryExecution's `QueryString`: 262,144 bytes of UTF-8,
 * not adjustable). Past it Athena refuses the query, and the grammar would take a minute over it
 * (a 1.2 MB query: 51 s, holding the process): refused for every engine before the parse.
 */
export const MAX_QUERY_BYTES = 262_144;

/** How many bytes `text` is in UTF-8 (a lone surrogate as U+FFFD's 3, as an encoder writes it). */
function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function tooLong(bytes: number): SqlProblem {
  return {
    line: 1,
    column: 1,
    severity: "error",
    rule: "sql-athena",
    message: `the query is ${bytes.toLocaleString("en-US")} bytes (UTF-8), over Athena's limit of ${MAX_QUERY_BYTES.toLocaleString("en-US")} bytes for a query string (not adjustable): join a configured table of the values (tables.extra) instead of listing them, or split the step`,
  };
}

/**
 * The types of the declared parameters `query` refers to, as the literals it receives (booleans,
 * numbers, and text for every other type), sorted by name: all a check depends on of the
 * declarations.
 */
function literalTypes(
  query: string,
  params: NonNullable<SqlCheckOptions["params"]>,
): Record<string, ParamType> {
  // No prototype: a parameter may be called `__proto__`.
  const out: Record<string, ParamType> = Object.create(null);
  const names = scanTemplate(query).flatMap((p) => (p.kind === "param" ? [p.name] : []));
  for (const name of [...new Set(names)].sort()) {
    const declared = Object.hasOwn(params, name) ? params[name] : undefined;
    const type = typeof declared === "object" ? declared.type : declared;
    if (type === "boolean" || type === "integer" || type === "number") out[name] = type;
    // Every other type is bound as text (core's `renderLiteral`), which Athena compares with text
    // only (`from_iso8601_timestamp(eventtime) > {{since}}` is refused).
    else if (type !== undefined) out[name] = "string";
  }
  return out;
}

/**
 * For the engines: refuses a query with an error-level problem, before anything is read or sent.
 * The message is the first problem's, with its position in the query.
 */
export async function assertAthenaSql(query: string, opts: SqlCheckOptions = {}): Promise<void> {
  const errors = (await checkSql(query, opts)).filter((p) => p.severity === "error");
  const first = errors[0];
  if (first === undefined) return;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem(s))` : "";
  throw new RunMdError(
    first.rule === "sql-table" || first.rule === "sql-statement" ? "sql-refused" : "sql-invalid",
    `line ${first.line}:${first.column}: ${first.message}${more}`,
    {
      hint: "Athena would reject this query. `run-md check` lists every problem with its place in the runbook; a step that needs the local engine's DuckDB SQL says dialect=duckdb.",
      details: { rule: first.rule, line: first.line, column: first.column },
    },
  );
}

/**
 * The labels of a query's result columns as Athena gives them (output.ts), or undefined when the
 * query does not parse or its SELECT list has an item whose label its text does not say (`*`,
 * an expression without AS). `run-md check` holds a step's `chart=` columns against them.
 */
export async function sqlOutputLabels(query: string): Promise<string[] | undefined> {
  const { outputLabels } = await import("./output.ts");
  return outputLabels(query);
}
