import { describe, expect, it } from "vitest";
import * as api from "../src/index.ts";

describe("@run-md/engine-local", () => {
  it("exports the engine factory, the class, the table's columns and the value conversions", () => {
    expect(Object.keys(api).sort()).toEqual([
      "CLOUDTRAIL_COLUMNS",
      "LocalEngine",
      "PARTITION_COLUMNS",
      "athenaTypeName",
      "createLocalEngine",
      "timestampText",
      "timestampValueText",
    ]);
    expect(api.CLOUDTRAIL_COLUMNS.map((c) => c.name)).toContain("useridentity");
    expect(api.CLOUDTRAIL_COLUMNS).toHaveLength(29 + 8);
  });
});
