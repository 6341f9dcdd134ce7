/**
 * The window's days a partition projection does not cover, on Athena (the real SDK against the
 * emulator, which describes the table from the DDL it is given): days before the range's start
 * are named in the step's warnings with `notReadFrom`; a window inside the range has none; a
 * refused GetTableMetadata is one warning and the step goes on; the metadata is read once per
 * engine and table. The expected days are written out from the ranges, not computed by the code.
 */
import { rmSync } from "node:fs";
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import type { TimeWindow } from "@run-md/core";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { dateRange, parseFormatted, projectionCoverage } from "../src/coverage.ts";
import { TABLE_READ_MS, tableParts } from "../src/engine.ts";
import type { AthenaEngine, AthenaEngineOptions } from "../src/index.ts";
import { cloudTrailDir } from "./cloudtrail-files.ts";
import { emulatedAthena } from "./emulated.ts";

/** Athena's CloudTrail guide's projection table, its range given by the test. */
function projectionDdl(range: string): string {
  return `CREATE EXTERNAL TABLE cloudtrail_logs_pp(eventversion STRING, eventtime STRING)
PARTITIONED BY (\`timestamp\` string)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://bucket/AWSLogs/account-id/CloudTrail/aws-region'
TBLPROPERTIES (
  'projection.enabled'='true',
  'projection.timestamp.format'='yyyy/MM/dd',
  'projection.timestamp.interval'='1',
  'projection.timestamp.interval.unit'='DAYS',
  'projection.timestamp.range'='${range}',
  'projection.timestamp.type'='date',
  'storage.location.template'='s3://bucket/AWSLogs/account-id/CloudTrail/aws-region/\${timestamp}')`;
}

const TABLE = "security.cloudtrail_org_pp";
let dir: string;
let emulator: Emulator | undefined;
let engine: AthenaEngine | undefined;

