/**
 * Runs corpus rows through the local engine exactly as a runbook `sql` step runs:
 * `LocalEngine.query({ dialect: "sql", query: "SELECT <expression>", ... })` on one engine, so the
 * parameter rendering, the Trino rewrite, the macros and the value conversion are all on the path.
 * Every row is its own query (an error in one row cannot touch another); a few run concurrently.
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

/** One row as a runbook step: the expression as the only column of a SELECT. */
export async function runOne(engine: Engine, c: ConformanceCase): Promise<Outcome> {
  try {
    const r = await engine.query({
      stepId: c.id,
      dialect: "sql",
      query: `SELECT ${c.sql}`,
      params: {},
      window: WINDOW,
      attributes: { optional: false },
      signal: new AbortController().signal,
    });
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

/** Runs every case on one local engine over an empty log directory, `concurrency` queries at a time. */
export async function runCases(
  cases: ConformanceCase[],
  opts: { concurrency?: number; threads?: number } = {},
): Promise<CaseResult[]> {
  const logDir = await fsp.mkdtemp(path.join(os.tmpdir(), "run-md-conformance-"));
  const engine = await createLocalEngine({ logDir, threads: opts.threads ?? 1 });
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i] as ConformanceCase;
      const outcome = await runOne(engine, c);
      results[i] = { case: c, outcome, verdict: judge(c, outcome) };
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
