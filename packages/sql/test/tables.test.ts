import { describe, expect, it } from "vitest";
import { spellings, TableResolver } from "../src/index.ts";

describe("table names a step may use", () => {
  it("gives every dotted spelling that resolves to a name", () => {
    expect(spellings("cloudtrail_logs")).toEqual([
      "cloudtrail_logs",
      "default.cloudtrail_logs",
      "awsdatacatalog.default.cloudtrail_logs",
    ]);
    expect(spellings('"Security".Cloudtrail_Org_PP')).toEqual([
      "cloudtrail_org_pp",
      "security.cloudtrail_org_pp",
      "awsdatacatalog.security.cloudtrail_org_pp",
    ]);
    expect(spellings("cat.db.t")).toEqual(["cat.db.t"]);
  });

  it("resolves aliases and extra tables, and nothing else", () => {
    const r = new TableResolver({
      aliases: ["security.trail"],
      extra: [{ name: "known_ips", scope: { kind: "unscoped" } }],
    });
    expect(r.resolve(["SECURITY", "Trail"])).toEqual({ kind: "cloudtrail" });
    expect(r.resolve(["trail"])).toEqual({ kind: "cloudtrail" });
    expect(r.resolve(["cloudtrail_logs"])).toEqual({ kind: "cloudtrail" });
    expect(r.resolve(["default", "known_ips"])).toMatchObject({ kind: "extra" });
    expect(r.resolve(["other", "trail"])).toBeUndefined();
    expect(r.resolve(["hive", "security", "trail"])).toBeUndefined();
    expect(r.readableNames()).toEqual(["cloudtrail_logs", "security.trail", "known_ips"]);
  });
});
