import { describe, expect, it } from "vitest";
import * as api from "../src/index.ts";

describe("@run-md/engine-local", () => {
  it("exports the engine factory, the class, the engine in a child process, its registry descriptor, the table's columns, the value conversions, what the collector shares (the reader, the store's format and its day files' checks), the view the collect benchmark's floor reads, and what check asks of a dialect=duckdb step", () => {
    expect(Object.keys(api).sort()).toEqual([
      "CLOUDTRAIL_COLUMNS",
      "EXTRA_COLUMN",
      "IsolatedLocalEngine",
      "LOG_FILE_NAMES",
      "LocalEngine",
      "LogCatalog",
      "MAX_OBJECT",
      "PARTITION_COLUMNS",
      "RECORD_COLUMN",
      "SESSION_SETTINGS",
      "STORE_DAYS",
      "STORE_MANIFEST",
      "TIME_COLUMN",
      "addCovered",
      "assertStorePath",
      "athenaTypeName",
      "cloudtrailViewSql",
      "collectDayCommand",
      "collectSelectSql",
      "createIsolatedEngine",
      "createLocalEngine",
      "dayFileDamage",
      "duckdbStepProblem",
      "fileIdentity",
      "inDayRange",
      "intervalText",
      "isEventFileName",
      "isUnnamedReadError",
      "isUnreadLogName",
      "javaDouble",
      "layoutDay",
      "localEngine",
      "objectDay",
      "processMemoryBytes",
      "readManifest",
      "realNumber",
      "sealDay",
      "timestampText",
      "timestampValueText",
      "uncover",
      "unnamedCulprit",
      "varbinaryText",
      "writeManifest",
    ]);
    expect(api.CLOUDTRAIL_COLUMNS.map((c) => c.name)).toContain("useridentity");
    expect(api.CLOUDTRAIL_COLUMNS).toHaveLength(29 + 8);
  });
});
