/**
 * `npm run conformance -- <cases.tsv> [--failures N] [--family F] [--json out.json]
 * [--write-alone]`: runs the Trino conformance corpus through the local engine's `sql` step path
 * and prints the pass rates overall, per family and per function, the silent wrong answers and the
 * failures; `--write-alone` records the rows that failed (scripts/conformance/alone.ts). Exit 0
 * when it ran (the floor is the test's business: test/conformance.test.ts), 2 on bad arguments or
 * input.
 */
import { promises as fsp } from "node:fs";
import { parseArgs } from "node:util";
import { readAlone, writeAlone } from "./conformance/alone.ts";
import { readCases } from "./conformance/cases.ts";
import { formatReport, summarize } from "./conformance/report.ts";
import { runCases } from "./conformance/run.ts";

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      failures: { type: "string" },
      family: { type: "string" },
      function: { type: "string" },
      json: { type: "string" },
      concurrency: { type: "string" },
      "write-alone": { type: "boolean" },
    },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    console.error(
      "usage: npm run conformance -- <cases.tsv> [--failures N] [--family F] [--function NAME] [--json out.json] [--write-alone]",
    );
    return 2;
  }
  const failures = values.failures === undefined ? 200 : Number(values.failures);
  if (!Number.isInteger(failures) || failures < 0) {
    console.error(`--failures: expected a whole number, got ${values.failures}`);
    return 2;
  }
  if (values["write-alone"] && (values.family || values.function)) {
    console.error("--write-alone: needs the whole corpus (no --family or --function)");
    return 2;
  }
  let cases = await readCases(file);
  if (values.family) cases = cases.filter((c) => c.family === values.family);
  if (values.function) cases = cases.filter((c) => c.fn === values.function);
  const t0 = performance.now();
  const results = await runCases(cases, {
    concurrency: Number(values.concurrency ?? 4),
    alone: readAlone(),
  });
  const seconds = (performance.now() - t0) / 1000;
  const summary = summarize(results);
  console.log(formatReport(results, summary, failures));
  console.log(
    `\n${results.length} rows in ${seconds.toFixed(1)}s (${Math.round(results.length / seconds)} rows/s)`,
  );
  if (values["write-alone"]) writeAlone(results);
  if (values.json)
    await fsp.writeFile(values.json, `${JSON.stringify({ summary, results }, null, 2)}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`conformance: ${(e as Error).message}`);
    process.exitCode = 2;
  },
);
