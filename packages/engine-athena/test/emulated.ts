/** An Athena engine for tests: the emulator's endpoint, test credentials, fast polling. */
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import { type AthenaEngine, type AthenaEngineOptions, createAthenaEngine } from "../src/index.ts";

export function emulatedAthena(
  endpoint: string,
  opts: Partial<AthenaEngineOptions> & Pick<AthenaEngineOptions, "table">,
): AthenaEngine {
  return createAthenaEngine({
    region: "us-east-1",
    endpoint,
    pollMinMs: 5,
    pollMaxMs: 50,
    ...opts,
    clientConfig: {
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      ...opts.clientConfig,
    },
  });
}

/**
 * The emulator over the CloudTrail files of `logDir`, serving them as `opts.table`, and an
 * Athena engine on it (close both).
 */
export async function athenaOver(
  logDir: string,
  opts: Partial<AthenaEngineOptions> & { table: string },
): Promise<{ emulator: Emulator; engine: AthenaEngine }> {
  const emulator = await startEmulator({ logDir, tableAliases: [opts.table] });
  return { emulator, engine: emulatedAthena(emulator.endpoint, opts) };
}
