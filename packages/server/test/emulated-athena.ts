/**
 * The AWS emulator over the incidents sample data, and an Athena engine on it as the server's:
 * the scan budgets' tests run real Athena queries whose scan statistics the emulator's faults set.
 */
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import { type AthenaEngine, createAthenaEngine } from "@run-md/engine-athena";
import { inject } from "vitest";

export interface EmulatedAthena {
  emulator: Emulator;
  athena: AthenaEngine;
  /** The sample data the emulator reads (the server's own log directory too). */
  logDir: string;
  close(): Promise<void>;
}

export async function emulatedAthena(): Promise<EmulatedAthena> {
  const logDir = inject("sampleData").incidents;
  const emulator = await startEmulator({ logDir, tableAliases: ["security.cloudtrail_all"] });
  const athena = createAthenaEngine({
    region: "us-east-1",
    endpoint: emulator.endpoint,
    table: "security.cloudtrail_all",
    partitioning: "none",
    pollMinMs: 5,
    pollMaxMs: 20,
    clientConfig: { credentials: { accessKeyId: "test", secretAccessKey: "test" } },
  });
  return {
    emulator,
    athena,
    logDir,
    async close() {
      await athena.close();
      await emulator.close();
    },
  };
}
