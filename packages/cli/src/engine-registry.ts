/**
 * The engines the CLI can open: each engine package's descriptor (`@run-md/engine-<name>/descriptor`,
 * which loads no engine until `create` is called). Configuration sections, `--engine` and the
 * engine pool derive from this list and core's registry; `registerEngineDescriptor` adds one to
 * both (a plug-in, or a test's fake engine).
 */
import { type EngineDescriptor, registerEngine } from "@run-md/core";
import { athenaEngine } from "@run-md/engine-athena/descriptor";
import { localEngine } from "@run-md/engine-local/descriptor";
import { logsEngine } from "@run-md/engine-logs/descriptor";

/** A descriptor whatever its options' type: the pool builds the options per engine. */
export type AnyEngineDescriptor = EngineDescriptor<never>;

const descriptors = new Map<string, AnyEngineDescriptor>(
  [localEngine, athenaEngine, logsEngine].map((d) => [d.name, d as AnyEngineDescriptor]),
);

/** Every descriptor, built-ins first. */
export function engineDescriptors(): AnyEngineDescriptor[] {
  return [...descriptors.values()];
}

export function engineDescriptor(name: string): AnyEngineDescriptor | undefined {
  return descriptors.get(name);
}

/** Adds an engine to core's registry and the CLI's; returns a function that removes it. */
export function registerEngineDescriptor(descriptor: AnyEngineDescriptor): () => void {
  const unregister = registerEngine(descriptor);
  descriptors.set(descriptor.name, descriptor);
  return () => {
    unregister();
    descriptors.delete(descriptor.name);
  };
}
