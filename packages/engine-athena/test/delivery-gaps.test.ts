/**
 * An account's region that stopped delivering while the others went on, on Athena: the engine
 * lists the table's S3 location (the real SDK against the emulator's buckets, served from the
 * test's directory) and names the region's days without files, with `notReadFrom`, as the local
 * engine does. The truth is which hourly files the test writes and which it leaves out.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import type { TimeWindow } from "@run-md/core";
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { locationFixes } from "../src/coverage.ts";
import { MAX_LISTINGS, tableLocation } from "../src/delivery-listing.ts";
import type { AthenaEngine, AthenaEngineOptions } from "../src/index.ts";
import { emulatedAthena } from "./emulated.ts";

const ACCOUNT = "123456789012";
const TABLE = "security.cloudtrail_logs";
let dir: string;
let emulator: Emulator | undefined;
let engine: AthenaEngine | undefined;

/**
 * One file an hour (delivered at hh:50, one event at hh:10) of `region` on the November days,
 * under `base` (the test's bucket, or a trail's prefix in it).
 */
function hourly(region: string, days: number[], base = dir): void {
  for (const d of days) {
    const dd = String(d).padStart(2, "0");
    const folder = path.join(base, "AWSLogs", ACCOUNT, "CloudTrail", region, "2026", "11", dd);
    mkdirSync(folder, { recursive: true });
    for (let h = 0; h < 24; h++) {
      const hh = String(h).padStart(2, "0");
      const record = {
        eventVersion: "1.09",
        eventID: `${region}-${dd}-${hh}`,
        eventTime: `2026-11-${dd}T${hh}:10:00Z`,
        eventSource: "s3.amazonaws.com",
        eventName: "GetObject",
        awsRegion: region,
        recipientAccountId: ACCOUNT,
      };
      const name = `${ACCOUNT}_CloudTrail_${region}_202611${dd}T${hh}50Z_a${h}.json.gz`;
      writeFileSync(path.join(folder, name), gzipSync(JSON.stringify({ Records: [record] })));
    }
  }
}

