import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { CLOUDTRAIL_COLUMNS } from "@run-md/engine-local";
import { generateLogs } from "@run-md/generator";
import { RECORD_FIELDS } from "@run-md/sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDay } from "../src/day-file.ts";

const DAY = "2024/03/01";
let root: string;
let sources: string[];
let eventIds: string[];
let eventTimes: number[];

beforeAll(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), "run-md-day-file-test-"));
  await generateLogs({
    outDir: path.join(root, "logs"),
    start: new Date("2024-03-01T00:00:00Z"),
    end: new Date("2024-03-02T00:00:00Z"),
    eventsPerDay: 6000,
    seed: 11,
    regions: ["us-east-1", "eu-west-1"],
  });
  // Path order: region by region, so the events do not come in time order.
  const names = await fsp.readdir(path.join(root, "logs"), { recursive: true });
  sources = names
    .map(String)
    .filter((n) => n.endsWith(".json.gz"))
    .sort()
    .map((n) => path.join(root, "logs", n));
  eventIds = [];
  eventTimes = [];
  for (const f of sources) {
    const { Records } = JSON.parse(zlib.gunzipSync(await fsp.readFile(f)).toString("utf8"));
    for (const r of Records as { eventID: string; eventTime: string }[]) {
      eventIds.push(r.eventID);
      eventTimes.push(Date.parse(r.eventTime));
    }
  }
});

