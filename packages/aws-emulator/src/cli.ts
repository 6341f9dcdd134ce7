/**
 * `npm run emulator -- --log-dir <dir> [--port N] [--table db.table]`: the local Athena and
 * CloudWatch Logs endpoint over a directory of CloudTrail files, for trying `--engine athena`
 * (and `--engine logs`) without an AWS account. Prints the endpoint and the settings to use.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { startEmulator } from "./server.ts";

const USAGE = `Usage: npm run emulator -- --log-dir <dir> [--port 4566] [--table security.cloudtrail_org_pp]

Serves Amazon Athena (AmazonAthena.*) and CloudWatch Logs (Logs_20140328.*) JSON APIs on
127.0.0.1, answering queries from the CloudTrail files under <dir> with the local engine.

  --log-dir <dir>   CloudTrail files (the AWSLogs/ layout, .json.gz or .json)   (required)
  --port <n>        port to listen on (default 4566; 0 picks a free one)
  --table <name>    the Athena table name run-md will query (default security.cloudtrail_org_pp)
  --help            this text`;

/**
 * `projection` when the directory has the S3 delivery layout (its partition values come from the
 * path), else `none`: files outside that layout have no partition values to filter on.
 */
export function partitioningFor(dir: string): "projection" | "none" {
  const layout = /CloudTrail[\\/][^\\/]+[\\/]\d{4}[\\/]\d{2}[\\/]\d{2}[\\/]/;
  const entries = readdirSync(dir, { recursive: true, encoding: "utf8" });
  return entries.some((e) => layout.test(e)) ? "projection" : "none";
}

/**
 * The log group the printed settings name. The emulator answers every log group from the same
 * files, but run-md sends a Logs Insights step no query without one (logs-config).
 */
export const LOG_GROUP = "aws-cloudtrail-logs";

export async function main(argv: string[]): Promise<number> {
  let values: { "log-dir"?: string; port?: string; table?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        "log-dir": { type: "string" },
        port: { type: "string" },
        table: { type: "string" },
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
  const dir = path.resolve(logDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    process.stderr.write(`--log-dir ${dir} is not a directory\n`);
    return 2;
  }
  const port = values.port === undefined ? 4566 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port ${values.port} is not a port number\n`);
    return 2;
  }
  const table = values.table ?? "security.cloudtrail_org_pp";
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator({ logDir: dir, port, tableAliases: [table] });
  } catch (e) {
    const code = (e as { code?: string }).code;
    process.stderr.write(
      code === "EADDRINUSE"
        ? `port ${port} is in use: pass --port <another> (or --port 0 for a free one)\n`
        : `could not start the emulator: ${(e as Error).message}\n`,
    );
    return 2;
  }
  const { endpoint } = emulator;
  const partitioning = partitioningFor(dir);
  process.stdout.write(`run-md AWS emulator listening on ${endpoint}
  Athena (AmazonAthena.*) and CloudWatch Logs (Logs_20140328.*) over ${dir}
  Athena table: ${table} (and cloudtrail_logs), partitioning ${partitioning}${partitioning === "none" ? " (the files are not in the AWSLogs/<account>/CloudTrail/<region>/yyyy/mm/dd/ layout)" : ""}

In another terminal, point run-md at it (the credentials are placeholders; nothing leaves this machine;
every log group name reads these files):

  export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=emulator AWS_SECRET_ACCESS_KEY=emulator
  export RUN_MD_ATHENA_ENDPOINT=${endpoint} RUN_MD_ATHENA_TABLE=${table} RUN_MD_ATHENA_PARTITIONING=${partitioning}
  export RUN_MD_LOGS_ENDPOINT=${endpoint} RUN_MD_LOG_GROUPS=${LOG_GROUP}
  npx run-md runbooks/<runbook>.md --engine aws --since 30d   # Athena and Logs Insights

Ctrl-C stops the emulator.
`);
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
