/**
 * Generates CloudTrail logs in the S3 layout. Usage:
 *   tsx scripts/generate-logs.ts --out DIR [--start ISO] [--end ISO] [--days N]
 *     [--events-per-day N | --total N] [--seed S] [--regions a,b] [--incidents] [--files-per-hour N]
 */
import { parseArgs } from "node:util";
import { DEFAULT_REGIONS, generateLogs } from "@run-md/generator";

const { values } = parseArgs({
  options: {
    out: { type: "string" },
    start: { type: "string" },
    end: { type: "string" },
    days: { type: "string", default: "7" },
    "events-per-day": { type: "string" },
    total: { type: "string" },
    seed: { type: "string", default: "1" },
    regions: { type: "string" },
    incidents: { type: "boolean", default: false },
    "files-per-hour": { type: "string", default: "1" },
  },
});
if (!values.out) {
  console.error(
    "usage: tsx scripts/generate-logs.ts --out DIR [--days 7] [--events-per-day 5000] [--incidents]",
  );
  process.exit(2);
}
const HOUR = 3600_000;
const end = values.end ? new Date(values.end) : new Date(Math.floor(Date.now() / HOUR) * HOUR);
const start = values.start
  ? new Date(values.start)
  : new Date(end.getTime() - Number(values.days) * 24 * HOUR);
const t0 = performance.now();
const res = await generateLogs({
  outDir: values.out,
  start,
  end,
  ...(values.total ? { totalEvents: Number(values.total) } : {}),
  ...(values["events-per-day"] ? { eventsPerDay: Number(values["events-per-day"]) } : {}),
  seed: values.seed,
  regions: values.regions ? values.regions.split(",") : DEFAULT_REGIONS,
  incidents: values.incidents,
  filesPerHour: Number(values["files-per-hour"]),
});
console.log(
  `${res.events} events in ${res.files} files (${(res.rawBytes / 1e6).toFixed(1)} MB JSON, ${(res.bytes / 1e6).toFixed(1)} MB gz) in ${Math.round(performance.now() - t0)} ms`,
);
