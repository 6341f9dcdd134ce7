/**
 * From a step's query as written to the SQL Athena runs: `{{name}}` references become `?`
 * execution parameters in WHERE clauses (the only place Athena binds them) and literals of their
 * declared type elsewhere; every `cloudtrail_logs` table reference becomes the configured table
 * restricted to the window's partitions and event times (spec section 4).
 */
import type { BoundParam, TimeWindow } from "@run-md/core";
import {
  deliveryDays,
  eventTimeBounds,
  firstReference,
  isoInstant,
  RunMdError,
  renderLiteral,
  slashDayStart,
  sqlStringLiteral,
} from "@run-md/core";
import { type ExtraTable, TableResolver } from "@run-md/sql";
import { clauses, isSignificant, LexError, type Token, tokenize } from "./lexer.ts";

export type Partitioning = "manual" | "projection" | "bootstrap" | "none";

export interface ScopeOptions {
  /** The real table, e.g. `security.cloudtrail_org_pp`. */
  table: string;
  partitioning: Partitioning;
  regions?: string[];
  accounts?: string[];
  /**
   * The names a step may read (spec section 4): `cloudtrail_logs` and its aliases are scoped
   * like `cloudtrail_logs`, extra tables by their own rule. Default: `cloudtrail_logs` and
   * `table`.
   */
  tables?: TableResolver;
}

export interface PreparedQuery {
  sql: string;
  executionParameters: string[];
  /** How many `cloudtrail_logs` references were scoped to the window. */
  scopedReferences: number;
}

/** A string literal, quotes doubled: the only escaping Trino string literals have. */
export const sqlString = sqlStringLiteral;

export { isoInstant };

function ymd(d: Date): { y: string; m: string; d: string } {
  const iso = d.toISOString();
  return { y: iso.slice(0, 4), m: iso.slice(5, 7), d: iso.slice(8, 10) };
}

/**
 * The partition days a window reads: its delivery days (core's `deliveryDays`), an event of a
 * window ending near midnight lying in the next day's partition.
 */
export function windowDays(window: TimeWindow): { first: Date; last: Date } {
  const days = deliveryDays(window);
  return { first: slashDayStart(days.first), last: slashDayStart(days.last) };
}

function slash(d: Date): string {
  const { y, m, d: day } = ymd(d);
  return `${y}/${m}/${day}`;
}

function inList(column: string, values: string[] | undefined): string | undefined {
  if (!values || values.length === 0) return undefined;
  return `${column} IN (${values.map(sqlString).join(", ")})`;
}

/** Manual `year/month/day` partitions: one disjunct per month the window touches. */
function manualDays(first: Date, last: Date): string {
  const parts: string[] = [];
  let cursor = new Date(first);
  while (cursor <= last) {
    const { y, m, d } = ymd(cursor);
    const monthEnd = new Date(Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, 0));
    const until = monthEnd < last ? monthEnd : last;
    const lastDay = ymd(until).d;
    const days =
      d === "01" && until.getTime() === monthEnd.getTime()
        ? ""
        : d === lastDay
          ? ` AND day = '${d}'`
          : ` AND day BETWEEN '${d}' AND '${lastDay}'`;
    parts.push(`(year = '${y}' AND month = '${m}'${days})`);
    cursor = new Date(Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, 1));
  }
  return parts.length === 1 ? parts[0]! : `(${parts.join(" OR ")})`;
}

/** The predicate restricting the configured table to the window (partitions, then event time). */
export function windowPredicate(window: TimeWindow, opts: ScopeOptions): string {
  const { first, last } = windowDays(window);
  const preds: (string | undefined)[] = [];
  switch (opts.partitioning) {
    case "projection":
      preds.push(`"timestamp" BETWEEN '${slash(first)}' AND '${slash(last)}'`);
      break;
    case "bootstrap":
      preds.push(`date_partition BETWEEN '${slash(first)}' AND '${slash(last)}'`);
      preds.push(inList("region_partition", opts.regions));
      preds.push(inList("account_partition", opts.accounts));
      break;
    case "manual":
      preds.push(inList("region", opts.regions));
      preds.push(manualDays(first, last));
      break;
    case "none":
      break;
  }
  // Whole seconds, as eventtime's text has them: a fraction compared as text takes the wrong second.
  const bounds = eventTimeBounds(window);
  preds.push(`eventtime >= ${sqlString(bounds.start)}`);
  preds.push(`eventtime < ${sqlString(bounds.end)}`);
  return preds.filter((p): p is string => p !== undefined).join(" AND ");
}

