/**
 * `=` and `<>` between row constructors (and arrays, below) compare field by field in three-valued logic, as Trino's
 * row equality does: a NULL field that no other field outweighs makes the comparison NULL
 * (trinodb/trino#24739 and #24760, where Trino's maintainers confirm `ROW(null, '2') =
 * ROW(null, '2')` is NULL). DuckDB compared the structs with NULL as a value.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import type { LocalEngine } from "../src/index.ts";
import { datasetsDir, engineOverDataset, engineOverEmptyFolder, hasShared } from "./helpers.ts";

const engine = engineOverEmptyFolder();
const ALL_TIME = { start: new Date("2000-01-01T00:00:00Z"), end: new Date("2100-01-01T00:00:00Z") };

async function rows(on: LocalEngine, sql: string) {
  return (await on.query(queryRequest("sql", sql, ALL_TIME))).rows;
}

/** [comparison, Trino's value]: each worked out by hand from the fields' three-valued logic. */
const cases: [string, boolean | null][] = [
  // A pair that differs decides: false for =, true for <>, whatever the NULL.
  ["('s3', CAST(NULL AS varchar)) = ('s4', 'x')", false],
  ["('s3', CAST(NULL AS varchar)) <> ('s4', 'x')", true],
  // Otherwise a NULL field leaves it unknown.
  ["('s3', CAST(NULL AS varchar)) = ('s3', 'x')", null],
  ["('s3', CAST(NULL AS varchar)) <> ('s3', 'x')", null],
  ["ROW(1, CAST(NULL AS integer)) = ROW(1, CAST(NULL AS integer))", null],
  ["ROW(1, 2) = ROW(1, 2)", true],
  ["ROW(1, 2) <> ROW(1, 3)", true],
  // Nested row constructors, field by field too.
  ["ROW(1, ROW(2, CAST(NULL AS integer))) = ROW(1, ROW(2, 3))", null],
  ["ROW(1, ROW(2, CAST(NULL AS integer))) = ROW(1, ROW(5, 3))", false],
];

describe("row constructors compared as Trino compares rows", () => {
  it.each(cases)("%s is %s", async (expr, expected) => {
    expect(await rows(engine(), `SELECT ${expr}`)).toEqual([[expected]]);
  });
});

/**
 * Arrays likewise, where the tree shows one (a constructor, an array function, a cast, the
 * resources column): Trino answers `ARRAY[1, 2] = ARRAY[1, null]` and `ARRAY[null] = ARRAY[null]`
 * with NULL (trinodb/trino#7809, #17208); a length or an element pair that differs is false.
 */
const arrays: [string, boolean | null][] = [
  ["ARRAY[1, NULL] = ARRAY[1, NULL]", null],
  ["ARRAY[1, 2] = ARRAY[1, NULL]", null],
  ["ARRAY[NULL] = ARRAY[NULL]", null],
  ["ARRAY[1, NULL] <> ARRAY[1, NULL]", null],
  ["ARRAY[1, NULL] = ARRAY[2, NULL]", false],
  ["ARRAY[1, NULL, 2] <> ARRAY[1, NULL, 1]", true],
  ["ARRAY[NULL] = ARRAY[NULL, NULL]", false],
  ["ARRAY[1, 2] = ARRAY[1, 2]", true],
  ["split('a,b', ',') = ARRAY['a', 'b']", true],
  ["CAST(NULL AS array(integer)) = ARRAY[1]", null],
  ["ARRAY[ARRAY[1, 3]] = ARRAY[ARRAY[1, 2]]", false],
];

describe("arrays compared as Trino compares arrays", () => {
  it.each(arrays)("%s is %s", async (expr, expected) => {
    expect(await rows(engine(), `SELECT ${expr}`)).toEqual([[expected]]);
  });

  it("refuses arrays of arrays or rows holding a NULL (DuckDB would compare it as a value)", async () => {
    await expect(
      rows(engine(), "SELECT ARRAY[ARRAY[1, NULL]] = ARRAY[ARRAY[1, NULL]]"),
    ).rejects.toThrow("not supported locally");
  });
});

/**
 * IN lists of rows and arrays, as Trino evaluates a value list (InCodeGenerator, trinodb/trino
 * core/trino-main/src/main/java/io/trino/sql/gen/InCodeGenerator.java): an item that is a constant
 * without a NULL is matched exactly, any other item with three-valued `=`; with no such item, a
 * value holding a NULL is NULL (its INDETERMINATE check; trinodb/trino#11193, #17213). Each answer
 * below is worked out by hand from those rules and, for a constant value, is also the answer of
 * comparing every item three-valued (trinodb/trino#7798: `ROW(1, 2) IN ((1, null))` is NULL), so
 * it does not depend on how Trino plans it. DuckDB compared a NULL inside as a value.
 */
