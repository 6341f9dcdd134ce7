/**
 * Raw files whose paths or shapes took the engine off the delivery layout's usual road: names
 * DuckDB reads as glob patterns, a `CloudTrail` folder above `AWSLogs/`, and a layout file the
 * typed reader does not take (read leniently) holding an event of the day before. The truth is
 * what the files written here hold.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import type { JsonValue } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine, type LocalEngine } from "../src/engine.ts";
import { normalizeRecord, parseEventTime } from "../src/files.ts";
import { tempDir, window } from "./helpers.ts";

const ACCOUNTS = ["111111111111", "222222222222"];
let root: string;
const engines: LocalEngine[] = [];

beforeAll(async () => {
  root = await tempDir("run-md-odd-paths-");
});

afterAll(async () => {
  for (const e of engines) await e.close();
  await fsp.rm(root, { recursive: true, force: true });
});

const event = (id: string, time: string, account = ACCOUNTS[0]) => ({
  eventVersion: "1.08",
  eventID: id,
  eventTime: time,
  eventName: "GetObject",
  eventSource: "s3.amazonaws.com",
  awsRegion: "us-east-1",
  recipientAccountId: account,
});

async function write(file: string, body: string, gzip = true): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, gzip ? zlib.gzipSync(body) : body);
}

const folder = (base: string, account: string, day: string) =>
  path.join(base, "AWSLogs", account, "CloudTrail/us-east-1", day);

async function rows(logDir: string, query: string, from: string, to: string) {
  return (await result(logDir, query, from, to)).rows;
}

async function result(logDir: string, query: string, from: string, to: string) {
  const e = await createLocalEngine({ logDir, threads: 1 });
  engines.push(e);
  const r = await e.query(queryRequest("sql", query, window(from, to)));
  return { ...r, rows: r.rows.map((row: JsonValue[]) => row.map(String).join(" ")) };
}

describe("raw files on odd paths", () => {
  it("reads each file once when its name holds glob characters", async () => {
    const dir = path.join(root, "glob");
    const day = folder(dir, ACCOUNTS[0] as string, "2026/11/23");
    const files = { "a[1].json.gz": "bracket", "a1.json.gz": "plain", "b*.json.gz": "star" };
    for (const [name, id] of Object.entries(files))
      await write(
        path.join(day, name),
        JSON.stringify({ Records: [event(id, "2026-11-23T10:00:00Z")] }),
      );
    await write(
      path.join(day, "bc.json.gz"),
      JSON.stringify({ Records: [event("bc", "2026-11-23T11:00:00Z")] }),
    );
    const got = await rows(
      dir,
      "SELECT eventid FROM cloudtrail_logs ORDER BY 1",
      "2026-11-23T00:00:00Z",
      "2026-11-24T00:00:00Z",
    );
    expect(got).toEqual(["bc", "bracket", "plain", "star"]);
  });

  it("takes the account from the folder above the layout's CloudTrail, not a higher one", async () => {
    const dir = path.join(root, "CloudTrail");
    for (const a of ACCOUNTS) {
      const body = JSON.stringify({ Records: [event(`e-${a}`, "2026-11-23T10:00:00Z", a)] });
      await write(path.join(folder(dir, a, "2026/11/23"), "x.json.gz"), body);
    }
    const got = await rows(
      dir,
      "SELECT account_partition, eventid FROM cloudtrail_logs ORDER BY 1",
      "2026-11-23T00:00:00Z",
      "2026-11-24T00:00:00Z",
    );
    expect(got).toEqual(ACCOUNTS.map((a) => `${a} e-${a}`));
  });

  it("keeps a leniently read layout file's events in its folder's day, as the typed reader does", async () => {
    const dir = path.join(root, "lenient");
    // JSON lines, not a Records document: the lenient reader takes it.
    const lines = [event("late", "2026-11-22T23:58:00Z"), event("own", "2026-11-23T00:02:00Z")];
    await write(
      path.join(folder(dir, ACCOUNTS[0] as string, "2026/11/23"), "lines.json"),
      lines.map((l) => JSON.stringify(l)).join("\n"),
      false,
    );
    const query = 'SELECT eventid, "day" FROM cloudtrail_logs ORDER BY 1';
    // The late event lies in the window of both days, and is the 23rd folder's.
    expect(await rows(dir, query, "2026-11-22T00:00:00Z", "2026-11-24T00:00:00Z")).toEqual([
      "late 23",
      "own 23",
    ]);
    // The 22nd's window reads the 23rd's folder too (CloudTrail delivered its last minutes there),
    // and takes the late event only, as for a typed file.
    expect(await rows(dir, query, "2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z")).toEqual([
      "late 23",
    ]);
  });

  it("reads a layout file whose keys are in another case behind a vendor's key (review)", async () => {
    const dir = path.join(root, "vendor-first");
    const day = folder(dir, ACCOUNTS[0] as string, "2026/11/23");
    const records = ["a", "b"].map((id, i) => ({
      vendor: { tool: "exporter" },
      eventversion: "1.08",
      eventid: id,
      eventtime: `2026-11-23T1${i}:00:00Z`,
      eventname: `Name${id}`,
    }));
    await write(path.join(day, "vendor.json.gz"), JSON.stringify({ Records: records }));
    const got = await rows(
      dir,
      "SELECT eventid, eventname FROM cloudtrail_logs ORDER BY 1",
      "2026-11-23T00:00:00Z",
      "2026-11-24T00:00:00Z",
    );
    expect(got).toEqual(["a Namea", "b Nameb"]);
  });

  it("reads a layout file whose keys are all in another case", async () => {
    const dir = path.join(root, "key-case");
    const day = folder(dir, ACCOUNTS[0] as string, "2026/11/23");
    const lower = {
      eventversion: "1.08",
      eventid: "lower",
      eventtime: "2026-11-23T10:00:00Z",
      eventname: "Lower",
      useridentity: { username: "alice" },
    };
    const pascal = {
      EventVersion: "1.08",
      EventID: "pascal",
      EventTime: "2026-11-23T11:00:00Z",
      EventName: "Pascal",
      UserIdentity: { UserName: "bob" },
    };
    await write(path.join(day, "lower.json.gz"), JSON.stringify({ Records: [lower] }));
    await write(path.join(day, "pascal.json.gz"), JSON.stringify({ Records: [pascal] }));
    const got = await rows(
      dir,
      "SELECT eventid, eventname, useridentity.username FROM cloudtrail_logs ORDER BY 1",
      "2026-11-23T00:00:00Z",
      "2026-11-24T00:00:00Z",
    );
    expect(got).toEqual(["lower Lower alice", "pascal Pascal bob"]);
  });

  /** Times exports write, and the instant each names (written out by hand). */
  const TIMES: [string, string][] = [
    ["2026-11-23T10:00:00Z", "2026-11-23T10:00:00.000Z"],
    ["2026-11-23T10:00Z", "2026-11-23T10:00:00.000Z"],
    ["2026-11-23T10:00:00z", "2026-11-23T10:00:00.000Z"],
    ["2026-11-23T10:00:00 Z", "2026-11-23T10:00:00.000Z"],
    ["2026-11-23T10:00:00utc", "2026-11-23T10:00:00.000Z"],
    ["2026-11-23 10:00:00 UTC", "2026-11-23T10:00:00.000Z"],
    ["2026-11-23 10:00", "2026-11-23T10:00:00.000Z"],
    ["2026-11-23T10:00:00", "2026-11-23T10:00:00.000Z"],
    ["2026-11-23T10:00:00.250Z", "2026-11-23T10:00:00.250Z"],
    ["2026-11-23T12:00:00+02:00", "2026-11-23T10:00:00.000Z"],
    ["2026-11-23T12:00:00+0200", "2026-11-23T10:00:00.000Z"],
    ["2026-11-23T12:00:00+02", "2026-11-23T10:00:00.000Z"],
    ["2026-11-23T05:00:00-05:00", "2026-11-23T10:00:00.000Z"],
  ];

  it("places an export's event in its day and DuckDB's window reads it at the same instant", async () => {
    const db = await DuckDBInstance.create(":memory:", { threads: "1" });
    const conn = await db.connect();
    try {
      await conn.run("SET TimeZone = 'UTC'");
      for (const [text, instant] of TIMES) {
        expect(parseEventTime(text)?.toISOString(), text).toBe(instant);
        const written = normalizeRecord({ eventTime: text }, {}).eventTime as string;
        const sql = `SELECT epoch_ms(TRY_CAST('${written}' AS TIMESTAMPTZ))`;
        const ms = (await conn.runAndReadAll(sql)).getRows()[0]?.[0];
        expect(ms === null ? null : new Date(Number(ms)).toISOString(), text).toBe(instant);
      }
      // A day the calendar does not have is no time (DuckDB's cast: null), not March 2nd.
      for (const text of [
        "2026-02-30 10:00:00",
        "2026-02-30T12:00:00+02:00",
        "2026-04-31T10:00Z",
      ]) {
        expect(parseEventTime(text), text).toBeNull();
        expect(normalizeRecord({ eventTime: text }, {}).eventTime).toBe(text);
      }
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });

  it("writes a time DuckDB would not read as CloudTrail's text, so eventtime compares with {{start}} and {{end}} as its instant does", async () => {
    // A runbook's `eventtime >= {{start}} AND eventtime < {{end}}` compares text with whole
    // seconds (`2026-11-23T10:00:00Z`): a time rewritten `10:00:00.000Z` sorted before the
    // start, and one of the end's instant (`10:00:01.000Z`) before the end. Written by hand:
    // the forms DuckDB's cast does not read, each of 10:00:00 UTC, then of 10:00:01.
    const dir = path.join(root, "times-text");
    const atStart = [
      "2026-11-23T10:00Z",
      "2026-11-23T10:00:00z",
      "2026-11-23T10:00:00 Z",
      "2026-11-23T10:00:00utc",
      "2026-11-23 10:00",
    ];
    const atEnd = ["2026-11-23T10:00:01z", "2026-11-23T10:00:01 Z", "2026-11-23T10:00:01 utc"];
    // Kept as written (DuckDB reads it): the text Athena's table of the file would compare.
    const kept = "2026-11-23T12:00:00+02:00";
    const lines = [
      ...atStart.map((t, i) => JSON.stringify(event(`s${i}`, t))),
      ...atEnd.map((t, i) => JSON.stringify(event(`e${i}`, t))),
      JSON.stringify(event("kept", kept)),
    ];
    await write(path.join(dir, "export.jsonl"), lines.join("\n"), false);
    const r = await rows(
      dir,
      "SELECT eventid FROM cloudtrail_logs WHERE eventtime >= '2026-11-23T10:00:00Z' AND eventtime < '2026-11-23T10:00:01Z' ORDER BY 1",
      "2026-11-23T00:00:00Z",
      "2026-11-24T00:00:00Z",
    );
    expect(r).toEqual(atStart.map((_, i) => `s${i}`));
    const texts = await rows(
      dir,
      "SELECT DISTINCT eventtime FROM cloudtrail_logs",
      "2026-11-23T00:00:00Z",
      "2026-11-24T00:00:00Z",
    );
    expect(texts.sort()).toEqual(["2026-11-23T10:00:00Z", "2026-11-23T10:00:01Z", kept]);
  });

  it("holds every such event in its window, and names the events without a time it leaves out", async () => {
    const dir = path.join(root, "times");
    const lines = TIMES.map(([t], i) => JSON.stringify(event(`t${i}`, t)));
    lines.push(JSON.stringify(event("date-only", "2026-11-23")));
    await write(path.join(dir, "export.jsonl"), lines.join("\n"), false);
    const r = await result(
      dir,
      "SELECT count(*) FROM cloudtrail_logs",
      "2026-11-23T10:00:00Z",
      "2026-11-23T10:00:01Z",
    );
    expect(r.rows).toEqual([String(TIMES.length)]);
    expect(r.warnings).toContain(
      "export.jsonl: 1 event without a time this reader understands left out (no window holds them)",
    );
  });
});