export function scopedTable(window: TimeWindow, opts: ScopeOptions): string {
  return `(SELECT * FROM ${opts.table} WHERE ${windowPredicate(window, opts)})`;
}

/** An extra table as Athena reads it: its real name, restricted to the window when scoped. */
export function scopedExtraTable(window: TimeWindow, t: ExtraTable): string {
  const name = t.athenaTable ?? t.name;
  if (t.scope.kind === "unscoped") return name;
  const col = `"${t.scope.column.replaceAll('"', '""')}"`;
  return `(SELECT * FROM ${name} WHERE ${col} >= ${sqlString(isoInstant(window.start))} AND ${col} < ${sqlString(isoInstant(window.end))})`;
}

/** Keywords that may follow a table reference and are not an alias. */
const NOT_ALIAS = new Set([
  "where",
  "join",
  "cross",
  "inner",
  "left",
  "right",
  "full",
  "outer",
  "natural",
  "on",
  "using",
  "group",
  "order",
  "having",
  "limit",
  "offset",
  "fetch",
  "union",
  "intersect",
  "except",
  "window",
  "tablesample",
  "for",
  "select",
  "from",
]);

/** A parameter value as SQL literal text of its declared type (see core's `renderLiteral`). */
export function literalFor(name: string, param: BoundParam, inline: boolean): string {
  return renderLiteral(name, param, "sql", { inline });
}

interface TableRef {
  /** Token index range of the qualified name, inclusive. */
  first: number;
  last: number;
  hasAlias: boolean;
  /** What replaces the name: a scoped subquery of the real table (or an extra table). */
  replacement: string;
  /** Whether the replacement is a subquery, which needs the name as its alias. */
  subquery: boolean;
}

function nextSignificant(tokens: Token[], from: number): number {
  let k = from;
  while (k < tokens.length && !isSignificant(tokens[k]!)) k++;
  return k;
}

function prevSignificant(tokens: Token[], from: number): number {
  let k = from;
  while (k >= 0 && !isSignificant(tokens[k]!)) k--;
  return k;
}

function findTableRefs(
  tokens: Token[],
  info: ReturnType<typeof clauses>,
  replace: (parts: string[]) => string | undefined,
): TableRef[] {
  const refs: TableRef[] = [];
  /** Whether the token at `k`, after the one at `before`, stands where a relation goes. */
  const relationAt = (before: number, k: number) => {
    const b = tokens[before];
    return (
      (b?.kind === "ident" && (b.value === "from" || b.value === "join")) ||
      // After a comma in a FROM list (an ON condition ends at the comma of the next item).
      (b?.text === "," &&
        (info[before]?.clause === "from" || info[before]?.clause === "on") &&
        info[before]?.depth === info[k]?.depth)
    );
  };
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== "ident" && t.kind !== "qident") continue;
    const before = prevSignificant(tokens, k - 1);
    const b = tokens[before];
    if (b?.text === ".") continue; // not the start of a name
    const inTablePosition = relationAt(before, k);
    // Walk the qualified name `a.b.c`.
    let last = k;
    for (;;) {
      const dot = nextSignificant(tokens, last + 1);
      const part = nextSignificant(tokens, dot + 1);
      if (
        tokens[dot]?.text === "." &&
        (tokens[part]?.kind === "ident" || tokens[part]?.kind === "qident")
      ) {
        last = part;
      } else break;
    }
    const after = nextSignificant(tokens, last + 1);
    const a = tokens[after];
    const parts = tokens
      .slice(k, last + 1)
      .filter((p) => p.kind === "ident" || p.kind === "qident")
      .map((p) => p.value.toLowerCase());
    // `TABLE t` and a relation in parentheses (`FROM (t)`, `FROM (t a JOIN u b ...)`) name a
    // table where the scoping does not look: the check refuses them before a query gets here;
    // sending one would read the table whole. A name in parentheses elsewhere (`max(x)`) is none.
    const unscopedForm =
      (b?.kind === "ident" && b.value === "table") ||
      (b?.text === "(" && relationAt(prevSignificant(tokens, before - 1), before));
    if (!inTablePosition && unscopedForm && a?.text !== "." && replace(parts) !== undefined)
      throw new RunMdError(
        "sql-refused",
        `${parts.join(".")} is named where the window's scoping does not reach (TABLE name, or a table in parentheses)`,
        { hint: "Write FROM name, or a subquery (SELECT ... FROM name)." },
      );
    const replacement = inTablePosition && a?.text !== "(" ? replace(parts) : undefined;
    if (replacement !== undefined && a?.text !== ".") {
      const hasAlias =
        (a?.kind === "ident" && (a.value === "as" || !NOT_ALIAS.has(a.value))) ||
        a?.kind === "qident";
      refs.push({ first: k, last, hasAlias, replacement, subquery: replacement.startsWith("(") });
    }
    k = last;
  }
  return refs;
}

