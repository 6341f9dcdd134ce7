import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  type ConfigFieldType,
  type ConfigSource,
  type Dialect,
  didYouMean,
  engineInfo,
  engineNames,
  isHttpUrl,
  logGroupProblem,
  type MaskOptions,
  parseBytes,
  parseTimeout,
  RunMdError,
  WEEKDAYS,
  type Weekday,
} from "@run-md/core";
import type { AthenaEngineOptions } from "@run-md/engine-athena";
import { threadsFromEnv } from "@run-md/engine-local/descriptor";
import type { LogsEngineOptions } from "@run-md/engine-logs";
import type { ExtraTable, TableConfig } from "@run-md/sql";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import { engineDescriptors } from "./engine-registry.ts";

/** The configuration file's name (else `--config FILE`, or `RUN_MD_CONFIG`). */
export const CONFIG_FILE = "run-md.config.yaml";

export interface LocalConfig {
  /** Directory of CloudTrail files; `sample` means the bundled sample data. */
  logDir: string;
  /**
   * A store written by `run-md collect`, read for the days it covers; `logDir` (unless `sample`)
   * then answers only the days the store lacks (docs/collect.md).
   */
  store?: string;
  threads?: number;
  memoryLimit?: string;
  spillLimit?: string;
  /** Memory for the session's parsed records (the local engine's `cacheLimit`). */
  cacheLimit?: string;
  /**
   * The engine in a child process killed past this size (a size, `auto` or `none`; default
   * `auto` for `run-md serve`, `none` otherwise): engine-local's isolated.ts.
   */
  processMemoryLimit?: string;
}

/** The Athena engine's options that configuration may set (credentials never among them). */
export type AthenaConfig = Omit<
  AthenaEngineOptions,
  "clientConfig" | "maxAttempts" | "tables" | "uncheckedDuckdbSql" | "maxScanBytes"
>;

/** The CloudWatch Logs engine's options that configuration may set. */
export type LogsConfig = Partial<
  Omit<LogsEngineOptions, "clientConfig" | "credentials" | "maxAttempts">
>;

export interface Config {
  /** Where the config came from (a path, or `defaults`). */
  source: string;
  /** The same, placing a key path at its line, for the readers of `access:`, `server:`, `notify:`. */
  located: ConfigSource;
  reportsDir: string;
  /** Where runbooks are looked up by id (`run-md audit-iam`) and completed (default runbooks/). */
  runbooksDir: string;
  engines: { sql?: string; "logs-insights"?: string };
  local: LocalConfig;
  athena: AthenaConfig;
  logs: LogsConfig;
  /** Parameter values per runbook id. */
  params: Record<string, Record<string, unknown>>;
  /** What masking hides besides secrets: `accessKeyIds: hide` for widely published outputs. */
  mask: MaskOptions;
  /** Default step timeout, as written (`10m`). */
  timeout?: string;
  maxScan?: string;
  /** Aliases of cloudtrail_logs and extra tables a sql step may read (spec section 4). */
  tables: TableConfig;
  /** Where the site is published (`site.url`): the CLI prints each run's page there. */
  site: { url?: string };
  /** The nightly job: the day `schedule: weekly` runbooks run on (UTC, default monday). */
  nightly: { weeklyDay: Weekday };
  /** The `notify:` section, as written; `@run-md/notify` validates it (docs/automation.md). */
  notify?: Record<string, unknown>;
  /** The `server:` section, as written; `@run-md/server` validates it (docs/serve.md). */
  server?: Record<string, unknown>;
  /** The `access:` section, as written; `@run-md/access` validates it (docs/serve.md). */
  access?: Record<string, unknown>;
}

const PARTITIONING: readonly string[] = ["manual", "projection", "bootstrap", "none"];
const ACCESS_KEY_IDS: readonly string[] = ["show", "hide"];
/**
 * The shortest delay between two polls of an AWS query, in ms: below it a poll loop sends tens of
 * requests a second (pollMinMs: 0 sent 87) for no earlier answer.
 */
