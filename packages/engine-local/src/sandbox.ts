/**
 * The local engine's sandbox, by construction: a statement runs only when every table function it
 * calls is on an explicit allow-list and every table it names is one of the engine's own views or a
 * CTE in scope. Everything else DuckDB offers in a FROM clause (file readers such as `read_text`,
 * `enable_logging`, which writes files, `duckdb_logs` and the other functions and system views that
 * read other queries' state or the database's configuration, replacement scans of file paths,
 * `DESCRIBE`/`SHOW` sub-queries) is refused before anything runs. DuckDB's own settings
 * (`enable_external_access = false`, `allowed_directories`) stay as a second line of defence.
 *
 * The check reads the statement that is about to run (after rewriting), through DuckDB's own
 * parser (`json_serialize_sql`), so what is checked is exactly what DuckDB will execute.
 */

import type { DuckDBConnection } from "@duckdb/node-api";
import { RunMdError } from "@run-md/core";
import { BOUNDED_FUNCTIONS } from "./bounds.ts";
import { callPrepared } from "./prepared.ts";
import { REFUSE } from "./udfs.ts";

/**
 * Table functions a step may call: they compute rows from their arguments and read nothing else.
 * The engine reads the log files itself (read_json in its views), so no file reader is on the list.
 */
export const ALLOWED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set([
  "unnest",
  "range",
  "generate_series",
  "json_each",
  "json_tree",
]);

/**
 * Scalar functions a step may not call: those that plan or run SQL handed to them as text (the
 * sandbox checks the statement's own tree, not a string inside it: `json_serialize_plan` of a
 * `read_csv` read a file into its error message, found by a red-team review), `current_setting`
 * (the engine's folders and settings), the instance's query and connection counters, and
 * DuckDB's built-in macros whose bodies read system
 * tables (`pg_get_viewdef` listed the views and the log files' paths). sandbox.test.ts checks
 * that every built-in macro whose body the sandbox refuses is here.
 */
export const REFUSED_FUNCTIONS: ReadonlySet<string> = new Set([
  "json_serialize_plan",
  "json_execute_serialized_sql",
  "json_serialize_sql",
  "json_deserialize_sql",
  "current_setting",
  // Counters of the shared DuckDB instance: other users' queries and connections on a server.
  "current_query_id",
  "current_transaction_id",
  "txid_current",
  "current_connection_id",
  "format_type",
  "get_block_size",
  "pg_get_constraintdef",
  "pg_get_viewdef",
  // The engine's refusal (trino.ts trino_refuse) and the connection variable naming the query.
  REFUSE,
  "getvariable",
]);

type Node = Record<string, unknown>;

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A refusal found in the statement's tree: what it is, for the message. */
function violation(what: string, hint = HINT): RunMdError {
  return new RunMdError("sql-refused", `Refused: ${what} is not available in a step.`, { hint });
}

const HINT =
  "Steps read cloudtrail_logs and may compute rows with unnest, range, generate_series, json_each and json_tree; file readers, system tables, functions that run SQL text and DuckDB's administrative functions are refused.";
const QUALIFIED_HINT =
  "Call lpad, rpad, repeat, replace, regexp_replace, printf, list_resize, range, generate_series, levenshtein, damerau_levenshtein and editdist3 by their plain names (lpad, not system.main.lpad): the local engine bounds the size of the values they build (or, for the edit distances, of the texts they compare), and a qualified name would bypass it.";
export const TABLE_HINT =
  'The local engine has one table, cloudtrail_logs (also reachable as "default".cloudtrail_logs and awsdatacatalog."default".cloudtrail_logs). Other table names can be mapped to it with the engine\'s tableAliases option.';

/**
 * A name as DuckDB compares names: its ASCII letters lower-cased, nothing else. JavaScript's
 * toLowerCase() also folds other letters: the Kelvin sign (U+212A) became "k", so a CTE named with
 * it matched, for the sandbox, a file reference spelled with "k", which DuckDB read (found by a
 * red-team review).
 */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function tableName(v: Node): { parts: string[]; full: string } {
  const parts = [v.catalog_name, v.schema_name, v.table_name]
    .filter((p): p is string => typeof p === "string" && p !== "")
    .map(asciiLower);
  return { parts, full: parts.join(".") };
}