export function prepareQuery(
  query: string,
  params: Record<string, BoundParam>,
  window: TimeWindow,
  scope: ScopeOptions,
): PreparedQuery {
  const tokens = queryTokens(query);
  const info = clauses(tokens);
  const table = scopedTable(window, scope);
  const tables = scope.tables ?? new TableResolver({ aliases: [scope.table], extra: [] });
  const refs = findTableRefs(tokens, info, (parts) => {
    const kind = tables.resolve(parts);
    if (kind?.kind === "cloudtrail") return table;
    if (kind?.kind === "extra") return scopedExtraTable(window, kind.table);
    return undefined;
  });
  const refAt = new Map(refs.map((r) => [r.first, r]));
  const out: string[] = [];
  const executionParameters: string[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    const ref = refAt.get(k);
    if (ref) {
      // Without an alias, the subquery takes the name as written (`cloudtrail_logs`,
      // `cloudtrail_org_pp`), so qualified columns such as `cloudtrail_logs.eventname` still work.
      const alias = ref.subquery && !ref.hasAlias ? ` AS ${tokens[ref.last]!.text}` : "";
      out.push(`${ref.replacement}${alias}`);
      k = ref.last;
    } else if (t.kind === "param") {
      const p = boundParam(params, t.value);
      if (info[k]?.clause === "where") {
        out.push("?");
        executionParameters.push(literalFor(t.value, p, false));
      } else out.push(literalFor(t.value, p, true));
    } else out.push(t.text);
  }
  return {
    sql: out.join("").trim().replace(/;\s*$/, "").trimEnd(),
    executionParameters,
    scopedReferences: refs.filter((r) => r.replacement === table).length,
  };
}

/** The query's tokens; refused when they hold a bare `?` or a `{{name}}` inside quotes. */
function queryTokens(query: string): Token[] {
  let tokens: Token[];
  try {
    tokens = tokenize(query);
  } catch (e) {
    if (e instanceof LexError) {
      throw new RunMdError("sql-syntax", `${e.message} at offset ${e.offset}`, {
        hint: "Check the quotes and comments of the query.",
      });
    }
    throw e;
  }
  for (const t of tokens) {
    if (t.kind === "placeholder") {
      throw new RunMdError("bare-placeholder", "the query contains a bare `?` placeholder", {
        hint: "Refer to parameters as {{name}}; the runner binds them.",
      });
    }
    if ((t.kind === "string" || t.kind === "qident") && firstReference(t.text) !== undefined) {
      throw new RunMdError(
        "param-in-string",
        `a {{name}} reference is inside the quoted text ${t.text}`,
        { hint: "Write {{name}} without quotes around it: the runner supplies the quoting." },
      );
    }
  }
  return tokens;
}

/** The value of a `{{name}}` reference; an error naming it when it has none. */
function boundParam(params: Record<string, BoundParam>, name: string): BoundParam {
  const p = params[name];
  if (p) return p;
  throw new RunMdError("unknown-param", `the query refers to {{${name}}}, which has no value`, {
    hint: `Declare "${name}" under params: in the front matter, or pass --param ${name}=...`,
  });
}
