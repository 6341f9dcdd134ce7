/**
 * `npm run emulator -- --log-dir <dir> [--port N] [--table db.table]`: the local Athena and
 * CloudWatch Logs endpoint over a directory of CloudTrail files, for trying `--engine athena`
 * (and `--engine logs`) without an AWS account. Prints the endpoint and the settings to use.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { startEmulator } from "./server.ts";
import { tableFromDdl } from "./table-ddl.ts";

const USAGE = `Usage: npm run emulator -- --log-dir <dir> [--port 4566] [--table security.cloudtrail_org_pp] [--table-ddl table.sql] [--bucket trail]

Serves Amazon Athena (AmazonAthena.*) and CloudWatch Logs (Logs_20140328.*) JSON APIs on
127.0.0.1, answering queries from the CloudTrail files under <dir> with the local engine, and
<dir> as an S3 bucket (path style, read only) for run-md collect.

  --log-dir <dir>   CloudTrail files (the AWSLogs/ layout, .json.gz or .json)   (required)
  --port <n>        port to listen on (default 4566; 0 picks a free one)
  --table <name>    the Athena table name run-md will query (default security.cloudtrail_org_pp)
  --table-ddl <f>   the table's CREATE EXTERNAL TABLE statement (its TBLPROPERTIES: partition
                    projection), which GetTableMetadata describes (default: no projection)
  --bucket <name>   the S3 bucket name <dir> is served as (default trail)
  --help            this text`;

/**
 * `projection` when the directory has the S3 delivery layout (its partition values come from the
 * path), else `none`: files outside that layout have no partition values to filter on. Over that
 * layout, a `--table-ddl` partitioned by `year`, `month` and `day` (AWS's manually partitioned
 * table) is `manual`, one by `date_partition` `bootstrap`.
 */
export function partitioningFor(
  dir: string,
  tableDdl?: string,
): "projection" | "manual" | "bootstrap" | "none" {
  const layout = /CloudTrail[\\/][^\\/]+[\\/]\d{4}[\\/]\d{2}[\\/]\d{2}[\\/]/;
  const entries = readdirSync(dir, { recursive: true, encoding: "utf8" });
  if (!entries.some((e) => layout.test(e))) return "none";
  const keys =
    tableDdl === undefined ? [] : tableFromDdl(tableDdl).PartitionKeys.map((k) => k.Name);
  if (["year", "month", "day"].every((k) => keys.includes(k))) return "manual";
  if (keys.includes("date_partition")) return "bootstrap";
  return "projection";
}

/**
 * The log group the printed settings name. The emulator answers every log group from the same
 * files, but run-md sends a Logs Insights step no query without one (logs-config).
 */
export const LOG_GROUP = "aws-cloudtrail-logs";

/**
 * The key prefix above the first `AWSLogs/` folder of `dir` ("" when it is at the top), which a
 * collect's `s3://bucket/prefix` names; null when `dir` has no `AWSLogs/` folder (run-md collect
 * lists the trail's layout only, so such a bucket has nothing to collect).
 */
export function trailPrefixFor(dir: string): string | null {
  const entries = readdirSync(dir, { recursive: true, encoding: "utf8" });
  const keys = entries.map((e) => e.split(path.sep).join("/")).sort();
  for (const k of keys) {
    const at = `/${k}/`.indexOf("/AWSLogs/");
    if (at >= 0) return k.slice(0, at).replace(/\/$/, "");
  }
  return null;
}

/** The lines that say how to collect from the bucket the emulator serves. */
function collectLines(endpoint: string, bucket: string, dir: string): string {
  const prefix = trailPrefixFor(dir);
  if (prefix === null)
    return `S3: ${dir} is the bucket ${bucket}, but holds no AWSLogs/ folder: run-md collect lists
the trail's layout (AWSLogs/<account>/CloudTrail/...) only, so point --log-dir at a folder above AWSLogs/.`;
  return `To collect from the bucket ${bucket} (${dir}) into a local store (docs/collect.md):

  export RUN_MD_S3_ENDPOINT=${endpoint}
  npx run-md collect --source s3://${bucket}${prefix === "" ? "" : `/${prefix}`} --store .run-md/store --since 30d`;
}

