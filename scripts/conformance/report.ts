/** Pass rates overall, per family and per function, silent wrong answers, and the failures. */

import { SILENT, type Verdict } from "./compare.ts";
import type { CaseResult } from "./run.ts";

export interface Tally {
  total: number;
  passed: number;
  /** Percentage, one decimal. */
  rate: number;
}

export interface Summary {
  overall: Tally;
  families: Record<string, Tally>;
  functions: Record<string, Tally>;
  verdicts: Partial<Record<Verdict, number>>;
  silent: number;
  /** Silent wrong answers as a percentage of all rows, two decimals. */
  silentRate: number;
}

function tally(rs: CaseResult[]): Tally {
  const passed = rs.filter((r) => r.verdict === "pass").length;
  return {
    total: rs.length,
    passed,
    rate: rs.length === 0 ? 0 : Math.round((passed / rs.length) * 1000) / 10,
  };
}

function groupBy(rs: CaseResult[], key: (r: CaseResult) => string): Record<string, Tally> {
  const groups = new Map<string, CaseResult[]>();
  for (const r of rs) {
    const k = key(r);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return Object.fromEntries(
    [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, tally(v)]),
  );
}

export function summarize(results: CaseResult[]): Summary {
  const verdicts: Partial<Record<Verdict, number>> = {};
  for (const r of results) verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
  const silent = results.filter((r) => SILENT.has(r.verdict)).length;
  return {
    overall: tally(results),
    families: groupBy(results, (r) => r.case.family),
    functions: groupBy(results, (r) => r.case.fn),
    verdicts,
    silent,
    silentRate: results.length === 0 ? 0 : Math.round((silent / results.length) * 10000) / 100,
  };
}

const row = (name: string, t: Tally) =>
  `  ${name.padEnd(28)} ${String(t.passed).padStart(5)} / ${String(t.total).padEnd(5)} ${t.rate.toFixed(1).padStart(5)}%`;

function got(r: CaseResult): string {
  return r.outcome.ok
    ? `${JSON.stringify(r.outcome.value)} (${r.outcome.type})`
    : `error: ${r.outcome.message.split("\n")[0]}`;
}

function wanted(r: CaseResult): string {
  const c = r.case;
  if (c.kind === "null") return `NULL${c.type ? ` (${c.type})` : ""}`;
  if (c.kind === "error") return `error ${c.value}`;
  return `${c.value} (${c.type || "untyped"})`;
}

/** The report as text lines; `failures` caps how many failing rows are listed. */
export function formatReport(
  results: CaseResult[],
  summary: Summary,
  failures = Number.POSITIVE_INFINITY,
): string {
  const out: string[] = [];
  out.push(
    `Trino conformance: ${summary.overall.passed} / ${summary.overall.total} rows pass (${summary.overall.rate.toFixed(1)}%)`,
  );
  out.push(`silent wrong answers: ${summary.silent} (${summary.silentRate.toFixed(2)}% of rows)`);
  out.push(
    `verdicts: ${Object.entries(summary.verdicts)
      .sort(([, a], [, b]) => (b ?? 0) - (a ?? 0))
      .map(([k, n]) => `${k} ${n}`)
      .join(", ")}`,
  );
  const fixed = results.filter((r) => r.case.corrected);
  if (fixed.length > 0) {
    out.push(`judged against Trino's test instead of the corpus (${fixed.length}):`);
    for (const r of fixed) out.push(`  ${r.case.id} [${r.verdict}]: ${r.case.corrected}`);
  }
  out.push("", "per family:");
  for (const [k, t] of Object.entries(summary.families)) out.push(row(k, t));
  out.push("", "per function (failing ones):");
  for (const [k, t] of Object.entries(summary.functions))
    if (t.passed < t.total) out.push(row(k, t));
  const failing = results.filter((r) => r.verdict !== "pass");
  out.push(
    "",
    `failures (${failing.length}${failing.length > failures ? `, first ${failures}` : ""}):`,
  );
  for (const r of failing.slice(0, failures)) {
    out.push(`  [${r.verdict}] ${r.case.id} ${r.case.family} | ${r.case.sql}`);
    out.push(`      want ${wanted(r)}; got ${got(r)}`);
  }
  return out.join("\n");
}
