/**
 * The window's days a table without projection has no partition for, on Athena (the real SDK
 * against the emulator, which answers SHOW PARTITIONS from the partitions the test lists, or
 * from the log directory's folders): a middle day never added, a configured region never added,
 * are named in the step's warnings with `notReadFrom`; all present is no warning and no cost
 * beyond the step's and its probe's; a refused listing is one warning, kept for later steps.
 * The truth is the partition list each test writes out, not anything the engine computes.
 */
import { rmSync } from "node:fs";
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import type { TimeWindow } from "@run-md/core";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { partitionGaps } from "../src/coverage.ts";
import type { AthenaEngine, AthenaEngineOptions } from "../src/index.ts";
import { cloudTrailDir } from "./cloudtrail-files.ts";
import { emulatedAthena } from "./emulated.ts";

/** Athena's CloudTrail guide's manually partitioned table (no projection). */
const MANUAL_DDL = `CREATE EXTERNAL TABLE cloudtrail_logs (eventversion STRING, eventtime STRING)
PARTITIONED BY (region string, year string, month string, day string)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://bucket/AWSLogs/123456789012/CloudTrail/'
TBLPROPERTIES ('classification'='cloudtrail')`;

const TABLE = "security.cloudtrail_logs";
const COUNT = "SELECT count(*) AS n FROM cloudtrail_logs";
let dir: string;
let emulator: Emulator | undefined;
let engine: AthenaEngine | undefined;

/** `region=…/year=…/month=…/day=…` for each region and November day, as ADD PARTITION makes them. */
function added(regions: string[], days: number[]): string[] {
  return regions.flatMap((r) =>
    days.map((d) => `region=${r}/year=2026/month=11/day=${String(d).padStart(2, "0")}`),
  );
}