const inLists: [string, boolean | null][] = [
  // (1, NULL) = (1, 2) is NULL, (1, NULL) = (3, 4) false: NULL, and NOT IN keeps it NULL.
  ["ROW(1, CAST(NULL AS integer)) IN (ROW(1, 2), ROW(3, 4))", null],
  ["ROW(1, CAST(NULL AS integer)) NOT IN (ROW(1, 2), ROW(3, 4))", null],
  // An item holding a NULL that decides nothing else.
  ["(1, 2) IN ((1, 3), (1, CAST(NULL AS integer)))", null],
  ["(1, 2) NOT IN ((2, 3), (3, CAST(NULL AS integer)))", true],
  ["(1, 2) IN ((1, 2), (3, 4))", true],
  ["(1, 2) NOT IN ((2, 2), (3, 4))", true],
  ["ARRAY[1, 2] NOT IN (ARRAY[1, NULL])", null],
  ["ARRAY[1, NULL] IN (ARRAY[1, 2], ARRAY[3])", null],
  ["ARRAY[1, 2] IN (ARRAY[3], ARRAY[1, 2])", true],
];

describe("IN lists of rows and arrays compared as Trino compares them", () => {
  it.each(inLists)("%s is %s", async (expr, expected) => {
    expect(await rows(engine(), `SELECT ${expr}`)).toEqual([[expected]]);
  });

  it("refuses a constant holding a NULL that every item differs from (Trino's answer depends on its plan)", async () => {
    // Compiled, Trino answers NULL (INDETERMINATE); folded item by item, false: not guessed.
    await expect(rows(engine(), "SELECT ARRAY[1, NULL] NOT IN (ARRAY[2, 2])")).rejects.toThrow(
      "not supported locally",
    );
  });
});

/**
 * <, <=, >, >= and BETWEEN of rows and arrays: lexicographic, and a pair holding a NULL that is
 * reached fails in Trino ("ROW comparison not supported for fields with null elements", RowType;
 * "ARRAY comparison not supported for arrays with null elements", ArrayType, trinodb/trino#11397;
 * trinodb/trino#30013 makes it NULL in later versions), so it is refused; DuckDB ordered the NULL
 * last and answered. A pair that differs before the NULL decides, as both do.
 */
describe("orderings of rows and arrays holding a NULL", () => {
  it.each([
    ["ROW(1, 2) < ROW(2, CAST(NULL AS integer))", true],
    ["ARRAY[3] > ARRAY[1, NULL]", true],
    ["ARRAY[1, 2] < ARRAY[1, 2, 3]", true],
  ] as [string, boolean][])("%s is %s", async (expr, expected) => {
    expect(await rows(engine(), `SELECT ${expr}`)).toEqual([[expected]]);
  });

  it.each([
    "ROW(1, 2) < ROW(1, CAST(NULL AS integer))",
    "ROW(1, 2) BETWEEN ROW(1, CAST(NULL AS integer)) AND ROW(2, 2)",
    "ARRAY[1, 2] < ARRAY[1, NULL]",
    "ARRAY[1, 2] BETWEEN ARRAY[1, NULL] AND ARRAY[3]",
  ])("refuses %s (a NULL reached)", async (expr) => {
    await expect(rows(engine(), `SELECT ${expr}`)).rejects.toThrow("not supported locally");
  });
});

/**
 * nullif of rows and arrays: Trino's NullIfCodeGenerator returns the first value unless `=` is
 * true, and `=` of values holding a NULL is NULL; DuckDB's nullif answered NULL.
 */
describe("nullif of rows and arrays", () => {
  it.each([
    ["cardinality(nullif(ARRAY[1, NULL], ARRAY[1, NULL]))", 2],
    ["nullif(ROW(1, CAST(NULL AS integer)), ROW(1, CAST(NULL AS integer))) IS NULL", false],
    ["nullif(ARRAY[1, 2], ARRAY[1, 2]) IS NULL", true],
  ] as [string, unknown][])("%s is %s", async (expr, expected) => {
    expect(await rows(engine(), `SELECT ${expr}`)).toEqual([[expected]]);
  });
});

