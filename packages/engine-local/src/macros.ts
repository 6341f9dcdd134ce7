/**
 * Trino's functions as DuckDB macros (trino.ts, MACROS), created in an engine's database when a
 * statement first names one, with the macros it calls in turn. Creating all of them at start-up
 * took 0.2 to 0.45 s of CPU per engine (a `run-md run`, each run of the server), for queries
 * that use a handful at most. What runs is the same: a statement's macros exist before any of
 * its SQL runs, whatever the path (views, partition pruning, the step's SELECT). The JavaScript
 * functions some macros call (udfs.ts) are registered before the first macro is created.
 */
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { GUARD_PREFIX } from "./bounds.ts";
import { anchorRaises, hasTypedParameter } from "./raise-anchors.ts";
import { MACROS, TRINO_PREFIX } from "./trino.ts";
import { registerUdfs } from "./udfs.ts";

const NAME = new RegExp(`\\b(?:${TRINO_PREFIX}|${GUARD_PREFIX})[a-z0-9_]*`, "gi");

/**
 * Each macro's CREATE statement by (lower-case) name, the macros its body names, and its place in
 * MACROS: DuckDB binds a macro's body when it is created, so callees are created first, in the
 * order MACROS lists them.
 */
const DEFS = new Map<string, { sql: string; uses: string[]; order: number }>();
MACROS.forEach((sql, order) => {
  const name = /^\s*CREATE\s+MACRO\s+(\w+)/i.exec(sql)?.[1]?.toLowerCase();
  if (name === undefined) throw new Error(`not a CREATE MACRO statement: ${sql.slice(0, 60)}`);
  const idempotent = sql.replace(/^\s*CREATE\s+MACRO\s+/i, "CREATE MACRO IF NOT EXISTS ");
  DEFS.set(name, { sql: idempotent, uses: namesIn(sql).filter((n) => n !== name), order });
});

/** The known macro names a text mentions (a mention in a string literal counts: harmless). */
function namesIn(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(NAME)) found.add(m[0].toLowerCase());
  return [...found];
}

/** The macros the statements need (those they name, those these call, ...), callees first. */
export function macrosNeeded(statements: readonly string[]): string[] {
  const needed = new Set<string>();
  const stack = statements.flatMap(namesIn);
  while (stack.length > 0) {
    const name = stack.pop() as string;
    const def = DEFS.get(name);
    if (def === undefined || needed.has(name)) continue;
    needed.add(name);
    stack.push(...def.uses);
  }
  return [...needed].sort((a, b) => (DEFS.get(a)?.order ?? 0) - (DEFS.get(b)?.order ?? 0));
}

/**
 * The macros whose body, or the body of a macro they call (at any depth), matches `test`
 * (bind-late.ts: those holding a subquery).
 */
export function macrosWhoseBodies(test: RegExp): Set<string> {
  const found = new Set<string>();
  for (const name of DEFS.keys())
    if (macrosNeeded([name]).some((n) => test.test(DEFS.get(n)?.sql ?? ""))) found.add(name);
  return found;
}

/** A macro's CREATE statement as DuckDB runs it (raises anchored), by lower-case name. */
export function macroDefinition(name: string): string | undefined {
  const sql = DEFS.get(name.toLowerCase())?.sql;
  return sql === undefined ? undefined : anchorRaises(sql);
}

/**
 * Macros whose arguments end up in a subquery of their body (at any depth): never called inside
 * a lambda ("subqueries in lambda expressions are not supported").
 */
export const SUBQUERY_MACROS: Set<string> = macrosWhoseBodies(/\(\s*SELECT\b/i);

/**
 * Macros with a lambda (at any depth), where DuckDB refuses a subquery ("subqueries in lambda
 * expressions are not supported"): only a call of one needs a subquery argument bound first
 * (bind-expanding.ts). A `->` or `lambda` inside a string counts too (binding a little more).
 */
export const LAMBDA_MACROS: Set<string> = macrosWhoseBodies(/->|\blambda\b/i);

/** The macros with an overload that types a parameter (`(x DOUBLE)`). */
export const TYPED_MACROS: Set<string> = new Set(
  [...DEFS].filter(([, d]) => hasTypedParameter(d.sql)).map(([name]) => name),
);

/**
 * The macros created in one engine's database so far. They are created on a connection of their
 * own, one batch at a time: a query's connection is interrupted when the query is cancelled, and a
 * batch cut short there left some macros created but not counted, so every later query needing
 * them failed with "already exists" (found by review, reproduced in 12 of 40 engines). IF NOT
 * EXISTS makes a batch safe to run again after any failure.
 */
export class Macros {
  private readonly created = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private conn: DuckDBConnection | undefined;

  constructor(private readonly instance: DuckDBInstance) {}

  /** Creates what the statements need and the database lacks, before they run. */
  async ensure(statements: readonly string[]): Promise<void> {
    const needed = macrosNeeded(statements);
    if (needed.every((n) => this.created.has(n))) return;
    const turn = this.queue.then(async () => {
      const missing = needed.filter((n) => !this.created.has(n));
      if (missing.length === 0) return;
      if (!this.conn) {
        this.conn = await this.instance.connect();
        registerUdfs(this.conn);
      }
      // One call for the batch: a statement at a time cost a round trip each through DuckDB.
      // Each raise's anchor widened to its overload's parameters (raise-anchors.ts), here rather
      // than for all macros at start-up (about 10 ms for the 300).
      const sql = missing.map((n) => anchorRaises(DEFS.get(n)?.sql ?? "")).join(";\n");
      await this.conn.run(sql);
      for (const n of missing) this.created.add(n);
    });
    this.queue = turn.catch(() => undefined);
    await turn;
  }

  /** Closes the connection (before the database is closed). */
  close(): void {
    this.conn?.closeSync();
    this.conn = undefined;
  }
}
