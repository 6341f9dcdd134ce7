/**
 * The one list of engines: their names, the dialects they run and whether they read AWS. The
 * parser (`engine=`), the runner (`--engine`, aliases), the CLI (configuration sections,
 * `--engine`, the engine pool) and the server (a run's `engine` field) all ask it. It holds data
 * only, so core stays free of engine and AWS SDK imports: each engine package's descriptor
 * (`@run-md/engine-<name>/descriptor`) spreads its entry here and adds its configuration schema and
 * `create`. `registerEngine` adds one more (a plug-in, or a test's fake engine).
 */
import type { Engine } from "./engine.ts";
import type { Dialect } from "./model.ts";

/** What core knows of an engine. */
export interface EngineInfo {
  name: string;
  /** The step languages it runs. */
  dialects: readonly Dialect[];
  /** Whether it reads AWS (credentials, region, profile) rather than local files. */
  aws: boolean;
}

/** The types a configuration value may have (`run-md.config.yaml`, checked by the CLI). */
export type ConfigFieldType = "string" | "number" | "string[]" | "map";

/**
 * An engine package's one export about itself: core's entry, the keys of its configuration
 * section (`athena:`, `logs:`, `local:`) and how to open it. `create` imports the engine's
 * implementation lazily, so listing the descriptors loads no AWS SDK.
 */
export interface EngineDescriptor<Options = never> extends EngineInfo {
  config: Readonly<Record<string, ConfigFieldType>>;
  create(options: Options): Promise<Engine>;
}

const BUILTIN: readonly EngineInfo[] = [
  { name: "local", dialects: ["sql", "logs-insights"], aws: false },
  { name: "athena", dialects: ["sql"], aws: true },
  { name: "logs", dialects: ["logs-insights"], aws: true },
];

const registry = new Map<string, EngineInfo>(BUILTIN.map((e) => [e.name, e]));

/**
 * `--engine` choices that name several engines, one per dialect: `aws` runs SQL steps on Athena
 * and Logs Insights steps on CloudWatch Logs.
 */
export const ENGINE_ALIASES: Readonly<Record<string, Partial<Record<Dialect, string>>>> = {
  aws: { sql: "athena", "logs-insights": "logs" },
};

/** A built-in engine's entry, for its package's descriptor. */
export function builtinEngine(name: "local" | "athena" | "logs"): EngineInfo {
  return registry.get(name)!;
}

/**
 * Adds an engine (its name must be new and no alias); returns a function that removes it again.
 */
export function registerEngine(info: EngineInfo): () => void {
  if (registry.has(info.name) || Object.hasOwn(ENGINE_ALIASES, info.name)) {
    throw new Error(`engine "${info.name}" is already known`);
  }
  const entry: EngineInfo = { name: info.name, dialects: [...info.dialects], aws: info.aws };
  registry.set(info.name, entry);
  return () => {
    if (registry.get(info.name) === entry) registry.delete(info.name);
  };
}

/** Every engine's name, built-ins first. */
export function engineNames(): string[] {
  return [...registry.keys()];
}

/** An engine's entry; undefined for an unknown name (aliases included). */
export function engineInfo(name: string): EngineInfo | undefined {
  return registry.get(name);
}

/** Every value `--engine` accepts: the engines, then the aliases. */
export function engineChoices(): string[] {
  return [...registry.keys(), ...Object.keys(ENGINE_ALIASES)];
}

/** The dialects an engine or an alias runs (undefined for an unknown name). */
export function choiceDialects(choice: string): readonly Dialect[] | undefined {
  if (Object.hasOwn(ENGINE_ALIASES, choice)) {
    return Object.keys(ENGINE_ALIASES[choice]!) as Dialect[];
  }
  return registry.get(choice)?.dialects;
}