export const MIN_POLL_MS = 50;
const POLL_KEYS = [
  "athena.pollMinMs",
  "athena.pollMaxMs",
  "logs.pollIntervalMs",
  "logs.maxPollIntervalMs",
];

type FieldType = ConfigFieldType;
/** The keys of the configuration besides the engines' sections (`configSchema` adds those). */
const SCHEMA: Record<string, FieldType | Record<string, FieldType>> = {
  reportsDir: "string",
  runbooksDir: "string",
  timeout: "string",
  maxScan: "string",
  engines: { sql: "string", "logs-insights": "string" },
  params: "map",
  mask: { accessKeyIds: "string" },
  tables: { aliases: "string[]", extra: "map" },
  site: { url: "string" },
  nightly: { weeklyDay: "string" },
  notify: "map",
  server: "map",
  access: "map",
};

/** Every key of the configuration: SCHEMA and each engine's section (its descriptor's `config`). */
function configSchema(): Record<string, FieldType | Record<string, FieldType>> {
  return { ...SCHEMA, ...Object.fromEntries(engineDescriptors().map((d) => [d.name, d.config])) };
}

function defaults(): Config {
  return {
    source: "defaults",
    located: "defaults",
    reportsDir: "reports",
    runbooksDir: "runbooks",
    engines: {},
    local: { logDir: "sample" },
    athena: {},
    logs: {},
    params: {},
    mask: {},
    tables: { aliases: [], extra: [] },
    site: {},
    nightly: { weeklyDay: "monday" },
  };
}

function typeOk(t: FieldType, v: unknown): boolean {
  switch (t) {
    case "string":
      return typeof v === "string";
    case "number":
      return typeof v === "number";
    case "string[]":
      return Array.isArray(v) && v.every((x) => typeof x === "string");
    case "map":
      return v !== null && typeof v === "object" && !Array.isArray(v);
  }
}

/**
 * The configuration file that applies in `cwd`: `run-md.config.yaml` in it or in the nearest
 * folder above it (as git, npm and linters find theirs), so a command run from `runbooks/` uses
 * the repository's configuration. Undefined when there is none up to the filesystem root; a
 * `run-md.config.yml` where the search would take the file is an error naming it.
 */
