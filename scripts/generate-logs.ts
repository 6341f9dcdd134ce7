/**
 * Generates CloudTrail logs in the S3 layout. Usage:
 *   tsx scripts/generate-logs.ts --out DIR [--start ISO] [--end ISO] [--days N]
 *     [--events-per-day N | --total N] [--seed S] [--regions a,b] [--incidents] [--files-per-hour N]
 * A mistyped or malformed option is named with the usage (exit 2), never a stack trace.
 */
import { parseArgs } from "node:util";
import { DEFAULT_REGIONS, generateLogs } from "@run-md/generator";
import { isUsageError, UsageError, usageFailure } from "./usage.ts";

const USAGE = `Usage: npx tsx scripts/generate-logs.ts --out DIR [options]

Writes generated CloudTrail logs in the S3 layout (AWSLogs/...) under DIR; the same options
write the same bytes.

Options:
  --out <dir>              where to write (required)
  --days <n>               days of traffic ending at --end (default 7)
  --start <iso>            the first instant (instead of --days)
  --end <iso>              the end (default: the current hour)
  --events-per-day <n>     events per day (default 5000)
  --total <n>              events in all (instead of --events-per-day)
  --seed <s>               the random seed (default 1)
  --regions <a,b>          the regions (default us-east-1,eu-west-1,us-west-2)
  --incidents              plant the sample data's incidents in the last hours
  --files-per-hour <n>     files per region and hour (default 1)
  -h, --help               this help
`;

const OPTIONS = {
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
  help: { type: "boolean", short: "h", default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"];

function whole(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value))
    throw new UsageError(`--${name}: expected a whole number above 0, got "${value}"`);
  return Number(value);
}

function instant(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`--${name}: expected an ISO-8601 time, got "${value}"`);
  return date;
}

/** The generator's options from the command line; a UsageError names what is wrong. */
function options(values: Values): Parameters<typeof generateLogs>[0] {
  if (!values.out) throw new UsageError("--out is required");
  const HOUR = 3600_000;
  const end = instant("end", values.end) ?? new Date(Math.floor(Date.now() / HOUR) * HOUR);
  const days = whole("days", values.days) as number;
  const start = instant("start", values.start) ?? new Date(end.getTime() - days * 24 * HOUR);
  if (start >= end) throw new UsageError("--start: must be before --end");
  const total = whole("total", values.total);
  const perDay = whole("events-per-day", values["events-per-day"]);
  return {
    outDir: values.out,
    start,
    end,
    ...(total ? { totalEvents: total } : {}),
    ...(perDay ? { eventsPerDay: perDay } : {}),
    seed: values.seed,
    regions: values.regions ? values.regions.split(",") : DEFAULT_REGIONS,
    incidents: values.incidents,
    filesPerHour: whole("files-per-hour", values["files-per-hour"]) as number,
  };
}

async function main(): Promise<number> {
  let opts: Parameters<typeof generateLogs>[0];
  try {
    const { values } = parseArgs({ options: OPTIONS, strict: true, allowPositionals: false });
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    opts = options(values);
  } catch (e) {
    if (!isUsageError(e)) throw e;
    return usageFailure(e, USAGE);
  }
  const t0 = performance.now();
  const res = await generateLogs(opts);
  console.log(
    `${res.events} events in ${res.files} files (${(res.rawBytes / 1e6).toFixed(1)} MB JSON, ${(res.bytes / 1e6).toFixed(1)} MB gz) in ${Math.round(performance.now() - t0)} ms`,
  );
  return 0;
}

process.exitCode = await main();