beforeAll(() => {
  // Events every hour of 2026-11-20 .. 2026-11-24 in two regions: every day has files.
  dir = cloudTrailDir("athena-partitions", "2026-11-20", 5, ["us-east-1", "eu-west-1"], 24);
});
afterEach(async () => {
  await engine?.close();
  await emulator?.close();
  engine = undefined;
  emulator = undefined;
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function over(
  partitions: string[] | undefined,
  opts: Partial<AthenaEngineOptions> = {},
): Promise<{ emulator: Emulator; engine: AthenaEngine }> {
  emulator = await startEmulator({
    logDir: dir,
    tableAliases: [TABLE],
    tableDdl: MANUAL_DDL,
    ...(partitions === undefined ? {} : { partitions }),
    s3Buckets: { bucket: dir },
  });
  engine = emulatedAthena(emulator.endpoint, { table: TABLE, partitioning: "manual", ...opts });
  return { emulator, engine };
}

const window = (start: string, end: string): TimeWindow => ({
  start: new Date(start),
  end: new Date(end),
});
const W = window("2026-11-20T06:00:00Z", "2026-11-23T06:00:00Z");
const gapWarnings = (w: string[]) => w.filter((x) => x.includes("partition"));
const listings = (e: Emulator) =>
  e
    .callsOf("StartQueryExecution")
    .filter((c) => String(c.body.QueryString).startsWith("SHOW PARTITIONS"));

/** Athena's bill for one query: whole megabytes, at least 10, at $5 per TB (its pricing page). */
const billed = (bytes: number) =>
  bytes <= 0 ? 0 : (Math.max(10, Math.ceil(bytes / 2 ** 20)) * 2 ** 20 * 5) / 2 ** 40;

describe("the window's days without a partition, on a table without projection", () => {
  it("names a middle day whose partitions were never added, with notReadFrom", async () => {
    const { emulator, engine } = await over(added(["us-east-1", "eu-west-1"], [20, 21, 23, 24]));
    const r = await engine.query(queryRequest("sql", COUNT, W));
    expect(gapWarnings(r.warnings)).toEqual([
      "the window's day 2026-11-22 (UTC) has no partition in security.cloudtrail_logs (SHOW PARTITIONS): Athena reads nothing of it, without an error; add the missing partitions (ALTER TABLE ... ADD PARTITION, or rerun the job or crawler that adds them) before trusting an empty answer",
    ]);
    // The 22nd's folder holds the 21st's last hour of events too.
    expect(r.notReadFrom).toBe("2026-11-21T23:00:00.000Z");
    expect(r.rows).toEqual([[144]]); // the emulator reads every file: the check is the engine's
    expect(listings(emulator)).toHaveLength(1);
    expect(listings(emulator)[0]!.body).toMatchObject({
      QueryString: "SHOW PARTITIONS `security`.`cloudtrail_logs`",
      QueryExecutionContext: { Catalog: "AwsDataCatalog", Database: "security" },
    });
  });

  it("names a day one region's partition lacks, with no athena.regions configured", async () => {
    // The query reads every region (no region predicate): eu-west-1's 22nd, never added, is not
    // read while us-east-1's is (second review, 2026-12-07: the day counted as held by any region).
    const { engine } = await over([
      ...added(["us-east-1"], [20, 21, 22, 23, 24]),
      ...added(["eu-west-1"], [20, 21, 23, 24]),
    ]);
    const r = await engine.query(queryRequest("sql", COUNT, W));
    expect(gapWarnings(r.warnings)).toEqual([
      "the window's day 2026-11-22 (UTC) has no partition of region eu-west-1 in security.cloudtrail_logs (SHOW PARTITIONS): Athena reads nothing of it there, without an error; add the missing partitions (ALTER TABLE ... ADD PARTITION, or rerun the job or crawler that adds them) before trusting an empty answer",
    ]);
    expect(r.notReadFrom).toBe("2026-11-21T23:00:00.000Z");
  });

  it("names a configured region never added, over the whole window", async () => {
    const { engine } = await over(added(["us-east-1"], [20, 21, 22, 23, 24]), {
      regions: ["us-east-1", "eu-west-1"],
    });
    const r = await engine.query(queryRequest("sql", COUNT, W));
    expect(gapWarnings(r.warnings)).toEqual([
      "the window's days 2026-11-20..2026-11-23 (UTC) have no partition of region eu-west-1 in security.cloudtrail_logs (SHOW PARTITIONS): Athena reads nothing of them there, without an error; add the missing partitions (ALTER TABLE ... ADD PARTITION, or rerun the job or crawler that adds them) before trusting an empty answer",
    ]);
    expect(r.notReadFrom).toBe("2026-11-20T06:00:00.000Z");
  });

  it("says nothing when every day has its partitions, and bills nothing more", async () => {
    const { emulator, engine } = await over(
      added(["us-east-1", "eu-west-1"], [19, 20, 21, 22, 23]),
      {
        regions: ["us-east-1", "eu-west-1"],
      },
    );
    const r = await engine.query(queryRequest("sql", COUNT, W));
    expect(r.warnings).toEqual([]);
    expect(r.notReadFrom).toBeUndefined();
    expect(listings(emulator)).toHaveLength(1);
    // SHOW PARTITIONS is DDL, which Athena does not bill: the step's cost is its query and probe.
    const scanned = Number(r.stats.dataScannedBytes);
    const probe = Number(r.stats.windowProbeBytes ?? 0);
    expect(scanned).toBeGreaterThan(0);
    expect(r.stats.costUsd).toBeCloseTo(billed(scanned) + billed(probe), 12);
  });

  it("reads the partitions from the log directory's folders when the test lists none", async () => {
    const { engine } = await over(undefined, { regions: ["us-east-1", "eu-west-1"] });
    const inside = await engine.query(queryRequest("sql", COUNT, W));
    expect(inside.warnings).toEqual([]);
    // The directory has no folder of the 26th: its partition is not there either.
    const after = await engine.query(
      queryRequest("sql", COUNT, window("2026-11-24T00:00:00Z", "2026-11-26T12:00:00Z")),
    );
    expect(gapWarnings(after.warnings)).toEqual([
      expect.stringContaining(
        "the window's days 2026-11-25..2026-11-26 (UTC) have no partition of region us-east-1",
      ),
      expect.stringContaining(
        "the window's days 2026-11-25..2026-11-26 (UTC) have no partition of region eu-west-1",
      ),
    ]);
    expect(after.notReadFrom).toBe("2026-11-24T23:00:00.000Z");
  });

  it("makes a refused listing one warning, kept for the engine's later steps", async () => {
    const { emulator, engine } = await over(added(["us-east-1"], [20]));
    emulator.faults.athena = {
      showPartitionsFailure: {
        reason:
          "FAILED: AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/runner/x is not authorized to perform: glue:GetPartitions on resource: arn:aws:glue:us-east-1:111122223333:table/security/cloudtrail_logs",
      },
    };
    const r = await engine.query(queryRequest("sql", COUNT, W));
    expect(r.rows).toEqual([[144]]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(
      /^whether every day of the window has a partition in security\.cloudtrail_logs could not be checked \(SHOW PARTITIONS: .*not authorized to perform: glue:GetPartitions.*\): the window's days without one would not be read, and not named; the runner's role needs glue:GetPartitions$/,
    );
    expect(r.notReadFrom).toBeUndefined();
    const again = await engine.query(queryRequest("sql", COUNT, W));
    expect(again.warnings).toEqual(r.warnings);
    expect(listings(emulator)).toHaveLength(1);
  });

  it("shares one listing between steps running at once, and asks again a minute after a gap", async () => {
    const { emulator, engine } = await over(added(["us-east-1", "eu-west-1"], [20, 21, 23]));
    const other = window("2026-11-21T00:00:00Z", "2026-11-21T12:00:00Z");
    const [a, b] = await Promise.all([
      engine.query(queryRequest("sql", COUNT, W)),
      engine.query(queryRequest("sql", COUNT, other)),
    ]);
    expect(listings(emulator)).toHaveLength(1);
    expect(gapWarnings(a.warnings)).toHaveLength(1);
    expect(gapWarnings(b.warnings)).toEqual([]);
    // A window inside the listed days does not list again within the hour.
    await engine.query(queryRequest("sql", COUNT, other));
    expect(listings(emulator)).toHaveLength(1);
    // A gap is asked again once the listing is a minute old (the job may have added it since).
    const now = Date.now();
    const later = vi.spyOn(Date, "now").mockReturnValue(now + 61_000);
    try {
      const c = await engine.query(queryRequest("sql", COUNT, W));
      expect(listings(emulator)).toHaveLength(2);
      expect(gapWarnings(c.warnings)).toEqual(gapWarnings(a.warnings));
    } finally {
      later.mockRestore();
    }
  });

  it("keeps a gap of the older listing when listing again fails", async () => {
    const { emulator, engine } = await over(added(["us-east-1", "eu-west-1"], [20, 21, 23]));
    const a = await engine.query(queryRequest("sql", COUNT, W));
    expect(gapWarnings(a.warnings)).toEqual([
      expect.stringContaining("the window's day 2026-11-22 (UTC) has no partition"),
    ]);
    emulator.faults.athena = { showPartitionsFailure: { reason: "FAILED: throttled by Glue" } };
    const now = Date.now();
    const later = vi.spyOn(Date, "now").mockReturnValue(now + 61_000);
    try {
      const b = await engine.query(queryRequest("sql", COUNT, W));
      expect(listings(emulator)).toHaveLength(2);
      expect(b.warnings).toEqual(a.warnings);
      expect(b.notReadFrom).toBe(a.notReadFrom);
    } finally {
      later.mockRestore();
    }
  });

  it("does not list the partitions for a query that reads no table", async () => {
    const { emulator, engine } = await over(added(["us-east-1"], [20]));
    await engine.query(queryRequest("sql", "SELECT 1 AS n", W));
    expect(listings(emulator)).toHaveLength(0);
  });
});

describe("partition gaps, from a listing", () => {
  const NOW = Date.parse("2026-12-07T10:00:00Z");
  const manual = ["region", "year", "month", "day"];
  const w = window("2026-11-30T00:00:00Z", "2026-12-02T00:00:00Z"); // days 11-30 .. 12-02

  it("compares the partition values as the query's predicate does (zero-padded text)", () => {
    const names = [
      "region=us-east-1/year=2026/month=11/day=30",
      "region=us-east-1/year=2026/month=12/day=1", // not '01': the query's day = '01' misses it
      "region=us-east-1/year=2026/month=12/day=02",
    ];
    const c = partitionGaps("t", names, manual, w, {}, NOW);
    expect(c.warnings).toEqual([
      expect.stringMatching(/^the window's day 2026-12-01 \(UTC\) has no partition in t /),
    ]);
    expect(c.notReadFrom).toBe("2026-11-30T23:00:00.000Z");
    // partitioning: none scopes no partition, and reads `day=1` with the rest.
    expect(partitionGaps("t", names, manual, w, {}, NOW, true)).toEqual({ warnings: [] });
  });

  it("reads the bootstrap's keys, per configured account and region, Hive's escapes undone", () => {
    const keys = ["date_partition", "region_partition", "account_partition"];
    const names = ["2026/11/30", "2026/12/01", "2026/12/02"].flatMap((d) => [
      `date_partition=${d.replaceAll("/", "%2F")}/region_partition=us-east-1/account_partition=111122223333`,
      `date_partition=${d.replaceAll("/", "%2F")}/region_partition=us-east-1/account_partition=444455556666`,
    ]);
    const c = partitionGaps(
      "t",
      names.filter(
        (n) => !n.includes("2026%2F12%2F01/region_partition=us-east-1/account_partition=4444"),
      ),
      keys,
      w,
      { regions: ["us-east-1"], accounts: ["111122223333", "444455556666"] },
      NOW,
    );
    expect(c.warnings).toEqual([
      expect.stringContaining(
        "the window's day 2026-12-01 (UTC) has no partition of account 444455556666, region us-east-1 in t",
      ),
    ]);
  });

  it("judges each region the listing holds from its first day, and not one retired before the window", () => {
    const at = (region: string, day: string) =>
      `region=${region}/year=${day.slice(0, 4)}/month=${day.slice(5, 7)}/day=${day.slice(8, 10)}`;
    const names = [
      // Every day of the window (11-30 .. 12-02).
      ...["2026/11/30", "2026/12/01", "2026/12/02"].map((d) => at("us-east-1", d)),
      // Enabled on 12-01: the 30th is before its first day, nothing lacks.
      ...["2026/12/01", "2026/12/02"].map((d) => at("ap-south-1", d)),
      // Retired in October: no partition in the window, not judged.
      at("sa-east-1", "2026/10/01"),
      // Its 12-01 never added.
      ...["2026/11/29", "2026/11/30", "2026/12/02"].map((d) => at("eu-west-1", d)),
    ];
    const c = partitionGaps("t", names, manual, w, {}, NOW);
    expect(c.warnings).toEqual([
      expect.stringMatching(
        /^the window's day 2026-12-01 \(UTC\) has no partition of region eu-west-1 in t /,
      ),
    ]);
    expect(c.notReadFrom).toBe("2026-11-30T23:00:00.000Z");
    // Judged per configured region, the listing's others are not the query's.
    expect(partitionGaps("t", names, manual, w, { regions: ["us-east-1"] }, NOW)).toEqual({
      warnings: [],
    });
  });

  it("does not name today's day before now, nor judge keys it does not know", () => {
    const today = window("2026-12-06T00:00:00Z", "2026-12-09T00:00:00Z");
    const names = ["region=x/year=2026/month=12/day=06", "region=x/year=2026/month=12/day=07"];
    expect(partitionGaps("t", names, manual, today, {}, NOW)).toEqual({ warnings: [] });
    expect(partitionGaps("t", [], ["partition_0", "partition_1"], w, {}, NOW)).toEqual({
      warnings: [],
    });
  });
});