export function findConfigFile(cwd: string): string | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    const candidate = path.join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    // The .yml spelling, passed over, left the defaults: the bundled sample data answered a
    // query meant for the logs it names, with no word but "generated the sample data".
    const yml = candidate.replace(/\.yaml$/, ".yml");
    if (existsSync(yml)) {
      throw new RunMdError("bad-config", `${yml} is not read: run-md reads ${CONFIG_FILE}`, {
        hint: `Rename it to ${CONFIG_FILE} (or name it with --config or RUN_MD_CONFIG).`,
      });
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Reads and validates the configuration file (given, or found by `findConfigFile`); relative
 * paths in it are relative to the file. Problems name the file, line and key.
 */
export function loadConfig(file: string | undefined, cwd = process.cwd()): Config {
  const explicit = file ?? process.env.RUN_MD_CONFIG;
  const target = explicit ?? findConfigFile(cwd);
  if (target === undefined || !existsSync(target)) {
    if (explicit !== undefined) {
      throw new RunMdError("bad-config", `configuration file ${explicit} does not exist`);
    }
    return applyEnv(defaults());
  }
  const yaml = new ConfigYaml(target, readFileSync(target, "utf8"));
  checkSchema(yaml);
  checkEngineNames(yaml);
  const merged = mergeConfig(defaults(), yaml.data, target);
  checkValues(merged, yaml);
  resolvePaths(merged, yaml, path.dirname(target));
  merged.located = { file: target, at: (keyPath: string) => yaml.locate(keyPath) };
  return applyEnv(merged);
}

const ENDPOINT_EXAMPLE = "http://127.0.0.1:4566";
const SITE_EXAMPLE = "https://org.github.io/run-md";

/** The settings that hold an http(s) address, with an example of one for their messages. */
const ADDRESSES = [
  { section: "site", key: "url", example: SITE_EXAMPLE },
  { section: "athena", key: "endpoint", example: ENDPOINT_EXAMPLE },
  { section: "logs", key: "endpoint", example: ENDPOINT_EXAMPLE },
] as const;

/**
 * The addresses, `athena.partitioning` and the log groups, at their lines: an endpoint without
 * its scheme (the emulator's `127.0.0.1:4566`) failed every step with the SDK's "Invalid URL" and
 * a hint about the workgroup, and a partitioning the file misspelt was named without its file.
 */
function checkValues(cfg: Config, yaml: ConfigYaml): void {
  for (const { section, key, example } of ADDRESSES) {
    const value = (cfg[section] as Record<string, unknown>)[key];
    if (typeof value === "string" && !isHttpUrl(value)) {
      yaml.fail(
        yaml.valueNode([section, key]),
        `"${section}.${key}" must be an http(s) address such as ${example}`,
      );
    }
  }
  const partitioning = cfg.athena.partitioning;
  if (partitioning !== undefined && !PARTITIONING.includes(partitioning)) {
    yaml.fail(
      yaml.valueNode(["athena", "partitioning"]),
      `"athena.partitioning" is "${partitioning}", not one of ${PARTITIONING.join(", ")}`,
    );
  }
  cfg.logs.logGroups?.forEach((group, i) => {
    const problem = logGroupProblem(group);
    if (problem !== undefined)
      yaml.fail(
        yaml.valueNode(["logs", "logGroups", String(i)]),
        `"logs.logGroups" entry ${JSON.stringify(group)} ${problem}`,
      );
  });
}

/** An address from the environment: an http(s) one, or an error naming the variable. */
function httpUrlFromEnv(name: string, value: string, example = ENDPOINT_EXAMPLE): string {
  if (!isHttpUrl(value)) {
    throw new RunMdError(
      "bad-config",
      `${name} "${value}" is not an http(s) address such as ${example}`,
    );
  }
  return value;
}

/** The parsed configuration file: its data, and the file:line:column of any key or value. */
class ConfigYaml {
  readonly data: Record<string, unknown>;
  private readonly lc = new LineCounter();
  private readonly doc: ReturnType<typeof parseDocument>;

  constructor(
    private readonly file: string,
    text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lc, prettyErrors: false });
    if (this.doc.errors.length > 0) {
      const e = this.doc.errors[0]!;
      const p = this.lc.linePos(e.pos[0]);
      throw new RunMdError("bad-config", `${file}:${p.line}:${p.col} ${e.message.split("\n")[0]}`);
    }
    const root = this.doc.contents;
    if (root !== null && !isMap(root)) {
      throw new RunMdError(
        "bad-config",
        `${this.where(root as YamlNode)} the configuration must be a mapping`,
      );
    }
    try {
      // The yaml library refuses documents whose aliases expand too far (a "billion laughs").
      this.data = (this.doc.toJS() ?? {}) as Record<string, unknown>;
    } catch (e) {
      throw new RunMdError("bad-config", `${file}: ${(e as Error).message}`, {
        hint: "Write the values out instead of repeating anchors (&name) and aliases (*name).",
      });
    }
  }

  where(node: YamlNode | null | undefined): string {
    const p = this.lc.linePos(node?.range?.[0] ?? 0);
    return `${this.file}:${p.line}:${p.col}`;
  }

  /**
   * `file:line:col` of a key path as the section readers write it (`access.rules[0].allow[1]`):
   * the item or key it names, or the nearest one written above it.
   */
  locate(keyPath: string): string {
    const parts = keyPath
      .split(/\.|(?=\[)/)
      .map((p) => (/^\[\d+\]$/.test(p) ? Number(p.slice(1, -1)) : p));
    let node: unknown = this.doc.contents;
    let found: YamlNode | undefined;
    for (const part of parts) {
      if (typeof part === "number" && isSeq(node) && node.items[part] !== undefined) {
        node = node.items[part];
        found = node as YamlNode;
      } else if (typeof part === "string" && isMap(node)) {
        const pair = node.items.find((it) => isScalar(it.key) && it.key.value === part);
        if (!pair) break;
        found = pair.key as YamlNode;
        node = pair.value;
      } else break;
    }
    return found === undefined ? this.file : this.where(found);
  }

  /** The node of a key (not its value), so messages point at the name the author typed. */
  keyNode(keyPath: string[]): YamlNode | undefined {
    let map: unknown = this.doc.contents;
    let found: YamlNode | undefined;
    for (const k of keyPath) {
      if (!isMap(map)) return found;
      const pair = map.items.find((it) => isScalar(it.key) && it.key.value === k);
      if (!pair) return found;
      found = pair.key as YamlNode;
      map = pair.value;
    }
    return found;
  }

  valueNode(keyPath: string[]): YamlNode | undefined {
    return this.doc.getIn(keyPath, true) as YamlNode | undefined;
  }

  fail(node: YamlNode | undefined, msg: string): never {
    throw new RunMdError("bad-config", `${this.where(node)} ${msg}`, {
      hint: `See docs/configuration.md for the keys of ${CONFIG_FILE}.`,
    });
  }
}

