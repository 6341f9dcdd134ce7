/**
 * What `run` and `query` read the same way from their flags and the configuration before
 * anything runs: the engine name, the default timeout, the scan budget, Ctrl-C. A bad value is a
 * `RunMdError` (exit 2, nothing runs).
 */
import { engineNames, parseBytes, parseDuration, RunMdError } from "@run-md/core";
import pc from "picocolors";
import type { Config } from "./config.ts";
import { checkEngineChoice } from "./engines.ts";

function fail(message: string, hint: string): never {
  throw new RunMdError("usage", message, { hint });
}

/** `--engine` (an engine or an alias such as `aws`) and the configuration's engine per dialect. */
export function checkEngines(flag: string | undefined, config: Config): void {
  checkEngineChoice(flag);
  const known = engineNames();
  for (const [dialect, engine] of Object.entries(config.engines)) {
    if (engine !== undefined && !known.includes(engine)) {
      throw new RunMdError(
        "bad-config",
        `${config.source}: unknown engine "${engine}" for ${dialect}`,
      );
    }
  }
}

/** The timeout of steps without `timeout=`: `--timeout`, the configuration's, else 10m. */
export function defaultTimeoutMs(flag: string | undefined, config: Config): number {
  const text = flag ?? config.timeout ?? "10m";
  const ms = parseDuration(text);
  if (ms === undefined) fail(`timeout "${text}" is not a duration`, "Use 30s, 5m or 1h.");
  return ms;
}

/** The Athena scan budget of steps without `max_scan=`: `--max-scan`, else the configuration's. */
export function maxScanBytes(flag: string | undefined, config: Config): number | undefined {
  const text = flag ?? config.maxScan;
  if (text === undefined) return undefined;
  const bytes = parseBytes(text);
  if (bytes === undefined) fail(`--max-scan "${text}" is not a size`, "Use 500MB, 10GB or 1TB.");
  return bytes;
}

/**
 * Ctrl-C (and SIGTERM) cancel the run through `controller`; a second one quits at once (exit
 * 130). Returns the function that stops listening.
 */
export function cancelOnInterrupt(controller: AbortController): () => void {
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(`\n${pc.yellow("cancelling")} (Ctrl-C again to quit at once)\n`);
    controller.abort(new Error("cancelled"));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
