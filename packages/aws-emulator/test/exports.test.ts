import { expect, it } from "vitest";
import * as emulator from "../src/index.ts";

it("exports exactly its public API", () => {
  expect(Object.keys(emulator).sort()).toMatchInlineSnapshot(`
    [
      "BackendQueryError",
      "DEFAULT_MAX_BODY_BYTES",
      "DEFAULT_MAX_RECORDED_CALLS",
      "LiteralError",
      "RECORDED_BODY_BYTES",
      "ServiceError",
      "athenaColumn",
      "athenaColumnFromTypeName",
      "athenaHandlers",
      "athenaReasonFor",
      "athenaTypeName",
      "duckResultToBackend",
      "duckdbBackend",
      "javaDouble",
      "jsonResultToBackend",
      "jsonToTrinoText",
      "localEngineBackend",
      "logsHandlers",
      "parseLiteral",
      "parseTrinoType",
      "startEmulator",
      "timestampText",
      "trinoText",
    ]
  `);
});