/** Checks every key and value against the schema (SCHEMA and each engine's section). */
function checkSchema(yaml: ConfigYaml): void {
  const schema = configSchema();
  for (const [key, value] of Object.entries(yaml.data)) {
    const spec = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (spec === undefined)
      yaml.fail(
        yaml.keyNode([key]),
        `unknown configuration key "${key}"${didYouMean(key, Object.keys(schema))}`,
      );
    if (typeof spec === "string") {
      const problem = !typeOk(spec, value)
        ? `"${key}" must be a ${spec}`
        : topValueProblem(key, value);
      if (problem !== undefined) yaml.fail(yaml.valueNode([key]), problem);
      continue;
    }
    if (!typeOk("map", value)) yaml.fail(yaml.valueNode([key]), `"${key}" must be a mapping`);
    for (const [sub, v] of Object.entries(value as Record<string, unknown>)) {
      const t = Object.hasOwn(spec!, sub) ? spec![sub] : undefined;
      if (t === undefined)
        yaml.fail(
          yaml.keyNode([key, sub]),
          `unknown key "${sub}" in "${key}"${didYouMean(sub, Object.keys(spec!))}`,
        );
      const problem = !typeOk(t!, v) ? `"${key}.${sub}" must be a ${t}` : valueProblem(key, sub, v);
      if (problem !== undefined) yaml.fail(yaml.valueNode([key, sub]), problem);
    }
  }
}

/**
 * `engines.<dialect>` names an engine that runs that dialect (spec section 2): an unknown engine, or
 * one that cannot run the dialect (`sql: logs`), is refused here, at its line, rather than erroring
 * every step of that dialect at run time (after asking for the wrong engine's AWS credentials).
 */
function checkEngineNames(yaml: ConfigYaml): void {
  const engines = (yaml.data.engines ?? {}) as Record<string, string>;
  for (const [dialect, name] of Object.entries(engines)) {
    const runs = engineNames().filter((n) => engineInfo(n)?.dialects.includes(dialect as Dialect));
    const node = yaml.valueNode(["engines", dialect]);
    const info = engineInfo(name);
    if (info === undefined) {
      yaml.fail(
        node,
        `unknown engine "${name}" for ${dialect}: expected ${runs.join(" or ")}${didYouMean(name, runs)}`,
      );
    }
    if (!info.dialects.includes(dialect as Dialect)) {
      yaml.fail(node, `engine "${name}" does not run ${dialect} steps (${runs.join(" | ")})`);
    }
  }
}

/** `timeout` and `maxScan`, read where they are written (a typo named at its line). */
function topValueProblem(key: string, v: unknown): string | undefined {
  if (key === "timeout" && parseTimeout(v as string) === undefined)
    return `"timeout" must be a duration such as 30s, 5m or 1h, at most 24h`;
  if (key === "maxScan" && parseBytes(v as string) === undefined)
    return `"maxScan" must be a size such as 500MB, 10GB or 1TB`;
  return undefined;
}