afterAll(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

async function written(rowGroup: number) {
  const db = await DuckDBInstance.create(":memory:", { threads: "1" });
  const conn = await db.connect();
  try {
    const store = path.join(root, `store-${rowGroup}`);
    const day = await writeDay(conn, store, DAY, undefined, sources, rowGroup);
    const file = path.join(store, day.file);
    const q = async (sql: string) => (await conn.runAndReadAll(sql)).getRows();
    const groups = await q(
      `SELECT DISTINCT row_group_id FROM parquet_metadata('${file}') ORDER BY 1`,
    );
    // One thread reads the file in its stored order: how often a row is earlier than the last.
    const [back] = await q(
      `SELECT count(*) FILTER (WHERE _ts < prev) FROM (SELECT _ts, lag(_ts) OVER () AS prev FROM '${file}')`,
    );
    const ids = (await q(`SELECT eventid FROM '${file}'`)).map((r) => String(r[0]));
    return { day, groups: groups.length, backwards: Number(back?.[0]), ids };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

describe("a day's file", () => {
  it("holds each of the day's events once; over one row group, sorted by time", async () => {
    const many = await written(2048);
    expect(eventIds.length).toBeGreaterThan(2 * 2048);
    expect(many.day.events).toBe(eventIds.length);
    expect([...many.ids].sort()).toEqual([...eventIds].sort());
    expect(many.groups).toBeGreaterThan(1);
    expect(many.backwards).toBe(0);
  });

  it("records the earliest and latest event time, and that none lacks one", async () => {
    const sorted = [...eventTimes].sort((a, b) => a - b);
    const want = {
      first: new Date(sorted[0] as number).toISOString(),
      last: new Date(sorted[sorted.length - 1] as number).toISOString(),
      untimed: 0,
    };
    expect((await written(2048)).day.times).toEqual(want);
    expect((await written(100_000)).day.times).toEqual(want);
  });

  it("a day that fits one row group is written as read (no sort needed for one group)", async () => {
    const one = await written(100_000);
    expect(one.groups).toBe(1);
    expect([...one.ids].sort()).toEqual([...eventIds].sort());
    // Region by region: the time goes back where the second region's files start.
    expect(one.backwards).toBeGreaterThan(0);
  });
});

describe("a day's keys outside the Athena columns (_extra), and its payload columns", () => {
  it("keeps each record's other top-level keys as the record had them, and payloads as text", async () => {
    const known = new Set(RECORD_FIELDS.map((f) => f.name));
    const base = { eventTime: "2024-03-01T10:00:00Z", eventName: "GetObject" };
    const records: Record<string, unknown>[] = [
      { ...base, eventID: "a", managementEvent: true },
      { ...base, eventID: "b", managementEvent: null },
      { ...base, eventID: "c", managementEvent: false, insightDetails: { x: [1, "y"] } },
      { ...base, eventID: "d" },
      { ...base, eventID: "e", managementEvent: { a: 1, b: 'q"z' } },
      { ...base, eventID: "f", newKey: "v", managementEvent: true },
      // Payloads: a JSON string holds its text, anything else its JSON (as Athena's JsonSerDe).
      { ...base, eventID: "g", requestParameters: "plain text", responseElements: { a: [1] } },
      { ...base, eventID: "h", requestParameters: '"quoted"', additionalEventData: 5 },
      { ...base, eventID: "i", requestParameters: null, responseElements: true },
    ];
    const dir = path.join(root, "extra/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01");
    await fsp.mkdir(dir, { recursive: true });
    const file = path.join(dir, "x.json.gz");
    await fsp.writeFile(file, zlib.gzipSync(JSON.stringify({ Records: records })));
    const db = await DuckDBInstance.create(":memory:", { threads: "1" });
    const conn = await db.connect();
    try {
      const store = path.join(root, "store-extra");
      const day = await writeDay(conn, store, DAY, undefined, [file]);
      const rows = (
        await conn.runAndReadAll(
          `SELECT eventid, _extra FROM '${path.join(store, day.file)}' ORDER BY eventid`,
        )
      ).getRows();
      const want = records.map((r) => {
        const extra = Object.entries(r).filter(([k]) => !known.has(k));
        return [r.eventID, extra.length === 0 ? null : Object.fromEntries(extra)];
      });
      expect(rows.map(([id, x]) => [id, x === null ? null : JSON.parse(String(x))])).toEqual(want);
      const payloads = (
        await conn.runAndReadAll(
          `SELECT requestparameters, responseelements, additionaleventdata FROM '${path.join(store, day.file)}' ORDER BY eventid`,
        )
      ).getRows();
      const text = (v: unknown) =>
        v === undefined || v === null ? null : typeof v === "string" ? v : JSON.stringify(v);
      expect(payloads).toEqual(
        records.map((r) => [
          text(r.requestParameters),
          text(r.responseElements),
          text(r.additionalEventData),
        ]),
      );
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});

/** Whether a key inside one of the record's structs is no field of its struct (plain JavaScript). */
function keyBeyondStructs(
  value: unknown,
  fields: readonly (typeof RECORD_FIELDS)[number][],
): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  return Object.entries(value).some(([k, v]) => {
    const f = fields.find((x) => x.name === k);
    if (f?.kind === "struct") return !isObject(v) ? false : beyond(v, f.fields);
    if (f?.kind === "struct-array")
      return Array.isArray(v) && v.some((item) => isObject(item) && beyond(item, f.fields));
    return false;
  });
}
function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
function beyond(o: Record<string, unknown>, fields: (typeof RECORD_FIELDS)[number][]): boolean {
  return (
    Object.keys(o).some((k) => !fields.some((f) => f.name === k)) || keyBeyondStructs(o, fields)
  );
}

describe("a day's records with keys inside the structs that the DDL has no field for (_record)", () => {
  it("keeps those records' JSON whole, and no other's", async () => {
    const base = { eventTime: "2024-03-01T10:00:00Z", eventName: "GetObject" };
    const res = (o: Record<string, unknown>) => ({ ARN: "arn:x", accountId: "1", type: "T", ...o });
    const records: Record<string, unknown>[] = [
      { ...base, eventID: "a", resources: [res({}), res({})] },
      { ...base, eventID: "b", resources: [{ ARNPrefix: "arn:p", accountId: "1", type: "T" }] },
      { ...base, eventID: "c", userIdentity: { sessionContext: { sourceIdentity: "me" } } },
      { ...base, eventID: "d", userIdentity: { type: "IAMUser", credentialId: "x" } },
      { ...base, eventID: "e", userIdentity: { principalid: "lower-case" } },
      { ...base, eventID: "f", tlsDetails: { tlsVersion: "TLSv1.3", keyExchange: "x25519" } },
      { ...base, eventID: "g", resources: [res({}), res({}), res({}), res({ extra: 1 })] },
      { ...base, eventID: "h", userIdentity: { onBehalfOf: { userId: "u", more: "m" } } },
      { ...base, eventID: "i", addendum: { reason: "r", next: "n" } },
      {
        ...base,
        eventID: "j",
        userIdentity: {
          sessionContext: {
            attributes: { mfaAuthenticated: "false", creationDate: "2024-03-01T09:00:00Z" },
            webIdFederationData: { federatedProvider: "p", attributes: { anything: "goes" } },
          },
        },
      },
      { ...base, eventID: "k", managementEvent: true, insightDetails: { state: "Start" } },
      { ...base, eventID: "l", userIdentity: null, resources: [] },
      { ...base, eventID: "m", userIdentity: { sessionContext: { attributes: { k: "v" } } } },
    ];
    // Past the fourth item of an array the keys are not checked: the record is kept whole.
    const many = { ...base, eventID: "n", resources: [1, 2, 3, 4, 5].map(() => res({})) };
    const dir = path.join(root, "record/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01");
    await fsp.mkdir(dir, { recursive: true });
    const file = path.join(dir, "x.json.gz");
    await fsp.writeFile(file, zlib.gzipSync(JSON.stringify({ Records: [...records, many] })));
    const db = await DuckDBInstance.create(":memory:", { threads: "1" });
    const conn = await db.connect();
    try {
      const day = await writeDay(conn, path.join(root, "store-record"), DAY, undefined, [file]);
      const rows = (
        await conn.runAndReadAll(
          `SELECT eventid, _record FROM '${path.join(root, "store-record", day.file)}' ORDER BY eventid`,
        )
      ).getRows();
      const want = [...records, many].map((r) => [
        r.eventID,
        r === many || keyBeyondStructs(r, RECORD_FIELDS) ? r : null,
      ]);
      expect(want.filter(([, r]) => r !== null).map(([id]) => id)).toEqual([
        "b",
        "c",
        "d",
        "e",
        "f",
        "g",
        "h",
        "i",
        "m",
        "n",
      ]);
      expect(rows.map(([id, r]) => [id, r === null ? null : JSON.parse(String(r))])).toEqual(want);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});

describe("a day's copies, by eventID, and records without one by their hash", () => {
  it("an eventID that is the text of an id-less record's hash names no copy of it (review)", async () => {
    const time = "2024-03-01T10:00:00Z";
    const lone = {
      eventTime: time,
      eventName: "CreateLoginProfile",
      userIdentity: { type: "Root" },
    };
    const dir = path.join(root, "hash-id/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01");
    await fsp.mkdir(dir, { recursive: true });
    const file = path.join(dir, "x.json.gz");
    const db = await DuckDBInstance.create(":memory:", { threads: "1" });
    const conn = await db.connect();
    const write = async (records: object[], store: string) => {
      await fsp.writeFile(file, zlib.gzipSync(JSON.stringify({ Records: records })));
      const day = await writeDay(conn, path.join(root, store), DAY, undefined, [file]);
      return path.join(root, store, day.file);
    };
    try {
      // The id-less record's hash, as the collect computes it over the stored row.
      const columns = [...CLOUDTRAIL_COLUMNS.map((c) => c.name), "_extra", "_record"];
      const alone = await write([lone], "store-hash-a");
      const hashSql = `SELECT CAST(hash(${columns.map((c) => `"${c}"`).join(", ")}) AS VARCHAR) FROM '${alone}'`;
      const hash = String((await conn.runAndReadAll(hashSql)).getRows()[0]?.[0]);
      // An event delivered twice whose id is that text, beside the id-less record.
      const copy = { eventTime: time, eventName: "GetObject", eventID: hash };
      const both = await write([lone, copy, copy], "store-hash-b");
      const rows = (
        await conn.runAndReadAll(`SELECT eventname, count(*) FROM '${both}' GROUP BY 1 ORDER BY 1`)
      ).getRows();
      expect(rows).toEqual([
        ["CreateLoginProfile", 1n],
        ["GetObject", 1n],
      ]);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});

describe("a day's write interrupted after its file is written", () => {
  /** The connection, with the first statement that `fails` refused the way an interrupt does. */
  function interruptedAt(conn: DuckDBConnection, fails: (sql: string) => boolean) {
    let done = false;
    const refuse = (sql: unknown) => {
      if (done || typeof sql !== "string" || !fails(sql)) return;
      done = true;
      throw new Error("INTERRUPT Error: Interrupted!");
    };
    return new Proxy(conn, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (prop === "run" || prop === "runAndReadAll") refuse(args[0]);
          return value.apply(target, args);
        };
      },
    });
  }

  it.each([
    ["counting its rows and their times", (sql: string) => sql.startsWith("SELECT count(*), ")],
    ["sorting it by time", (sql: string) => sql.startsWith("COPY (SELECT * FROM read_parquet(")],
  ])("while %s leaves no file in the store", async (_, fails) => {
    const db = await DuckDBInstance.create(":memory:", { threads: "1" });
    const conn = await db.connect();
    const store = await fsp.mkdtemp(path.join(root, "store-interrupted-"));
    try {
      await expect(
        writeDay(interruptedAt(conn, fails), store, DAY, undefined, sources, 2048),
      ).rejects.toThrow(/Interrupted/);
      const left = await fsp.readdir(store, { recursive: true });
      expect(left.map(String).filter((f) => f.endsWith(".parquet"))).toEqual([]);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});
