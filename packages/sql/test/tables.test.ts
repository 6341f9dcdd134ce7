import { describe, expect, it } from "vitest";
import {
  type CheckCache,
  checkSql,
  type SqlProblem,
  spellings,
  TableResolver,
  useCheckCache,
} from "../src/index.ts";

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

  it("checks a query again under other tables, and hands out copies of what it remembers", async () => {
    const q = "SELECT eventname FROM security.trail";
    const bare = await checkSql(q);
    expect(bare.map((p) => p.rule)).toEqual(["sql-table"]);
    // The same text where security.trail is an alias: no problem (the answer is not the cached one).
    expect(await checkSql(q, { tables: { aliases: ["security.trail"], extra: [] } })).toEqual([]);
    bare[0]!.message = "changed by a caller";
    bare.push({ ...bare[0]!, line: 9 });
    const again = await checkSql(q);
    expect(again).toHaveLength(1);
    expect(again[0]!.message).not.toBe("changed by a caller");
    expect(again[0]!.message).toMatch(/security\.trail/);
  });
});

describe("table references the window's scoping would not see", () => {
  // Red-team: each reached Athena unscoped (all of history, or another database) while check
  // passed it; the scoping rewrites tables named right after FROM, JOIN or a FROM list's comma.
  it.each([
    [
      "SELECT count(*) AS n FROM (TABLE other_db.customers)",
      /^TABLE other_db\.customers is not read/,
    ],
    ["SELECT count(*) AS n FROM (TABLE cloudtrail_logs)", /^TABLE cloudtrail_logs is not read/],
    ["SELECT eventname FROM cloudtrail_logs UNION ALL TABLE cloudtrail_logs", /^TABLE/],
    ["SELECT count(*) AS n FROM (cloudtrail_logs)", /^a relation in parentheses/],
    [
      "SELECT count(*) AS n FROM ((SELECT eventname FROM cloudtrail_logs) t)",
      /^a subquery in parentheses of its own .* write it without the outer parentheses/,
    ],
    ["SELECT count(*) AS n FROM (cloudtrail_logs a CROSS JOIN cloudtrail_logs b)", /parentheses/],
    [
      "WITH cloudtrail_logs AS (SELECT 'x' AS eventname) SELECT count(*) AS n FROM cloudtrail_logs",
      /^the WITH query "cloudtrail_logs" has the name of a table/,
    ],
    ['WITH "CloudTrail_Logs" AS (SELECT 1 AS x) SELECT x FROM "CloudTrail_Logs"', /WITH query/],
  ])("%s is refused", async (query, message) => {
    const problems = await checkSql(query);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map((p) => p.rule)).toEqual(problems.map(() => "sql-table"));
    expect(problems[0]!.message).toMatch(message);
  });

  it.each([
    "SELECT count(*) AS n FROM (SELECT * FROM cloudtrail_logs) t",
    "WITH recent AS (SELECT eventname FROM cloudtrail_logs) SELECT count(*) AS n FROM recent",
    "SELECT count(*) AS n FROM cloudtrail_logs a JOIN (SELECT 1 AS x) b ON true",
  ])("%s is read", async (query) => {
    expect(await checkSql(query)).toEqual([]);
  });
});

describe("the checked queries of earlier processes", () => {
  it("are read before parsing, and what a parse finds is kept there", async () => {
    const kept = new Map<string, readonly SqlProblem[]>();
    const cache: CheckCache = {
      get: (key) => kept.get(key)?.map((p) => ({ ...p })),
      set: (key, problems) => kept.set(key, problems),
    };
    const stamp = `${process.pid}-${Date.now()}`;
    const fresh = `SELECT eventname FROM nowhere_${stamp.replace(/-/g, "_")}`;
    const known = `SELECT 1 AS k_${stamp.replace(/-/g, "_")}`;
    // What an earlier process concluded of `known` (whatever the grammar would say now).
    const earlier: SqlProblem = {
      line: 1,
      column: 8,
      severity: "warning",
      rule: "sql-athena",
      message: "from the cache",
    };
    kept.set(JSON.stringify([known, { aliases: [], extra: [] }]), [earlier]);
    useCheckCache(cache);
    try {
      expect(await checkSql(known)).toEqual([earlier]);
      const found = await checkSql(fresh);
      expect(found.map((p) => p.rule)).toEqual(["sql-table"]);
      expect(kept.get(JSON.stringify([fresh, { aliases: [], extra: [] }]))).toEqual(found);
    } finally {
      useCheckCache(undefined);
    }
  });
});