/** The local engine's limits, as DuckDB would refuse them (with no line) at the first step. */
function localValueProblem(sub: string, v: unknown): string | undefined {
  if (sub === "threads" && !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1024))
    return `"local.threads" must be a whole number from 1 to 1024`;
  // DuckDB reads these two itself (`4G`, `4gigabytes`, `none`); cacheLimit is run-md's.
  if ((sub === "memoryLimit" || sub === "spillLimit") && !DUCKDB_SIZE.test(v as string))
    return `"local.${sub}" must be a size such as 512MiB or 4GB (or none)`;
  const off = /^\s*(0|off)\s*$/i.test(v as string);
  if (sub === "cacheLimit" && !off && parseBytes(v as string) === undefined)
    return `"local.cacheLimit" must be a size such as 512MiB or 4GB (or 0)`;
  const word = /^\s*(auto|none|off)\s*$/i.test(v as string);
  if (sub === "processMemoryLimit" && !word && parseBytes(v as string) === undefined)
    return `"local.processMemoryLimit" must be a size such as 8GiB, auto or none`;
  return undefined;
}

/** A size DuckDB's `memory_limit` and `max_temp_directory_size` take (checked against DuckDB). */
const DUCKDB_SIZE =
  /^\s*(none|-1|\d+(\.\d+)?\s*(b|bytes?|[kmgt]i?b?|kilobytes?|megabytes?|gigabytes?|terabytes?))\s*$/i;

/** What is wrong with a well-typed value of `key.sub`, for the keys whose values are limited. */
function valueProblem(key: string, sub: string, v: unknown): string | undefined {
  if (key === "local") return localValueProblem(sub, v);
  if (POLL_KEYS.includes(`${key}.${sub}`) && (v as number) < MIN_POLL_MS) {
    return `"${key}.${sub}" must be at least ${MIN_POLL_MS} (ms)`;
  }
  if (key === "nightly" && !(WEEKDAYS as readonly string[]).includes(v as string)) {
    return `"nightly.${sub}" must be one of ${WEEKDAYS.join(", ")}`;
  }
  if (key === "mask" && !ACCESS_KEY_IDS.includes(v as string)) {
    return `"mask.${sub}" must be one of ${ACCESS_KEY_IDS.join(", ")}`;
  }
  return undefined;
}

/** The defaults overlaid with the file's (already checked) values. */
function mergeConfig(cfg: Config, data: Record<string, unknown>, source: string): Config {
  const d = data as Partial<Config>;
  return {
    ...cfg,
    ...(d.reportsDir === undefined ? {} : { reportsDir: d.reportsDir }),
    ...(d.runbooksDir === undefined ? {} : { runbooksDir: d.runbooksDir }),
    ...(d.timeout === undefined ? {} : { timeout: d.timeout }),
    ...(d.maxScan === undefined ? {} : { maxScan: d.maxScan }),
    source,
    engines: { ...cfg.engines, ...d.engines },
    local: { ...cfg.local, ...d.local },
    athena: { ...d.athena },
    logs: { ...d.logs },
    params: { ...d.params } as Config["params"],
    mask: { ...d.mask },
    tables: {
      aliases: (data.tables as { aliases?: string[] } | undefined)?.aliases ?? [],
      extra: [],
    },
    site: { ...d.site },
    nightly: { ...cfg.nightly, ...d.nightly },
    ...(d.notify === undefined ? {} : { notify: d.notify }),
    ...(d.server === undefined ? {} : { server: d.server }),
    ...(d.access === undefined ? {} : { access: d.access }),
  };
}

