/**
 * `npm run sample-data`: writes the bundled sample data (seven days of CloudTrail logs for account
 * 111122223333 ending at the current hour, with the planted incidents) into `.run-md/sample-data`
 * (or $RUN_MD_SAMPLE_DIR, or the directory given as the argument). `--no-incidents` generates
 * the ordinary traffic only. A mistyped option is named with the usage (exit 2).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureSampleData } from "@run-md/generator";
import { isUsageError, UsageError, usageFailure } from "./usage.ts";

const USAGE = `Usage: npm run sample-data -- [DIR] [--no-incidents]

Writes the sample data (seven days of CloudTrail logs for account 111122223333 ending at the
current hour, with planted incidents in the last hours) into DIR, else $RUN_MD_SAMPLE_DIR, else
.run-md/sample-data; data already there for the current hour is kept.

Options:
  --no-incidents           the ordinary traffic only
  -h, --help               this help
`;

const OPTIONS = {
  "no-incidents": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

function parse(): ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
> {
  const parsed = parseArgs({ options: OPTIONS, strict: true, allowPositionals: true });
  if (parsed.positionals.length > 1)
    throw new UsageError(`one folder at most, got ${parsed.positionals.length}`);
  return parsed;
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (e) {
    if (!isUsageError(e)) throw e;
    return usageFailure(e, USAGE);
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const dir =
    parsed.positionals[0] ??
    process.env.RUN_MD_SAMPLE_DIR ??
    path.join(root, ".run-md", "sample-data");
  const t0 = performance.now();
  const res = await ensureSampleData(dir, { incidents: !parsed.values["no-incidents"] });
  console.log(
    `sample data in ${path.relative(process.cwd(), res.dir) || "."}: ${res.start.toISOString()} → ${res.end.toISOString()} (${Math.round(performance.now() - t0)} ms)`,
  );
  return 0;
}

process.exitCode = await main();