beforeAll(() => {
  // Events every hour of 2026-11-20 .. 2026-11-24 in us-east-1.
  dir = cloudTrailDir("athena-projection", "2026-11-20", 5, ["us-east-1"], 24);
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
  tableDdl: string | undefined,
  opts: Partial<AthenaEngineOptions> = {},
): Promise<{ emulator: Emulator; engine: AthenaEngine }> {
  emulator = await startEmulator({
    logDir: dir,
    tableAliases: [TABLE],
    ...(tableDdl === undefined ? {} : { tableDdl }),
    // The table's location, listed for regions that stopped delivering (none here).
    s3Buckets: { bucket: dir },
  });
  engine = emulatedAthena(emulator.endpoint, { table: TABLE, partitioning: "projection", ...opts });
  return { emulator, engine };
}

const COUNT = "SELECT count(*) AS n FROM cloudtrail_logs";
const window = (start: string, end: string): TimeWindow => ({
  start: new Date(start),
  end: new Date(end),
});
const coverageWarnings = (w: string[]) => w.filter((x) => x.includes("partition projection"));

describe("the window's days outside a projection range, on Athena", () => {
  it("names the days before the range's start, with notReadFrom, and the step still answers", async () => {
    const { engine } = await over(projectionDdl("2026/11/22,NOW"));
    const r = await engine.query(
      queryRequest("sql", COUNT, window("2026-11-20T06:00:00Z", "2026-11-23T06:00:00Z")),
    );
    expect(coverageWarnings(r.warnings)).toEqual([
      "the window's days 2026-11-20..2026-11-21 (UTC) lie before the start of security.cloudtrail_org_pp's partition projection range ('projection.timestamp.range' = '2026/11/22,NOW'): Athena projects no partition there and reads nothing of them, without an error; set the range to cover the trail's deliveries (ALTER TABLE ... SET TBLPROPERTIES) before trusting an empty answer",
    ]);
    // The first day not read starts the window's unread part (never before the window).
    expect(r.notReadFrom).toBe("2026-11-20T06:00:00.000Z");
    expect(r.rows).toEqual([[72]]); // the emulator reads every file: the check is the engine's
  });

  it("names one day or several, from the window's start", async () => {
    const { engine } = await over(projectionDdl("2026/11/21,NOW"));
    const r = await engine.query(
      queryRequest("sql", COUNT, window("2026-11-19T12:00:00Z", "2026-11-22T00:00:00Z")),
    );
    expect(coverageWarnings(r.warnings)).toHaveLength(1);
    expect(r.warnings.join("\n")).toContain(
      "the window's days 2026-11-19..2026-11-20 (UTC) lie before the start",
    );
    expect(r.notReadFrom).toBe("2026-11-19T12:00:00.000Z");
    const one = await engine.query(
      queryRequest("sql", COUNT, window("2026-11-20T00:00:00Z", "2026-11-22T00:00:00Z")),
    );
    expect(one.warnings.join("\n")).toContain(
      "the window's day 2026-11-20 (UTC) lies before the start",
    );
    expect(one.notReadFrom).toBe("2026-11-20T00:00:00.000Z");
  });

  it("says nothing of a window inside the range, nor of a table without projection", async () => {
    const { engine } = await over(projectionDdl("2026/11/20,NOW"));
    const r = await engine.query(
      queryRequest("sql", COUNT, window("2026-11-20T00:00:00Z", "2026-11-24T00:00:00Z")),
    );
    expect(r.warnings).toEqual([]);
    expect(r.notReadFrom).toBeUndefined();
    await engine.close();
    await emulator!.close();
    const plain = await over(undefined);
    const p = await plain.engine.query(
      queryRequest("sql", COUNT, window("2020-01-01T00:00:00Z", "2026-11-24T00:00:00Z")),
    );
    expect(p.warnings).toEqual([]);
    expect(p.notReadFrom).toBeUndefined();
  });

  it("reads NOW-relative ranges at the time of the step", async () => {
    // The data's days are far more than 3 days ago: all of them lie before NOW-3DAYS.
    const { engine } = await over(projectionDdl("NOW-3DAYS,NOW"));
    const r = await engine.query(
      queryRequest("sql", COUNT, window("2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z")),
    );
    expect(r.warnings.join("\n")).toContain(
      "the window's days 2026-11-22..2026-11-23 (UTC) lie before the start of security.cloudtrail_org_pp's partition projection range ('projection.timestamp.range' = 'NOW-3DAYS,NOW')",
    );
  });

  it("checks a step's window though another step sharing the table's read was cancelled", async () => {
    const { emulator, engine } = await over(projectionDdl("2026/11/22,NOW"));
    emulator.faults.athena = { tableMetadataDelayMs: 1500 };
    const w = window("2026-11-20T06:00:00Z", "2026-11-23T06:00:00Z");
    const stop = new AbortController();
    const cancelled = engine.query(queryRequest("sql", COUNT, w, { signal: stop.signal }));
    const other = engine.query(queryRequest("sql", COUNT, w));
    // Both steps wait on the one GetTableMetadata; the first is cancelled meanwhile.
    await new Promise((r) => setTimeout(r, 400));
    stop.abort();
    await expect(cancelled).rejects.toThrow();
    const r = await other;
    expect(r.warnings.join("\n")).not.toContain("could not be checked");
    expect(coverageWarnings(r.warnings)).toEqual([
      expect.stringContaining(
        "the window's days 2026-11-20..2026-11-21 (UTC) lie before the start",
      ),
    ]);
  });

  it("names a manual table's days outside its integer projection of year (partitioning: manual)", async () => {
    const manual = `CREATE EXTERNAL TABLE cloudtrail_logs(eventversion STRING, eventtime STRING)
PARTITIONED BY (region string, year string, month string, day string)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
LOCATION 's3://bucket/AWSLogs/account-id/CloudTrail/'
TBLPROPERTIES (
  'projection.enabled'='true',
  'projection.region.type'='enum',
  'projection.region.values'='us-east-1',
  'projection.year.type'='integer',
  'projection.year.range'='2020,2025',
  'projection.month.type'='integer',
  'projection.month.range'='1,12',
  'projection.month.digits'='2',
  'projection.day.type'='integer',
  'projection.day.range'='1,31',
  'projection.day.digits'='2',
  'storage.location.template'='s3://bucket/AWSLogs/account-id/CloudTrail/\${region}/\${year}/\${month}/\${day}')`;
    const { engine } = await over(manual, { partitioning: "manual", regions: ["us-east-1"] });
    const r = await engine.query(
      queryRequest("sql", COUNT, window("2026-11-20T06:00:00Z", "2026-11-21T06:00:00Z")),
    );
    // Every day of the window is of 2026, which the projection of year ends before.
    expect(coverageWarnings(r.warnings)).toEqual([
      "the window's days 2026-11-20..2026-11-21 (UTC) lie outside security.cloudtrail_org_pp's partition projection of year ('projection.year.range' = '2020,2025'): Athena projects no partition there and reads nothing of them, without an error; make the projection cover the trail's deliveries (ALTER TABLE ... SET TBLPROPERTIES) before trusting an empty answer",
    ]);
    expect(r.notReadFrom).toBe("2026-11-20T06:00:00.000Z");
  });

  it("does not ask of a query that does not read the table", async () => {
    const { emulator, engine } = await over(projectionDdl("2026/11/22,NOW"));
    const r = await engine.query(
      queryRequest("sql", "SELECT 1 AS n", window("2026-11-20T06:00:00Z", "2026-11-23T06:00:00Z")),
    );
    expect([r.rows, coverageWarnings(r.warnings), r.notReadFrom]).toEqual([[[1]], [], undefined]);
    expect(emulator.callsOf("GetTableMetadata")).toHaveLength(0);
  });

  it("makes a refused GetTableMetadata one warning, and the step answers", async () => {
    const { emulator, engine } = await over(projectionDdl("2026/11/22,NOW"));
    emulator.faults.athena = {
      tableMetadataError: {
        type: "AccessDeniedException",
        message:
          "User: arn:aws:sts::111122223333:assumed-role/runner/x is not authorized to perform: athena:GetTableMetadata",
      },
    };
    const r = await engine.query(
      queryRequest("sql", COUNT, window("2026-11-20T00:00:00Z", "2026-11-23T00:00:00Z")),
    );
    expect(r.rows).toEqual([[72]]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(
      /^whether the partition projection of security\.cloudtrail_org_pp covers the window could not be checked \(GetTableMetadata: AccessDeniedException: User: .* not authorized to perform: athena:GetTableMetadata\)/,
    );
    expect(r.notReadFrom).toBeUndefined();
  });

  it("asks again after a throttled GetTableMetadata, a refusal it does not keep", async () => {
    const { emulator, engine } = await over(projectionDdl("2026/11/22,NOW"), { maxAttempts: 1 });
    emulator.faults.throttle = { GetTableMetadata: 1 };
    const w = window("2026-11-20T00:00:00Z", "2026-11-23T00:00:00Z");
    const first = await engine.query(queryRequest("sql", COUNT, w));
    expect(first.warnings).toEqual([
      expect.stringMatching(/could not be checked \(GetTableMetadata: TooManyRequestsException/),
    ]);
    const second = await engine.query(queryRequest("sql", COUNT, w));
    expect(emulator.callsOf("GetTableMetadata")).toHaveLength(2);
    expect(second.warnings.join("\n")).toContain(
      "the window's days 2026-11-20..2026-11-21 (UTC) lie before",
    );
    expect(second.notReadFrom).toBe("2026-11-20T00:00:00.000Z");
  });

  it("reads the table's metadata once per engine and table, the steps sharing it", async () => {
    const { emulator, engine } = await over(projectionDdl("2026/11/22,NOW"));
    const before = window("2026-11-20T00:00:00Z", "2026-11-23T00:00:00Z");
    const inside = window("2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z");
    const [a, b] = await Promise.all([
      engine.query(queryRequest("sql", COUNT, before)),
      engine.query(queryRequest("sql", COUNT, inside)),
    ]);
    const c = await engine.query(queryRequest("sql", COUNT, before));
    expect(emulator.callsOf("GetTableMetadata")).toHaveLength(1);
    expect(emulator.callsOf("GetTableMetadata")[0]!.body).toEqual({
      CatalogName: "AwsDataCatalog",
      DatabaseName: "security",
      TableName: "cloudtrail_org_pp",
    });
    expect(coverageWarnings(a.warnings)).toHaveLength(1);
    expect(coverageWarnings(b.warnings)).toEqual([]);
    expect(c.warnings).toEqual(a.warnings);
  });

  it("reads the table again after an hour (a server's engine sees a range changed by ALTER TABLE)", async () => {
    const { emulator, engine } = await over(projectionDdl("2026/11/22,NOW"));
    const w = window("2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z");
    await engine.query(queryRequest("sql", COUNT, w));
    const now = Date.now();
    const later = vi.spyOn(Date, "now").mockReturnValue(now + TABLE_READ_MS - 60_000);
    try {
      await engine.query(queryRequest("sql", COUNT, w));
      expect(emulator.callsOf("GetTableMetadata")).toHaveLength(1);
      later.mockReturnValue(now + TABLE_READ_MS + 60_000);
      await engine.query(queryRequest("sql", COUNT, w));
      expect(emulator.callsOf("GetTableMetadata")).toHaveLength(2);
    } finally {
      later.mockRestore();
    }
  });

  it("sends nothing for a step refused before any request", async () => {
    const { emulator, engine } = await over(projectionDdl("2026/11/22,NOW"));
    await expect(
      engine.query(
        queryRequest("sql", "DROP TABLE x", window("2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z")),
      ),
    ).rejects.toThrow();
    expect(emulator.calls).toHaveLength(0);
  });
});

describe("projection coverage, from the table's parameters", () => {
  it("names the table's catalog, database and table for GetTableMetadata", () => {
    expect(tableParts("security.cloudtrail_org_pp", undefined, undefined)).toEqual({
      catalog: "AwsDataCatalog",
      database: "security",
      table: "cloudtrail_org_pp",
    });
    expect(tableParts("CloudTrail_PP", "other", "audit")).toEqual({
      catalog: "other",
      database: "audit",
      table: "cloudtrail_pp",
    });
    expect(tableParts('awsdatacatalog."Sec.Db".trail', undefined, "x")).toEqual({
      catalog: "AwsDataCatalog",
      database: "Sec.Db",
      table: "trail",
    });
  });

  const NOW = Date.parse("2026-12-07T10:00:00Z");
  const params = (range: string, extra: Record<string, string> = {}) => ({
    "projection.enabled": "true",
    "projection.timestamp.type": "date",
    "projection.timestamp.format": "yyyy/MM/dd",
    "projection.timestamp.range": range,
    ...extra,
  });

  it("reads dates of the format and NOW±n UNITS", () => {
    expect(parseFormatted("2023/01/01", "yyyy/MM/dd")).toBe(Date.parse("2023-01-01T00:00:00Z"));
    expect(parseFormatted("2023-02-30", "yyyy-MM-dd")).toBeUndefined();
    expect(parseFormatted("2023/01/01", "yyyy-MM-dd")).toBeUndefined();
    expect(parseFormatted("2021/01/01/05", "yyyy/MM/dd/HH")).toBe(
      Date.parse("2021-01-01T05:00:00Z"),
    );
    expect(dateRange(params("NOW-3YEARS,NOW+1MONTH"), "timestamp", NOW)).toEqual({
      start: Date.parse("2023-12-07T10:00:00Z"),
      end: Date.parse("2027-01-07T10:00:00Z"),
    });
    expect(dateRange(params(" NOW - 2 DAYS , NOW"), "timestamp", NOW)).toEqual({
      start: Date.parse("2026-12-05T10:00:00Z"),
      end: NOW,
    });
    expect(dateRange(params("2023/01/01"), "timestamp", NOW)).toMatch(/is not two dates/);
  });

  it("names days after a fixed end, and not today's under NOW nor tomorrow's not yet delivered", () => {
    const w = window("2026-12-05T00:00:00Z", "2026-12-08T00:00:00Z"); // ends tomorrow
    const late = projectionCoverage(
      "t",
      params("2020/01/01,2026/12/05"),
      ["timestamp"],
      w,
      {},
      NOW,
    );
    expect(late.warnings).toHaveLength(1);
    expect(late.warnings[0]).toContain(
      "the window's days 2026-12-06..2026-12-07 (UTC) lie after the end",
    );
    expect(late.notReadFrom).toBe("2026-12-05T23:00:00.000Z");
    expect(projectionCoverage("t", params("2020/01/01,NOW"), ["timestamp"], w, {}, NOW)).toEqual({
      warnings: [],
    });
  });

  it("names the days outside the integer or enum projections of a manual table's year, month and day", () => {
    // The region/year/month/day table of Athena's CloudTrail guide, its partitions projected:
    // years to 2025 only, the days of a month as an enum that lacks the 31st.
    const manual = {
      "projection.enabled": "true",
      "projection.region.type": "enum",
      "projection.region.values": "us-east-1",
      "projection.year.type": "integer",
      "projection.year.range": "2020,2025",
      "projection.month.type": "integer",
      "projection.month.range": "1,12",
      "projection.month.digits": "2",
      "projection.day.type": "enum",
      "projection.day.values": Array.from({ length: 30 }, (_, i) =>
        String(i + 1).padStart(2, "0"),
      ).join(","),
    };
    const keys = ["region", "year", "month", "day"];
    // 2025-12-30 00:00 → 2026-01-02 00:00: partition days 2025/12/30 .. 2026/01/02 (its last
    // hour's deliveries); the 31st is no projected day, 2026 no projected year.
    const w = window("2025-12-30T00:00:00Z", "2026-01-02T00:00:00Z");
    const c = projectionCoverage("t", manual, keys, w, {}, NOW);
    expect(c.warnings).toEqual([
      "the window's days 2026-01-01..2026-01-02 (UTC) lie outside t's partition projection of year ('projection.year.range' = '2020,2025'): Athena projects no partition there and reads nothing of them, without an error; make the projection cover the trail's deliveries (ALTER TABLE ... SET TBLPROPERTIES) before trusting an empty answer",
      "the window's day 2025-12-31 (UTC) lies outside t's partition projection of day ('projection.day.values' = '01,02,03,04,05,06,07,08,09,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30'): Athena projects no partition there and reads nothing of it, without an error; make the projection cover the trail's deliveries (ALTER TABLE ... SET TBLPROPERTIES) before trusting an empty answer",
    ]);
    // The 31st's folder holds the 30th's last hour of events too.
    expect(c.notReadFrom).toBe("2025-12-30T23:00:00.000Z");
    // Inside every range: nothing.
    const inside = window("2025-11-10T00:00:00Z", "2025-11-12T00:00:00Z");
    expect(projectionCoverage("t", manual, keys, inside, {}, NOW)).toEqual({ warnings: [] });
  });

  it("names the days a month or day projection writes without their zero (5, not 05)", () => {
    // The delivery layout's folders and the engine's predicate are 2026/03/05 and day = '05':
    // without 'projection.day.digits' = '2' Athena projects day=5 (template .../2026/3/5/), an
    // enum of 1,2,...,12 the same: no such folder, nothing of the 1st to the 9th read, without an
    // error (second review, 2026-12-07: compared as numbers, 5 was taken for 05).
    const manual = {
      "projection.enabled": "true",
      "projection.year.type": "integer",
      "projection.year.range": "2020,2030",
      "projection.month.type": "enum",
      "projection.month.values": "1,2,3,4,5,6,7,8,9,10,11,12",
      "projection.day.type": "integer",
      "projection.day.range": "1,31",
    };
    const keys = ["year", "month", "day"];
    // Partition days 2026/11/08 .. 2026/11/11 (the 10th's last hour delivered on the 11th).
    const w = window("2026-11-08T00:00:00Z", "2026-11-11T00:00:00Z");
    expect(projectionCoverage("t", manual, keys, w, {}, NOW)).toEqual({
      warnings: [
        "the window's days 2026-11-08..2026-11-09 (UTC) lie outside t's partition projection of day ('projection.day.range' = '1,31', written without 'projection.day.digits' = '2'): Athena projects no partition there and reads nothing of them, without an error; make the projection cover the trail's deliveries (ALTER TABLE ... SET TBLPROPERTIES) before trusting an empty answer",
      ],
      notReadFrom: "2026-11-08T00:00:00.000Z",
    });
    // March: its month is written 3, not 03; the 10th and 11th are days of the projection.
    const march = window("2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z");
    expect(projectionCoverage("t", manual, keys, march, {}, NOW).warnings).toEqual([
      "the window's days 2026-03-10..2026-03-11 (UTC) lie outside t's partition projection of month ('projection.month.values' = '1,2,3,4,5,6,7,8,9,10,11,12'): Athena projects no partition there and reads nothing of them, without an error; make the projection cover the trail's deliveries (ALTER TABLE ... SET TBLPROPERTIES) before trusting an empty answer",
    ]);
    // Written with their zero, every day is projected.
    const padded = {
      ...manual,
      "projection.day.digits": "2",
      "projection.month.values": "01,02,03,04,05,06,07,08,09,10,11,12",
    };
    expect(projectionCoverage("t", padded, keys, w, {}, NOW)).toEqual({ warnings: [] });
    expect(projectionCoverage("t", padded, keys, march, {}, NOW)).toEqual({ warnings: [] });
  });

  it("names configured regions and accounts outside an enum projection", () => {
    const bootstrap = {
      "projection.enabled": "true",
      "projection.region_partition.type": "enum",
      "projection.region_partition.values": "us-east-1,us-west-2",
      "projection.account_partition.type": "enum",
      "projection.account_partition.values": "111122223333",
    };
    const w = window("2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z");
    const c = projectionCoverage(
      "t",
      bootstrap,
      ["date_partition", "region_partition", "account_partition"],
      w,
      { regions: ["us-east-1", "eu-west-1"], accounts: ["111122223333"] },
      NOW,
    );
    expect(c.warnings).toEqual([
      "the configured region eu-west-1 is not among t's projected values of region_partition ('projection.region_partition.values'): Athena projects no partition for it and reads nothing of it in the whole window, without an error; add it to the values before trusting an empty answer",
    ]);
    expect(c.notReadFrom).toBe("2026-12-01T00:00:00.000Z");
    // Not enabled: partitions added by ALTER TABLE or a crawler, nothing to check.
    expect(
      projectionCoverage(
        "t",
        { ...bootstrap, "projection.enabled": "false" },
        ["region_partition"],
        w,
        { regions: ["eu-west-1"] },
        NOW,
      ),
    ).toEqual({ warnings: [] });
  });
});