/** A CTE's or subquery's column whose expression shows an array is compared as an array. */
describe("arrays from CTE and subquery columns", () => {
  it.each([
    ["WITH t AS (SELECT ARRAY[1, NULL] AS a, ARRAY[1, NULL] AS b) SELECT a = b FROM t", null],
    ["SELECT a <> b FROM (SELECT split('a,b', ',') AS a, ARRAY['a', NULL] AS b) s", null],
    [
      "WITH t AS (SELECT ARRAY[1, NULL] AS a), u AS (SELECT a AS c FROM t) SELECT c = c FROM u",
      null,
    ],
    ["WITH t AS (SELECT ARRAY[1, 2] AS a) SELECT x.a = y.a FROM t x, t y", true],
    // In an IN list of such columns too: [1, NULL] = [1, 2] is NULL, so IN is (DuckDB: false).
    ["WITH t AS (SELECT ARRAY[1, NULL] AS a, ARRAY[1, 2] AS b) SELECT a IN (b) FROM t", null],
  ] as [string, boolean | null][])("%s is %s", async (sql, expected) => {
    expect(await rows(engine(), sql)).toEqual([[expected]]);
  });
});

describe.skipIf(!hasShared)("on CloudTrail records (OTRF)", () => {
  const otrf = engineOverDataset("otrf-ec2-proxy-s3-exfiltration");

  it.each([
    `SELECT count(*) FROM cloudtrail_logs WHERE transform(resources, r -> r.accountid)
      <> transform(resources, r -> recipientaccountid)`,
    // The same arrays as a CTE's columns, whose type the comparison does not show itself.
    `WITH a AS (SELECT transform(resources, r -> r.accountid) AS theirs,
      transform(resources, r -> recipientaccountid) AS ours FROM cloudtrail_logs)
      SELECT count(*) FROM a WHERE theirs <> ours`,
  ])(
    "resources' accounts <> the recipient's: a resource without an accountid decides nothing (%#)",
    async (sql) => {
      // From the raw records: true when a pair of known accounts differs; a missing accountId
      // leaves the pair unknown. DuckDB's answer counted the records with one (a NULL <> a value).
      const file = path.join(datasetsDir, "otrf-ec2-proxy-s3-exfiltration", "events.jsonl");
      const events = (await fsp.readFile(file, "utf8"))
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map(
          (l) =>
            JSON.parse(l) as { resources?: { accountId?: string }[]; recipientAccountId?: string },
        );
      const withResources = events.filter((e) => Array.isArray(e.resources));
      const differ = withResources.filter((e) =>
        (e.resources ?? []).some(
          (r) =>
            r.accountId != null &&
            e.recipientAccountId != null &&
            r.accountId !== e.recipientAccountId,
        ),
      ).length;
      const missing = withResources.filter((e) =>
        (e.resources ?? []).some((r) => r.accountId == null),
      );
      expect(missing.length).toBeGreaterThan(0);
      expect(await rows(otrf(), sql)).toEqual([[differ]]);
    },
  );
});

