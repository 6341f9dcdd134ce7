/**
 * `npm run conformance -- <cases.tsv> [--failures N] [--family F] [--json out.json]
 * [--write-alone]`: runs the Trino conformance corpus through the local engine's `sql` step path
 * and prints the pass rates overall, per family and per function, the silent wrong answers and the
 * failures; `--write-alone` records the rows that failed (scripts/conformance/alone.ts). Exit 0
 * when it ran (the floor is the test's business: test/conformance.test.ts), 2 on bad arguments or
 * input: `--help` prints the usage; a mistake is named with it, such as a `--family` or
 * `--function` that selects no row (it printed "0 / 0 rows pass", exit 0) or a `--concurrency`
 * that is no whole number (it crashed on `verdict` of undefined).
 */
import { promises as fsp } from "node:fs";
import { parseArgs } from "node:util";
import { readAlone, writeAlone } from "./conformance/alone.ts";
import { readCases } from "./conformance/cases.ts";
import { formatReport, summarize } from "./conformance/report.ts";
import { runCases } from "./conformance/run.ts";
import { isUsageError, UsageError, usageFailure } from "./usage.ts";

const USAGE = `Usage: npm run conformance -- <cases.tsv> [options]

Runs the Trino conformance corpus (../shared/reference/trino-conformance/cases.tsv) through the
local engine's sql step path and prints the pass rates overall, per family and per function, the
silent wrong answers and the failing rows. Exit 0 when it ran, 2 on bad arguments or input.

Options:
  --failures N       failing rows to print (default 200)
  --family F         only the rows of this family (array, datetime, ...)
  --function NAME    only the rows of this function
  --concurrency N    steps run at once (default 4)
  --json FILE        also write the summary and every row's result as JSON
  --write-alone      record the rows that failed, to run alone next time (the whole corpus only)
  -h, --help         this help
`;

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
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1)
    throw new UsageError(file ? "one cases file at most" : "the cases file is required");
  const failures = values.failures === undefined ? 200 : Number(values.failures);
  if (!Number.isInteger(failures) || failures < 0)
    throw new UsageError(`--failures: expected a whole number, got ${values.failures}`);
  const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new UsageError(
      `--concurrency: expected a whole number above 0, got ${values.concurrency}`,
    );
  if (values["write-alone"] && (values.family || values.function))
    throw new UsageError("--write-alone: needs the whole corpus (no --family or --function)");
  let cases = await readCases(file);
  for (const [key, plural, value, of] of [
    ["family", "families", values.family, (c: (typeof cases)[number]) => c.family],
    ["function", "functions", values.function, (c: (typeof cases)[number]) => c.fn],
  ] as const) {
    if (value === undefined) continue;
    const known = [...new Set(cases.map(of))].sort();
    cases = cases.filter((c) => of(c) === value);
    // A mistyped name selects nothing: 0 / 0 rows pass, exit 0, read as a clean run.
    if (cases.length === 0) {
      const shown = known.length > 30 ? `${known.slice(0, 30).join(", ")}, ...` : known.join(", ");
      throw new UsageError(`--${key} ${value} selects no row (the ${plural}: ${shown})`);
    }
  }
  const t0 = performance.now();
  const results = await runCases(cases, {
    concurrency,
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
    if (isUsageError(e)) process.exitCode = usageFailure(e, USAGE);
    else {
      console.error(`conformance: ${(e as Error).message}`);
      process.exitCode = 2;
    }
  },
);
