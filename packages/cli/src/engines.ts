import { existsSync } from "node:fs";
import path from "node:path";
import {
  chooseEngine,
  displayPath,
  type Engine,
  engineChoices,
  engineInfo,
  plainHttpWarning,
  type Runbook,
  RunMdError,
  type RunReport,
} from "@run-md/core";
import type { LocalEngineOptions } from "@run-md/engine-local";
import { chooseProfile, chooseProfileSource, chooseRegion, missingProfile } from "./aws-profile.ts";
import { type Config, resolveLogDir, tableConfig } from "./config.ts";
import { engineDescriptor } from "./engine-registry.ts";

/**
 * `unknown engine "x"` with the choices, for `--engine` (run, trigger): an engine of core's
 * registry, or an alias such as `aws` (Athena for SQL, CloudWatch Logs for Insights).
 */
export function checkEngineChoice(engine: string | undefined): void {
  if (engine !== undefined && !engineChoices().includes(engine)) {
    throw new RunMdError("unknown-engine", `unknown engine "${engine}"`, {
      hint: `Engines: ${engineChoices().join(", ")}.`,
    });
  }
}

/** The AWS services of the AWS engines, as their warnings and errors name them. */
const AWS_SERVICE_NAMES: Record<string, string> = { athena: "Athena", logs: "CloudWatch Logs" };

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
  /**
   * The Athena engine's run-wide scan budget, in bytes: `--max-scan` or the configuration's
   * `maxScan`, as run-settings' `maxScanBytes` reads them (checked before anything runs).
   */
  maxScanBytes?: number;
  /**
   * The engines serve many queries over time (`run-md serve`): the local engine keeps the days
   * it reads again (record-cache.ts) unless `local.cacheLimit` says otherwise. A one-off command
   * reads each day once or twice, which loading would only slow down: its engine keeps nothing
   * unless `local.cacheLimit` is set.
   */
  longLived?: boolean;
}

/**
 * The pool's flags from a command's `--log-dir`, `--region` and `--profile` (`SOURCE_OPTIONS`)
 * and its scan budget, if it has one.
 */