/** A table over the trail's bucket (`LOCATION`), without projection. */
const ddl = (location: string) => `CREATE EXTERNAL TABLE cloudtrail_logs (eventtime STRING)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
LOCATION '${location}'`;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "run-md-athena-deliveries-"));
  // us-east-1 delivered every hour of the 20th to the 24th; us-west-2 stopped after the 22nd.
  hourly("us-east-1", [20, 21, 22, 23, 24]);
  hourly("us-west-2", [20, 21, 22]);
  // The same trail's files again, in a second bucket under a trail's two-level S3 key prefix.
  hourly("us-east-1", [20, 21, 22, 23, 24], path.join(dir, "prefixed", "cloudtrail", "org"));
  hourly("us-west-2", [20, 21, 22], path.join(dir, "prefixed", "cloudtrail", "org"));
  // A bucket of other data too (a data lake's folders, each a file deep), its trail at its root.
  const mixed = path.join(dir, "mixed");
  hourly("us-east-1", [20, 21, 22, 23, 24], mixed);
  hourly("us-west-2", [20, 21, 22], mixed);
  for (let i = 0; i < 300; i++) {
    mkdirSync(path.join(mixed, "data", `f${i}`, "x"), { recursive: true });
    writeFileSync(path.join(mixed, "data", `f${i}`, "x", "part.csv"), "1\n");
  }
  // Not of the layout: never listed as a region.
  mkdirSync(path.join(dir, "AWSLogs", ACCOUNT, "CloudTrail-Digest", "us-east-1"), {
    recursive: true,
  });
});
afterEach(async () => {
  await engine?.close();
  await emulator?.close();
  engine = undefined;
  emulator = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function over(location: string, opts: Partial<AthenaEngineOptions> = {}) {
  emulator = await startEmulator({
    logDir: dir,
    tableAliases: [TABLE],
    tableDdl: ddl(location),
    s3Buckets: {
      trail: dir,
      prefixed: path.join(dir, "prefixed"),
      mixed: path.join(dir, "mixed"),
    },
  });
  engine = emulatedAthena(emulator.endpoint, { table: TABLE, partitioning: "none", ...opts });
  return { emulator, engine };
}

/** A table projecting one account's us-east-1 only, over the whole bucket's layout. */
const ONE_REGION_PROJECTED = `CREATE EXTERNAL TABLE cloudtrail_logs (eventtime STRING)
PARTITIONED BY (account string, region string, day string)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
LOCATION 's3://trail/AWSLogs/'
TBLPROPERTIES (
  'projection.enabled'='true',
  'projection.account.type'='enum',
  'projection.account.values'='${ACCOUNT}',
  'projection.region.type'='enum',
  'projection.region.values'='us-east-1',
  'projection.day.type'='date',
  'projection.day.format'='yyyy/MM/dd',
  'projection.day.range'='2026/01/01,NOW',
  'storage.location.template'='s3://trail/AWSLogs/\${account}/CloudTrail/\${region}/\${day}')`;

const WEEK: TimeWindow = {
  start: new Date("2026-11-20T00:00:00Z"),
  end: new Date("2026-11-25T00:00:00Z"),
};
const WEST = "SELECT count(*) AS n FROM cloudtrail_logs WHERE awsregion = 'us-west-2'";
const listings = (e: Emulator) => e.calls.filter((c) => c.op === "ListObjectsV2").length;
const ofDeliveries = (w: string[]) =>
  w.filter((x) => x.includes("no log file") || x.includes("s3:ListBucket"));

describe("an account's region that stopped delivering, on Athena", () => {
  it("is named from a listing of the table's location, with notReadFrom", async () => {
    const { engine } = await over("s3://trail/AWSLogs/");
    const r = await engine.query(queryRequest("sql", WEST, WEEK));
    // Athena read what the bucket holds: 72 events of us-west-2, none after the 22nd.
    expect(r.rows).toEqual([[72]]);
    expect(ofDeliveries(r.warnings)).toEqual([
      "the window's days 2026-11-23..2026-11-24 (UTC) have no log file of us-west-2 of account 123456789012, which delivered about 24 files a day on its other days, while other regions, accounts or trails have files then: logs of one region or account not synced, collected or delivered read as quiet; check the source before trusting an empty answer",
    ]);
    expect(r.notReadFrom).toBe("2026-11-22T23:00:00.000Z");
  });

  it("is named under a trail's S3 key prefix, from a table at the bucket's root", async () => {
    const { engine, emulator } = await over("s3://prefixed/");
    const r = await engine.query(queryRequest("sql", WEST, WEEK));
    expect(ofDeliveries(r.warnings)).toEqual([
      expect.stringContaining(
        "the window's days 2026-11-23..2026-11-24 (UTC) have no log file of us-west-2 of account 123456789012",
      ),
    ]);
    expect(r.notReadFrom).toBe("2026-11-22T23:00:00.000Z");
    // The root, cloudtrail/, org/, AWSLogs/, the account, CloudTrail/; two regions' five days.
    expect(listings(emulator)).toBe(6 + 2 * 5);
  });

  it("is named from a table at the root of a bucket of other data too: its folders are walked for trails' prefixes within a bound, and the rest said", async () => {
    const { engine, emulator } = await over("s3://mixed/");
    const r = await engine.query(queryRequest("sql", WEST, WEEK));
    const said = ofDeliveries(r.warnings);
    expect(said[0]).toContain(
      "the window's days 2026-11-23..2026-11-24 (UTC) have no log file of us-west-2 of account 123456789012",
    );
    expect(r.notReadFrom).toBe("2026-11-22T23:00:00.000Z");
    expect(r.warnings.filter((w) => w.includes("were not walked for a trail's prefix"))).toEqual([
      expect.stringContaining("above AWSLogs/ are more than 100, and those from s3://mixed/data/f"),
    ]);
    // The root, AWSLogs/, the account, CloudTrail/, data/, 99 of its folders; two regions' five days.
    expect(listings(emulator)).toBe(4 + 1 + 99 + 2 * 5);
  });

  it("names nothing where every region delivered, and the steps over one window share a listing", async () => {
    const { engine, emulator } = await over("s3://trail/AWSLogs/");
    const early = { start: WEEK.start, end: new Date("2026-11-23T00:00:00Z") };
    const r = await engine.query(queryRequest("sql", WEST, early));
    expect([r.rows, ofDeliveries(r.warnings), r.notReadFrom]).toEqual([[[72]], [], undefined]);
    const first = listings(emulator);
    // The walk (AWSLogs/, the account, CloudTrail/) and two regions' three days.
    expect(first).toBe(3 + 2 * 3);
    await engine.query(queryRequest("sql", WEST, early));
    expect(listings(emulator)).toBe(first);
  });

  it("shares one listing between the steps over a window that ends after now (a trigger's hour)", async () => {
    const { engine, emulator } = await over("s3://trail/AWSLogs/");
    const open = { start: WEEK.start, end: new Date(Date.now() + 3_600_000) };
    await engine.query(queryRequest("sql", WEST, open));
    const first = listings(emulator);
    expect(first).toBeGreaterThan(3);
    await new Promise((r) => setTimeout(r, 20));
    await engine.query(queryRequest("sql", WEST, open));
    expect(listings(emulator)).toBe(first);
  });

  it("lists only the configured regions (athena.regions), from a location deeper in the layout", async () => {
    const { engine, emulator } = await over(`s3://trail/AWSLogs/${ACCOUNT}/CloudTrail`, {
      regions: ["us-east-1"],
    });
    const r = await engine.query(queryRequest("sql", WEST, WEEK));
    expect(ofDeliveries(r.warnings)).toEqual([]);
    // The location fixes the account, none configured: AWSLogs/ for the others beside it, the
    // account's folder, CloudTrail/'s regions, then us-east-1's five days.
    expect(listings(emulator)).toBe(3 + 5);
  });

  it("names a region of every partition's naming (eusc-de-east-1, us-gov-west-1), as the local engine does", async () => {
    const shared = dir;
    dir = mkdtempSync(path.join(os.tmpdir(), "run-md-athena-partitions-"));
    try {
      // The European Sovereign Cloud's region stopped after the 22nd; GovCloud's went on.
      hourly("eusc-de-east-1", [20, 21, 22]);
      hourly("us-gov-west-1", [20, 21, 22, 23, 24]);
      const { engine } = await over("s3://trail/AWSLogs/");
      const r = await engine.query(
        queryRequest("sql", "SELECT count(*) AS n FROM cloudtrail_logs", WEEK),
      );
      expect(r.rows).toEqual([[24 * 8]]);
      expect(ofDeliveries(r.warnings)).toEqual([
        expect.stringMatching(
          /^the window's days 2026-11-23\.\.2026-11-24 \(UTC\) have no log file of eusc-de-east-1 of account 123456789012, /,
        ),
      ]);
      expect(r.notReadFrom).toBe("2026-11-22T23:00:00.000Z");
    } finally {
      rmSync(dir, { recursive: true, force: true });
      dir = shared;
    }
  });

  it("names the window's days without any file (a lifecycle rule's expiry, days not synced), as the local engine does", async () => {
    const shared = dir;
    dir = mkdtempSync(path.join(os.tmpdir(), "run-md-athena-no-days-"));
    try {
      // Both regions have the 20th, the 23rd and the 24th; nothing of the 21st and the 22nd.
      hourly("us-east-1", [20, 23, 24]);
      hourly("us-west-2", [20, 23, 24]);
      const { engine } = await over("s3://trail/AWSLogs/");
      const r = await engine.query(
        queryRequest("sql", "SELECT count(*) AS n FROM cloudtrail_logs", WEEK),
      );
      expect(r.rows).toEqual([[24 * 6]]);
      expect(ofDeliveries(r.warnings)).toEqual([
        "the window's days 2026-11-21..2026-11-22 (UTC) have no log file with events: logs not synced, collected or delivered read as a quiet day; check the source before trusting an empty answer",
      ]);
      // The 21st's folder would hold the 20th's last events too.
      expect(r.notReadFrom).toBe("2026-11-20T23:00:00.000Z");
    } finally {
      rmSync(dir, { recursive: true, force: true });
      dir = shared;
    }
  });

  it("names no day without files from a listing of only the configured regions, when the query reads every region", async () => {
    // athena.regions narrows the listing to us-west-2, but a table without region partitions
    // reads every region: us-east-1's files of the 23rd and the 24th are read.
    const { engine } = await over("s3://trail/AWSLogs/", { regions: ["us-west-2"] });
    const r = await engine.query(
      queryRequest("sql", "SELECT count(*) AS n FROM cloudtrail_logs", WEEK),
    );
    expect(r.rows).toEqual([[24 * 5 + 24 * 3]]);
    expect(ofDeliveries(r.warnings)).toEqual([]);
    expect(r.notReadFrom).toBeUndefined();
  });

  it("names an account's region the table's enum projection leaves out that delivered in the window (red-team: a region outside the projection passed as quiet)", async () => {
    // The table projects us-east-1 only: us-west-2's files of the window are never read by it.
    emulator = await startEmulator({
      logDir: dir,
      tableAliases: [TABLE],
      tableDdl: ONE_REGION_PROJECTED,
      s3Buckets: { trail: dir },
    });
    engine = emulatedAthena(emulator.endpoint, { table: TABLE, partitioning: "projection" });
    const r = await engine.query(queryRequest("sql", WEST, WEEK));
    // The truth: the files the test wrote under us-west-2's folder, by day.
    const west = path.join(dir, "AWSLogs", ACCOUNT, "CloudTrail", "us-west-2", "2026", "11");
    const days = readdirSync(west).sort();
    const files = days.reduce((n, d) => n + readdirSync(path.join(west, d)).length, 0);
    expect([days, files]).toEqual([["20", "21", "22"], 72]);
    expect(r.warnings.filter((w) => w.includes("projection leaves out"))).toEqual([
      `${files} delivery files of us-west-2 of account ${ACCOUNT} on the window's days 2026-11-${days[0]}..2026-11-${days.at(-1)} (UTC), under s3://trail/AWSLogs/, are of an account or region ${TABLE}'s location or partition projection leaves out ('projection.region.values' = 'us-east-1', 'projection.account.values' = '${ACCOUNT}'): Athena reads none of them, without an error; add it to the projection's values, or name the accounts and regions the runbooks mean in athena.accounts and athena.regions`,
    ]);
    expect(r.notReadFrom).toBe(WEEK.start.toISOString());
    // AWSLogs/, the account, CloudTrail/; then us-east-1's five days and us-west-2's.
    expect(listings(emulator)).toBe(3 + 5 + 5);
  });

  it("names a region the projection's values hold only with white space (Athena reads ' us-west-2', no folder of the trail)", async () => {
    // Athena's guide: "Any white space is considered part of an enum value".
    emulator = await startEmulator({
      logDir: dir,
      tableAliases: [TABLE],
      tableDdl: ONE_REGION_PROJECTED.replace(
        "'projection.region.values'='us-east-1'",
        "'projection.region.values'='us-east-1, us-west-2'",
      ),
      s3Buckets: { trail: dir },
    });
    engine = emulatedAthena(emulator.endpoint, { table: TABLE, partitioning: "projection" });
    const r = await engine.query(queryRequest("sql", WEST, WEEK));
    // The truth: the files the test wrote under us-west-2's folder on the window's days.
    const west = path.join(dir, "AWSLogs", ACCOUNT, "CloudTrail", "us-west-2", "2026", "11");
    const files = readdirSync(west).reduce((n, d) => n + readdirSync(path.join(west, d)).length, 0);
    expect(r.warnings.filter((w) => w.includes("projection leaves out"))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${files} delivery files of us-west-2 of account ${ACCOUNT} on the window's days`,
        ),
      ),
    ]);
    expect(r.notReadFrom).toBe(WEEK.start.toISOString());
  });

  it("names at most five accounts' regions the projection leaves out, and how many more (an organization's bucket: a warning each for hundreds)", async () => {
    // A bucket of its own, outside the other tests' log directory.
    const many = mkdtempSync(path.join(os.tmpdir(), "run-md-athena-many-"));
    onTestFinished(() => rmSync(many, { recursive: true, force: true }));
    const regions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1"];
    regions.push("eu-west-2", "eu-central-1", "ap-south-1");
    for (const region of regions) hourly(region, [21], many);
    emulator = await startEmulator({
      logDir: many,
      tableAliases: [TABLE],
      tableDdl: ONE_REGION_PROJECTED.replaceAll("s3://trail/", "s3://many/"),
      s3Buckets: { many },
    });
    engine = emulatedAthena(emulator.endpoint, { table: TABLE, partitioning: "projection" });
    const r = await engine.query(queryRequest("sql", WEST, WEEK));
    const named = r.warnings.filter((w) => w.includes("leaves out"));
    // Seven regions beside us-east-1, 24 files each: five named, then the two others counted.
    expect(named).toHaveLength(6);
    expect(named.slice(0, 5).every((w) => w.startsWith("24 delivery files of "))).toBe(true);
    expect(named[5]).toBe(
      `and 2 more accounts' regions with 48 delivery files on the window's days under s3://many/AWSLogs/, which ${TABLE}'s location or partition projection leaves out too: Athena reads none of them`,
    );
  });

  it("lists only the regions configured too: one left out by athena.regions is meant to be", async () => {
    emulator = await startEmulator({
      logDir: dir,
      tableAliases: [TABLE],
      tableDdl: ONE_REGION_PROJECTED,
      s3Buckets: { trail: dir },
    });
    engine = emulatedAthena(emulator.endpoint, {
      table: TABLE,
      partitioning: "projection",
      regions: ["us-east-1"],
    });
    const r = await engine.query(queryRequest("sql", WEST, WEEK));
    expect([r.warnings.filter((w) => w.includes("projection")), r.notReadFrom]).toEqual([
      [],
      undefined,
    ]);
    // AWSLogs/, the account, CloudTrail/; then us-east-1's five days only.
    expect(listings(emulator)).toBe(3 + 5);
  });

  it("is one warning when the location cannot be listed, and the step still answers", async () => {
    const { engine } = await over("s3://no-such-bucket/AWSLogs/");
    const r = await engine.query(queryRequest("sql", WEST, WEEK));
    expect(r.rows).toEqual([[72]]);
    expect(ofDeliveries(r.warnings)).toEqual([
      expect.stringMatching(
        /^whether every account's region under s3:\/\/no-such-bucket\/AWSLogs\/ delivered files over the window could not be checked \(ListObjectsV2: .+\): one that stopped delivering would read as quiet; the runner's role needs s3:ListBucket on the trail's bucket$/,
      ),
    ]);
    expect(r.notReadFrom).toBeUndefined();
  });

  it("stops listing at the first refusal (one warning, not every other folder listed for nothing)", async () => {
    emulator = await startEmulator({
      logDir: dir,
      tableAliases: [TABLE],
      tableDdl: ddl("s3://trail/AWSLogs/"),
      s3Buckets: {
        trail: dir,
        prefixed: path.join(dir, "prefixed"),
        mixed: path.join(dir, "mixed"),
      },
      // A bucket policy refusing one day's folder of us-east-1 (403 AccessDenied, not retried).
      s3Faults: { deniedPrefixes: [`AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/10/17/`] },
    });
    engine = emulatedAthena(emulator.endpoint, { table: TABLE, partitioning: "none" });
    // 40 days of two regions: 80 day folders after the walk's 3 listings.
    const long = { start: new Date("2026-10-16T00:00:00Z"), end: WEEK.end };
    const r = await engine.query(queryRequest("sql", WEST, long));
    expect(ofDeliveries(r.warnings)).toEqual([
      expect.stringContaining("(ListObjectsV2: AccessDenied"),
    ]);
    // The walk, then at most the 16 listings under way when the refusal came, and the next
    // of each worker started before it.
    expect(listings(emulator)).toBeLessThanOrEqual(3 + 2 * 16);
  });

  it("is one warning past MAX_LISTINGS, without listing the days", async () => {
    const { engine, emulator } = await over("s3://trail/AWSLogs/");
    const years = { start: new Date("2018-01-01T00:00:00Z"), end: WEEK.end };
    const r = await engine.query(queryRequest("sql", WEST, years));
    expect(ofDeliveries(r.warnings)).toEqual([
      expect.stringContaining(`take more than ${MAX_LISTINGS} listings`),
    ]);
    expect(listings(emulator)).toBe(3);
  });
});

