/** An Athena engine for tests: the emulator's endpoint, test credentials, fast polling. */
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
