import path from "node:path";
import { type Engine, plainHttpWarning, RunMdError } from "@run-md/core";
import { type Config, tableConfig } from "./config.ts";

export const ENGINE_NAMES = ["local", "athena", "logs"] as const;

/**
 * Where `logDir: sample` points: `.run-md/sample-data` beside the configuration file (the
 * project's root), or in the current folder without one. Generated on demand, never committed.
 */
export function sampleDir(config: Config): string {
  if (process.env.RUN_MD_SAMPLE_DIR) return path.resolve(process.env.RUN_MD_SAMPLE_DIR);
  const root = config.source === "defaults" ? process.cwd() : path.dirname(config.source);
  return path.join(root, ".run-md", "sample-data");
}

export interface EngineFlags {
  logDir?: string;
  region?: string;
  profile?: string;
}

/**
 * Opens engines lazily, once per process, and closes them all at the end. Each engine's module
 * is imported only when a step needs it, so a local run never loads the AWS SDK.
 */
export class EnginePool {
  private readonly open = new Map<string, Promise<Engine>>();
  constructor(
    private readonly config: Config,
    private readonly flags: EngineFlags,
  ) {}

  get(name: string): Promise<Engine> {
    let p = this.open.get(name);
    if (!p) {
      p = this.create(name);
      this.open.set(name, p);
    }
    return p;
  }

  async closeAll(): Promise<void> {
    const engines = await Promise.allSettled(this.open.values());
    await Promise.allSettled(
      engines.map((e) => (e.status === "fulfilled" ? e.value.close() : undefined)),
    );
    this.open.clear();
  }

  /** The local log directory, after `sample` has been resolved (and generated if stale). */
  async localLogDir(): Promise<string> {
    const dir = this.flags.logDir ?? this.config.local.logDir;
    if (dir !== "sample") return path.resolve(dir);
    const { ensureSampleData } = await import("@run-md/generator");
    const sample = await ensureSampleData(sampleDir(this.config));
    if (sample.generated) {
      process.stderr.write(
        `run-md: generated the sample data (${sample.start.toISOString()} to ${sample.end.toISOString()}) in ${displayPath(sample.dir)}\n`,
      );
    }
    return sample.dir;
  }

  private async create(name: string): Promise<Engine> {
    const { config, flags } = this;
    switch (name) {
      case "local": {
        const { createLocalEngine } = await import("@run-md/engine-local");
        const store = config.local.store;
        // With a store, the sample data is no fallback: only a log directory the user set is.
        const fallback = store === undefined || (flags.logDir ?? config.local.logDir) !== "sample";
        const logDir = fallback ? await this.localLogDir() : undefined;
        const tables = tableConfig(config);
        return createLocalEngine({
          ...(logDir === undefined ? {} : { logDir }),
          ...(store === undefined ? {} : { store }),
          tableAliases: tables.aliases,
          extraTables: tables.extra,
          ...(config.local.threads === undefined ? {} : { threads: config.local.threads }),
          ...(config.local.memoryLimit === undefined
            ? {}
            : { memoryLimit: config.local.memoryLimit }),
        });
      }
      case "athena": {
        warnPlainHttp(config.athena.endpoint, "athena", "Athena");
        const { createAthenaEngine } = await import("@run-md/engine-athena");
        return createAthenaEngine({
          ...config.athena,
          tables: tableConfig(config),
          ...(flags.region === undefined ? {} : { region: flags.region }),
          ...(flags.profile === undefined ? {} : { profile: flags.profile }),
        });
      }
      case "logs": {
        warnPlainHttp(config.logs.endpoint, "logs", "CloudWatch Logs");
        const { createLogsEngine } = await import("@run-md/engine-logs");
        return createLogsEngine({
          ...config.logs,
          logGroups: config.logs.logGroups ?? [],
          ...(flags.region === undefined ? {} : { region: flags.region }),
          ...(flags.profile === undefined ? {} : { profile: flags.profile }),
        });
      }
      default:
        throw new RunMdError("unknown-engine", `unknown engine "${name}"`, {
          hint: `Engines: ${ENGINE_NAMES.join(", ")}.`,
        });
    }
  }
}

function warnPlainHttp(endpoint: string | undefined, section: string, name: string): void {
  const w = plainHttpWarning(endpoint, { code: section, name, configSection: section });
  if (w) process.stderr.write(`warning ${w}\n`);
}

/** A path as a person would type it: relative below the current directory, else absolute. */
function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === "" || rel.startsWith("..") || path.isAbsolute(rel) ? p : rel;
}
