/**
 * Benchmark: the SQL checker (`@run-md/sql`, dt-sql-parser's Trino grammar) on the bundled
 * runbooks' sql steps and on the published Athena queries of ../shared (when present): the time
 * to load the parser (its import and first parse), and per query the median and worst time of `checkSql`. Target: a median
 * under 50 ms a query, so `run-md check` on a library stays interactive. Run alone with
 * `npm run bench -- sql`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadRunbook } from "@run-md/core";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TSV = path.resolve(root, "../shared/reference/queries/queries.tsv");

async function corpus(): Promise<string[]> {
  const out: string[] = [];
  const dir = path.join(root, "runbooks");
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".md"))) {
    const { steps } = await loadRunbook(path.join(dir, f));
    out.push(...steps.filter((s) => s.dialect === "sql").map((s) => s.query));
  }
  if (existsSync(TSV)) {
    const [header, ...lines] = readFileSync(TSV, "utf8").split("\n").filter(Boolean);
    const cols = header!.split("\t");
    for (const l of lines) {
      const f = l.split("\t");
      if (f[cols.indexOf("kind")] !== "athena") continue;
      out.push(f[cols.indexOf("query")]!.replace(/\\n/g, "\n").replace(/\\t/g, "\t"));
    }
  }
  return out;
}

export async function benchSqlCheck(): Promise<boolean> {
  const queries = await corpus();
  const t0 = performance.now();
  const { checkSql } = await import("@run-md/sql");
  // The grammar is imported by the first check of a query in no cache (analyze.ts), and that
  // first parse builds the ATN caches: both are the parser's load.
  await checkSql("SELECT 1");
  const loadMs = performance.now() - t0;
  const times: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    await checkSql(q);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  const worst = times[times.length - 1] ?? 0;
  const total = times.reduce((a, b) => a + b, 0);
  const ok = median < 50;
  console.log("sql check (Trino grammar, dt-sql-parser)");
  console.log(`  parser load        ${loadMs.toFixed(0)} ms (import and first parse)`);
  console.log(
    `  queries            ${queries.length} (bundled runbooks + published Athena queries)`,
  );
  console.log(`  per query          median ${median.toFixed(1)} ms, worst ${worst.toFixed(0)} ms`);
  console.log(`  all                ${total.toFixed(0)} ms`);
  console.log(`  ${ok ? "✓" : "✗"} median under 50 ms a query`);
  return ok;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSqlCheck();