/** Reads `tables.extra` and makes the file's relative paths relative to its folder `base`. */
function resolvePaths(merged: Config, yaml: ConfigYaml, base: string): void {
  const extra = (yaml.data.tables as { extra?: Record<string, unknown> } | undefined)?.extra ?? {};
  const cloudtrail = new Set(
    ["cloudtrail_logs", ...merged.tables.aliases, merged.athena.table ?? ""].map((n) =>
      n.toLowerCase(),
    ),
  );
  for (const [name, spec] of Object.entries(extra)) {
    const node = yaml.keyNode(["tables", "extra", name]);
    if (cloudtrail.has(name.toLowerCase()))
      yaml.fail(
        node,
        `extra table "${name}" would replace the CloudTrail table (cloudtrail_logs or one of its aliases), which every step reads scoped to the window`,
      );
    const table = extraTable(name, spec, base, (keys, msg) =>
      yaml.fail(yaml.keyNode(["tables", "extra", name, ...keys]), msg),
    );
    merged.tables.extra.push({ ...table, declaredAt: yaml.where(node) });
  }
  merged.local.logDir = resolveLogDir(merged.local.logDir, base);
  if (merged.local.store !== undefined) merged.local.store = path.resolve(base, merged.local.store);
  merged.reportsDir = path.resolve(base, merged.reportsDir);
  merged.runbooksDir = path.resolve(base, merged.runbooksDir);
}

const EXTRA_KEYS = ["file", "athena", "scope"];

/**
 * One `tables.extra` entry: `{file: data/known-ips.csv, athena: security.known_ips, scope:
 * unscoped}` or `scope: {timeColumn: observed_at}`. `fail` throws with the file:line of the key.
 */
function extraTable(
  name: string,
  spec: unknown,
  base: string,
  fail: (keys: string[], msg: string) => never,
): ExtraTable {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    fail([], `extra table name "${name}" must be a plain name (letters, digits, "_")`);
  }
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    fail([], `"tables.extra.${name}" must be a mapping with file, athena and scope`);
  }
  const m = spec as Record<string, unknown>;
  for (const k of Object.keys(m)) {
    if (!EXTRA_KEYS.includes(k))
      fail([k], `unknown key "${k}" in "tables.extra.${name}" (expected ${EXTRA_KEYS.join(", ")})`);
  }
  for (const k of ["file", "athena"]) {
    if (m[k] !== undefined && typeof m[k] !== "string")
      fail([k], `"tables.extra.${name}.${k}" must be a string`);
  }
  const scope = m.scope;
  let parsed: ExtraTable["scope"];
  if (scope === "unscoped") parsed = { kind: "unscoped" };
  else if (
    scope !== null &&
    typeof scope === "object" &&
    typeof (scope as { timeColumn?: unknown }).timeColumn === "string" &&
    Object.keys(scope).length === 1
  ) {
    parsed = { kind: "time-column", column: (scope as { timeColumn: string }).timeColumn };
  } else if (scope === undefined) {
    fail(
      [],
      `"tables.extra.${name}" needs a scope: unscoped (a reference table read whole) or {timeColumn: <column of ISO-8601 times>} (its rows in the run's window)`,
    );
  } else {
    fail(
      ["scope"],
      `"tables.extra.${name}.scope" must be unscoped or {timeColumn: <column of ISO-8601 times>}`,
    );
  }
  return {
    name: name.toLowerCase(),
    scope: parsed!,
    ...(typeof m.file === "string" ? { file: path.resolve(base, m.file) } : {}),
    ...(typeof m.athena === "string" ? { athenaTable: m.athena } : {}),
  };
}

/** The folder relative paths of the configuration are relative to (the current one without a file). */
export function configDir(cfg: Config): string {
  return cfg.source === "defaults" ? process.cwd() : path.dirname(cfg.source);
}

/** The tables a step may read: the configured ones, and Athena's real table as an alias. */
export function tableConfig(cfg: Config): TableConfig {
  const aliases = [...cfg.tables.aliases];
  if (cfg.athena.table !== undefined) aliases.push(cfg.athena.table);
  return { aliases, extra: cfg.tables.extra };
}