describe("the table's location", () => {
  it("fixes the account and region written out around CloudTrail/, for a table whose files it bounds", () => {
    const pp = {
      "projection.enabled": "true",
      "storage.location.template": `s3://b/p/AWSLogs/o-abcdefghij/${ACCOUNT}/CloudTrail/eu-west-1/\${timestamp}`,
      location: "s3://b/p/AWSLogs/",
    };
    expect(locationFixes(pp, ["timestamp"])).toEqual({
      key: "storage.location.template",
      text: pp["storage.location.template"],
      account: ACCOUNT,
      region: "eu-west-1",
    });
    const placeholders = `s3://b/AWSLogs/\${account}/CloudTrail/\${region}/\${day}`;
    expect(
      locationFixes({ ...pp, "storage.location.template": placeholders }, ["account", "region"]),
    ).toEqual({ key: "storage.location.template", text: placeholders });
    // A table without partitions reads its location; one with partitions of its own (manual,
    // a crawler's) may have them anywhere: its location bounds nothing.
    const plain = { location: `s3://b/AWSLogs/${ACCOUNT}/CloudTrail/us-east-1` };
    expect(locationFixes(plain, [])).toMatchObject({ account: ACCOUNT, region: "us-east-1" });
    expect(locationFixes(plain, ["region", "year", "month", "day"])).toBeUndefined();
    // Not the delivery layout: nothing fixed.
    expect(
      locationFixes({ location: `s3://b/x/${ACCOUNT}/CloudTrail/us-east-1/` }, []),
    ).toBeUndefined();
    // A prefix named CloudTrail before AWSLogs/ (the trail's own folder in a shared bucket): the
    // layout's CloudTrail/ is the one after AWSLogs/<account>/ (second review, 2026-12-07: the
    // first was taken, and the region the table reads was not known).
    const prefixed = `s3://b/CloudTrail/AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/\${timestamp}`;
    expect(locationFixes({ ...pp, "storage.location.template": prefixed }, ["timestamp"])).toEqual({
      key: "storage.location.template",
      text: prefixed,
      account: ACCOUNT,
      region: "us-east-1",
    });
  });

  it("is the projection template's folder before its first placeholder, else the location", () => {
    expect(
      tableLocation({
        "storage.location.template": `s3://b/p/AWSLogs/\${account}/CloudTrail/\${region}/\${day}`,
        location: "s3://b/other/",
      }),
    ).toEqual({ bucket: "b", prefix: "p/AWSLogs/" });
    expect(
      tableLocation({ "storage.location.template": `s3://b/AWSLogs/o-abc/x\${account}/` }),
    ).toEqual({ bucket: "b", prefix: "AWSLogs/o-abc/" });
    expect(tableLocation({ location: "s3://b/AWSLogs/111122223333/CloudTrail" })).toEqual({
      bucket: "b",
      prefix: "AWSLogs/111122223333/CloudTrail/",
    });
    expect(tableLocation({ location: "s3://b" })).toEqual({ bucket: "b", prefix: "" });
    expect(tableLocation({ location: "hdfs://x/y" })).toBeUndefined();
    expect(tableLocation({})).toBeUndefined();
  });
});

