import { describe, expect, it } from "vitest";
import * as api from "../src/index.ts";

describe("@run-md/engine-local", () => {
  it("exports the engine factory, the class and the table's columns", () => {
    expect(Object.keys(api).sort()).toEqual([
      "CLOUDTRAIL_COLUMNS",
      "LocalEngine",
      "PARTITION_COLUMNS",
      "createLocalEngine",
    ]);
    expect(api.CLOUDTRAIL_COLUMNS.map((c) => c.name)).toContain("useridentity");
    expect(api.CLOUDTRAIL_COLUMNS).toHaveLength(29 + 8);
  });
});