export function engineFlags(
  values: {
    "log-dir"?: string | undefined;
    region?: string | undefined;
    profile?: string | undefined;
  },
  maxScanBytes?: number,
): EngineFlags {
  return {
    ...(values["log-dir"] === undefined ? {} : { logDir: resolveLogDir(values["log-dir"]) }),
    ...(values.region === undefined ? {} : { region: values.region }),
    ...(values.profile === undefined ? {} : { profile: values.profile }),
    ...(maxScanBytes === undefined ? {} : { maxScanBytes }),
  };
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

  /** `preflight` for the engines these runbooks' steps (or the one `--step`) will run on. */
  async preflightFor(
    runbooks: Runbook[],
    engine: string | undefined,
    step?: string,
  ): Promise<void> {
    const names = new Set<string>();
    for (const runbook of runbooks) {
      for (const s of runbook.steps) {
        if (step === undefined || s.id === step)
          names.add(chooseEngine(s, engine, this.config.engines));
      }
    }
    await this.preflight([...names]);
  }

  /**
   * Before the first step: what the engines the run uses need, checked once (exit 2 before any
   * query rather than the same error in every step). A run that would read the bundled sample
   * data on the local engine while other steps read AWS is refused: its findings would mix fake
   * incidents with real ones. `mixedHint` says what to do instead where --engine aws is not
   * the way out (compare runs both sides by design).
   */
  async preflight(names: readonly string[], mixedHint?: string): Promise<void> {
    const aws = names.filter((n) => engineInfo(n)?.aws === true);
    if (aws.length > 0 && names.includes("local") && this.readsSample()) {
      throw new RunMdError(
        "mixed-sample",
        `this run would read the bundled sample data (local.logDir: sample) for its local steps and AWS (${aws.join(", ")}) for the others`,
        {
          hint:
            mixedHint ??
            "Run every step on AWS (--engine aws, with athena and logs.logGroups configured), or point local.logDir (or --log-dir) at your CloudTrail files.",
        },
      );
    }
    for (const name of names) {
      if (name === "local") {
        this.checkLogDir();
        checkExtraFiles(this.config);
      }
      if (engineInfo(name)?.aws === true) {
        const { profile, source } = chooseProfileSource(
          this.flags.profile,
          this.awsSection(name).profile,
        );
        const error = missingProfile(profile, process.env, source);
        if (error) throw error;
      }
      const engine = await this.get(name);
      await engine.preflight?.();
    }
  }

  /**
   * The report of a run through this pool, marked when its local steps read the bundled sample
   * data (core RunReport.sampleData): published, its planted incidents read as real findings.
   */
  markSampleData(report: RunReport): RunReport {
    if (this.readsSample() && report.steps.some((s) => s.engine === "local"))
      report.sampleData = true;
    return report;
  }

  /** Whether the local engine would read the bundled sample data. */
  private readsSample(): boolean {
    return (
      this.config.local.store === undefined &&
      (this.flags.logDir ?? this.config.local.logDir) === "sample"
    );
  }

  /** A log directory the user set must exist (the sample data is generated when needed). */
  private checkLogDir(): void {
    const dir = this.flags.logDir ?? this.config.local.logDir;
    if (dir === "sample" || existsSync(dir)) return;
    if (this.config.local.store !== undefined && this.flags.logDir === undefined) return;
    throw new RunMdError("bad-log-dir", `log directory ${dir} does not exist`, {
      hint: "Point local.logDir (run-md.config.yaml), RUN_MD_LOG_DIR or --log-dir at a folder of CloudTrail files, or use logDir: sample.",
    });
  }

  /** An AWS engine's configuration section (`athena:`, `logs:`), empty for any other. */
  private awsSection(name: string): { region?: string; profile?: string; endpoint?: string } {
    return name === "athena" || name === "logs" ? this.config[name] : {};
  }

  /** The AWS profile of an engine's section: `--profile`, `AWS_PROFILE`, then the configuration. */
  private profile(name: string): string | undefined {
    return chooseProfile(this.flags.profile, this.awsSection(name).profile);
  }

  /** The region and profile an AWS engine gets (docs/configuration.md, "AWS region and profile"). */
  private awsOptions(name: string): { region?: string; profile?: string } {
    const profile = this.profile(name);
    const region = chooseRegion(this.flags.region, this.awsSection(name).region, profile);
    return {
      ...(region === undefined ? {} : { region }),
      ...(profile === undefined ? {} : { profile }),
    };
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
    const target = sampleDir(this.config);
    const sample = await ensureSampleData(target).catch((e: NodeJS.ErrnoException) => {
      throw sampleDataError(target, e);
    });
    if (sample.generated) {
      process.stderr.write(
        `run-md: generated the sample data (${sample.start.toISOString()} to ${sample.end.toISOString()}) in ${displayPath(sample.dir)}\n`,
      );
    }
    return sample.dir;
  }

  private async create(name: string): Promise<Engine> {
    const descriptor = engineDescriptor(name);
    if (descriptor === undefined) {
      throw new RunMdError("unknown-engine", `unknown engine "${name}"`, {
        hint: `Engines: ${engineChoices().join(", ")}.`,
      });
    }
    if (descriptor.aws) {
      const endpoint = this.awsSection(name).endpoint;
      warnPlainHttp(endpoint, name, AWS_SERVICE_NAMES[name] ?? name);
    }
    return descriptor.create((await this.options(name)) as never);
  }

  /** The options an engine is created with, from the configuration and the flags. */
  private async options(name: string): Promise<unknown> {
    const { config } = this;
    switch (name) {
      case "local":
        return this.localOptions();
      case "athena":
        return {
          ...config.athena,
          tables: tableConfig(config),
          ...this.awsOptions(name),
          ...(this.flags.maxScanBytes === undefined
            ? {}
            : { maxScanBytes: this.flags.maxScanBytes }),
        };
      case "logs":
        return { ...config.logs, logGroups: config.logs.logGroups ?? [], ...this.awsOptions(name) };
      default:
        return engineInfo(name)?.aws ? this.awsOptions(name) : {};
    }
  }

  private async localOptions(): Promise<LocalEngineOptions> {
    const { config, flags } = this;
    const store = config.local.store;
    // With a store, the sample data is no fallback: only a log directory the user set is.
    const fallback = store === undefined || (flags.logDir ?? config.local.logDir) !== "sample";
    const logDir = fallback ? await this.localLogDir() : undefined;
    const tables = tableConfig(config);
    const cacheLimit = config.local.cacheLimit ?? (flags.longLived ? undefined : "0");
    // A server's engine in a process of its own (isolated.ts), unless configured otherwise.
    const processMemoryLimit =
      config.local.processMemoryLimit ?? (flags.longLived ? "auto" : undefined);
    return {
      ...(logDir === undefined ? {} : { logDir }),
      ...(store === undefined ? {} : { store }),
      tableAliases: tables.aliases,
      extraTables: tables.extra,
      ...(config.local.threads === undefined ? {} : { threads: config.local.threads }),
      ...(config.local.memoryLimit === undefined ? {} : { memoryLimit: config.local.memoryLimit }),
      ...(config.local.spillLimit === undefined ? {} : { spillLimit: config.local.spillLimit }),
      // Long-lived: the engine's own default (DEFAULT_CACHE_LIMIT of record-cache.ts).
      ...(cacheLimit === undefined ? {} : { cacheLimit }),
      ...(processMemoryLimit === undefined ? {} : { processMemoryLimit }),
    };
  }
}

/**
 * The sample data could not be generated (its folder not writable: a container's app folder
 * owned by root, a read-only file system): a setup error of the log directory, with the way out,
 * so `run` and `trigger` report it (errored reports) instead of crashing with EACCES.
 */
function sampleDataError(dir: string, e: NodeJS.ErrnoException): unknown {
  if (typeof e?.code !== "string" || !e.code.startsWith("E")) return e;
  return new RunMdError(
    "bad-log-dir",
    `the sample data (local.logDir: sample) cannot be generated in ${displayPath(dir)}: ${e.message}`,
    {
      hint: "Set RUN_MD_SAMPLE_DIR to a folder this user may write (e.g. /tmp/run-md/sample-data), or point local.logDir (or RUN_MD_LOG_DIR) at your CloudTrail files.",
      cause: e,
    },
  );
}

function warnPlainHttp(endpoint: string | undefined, section: string, name: string): void {
  const w = plainHttpWarning(endpoint, { code: section, name, configSection: section });
  if (w) process.stderr.write(`warning ${w}\n`);
}

/**
 * The local engine's extra tables read files: one that is not there is the configuration's
 * error, named once before the first step (not a sandbox refusal in every step).
 */
function checkExtraFiles(config: Config): void {
  for (const t of config.tables.extra) {
    if (t.file === undefined || existsSync(t.file)) continue;
    throw new RunMdError(
      "bad-config",
      `${t.declaredAt ?? config.source} tables.extra.${t.name}.file: ${t.file} does not exist`,
      {
        hint: "Point the file at the table's CSV, JSON or Parquet file (relative to the configuration's folder), or remove the table.",
      },
    );
  }
}