/**
 * A log directory as `local.logDir`, `RUN_MD_LOG_DIR` and `--log-dir` all give it: `sample` (the
 * bundled sample data) as it is, any other folder resolved against `base` (the configuration
 * file's folder for the file, the current folder for the variable and the flag).
 */
export function resolveLogDir(value: string, base = process.cwd()): string {
  return value === "sample" ? value : path.resolve(base, value);
}

/** `RUN_MD_*` environment variables override the file; command-line flags override both. */
function applyEnv(cfg: Config): Config {
  const env = process.env;
  if (env.RUN_MD_REPORTS_DIR) cfg.reportsDir = path.resolve(env.RUN_MD_REPORTS_DIR);
  if (env.RUN_MD_LOG_DIR) cfg.local.logDir = resolveLogDir(env.RUN_MD_LOG_DIR);
  if (env.RUN_MD_STORE) cfg.local.store = path.resolve(env.RUN_MD_STORE);
  if (env.RUN_MD_ATHENA_ENDPOINT)
    cfg.athena.endpoint = httpUrlFromEnv("RUN_MD_ATHENA_ENDPOINT", env.RUN_MD_ATHENA_ENDPOINT);
  if (env.RUN_MD_ATHENA_TABLE) cfg.athena.table = env.RUN_MD_ATHENA_TABLE;
  if (env.RUN_MD_ATHENA_WORKGROUP) cfg.athena.workgroup = env.RUN_MD_ATHENA_WORKGROUP;
  if (env.RUN_MD_ATHENA_DATABASE) cfg.athena.database = env.RUN_MD_ATHENA_DATABASE;
  if (env.RUN_MD_ATHENA_OUTPUT) cfg.athena.outputLocation = env.RUN_MD_ATHENA_OUTPUT;
  const partitioning = env.RUN_MD_ATHENA_PARTITIONING;
  if (partitioning) {
    cfg.athena.partitioning = oneOfEnv(
      "RUN_MD_ATHENA_PARTITIONING",
      partitioning,
      PARTITIONING,
      'manual: region/year/month/day; projection: "timestamp"; bootstrap: date_partition/...; none.',
    ) as AthenaConfig["partitioning"];
  }
  const accessKeyIds = env.RUN_MD_MASK_ACCESS_KEY_IDS;
  if (accessKeyIds) {
    cfg.mask.accessKeyIds = oneOfEnv("RUN_MD_MASK_ACCESS_KEY_IDS", accessKeyIds, ACCESS_KEY_IDS) as
      | "show"
      | "hide";
  }
  if (env.RUN_MD_SITE_URL)
    cfg.site.url = httpUrlFromEnv("RUN_MD_SITE_URL", env.RUN_MD_SITE_URL, SITE_EXAMPLE);
  const threads = threadsFromEnv(env);
  if (threads !== undefined) cfg.local.threads = threads;
  if (env.RUN_MD_LOGS_ENDPOINT)
    cfg.logs.endpoint = httpUrlFromEnv("RUN_MD_LOGS_ENDPOINT", env.RUN_MD_LOGS_ENDPOINT);
  if (env.RUN_MD_LOG_GROUPS) {
    const groups = env.RUN_MD_LOG_GROUPS.split(",").map((s) => s.trim());
    for (const group of groups) {
      const problem = logGroupProblem(group);
      if (problem !== undefined)
        throw new RunMdError(
          "bad-config",
          `RUN_MD_LOG_GROUPS "${env.RUN_MD_LOG_GROUPS}" names ${JSON.stringify(group)}, which ${problem}`,
          { hint: "Give log group names or ARNs separated by commas." },
        );
    }
    cfg.logs.logGroups = groups;
  }
  return cfg;
}

/** An environment variable's value that must be one of a list: refused naming the variable. */
function oneOfEnv(name: string, value: string, allowed: readonly string[], hint?: string): string {
  if (allowed.includes(value)) return value;
  throw new RunMdError(
    "bad-config",
    `${name} "${value}" is not one of ${allowed.join(", ")}`,
    hint === undefined ? undefined : { hint },
  );
}
