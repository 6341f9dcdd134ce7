/**
 * `run-md serve`: the access proxy (docs/serve.md). Wires `@run-md/server` with the
 * configuration and this CLI's engine pool, so served runs use exactly what `run-md run` uses.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { parseAccessConfig } from "@run-md/access";
import { displayPath, isRunMdError, RunMdError } from "@run-md/core";
import { parseNotifyConfig } from "@run-md/notify";
import { startServer } from "@run-md/server";
import { configuredRunbooksDir, parseCommandArgs, SOURCE_OPTIONS } from "../args.ts";
import { loadConfig, tableConfig } from "../config.ts";
import { EnginePool, engineFlags } from "../engines.ts";
import { docRefs, version } from "../package-files.ts";
import { defaultTimeoutMs, maxScanBytes as maxScanBytesOf } from "../run-settings.ts";
import { serverConfigOf } from "./access-files.ts";

export const SERVE_USAGE = `Usage: run-md serve [runbooks...] [options]

Serves the site and the API (docs/serve.md): people sign in, see the runbooks the access rules
let them see, run them with the server's credentials and follow the results live; every action
is written to the audit log. Runbooks: the given files or folders (default: runbooksDir of the
configuration, runbooks/ beside it).

Options:
  --host <address>     address to bind (default server.host, 127.0.0.1)
  --port <port>        port (default server.port, 4600; 0 picks a free one)
  --config <file>      configuration file (default: RUN_MD_CONFIG, else
                       run-md.config.yaml here or in the nearest folder above)
  --log-dir <dir>      local engine: directory of CloudTrail files
  --region <region>    AWS region (Athena, CloudWatch Logs)
  --profile <name>     AWS shared-config profile
  -h, --help           this help
`;

function usage(message: string): never {
  throw new RunMdError("usage", message);
}

function portOf(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) usage(`--port "${text}" is not a port (0 to 65535)`);
  return n;
}

const SERVE_OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  ...SOURCE_OPTIONS,
} as const;

export async function serveCommand(argv: string[]): Promise<number> {
  // The options every command's way: a mistyped one named with what it looks like, one given
  // twice refused (node's parser alone said neither).
  const parsed = parseCommandArgs(argv, "run-md serve", SERVE_USAGE, SERVE_OPTIONS);
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  try {
    return await serve(values, positionals);
  } catch (e) {
    if (!isRunMdError(e)) throw e;
    process.stderr.write(`error ${e.message}\n${e.hint ? `hint: ${docRefs(e.hint)}\n` : ""}`);
    return 2;
  }
}

interface ServeFlags {
  host?: string;
  port?: string;
  config?: string;
  "log-dir"?: string;
  region?: string;
  profile?: string;
}

async function serve(values: ServeFlags, positionals: string[]): Promise<number> {
  const config = loadConfig(values.config);
  const server = serverConfigOf(config);
  if (values.host !== undefined) server.host = values.host;
  if (values.port !== undefined) server.port = portOf(values.port);
  const access = parseAccessConfig(config.access, config.located);
  const timeoutMs = defaultTimeoutMs(undefined, config);
  const maxScanBytes = maxScanBytesOf(undefined, config);
  const pool = new EnginePool(config, { ...engineFlags(values, maxScanBytes), longLived: true });
  // Approval requests (spec §6) go to the notify: section's webhook targets.
  const notify =
    config.notify === undefined ? undefined : parseNotifyConfig(config.notify, config.located);
  // Every section's mistake first, then the runbooks folder (its own mistake, or none made).
  if (positionals.length === 0) configuredRunbooksDir(config);
  const webhooks = (notify?.targets ?? []).flatMap((t) =>
    t.type === "webhook" ? [{ url: t.url, secret: t.secret }] : [],
  );
  const { unparsedQueries } = await import("../lint.ts");
  const tables = tableConfig(config);
  const running = await startServer({
    config: server,
    access,
    queryProblems: (rb) => unparsedQueries(rb.path, rb.steps, { tables, params: rb.meta.params }),
    governance: { webhooks, ...(notify === undefined ? {} : { notifyRetry: notify.retry }) },
    // The configured folder as typed from here: reports name runbooks/x.md, as run does.
    runbooks: positionals.length > 0 ? positionals : [displayPath(config.runbooksDir)],
    run: {
      getEngine: (name) => pool.get(name),
      finishReport: (report) => pool.markSampleData(report),
      reportsDir: config.reportsDir,
      toolVersion: version(),
      configEngines: config.engines,
      configParams: config.params,
      defaultTimeoutMs: timeoutMs,
      ...(maxScanBytes === undefined ? {} : { maxScanBytes }),
      mask: config.mask,
    },
  });
  if (!existsSync(path.join(server.siteDir, "index.html"))) {
    process.stderr.write(
      `warning: no built site in ${displayPath(server.siteDir)}: only the API is served (build the site, npm run build in the run-md repository, or set server.siteDir)\n`,
    );
  }
  process.stdout.write(
    `run-md serve: listening on ${running.url} (auth ${server.auth.mode}${running.interrupted ? `, ${running.interrupted} interrupted run(s) recovered` : ""})\n`,
  );
  // Stopping leaves runs in progress to the next start, which marks them interrupted.
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await running.close();
  await pool.closeAll();
  return 0;
}