describe.skipIf(!hasShared)("on CloudTrail records (Stratus Red Team)", () => {
  const stratus = engineOverDataset("stratus-red-team-detonation-logs");

  it("a record without an errorcode is not <> a (source, error) pair: the filter drops it", async () => {
    const sql = `SELECT count(*) FROM cloudtrail_logs
      WHERE (eventsource, errorcode) <> ('ec2.amazonaws.com', 'Client.UnauthorizedOperation')`;
    // The truth from the raw records: the row is kept when a field definitely differs; a missing
    // errorCode decides nothing, so an EC2 call without one is dropped.
    const file = path.join(datasetsDir, "stratus-red-team-detonation-logs", "events.jsonl");
    const events = (await fsp.readFile(file, "utf8"))
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as { eventSource: string; errorCode?: string });
    const kept = events.filter(
      (e) =>
        e.eventSource !== "ec2.amazonaws.com" ||
        (e.errorCode != null && e.errorCode !== "Client.UnauthorizedOperation"),
    ).length;
    // DuckDB's answer kept the EC2 calls without an error too: the difference is not empty.
    const ec2WithoutError = events.filter(
      (e) => e.eventSource === "ec2.amazonaws.com" && e.errorCode == null,
    ).length;
    expect(ec2WithoutError).toBeGreaterThan(0);
    expect(await rows(stratus(), sql)).toEqual([[kept]]);
  });

  it("refuses useridentity compared whole; IS NOT DISTINCT FROM, NULL fields equal on both, still runs", async () => {
    // Trino compares the struct's NULL fields (invokedby, sessioncontext... absent from most
    // records) as unknown, so useridentity = useridentity is NULL for those records; DuckDB
    // answered true for every record. The fields are not known to the comparison: refused.
    await expect(
      rows(stratus(), "SELECT count(*) FROM cloudtrail_logs WHERE useridentity = useridentity"),
    ).rejects.toThrow("useridentity compared whole");
    await expect(
      rows(
        stratus(),
        "SELECT count(*) FROM cloudtrail_logs t WHERE t.useridentity.sessioncontext NOT IN (t.useridentity.sessioncontext)",
      ),
    ).rejects.toThrow("not supported locally");
    const file = path.join(datasetsDir, "stratus-red-team-detonation-logs", "events.jsonl");
    const events = (await fsp.readFile(file, "utf8")).split("\n").filter((l) => l.trim() !== "");
    const sql =
      "SELECT count(*) FROM cloudtrail_logs WHERE useridentity IS NOT DISTINCT FROM useridentity";
    expect(await rows(stratus(), sql)).toEqual([[events.length]]);
  });

  it("a CTE's or subquery's column only named useridentity (useridentity.type AS useridentity) is compared as text", async () => {
    // The struct refusal is about the table's column: a column the query computes under that name
    // is a varchar, which both engines compare alike (it was refused as "compared whole").
    const file = path.join(datasetsDir, "stratus-red-team-detonation-logs", "events.jsonl");
    const events = (await fsp.readFile(file, "utf8"))
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as { userIdentity?: { type?: string } });
    const types = events.map((e) => e.userIdentity?.type);
    const assumed = types.filter((t) => t === "AssumedRole").length;
    const other = types.filter((t) => t != null && t !== "AssumedRole").length;
    expect(assumed).toBeGreaterThan(0);
    expect(other).toBeGreaterThan(0);
    const cte = `WITH x AS (SELECT useridentity.type AS useridentity FROM cloudtrail_logs)
      SELECT count(*) FROM x WHERE useridentity = 'AssumedRole'`;
    expect(await rows(stratus(), cte)).toEqual([[assumed]]);
    const sub = `SELECT count(*) FROM (SELECT useridentity.type AS useridentity FROM cloudtrail_logs) u
      WHERE u.useridentity NOT IN ('AssumedRole')`;
    expect(await rows(stratus(), sub)).toEqual([[other]]);
    const renamed = `WITH x(useridentity) AS (SELECT coalesce(useridentity.type, '') FROM cloudtrail_logs)
      SELECT count(*) FROM x WHERE useridentity = 'AssumedRole'`;
    expect(await rows(stratus(), renamed)).toEqual([[assumed]]);
    // The table's struct passed through under its own name is still the struct: refused.
    await expect(
      rows(
        stratus(),
        "WITH x AS (SELECT useridentity FROM cloudtrail_logs) SELECT count(*) FROM x WHERE useridentity = useridentity",
      ),
    ).rejects.toThrow("useridentity compared whole");
  });

  it("a record without an errorcode is not NOT IN a list of (source, error) pairs: the filter drops it", async () => {
    const pairs: [string, string][] = [
      ["ec2.amazonaws.com", "Client.UnauthorizedOperation"],
      ["s3.amazonaws.com", "AccessDenied"],
    ];
    const list = pairs.map(([s, e]) => `('${s}', '${e}')`).join(", ");
    const sql = `SELECT count(*) FROM cloudtrail_logs WHERE (eventsource, errorcode) NOT IN (${list})`;
    // The truth from the raw records, by Trino's value-list IN (InCodeGenerator): the constant
    // pairs are matched exactly, and a value holding a NULL matches none and is NULL, so NOT IN
    // is NULL and the filter drops every record without an errorCode. DuckDB's NOT IN kept them.
    const file = path.join(datasetsDir, "stratus-red-team-detonation-logs", "events.jsonl");
    const events = (await fsp.readFile(file, "utf8"))
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as { eventSource: string; errorCode?: string });
    const kept = events.filter(
      (e) =>
        e.errorCode != null && !pairs.some(([s, c]) => s === e.eventSource && c === e.errorCode),
    ).length;
    expect(events.some((e) => e.errorCode == null)).toBe(true);
    expect(await rows(stratus(), sql)).toEqual([[kept]]);
  });
});