describe("configured regions and accounts outside the table's location", () => {
  /** Athena's CloudTrail guide's projection table: one account's one region, `us-east-1`. */
  const oneRegion = (template: string) => `CREATE EXTERNAL TABLE cloudtrail_logs (eventtime STRING)
PARTITIONED BY (\`timestamp\` string)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
LOCATION '${template.slice(0, template.indexOf("$"))}'
TBLPROPERTIES (
  'projection.enabled'='true',
  'projection.timestamp.type'='date',
  'projection.timestamp.format'='yyyy/MM/dd',
  'projection.timestamp.range'='2026/01/01,NOW',
  'storage.location.template'='${template}')`;
  const fixed = `s3://trail/AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/\${timestamp}`;
  const early = { start: WEEK.start, end: new Date("2026-11-23T00:00:00Z") };
  const outside = (w: string[]) => w.filter((x) => x.includes("outside"));

  async function projected(template: string, opts: Partial<AthenaEngineOptions>) {
    emulator = await startEmulator({
      logDir: dir,
      tableAliases: [TABLE],
      tableDdl: oneRegion(template),
      s3Buckets: { trail: dir },
    });
    engine = emulatedAthena(emulator.endpoint, {
      table: TABLE,
      partitioning: "projection",
      ...opts,
    });
    return engine;
  }

  it("names a configured region the table's location leaves out, with notReadFrom (us-west-2 delivered every day of the window)", async () => {
    const engine = await projected(fixed, { regions: ["us-east-1", "us-west-2"] });
    const r = await engine.query(queryRequest("sql", WEST, early));
    // Athena reads s3://trail/AWSLogs/<account>/CloudTrail/us-east-1/ only: none of us-west-2's
    // 72 events (the emulator reads every file; what Athena leaves out is the engine's to say).
    expect(outside(r.warnings)).toEqual([
      `the configured region us-west-2 lies outside the location of ${TABLE} ('storage.location.template' = '${fixed}', region us-east-1 only): Athena reads no file of it in the whole window, without an error; point the table at the trail's AWSLogs/ folder (partition projection over account and region) before trusting an empty answer`,
    ]);
    expect(r.notReadFrom).toBe(early.start.toISOString());
  });

  it("names configured accounts the location leaves out, and nothing when every configured value is inside", async () => {
    const engine = await projected(fixed, { accounts: ["444455556666", ACCOUNT] });
    const r = await engine.query(queryRequest("sql", WEST, early));
    expect(outside(r.warnings)).toEqual([
      expect.stringMatching(
        /^the configured account 444455556666 lies outside the location of security\.cloudtrail_logs \('storage\.location\.template' = '.+', account 123456789012 only\): Athena reads no file of it/,
      ),
    ]);
    await engine.close();
    await emulator!.close();
    const inside = await projected(fixed, { regions: ["us-east-1"], accounts: [ACCOUNT] });
    const ok = await inside.query(queryRequest("sql", WEST, early));
    expect([outside(ok.warnings), ok.notReadFrom]).toEqual([[], undefined]);
    await inside.close();
    await emulator!.close();
    // A template whose region is a placeholder fixes no region.
    const all = await projected(
      `s3://trail/AWSLogs/${ACCOUNT}/CloudTrail/\${region}/\${timestamp}`,
      { regions: ["us-west-2"] },
    );
    const any = await all.query(queryRequest("sql", WEST, early));
    expect(outside(any.warnings)).toEqual([]);
  });

  it("names a region beside the location's one that delivered in the window, with no athena.regions configured (red-team: Athena's guide's table passed over every other region)", async () => {
    const engine = await projected(fixed, {});
    const r = await engine.query(queryRequest("sql", WEST, early));
    // The truth: the files the test wrote under us-west-2's folder on the window's days.
    const west = path.join(dir, "AWSLogs", ACCOUNT, "CloudTrail", "us-west-2", "2026", "11");
    const days = readdirSync(west).filter((d) => d < "23");
    const files = days.reduce((n, d) => n + readdirSync(path.join(west, d)).length, 0);
    expect([days.sort(), files]).toEqual([["20", "21", "22"], 72]);
    expect(r.warnings.filter((w) => w.includes("leaves out"))).toEqual([
      `${files} delivery files of us-west-2 of account ${ACCOUNT} on the window's days 2026-11-20..2026-11-22 (UTC), under s3://trail/AWSLogs/, are of an account or region ${TABLE}'s location or partition projection leaves out ('storage.location.template' = '${fixed}'): Athena reads none of them, without an error; add it to the projection's values, or name the accounts and regions the runbooks mean in athena.accounts and athena.regions`,
    ]);
    expect(r.notReadFrom).toBe(early.start.toISOString());
    // us-east-1's own gaps are still judged: it delivered every day, so none is named.
    expect(ofDeliveries(r.warnings)).toEqual([]);
  });

  it("says the regions beside the location were not checked when the role may list its folder only, and still judges that folder", async () => {
    emulator = await startEmulator({
      logDir: dir,
      tableAliases: [TABLE],
      tableDdl: oneRegion(fixed),
      s3Buckets: { trail: dir },
      // A bucket policy allowing the location's region only: us-west-2's folder refused.
      s3Faults: { deniedPrefixes: [`AWSLogs/${ACCOUNT}/CloudTrail/us-west-2/`] },
    });
    engine = emulatedAthena(emulator.endpoint, { table: TABLE, partitioning: "projection" });
    // us-east-1 delivered every day of the week; a window to the 25th has no gap there.
    const r = await engine.query(queryRequest("sql", WEST, WEEK));
    expect(r.warnings.filter((w) => w.includes("Athena reads none"))).toEqual([]);
    expect(r.warnings.filter((w) => w.includes("could not be checked"))).toEqual([
      expect.stringMatching(
        /^whether accounts or regions security\.cloudtrail_logs's location or partition projection leaves out \('storage\.location\.template' = '.+'\) delivered files in the window that Athena does not read could not be checked \(ListObjectsV2: AccessDenied/,
      ),
    ]);
    // The location's own listing, made again, answered and found no gap of us-east-1.
    const own = r.warnings.filter((w) => !w.startsWith("whether accounts or regions"));
    expect(ofDeliveries(own)).toEqual([]);
  });
});
