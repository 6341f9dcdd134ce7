/**
 * Runs corpus rows through the local engine exactly as a runbook `sql` step runs:
 * `LocalEngine.query({ dialect: "sql", query: "SELECT <expression>", ... })` on one engine, so the
 * parameter rendering, the Trino rewrite, the macros and the value conversion are all on the path.
 *
 * Rows run in batches: one step `SELECT <e1> AS __runmd_case_0, ...` of up to BATCH rows, each
 * row its own column (a query's fixed costs, about 10 ms of CPU, shared by the batch). A batch is
 * kept only when it ran and gave one row with a column per case; otherwise (a row that errors, one
 * that returns no row or several) it is split in halves until each failing row runs alone, so an
 * error in one row never touches another and every error message is the row's own. Rows expected
 * to fail run alone from the start. A few batches run concurrently.
 */
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Engine } from "@run-md/core";
import { createLocalEngine } from "@run-md/engine-local";
import type { ConformanceCase } from "./cases.ts";
import { judge, type Outcome, type Verdict } from "./compare.ts";

export interface CaseResult {
  case: ConformanceCase;
  outcome: Outcome;
  verdict: Verdict;
}

const WINDOW = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2024-01-02T00:00:00Z") };

/** Rows per batch: beyond about 16, splitting a batch with a failing row costs more than it saves. */
const BATCH = 16;

function step(engine: Engine, id: string, query: string) {
  return engine.query({
    stepId: id,
    dialect: "sql",
    query,
    params: {},
    window: WINDOW,
    attributes: { optional: false },
    signal: new AbortController().signal,
  });
}

/**
 * Rows as one step, a column each (on its own lines, so that a row's trailing comment cannot
 * swallow the next); null when the step failed or its shape is not one row of a column per row.
 */
async function runBatch(engine: Engine, cases: ConformanceCase[]): Promise<Outcome[] | null> {
  // Aliases no row names: DuckDB lets a column use an earlier one's alias, so a row naming `c0`
  // would read another row's value in a batch and fail alone.
  const list = cases.map((c, i) => `${c.sql}\nAS __runmd_case_${i}`).join(",\n");
  try {
    const r = await step(engine, cases[0]!.id, `SELECT\n${list}`);
    if (r.rows.length !== 1 || r.columns.length !== cases.length) return null;
    return cases.map((_, i) => ({
      ok: true,
      value: r.rows[0]?.[i] ?? null,
      type: r.columns[i]?.type ?? "",
    }));
  } catch {
    return null;
  }
}

/** Rows in a batch, or halves of it until each failing row runs alone (see the module's note). */
async function runSplit(engine: Engine, cases: ConformanceCase[]): Promise<Outcome[]> {
  if (cases.length === 1) return [await runOne(engine, cases[0]!)];
  const together = await runBatch(engine, cases);
  if (together) return together;
  const half = Math.ceil(cases.length / 2);
  return [
    ...(await runSplit(engine, cases.slice(0, half))),
    ...(await runSplit(engine, cases.slice(half))),
  ];
}

/** One row as a runbook step: the expression as the only column of a SELECT. */
export async function runOne(engine: Engine, c: ConformanceCase): Promise<Outcome> {
  try {
    const r = await step(engine, c.id, `SELECT ${c.sql}`);
    if (r.rows.length !== 1 || r.columns.length !== 1) {
      return {
        ok: false,
        code: "shape",
        message: `${r.rows.length} rows × ${r.columns.length} columns`,
      };
    }
    return { ok: true, value: r.rows[0]?.[0] ?? null, type: r.columns[0]?.type ?? "" };
  } catch (e) {
    const err = e as Error & { code?: string };
    return { ok: false, code: err.code ?? "error", message: err.message ?? String(e) };
  }
}

/**
 * The cases' indexes in batches of `size`, in corpus order. A row expected to fail is a batch
 * alone, and so is a row in `alone` (the rows that failed last time, test/conformance-alone.json):
 * a failing row in a batch costs the batch and about eight more steps to find it (the corpus's
 * 139 such rows took 809 steps instead of 545, a quarter of the corpus's CPU). The outcomes are
 * the same either way: a row's outcome never depends on its batch.
 */
export function batches(
  cases: ConformanceCase[],
  size: number,
  alone: ReadonlySet<string> = new Set(),
): number[][] {
  const out: number[][] = [];
  let open: number[] = [];
  cases.forEach((c, i) => {
    if (c.kind === "error" || alone.has(c.id)) out.push([i]);
    else {
      open.push(i);
      if (open.length === size) {
        out.push(open);
        open = [];
      }
    }
  });
  if (open.length > 0) out.push(open);
  return out;
}

/**
 * Runs every case on one local engine over an empty log directory, in batches (`batch` rows a
 * step; 1 runs every row alone; the ids in `alone` run alone), `concurrency` steps at a time.
 */
export async function runCases(
  cases: ConformanceCase[],
  opts: {
    concurrency?: number;
    threads?: number;
    batch?: number;
    alone?: ReadonlySet<string>;
  } = {},
): Promise<CaseResult[]> {
  const logDir = await fsp.mkdtemp(path.join(os.tmpdir(), "run-md-conformance-"));
  const engine = await createLocalEngine({ logDir, threads: opts.threads ?? 1 });
  const results: CaseResult[] = new Array(cases.length);
  const groups = batches(cases, opts.batch ?? BATCH, opts.alone);
  let next = 0;
  const worker = async () => {
    while (next < groups.length) {
      const group = groups[next++] as number[];
      const outcomes = await runSplit(
        engine,
        group.map((i) => cases[i] as ConformanceCase),
      );
      group.forEach((i, k) => {
        const c = cases[i] as ConformanceCase;
        const outcome = outcomes[k] as Outcome;
        results[i] = { case: c, outcome, verdict: judge(c, outcome) };
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, worker));
  } finally {
    await engine.close();
    await fsp.rm(logDir, { recursive: true, force: true });
  }
  return results;
}
