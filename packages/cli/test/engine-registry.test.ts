/**
 * The engine registry: core's list of engines and the CLI's descriptors are one list, and an
 * engine registered once is known everywhere an engine name is read (a step's `engine=`, the
 * configuration, `--engine`, the engine pool, the server's `engine` field), and unknown there
 * again once removed.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  chooseEngine,
  type Engine,
  engineInfo,
  engineNames,
  parseInfo,
  type Step,
  stepFromInfo,
} from "@run-md/core";
import { athenaEngine } from "@run-md/engine-athena";
import type { LocalEngine } from "@run-md/engine-local";
import { IsolatedLocalEngine, localEngine, processMemoryBytes } from "@run-md/engine-local";
import { logsEngine } from "@run-md/engine-logs";
import { afterEach, describe, expect, it } from "vitest";
import { windowAndEngine } from "../../server/src/runs/request.ts";
import { loadConfig } from "../src/config.ts";
import {
  type AnyEngineDescriptor,
  engineDescriptors,
  registerEngineDescriptor,
} from "../src/engine-registry.ts";
import { checkEngineChoice, EnginePool } from "../src/engines.ts";
import { checkEngines } from "../src/run-settings.ts";

async function configFile(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-registry-"));
  const file = path.join(dir, "run-md.config.yaml");
  await writeFile(file, text);
  return file;
}

const fakeEngine: Engine = {
  name: "fake",
  dialects: ["sql"],
  query: async () => ({ columns: [], rows: [], queryAsRun: "", stats: {}, warnings: [] }),
  close: async () => {},
};
let created: unknown[] = [];
const fake: AnyEngineDescriptor = {
  name: "fake",
  dialects: ["sql"],
  aws: false,
  config: { speed: "number" },
  create: async (options) => {
    created.push(options);
    return fakeEngine;
  },
};

/** A sql step without `engine=`, for chooseEngine. */
const sqlStep = { dialect: "sql", attributes: { optional: false } } as unknown as Step;

let unregister: (() => void) | undefined;
afterEach(() => {
  unregister?.();
  unregister = undefined;
  created = [];
});

describe("the engine registry", () => {
  it("core's engines and the CLI's descriptors are the same list, with the same dialects", () => {
    expect(engineNames()).toEqual(["local", "athena", "logs"]);
    expect(engineDescriptors().map((d) => d.name)).toEqual(engineNames());
    for (const d of [localEngine, athenaEngine, logsEngine]) {
      expect(engineInfo(d.name)?.dialects).toEqual(d.dialects);
    }
    expect(engineInfo("athena")?.aws).toBe(true);
    expect(engineInfo("local")?.aws).toBe(false);
  });

  it("each engine's configuration section is its descriptor's keys", async () => {
    const ok = await configFile("athena:\n  workgroup: wg\nlogs:\n  pollIntervalMs: 100\n");
    expect(loadConfig(ok).athena.workgroup).toBe("wg");
    const bad = await configFile("logs:\n  workgroup: wg\n");
    expect(() => loadConfig(bad)).toThrow(/unknown key "workgroup" in "logs"/);
  });

  it("an engine registered once is accepted by engine=, the configuration, --engine, the pool and the server", async () => {
    unregister = registerEngineDescriptor(fake);
    const info = stepFromInfo(parseInfo("sql s1 engine=fake"), "sql");
    expect(info.problems).toEqual([]);
    expect(info.attributes.engine).toBe("fake");
    expect(stepFromInfo(parseInfo("insights s1 engine=fake"), "logs-insights").problems).toEqual([
      expect.objectContaining({ rule: "engine-dialect" }),
    ]);

    const file = await configFile("engines:\n  sql: fake\nfake:\n  speed: 3\n");
    const config = loadConfig(file);
    expect(() => checkEngines("fake", config)).not.toThrow();
    const badType = await configFile("fake:\n  speed: fast\n");
    expect(() => loadConfig(badType)).toThrow(/"fake.speed" must be a number/);

    expect(chooseEngine(sqlStep, "fake")).toBe("fake");
    const pool = new EnginePool(config, {});
    expect(await pool.get("fake")).toBe(fakeEngine);
    expect(created).toHaveLength(1);

    expect(windowAndEngine({ engine: "fake" }).engine).toBe("fake");
  });

  it("keeps a session cache in the server's local engine, none in a one-off command's unless configured", async () => {
    const logDir = await mkdtemp(path.join(tmpdir(), "run-md-registry-logs-"));
    const limitOf = async (text: string, longLived: boolean) => {
      const pool = new EnginePool(loadConfig(await configFile(text)), { logDir, longLived });
      const engine = (await pool.get("local")) as LocalEngine;
      try {
        return engine.records.limit;
      } finally {
        await engine.close();
      }
    };
    // In the caller's process (a server's engine is in its own otherwise: the next test).
    const inProcess = "local:\n  logDir: sample\n  processMemoryLimit: none\n";
    expect(await limitOf(inProcess, false)).toBe(0);
    expect(await limitOf(inProcess, true)).toBe(256 * 2 ** 20);
    const configured = `${inProcess}  cacheLimit: 64MiB\n`;
    expect(await limitOf(configured, false)).toBe(64 * 2 ** 20);
    expect(await limitOf(configured, true)).toBe(64 * 2 ** 20);
  });

  it("runs the server's local engine in a process of its own, a one-off command's only if configured", async () => {
    const logDir = await mkdtemp(path.join(tmpdir(), "run-md-registry-logs-"));
    const isolated = async (text: string, longLived: boolean) => {
      const pool = new EnginePool(loadConfig(await configFile(text)), { logDir, longLived });
      const engine = await pool.get("local");
      await engine.close();
      return engine instanceof IsolatedLocalEngine ? engine.limits.memoryBytes : false;
    };
    const plain = "local:\n  logDir: sample\n";
    expect(await isolated(plain, false)).toBe(false);
    expect(await isolated(plain, true)).toBe(processMemoryBytes("auto", {}));
    expect(await isolated(`${plain}  processMemoryLimit: 3GiB\n`, false)).toBe(3 * 2 ** 30);
    expect(await isolated(`${plain}  processMemoryLimit: none\n`, true)).toBe(false);
    const bad = await configFile(`${plain}  processMemoryLimit: plenty\n`);
    expect(() => loadConfig(bad)).toThrow(/"local.processMemoryLimit" must be a size such as 8GiB/);
  });

  it("once removed, the engine is unknown everywhere again", async () => {
    registerEngineDescriptor(fake)();
    expect(stepFromInfo(parseInfo("sql s1 engine=fake"), "sql").problems).toEqual([
      expect.objectContaining({ rule: "unknown-engine" }),
    ]);
    const file = await configFile("fake:\n  speed: 3\n");
    expect(() => loadConfig(file)).toThrow(/unknown configuration key "fake"/);
    expect(() => checkEngineChoice("fake")).toThrow(/unknown engine "fake"/);
    await expect(new EnginePool(loadConfig(undefined), {}).get("fake")).rejects.toThrow(
      /unknown engine "fake"/,
    );
    expect(() => windowAndEngine({ engine: "fake" })).toThrow(/"engine" must be one of/);
  });

  it("the aws alias is accepted by --engine and the server, and names an engine per dialect", () => {
    expect(() => checkEngineChoice("aws")).not.toThrow();
    expect(windowAndEngine({ engine: "aws" }).engine).toBe("aws");
    expect(chooseEngine(sqlStep, "aws")).toBe("athena");
    expect(() => registerEngineDescriptor({ ...fake, name: "aws" })).toThrow(/already known/);
  });
});
