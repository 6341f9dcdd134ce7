/**
 * The two engines a Logs Insights fidelity test compares over one log directory: the local
 * engine, and the logs engine through the real SDK against the emulator's CloudWatch Logs
 * endpoint over the same files.
 */
import type { Engine } from "@run-md/core";
import { createLocalEngine } from "@run-md/engine-local";
import { createLogsEngine, type LogsEngineOptions } from "@run-md/engine-logs";
import { startEmulator } from "../src/index.ts";

export interface EnginePair {
  local: Engine;
  logs: Engine;
  close(): Promise<void>;
}

export async function localAndLogs(
  logDir: string,
  logs: Omit<LogsEngineOptions, "endpoint">,
): Promise<EnginePair> {
  const emulator = await startEmulator({ logDir });
  const local = await createLocalEngine({ logDir }).catch(async (e: unknown) => {
    await emulator.close();
    throw e;
  });
  const remote = createLogsEngine({ pollIntervalMs: 10, ...logs, endpoint: emulator.endpoint });
  return {
    local,
    logs: remote,
    async close() {
      await remote.close();
      await local.close();
      await emulator.close();
    },
  };
}