/**
 * A path as given on the command line, from the folder it was typed in: npm runs the script in
 * the repository's root and names that folder in INIT_CWD (as the nightly job and the site
 * build read it), so `npm run emulator -- --log-dir ../logs` typed in runbooks/ means
 * runbooks/../logs, not a folder beside the repository.
 */
function fromTypedFolder(p: string): string {
  return path.resolve(process.env.INIT_CWD || process.cwd(), p);
}

/** What the command line asks for, checked. */
interface Options {
  dir: string;
  port: number;
  table: string;
  tableDdl?: string;
  bucket: string;
}

/** The options of `argv`, or the exit code after saying what is wrong with them (or the usage). */
function options(argv: string[]): Options | number {
  let values: {
    "log-dir"?: string;
    port?: string;
    table?: string;
    "table-ddl"?: string;
    bucket?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        "log-dir": { type: "string" },
        port: { type: "string" },
        table: { type: "string" },
        "table-ddl": { type: "string" },
        bucket: { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const logDir = values["log-dir"];
  if (!logDir) {
    process.stderr.write(`--log-dir is required\n\n${USAGE}\n`);
    return 2;
  }
  const dir = fromTypedFolder(logDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    process.stderr.write(`--log-dir ${dir} is not a directory\n`);
    return 2;
  }
  const port = values.port === undefined ? 4566 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port ${values.port} is not a port number\n`);
    return 2;
  }
  const bucket = values.bucket ?? "trail";
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    process.stderr.write(
      `--bucket ${bucket} is not an S3 bucket name (3 to 63 of a-z, 0-9, ".", "-")\n`,
    );
    return 2;
  }
  const ddlFile =
    values["table-ddl"] === undefined ? undefined : fromTypedFolder(values["table-ddl"]);
  let tableDdl: string | undefined;
  if (ddlFile !== undefined) {
    try {
      tableDdl = readFileSync(ddlFile, "utf8");
    } catch (e) {
      process.stderr.write(`--table-ddl ${ddlFile} cannot be read: ${(e as Error).message}\n`);
      return 2;
    }
  }
  return {
    dir,
    port,
    table: values.table ?? "security.cloudtrail_org_pp",
    ...(tableDdl === undefined ? {} : { tableDdl }),
    bucket,
  };
}

/** The endpoint and the settings to give run-md, as printed on start. */
function settingsText(endpoint: string, { dir, table, bucket, tableDdl }: Options): string {
  const partitioning = partitioningFor(dir, tableDdl);
  return `run-md AWS emulator listening on ${endpoint}
  Athena (AmazonAthena.*) and CloudWatch Logs (Logs_20140328.*) over ${dir}
  Athena table: ${table} (and cloudtrail_logs), partitioning ${partitioning}${partitioning === "none" ? " (the files are not in the AWSLogs/<account>/CloudTrail/<region>/yyyy/mm/dd/ layout)" : ""}

In another terminal, point run-md at it (the credentials are placeholders; nothing leaves this machine;
every log group name reads these files):

  export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=emulator AWS_SECRET_ACCESS_KEY=emulator
  export RUN_MD_ATHENA_ENDPOINT=${endpoint} RUN_MD_ATHENA_TABLE=${table} RUN_MD_ATHENA_PARTITIONING=${partitioning}
  export RUN_MD_LOGS_ENDPOINT=${endpoint} RUN_MD_LOG_GROUPS=${LOG_GROUP}
  npx run-md runbooks/<runbook>.md --engine aws --since 30d   # Athena and Logs Insights

${collectLines(endpoint, bucket, dir)}

Ctrl-C stops the emulator.
`;
}

export async function main(argv: string[]): Promise<number> {
  const opts = options(argv);
  if (typeof opts === "number") return opts;
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator({
      logDir: opts.dir,
      port: opts.port,
      tableAliases: [opts.table],
      ...(opts.tableDdl === undefined ? {} : { tableDdl: opts.tableDdl }),
      s3Buckets: { [opts.bucket]: opts.dir },
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
    process.stderr.write(
      code === "EADDRINUSE"
        ? `port ${opts.port} is in use: pass --port <another> (or --port 0 for a free one)\n`
        : `could not start the emulator: ${(e as Error).message}\n`,
    );
    return 2;
  }
  process.stdout.write(settingsText(emulator.endpoint, opts));
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  process.stdout.write(`stopping (${emulator.calls.length} calls served)\n`);
  await emulator.close();
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
