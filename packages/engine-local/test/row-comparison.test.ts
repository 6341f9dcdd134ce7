/**
 * `=` and `<>` between row constructors (and arrays, below) compare field by field in three-valued logic, as Trino's
 * row equality does: a NULL field that no other field outweighs makes the comparison NULL
 * (trinodb/trino#24739 and #24760, where Trino's maintainers confirm `ROW(null, '2') =
 * ROW(null, '2')` is NULL). DuckDB compared the structs with NULL as a value.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine, type LocalEngine } from "../src/index.ts";
import { datasetDir, datasetsDir, engineOverEmptyFolder, hasShared } from "./helpers.ts";

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

describe.skipIf(!hasShared)("on CloudTrail records (OTRF)", () => {
  let dir: string;
  let local: LocalEngine;
  beforeAll(async () => {
    dir = await datasetDir("otrf-ec2-proxy-s3-exfiltration");
    local = await createLocalEngine({ logDir: dir, threads: 1 });
  });
  afterAll(async () => {
    await local?.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it("resources' accounts <> the recipient's: a resource without an accountid decides nothing", async () => {
    const sql = `SELECT count(*) FROM cloudtrail_logs WHERE transform(resources, r -> r.accountid)
      <> transform(resources, r -> recipientaccountid)`;
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
    expect(await rows(local, sql)).toEqual([[differ]]);
  });
});

describe.skipIf(!hasShared)("on CloudTrail records (Stratus Red Team)", () => {
  let dir: string;
  let local: LocalEngine;
  beforeAll(async () => {
    dir = await datasetDir("stratus-red-team-detonation-logs");
    local = await createLocalEngine({ logDir: dir, threads: 1 });
  });
  afterAll(async () => {
    await local?.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });

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
    expect(await rows(local, sql)).toEqual([[kept]]);
  });
});
