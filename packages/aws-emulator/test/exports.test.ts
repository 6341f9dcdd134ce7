import { expect, it } from "vitest";
import * as emulator from "../src/index.ts";

it("exports exactly its public API", () => {
  expect(Object.keys(emulator).sort()).toMatchInlineSnapshot(`
    [
      "BackendQueryError",
      "LiteralError",
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
