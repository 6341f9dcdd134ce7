/**
 * `npm run sample-data`: writes the bundled sample data (seven days of CloudTrail logs for account
 * 111122223333 ending at the current hour, with the planted incidents) into `.run-md/sample-data`
 * (or $RUN_MD_SAMPLE_DIR, or the directory given as the first argument). `--no-incidents` generates
 * the ordinary traffic only.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureSampleData } from "@run-md/generator";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const positional = args.filter((a) => !a.startsWith("--"));
const dir =
  positional[0] ?? process.env.RUN_MD_SAMPLE_DIR ?? path.join(root, ".run-md", "sample-data");
const t0 = performance.now();
const res = await ensureSampleData(dir, { incidents: !args.includes("--no-incidents") });
console.log(
  `sample data in ${path.relative(process.cwd(), res.dir) || "."}: ${res.start.toISOString()} → ${res.end.toISOString()} (${Math.round(performance.now() - t0)} ms)`,
);