/** Whether a table reference names one of the engine's views (`temp.main.x`, `temp.x`, `x`). */
function isOwnView(parts: string[], views: ReadonlySet<string>): boolean {
  const last = parts[parts.length - 1];
  if (last === undefined || !views.has(last)) return false;
  const qualifiers = parts.slice(0, -1);
  return qualifiers.every((q, i) => (i === 0 && q === "temp") || q === "main");
}

/**
 * The CTE names a node defines, in order. A CTE sees the ones before it; only a recursive one sees
 * itself, and only in its recursive part (`checkTree`). DuckDB binds any other use of a CTE's own
 * name to what the name means outside: a system view, or a file (`WITH "x.json" AS (SELECT * FROM
 * "x.json")` read the file, found by review).
 */
function cteNames(v: Node): string[] {
  const map = (v.cte_map as Node | undefined)?.map;
  if (!Array.isArray(map)) return [];
  return map.filter(isNode).map((e) => asciiLower(String(e.key)));
}

/**
 * Walks a serialized statement and throws at the first table function or table that is not
 * allowed. `scope` holds the CTE names visible at this point of the tree.
 */
export function checkTree(v: unknown, views: ReadonlySet<string>, scope: Set<string>): void {
  if (Array.isArray(v)) {
    for (const x of v) checkTree(x, views, scope);
    return;
  }
  if (!isNode(v)) return;
  if (v.class === "FUNCTION" && typeof v.function_name === "string") {
    const name = asciiLower(v.function_name);
    if (REFUSED_FUNCTIONS.has(name)) throw violation(`the function ${name}()`);
    // The rewrite sends each call of a guarded function to its size guard (bounds.ts
    // guardGrowth) but one qualified by a catalog or a schema (system.main.lpad, pg_catalog.lpad).
    if (BOUNDED_FUNCTIONS.has(name) && (v.catalog || v.schema))
      throw violation(`a qualified function name (${name}())`, QUALIFIED_HINT);
  }
  if (v.type === "TABLE_FUNCTION") {
    const fn = v.function as Node | undefined;
    const name = asciiLower(String(fn?.function_name ?? ""));
    if (!ALLOWED_TABLE_FUNCTIONS.has(name)) throw violation(`the table function ${name}()`);
  } else if (v.type === "BASE_TABLE") {
    const { parts, full } = tableName(v);
    const isCte = parts.length === 1 && scope.has(full);
    if (!isCte && !isOwnView(parts, views)) throw violation(`the table ${full}`, TABLE_HINT);
  } else if (v.type === "SHOW_REF" && v.table_name !== "") {
    // SHOW TABLES and the like list the catalog; DESCRIBE/SUMMARIZE of a query are walked as queries.
    throw violation("SHOW");
  } else if (v.type === "RECURSIVE_CTE_NODE") {
    // The recursive part (right) reads the CTE itself; the anchor (left) and the rest do not.
    const self = new Set([...scope, asciiLower(String(v.cte_name))]);
    for (const [k, x] of Object.entries(v)) checkTree(x, views, k === "right" ? self : scope);
    return;
  }
  const names = cteNames(v);
  if (names.length === 0) {
    for (const x of Object.values(v)) checkTree(x, views, scope);
    return;
  }
  const map = (v.cte_map as Node).map as unknown[];
  map.forEach((entry, i) => {
    checkTree(entry, views, new Set([...scope, ...names.slice(0, i)]));
  });
  const inner = new Set([...scope, ...names]);
  for (const [k, x] of Object.entries(v)) if (k !== "cte_map") checkTree(x, views, inner);
}

/**
 * Refuses the statement unless it stays inside the sandbox. `views` are the engine's own views the
 * statement may read (`cloudtrail_logs`, `cwl_events`, ...). A statement DuckDB cannot parse is left
 * to the caller: it fails before running anything.
 */
export async function assertSandboxed(
  conn: DuckDBConnection,
  sql: string,
  views: ReadonlySet<string>,
): Promise<void> {
  const json = await callPrepared(conn, "SELECT json_serialize_sql($1::VARCHAR)", sql);
  const parsed = JSON.parse(json) as {
    error?: boolean;
    statements?: unknown[];
  };
  if (parsed.error) {
    throw new RunMdError(
      "sql-refused",
      "Refused: a step may hold only one read-only SELECT or WITH statement.",
    );
  }
  checkTree(parsed.statements ?? [], views, new Set());
}
